/*
 * The static arena's allocator (IOT_STATIC_ARENA, issue 9): in the device
 * profile every block the token allocates (and mbedTLS's, when its calloc and
 * free are port_calloc and port_free) comes from the one arena the device gave
 * to iotoken_device_setup. This file replaces alloc.c (the C library's heap)
 * and arena.c (the bulk chunks): every function of port.h's allocation
 * section is here, and nothing calls malloc.
 *
 * Layout. The arena is a row of blocks, each opening with a 4-byte tag: its
 * size (a multiple of 8, the tag included) and three flags. Blocks start at
 * 4 mod 8, so the payload right after a tag is 8-byte aligned:
 *
 *   base     base+4                                      base+4+cap
 *   | pad    | tag payload... | tag payload... | ...    | end tag (size 0, in use)
 *
 *   allocated block      [tag][payload .............]    at least 16 bytes
 *   free block, >= 16    [tag][next][prev][0 ... 0][size]
 *   free block of 8      [tag][size]
 *
 * An allocated block costs its 4-byte tag plus the rounding to 8. A free
 * block keeps a footer with its size, so the block after it (whose PINUSE
 * flag is clear) can find its start and merge with it. A free block of 16
 * bytes or more is on the list of its size class (links are offsets from
 * base, 0 for none). A free block of 8 bytes, what is left when a block is
 * cut 8 bytes short, is on no list: it waits until a neighbour is freed and
 * merges with it. Because of it a block is never bigger than its request
 * asks, and iotoken_arena_used is exactly the sum of block_size(request).
 *
 * Invariants (port_arena_check tests every one):
 *   - no two free blocks are neighbours: a free merges with both at once;
 *   - PINUSE in a tag is set exactly when the block before is allocated;
 *   - every free block of 16 bytes or more is on the list of its class;
 *   - every byte of a free block is zero but its tag, links and footer:
 *     port_free wipes the payload, a merge zeroes the tags it swallows, and
 *     static memory is never handed back to an operating system, so nothing
 *     of a key survives in it. (Past the end of the blocks handed out since
 *     setup, "fresh", the arena holds what it held before: reach() zeroes
 *     it as blocks get there.)
 *
 * Allocation is a best fit over segregated lists: one free list per
 * power-of-two class ([16,32), [32,64), ...) and a bit map of the non-empty
 * ones, so that a request looks at two lists at most. The rest of the block
 * it takes, 8 bytes or more, is a new free block.
 * One lock (port_static_lock(PORT_LOCK_ALLOC)) guards it all.
 *
 * Semantics, the same as alloc.c's: port_malloc(0) and port_calloc with a
 * zero count or size return a distinct minimal block (12 bytes); a
 * port_calloc whose product overflows returns NULL; port_realloc(NULL, n) is
 * port_malloc(n); port_realloc(p, 0) shrinks p to a minimal block and
 * returns it (it never frees); a failed port_realloc returns NULL and leaves
 * p as it was. Before port_arena_setup every allocation returns NULL (the
 * device did not call iotoken_device_setup). A pointer that is no live block
 * (a second free of a block not reused since, say) is ignored by port_free
 * and makes port_realloc return NULL.
 */
#include <stdint.h>
#include <string.h>

#include "port/device.h"
#include "port/port.h"

#if IOT_STATIC_ARENA

#if !IOT_DEVICE
/* port/device.h declares it in the device profile only. */
CK_RV port_arena_setup(void *mem, size_t n) IOT_MUST_CHECK;
#endif

