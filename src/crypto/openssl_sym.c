/*
 * AES modes, AES key wrap, HMAC and CMAC (crypto_sym.h) on OpenSSL 3: EVP
 * ciphers without OpenSSL's padding and EVP_MAC. What the contract asks
 * beyond the ciphers (exact output lengths, the block held back for
 * CBC_PAD, the padding check, the CTR counter bound, GCM decryption held
 * until the tag verifies) is done here, in the same way as in
 * mbedtls_sym.c.
 */
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/crypto_sym.h"
#include "crypto/openssl_key.h"

#if IOT_WITH_AES

/* GCM holds at most this much ciphertext for decryption (crypto_sym.h),
 * and encrypts at most 2^36 - 32 bytes (SP 800-38D, 5.2.1.1). */
#define GCM_MAX_HELD ((size_t)1 << 31)
#define GCM_MAX_DATA ((UINT64_C(1) << 36) - 32)
/* Key wrap: inputs OpenSSL's wrap code takes (it refuses 2^31 bytes). */
#define WRAP_MAX_IN (((size_t)1 << 31) - 16)
#define UNWRAP_MAX_IN (((size_t)1 << 31) - 8)

enum { C_ECB, C_CBC, C_CTR, C_GCM, C_WRAP, C_WRAP_PAD, C_KINDS };

static const char *const cipher_names[C_KINDS][3] = {
	{ "AES-128-ECB", "AES-192-ECB", "AES-256-ECB" },
	{ "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" },
	{ "AES-128-CTR", "AES-192-CTR", "AES-256-CTR" },
	{ "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" },
	{ "AES-128-WRAP", "AES-192-WRAP", "AES-256-WRAP" },
	{ "AES-128-WRAP-PAD", "AES-192-WRAP-PAD", "AES-256-WRAP-PAD" },
};
/* Fetched once, as the digests are (openssl_digest.c): implicit-fetch
 * handles would look the algorithm up at every init. */
static EVP_CIPHER *cipher_fetched[C_KINDS][3];
static pthread_once_t cipher_once = PTHREAD_ONCE_INIT;

static void fetch_ciphers(void)
{
	int i, j;

	ERR_set_mark();
	for (i = 0; i < C_KINDS; i++)
		for (j = 0; j < 3; j++)
			cipher_fetched[i][j] = EVP_CIPHER_fetch(NULL, cipher_names[i][j], NULL);
	ERR_pop_to_mark();
}

static int key_index(size_t key_len)
{
	return key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
}

/* The cipher of kind for a key of key_len bytes (checked by the caller). */
static const EVP_CIPHER *cipher_get(int kind, size_t key_len)
{
	(void)pthread_once(&cipher_once, fetch_ciphers);
	return cipher_fetched[kind][key_index(key_len)];
}

struct crypto_aes {
	EVP_CIPHER_CTX *ctx;
	enum crypto_aes_mode mode;
	int enc;
	int done; /* final was called */
	/* ECB, CBC, CBC_PAD: input not released yet. Under a block, except
	 * for CBC_PAD decryption: the last whole block and a partial one. */
	uint8_t held[2 * CRYPTO_AES_BLOCK];
	size_t held_len;
	/* CTR: bytes processed and the blocks the counter has room for. */
	uint64_t ctr_bytes, ctr_room;
	/* GCM */
	size_t tag_len;
	uint64_t gcm_bytes; /* encryption: bytes processed */
	uint8_t *buf;       /* decryption: ciphertext and tag, held until final */
	size_t buf_len, buf_cap;
};

/* ---- What both backends share: sym_shared.h ---- */
#include "crypto/sym_shared.h"

/* ---- OpenSSL ---- */

/* EVP_CipherUpdate of any length (it takes an int). */
static CK_RV evp_update(EVP_CIPHER_CTX *ctx, const uint8_t *in, size_t n, uint8_t *out)
{
	const size_t max = (size_t)INT_MAX & ~(size_t)(CRYPTO_AES_BLOCK - 1);
	int len, chunk;

	while (n > 0) {
		chunk = (int)(n > max ? max : n);
		if (EVP_CipherUpdate(ctx, out, &len, in, chunk) != 1)
			return crypto_ossl_error();
		if (len != chunk)
			return CKR_FUNCTION_FAILED;
		in += chunk;
		out += chunk;
		n -= (size_t)chunk;
	}
	return CKR_OK;
}

/* Whole blocks through ECB or CBC (OpenSSL's padding off). */
static CK_RV blocks(crypto_aes *c, const uint8_t *in, size_t n, uint8_t *out)
{
	CK_RV rv;

	ERR_set_mark();
	rv = evp_update(c->ctx, in, n, out);
	ERR_pop_to_mark();
	return rv;
}

