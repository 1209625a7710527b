/*
 * The SQLite store (hosts): one database file per token. SQLite gives us
 * atomic, durable commits and multi-process locking; we add none of our own.
 * Every write function is one BEGIN IMMEDIATE ... COMMIT, every read one
 * read transaction, so a reader never sees half of another process's change.
 *
 * The connection is opened SQLITE_OPEN_NOMUTEX: the caller serializes all
 * calls on one store (the module lock). A store_objects_load callback must
 * not call back into the same store: its read transaction is still open.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crypto/crypto.h"
#include "store/backend.h"

#define APPLICATION_ID 1229935691 /* 0x494F544B, "IOTK" */
#define BUSY_TIMEOUT_MS 5000      /* other processes share the file */
#define PRAGMA_VALUE_MAX 24
/* The schema's version (PRAGMA user_version). 2: the token and pin rows
 * carry a checksum; a version 1 file is refused like any other. */
#define SCHEMA_VERSION 2
/* A row's checksum: SHA-256 of its values (row_check), first 16 bytes. */
#define ROW_CHECK_LEN 16
/* The page cache (KiB; PRAGMA cache_size). */
#define CACHE_KIB 256

#define STR_(x) #x
#define STR(x) STR_(x)

/* Written once, in the transaction that also writes the first token record.
 * The literals are APPLICATION_ID and SCHEMA_VERSION. Object rows hold codec
 * records (codec.h), which carry their own check; the token and pin rows a
 * checksum of their values (row_check): damage to a counter or an
 * iteration count is an error, not a value. */
_Static_assert(APPLICATION_ID == 0x494F544B && SCHEMA_VERSION == 2, "schema_sql");
static const char schema_sql[] =
	"PRAGMA application_id = 1229935691;"
	"PRAGMA user_version = 2;"
	"CREATE TABLE token(k INTEGER PRIMARY KEY CHECK (k = 1), label BLOB NOT NULL, "
	"serial BLOB NOT NULL, checksum BLOB NOT NULL);"
	"CREATE TABLE pin(role INTEGER PRIMARY KEY, is_set INTEGER NOT NULL, salt BLOB NOT NULL, "
	"iterations INTEGER NOT NULL, wrapped BLOB NOT NULL, failures INTEGER NOT NULL, "
	"checksum BLOB NOT NULL);"
	"CREATE TABLE object(id INTEGER PRIMARY KEY, data BLOB NOT NULL);";

/* Every statement is prepared once at open: a put or a load of 10,000 objects
 * must not parse SQL per row. BEGIN IMMEDIATE takes the write lock up front
 * (waiting up to the busy timeout), so a write never fails half way through
 * on a lock upgrade. */
#define STATEMENTS(X)                                                                              \
	X(BEGIN_READ, "BEGIN")                                                                     \
	X(BEGIN_WRITE, "BEGIN IMMEDIATE")                                                          \
	X(COMMIT, "COMMIT")                                                                        \
	X(ROLLBACK, "ROLLBACK")                                                                    \
	X(DATA_VERSION, "PRAGMA data_version")                                                     \
	X(TOKEN_GET, "SELECT label, serial, checksum FROM token WHERE k = 1")                      \
	X(TOKEN_PUT, "INSERT OR REPLACE INTO token(k, label, serial, checksum)"                    \
		     " VALUES (1, ?1, ?2, ?3)")                                                    \
	X(PIN_GET, "SELECT is_set, salt, iterations, wrapped, failures, checksum FROM pin"         \
		   " WHERE role = ?1")                                                             \
	X(PIN_PUT, "INSERT OR REPLACE INTO pin(role, is_set, salt, iterations, wrapped, failures," \
		   " checksum) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                               \
	X(OBJECT_ALL, "SELECT id, data FROM object ORDER BY id")                                   \
	X(OBJECT_PUT, "INSERT OR REPLACE INTO object(id, data) VALUES (?1, ?2)")                   \
	X(OBJECT_DELETE, "DELETE FROM object WHERE id = ?1")                                       \
	X(OBJECT_CLEAR, "DELETE FROM object")

#define ST_NAME(name, sql) ST_##name,
#define ST_SQL(name, sql) sql,
enum { STATEMENTS(ST_NAME) ST_COUNT };
static const char *const statement_sql[ST_COUNT] = { STATEMENTS(ST_SQL) };

typedef struct sql_store {
	store base;
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	sqlite3_int64 data_version; /* as seen at open or the last store_changed */
} sql_store;

/* Called with an SQLite error code only. CORRUPT, NOTADB, IOERR, BUSY (after
 * the timeout), CONSTRAINT, READONLY, ...: the device failed us. */
static CK_RV rv_from(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return CKR_HOST_MEMORY;
	case SQLITE_FULL:
		return CKR_DEVICE_MEMORY;
	default:
		return CKR_DEVICE_ERROR;
	}
}

