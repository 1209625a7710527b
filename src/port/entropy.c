/*
 * True random bytes for the DRBG's seed (port.h). POSIX hosts: getrandom(),
 * which blocks until the kernel's pool is initialized and then never fails
 * for lack of entropy; it may return fewer bytes than asked (a signal, or
 * more than 256 bytes at once), so it is called until n bytes arrived.
 * Device profile: the port's entropy callback (iotoken/device.h).
 */
#include "port/port.h"

#if !IOT_DEVICE

#include <errno.h>
#include <sys/random.h>
#include <sys/types.h>

int port_entropy(unsigned char *buf, size_t n)
{
	while (n > 0) {
		ssize_t got = getrandom(buf, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		/* 0 cannot happen for n > 0; taken as a failure rather than
		 * a reason to loop forever. */
		if (got <= 0)
			return -1;
		buf += got;
		n -= (size_t)got;
	}
	return 0;
}

#else

#include "port/device.h"

int port_entropy(unsigned char *buf, size_t n)
{
	const iotoken_device *d = port_device();

	/* Before iotoken_device_setup there is no source: no seed. */
	if (d == NULL || d->entropy == NULL)
		return -1;
	return d->entropy(d->entropy_ctx, buf, n) == 0 ? 0 : -1;
}

#endif
