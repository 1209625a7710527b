/*
 * The mbedTLS backend of crypto.h (mbedTLS 2.28; mbedtls_compat.h): the
 * DRBG, SHA-256, HMAC-SHA256, PBKDF2 and AES-256-GCM of the store. Keys,
 * signatures, digests and certificates are in the other mbedtls_*.c files.
 */
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/gcm.h>

#include "crypto/mbedtls_key.h"

/*
 * One CTR_DRBG (AES-256) for the process, seeded from mbedtls_entropy (the
 * OS: getrandom or /dev/urandom). Its own lock: mbedTLS locks the DRBG in
 * mbedtls_ctr_drbg_random but not in reseed, and a lock held by another
 * thread at fork() would stay held in the child. The fork handlers take the
 * lock around fork() and mark the child's copy, which reseeds (with its
 * pid) before its first output: parent and child never share a stream.
 * POSIX only (pthreads, fork); a device port replaces this file's first
 * part with its entropy source and mutex hooks.
 */
static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static pthread_mutex_t drbg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t drbg_once = PTHREAD_ONCE_INIT;
static int drbg_seeded;            /* under drbg_lock */
static int drbg_forked;            /* set in a child of fork(), under drbg_lock */
static unsigned long drbg_reseeds; /* under drbg_lock */

static void fork_prepare(void)
{
	pthread_mutex_lock(&drbg_lock);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&drbg_lock);
}

static void fork_child(void)
{
	drbg_forked = 1;
	pthread_mutex_unlock(&drbg_lock);
}

static void drbg_init(void)
{
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	(void)pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* The personalization string (seed) or additional input (reseed): the pid
 * and a counter, so that no two processes or reseeds start from the same
 * input even if the OS gave them the same entropy. */
static size_t drbg_custom(uint8_t buf[64])
{
	static const char label[] = "iotoken ctr-drbg";
	pid_t pid = getpid();
	size_t n = 0;

	memcpy(buf, label, sizeof(label) - 1);
	n += sizeof(label) - 1;
	memcpy(buf + n, &pid, sizeof(pid));
	n += sizeof(pid);
	memcpy(buf + n, &drbg_reseeds, sizeof(drbg_reseeds));
	n += sizeof(drbg_reseeds);
	return n;
}

/* Under drbg_lock: seeded, and reseeded after a fork. */
static CK_RV drbg_ready(void)
{
	uint8_t custom[64];
	size_t n;
	int ret = 0;

	if (drbg_seeded && !drbg_forked)
		return CKR_OK;
	drbg_reseeds++;
	n = drbg_custom(custom);
	if (!drbg_seeded)
		ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, custom, n);
	else
		ret = mbedtls_ctr_drbg_reseed(&drbg, custom, n);
	if (ret != 0)
		return CKR_FUNCTION_FAILED;
	drbg_seeded = 1;
	drbg_forked = 0;
	return CKR_OK;
}

CK_RV crypto_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	CK_RV rv;

	(void)pthread_once(&drbg_once, drbg_init);
	pthread_mutex_lock(&drbg_lock);
	rv = drbg_ready();
	/* One request gives at most MBEDTLS_CTR_DRBG_MAX_REQUEST bytes. */
	while (rv == CKR_OK && n > 0) {
		size_t chunk = n > MBEDTLS_CTR_DRBG_MAX_REQUEST ? MBEDTLS_CTR_DRBG_MAX_REQUEST : n;

		if (mbedtls_ctr_drbg_random(&drbg, p, chunk) != 0)
			rv = CKR_FUNCTION_FAILED;
		p += chunk;
		n -= chunk;
	}
	pthread_mutex_unlock(&drbg_lock);
	if (rv != CKR_OK)
		port_wipe(buf, (size_t)(p - (unsigned char *)buf));
	return rv;
}

