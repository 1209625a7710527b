/* crypto_key on mbedTLS: allocation, the reference count, the cached public
 * value, the SubjectPublicKeyInfo, and helpers the other mbedtls_*.c files
 * share. */
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/cipher.h>
#include <mbedtls/x509.h>

#include "crypto/mbedtls_key.h"

CK_RV crypto_mbed_error(int ret)
{
	/* mbedTLS error codes are a high-level part (bits 7-14) plus a
	 * low-level part (bits 0-6) of the module that failed underneath. */
	unsigned int e = ret < 0 ? (unsigned int)-ret : 0u;
	unsigned int low = e & 0x7fu, high = e & 0x7f80u;

	if (low == (unsigned int)-MBEDTLS_ERR_MPI_ALLOC_FAILED ||
	    low == (unsigned int)-MBEDTLS_ERR_ASN1_ALLOC_FAILED)
		return CKR_HOST_MEMORY;
	switch (high) {
	case (unsigned int)-MBEDTLS_ERR_ECP_ALLOC_FAILED:
	case (unsigned int)-MBEDTLS_ERR_MD_ALLOC_FAILED:
	case (unsigned int)-MBEDTLS_ERR_PK_ALLOC_FAILED:
	case (unsigned int)-MBEDTLS_ERR_CIPHER_ALLOC_FAILED:
	case (unsigned int)-MBEDTLS_ERR_X509_ALLOC_FAILED:
		return CKR_HOST_MEMORY;
	default:
		return CKR_FUNCTION_FAILED;
	}
}

CK_RV crypto_mbed_invalid(int ret)
{
	CK_RV rv = crypto_mbed_error(ret);

	return rv == CKR_HOST_MEMORY ? rv : CKR_ATTRIBUTE_VALUE_INVALID;
}

const uint8_t *crypto_mbed_strip(const uint8_t *p, size_t *len)
{
	while (*len > 0 && p[0] == 0) {
		p++;
		(*len)--;
	}
	return p;
}

size_t crypto_mbed_der_len(uint8_t *out, size_t n)
{
	if (n < 0x80) {
		out[0] = (uint8_t)n;
		return 1;
	}
	if (n < 0x100) {
		out[0] = 0x81;
		out[1] = (uint8_t)n;
		return 2;
	}
	out[0] = 0x82;
	out[1] = (uint8_t)(n >> 8);
	out[2] = (uint8_t)n;
	return 3;
}

CK_RV crypto_mbed_key_alloc(enum key_kind kind, int priv, enum crypto_curve c, crypto_key **out)
{
	crypto_key *k = port_calloc(1, sizeof(*k));

	if (k == NULL)
		return CKR_HOST_MEMORY;
	atomic_init(&k->refs, 1);
	k->kind = kind;
	k->priv = priv;
	k->curve = c;
	mbedtls_ecp_point_init(&k->q);
	mbedtls_mpi_init(&k->d);
	MBED_RSA_INIT(&k->rsa);
	*out = k;
	return CKR_OK;
}

static CK_RV cache_ec_point(crypto_key *k)
{
	size_t want = 1 + 2 * crypto_ec_size(k->curve), len = 0;
	mbedtls_ecp_group grp;
	int ret;

	k->bits = crypto_ec_bits(k->curve);
	k->pub = port_malloc(want);
	if (k->pub == NULL)
		return CKR_HOST_MEMORY;
	k->publen = want;
	mbedtls_ecp_group_init(&grp);
	ret = mbedtls_ecp_group_load(&grp, crypto_mbed_ec_group(k->curve));
	if (ret == 0)
		ret = mbedtls_ecp_point_write_binary(&grp, &k->q, MBEDTLS_ECP_PF_UNCOMPRESSED, &len,
						     k->pub, want);
	mbedtls_ecp_group_free(&grp);
	if (ret != 0)
		return crypto_mbed_error(ret);
	if (len != want || k->pub[0] != 0x04)
		return CKR_FUNCTION_FAILED;
	return CKR_OK;
}

static CK_RV cache_modulus(crypto_key *k)
{
	mbedtls_mpi n;
	int ret;

	mbedtls_mpi_init(&n);
	ret = mbedtls_rsa_export(&k->rsa, &n, NULL, NULL, NULL, NULL);
	if (ret != 0) {
		mbedtls_mpi_free(&n);
		return crypto_mbed_error(ret);
	}
	k->bits = mbedtls_mpi_bitlen(&n);
	k->publen = (k->bits + 7) / 8;
	k->pub = port_malloc(k->publen);
	if (k->pub == NULL) {
		mbedtls_mpi_free(&n);
		return CKR_HOST_MEMORY;
	}
	ret = mbedtls_mpi_write_binary(&n, k->pub, k->publen);
	mbedtls_mpi_free(&n);
	if (ret != 0)
		return crypto_mbed_error(ret);
	/* mbedtls_rsa_public and _private work on exactly this many bytes. */
	return mbedtls_rsa_get_len(&k->rsa) == k->publen ? CKR_OK : CKR_FUNCTION_FAILED;
}

CK_RV crypto_mbed_key_finish(crypto_key *k, CK_RV rv, crypto_key **out)
{
	if (rv == CKR_OK)
		rv = k->kind == KEY_EC ? cache_ec_point(k) : cache_modulus(k);
	if (rv != CKR_OK) {
		crypto_key_unref(k);
		return rv;
	}
	*out = k;
	return CKR_OK;
}

