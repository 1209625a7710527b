/* Secure wipe and constant-time compare: the one place secrets are erased
 * and compared. */
#include <string.h>

#include "port/port.h"

void port_wipe(void *p, size_t n)
{
	if (p == NULL || n == 0)
		return;
#if IOT_DEVICE
	/* No explicit_bzero in a device's C library: a memset called through
	 * a volatile pointer, which the compiler cannot prove is memset and so
	 * cannot drop as a dead store. */
	{
		static void *(*volatile const wipe_memset)(void *, int, size_t) = memset;

		wipe_memset(p, 0, n);
	}
#else
	/* explicit_bzero is not removed by dead-store elimination. */
	explicit_bzero(p, n);
#endif
}

int port_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a;
	const volatile unsigned char *y = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	/* Map 0 -> 1 and 1..255 -> 0 without a branch on the secret. */
	return (int)(1 & ((unsigned)(diff - 1) >> 8));
}
