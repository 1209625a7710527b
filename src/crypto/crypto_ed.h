/*
 * Ed25519 (RFC 8032, PureEdDSA; PKCS#11 3.0 CKK_EC_EDWARDS, CKM_EDDSA).
 * Backend: openssl_ed.c; mbedTLS 2.28 has no Ed25519, so the mbedTLS
 * backend builds without it (IOT_WITH_ED25519 0, iotoken/defaults.h).
 * Keys are the crypto_key of crypto.h (crypto_key_ref/unref,
 * crypto_key_is_private, crypto_key_spki work on them; crypto_sig_len
 * gives 64; crypto_key_curve answers CKR_KEY_TYPE_INCONSISTENT).
 */
#ifndef IOTOKEN_CRYPTO_ED_H
#define IOTOKEN_CRYPTO_ED_H

#include "crypto/crypto.h"

#define CRYPTO_ED25519_KEY_LEN 32 /* public key and private seed */
#define CRYPTO_ED25519_SIG_LEN 64

#if IOT_WITH_ED25519
/* Whether k is an Ed25519 key. */
int crypto_key_is_ed25519(const crypto_key *k);

CK_RV crypto_ed25519_generate(crypto_key **out) IOT_MUST_CHECK;
/* A public key from its 32-byte encoding (RFC 8032 5.1.5); an encoding
 * that is not a point of the curve: CKR_ATTRIBUTE_VALUE_INVALID; length
 * other than 32: CKR_ATTRIBUTE_VALUE_INVALID. */
CK_RV crypto_ed25519_public(const uint8_t *pub, size_t len, crypto_key **out) IOT_MUST_CHECK;
/* A private key from its 32-byte seed (the private key of RFC 8032); the
 * public key is computed. Length other than 32: CKR_ATTRIBUTE_VALUE_INVALID. */
CK_RV crypto_ed25519_private(const uint8_t *seed, size_t len, crypto_key **out) IOT_MUST_CHECK;
/* The 32-byte public key of a public or private key. */
CK_RV crypto_ed25519_pub(const crypto_key *k, uint8_t out[CRYPTO_ED25519_KEY_LEN]) IOT_MUST_CHECK;
/* The 32-byte seed of a private key. */
CK_RV crypto_ed25519_seed(const crypto_key *k, uint8_t out[CRYPTO_ED25519_KEY_LEN]) IOT_MUST_CHECK;
/* PureEdDSA over the whole message (any length, empty too). */
CK_RV crypto_ed25519_sign(const crypto_key *k, const uint8_t *msg, size_t n,
			  uint8_t sig[CRYPTO_ED25519_SIG_LEN]) IOT_MUST_CHECK;
/* CKR_OK, CKR_SIGNATURE_INVALID, or CKR_SIGNATURE_LEN_RANGE when siglen is
 * not 64. Non-canonical S (S >= L) is refused, as RFC 8032 5.1.7 says. */
CK_RV crypto_ed25519_verify(const crypto_key *k, const uint8_t *msg, size_t n, const uint8_t *sig,
			    size_t siglen) IOT_MUST_CHECK;
#endif

#endif
