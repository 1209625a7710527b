/*
 * Threads (PKCS#11 v2.40 section 4.x on multi-threaded applications): many
 * threads each running whole session lifecycles on one token, one thread
 * polling token and slot information, and concurrent C_Initialize calls.
 *
 * Worker threads must not use cmocka: they record their first failure and
 * the test's thread asserts after joining them.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#define WORKERS 8
#define ITERATIONS 50

typedef struct worker {
	pthread_t thread;
	int id;
	int iterations;
	char error[256];
} worker;

static pthread_barrier_t start;
static atomic_int workers_running;

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

static CK_RV find_label(CK_SESSION_HANDLE s, const char *label, CK_OBJECT_HANDLE *out, CK_ULONG max,
			CK_ULONG *n)
{
	CK_ATTRIBUTE a = { CKA_LABEL, (void *)label, strlen(label) };
	CK_RV rv, rv2;

	rv = p11->C_FindObjectsInit(s, &a, 1);
	if (rv != CKR_OK)
		return rv;
	rv = p11->C_FindObjects(s, out, max, n);
	rv2 = p11->C_FindObjectsFinal(s);
	return rv != CKR_OK ? rv : rv2;
}

static CK_RV create(CK_SESSION_HANDLE s, const char *label, CK_BBOOL token, CK_OBJECT_HANDLE *o)
{
	CK_ULONG cls = CKO_DATA;
	CK_BBOOL priv = CK_TRUE;
	CK_ATTRIBUTE t[5] = { { CKA_CLASS, &cls, sizeof(cls) },
			      { CKA_TOKEN, &token, 1 },
			      { CKA_PRIVATE, &priv, 1 },
			      { CKA_LABEL, (void *)label, strlen(label) },
			      { CKA_VALUE, (void *)label, strlen(label) } };

	return p11->C_CreateObject(s, t, 5, o);
}

/* Checks label, value and CKA_TOKEN of o. */
static int check_object(worker *w, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, const char *label,
			CK_BBOOL token)
{
	char lab[64], val[64];
	CK_BBOOL tok = 0xA5;
	CK_ATTRIBUTE a[3] = { { CKA_LABEL, lab, sizeof(lab) },
			      { CKA_VALUE, val, sizeof(val) },
			      { CKA_TOKEN, &tok, 1 } };
	size_t len = strlen(label);

	W_RV(w, p11->C_GetAttributeValue(s, o, a, 3), CKR_OK);
	W_CHECK(w, a[0].ulValueLen == len && memcmp(lab, label, len) == 0,
		"thread %d: wrong label on %s", w->id, label);
	W_CHECK(w, a[1].ulValueLen == len && memcmp(val, label, len) == 0,
		"thread %d: wrong value on %s", w->id, label);
	W_CHECK(w, tok == token, "thread %d: wrong CKA_TOKEN on %s", w->id, label);
	return 0;
fail:
	return 1;
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_OBJECT_HANDLE so, to, found[4];
	CK_ULONG n;
	CK_RV rv;
	char sl[48], tl[48];
	int i;

	pthread_barrier_wait(&start);
	for (i = 0; i < w->iterations; i++) {
		snprintf(sl, sizeof(sl), "thread %d session %d", w->id, i);
		snprintf(tl, sizeof(tl), "thread %d token %d", w->id, i);
		W_RV(w,
		     p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
					&s),
		     CKR_OK);
		rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)H_USER_PIN, 4);
		W_CHECK(w, rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN,
			"thread %d: C_Login gave %s", w->id, h_rv_name(rv));
		W_RV(w, create(s, sl, CK_FALSE, &so), CKR_OK);
		W_RV(w, create(s, tl, CK_TRUE, &to), CKR_OK);
		W_CHECK(w, so != to, "thread %d: two objects, one handle", w->id);

		n = 99;
		W_RV(w, find_label(s, sl, found, 4, &n), CKR_OK);
		W_CHECK(w, n == 1 && found[0] == so, "thread %d: found %lu session objects", w->id,
			(unsigned long)n);
		n = 99;
		W_RV(w, find_label(s, tl, found, 4, &n), CKR_OK);
		W_CHECK(w, n == 1 && found[0] == to, "thread %d: found %lu token objects", w->id,
			(unsigned long)n);
		if (check_object(w, s, so, sl, CK_FALSE) || check_object(w, s, to, tl, CK_TRUE))
			goto fail;

		W_RV(w, p11->C_DestroyObject(s, so), CKR_OK);
		W_RV(w, p11->C_DestroyObject(s, to), CKR_OK);
		n = 99;
		W_RV(w, find_label(s, tl, found, 4, &n), CKR_OK);
		W_CHECK(w, n == 0, "thread %d: destroyed object still found", w->id);
		W_RV(w, p11->C_CloseSession(s), CKR_OK);
		s = CK_INVALID_HANDLE;
	}
	atomic_fetch_sub(&workers_running, 1);
	return NULL;
