/* Ed25519 (RFC 8032 PureEdDSA) on OpenSSL 3: keys, signatures, and the
 * checks RFC 8032 asks of a verifier that are done here, not left to the
 * library (the public key's encoding, S < L). */
#include "crypto/crypto_ed.h"

#if IOT_WITH_ED25519

#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>

#include "crypto/openssl_key.h"

int crypto_key_is_ed25519(const crypto_key *k)
{
	return k != NULL && k->kind == KEY_ED25519;
}

/*
 * RFC 8032 5.1.3, decoding a point, as far as it decides whether the
 * encoding is one: "1. [...] If the resulting value is >= p, decoding
 * fails. [...] 3. [...] If v x^2 = -u (mod p), [...] Otherwise, no square
 * root exists [...] and decoding fails. 4. [...] If x = 0, and x_0 = 1,
 * decoding fails." where x^2 = u/v, u = y^2 - 1, v = d y^2 + 1.
 *
 * A square root exists when u/v is 0 or a quadratic residue mod p. v is
 * never 0 (-1 is a square mod p and d is not, so d y^2 = -1 has no
 * solution), so u/v = u*v * (1/v)^2 is 0 or a square exactly when u*v is;
 * Euler's criterion decides that without taking the root (BN_kronecker: the
 * Legendre symbol, p being prime). The encoding is public: BIGNUM's
 * variable time is no concern.
 *
 * OpenSSL 3.0 has no such check of its own: EVP_PKEY_new_raw_public_key
 * takes any 32 bytes (y = 2, not on the curve, too), EVP_PKEY_public_check
 * only asks whether the key has a public half, and only a verification
 * finds out (as a failed signature). Points of small order are points of
 * the curve and pass, as RFC 8032 lets them.
 *
 * 1 if pub encodes a point, 0 if not; CKR_HOST_MEMORY (or what
 * crypto_ossl_error says) in *rv when BIGNUM could not tell.
 */
static int is_point(const uint8_t pub[CRYPTO_ED25519_KEY_LEN], CK_RV *rv)
{
	uint8_t y_le[CRYPTO_ED25519_KEY_LEN];
	int x_0 = pub[31] >> 7, ok = 0, sym;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p, *d, *y, *u, *v;

	*rv = CKR_OK;
	if (ctx == NULL)
		goto fail;
	BN_CTX_start(ctx);
	p = BN_CTX_get(ctx);
	d = BN_CTX_get(ctx);
	y = BN_CTX_get(ctx);
	u = BN_CTX_get(ctx);
	v = BN_CTX_get(ctx);
	if (v == NULL)
		goto fail;
	memcpy(y_le, pub, sizeof(y_le));
	y_le[31] &= 0x7f;
	/* RFC 8032 5.1: p = 2^255 - 19, d = -121665/121666 mod p. */
	if (BN_set_bit(p, 255) != 1 || BN_sub_word(p, 19) != 1 || BN_set_word(u, 121666) != 1 ||
	    BN_mod_inverse(d, u, p, ctx) == NULL || BN_mul_word(d, 121665) != 1 ||
	    BN_mod_sub(d, p, d, p, ctx) != 1 || BN_lebin2bn(y_le, sizeof(y_le), y) == NULL)
		goto fail;
	if (BN_cmp(y, p) >= 0)
		goto out; /* step 1 */
	/* u = y^2 - 1 and v = d y^2 + 1, then u*v in u. */
	if (BN_mod_sqr(v, y, p, ctx) != 1 || BN_mod_sub(u, v, BN_value_one(), p, ctx) != 1 ||
	    BN_mod_mul(v, v, d, p, ctx) != 1 || BN_mod_add(v, v, BN_value_one(), p, ctx) != 1 ||
	    BN_mod_mul(u, u, v, p, ctx) != 1)
		goto fail;
	if (BN_is_zero(u)) {
		ok = !x_0; /* x = 0: step 4 */
		goto out;
	}
	sym = BN_kronecker(u, p, ctx);
	if (sym == -2)
		goto fail;
	ok = sym == 1; /* step 3 */
	goto out;
fail:
	*rv = crypto_ossl_error();
out:
	if (ctx != NULL)
		BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	return ok;
}

