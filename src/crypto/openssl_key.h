/*
 * Private to the OpenSSL backend: what a crypto_key is, and the helpers the
 * openssl_*.c files share. Nothing outside src/crypto/ includes this.
 */
#ifndef IOTOKEN_CRYPTO_OPENSSL_KEY_H
#define IOTOKEN_CRYPTO_OPENSSL_KEY_H

#include <stdatomic.h>

#include <openssl/evp.h>

#include "crypto/crypto.h"

enum key_kind { KEY_EC, KEY_RSA, KEY_ED25519 };

/*
 * Immutable after crypto_ossl_key_new, so any number of threads may use it
 * at once; only refs changes. pub caches the public value every signature
 * and verification needs, so they never ask OpenSSL for it again.
 */
struct crypto_key {
	atomic_ulong refs;
	EVP_PKEY *pkey;
	enum key_kind kind;
	int priv;
	enum crypto_curve curve; /* KEY_EC only */
	size_t bits;             /* modulus bits, or curve bits (Ed25519: 256) */
	uint8_t *pub;            /* EC: 04||X||Y; RSA: the modulus, exactly k bytes;
				    Ed25519: the 32-byte encoding of RFC 8032 5.1.2 */
	size_t publen;
	/* RSA private: the key holds both primes and the CRT values, made
	 * while OpenSSL's own RSA code was in effect (openssl_rsa_fault.c) */
	int crt_checked;
};

/* The largest DER ECDSA-Sig-Value: SEQUENCE of two 66-byte INTEGERs. */
/*
 * Key types by OID, not by name. The module shares libcrypto with its host;
 * a host that made an engine the default for EC or RSA pkey methods (the
 * OpenSSL CLI with -engine pkcs11 does: ENGINE_set_default(ALL)) turns every
 * context created from the names "EC"/"RSA" into a legacy engine context on
 * which fromdata and keygen fail. Names that map to no NID, such as the
 * dotted OIDs, skip that lookup and go straight to the provider.
 */
#define KEYTYPE_EC "1.2.840.10045.2.1"
#define KEYTYPE_RSA "1.2.840.113549.1.1.1"
#define KEYTYPE_ED25519 "1.3.101.112" /* id-Ed25519, RFC 8410 3 */

#define ECDSA_DER_MAX (3 + 2 * (2 + 1 + 66))

/* Wraps pkey (ownership passes in, on failure too) with its cached public
 * value. */
CK_RV crypto_ossl_key_new(EVP_PKEY *pkey, enum key_kind kind, int priv, enum crypto_curve c,
			  crypto_key **out) IOT_MUST_CHECK;

/* The code for an OpenSSL call that failed on valid input: CKR_HOST_MEMORY
 * when OpenSSL ran out of memory, else CKR_FUNCTION_FAILED. */
CK_RV crypto_ossl_error(void);

const EVP_MD *crypto_ossl_md(enum crypto_hash h);

/* The curve's OpenSSL group name, and its order n as crypto_ec_size
 * big-endian bytes. */
const char *crypto_ossl_ec_group(enum crypto_curve c);
const uint8_t *crypto_ossl_ec_order(enum crypto_curve c);

/* The OSSL_PKEY_PARAM_RSA_* name of each enum crypto_rsa_part. */
extern const char *const crypto_ossl_rsa_params[RSA_PARTS];

/* Strips leading zero bytes of a big-endian integer; *len is updated. */
const uint8_t *crypto_ossl_strip(const uint8_t *p, size_t *len);

CK_RV crypto_ossl_ecdsa_sign(const crypto_key *k, const uint8_t *in, size_t n,
			     uint8_t *out) IOT_MUST_CHECK;
CK_RV crypto_ossl_ecdsa_verify(const crypto_key *k, const uint8_t *in, size_t n,
			       const uint8_t *sig) IOT_MUST_CHECK;
CK_RV crypto_ossl_rsa_sign(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
			   const uint8_t *in, size_t n, uint8_t *out) IOT_MUST_CHECK;
/* crypto_ossl_rsa_sign that always checks the signature with the public
 * key itself (the pairwise test of a new key: a key whose parts disagree
 * must fail there, and OpenSSL's own check would hide that). */
CK_RV crypto_ossl_rsa_sign_checked(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
				   const uint8_t *in, size_t n, uint8_t *out) IOT_MUST_CHECK;
/* Whether the process's RSA method is OpenSSL's own, with no ENGINE the
 * default for RSA (openssl_rsa_fault.c). */
int crypto_ossl_rsa_method_is_openssl(void);
/* Whether the RSA private operation that ctx (initialized for signing with
 * k) runs checks its own CRT result (openssl_rsa_fault.c). */
int crypto_ossl_rsa_self_checked(const crypto_key *k, const EVP_PKEY_CTX *ctx);
CK_RV crypto_ossl_rsa_verify(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
			     const uint8_t *in, size_t n, const uint8_t *sig) IOT_MUST_CHECK;

#endif
