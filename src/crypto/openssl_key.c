/* crypto_key on OpenSSL 3: the reference count, the cached public value,
 * the SubjectPublicKeyInfo, and helpers the other openssl_*.c files share. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "crypto/openssl_key.h"

CK_RV crypto_ossl_error(void)
{
	/* OpenSSL 3.0 raises ERR_R_MALLOC_FAILURE where the allocation failed,
	 * and its callers often push their own error on top ("unknown group",
	 * "point is not on curve"): the first error is the cause, the last one
	 * what the outermost call made of it. Either one says memory. */
	if (ERR_GET_REASON(ERR_peek_error()) == ERR_GET_REASON(ERR_R_MALLOC_FAILURE) ||
	    ERR_GET_REASON(ERR_peek_last_error()) == ERR_GET_REASON(ERR_R_MALLOC_FAILURE))
		return CKR_HOST_MEMORY;
	return CKR_FUNCTION_FAILED;
}

const uint8_t *crypto_ossl_strip(const uint8_t *p, size_t *len)
{
	while (*len > 0 && p[0] == 0) {
		p++;
		(*len)--;
	}
	return p;
}

static CK_RV cache_ec_point(crypto_key *k)
{
	size_t want = 1 + 2 * crypto_ec_size(k->curve), len = 0;
	int ok;

	k->bits = crypto_ec_bits(k->curve);
	k->pub = port_malloc(want);
	if (k->pub == NULL)
		return CKR_HOST_MEMORY;
	k->publen = want;
	/* Keys made here never ask for another point format, so OpenSSL
	 * gives the uncompressed one; anything else is a bug, not input. */
	ok = EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, k->pub, want, &len);
	if (ok != 1)
		return crypto_ossl_error();
	if (len != want || k->pub[0] != 0x04)
		return CKR_FUNCTION_FAILED;
	return CKR_OK;
}

static CK_RV cache_modulus(crypto_key *k)
{
	BIGNUM *n = NULL;
	CK_RV rv = CKR_OK;

	if (EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1)
		return crypto_ossl_error();
	k->bits = (size_t)BN_num_bits(n);
	k->publen = (k->bits + 7) / 8;
	k->pub = port_malloc(k->publen);
	if (k->pub == NULL)
		rv = CKR_HOST_MEMORY;
	else if (BN_bn2binpad(n, k->pub, (int)k->publen) < 0)
		rv = CKR_FUNCTION_FAILED;
	BN_free(n);
	return rv;
}

/*
 * An Ed25519 key's public value: the 32-byte encoding. 256 bits, the size of
 * that encoding and of the seed (RFC 8032 5.1.5), as OpenSSL's
 * EVP_PKEY_get_bits gives; the group order is a 253-bit number and the field
 * prime 255 bits, so "the" size of the curve is a matter of convention.
 */
static CK_RV cache_raw_pub(crypto_key *k)
{
	size_t len = 32;

	k->bits = 256;
	k->pub = port_malloc(len);
	if (k->pub == NULL)
		return CKR_HOST_MEMORY;
	k->publen = len;
	if (EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &len) != 1)
		return crypto_ossl_error();
	return len == 32 ? CKR_OK : CKR_FUNCTION_FAILED;
}

/* Whether a private RSA key has every CRT part (OpenSSL then signs with
 * the CRT; see openssl_rsa_fault.c). */
