/*
 * The device port: what firmware gives the token before C_Initialize in the
 * device profile (IOT_DEVICE, iotoken/defaults.h). docs/porting.md explains
 * each part and shows a littlefs file PAL.
 */
#ifndef IOTOKEN_DEVICE_H
#define IOTOKEN_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "iotoken/pkcs11.h"

/* The file PAL: a flat directory of named files (names are 1 to 63 bytes of
 * [a-z0-9.-]). Errors are CK_RV: CKR_TOKEN_NOT_PRESENT for a read of a name
 * that does not exist, CKR_DEVICE_ERROR for I/O errors, CKR_DEVICE_MEMORY
 * when the medium is full, CKR_HOST_MEMORY when an allocation fails.
 *   read    the whole file, into a buffer from iotoken_port_malloc (the token
 *           frees it with iotoken_port_free); an empty file gives a non-NULL
 *           buffer and *len 0.
 *   write   replaces the whole file atomically and durably (old or new bytes
 *           after a power cut, never a mix); if the medium cannot, set
 *           IOTOKEN_PAL_TORN_WRITES in flags.
 *   remove  atomically and durably; a missing name is CKR_OK.
 *   list    fn once per file, stopping at fn's first error.
 * lock, unlock, changed and close may be NULL on a device (one owner). */
typedef CK_RV (*iotoken_pal_name_fn)(void *arg, const char *name);

typedef struct iotoken_file_pal {
	void *ctx;
	CK_RV (*read)(void *ctx, const char *name, uint8_t **data, size_t *len);
	CK_RV (*write)(void *ctx, const char *name, const uint8_t *data, size_t len);
	CK_RV (*remove)(void *ctx, const char *name);
	CK_RV (*list)(void *ctx, iotoken_pal_name_fn fn, void *arg);
	CK_RV (*lock)(void *ctx, int exclusive);
	void (*unlock)(void *ctx);
	CK_RV (*changed)(void *ctx, const char *name, int *changed);
	void (*close)(void *ctx);
	unsigned flags;
} iotoken_file_pal;

#define IOTOKEN_PAL_TORN_WRITES 1u

typedef struct iotoken_device {
	/* Static memory for everything the token allocates (and mbedTLS too
	 * when it is built with MBEDTLS_PLATFORM_MEMORY). 8-byte aligned;
	 * docs/porting.md gives the size for a number of sessions and objects. */
	void *arena;
	size_t arena_size;
	/* Where the token's files live. Not closed by the token. */
	iotoken_file_pal pal;
	/* True random bytes for the DRBG's seed: fill buf with len bytes and
	 * return 0, or return nonzero on failure. Called at C_Initialize and for
	 * reseeds. */
	int (*entropy)(void *ctx, unsigned char *buf, size_t len);
	void *entropy_ctx;
	/* Not used: the token needs no clock (kept so that ports written for
	 * the first version still compile; leave it NULL). */
	uint64_t (*now_ms)(void);
} iotoken_device;

/* Gives the token its port. Call once, before the first C_Initialize, and
 * not again while the token is initialized (CKR_CRYPTOKI_ALREADY_INITIALIZED).
 * CKR_ARGUMENTS_BAD when a required part is missing or the arena is smaller
 * than IOTOKEN_DEVICE_MIN_ARENA. The device is copied; the arena and the PAL's
 * context must outlive the token. */
CK_RV iotoken_device_setup(const iotoken_device *device);

#define IOTOKEN_DEVICE_MIN_ARENA 4096u

/* The arena's allocator, for a file PAL's read buffers. */
void *iotoken_port_malloc(size_t n);
void iotoken_port_free(void *p);

/* Arena use in bytes: now, and the most since iotoken_device_setup. */
size_t iotoken_arena_used(void);
size_t iotoken_arena_peak(void);

#endif