/* Readies a statement for reuse. Clearing the bindings matters: blobs are
 * bound SQLITE_STATIC, so a statement must not keep the caller's pointers. */
static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Steps a statement, unless binding its parameters failed (bind_rc), and
 * checks that it answered want: SQLITE_DONE, or SQLITE_ROW where the schema
 * promises a row (token, pin), whose absence is corruption, never an empty
 * result. The statement is reset unless a row is left to read. */
static CK_RV step(sqlite3_stmt *st, int bind_rc, int want)
{
	int rc = bind_rc == SQLITE_OK ? sqlite3_step(st) : bind_rc;

	if (rc == SQLITE_ROW && want == SQLITE_ROW)
		return CKR_OK;
	done(st);
	if (rc == want)
		return CKR_OK;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CKR_DEVICE_ERROR : rv_from(rc);
}

static CK_RV run(sqlite3_stmt *st, int bind_rc)
{
	return step(st, bind_rc, SQLITE_DONE);
}

/* A zero-length record is bound as an empty BLOB: a NULL pointer would bind
 * SQL NULL, which the NOT NULL column rejects. */
static int bind_blob(sqlite3_stmt *st, int i, const void *p, size_t n)
{
	if (n == 0)
		return sqlite3_bind_zeroblob(st, i, 0);
	return sqlite3_bind_blob64(st, i, p, n, SQLITE_STATIC);
}

/* Copies a BLOB column that must be exactly len bytes long. */
static CK_RV column_fixed(sqlite3_stmt *st, int col, uint8_t *dst, size_t len)
{
	const void *p;

	if (sqlite3_column_type(st, col) != SQLITE_BLOB)
		return CKR_DEVICE_ERROR;
	p = sqlite3_column_blob(st, col);
	if ((size_t)sqlite3_column_bytes(st, col) != len)
		return CKR_DEVICE_ERROR;
	if (p == NULL)
		return CKR_HOST_MEMORY;
	memcpy(dst, p, len);
	return CKR_OK;
}

static CK_RV column_u32(sqlite3_stmt *st, int col, uint32_t max, uint32_t *out)
{
	sqlite3_int64 v;

	if (sqlite3_column_type(st, col) != SQLITE_INTEGER)
		return CKR_DEVICE_ERROR;
	v = sqlite3_column_int64(st, col);
	if (v < 0 || v > max)
		return CKR_DEVICE_ERROR;
	*out = (uint32_t)v;
	return CKR_OK;
}

static CK_RV begin(sql_store *s, int write)
{
	return run(s->st[write ? ST_BEGIN_WRITE : ST_BEGIN_READ], SQLITE_OK);
}

/* Ends the transaction begin() opened: commits when rv is CKR_OK, else rolls
 * back. Returns the first error. */
