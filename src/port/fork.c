/* Fork detection: the child handler only increments a counter (SECURITY.md
 * row 5); the API layer compares it with the value seen at C_Initialize. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "port/port.h"

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

uint64_t port_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
