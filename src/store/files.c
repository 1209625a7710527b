/*
 * The files store: a token as a flat directory of small files, over the
 * 4-function file PAL (port/pal.h). For devices (littlefs, a key-value
 * store, raw flash behind the PAL) and for hosts with `store = files`.
 *
 * Files:
 *   token.a, token.b   the token record, two copies (A/B);
 *   o-<epoch>-<id>     one object each; epoch and id as 16 lowercase hex
 *                      digits. Temporary files are the PAL's business.
 *
 * Records (little endian), one per file, header and trailer alike:
 *   "IOTF" | kind u8 | version u8 | 0 u16 | a u64 | b u64 | len u32
 *   | len bytes of body | CRC-32 (IEEE) of everything before, u32
 *   token  (kind 'T'): a = sequence number, b = epoch, body = label 32 |
 *          serial 16 | per role (SO, user): set u8 | salt 16 |
 *          iterations u32 | wrapped 60 | failures u32
 *   object (kind 'O'): a = epoch, b = id, body = the object's bytes
 *          (codec.h; its private values are sealed above the store).
 * A record whose length, header, or CRC is wrong is CKR_DEVICE_ERROR, never
 * data. The CRC is for integrity against accidents; tampering with private
 * values is caught by their AEAD (seal.c), with PINs by the wrapped key's.
 *
 * Atomicity. The PAL writes one file atomically (pal_posix: temp, fsync,
 * rename, fsync of the directory) and removes one atomically; every
 * operation below is one such step that decides it (the commit), plus
 * steps before it that change nothing visible and steps after it that only
 * clean up:
 *   token save, PIN save, PIN attempt: read the newest token record, write
 *      it changed, with sequence + 1, over the OTHER copy. The newest copy
 *      is never overwritten (SECURITY.md row 23): a write torn by a power
 *      cut on a PAL without atomic writes (PAL_TORN_WRITES) damages only
 *      the older copy, and the reader takes the newest valid copy.
 *   object put: write o-<epoch>-<id> (the commit), then, on hosts, the
 *      token record with sequence + 1 (the change counter of store_changed;
 *      a device's store has no other process to tell);
 *   object delete: remove o-<epoch>-<id> (the commit), then the same;
 *   reset: write the token record with epoch + 1 (the commit): objects of
 *      older epochs are invisible from then on; they are removed after the
 *      commit and, if that fails or the power goes, at the next open.
 *   load: under the shared lock, the token record, then the objects of its
 *      epoch in id order: one consistent state.
 * Copies of the token record: on a PAL with atomic writes a copy that is
 * present but invalid is corruption (CKR_DEVICE_ERROR; falling back to the
 * older copy would silently undo a committed change, a PIN failure count
 * for one). With PAL_TORN_WRITES an invalid copy is taken for a torn write
 * and ignored; there a flipped byte in the newest copy rolls back to the
 * previous state, which is the price of a medium that can tear a write.
 *
 * Several processes (hosts; devices have one, and call no lock, unlock or
 * changed of their PAL): writers hold the PAL's exclusive lock, readers
 * the shared one. Every write replaces a copy of the token record, so
 * store_changed asks the PAL whether either copy changed (pal_posix: the
 * inode at the name, with the last one seen held open so its number cannot
 * be reused): a change committed by another process is reported at the
 * next call, always; the store's own writes are absorbed under the lock.
 * After a write that failed, store_changed reports a change once, so the
 * caller reloads whatever the store now holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"
#include "store/files.h"

#define HEADER_LEN 28
#define TRAILER_LEN 4
#define RECORD_MAX_BODY (PAL_FILE_MAX - HEADER_LEN - TRAILER_LEN)
#define PIN_LEN (1 + STORE_SALT_LEN + 4 + STORE_WRAPPED_LEN + 4)
#define TOKEN_BODY_LEN (32 + 16 + STORE_ROLES * PIN_LEN)
#define KIND_TOKEN 'T'
#define KIND_OBJECT 'O'
#define OBJ_NAME_LEN 35 /* o-<16 hex>-<16 hex> */
/* Several processes share a store on hosts only: a device's store has one
 * owner (porting.md), so the PAL's lock, unlock and changed are not called
 * and an object's put or delete does not bump the token record's sequence
 * number (the change counter of other processes). */
