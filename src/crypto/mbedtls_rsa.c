/*
 * RSA keys from their PKCS#11 attributes (mbedTLS). The parts are checked
 * as the OpenSSL backend checks them, so both take the same keys: the
 * modulus and public exponent here, their consistency with d, p and q by
 * mbedtls_rsa_check_privkey, given CRT values against the ones mbedTLS
 * computes; and a private key signs once before it is handed out, so an
 * inconsistent key fails where it is given (C_CreateObject), not at the
 * first C_Sign.
 */
#include <string.h>

#include "crypto/mbedtls_key.h"

#if IOT_WITH_RSA

/* The OpenSSL backend refuses an exponent over 64 bits with a modulus over
 * 3072 bits (OpenSSL's public operation cannot use such a key); refused
 * here too, so that a key one backend takes the other takes as well. */
#define SMALL_MODULUS_BITS 3072
#define MAX_PUBEXP_BITS 64

/* A part is given when it has bytes (PKCS#11 attributes of length 0 are
 * absent values). */
static int given(const crypto_bytes parts[RSA_PARTS], int i)
{
	return parts[i].len > 0 && parts[i].p != NULL;
}

typedef struct rsa_nums {
	mbedtls_mpi v[RSA_PARTS];
	int has[RSA_PARTS];
} rsa_nums;

static void nums_init(rsa_nums *r)
{
	int i;

	for (i = 0; i < RSA_PARTS; i++) {
		mbedtls_mpi_init(&r->v[i]);
		r->has[i] = 0;
	}
}

/* mbedtls_mpi_free zeroizes the limbs. */
static void nums_free(rsa_nums *r)
{
	int i;

	for (i = 0; i < RSA_PARTS; i++)
		mbedtls_mpi_free(&r->v[i]);
}

static CK_RV load(const crypto_bytes *b, mbedtls_mpi *out)
{
	size_t len = b->len;
	const uint8_t *p = crypto_mbed_strip(b->p, &len);
	int ret;

	/* No part of a key within the size limits is longer than the
	 * modulus. */
	if (len > CRYPTO_RSA_MAX_BITS / 8)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	ret = mbedtls_mpi_read_binary(out, p, len);
	return ret == 0 ? CKR_OK : crypto_mbed_error(ret);
}

static CK_RV load_all(const crypto_bytes parts[RSA_PARTS], rsa_nums *r)
{
	CK_RV rv;
	int i;

	for (i = 0; i < RSA_PARTS; i++) {
		if (!given(parts, i))
			continue;
		rv = load(&parts[i], &r->v[i]);
		if (rv != CKR_OK)
			return rv;
		r->has[i] = 1;
	}
	return CKR_OK;
}

static int is_odd(const mbedtls_mpi *x)
{
	return mbedtls_mpi_get_bit(x, 0) == 1;
}

/* The modulus and public exponent of any key: n odd with
 * CRYPTO_RSA_MIN_BITS..MAX_BITS bits, e odd with 3 <= e < n. */
static CK_RV check_public(const mbedtls_mpi *n, const mbedtls_mpi *e)
{
	size_t bits = mbedtls_mpi_bitlen(n);

	if (bits < CRYPTO_RSA_MIN_BITS || bits > CRYPTO_RSA_MAX_BITS || !is_odd(n))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (!is_odd(e) || mbedtls_mpi_cmp_int(e, 1) == 0 || mbedtls_mpi_cmp_mpi(e, n) >= 0)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (bits > SMALL_MODULUS_BITS && mbedtls_mpi_bitlen(e) > MAX_PUBEXP_BITS)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return CKR_OK;
}