int crypto_mbed_rng(void *p_rng, unsigned char *out, size_t len)
{
	(void)p_rng;
	return crypto_random(out, len) == CKR_OK ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

void crypto_fork_reseed(void)
{
	/* The fork handler already marked the child's DRBG; reseeding now,
	 * with fresh OS entropy and the child's pid, rather than at the first
	 * output costs nothing. A failure is met again at that output. */
	(void)pthread_once(&drbg_once, drbg_init);
	pthread_mutex_lock(&drbg_lock);
	if (drbg_seeded)
		drbg_forked = 1;
	(void)drbg_ready();
	pthread_mutex_unlock(&drbg_lock);
}

CK_RV crypto_sha256(const void *data, size_t n, uint8_t out[CRYPTO_SHA256_LEN])
{
	return MBED_SHA256(data, n, out) == 0 ? CKR_OK : CKR_FUNCTION_FAILED;
}

CK_RV crypto_hmac_sha256(const uint8_t *key, size_t keylen, const void *data, size_t n,
			 uint8_t out[CRYPTO_SHA256_LEN])
{
	int ret;

	/* The OpenSSL backend's limit, so both take the same keys. */
	if (keylen > INT_MAX)
		return CKR_ARGUMENTS_BAD;
	ret = mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, keylen, data, n,
			      out);
	return ret == 0 ? CKR_OK : crypto_mbed_error(ret);
}

CK_RV crypto_pbkdf2_sha256(const uint8_t *pin, size_t pinlen, const uint8_t *salt, size_t saltlen,
			   uint32_t iterations, uint8_t *out, size_t outlen)
{
	mbedtls_md_context_t md;
	int ret;

	/* The OpenSSL backend's limits (its int arguments), so a PIN record
	 * made with one backend opens with the other. */
	if (pinlen > INT_MAX || saltlen > INT_MAX || outlen > INT_MAX || iterations == 0 ||
	    iterations > INT_MAX)
		return CKR_ARGUMENTS_BAD;
	mbedtls_md_init(&md);
	ret = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
	if (ret == 0)
		ret = MBED_PBKDF2(&md, pin != NULL ? pin : (const uint8_t *)"", pinlen, salt,
				  saltlen, iterations, outlen, out);
	/* Frees and zeroizes the HMAC state (it holds the PIN's pads). */
	mbedtls_md_free(&md);
	if (ret != 0) {
		port_wipe(out, outlen);
		return crypto_mbed_error(ret);
	}
	return CKR_OK;
}

static CK_RV gcm(int enc, const uint8_t *key, const uint8_t *nonce, const uint8_t *aad,
		 size_t aadlen, const uint8_t *in, size_t n, uint8_t *out, uint8_t *tag)
{
	mbedtls_gcm_context ctx;
	CK_RV rv = CKR_OK;
	int ret;

	/* The OpenSSL backend's limits. */
	if (n > INT_MAX || aadlen > INT_MAX)
		return CKR_DATA_LEN_RANGE;
	mbedtls_gcm_init(&ctx);
	ret = mbedtls_gcm_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, key, CRYPTO_AEAD_KEY_LEN * 8);
	if (ret != 0) {
		rv = crypto_mbed_error(ret);
	} else if (enc) {
		ret = mbedtls_gcm_crypt_and_tag(&ctx, MBEDTLS_GCM_ENCRYPT, n, nonce,
						CRYPTO_AEAD_NONCE_LEN, aad, aadlen, in, out,
						CRYPTO_AEAD_TAG_LEN, tag);
		if (ret != 0)
			rv = crypto_mbed_error(ret);
	} else {
		/* Decrypts, then compares the tag in constant time (a
		 * difference accumulated over all bytes); on a mismatch it
		 * zeroizes out itself. */
		ret = mbedtls_gcm_auth_decrypt(&ctx, n, nonce, CRYPTO_AEAD_NONCE_LEN, aad, aadlen,
					       tag, CRYPTO_AEAD_TAG_LEN, in, out);
		if (ret == MBEDTLS_ERR_GCM_AUTH_FAILED)
			rv = CKR_ENCRYPTED_DATA_INVALID;
		else if (ret != 0)
			rv = crypto_mbed_error(ret);
	}
	if (rv != CKR_OK && !enc && n > 0)
		port_wipe(out, n);
	/* Zeroizes the AES key schedule and the GHASH table. */
	mbedtls_gcm_free(&ctx);
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
