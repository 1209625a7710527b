/*
 * RSA signing against faults, and its blinding (SECURITY.md row 32: "signing
 * uses blinding and verifies its own signature before release"), on the
 * backend the module is built with. The key objects are built or changed
 * here below crypto.h (the backend's own header), to get keys that import
 * refuses (tests/api/test_rsa_crt_fault.c shows it does).
 *
 *   test_crt_fault: a key object whose CRT values are wrong (dP, qInv or p
 *     off by a bit: a Bellcore/Boneh-DeMillo-Lipton fault, where one CRT
 *     half is wrong and the signature factors the modulus). OpenSSL: the key
 *     is made with EVP_PKEY_fromdata, which checks nothing, and the module
 *     skips its own check for it (openssl_rsa_fault.c); OpenSSL's check in
 *     rsa_ossl_mod_exp must catch the fault and sign again with d: every
 *     signature released verifies under the public key, for PKCS#1 v1.5
 *     (raw and SHA-256 DigestInfo inputs) and PSS, with and without the
 *     module's check. mbedTLS: the context's DP, QP or P is changed after
 *     import; nothing verifiable can come out, so every signature is refused
 *     (CKR_FUNCTION_FAILED) and the output is zero.
 *   test_fault_hook, test_fault_hook_c_sign: the test hook of
 *     openssl_rsa_sig.c / mbedtls_rsa_sig.c (crypto_rsa_fault_bit, compiled
 *     with IOT_TEST_HOOKS) flips one bit of the signature after the private
 *     operation, before the module's check. For a key the module checks (no
 *     CRT parts on OpenSSL; every key on mbedTLS) signing returns
 *     CKR_FUNCTION_FAILED and the output buffer holds zeros, not the faulty
 *     signature; through C_Sign as well.
 *   test_blinding: OpenSSL: PKCS#1 v1.5 signing asks for no randomness,
 *     except blinding (BN_BLINDING_create_param, again every 32 uses):
 *     with a counting RAND_METHOD, 80 signatures with the module's key ask
 *     for random bytes, as do those of a legacy RSA key with blinding on,
 *     and those of one with RSA_blinding_off ask for none (the control:
 *     the count measures blinding). The module's key is a provider key, on
 *     which no public call can switch blinding off. mbedTLS: the signing
 *     call passes the backend's generator to mbedtls_rsa_private (base and
 *     exponent blinding): this program is linked with
 *     -Wl,--wrap=crypto_mbed_rng (tests/CMakeLists.txt) and counts the
 *     calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iotoken/pkcs11.h"
#include "crypto/crypto.h"

#ifdef IOTOKEN_CRYPTO_MBEDTLS
#include "crypto/mbedtls_key.h"
#else
#define OPENSSL_SUPPRESS_DEPRECATED /* RAND_METHOD and the legacy RSA control */
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "crypto/openssl_key.h"
#endif

/* The hook of openssl_rsa_sig.c / mbedtls_rsa_sig.c; a build without test
 * hooks skips the tests that need it. */
#if IOT_TEST_HOOKS
extern unsigned long crypto_rsa_fault_bit;
#else
static unsigned long crypto_rsa_fault_bit;
#endif

#define K 256 /* RSA-2048 */

/* DigestInfo of SHA-256 (RFC 8017 9.2 note 1), what CKM_SHA256_RSA_PKCS
 * signs with CKM_RSA_PKCS. */
static const uint8_t sha256_prefix[19] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
					   0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					   0x01, 0x05, 0x00, 0x04, 0x20 };

static crypto_key *key, *pub;
static uint8_t *parts[RSA_PARTS];
static size_t lens[RSA_PARTS];

static int setup(void **state)
{
	crypto_bytes b[RSA_PARTS] = { 0 };

	(void)state;
	if (crypto_rsa_generate(2048, NULL, 0, &key) != CKR_OK ||
	    crypto_rsa_parts(key, parts, lens) != CKR_OK)
		return -1;
	b[RSA_N].p = parts[RSA_N];
	b[RSA_N].len = lens[RSA_N];
	b[RSA_E].p = parts[RSA_E];
	b[RSA_E].len = lens[RSA_E];
	return crypto_rsa_public(b, &pub) == CKR_OK ? 0 : -1;
}