static CK_RV end(sql_store *s, CK_RV rv)
{
	if (rv == CKR_OK)
		rv = run(s->st[ST_COMMIT], SQLITE_OK);
	/* A failed COMMIT can leave the transaction open (SQLITE_BUSY), while
	 * SQLITE_FULL or SQLITE_IOERR may already have rolled it back. */
	if (rv != CKR_OK && !sqlite3_get_autocommit(s->db)) {
		sqlite3_step(s->st[ST_ROLLBACK]);
		done(s->st[ST_ROLLBACK]);
	}
	return rv;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The checksum of the token row: SHA-256("IOTK token" | label | serial). */
static CK_RV token_check(const store_token *t, uint8_t out[ROW_CHECK_LEN])
{
	uint8_t buf[10 + sizeof t->label + sizeof t->serial], digest[CRYPTO_SHA256_LEN];
	CK_RV rv;

	memcpy(buf, "IOTK token", 10);
	memcpy(buf + 10, t->label, sizeof t->label);
	memcpy(buf + 10 + sizeof t->label, t->serial, sizeof t->serial);
	rv = crypto_sha256(buf, sizeof buf, digest);
	if (rv == CKR_OK)
		memcpy(out, digest, ROW_CHECK_LEN);
	return rv;
}

/* The checksum of a pin row: SHA-256("IOTK pin" | role u8 | is_set u8 |
 * salt | iterations u32 | wrapped | failures u32), little-endian. */
static CK_RV pin_check(int role, const store_pin *p, uint8_t out[ROW_CHECK_LEN])
{
	uint8_t buf[8 + 2 + STORE_SALT_LEN + 4 + STORE_WRAPPED_LEN + 4];
	uint8_t digest[CRYPTO_SHA256_LEN], *q = buf;
	CK_RV rv;

	memcpy(q, "IOTK pin", 8);
	q[8] = (uint8_t)role;
	q[9] = p->set != 0;
	q += 10;
	memcpy(q, p->salt, STORE_SALT_LEN);
	q += STORE_SALT_LEN;
	put_le32(q, p->iterations);
	q += 4;
	memcpy(q, p->wrapped, STORE_WRAPPED_LEN);
	q += STORE_WRAPPED_LEN;
	put_le32(q, p->failures);
	rv = crypto_sha256(buf, sizeof buf, digest);
	if (rv == CKR_OK)
		memcpy(out, digest, ROW_CHECK_LEN);
	return rv;
}

/* Compares a row's stored checksum with want. */
static CK_RV column_check(sqlite3_stmt *st, int col, const uint8_t want[ROW_CHECK_LEN])
{
	uint8_t got[ROW_CHECK_LEN];
	CK_RV rv = column_fixed(st, col, got, sizeof got);

	if (rv == CKR_OK && !port_ct_equal(got, want, ROW_CHECK_LEN))
		rv = CKR_DEVICE_ERROR;
	return rv;
}

static CK_RV write_pin(sql_store *s, int role, const store_pin *p)
{
	sqlite3_stmt *st = s->st[ST_PIN_PUT];
	uint8_t check[ROW_CHECK_LEN];
	CK_RV rv;
	int rc;

	rv = pin_check(role, p, check);
	if (rv != CKR_OK)
		return rv;
	rc = sqlite3_bind_int(st, 1, role);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 2, p->set != 0);
	if (rc == SQLITE_OK)
		rc = bind_blob(st, 3, p->salt, sizeof p->salt);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 4, p->iterations);
	if (rc == SQLITE_OK)
		rc = bind_blob(st, 5, p->wrapped, sizeof p->wrapped);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 6, p->failures);
	if (rc == SQLITE_OK)
		rc = bind_blob(st, 7, check, sizeof check);
	return run(st, rc);
}

/* Writes the whole token record; the caller holds a write transaction. */
static CK_RV write_token(sql_store *s, const store_token *t)
{
	sqlite3_stmt *st = s->st[ST_TOKEN_PUT];
	uint8_t check[ROW_CHECK_LEN];
	CK_RV rv;
	int rc, role;

	rv = token_check(t, check);
	if (rv != CKR_OK)
		return rv;
	rc = bind_blob(st, 1, t->label, sizeof t->label);
	if (rc == SQLITE_OK)
		rc = bind_blob(st, 2, t->serial, sizeof t->serial);
	if (rc == SQLITE_OK)
		rc = bind_blob(st, 3, check, sizeof check);
	rv = run(st, rc);
	for (role = 0; rv == CKR_OK && role < STORE_ROLES; role++)
		rv = write_pin(s, role, &t->pin[role]);
	return rv;
}

static CK_RV read_pin(sql_store *s, int role, store_pin *p)
{
	sqlite3_stmt *st = s->st[ST_PIN_GET];
	uint8_t check[ROW_CHECK_LEN];
	uint32_t set = 0;
	CK_RV rv;

	rv = step(st, sqlite3_bind_int(st, 1, role), SQLITE_ROW);
	if (rv != CKR_OK)
		return rv;
	rv = column_u32(st, 0, 1, &set);
	if (rv == CKR_OK)
		rv = column_fixed(st, 1, p->salt, sizeof p->salt);
	if (rv == CKR_OK)
		rv = column_u32(st, 2, UINT32_MAX, &p->iterations);
	if (rv == CKR_OK)
		rv = column_fixed(st, 3, p->wrapped, sizeof p->wrapped);
	if (rv == CKR_OK)
		rv = column_u32(st, 4, UINT32_MAX, &p->failures);
	p->set = (uint8_t)set;
	if (rv == CKR_OK)
		rv = pin_check(role, p, check);
	if (rv == CKR_OK)
		rv = column_check(st, 5, check);
	done(st);
	return rv;
}

