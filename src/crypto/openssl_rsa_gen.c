/* RSA key generation, and the parts of an RSA key as PKCS#11 attributes
 * (OpenSSL 3). */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "crypto/openssl_key.h"

#if IOT_WITH_RSA_KEYGEN
/* The public exponent of a generated key: odd, at least 3, and at most 64
 * bits, the largest OpenSSL's public operation takes with every modulus
 * size (see openssl_rsa.c). */
static CK_RV exponent(const uint8_t *e, size_t elen, BIGNUM **out)
{
	*out = BN_new();
	if (*out == NULL)
		return CKR_HOST_MEMORY;
	if (e == NULL || elen == 0)
		return BN_set_word(*out, 65537) == 1 ? CKR_OK : CKR_HOST_MEMORY;
	e = crypto_ossl_strip(e, &elen);
	if (elen == 0 || elen > 8)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (BN_bin2bn(e, (int)elen, *out) == NULL)
		return CKR_HOST_MEMORY;
	if (!BN_is_odd(*out) || BN_is_one(*out))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return CKR_OK;
}

CK_RV crypto_rsa_generate(size_t bits, const uint8_t *e, size_t elen, crypto_key **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *pub = NULL;
	CK_RV rv;

	if (bits < CRYPTO_RSA_MIN_BITS || bits > CRYPTO_RSA_MAX_BITS)
		return CKR_KEY_SIZE_RANGE;
	ERR_set_mark();
	rv = exponent(e, elen, &pub);
	if (rv != CKR_OK)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, KEYTYPE_RSA, NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) != 1 ||
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, pub) != 1 ||
	    EVP_PKEY_generate(ctx, &pkey) != 1) {
		rv = crypto_ossl_error();
		goto out;
	}
	rv = crypto_ossl_key_new(pkey, KEY_RSA, 1, CURVE_COUNT, out);
out:
	EVP_PKEY_CTX_free(ctx);
	BN_free(pub);
	ERR_pop_to_mark();
	return rv;
}
#endif

static void parts_free(uint8_t *parts[RSA_PARTS], size_t lens[RSA_PARTS])
{
	int i;

	for (i = 0; i < RSA_PARTS; i++) {
		port_free_secret(parts[i], lens[i]);
		parts[i] = NULL;
		lens[i] = 0;
	}
}

/* One part, minimal big-endian (PKCS#11 "Big integer": no leading zeros);
 * left absent when the key does not have it. */
static CK_RV part(const crypto_key *k, int i, uint8_t **out, size_t *len)
{
	BIGNUM *v = NULL;
	CK_RV rv = CKR_OK;
	int n;

	if (EVP_PKEY_get_bn_param(k->pkey, crypto_ossl_rsa_params[i], &v) != 1)
		return i == RSA_N || i == RSA_E ? crypto_ossl_error() : CKR_OK;
	n = BN_num_bytes(v);
	*len = n > 0 ? (size_t)n : 1;
	*out = port_calloc(1, *len);
	if (*out == NULL) {
		*len = 0;
		rv = CKR_HOST_MEMORY;
	} else if (n > 0 && BN_bn2bin(v, *out) != n) {
		rv = CKR_FUNCTION_FAILED;
	}
	BN_clear_free(v);
	return rv;
}

CK_RV crypto_rsa_parts(const crypto_key *k, uint8_t *parts[RSA_PARTS], size_t lens[RSA_PARTS])
{
	int i, last = k->priv ? RSA_PARTS : RSA_D;
	CK_RV rv = CKR_OK;

	for (i = 0; i < RSA_PARTS; i++) {
		parts[i] = NULL;
		lens[i] = 0;
	}
	if (k->kind != KEY_RSA)
		return CKR_KEY_TYPE_INCONSISTENT;
	ERR_set_mark();
	for (i = 0; i < last && rv == CKR_OK; i++)
		rv = part(k, i, &parts[i], &lens[i]);
	ERR_pop_to_mark();
	if (rv != CKR_OK)
		parts_free(parts, lens);
	return rv;
}
