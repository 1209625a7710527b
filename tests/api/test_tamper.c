/*
 * Tamper sweep (issue 7; SECURITY.md rows 19 and 20), on both store backends
 * (api/ and api-files/).
 *
 * One private EC key object (imported from tests/api/common/keys.c, not
 * sensitive so its CKA_VALUE can be compared) is the only object of the
 * token. For every byte of its stored record (SQLite: the `object` row's data
 * blob, which is the codec record of src/store/codec.h; files store: the whole
 * file o-<epoch>-<id>, header, codec record and CRC), the byte is changed
 * (xor 0x01 everywhere, xor 0xa5 on every third byte), the module
 * initialized on the store, and the key checked; then the record is put back.
 * The same for the wrapped master key and the salt of both PIN records
 * (SQLite: the `pin` rows; files store: the newest copy of the token record,
 * token.a or token.b, every byte of it, and every byte of the older copy).
 *
 * Two kinds of change:
 *   - raw: the byte alone, as damage or a naive edit does. The record's
 *     checksum (the codec's truncated SHA-256, the files store's CRC-32, the
 *     SQLite store's row checksum of the pin rows) catches it: the token
 *     must fail closed (CKR_DEVICE_ERROR from C_GetTokenInfo, C_OpenSession
 *     or C_Login; README "Encryption at rest"). A byte of the object
 *     record's MAC, which the codec's check does not cover, fails at
 *     C_Login.
 *   - resealed: the byte, then the checksums recomputed, as a tamperer who
 *     knows the format does. The record of a private object is
 *     authenticated as a whole (codec.h, seal.h: HMAC-SHA256 under a key
 *     derived from the token master key, over every attribute, clear and
 *     sealed, bound to the object id): every change must fail closed, at
 *     load or at C_Login with CKR_DEVICE_ERROR; no change may load with a
 *     different attribute. So must the MAC stripped and the record made to
 *     look like one of format 1 (before the MAC). A change in a PIN
 *     record's salt or wrapped key must give CKR_PIN_INCORRECT.
 * In every case: the key's CKA_VALUE is never different from the one
 * imported, the key never signs so that the original public key does not
 * verify, the key never silently disappears, and the right PIN never logs
 * in over a changed wrapped key. All outcomes are counted and printed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "harness.h"
#include "keys.h"

/* ---- SHA-256 and CRC-32, to reseal records as a tamperer would ---- */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       w[i - 7] + (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] +
		     w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

static void sha256(const unsigned char *p, size_t n, unsigned char out[32])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned char last[128];
	size_t i, rest = n % 64, tail;
	uint64_t bits = (uint64_t)n * 8;

	for (i = 0; i + 64 <= n; i += 64)
		sha_block(h, p + i);
	memset(last, 0, sizeof(last));
	memcpy(last, p + i, rest);
	last[rest] = 0x80;
	tail = rest < 56 ? 64 : 128;
	for (i = 0; i < 8; i++)
		last[tail - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha_block(h, last);
	if (tail == 128)
		sha_block(h, last + 64);
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	int k;

	while (n-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Files store record framing (src/store/files.c): header 28, CRC 4. */
#define F_HEADER 28
#define F_TRAILER 4
/* Codec (src/store/codec.h): header 12, entries of 13 + value, check 16,
 * then the MAC (32) when the flags (offset 6) say so. */
#define C_HEADER 12
#define C_ENTRY 13
#define C_CHECK 16
#define C_MAC 32
#define C_F_MAC 0x01
/* The token record body (files.c): label 32, serial 16, per role (SO,
 * user): set 1 | salt 16 | iterations 4 | wrapped 60 | failures 4. */
#define T_PIN_LEN 85
#define T_SALT(role) (F_HEADER + 48 + (role)*T_PIN_LEN + 1)
#define T_WRAPPED(role) (T_SALT(role) + 16 + 4)
#define T_RECORD_LEN (F_HEADER + 48 + 2 * T_PIN_LEN + F_TRAILER)

/* Recomputes the codec check of a record of len bytes; mac: whether it
 * ends with a MAC (as the original record did: a changed flag does not move
 * the check). */
static void reseal_codec(unsigned char *rec, size_t len, int mac)
{
	unsigned char d[32];
	size_t body = len - C_CHECK - (mac ? C_MAC : 0);

	sha256(rec, body, d);
	memcpy(rec + body, d, C_CHECK);
}

/* Recomputes the CRC of a files store record. */
static void reseal_files(unsigned char *rec, size_t len)
{
	put_le32(rec + len - F_TRAILER, crc32_ieee(rec, len - F_TRAILER));
}

/* ---- the stored bytes ---- */

/* Files store: a snapshot of every file of the token directory. */
#define SNAP_MAX 8
typedef struct snap {
	char name[SNAP_MAX][NAME_MAX + 1];
	unsigned char *data[SNAP_MAX];
	size_t len[SNAP_MAX];
	int n;
} snap;

static void token_dir(char *path, size_t n)
{
	h_token_db(path, n, h_slot);
}

static void snap_take(snap *s)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	struct dirent *e;
	DIR *d;

	memset(s, 0, sizeof(*s));
	token_dir(dir, sizeof(dir));
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		assert_true(s->n < SNAP_MAX);
		assert_true(strlen(e->d_name) < sizeof(s->name[0]));
		memcpy(s->name[s->n], e->d_name, strlen(e->d_name) + 1);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		s->data[s->n] = h_slurp(path, &s->len[s->n]);
		assert_non_null(s->data[s->n]);
		s->n++;
	}
	closedir(d);
}