static int teardown(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < RSA_PARTS; i++)
		port_free_secret(parts[i], lens[i]);
	crypto_key_unref(key);
	crypto_key_unref(pub);
	return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* The three inputs of the row: CKM_RSA_PKCS (36 raw bytes, as TLS 1.0
 * signs), CKM_SHA256_RSA_PKCS (the DigestInfo) and CKM_RSA_PKCS_PSS (a
 * SHA-256 hash, salt 32). */
enum input { IN_RAW, IN_SHA256, IN_PSS, IN_COUNT };

static const crypto_pss pss = { HASH_SHA256, HASH_SHA256, 32 };

static size_t make_input(enum input which, uint8_t seq, uint8_t *in)
{
	memset(in, 0x30 + seq, 51);
	if (which == IN_RAW)
		return 36;
	if (which == IN_SHA256) {
		memcpy(in, sha256_prefix, sizeof(sha256_prefix));
		return sizeof(sha256_prefix) + 32;
	}
	return 32;
}

static CK_RV sign_input(const crypto_key *k, enum input which, const uint8_t *in, size_t n,
			uint8_t *sig)
{
	if (which == IN_PSS)
		return crypto_sign(k, SIG_RSA_PSS, &pss, in, n, sig);
	return crypto_sign(k, SIG_RSA_PKCS1, NULL, in, n, sig);
}

static CK_RV verify_input(enum input which, const uint8_t *in, size_t n, const uint8_t *sig)
{
	if (which == IN_PSS)
		return crypto_verify(pub, SIG_RSA_PSS, &pss, in, n, sig, K);
	return crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, n, sig, K);
}

/* A private key of the parts with one of them changed (bit 1 flipped: an
 * odd prime stays odd). */
static void corrupt(int part, uint8_t *copy[RSA_PARTS])
{
	int i;

	for (i = 0; i < RSA_PARTS; i++) {
		copy[i] = malloc(lens[i]);
		assert_non_null(copy[i]);
		memcpy(copy[i], parts[i], lens[i]);
	}
	copy[part][lens[part] - 1] ^= 0x02;
}

static void free_copy(uint8_t *copy[RSA_PARTS])
{
	int i;

	for (i = 0; i < RSA_PARTS; i++)
		free(copy[i]);
}

#ifndef IOTOKEN_CRYPTO_MBEDTLS

/* ---- OpenSSL: keys made without the backend's checks ---- */

static crypto_key *unchecked_key(uint8_t *const v[RSA_PARTS])
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn[RSA_PARTS] = { 0 };
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM *params;
	crypto_key *k = NULL;
	int i;

	assert_non_null(bld);
	assert_non_null(ctx);
	for (i = 0; i < RSA_PARTS; i++) {
		bn[i] = BN_bin2bn(v[i], (int)lens[i], NULL);
		assert_non_null(bn[i]);
		assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, crypto_ossl_rsa_params[i], bn[i]), 1);
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	assert_non_null(params);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params), 1);
	assert_int_equal(crypto_ossl_key_new(pkey, KEY_RSA, 1, CURVE_COUNT, &k), CKR_OK);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	for (i = 0; i < RSA_PARTS; i++)
		BN_clear_free(bn[i]);
	return k;
}

/* Every signature of k verifies. */
static void all_verify(const crypto_key *k)
{
	uint8_t in[64], sig[K];
	size_t n;
	int which, seq;

	for (which = 0; which < IN_COUNT; which++) {
		for (seq = 0; seq < 4; seq++) {
			n = make_input((enum input)which, (uint8_t)seq, in);
			memset(sig, 0xee, sizeof(sig));
			assert_int_equal(sign_input(k, (enum input)which, in, n, sig), CKR_OK);
			if (verify_input((enum input)which, in, n, sig) != CKR_OK)
				fail_msg("a faulty signature was released (input %d, %d)", which,
					 seq);
		}
	}
}