#ifndef FILES_SHARED /* tests/unit: the device's variant built on a host */
#define FILES_SHARED (!IOT_DEVICE)
#endif

static const char *const slot_name[2] = { "token.a", "token.b" };

typedef struct files_store {
	store base;
	pal_files pal;
	int pending; /* a change not yet reported by store_changed */
} files_store;

/* The token record as read: the newest valid copy. */
typedef struct token_rec {
	store_token t;
	uint64_t seq, epoch;
	int slot; /* the copy it came from (0: a, 1: b) */
} token_rec;

/* ---- record format ---- */

static void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
	static const uint32_t nibble[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
		0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	uint32_t c = 0xffffffffu;

	while (n-- > 0) {
		c ^= *p++;
		c = (c >> 4) ^ nibble[c & 15];
		c = (c >> 4) ^ nibble[c & 15];
	}
	return ~c;
}

static CK_RV record_encode(int kind, uint64_t a, uint64_t b, const uint8_t *body, size_t len,
			   uint8_t **out, size_t *outlen)
{
	uint8_t *buf;
	size_t n;

	if (len > RECORD_MAX_BODY)
		return CKR_DEVICE_MEMORY;
	n = HEADER_LEN + len + TRAILER_LEN;
	buf = port_malloc(n);
	if (buf == NULL)
		return CKR_HOST_MEMORY;
	memcpy(buf, "IOTF", 4);
	buf[4] = (uint8_t)kind;
	buf[5] = STORE_FORMAT_VERSION;
	put_le(buf + 6, 0, 2);
	put_le(buf + 8, a, 8);
	put_le(buf + 16, b, 8);
	put_le(buf + 24, len, 4);
	if (len > 0)
		memcpy(buf + HEADER_LEN, body, len);
	put_le(buf + HEADER_LEN + len, crc32(buf, HEADER_LEN + len), 4);
	*out = buf;
	*outlen = n;
	return CKR_OK;
}

/* Checks a whole record of the given kind; body points into buf. */
static CK_RV record_check(const uint8_t *buf, size_t n, int kind, uint64_t *a, uint64_t *b,
			  const uint8_t **body, size_t *len)
{
	size_t blen;

	if (n < HEADER_LEN + TRAILER_LEN || memcmp(buf, "IOTF", 4) != 0 || buf[4] != kind ||
	    buf[5] != STORE_FORMAT_VERSION || get_le(buf + 6, 2) != 0)
		return CKR_DEVICE_ERROR;
	blen = (size_t)get_le(buf + 24, 4);
	if (blen != n - HEADER_LEN - TRAILER_LEN ||
	    get_le(buf + HEADER_LEN + blen, 4) != crc32(buf, HEADER_LEN + blen))
		return CKR_DEVICE_ERROR;
	*a = get_le(buf + 8, 8);
	*b = get_le(buf + 16, 8);
	*body = buf + HEADER_LEN;
	*len = blen;
	return CKR_OK;
}

static void token_encode(const store_token *t, uint8_t body[TOKEN_BODY_LEN])
{
	uint8_t *p = body;
	int role;

	memcpy(p, t->label, 32);
	memcpy(p + 32, t->serial, 16);
	p += 48;
	for (role = 0; role < STORE_ROLES; role++) {
		const store_pin *pin = &t->pin[role];

		p[0] = pin->set != 0;
		memcpy(p + 1, pin->salt, STORE_SALT_LEN);
		put_le(p + 1 + STORE_SALT_LEN, pin->iterations, 4);
		memcpy(p + 5 + STORE_SALT_LEN, pin->wrapped, STORE_WRAPPED_LEN);
		put_le(p + 5 + STORE_SALT_LEN + STORE_WRAPPED_LEN, pin->failures, 4);
		p += PIN_LEN;
	}
}