/* Under AddressSanitizer (host test builds of the device profile) the arena
 * is poisoned but for the n bytes of each allocated block, so that ASan sees
 * an overflow past n, a use after free or a write to a tag as it does on the
 * heap. The allocator's own reads and writes of tags are not instrumented. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define NO_ASAN __attribute__((no_sanitize_address))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define NO_ASAN
#endif

#define CINUSE 1u  /* this block is allocated */
#define PINUSE 2u  /* the block before this one is allocated */
#define TRACKED 4u /* test hooks: allocated while port_test_track was on */
#define FLAGS 7u
#define HDR 4u                /* the tag, the only overhead of an allocated block */
#define MIN_BLOCK 16u         /* tag, two links, footer: the smallest listed block */
#define DUST 8u               /* tag and footer: a free block on no list */
#define NBINS 28              /* classes [2^(k+4), 2^(k+5)); the last one open-ended */
#define ARENA_MIN 32u         /* alignment pad, one block of 16, end tag, to spare */
#define ARENA_MAX 0x7ffffff8u /* sizes and offsets fit in 31 bits */

static uint8_t *base; /* 8-byte aligned; NULL before port_arena_setup */
static uint32_t cap;  /* bytes of blocks, from base + HDR to the end tag */
static uint32_t used, peak;
static uint32_t fresh;       /* blocks ever handed out since setup end below it */
static uint32_t bins[NBINS]; /* first block of each class, 0 for none */
static uint32_t binmap;      /* bit k: bins[k] is not empty */

#if IOT_TEST_HOOKS
const char *port_arena_check(void);
#endif

/* ---- tags: 4-byte words at offsets from base ---- */

/* A word that may alias anything: the arena is the caller's object, of
 * whatever declared type (a uint8_t array, usually). */
typedef uint32_t __attribute__((may_alias)) word;

NO_ASAN static uint32_t get(uint32_t at)
{
	return *(const word *)(const void *)(base + at);
}

NO_ASAN static void put(uint32_t at, uint32_t v)
{
	*(word *)(void *)(base + at) = v;
}

static uint32_t size_at(uint32_t b)
{
	return get(b) & ~FLAGS;
}

/* ASan: only the n bytes asked for are addressable, not the slack. */
static void expose(uint32_t b, size_t n)
{
	POISON(base + b + HDR, size_at(b) - HDR);
	UNPOISON(base + b + HDR, n);
}

/* The block a request of n bytes takes (n at most cap, so no overflow). */
static uint32_t block_size(size_t n)
{
	if (n <= MIN_BLOCK - HDR)
		return MIN_BLOCK;
	return (uint32_t)((n + HDR + 7) & ~(size_t)7);
}

static unsigned bin_of(uint32_t size)
{
	unsigned k = 31u - (unsigned)__builtin_clz(size) - 4u; /* size >= 16 */

	return k < NBINS ? k : NBINS - 1;
}

/* ---- test hooks: failure injection and tracking ---- */

#if IOT_TEST_HOOKS
/* As in alloc.c: 0 is off, else the allocations left before one fails. */
static unsigned long fail_countdown, fail_count;
static int fail_sticky, track_on;
static unsigned long bad_frees; /* port_free of a pointer that is no live block */

static int injected(void)
{
	if (fail_countdown == 0)
		return 0;
	if (fail_countdown == 1) {
		if (!fail_sticky)
			fail_countdown = 0;
		fail_count++;
		return 1;
	}
	fail_countdown--;
	return 0;
}

static uint32_t track_flag(void)
{
	return track_on ? TRACKED : 0;
}
#else
static int injected(void)
{
	return 0;
}

static uint32_t track_flag(void)
{
	return 0;
}
#endif

/* ---- free lists ---- */

static void list_insert(uint32_t b, uint32_t s)
{
	unsigned k;

	if (s < MIN_BLOCK)
		return; /* dust: on no list */
	k = bin_of(s);
	put(b + 4, bins[k]);
	put(b + 8, 0);
	if (bins[k] != 0)
		put(bins[k] + 8, b);
	bins[k] = b;
	binmap |= 1u << k;
}

static void list_remove(uint32_t b, uint32_t s)
{
	uint32_t next, prev;
	unsigned k;

	if (s < MIN_BLOCK)
		return;
	k = bin_of(s);
	next = get(b + 4);
	prev = get(b + 8);
	if (prev != 0) {
		put(prev + 4, next);
	} else {
		bins[k] = next;
		if (next == 0)
			binmap &= ~(1u << k);
	}
	if (next != 0)
		put(next + 8, prev);
}

