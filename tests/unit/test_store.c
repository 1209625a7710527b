/*
 * Unit tests of the SQLite store (src/store/sqlite.c). Each test works on its
 * own files in a scratch directory made by the group setup. SQLite's
 * allocator and VFS are wrapped (before SQLite initializes) so the tests can
 * make SQLite itself run out of memory or fail a write.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"

static char scratch[PATH_MAX];
static unsigned path_seq;

/* A fresh path in the scratch directory: nothing exists there yet. */
static void new_path(char *buf, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s-%u.db", scratch, name, path_seq++);

	assert_true(n > 0 && n < PATH_MAX);
}

static int exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

/* ---- SQLite fault injection ---- */

static sqlite3_mem_methods sqlite_mem;
static unsigned long sqlite_countdown; /* as port_alloc_fail_after */

static int sqlite_should_fail(void)
{
	if (sqlite_countdown == 0)
		return 0;
	if (sqlite_countdown == 1)
		return 1;
	sqlite_countdown--;
	return 0;
}

static void *failing_malloc(int n)
{
	return sqlite_should_fail() ? NULL : sqlite_mem.xMalloc(n);
}

static void *failing_realloc(void *p, int n)
{
	return sqlite_should_fail() ? NULL : sqlite_mem.xRealloc(p, n);
}

/* The VFS shim swaps the methods of every file the default VFS opens for a
 * copy whose xWrite returns io_fail_rc while it is set. The database and its
 * WAL have different method tables, hence one copy per table. */
#define SHIM_MAX 8
static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;
static const sqlite3_io_methods *real_io[SHIM_MAX];
static sqlite3_io_methods shim_io[SHIM_MAX];
static int io_fail_rc;

static int shim_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	const sqlite3_io_methods *real = real_io[f->pMethods - shim_io];

	if (io_fail_rc != SQLITE_OK)
		return io_fail_rc;
	return real->xWrite(f, p, n, off);
}

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	int rc = real_vfs->xOpen(real_vfs, name, f, flags, out);
	size_t i;

	(void)vfs;
	if (rc != SQLITE_OK || f->pMethods == NULL)
		return rc;
	for (i = 0; i < SHIM_MAX && real_io[i] != NULL && real_io[i] != f->pMethods; i++)
		;
	if (i == SHIM_MAX)
		abort();
	if (real_io[i] == NULL) {
		real_io[i] = f->pMethods;
		shim_io[i] = *f->pMethods;
		shim_io[i].xWrite = shim_write;
	}
	f->pMethods = &shim_io[i];
	return rc;
}

static void sqlite_faults_install(void)
{
	sqlite3_mem_methods m;

	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem) != SQLITE_OK)
		abort();
	m = sqlite_mem;
	m.xMalloc = failing_malloc;
	m.xRealloc = failing_realloc;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK)
		abort();
	real_vfs = sqlite3_vfs_find(NULL);
	if (real_vfs == NULL)
		abort();
	shim_vfs = *real_vfs;
	shim_vfs.zName = "iotoken-test-shim";
	shim_vfs.xOpen = shim_open;
	if (sqlite3_vfs_register(&shim_vfs, 1) != SQLITE_OK)
		abort();
}

/* ---- helpers ---- */

static void make_token(store_token *t, unsigned seed)
{
	char text[64];
	int role;
	size_t i;

	memset(t, 0, sizeof *t);
	memset(t->label, ' ', sizeof t->label);
	snprintf(text, sizeof text, "token %u", seed);
	memcpy(t->label, text, strlen(text));
	memset(t->serial, ' ', sizeof t->serial);
	snprintf(text, sizeof text, "SN%08u", seed % 100000000);
	memcpy(t->serial, text, strlen(text));
	for (role = 0; role < STORE_ROLES; role++) {
		store_pin *p = &t->pin[role];

		p->set = role == STORE_ROLE_SO || (seed & 1);
		for (i = 0; i < sizeof p->salt; i++)
			p->salt[i] = (uint8_t)(seed * 7 + role * 31 + i);
		for (i = 0; i < sizeof p->wrapped; i++)
			p->wrapped[i] = (uint8_t)(seed + role * 3 + i * 5);
		p->iterations = 600000 + seed + (uint32_t)role;
		p->failures = seed % 10 + (uint32_t)role * 2;
	}
	t->pin[STORE_ROLE_USER].iterations = UINT32_MAX; /* full range survives */
}

