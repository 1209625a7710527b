/* ECDSA with raw r||s signatures, the PKCS#11 format (OpenSSL 3). */
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>

#include "crypto/openssl_key.h"

/*
 * FIPS 186-4 6.4: "Let N be the bit length of n. [...] the leftmost
 * min(N, outlen) bits of Hash(M)" are used. OpenSSL truncates its input
 * that way when no digest is set on the context, and reads at most
 * ceil(N/8) = crypto_ec_size bytes of it (for P-521 too: 66 bytes, of
 * which it shifts out the 7 excess bits). Cutting longer input to that
 * many bytes here changes nothing and keeps the length within OpenSSL's
 * int.
 */
static size_t truncated(const crypto_key *k, size_t n)
{
	size_t size = crypto_ec_size(k->curve);

	return n > size ? size : n;
}

CK_RV crypto_ossl_ecdsa_sign(const crypto_key *k, const uint8_t *in, size_t n, uint8_t *out)
{
	const size_t size = crypto_ec_size(k->curve);
	uint8_t der[ECDSA_DER_MAX];
	size_t derlen = sizeof(der);
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig = NULL;
	EVP_PKEY_CTX *ctx;
	CK_RV rv = CKR_OK;

	/* The nonce: OpenSSL 3.0 derives k from SHA-512 of the private key,
	 * the input and fresh random bytes (BN_generate_dsa_nonce), so a weak
	 * DRBG alone does not give the key away (hedged, as SECURITY.md row
	 * 31 asks); the scalar multiplication is constant time. */
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (ctx == NULL || EVP_PKEY_sign_init(ctx) != 1 ||
	    EVP_PKEY_sign(ctx, der, &derlen, in, truncated(k, n)) != 1) {
		rv = crypto_ossl_error();
		goto out;
	}
	sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	if (sig == NULL) {
		rv = crypto_ossl_error();
		goto out;
	}
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, out, (int)size) < 0 || BN_bn2binpad(s, out + size, (int)size) < 0)
		rv = CKR_FUNCTION_FAILED;
out:
	ECDSA_SIG_free(sig);
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

/* 1 <= v <= n-1 for a big-endian v of the order's length. Public values:
 * no need for constant time. */
static int in_range(const uint8_t *v, const uint8_t *order, size_t size)
{
	uint8_t any = 0;
	size_t i;

	for (i = 0; i < size; i++)
		any |= v[i];
	return any != 0 && memcmp(v, order, size) < 0;
}

/* The DER ECDSA-Sig-Value of r||s, for OpenSSL's verification. */
static CK_RV to_der(const uint8_t *sig, size_t size, uint8_t *der, int *derlen)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)size, NULL);
	BIGNUM *s = BN_bin2bn(sig + size, (int)size, NULL);
	unsigned char *p = der;
	CK_RV rv = CKR_HOST_MEMORY;

	if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		goto out;
	}
	*derlen = i2d_ECDSA_SIG(es, NULL);
	if (*derlen <= 0 || *derlen > ECDSA_DER_MAX || i2d_ECDSA_SIG(es, &p) != *derlen) {
		rv = crypto_ossl_error();
		goto out;
	}
	rv = CKR_OK;
out:
	ECDSA_SIG_free(es);
	return rv;
}

CK_RV crypto_ossl_ecdsa_verify(const crypto_key *k, const uint8_t *in, size_t n, const uint8_t *sig)
{
	const size_t size = crypto_ec_size(k->curve);
	const uint8_t *order = crypto_ossl_ec_order(k->curve);
	uint8_t der[ECDSA_DER_MAX];
	EVP_PKEY_CTX *ctx;
	int derlen = 0;
	CK_RV rv;

	/* FIPS 186-4 6.4.2 step 1: "If r' and s' are not both in the
	 * interval [1, n-1], output INVALID." Checked here, not left to the
	 * library (SECURITY.md row 31). */
	if (!in_range(sig, order, size) || !in_range(sig + size, order, size))
		return CKR_SIGNATURE_INVALID;
	rv = to_der(sig, size, der, &derlen);
	if (rv != CKR_OK)
		return rv;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (ctx == NULL || EVP_PKEY_verify_init(ctx) != 1) {
		rv = crypto_ossl_error();
	} else if (EVP_PKEY_verify(ctx, der, (size_t)derlen, in, truncated(k, n)) != 1) {
		rv = crypto_ossl_error();
		if (rv != CKR_HOST_MEMORY)
			rv = CKR_SIGNATURE_INVALID;
	}
	EVP_PKEY_CTX_free(ctx);
	return rv;
}
