/* The OpenSSL 3 backend of crypto.h (EVP interfaces only). */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto/openssl_key.h"

CK_RV crypto_random(void *buf, size_t n)
{
	unsigned char *p = buf;

	/* RAND_bytes takes an int: feed it in chunks so any size_t works. */
	while (n > 0) {
		int chunk = n > (size_t)INT_MAX ? INT_MAX : (int)n;

		if (RAND_bytes(p, chunk) != 1)
			return CKR_FUNCTION_FAILED;
		p += chunk;
		n -= (size_t)chunk;
	}
	return CKR_OK;
}

void crypto_fork_reseed(void)
{
	/* OpenSSL 3 reseeds its DRBGs in a child on its own (fork id check);
	 * mixing fresh OS entropy in as well costs nothing. */
	unsigned char seed[32];

	if (RAND_priv_bytes(seed, sizeof(seed)) == 1)
		RAND_add(seed, sizeof(seed), 0.0);
	port_wipe(seed, sizeof(seed));
}

CK_RV crypto_sha256(const void *data, size_t n, uint8_t out[CRYPTO_SHA256_LEN])
{
	unsigned int len = 0;
	CK_RV rv = CKR_OK;

	ERR_set_mark();
	if (EVP_Digest(data, n, out, &len, crypto_ossl_md(HASH_SHA256), NULL) != 1)
		rv = crypto_ossl_error();
	else if (len != CRYPTO_SHA256_LEN)
		rv = CKR_FUNCTION_FAILED;
	ERR_pop_to_mark();
	return rv;
}

CK_RV crypto_hmac_sha256(const uint8_t *key, size_t keylen, const void *data, size_t n,
			 uint8_t out[CRYPTO_SHA256_LEN])
{
	unsigned int len = 0;
	CK_RV rv = CKR_OK;

	if (keylen > INT_MAX)
		return CKR_ARGUMENTS_BAD;
	ERR_set_mark();
	if (HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len) == NULL)
		rv = crypto_ossl_error();
	else if (len != CRYPTO_SHA256_LEN)
		rv = CKR_FUNCTION_FAILED;
	ERR_pop_to_mark();
	return rv;
}

CK_RV crypto_pbkdf2_sha256(const uint8_t *pin, size_t pinlen, const uint8_t *salt, size_t saltlen,
			   uint32_t iterations, uint8_t *out, size_t outlen)
{
	CK_RV rv = CKR_OK;

	if (pinlen > INT_MAX || saltlen > INT_MAX || outlen > INT_MAX || iterations == 0 ||
	    iterations > INT_MAX)
		return CKR_ARGUMENTS_BAD;
	/* An empty PIN is refused above this layer; OpenSSL wants a non-NULL
	 * pointer even for length 0. */
	ERR_set_mark();
	if (PKCS5_PBKDF2_HMAC((const char *)(pin ? pin : (const uint8_t *)""), (int)pinlen, salt,
			      (int)saltlen, (int)iterations, EVP_sha256(), (int)outlen, out) != 1)
		rv = crypto_ossl_error();
	ERR_pop_to_mark();
	return rv;
}

static CK_RV gcm(int enc, const uint8_t *key, const uint8_t *nonce, const uint8_t *aad,
		 size_t aadlen, const uint8_t *in, size_t n, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx;
	CK_RV rv = CKR_FUNCTION_FAILED;
	uint8_t tail[16]; /* GCM writes nothing at final; never out + n */
	int len;

	if (n > INT_MAX || aadlen > INT_MAX)
		return CKR_DATA_LEN_RANGE;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return CKR_HOST_MEMORY;
	ERR_set_mark();
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, CRYPTO_AEAD_NONCE_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1)
		goto out;
	if (aadlen > 0 && EVP_CipherUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1)
		goto out;
	if (n > 0 && EVP_CipherUpdate(ctx, out, &len, in, (int)n) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_AEAD_TAG_LEN, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, tail, &len) != 1) {
		/* For decryption this is the tag check (constant time in
		 * OpenSSL). */
		rv = enc ? CKR_FUNCTION_FAILED : CKR_ENCRYPTED_DATA_INVALID;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_AEAD_TAG_LEN, tag) != 1)
		goto out;
	rv = CKR_OK;
out:
	/* Out of memory inside OpenSSL is not a failed tag. */
	if (rv == CKR_FUNCTION_FAILED)
		rv = crypto_ossl_error();
	ERR_pop_to_mark();
	if (rv != CKR_OK && !enc)
		port_wipe(out, n);
	EVP_CIPHER_CTX_free(ctx);
	return rv;
}

CK_RV crypto_aead_seal(const uint8_t key[CRYPTO_AEAD_KEY_LEN],
		       const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN], const uint8_t *aad,
		       size_t aadlen, const uint8_t *in, size_t n, uint8_t *out,
		       uint8_t tag[CRYPTO_AEAD_TAG_LEN])
{
	return gcm(1, key, nonce, aad, aadlen, in, n, out, tag);
}

CK_RV crypto_aead_open(const uint8_t key[CRYPTO_AEAD_KEY_LEN],
		       const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN], const uint8_t *aad,
		       size_t aadlen, const uint8_t *in, size_t n,
		       const uint8_t tag[CRYPTO_AEAD_TAG_LEN], uint8_t *out)
{
	return gcm(0, key, nonce, aad, aadlen, in, n, out, (uint8_t *)tag);
}
