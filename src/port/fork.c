/*
 * Fork detection.
 *
 * POSIX hosts: the child handler only increments a counter (SECURITY.md
 * row 5); the API layer compares it with the value seen at C_Initialize.
 * port_atfork registers other layers' handlers (the mbedTLS DRBG's).
 *
 * The device profile has no fork(): the generation never changes and
 * port_atfork registers nothing.
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

#else

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

#endif