CK_RV crypto_ed25519_public(const uint8_t *pub, size_t len, crypto_key **out)
{
	EVP_PKEY *pkey;
	CK_RV rv;

	if (pub == NULL || len != CRYPTO_ED25519_KEY_LEN)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	ERR_set_mark();
	if (!is_point(pub, &rv)) {
		if (rv == CKR_OK)
			rv = CKR_ATTRIBUTE_VALUE_INVALID;
		goto out;
	}
	pkey = EVP_PKEY_new_raw_public_key_ex(NULL, KEYTYPE_ED25519, NULL, pub, len);
	if (pkey == NULL)
		rv = crypto_ossl_error();
	else
		rv = crypto_ossl_key_new(pkey, KEY_ED25519, 0, CURVE_COUNT, out);
out:
	ERR_pop_to_mark();
	return rv;
}

/* RFC 8032 5.1.5: the public key is computed from the seed (OpenSSL's
 * import does it when only the private half is given). */
CK_RV crypto_ed25519_private(const uint8_t *seed, size_t len, crypto_key **out)
{
	EVP_PKEY *pkey;
	CK_RV rv;

	if (seed == NULL || len != CRYPTO_ED25519_KEY_LEN)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	ERR_set_mark();
	pkey = EVP_PKEY_new_raw_private_key_ex(NULL, KEYTYPE_ED25519, NULL, seed, len);
	if (pkey == NULL)
		rv = crypto_ossl_error();
	else
		rv = crypto_ossl_key_new(pkey, KEY_ED25519, 1, CURVE_COUNT, out);
	ERR_pop_to_mark();
	return rv;
}

CK_RV crypto_ed25519_generate(crypto_key **out)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	CK_RV rv = CKR_OK;

	ERR_set_mark();
	/* By OID, as openssl_key.h explains for KEYTYPE_EC. */
	ctx = EVP_PKEY_CTX_new_from_name(NULL, KEYTYPE_ED25519, NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_generate(ctx, &pkey) != 1)
		rv = crypto_ossl_error();
	EVP_PKEY_CTX_free(ctx);
	if (rv == CKR_OK)
		rv = crypto_ossl_key_new(pkey, KEY_ED25519, 1, CURVE_COUNT, out);
	ERR_pop_to_mark();
	return rv;
}

CK_RV crypto_ed25519_pub(const crypto_key *k, uint8_t out[CRYPTO_ED25519_KEY_LEN])
{
	if (!crypto_key_is_ed25519(k))
		return CKR_KEY_TYPE_INCONSISTENT;
	memcpy(out, k->pub, CRYPTO_ED25519_KEY_LEN);
	return CKR_OK;
}

CK_RV crypto_ed25519_seed(const crypto_key *k, uint8_t out[CRYPTO_ED25519_KEY_LEN])
{
	size_t len = CRYPTO_ED25519_KEY_LEN;
	CK_RV rv = CKR_OK;

	if (!crypto_key_is_ed25519(k) || !k->priv)
		return CKR_KEY_TYPE_INCONSISTENT;
	ERR_set_mark();
	if (EVP_PKEY_get_raw_private_key(k->pkey, out, &len) != 1)
		rv = crypto_ossl_error();
	else if (len != CRYPTO_ED25519_KEY_LEN)
		rv = CKR_FUNCTION_FAILED;
	ERR_pop_to_mark();
	if (rv != CKR_OK)
		port_wipe(out, CRYPTO_ED25519_KEY_LEN);
	return rv;
}

/* One-shot PureEdDSA with k's key: no digest is named (RFC 8032 hashes
 * inside), and Ed25519 has no streaming form in OpenSSL. */
static CK_RV sign_once(const crypto_key *k, const uint8_t *msg, size_t n, uint8_t *sig)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	size_t siglen = CRYPTO_ED25519_SIG_LEN;
	CK_RV rv = CKR_OK;

	if (mctx == NULL)
		return CKR_HOST_MEMORY;
	if (EVP_DigestSignInit_ex(mctx, NULL, NULL, NULL, NULL, k->pkey, NULL) != 1 ||
	    EVP_DigestSign(mctx, sig, &siglen, msg, n) != 1)
		rv = crypto_ossl_error();
	else if (siglen != CRYPTO_ED25519_SIG_LEN)
		rv = CKR_FUNCTION_FAILED;
	EVP_MD_CTX_free(mctx);
	return rv;
}