static CK_RV exec(sqlite3 *db, const char *sql)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? CKR_OK : rv_from(rc);
}

/* sqlite3_exec callback: keeps the first value of the answer, as text. */
static int keep_value(void *arg, int n, char **value, char **name)
{
	(void)name;
	snprintf(arg, PRAGMA_VALUE_MAX, "%s", n > 0 && value[0] != NULL ? value[0] : "");
	return 0;
}

/* Runs a PRAGMA (at open only, so not prepared) that must answer want. */
static CK_RV pragma_is(sqlite3 *db, const char *sql, const char *want)
{
	char got[PRAGMA_VALUE_MAX] = "";
	int rc = sqlite3_exec(db, sql, keep_value, got, NULL);

	if (rc != SQLITE_OK)
		return rv_from(rc);
	return strcmp(got, want) == 0 ? CKR_OK : CKR_DEVICE_ERROR;
}

static CK_RV data_version(sql_store *s, sqlite3_int64 *v)
{
	sqlite3_stmt *st = s->st[ST_DATA_VERSION];
	CK_RV rv = step(st, SQLITE_OK, SQLITE_ROW);

	if (rv == CKR_OK) {
		*v = sqlite3_column_int64(st, 0);
		done(st);
	}
	return rv;
}

/* Undoes a failed create, with any WAL, shared-memory or journal file SQLite
 * left beside it, so that a retry starts from nothing. */
static void remove_created(const char *path)
{
	static const char *const suffix[] = { "-wal", "-shm", "-journal", "" };
	char name[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		int n = snprintf(name, sizeof name, "%s%s", path, suffix[i]);

		if (n > 0 && (size_t)n < sizeof name)
			unlink(name);
	}
}

static void sql_close(store *base);
static CK_RV sql_token_load(store *base, store_token *out);
static CK_RV sql_token_save(store *base, const store_token *t);
static CK_RV sql_pin_save(store *base, int role, const store_pin *p);
static CK_RV sql_pin_attempt(store *base, int role, store_pin *out);
static CK_RV sql_reset(store *base, const store_token *t);
static CK_RV sql_object_put(store *base, uint64_t id, const uint8_t *data, size_t len);
static CK_RV sql_object_delete(store *base, uint64_t id);
static CK_RV sql_objects_load(store *base, store_object_fn fn, void *ctx);
static CK_RV sql_changed(store *base, int *changed);

static const store_ops sql_ops = {
	sql_close, sql_token_load, sql_token_save,    sql_pin_save,     sql_pin_attempt,
	sql_reset, sql_object_put, sql_object_delete, sql_objects_load, sql_changed,
};

