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

/* Called in a child after fork() before the first use of the DRBG (POSIX
 * hosts; the device profile has no fork). */
#if !IOT_DEVICE
void crypto_fork_reseed(void);
#endif

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

/* ---- Digests ---- */

enum crypto_hash { HASH_SHA1, HASH_SHA224, HASH_SHA256, HASH_SHA384, HASH_SHA512, HASH_COUNT };

#define CRYPTO_MAX_HASH_LEN 64

/* Output length in bytes (20, 28, 32, 48, 64). */
size_t crypto_hash_len(enum crypto_hash h);

typedef struct crypto_digest crypto_digest;
CK_RV crypto_digest_new(enum crypto_hash h, crypto_digest **out) IOT_MUST_CHECK;
CK_RV crypto_digest_update(crypto_digest *d, const void *data, size_t n) IOT_MUST_CHECK;
/* Writes crypto_hash_len(h) bytes; the context cannot be updated after. */
CK_RV crypto_digest_final(crypto_digest *d, uint8_t *out) IOT_MUST_CHECK;
/* Whether final was called (its state then holds nothing but the output). */
int crypto_digest_finished(const crypto_digest *d);
/* Starts a new digest of h in a context of any earlier one: what
 * crypto_digest_new does, without allocating. */
CK_RV crypto_digest_restart(crypto_digest *d, enum crypto_hash h) IOT_MUST_CHECK;
void crypto_digest_free(crypto_digest *d);

/* ---- Keys ----
 * A crypto_key is immutable once made and reference counted (the counter
 * is atomic: two threads may sign with one key at once). The last unref
 * wipes and frees the private material. Integers are big-endian unsigned
 * byte strings, as in PKCS#11 attributes; leading zero bytes are allowed
 * on input. */

enum crypto_curve { CURVE_P256, CURVE_P384, CURVE_P521, CURVE_P224, CURVE_COUNT };

typedef struct crypto_key crypto_key;

crypto_key *crypto_key_ref(crypto_key *k);
void crypto_key_unref(crypto_key *k);
int crypto_key_is_private(const crypto_key *k);

/* The curve named by a DER-encoded namedCurve OID (CKA_EC_PARAMS);
 * CKR_CURVE_NOT_SUPPORTED for another valid OID, CKR_ATTRIBUTE_VALUE_INVALID
 * for bytes that are not one DER OID. */
CK_RV crypto_ec_curve(const uint8_t *params, size_t len, enum crypto_curve *out) IOT_MUST_CHECK;
/* The DER OID of a curve (for CKA_EC_PARAMS of generated keys). */
const uint8_t *crypto_ec_params(enum crypto_curve c, size_t *len);
/* Field element / order length in bytes: 32, 48, 66. */
size_t crypto_ec_size(enum crypto_curve c);
/* Curve size in bits: 256, 384, 521. */
size_t crypto_ec_bits(enum crypto_curve c);

/* A public key from an uncompressed point 04||X||Y (no DER wrapping);
 * CKR_ATTRIBUTE_VALUE_INVALID unless the point is on the curve and not the
 * point at infinity. */
CK_RV crypto_ec_public(enum crypto_curve c, const uint8_t *point, size_t len,
		       crypto_key **out) IOT_MUST_CHECK;
/* A private key from its scalar (1 <= d <= n-1, else
 * CKR_ATTRIBUTE_VALUE_INVALID); the public point is computed. */
CK_RV crypto_ec_private(enum crypto_curve c, const uint8_t *d, size_t len,
			crypto_key **out) IOT_MUST_CHECK;
CK_RV crypto_ec_generate(enum crypto_curve c, crypto_key **out) IOT_MUST_CHECK;
/* The uncompressed point (1 + 2 * crypto_ec_size bytes) of a public or
 * private key; *len in: room, out: bytes written. */
CK_RV crypto_ec_point(const crypto_key *k, uint8_t *out, size_t *len) IOT_MUST_CHECK;
/* The scalar of a private key, exactly crypto_ec_size bytes. */
CK_RV crypto_ec_scalar(const crypto_key *k, uint8_t *out, size_t *len) IOT_MUST_CHECK;
CK_RV crypto_key_curve(const crypto_key *k, enum crypto_curve *out) IOT_MUST_CHECK;

enum crypto_rsa_part { RSA_N, RSA_E, RSA_D, RSA_P, RSA_Q, RSA_DP, RSA_DQ, RSA_QINV, RSA_PARTS };

typedef struct crypto_bytes {
	const uint8_t *p;
	size_t len; /* 0: not given */
} crypto_bytes;

#define CRYPTO_RSA_MIN_BITS 1024
#define CRYPTO_RSA_MAX_BITS 8192

/* A public key from N and E (other parts ignored). CKR_ATTRIBUTE_VALUE_INVALID
 * for an even or out-of-range modulus (CRYPTO_RSA_MIN_BITS..MAX_BITS) or an
 * even exponent or one < 3. */
CK_RV crypto_rsa_public(const crypto_bytes parts[RSA_PARTS], crypto_key **out) IOT_MUST_CHECK;
/* A private key: N and D required; E, when absent, is computed from D, P
 * and Q (without E and without P and Q: CKR_TEMPLATE_INCOMPLETE, since
 * blinding and the check of each signature need E). P and Q both or
 * neither, and CRT values only with them (else CKR_TEMPLATE_INCOMPLETE);
 * the missing CRT values are computed. Inconsistent parts, or a key whose
 * trial signature fails, give CKR_ATTRIBUTE_VALUE_INVALID. */
