/*
 * The host test build of the device profile (IOT_DEVICE_HOST_PORT): when
 * the program gave no port, the first C_Initialize makes one of a static
 * arena, a RAM file PAL and getrandom, so that the API test suite runs the
 * device configuration unchanged. Each store a test names (IOTOKEN_CONF or
 * IOTOKEN_DIR, different per test) gets a fresh RAM disk, which lives until
 * another name comes: C_Finalize and C_Initialize in one test keep the
 * token, as flash would. Never part of a device build.
 */
#include "port/device.h"

#if IOT_DEVICE && IOT_DEVICE_HOST_PORT
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "port/pal.h"

#ifndef IOT_HOST_PORT_ARENA
#define IOT_HOST_PORT_ARENA (64u << 20)
#endif

static _Alignas(16) unsigned char arena[IOT_HOST_PORT_ARENA];
static pal_ram *disk;
static pal_files disk_pal; /* a view of disk */
static char *disk_name;

static int host_entropy(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	while (len > 0) {
		ssize_t n = getrandom(buf, len, 0);

		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *store_name(void)
{
	const char *name = getenv("IOTOKEN_CONF");

	if (name == NULL || *name == '\0')
		name = getenv("IOTOKEN_DIR");
	return name != NULL ? name : "";
}

/* A new RAM disk when the store's name changed since the last call. */
static CK_RV fresh_disk(void)
{
	const char *name = store_name();
	pal_files view;
	pal_ram *r = NULL;
	char *copy;
	CK_RV rv;

	if (disk != NULL && strcmp(disk_name, name) == 0)
		return CKR_OK;
	copy = port_memdup(name, strlen(name) + 1);
	if (copy == NULL)
		return CKR_HOST_MEMORY;
	rv = pal_ram_new(&r);
	if (rv == CKR_OK)
		rv = pal_ram_files(r, &view);
	if (rv != CKR_OK) {
		pal_ram_free(r);
		port_free(copy);
		return rv;
	}
	if (disk != NULL)
		disk_pal.close(disk_pal.ctx);
	pal_ram_free(disk);
	port_free(disk_name);
	disk = r;
	disk_pal = view;
	disk_name = copy;
	return CKR_OK;
}

/* What the port holds before the first disk exists (setup wants a PAL,
 * the disk wants the arena that setup gives). Never called. */
static CK_RV no_read(void *ctx, const char *name, uint8_t **data, size_t *len)
{
	(void)ctx, (void)name, (void)data, (void)len;
	return CKR_DEVICE_ERROR;
}

static CK_RV no_write(void *ctx, const char *name, const uint8_t *data, size_t len)
{
	(void)ctx, (void)name, (void)data, (void)len;
	return CKR_DEVICE_ERROR;
}

static CK_RV no_remove(void *ctx, const char *name)
{
	(void)ctx, (void)name;
	return CKR_DEVICE_ERROR;
}

static CK_RV no_list(void *ctx, iotoken_pal_name_fn fn, void *arg)
{
	(void)ctx, (void)fn, (void)arg;
	return CKR_DEVICE_ERROR;
}

CK_RV port_device_host_default(void)
{
	iotoken_file_pal pal;
	CK_RV rv;

	if (port_device() == NULL) {
		iotoken_device d;

		memset(&d, 0, sizeof(d));
		d.arena = arena;
		d.arena_size = sizeof(arena);
		d.pal.read = no_read;
		d.pal.write = no_write;
		d.pal.remove = no_remove;
		d.pal.list = no_list;
		d.entropy = host_entropy;
		rv = iotoken_device_setup(&d);
		if (rv != CKR_OK)
			return rv;
	}
	rv = fresh_disk();
	if (rv != CKR_OK)
		return rv;
	pal = disk_pal;
	pal.close = NULL;
	port_device_replace_pal(&pal);
	return CKR_OK;
}
#endif