static CK_RV token_decode(const uint8_t *body, size_t len, store_token *t)
{
	const uint8_t *p = body;
	int role;

	if (len != TOKEN_BODY_LEN)
		return CKR_DEVICE_ERROR;
	memset(t, 0, sizeof *t);
	memcpy(t->label, p, 32);
	memcpy(t->serial, p + 32, 16);
	p += 48;
	for (role = 0; role < STORE_ROLES; role++) {
		store_pin *pin = &t->pin[role];

		if (p[0] > 1)
			return CKR_DEVICE_ERROR;
		pin->set = p[0];
		memcpy(pin->salt, p + 1, STORE_SALT_LEN);
		pin->iterations = (uint32_t)get_le(p + 1 + STORE_SALT_LEN, 4);
		memcpy(pin->wrapped, p + 5 + STORE_SALT_LEN, STORE_WRAPPED_LEN);
		pin->failures = (uint32_t)get_le(p + 5 + STORE_SALT_LEN + STORE_WRAPPED_LEN, 4);
		p += PIN_LEN;
	}
	return CKR_OK;
}

static void put_hex16(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		p[i] = digits[v & 15];
}

/* o-<epoch>-<id>, 16 lower-case hex digits each (no printf on devices). */
static void obj_name(char name[OBJ_NAME_LEN + 1], uint64_t epoch, uint64_t id)
{
	name[0] = 'o';
	name[1] = '-';
	put_hex16(name + 2, epoch);
	name[18] = '-';
	put_hex16(name + 19, id);
	name[35] = '\0';
}

static int hex16(const char *p, uint64_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 16; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9')
			*v = *v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v << 4 | (uint64_t)(c - 'a' + 10);
		else
			return 0;
	}
	return 1;
}

/* o-<epoch>-<id>, in the one spelling obj_name gives. */
static int parse_obj_name(const char *name, uint64_t *epoch, uint64_t *id)
{
	return strlen(name) == OBJ_NAME_LEN && name[0] == 'o' && name[1] == '-' &&
	       name[18] == '-' && hex16(name + 2, epoch) && hex16(name + 19, id);
}

/* ---- PAL calls ---- */

/* PAL_NOT_FOUND where the store expects a file is a damaged store. */
static CK_RV io(CK_RV rv)
{
	return rv == PAL_NOT_FOUND ? CKR_DEVICE_ERROR : rv;
}

static CK_RV lock(files_store *s, int exclusive)
{
	return FILES_SHARED && s->pal.lock != NULL ? io(s->pal.lock(s->pal.ctx, exclusive))
						   : CKR_OK;
}

static void unlock(files_store *s)
{
	if (FILES_SHARED && s->pal.unlock != NULL)
		s->pal.unlock(s->pal.ctx);
}

/* Asks the PAL whether a copy of the token record changed since we last
 * asked; notes it in pending. */
static CK_RV poll_changes(files_store *s)
{
	CK_RV rv = CKR_OK;
	int i, c;

	if (!FILES_SHARED || s->pal.changed == NULL)
		return CKR_OK;
	for (i = 0; i < 2 && rv == CKR_OK; i++) {
		c = 1;
		rv = io(s->pal.changed(s->pal.ctx, slot_name[i], &c));
		if (rv != CKR_OK || c)
			s->pending = 1;
	}
	return rv;
}

/* ---- the token record ---- */

/* One copy: *present 0 when it does not exist (or, with torn writes, does
 * not check: a write of it was torn). */