CK_RV crypto_rsa_private(const crypto_bytes parts[RSA_PARTS], crypto_key **out) IOT_MUST_CHECK;
/* bits a multiple of 8 in [2048, 4096] is what the token asks for;
 * e NULL/0 means 65537. */
CK_RV crypto_rsa_generate(size_t bits, const uint8_t *e, size_t elen,
			  crypto_key **out) IOT_MUST_CHECK;
/* Every part the key has, each in a new port_malloc buffer (the caller
 * wipes and frees them with port_free_secret); absent parts have len 0. */
CK_RV crypto_rsa_parts(const crypto_key *k, uint8_t *parts[RSA_PARTS],
		       size_t lens[RSA_PARTS]) IOT_MUST_CHECK;
/* Without RSA (IOT_WITH_RSA 0, iotoken/defaults.h) no RSA key can be made:
 * the template's CKA_KEY_TYPE is a value this token does not take. */
#if !IOT_WITH_RSA
#define crypto_rsa_public(parts, out) ((void)(parts), (void)(out), CKR_ATTRIBUTE_VALUE_INVALID)
#define crypto_rsa_private(parts, out) ((void)(parts), (void)(out), CKR_ATTRIBUTE_VALUE_INVALID)
#define crypto_rsa_parts(k, parts, lens) \
	((void)(k), (void)(parts), (void)(lens), CKR_KEY_TYPE_INCONSISTENT)
#endif
/* Nor generated without IOT_WITH_RSA_KEYGEN: the mechanism is not offered. */
#if !IOT_WITH_RSA_KEYGEN
#define crypto_rsa_generate(bits, e, elen, out) \
	((void)(bits), (void)(e), (void)(elen), (void)(out), CKR_MECHANISM_INVALID)
#endif
/* Modulus size in bits. */
size_t crypto_key_bits(const crypto_key *k);

/* The DER SubjectPublicKeyInfo of a key (CKA_PUBLIC_KEY_INFO), in a new
 * port_malloc buffer. */
CK_RV crypto_key_spki(const crypto_key *k, uint8_t **der, size_t *len) IOT_MUST_CHECK;

/* ---- Signatures ----
 * Over bytes the caller prepared: a hash for ECDSA and PSS, the DigestInfo
 * (or any bytes up to k - 11) for PKCS#1 v1.5. */

enum crypto_sig { SIG_ECDSA, SIG_RSA_PKCS1, SIG_RSA_PSS };

typedef struct crypto_pss {
	enum crypto_hash hash; /* the hash the input is, and the PSS hash */
	enum crypto_hash mgf1;
	size_t salt_len;
} crypto_pss;

/* Signature length: 2 * crypto_ec_size for ECDSA (raw r||s), the modulus
 * length for RSA. */
size_t crypto_sig_len(const crypto_key *k);

/* ECDSA: any input length, truncated to the order as the standard says;
 * out gets r||s, each left-padded to crypto_ec_size.
 * PKCS#1: CKR_DATA_LEN_RANGE when n > modulus length - 11.
 * PSS: CKR_DATA_LEN_RANGE when n != crypto_hash_len(pss->hash);
 * CKR_MECHANISM_PARAM_INVALID when the salt does not fit.
 * RSA signatures are verified before they are released. */
CK_RV crypto_sign(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
		  const uint8_t *in, size_t n, uint8_t *out) IOT_MUST_CHECK;
/* CKR_OK, CKR_SIGNATURE_INVALID, or CKR_SIGNATURE_LEN_RANGE when siglen is
 * not crypto_sig_len. PKCS#1 v1.5 verification rebuilds the expected
 * encoding and compares it in constant time (no lenient parsing). ECDSA
 * refuses r or s outside [1, n-1]. */
CK_RV crypto_verify(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
		    const uint8_t *in, size_t n, const uint8_t *sig, size_t siglen) IOT_MUST_CHECK;

#if IOT_TEST_HOOKS
/*
 * Fault injection for the tests (SECURITY.md row 32), in test builds only:
 * while non-zero, bit (crypto_rsa_fault_bit - 1) of every RSA signature,
 * counted from the least significant bit, is flipped after the private
 * operation and before the module's own check of the signature, as a fault
 * in the private operation would. Set only by tests
 * (tests/unit/test_crypto_rsa_fault.c); defined in the backend's RSA file.
 */
extern unsigned long crypto_rsa_fault_bit;

static inline void crypto_test_rsa_fault(uint8_t *sig, size_t len)
{
	unsigned long bit = crypto_rsa_fault_bit;

	if (bit != 0 && (bit - 1) / 8 < len)
		sig[len - 1 - (bit - 1) / 8] ^= (uint8_t)(1u << ((bit - 1) % 8));
}
#else
#define crypto_test_rsa_fault(sig, len) ((void)0)
#endif

/* ---- Certificates ---- */

/* Parses one DER X.509 certificate (nothing trailing) and returns the DER
 * of its subject Name, issuer Name and serial number INTEGER, as PKCS#11
 * stores them, each in a new port_malloc buffer (free with
 * crypto_cert_fields_free). CKR_ATTRIBUTE_VALUE_INVALID when der is not a
 * certificate. */
typedef struct crypto_cert_fields {
	uint8_t *subject, *issuer, *serial;
	size_t subject_len, issuer_len, serial_len;
} crypto_cert_fields;
CK_RV crypto_cert_parse(const uint8_t *der, size_t len, crypto_cert_fields *out) IOT_MUST_CHECK;
void crypto_cert_fields_free(crypto_cert_fields *f);

#endif