CK_RV crypto_aes_new(enum crypto_aes_mode mode, int encrypt, const uint8_t *key, size_t key_len,
		     const crypto_aes_params *p, crypto_aes **out)
{
	static const int kinds[] = { C_ECB, C_CBC, C_CBC, C_CTR, C_GCM };
	const EVP_CIPHER *cipher;
	const uint8_t *iv;
	size_t iv_len;
	crypto_aes *c;
	CK_RV rv;
	int len;

	rv = check_params(mode, key_len, p);
	if (rv != CKR_OK)
		return rv;
	cipher = cipher_get(kinds[mode], key_len);
	if (cipher == NULL)
		return CKR_FUNCTION_FAILED;
	c = port_calloc(1, sizeof(*c));
	if (c == NULL)
		return CKR_HOST_MEMORY;
	c->mode = mode;
	c->enc = encrypt != 0;
	iv = mode == AES_ECB ? NULL : p->iv;
	ERR_set_mark();
	c->ctx = EVP_CIPHER_CTX_new();
	if (c->ctx == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	rv = CKR_FUNCTION_FAILED;
	if (EVP_CipherInit_ex(c->ctx, cipher, NULL, NULL, NULL, c->enc) != 1)
		goto out;
	if (mode == AES_GCM) {
		c->tag_len = p->tag_len;
		iv_len = p->iv_len;
		if (EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len, NULL) != 1)
			goto out;
	}
	if (EVP_CipherInit_ex(c->ctx, NULL, NULL, key, iv, c->enc) != 1)
		goto out;
	if (block_mode(c) && EVP_CIPHER_CTX_set_padding(c->ctx, 0) != 1)
		goto out;
	if (mode == AES_GCM && p->aad_len > 0 &&
	    EVP_CipherUpdate(c->ctx, NULL, &len, p->aad, (int)p->aad_len) != 1)
		goto out;
	if (mode == AES_CTR)
		c->ctr_room = ctr_room(p->iv, p->ctr_bits);
	rv = CKR_OK;
out:
	if (rv == CKR_FUNCTION_FAILED)
		rv = crypto_ossl_error();
	ERR_pop_to_mark();
	if (rv != CKR_OK) {
		crypto_aes_free(c);
		return rv;
	}
	*out = c;
	return CKR_OK;
}

CK_RV crypto_aes_update(crypto_aes *c, const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	CK_RV rv;

	if (c->done)
		return CKR_OPERATION_NOT_INITIALIZED;
	*outlen = 0;
	if (n == 0)
		return CKR_OK;
	if (in == NULL)
		return CKR_ARGUMENTS_BAD;
	if (block_mode(c))
		return block_update(c, in, n, out, outlen);
	if (c->mode == AES_GCM && !c->enc)
		return gcm_hold(c, in, n);
	if (c->mode == AES_CTR) {
		rv = ctr_check(c, n);
		if (rv != CKR_OK)
			return rv;
	} else if ((uint64_t)n > GCM_MAX_DATA - c->gcm_bytes) {
		return CKR_DATA_LEN_RANGE;
	}
	ERR_set_mark();
	rv = evp_update(c->ctx, in, n, out);
	ERR_pop_to_mark();
	if (rv != CKR_OK)
		return rv;
	if (c->mode == AES_CTR)
		c->ctr_bytes += n;
	else
		c->gcm_bytes += n;
	*outlen = n;
	return CKR_OK;
}

/* GCM decryption: the held ciphertext decrypted in place and released
 * only once the tag verifies. */
static CK_RV gcm_open(crypto_aes *c, uint8_t *out, size_t *outlen)
{
	uint8_t tail[CRYPTO_AES_BLOCK];
	size_t n;
	CK_RV rv;
	int len;

	if (c->buf_len < c->tag_len)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	n = c->buf_len - c->tag_len;
	ERR_set_mark();
	rv = n > 0 ? evp_update(c->ctx, c->buf, n, c->buf) : CKR_OK;
	if (rv == CKR_OK &&
	    EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_SET_TAG, (int)c->tag_len, c->buf + n) != 1)
		rv = crypto_ossl_error();
	/* The tag check (constant time in OpenSSL). */
	if (rv == CKR_OK && EVP_CipherFinal_ex(c->ctx, tail, &len) != 1)
		rv = CKR_ENCRYPTED_DATA_INVALID;
	ERR_pop_to_mark();
	if (rv == CKR_OK && n > 0)
		memcpy(out, c->buf, n);
	port_wipe(c->buf, c->buf_len);
	c->buf_len = 0;
	*outlen = rv == CKR_OK ? n : 0;
	return rv;
}

