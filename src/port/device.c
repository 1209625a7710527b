/* iotoken_device_setup: the device profile's port, kept by value. */
#include <string.h>

#include "port/device.h"

#if IOT_DEVICE
static iotoken_device device;
static int device_set;

CK_RV iotoken_device_setup(const iotoken_device *d)
{
	CK_RV rv;

	if (d == NULL || d->arena == NULL || d->arena_size < IOTOKEN_DEVICE_MIN_ARENA ||
	    d->pal.read == NULL || d->pal.write == NULL || d->pal.remove == NULL ||
	    d->pal.list == NULL || d->entropy == NULL)
		return CKR_ARGUMENTS_BAD;
	if (port_device_busy())
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	rv = port_arena_setup(d->arena, d->arena_size);
	if (rv != CKR_OK)
		return rv;
	device = *d;
	device_set = 1;
	return CKR_OK;
}

const iotoken_device *port_device(void)
{
	return device_set ? &device : NULL;
}

#if IOT_DEVICE_HOST_PORT
void port_device_replace_pal(const iotoken_file_pal *pal)
{
	device.pal = *pal;
}
#endif
#endif
