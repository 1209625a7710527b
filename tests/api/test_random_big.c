/*
 * C_GenerateRandom with ulRandomLen past 2^32 on a 64-bit host (SECURITY.md
 * rows 28 and 34: "handles ulRandomLen > 2^32 correctly"). The module hands
 * the whole length to crypto_random, which feeds the backend's generator in
 * pieces it accepts (OpenSSL: RAND_bytes in INT_MAX chunks, src/crypto/
 * openssl.c; mbedTLS: MBEDTLS_CTR_DRBG_MAX_REQUEST chunks, src/crypto/
 * mbedtls.c). A length truncated to 32 bits anywhere on that path would fill
 * 64 KiB (or 0 or 1 byte) of the buffer and return CKR_OK; a chunk loop that
 * lost its tail would leave zeros at the end; one that ran past the length
 * would write after it.
 *
 * Each case takes a fresh anonymous mapping (MAP_NORESERVE: only the pages
 * the module writes are ever backed), so every byte starts as a zero
 * sentinel; the windows just below and above offset 2^32 and at the very end
 * are also zeroed explicitly before the call. After the call:
 *   - every 4 KiB page of [0, len) holds a non-zero byte (4,096 random bytes
 *     that are all zero: probability 2^-32768);
 *   - every byte of [len, end of mapping) is still zero;
 *   - for len = 2^32 + 1, whose only byte past 2^32 cannot be told from a
 *     sentinel by its value (a random byte is zero once in 256), the page
 *     holding it was never touched before the call and must be resident
 *     after it (mincore): the module wrote there.
 *
 * About 4 GiB of memory is written per case: the test runs once (not per
 * store, tests/CMakeLists.txt), has the ctest label "bigmem", is not run
 * under valgrind (tests/valgrind/run.sh) and exits 77 (ctest: skipped) on a
 * 32-bit host or when less than 6 GiB of memory is available.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define PAGE 4096UL
#define WINDOW (64UL * 1024)
#define SKIP_EXIT 77

#if UINTPTR_MAX > 0xffffffffUL
#define TWO32 ((size_t)1 << 32)
#define MAP_LEN (TWO32 + 2 * WINDOW)
#endif

/* MemAvailable of /proc/meminfo in bytes (0 if unknown). */
static unsigned long long mem_available(void)
{
	unsigned long long kib = 0;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return kib * 1024;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#ifdef TWO32

/* The mapping, its last part (from 4 MiB below 2^32) in 4 KiB pages. */
static unsigned char *map_buffer(void)
{
	void *p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	size_t tail = TWO32 - ((size_t)4 << 20);

	assert_true(p != MAP_FAILED);
	/* Page faults are most of the time this test takes: huge pages
	 * where they may be, but not where mincore must see single
	 * pages. Both are hints; the checks do not depend on them. */
	(void)madvise(p, tail, MADV_HUGEPAGE);
	(void)madvise((unsigned char *)p + tail, MAP_LEN - tail, MADV_NOHUGEPAGE);
	return p;
}

/* 1 if the n bytes at p are all zero. Words once p is aligned (memcpy:
 * no aliasing, and the compiler makes it one load). */
static int all_zero(const unsigned char *p, size_t n)
{
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i < n && ((uintptr_t)(p + i) & 7) != 0; i++)
		acc |= p[i];
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* The number of 4 KiB pages (the last one may be partial) of the n bytes
 * at p that hold only zeros. */
static size_t zero_pages(const unsigned char *p, size_t n)
{
	size_t off, bad = 0;

	for (off = 0; off < n; off += PAGE)
		bad += all_zero(p + off, n - off < PAGE ? n - off : PAGE);
	return bad;
}

/* 1 if the page holding p is resident. */
static int resident(const unsigned char *p)
{
	unsigned char vec = 0;
	uintptr_t page = (uintptr_t)p & ~(uintptr_t)(PAGE - 1);

	assert_int_equal(mincore((void *)page, PAGE, &vec), 0);
	return vec & 1;
}

static void generate(CK_SESSION_HANDLE s, unsigned char *buf, size_t len)
{
	double t0 = now();

	assert_ok(p11->C_GenerateRandom(s, buf, (CK_ULONG)len));
	fprintf(stderr, "# C_GenerateRandom(2^32 %+ld bytes): %.1f s\n", (long)(len - TWO32),
		now() - t0);
}

/* Every page of [from, to) holds a non-zero byte. */
static void assert_filled(const unsigned char *buf, size_t from, size_t to)
{
	size_t bad = zero_pages(buf + from, to - from);

	if (bad != 0)
		fail_msg("%zu pages of [%zu, %zu) were left zero", bad, from, to);
}

/*
 * One mapping of 2^32 + 128 KiB, three requests:
 *   2^32 + 64 KiB: the whole request is checked, page by page (a length
 *     truncated to 32 bits fills 64 KiB);
 *   exactly 2^32 (0 when truncated): the window below 2^32, zeroed again,
 *     is filled, and nothing at or after 2^32 is written;
 *   2^32 + 1 (1 when truncated): the same window filled; the page at 2^32,
 *     given back to the kernel before the call (MADV_DONTNEED: not
 *     resident, reads as zeros), is resident after it, and the bytes after
 *     2^32 + 1 are still zero.
 * Before each request the sentinels (zeros) cover 64 KiB below 2^32 to the
 * end of the mapping.
 */
static void test_random_past_2_32(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	unsigned char *buf = map_buffer();
	const size_t below = TWO32 - WINDOW;
	double t0 = now();

	(void)state;
	memset(buf + below, 0, MAP_LEN - below);
	generate(s, buf, TWO32 + WINDOW);
	assert_filled(buf, 0, TWO32 + WINDOW);
	assert_true(all_zero(buf + TWO32 + WINDOW, WINDOW));

	memset(buf + below, 0, MAP_LEN - below);
	generate(s, buf, TWO32);
	assert_filled(buf, below, TWO32);
	assert_true(all_zero(buf + TWO32, MAP_LEN - TWO32));

	memset(buf + below, 0, WINDOW);
	assert_int_equal(madvise(buf + TWO32, MAP_LEN - TWO32, MADV_DONTNEED), 0);
	assert_false(resident(buf + TWO32));
	generate(s, buf, TWO32 + 1);
	assert_filled(buf, below, TWO32);
	assert_true(resident(buf + TWO32));
	assert_true(all_zero(buf + TWO32 + 1, MAP_LEN - TWO32 - 1));

	assert_int_equal(munmap(buf, MAP_LEN), 0);
	assert_ok(p11->C_CloseSession(s));
	fprintf(stderr, "# whole test: %.1f s\n", now() - t0);
}

#endif /* TWO32 */

int main(int argc, char **argv)
{
#ifdef TWO32
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_past_2_32, h_setup_token, h_teardown),
	};
	unsigned long long avail = mem_available();

	(void)argc;
	(void)argv;
	if (sizeof(CK_ULONG) < 8) {
		printf("skipped: CK_ULONG has %zu bytes\n", sizeof(CK_ULONG));
		return SKIP_EXIT;
	}
	if (avail < 6ULL << 30) {
		printf("skipped: %llu MiB of memory available, 6144 needed\n", avail >> 20);
		return SKIP_EXIT;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
#else
	(void)argc;
	(void)argv;
	(void)now;
	(void)mem_available;
	printf("skipped: 32-bit host\n");
	return SKIP_EXIT;
#endif
}
