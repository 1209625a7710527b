/*
 * Unit tests of the operating-system layer (src/port/): constant-time
 * compare, wipe, allocation with failure injection, and the module lock
 * with OS mutexes or the application's callbacks (PKCS#11 v2.40 5.4).
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "port/port.h"

/* ---- constant-time compare ---- */

static void test_ct_equal(void **state)
{
	uint8_t a[64], b[64];
	size_t n, i;
	unsigned bit, x;

	(void)state;
	for (i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 37 + 11);
	memcpy(b, a, sizeof(b));
	for (n = 1; n <= sizeof(a); n++)
		assert_int_equal(port_ct_equal(a, b, n), 1);
	/* Length 0 is equal, whatever the bytes. */
	b[0] ^= 0xff;
	assert_int_equal(port_ct_equal(a, b, 0), 1);
	assert_int_equal(port_ct_equal(NULL, NULL, 0), 1);
	b[0] ^= 0xff;
	/* Every single-bit difference at every position. */
	for (i = 0; i < sizeof(a); i++) {
		for (bit = 0; bit < 8; bit++) {
			b[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(port_ct_equal(a, b, sizeof(a)), 0);
			assert_int_equal(port_ct_equal(b, a, sizeof(a)), 0);
			/* Only the first n bytes count. */
			assert_int_equal(port_ct_equal(a, b, i), 1);
			assert_int_equal(port_ct_equal(a, b, i + 1), 0);
			b[i] ^= (uint8_t)(1u << bit);
		}
	}
	/* Every possible difference of one byte. */
	for (x = 1; x < 256; x++) {
		b[17] ^= (uint8_t)x;
		assert_int_equal(port_ct_equal(a, b, sizeof(a)), 0);
		b[17] ^= (uint8_t)x;
	}
	/* Several differences, all bits set. */
	memset(a, 0x00, sizeof(a));
	memset(b, 0xff, sizeof(b));
	assert_int_equal(port_ct_equal(a, b, sizeof(a)), 0);
	memset(b, 0x00, sizeof(b));
	assert_int_equal(port_ct_equal(a, b, sizeof(a)), 1);
	/* The same buffer. */
	assert_int_equal(port_ct_equal(a, a, sizeof(a)), 1);
}

/* ---- wipe ---- */

static void test_wipe(void **state)
{
	uint8_t *p = malloc(100), zero[100] = { 0 };

	(void)state;
	assert_non_null(p);
	memset(p, 0xa5, 100);
	port_wipe(p + 10, 80);
	assert_memory_equal(p + 10, zero, 80);
	assert_int_equal(p[9], 0xa5);
	assert_int_equal(p[90], 0xa5);
	port_wipe(p, 100);
	assert_memory_equal(p, zero, 100);
	/* NULL and length 0 are no-ops. */
	port_wipe(NULL, 0);
	port_wipe(NULL, 10);
	memset(p, 0xa5, 100);
	port_wipe(p, 0);
	assert_int_equal(p[0], 0xa5);
	free(p);
	/* free_secret of NULL is a no-op. */
	port_free_secret(NULL, 10);
	port_free(NULL);
}

/* ---- allocation ---- */

static void test_memdup(void **state)
{
	static const uint8_t src[33] = "0123456789abcdef0123456789abcdef";
	uint8_t *p;

	(void)state;
	p = port_memdup(src, sizeof(src));
	assert_non_null(p);
	assert_ptr_not_equal(p, src);
	assert_memory_equal(p, src, sizeof(src));
	port_free_secret(p, sizeof(src));
	p = port_memdup(src, 1);
	assert_non_null(p);
	assert_int_equal(p[0], '0');
	port_free(p);
	/* Length 0 gives a freeable pointer, not a failure. */
	p = port_memdup(src, 0);
	assert_non_null(p);
	port_free(p);
	port_alloc_fail_after(1);
	assert_null(port_memdup(src, sizeof(src)));
	port_alloc_fail_after(0);
}

static void test_calloc_realloc(void **state)
{
	uint8_t *p, *q, zero[256] = { 0 };
	size_t i;

	(void)state;
	p = port_calloc(16, 16);
	assert_non_null(p);
	assert_memory_equal(p, zero, 256);
	for (i = 0; i < 256; i++)
		p[i] = (uint8_t)i;
	q = port_realloc(p, 4096);
	assert_non_null(q);
	for (i = 0; i < 256; i++)
		assert_int_equal(q[i], (uint8_t)i);
	/* A failed realloc leaves the block as it was. */
	port_alloc_fail_after(1);
	assert_null(port_realloc(q, 8192));
	port_alloc_fail_after(0);
	for (i = 0; i < 256; i++)
		assert_int_equal(q[i], (uint8_t)i);
	port_free(q);
	p = port_calloc(0, 16);
	assert_non_null(p);
	port_free(p);
	p = port_malloc(0);
	assert_non_null(p);
	port_free(p);
}

static void test_alloc_fail_after(void **state)
{
	void *p[8];
	unsigned long n;
	int i;

	(void)state;
	for (n = 1; n <= 4; n++) {
		port_alloc_fail_after(n);
		/* Allocations 1 .. n-1 succeed, the nth and all later fail,
		 * whatever the function. */
		for (i = 1; i < (int)n; i++) {
			p[i] = (i % 3 == 0)   ? port_calloc(2, 8)
			       : (i % 3 == 1) ? port_malloc(16)
					      : port_realloc(NULL, 16);
			assert_non_null(p[i]);
		}
		assert_null(port_malloc(16));
		assert_null(port_calloc(1, 16));
		assert_null(port_realloc(NULL, 16));
		assert_null(port_memdup("x", 1));
		assert_null(port_malloc(1));
		port_alloc_fail_after(0);
		for (i = 1; i < (int)n; i++)
			port_free(p[i]);
	}
	/* 0 switches it off. */
	port_alloc_fail_after(0);
	for (i = 0; i < 8; i++) {
		p[i] = port_malloc(8);
		assert_non_null(p[i]);
	}
	for (i = 0; i < 8; i++)
		port_free(p[i]);
	/* Re-arming counts from the new call, not from the old one. */
	port_alloc_fail_after(3);
	port_alloc_fail_after(2);
	p[0] = port_malloc(8);
	assert_non_null(p[0]);
	assert_null(port_malloc(8));
	port_alloc_fail_after(0);
	port_free(p[0]);
}

/* ---- locks ---- */

struct counting {
	int created, destroyed, locked, unlocked;
	CK_RV create_rv;
	pthread_mutex_t real; /* the callbacks really lock */
	void *last;
};

static struct counting cnt;
static int sentinel_mutex;

static CK_RV cb_create(CK_VOID_PTR_PTR out)
{
	cnt.created++;
	if (cnt.create_rv != CKR_OK)
		return cnt.create_rv;
	*out = &sentinel_mutex;
	return CKR_OK;
}

static CK_RV cb_destroy(CK_VOID_PTR m)
{
	assert_ptr_equal(m, &sentinel_mutex);
	cnt.destroyed++;
	return CKR_OK;
}

static CK_RV cb_lock(CK_VOID_PTR m)
{
	pthread_mutex_lock(&cnt.real);
	cnt.locked++;
	cnt.last = m;
	return CKR_OK;
}

static CK_RV cb_unlock(CK_VOID_PTR m)
{
	cnt.unlocked++;
	cnt.last = m;
	pthread_mutex_unlock(&cnt.real);
	return CKR_OK;
}

static int lock_setup(void **state)
{
	(void)state;
	memset(&cnt, 0, sizeof(cnt));
	return pthread_mutex_init(&cnt.real, NULL);
}

static int lock_teardown(void **state)
{
	(void)state;
	port_alloc_fail_after(0);
	if (port_locking_configure(NULL) != CKR_OK)
		return -1;
	return pthread_mutex_destroy(&cnt.real);
}

static CK_C_INITIALIZE_ARGS callback_args(CK_FLAGS flags)
{
	CK_C_INITIALIZE_ARGS args;

	memset(&args, 0, sizeof(args));
	args.CreateMutex = cb_create;
	args.DestroyMutex = cb_destroy;
	args.LockMutex = cb_lock;
	args.UnlockMutex = cb_unlock;
	args.flags = flags;
	return args;
}

/* Threads incrementing a shared counter under m: the total is exact only if
 * m excludes. */
#define THREADS 4
#define ROUNDS 20000

struct contend {
	port_mutex *m;
	volatile long counter;
};

static void *contend_thread(void *p)
{
	struct contend *c = p;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		long v;

		port_mutex_lock(c->m);
		v = c->counter;
		if (i % 64 == 0)
			sched_yield();
		c->counter = v + 1;
		port_mutex_unlock(c->m);
	}
	return NULL;
}

