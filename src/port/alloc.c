/* The module allocator: one place for all allocation, with failure injection
 * for tests. A device build replaces this file with a fixed arena. */
#include <stdlib.h>
#include <string.h>

#include "port/port.h"

/* Failure injection: 0 is off; otherwise the number of allocations left
 * before they start failing. Only tests set it, single threaded. */
static unsigned long fail_countdown;

static int should_fail(void)
{
	if (fail_countdown == 0)
		return 0;
	if (fail_countdown == 1)
		return 1;
	fail_countdown--;
	return 0;
}

void port_alloc_fail_after(unsigned long n)
{
	fail_countdown = n;
}

void *port_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *port_calloc(size_t count, size_t size)
{
	if (should_fail())
		return NULL;
	if (count == 0 || size == 0)
		return calloc(1, 1);
	return calloc(count, size);
}

void *port_realloc(void *p, size_t n)
{
	if (should_fail())
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