CK_RV store_sqlite_open(const char *path, int create, const store_token *t, store **out)
{
	struct stat sb;
	sql_store *s = NULL;
	int created = 0, fd, i, rc;
	CK_RV rv;

	*out = NULL;
	if (create && t == NULL)
		return CKR_ARGUMENTS_BAD;
	/* A symlink is refused: the token would live wherever the link points.
	 * SQLITE_OPEN_NOFOLLOW below closes the race after this check. */
	if (lstat(path, &sb) == 0) {
		if (create || !S_ISREG(sb.st_mode))
			return CKR_DEVICE_ERROR;
	} else if (errno != ENOENT) {
		return CKR_DEVICE_ERROR;
	} else if (!create) {
		return CKR_TOKEN_NOT_PRESENT;
	}

	s = port_calloc(1, sizeof *s);
	if (s == NULL)
		return CKR_HOST_MEMORY;
	s->base.ops = &sql_ops;
	if (create) {
		/* SQLite would create the file with the umask's mode; we create
		 * it ourselves so it is ours alone (O_EXCL) and exactly 0600. */
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			rv = CKR_DEVICE_ERROR;
			goto out;
		}
		created = 1;
		rc = fchmod(fd, 0600);
		close(fd);
		if (rc != 0) {
			rv = CKR_DEVICE_ERROR;
			goto out;
		}
	}

	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
			     NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	if (rc != SQLITE_OK) {
		rv = rv_from(rc);
		goto out;
	}
	/* The header is read before anything writes: a foreign or newer file
	 * is refused untouched (journal_mode = WAL would rewrite its header). */
	rv = CKR_OK;
	if (!create)
		rv = pragma_is(s->db, "PRAGMA application_id", STR(APPLICATION_ID));
	if (!create && rv == CKR_OK)
		rv = pragma_is(s->db, "PRAGMA user_version", STR(SCHEMA_VERSION));
	/* A small page cache: every object is in memory above the store, so
	 * SQLite reads pages for a load (a scan that touches each page once)
	 * and a write (a few interior pages and a leaf). Its default 2 MB cache
	 * only cost a token load 2 MB of fresh pages. */
	if (rv == CKR_OK)
		rv = exec(s->db, "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; "
				 "PRAGMA cache_size = -" STR(CACHE_KIB));
	/* journal_mode answers the mode in force, which is not WAL when the
	 * file system cannot give WAL its shared memory. */
	if (rv == CKR_OK)
		rv = pragma_is(s->db, "PRAGMA journal_mode = WAL", "wal");
	/* The schema must exist before the statements can be prepared; on
	 * create it is still uncommitted, in the transaction end() commits. */
	if (rv == CKR_OK && create)
		rv = exec(s->db, "BEGIN IMMEDIATE");
	if (rv == CKR_OK && create)
		rv = exec(s->db, schema_sql);
	for (i = 0; rv == CKR_OK && i < ST_COUNT; i++) {
		/* A store without our tables fails here, as a foreign file. */
		rc = sqlite3_prepare_v3(s->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&s->st[i], NULL);
		if (rc != SQLITE_OK)
			rv = rv_from(rc);
	}
	if (rv == CKR_OK && create)
		rv = end(s, write_token(s, t));
	if (rv == CKR_OK)
		rv = data_version(s, &s->data_version);

out:
	if (rv != CKR_OK) {
		sql_close(&s->base);
		if (created)
			remove_created(path);
		return rv;
	}
	*out = &s->base;
	return CKR_OK;
}

static void sql_close(store *base)
{
	sql_store *s = (sql_store *)base;
	int i;

	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	/* Every statement is finalized, so this cannot fail with SQLITE_BUSY;
	 * any transaction a failed open left behind is rolled back. */
	sqlite3_close(s->db);
	port_wipe(s, sizeof *s);
	port_free(s);
}

static CK_RV sql_token_load(store *base, store_token *out)
{
	sql_store *s = (sql_store *)base;
	sqlite3_stmt *st = s->st[ST_TOKEN_GET];
	uint8_t check[ROW_CHECK_LEN];
	store_token t;
	CK_RV rv;
	int role;

	memset(&t, 0, sizeof t); /* no stray bytes, padding included, reach out */
	rv = begin(s, 0);
	if (rv != CKR_OK)
		return rv;
	rv = step(st, SQLITE_OK, SQLITE_ROW);
	if (rv == CKR_OK) {
		rv = column_fixed(st, 0, t.label, sizeof t.label);
		if (rv == CKR_OK)
			rv = column_fixed(st, 1, t.serial, sizeof t.serial);
		if (rv == CKR_OK)
			rv = token_check(&t, check);
		if (rv == CKR_OK)
			rv = column_check(st, 2, check);
		done(st);
	}
	for (role = 0; rv == CKR_OK && role < STORE_ROLES; role++)
		rv = read_pin(s, role, &t.pin[role]);
	rv = end(s, rv);
	/* out is written whole or not at all. */
	if (rv == CKR_OK)
		memcpy(out, &t, sizeof t);
	port_wipe(&t, sizeof t);
	return rv;
}

static CK_RV sql_token_save(store *base, const store_token *t)
{
	sql_store *s = (sql_store *)base;
	CK_RV rv = begin(s, 1);

	return rv != CKR_OK ? rv : end(s, write_token(s, t));
}

