/*
 * Private to the mbedTLS backend: what a crypto_key is, and the helpers the
 * mbedtls_*.c files share. Nothing outside src/crypto/ includes this.
 *
 * Memory: the backend's own allocations (keys, digest contexts, buffers)
 * go through port_malloc. mbedTLS allocates its bignum limbs and internal
 * contexts itself: Debian's 2.28 is built without MBEDTLS_PLATFORM_MEMORY,
 * so mbedtls_platform_set_calloc_free does not exist there and mbedTLS
 * calls libc's calloc/free, which is fine on a host. mbedTLS wipes what it
 * frees (mbedtls_mpi_free, mbedtls_*_free zeroize). A device build with
 * MBEDTLS_PLATFORM_MEMORY gives mbedTLS the same arena.
 */
#ifndef IOTOKEN_CRYPTO_MBEDTLS_KEY_H
#define IOTOKEN_CRYPTO_MBEDTLS_KEY_H

#include <stdatomic.h>

#include "crypto/mbedtls_compat.h"

#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/rsa.h>

#include "crypto/crypto.h"

enum key_kind { KEY_EC, KEY_RSA };

/*
 * Immutable after it is made, so any number of threads may use it at once;
 * only refs changes. The one exception is inside mbedTLS: an RSA context
 * keeps its blinding values and Montgomery constants, which
 * mbedtls_rsa_private/public update under the context's own mutex
 * (MBEDTLS_THREADING_C, on in Debian's build): operations on one RSA key
 * are serialized, on different keys they run in parallel. EC operations
 * load their own group each time (mbedtls_ecp_mul may cache in it).
 */
struct crypto_key {
	atomic_ulong refs;
	enum key_kind kind;
	int priv;
	enum crypto_curve curve; /* KEY_EC only */
	size_t bits;             /* modulus bits, or curve bits */
	uint8_t *pub;            /* EC: 04||X||Y; RSA: the modulus, exactly k bytes */
	size_t publen;
	/* KEY_EC */
	mbedtls_ecp_point q;
	mbedtls_mpi d; /* private keys */
	/* KEY_RSA */
	mbedtls_rsa_context rsa;
	/* Whether the key was given (or made with) its primes: only then are
	 * P, Q and the CRT values among its parts. A key imported from N, E
	 * and D alone signs with the primes mbedtls_rsa_complete recovers. */
	int has_primes;
};

/* A new key of kind with refs 1 and every mbedTLS structure initialized. */
CK_RV crypto_mbed_key_alloc(enum key_kind kind, int priv, enum crypto_curve c,
			    crypto_key **out) IOT_MUST_CHECK;
/* The last step of making a key k (from crypto_mbed_key_alloc) whose
 * making so far gave rv: on success pub (and bits) cached from q or the RSA
 * modulus and k handed out in *out; on any failure k freed. Returns rv or
 * the caching's error. */
CK_RV crypto_mbed_key_finish(crypto_key *k, CK_RV rv, crypto_key **out) IOT_MUST_CHECK;

/* The code for an mbedTLS call that failed on valid input: CKR_HOST_MEMORY
 * when mbedTLS ran out of memory, else CKR_FUNCTION_FAILED. */
CK_RV crypto_mbed_error(int ret);
/* The code for mbedTLS's refusal of key material: CKR_ATTRIBUTE_VALUE_INVALID,
 * unless memory ran out (CKR_HOST_MEMORY). */
CK_RV crypto_mbed_invalid(int ret);

/* The f_rng of every mbedTLS call (blinding, key generation): the backend's
 * CTR_DRBG (mbedtls.c). Returns 0 or an mbedTLS error. p_rng is unused. */
int crypto_mbed_rng(void *p_rng, unsigned char *out, size_t len);

mbedtls_md_type_t crypto_mbed_md(enum crypto_hash h);

/* The curve's group id, and its order n as crypto_ec_size big-endian
 * bytes. */
mbedtls_ecp_group_id crypto_mbed_ec_group(enum crypto_curve c);
const uint8_t *crypto_mbed_ec_order(enum crypto_curve c);

/* Strips leading zero bytes of a big-endian integer; *len is updated. */
const uint8_t *crypto_mbed_strip(const uint8_t *p, size_t *len);

/* DER length octets of n (n < 64 KiB) into out (3 bytes room); the
 * number of bytes written. */
size_t crypto_mbed_der_len(uint8_t *out, size_t n);

CK_RV crypto_mbed_ecdsa_sign(const crypto_key *k, const uint8_t *in, size_t n,
			     uint8_t *out) IOT_MUST_CHECK;
CK_RV crypto_mbed_ecdsa_verify(const crypto_key *k, const uint8_t *in, size_t n,
			       const uint8_t *sig) IOT_MUST_CHECK;
/* RSA signatures; each one is checked with the public key before it is
 * released (mbedtls_rsa_sig.c). */
CK_RV crypto_mbed_rsa_sign(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
			   const uint8_t *in, size_t n, uint8_t *out) IOT_MUST_CHECK;
CK_RV crypto_mbed_rsa_verify(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
			     const uint8_t *in, size_t n, const uint8_t *sig) IOT_MUST_CHECK;

#endif