/* A new file in place of the old: unlinked and created, since ext4 starts
 * writeback at close for a file truncated and rewritten (auto_da_alloc),
 * which would cost a disk write per byte swept. */
static void write_file(const char *path, const unsigned char *p, size_t len)
{
	int fd;

	if (unlink(path) != 0 && errno != ENOENT)
		fail_msg("unlink %s: %s", path, strerror(errno));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Puts the directory back as the snapshot has it (and nothing else). */
static void snap_restore(const snap *s)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	struct dirent *e;
	DIR *d;
	int i, keep;

	token_dir(dir, sizeof(dir));
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		for (keep = 0, i = 0; i < s->n; i++)
			keep |= strcmp(s->name[i], e->d_name) == 0;
		if (!keep) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			assert_int_equal(unlink(path), 0);
		}
	}
	closedir(d);
	for (i = 0; i < s->n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, s->name[i]);
		write_file(path, s->data[i], s->len[i]);
	}
}

static void snap_free(snap *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->data[i]);
	memset(s, 0, sizeof(*s));
}

static int snap_find(const snap *s, const char *prefix)
{
	int i, found = -1;

	for (i = 0; i < s->n; i++) {
		if (strncmp(s->name[i], prefix, strlen(prefix)) == 0) {
			assert_int_equal(found, -1);
			found = i;
		}
	}
	assert_true(found >= 0);
	return found;
}

/* Writes one file of the token directory. */
static void put_file(const char *name, const unsigned char *p, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];

	token_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, p, len);
}

/* The SQLite pin row checksum (src/store/sqlite.c pin_check): SHA-256 of
 * "IOTK pin" | role | is_set | salt | iterations u32 | wrapped | failures
 * u32, first 16 bytes. */
static void pin_row_check(int role, int is_set, const unsigned char salt[16], uint32_t iterations,
			  const unsigned char wrapped[60], uint32_t failures, unsigned char out[16])
{
	unsigned char buf[8 + 2 + 16 + 4 + 60 + 4], d[32];

	memcpy(buf, "IOTK pin", 8);
	buf[8] = (unsigned char)role;
	buf[9] = (unsigned char)is_set;
	memcpy(buf + 10, salt, 16);
	put_le32(buf + 26, iterations);
	memcpy(buf + 30, wrapped, 60);
	put_le32(buf + 90, failures);
	sha256(buf, sizeof(buf), d);
	memcpy(out, d, 16);
}

/* SQLite: one connection of the test's own (no fsync: durability does not
 * matter here, and the module is finalized while it writes). */
static sqlite3 *sql;

