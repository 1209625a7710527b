/*
 * RSA keys from their PKCS#11 attributes (OpenSSL 3, EVP_PKEY_fromdata).
 * Every part is checked against the others before OpenSSL sees it, and a
 * private key signs once before it is handed out, so an inconsistent key
 * fails where it is given (C_CreateObject), not at the first C_Sign.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "crypto/openssl_key.h"

/* OpenSSL's RSA public operation refuses an exponent over 64 bits with a
 * modulus over 3072 bits (OPENSSL_RSA_MAX_PUBEXP_BITS and
 * OPENSSL_RSA_SMALL_MODULUS_BITS in <openssl/rsa.h>): such a key could
 * never verify, so it is refused here. */
#define SMALL_MODULUS_BITS 3072
#define MAX_PUBEXP_BITS 64

const char *const crypto_ossl_rsa_params[RSA_PARTS] = {
	OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
	OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
	OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
	OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

/* A part is given when it has bytes (PKCS#11 attributes of length 0 are
 * absent values). */
static int given(const crypto_bytes parts[RSA_PARTS], int i)
{
	return parts[i].len > 0 && parts[i].p != NULL;
}

typedef struct rsa_nums {
	BIGNUM *v[RSA_PARTS];
	BN_CTX *bn;
} rsa_nums;

static void nums_free(rsa_nums *r)
{
	int i;

	for (i = 0; i < RSA_PARTS; i++)
		BN_clear_free(r->v[i]);
	BN_CTX_free(r->bn);
}

/* A given part as a BIGNUM; the secret ones in secure, constant-time
 * BIGNUMs (BN_clear_free wipes them). */
static CK_RV load(const crypto_bytes *b, int secret, BIGNUM **out)
{
	size_t len = b->len;
	const uint8_t *p = crypto_ossl_strip(b->p, &len);

	/* No part of a key within the size limits is longer than the
	 * modulus; this also keeps len within BN_bin2bn's int. */
	if (len > CRYPTO_RSA_MAX_BITS / 8)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	*out = secret ? BN_secure_new() : BN_new();
	if (*out == NULL)
		return CKR_HOST_MEMORY;
	if (secret)
		BN_set_flags(*out, BN_FLG_CONSTTIME);
	if (BN_bin2bn(p, (int)len, *out) == NULL)
		return CKR_HOST_MEMORY;
	return CKR_OK;
}

static CK_RV load_all(const crypto_bytes parts[RSA_PARTS], rsa_nums *r)
{
	CK_RV rv;
	int i;

	for (i = 0; i < RSA_PARTS; i++) {
		if (!given(parts, i))
			continue;
		rv = load(&parts[i], i != RSA_N && i != RSA_E, &r->v[i]);
		if (rv != CKR_OK)
			return rv;
	}
	r->bn = BN_CTX_secure_new();
	return r->bn != NULL ? CKR_OK : CKR_HOST_MEMORY;
}

/* The modulus and public exponent of any key: n odd with
 * CRYPTO_RSA_MIN_BITS..MAX_BITS bits, e odd with 3 <= e < n. */
static CK_RV check_public(const BIGNUM *n, const BIGNUM *e)
{
	int bits = BN_num_bits(n);

	if (bits < CRYPTO_RSA_MIN_BITS || bits > CRYPTO_RSA_MAX_BITS || !BN_is_odd(n))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (!BN_is_odd(e) || BN_is_one(e) || BN_cmp(e, n) >= 0)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (bits > SMALL_MODULUS_BITS && BN_num_bits(e) > MAX_PUBEXP_BITS)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return CKR_OK;
}

/* pkey from the parts present in v. OSSL_PARAM integers are native-endian
 * byte strings: they are laid out in one buffer wiped after the import. */
static CK_RV build(BIGNUM *const v[RSA_PARTS], int selection, EVP_PKEY **pkey)
{
	OSSL_PARAM params[RSA_PARTS + 1];
	size_t size[RSA_PARTS] = { 0 }, total = 0, off = 0;
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t *buf;
	CK_RV rv = CKR_OK;
	int i, np = 0;

	for (i = 0; i < RSA_PARTS; i++) {
		if (v[i] != NULL) {
			size[i] = BN_num_bytes(v[i]) > 0 ? (size_t)BN_num_bytes(v[i]) : 1;
			total += size[i];
		}
	}
	buf = port_malloc(total);
	if (buf == NULL)
		return CKR_HOST_MEMORY;
	for (i = 0; i < RSA_PARTS; i++) {
		if (v[i] == NULL)
			continue;
		if (BN_bn2nativepad(v[i], buf + off, (int)size[i]) < 0) {
			rv = CKR_FUNCTION_FAILED;
			goto out;
		}
		params[np++] =
			OSSL_PARAM_construct_BN(crypto_ossl_rsa_params[i], buf + off, size[i]);
		off += size[i];
	}
	params[np] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, KEYTYPE_RSA, NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1) {
		rv = crypto_ossl_error();
	} else if (EVP_PKEY_fromdata(ctx, pkey, selection, params) != 1) {
		rv = crypto_ossl_error();
		if (rv != CKR_HOST_MEMORY)
			rv = CKR_ATTRIBUTE_VALUE_INVALID;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	port_free_secret(buf, total);
	return rv;
}

CK_RV crypto_rsa_public(const crypto_bytes parts[RSA_PARTS], crypto_key **out)
{
	BIGNUM *v[RSA_PARTS] = { 0 };
	EVP_PKEY *pkey = NULL;
	CK_RV rv;

	if (!given(parts, RSA_N) || !given(parts, RSA_E))
		return CKR_TEMPLATE_INCOMPLETE;
	ERR_set_mark();
	rv = load(&parts[RSA_N], 0, &v[RSA_N]);
	if (rv == CKR_OK)
		rv = load(&parts[RSA_E], 0, &v[RSA_E]);
	if (rv == CKR_OK)
		rv = check_public(v[RSA_N], v[RSA_E]);
	if (rv == CKR_OK)
		rv = build(v, EVP_PKEY_PUBLIC_KEY, &pkey);
	if (rv == CKR_OK)
		rv = crypto_ossl_key_new(pkey, KEY_RSA, 0, CURVE_COUNT, out);
	BN_free(v[RSA_N]);
	BN_free(v[RSA_E]);
	ERR_pop_to_mark();
	return rv;
}

/* lcm(p-1, q-1), Carmichael's function of n = p*q. */
static CK_RV carmichael(rsa_nums *r, BIGNUM *lambda)
{
	BN_CTX *bn = r->bn;
	BIGNUM *p1, *q1, *g;
	CK_RV rv = CKR_HOST_MEMORY;

	BN_CTX_start(bn);
	p1 = BN_CTX_get(bn);
	q1 = BN_CTX_get(bn);
	g = BN_CTX_get(bn);
	if (g == NULL)
		goto out;
	if (BN_sub(p1, r->v[RSA_P], BN_value_one()) != 1 ||
	    BN_sub(q1, r->v[RSA_Q], BN_value_one()) != 1 || BN_gcd(g, p1, q1, bn) != 1 ||
	    BN_mul(lambda, p1, q1, bn) != 1 || BN_div(lambda, NULL, lambda, g, bn) != 1)
		goto out;
	rv = CKR_OK;
out:
	BN_CTX_end(bn);
	return rv;
}

/* v == given, or v computed when it was not given. */
static CK_RV crt_value(rsa_nums *r, int part, BIGNUM *computed)
{
	if (r->v[part] == NULL) {
		r->v[part] = computed;
		return CKR_OK;
	}
	/* A given CRT value must be the one value in range (PKCS #1 v2.2
	 * 3.2: dP = d mod (p-1), dQ = d mod (q-1), qInv = q^-1 mod p). */
	if (BN_cmp(r->v[part], computed) != 0) {
		BN_clear_free(computed);
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	BN_clear_free(computed);
	return CKR_OK;
}

/*
 * With p and q: p*q == n; e*d == 1 mod lcm(p-1, q-1) (which also accepts a
 * d computed mod (p-1)(q-1)); e computed from d when not given; the CRT
 * values computed, and compared with those given.
 */
static CK_RV check_factors(rsa_nums *r)
{
	BIGNUM **v = r->v;
	BIGNUM *t = BN_secure_new(), *lambda = BN_secure_new();
	BIGNUM *crt[3] = { BN_secure_new(), BN_secure_new(), BN_secure_new() };
	CK_RV rv = CKR_HOST_MEMORY;
	int i;

	if (t == NULL || lambda == NULL || crt[0] == NULL || crt[1] == NULL || crt[2] == NULL)
		goto out;
	for (i = 0; i < 3; i++)
		BN_set_flags(crt[i], BN_FLG_CONSTTIME);
	rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (BN_cmp(v[RSA_P], BN_value_one()) <= 0 || BN_cmp(v[RSA_Q], BN_value_one()) <= 0)
		goto out;
	if (BN_mul(t, v[RSA_P], v[RSA_Q], r->bn) != 1 || BN_cmp(t, v[RSA_N]) != 0)
		goto out;
	rv = carmichael(r, lambda);
	if (rv != CKR_OK)
		goto out;
	rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (v[RSA_E] == NULL) {
		/* e = d^-1 mod lambda: the exponent d was made for. */
		v[RSA_E] = BN_mod_inverse(NULL, v[RSA_D], lambda, r->bn);
		if (v[RSA_E] == NULL)
			goto out;
	} else if (BN_mod_mul(t, v[RSA_E], v[RSA_D], lambda, r->bn) != 1 || !BN_is_one(t)) {
		goto out;
	}
	if (BN_sub(t, v[RSA_P], BN_value_one()) != 1 || BN_mod(crt[0], v[RSA_D], t, r->bn) != 1 ||
	    BN_sub(t, v[RSA_Q], BN_value_one()) != 1 || BN_mod(crt[1], v[RSA_D], t, r->bn) != 1 ||
	    BN_mod_inverse(crt[2], v[RSA_Q], v[RSA_P], r->bn) == NULL)
		goto out;
	/* crt_value takes each computed value, kept or freed. */
	rv = CKR_OK;
	for (i = 0; i < 3 && rv == CKR_OK; i++) {
		rv = crt_value(r, RSA_DP + i, crt[i]);
		crt[i] = NULL;
	}
out:
	for (i = 0; i < 3; i++)
		BN_clear_free(crt[i]);
	BN_clear_free(t);
	BN_clear_free(lambda);
	return rv;
}

/*
 * One PKCS#1 v1.5 signature of a fixed input, checked with the public key
 * inside crypto_ossl_rsa_sign_checked: the test for what the checks above
 * cannot see (D not matching E when P and Q are absent, P or Q not prime).
 * OpenSSL's own check would not do: on a CRT result that fails it, OpenSSL
 * signs again with d and returns that, which is wrong too for such keys.
 */
static CK_RV pairwise(const crypto_key *k)
{
	static const uint8_t probe[32] = { 'i', 'o', 't', 'o', 'k', 'e', 'n' };
	uint8_t *sig = port_malloc(k->publen);
	CK_RV rv;

	if (sig == NULL)
		return CKR_HOST_MEMORY;
	rv = crypto_ossl_rsa_sign_checked(k, SIG_RSA_PKCS1, NULL, probe, sizeof(probe), sig);
	port_free(sig);
	return rv == CKR_HOST_MEMORY || rv == CKR_OK ? rv : CKR_ATTRIBUTE_VALUE_INVALID;
}

static CK_RV rsa_private(const crypto_bytes parts[RSA_PARTS], crypto_key **out)
{
	rsa_nums r = { 0 };
	EVP_PKEY *pkey = NULL;
	crypto_key *k = NULL;
	CK_RV rv;

	rv = load_all(parts, &r);
	if (rv != CKR_OK)
		goto out;
	rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (BN_cmp(r.v[RSA_D], BN_value_one()) <= 0 || BN_cmp(r.v[RSA_D], r.v[RSA_N]) >= 0)
		goto out;
	if (r.v[RSA_P] != NULL) {
		rv = check_factors(&r);
		if (rv != CKR_OK)
			goto out;
	}
	rv = check_public(r.v[RSA_N], r.v[RSA_E]);
	if (rv == CKR_OK)
		rv = build(r.v, EVP_PKEY_KEYPAIR, &pkey);
	if (rv == CKR_OK) {
		rv = crypto_ossl_key_new(pkey, KEY_RSA, 1, CURVE_COUNT, &k);
		pkey = NULL;
	}
	if (rv == CKR_OK)
		rv = pairwise(k);
	if (rv == CKR_OK) {
		*out = k;
		k = NULL;
	}
out:
	crypto_key_unref(k);
	EVP_PKEY_free(pkey);
	nums_free(&r);
	return rv;
}

CK_RV crypto_rsa_private(const crypto_bytes parts[RSA_PARTS], crypto_key **out)
{
	int has_p = given(parts, RSA_P), has_q = given(parts, RSA_Q);
	CK_RV rv;

	if (!given(parts, RSA_N) || !given(parts, RSA_D) || has_p != has_q)
		return CKR_TEMPLATE_INCOMPLETE;
	/* CRT values are of no use without the primes they are taken mod. */
	if (!has_p && (given(parts, RSA_DP) || given(parts, RSA_DQ) || given(parts, RSA_QINV)))
		return CKR_TEMPLATE_INCOMPLETE;
	/* OpenSSL 3.0 does not import an RSA key without e (its blinding and
	 * the check of each signature need it); e is computed from d, p and q
	 * when they are there, and with n and d alone the key cannot be made. */
	if (!has_p && !given(parts, RSA_E))
		return CKR_TEMPLATE_INCOMPLETE;
	ERR_set_mark();
	rv = rsa_private(parts, out);
	ERR_pop_to_mark();
	return rv;
}
