/*
 * The crypto interface. Backends: openssl.c (hosts), mbedtls.c (devices).
 * Nothing outside src/crypto/ sees a backend type.
 */
#ifndef IOTOKEN_CRYPTO_H
#define IOTOKEN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "port/port.h"

#define CRYPTO_SHA256_LEN 32
#define CRYPTO_AEAD_KEY_LEN 32
#define CRYPTO_AEAD_NONCE_LEN 12
#define CRYPTO_AEAD_TAG_LEN 16

/* Fills buf with n bytes from the backend's DRBG (seeded by the OS). */
CK_RV crypto_random(void *buf, size_t n) IOT_MUST_CHECK;

/* Called in a child after fork() before the first use of the DRBG. */
void crypto_fork_reseed(void);

CK_RV crypto_sha256(const void *data, size_t n, uint8_t out[CRYPTO_SHA256_LEN]) IOT_MUST_CHECK;

CK_RV crypto_hmac_sha256(const uint8_t *key, size_t keylen, const void *data, size_t n,
			 uint8_t out[CRYPTO_SHA256_LEN]) IOT_MUST_CHECK;

/* PBKDF2-HMAC-SHA256. */
CK_RV crypto_pbkdf2_sha256(const uint8_t *pin, size_t pinlen, const uint8_t *salt, size_t saltlen,
			   uint32_t iterations, uint8_t *out, size_t outlen) IOT_MUST_CHECK;

/* AES-256-GCM. seal writes n bytes of ciphertext and the tag; open returns
 * CKR_ENCRYPTED_DATA_INVALID when the tag does not verify (and writes
 * nothing usable to out, which it wipes). */
CK_RV crypto_aead_seal(const uint8_t key[CRYPTO_AEAD_KEY_LEN],
		       const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN], const uint8_t *aad,
		       size_t aadlen, const uint8_t *in, size_t n, uint8_t *out,
		       uint8_t tag[CRYPTO_AEAD_TAG_LEN]) IOT_MUST_CHECK;
CK_RV crypto_aead_open(const uint8_t key[CRYPTO_AEAD_KEY_LEN],
		       const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN], const uint8_t *aad,
		       size_t aadlen, const uint8_t *in, size_t n,
		       const uint8_t tag[CRYPTO_AEAD_TAG_LEN], uint8_t *out) IOT_MUST_CHECK;

#endif