/* Zeroes the tag and links of a free block that a merge swallows (its
 * footer is either rewritten or inside the merged block's wiped part). */
static void clear_tags(uint32_t b, uint32_t s)
{
	put(b, 0);
	if (s >= MIN_BLOCK) {
		put(b + 4, 0);
		put(b + 8, 0);
	}
}

/* Makes [b, b+s) a free block: its bytes are zero but for what is written
 * here, the block before it is allocated and the one after it is not free. */
static void set_free(uint32_t b, uint32_t s)
{
	put(b, s | PINUSE);
	put(b + s - 4, s);
	put(b + s, get(b + s) & ~PINUSE);
	list_insert(b, s);
}

/* Block b (off any list, have bytes) becomes an allocated block of need
 * bytes with the given flags; the rest, 8 bytes or more, is a free block.
 * The block after b is allocated (b was free, or the rest of a merge). */
static void carve(uint32_t b, uint32_t have, uint32_t need, uint32_t flags)
{
	if (have - need >= DUST) {
		put(b, need | flags);
		set_free(b + need, have - need);
	} else {
		put(b, have | flags);
		put(b + have, get(b + have) | PINUSE);
	}
}

/* ---- blocks ---- */

/* Best fit: the smallest free block of need bytes or more. It is in the
 * request's own class, or else in the next class that has blocks at all
 * (every one of those fits, and is smaller than any block above). */
static uint32_t find_fit(uint32_t need)
{
	unsigned k = bin_of(need);
	uint32_t b, s, best = 0, best_size = UINT32_MAX, more;

	for (;;) {
		for (b = bins[k]; b != 0; b = get(b + 4)) {
			s = size_at(b);
			if (s >= need && s < best_size) {
				best = b;
				best_size = s;
				if (s == need)
					return b;
			}
		}
		if (best != 0 || k + 1 >= NBINS)
			return best;
		more = binmap >> (k + 1);
		if (more == 0)
			return 0;
		k += 1 + (unsigned)__builtin_ctz(more);
	}
}

static void account(uint32_t more)
{
	used += more;
	if (used > peak)
		peak = used;
}

/* Zeroes the arena up to end the first time a block reaches there (before
 * the tags of the block are written), so that no block shows what the
 * memory held before port_arena_setup, and setup need not touch it all:
 * on a host, a big arena in .bss costs no page until it is used. */
static void reach(uint32_t end)
{
	if (end <= fresh)
		return;
	UNPOISON(base + fresh, end - fresh);
	memset(base + fresh, 0, end - fresh);
	POISON(base + fresh, end - fresh);
	fresh = end;
}

/* A new block for n bytes, or 0. Lock held, failure injection done. */
static uint32_t alloc_block(size_t n)
{
	uint32_t b, s, need;

	if (base == NULL || n > cap - HDR)
		return 0;
	need = block_size(n);
	b = find_fit(need);
	if (b == 0)
		return 0;
	s = size_at(b);
	list_remove(b, s);
	reach(b + need);
	/* A free block's neighbour before it is allocated. */
	carve(b, s, need, CINUSE | PINUSE | track_flag());
	account(need);
	UNPOISON(base + b + HDR, n);
	return b;
}

/* Frees allocated block b: wipes its payload and merges it with free
 * neighbours. Lock held. */
static void free_block(uint32_t b)
{
	uint32_t t = get(b), s = t & ~FLAGS, n, ns;

	used -= s;
	UNPOISON(base + b + HDR, s - HDR);
	port_wipe(base + b + HDR, s - HDR);
	if (!(t & PINUSE)) {
		uint32_t ps = get(b - 4);

		list_remove(b - ps, ps);
		put(b - 4, 0); /* the footer before and this tag are inside now */
		put(b, 0);
		b -= ps;
		s += ps;
	}
	n = b + s;
	t = get(n);
	if (!(t & CINUSE)) {
		ns = t & ~FLAGS;
		list_remove(n, ns);
		clear_tags(n, ns);
		s += ns;
	}
	set_free(b, s);
	POISON(base + b + HDR, s - HDR);
}

