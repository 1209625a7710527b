/*
 * The bulk allocator (port_arena_alloc, src/port/arena.c) and the token load
 * that uses it: blocks are aligned and distinct, a freed block is wiped, a
 * chunk goes back to the system with its last block, failure injection and
 * the secret-scan tracking see arena allocations, and a token with more
 * objects than LOAD_BULK_AFTER loads, finds, destroys and finalizes with its
 * objects in the arena (and fails cleanly with CKR_HOST_MEMORY when an
 * allocation of the load fails). In a build without the arena (sanitizers,
 * IOTOKEN_ARENA=0) the same calls are port_malloc and the checks of chunks
 * are skipped.
 */
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/object.h"
#include "iotoken/pkcs11.h"
#include "port/arena.h"
#include "port/port.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define OK(call) assert_int_equal((call), CKR_OK)
/* More than the load's first objects, which come from malloc (token.c). */
#define NOBJ 300

/* ---- the allocator ---- */

static void test_blocks(void **state)
{
	uint8_t *p[64];
	size_t i, j, base = port_arena_chunks();

	(void)state;
	for (i = 0; i < NELEM(p); i++) {
		p[i] = port_arena_alloc(1 + i * 37);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		memset(p[i], (int)i, 1 + i * 37);
	}
	for (i = 0; i < NELEM(p); i++)
		for (j = 0; j < 1 + i * 37; j++)
			assert_int_equal(p[i][j], (uint8_t)i);
	if (PORT_ARENA)
		assert_int_equal(port_arena_chunks(), base + 1);
	for (i = 0; i < NELEM(p); i++)
		port_arena_free_secret(p[i], 1 + i * 37);
	/* The last free gave the chunk back. */
	assert_int_equal(port_arena_chunks(), base);
}

static void test_wiped(void **state)
{
	uint8_t *a, *b;
	size_t i;

	(void)state;
	if (!PORT_ARENA)
		skip(); /* freed heap blocks cannot be read */
	a = port_arena_alloc(100);
	b = port_arena_alloc(100); /* keeps the chunk mapped */
	assert_non_null(a);
	assert_non_null(b);
	memset(a, 0xa5, 100);
	port_arena_free_secret(a, 100);
	for (i = 0; i < 100; i++)
		assert_int_equal(a[i], 0);
	port_arena_free_secret(b, 100);
}

static void test_chunks(void **state)
{
	/* Blocks of 100 KiB: 20 to a chunk, so 50 fill three chunks. */
	enum { N = 50, SIZE = 100 * 1024 };
	uint8_t *p[N];
	size_t i, base = port_arena_chunks();

	(void)state;
	for (i = 0; i < N; i++) {
		p[i] = port_arena_alloc(SIZE);
		assert_non_null(p[i]);
		p[i][0] = p[i][SIZE - 1] = (uint8_t)i;
	}
	if (PORT_ARENA)
		assert_int_equal(port_arena_chunks(), base + 3);
	/* Free the first chunk's blocks: that chunk goes, the others stay. */
	for (i = 0; i < 20; i++)
		port_arena_free_secret(p[i], SIZE);
	if (PORT_ARENA)
		assert_int_equal(port_arena_chunks(), base + 2);
	for (i = 20; i < N; i++) {
		assert_int_equal(p[i][0], (uint8_t)i);
		assert_int_equal(p[i][SIZE - 1], (uint8_t)i);
		port_arena_free_secret(p[i], SIZE);
	}
	assert_int_equal(port_arena_chunks(), base);
}

static void test_outside(void **state)
{
	size_t base = port_arena_chunks();
	uint8_t *big, *heap;

	(void)state;
	/* Above the largest arena block: a heap block, no chunk. */
	big = port_arena_alloc(PORT_CHUNK_SIZE);
	assert_non_null(big);
	memset(big, 1, PORT_CHUNK_SIZE);
	assert_int_equal(port_arena_chunks(), base);
	port_arena_free_secret(big, PORT_CHUNK_SIZE);
	/* A port_malloc block is freed through the same call. */
	heap = port_malloc(32);
	assert_non_null(heap);
	port_arena_free_secret(heap, 32);
	port_arena_free_secret(NULL, 0);
}