crypto_key *crypto_key_ref(crypto_key *k)
{
	if (k != NULL)
		atomic_fetch_add_explicit(&k->refs, 1, memory_order_relaxed);
	return k;
}

void crypto_key_unref(crypto_key *k)
{
	if (k == NULL)
		return;
	/* Release: this thread's uses happen before the free; acquire: the
	 * thread that frees sees every other thread's uses. */
	if (atomic_fetch_sub_explicit(&k->refs, 1, memory_order_acq_rel) != 1)
		return;
	/* The mbedTLS free functions zeroize the limbs before freeing them
	 * (mbedtls_mpi_free), for every part of the RSA context too. */
	mbedtls_mpi_free(&k->d);
	mbedtls_ecp_point_free(&k->q);
	mbedtls_rsa_free(&k->rsa);
	port_free(k->pub);
	port_free_secret(k, sizeof(*k));
}

int crypto_key_is_private(const crypto_key *k)
{
	return k != NULL && k->priv;
}

size_t crypto_key_bits(const crypto_key *k)
{
	return k != NULL ? k->bits : 0;
}

/*
 * SubjectPublicKeyInfo, written directly and backwards from the end of a
 * buffer (each length is known once its contents are written), as the
 * OpenSSL backend writes it: SEQUENCE { AlgorithmIdentifier, BIT STRING key }
 * with, for EC (RFC 5480 2.1), id-ecPublicKey and the namedCurve and the
 * uncompressed point; for RSA (RFC 8017 A.1.1), rsaEncryption with NULL
 * parameters and SEQUENCE { INTEGER n, INTEGER e }. (mbedtls_pk_write would
 * need a copy of the key in a pk context and the PK_WRITE module on the
 * device.)
 */
static void put(uint8_t **p, const uint8_t *v, size_t n)
{
	*p -= n;
	memcpy(*p, v, n);
}

/* The tag and length of what lies between *p and end. */
static void put_hdr(uint8_t **p, uint8_t tag, const uint8_t *end)
{
	uint8_t hdr[4];
	size_t h = crypto_mbed_der_len(hdr + 1, (size_t)(end - *p)) + 1;

	hdr[0] = tag;
	put(p, hdr, h);
}

/* EC: the algorithm and the point; p moves back from end. */
static CK_RV ec_key(const crypto_key *k, uint8_t **p, uint8_t *end)
{
	static const uint8_t ec_public_key[] = { 0x06, 0x07, 0x2a, 0x86, 0x48,
						 0xce, 0x3d, 0x02, 0x01 };
	size_t plen;
	const uint8_t *params = crypto_ec_params(k->curve, &plen);
	uint8_t *mark;

	if (params == NULL)
		return CKR_KEY_TYPE_INCONSISTENT;
	put(p, k->pub, k->publen);
	*--*p = 0x00; /* no unused bits */
	put_hdr(p, 0x03, end);
	mark = *p;
	put(p, params, plen);
	put(p, ec_public_key, sizeof(ec_public_key));
	put_hdr(p, 0x30, mark);
	return CKR_OK;
}

#if IOT_WITH_RSA
/* The INTEGER of a positive number given without leading zero bytes. */
static void put_uint(uint8_t **p, const uint8_t *v, size_t n)
{
	const uint8_t *end = *p;

	put(p, v, n);
	if (v[0] & 0x80)
		*--*p = 0x00;
	put_hdr(p, 0x02, end);
}

/* RSA: the algorithm and the key; e first goes to the start of buf. */
static CK_RV rsa_key(const crypto_key *k, uint8_t *buf, uint8_t **p, uint8_t *end)
{
	static const uint8_t rsa_encryption[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
						  0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };
	mbedtls_mpi e;
	size_t elen;
	int ret;

	mbedtls_mpi_init(&e);
	ret = mbedtls_rsa_export(&k->rsa, NULL, NULL, NULL, NULL, &e);
	elen = mbedtls_mpi_size(&e);
	if (ret == 0 && (elen == 0 || elen > k->publen))
		ret = MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
	if (ret == 0)
		ret = mbedtls_mpi_write_binary(&e, buf, elen);
	mbedtls_mpi_free(&e);
	if (ret != 0)
		return crypto_mbed_error(ret);
	put_uint(p, buf, elen);
	put_uint(p, k->pub, k->publen);
	put_hdr(p, 0x30, end);
	*--*p = 0x00;
	put_hdr(p, 0x03, end);
	put(p, rsa_encryption, sizeof(rsa_encryption));
	return CKR_OK;
}
#endif

CK_RV crypto_key_spki(const crypto_key *k, uint8_t **der, size_t *len)
{
	/* RSA: e at the start (at most the modulus long); from the end the
	 * key (n, e again), the headers and the algorithm. */
	size_t room = 3 * k->publen + 64;
	uint8_t *buf, *p, *end;
	CK_RV rv;

	buf = port_malloc(room);
	if (buf == NULL)
		return CKR_HOST_MEMORY;
	p = end = buf + room;
#if IOT_WITH_RSA
	rv = k->kind == KEY_EC ? ec_key(k, &p, end) : rsa_key(k, buf, &p, end);
#else
	rv = ec_key(k, &p, end);
#endif
	if (rv != CKR_OK) {
		port_free(buf);
		return rv;
	}
	put_hdr(&p, 0x30, end);
	*len = (size_t)(end - p);
	memmove(buf, p, *len);
	*der = buf;
	return CKR_OK;
}
