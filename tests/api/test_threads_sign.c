/*
 * Signing from many threads at once (issue 3: "a crypto_key is immutable and
 * reference counted: two threads may sign with one key at once"): workers in
 * their own sessions sign and verify with the same EC and RSA keys, compare
 * the deterministic PKCS#1 v1.5 signature with the one made before, digest,
 * and one worker keeps copying, using and destroying a key while the others
 * sign. Runs in the TSan build too (label threads).
 *
 * Worker threads must not use cmocka: they record their first failure and
 * the test's thread asserts after joining them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

#define WORKERS 6
#define ITERATIONS 25

typedef struct worker {
	pthread_t thread;
	int id;
	char error[256];
} worker;

static CK_OBJECT_HANDLE ec_pub, ec_priv, rsa_pub, rsa_priv;
static unsigned char rsa_want[256];
static pthread_barrier_t start;

#define W_CHECK(w, cond, ...)                                                          \
	do {                                                                           \
		if (!(cond)) {                                                         \
			if ((w)->error[0] == '\0')                                     \
				snprintf((w)->error, sizeof((w)->error), __VA_ARGS__); \
			goto fail;                                                     \
		}                                                                      \
	} while (0)

#define W_RV(w, call, expected)                                                                 \
	do {                                                                                    \
		CK_RV got_ = (call);                                                            \
		W_CHECK(w, got_ == (CK_RV)(expected), "thread %d line %d: %s gave %s", (w)->id, \
			__LINE__, #call, h_rv_name(got_));                                      \
	} while (0)

static void *signer(void *arg)
{
	worker *w = arg;
	CK_MECHANISM ec = { CKM_ECDSA_SHA256, NULL, 0 }, rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM sha = { CKM_SHA384, NULL, 0 };
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	unsigned char sig[300], md[64];
	CK_ULONG n;
	int i;

	pthread_barrier_wait(&start);
	W_RV(w, p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	for (i = 0; i < ITERATIONS; i++) {
		n = sizeof(sig);
		W_RV(w, p11->C_SignInit(s, &ec, ec_priv), CKR_OK);
		W_RV(w, p11->C_Sign(s, (CK_BYTE_PTR) "abc", 3, sig, &n), CKR_OK);
		W_CHECK(w, n == 64, "thread %d: ECDSA signature of %lu bytes", w->id, n);
		W_RV(w, p11->C_VerifyInit(s, &ec, ec_pub), CKR_OK);
		W_RV(w, p11->C_Verify(s, (CK_BYTE_PTR) "abc", 3, sig, n), CKR_OK);
		n = sizeof(sig);
		W_RV(w, p11->C_SignInit(s, &rsa, rsa_priv), CKR_OK);
		W_RV(w, p11->C_SignUpdate(s, (CK_BYTE_PTR) "ab", 2), CKR_OK);
		W_RV(w, p11->C_SignUpdate(s, (CK_BYTE_PTR) "c", 1), CKR_OK);
		W_RV(w, p11->C_SignFinal(s, sig, &n), CKR_OK);
		W_CHECK(w, n == 256 && memcmp(sig, rsa_want, 256) == 0,
			"thread %d: RSA signature differs", w->id);
		W_RV(w, p11->C_VerifyInit(s, &rsa, rsa_pub), CKR_OK);
		W_RV(w, p11->C_Verify(s, (CK_BYTE_PTR) "abc", 3, sig, n), CKR_OK);
		n = sizeof(md);
		W_RV(w, p11->C_DigestInit(s, &sha), CKR_OK);
		W_RV(w, p11->C_Digest(s, (CK_BYTE_PTR) "abc", 3, md, &n), CKR_OK);
		W_CHECK(w, n == 48 && md[0] == 0xcb && md[47] == 0xa7, "thread %d: SHA-384", w->id);
	}
fail:
	if (s != CK_INVALID_HANDLE)
		(void)p11->C_CloseSession(s);
	return NULL;
}

/* Copies the EC key, starts signing with the copy, destroys it, finishes:
 * the result is a valid signature or a clean refusal, never a crash. */
static void *destroyer(void *arg)
{
	worker *w = arg;
	CK_MECHANISM ec = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_OBJECT_HANDLE copy;
	unsigned char sig[100];
	CK_ULONG n;
	CK_RV rv;
	int i;

	pthread_barrier_wait(&start);
	W_RV(w, p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	for (i = 0; i < ITERATIONS; i++) {
		W_RV(w, p11->C_CopyObject(s, ec_priv, NULL, 0, &copy), CKR_OK);
		W_RV(w, p11->C_SignInit(s, &ec, copy), CKR_OK);
		W_RV(w, p11->C_SignUpdate(s, (CK_BYTE_PTR) "abc", 3), CKR_OK);
		W_RV(w, p11->C_DestroyObject(s, copy), CKR_OK);
		n = sizeof(sig);
		rv = p11->C_SignFinal(s, sig, &n);
		W_CHECK(w, rv == CKR_OK || rv == CKR_KEY_HANDLE_INVALID,
			"thread %d: signing with a destroyed copy gave %s", w->id, h_rv_name(rv));
		if (rv == CKR_OK) {
			W_RV(w, p11->C_VerifyInit(s, &ec, ec_pub), CKR_OK);
			W_RV(w, p11->C_Verify(s, (CK_BYTE_PTR) "abc", 3, sig, n), CKR_OK);
		}
	}
fail:
	if (s != CK_INVALID_HANDLE)
		(void)p11->C_CloseSession(s);
	return NULL;
}

static void test_parallel_signing(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_MECHANISM rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	worker w[WORKERS];
	int i;

	(void)state;
	h_login(s, CKU_USER);
	h_gen_ec(s, &h_curves[0], CK_FALSE, &ec_pub, &ec_priv);
	h_import_rsa(s, &rsa_pub, &rsa_priv);
	assert_int_equal(h_sign(s, &rsa, rsa_priv, "abc", 3, rsa_want, sizeof(rsa_want)), 256);
	assert_int_equal(pthread_barrier_init(&start, NULL, WORKERS), 0);
	for (i = 0; i < WORKERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		assert_int_equal(
			pthread_create(&w[i].thread, NULL, i == 0 ? destroyer : signer, &w[i]), 0);
	}
	for (i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	pthread_barrier_destroy(&start);
	for (i = 0; i < WORKERS; i++)
		if (w[i].error[0] != '\0')
			fail_msg("%s", w[i].error);
	/* The shared keys are intact. */
	(void)h_sign_round_trip(s, CKM_ECDSA_SHA256, ec_pub, ec_priv);
	(void)h_sign_round_trip(s, CKM_SHA256_RSA_PKCS, rsa_pub, rsa_priv);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parallel_signing, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