static void run_contention(port_mutex *m)
{
	pthread_t th[THREADS];
	struct contend c = { m, 0 };
	int i;

	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, contend_thread, &c), 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(c.counter, (long)THREADS * ROUNDS);
}

static void test_mutex_os(void **state)
{
	port_mutex *m = NULL;

	(void)state;
	assert_int_equal(port_locking_configure(NULL), CKR_OK);
	assert_int_equal(port_mutex_create(&m), CKR_OK);
	assert_non_null(m);
	port_mutex_lock(m);
	port_mutex_unlock(m);
	run_contention(m);
	port_mutex_destroy(m);
	port_mutex_destroy(NULL);
	assert_int_equal(cnt.created + cnt.locked + cnt.unlocked + cnt.destroyed, 0);
	/* Allocation failure. */
	port_alloc_fail_after(1);
	m = NULL;
	assert_int_equal(port_mutex_create(&m), CKR_HOST_MEMORY);
	port_alloc_fail_after(0);
	assert_null(m);
}

static void test_mutex_os_args_without_callbacks(void **state)
{
	CK_C_INITIALIZE_ARGS args;
	port_mutex *m;

	(void)state;
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	assert_int_equal(port_locking_configure(&args), CKR_OK);
	assert_int_equal(port_mutex_create(&m), CKR_OK);
	run_contention(m);
	port_mutex_destroy(m);
	args.flags = 0;
	assert_int_equal(port_locking_configure(&args), CKR_OK);
	assert_int_equal(port_mutex_create(&m), CKR_OK);
	port_mutex_lock(m);
	port_mutex_unlock(m);
	port_mutex_destroy(m);
}

