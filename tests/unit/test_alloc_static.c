/*
 * The static arena's allocator (src/port/alloc_static.c), built into this
 * test on its own as the device profile builds it (IOT_STATIC_ARENA, with
 * the test hooks; tests/CMakeLists.txt): setup errors, a dirty arena,
 * alignment, exhaustion, coalescing, the wipe of freed payloads, calloc
 * overflow, realloc semantics, failure injection, the secret-scan hooks,
 * bad frees, ASan's view of the arena (in the ASan build), a randomized
 * stress against a shadow model with exact used/peak numbers, and 4 threads
 * at once (ctest label "threads": run it in the TSan build too).
 *
 * White box: the test knows the block format (a 4-byte tag before an 8-byte
 * aligned payload, blocks of at least 16 bytes in multiples of 8; see the
 * comment at the top of alloc_static.c), so that the used count can be
 * checked to the byte, and it calls port_arena_check, which walks the
 * arena and tests every invariant of that comment.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "iotoken/device.h"
#include "port/device.h"
#include "port/port.h"

/* Test hook of alloc_static.c: NULL when every invariant holds. */
const char *port_arena_check(void);

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define OK(call) assert_int_equal((call), CKR_OK)
#define CHECK()                                                        \
	do {                                                           \
		const char *e_ = port_arena_check();                   \
		if (e_ != NULL)                                        \
			fail_msg("%s:%d: %s", __FILE__, __LINE__, e_); \
	} while (0)

/* Under ASan the allocator poisons all of the arena but the n bytes of each
 * allocated block: the test's raw reads of the arena are not instrumented. */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#define NO_ASAN __attribute__((no_sanitize_address))
#else
#define NO_ASAN
#endif

#define ARENA_SIZE (256u * 1024)
static _Alignas(8) uint8_t arena[ARENA_SIZE + 64];

/* ---- the static locks (port.h): the test's own, whatever lock port the
 * host build has (the allocator only needs PORT_LOCK_ALLOC) ---- */

static pthread_mutex_t locks[PORT_LOCKS];
static pthread_once_t locks_once = PTHREAD_ONCE_INIT;

static void locks_init(void)
{
	size_t i;

	for (i = 0; i < NELEM(locks); i++)
		(void)pthread_mutex_init(&locks[i], NULL);
}

void port_static_lock(int which)
{
	(void)pthread_once(&locks_once, locks_init);
	pthread_mutex_lock(&locks[which]);
}

void port_static_unlock(int which)
{
	pthread_mutex_unlock(&locks[which]);
}

/* ---- helpers ---- */

/* The block a request of n bytes takes: the 4-byte tag, rounded up to 8,
 * at least 16. */
static size_t block_size(size_t n)
{
	return n <= 12 ? 16 : (n + 4 + 7) & ~(size_t)7;
}

/* Bytes of blocks in an arena of n bytes at an 8-byte aligned address. */
static size_t capacity(size_t n)
{
	return (n & ~(size_t)7) - 8;
}

static void setup_arena(size_t n)
{
	OK(port_arena_setup(arena, n));
	assert_int_equal(iotoken_arena_used(), 0);
	assert_int_equal(iotoken_arena_peak(), 0);
	CHECK();
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static size_t rng_below(uint64_t *s, size_t n)
{
	return (size_t)(rng_next(s) % n);
}

static uint8_t pattern(uint32_t seed, size_t i)
{
	uint32_t x = seed ^ ((uint32_t)i * 0x9e3779b1u);

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return (uint8_t)x;
}

static void fill(uint8_t *p, size_t from, size_t to, uint32_t seed)
{
	size_t i;

	for (i = from; i < to; i++)
		p[i] = pattern(seed, i);
}

/* 1 when p holds the pattern in [0, n). */
static int intact(const uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != pattern(seed, i))
			return 0;
	return 1;
}

/* Occurrences of needle in the arena's raw bytes. */
NO_ASAN static size_t raw_count(const uint8_t *needle, size_t len)
{
	size_t at, i, found = 0;

	for (at = 0; at + len <= sizeof(arena); at++) {
		for (i = 0; i < len && arena[at + i] == needle[i]; i++)
			;
		found += i == len;
	}
	return found;
}

/* Sets arena bytes, poisoned or not. */
NO_ASAN static void raw_fill(size_t from, size_t n, uint8_t v)
{
	volatile uint8_t *a = arena;
	size_t i;

	for (i = from; i < from + n; i++)
		a[i] = v;
}

/* A write through a dangling pointer, on purpose. */
NO_ASAN static void raw_write(uint8_t *to, const uint8_t *from, size_t n)
{
	volatile uint8_t *v = to;
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = from[i];
}