static CK_RV gcm_seal(crypto_aes *c, uint8_t *out, size_t *outlen)
{
	uint8_t tail[CRYPTO_AES_BLOCK];
	CK_RV rv = CKR_OK;
	int len;

	ERR_set_mark();
	if (EVP_CipherFinal_ex(c->ctx, tail, &len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_GET_TAG, (int)c->tag_len, out) != 1)
		rv = crypto_ossl_error();
	ERR_pop_to_mark();
	*outlen = rv == CKR_OK ? c->tag_len : 0;
	return rv;
}

void crypto_aes_free(crypto_aes *c)
{
	if (c == NULL)
		return;
	/* The cipher's free clears its key schedule and state. */
	EVP_CIPHER_CTX_free(c->ctx);
	port_free_secret(c->buf, c->buf_cap);
	port_free_secret(c, sizeof(*c));
}

/* ---- Key wrap ---- */

size_t crypto_aes_wrap_len(int pad, size_t n)
{
	if (n > SIZE_MAX - 16)
		return SIZE_MAX;
	return pad ? ((n + 7) & ~(size_t)7) + 8 : n + 8;
}

/* One wrap or unwrap through OpenSSL's wrap ciphers (default IVs). */
static CK_RV wrap_run(int pad, int enc, const uint8_t *key, size_t key_len, const uint8_t *in,
		      size_t n, uint8_t *out, size_t *outlen)
{
	const EVP_CIPHER *cipher = cipher_get(pad ? C_WRAP_PAD : C_WRAP, key_len);
	EVP_CIPHER_CTX *ctx;
	CK_RV rv = CKR_FUNCTION_FAILED;
	int len = 0;

	if (cipher == NULL)
		return CKR_FUNCTION_FAILED;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return CKR_HOST_MEMORY;
	ERR_set_mark();
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_CipherInit_ex(ctx, cipher, NULL, key, NULL, enc) != 1)
		goto out;
	/* The whole input in one update: the wrap ciphers do all their work
	 * there. For unwrapping, a failure here is the integrity check. */
	if (EVP_CipherUpdate(ctx, out, &len, in, (int)n) != 1) {
		rv = enc ? CKR_FUNCTION_FAILED : CKR_ENCRYPTED_DATA_INVALID;
		goto out;
	}
	*outlen = (size_t)len;
	rv = CKR_OK;
out:
	if (rv == CKR_FUNCTION_FAILED)
		rv = crypto_ossl_error();
	ERR_pop_to_mark();
	EVP_CIPHER_CTX_free(ctx);
	return rv;
}

CK_RV crypto_aes_wrap(int pad, const uint8_t *key, size_t key_len, const uint8_t *in, size_t n,
		      uint8_t *out)
{
	size_t len = 0;
	CK_RV rv;

	if (key_index(key_len) < 0)
		return CKR_KEY_SIZE_RANGE;
	if (n > WRAP_MAX_IN || (pad ? n < 1 : n < 16 || n % 8 != 0))
		return CKR_DATA_LEN_RANGE;
	rv = wrap_run(pad, 1, key, key_len, in, n, out, &len);
	if (rv == CKR_OK && len != crypto_aes_wrap_len(pad, n))
		rv = CKR_FUNCTION_FAILED;
	return rv;
}

CK_RV crypto_aes_unwrap(int pad, const uint8_t *key, size_t key_len, const uint8_t *in, size_t n,
			uint8_t *out, size_t *outlen)
{
	uint8_t *tmp;
	size_t len = 0;
	CK_RV rv;

	if (key_index(key_len) < 0)
		return CKR_KEY_SIZE_RANGE;
	if (n > UNWRAP_MAX_IN || n % 8 != 0 || n < (pad ? 16u : 24u))
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	/* Into a buffer of our own: out sees nothing unless the check
	 * passes. OpenSSL's update assumes room for n + 16. */
	tmp = port_malloc(n + 16);
	if (tmp == NULL)
		return CKR_HOST_MEMORY;
	rv = wrap_run(pad, 0, key, key_len, in, n, tmp, &len);
	if (rv == CKR_OK && len > n - 8)
		rv = CKR_FUNCTION_FAILED;
	if (rv == CKR_OK) {
		memcpy(out, tmp, len);
		*outlen = len;
	}
	port_free_secret(tmp, n + 16);
	return rv;
}

#endif /* IOT_WITH_AES */

