/*
 * Stubs of the port layer (src/port/port.h) but for port_wipe and
 * port_ct_equal, which are analysed from src/port/wipe.c.
 *
 * Allocation: every function may return NULL (unless verify_setup), else a
 * fresh block of exactly the size asked (at least 1 byte, as
 * src/port/alloc.c gives for 0). The blocks come from Frama-C's malloc
 * builtin, so EVA checks every access against the block's size and catches
 * use after free and double free. port_free_secret(p, n) wipes n bytes
 * through port_wipe first: a wrong n (larger than the block) is an alarm.
 *
 * Locks: a port_mutex is a flag. Locking a locked mutex, unlocking an
 * unlocked one, using a destroyed one: all alarms (the module lock is not
 * recursive); verify_locks_held counts the locks held, which the harness
 * checks is 0 after the call (Frama_C_show_each_verify_done's wrapper).
 *
 * Fork: no fork happens (port_fork_generation is constant).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "port/port.h"
#include "verify.h"

int verify_setup;

int verify_may_fail(void)
{
	return verify_setup ? 0 : Frama_C_nondet(0, 1);
}

unsigned long verify_rv(int n, const unsigned long *errors)
{
	int k;

	if (verify_setup || n == 0)
		return CKR_OK;
	k = Frama_C_interval(0, n);
	return k == n ? CKR_OK : errors[k];
}

size_t verify_size(size_t lo, size_t hi)
{
	return (size_t)Frama_C_unsigned_long_interval(lo, hi);
}

void *port_malloc(size_t n)
{
	if (verify_may_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *port_calloc(size_t count, size_t size)
{
	if (verify_may_fail())
		return NULL;
	if (count == 0 || size == 0)
		count = size = 1;
	/* calloc itself refuses a product that overflows (returns NULL). */
	return calloc(count, size);
}

void *port_realloc(void *p, size_t n)
{
	if (verify_may_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

void port_free(void *p)
{
	free(p);
}

void port_free_secret(void *p, size_t n)
{
	if (p == NULL)
		return;
	port_wipe(p, n);
	free(p);
}

void *port_memdup(const void *p, size_t n)
{
	void *q = port_malloc(n);

	if (q != NULL && n > 0)
		memcpy(q, p, n);
	return q;
}

void *port_arena_alloc(size_t n)
{
	return port_malloc(n);
}

void port_arena_free_secret(void *p, size_t n)
{
	port_free_secret(p, n);
}

struct port_mutex {
	int locked;
};

/* Module locks currently held: every harness checks it is 0 once the call
 * under proof returned (no path leaves the module lock taken). */
int verify_locks_held;

CK_RV port_locking_configure(const CK_C_INITIALIZE_ARGS *args)
{
	/* The caller's callbacks are not called by the stubs: with or
	 * without them the module lock is the flag below. */
	(void)args;
	return CKR_OK;
}

CK_RV port_mutex_create(port_mutex **out)
{
	static const unsigned long errors[] = { CKR_CANT_LOCK };
	port_mutex *m;

	if (verify_rv(1, errors) != CKR_OK)
		return CKR_CANT_LOCK;
	m = port_calloc(1, sizeof(*m));
	if (m == NULL)
		return CKR_HOST_MEMORY;
	*out = m;
	return CKR_OK;
}

void port_mutex_destroy(port_mutex *m)
{
	if (m == NULL)
		return;
	//@ assert mutex_not_held_at_destroy: m->locked == 0;
	free(m);
}

void port_mutex_lock(port_mutex *m)
{
	//@ assert mutex_not_recursive: m->locked == 0;
	m->locked = 1;
	verify_locks_held++;
}

void port_mutex_unlock(port_mutex *m)
{
	//@ assert mutex_held_at_unlock: m->locked == 1;
	m->locked = 0;
	verify_locks_held--;
}

void port_static_lock(int which)
{
	//@ assert static_lock_index: 0 <= which < PORT_LOCKS;
	(void)which;
}

void port_static_unlock(int which)
{
	//@ assert static_lock_index: 0 <= which < PORT_LOCKS;
	(void)which;
}

void port_fork_setup(void)
{
}

unsigned long port_fork_generation(void)
{
	return 0;
}

/* C_Finalize waits with port_pause while calls are inside: the analysis is
 * sequential, so nothing else runs meanwhile (a no-op). */
void port_pause(void)
{
}

/* Checks the buffer, fills it with unknown bytes, may fail (-1). */
int port_entropy(unsigned char *buf, size_t n)
{
	//@ assert entropy_buffer: n == 0 || \valid(buf + (0 .. n - 1));
	if (n > 0)
		Frama_C_make_unknown((char *)buf, n);
	return verify_may_fail() ? -1 : 0;
}

void port_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
	(void)prepare;
	(void)parent;
	(void)child;
}

uint64_t port_now_ms(void)
{
	return Frama_C_unsigned_long_interval(0, ULONG_MAX);
}