static void test_crt_fault(void **state)
{
	static const int bad[] = { RSA_DP, RSA_QINV, RSA_P };
	uint8_t *copy[RSA_PARTS];
	crypto_key *k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		corrupt(bad[i], copy);
		k = unchecked_key(copy);
		/* The module leaves the check to OpenSSL for this key... */
		assert_int_equal(k->crt_checked, 1);
		all_verify(k);
		/* ...and with its own check, the same. */
		k->crt_checked = 0;
		all_verify(k);
		crypto_key_unref(k);
		free_copy(copy);
	}
}

/* A key the module checks every signature of: no CRT parts. */
static crypto_key *checked_key(void)
{
	crypto_bytes b[RSA_PARTS] = { 0 };
	crypto_key *k = NULL;
	int i;

	for (i = RSA_N; i <= RSA_D; i++) {
		b[i].p = parts[i];
		b[i].len = lens[i];
	}
	assert_int_equal(crypto_rsa_private(b, &k), CKR_OK);
	assert_int_equal(k->crt_checked, 0);
	return k;
}

/* ---- OpenSSL: counting the randomness asked for ---- */

static unsigned long rand_calls;

static int counting_bytes(unsigned char *out, int n)
{
	rand_calls++;
	/* The default DRBG directly: RAND_bytes would come back here. */
	return n >= 0 &&
	       EVP_RAND_generate(RAND_get0_private(NULL), out, (size_t)n, 0, 0, NULL, 0) == 1;
}

static int counting_status(void)
{
	return 1;
}

static const RAND_METHOD counting = {
	.bytes = counting_bytes,
	.pseudorand = counting_bytes,
	.status = counting_status,
};

/* 80 PKCS#1 v1.5 signatures with k (or with the legacy RSA when k is
 * NULL), under the counting method; returns the number of requests. */
static unsigned long rand_requests(const crypto_key *k, RSA *legacy)
{
	const RAND_METHOD *saved = RAND_get_rand_method();
	uint8_t in[64], sig[K];
	size_t n = make_input(IN_SHA256, 0, in);
	int i;

	assert_non_null(RAND_get0_private(NULL));
	assert_int_equal(RAND_set_rand_method(&counting), 1);
	rand_calls = 0;
	for (i = 0; i < 80; i++) {
		if (k != NULL)
			assert_int_equal(crypto_sign(k, SIG_RSA_PKCS1, NULL, in, n, sig), CKR_OK);
		else
			assert_int_equal(
				RSA_private_encrypt((int)n, in, sig, legacy, RSA_PKCS1_PADDING), K);
	}
	assert_int_equal(RAND_set_rand_method(saved), 1);
	return rand_calls;
}

static RSA *legacy_rsa(int blinding)
{
	BIGNUM *v[RSA_PARTS];
	RSA *r = RSA_new();
	int i;

	assert_non_null(r);
	for (i = 0; i < RSA_PARTS; i++) {
		v[i] = BN_bin2bn(parts[i], (int)lens[i], NULL);
		assert_non_null(v[i]);
	}
	assert_int_equal(RSA_set0_key(r, v[RSA_N], v[RSA_E], v[RSA_D]), 1);
	assert_int_equal(RSA_set0_factors(r, v[RSA_P], v[RSA_Q]), 1);
	assert_int_equal(RSA_set0_crt_params(r, v[RSA_DP], v[RSA_DQ], v[RSA_QINV]), 1);
	if (!blinding)
		RSA_blinding_off(r);
	return r;
}

static void test_blinding(void **state)
{
	RSA *on = legacy_rsa(1), *off = legacy_rsa(0);
	unsigned long with_module, with_on, with_off;

	(void)state;
	with_module = rand_requests(key, NULL);
	with_on = rand_requests(NULL, on);
	with_off = rand_requests(NULL, off);
	print_message("random requests in 80 signatures: module key %lu, legacy key with "
		      "blinding %lu, without %lu\n",
		      with_module, with_on, with_off);
	assert_int_equal(with_off, 0);
	assert_true(with_on > 0);
	assert_true(with_module > 0);
	RSA_free(on);
	RSA_free(off);
}

#else /* IOTOKEN_CRYPTO_MBEDTLS */