static int has_crt(const EVP_PKEY *pkey)
{
	static const char *const names[5] = {
		OSSL_PKEY_PARAM_RSA_FACTOR1,      OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1,    OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	int i, all = 1;

	ERR_set_mark();
	for (i = 0; i < 5 && all; i++) {
		BIGNUM *v = NULL;

		all = EVP_PKEY_get_bn_param(pkey, names[i], &v) == 1 && !BN_is_zero(v);
		BN_clear_free(v);
	}
	ERR_pop_to_mark();
	return all;
}

CK_RV crypto_ossl_key_new(EVP_PKEY *pkey, enum key_kind kind, int priv, enum crypto_curve c,
			  crypto_key **out)
{
	crypto_key *k = port_calloc(1, sizeof(*k));
	CK_RV rv;

	if (k == NULL) {
		EVP_PKEY_free(pkey);
		return CKR_HOST_MEMORY;
	}
	atomic_init(&k->refs, 1);
	k->pkey = pkey;
	k->kind = kind;
	k->priv = priv;
	k->curve = c;
	if (kind == KEY_ED25519)
		rv = cache_raw_pub(k);
	else
		rv = kind == KEY_EC ? cache_ec_point(k) : cache_modulus(k);
	if (rv == CKR_OK && kind == KEY_RSA && priv)
		k->crt_checked = has_crt(pkey) && crypto_ossl_rsa_method_is_openssl();
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
	/* EVP_PKEY_free clears the private numbers (BN_clear_free inside the
	 * RSA and EC key structures). */
	EVP_PKEY_free(k->pkey);
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

static size_t der_len(uint8_t *out, size_t n)
{
	/* Lengths here stay below 64 KiB. */
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

/*
 * The SubjectPublicKeyInfo of an EC key written directly (RFC 5480 2.1):
 * SEQUENCE { SEQUENCE { id-ecPublicKey, namedCurve }, BIT STRING point }.
 * i2d_PUBKEY searches OpenSSL 3.0's encoders on every call, which made it
 * three quarters of an EC key-pair generation.
 */
static CK_RV ec_spki(const crypto_key *k, uint8_t **der, size_t *len)
{
	static const uint8_t ec_public_key[] = { 0x06, 0x07, 0x2a, 0x86, 0x48,
						 0xce, 0x3d, 0x02, 0x01 };
	size_t plen, alg, bits, total, n = 0;
	const uint8_t *params = crypto_ec_params(k->curve, &plen);
	uint8_t hdr[4], *buf;

	if (params == NULL)
		return CKR_KEY_TYPE_INCONSISTENT;
	alg = sizeof(ec_public_key) + plen;
	bits = 1 + k->publen;
	total = 1 + der_len(hdr, alg) + alg + 1 + der_len(hdr, bits) + bits;
	buf = port_malloc(1 + der_len(hdr, total) + total);
	if (buf == NULL)
		return CKR_HOST_MEMORY;
	buf[n++] = 0x30;
	n += der_len(buf + n, total);
	buf[n++] = 0x30;
	n += der_len(buf + n, alg);
	memcpy(buf + n, ec_public_key, sizeof(ec_public_key));
	n += sizeof(ec_public_key);
	memcpy(buf + n, params, plen);
	n += plen;
	buf[n++] = 0x03;
	n += der_len(buf + n, bits);
	buf[n++] = 0x00; /* no unused bits */
	memcpy(buf + n, k->pub, k->publen);
	n += k->publen;
	*der = buf;
	*len = n;
	return CKR_OK;
}

/* RFC 8410 4: SEQUENCE { SEQUENCE { id-Ed25519 }, BIT STRING pub }, the
 * parameters absent (RFC 8410 3); fixed bytes, then the 32-byte key. */
static CK_RV ed25519_spki(const crypto_key *k, uint8_t **der, size_t *len)
{
	static const uint8_t prefix[12] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
					    0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };
	uint8_t *buf = port_malloc(sizeof(prefix) + k->publen);

	if (buf == NULL)
		return CKR_HOST_MEMORY;
	memcpy(buf, prefix, sizeof(prefix));
	memcpy(buf + sizeof(prefix), k->pub, k->publen);
	*der = buf;
	*len = sizeof(prefix) + k->publen;
	return CKR_OK;
}

CK_RV crypto_key_spki(const crypto_key *k, uint8_t **der, size_t *len)
{
	unsigned char *p;
	uint8_t *buf;
	int n;
	CK_RV rv = CKR_OK;

	if (k->kind == KEY_EC && k->pub != NULL)
		return ec_spki(k, der, len);
	if (k->kind == KEY_ED25519)
		return ed25519_spki(k, der, len);

	ERR_set_mark();
	/* Only the public half is encoded, whatever the key holds. */
	n = i2d_PUBKEY(k->pkey, NULL);
	if (n <= 0) {
		rv = crypto_ossl_error();
		goto out;
	}
	buf = port_malloc((size_t)n);
	if (buf == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	p = buf;
	if (i2d_PUBKEY(k->pkey, &p) != n) {
		rv = crypto_ossl_error();
		port_free(buf);
		goto out;
	}
	*der = buf;
	*len = (size_t)n;
out:
	ERR_pop_to_mark();
	return rv;
}
