/*
 * ECDSA nonces (SECURITY.md row 31: "nonces RFC 6979-style or hedged"), on
 * the backend the module is built with:
 *
 *   test_distinct_r: 2,000 P-256 signatures of one digest with one key have
 *     2,000 different r (r is the x of kG: a repeated r is a repeated nonce,
 *     which gives the key away) and all verify.
 *   test_hedged_fixed_rng: the randomness the signing code sees is replaced
 *     by a generator that returns the same bytes on every call. Then two
 *     signatures of one digest with one key are the same (the proof that the
 *     replacement reached the nonce: with the real generator they differ),
 *     while two digests under one key, and one digest under two keys, give
 *     different r: the nonce is derived from the key and the digest as well
 *     as from the generator, so a broken generator does not repeat nonces.
 *
 * How the generator is replaced:
 *   OpenSSL backend: OpenSSL 3.0 takes the nonce from BN_generate_dsa_nonce
 *     (SHA-512 of the private key, the digest and RAND_priv_bytes_ex output)
 *     inside its default provider, which the backend uses on the default
 *     library context. RAND_priv_bytes_ex and RAND_bytes_ex first ask
 *     RAND_get_rand_method(): a method other than RAND_OpenSSL() answers
 *     every request of the process, the provider's included.
 *     RAND_set_rand_method is deprecated in 3.0 but still in the library; a
 *     TEST-RAND EVP_RAND cannot stand in for the default library context's
 *     DRBGs on 3.0 (it needs its output set as a parameter, which
 *     RAND_set_DRBG_type cannot pass, and RAND_set0_private is 3.1).
 *   mbedTLS backend: src/crypto/mbedtls_ecdsa.c seeds the HMAC_DRBG that
 *     mbedtls_ecdsa_sign draws the nonce (and its blinding) from with the
 *     scalar, the digest and 32 bytes of crypto_random; this program is
 *     linked with -Wl,--wrap=crypto_random (tests/CMakeLists.txt), so that
 *     call lands in __wrap_crypto_random below, which passes through to the
 *     real one except while the fixed generator is on. mbedtls.c is not
 *     touched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"

#ifndef IOTOKEN_CRYPTO_MBEDTLS
#define OPENSSL_SUPPRESS_DEPRECATED /* RAND_set_rand_method */
#include <openssl/rand.h>
#endif

#define N_SIGS 2000
#define SIZE 32 /* P-256 */

/* ---- The fixed generator ---- */

static int fixed_on;
static unsigned long fixed_calls;

static void fixed_fill(unsigned char *out, size_t n)
{
	/* The same bytes for every request: what a generator stuck in one
	 * state (a VM snapshot restored, a seed that never changed) gives. */
	memset(out, 0x5a, n);
	fixed_calls++;
}

#ifdef IOTOKEN_CRYPTO_MBEDTLS

CK_RV __real_crypto_random(void *buf, size_t n);
CK_RV __wrap_crypto_random(void *buf, size_t n);

CK_RV __wrap_crypto_random(void *buf, size_t n)
{
	if (!fixed_on)
		return __real_crypto_random(buf, n);
	fixed_fill(buf, n);
	return CKR_OK;
}

static void fixed_rng(int on)
{
	fixed_on = on;
}

#else

static int fixed_bytes(unsigned char *out, int n)
{
	if (n < 0)
		return 0;
	fixed_fill(out, (size_t)n);
	return 1;
}

static int fixed_status(void)
{
	return 1;
}

static const RAND_METHOD fixed_method = {
	.bytes = fixed_bytes,
	.pseudorand = fixed_bytes,
	.status = fixed_status,
};

static void fixed_rng(int on)
{
	static const RAND_METHOD *saved;

	if (on) {
		saved = RAND_get_rand_method();
		assert_int_equal(RAND_set_rand_method(&fixed_method), 1);
	} else {
		assert_int_equal(RAND_set_rand_method(saved), 1);
	}
	fixed_on = on;
}

#endif

/* ---- Helpers ---- */

static crypto_key *p256_key(uint8_t fill)
{
	uint8_t d[SIZE];
	crypto_key *k = NULL;

	memset(d, fill, sizeof(d));
	d[0] = 0x11; /* below the order */
	assert_int_equal(crypto_ec_private(CURVE_P256, d, sizeof(d), &k), CKR_OK);
	return k;
}

static void sign_ok(const crypto_key *k, const uint8_t *digest, uint8_t sig[2 * SIZE])
{
	assert_int_equal(crypto_sign(k, SIG_ECDSA, NULL, digest, SIZE, sig), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, digest, SIZE, sig, 2 * SIZE), CKR_OK);
}

static int cmp_r(const void *a, const void *b)
{
	return memcmp(a, b, SIZE);
}

/* ---- Tests ---- */

static void test_distinct_r(void **state)
{
	uint8_t(*r)[SIZE] = malloc(N_SIGS * SIZE);
	uint8_t digest[SIZE], sig[2 * SIZE];
	crypto_key *k = p256_key(0x42);
	size_t i, same = 0;

	(void)state;
	assert_non_null(r);
	memset(digest, 0xd1, sizeof(digest));
	for (i = 0; i < N_SIGS; i++) {
		sign_ok(k, digest, sig);
		memcpy(r[i], sig, SIZE);
	}
	qsort(r, N_SIGS, SIZE, cmp_r);
	for (i = 1; i < N_SIGS; i++)
		same += memcmp(r[i - 1], r[i], SIZE) == 0;
	assert_int_equal(same, 0);
	free(r);
	crypto_key_unref(k);
}

static void test_hedged_fixed_rng(void **state)
{
	uint8_t d1[SIZE], d2[SIZE], real1[2 * SIZE], real2[2 * SIZE];
	uint8_t a[2 * SIZE], b[2 * SIZE], c[2 * SIZE], e[2 * SIZE];
	crypto_key *k1 = p256_key(0x42), *k2 = p256_key(0x43);

	(void)state;
	memset(d1, 0xd1, sizeof(d1));
	memset(d2, 0xd1, sizeof(d2));
	d2[SIZE - 1] ^= 1;

	/* The real generator: one digest, one key, two different
	 * signatures. */
	sign_ok(k1, d1, real1);
	sign_ok(k1, d1, real2);
	assert_memory_not_equal(real1, real2, 2 * SIZE);

	fixed_rng(1);
	fixed_calls = 0;
	sign_ok(k1, d1, a);
	sign_ok(k1, d1, b);
	sign_ok(k1, d2, c);
	sign_ok(k2, d1, e);
	fixed_rng(0);

	/* The fixed generator was asked, and it is all the randomness the
	 * signature had: the same inputs give the same signature. */
	assert_true(fixed_calls > 0);
	assert_memory_equal(a, b, 2 * SIZE);
	/* Hedged: another digest or another key, another nonce. */
	assert_memory_not_equal(a, c, SIZE);
	assert_memory_not_equal(a, e, SIZE);
	assert_memory_not_equal(c, e, SIZE);

	/* The real generator is back. */
	sign_ok(k1, d1, real1);
	assert_memory_not_equal(real1, a, SIZE);
	crypto_key_unref(k1);
	crypto_key_unref(k2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distinct_r),
		cmocka_unit_test(test_hedged_fixed_rng),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