static CK_RV verify_once(const crypto_key *k, const uint8_t *msg, size_t n, const uint8_t *sig)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	CK_RV rv = CKR_OK;

	if (mctx == NULL)
		return CKR_HOST_MEMORY;
	if (EVP_DigestVerifyInit_ex(mctx, NULL, NULL, NULL, NULL, k->pkey, NULL) != 1) {
		rv = crypto_ossl_error();
	} else if (EVP_DigestVerify(mctx, sig, CRYPTO_ED25519_SIG_LEN, msg, n) != 1) {
		/* 0 for a bad signature; anything else but memory is one too. */
		rv = crypto_ossl_error();
		if (rv != CKR_HOST_MEMORY)
			rv = CKR_SIGNATURE_INVALID;
	}
	EVP_MD_CTX_free(mctx);
	return rv;
}

/*
 * The signature is checked with the key's public half before it is
 * released, as RSA signatures are (docs/security.md row 32): Ed25519's
 * nonce is a function of the key and the message, so one faulty signature
 * beside a good one of the same message gives the private scalar away.
 */
CK_RV crypto_ed25519_sign(const crypto_key *k, const uint8_t *msg, size_t n,
			  uint8_t sig[CRYPTO_ED25519_SIG_LEN])
{
	static const uint8_t empty[1];
	CK_RV rv;

	if (!crypto_key_is_ed25519(k) || !k->priv)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (msg == NULL && n > 0)
		return CKR_ARGUMENTS_BAD;
	/* OpenSSL wants a pointer even for no bytes. */
	if (msg == NULL)
		msg = empty;
	ERR_set_mark();
	rv = sign_once(k, msg, n, sig);
	if (rv == CKR_OK) {
		rv = verify_once(k, msg, n, sig);
		if (rv == CKR_SIGNATURE_INVALID)
			rv = CKR_FUNCTION_FAILED;
	}
	ERR_pop_to_mark();
	if (rv != CKR_OK)
		port_wipe(sig, CRYPTO_ED25519_SIG_LEN);
	return rv;
}

/* RFC 8032 5.1.7 step 1: "If any of the decodings fail (including S being
 * out of range), the signature is invalid." S, the signature's second half,
 * little-endian, against the group order L = 2^252 +
 * 27742317777372353535851937790883648493. Public: compared in variable
 * time, from the most significant byte. */
static int s_in_range(const uint8_t s[32])
{
	static const uint8_t order_le[32] = {
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
		0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
	};
	int i;

	for (i = 31; i >= 0; i--)
		if (s[i] != order_le[i])
			return s[i] < order_le[i];
	return 0; /* S = L */
}

CK_RV crypto_ed25519_verify(const crypto_key *k, const uint8_t *msg, size_t n, const uint8_t *sig,
			    size_t siglen)
{
	static const uint8_t empty[1];
	CK_RV rv;

	if (!crypto_key_is_ed25519(k))
		return CKR_KEY_TYPE_INCONSISTENT;
	/* v2.40 return values, CKR_SIGNATURE_LEN_RANGE: "The provided
	 * signature/MAC can be seen to be invalid solely on the basis of its
	 * length." */
	if (siglen != CRYPTO_ED25519_SIG_LEN)
		return CKR_SIGNATURE_LEN_RANGE;
	if ((msg == NULL && n > 0) || sig == NULL)
		return CKR_ARGUMENTS_BAD;
	if (msg == NULL)
		msg = empty;
	/* OpenSSL 3.0 refuses S >= L too (ossl_ed25519_verify); checked here
	 * so that the rule does not depend on the library's version. */
	if (!s_in_range(sig + 32))
		return CKR_SIGNATURE_INVALID;
	ERR_set_mark();
	rv = verify_once(k, msg, n, sig);
	ERR_pop_to_mark();
	return rv;
}

#endif /* IOT_WITH_ED25519 */