/* ---- mbedTLS: keys changed after import ---- */

static crypto_key *imported_key(void)
{
	crypto_bytes b[RSA_PARTS];
	crypto_key *k = NULL;
	int i;

	for (i = 0; i < RSA_PARTS; i++) {
		b[i].p = parts[i];
		b[i].len = lens[i];
	}
	assert_int_equal(crypto_rsa_private(b, &k), CKR_OK);
	return k;
}

static mbedtls_mpi *part_of(crypto_key *k, int part)
{
	switch (part) {
	case RSA_DP:
		return &k->rsa.DP;
	case RSA_QINV:
		return &k->rsa.QP;
	default:
		return &k->rsa.P;
	}
}

static void test_crt_fault(void **state)
{
	static const int bad[] = { RSA_DP, RSA_QINV, RSA_P };
	uint8_t in[64], sig[K];
	crypto_key *k;
	size_t i, n;
	int which;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		k = imported_key();
		/* Bit 1 flipped: an odd value stays odd. */
		assert_int_equal(mbedtls_mpi_set_bit(part_of(k, bad[i]), 1,
						     !mbedtls_mpi_get_bit(part_of(k, bad[i]), 1)),
				 0);
		for (which = 0; which < IN_COUNT; which++) {
			n = make_input((enum input)which, 0, in);
			memset(sig, 0xee, sizeof(sig));
			assert_int_equal(sign_input(k, (enum input)which, in, n, sig),
					 CKR_FUNCTION_FAILED);
			assert_true(all_zero(sig, sizeof(sig)));
		}
		crypto_key_unref(k);
	}
	(void)corrupt;
	(void)free_copy;
	(void)verify_input;
}

/* Every key is checked on mbedTLS. */
static crypto_key *checked_key(void)
{
	return imported_key();
}

/* ---- mbedTLS: the generator passed to mbedtls_rsa_private ---- */

int __real_crypto_mbed_rng(void *p_rng, unsigned char *out, size_t len);
int __wrap_crypto_mbed_rng(void *p_rng, unsigned char *out, size_t len);

static unsigned long rng_calls;

int __wrap_crypto_mbed_rng(void *p_rng, unsigned char *out, size_t len)
{
	rng_calls++;
	return __real_crypto_mbed_rng(p_rng, out, len);
}

static void test_blinding(void **state)
{
	uint8_t in[64], sig[K];
	size_t n = make_input(IN_SHA256, 0, in);

	(void)state;
	/* PKCS#1 v1.5 needs no randomness: every call is blinding. */
	rng_calls = 0;
	assert_int_equal(crypto_sign(key, SIG_RSA_PKCS1, NULL, in, n, sig), CKR_OK);
	print_message("generator calls in one signature: %lu\n", rng_calls);
	assert_true(rng_calls > 0);
}

#endif

/* ---- The fault hook ---- */

static void test_fault_hook(void **state)
{
	uint8_t in[64], good[K], faulty[K], sig[K];
	crypto_key *k;
	size_t n;
	int which;

	(void)state;
	if (!IOT_TEST_HOOKS)
		skip();
	k = checked_key();
	/* The reference: the deterministic PKCS#1 v1.5 signature, and the
	 * one the hook makes of it (lowest bit flipped). */
	n = make_input(IN_SHA256, 0, in);
	assert_int_equal(sign_input(k, IN_SHA256, in, n, good), CKR_OK);
	memcpy(faulty, good, K);
	faulty[K - 1] ^= 0x01;

	crypto_rsa_fault_bit = 1;
	for (which = 0; which < IN_COUNT; which++) {
		n = make_input((enum input)which, 0, in);
		memset(sig, 0xee, sizeof(sig));
		assert_int_equal(sign_input(k, (enum input)which, in, n, sig), CKR_FUNCTION_FAILED);
		assert_true(all_zero(sig, sizeof(sig)));
	}
	/* A bit in the middle and the top one, too. */
	n = make_input(IN_SHA256, 0, in);
	crypto_rsa_fault_bit = 1000;
	assert_int_equal(sign_input(k, IN_SHA256, in, n, sig), CKR_FUNCTION_FAILED);
	assert_true(all_zero(sig, sizeof(sig)));
	crypto_rsa_fault_bit = 8 * K;
	assert_int_equal(sign_input(k, IN_SHA256, in, n, sig), CKR_FUNCTION_FAILED);
	assert_true(all_zero(sig, sizeof(sig)));
	assert_memory_not_equal(sig, faulty, K);
	crypto_rsa_fault_bit = 0;

	/* The hook off: the same key signs. */
	assert_int_equal(sign_input(k, IN_SHA256, in, n, sig), CKR_OK);
	assert_memory_equal(sig, good, K);
	crypto_key_unref(k);
}

