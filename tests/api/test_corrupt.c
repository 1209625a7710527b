/*
 * Damaged stores fail closed: a flipped byte in an object record, a token
 * database that is garbage, empty, a foreign SQLite file or a symlink, and a
 * store directory that is a symlink. On the files store (IOTOKEN_TEST_STORE=
 * files) the same damage is done to its files: the object file, both copies
 * of the token record, a foreign file in the token directory, the token
 * directory as a symlink. "Fails closed" means CKR_DEVICE_ERROR,
 * never a token that silently lost objects or came up empty.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "harness.h"

/* Calls fn for every regular file of the files store's token directory. */
static int each_file(const char *dir, void (*fn)(const char *path, const char *name, void *ctx),
		     void *ctx)
{
	char path[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		assert_true(snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) <
			    (int)sizeof(path));
		fn(path, e->d_name, ctx);
		n++;
	}
	closedir(d);
	return n;
}

static void flip_middle(const char *path)
{
	size_t len = 0;
	unsigned char *buf = h_slurp(path, &len);
	int fd;

	assert_non_null(buf);
	assert_true(len > 0);
	buf[len / 2] ^= 0x01;
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	free(buf);
}

/* Files store: the object files are o-<epoch>-<id>. */
static void flip_object_file(const char *path, const char *name, void *ctx)
{
	int *n = ctx;

	if (strncmp(name, "o-", 2) != 0)
		return;
	flip_middle(path);
	(*n)++;
}