static CK_RV sql_pin_save(store *base, int role, const store_pin *p)
{
	sql_store *s = (sql_store *)base;
	CK_RV rv;

	if (role < 0 || role >= STORE_ROLES)
		return CKR_ARGUMENTS_BAD;
	rv = begin(s, 1);
	return rv != CKR_OK ? rv : end(s, write_pin(s, role, p));
}

static CK_RV sql_pin_attempt(store *base, int role, store_pin *out)
{
	sql_store *s = (sql_store *)base;
	store_pin p;
	CK_RV rv;

	if (role < 0 || role >= STORE_ROLES)
		return CKR_ARGUMENTS_BAD;
	/* Read, count and write in one write transaction: two processes
	 * trying PINs at once cannot lose an attempt between them. */
	rv = begin(s, 1);
	if (rv != CKR_OK)
		return rv;
	rv = read_pin(s, role, &p);
	if (rv == CKR_OK && p.failures < UINT32_MAX)
		p.failures++;
	if (rv == CKR_OK)
		rv = write_pin(s, role, &p);
	rv = end(s, rv);
	if (rv == CKR_OK)
		*out = p;
	port_wipe(&p, sizeof p);
	return rv;
}

static CK_RV sql_reset(store *base, const store_token *t)
{
	sql_store *s = (sql_store *)base;
	CK_RV rv = begin(s, 1);

	if (rv != CKR_OK)
		return rv;
	rv = run(s->st[ST_OBJECT_CLEAR], SQLITE_OK);
	if (rv == CKR_OK)
		rv = write_token(s, t);
	return end(s, rv);
}

static CK_RV sql_object_put(store *base, uint64_t id, const uint8_t *data, size_t len)
{
	sql_store *s = (sql_store *)base;
	sqlite3_stmt *st = s->st[ST_OBJECT_PUT];
	CK_RV rv;
	int rc;

	rv = begin(s, 1);
	if (rv != CKR_OK)
		return rv;
	/* Ids are stored as the int64 with the same bits (two's complement). */
	rc = sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	if (rc == SQLITE_OK)
		rc = bind_blob(st, 2, data, len);
	return end(s, run(st, rc));
}

static CK_RV sql_object_delete(store *base, uint64_t id)
{
	sql_store *s = (sql_store *)base;
	sqlite3_stmt *st = s->st[ST_OBJECT_DELETE];
	CK_RV rv;

	rv = begin(s, 1);
	return rv != CKR_OK ? rv : end(s, run(st, sqlite3_bind_int64(st, 1, (sqlite3_int64)id)));
}

static CK_RV sql_objects_load(store *base, store_object_fn fn, void *ctx)
{
	sql_store *s = (sql_store *)base;
	static const uint8_t empty[1];
	sqlite3_stmt *st = s->st[ST_OBJECT_ALL];
	CK_RV rv;
	int rc = SQLITE_DONE;

	/* One read transaction: the whole load sees one snapshot even while
	 * another process commits. */
	rv = begin(s, 0);
	if (rv != CKR_OK)
		return rv;
	while (rv == CKR_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t id = (uint64_t)sqlite3_column_int64(st, 0);
		const uint8_t *data;
		int len;

		if (sqlite3_column_type(st, 1) != SQLITE_BLOB) {
			rv = CKR_DEVICE_ERROR;
			break;
		}
		data = sqlite3_column_blob(st, 1);
		len = sqlite3_column_bytes(st, 1);
		if (len == 0)
			data = empty; /* SQLite returns NULL for an empty BLOB */
		else if (data == NULL)
			rv = CKR_HOST_MEMORY;
		if (rv == CKR_OK)
			rv = fn(ctx, id, data, (size_t)len);
	}
	if (rv == CKR_OK && rc != SQLITE_DONE)
		rv = rv_from(rc);
	done(st);
	return end(s, rv);
}

static CK_RV sql_changed(store *base, int *changed)
{
	sql_store *s = (sql_store *)base;
	sqlite3_int64 v;
	CK_RV rv;

	/* data_version moves only when another connection commits; our own
	 * writes leave it alone. */
	rv = data_version(s, &v);
	if (rv != CKR_OK) {
		*changed = 1; /* unknown: the safe answer is to reload */
		return rv;
	}
	*changed = v != s->data_version;
	s->data_version = v;
	return CKR_OK;
}