static CK_RV read_slot(files_store *s, int slot, token_rec *out, int *present)
{
	const uint8_t *body;
	uint8_t *buf = NULL;
	size_t n = 0, blen;
	CK_RV rv;

	*present = 0;
	rv = s->pal.read(s->pal.ctx, slot_name[slot], &buf, &n);
	if (rv == PAL_NOT_FOUND) {
		*present = -1; /* no such file */
		return CKR_OK;
	}
	if (rv != CKR_OK)
		return rv;
	rv = record_check(buf, n, KIND_TOKEN, &out->seq, &out->epoch, &body, &blen);
	if (rv == CKR_OK)
		rv = token_decode(body, blen, &out->t);
	if (rv == CKR_OK && (out->seq == 0 || out->epoch == 0))
		rv = CKR_DEVICE_ERROR;
	port_free_secret(buf, n);
	if (rv != CKR_OK && (s->pal.flags & PAL_TORN_WRITES))
		return CKR_OK;
	out->slot = slot;
	*present = rv == CKR_OK;
	return rv;
}

static CK_RV read_token(files_store *s, token_rec *out)
{
	token_rec r[2];
	int have[2], i;
	CK_RV rv = CKR_OK;

	for (i = 0; i < 2 && rv == CKR_OK; i++)
		rv = read_slot(s, i, &r[i], &have[i]);
	if (rv == CKR_OK) {
		if (have[0] < 0 && have[1] < 0)
			rv = CKR_TOKEN_NOT_PRESENT; /* no token here (yet) */
		else if (have[0] <= 0 && have[1] <= 0)
			rv = CKR_DEVICE_ERROR; /* none left */
		else if (have[0] > 0 && have[1] > 0 && r[0].seq == r[1].seq)
			rv = CKR_DEVICE_ERROR; /* no writer makes two of one */
		else
			*out = r[have[1] > 0 && (have[0] <= 0 || r[1].seq > r[0].seq)];
	}
	port_wipe(r, sizeof r);
	return rv;
}

/* Writes t with epoch as the next record after cur, over the other copy. */
static CK_RV write_token(files_store *s, const token_rec *cur, const store_token *t, uint64_t epoch,
			 token_rec *next)
{
	uint8_t body[TOKEN_BODY_LEN];
	uint8_t *buf = NULL;
	size_t n = 0;
	CK_RV rv;
	int slot = 1 - cur->slot;

	if (cur->seq == UINT64_MAX)
		return CKR_DEVICE_ERROR;
	token_encode(t, body);
	rv = record_encode(KIND_TOKEN, cur->seq + 1, epoch, body, sizeof body, &buf, &n);
	port_wipe(body, sizeof body);
	if (rv != CKR_OK)
		return rv;
	rv = io(s->pal.write(s->pal.ctx, slot_name[slot], buf, n));
	port_free_secret(buf, n);
	if (rv == CKR_OK && next != NULL) {
		next->t = *t;
		next->seq = cur->seq + 1;
		next->epoch = epoch;
		next->slot = slot;
	}
	return rv;
}

/* ---- object names ---- */

typedef struct name_list {
	files_store *s;
	uint64_t epoch;
	int stale;     /* collect objects of older epochs (else: of epoch) */
	uint64_t *ids; /* for stale: epochs and ids, interleaved */
	size_t n, cap;
} name_list;

static CK_RV collect_name(void *arg, const char *name)
{
	name_list *l = arg;
	uint64_t epoch, id;

	if (strcmp(name, slot_name[0]) == 0 || strcmp(name, slot_name[1]) == 0)
		return CKR_OK;
	if (!parse_obj_name(name, &epoch, &id))
		return CKR_DEVICE_ERROR; /* not ours: a foreign or damaged store */
	/* Newer than the token record: a record was lost. */
	if (epoch > l->epoch)
		return CKR_DEVICE_ERROR;
	if ((epoch < l->epoch) != l->stale)
		return CKR_OK;
	if (l->n + 2 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		uint64_t *p = port_realloc(l->ids, cap * sizeof *p);

		if (p == NULL)
			return CKR_HOST_MEMORY;
		l->ids = p;
		l->cap = cap;
	}
	if (l->stale)
		l->ids[l->n++] = epoch;
	l->ids[l->n++] = id;
	return CKR_OK;
}