/* Flips one byte in the middle of the data of the object row (or file). */
static void corrupt_object(CK_SLOT_ID slot)
{
	char db[PATH_MAX];
	sqlite3 *sql;
	sqlite3_stmt *sel, *upd;
	sqlite3_int64 id;
	unsigned char *data;
	int len;

	h_token_db(db, sizeof(db), slot);
	if (h_store_files()) {
		int n = 0;

		each_file(db, flip_object_file, &n);
		/* Exactly one object in the token. */
		assert_int_equal(n, 1);
		return;
	}
	assert_int_equal(sqlite3_open_v2(db, &sql, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(sql, "SELECT id, data FROM object", -1, &sel, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(sel), SQLITE_ROW);
	id = sqlite3_column_int64(sel, 0);
	len = sqlite3_column_bytes(sel, 1);
	assert_true(len > 0);
	data = malloc(len);
	assert_non_null(data);
	memcpy(data, sqlite3_column_blob(sel, 1), len);
	/* Exactly one object in the table. */
	assert_int_equal(sqlite3_step(sel), SQLITE_DONE);
	sqlite3_finalize(sel);
	data[len / 2] ^= 0x01;
	assert_int_equal(
		sqlite3_prepare_v2(sql, "UPDATE object SET data = ? WHERE id = ?", -1, &upd, NULL),
		SQLITE_OK);
	sqlite3_bind_blob(upd, 1, data, len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(upd, 2, id);
	assert_int_equal(sqlite3_step(upd), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(sql), 1);
	sqlite3_finalize(upd);
	assert_int_equal(sqlite3_close(sql), SQLITE_OK);
	free(data);
}

/* The token fails closed: C_GetTokenInfo or else C_OpenSession (or else, if
 * allowed, C_Login) returns CKR_DEVICE_ERROR. */
static void check_fails_closed(CK_SLOT_ID slot, int upto_login)
{
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	rv = p11->C_GetTokenInfo(slot, &ti);
	if (rv == CKR_DEVICE_ERROR)
		return;
	assert_rv(rv, CKR_OK);
	rv = p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s);
	if (rv == CKR_DEVICE_ERROR)
		return;
	if (!upto_login)
		fail_msg("corrupt token: C_OpenSession returned %s, expected CKR_DEVICE_ERROR",
			 h_rv_name(rv));
	assert_rv(rv, CKR_OK);
	rv = h_login_pin(s, CKU_USER, H_USER_PIN);
	if (rv != CKR_DEVICE_ERROR)
		fail_msg("corrupt private object: C_Login returned %s, expected CKR_DEVICE_ERROR",
			 h_rv_name(rv));
}

static void test_corrupt_object(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_SLOT_ID other;
	CK_TOKEN_INFO ti;

	(void)state;
	(void)h_data(s, "victim with a label long enough to hit", CK_TRUE, CK_FALSE);
	h_finalize();
	corrupt_object(h_slot);
	h_initialize();
	check_fails_closed(h_slot, 0);
	/* The other slot is not affected. */
	{
		CK_SLOT_ID slots[8];
		CK_ULONG n = 8, i, others = 0;

		assert_ok(p11->C_GetSlotList(CK_FALSE, slots, &n));
		for (i = 0; i < n; i++) {
			if (slots[i] == h_slot)
				continue;
			other = slots[i];
			assert_ok(p11->C_GetTokenInfo(other, &ti));
			assert_flag_clear(ti.flags, CKF_TOKEN_INITIALIZED);
			others++;
		}
		assert_int_equal(others, 1);
	}
	/* Still so after another restart: the damage was not "repaired". */
	h_reinit();
	check_fails_closed(h_slot, 0);
}

static void test_corrupt_private_object(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);

	(void)state;
	h_login(s, CKU_USER);
	(void)h_data(s, "private victim", CK_TRUE, CK_TRUE);
	h_finalize();
	corrupt_object(h_slot);
	h_initialize();
	check_fails_closed(h_slot, 1);
}

struct bytes {
	const void *p;
	size_t len;
};

static void replace_file(const char *path, const void *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	if (len > 0)
		assert_int_equal(write(fd, p, len), (ssize_t)len);
	close(fd);
}

/* Files store: both copies of the token record (token.a, token.b). */
static void replace_token_record(const char *path, const char *name, void *ctx)
{
	struct bytes *b = ctx;

	if (strncmp(name, "token.", 6) == 0)
		replace_file(path, b->p, b->len);
}

/* Replaces the token database (files store: the token record) with p. */
static void replace_db(CK_SLOT_ID slot, const void *p, size_t len)
{
	char db[PATH_MAX], side[PATH_MAX + 16];
	static const char *const suffix[] = { "-wal", "-shm", "-journal" };
	int fd;
	size_t i;

	h_token_db(db, sizeof(db), slot);
	if (h_store_files()) {
		struct bytes b = { p, len };

		assert_int_equal(each_file(db, replace_token_record, &b), 2);
		return;
	}
	for (i = 0; i < 3; i++) {
		snprintf(side, sizeof(side), "%s%s", db, suffix[i]);
		(void)unlink(side);
	}
	fd = open(db, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	if (len > 0)
		assert_int_equal(write(fd, p, len), (ssize_t)len);
	close(fd);
}

static void test_garbage_db(void **state)
{
	unsigned char junk[8192];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	h_finalize();
	replace_db(h_slot, junk, sizeof(junk));
	h_initialize();
	check_fails_closed(h_slot, 0);
	{
		CK_SESSION_HANDLE s;

		assert_rv(p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s),
			  CKR_DEVICE_ERROR);
	}
}

static void test_empty_db(void **state)
{
	CK_SESSION_HANDLE s;

	(void)state;
	h_finalize();
	replace_db(h_slot, NULL, 0);
	h_initialize();
	check_fails_closed(h_slot, 0);
	assert_rv(p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_DEVICE_ERROR);
}

/* A valid SQLite database that is not a token store (files store: a foreign
 * file in the token directory). */
static void test_foreign_db(void **state)
{
	char db[PATH_MAX];
	sqlite3 *sql;
	CK_SESSION_HANDLE s;

	(void)state;
	h_finalize();
	h_token_db(db, sizeof(db), h_slot);
	if (h_store_files()) {
		/* A file the files store did not write, beside its own. */
		char notes[PATH_MAX + 8];
		int fd;

		snprintf(notes, sizeof(notes), "%s/notes", db);
		fd = open(notes, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "hello", 5), 5);
		close(fd);
		h_initialize();
		check_fails_closed(h_slot, 0);
		assert_rv(p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s),
			  CKR_DEVICE_ERROR);
		return;
	}
	replace_db(h_slot, NULL, 0);
	assert_int_equal(sqlite3_open_v2(db, &sql, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(sql,
				      "CREATE TABLE notes(x TEXT); "
				      "INSERT INTO notes VALUES ('hello');",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_close(sql), SQLITE_OK);
	h_initialize();
	check_fails_closed(h_slot, 0);
	assert_rv(p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_DEVICE_ERROR);
}

/* A store directory that is a symlink is refused: nothing is written
 * through it (SECURITY.md row 21). */
static void test_symlinked_store_dir(void **state)
{
	char target[PATH_MAX];
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8, i;
	CK_UTF8CHAR label[32];
	CK_RV rv;
	DIR *d;
	struct dirent *e;
	int files = 0;

	(void)state;
	snprintf(target, sizeof(target), "%s/elsewhere", h_dir);
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(symlink(target, h_store), 0);
	h_pad(label, sizeof(label), H_LABEL);
	rv = p11->C_Initialize(NULL);
	if (rv == CKR_OK && p11->C_GetSlotList(CK_FALSE, slots, &n) == CKR_OK) {
		for (i = 0; i < n; i++) {
			rv = p11->C_InitToken(slots[i], (CK_UTF8CHAR_PTR)H_SO_PIN, 8, label);
			assert_int_not_equal(rv, CKR_OK);
		}
	}
	d = opendir(target);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		files += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	assert_int_equal(files, 0);
}

/* A token database that is a symlink is refused, and the token fails
 * closed. */
static void test_symlinked_db(void **state)
{
	char db[PATH_MAX], moved[PATH_MAX];
	CK_SESSION_HANDLE s = h_open(h_slot, 1);

	(void)state;
	(void)h_data(s, "object", CK_TRUE, CK_FALSE);
	h_finalize();
	h_token_db(db, sizeof(db), h_slot);
	snprintf(moved, sizeof(moved), "%s/moved.sqlite", h_dir);
	assert_int_equal(rename(db, moved), 0);
	assert_int_equal(symlink(moved, db), 0);
	h_initialize();
	check_fails_closed(h_slot, 0);
	assert_rv(p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_DEVICE_ERROR);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_corrupt_object, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_private_object, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_garbage_db, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_empty_db, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_db, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_store_dir, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_db, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