/* The block of payload p, or 0 when p is no live block. */
static uint32_t block_of(const void *p)
{
	uintptr_t at = (uintptr_t)p, lo = (uintptr_t)base;
	uint32_t b;

	if (base == NULL || at < lo + 2 * HDR || at - lo > cap || (at - lo) % 8 != 0)
		return 0;
	b = (uint32_t)(at - lo) - HDR;
	return (get(b) & CINUSE) ? b : 0;
}

/* ---- port.h ---- */

CK_RV port_arena_setup(void *mem, size_t n)
{
	uintptr_t pad = (8 - ((uintptr_t)mem & 7)) & 7;
	CK_RV rv = CKR_OK;

	if (mem == NULL || n < pad || n - pad < ARENA_MIN)
		return CKR_ARGUMENTS_BAD;
	n = (n - pad) & ~(size_t)7;
	if (n > ARENA_MAX)
		n = ARENA_MAX; /* the rest is never used */
	port_static_lock(PORT_LOCK_ALLOC);
	if (used != 0) {
		/* Blocks of the old arena are still out there. */
		rv = CKR_FUNCTION_FAILED;
	} else {
		base = (uint8_t *)mem + pad;
		cap = (uint32_t)n - 2 * HDR;
		fresh = HDR; /* nothing zeroed yet: reach() */
		POISON(base, n);
		memset(bins, 0, sizeof(bins));
		binmap = 0;
		put(HDR + cap, CINUSE); /* the end tag: size 0, never free */
		set_free(HDR, cap);
		peak = 0;
#if IOT_TEST_HOOKS
		bad_frees = 0;
#endif
	}
	port_static_unlock(PORT_LOCK_ALLOC);
	return rv;
}

void *port_malloc(size_t n)
{
	void *p = NULL;
	uint32_t b;

	port_static_lock(PORT_LOCK_ALLOC);
	if (base != NULL && !injected()) {
		b = alloc_block(n);
		if (b != 0)
			p = base + b + HDR;
	}
	port_static_unlock(PORT_LOCK_ALLOC);
	return p;
}

void *port_calloc(size_t count, size_t size)
{
	void *p;

	if (count == 0 || size == 0)
		count = size = 1;
	/* An overflowing product is more than any arena has. */
	p = port_malloc(size > SIZE_MAX / count ? SIZE_MAX : count * size);
	if (p != NULL)
		memset(p, 0, count * size); /* links and footers of the free block */
	return p;
}

void *port_realloc(void *p, size_t n)
{
	uint32_t b, s, need, next, t;
	void *q = NULL;

	if (p == NULL)
		return port_malloc(n);
	port_static_lock(PORT_LOCK_ALLOC);
	b = block_of(p);
	if (b == 0 || injected() || n > cap - HDR)
		goto out;
	s = size_at(b);
	need = block_size(n);
	next = b + s;
	t = get(next);
	q = p;
	if (need <= s) {
		/* Shrink: the tail becomes an allocated block, freed (wiped). */
		if (s - need >= DUST) {
			put(b, need | (get(b) & FLAGS));
			put(b + need, (s - need) | CINUSE | PINUSE);
			free_block(b + need);
		}
	} else if (!(t & CINUSE) && s + (t & ~FLAGS) >= need) {
		/* Grow in place into the free block after. */
		list_remove(next, t & ~FLAGS);
		clear_tags(next, t & ~FLAGS);
		reach(b + need);
		carve(b, s + (t & ~FLAGS), need, get(b) & FLAGS);
		account(need - s);
	} else {
		/* Move: the old block stays until the copy is made. */
		t = alloc_block(n);
		q = NULL;
		if (t != 0) {
			q = base + t + HDR;
			UNPOISON(p, s - HDR);
			memcpy(q, p, s - HDR);
			free_block(b);
		}
		goto out;
	}
	expose(b, n);
out:
	port_static_unlock(PORT_LOCK_ALLOC);
	return q;
}