static CK_RV list_names(files_store *s, uint64_t epoch, int stale, name_list *l)
{
	memset(l, 0, sizeof *l);
	l->s = s;
	l->epoch = epoch;
	l->stale = stale;
	return io(s->pal.list(s->pal.ctx, collect_name, l));
}

/* Removes the objects of epochs before epoch: invisible since the reset
 * that moved the epoch on. Best effort: what stays is removed later. */
static void remove_stale(files_store *s, uint64_t epoch)
{
	char name[OBJ_NAME_LEN + 1];
	name_list l;
	size_t i;

	if (list_names(s, epoch, 1, &l) == CKR_OK) {
		for (i = 0; i + 1 < l.n; i += 2) {
			obj_name(name, l.ids[i], l.ids[i + 1]);
			if (s->pal.remove(s->pal.ctx, name) != CKR_OK)
				break;
		}
	}
	port_free(l.ids);
}

/* ---- transactions ---- */

/* Starts a write: the exclusive lock, the changes of others noted, the
 * token record as it stands. */
static CK_RV begin_write(files_store *s, token_rec *cur)
{
	CK_RV rv = lock(s, 1);

	if (rv != CKR_OK)
		return rv;
	rv = poll_changes(s);
	if (rv == CKR_OK)
		rv = read_token(s, cur);
	if (rv != CKR_OK)
		unlock(s);
	return rv;
}

/* Ends it: our own change is absorbed (no other writer ran meanwhile); a
 * failed write leaves the store old or new, so the caller is told to
 * reload. */
static CK_RV end_write(files_store *s, token_rec *cur, CK_RV rv)
{
	int pending = s->pending;

	(void)poll_changes(s);
	s->pending = pending || rv != CKR_OK;
	unlock(s);
	port_wipe(cur, sizeof *cur);
	return rv;
}

/* ---- store.h ---- */

/*
 * On a device, files is the one backend: these are store.h's functions
 * themselves, with no table for store.c to dispatch through (128 bytes of
 * Cortex-M4 code). On a host they are the entries of files_ops.
 */
#if IOT_DEVICE
#define FILES_OP
#define FILES_FN(name) store_##name
#else
#define FILES_OP static
#define FILES_FN(name) files_##name
#endif

FILES_OP void FILES_FN(close)(store *base)
{
	files_store *s = (files_store *)base;

	if (s == NULL)
		return;
	if (s->pal.close != NULL)
		s->pal.close(s->pal.ctx);
	port_wipe(s, sizeof *s);
	port_free(s);
}

FILES_OP CK_RV FILES_FN(token_load)(store *base, store_token *out)
{
	files_store *s = (files_store *)base;
	token_rec cur;
	CK_RV rv = lock(s, 0);

	if (rv != CKR_OK)
		return rv;
	rv = read_token(s, &cur);
	unlock(s);
	if (rv == CKR_OK)
		*out = cur.t;
	port_wipe(&cur, sizeof cur);
	return rv;
}

FILES_OP CK_RV FILES_FN(token_save)(store *base, const store_token *t)
{
	files_store *s = (files_store *)base;
	token_rec cur;
	CK_RV rv = begin_write(s, &cur);

	if (rv != CKR_OK)
		return rv;
	return end_write(s, &cur, write_token(s, &cur, t, cur.epoch, NULL));
}

FILES_OP CK_RV FILES_FN(pin_save)(store *base, int role, const store_pin *p)
{
	files_store *s = (files_store *)base;
	token_rec cur;
	CK_RV rv;

	if (role < 0 || role >= STORE_ROLES)
		return CKR_ARGUMENTS_BAD;
	rv = begin_write(s, &cur);
	if (rv != CKR_OK)
		return rv;
	cur.t.pin[role] = *p;
	return end_write(s, &cur, write_token(s, &cur, &cur.t, cur.epoch, NULL));
}

