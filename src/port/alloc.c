/* The module allocator: one place for all allocation, with failure injection
 * and a secret-scan hook for tests. A build with the static arena
 * (IOT_STATIC_ARENA, the device profile) has alloc_static.c instead, and
 * this file is empty. */
#include "iotoken/defaults.h"

#if !IOT_STATIC_ARENA

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "port/arena.h"
#include "port/port.h"

/* Failure injection: 0 is off; otherwise the number of allocations left
 * before one fails. Sticky: that one and every later one fail; one-shot:
 * only that one, and injection switches itself off. Only tests set it,
 * single threaded. */
static unsigned long fail_countdown, fail_count;
static int fail_sticky;

int port_alloc_injected(void)
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

void port_alloc_fail_after(unsigned long n)
{
	fail_countdown = n;
	fail_sticky = 1;
	fail_count = 0;
}

void port_alloc_fail_nth(unsigned long n)
{
	fail_countdown = n;
	fail_sticky = 0;
	fail_count = 0;
}

unsigned long port_alloc_failures(void)
{
	return fail_count;
}

/*
 * Secret-scan hook (port_test_track, port.h). While tracking is on, every
 * block is recorded (pointer and size) in an open-addressing table, and a
 * freed block is kept in a quarantine instead of being returned to libc, with
 * its bytes as the module left them: a value freed without a wipe stays
 * there for port_test_scan to find. Blocks allocated before tracking started
 * are unknown to the table and freed normally. When no test ever turns it on,
 * the cost is one test of a NULL pointer per free.
 */
typedef struct tracked {
	void *p; /* NULL: empty; TOMBSTONE: deleted */
	size_t n;
} tracked;

#define TOMBSTONE ((void *)&track_tab)

static pthread_mutex_t track_lock = PTHREAD_MUTEX_INITIALIZER;
static int track_on, quarantining;
static tracked *track_tab;
static size_t track_cap, track_used;
static tracked *quarantine;
static size_t quar_len, quar_cap;

static size_t slot_of(const void *p, size_t cap)
{
	uintptr_t x = (uintptr_t)p;

	x ^= x >> 17;
	x *= (uintptr_t)0x9e3779b97f4a7c15ull;
	return (size_t)(x ^ (x >> 29)) & (cap - 1);
}

static tracked *track_find(const void *p)
{
	size_t i;

	if (track_tab == NULL)
		return NULL;
	for (i = slot_of(p, track_cap);; i = (i + 1) & (track_cap - 1)) {
		if (track_tab[i].p == p)
			return &track_tab[i];
		if (track_tab[i].p == NULL)
			return NULL;
	}
}

/* 0 when the table cannot grow (the block is then simply not tracked). */
static int track_insert(void *p, size_t n)
{
	size_t i;

	if (track_used + 1 > track_cap / 2) {
		size_t cap = track_cap ? track_cap * 2 : 1024, k;
		tracked *tab = calloc(cap, sizeof(*tab));

		if (tab == NULL)
			return 0;
		track_used = 0;
		for (k = 0; k < track_cap; k++) {
			if (track_tab[k].p == NULL || track_tab[k].p == TOMBSTONE)
				continue;
			for (i = slot_of(track_tab[k].p, cap); tab[i].p != NULL;
			     i = (i + 1) & (cap - 1))
				;
			tab[i] = track_tab[k];
			track_used++;
		}
		free(track_tab);
		track_tab = tab;
		track_cap = cap;
	}
	for (i = slot_of(p, track_cap); track_tab[i].p != NULL && track_tab[i].p != TOMBSTONE;
	     i = (i + 1) & (track_cap - 1))
		;
	if (track_tab[i].p == NULL)
		track_used++;
	track_tab[i].p = p;
	track_tab[i].n = n;
	return 1;
}

static void track_new(void *p, size_t n)
{
	if (p == NULL || !track_on)
		return;
	pthread_mutex_lock(&track_lock);
	(void)track_insert(p, n);
	pthread_mutex_unlock(&track_lock);
}

/* Takes a tracked block out of the table into the quarantine (1), or
 * returns 0 for a block the table does not know. */
