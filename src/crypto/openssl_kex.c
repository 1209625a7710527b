/*
 * RSA-OAEP encryption and decryption and ECDH on OpenSSL 3: the OpenSSL
 * backend of crypto_kex.h.
 */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "crypto/crypto_kex.h"
#include "crypto/openssl_key.h"

#if IOT_WITH_OAEP

/* hLen of a hash this backend has, else 0. */
static size_t hash_len(enum crypto_hash h)
{
	return crypto_ossl_md(h) != NULL ? crypto_hash_len(h) : 0;
}

/* RFC 8017 7.1.1 step 1b: "If mLen > k - 2hLen - 2, output 'message too
 * long' and stop." */
size_t crypto_oaep_max(const crypto_key *k, enum crypto_hash hash)
{
	size_t hlen = hash_len(hash);

	if (k == NULL || k->kind != KEY_RSA || hlen == 0 || k->publen < 2 * hlen + 2)
		return 0;
	return k->publen - 2 * hlen - 2;
}

/*
 * The parameters against the key: both hashes known, a label where
 * label_len says there is one (within OpenSSL's int), and a modulus long
 * enough for the two hashes, which even an empty message needs (k >=
 * 2hLen + 2): the parameters do not fit the key otherwise, as a PSS salt
 * that does not fit is CKR_MECHANISM_PARAM_INVALID.
 */
static CK_RV check(const crypto_key *k, const crypto_oaep *p)
{
	size_t hlen;

	if (k->kind != KEY_RSA)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (p == NULL || hash_len(p->mgf1) == 0 || (p->label == NULL && p->label_len > 0) ||
	    p->label_len > INT_MAX)
		return CKR_MECHANISM_PARAM_INVALID;
	hlen = hash_len(p->hash);
	if (hlen == 0 || k->publen < 2 * hlen + 2)
		return CKR_MECHANISM_PARAM_INVALID;
	return CKR_OK;
}

/* A context of k for OAEP encryption (enc) or decryption with p. */
static CK_RV oaep_ctx(const crypto_key *k, const crypto_oaep *p, int enc, EVP_PKEY_CTX **out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	unsigned char *label;

	if (ctx == NULL)
		return crypto_ossl_error();
	if ((enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, crypto_ossl_md(p->hash)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, crypto_ossl_md(p->mgf1)) != 1)
		goto fail;
	/* No label is the empty label (RFC 8017 7.1.1: "If the label L is
	 * not provided, let L be the empty string"), OpenSSL's default. */
	if (p->label_len > 0) {
		/* set0 takes an OPENSSL_malloc'd label, and frees it only when
		 * it succeeds. */
		label = OPENSSL_memdup(p->label, p->label_len);
		if (label == NULL) {
			EVP_PKEY_CTX_free(ctx);
			return CKR_HOST_MEMORY;
		}
		if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, (int)p->label_len) != 1) {
			OPENSSL_free(label);
			goto fail;
		}
	}
	*out = ctx;
	return CKR_OK;
fail:
	EVP_PKEY_CTX_free(ctx);
	return crypto_ossl_error();
}

CK_RV crypto_oaep_encrypt(const crypto_key *k, const crypto_oaep *p, const uint8_t *in, size_t n,
			  uint8_t *out)
{
	static const uint8_t empty[1];
	EVP_PKEY_CTX *ctx = NULL;
	size_t outlen = k->publen;
	CK_RV rv;

	rv = check(k, p);
	if (rv != CKR_OK)
		return rv;
	if (n > crypto_oaep_max(k, p->hash))
		return CKR_DATA_LEN_RANGE;
	ERR_set_mark();
	rv = oaep_ctx(k, p, 1, &ctx);
	/* The encryption of the public half: the seed from OpenSSL's DRBG
	 * (RFC 8017 7.1.1 step 2d). */
	if (rv == CKR_OK && EVP_PKEY_encrypt(ctx, out, &outlen, n > 0 ? in : empty, n) != 1)
		rv = crypto_ossl_error();
	else if (rv == CKR_OK && outlen != k->publen)
		rv = CKR_FUNCTION_FAILED;
	EVP_PKEY_CTX_free(ctx);
	ERR_pop_to_mark();
	return rv;
}