FILES_OP CK_RV FILES_FN(pin_attempt)(store *base, int role, store_pin *out)
{
	files_store *s = (files_store *)base;
	token_rec cur;
	CK_RV rv;

	if (role < 0 || role >= STORE_ROLES)
		return CKR_ARGUMENTS_BAD;
	rv = begin_write(s, &cur);
	if (rv != CKR_OK)
		return rv;
	/* Read, count and write under the exclusive lock: two processes
	 * trying PINs at once cannot lose an attempt between them. */
	if (cur.t.pin[role].failures < UINT32_MAX)
		cur.t.pin[role].failures++;
	rv = write_token(s, &cur, &cur.t, cur.epoch, NULL);
	if (rv == CKR_OK)
		*out = cur.t.pin[role];
	return end_write(s, &cur, rv);
}

FILES_OP CK_RV FILES_FN(reset)(store *base, const store_token *t)
{
	files_store *s = (files_store *)base;
	token_rec cur;
	CK_RV rv = begin_write(s, &cur);

	if (rv != CKR_OK)
		return rv;
	if (cur.epoch == UINT64_MAX)
		rv = CKR_DEVICE_ERROR;
	/* The commit: from here on the objects of cur.epoch are invisible. */
	if (rv == CKR_OK)
		rv = write_token(s, &cur, t, cur.epoch + 1, NULL);
	if (rv == CKR_OK)
		remove_stale(s, cur.epoch + 1);
	return end_write(s, &cur, rv);
}

FILES_OP CK_RV FILES_FN(object_put)(store *base, uint64_t id, const uint8_t *data, size_t len)
{
	files_store *s = (files_store *)base;
	char name[OBJ_NAME_LEN + 1];
	uint8_t *buf = NULL;
	size_t n = 0;
	token_rec cur;
	CK_RV rv = begin_write(s, &cur);

	if (rv != CKR_OK)
		return rv;
	obj_name(name, cur.epoch, id);
	rv = record_encode(KIND_OBJECT, cur.epoch, id, data, len, &buf, &n);
	if (rv == CKR_OK)
		rv = io(s->pal.write(s->pal.ctx, name, buf, n));
	port_free_secret(buf, n);
	/* Committed; the new sequence number tells other processes (a
	 * device has none: one write per object, not two). */
	if (FILES_SHARED && rv == CKR_OK)
		rv = write_token(s, &cur, &cur.t, cur.epoch, NULL);
	return end_write(s, &cur, rv);
}