static void sql_open(void)
{
	char db[PATH_MAX];

	h_token_db(db, sizeof(db), h_slot);
	assert_int_equal(sqlite3_open_v2(db, &sql, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(sql, "PRAGMA synchronous = OFF", NULL, NULL, NULL),
			 SQLITE_OK);
}

static void sql_close(void)
{
	assert_int_equal(sqlite3_close(sql), SQLITE_OK);
	sql = NULL;
}

/* The data of the token's one object row (malloc'd). */
static unsigned char *sql_object(size_t *len, sqlite3_int64 *id)
{
	sqlite3_stmt *st;
	unsigned char *p;

	assert_int_equal(sqlite3_prepare_v2(sql, "SELECT id, data FROM object", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*id = sqlite3_column_int64(st, 0);
	*len = (size_t)sqlite3_column_bytes(st, 1);
	p = malloc(*len);
	assert_non_null(p);
	memcpy(p, sqlite3_column_blob(st, 1), *len);
	/* The only object. */
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	return p;
}

static void sql_put_object(sqlite3_int64 id, const unsigned char *p, size_t len)
{
	sqlite3_stmt *st;

	assert_int_equal(
		sqlite3_prepare_v2(sql, "UPDATE object SET data = ? WHERE id = ?", -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_blob(st, 1, p, (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(sql), 1);
	sqlite3_finalize(st);
}

/* A PIN row: salt 16 then wrapped 60 in one buffer, its other columns and
 * its checksum. */
#define PIN_BYTES 76
typedef struct pin_row {
	unsigned char b[PIN_BYTES];
	sqlite3_int64 is_set, iterations, failures;
	unsigned char check[16];
} pin_row;

static void sql_pin(int role, pin_row *r)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(sql,
					    "SELECT salt, wrapped, failures, is_set, iterations, "
					    "checksum FROM pin WHERE role = ?",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int(st, 1, role);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), 16);
	assert_int_equal(sqlite3_column_bytes(st, 1), 60);
	assert_int_equal(sqlite3_column_bytes(st, 5), 16);
	memcpy(r->b, sqlite3_column_blob(st, 0), 16);
	memcpy(r->b + 16, sqlite3_column_blob(st, 1), 60);
	r->failures = sqlite3_column_int64(st, 2);
	r->is_set = sqlite3_column_int64(st, 3);
	r->iterations = sqlite3_column_int64(st, 4);
	memcpy(r->check, sqlite3_column_blob(st, 5), 16);
	sqlite3_finalize(st);
}

static void sql_put_pin(int role, const pin_row *r)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(sql,
					    "UPDATE pin SET salt = ?, wrapped = ?, failures = ?, "
					    "iterations = ?, checksum = ? WHERE role = ?",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_blob(st, 1, r->b, 16, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 2, r->b + 16, 60, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, r->failures);
	sqlite3_bind_int64(st, 4, r->iterations);
	sqlite3_bind_blob(st, 5, r->check, 16, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 6, role);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(sql), 1);
	sqlite3_finalize(st);
}

/* Recomputes a PIN row's checksum, as a tamperer can. */
static void pin_row_reseal(int role, pin_row *r)
{
	pin_row_check(role, (int)r->is_set, r->b, (uint32_t)r->iterations, r->b + 16,
		      (uint32_t)r->failures, r->check);
}

/* ---- the key and what it must stay ---- */

static const CK_ATTRIBUTE_TYPE attr_types[] = {
	CKA_CLASS,
	CKA_TOKEN,
	CKA_PRIVATE,
	CKA_LABEL,
	CKA_MODIFIABLE,
	CKA_COPYABLE,
	CKA_DESTROYABLE,
	CKA_KEY_TYPE,
	CKA_ID,
	CKA_START_DATE,
	CKA_END_DATE,
	CKA_DERIVE,
	CKA_LOCAL,
	CKA_KEY_GEN_MECHANISM,
	CKA_ALLOWED_MECHANISMS,
	CKA_SUBJECT,
	CKA_SENSITIVE,
	CKA_DECRYPT,
	CKA_SIGN,
	CKA_SIGN_RECOVER,
	CKA_UNWRAP,
	CKA_EXTRACTABLE,
	CKA_ALWAYS_SENSITIVE,
	CKA_NEVER_EXTRACTABLE,
	CKA_WRAP_WITH_TRUSTED,
	CKA_ALWAYS_AUTHENTICATE,
	CKA_PUBLIC_KEY_INFO,
	CKA_EC_PARAMS,
	CKA_EC_POINT,
	CKA_VALUE,
};
#define N_ATTRS (sizeof(attr_types) / sizeof(attr_types[0]))
#define ATTR_BUF 512

static const char *attr_name(CK_ATTRIBUTE_TYPE t)
{
	static const struct {
		CK_ATTRIBUTE_TYPE t;
		const char *n;
	} names[] = {
		{ CKA_CLASS, "CLASS" },
		{ CKA_TOKEN, "TOKEN" },
		{ CKA_PRIVATE, "PRIVATE" },
		{ CKA_LABEL, "LABEL" },
		{ CKA_MODIFIABLE, "MODIFIABLE" },
		{ CKA_COPYABLE, "COPYABLE" },
		{ CKA_DESTROYABLE, "DESTROYABLE" },
		{ CKA_KEY_TYPE, "KEY_TYPE" },
		{ CKA_ID, "ID" },
		{ CKA_START_DATE, "START_DATE" },
		{ CKA_END_DATE, "END_DATE" },
		{ CKA_DERIVE, "DERIVE" },
		{ CKA_LOCAL, "LOCAL" },
		{ CKA_KEY_GEN_MECHANISM, "KEY_GEN_MECHANISM" },
		{ CKA_ALLOWED_MECHANISMS, "ALLOWED_MECHANISMS" },
		{ CKA_SUBJECT, "SUBJECT" },
		{ CKA_SENSITIVE, "SENSITIVE" },
		{ CKA_DECRYPT, "DECRYPT" },
		{ CKA_SIGN, "SIGN" },
		{ CKA_SIGN_RECOVER, "SIGN_RECOVER" },
		{ CKA_UNWRAP, "UNWRAP" },
		{ CKA_EXTRACTABLE, "EXTRACTABLE" },
		{ CKA_ALWAYS_SENSITIVE, "ALWAYS_SENSITIVE" },
		{ CKA_NEVER_EXTRACTABLE, "NEVER_EXTRACTABLE" },
		{ CKA_WRAP_WITH_TRUSTED, "WRAP_WITH_TRUSTED" },
		{ CKA_ALWAYS_AUTHENTICATE, "ALWAYS_AUTHENTICATE" },
		{ CKA_PUBLIC_KEY_INFO, "PUBLIC_KEY_INFO" },
		{ CKA_EC_PARAMS, "EC_PARAMS" },
		{ CKA_EC_POINT, "EC_POINT" },
		{ CKA_VALUE, "VALUE" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == t)
			return names[i].n;
	return "?";
}

typedef struct attrs {
	CK_RV rv[N_ATTRS];
	CK_ULONG len[N_ATTRS];
	unsigned char v[N_ATTRS][ATTR_BUF];
} attrs;

static attrs baseline;

static void read_attrs(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, attrs *a)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < N_ATTRS; i++) {
		CK_ATTRIBUTE t = { attr_types[i], a->v[i], ATTR_BUF };

		a->rv[i] = p11->C_GetAttributeValue(s, o, &t, 1);
		a->len[i] = t.ulValueLen;
	}
}

/* Outcomes of one changed byte. */
enum {
	OUT_TOKEN,   /* C_GetTokenInfo: CKR_DEVICE_ERROR */
	OUT_SESSION, /* C_OpenSession: CKR_DEVICE_ERROR */
	OUT_LOGIN,   /* C_Login: CKR_DEVICE_ERROR */
	OUT_PIN,     /* C_Login with the right PIN: CKR_PIN_INCORRECT */
	OUT_SAME,    /* loaded, every attribute as imported, signs right */
	OUT_CHANGED, /* loaded, a clear attribute changed, the value did not */
	OUT_BAD,     /* anything else: wrong data, a lost key, another code */
	N_OUT
};

static const char *const out_names[N_OUT] = {
	"C_GetTokenInfo DEVICE_ERROR",
	"C_OpenSession DEVICE_ERROR",
	"C_Login DEVICE_ERROR",
	"C_Login PIN_INCORRECT",
	"unchanged",
	"clear attribute changed",
	"BAD",
};

/* The module names the damage it finds on standard error (README), once
 * per change here: thousands of lines. They are silenced during the checks;
 * the test prints its own account on standard output. */
static void quiet(int on)
{
	static int saved = -1;

	fflush(stderr);
	if (on && saved < 0) {
		int null = open("/dev/null", O_WRONLY);

		assert_true(null >= 0);
		saved = dup(2);
		assert_true(saved >= 0);
		assert_true(dup2(null, 2) == 2);
		close(null);
	} else if (!on && saved >= 0) {
		assert_true(dup2(saved, 2) == 2);
		close(saved);
		saved = -1;
	}
}

/* The attributes the last check_key found changed (bit i: attr_types[i]). */
static uint64_t changed_mask;

/* Initializes the module on the store and checks the key. who is the role
 * that logs in (CKU_USER, or CKU_SO for the SO PIN sweep). why gets the
 * reason of OUT_BAD and the attributes of OUT_CHANGED. */
static int check_key(CK_USER_TYPE who, char *why, size_t whylen)
{
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_OBJECT_HANDLE found[4], pub;
	CK_ULONG n;
	CK_MECHANISM mech = { CKM_ECDSA, NULL, 0 };
	unsigned char hash[32], sig[256];
	CK_ULONG siglen = sizeof(sig);
	attrs *a = NULL;
	h_tmpl t;
	CK_RV rv;
	size_t i;
	int out = OUT_SAME, value_differs = 0;

	why[0] = '\0';
	changed_mask = 0;
	quiet(1);
	h_initialize();
	rv = p11->C_GetTokenInfo(h_slot, &ti);
	if (rv != CKR_OK) {
		out = rv == CKR_DEVICE_ERROR ? OUT_TOKEN : OUT_BAD;
		snprintf(why, whylen, "C_GetTokenInfo: %s", h_rv_name(rv));
		goto done;
	}
	rv = p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK) {
		out = rv == CKR_DEVICE_ERROR ? OUT_SESSION : OUT_BAD;
		snprintf(why, whylen, "C_OpenSession: %s", h_rv_name(rv));
		goto done;
	}
	rv = h_login_pin(s, who, who == CKU_SO ? H_SO_PIN : H_USER_PIN);
	if (rv != CKR_OK) {
		out = rv == CKR_DEVICE_ERROR    ? OUT_LOGIN
		      : rv == CKR_PIN_INCORRECT ? OUT_PIN
						: OUT_BAD;
		snprintf(why, whylen, "C_Login: %s", h_rv_name(rv));
		goto done;
	}
	if (who == CKU_SO) {
		/* The SO logged in: its wrapped key opened; the user's objects
		 * are checked by the user sweeps. */
		goto done;
	}
	/* The key is there: once, and not silently gone. */
	assert_ok(p11->C_FindObjectsInit(s, NULL, 0));
	assert_ok(p11->C_FindObjects(s, found, 4, &n));
	assert_ok(p11->C_FindObjectsFinal(s));
	if (n != 1) {
		out = OUT_BAD;
		snprintf(why, whylen, "%lu objects after login, expected the key",
			 (unsigned long)n);
		goto done;
	}
	a = malloc(sizeof(*a));
	assert_non_null(a);
	read_attrs(s, found[0], a);
	for (i = 0; i < N_ATTRS; i++) {
		if (a->rv[i] == baseline.rv[i] && a->len[i] == baseline.len[i] &&
		    (a->rv[i] != CKR_OK || memcmp(a->v[i], baseline.v[i], a->len[i]) == 0))
			continue;
		if (attr_types[i] == CKA_VALUE)
			value_differs = 1;
		changed_mask |= (uint64_t)1 << i;
		out = OUT_CHANGED;
		snprintf(why + strlen(why), whylen - strlen(why), "%s%s", why[0] ? "," : "",
			 attr_name(attr_types[i]));
	}
	if (value_differs) {
		out = OUT_BAD;
		snprintf(why, whylen, "CKA_VALUE reads differently (%s)",
			 h_rv_name(a->rv[N_ATTRS - 1]));
		goto done;
	}
	/* It signs as the imported key: the original public key verifies. */
	for (i = 0; i < sizeof(hash); i++)
		hash[i] = (unsigned char)(i * 7 + 1);
	rv = p11->C_SignInit(s, &mech, found[0]);
	if (rv == CKR_OK)
		rv = p11->C_Sign(s, hash, sizeof(hash), sig, &siglen);
	if (rv != CKR_OK) {
		/* Refusing to sign is not wrong data, but only a changed
		 * attribute (CKA_SIGN, CKA_ALLOWED_MECHANISMS, ...) explains
		 * it. */
		if (out != OUT_CHANGED) {
			out = OUT_BAD;
			snprintf(why, whylen, "signing with an unchanged key: %s", h_rv_name(rv));
		} else {
			snprintf(why + strlen(why), whylen - strlen(why), " (sign: %s)",
				 h_rv_name(rv));
		}
		goto done;
	}
	t_init(&t);
	k_ec_public(&t);
	t_bool(&t, CKA_TOKEN, CK_FALSE);
	assert_ok(h_create_rv(s, &t, &pub));
	assert_ok(p11->C_VerifyInit(s, &mech, pub));
	rv = p11->C_Verify(s, hash, sizeof(hash), sig, siglen);
	if (rv != CKR_OK) {
		out = OUT_BAD;
		snprintf(why, whylen, "the key signs differently: C_Verify %s", h_rv_name(rv));
	}
done:
	free(a);
	(void)p11->C_Finalize(NULL);
	quiet(0);
	return out;
}

/* ---- the sweeps ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Time of the last tally_add (or of the start of a sweep). */
static double t_mark;

typedef struct tally {
	unsigned long n[N_OUT];
	unsigned long changed_by[N_ATTRS];
	unsigned long positions;
	double secs;
	char first_bad[512];
} tally;

static void tally_add(tally *t, int out, const char *what, size_t pos, unsigned pattern,
		      const char *why)
{
	size_t i;

	double now = now_s();

	t->secs += now - t_mark;
	t_mark = now;
	t->n[out]++;
	t->positions++;
	if (out == OUT_CHANGED) {
		for (i = 0; i < N_ATTRS; i++)
			if (changed_mask & ((uint64_t)1 << i))
				t->changed_by[i]++;
		if (getenv("IOTOKEN_TAMPER_VERBOSE") != NULL)
			printf("  %s, byte %zu ^ 0x%02x: loaded, changed %s\n", what, pos, pattern,
			       why);
	}
	if (out == OUT_BAD) {
		printf("BAD: %s, byte %zu ^ 0x%02x: %s\n", what, pos, pattern, why);
		if (t->first_bad[0] == '\0')
			snprintf(t->first_bad, sizeof(t->first_bad), "%s, byte %zu ^ 0x%02x: %s",
				 what, pos, pattern, why);
	}
}

static void tally_print(const tally *t, const char *what)
{
	size_t i;
	int k, any = 0;

	printf("%s (%s store): %lu changes in %.1f s:", what, h_store_files() ? "files" : "sqlite",
	       t->positions, t->secs);
	for (k = 0; k < N_OUT; k++)
		if (t->n[k] > 0)
			printf(" %s %lu;", out_names[k], t->n[k]);
	printf("\n");
	for (i = 0; i < N_ATTRS; i++) {
		if (t->changed_by[i] == 0)
			continue;
		printf("%s CKA_%s %lu", any ? "," : "  loaded with a changed",
		       attr_name(attr_types[i]), t->changed_by[i]);
		any = 1;
	}
	if (any)
		printf("\n");
	fflush(stdout);
}

/* Whether byte pos of a codec record (len bytes, ending with a MAC) is its
 * unkeyed check, which resealing rewrites. */
static int codec_is_check(size_t len, size_t pos)
{
	return pos >= len - C_MAC - C_CHECK && pos < len - C_MAC;
}

/* The object record as stored (sqlite blob, or the whole o- file) and where
 * the codec record lies in it. */
typedef struct objrec {
	unsigned char *orig;
	size_t len, coff, clen;
	sqlite3_int64 id;
	snap files;
	int fidx;
} objrec;

static void objrec_load(objrec *r)
{
	memset(r, 0, sizeof(*r));
	if (h_store_files()) {
		snap_take(&r->files);
		r->fidx = snap_find(&r->files, "o-");
		r->len = r->files.len[r->fidx];
		r->orig = malloc(r->len);
		assert_non_null(r->orig);
		memcpy(r->orig, r->files.data[r->fidx], r->len);
		r->coff = F_HEADER;
		r->clen = r->len - F_HEADER - F_TRAILER;
	} else {
		sql_open();
		r->orig = sql_object(&r->len, &r->id);
		r->coff = 0;
		r->clen = r->len;
	}
	assert_true(r->clen > C_HEADER + C_CHECK + C_MAC);
	assert_memory_equal(r->orig + r->coff, "IOTO", 4);
	/* Format 2, with the MAC of a private record. */
	assert_int_equal(r->orig[r->coff + 4], 2);
	assert_int_equal(r->orig[r->coff + 6], C_F_MAC);
}

/* Stores p (len bytes, as objrec_load gave them: a files store record
 * with its framing) in place of the record. */
static void objrec_put_len(objrec *r, const unsigned char *p, size_t len)
{
	if (h_store_files()) {
		/* The token record copies as they were (a login rewrites them). */
		snap_restore(&r->files);
		put_file(r->files.name[r->fidx], p, len);
	} else {
		sql_put_object(r->id, p, len);
	}
}

static void objrec_put(objrec *r, const unsigned char *p)
{
	objrec_put_len(r, p, r->len);
}

static void objrec_restore(objrec *r)
{
	if (h_store_files())
		snap_restore(&r->files);
	else
		sql_put_object(r->id, r->orig, r->len);
}

static void objrec_free(objrec *r)
{
	if (!h_store_files())
		sql_close();
	snap_free(&r->files);
	free(r->orig);
}

/* Imports the key, records what it reads as, and finalizes. */
static void make_key(void)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE o;
	h_tmpl t;
	char why[256];

	h_login(s, CKU_USER);
	t_init(&t);
	k_ec_private(&t);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_bool(&t, CKA_PRIVATE, CK_TRUE);
	t_bool(&t, CKA_SENSITIVE, CK_FALSE);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	t_str(&t, CKA_LABEL, "tamper sweep key");
	o = h_create(s, &t);
	read_attrs(s, o, &baseline);
	/* The imported scalar reads back. */
	assert_int_equal(baseline.rv[N_ATTRS - 1], CKR_OK);
	assert_int_equal(baseline.len[N_ATTRS - 1], sizeof(k_ec_private_value));
	assert_memory_equal(baseline.v[N_ATTRS - 1], k_ec_private_value,
			    sizeof(k_ec_private_value));
	h_finalize();
	/* The untouched store passes the check (and the check can pass). */
	assert_int_equal(check_key(CKU_USER, why, sizeof(why)), OUT_SAME);
}

