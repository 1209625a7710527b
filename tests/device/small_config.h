/*
 * tests/device/test_device_ram.c: the device profile's own limits (one slot,
 * IOT_MAX_SESSIONS 4, IOT_MAX_OBJECTS 16: iotoken/defaults.h) and one task
 * (IOT_MUTEX_NONE), as a bare-metal firmware would build it.
 */
#define IOT_MUTEX 0 /* IOT_MUTEX_NONE */
