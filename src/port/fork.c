/*
 * Fork detection and time.
 *
 * POSIX hosts: the child handler only increments a counter (SECURITY.md
 * row 5); the API layer compares it with the value seen at C_Initialize.
 * port_atfork registers other layers' handlers (the mbedTLS DRBG's).
 *
 * The device profile has no fork(): the generation never changes and
 * port_atfork registers nothing. Time is the device's now_ms when it gave
 * one, else a count of the readings (iotoken/device.h: nothing security
 * relevant depends on it).
 */
#include "port/port.h"

#if !IOT_DEVICE

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static atomic_ulong fork_generation;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void on_fork_child(void)
{
	atomic_fetch_add(&fork_generation, 1);
}

static void register_handler(void)
{
	(void)pthread_atfork(NULL, NULL, on_fork_child);
}

void port_fork_setup(void)
{
	(void)pthread_once(&fork_once, register_handler);
}

unsigned long port_fork_generation(void)
{
	return atomic_load(&fork_generation);
}

void port_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
	(void)pthread_atfork(prepare, parent, child);
}

uint64_t port_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#else

#include <stdatomic.h>

#include "port/device.h"

void port_fork_setup(void)
{
}

unsigned long port_fork_generation(void)
{
	return 0;
}

void port_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
	(void)prepare;
	(void)parent;
	(void)child;
}

/* 32 bits, so that the increment is a lock-free atomic on a 32-bit MCU (a
 * 64-bit one would need libatomic); it wraps after 2^32 readings. */
static atomic_uint ticks;

uint64_t port_now_ms(void)
{
	const iotoken_device *d = port_device();

	if (d != NULL && d->now_ms != NULL)
		return d->now_ms();
	return (uint64_t)atomic_fetch_add_explicit(&ticks, 1, memory_order_relaxed) + 1;
}

#endif