/* The MAC cut off, the flag cleared and the checks recomputed, as format 2
 * and as format 1 (which had no MAC), the CKA_LABEL changed or not: a
 * private record without its MAC never loads as the key. */
static void strip_mac(objrec *r, tally *t)
{
	size_t clen = r->clen - C_MAC, len = r->len - C_MAC, pos, label = 0;
	unsigned char *buf = malloc(r->len), *rec;
	char why[512], what[64];
	int version, change, out;

	assert_non_null(buf);
	/* Where the label's value is (the entries as codec.h lays them). */
	for (pos = C_HEADER; pos + C_ENTRY <= clen - C_CHECK;) {
		size_t vlen = (size_t)le(r->orig + r->coff + pos + 9, 4);

		if (le(r->orig + r->coff + pos, 8) == CKA_LABEL)
			label = pos + C_ENTRY;
		pos += C_ENTRY + vlen;
	}
	assert_true(label > 0);
	for (version = 1; version <= 2; version++) {
		for (change = 0; change < 2; change++) {
			/* The files framing: header, the shorter record, CRC. */
			memcpy(buf, r->orig, r->coff + clen);
			rec = buf + r->coff;
			rec[4] = (unsigned char)version;
			rec[6] = 0;
			if (change)
				rec[label] ^= 0x20;
			reseal_codec(rec, clen, 0);
			if (h_store_files()) {
				put_le32(buf + 24, (uint32_t)clen);
				reseal_files(buf, len);
			}
			objrec_put_len(r, buf, len);
			out = check_key(CKU_USER, why, sizeof(why));
			if (out != OUT_TOKEN && out != OUT_SESSION && out != OUT_LOGIN) {
				if (out != OUT_BAD)
					snprintf(why + strlen(why), sizeof(why) - strlen(why),
						 " (%s, expected a failure)", out_names[out]);
				out = OUT_BAD;
			}
			snprintf(what, sizeof(what), "MAC stripped, format %d%s", version,
				 change ? ", label changed" : "");
			tally_add(t, out, what, 0, 0, why);
			objrec_restore(r);
		}
	}
	free(buf);
}