/*
 * OpenSSL decrypts into a buffer of its own and decodes it with
 * RSA_padding_check_PKCS1_OAEP_mgf1, which checks Y, lHash' and the
 * 0x00..0x01 separator without branching on them and raises one error
 * (RSA_R_OAEP_DECODING_ERROR) whichever failed, as RFC 8017 7.1.2 note
 * asks against Manger's attack. Nothing here looks at the decoded bytes:
 * success or failure is all this function learns, and every failure but
 * memory is CKR_ENCRYPTED_DATA_INVALID. A ciphertext that is not below the
 * modulus fails in the RSA primitive (RFC 8017 5.1.2 step 1), public data.
 */
CK_RV crypto_oaep_decrypt(const crypto_key *k, const crypto_oaep *p, const uint8_t *in, size_t n,
			  uint8_t *out, size_t *outlen)
{
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = k->publen;
	CK_RV rv;

	if (k->kind != KEY_RSA || !k->priv)
		return CKR_KEY_TYPE_INCONSISTENT;
	rv = check(k, p);
	if (rv != CKR_OK)
		return rv;
	/* RFC 8017 7.1.2 step 1b: "If the length of the ciphertext C is not
	 * k octets, output 'decryption error' and stop." */
	if (n != k->publen)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	ERR_set_mark();
	rv = oaep_ctx(k, p, 0, &ctx);
	if (rv == CKR_OK && EVP_PKEY_decrypt(ctx, out, &len, in, n) != 1) {
		rv = crypto_ossl_error();
		if (rv != CKR_HOST_MEMORY)
			rv = CKR_ENCRYPTED_DATA_INVALID;
	}
	EVP_PKEY_CTX_free(ctx);
	ERR_pop_to_mark();
	if (rv != CKR_OK) {
		port_wipe(out, k->publen);
		return rv;
	}
	*outlen = len;
	return CKR_OK;
}

#endif /* IOT_WITH_OAEP */

#if IOT_WITH_ECDH

/*
 * SEC 1 3.3.1: P = d * Q, refused when P is the point at infinity, and z
 * the x coordinate of P as a field element (crypto_ec_size bytes, leading
 * zeros kept: OpenSSL pads it to the field length).
 *
 * The peer's point goes through crypto_ec_public, the validation of every
 * public key (uncompressed, coordinates below p, on the curve, not the
 * point at infinity): with cofactor 1 that is SP 800-56A rev. 3 5.6.2.3.3
 * full validation, so no invalid-curve or small-subgroup point reaches the
 * multiplication. OpenSSL checks the peer once more in
 * EVP_PKEY_derive_set_peer.
 */
CK_RV crypto_ecdh(const crypto_key *priv, const uint8_t *point, size_t len, uint8_t *out)
{
	crypto_key *peer = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t size, outlen;
	CK_RV rv;

	if (priv->kind != KEY_EC || !priv->priv)
		return CKR_KEY_TYPE_INCONSISTENT;
	size = crypto_ec_size(priv->curve);
	rv = crypto_ec_public(priv->curve, point, len, &peer);
	if (rv != CKR_OK)
		return rv;
	outlen = size;
	ERR_set_mark();
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv->pkey, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) != 1) {
		rv = crypto_ossl_error();
	} else if (EVP_PKEY_derive_set_peer(ctx, peer->pkey) != 1 ||
		   EVP_PKEY_derive(ctx, out, &outlen) != 1) {
		/* Both keys are valid and on one curve: what is left for
		 * OpenSSL to refuse is a result at infinity. */
		rv = crypto_ossl_error();
		if (rv != CKR_HOST_MEMORY)
			rv = CKR_ATTRIBUTE_VALUE_INVALID;
	} else if (outlen != size) {
		rv = CKR_FUNCTION_FAILED;
	}
	EVP_PKEY_CTX_free(ctx);
	ERR_pop_to_mark();
	crypto_key_unref(peer);
	if (rv != CKR_OK)
		port_wipe(out, size);
	return rv;
}

#endif /* IOT_WITH_ECDH */