CK_RV crypto_rsa_public(const crypto_bytes parts[RSA_PARTS], crypto_key **out)
{
	mbedtls_mpi n, e;
	crypto_key *k = NULL;
	CK_RV rv;
	int ret;

	if (!given(parts, RSA_N) || !given(parts, RSA_E))
		return CKR_TEMPLATE_INCOMPLETE;
	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&e);
	rv = load(&parts[RSA_N], &n);
	if (rv == CKR_OK)
		rv = load(&parts[RSA_E], &e);
	if (rv == CKR_OK)
		rv = check_public(&n, &e);
	if (rv == CKR_OK)
		rv = crypto_mbed_key_alloc(KEY_RSA, 0, CURVE_COUNT, &k);
	if (rv == CKR_OK) {
		ret = mbedtls_rsa_import(&k->rsa, &n, NULL, NULL, NULL, &e);
		if (ret == 0)
			ret = mbedtls_rsa_complete(&k->rsa);
		if (ret == 0)
			ret = mbedtls_rsa_check_pubkey(&k->rsa);
		if (ret != 0)
			rv = crypto_mbed_invalid(ret);
		rv = crypto_mbed_key_finish(k, rv, out);
	}
	mbedtls_mpi_free(&n);
	mbedtls_mpi_free(&e);
	return rv;
}

#define MPI(call)                        \
	do {                             \
		if ((ret = (call)) != 0) \
			goto out;        \
	} while (0)

/* lambda = lcm(p-1, q-1), Carmichael's function of n = p*q. */
static int carmichael(const rsa_nums *r, mbedtls_mpi *lambda)
{
	mbedtls_mpi p1, q1, g;
	int ret;

	mbedtls_mpi_init(&p1);
	mbedtls_mpi_init(&q1);
	mbedtls_mpi_init(&g);
	MPI(mbedtls_mpi_sub_int(&p1, &r->v[RSA_P], 1));
	MPI(mbedtls_mpi_sub_int(&q1, &r->v[RSA_Q], 1));
	MPI(mbedtls_mpi_gcd(&g, &p1, &q1));
	MPI(mbedtls_mpi_mul_mpi(lambda, &p1, &q1));
	MPI(mbedtls_mpi_div_mpi(lambda, NULL, lambda, &g));
out:
	mbedtls_mpi_free(&p1);
	mbedtls_mpi_free(&q1);
	mbedtls_mpi_free(&g);
	return ret;
}

/* Without e, the exponent d was made for: e = d^-1 mod lambda. */
static CK_RV derive_e(rsa_nums *r)
{
	mbedtls_mpi lambda;
	int ret;

	mbedtls_mpi_init(&lambda);
	ret = carmichael(r, &lambda);
	if (ret == 0)
		ret = mbedtls_mpi_inv_mod(&r->v[RSA_E], &r->v[RSA_D], &lambda);
	mbedtls_mpi_free(&lambda);
	r->has[RSA_E] = 1;
	return ret == 0 ? CKR_OK : crypto_mbed_invalid(ret);
}

/*
 * Given CRT values must be the ones mbedtls_rsa_complete computed from p, q
 * and d (it does not take them): a key whose stored dP, dQ or qInv differ
 * from what it signs with is refused, as the OpenSSL backend refuses it.
 */
static int same_crt(const rsa_nums *r, const mbedtls_rsa_context *rsa)
{
	mbedtls_mpi c[3];
	int ret, i;

	for (i = 0; i < 3; i++)
		mbedtls_mpi_init(&c[i]);
	ret = mbedtls_rsa_export_crt(rsa, &c[0], &c[1], &c[2]);
	for (i = 0; i < 3 && ret == 0; i++)
		if (r->has[RSA_DP + i] && mbedtls_mpi_cmp_mpi(&r->v[RSA_DP + i], &c[i]) != 0)
			ret = MBEDTLS_ERR_RSA_KEY_CHECK_FAILED;
	for (i = 0; i < 3; i++)
		mbedtls_mpi_free(&c[i]);
	return ret;
}

/*
 * One PKCS#1 v1.5 signature of a fixed input, checked with the public key
 * (crypto_sign always checks): the test for what the checks above cannot
 * see (P or Q not prime; a D that mbedtls_rsa_complete could use to factor
 * N but that does not sign).
 */
