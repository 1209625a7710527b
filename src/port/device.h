/*
 * The port a device gave with iotoken_device_setup (iotoken/device.h). Only
 * in the device profile (IOT_DEVICE); the host profile has none.
 */
#ifndef IOTOKEN_PORT_DEVICE_H
#define IOTOKEN_PORT_DEVICE_H

#include "iotoken/device.h"
#include "port/port.h"

#ifndef IOT_DEVICE_HOST_PORT
#define IOT_DEVICE_HOST_PORT 0
#endif

#if IOT_DEVICE
/* The device, or NULL before iotoken_device_setup. */
const iotoken_device *port_device(void);

/* Whether the module is initialized (general.c): no new port then. */
int port_device_busy(void);

/* The static arena's allocator (alloc_static.c): start over on mem. */
CK_RV port_arena_setup(void *mem, size_t n) IOT_MUST_CHECK;

/* Test builds of the device profile on a host (IOT_DEVICE_HOST_PORT): a
 * port made of a RAM file PAL, a static arena and getrandom, set up by the
 * first C_Initialize when the program gave none. */
#if IOT_DEVICE_HOST_PORT
CK_RV port_device_host_default(void) IOT_MUST_CHECK;
/* Gives the port another file PAL (a new RAM disk per test store). */
void port_device_replace_pal(const iotoken_file_pal *pal);
#endif
#endif

#endif
