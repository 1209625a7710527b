/*
 * Persistence of one token. One store is one token: its record (label,
 * serial, PIN records) and its token objects as opaque encoded records.
 * Every write function commits durably before it returns; when one fails
 * the store holds the old or the new state, never a mix.
 * Backends (store.c picks one by the path given to store_open):
 *   sqlite.c  one SQLite database file per token (hosts, the default);
 *   files.c   a directory per token, path ending in STORE_FILES_SUFFIX: one
 *             file per object plus a token record kept as two copies (A/B),
 *             over the 4-function file PAL of port/pal.h (devices, and
 *             hosts with `store = files`). Format and atomicity: files.c.
 * The caller serializes the calls on one store (the module lock); other
 * processes may use the same store at the same time (both backends lock).
 *
 * Errors: CKR_DEVICE_ERROR for I/O failure or a corrupt/foreign file,
 * CKR_DEVICE_MEMORY when the disk is full, CKR_HOST_MEMORY on allocation
 * failure, CKR_TOKEN_NOT_PRESENT when store_open(create=0) finds no store.
 */
#ifndef IOTOKEN_STORE_H
#define IOTOKEN_STORE_H

#include <stdint.h>

#include "port/port.h"

#define STORE_FORMAT_VERSION 1
/* store_open: a path ending in this is a files store (a directory). */
#define STORE_FILES_SUFFIX ".files"
#define STORE_SALT_LEN 16
/* A wrapped token master key: nonce (12) || AES-256-GCM(tmk) (32) || tag (16). */
#define STORE_WRAPPED_LEN 60

enum { STORE_ROLE_SO = 0, STORE_ROLE_USER = 1, STORE_ROLES = 2 };

typedef struct store_pin {
	uint8_t set; /* 1 when a PIN exists for this role */
	uint8_t salt[STORE_SALT_LEN];
	uint32_t iterations;
	uint8_t wrapped[STORE_WRAPPED_LEN];
	uint32_t failures;
} store_pin;

typedef struct store_token {
	uint8_t label[32];  /* blank padded, as in CK_TOKEN_INFO */
	uint8_t serial[16]; /* blank padded */
	store_pin pin[STORE_ROLES];
} store_token;

typedef struct store store;

/* Opens the store at path. With create, the file (directory for a files
 * store) must not exist yet: it is created 0600 (0700), O_EXCL, O_NOFOLLOW,
 * and t is written as its first record. A path that is a symlink is refused
 * (CKR_DEVICE_ERROR). */
CK_RV store_open(const char *path, int create, const store_token *t, store **out) IOT_MUST_CHECK;
void store_close(store *s);

CK_RV store_token_load(store *s, store_token *out) IOT_MUST_CHECK;
/* Writes the token record (label, serial and both PIN records). */
CK_RV store_token_save(store *s, const store_token *t) IOT_MUST_CHECK;
/* Writes one role's PIN record only (failure counter, new wrap). */
CK_RV store_pin_save(store *s, int role, const store_pin *p) IOT_MUST_CHECK;
/* A login attempt: adds one to role's failure counter, durably, and returns
 * the record as it now stands. The caller resets the counter on success. */
CK_RV store_pin_attempt(store *s, int role, store_pin *out) IOT_MUST_CHECK;
/* Re-initialization: removes every object and writes t, in one transaction. */
CK_RV store_reset(store *s, const store_token *t) IOT_MUST_CHECK;

/* Inserts or replaces the object with this id. */
CK_RV store_object_put(store *s, uint64_t id, const uint8_t *data, size_t len) IOT_MUST_CHECK;
/* Removes it; removing an id that does not exist is CKR_OK. */
CK_RV store_object_delete(store *s, uint64_t id) IOT_MUST_CHECK;

typedef CK_RV (*store_object_fn)(void *ctx, uint64_t id, const uint8_t *data, size_t len);
/* Calls fn for every object, in id order; stops at and returns fn's first
 * error. Reads one consistent snapshot. */
CK_RV store_objects_load(store *s, store_object_fn fn, void *ctx) IOT_MUST_CHECK;

/* Sets *changed to 1 when another connection (process) committed a change
 * since the previous call (or since open), else 0; the store's own writes do
 * not count. Cheap: no file read (SQLite: data_version; files: the token
 * record, which every write replaces, is watched through the PAL). */
CK_RV store_changed(store *s, int *changed) IOT_MUST_CHECK;

#endif