fail:
	if (s != CK_INVALID_HANDLE)
		(void)p11->C_CloseSession(s);
	atomic_fetch_sub(&workers_running, 1);
	return NULL;
}

static void *info_main(void *arg)
{
	worker *w = arg;
	CK_TOKEN_INFO ti;
	CK_SLOT_ID slots[8];
	CK_ULONG n;
	int loops = 0;

	pthread_barrier_wait(&start);
	while (atomic_load(&workers_running) > 0 || loops < 10) {
		W_RV(w, p11->C_GetTokenInfo(h_slot, &ti), CKR_OK);
		W_CHECK(w, ti.flags & CKF_TOKEN_INITIALIZED, "token info: not initialized");
		W_CHECK(w, ti.ulSessionCount <= WORKERS, "token info: %lu sessions",
			(unsigned long)ti.ulSessionCount);
		W_CHECK(w, ti.ulRwSessionCount <= ti.ulSessionCount,
			"token info: %lu R/W of %lu sessions", (unsigned long)ti.ulRwSessionCount,
			(unsigned long)ti.ulSessionCount);
		n = 8;
		W_RV(w, p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
		W_CHECK(w, n == 2, "slot list: %lu slots", (unsigned long)n);
		loops++;
	}
	w->iterations = loops;
	return NULL;
fail:
	return NULL;
}

static void test_threads_sessions(void **state)
{
	worker w[WORKERS + 1];
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE found[4];
	CK_TOKEN_INFO ti;
	int i;

	/* Two tokens: not on a one-slot device. */
	h_skip_on_device();
	(void)state;
	memset(w, 0, sizeof(w));
	atomic_store(&workers_running, WORKERS);
	assert_int_equal(pthread_barrier_init(&start, NULL, WORKERS + 1), 0);
	for (i = 0; i < WORKERS; i++) {
		w[i].id = i;
		w[i].iterations = ITERATIONS;
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_main, &w[i]), 0);
	}
	w[WORKERS].id = WORKERS;
	assert_int_equal(pthread_create(&w[WORKERS].thread, NULL, info_main, &w[WORKERS]), 0);
	for (i = 0; i <= WORKERS; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	pthread_barrier_destroy(&start);
	for (i = 0; i <= WORKERS; i++) {
		if (w[i].error[0] != '\0')
			fail_msg("%s", w[i].error);
	}
	assert_true(w[WORKERS].iterations >= 10);

	/* Everything was cleaned up: no sessions, no objects, logged out. */
	h_token_info(h_slot, &ti);
	assert_int_equal(ti.ulSessionCount, 0);
	assert_int_equal(ti.ulRwSessionCount, 0);
	s = h_open(h_slot, 0);
	assert_int_equal(h_state(s), CKS_RO_PUBLIC_SESSION);
	h_login(s, CKU_USER);
	assert_int_equal(h_find(s, NULL, 0, found, 4), 0);
	h_reinit();
	s = h_open(h_slot, 0);
	h_login(s, CKU_USER);
	assert_int_equal(h_find(s, NULL, 0, found, 4), 0);
}

/* Threads that share one session's objects: each reads what the others
 * created, while they create and destroy their own. */
