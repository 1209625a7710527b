/*
 * Encryption at rest (DESIGN.md "Encryption at rest").
 *
 * Each token has a random 256-bit master key (TMK), stored only wrapped
 * (AES-256-GCM) under a key derived from each PIN (PBKDF2-HMAC-SHA256). A PIN
 * is checked by unwrapping: a wrong PIN fails the tag. Sensitive attribute
 * values of private objects are sealed with AES-256-GCM under a per-object
 * key HMAC-SHA256(TMK, label || object id), fresh random nonce per write,
 * associated data = format version, object id, attribute type and the
 * object's access-control attributes (given by the caller).
 *
 * The whole record of a private object is authenticated too (codec.h, format
 * 2): MAC = HMAC-SHA256(K_rec, "IOTM" || object id || SHA-256 of the record's
 * header and entries), where K_rec = HMAC-SHA256(TMK, "iotoken record mac
 * key v1") is one key per token. It binds every attribute, clear and sealed,
 * in its stored form, to the object id and to the token.
 */
#ifndef IOTOKEN_SEAL_H
#define IOTOKEN_SEAL_H

#include <stdint.h>

#include "crypto/crypto.h"
#include "store/store.h"

#define SEAL_TMK_LEN 32
#define SEAL_KEK_LEN 32
#define SEAL_OVERHEAD (CRYPTO_AEAD_NONCE_LEN + CRYPTO_AEAD_TAG_LEN)
#define SEAL_MAC_LEN CRYPTO_SHA256_LEN

CK_RV seal_kek_derive(const uint8_t *pin, size_t pinlen, const uint8_t salt[STORE_SALT_LEN],
		      uint32_t iterations, uint8_t kek[SEAL_KEK_LEN]) IOT_MUST_CHECK;
CK_RV seal_tmk_wrap(const uint8_t kek[SEAL_KEK_LEN], int role, const uint8_t tmk[SEAL_TMK_LEN],
		    uint8_t out[STORE_WRAPPED_LEN]) IOT_MUST_CHECK;
/* CKR_PIN_INCORRECT when the KEK does not open the record. */
CK_RV seal_tmk_unwrap(const uint8_t kek[SEAL_KEK_LEN], int role,
		      const uint8_t in[STORE_WRAPPED_LEN],
		      uint8_t tmk[SEAL_TMK_LEN]) IOT_MUST_CHECK;

/* out has room for n + SEAL_OVERHEAD bytes. */
CK_RV seal_attr(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id, CK_ATTRIBUTE_TYPE type,
		const uint8_t *ac, size_t aclen, const uint8_t *in, size_t n,
		uint8_t *out) IOT_MUST_CHECK;
/* n >= SEAL_OVERHEAD; out has room for n - SEAL_OVERHEAD bytes.
 * CKR_DEVICE_ERROR when the value was altered (or belongs elsewhere). */
CK_RV seal_attr_open(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id, CK_ATTRIBUTE_TYPE type,
		     const uint8_t *ac, size_t aclen, const uint8_t *in, size_t n,
		     uint8_t *out) IOT_MUST_CHECK;

/* The MAC of a record of object id whose header and entries hash to digest
 * (SHA-256). */
CK_RV seal_record_mac(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id,
		      const uint8_t digest[CRYPTO_SHA256_LEN],
		      uint8_t mac[SEAL_MAC_LEN]) IOT_MUST_CHECK;
/* CKR_DEVICE_ERROR when mac is not that MAC (constant-time compare). */
CK_RV seal_record_verify(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id,
			 const uint8_t digest[CRYPTO_SHA256_LEN],
			 const uint8_t mac[SEAL_MAC_LEN]) IOT_MUST_CHECK;

#endif
