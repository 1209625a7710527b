/*
 * The bulk allocator (port_arena_alloc, port.h): blocks are cut in turn from
 * the current 2 MiB chunk (bump allocation, 16-byte aligned), and each chunk
 * counts its live blocks; the chunk is unmapped when the count drops to
 * zero. Freed space inside a chunk is not reused: the blocks are loaded
 * objects, made together by a token load and freed together (finalize, a
 * reload replacing every object), and a chunk outlives its last block by
 * nothing.
 *
 * Why: in a virtual machine with shadow paging a first touch of a fresh
 * 4 KiB page costs ~11 us; loading 10,000 objects (12 MB) from malloc's heap
 * spent most of C_Initialize in those faults. A chunk is one huge page when
 * the kernel has THP in "madvise" or "always" mode.
 *
 * The chunks are kept in an array sorted by address, so that a free finds
 * its chunk by binary search, and a pointer in no chunk came from
 * port_malloc. One mutex guards it all: the module calls this under its own
 * lock anyway, so it is never contended.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "port/arena.h"
#include "port/port.h"

#if PORT_ARENA

#include <pthread.h>

#define ALIGN 16
/* Larger blocks would waste the tail of a chunk: port_malloc. */
#define ARENA_MAX_BLOCK (PORT_CHUNK_SIZE / 8)

typedef struct chunk {
	uint8_t *base;
	size_t used; /* bytes handed out from base */
	size_t live; /* blocks not yet freed */
} chunk;

static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER;
static chunk *chunks; /* sorted by base */
static size_t nchunks, chunks_cap;
static uint8_t *current; /* base of the chunk new blocks come from, or NULL */

/* A forked child starts with no chunks: the parent's objects are abandoned
 * with the rest of its state (C_Initialize in src/api/general.c), and the
 * lock may have been held by a thread that does not exist here. The old
 * table stays reachable for leak checkers. */
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static chunk *orphaned __attribute__((used));

static void on_fork_child(void)
{
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

	arena_lock = fresh;
	orphaned = chunks;
	chunks = NULL;
	nchunks = chunks_cap = 0;
	current = NULL;
}

static void register_fork_handler(void)
{
	(void)pthread_atfork(NULL, NULL, on_fork_child);
}

/* The index of the chunk holding p, or nchunks. */
static size_t chunk_of(const void *p)
{
	uintptr_t x = (uintptr_t)p;
	size_t lo = 0, hi = nchunks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uintptr_t b = (uintptr_t)chunks[mid].base;

		if (x < b)
			hi = mid;
		else if (x - b >= PORT_CHUNK_SIZE)
			lo = mid + 1;
		else
			return mid;
	}
	return nchunks;
}

/* Maps a new chunk and makes it the current one; NULL when the system has
 * no memory for it (the caller falls back to port_malloc). */
static chunk *chunk_new(void)
{
	uint8_t *base;
	size_t i;

	if (nchunks == chunks_cap) {
		size_t cap = chunks_cap ? chunks_cap * 2 : 16;
		chunk *c = realloc(chunks, cap * sizeof(*c));

		if (c == NULL)
			return NULL;
		chunks = c;
		chunks_cap = cap;
	}
	base = port_chunk_map();
	if (base == NULL)
		return NULL;
	for (i = nchunks; i > 0 && chunks[i - 1].base > base; i--)
		chunks[i] = chunks[i - 1];
	chunks[i].base = base;
	chunks[i].used = 0;
	chunks[i].live = 0;
	nchunks++;
	current = base;
	return &chunks[i];
}

void *port_arena_alloc(size_t n)
{
	chunk *c = NULL;
	size_t k;
	void *p = NULL;

	if (n == 0 || n > ARENA_MAX_BLOCK || port_test_tracking())
		return port_malloc(n);
	if (port_alloc_injected())
		return NULL;
	(void)pthread_once(&fork_once, register_fork_handler);
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	pthread_mutex_lock(&arena_lock);
	if (current != NULL) {
		k = chunk_of(current);
		if (PORT_CHUNK_SIZE - chunks[k].used >= n)
			c = &chunks[k];
	}
	/* The old current chunk, if any, is left to its live blocks. */
	if (c == NULL)
		c = chunk_new();
	if (c != NULL) {
		p = c->base + c->used;
		c->used += n;
		c->live++;
	}
	pthread_mutex_unlock(&arena_lock);
	/* No chunk: the heap may still have room (the injection was counted
	 * above, so this one is not counted again). */
	return p != NULL ? p : malloc(n);
}

void port_arena_free_secret(void *p, size_t n)
{
	uint8_t *gone = NULL;
	size_t k;

	if (p == NULL)
		return;
	pthread_mutex_lock(&arena_lock);
	k = chunk_of(p);
	if (k == nchunks) {
		pthread_mutex_unlock(&arena_lock);
		port_free_secret(p, n);
		return;
	}
	port_wipe(p, n);
	if (--chunks[k].live == 0) {
		gone = chunks[k].base;
		memmove(&chunks[k], &chunks[k + 1], (nchunks - k - 1) * sizeof(chunks[0]));
		nchunks--;
		if (current == gone)
			current = NULL;
	}
	pthread_mutex_unlock(&arena_lock);
	if (gone != NULL)
		port_chunk_unmap(gone);
}

size_t port_arena_chunks(void)
{
	size_t n;

	pthread_mutex_lock(&arena_lock);
	n = nchunks;
	pthread_mutex_unlock(&arena_lock);
	return n;
}

#elif !IOT_STATIC_ARENA /* no bulk arena: the heap */

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

/* With the static arena, alloc_static.c has all three. */
#endif