static void test_tamper_object(void **state)
{
	static const unsigned patterns[2] = { 0x01, 0xa5 };
	objrec r;
	unsigned char *buf;
	tally raw, resealed, stripped;
	char why[512];
	size_t pos;
	int k, out;

	(void)state;
	memset(&raw, 0, sizeof(raw));
	memset(&resealed, 0, sizeof(resealed));
	memset(&stripped, 0, sizeof(stripped));
	make_key();
	t_mark = now_s();
	objrec_load(&r);
	buf = malloc(r.len);
	assert_non_null(buf);
	printf("object record: %zu bytes stored, codec record %zu bytes at %zu\n", r.len, r.clen,
	       r.coff);
	for (pos = 0; pos < r.len; pos++) {
		for (k = 0; k < 2; k++) {
			if (k == 1 && pos % 3 != 0)
				continue;
			/* Raw: the byte alone. Every byte is covered by a
			 * checksum: fail closed. */
			memcpy(buf, r.orig, r.len);
			buf[pos] ^= (unsigned char)patterns[k];
			objrec_put(&r, buf);
			out = check_key(CKU_USER, why, sizeof(why));
			if (out != OUT_TOKEN && out != OUT_SESSION && out != OUT_LOGIN) {
				if (out != OUT_BAD)
					snprintf(why + strlen(why), sizeof(why) - strlen(why),
						 " (%s, expected a failure)", out_names[out]);
				out = OUT_BAD;
			}
			tally_add(&raw, out, "object record, raw", pos, patterns[k], why);
			objrec_restore(&r);

			/* Resealed: the checksums recomputed. */
			if (pos < r.coff || pos >= r.coff + r.clen)
				continue; /* the files framing: checked raw */
			if (codec_is_check(r.clen, pos - r.coff))
				continue; /* resealing rewrites it */
			memcpy(buf, r.orig, r.len);
			buf[pos] ^= (unsigned char)patterns[k];
			reseal_codec(buf + r.coff, r.clen, 1);
			if (h_store_files())
				reseal_files(buf, r.len);
			objrec_put(&r, buf);
			out = check_key(CKU_USER, why, sizeof(why));
			/* The record MAC covers every byte of a private record:
			 * nothing loads changed, nothing loads at all. */
			if (out != OUT_TOKEN && out != OUT_SESSION && out != OUT_LOGIN) {
				if (out != OUT_BAD)
					snprintf(why + strlen(why), sizeof(why) - strlen(why),
						 " (%s, expected a failure)", out_names[out]);
				out = OUT_BAD;
			}
			tally_add(&resealed, out, "object record, resealed", pos, patterns[k], why);
			objrec_restore(&r);
		}
	}
	strip_mac(&r, &stripped);
	tally_print(&raw, "object record, raw");
	tally_print(&resealed, "object record, resealed");
	tally_print(&stripped, "object record, MAC stripped");
	/* Put back, the token is whole again. */
	assert_int_equal(check_key(CKU_USER, why, sizeof(why)), OUT_SAME);
	free(buf);
	objrec_free(&r);
	if (raw.first_bad[0] != '\0' || resealed.first_bad[0] != '\0' ||
	    stripped.first_bad[0] != '\0')
		fail_msg("tampered object record: %s%s%s", raw.first_bad, resealed.first_bad,
			 stripped.first_bad);
	h_initialize();
}

