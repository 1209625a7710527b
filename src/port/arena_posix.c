/*
 * The arena's chunks on POSIX (arena.h): anonymous private mappings aligned
 * on their size, with MADV_HUGEPAGE where the system has it. Empty when the
 * build has no arena (a device port has no mmap).
 */
#include "port/arena.h"

#if PORT_ARENA

#include <stdint.h>
#include <sys/mman.h>

#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif

void *port_chunk_map(void)
{
	/* Twice the size, then the unaligned head and tail are given back. */
	size_t span = 2 * PORT_CHUNK_SIZE, head, tail;
	uint8_t *p, *chunk;

	p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	head = (PORT_CHUNK_SIZE - ((uintptr_t)p & (PORT_CHUNK_SIZE - 1))) & (PORT_CHUNK_SIZE - 1);
	chunk = p + head;
	tail = span - head - PORT_CHUNK_SIZE;
	if (head > 0)
		(void)munmap(p, head);
	if (tail > 0)
		(void)munmap(chunk + PORT_CHUNK_SIZE, tail);
#ifdef MADV_HUGEPAGE
	/* Advice only: without THP the chunk is 512 ordinary pages. */
	(void)madvise(chunk, PORT_CHUNK_SIZE, MADV_HUGEPAGE);
#endif
	return chunk;
}

void port_chunk_unmap(void *chunk)
{
	(void)munmap(chunk, PORT_CHUNK_SIZE);
}

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int port_arena_posix_unused;

#endif