static CK_RV pairwise(const crypto_key *k)
{
	static const uint8_t probe[32] = { 'i', 'o', 't', 'o', 'k', 'e', 'n' };
	uint8_t *sig = port_malloc(k->publen);
	CK_RV rv;

	if (sig == NULL)
		return CKR_HOST_MEMORY;
	rv = crypto_sign(k, SIG_RSA_PKCS1, NULL, probe, sizeof(probe), sig);
	port_free(sig);
	return rv == CKR_HOST_MEMORY || rv == CKR_OK ? rv : CKR_ATTRIBUTE_VALUE_INVALID;
}

static CK_RV rsa_private(const crypto_bytes parts[RSA_PARTS], crypto_key **out)
{
	rsa_nums r;
	crypto_key *k = NULL;
	CK_RV rv;
	int ret, has_p = given(parts, RSA_P);

	nums_init(&r);
	rv = load_all(parts, &r);
	if (rv != CKR_OK)
		goto out;
	rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (mbedtls_mpi_cmp_int(&r.v[RSA_D], 1) <= 0 ||
	    mbedtls_mpi_cmp_mpi(&r.v[RSA_D], &r.v[RSA_N]) >= 0)
		goto out;
	/* A p or q of 0 would read as absent to mbedtls_rsa_complete. */
	if (has_p &&
	    (mbedtls_mpi_cmp_int(&r.v[RSA_P], 1) <= 0 || mbedtls_mpi_cmp_int(&r.v[RSA_Q], 1) <= 0))
		goto out;
	if (has_p && !r.has[RSA_E]) {
		rv = derive_e(&r);
		if (rv != CKR_OK)
			goto out;
	}
	rv = check_public(&r.v[RSA_N], &r.v[RSA_E]);
	if (rv == CKR_OK)
		rv = crypto_mbed_key_alloc(KEY_RSA, 1, CURVE_COUNT, &k);
	if (rv != CKR_OK)
		goto out;
	k->has_primes = has_p;
	/* Without p and q, mbedtls_rsa_complete recovers them from n, e and
	 * d (mbedtls_rsa_deduce_primes), or fails: d does not go with e. */
	ret = mbedtls_rsa_import(&k->rsa, &r.v[RSA_N], has_p ? &r.v[RSA_P] : NULL,
				 has_p ? &r.v[RSA_Q] : NULL, &r.v[RSA_D], &r.v[RSA_E]);
	if (ret == 0)
		ret = mbedtls_rsa_complete(&k->rsa);
	/* p*q == n, 1 < d < n, e*d == 1 mod p-1 and mod q-1. */
	if (ret == 0)
		ret = mbedtls_rsa_check_privkey(&k->rsa);
	if (ret == 0 && has_p)
		ret = same_crt(&r, &k->rsa);
	if (ret != 0)
		rv = crypto_mbed_invalid(ret);
	rv = crypto_mbed_key_finish(k, rv, &k);
	if (rv == CKR_OK) {
		rv = pairwise(k);
		if (rv == CKR_OK)
			*out = k;
		else
			crypto_key_unref(k);
	}
out:
	nums_free(&r);
	return rv;
}

CK_RV crypto_rsa_private(const crypto_bytes parts[RSA_PARTS], crypto_key **out)
{
	int has_p = given(parts, RSA_P), has_q = given(parts, RSA_Q);

	if (!given(parts, RSA_N) || !given(parts, RSA_D) || has_p != has_q)
		return CKR_TEMPLATE_INCOMPLETE;
	/* CRT values are of no use without the primes they are taken mod. */
	if (!has_p && (given(parts, RSA_DP) || given(parts, RSA_DQ) || given(parts, RSA_QINV)))
		return CKR_TEMPLATE_INCOMPLETE;
	/* Blinding and the check of each signature need e; it is computed
	 * from d, p and q when they are there, and with n and d alone the
	 * key cannot be made. */
	if (!has_p && !given(parts, RSA_E))
		return CKR_TEMPLATE_INCOMPLETE;
	return rsa_private(parts, out);
}
#endif