static void test_injection(void **state)
{
	void *p;

	(void)state;
	port_alloc_fail_after(1);
	assert_null(port_arena_alloc(64));
	assert_int_equal(port_alloc_failures(), 1);
	port_alloc_fail_after(2);
	p = port_arena_alloc(64);
	assert_non_null(p);
	assert_null(port_arena_alloc(64));
	assert_int_equal(port_alloc_failures(), 1);
	port_alloc_fail_after(0);
	port_arena_free_secret(p, 64);
}

static void test_tracked(void **state)
{
	static const char needle[] = "arena-needle-5c1e";
	uint8_t *p;

	(void)state;
	port_test_track(1);
	p = port_arena_alloc(256);
	assert_non_null(p);
	memcpy(p + 100, needle, sizeof(needle));
	/* While tracking, arena blocks are heap blocks the scan sees. */
	assert_int_equal(port_test_scan(needle, sizeof(needle), NULL, NULL), 1);
	port_arena_free_secret(p, 256);
	/* Freed with a wipe: nothing left in the quarantine. */
	assert_int_equal(port_test_scan(needle, sizeof(needle), NULL, NULL), 0);
	port_test_release();
}

/* A forked child starts with no chunks (the parent's blocks are abandoned
 * with the module state) and allocates afresh. */
static void test_fork(void **state)
{
	size_t base = port_arena_chunks();
	void *p = port_arena_alloc(64);
	pid_t pid;
	int status = -1;

	(void)state;
	assert_non_null(p);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		void *q;
		int ok = port_arena_chunks() == 0;

		q = port_arena_alloc(64);
		ok = ok && q != NULL && port_arena_chunks() == (PORT_ARENA ? 1u : 0u);
		port_arena_free_secret(q, 64);
		_exit(ok && port_arena_chunks() == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	port_arena_free_secret(p, 64);
	assert_int_equal(port_arena_chunks(), base);
}

/* ---- objects ---- */

static void test_object_bulk(void **state)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE value[40] = { 7 };
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof(cls) },
			     { CKA_TOKEN, &yes, sizeof(yes) },
			     { CKA_LABEL, "bulk", 4 },
			     { CKA_VALUE, value, sizeof(value) } };
	size_t base = port_arena_chunks(), len = 0;
	object *obj, *back;
	uint8_t *rec = NULL;

	(void)state;
	OK(object_create(t, NELEM(t), 0, &obj));
	obj->id = 9;
	OK(object_encode(obj, NULL, &rec, &len));
	OK(object_decode_bulk(9, rec, len, &back));
	if (PORT_ARENA)
		assert_int_equal(port_arena_chunks(), base + 1);
	assert_true(object_matches(back, t, NELEM(t)));
	object_free(back);
	assert_int_equal(port_arena_chunks(), base);
	/* An injected failure of the object's allocation. */
	port_alloc_fail_after(1);
	assert_int_equal(object_decode_bulk(9, rec, len, &back), CKR_HOST_MEMORY);
	port_alloc_fail_after(0);
	port_free_secret(rec, len);
	object_free(obj);
}

/* ---- a token load ---- */

static CK_FUNCTION_LIST_PTR p11;
static char root[PATH_MAX], conf_path[PATH_MAX + 16];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static CK_SLOT_ID first_slot(void)
{
	CK_SLOT_ID slots[4];
	CK_ULONG n = NELEM(slots);

	OK(p11->C_GetSlotList(CK_FALSE, slots, &n));
	assert_true(n >= 1);
	return slots[0];
}

/* The object labelled obj-<i>: 1 if found. */
static CK_ULONG find_label(CK_SESSION_HANDLE s, int i, CK_OBJECT_HANDLE *h)
{
	char label[16];
	CK_ATTRIBUTE t[] = { { CKA_LABEL, label, 0 } };
	CK_ULONG n = 0;

	t[0].ulValueLen = (CK_ULONG)snprintf(label, sizeof(label), "obj-%d", i);
	OK(p11->C_FindObjectsInit(s, t, 1));
	OK(p11->C_FindObjects(s, h, 1, &n));
	OK(p11->C_FindObjectsFinal(s));
	return n;
}