static void assert_pin_equal(const store_pin *a, const store_pin *b)
{
	assert_int_equal(a->set, b->set);
	assert_memory_equal(a->salt, b->salt, sizeof a->salt);
	assert_int_equal(a->iterations, b->iterations);
	assert_memory_equal(a->wrapped, b->wrapped, sizeof a->wrapped);
	assert_int_equal(a->failures, b->failures);
}

static void assert_token_equal(const store_token *a, const store_token *b)
{
	int role;

	assert_memory_equal(a->label, b->label, sizeof a->label);
	assert_memory_equal(a->serial, b->serial, sizeof a->serial);
	for (role = 0; role < STORE_ROLES; role++)
		assert_pin_equal(&a->pin[role], &b->pin[role]);
}

static void assert_token_is(store *s, const store_token *want)
{
	store_token got;

	assert_int_equal(store_token_load(s, &got), CKR_OK);
	assert_token_equal(&got, want);
}

static uint64_t checksum(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	while (n-- > 0)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

#define SEEN_MAX 64

struct seen {
	size_t n;
	uint64_t id[SEEN_MAX];
	size_t len[SEEN_MAX];
	uint64_t sum[SEEN_MAX];
	size_t fail_at; /* 1-based call that returns fail_rv; 0: none */
	CK_RV fail_rv;
};

static CK_RV collect(void *ctx, uint64_t id, const uint8_t *data, size_t len)
{
	struct seen *w = ctx;

	assert_non_null(data);
	if (w->n < SEEN_MAX) {
		w->id[w->n] = id;
		w->len[w->n] = len;
		w->sum[w->n] = checksum(data, len);
	}
	w->n++;
	return w->n == w->fail_at ? w->fail_rv : CKR_OK;
}

static void load_all(store *s, struct seen *w)
{
	memset(w, 0, sizeof *w);
	assert_int_equal(store_objects_load(s, collect, w), CKR_OK);
}

static void put_str(store *s, uint64_t id, const char *str)
{
	assert_int_equal(store_object_put(s, id, (const uint8_t *)str, strlen(str)), CKR_OK);
}

static void assert_seen(const struct seen *w, size_t i, uint64_t id, const char *str)
{
	assert_true(i < w->n);
	assert_true(w->id[i] == id);
	assert_int_equal(w->len[i], strlen(str));
	assert_true(w->sum[i] == checksum((const uint8_t *)str, strlen(str)));
}

static store *create_store(const char *path, unsigned seed)
{
	store_token t;
	store *s = NULL;

	make_token(&t, seed);
	assert_int_equal(store_open(path, 1, &t, &s), CKR_OK);
	assert_non_null(s);
	return s;
}

static store *open_store(const char *path)
{
	store *s = NULL;

	assert_int_equal(store_open(path, 0, NULL, &s), CKR_OK);
	assert_non_null(s);
	return s;
}

static void expect_open_fails(const char *path, int create, CK_RV want)
{
	store_token t;
	store *s = (store *)&t; /* must be reset to NULL */

	make_token(&t, 1);
	assert_int_equal(store_open(path, create, &t, &s), want);
	assert_null(s);
}

/* Runs SQL on a file through the SQLite API, outside the store. */
static void sql_on_file(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(
		sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	if (n > 0)
		assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static size_t read_file(const char *path, void *p, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, p, cap);
	assert_true(n >= 0);
	assert_int_equal(close(fd), 0);
	return (size_t)n;
}

static void assert_mode_0600(const char *path)
{
	struct stat sb;

	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
}

/* ---- tests ---- */

static void test_create_then_reopen(void **state)
{
	char path[PATH_MAX];
	store_token t;
	struct seen w;
	store *s;

	(void)state;
	new_path(path, "reopen");
	make_token(&t, 7);
	s = create_store(path, 7);
	assert_token_is(s, &t);
	put_str(s, 3, "three");
	put_str(s, 1, "one");
	put_str(s, 2, "two");
	store_close(s);

	s = open_store(path);
	assert_token_is(s, &t);
	assert_int_equal(t.pin[STORE_ROLE_SO].failures, 7);
	load_all(s, &w);
	assert_int_equal(w.n, 3);
	assert_seen(&w, 0, 1, "one");
	assert_seen(&w, 1, 2, "two");
	assert_seen(&w, 2, 3, "three");
	store_close(s);
	store_close(NULL);
}

static void test_create_existing(void **state)
{
	char path[PATH_MAX], plain[PATH_MAX], buf[64];
	store_token t;
	store *s;

	(void)state;
	new_path(path, "exists");
	store_close(create_store(path, 3));
	expect_open_fails(path, 1, CKR_DEVICE_ERROR);
	/* The refused create left the existing store alone. */
	make_token(&t, 3);
	s = open_store(path);
	assert_token_is(s, &t);
	store_close(s);

	new_path(plain, "plain");
	write_file(plain, "not mine", 8);
	expect_open_fails(plain, 1, CKR_DEVICE_ERROR);
	assert_int_equal(read_file(plain, buf, sizeof buf), 8);
	assert_memory_equal(buf, "not mine", 8);
}

static void test_open_missing(void **state)
{
	char path[PATH_MAX], deep[PATH_MAX + 16];

	(void)state;
	new_path(path, "missing");
	expect_open_fails(path, 0, CKR_TOKEN_NOT_PRESENT);
	assert_false(exists(path));
	/* Create in a directory that does not exist. */
	snprintf(deep, sizeof deep, "%s/no/such.db", path);
	expect_open_fails(deep, 1, CKR_DEVICE_ERROR);
}

static void test_symlink_refused(void **state)
{
	char path[PATH_MAX], link[PATH_MAX], target[PATH_MAX], dangling[PATH_MAX];

	(void)state;
	new_path(path, "real");
	new_path(link, "link");
	store_close(create_store(path, 1));
	assert_int_equal(symlink(path, link), 0);
	expect_open_fails(link, 0, CKR_DEVICE_ERROR);
	expect_open_fails(link, 1, CKR_DEVICE_ERROR);

	new_path(target, "target");
	new_path(dangling, "dangling");
	assert_int_equal(symlink(target, dangling), 0);
	expect_open_fails(dangling, 1, CKR_DEVICE_ERROR);
	expect_open_fails(dangling, 0, CKR_DEVICE_ERROR);
	assert_false(exists(target));

	expect_open_fails(scratch, 0, CKR_DEVICE_ERROR); /* a directory */
}

static void test_file_mode(void **state)
{
	static const mode_t masks[] = { 0, 0277 };
	char path[PATH_MAX], side[PATH_MAX + 8];
	size_t i;
	store *s;

	(void)state;
	for (i = 0; i < sizeof masks / sizeof masks[0]; i++) {
		mode_t old = umask(masks[i]);

		new_path(path, "mode");
		s = create_store(path, 2);
		put_str(s, 1, "x"); /* the WAL and its index exist while open */
		umask(old);
		assert_mode_0600(path);
		snprintf(side, sizeof side, "%s-wal", path);
		assert_mode_0600(side);
		snprintf(side, sizeof side, "%s-shm", path);
		assert_mode_0600(side);
		store_close(s);
	}
}

static void test_foreign_files(void **state)
{
	char path[PATH_MAX];
	unsigned char hdr[100];

	(void)state;
	/* A valid SQLite database that is not ours: refused and untouched (it
	 * was not switched to WAL, whose header says 2 at offset 18). */
	new_path(path, "foreign");
	sql_on_file(path, "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
	expect_open_fails(path, 0, CKR_DEVICE_ERROR);
	assert_int_equal(read_file(path, hdr, sizeof hdr), sizeof hdr);
	assert_int_equal(hdr[18], 1);

	/* Ours, but a newer format. */
	new_path(path, "newer");
	store_close(create_store(path, 1));
	sql_on_file(path, "PRAGMA user_version = 3");
	expect_open_fails(path, 0, CKR_DEVICE_ERROR);

	/* Ours, but the older format without row checksums (refused: nothing
	 * before it was released). */
	new_path(path, "older");
	store_close(create_store(path, 1));
	sql_on_file(path, "PRAGMA user_version = 1");
	expect_open_fails(path, 0, CKR_DEVICE_ERROR);

	/* Our header without our schema. */
	new_path(path, "noschema");
	sql_on_file(path, "PRAGMA application_id = 1229935691; PRAGMA user_version = 2;"
			  "CREATE TABLE t(x);");
	expect_open_fails(path, 0, CKR_DEVICE_ERROR);

	new_path(path, "noobject");
	store_close(create_store(path, 1));
	sql_on_file(path, "DROP TABLE object");
	expect_open_fails(path, 0, CKR_DEVICE_ERROR);
}

static void test_garbage_file(void **state)
{
	char path[PATH_MAX];
	static uint8_t junk[8192], back[8192];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 131 + 17);
	new_path(path, "garbage");
	write_file(path, junk, sizeof junk);
	expect_open_fails(path, 0, CKR_DEVICE_ERROR);
	assert_int_equal(read_file(path, back, sizeof back), sizeof junk);
	assert_memory_equal(back, junk, sizeof junk);

	/* An empty file is an empty SQLite database, but not a token. */
	new_path(path, "empty");
	write_file(path, NULL, 0);
	expect_open_fails(path, 0, CKR_DEVICE_ERROR);
}

/* Overwrites one page of a closed store (page numbers from 1). */
static void smash_page(const char *path, long page)
{
	uint8_t hdr[100], junk[512];
	long size;
	int fd;

	assert_int_equal(read_file(path, hdr, sizeof hdr), sizeof hdr);
	size = hdr[16] << 8 | hdr[17];
	if (size == 1)
		size = 65536;
	memset(junk, 0xA5, sizeof junk);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	/* Page 1 starts with the 100-byte file header; keep that. */
	assert_int_equal(pwrite(fd, junk, sizeof junk, (page - 1) * size + (page == 1 ? 100 : 0)),
			 sizeof junk);
	assert_int_equal(close(fd), 0);
}

static void test_corrupt_pages(void **state)
{
	char path[PATH_MAX];
	struct seen w;
	store *s;
	long root = 0;
	sqlite3 *db;
	sqlite3_stmt *st;

	(void)state;
	new_path(path, "smash1");
	store_close(create_store(path, 1));
	smash_page(path, 1); /* the schema table */
	expect_open_fails(path, 0, CKR_DEVICE_ERROR);

	new_path(path, "smash2");
	s = create_store(path, 1);
	put_str(s, 1, "one");
	store_close(s);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(db, "SELECT rootpage FROM sqlite_schema WHERE name = 'object'",
				   -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	root = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	assert_true(root > 1);
	smash_page(path, root);
	s = open_store(path);
	memset(&w, 0, sizeof w);
	assert_int_equal(store_objects_load(s, collect, &w), CKR_DEVICE_ERROR);
	assert_int_equal(w.n, 0);
	store_close(s);
}

static void test_objects(void **state)
{
	char path[PATH_MAX];
	static uint8_t big[1 << 20];
	const uint64_t high = (1ULL << 63) + 5;
	struct seen w;
	size_t i;
	store *s;

	(void)state;
	new_path(path, "objects");
	s = create_store(path, 4);
	load_all(s, &w);
	assert_int_equal(w.n, 0);
	put_str(s, 30, "thirty");
	put_str(s, 10, "ten");
	put_str(s, 20, "twenty");
	put_str(s, 20, "twenty, replaced");
	put_str(s, 40, "");
	assert_int_equal(store_object_delete(s, 10), CKR_OK);
	assert_int_equal(store_object_delete(s, 99), CKR_OK); /* absent: fine */
	load_all(s, &w);
	assert_int_equal(w.n, 3);
	assert_seen(&w, 0, 20, "twenty, replaced");
	assert_seen(&w, 1, 30, "thirty");
	assert_seen(&w, 2, 40, "");
	assert_int_equal(store_object_put(s, 50, NULL, 0), CKR_OK);
	load_all(s, &w);
	assert_int_equal(w.n, 4);
	assert_seen(&w, 3, 50, "");
	store_close(s);

	/* The ids keep all 64 bits; a megabyte record round-trips. */
	new_path(path, "objects-big");
	s = create_store(path, 4);
	for (i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i ^ (i >> 11));
	assert_int_equal(store_object_put(s, high, big, sizeof big), CKR_OK);
	store_close(s);
	s = open_store(path);
	load_all(s, &w);
	assert_int_equal(w.n, 1);
	assert_true(w.id[0] == high);
	assert_int_equal(w.len[0], sizeof big);
	assert_true(w.sum[0] == checksum(big, sizeof big));
	store_close(s);
}

static void test_callback_error(void **state)
{
	char path[PATH_MAX];
	struct seen w;
	store *s;

	(void)state;
	new_path(path, "callback");
	s = create_store(path, 5);
	put_str(s, 1, "a");
	put_str(s, 2, "b");
	put_str(s, 3, "c");
	memset(&w, 0, sizeof w);
	w.fail_at = 2;
	w.fail_rv = CKR_FUNCTION_FAILED;
	assert_int_equal(store_objects_load(s, collect, &w), CKR_FUNCTION_FAILED);
	assert_int_equal(w.n, 2);
	/* The read transaction ended: a write and a full load work. */
	put_str(s, 4, "d");
	load_all(s, &w);
	assert_int_equal(w.n, 4);
	store_close(s);
}

static void test_changed(void **state)
{
	char path[PATH_MAX];
	store_token t;
	struct seen w;
	store *a, *b;
	int changed = -1;

	(void)state;
	new_path(path, "changed");
	a = create_store(path, 6);
	b = open_store(path);
	assert_int_equal(store_changed(a, &changed), CKR_OK);
	assert_int_equal(changed, 0);
	put_str(a, 1, "by a");
	assert_int_equal(store_changed(a, &changed), CKR_OK);
	assert_int_equal(changed, 0);

	/* b sees a's commit, once. */
	assert_int_equal(store_changed(b, &changed), CKR_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(store_changed(b, &changed), CKR_OK);
	assert_int_equal(changed, 0);
	load_all(b, &w);
	assert_int_equal(w.n, 1);

	make_token(&t, 60);
	assert_int_equal(store_token_save(b, &t), CKR_OK);
	assert_int_equal(store_changed(b, &changed), CKR_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(store_changed(a, &changed), CKR_OK);
	assert_int_equal(changed, 1);
	assert_token_is(a, &t);
	assert_int_equal(store_changed(a, &changed), CKR_OK);
	assert_int_equal(changed, 0);
	store_close(b);
	store_close(a);
}

static void test_reset(void **state)
{
	char path[PATH_MAX];
	store_token t;
	struct seen w;
	store *s;

	(void)state;
	new_path(path, "reset");
	s = create_store(path, 8);
	put_str(s, 1, "one");
	put_str(s, 2, "two");
	make_token(&t, 9);
	assert_int_equal(store_reset(s, &t), CKR_OK);
	load_all(s, &w);
	assert_int_equal(w.n, 0);
	assert_token_is(s, &t);
	store_close(s);
	s = open_store(path);
	load_all(s, &w);
	assert_int_equal(w.n, 0);
	assert_token_is(s, &t);
	store_close(s);
}

static void test_token_and_pin_save(void **state)
{
	char path[PATH_MAX];
	store_token t, u;
	store_pin p;
	store *s;

	(void)state;
	new_path(path, "pins");
	s = create_store(path, 10);
	make_token(&t, 11);
	assert_int_equal(store_token_save(s, &t), CKR_OK);
	assert_token_is(s, &t);

	/* One role's record changes; the other role and the rest stay. */
	make_token(&u, 12);
	p = u.pin[STORE_ROLE_USER];
	p.failures = 9;
	assert_int_equal(store_pin_save(s, STORE_ROLE_USER, &p), CKR_OK);
	t.pin[STORE_ROLE_USER] = p;
	assert_token_is(s, &t);
	p = u.pin[STORE_ROLE_SO];
	p.set = 0;
	assert_int_equal(store_pin_save(s, STORE_ROLE_SO, &p), CKR_OK);
	t.pin[STORE_ROLE_SO] = p;
	store_close(s);
	s = open_store(path);
	assert_token_is(s, &t);
	assert_int_equal(store_pin_save(s, STORE_ROLES, &p), CKR_ARGUMENTS_BAD);
	assert_int_equal(store_pin_save(s, -1, &p), CKR_ARGUMENTS_BAD);
	assert_token_is(s, &t);
	store_close(s);
}

/* Rows that a bug or another program could leave: each one must make the
 * load fail, never yield a partial or zeroed record. */
static void test_bad_rows(void **state)
{
	static const char *const damage[] = {
		"UPDATE token SET label = x'00'",
		"UPDATE token SET label = label || x'00'",
		"UPDATE token SET serial = zeroblob(15)",
		"UPDATE token SET label = CAST(label AS TEXT)",
		"UPDATE pin SET salt = zeroblob(15) WHERE role = 1",
		"UPDATE pin SET salt = zeroblob(17) WHERE role = 0",
		"UPDATE pin SET wrapped = zeroblob(59) WHERE role = 1",
		"UPDATE pin SET wrapped = zeroblob(61) WHERE role = 0",
		"UPDATE pin SET iterations = -1 WHERE role = 0",
		"UPDATE pin SET iterations = 4294967296 WHERE role = 1",
		"UPDATE pin SET iterations = 1.5 WHERE role = 0",
		"UPDATE pin SET failures = -1 WHERE role = 1",
		"UPDATE pin SET failures = 4294967296 WHERE role = 0",
		"UPDATE pin SET failures = 'x' WHERE role = 0",
		"UPDATE pin SET is_set = 2 WHERE role = 1",
		/* Well-formed but not what was written: the row checksum. */
		"UPDATE token SET label = zeroblob(32)",
		"UPDATE token SET serial = zeroblob(16)",
		"UPDATE pin SET failures = failures + 1 WHERE role = 1",
		"UPDATE pin SET failures = 0 WHERE role = 0",
		"UPDATE pin SET iterations = iterations + 1 WHERE role = 1",
		"UPDATE pin SET iterations = 4294967295 WHERE role = 0",
		"UPDATE pin SET is_set = 1 - is_set WHERE role = 0",
		"UPDATE pin SET salt = zeroblob(16) WHERE role = 1",
		"UPDATE pin SET wrapped = zeroblob(60) WHERE role = 0",
		"UPDATE pin SET checksum = zeroblob(16) WHERE role = 1",
		"UPDATE token SET checksum = zeroblob(16)",
		"UPDATE token SET checksum = x''",
		"DELETE FROM pin WHERE role = 1",
		"DELETE FROM pin WHERE role = 0",
		"DELETE FROM token",
	};
	char path[PATH_MAX];
	store_token t, out;
	size_t i;
	store *s;

	(void)state;
	for (i = 0; i < sizeof damage / sizeof damage[0]; i++) {
		new_path(path, "badrow");
		store_close(create_store(path, 13));
		sql_on_file(path, damage[i]);
		s = open_store(path);
		memset(&out, 0x5A, sizeof out);
		print_message("damage: %s\n", damage[i]);
		assert_int_equal(store_token_load(s, &out), CKR_DEVICE_ERROR);
		assert_int_equal(out.label[0], 0x5A); /* out untouched */
		/* A rewrite of the whole record repairs it. */
		make_token(&t, 14);
		assert_int_equal(store_token_save(s, &t), CKR_OK);
		assert_token_is(s, &t);
		store_close(s);
	}
}

static void test_bad_object_row(void **state)
{
	char path[PATH_MAX];
	struct seen w;
	store *s;

	(void)state;
	new_path(path, "badobject");
	s = create_store(path, 15);
	put_str(s, 1, "one");
	put_str(s, 2, "two");
	store_close(s);
	sql_on_file(path, "UPDATE object SET data = 'text' WHERE id = 2");
	s = open_store(path);
	memset(&w, 0, sizeof w);
	assert_int_equal(store_objects_load(s, collect, &w), CKR_DEVICE_ERROR);
	assert_int_equal(w.n, 1);
	put_str(s, 2, "two");
	load_all(s, &w);
	assert_int_equal(w.n, 2);
	store_close(s);
}

static void test_io_errors(void **state)
{
	char path[PATH_MAX];
	store_token t, u;
	struct seen w;
	store *s;

	(void)state;
	new_path(path, "io");
	make_token(&t, 16);
	s = create_store(path, 16);
	put_str(s, 1, "old");

	io_fail_rc = SQLITE_FULL;
	assert_int_equal(store_object_put(s, 1, (const uint8_t *)"new", 3), CKR_DEVICE_MEMORY);
	make_token(&u, 17);
	assert_int_equal(store_reset(s, &u), CKR_DEVICE_MEMORY);
	io_fail_rc = SQLITE_IOERR_WRITE;
	assert_int_equal(store_token_save(s, &u), CKR_DEVICE_ERROR);
	assert_int_equal(store_object_delete(s, 1), CKR_DEVICE_ERROR);
	io_fail_rc = SQLITE_OK;

	/* Nothing of the failed writes is visible, and the store still works. */
	load_all(s, &w);
	assert_int_equal(w.n, 1);
	assert_seen(&w, 0, 1, "old");
	assert_token_is(s, &t);
	put_str(s, 1, "new");
	store_close(s);
	s = open_store(path);
	assert_token_is(s, &t);
	load_all(s, &w);
	assert_seen(&w, 0, 1, "new");
	store_close(s);

	/* A create that cannot write leaves no file behind. */
	new_path(path, "io-create");
	io_fail_rc = SQLITE_FULL;
	expect_open_fails(path, 1, CKR_DEVICE_MEMORY);
	io_fail_rc = SQLITE_OK;
	assert_false(exists(path));
}

static int failure_ok(CK_RV rv)
{
	return rv == CKR_HOST_MEMORY || rv == CKR_DEVICE_ERROR;
}

static void assert_no_leftovers(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char name[PATH_MAX + 16];
	size_t i;

	for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(name, sizeof name, "%s%s", path, suffix[i]);
		assert_false(exists(name));
	}
}

static void test_port_alloc_failure(void **state)
{
	char path[PATH_MAX];
	store_token t;
	unsigned long n;
	store *s = NULL;
	CK_RV rv;

	(void)state;
	make_token(&t, 18);
	new_path(path, "portoom");
	for (n = 1;; n++) {
		port_alloc_fail_after(n);
		rv = store_open(path, 1, &t, &s);
		port_alloc_fail_after(0);
		if (rv == CKR_OK)
			break;
		assert_true(failure_ok(rv));
		assert_null(s);
		assert_no_leftovers(path);
		assert_true(n < 1000);
	}
	store_close(s);
	for (n = 1;; n++) {
		port_alloc_fail_after(n);
		rv = store_open(path, 0, NULL, &s);
		port_alloc_fail_after(0);
		if (rv == CKR_OK)
			break;
		assert_true(failure_ok(rv));
		assert_null(s);
		assert_true(n < 1000);
	}
	assert_token_is(s, &t);
	store_close(s);
}

/* Every operation, with SQLite's nth allocation failing, for n = 1, 2, ...
 * until it succeeds: it fails with a proper code, changes nothing when it
 * fails (all or nothing) and leaves the store usable. */
enum {
	OP_PUT,
	OP_DELETE,
	OP_TOKEN_SAVE,
	OP_PIN_SAVE,
	OP_RESET,
	OP_LOAD,
	OP_TOKEN_LOAD,
	OP_CHANGED
};

static CK_RV run_op(store *s, int op, const store_token *t)
{
	struct seen w;
	store_token out;
	int changed;

	switch (op) {
	case OP_PUT:
		return store_object_put(s, 2, (const uint8_t *)"two", 3);
	case OP_DELETE:
		return store_object_delete(s, 1);
	case OP_TOKEN_SAVE:
		return store_token_save(s, t);
	case OP_PIN_SAVE:
		return store_pin_save(s, STORE_ROLE_SO, &t->pin[STORE_ROLE_SO]);
	case OP_RESET:
		return store_reset(s, t);
	case OP_LOAD:
		memset(&w, 0, sizeof w);
		return store_objects_load(s, collect, &w);
	case OP_TOKEN_LOAD:
		return store_token_load(s, &out);
	default:
		return store_changed(s, &changed);
	}
}

static void test_sqlite_alloc_failure(void **state)
{
	char path[PATH_MAX];
	store_token t[2], before, cur;
	struct seen w_before, w;
	unsigned long n;
	store *s = NULL;
	CK_RV rv;
	int op;

	(void)state;
	make_token(&t[0], 20);
	make_token(&t[1], 21);
	new_path(path, "sqliteoom");
	for (n = 1;; n++) {
		sqlite_countdown = n;
		rv = store_open(path, 1, &t[0], &s);
		sqlite_countdown = 0;
		if (rv == CKR_OK)
			break;
		assert_true(failure_ok(rv));
		assert_no_leftovers(path);
		assert_true(n < 100000);
	}
	put_str(s, 1, "one");
	store_close(s);

	for (n = 1;; n++) {
		sqlite_countdown = n;
		rv = store_open(path, 0, NULL, &s);
		sqlite_countdown = 0;
		if (rv == CKR_OK)
			break;
		assert_true(failure_ok(rv));
		assert_true(n < 100000);
	}

	for (op = OP_PUT; op <= OP_CHANGED; op++) {
		assert_int_equal(store_token_load(s, &before), CKR_OK);
		load_all(s, &w_before);
		for (n = 1;; n++) {
			sqlite_countdown = n;
			/* Alternate the token written, so every write changes it. */
			rv = run_op(s, op, &t[(op & 1) ^ 1]);
			sqlite_countdown = 0;
			if (rv == CKR_OK)
				break;
			assert_true(failure_ok(rv));
			assert_true(n < 100000);
			assert_int_equal(store_token_load(s, &cur), CKR_OK);
			assert_token_equal(&cur, &before);
			load_all(s, &w);
			assert_int_equal(w.n, w_before.n);
			assert_memory_equal(w.id, w_before.id, sizeof w.id);
			assert_memory_equal(w.sum, w_before.sum, sizeof w.sum);
		}
	}
	load_all(s, &w);
	assert_int_equal(w.n, 0);
	store_close(s);
}

/* A failed assertion must not leave a fault armed for the next test. */
static int disarm(void **state)
{
	(void)state;
	io_fail_rc = SQLITE_OK;
	sqlite_countdown = 0;
	port_alloc_fail_after(0);
	return 0;
}

static int group_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (snprintf(scratch, sizeof scratch, "%s/iotoken-store-XXXXXX", tmp) >=
	    (int)sizeof scratch)
		return -1;
	return mkdtemp(scratch) == NULL ? -1 : 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_create_then_reopen, disarm),
		cmocka_unit_test_teardown(test_create_existing, disarm),
		cmocka_unit_test_teardown(test_open_missing, disarm),
		cmocka_unit_test_teardown(test_symlink_refused, disarm),
		cmocka_unit_test_teardown(test_file_mode, disarm),
		cmocka_unit_test_teardown(test_foreign_files, disarm),
		cmocka_unit_test_teardown(test_garbage_file, disarm),
		cmocka_unit_test_teardown(test_corrupt_pages, disarm),
		cmocka_unit_test_teardown(test_objects, disarm),
		cmocka_unit_test_teardown(test_callback_error, disarm),
		cmocka_unit_test_teardown(test_changed, disarm),
		cmocka_unit_test_teardown(test_reset, disarm),
		cmocka_unit_test_teardown(test_token_and_pin_save, disarm),
		cmocka_unit_test_teardown(test_bad_rows, disarm),
		cmocka_unit_test_teardown(test_bad_object_row, disarm),
		cmocka_unit_test_teardown(test_io_errors, disarm),
		cmocka_unit_test_teardown(test_port_alloc_failure, disarm),
		cmocka_unit_test_teardown(test_sqlite_alloc_failure, disarm),
	};

	sqlite_faults_install();
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
