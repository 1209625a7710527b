/*
 * The mbedTLS backend of crypto.h (mbedTLS 2.28; mbedtls_compat.h): the
 * DRBG, SHA-256, HMAC-SHA256, PBKDF2 and AES-256-GCM of the store. Keys,
 * signatures, digests and certificates are in the other mbedtls_*.c files.
 */
#include <limits.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/gcm.h>

#include "crypto/mbedtls_key.h"

#if !IOT_DEVICE
#include <unistd.h>
#endif

/*
 * mbedTLS's memory. With IOT_STATIC_ARENA (the device profile) and an
 * mbedTLS built with MBEDTLS_PLATFORM_MEMORY, mbedTLS allocates from the
 * token's allocator too (iotoken/device.h: the arena is for mbedTLS as
 * well). mbedtls_platform_set_calloc_free must come before mbedTLS's first
 * allocation: a block from the old allocator freed through the new one
 * would corrupt the arena. That first allocation is not in the DRBG
 * (CTR_DRBG allocates nothing) but in whichever backend call comes first:
 * an HMAC or PBKDF2 (mbedtls_md_setup), an AES-GCM key (the cipher context),
 * the bignums of a key or an X.509 parse, spread over the backend's files
 * with no call they all pass through. And the allocator is global to
 * mbedTLS: the firmware's own TLS may allocate before the token's first
 * call. So the one place that comes before every mbedTLS allocation, the
 * token's and the firmware's, is the start of the program: a constructor,
 * run once by the C runtime before main (GCC and clang; newlib's startup
 * code runs .init_array, as do the usual vendor startup files). It only
 * stores two function pointers, which mbedTLS initializes statically, so the
 * order of constructors does not matter. Until iotoken_device_setup gives
 * the arena, port_calloc returns NULL and so do mbedTLS's allocations. A
 * firmware whose startup code skips constructors keeps mbedTLS's default
 * allocator, and the arena holds only the token's own blocks. Without
 * MBEDTLS_PLATFORM_MEMORY (Debian's mbedTLS, hosts) there is nothing to set:
 * mbedTLS uses the C library's calloc and free.
 */
#if IOT_STATIC_ARENA && defined(MBEDTLS_PLATFORM_MEMORY) && \
	!(defined(MBEDTLS_PLATFORM_CALLOC_MACRO) && defined(MBEDTLS_PLATFORM_FREE_MACRO))
#include <mbedtls/platform.h>

__attribute__((constructor)) static void memory_setup(void)
{
	(void)mbedtls_platform_set_calloc_free(port_calloc, port_free);
}
#endif

/*
 * One CTR_DRBG (AES-256) for the process, seeded from port_entropy
 * (getrandom on POSIX hosts, the device's entropy callback) through
 * entropy_source below. Its own lock, PORT_LOCK_RNG: mbedTLS locks the DRBG
 * in mbedtls_ctr_drbg_random but not in reseed, and it serializes the first
 * use, which initializes the DRBG (drbg_started) and seeds it.
 *
 * POSIX hosts: a lock held by another thread at fork() would stay held in
 * the child. The fork handlers (port_atfork) take the lock around fork() and
 * mark the child's copy, which reseeds (with its pid) before its first
 * output: parent and child never share a stream. The device profile has no
 * fork: no handlers, no pid.
 */
static mbedtls_ctr_drbg_context drbg; /* under PORT_LOCK_RNG, like the rest */
static int drbg_started;              /* drbg initialized, fork handlers registered */
static int drbg_seeded;
#if IOT_DEVICE
#define drbg_forked 0 /* no fork() on devices */
#else
static int drbg_forked; /* set in a child of fork() */
#endif
static unsigned long drbg_reseeds;

/* The DRBG's entropy function (mbedtls_ctr_drbg_seed and reseed): len true
 * random bytes straight from the OS or the device; CTR_DRBG's derivation
 * function conditions them. */