typedef struct reader {
	pthread_t thread;
	CK_SESSION_HANDLE session;
	CK_OBJECT_HANDLE shared;
	int id;
	char error[256];
} reader;

static void *reader_main(void *arg)
{
	reader *r = arg;
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_OBJECT_HANDLE o, found[4];
	CK_ULONG n;
	char val[32];
	CK_ATTRIBUTE a = { CKA_VALUE, val, sizeof(val) };
	char label[32];
	int i;

	pthread_barrier_wait(&start);
	snprintf(label, sizeof(label), "reader %d", r->id);
	W_RV(r, p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	for (i = 0; i < 50; i++) {
		a.ulValueLen = sizeof(val);
		W_RV(r, p11->C_GetAttributeValue(s, r->shared, &a, 1), CKR_OK);
		W_CHECK(r, a.ulValueLen == 6 && memcmp(val, "shared", 6) == 0,
			"reader %d: shared value changed", r->id);
		W_RV(r, create(s, label, CK_FALSE, &o), CKR_USER_NOT_LOGGED_IN);
		n = 99;
		W_RV(r, find_label(s, "shared", found, 4, &n), CKR_OK);
		W_CHECK(r, n == 1 && found[0] == r->shared, "reader %d: found %lu", r->id,
			(unsigned long)n);
	}
	W_RV(r, p11->C_CloseSession(s), CKR_OK);
	return NULL;
fail:
	if (s != CK_INVALID_HANDLE)
		(void)p11->C_CloseSession(s);
	return NULL;
}

static void test_threads_shared_object(void **state)
{
	reader r[WORKERS];
	CK_SESSION_HANDLE owner = h_open(h_slot, 1);
	CK_OBJECT_HANDLE shared;
	h_tmpl t;
	int i;

	(void)state;
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_DATA);
	t_str(&t, CKA_LABEL, "shared");
	t_str(&t, CKA_VALUE, "shared");
	shared = h_create(owner, &t);
	memset(r, 0, sizeof(r));
	assert_int_equal(pthread_barrier_init(&start, NULL, WORKERS), 0);
	for (i = 0; i < WORKERS; i++) {
		r[i].id = i;
		r[i].shared = shared;
		assert_int_equal(pthread_create(&r[i].thread, NULL, reader_main, &r[i]), 0);
	}
	for (i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_join(r[i].thread, NULL), 0);
	pthread_barrier_destroy(&start);
	for (i = 0; i < WORKERS; i++) {
		if (r[i].error[0] != '\0')
			fail_msg("%s", r[i].error);
	}
	h_assert_attr(owner, shared, CKA_VALUE, "shared", 6);
}

/* Concurrent first C_Initialize calls: exactly one wins. */
static atomic_int init_ok, init_already, init_other;

static void *init_main(void *arg)
{
	CK_C_INITIALIZE_ARGS args;
	CK_RV rv;

	(void)arg;
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	pthread_barrier_wait(&start);
	rv = p11->C_Initialize(&args);
	if (rv == CKR_OK)
		atomic_fetch_add(&init_ok, 1);
	else if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED)
		atomic_fetch_add(&init_already, 1);
	else
		atomic_fetch_add(&init_other, 1);
	return NULL;
}

static void test_threads_initialize(void **state)
{
	pthread_t th[WORKERS];
	CK_INFO info;
	int round, i;

	(void)state;
	for (round = 0; round < 10; round++) {
		init_ok = init_already = init_other = 0;
		assert_int_equal(pthread_barrier_init(&start, NULL, WORKERS), 0);
		for (i = 0; i < WORKERS; i++)
			assert_int_equal(pthread_create(&th[i], NULL, init_main, NULL), 0);
		for (i = 0; i < WORKERS; i++)
			assert_int_equal(pthread_join(th[i], NULL), 0);
		pthread_barrier_destroy(&start);
		assert_int_equal(init_ok, 1);
		assert_int_equal(init_already, WORKERS - 1);
		assert_int_equal(init_other, 0);
		assert_ok(p11->C_GetInfo(&info));
		h_finalize();
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_threads_sessions, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_threads_shared_object, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_threads_initialize, h_setup, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
