/*
 * Public-key encryption and key agreement (issue 10): RSA-OAEP and ECDH.
 * Backends: openssl_kex.c, mbedtls_kex.c. Keys are the crypto_key of
 * crypto.h.
 */
#ifndef IOTOKEN_CRYPTO_KEX_H
#define IOTOKEN_CRYPTO_KEX_H

#include "crypto/crypto.h"

/* ---- RSA-OAEP (PKCS#1 v2.2 7.1) ---- */

typedef struct crypto_oaep {
	enum crypto_hash hash; /* the label hash */
	enum crypto_hash mgf1; /* MGF1's hash */
	const uint8_t *label;  /* may be NULL when label_len is 0 */
	size_t label_len;
} crypto_oaep;

/* The largest message a key takes: k - 2 * hLen - 2 (0 if the key is too
 * small for the hash). */
size_t crypto_oaep_max(const crypto_key *k, enum crypto_hash hash);

/* Encrypts with a public or private key's public half; out gets
 * crypto_sig_len(k) bytes (the modulus length). A message longer than
 * crypto_oaep_max: CKR_DATA_LEN_RANGE. Not an RSA key:
 * CKR_KEY_TYPE_INCONSISTENT. */
CK_RV crypto_oaep_encrypt(const crypto_key *k, const crypto_oaep *p, const uint8_t *in, size_t n,
			  uint8_t *out) IOT_MUST_CHECK;
/* Decrypts with a private key; out has room for crypto_sig_len(k) bytes
 * and *outlen gets the message length. Input length other than the
 * modulus length: CKR_ENCRYPTED_DATA_LEN_RANGE. Any decoding failure:
 * CKR_ENCRYPTED_DATA_INVALID, one code whatever failed, and the depadding
 * must not branch on secret data (the library's constant-time code). */
CK_RV crypto_oaep_decrypt(const crypto_key *k, const crypto_oaep *p, const uint8_t *in, size_t n,
			  uint8_t *out, size_t *outlen) IOT_MUST_CHECK;

/* ---- ECDH (SEC 1 3.3.1; cofactor 1 on the NIST curves, so the cofactor
 * variant is the same) ---- */

/* The shared secret: the x coordinate of d * Q, exactly crypto_ec_size
 * bytes into out. priv: a private EC key; point: the peer's uncompressed
 * point 04||X||Y on the same curve, validated (on the curve, not the
 * point at infinity, coordinates below p): otherwise
 * CKR_ATTRIBUTE_VALUE_INVALID (the caller maps it to the code of its
 * context). A result at infinity: CKR_ATTRIBUTE_VALUE_INVALID. */
CK_RV crypto_ecdh(const crypto_key *priv, const uint8_t *point, size_t len,
		  uint8_t *out) IOT_MUST_CHECK;

#endif