static void shuffle(void **v, size_t n, uint64_t *rng)
{
	size_t i, j;
	void *t;

	for (i = n; i > 1; i--) {
		j = rng_below(rng, i);
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* ---- before setup, setup ---- */

/* First in the list: the allocator has no arena yet. */
static void test_before_setup(void **state)
{
	(void)state;
	assert_null(port_malloc(1));
	assert_null(port_calloc(1, 1));
	assert_null(port_realloc(NULL, 8));
	assert_null(port_memdup("x", 1));
	assert_null(port_arena_alloc(8));
	assert_null(iotoken_port_malloc(8));
	port_free(NULL);
	iotoken_port_free(NULL);
	assert_int_equal(iotoken_arena_used(), 0);
	assert_int_equal(iotoken_arena_peak(), 0);
	assert_int_equal(port_test_scan("x", 1, NULL, NULL), 0);
	assert_null(port_arena_check());
	/* Nothing was counted by failure injection either. */
	assert_int_equal(port_alloc_failures(), 0);
}

static void test_setup_errors(void **state)
{
	uint8_t *p, *q;

	(void)state;
	assert_int_equal(port_arena_setup(NULL, 4096), CKR_ARGUMENTS_BAD);
	assert_int_equal(port_arena_setup(arena, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(port_arena_setup(arena, 31), CKR_ARGUMENTS_BAD);
	/* 32 bytes: 4 of alignment pad, one block of 24, the end tag. */
	setup_arena(32);
	assert_null(port_malloc(21));
	p = port_malloc(20);
	assert_non_null(p);
	assert_ptr_equal(p, arena + 8);
	assert_int_equal(iotoken_arena_used(), 24);
	assert_null(port_malloc(0));
	CHECK();
	/* Not while a block is out: the old arena would be lost under it. */
	assert_int_equal(port_arena_setup(arena, 4096), CKR_FUNCTION_FAILED);
	assert_int_equal(iotoken_arena_used(), 24);
	CHECK();
	port_free(p);
	/* Misaligned: rounded up to 8 first, then too small (7 + 31). */
	assert_int_equal(port_arena_setup(arena + 1, 38), CKR_ARGUMENTS_BAD);
	assert_int_equal(port_arena_setup(arena + 1, 6), CKR_ARGUMENTS_BAD);
	/* Misaligned and big enough: payloads are aligned all the same, and
	 * the end is rounded down (7 + 32 + 5 bytes give 32). */
	OK(port_arena_setup(arena + 1, 44));
	p = port_malloc(1);
	assert_ptr_equal(p, arena + 16);
	q = port_malloc(1);
	assert_null(q); /* 24 bytes in all: 16 taken, 8 left */
	port_free(p);
	CHECK();
	/* Setup starts the peak over. */
	setup_arena(4096);
	p = port_malloc(100);
	port_free(p);
	assert_int_equal(iotoken_arena_peak(), block_size(100));
	setup_arena(4096);
}

/* Setup does not clear the arena (a big one on a host would cost a page
 * fault per page); blocks are zeroed as they first reach new ground, so
 * none shows what the memory held before. */
static void test_dirty_arena(void **state)
{
	uint8_t *p, *q;
	size_t i;

	(void)state;
	raw_fill(0, 8192, 0xa5);
	setup_arena(8192);
	p = port_malloc(100);
	q = port_malloc(16);
	for (i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	port_free(p);
	/* Grown in place over ground never reached before. */
	q = port_realloc(q, 3000);
	for (i = 0; i < 3000; i++)
		assert_int_equal(q[i], 0);
	port_free(q);
	CHECK();
	p = port_malloc(capacity(8192) - 4);
	for (i = 0; i < capacity(8192) - 4; i++)
		assert_int_equal(p[i], 0);
	port_free(p);
	raw_fill(0, 8192, 0); /* for the tests after this one */
	setup_arena(8192);
}

/* ---- alignment, exhaustion, coalescing ---- */

static void test_alignment(void **state)
{
	static void *p[3 * 301];
	size_t n, k = 0, used = 0, off;

	(void)state;
	for (off = 0; off < 8; off += 3) {
		OK(port_arena_setup(arena + off, ARENA_SIZE));
		for (n = 0; n <= 300; n++) {
			p[k] = n % 3 == 0   ? port_malloc(n)
			       : n % 3 == 1 ? port_calloc(1, n)
					    : port_realloc(NULL, n);
			assert_non_null(p[k]);
			assert_int_equal((uintptr_t)p[k] % 8, 0);
			used += block_size(n);
			assert_int_equal(iotoken_arena_used(), used);
			/* Shrinking and growing in place keep the alignment too. */
			if (n % 5 == 0) {
				p[k] = port_realloc(p[k], n / 2);
				assert_int_equal((uintptr_t)p[k] % 8, 0);
				used += block_size(n / 2) - block_size(n);
			}
			k++;
		}
		CHECK();
		assert_int_equal(iotoken_arena_used(), used);
		while (k > 0)
			port_free(p[--k]);
		used = 0;
		assert_int_equal(iotoken_arena_used(), 0);
		CHECK();
	}
	setup_arena(ARENA_SIZE);
}

static void test_exhaustion(void **state)
{
	static void *p[4096];
	static size_t len[4096];
	size_t k = 0, i, used = 0, cap = capacity(8192);
	uint64_t rng = 0x1234567887654321ull;
	uint8_t *q, *r;

	(void)state;
	setup_arena(8192);
	for (;;) {
		len[k] = 1 + rng_below(&rng, 200);
		p[k] = port_malloc(len[k]);
		if (p[k] == NULL)
			break;
		fill(p[k], 0, len[k], (uint32_t)k);
		used += block_size(len[k]);
		k++;
	}
	/* It failed because there was no room, and nothing broke. */
	assert_true(used + block_size(len[k]) > cap);
	assert_int_equal(iotoken_arena_used(), used);
	CHECK();
	assert_null(port_malloc(cap));
	assert_null(port_malloc(SIZE_MAX));
	assert_null(port_calloc(1, cap));
	assert_null(port_realloc(p[0], cap));
	for (i = 0; i < k; i++)
		assert_true(intact(p[i], len[i], (uint32_t)i));
	assert_int_equal(iotoken_arena_used(), used);
	/* Freed in random order, the blocks merge back into one. */
	shuffle(p, k, &rng);
	for (i = 0; i < k; i++) {
		port_free(p[i]);
		if (i % 16 == 0)
			CHECK();
	}
	assert_int_equal(iotoken_arena_used(), 0);
	CHECK();
	q = port_malloc(cap - 4);
	assert_non_null(q);
	assert_int_equal(iotoken_arena_used(), cap);
	assert_null(port_malloc(0));
	CHECK();
	port_free(q);
	/* One byte more than the arena holds. */
	assert_null(port_malloc(cap - 3));
	/* And the same in a second round after a partial free. */
	q = port_malloc(1000);
	r = port_malloc(1000);
	port_free(q);
	q = port_malloc(cap - 4 - block_size(1000));
	assert_null(q);
	port_free(r);
	q = port_malloc(cap - 4);
	assert_non_null(q);
	port_free(q);
	setup_arena(ARENA_SIZE);
}

/* Free merges with the block before, the one after, both, or neither;
 * an 8-byte rest is kept and merged later. */
static void test_coalescing(void **state)
{
	uint8_t *a, *b, *c, *d, *e, *f, *g;
	size_t used;

	(void)state;
	setup_arena(4096);
	a = port_malloc(100); /* 104 */
	b = port_malloc(60);  /* 64 */
	c = port_malloc(28);  /* 32 */
	d = port_malloc(44);  /* 48 */
	e = port_malloc(100);
	assert_ptr_equal(b, a + 104);
	assert_ptr_equal(c, b + 64);
	assert_ptr_equal(d, c + 32);
	assert_ptr_equal(e, d + 48);
	used = iotoken_arena_used();
	port_free(b); /* neither neighbour free */
	port_free(d);
	CHECK();
	port_free(c); /* both */
	CHECK();
	assert_int_equal(iotoken_arena_used(), used - 144);
	/* b, c and d are one block of 144 again, where b was. */
	f = port_malloc(140);
	assert_ptr_equal(f, b);
	port_free(f);
	port_free(a); /* the one after */
	CHECK();
	f = port_malloc(244);
	assert_ptr_equal(f, a);
	/* A 16-byte block cut from a 24-byte hole leaves an 8-byte rest. */
	port_free(f);
	f = port_malloc(220); /* 224 of 248: leaves 24 before e */
	g = port_malloc(20);
	assert_ptr_equal(g, f + 224);
	port_free(g);
	g = port_malloc(12); /* 16 of the 24 */
	assert_ptr_equal(g, f + 224);
	assert_int_equal(iotoken_arena_used(), block_size(220) + 16 + block_size(100));
	CHECK();
	/* Freed, it merges with the rest: the 24-byte hole is whole again. */
	port_free(g);
	CHECK();
	g = port_malloc(20);
	assert_ptr_equal(g, f + 224);
	port_free(g);
	port_free(e); /* the one before, and the big free block after */
	port_free(f);
	assert_int_equal(iotoken_arena_used(), 0);
	CHECK();
	f = port_malloc(capacity(4096) - 4);
	assert_ptr_equal(f, a);
	port_free(f);
}

/* ---- the wipe ---- */

static void marker(uint8_t m[8], unsigned id)
{
	memcpy(m, "\xC5\xEC\x2E\x7D\x5A", 5);
	m[5] = (uint8_t)(id >> 8);
	m[6] = (uint8_t)id;
	m[7] = 0xA7;
}

static void fill_marker(uint8_t *p, size_t n, unsigned id)
{
	uint8_t m[8];
	size_t i;

	marker(m, id);
	for (i = 0; i + 8 <= n; i += 8)
		memcpy(p + i, m, 8);
}

static size_t marker_count(unsigned id)
{
	uint8_t m[8];

	marker(m, id);
	return raw_count(m, 8);
}

static void test_wipe(void **state)
{
	uint8_t *p[8], *q;
	size_t n = 200, i;
	/* Free order: neither neighbour free (1, 3, 6), the one before (4),
	 * both (5, 2, 7: free space after the last), the one after (0, the
	 * first block). */
	static const unsigned order[] = { 1, 3, 4, 6, 5, 0, 2, 7 };

	(void)state;
	setup_arena(ARENA_SIZE);
	for (i = 0; i < NELEM(p); i++) {
		p[i] = port_malloc(n);
		fill_marker(p[i], n, (unsigned)i);
		assert_int_equal(marker_count((unsigned)i), n / 8);
	}
	for (i = 0; i < NELEM(order); i++) {
		port_free(p[order[i]]);
		assert_int_equal(marker_count(order[i]), 0);
		CHECK();
	}
	/* port_free_secret and the arena functions wipe all the same. */
	p[0] = port_arena_alloc(64);
	fill_marker(p[0], 64, 100);
	port_arena_free_secret(p[0], 8);
	assert_int_equal(marker_count(100), 0);
	p[0] = port_malloc(64);
	fill_marker(p[0], 64, 101);
	port_free_secret(p[0], 0);
	assert_int_equal(marker_count(101), 0);
	p[0] = iotoken_port_malloc(64);
	fill_marker(p[0], 64, 102);
	iotoken_port_free(p[0]);
	assert_int_equal(marker_count(102), 0);
	/* A realloc that shrinks wipes the tail it gives back... */
	p[0] = port_malloc(1000);
	p[1] = port_malloc(16); /* the tail has an allocated block after it */
	fill_marker(p[0], 1000, 103);
	q = port_realloc(p[0], 100);
	assert_ptr_equal(q, p[0]);
	assert_int_equal(marker_count(103), 96 / 8);
	CHECK();
	/* ... and one that moves wipes the old place. */
	fill_marker(q, 100, 104);
	p[2] = port_malloc(16); /* right after q: q cannot grow in place */
	assert_ptr_equal(p[2], q + 104);
	q = port_realloc(q, 2000);
	assert_ptr_not_equal(q, p[0]);
	assert_int_equal(marker_count(104), 96 / 8);
	port_free(q);
	assert_int_equal(marker_count(104), 0);
	port_free(p[1]);
	port_free(p[2]);
	assert_int_equal(iotoken_arena_used(), 0);
	CHECK();
}

/* ---- calloc, realloc ---- */

static void test_calloc_zero(void **state)
{
	uint8_t *p[16], *q, *r;
	size_t i, half = (size_t)1 << (sizeof(size_t) * 4);

	(void)state;
	setup_arena(ARENA_SIZE);
	assert_null(port_calloc(SIZE_MAX, 2));
	assert_null(port_calloc(2, SIZE_MAX));
	assert_null(port_calloc(half, half));
	assert_null(port_calloc(half + 1, half - 1 + 2));
	assert_null(port_calloc(SIZE_MAX / 8 + 1, 8));
	/* Products that wrap around to 0 and to 16 bytes. */
	assert_null(port_calloc((SIZE_MAX >> 4) + 1, 16));
	assert_null(port_calloc((SIZE_MAX >> 4) + 2, 16));
	assert_int_equal(iotoken_arena_used(), 0);
	/* Zero count or size: a distinct minimal block. */
	q = port_calloc(0, 5);
	r = port_calloc(5, 0);
	assert_non_null(q);
	assert_non_null(r);
	assert_ptr_not_equal(q, r);
	assert_int_equal(iotoken_arena_used(), 32);
	port_free(q);
	port_free(r);
	/* Over free blocks (links and footers in them): zero. */
	for (i = 0; i < NELEM(p); i++) {
		p[i] = port_malloc(24 + 8 * i);
		memset(p[i], 0xff, 24 + 8 * i);
	}
	for (i = 0; i < NELEM(p); i += 2)
		port_free(p[i]);
	for (i = 0; i < NELEM(p); i += 2) {
		size_t k;

		q = port_calloc(1, 24 + 8 * i);
		assert_ptr_equal(q, p[i]);
		for (k = 0; k < 24 + 8 * i; k++)
			assert_int_equal(q[k], 0);
		p[i] = q;
	}
	q = port_calloc(3, 333);
	for (i = 0; i < 999; i++)
		assert_int_equal(q[i], 0);
	port_free(q);
	for (i = 0; i < NELEM(p); i++)
		port_free(p[i]);
	assert_int_equal(iotoken_arena_used(), 0);
	CHECK();
}

/*
 * As port.h's allocation section and alloc.c: port_realloc(NULL, n) is
 * port_malloc(n); port_realloc(p, 0) shrinks p to a minimal block and
 * returns it (never frees, never NULL but on failure injection); a failed
 * realloc leaves p as it was.
 */
static void test_realloc_rules(void **state)
{
	uint8_t *a, *b, *c, *d, *q;

	(void)state;
	setup_arena(4096);
	a = port_realloc(NULL, 10);
	assert_non_null(a);
	assert_int_equal(iotoken_arena_used(), 16);
	fill(a, 0, 10, 1);
	q = port_realloc(a, 0);
	assert_ptr_equal(q, a);
	assert_int_equal(iotoken_arena_used(), 16);
	/* Grow in place: the block after is free. */
	b = port_malloc(100);
	c = port_malloc(100);
	fill(b, 0, 100, 2);
	port_free(c);
	q = port_realloc(b, 200);
	assert_ptr_equal(q, b);
	assert_true(intact(b, 100, 2));
	assert_int_equal(iotoken_arena_used(), 16 + block_size(200));
	assert_int_equal(iotoken_arena_peak(), 16 + block_size(200));
	fill(b, 0, 200, 3);
	CHECK();
	/* Grow in place into all of a hole between b and d. */
	c = port_malloc(100);
	d = port_malloc(1);
	assert_ptr_equal(d, b + block_size(200) + block_size(100));
	port_free(c);
	q = port_realloc(b, block_size(200) + block_size(100) - 4);
	assert_ptr_equal(q, b);
	assert_true(intact(b, 200, 3));
	assert_int_equal(iotoken_arena_used(), 16 + block_size(200) + block_size(100) + 16);
	CHECK();
	/* Moved: the block after (d) is in use. */
	q = port_realloc(b, 400);
	assert_non_null(q);
	assert_ptr_not_equal(q, b);
	assert_true(intact(q, 200, 3));
	assert_int_equal(iotoken_arena_used(), 16 + 16 + block_size(400));
	/* The peak saw both blocks at once. */
	assert_int_equal(iotoken_arena_peak(),
			 16 + 16 + block_size(400) + block_size(200) + block_size(100));
	b = q;
	/* Shrink: same pointer, the rest is free. */
	q = port_realloc(b, 40);
	assert_ptr_equal(q, b);
	assert_true(intact(b, 40, 3));
	assert_int_equal(iotoken_arena_used(), 16 + 16 + block_size(40));
	/* Within the same block size: nothing moves. */
	q = port_realloc(b, 38);
	assert_ptr_equal(q, b);
	assert_int_equal(iotoken_arena_used(), 16 + 16 + block_size(40));
	/* 8 bytes less: they go back (and merge with the free space after). */
	q = port_realloc(b, 36);
	assert_ptr_equal(q, b);
	assert_int_equal(iotoken_arena_used(), 16 + 16 + 40);
	CHECK();
	/* Too big: NULL, b untouched. */
	assert_null(port_realloc(b, 5000));
	assert_null(port_realloc(b, SIZE_MAX));
	assert_true(intact(b, 36, 3));
	assert_int_equal(iotoken_arena_used(), 16 + 16 + 40);
	port_free(a);
	port_free(b);
	port_free(d);
	assert_int_equal(iotoken_arena_used(), 0);
	CHECK();
}

/* ---- test hooks ---- */

static void test_failure_injection(void **state)
{
	void *p, *q, *r;

	(void)state;
	setup_arena(4096);
	port_alloc_fail_after(2);
	p = port_malloc(8);
	assert_non_null(p);
	assert_null(port_malloc(8));
	assert_null(port_calloc(1, 8));
	assert_null(port_realloc(p, 100));
	assert_null(port_memdup("abc", 3));
	assert_int_equal(port_alloc_failures(), 4);
	port_alloc_fail_after(0);
	assert_int_equal(port_alloc_failures(), 0);
	port_alloc_fail_nth(2);
	q = port_memdup("abc", 4);
	assert_non_null(q);
	assert_string_equal(q, "abc");
	/* A realloc counts even when it would shrink in place. */
	assert_null(port_realloc(q, 1));
	r = port_arena_alloc(8);
	assert_non_null(r);
	assert_int_equal(port_alloc_failures(), 1);
	port_free(p);
	port_free(q);
	port_free(r);
	assert_int_equal(iotoken_arena_used(), 0);
	assert_int_equal(port_arena_chunks(), 0);
	CHECK();
}

typedef struct hits {
	size_t live, freed;
} hits;

static void on_hit(void *ctx, const void *block, size_t size, size_t offset, int freed)
{
	hits *h = ctx;

	(void)block;
	(void)size;
	(void)offset;
	if (freed)
		h->freed++;
	else
		h->live++;
}

/*
 * The secret-scan hooks with the static arena: live blocks allocated while
 * tracking was on, and all free space (which the free wiped, so that a hit
 * there is a write through a dangling pointer).
 */
static void test_scan(void **state)
{
	static const uint8_t needle[16] = "s3cr3t-k3y-9f1a";
	uint8_t *before, *p, *q, *gone;
	hits h = { 0, 0 };

	(void)state;
	setup_arena(4096);
	before = port_malloc(64);
	memcpy(before + 8, needle, sizeof(needle));
	port_test_track(1);
	p = port_malloc(64);
	memcpy(p + 3, needle, sizeof(needle));
	memcpy(p + 40, needle, sizeof(needle));
	q = port_malloc(64);
	gone = q;
	port_test_track(0); /* paused: later blocks are not recorded */
	assert_int_equal(port_test_scan(needle, sizeof(needle), on_hit, &h), 2);
	assert_int_equal(h.live, 2);
	assert_int_equal(h.freed, 0);
	/* Freed: wiped, so gone. */
	port_free(p);
	assert_int_equal(port_test_scan(needle, sizeof(needle), NULL, NULL), 0);
	/* A write through a dangling pointer shows up in free space. */
	port_free(q);
	raw_write(gone + 16, needle, sizeof(needle));
	h.live = h.freed = 0;
	assert_int_equal(port_test_scan(needle, sizeof(needle), on_hit, &h), 1);
	assert_int_equal(h.freed, 1);
	assert_non_null(port_arena_check()); /* a free block holds data */
	raw_write(gone + 16, (const uint8_t[16]){ 0 }, sizeof(needle));
	CHECK();
	port_test_release();
	assert_int_equal(port_test_scan(needle, 0, NULL, NULL), 0);
	assert_int_equal(port_test_scan(NULL, 4, NULL, NULL), 0);
	port_free(before);
	CHECK();
}

/* A second free, or a free of memory from elsewhere, changes nothing (and
 * the check reports it). */
static void test_bad_free(void **state)
{
	uint8_t *p, *q, local[16];

	(void)state;
	setup_arena(4096);
	p = port_malloc(100);
	q = port_malloc(100);
	port_free(p);
	port_free(p);
	assert_null(port_realloc(p, 10));
	port_free(local + 8);
	assert_int_equal(iotoken_arena_used(), block_size(100));
	assert_string_equal(port_arena_check(), "port_free of a pointer that is no live block");
	port_free(q);
	setup_arena(4096);
}

/* Under ASan: a write one past the n bytes asked for (inside the block's
 * rounding), a read after free and a write to a tag are reported (each in
 * a child process, which ASan ends). */
static void test_asan(void **state)
{
#ifdef TEST_ASAN
	int c, status;
	pid_t pid;

	(void)state;
	setup_arena(4096);
	for (c = 0; c < 3; c++) {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			volatile uint8_t *v = port_malloc(10);
			int devnull = open("/dev/null", O_WRONLY);

			if (devnull >= 0)
				(void)dup2(devnull, 2); /* ASan's report */
			if (c == 0)
				v[10] = 1;
			if (c == 1) {
				port_free((void *)v);
				(void)v[0];
			}
			if (c == 2)
				v[-4] = 0;
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* In bounds, all is well. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		volatile uint8_t *v = port_malloc(10);

		v[9] = 1;
		v = port_realloc((void *)v, 100);
		v[99] = v[9];
		v = port_realloc((void *)v, 20);
		v[19] = 2;
		port_free((void *)v);
		_exit(port_arena_check() == NULL ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
#else
	(void)state;
	skip();
#endif
}

/* ---- stress against a shadow model ---- */

#define SLOTS 512
#define STRESS_OPS 100000
/* Smaller than the whole arena: full now and then (a few hundred NULLs). */
#define STRESS_ARENA (192u * 1024)

typedef struct slot {
	uint8_t *p;
	size_t n;
	uint32_t seed;
} slot;

typedef struct model {
	slot s[SLOTS];
	size_t used, peak, cap;
	size_t worst_free, worst_need; /* most space free at a NULL, and the request */
	double free_at_nulls;          /* sum of the space free at each NULL */
	uint64_t rng;
	unsigned long nulls, moves, in_place, errors;
} model;

/* Mostly small, as the token's blocks are, now and then a few KiB. */
static size_t random_size(uint64_t *rng)
{
	size_t r = rng_below(rng, 100);

	if (r < 70)
		return rng_below(rng, 65);
	if (r < 90)
		return 65 + rng_below(rng, 448);
	if (r < 99)
		return 513 + rng_below(rng, 3584);
	return 4097 + rng_below(rng, 12288);
}

static void note_null(model *m, size_t n)
{
	m->nulls++;
	m->free_at_nulls += (double)(m->cap - m->used);
	if (m->cap - m->used > m->worst_free) {
		m->worst_free = m->cap - m->used;
		m->worst_need = block_size(n);
	}
}

static void note_used(model *m, size_t transient)
{
	if (transient > m->peak)
		m->peak = transient;
	if (m->used > m->peak)
		m->peak = m->used;
}

/* One random operation on slot i; checked when check is set. Returns 0,
 * or 1 when a block was found damaged. */
static int step(model *m, size_t i, int check)
{
	slot *s = &m->s[i];
	size_t n = random_size(&m->rng), r = rng_below(&m->rng, 4), keep;
	uint8_t *q;

	if (s->p == NULL) {
		q = r == 0 ? port_calloc(1, n) : r == 1 ? port_realloc(NULL, n) : port_malloc(n);
		if (q == NULL) {
			note_null(m, n);
			return 0;
		}
		if (check && r == 0)
			for (keep = 0; keep < n; keep++)
				if (q[keep] != 0)
					return 1;
		s->p = q;
		s->n = n;
		s->seed = (uint32_t)rng_next(&m->rng);
		if (check)
			fill(q, 0, n, s->seed);
		m->used += block_size(n);
		note_used(m, 0);
		return 0;
	}
	if (check && !intact(s->p, s->n, s->seed))
		return 1;
	if (r < 2) {
		port_free(s->p);
		s->p = NULL;
		m->used -= block_size(s->n);
		return 0;
	}
	if (r == 2)
		n = rng_below(&m->rng, 8) == 0 ? 0 : n / 8; /* shrink, mostly */
	q = port_realloc(s->p, n);
	if (q == NULL) {
		note_null(m, n);
		return check && !intact(s->p, s->n, s->seed);
	}
	keep = s->n < n ? s->n : n;
	if (q != s->p) {
		m->moves++;
		note_used(m, m->used + block_size(n));
	} else {
		m->in_place++;
	}
	m->used += block_size(n) - block_size(s->n);
	note_used(m, 0);
	if (check) {
		if (!intact(q, keep, s->seed))
			return 1;
		fill(q, keep, n, s->seed);
	}
	s->p = q;
	s->n = n;
	return 0;
}

static int by_address(const void *a, const void *b)
{
	const slot *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* Every live block holds its pattern, lies inside the arena, and no two
 * blocks (tags included) overlap. */
static void check_all(const model *m)
{
	static slot live[SLOTS];
	size_t i, k = 0;

	for (i = 0; i < SLOTS; i++) {
		if (m->s[i].p == NULL)
			continue;
		assert_true(intact(m->s[i].p, m->s[i].n, m->s[i].seed));
		assert_int_equal((uintptr_t)m->s[i].p % 8, 0);
		live[k++] = m->s[i];
	}
	qsort(live, k, sizeof(live[0]), by_address);
	for (i = 0; i < k; i++) {
		assert_true(live[i].p - 4 >= arena);
		assert_true(live[i].p - 4 + block_size(live[i].n) <= arena + sizeof(arena));
		if (i + 1 < k)
			assert_true(live[i].p - 4 + block_size(live[i].n) <= live[i + 1].p - 4);
	}
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void test_stress(void **state)
{
	static model m;
	static void *order[SLOTS];
	size_t i, k;
	double t0, t1;

	(void)state;
	setup_arena(STRESS_ARENA);
	memset(&m, 0, sizeof(m));
	m.cap = capacity(STRESS_ARENA);
	m.rng = 0x9e3779b97f4a7c15ull;
	t0 = now_ms();
	for (i = 0; i < STRESS_OPS; i++) {
		if (step(&m, rng_below(&m.rng, SLOTS), 1))
			fail_msg("op %zu: a block lost its contents", i);
		if (iotoken_arena_used() != m.used || iotoken_arena_peak() != m.peak)
			fail_msg("op %zu: used %zu peak %zu, the model says %zu and %zu", i,
				 iotoken_arena_used(), iotoken_arena_peak(), m.used, m.peak);
		if (i % 64 == 0)
			CHECK();
		if (i % 1000 == 0)
			check_all(&m);
	}
	check_all(&m);
	CHECK();
	t1 = now_ms();
	print_message("stress: %d checked operations in %.0f ms; peak %zu of %zu bytes; %lu NULLs, "
		      "%.0f bytes free at one on average, at most %zu (for %zu); %lu reallocs in "
		      "place, %lu moved\n",
		      STRESS_OPS, t1 - t0, m.peak, m.cap, m.nulls,
		      m.nulls ? m.free_at_nulls / (double)m.nulls : 0.0, m.worst_free, m.worst_need,
		      m.in_place, m.moves);
	/* Everything freed in random order: one block of the full capacity. */
	for (i = k = 0; i < SLOTS; i++)
		if (m.s[i].p != NULL)
			order[k++] = m.s[i].p;
	shuffle(order, k, &m.rng);
	for (i = 0; i < k; i++)
		port_free(order[i]);
	assert_int_equal(iotoken_arena_used(), 0);
	CHECK();
	order[0] = port_malloc(m.cap - 4);
	assert_non_null(order[0]);
	port_free(order[0]);

	/* The same mix unchecked, for the allocator's own time per call. */
	setup_arena(STRESS_ARENA);
	memset(&m, 0, sizeof(m));
	m.cap = capacity(STRESS_ARENA);
	m.rng = 0x2545f4914f6cdd1dull;
	t0 = now_ms();
	for (i = 0; i < 10 * STRESS_OPS; i++)
		(void)step(&m, rng_below(&m.rng, SLOTS), 0);
	t1 = now_ms();
	print_message("timing: %d unchecked operations in %.0f ms, %.0f ns each; %lu NULLs\n",
		      10 * STRESS_OPS, t1 - t0, (t1 - t0) * 1e6 / (10.0 * STRESS_OPS), m.nulls);
	for (i = 0; i < SLOTS; i++)
		port_free(m.s[i].p);
	assert_int_equal(iotoken_arena_used(), 0);
	CHECK();
}

/* ---- threads ---- */

#define THREADS 4
#define THREAD_OPS 50000

static pthread_barrier_t start;

typedef struct worker {
	pthread_t id;
	model m; /* SLOTS slots of its own */
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	size_t i;

	(void)pthread_barrier_wait(&start); /* all at once */
	for (i = 0; i < THREAD_OPS; i++)
		w->m.errors += (unsigned long)step(&w->m, rng_below(&w->m.rng, SLOTS / 4), 1);
	for (i = 0; i < SLOTS; i++) {
		if (w->m.s[i].p != NULL && !intact(w->m.s[i].p, w->m.s[i].n, w->m.s[i].seed))
			w->m.errors++;
		port_free(w->m.s[i].p);
	}
	return NULL;
}

static void test_threads(void **state)
{
	static worker w[THREADS];
	size_t i;

	(void)state;
	setup_arena(ARENA_SIZE);
	assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
	for (i = 0; i < THREADS; i++) {
		memset(&w[i].m, 0, sizeof(w[i].m));
		w[i].m.rng = 0x51ed270b27ull * (i + 1);
		assert_int_equal(pthread_create(&w[i].id, NULL, work, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(w[i].id, NULL), 0);
	(void)pthread_barrier_destroy(&start);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(w[i].m.errors, 0);
	assert_int_equal(iotoken_arena_used(), 0);
	assert_true(iotoken_arena_peak() > 0);
	CHECK();
}

/* After every test: injection and tracking off, and the arena whole. */
static int teardown(void **state)
{
	const char *e = port_arena_check();

	(void)state;
	port_alloc_fail_after(0);
	port_test_release();
	if (e != NULL)
		print_error("arena: %s\n", e);
	return e == NULL ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_before_setup, teardown),
		cmocka_unit_test_teardown(test_setup_errors, teardown),
		cmocka_unit_test_teardown(test_dirty_arena, teardown),
		cmocka_unit_test_teardown(test_alignment, teardown),
		cmocka_unit_test_teardown(test_exhaustion, teardown),
		cmocka_unit_test_teardown(test_coalescing, teardown),
		cmocka_unit_test_teardown(test_wipe, teardown),
		cmocka_unit_test_teardown(test_calloc_zero, teardown),
		cmocka_unit_test_teardown(test_realloc_rules, teardown),
		cmocka_unit_test_teardown(test_failure_injection, teardown),
		cmocka_unit_test_teardown(test_scan, teardown),
		cmocka_unit_test_teardown(test_bad_free, teardown),
		cmocka_unit_test_teardown(test_asan, teardown),
		cmocka_unit_test_teardown(test_stress, teardown),
		cmocka_unit_test_teardown(test_threads, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