#if IOT_WITH_HMAC || IOT_WITH_AES

struct crypto_mac {
	EVP_MAC_CTX *ctx;
	size_t len;
	int done;
};

static EVP_MAC *mac_fetched[2];
static pthread_once_t mac_once = PTHREAD_ONCE_INIT;

static void fetch_macs(void)
{
	ERR_set_mark();
	mac_fetched[MAC_HMAC] = EVP_MAC_fetch(NULL, "HMAC", NULL);
	mac_fetched[MAC_CMAC] = EVP_MAC_fetch(NULL, "CMAC", NULL);
	ERR_pop_to_mark();
}

CK_RV crypto_mac_new(enum crypto_mac_alg alg, enum crypto_hash h, const uint8_t *key,
		     size_t key_len, crypto_mac **out)
{
	static const uint8_t none[1];
	OSSL_PARAM params[2];
	crypto_mac *m;
	CK_RV rv = CKR_OK;

	switch (alg) {
#if IOT_WITH_HMAC
	case MAC_HMAC: {
		static const char *const md_names[HASH_COUNT] = { "SHA1", "SHA2-224", "SHA2-256",
								  "SHA2-384", "SHA2-512" };

		if ((unsigned)h >= HASH_COUNT)
			return CKR_MECHANISM_INVALID;
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							     (char *)md_names[h], 0);
		break;
	}
#endif
#if IOT_WITH_AES
	case MAC_CMAC: {
		static const char *const cbc_names[3] = { "AES-128-CBC", "AES-192-CBC",
							  "AES-256-CBC" };

		(void)h;
		if (key_index(key_len) < 0)
			return CKR_KEY_SIZE_RANGE;
		params[0] = OSSL_PARAM_construct_utf8_string(
			OSSL_MAC_PARAM_CIPHER, (char *)cbc_names[key_index(key_len)], 0);
		break;
	}
#endif
	default:
		return CKR_MECHANISM_INVALID;
	}
	params[1] = OSSL_PARAM_construct_end();
	(void)pthread_once(&mac_once, fetch_macs);
	if (mac_fetched[alg] == NULL)
		return CKR_FUNCTION_FAILED;
	m = port_calloc(1, sizeof(*m));
	if (m == NULL)
		return CKR_HOST_MEMORY;
	ERR_set_mark();
	m->ctx = EVP_MAC_CTX_new(mac_fetched[alg]);
	if (m->ctx == NULL)
		rv = CKR_HOST_MEMORY;
	/* An empty HMAC key is a key: OpenSSL takes a NULL key as "keep the
	 * one set before". */
	else if (EVP_MAC_init(m->ctx, key_len > 0 ? key : none, key_len, params) != 1)
		rv = crypto_ossl_error();
	else
		m->len = EVP_MAC_CTX_get_mac_size(m->ctx);
	ERR_pop_to_mark();
	if (rv == CKR_OK &&
	    m->len != (alg == MAC_CMAC ? (size_t)CRYPTO_AES_BLOCK : crypto_hash_len(h)))
		rv = CKR_FUNCTION_FAILED;
	if (rv != CKR_OK) {
		crypto_mac_free(m);
		return rv;
	}
	*out = m;
	return CKR_OK;
}

size_t crypto_mac_len(const crypto_mac *m)
{
	return m->len;
}

CK_RV crypto_mac_update(crypto_mac *m, const void *data, size_t n)
{
	CK_RV rv = CKR_OK;

	if (m->done)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (n == 0)
		return CKR_OK;
	if (data == NULL)
		return CKR_ARGUMENTS_BAD;
	ERR_set_mark();
	if (EVP_MAC_update(m->ctx, data, n) != 1)
		rv = crypto_ossl_error();
	ERR_pop_to_mark();
	return rv;
}

CK_RV crypto_mac_final(crypto_mac *m, uint8_t *out)
{
	size_t len = 0;
	CK_RV rv = CKR_OK;

	if (m->done)
		return CKR_OPERATION_NOT_INITIALIZED;
	m->done = 1;
	ERR_set_mark();
	if (EVP_MAC_final(m->ctx, out, &len, m->len) != 1)
		rv = crypto_ossl_error();
	else if (len != m->len)
		rv = CKR_FUNCTION_FAILED;
	ERR_pop_to_mark();
	return rv;
}

void crypto_mac_free(crypto_mac *m)
{
	if (m == NULL)
		return;
	/* The provider's free clears the key and the state. */
	EVP_MAC_CTX_free(m->ctx);
	port_free_secret(m, sizeof(*m));
}

#endif /* IOT_WITH_HMAC || IOT_WITH_AES */
