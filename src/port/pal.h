/*
 * The file PAL: what the files store (src/store/files.c) needs from a file
 * system, as four functions over a flat directory of named files. A device
 * implements them on littlefs, a vendor key-value store or raw flash; the
 * host implementation is pal_posix.c; pal_ram.c is the test double.
 *
 * Names are 1 to PAL_NAME_MAX bytes of [a-z0-9.-]; the directory has no
 * subdirectories. Errors are CK_RV:
 *   PAL_NOT_FOUND       read of a name that does not exist (read only)
 *   CKR_DEVICE_ERROR    I/O error, or a file that is not a regular file
 *   CKR_DEVICE_MEMORY   the medium is full (ENOSPC, EDQUOT)
 *   CKR_HOST_MEMORY     allocation failure
 *
 * The contract the store relies on:
 *   read    returns the whole file in a port_malloc'd buffer (port_free it);
 *           a zero-length file gives a non-NULL buffer and *len 0.
 *   write   replaces the whole file atomically and durably: after a crash
 *           the file holds the old or the new bytes, never a mix; when it
 *           returns CKR_OK the new bytes survive a power cut. On error the
 *           file holds the old or the new bytes. A PAL that cannot give
 *           atomic writes sets PAL_TORN_WRITES, and the store then survives
 *           torn writes of its token record (see files.c).
 *   remove  removes the file atomically and durably; a missing name is
 *           CKR_OK.
 *   list    calls fn once per file (never for the PAL's own temporary
 *           files), in no particular order, and stops at fn's first error.
 *
 * Optional, NULL on a device where one process owns the store:
 *   lock/unlock  a lock shared by every process using the directory: the
 *           store holds it shared while it reads and exclusive while it
 *           writes, so a reader sees one consistent state.
 *   changed sets *changed to 1 when name was written or removed (by anyone)
 *           since the previous call for the same name, else 0; the first
 *           call for a name answers 1. Cheap: no file read.
 *   close   releases ctx; called by the store that owns the PAL.
 */
#ifndef IOTOKEN_PAL_H
#define IOTOKEN_PAL_H

#include <stddef.h>
#include <stdint.h>

#include "iotoken/device.h"
#include "port/port.h"

#define PAL_NAME_MAX 63
/* A distinct answer of read, never an I/O error. */
#define PAL_NOT_FOUND CKR_TOKEN_NOT_PRESENT
/* Largest file the PALs read (objects are bounded far below this). */
#define PAL_FILE_MAX ((size_t)64 << 20)

/* flags */
#define PAL_TORN_WRITES IOTOKEN_PAL_TORN_WRITES

/* The same struct as the device port's public iotoken_file_pal. */
typedef iotoken_pal_name_fn pal_name_fn;
typedef iotoken_file_pal pal_files;

/* The POSIX PAL over the directory dir. With create, dir must not exist: it
 * is made 0700. Without, a missing dir is CKR_TOKEN_NOT_PRESENT. A dir that
 * is a symlink, not a directory, or writable by group or others is refused
 * (CKR_DEVICE_ERROR). Temporary files a crash left behind are removed (under
 * the exclusive lock, so never another process's write in progress). The
 * PAL's close frees it. */
CK_RV pal_posix_open(const char *dir, int create, pal_files *out) IOT_MUST_CHECK;
/* Removes a store directory and the regular files in it (a failed create). */
void pal_posix_remove_dir(const char *dir);

/* The RAM PAL (tests): files in memory, with fault injection and power
 * cuts. A pal_ram is one "device"; pal_ram_files gives a PAL over it, as one
 * process sees it (its own changed() state); its close frees that view, not
 * the device. Several views of one device are several processes. */
typedef struct pal_ram pal_ram;
CK_RV pal_ram_new(pal_ram **out) IOT_MUST_CHECK;
void pal_ram_free(pal_ram *r);
CK_RV pal_ram_files(pal_ram *r, pal_files *out) IOT_MUST_CHECK;
/* The nth PAL call from now (1-based, every function but unlock and close
 * counts) fails with rv and has no effect; 0 switches it off. */
void pal_ram_fail_call(pal_ram *r, unsigned long n, CK_RV rv);
/* Power cut after the nth write step from now (1-based; 0: off). An atomic
 * write is 4 steps (temp written, temp synced, renamed, directory synced),
 * a torn write 3 (first half written over the file, all written, synced), a
 * remove 2 (unlinked, directory synced). From the cut on the device is
 * frozen: nothing changes and every call fails with CKR_DEVICE_ERROR until
 * pal_ram_power_on. */
void pal_ram_cut_after(pal_ram *r, unsigned long step);
int pal_ram_is_cut(const pal_ram *r);
/* Restarts the device after a cut: files as they were at the cut. */
void pal_ram_power_on(pal_ram *r);
/* Writes become torn (non-atomic, in place) and the PAL sets PAL_TORN_WRITES. */
void pal_ram_set_torn(pal_ram *r, int torn);
/* Counters since pal_ram_new: PAL calls (as pal_ram_fail_call counts them)
 * and write steps (as pal_ram_cut_after counts them). */
unsigned long pal_ram_calls(const pal_ram *r);
unsigned long pal_ram_steps(const pal_ram *r);
/* Direct access for tests: the bytes of a file (NULL if none; temporary
 * files included), a file set or removed outside the PAL, a deep copy. */
const uint8_t *pal_ram_peek(const pal_ram *r, const char *name, size_t *len);
CK_RV pal_ram_poke(pal_ram *r, const char *name, const uint8_t *data, size_t len) IOT_MUST_CHECK;
void pal_ram_unlink(pal_ram *r, const char *name);
size_t pal_ram_count(const pal_ram *r); /* files, temporary ones included */
const char *pal_ram_name(const pal_ram *r, size_t i);
CK_RV pal_ram_clone(const pal_ram *r, pal_ram **out) IOT_MUST_CHECK;

#endif