/* SQLite: both PIN rows, every byte of salt and wrapped key, raw (the row
 * checksum fails: the token fails closed) and resealed (the AEAD of the
 * wrapped key: CKR_PIN_INCORRECT); the counter and the iteration count raw
 * (the row checksum). */
static int expect_out(int out, int want, char *why, size_t whylen)
{
	if (out != want && out != OUT_BAD) {
		snprintf(why + strlen(why), whylen - strlen(why), " (%s, expected %s)",
			 out_names[out], out_names[want]);
		out = OUT_BAD;
	}
	return out;
}

static void sweep_sqlite_pins(tally *raw, tally *resealed)
{
	static const unsigned patterns[2] = { 0x01, 0xa5 };
	pin_row orig, row;
	char why[512], what[64];
	int role, k, out, reseal;
	size_t pos;

	for (role = 0; role < 2; role++) {
		CK_USER_TYPE who = role == 0 ? CKU_SO : CKU_USER;

		sql_open();
		sql_pin(role, &orig);
		for (reseal = 0; reseal < 2; reseal++) {
			snprintf(what, sizeof(what), "%s PIN row (salt|wrapped), %s",
				 role ? "user" : "SO", reseal ? "resealed" : "raw");
			for (pos = 0; pos < PIN_BYTES; pos++) {
				for (k = 0; k < 2; k++) {
					if (k == 1 && pos % 3 != 0)
						continue;
					row = orig;
					row.b[pos] ^= (unsigned char)patterns[k];
					if (reseal)
						pin_row_reseal(role, &row);
					sql_put_pin(role, &row);
					out = check_key(who, why, sizeof(why));
					out = expect_out(out, reseal ? OUT_PIN : OUT_TOKEN, why,
							 sizeof(why));
					tally_add(reseal ? resealed : raw, out, what, pos,
						  patterns[k], why);
					sql_put_pin(role, &orig);
				}
			}
		}
		/* The counter and the iteration count, raw: damage, not a
		 * value (README: every record carries a checksum). */
		snprintf(what, sizeof(what), "%s PIN row (failures|iterations), raw",
			 role ? "user" : "SO");
		for (k = 0; k < 4; k++) {
			row = orig;
			if (k == 0)
				row.failures = orig.failures + 1;
			else if (k == 1)
				row.failures = 9;
			else if (k == 2)
				row.iterations = orig.iterations + 1;
			else
				row.iterations = orig.iterations * 1000;
			sql_put_pin(role, &row);
			out = expect_out(check_key(who, why, sizeof(why)), OUT_TOKEN, why,
					 sizeof(why));
			tally_add(raw, out, what, (size_t)k, 0, why);
			sql_put_pin(role, &orig);
		}
		sql_close();
	}
}

