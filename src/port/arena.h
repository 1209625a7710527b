/*
 * Inside the port layer: what the bulk allocator (arena.c, port_arena_alloc
 * in port.h) needs from the allocator (alloc.c) and from the operating
 * system (arena_posix.c). Not for code above src/port.
 *
 * The arena is a compile-time choice. IOTOKEN_ARENA=0 makes
 * port_arena_alloc plain port_malloc and leaves arena_posix.c empty.
 * Sanitizer builds turn it off too: ASan and TSan must see every object as
 * its own heap block to catch overflows and races on it. A build with the
 * static arena (IOT_STATIC_ARENA, the device profile: one caller-given arena
 * for everything, issue 9) has no bulk arena whatever IOTOKEN_ARENA says:
 * alloc_static.c then gives port_arena_alloc & co., and alloc.c, arena.c and
 * arena_posix.c are empty.
 */
#ifndef IOTOKEN_PORT_ARENA_H
#define IOTOKEN_PORT_ARENA_H

#include <stddef.h>

#include "iotoken/defaults.h"

#ifndef IOTOKEN_ARENA
#if IOT_STATIC_ARENA
#define IOTOKEN_ARENA 0
#elif defined(__linux__) || defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
	defined(__NetBSD__)
#define IOTOKEN_ARENA 1
#else
#define IOTOKEN_ARENA 0
#endif
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PORT_ARENA_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(memory_sanitizer)
#define PORT_ARENA_SANITIZED 1
#endif
#endif

#if IOTOKEN_ARENA && !IOT_STATIC_ARENA && !defined(PORT_ARENA_SANITIZED)
#define PORT_ARENA 1
#else
#define PORT_ARENA 0
#endif

/* Chunks: PORT_CHUNK_SIZE bytes, aligned on PORT_CHUNK_SIZE (a huge page on
 * x86-64 and arm64 with 4 KiB pages, so the kernel can back a chunk with one
 * page instead of 512). */
#define PORT_CHUNK_SIZE ((size_t)2 << 20)

/* arena_posix.c: a zeroed, aligned chunk the kernel is asked to back with
 * huge pages, or NULL; and its release. */
void *port_chunk_map(void);
void port_chunk_unmap(void *chunk);

/* alloc.c: 1 when failure injection fails this allocation (counted as one
 * allocation, like port_malloc's); whether secret-scan tracking is on. */
int port_alloc_injected(void);
int port_test_tracking(void);

#endif