void port_free(void *p)
{
	uint32_t b;

	if (p == NULL)
		return;
	port_static_lock(PORT_LOCK_ALLOC);
	b = block_of(p);
	if (b != 0)
		free_block(b);
#if IOT_TEST_HOOKS
	else
		bad_frees++;
#endif
	port_static_unlock(PORT_LOCK_ALLOC);
}

/* The free wipes the whole payload, n bytes and more. */
void port_free_secret(void *p, size_t n)
{
	(void)n;
	port_free(p);
}

void *port_memdup(const void *p, size_t n)
{
	void *q = port_malloc(n);

	if (q != NULL && n > 0)
		memcpy(q, p, n);
	return q;
}

/* No bulk arena here (arena.h: IOTOKEN_ARENA is 0): the arena is all there
 * is, and a freed block's space is reused at once. */
void *port_arena_alloc(size_t n)
{
	return port_malloc(n);
}

void port_arena_free_secret(void *p, size_t n)
{
	port_free_secret(p, n);
}

size_t port_arena_chunks(void)
{
	return 0;
}

/* ---- iotoken/device.h ---- */

void *iotoken_port_malloc(size_t n)
{
	return port_malloc(n);
}

void iotoken_port_free(void *p)
{
	port_free(p);
}

size_t iotoken_arena_used(void)
{
	size_t n;

	port_static_lock(PORT_LOCK_ALLOC);
	n = used;
	port_static_unlock(PORT_LOCK_ALLOC);
	return n;
}

size_t iotoken_arena_peak(void)
{
	size_t n;

	port_static_lock(PORT_LOCK_ALLOC);
	n = peak;
	port_static_unlock(PORT_LOCK_ALLOC);
	return n;
}

/* ---- test hooks ---- */

#if IOT_TEST_HOOKS
void port_alloc_fail_after(unsigned long n)
{
	port_static_lock(PORT_LOCK_ALLOC);
	fail_countdown = n;
	fail_sticky = 1;
	fail_count = 0;
	port_static_unlock(PORT_LOCK_ALLOC);
}

void port_alloc_fail_nth(unsigned long n)
{
	port_static_lock(PORT_LOCK_ALLOC);
	fail_countdown = n;
	fail_sticky = 0;
	fail_count = 0;
	port_static_unlock(PORT_LOCK_ALLOC);
}

unsigned long port_alloc_failures(void)
{
	unsigned long n;

	port_static_lock(PORT_LOCK_ALLOC);
	n = fail_count;
	port_static_unlock(PORT_LOCK_ALLOC);
	return n;
}

/*
 * Secret scans (port.h). There is no quarantine to keep: the free already
 * wiped what alloc.c would keep, so a secret the module freed without a
 * wipe is gone here by construction. What a scan still finds:
 *   - live blocks allocated while tracking was on (a TRACKED flag in the
 *     tag), freed = 0: a secret still held where it should be gone;
 *   - all free space, whenever allocated, freed = 1: a hit there is a write
 *     through a dangling pointer, or a broken wipe.
 * block and size are the payload (all of it, slack and, in free space, the
 * links and footer included; under ASan only a live block's first n bytes
 * are addressable). hit runs under the allocator's lock: it must not
 * allocate.
 */
void port_test_track(int on)
{
	port_static_lock(PORT_LOCK_ALLOC);
	track_on = on;
	port_static_unlock(PORT_LOCK_ALLOC);
}

/* Nothing is quarantined; blocks keep their TRACKED flag until freed. */
void port_test_release(void)
{
	port_test_track(0);
}