static int token_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h;
	FILE *f;
	int i;

	(void)state;
	if (tmp == NULL || *tmp == '\0')
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(root, sizeof(root), "%s/iotoken-arena-XXXXXX", tmp);
	if (mkdtemp(root) == NULL || C_GetFunctionList(&p11) != CKR_OK)
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/iotoken.conf", root);
	f = fopen(conf_path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "dir = %s/store\npbkdf2_iterations = 1000\n", root);
	if (fclose(f) != 0 || setenv("IOTOKEN_CONF", conf_path, 1) != 0)
		return -1;
	if (p11->C_Initialize(NULL) != CKR_OK ||
	    p11->C_InitToken(first_slot(), (CK_UTF8CHAR_PTR) "so-pin-1234", 11,
			     (CK_UTF8CHAR_PTR) "arena                           ") != CKR_OK ||
	    p11->C_OpenSession(first_slot(), CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) !=
		    CKR_OK)
		return -1;
	for (i = 0; i < NOBJ; i++) {
		char label[16];
		CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof(cls) },
				     { CKA_TOKEN, &yes, sizeof(yes) },
				     { CKA_LABEL, label, 0 },
				     { CKA_VALUE, label, 0 } };

		t[2].ulValueLen = t[3].ulValueLen =
			(CK_ULONG)snprintf(label, sizeof(label), "obj-%d", i);
		if (p11->C_CreateObject(s, t, NELEM(t), &h) != CKR_OK)
			return -1;
	}
	return p11->C_Finalize(NULL) == CKR_OK ? 0 : -1;
}

static int token_teardown(void **state)
{
	(void)state;
	port_alloc_fail_after(0);
	(void)p11->C_Finalize(NULL);
	nftw(root, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void test_token_load(void **state)
{
	size_t base = port_arena_chunks();
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h;
	int i;

	(void)state;
	OK(p11->C_Initialize(NULL));
	if (PORT_ARENA)
		assert_int_equal(port_arena_chunks(), base + 1);
	OK(p11->C_OpenSession(first_slot(), CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s));
	for (i = 0; i < NOBJ; i += 13)
		assert_int_equal(find_label(s, i, &h), 1);
	/* One object destroyed: the rest stay as they were. */
	assert_int_equal(find_label(s, NOBJ - 1, &h), 1);
	OK(p11->C_DestroyObject(s, h));
	assert_int_equal(find_label(s, NOBJ - 1, &h), 0);
	assert_int_equal(find_label(s, NOBJ - 2, &h), 1);
	OK(p11->C_Finalize(NULL));
	/* Every object freed: the chunk is gone. */
	assert_int_equal(port_arena_chunks(), base);
}

/* Allocation n of the load fails (one-shot), for n across the whole load:
 * the token answers CKR_HOST_MEMORY or works, and nothing is left behind. */
static void test_token_load_fails(void **state)
{
	size_t base = port_arena_chunks();
	unsigned long n, injected, last_failed = 0;

	(void)state;
	for (n = 1;; n += 5) {
		CK_SESSION_HANDLE s;
		CK_OBJECT_HANDLE h;
		CK_RV rv;

		port_alloc_fail_nth(n);
		rv = p11->C_Initialize(NULL);
		if (rv == CKR_OK)
			rv = p11->C_OpenSession(first_slot(), CKF_SERIAL_SESSION, NULL, NULL, &s);
		injected = port_alloc_failures();
		port_alloc_fail_after(0);
		if (rv == CKR_OK)
			assert_int_equal(find_label(s, NOBJ / 2, &h), 1);
		else
			assert_int_equal(rv, CKR_HOST_MEMORY);
		if (rv == CKR_HOST_MEMORY)
			last_failed = n;
		(void)p11->C_Finalize(NULL);
		assert_int_equal(port_arena_chunks(), base);
		if (injected == 0)
			break;
	}
	/* At least one allocation per object: failures reached the objects
	 * past LOAD_BULK_AFTER, which the arena holds. */
	assert_true(last_failed > NOBJ);
}

int main(void)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_blocks),    cmocka_unit_test(test_wiped),
		cmocka_unit_test(test_chunks),    cmocka_unit_test(test_outside),
		cmocka_unit_test(test_injection), cmocka_unit_test(test_tracked),
		cmocka_unit_test(test_fork),      cmocka_unit_test(test_object_bulk),
	};
	const struct CMUnitTest load[] = {
		cmocka_unit_test(test_token_load),
		cmocka_unit_test(test_token_load_fails),
	};
	int failed = cmocka_run_group_tests_name("arena", unit, NULL, NULL);

	return failed +
	       cmocka_run_group_tests_name("arena_load", load, token_setup, token_teardown);
}