/* The same through C_Sign: CKR_FUNCTION_FAILED and the caller's buffer
 * without the faulty signature. */
static void test_fault_hook_c_sign(void **state)
{
	static const char so_pin[] = "so-pin-123456", user_pin[] = "user-pin-4321";
	char dir[] = "/tmp/iotoken-rsa-fault-XXXXXX", conf[64], cmd[64];
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof(cls) },
			     { CKA_KEY_TYPE, &kt, sizeof(kt) },
			     { CKA_SIGN, &yes, sizeof(yes) },
			     { CKA_MODULUS, parts[RSA_N], lens[RSA_N] },
			     { CKA_PUBLIC_EXPONENT, parts[RSA_E], lens[RSA_E] },
			     { CKA_PRIVATE_EXPONENT, parts[RSA_D], lens[RSA_D] } };
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_FUNCTION_LIST_PTR p11;
	CK_UTF8CHAR label[32];
	CK_SLOT_ID slot = 0;
	CK_ULONG count = 1, siglen;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h;
	uint8_t sig[K];
	FILE *f;

	(void)state;
	if (!IOT_TEST_HOOKS)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/iotoken.conf", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "dir = %s/store\npbkdf2_iterations = 1000\n", dir);
	fclose(f);
	setenv("IOTOKEN_CONF", conf, 1);

	assert_int_equal(C_GetFunctionList(&p11), CKR_OK);
	assert_int_equal(p11->C_Initialize(NULL), CKR_OK);
	assert_int_equal(p11->C_GetSlotList(CK_FALSE, &slot, &count), CKR_OK);
	memset(label, ' ', sizeof(label));
	assert_int_equal(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), label),
			 CKR_OK);
	assert_int_equal(
		p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s),
		CKR_OK);
	assert_int_equal(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin)), CKR_OK);
	assert_int_equal(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin)), CKR_OK);
	assert_int_equal(p11->C_Logout(s), CKR_OK);
	assert_int_equal(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin)),
			 CKR_OK);
	assert_int_equal(p11->C_CreateObject(s, t, sizeof(t) / sizeof(t[0]), &h), CKR_OK);

	crypto_rsa_fault_bit = 1;
	assert_int_equal(p11->C_SignInit(s, &m, h), CKR_OK);
	memset(sig, 0xee, sizeof(sig));
	siglen = sizeof(sig);
	assert_int_equal(p11->C_Sign(s, (CK_BYTE_PTR) "abc", 3, sig, &siglen), CKR_FUNCTION_FAILED);
	assert_true(all_zero(sig, sizeof(sig)));
	crypto_rsa_fault_bit = 0;
	/* The operation ended with the error; a new one signs. */
	assert_int_equal(p11->C_SignInit(s, &m, h), CKR_OK);
	siglen = sizeof(sig);
	assert_int_equal(p11->C_Sign(s, (CK_BYTE_PTR) "abc", 3, sig, &siglen), CKR_OK);
	assert_int_equal(siglen, K);
	assert_false(all_zero(sig, sizeof(sig)));

	assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A failed test leaves the hook off for the next one. */
static int hook_off(void **state)
{
	(void)state;
	crypto_rsa_fault_bit = 0;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_crt_fault, hook_off),
		cmocka_unit_test_teardown(test_fault_hook, hook_off),
		cmocka_unit_test_teardown(test_fault_hook_c_sign, hook_off),
		cmocka_unit_test_teardown(test_blinding, hook_off),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
