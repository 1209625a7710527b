/*
 * Symmetric crypto for the token's secret keys (issue 10): AES modes, AES
 * key wrap, HMAC and CMAC. Backends: openssl_sym.c, mbedtls_sym.c. Keys are
 * raw bytes: the caller owns (and wipes) them; a context copies what it
 * needs and wipes it when freed.
 */
#ifndef IOTOKEN_CRYPTO_SYM_H
#define IOTOKEN_CRYPTO_SYM_H

#include "crypto/crypto.h"

#define CRYPTO_AES_BLOCK 16
#define CRYPTO_GCM_MAX_IV 128    /* bytes (OpenSSL 3.0's GCM limit); PKCS#11 allows 2^32 - 1 bits */
#define CRYPTO_GCM_MAX_AAD 65536 /* bytes */

/* ---- AES ciphers ---- */

enum crypto_aes_mode { AES_ECB, AES_CBC, AES_CBC_PAD, AES_CTR, AES_GCM };

typedef struct crypto_aes_params {
	/* CBC, CBC_PAD: the 16-byte IV. CTR: the 16-byte initial counter
	 * block. GCM: the IV, 1..CRYPTO_GCM_MAX_IV bytes. ECB: none. */
	const uint8_t *iv;
	size_t iv_len;
	/* CTR: how many low bits of the counter block count (1..128); the
	 * operation refuses to go past 2^ctr_bits blocks (the counter would
	 * wrap and repeat the key stream): CKR_DATA_LEN_RANGE. */
	size_t ctr_bits;
	/* GCM: additional data (0..CRYPTO_GCM_MAX_AAD bytes) and tag length
	 * in bytes (4, 8, 12..16). */
	const uint8_t *aad;
	size_t aad_len;
	size_t tag_len;
} crypto_aes_params;

typedef struct crypto_aes crypto_aes;

/*
 * A cipher context. key_len 16, 24 or 32 (else CKR_KEY_SIZE_RANGE);
 * parameters of the wrong shape for the mode (IV length, ctr_bits, tag
 * length, aad length): CKR_MECHANISM_PARAM_INVALID.
 */
CK_RV crypto_aes_new(enum crypto_aes_mode mode, int encrypt, const uint8_t *key, size_t key_len,
		     const crypto_aes_params *p, crypto_aes **out) IOT_MUST_CHECK;

/*
 * The exact number of bytes crypto_aes_update writes for n more input
 * bytes, given what the context holds back:
 *   ECB, CBC (no padding): the whole blocks of held + n;
 *   CBC_PAD encrypt: the same; CBC_PAD decrypt: the same but the last whole
 *     block is always held back (it may be the padding) until final;
 *   CTR: n;
 *   GCM encrypt: n; GCM decrypt: 0 (nothing is released before the tag is
 *     checked: the ciphertext is held until final).
 * SIZE_MAX when held + n overflows.
 */
size_t crypto_aes_update_len(const crypto_aes *c, size_t n);
/* out has room for crypto_aes_update_len(c, n) bytes (the caller checks);
 * *outlen gets the bytes written. CTR past its counter: CKR_DATA_LEN_RANGE;
 * GCM decrypt holding more than 2^31 bytes: CKR_DATA_LEN_RANGE. */
CK_RV crypto_aes_update(crypto_aes *c, const uint8_t *in, size_t n, uint8_t *out,
			size_t *outlen) IOT_MUST_CHECK;

/*
 * The most crypto_aes_final writes: exact except for CBC_PAD decrypt, where
 * it is 15 (the padding is only known once the last block is decrypted:
 * at most 15 bytes remain after the whole blocks update released):
 *   ECB, CBC: 0; CTR: 0;
 *   CBC_PAD encrypt: 16; CBC_PAD decrypt: 15 (bound);
 *   GCM encrypt: tag_len; GCM decrypt: held - tag_len (0 if fewer).
 */
size_t crypto_aes_final_len(const crypto_aes *c);
/*
 * Ends the operation; out has room for crypto_aes_final_len(c) bytes.
 * ECB, CBC with a partial block held: CKR_DATA_LEN_RANGE (encrypt) /
 * CKR_ENCRYPTED_DATA_LEN_RANGE (decrypt). CBC_PAD decrypt: no whole block
 * held or a partial one: CKR_ENCRYPTED_DATA_LEN_RANGE; bad padding:
 * CKR_ENCRYPTED_DATA_INVALID (the check of the padding bytes does not
 * branch on them). GCM decrypt: fewer than tag_len bytes held:
 * CKR_ENCRYPTED_DATA_LEN_RANGE; tag mismatch: CKR_ENCRYPTED_DATA_INVALID
 * with nothing written to out. The context cannot be used after final.
 */
CK_RV crypto_aes_final(crypto_aes *c, uint8_t *out, size_t *outlen) IOT_MUST_CHECK;

/* Wipes and frees; NULL is fine. */
void crypto_aes_free(crypto_aes *c);

/* ---- AES key wrap (RFC 3394, CKM_AES_KEY_WRAP) and with padding (RFC
 * 5649, CKM_AES_KEY_WRAP_PAD); the default IVs only. ----
 * Wrap: without padding the input is a multiple of 8 bytes, at least 16
 * (else CKR_DATA_LEN_RANGE); with padding 1 byte or more. The output is
 * crypto_aes_wrap_len(pad, n) bytes.
 * Unwrap: input a multiple of 8, at least 16 (24 without padding), else
 * CKR_ENCRYPTED_DATA_LEN_RANGE; integrity check failed:
 * CKR_ENCRYPTED_DATA_INVALID with nothing in out. *outlen gets the length
 * (n - 8 without padding; the encoded length with), out has room for n - 8.
 * Key length as crypto_aes_new. */
size_t crypto_aes_wrap_len(int pad, size_t n);
CK_RV crypto_aes_wrap(int pad, const uint8_t *key, size_t key_len, const uint8_t *in, size_t n,
		      uint8_t *out) IOT_MUST_CHECK;
CK_RV crypto_aes_unwrap(int pad, const uint8_t *key, size_t key_len, const uint8_t *in, size_t n,
			uint8_t *out, size_t *outlen) IOT_MUST_CHECK;

/* ---- MACs ---- */

enum crypto_mac_alg { MAC_HMAC, MAC_CMAC };

typedef struct crypto_mac crypto_mac;

/* HMAC with hash h (any key length, empty too); CMAC with AES (h ignored,
 * key 16/24/32 else CKR_KEY_SIZE_RANGE). */
CK_RV crypto_mac_new(enum crypto_mac_alg alg, enum crypto_hash h, const uint8_t *key,
		     size_t key_len, crypto_mac **out) IOT_MUST_CHECK;
/* Full MAC length: crypto_hash_len(h) for HMAC, 16 for CMAC. */
size_t crypto_mac_len(const crypto_mac *m);
CK_RV crypto_mac_update(crypto_mac *m, const void *data, size_t n) IOT_MUST_CHECK;
/* Writes crypto_mac_len(m) bytes; the context cannot be updated after. */
CK_RV crypto_mac_final(crypto_mac *m, uint8_t *out) IOT_MUST_CHECK;
void crypto_mac_free(crypto_mac *m);

#endif