FILES_OP CK_RV FILES_FN(object_delete)(store *base, uint64_t id)
{
	files_store *s = (files_store *)base;
	char name[OBJ_NAME_LEN + 1];
	token_rec cur;
	CK_RV rv = begin_write(s, &cur);

	if (rv != CKR_OK)
		return rv;
	obj_name(name, cur.epoch, id);
	rv = io(s->pal.remove(s->pal.ctx, name));
	if (FILES_SHARED && rv == CKR_OK)
		rv = write_token(s, &cur, &cur.t, cur.epoch, NULL);
	return end_write(s, &cur, rv);
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static CK_RV load_object(files_store *s, uint64_t epoch, uint64_t id, store_object_fn fn, void *ctx)
{
	char name[OBJ_NAME_LEN + 1];
	const uint8_t *body;
	uint8_t *buf = NULL;
	uint64_t e, i;
	size_t n = 0, len;
	CK_RV rv;

	obj_name(name, epoch, id);
	rv = io(s->pal.read(s->pal.ctx, name, &buf, &n));
	if (rv != CKR_OK)
		return rv;
	rv = record_check(buf, n, KIND_OBJECT, &e, &i, &body, &len);
	/* A file renamed, or copied from another token, is not this object. */
	if (rv == CKR_OK && (e != epoch || i != id))
		rv = CKR_DEVICE_ERROR;
	if (rv == CKR_OK)
		rv = fn(ctx, id, body, len);
	port_free_secret(buf, n);
	return rv;
}

FILES_OP CK_RV FILES_FN(objects_load)(store *base, store_object_fn fn, void *ctx)
{
	files_store *s = (files_store *)base;
	token_rec cur;
	name_list l;
	size_t i;
	CK_RV rv = lock(s, 0);

	if (rv != CKR_OK)
		return rv;
	memset(&l, 0, sizeof l);
	rv = read_token(s, &cur);
	if (rv == CKR_OK)
		rv = list_names(s, cur.epoch, 0, &l);
	if (rv == CKR_OK && l.n > 1)
		qsort(l.ids, l.n, sizeof *l.ids, by_value);
	for (i = 0; rv == CKR_OK && i < l.n; i++)
		rv = load_object(s, cur.epoch, l.ids[i], fn, ctx);
	unlock(s);
	port_free(l.ids);
	port_wipe(&cur, sizeof cur);
	return rv;
}

FILES_OP CK_RV FILES_FN(changed)(store *base, int *changed)
{
	files_store *s = (files_store *)base;
	CK_RV rv = poll_changes(s);

	if (rv != CKR_OK) {
		*changed = 1; /* unknown: the safe answer is to reload */
		return rv;
	}
	*changed = s->pending;
	s->pending = 0;
	return CKR_OK;
}

#if !IOT_DEVICE
static const store_ops files_ops = {
	files_close, files_token_load, files_token_save,    files_pin_save,     files_pin_attempt,
	files_reset, files_object_put, files_object_delete, files_objects_load, files_changed,
};
#endif

/* A new store: no copy of the token record may exist yet. */
static CK_RV create(files_store *s, const store_token *t)
{
	token_rec none;
	uint8_t *buf = NULL;
	size_t n = 0;
	CK_RV rv = CKR_OK;
	int i;

	for (i = 0; i < 2 && rv == CKR_OK; i++) {
		rv = s->pal.read(s->pal.ctx, slot_name[i], &buf, &n);
		if (rv == CKR_OK) {
			port_free(buf);
			rv = CKR_DEVICE_ERROR;
		} else if (rv == PAL_NOT_FOUND) {
			rv = CKR_OK;
		}
	}
	memset(&none, 0, sizeof none);
	none.slot = 1; /* so the first record is token.a */
	if (rv == CKR_OK)
		rv = write_token(s, &none, t, 1, NULL);
	return rv;
}

CK_RV store_files_open(const pal_files *pal, int create_new, const store_token *t, store **out)
{
	files_store *s;
	token_rec cur;
	CK_RV rv;

	*out = NULL;
	if (create_new && t == NULL)
		return CKR_ARGUMENTS_BAD;
	s = port_calloc(1, sizeof *s);
	if (s == NULL)
		return CKR_HOST_MEMORY;
#if !IOT_DEVICE
	s->base.ops = &files_ops;
#endif
	s->pal = *pal;
	rv = lock(s, 1);
	if (rv == CKR_OK) {
		if (create_new) {
			rv = create(s, t);
		} else {
			rv = read_token(s, &cur);
			/* What a reset or a power cut during one left. */
			if (rv == CKR_OK)
				remove_stale(s, cur.epoch);
			port_wipe(&cur, sizeof cur);
		}
		/* From here on store_changed reports the changes of others. */
		if (rv == CKR_OK)
			rv = poll_changes(s);
		s->pending = 0;
		unlock(s);
	}
	if (rv != CKR_OK) {
		s->pal.close = NULL; /* the caller keeps the PAL */
		FILES_FN(close)(&s->base);
		return rv;
	}
	*out = &s->base;
	return CKR_OK;
}