/* Files store: every byte of both copies of the token record raw, and the
 * salt and wrapped key of both roles in the newest copy resealed. */
static void sweep_files_pins(tally *raw, tally *resealed)
{
	static const unsigned patterns[2] = { 0x01, 0xa5 };
	snap s;
	unsigned char buf[T_RECORD_LEN];
	char why[512], what[512];
	int copy, newest, idx[2], k, out, role;
	size_t pos;

	snap_take(&s);
	idx[0] = snap_find(&s, "token.a");
	idx[1] = snap_find(&s, "token.b");
	for (copy = 0; copy < 2; copy++)
		assert_int_equal(s.len[idx[copy]], T_RECORD_LEN);
	newest = le(s.data[idx[1]] + 8, 8) > le(s.data[idx[0]] + 8, 8);
	for (copy = 0; copy < 2; copy++) {
		const unsigned char *orig = s.data[idx[copy]];

		snprintf(what, sizeof(what), "%s token record (%s), raw", s.name[idx[copy]],
			 copy == newest ? "newest" : "older");
		for (pos = 0; pos < T_RECORD_LEN; pos++) {
			for (k = 0; k < 2; k++) {
				if (k == 1 && pos % 3 != 0)
					continue;
				snap_restore(&s);
				memcpy(buf, orig, T_RECORD_LEN);
				buf[pos] ^= (unsigned char)patterns[k];
				put_file(s.name[idx[copy]], buf, T_RECORD_LEN);
				out = check_key(CKU_USER, why, sizeof(why));
				/* A copy that fails its CRC is corruption
				 * (files.c), newest or not. */
				if (out != OUT_TOKEN && out != OUT_BAD) {
					snprintf(why + strlen(why), sizeof(why) - strlen(why),
						 " (%s, expected C_GetTokenInfo DEVICE_ERROR)",
						 out_names[out]);
					out = OUT_BAD;
				}
				tally_add(raw, out, what, pos, patterns[k], why);
			}
		}
	}
	for (role = 0; role < 2; role++) {
		const unsigned char *orig = s.data[idx[newest]];

		snprintf(what, sizeof(what), "%s PIN (salt|wrapped) in %s, resealed",
			 role ? "user" : "SO", s.name[idx[newest]]);
		for (pos = (size_t)T_SALT(role); pos < (size_t)T_WRAPPED(role) + 60; pos++) {
			if (pos >= (size_t)T_SALT(role) + 16 && pos < (size_t)T_WRAPPED(role))
				continue; /* the iteration count: not a secret's bytes */
			for (k = 0; k < 2; k++) {
				if (k == 1 && pos % 3 != 0)
					continue;
				snap_restore(&s);
				memcpy(buf, orig, T_RECORD_LEN);
				buf[pos] ^= (unsigned char)patterns[k];
				reseal_files(buf, T_RECORD_LEN);
				put_file(s.name[idx[newest]], buf, T_RECORD_LEN);
				out = check_key(role ? CKU_USER : CKU_SO, why, sizeof(why));
				if (out != OUT_PIN && out != OUT_BAD) {
					snprintf(why + strlen(why), sizeof(why) - strlen(why),
						 " (%s, expected CKR_PIN_INCORRECT)",
						 out_names[out]);
					out = OUT_BAD;
				}
				tally_add(resealed, out, what, pos, patterns[k], why);
			}
		}
	}
	snap_restore(&s);
	snap_free(&s);
}

static void test_tamper_pin(void **state)
{
	tally raw, resealed;
	char why[512];

	(void)state;
	memset(&raw, 0, sizeof(raw));
	memset(&resealed, 0, sizeof(resealed));
	make_key();
	t_mark = now_s();
	if (h_store_files())
		sweep_files_pins(&raw, &resealed);
	else
		sweep_sqlite_pins(&raw, &resealed);
	if (h_store_files()) {
		tally_print(&raw, "token record, raw");
		tally_print(&resealed, "PIN records, resealed");
	} else {
		tally_print(&raw, "PIN rows, raw");
		tally_print(&resealed, "PIN rows, resealed");
	}
	/* Put back: both PINs log in, the key is whole. */
	assert_int_equal(check_key(CKU_SO, why, sizeof(why)), OUT_SAME);
	assert_int_equal(check_key(CKU_USER, why, sizeof(why)), OUT_SAME);
	if (raw.first_bad[0] != '\0' || resealed.first_bad[0] != '\0')
		fail_msg("tampered PIN record: %s%s", raw.first_bad, resealed.first_bad);
	h_initialize();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tamper_object, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_tamper_pin, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