static int track_release(void *p)
{
	tracked *t;
	int kept = 0;

	pthread_mutex_lock(&track_lock);
	t = track_find(p);
	if (t != NULL && !quarantining) {
		t->p = TOMBSTONE; /* tracking is over: freed normally */
	} else if (t != NULL) {
		if (quar_len == quar_cap) {
			size_t cap = quar_cap ? quar_cap * 2 : 1024;
			tracked *q = realloc(quarantine, cap * sizeof(*q));

			if (q != NULL) {
				quarantine = q;
				quar_cap = cap;
			}
		}
		kept = 1;
		if (quar_len < quar_cap)
			quarantine[quar_len++] = *t;
		else
			free(p); /* no room: the block is lost to the scan */
		t->p = TOMBSTONE;
	}
	pthread_mutex_unlock(&track_lock);
	return kept;
}

static void real_free(void *p)
{
	if (p == NULL)
		return;
	if (track_tab != NULL && track_release(p))
		return;
	free(p);
}

int port_test_tracking(void)
{
	return track_on;
}

void port_test_track(int on)
{
	pthread_mutex_lock(&track_lock);
	track_on = on;
	if (on)
		quarantining = 1;
	pthread_mutex_unlock(&track_lock);
}

void port_test_release(void)
{
	size_t i;

	pthread_mutex_lock(&track_lock);
	track_on = quarantining = 0;
	/* Live blocks stay in the table (they are freed normally later). */
	for (i = 0; i < quar_len; i++)
		free(quarantine[i].p);
	free(quarantine);
	quarantine = NULL;
	quar_len = quar_cap = 0;
	pthread_mutex_unlock(&track_lock);
}

static size_t scan_block(const tracked *t, int freed, const void *needle, size_t len,
			 port_test_hit_fn hit, void *ctx)
{
	const uint8_t *b = t->p, *at;
	size_t found = 0, off = 0;

	while (off + len <= t->n && (at = memmem(b + off, t->n - off, needle, len)) != NULL) {
		found++;
		off = (size_t)(at - b);
		if (hit != NULL)
			hit(ctx, t->p, t->n, off, freed);
		off++;
	}
	return found;
}

size_t port_test_scan(const void *needle, size_t len, port_test_hit_fn hit, void *ctx)
{
	size_t i, found = 0;

	if (needle == NULL || len == 0)
		return 0;
	pthread_mutex_lock(&track_lock);
	for (i = 0; i < track_cap; i++)
		if (track_tab[i].p != NULL && track_tab[i].p != TOMBSTONE)
			found += scan_block(&track_tab[i], 0, needle, len, hit, ctx);
	for (i = 0; i < quar_len; i++)
		found += scan_block(&quarantine[i], 1, needle, len, hit, ctx);
	pthread_mutex_unlock(&track_lock);
	return found;
}

void *port_malloc(size_t n)
{
	void *p;

	if (port_alloc_injected())
		return NULL;
	p = malloc(n ? n : 1);
	track_new(p, n ? n : 1);
	return p;
}

void *port_calloc(size_t count, size_t size)
{
	void *p;

	if (port_alloc_injected())
		return NULL;
	if (count == 0 || size == 0)
		count = size = 1;
	p = calloc(count, size);
	/* calloc refused an overflowing product, so it fits. */
	track_new(p, count * size);
	return p;
}

void *port_realloc(void *p, size_t n)
{
	tracked *t = NULL;
	size_t old = 0;
	void *q;

	if (port_alloc_injected())
		return NULL;
	if (track_tab != NULL && p != NULL) {
		pthread_mutex_lock(&track_lock);
		t = track_find(p);
		if (t != NULL)
			old = t->n;
		pthread_mutex_unlock(&track_lock);
	}
	if (t == NULL) {
		q = realloc(p, n ? n : 1);
		if (p == NULL)
			track_new(q, n ? n : 1);
		return q;
	}
	/* A tracked block moves, as libc's realloc may move it: the old copy
	 * goes to the quarantine with whatever it held. */
	q = malloc(n ? n : 1);
	if (q == NULL)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	track_new(q, n ? n : 1);
	real_free(p);
	return q;
}

void port_free(void *p)
{
	real_free(p);
}

void port_free_secret(void *p, size_t n)
{
	if (p == NULL)
		return;
	port_wipe(p, n);
	real_free(p);
}

void *port_memdup(const void *p, size_t n)
{
	void *q = port_malloc(n);

	if (q != NULL && n > 0)
		memcpy(q, p, n);
	return q;
}

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int port_alloc_unused;

#endif
