/*
 * The operating-system layer: allocation, wiping, constant-time compare,
 * locks, fork detection. Everything above this layer calls these, never libc
 * or pthreads directly, so a device can substitute its own.
 */
#ifndef IOTOKEN_PORT_H
#define IOTOKEN_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "iotoken/defaults.h"
#include "iotoken/pkcs11.h"

#define IOT_MUST_CHECK __attribute__((warn_unused_result))

/* Allocation. All module memory goes through these. port_free(NULL) is a
 * no-op. port_free_secret wipes n bytes before freeing. */
void *port_malloc(size_t n);
void *port_calloc(size_t count, size_t size);
void *port_realloc(void *p, size_t n);
void port_free(void *p);
void port_free_secret(void *p, size_t n);
void *port_memdup(const void *p, size_t n);

/* Bulk allocation, for the many long-lived blocks a token load makes (one
 * per stored object). Blocks are cut from 2 MiB chunks the kernel may back
 * with huge pages: a first touch of fresh memory costs one page fault per
 * 2 MiB instead of one per 4 KiB. A chunk goes back to the system when its
 * last block is freed, so only blocks that are made together and mostly die
 * together belong here (a freed block's space is not reused before that).
 * port_arena_free_secret wipes n bytes and frees p, which may come from
 * port_arena_alloc or port_malloc. Failure injection counts an arena
 * allocation like any other. Plain port_malloc / port_free_secret when the
 * build has no arena (IOTOKEN_ARENA=0, sanitizers), for blocks above 256 KiB,
 * and while secret-scan tracking is on (so the scan sees them). */
void *port_arena_alloc(size_t n);
void port_arena_free_secret(void *p, size_t n);
/* Test hook: chunks currently mapped (0 without an arena). */
size_t port_arena_chunks(void);

/* Test hook: the nth allocation from now (1-based) and every later one fail;
 * 0 switches failure injection off. Not exported from the shared module. */
void port_alloc_fail_after(unsigned long n);
/* Test hook: only the nth allocation from now fails, then injection is off. */
void port_alloc_fail_nth(unsigned long n);
/* Test hook: allocations failed by injection since the last call above. */
unsigned long port_alloc_failures(void);

/* Test hooks for secret scans (tests/unit/test_secrets_scan.c). With
 * tracking on, blocks allocated from then on are recorded, and when freed
 * (from then on, even with tracking paused) are kept in a quarantine, unwiped
 * by the allocator and not returned to libc. port_test_scan searches every
 * recorded live and quarantined block for needle, calls hit (if not NULL) for
 * each occurrence and returns their number. port_test_track(0) pauses the
 * recording of new blocks; port_test_release ends it all and returns the
 * quarantine to libc. Nothing calls these in the module. */
typedef void (*port_test_hit_fn)(void *ctx, const void *block, size_t size, size_t offset,
				 int freed);
void port_test_track(int on);
void port_test_release(void);
size_t port_test_scan(const void *needle, size_t len, port_test_hit_fn hit, void *ctx);

/* A wipe the compiler cannot remove. */
void port_wipe(void *p, size_t n);

/* Constant-time equality of two n-byte buffers: 1 if equal, else 0. */
int port_ct_equal(const void *a, const void *b, size_t n);

/* The module lock: OS mutexes, or the application's callbacks when it gave
 * them without CKF_OS_LOCKING_OK. */
typedef struct port_mutex port_mutex;
CK_RV port_locking_configure(const CK_C_INITIALIZE_ARGS *args) IOT_MUST_CHECK;
CK_RV port_mutex_create(port_mutex **out) IOT_MUST_CHECK;
void port_mutex_destroy(port_mutex *m);
void port_mutex_lock(port_mutex *m);
void port_mutex_unlock(port_mutex *m);

/* Static locks for module-wide state, usable before C_Initialize and
 * without allocation: the C_Initialize/C_Finalize lock, the static arena's
 * allocator and the DRBG. One implementation per IOT_MUTEX port
 * (lock_pthread.c, lock_freertos.c, lock_none.c). Not recursive. */
enum { PORT_LOCK_INIT, PORT_LOCK_ALLOC, PORT_LOCK_RNG, PORT_LOCKS };
void port_static_lock(int which);
void port_static_unlock(int which);

/* A short wait (about 0.1 ms on POSIX, one tick on FreeRTOS) while other
 * threads finish their calls (C_Finalize). */
void port_pause(void);

/* True random bytes for seeding the DRBG: getrandom() on POSIX, the
 * device's entropy callback (iotoken/device.h) in the device profile.
 * 0 on success. */
int port_entropy(unsigned char *buf, size_t n) IOT_MUST_CHECK;

/* Fork detection: a counter that the child side of fork() increments. */
void port_fork_setup(void);
unsigned long port_fork_generation(void);
/* pthread_atfork on POSIX hosts; nothing in the device profile (no fork). */
void port_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void));

#endif