static int entropy_source(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	return port_entropy(buf, len) == 0 ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

#if !IOT_DEVICE
static void fork_prepare(void)
{
	port_static_lock(PORT_LOCK_RNG);
}

static void fork_parent(void)
{
	port_static_unlock(PORT_LOCK_RNG);
}

static void fork_child(void)
{
	drbg_forked = 1;
	port_static_unlock(PORT_LOCK_RNG);
}
#endif

/* Under PORT_LOCK_RNG, once, apart from the seed: a seed that failed is
 * tried again at the next call, but the fork handlers must not be
 * registered twice (the second fork_prepare would wait for the lock the
 * first one took). */
static void drbg_start(void)
{
	if (drbg_started)
		return;
	mbedtls_ctr_drbg_init(&drbg);
#if !IOT_DEVICE
	port_atfork(fork_prepare, fork_parent, fork_child);
#endif
	drbg_started = 1;
}

/* The personalization string (seed) or additional input (reseed): a label,
 * the pid on POSIX hosts and a counter, so that no two processes or reseeds
 * start from the same input even if the OS gave them the same entropy. */
static size_t drbg_custom(uint8_t buf[64])
{
	static const char label[] = "iotoken ctr-drbg";
	size_t n = 0;

	memcpy(buf, label, sizeof(label) - 1);
	n += sizeof(label) - 1;
#if !IOT_DEVICE
	{
		pid_t pid = getpid();

		memcpy(buf + n, &pid, sizeof(pid));
		n += sizeof(pid);
	}
#endif
	memcpy(buf + n, &drbg_reseeds, sizeof(drbg_reseeds));
	n += sizeof(drbg_reseeds);
	return n;
}

/* Under PORT_LOCK_RNG: started, seeded, and reseeded after a fork. */
static CK_RV drbg_ready(void)
{
	uint8_t custom[64];
	size_t n;
	int ret = 0;

	drbg_start();
	if (drbg_seeded && !drbg_forked)
		return CKR_OK;
	drbg_reseeds++;
	n = drbg_custom(custom);
	if (!drbg_seeded)
		ret = mbedtls_ctr_drbg_seed(&drbg, entropy_source, NULL, custom, n);
	else
		ret = mbedtls_ctr_drbg_reseed(&drbg, custom, n);
	if (ret != 0)
		return CKR_FUNCTION_FAILED;
	drbg_seeded = 1;
#if !IOT_DEVICE
	drbg_forked = 0;
#endif
	return CKR_OK;
}

CK_RV crypto_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	CK_RV rv;

	port_static_lock(PORT_LOCK_RNG);
	rv = drbg_ready();
	/* One request gives at most MBEDTLS_CTR_DRBG_MAX_REQUEST bytes. */
	while (rv == CKR_OK && n > 0) {
		size_t chunk = n > MBEDTLS_CTR_DRBG_MAX_REQUEST ? MBEDTLS_CTR_DRBG_MAX_REQUEST : n;

		if (mbedtls_ctr_drbg_random(&drbg, p, chunk) != 0)
			rv = CKR_FUNCTION_FAILED;
		p += chunk;
		n -= chunk;
	}
	port_static_unlock(PORT_LOCK_RNG);
	if (rv != CKR_OK)
		port_wipe(buf, (size_t)(p - (unsigned char *)buf));
	return rv;
}

int crypto_mbed_rng(void *p_rng, unsigned char *out, size_t len)
{
	(void)p_rng;
	return crypto_random(out, len) == CKR_OK ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

#if !IOT_DEVICE
void crypto_fork_reseed(void)
{
	/* The fork handler already marked the child's DRBG; reseeding now,
	 * with fresh OS entropy and the child's pid, rather than at the first
	 * output costs nothing. A failure is met again at that output. */
	port_static_lock(PORT_LOCK_RNG);
	if (drbg_seeded)
		drbg_forked = 1;
	(void)drbg_ready();
	port_static_unlock(PORT_LOCK_RNG);
}
#endif

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