/* Reads the arena as it is, poisoned or not (hence no memcmp). */
NO_ASAN static size_t scan_block(const uint8_t *b, size_t n, int freed, const uint8_t *needle,
				 size_t len, port_test_hit_fn hit, void *ctx)
{
	size_t off, i, found = 0;

	for (off = 0; off + len <= n; off++) {
		for (i = 0; i < len && b[off + i] == needle[i]; i++)
			;
		if (i < len)
			continue;
		found++;
		if (hit != NULL)
			hit(ctx, b, n, off, freed);
	}
	return found;
}

size_t port_test_scan(const void *needle, size_t len, port_test_hit_fn hit, void *ctx)
{
	uint32_t b, s, t;
	size_t found = 0;

	if (needle == NULL || len == 0)
		return 0;
	port_static_lock(PORT_LOCK_ALLOC);
	for (b = HDR; base != NULL && (s = size_at(b)) != 0; b += s) {
		t = get(b);
		if ((t & CINUSE) && !(t & TRACKED))
			continue;
		found += scan_block(base + b + HDR, s - HDR, !(t & CINUSE), needle, len, hit, ctx);
	}
	port_static_unlock(PORT_LOCK_ALLOC);
	return found;
}

static const char *check_lists(uint32_t nfree)
{
	uint32_t b, prev, s, listed = 0;
	unsigned k;

	for (k = 0; k < NBINS; k++) {
		if (((binmap >> k) & 1) != (bins[k] != 0))
			return "the bit map disagrees with a list";
		for (prev = 0, b = bins[k]; b != 0; prev = b, b = get(b + 4)) {
			if (b % 8 != 4 || b >= HDR + cap)
				return "a link points outside the arena";
			s = size_at(b);
			if ((get(b) & CINUSE) || s < MIN_BLOCK || bin_of(s) != k)
				return "a listed block is in use or in the wrong class";
			if (get(b + 8) != prev)
				return "a back link is wrong";
			if (++listed > nfree)
				return "a list holds a block twice, or a cycle";
		}
	}
	return listed == nfree ? NULL : "a free block is on no list";
}

/* Test hook (declared above and in tests/unit/test_alloc_static.c): walks
 * the arena and checks the invariants of the comment at the top; NULL when
 * they hold, else what broke. */
NO_ASAN const char *port_arena_check(void)
{
	const char *err = NULL;
	uint32_t b, s, t, i, sum = 0, nfree = 0;
	int prev_free = 0;

	port_static_lock(PORT_LOCK_ALLOC);
	if (base == NULL)
		goto out;
	for (b = HDR;; b += s) {
		t = get(b);
		s = t & ~FLAGS;
		if (((t & PINUSE) == 0) != prev_free) {
			err = "PINUSE disagrees with the block before";
			goto out;
		}
		if (s == 0)
			break;
		if (s % 8 != 0 || s > HDR + cap - b) {
			err = "a block size is not a multiple of 8 or runs past the end";
			goto out;
		}
		if (t & CINUSE) {
			if (s < MIN_BLOCK || b + s > fresh) {
				err = "an allocated block under 16 bytes or past fresh";
				goto out;
			}
			sum += s;
			prev_free = 0;
			continue;
		}
		if (prev_free || (t & TRACKED) || get(b + s - 4) != s) {
			err = "free blocks side by side, or a bad free tag or footer";
			goto out;
		}
		for (i = b + (s >= MIN_BLOCK ? 12 : 4); i < b + s - 4 && i < fresh; i++) {
			if (base[i] != 0) {
				err = "a free block holds data";
				goto out;
			}
		}
		nfree += s >= MIN_BLOCK;
		prev_free = 1;
	}
	if (b != HDR + cap || !(t & CINUSE))
		err = "the end tag is not at the end";
	else if (sum != used || peak < used)
		err = "the used count is not the sum of the allocated blocks";
	else if (bad_frees != 0)
		err = "port_free of a pointer that is no live block";
	else
		err = check_lists(nfree);
out:
	port_static_unlock(PORT_LOCK_ALLOC);
	return err;
}
#endif

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int port_alloc_static_unused;

#endif