static void test_mutex_callbacks(void **state)
{
	CK_C_INITIALIZE_ARGS args = callback_args(0);
	port_mutex *m;

	(void)state;
	assert_int_equal(port_locking_configure(&args), CKR_OK);
	/* The configuration copied the arguments by value. */
	memset(&args, 0, sizeof(args));
	assert_int_equal(port_mutex_create(&m), CKR_OK);
	assert_int_equal(cnt.created, 1);
	port_mutex_lock(m);
	assert_int_equal(cnt.locked, 1);
	assert_ptr_equal(cnt.last, &sentinel_mutex);
	port_mutex_unlock(m);
	assert_int_equal(cnt.unlocked, 1);
	assert_ptr_equal(cnt.last, &sentinel_mutex);
	run_contention(m);
	assert_int_equal(cnt.locked, 1 + THREADS * ROUNDS);
	assert_int_equal(cnt.unlocked, 1 + THREADS * ROUNDS);
	assert_int_equal(cnt.destroyed, 0);
	port_mutex_destroy(m);
	assert_int_equal(cnt.destroyed, 1);
	assert_int_equal(cnt.created, 1);
}

static void test_mutex_callback_errors(void **state)
{
	CK_C_INITIALIZE_ARGS args = callback_args(0);
	port_mutex *m = NULL;

	(void)state;
	assert_int_equal(port_locking_configure(&args), CKR_OK);
	cnt.create_rv = CKR_HOST_MEMORY;
	assert_int_equal(port_mutex_create(&m), CKR_HOST_MEMORY);
	assert_null(m);
	cnt.create_rv = CKR_GENERAL_ERROR;
	assert_int_equal(port_mutex_create(&m), CKR_CANT_LOCK);
	assert_null(m);
	assert_int_equal(cnt.created, 2);
	assert_int_equal(cnt.destroyed, 0);
	/* Our own allocation fails before the callback is asked. */
	cnt.create_rv = CKR_OK;
	port_alloc_fail_after(1);
	assert_int_equal(port_mutex_create(&m), CKR_HOST_MEMORY);
	port_alloc_fail_after(0);
	assert_int_equal(cnt.created, 2);
}

static void test_mutex_os_locking_ok_ignores_callbacks(void **state)
{
	CK_C_INITIALIZE_ARGS args = callback_args(CKF_OS_LOCKING_OK);
	port_mutex *m;

	(void)state;
	assert_int_equal(port_locking_configure(&args), CKR_OK);
	assert_int_equal(port_mutex_create(&m), CKR_OK);
	port_mutex_lock(m);
	port_mutex_unlock(m);
	run_contention(m);
	port_mutex_destroy(m);
	assert_int_equal(cnt.created, 0);
	assert_int_equal(cnt.locked, 0);
	assert_int_equal(cnt.unlocked, 0);
	assert_int_equal(cnt.destroyed, 0);
}

static void test_mutex_reset_to_os(void **state)
{
	CK_C_INITIALIZE_ARGS args = callback_args(0);
	port_mutex *m;

	(void)state;
	assert_int_equal(port_locking_configure(&args), CKR_OK);
	assert_int_equal(port_locking_configure(NULL), CKR_OK);
	assert_int_equal(port_mutex_create(&m), CKR_OK);
	port_mutex_lock(m);
	port_mutex_unlock(m);
	port_mutex_destroy(m);
	assert_int_equal(cnt.created + cnt.locked + cnt.unlocked + cnt.destroyed, 0);
}

static int teardown(void **state)
{
	(void)state;
	port_alloc_fail_after(0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ct_equal, teardown),
		cmocka_unit_test_teardown(test_wipe, teardown),
		cmocka_unit_test_teardown(test_memdup, teardown),
		cmocka_unit_test_teardown(test_calloc_realloc, teardown),
		cmocka_unit_test_teardown(test_alloc_fail_after, teardown),
		cmocka_unit_test_setup_teardown(test_mutex_os, lock_setup, lock_teardown),
		cmocka_unit_test_setup_teardown(test_mutex_os_args_without_callbacks, lock_setup,
						lock_teardown),
		cmocka_unit_test_setup_teardown(test_mutex_callbacks, lock_setup, lock_teardown),
		cmocka_unit_test_setup_teardown(test_mutex_callback_errors, lock_setup,
						lock_teardown),
		cmocka_unit_test_setup_teardown(test_mutex_os_locking_ok_ignores_callbacks,
						lock_setup, lock_teardown),
		cmocka_unit_test_setup_teardown(test_mutex_reset_to_os, lock_setup, lock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
