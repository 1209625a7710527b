/*
 * Unit tests of the POSIX file PAL (src/port/pal_posix.c) and of the files
 * store on it through store_open (a path ending in ".files"): modes 0600 and
 * 0700 whatever the umask, symlinks refused, temporary files ignored and
 * cleaned, atomic replacement, the lock, changed().
 */
#include <dirent.h>
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
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "port/pal.h"
#include "store/store.h"

static char scratch[PATH_MAX];
static unsigned seq;

static void new_dir(char *buf, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s-%u.files", scratch, name, seq++);

	assert_true(n > 0 && n < PATH_MAX);
}

static void sub(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	assert_true(n > 0 && n < PATH_MAX);
}

static mode_t mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(lstat(path, &sb), 0);
	return sb.st_mode;
}

static void put(pal_files *p, const char *name, const char *text)
{
	assert_int_equal(p->write(p->ctx, name, (const uint8_t *)text, strlen(text)), CKR_OK);
}

static void expect(pal_files *p, const char *name, const char *text)
{
	uint8_t *data = NULL;
	size_t len = 0;

	assert_int_equal(p->read(p->ctx, name, &data, &len), CKR_OK);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(data, text, len);
	port_free(data);
}

static void write_raw(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

struct names {
	int n;
	char name[8][PAL_NAME_MAX + 1];
};

static CK_RV add_name(void *arg, const char *name)
{
	struct names *l = arg;

	assert_true(l->n < 8);
	snprintf(l->name[l->n++], PAL_NAME_MAX + 1, "%s", name);
	return CKR_OK;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_modes(void **state)
{
	char dir[PATH_MAX], file[PATH_MAX];
	mode_t old;
	pal_files p;
	int i;

	(void)state;
	/* Whatever the umask: 0700 and 0600. */
	for (i = 0; i < 2; i++) {
		old = umask(i == 0 ? 0 : 0277);
		new_dir(dir, "modes");
		assert_int_equal(pal_posix_open(dir, 1, &p), CKR_OK);
		put(&p, "f", "data");
		umask(old);
		assert_int_equal(mode_of(dir) & 07777, 0700);
		sub(file, dir, "f");
		assert_true(S_ISREG(mode_of(file)));
		assert_int_equal(mode_of(file) & 07777, 0600);
		expect(&p, "f", "data");
		p.close(p.ctx);
	}
	/* Create over something that exists, open of nothing. */
	assert_int_equal(pal_posix_open(dir, 1, &p), CKR_DEVICE_ERROR);
	new_dir(dir, "missing");
	assert_int_equal(pal_posix_open(dir, 0, &p), CKR_TOKEN_NOT_PRESENT);
	/* Writable by the group: refused. */
	new_dir(dir, "groupw");
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(pal_posix_open(dir, 0, &p), CKR_DEVICE_ERROR);
	/* A regular file: refused. */
	new_dir(dir, "file");
	write_raw(dir, "x");
	assert_int_equal(pal_posix_open(dir, 0, &p), CKR_DEVICE_ERROR);
}

static void test_symlinks(void **state)
{
	char dir[PATH_MAX], link[PATH_MAX], target[PATH_MAX], path[PATH_MAX];
	pal_files p;
	uint8_t *data = NULL;
	size_t len = 0;

	(void)state;
	/* The store directory as a symlink. */
	new_dir(target, "target");
	assert_int_equal(mkdir(target, 0700), 0);
	new_dir(link, "link");
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(pal_posix_open(link, 0, &p), CKR_DEVICE_ERROR);
	assert_int_equal(pal_posix_open(link, 1, &p), CKR_DEVICE_ERROR);

	/* A file in it as a symlink: not read, and a write replaces the link,
	 * never the file it points to. */
	new_dir(dir, "dir");
	assert_int_equal(pal_posix_open(dir, 1, &p), CKR_OK);
	sub(target, scratch, "outside");
	write_raw(target, "outside");
	sub(path, dir, "f");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(p.read(p.ctx, "f", &data, &len), CKR_DEVICE_ERROR);
	put(&p, "f", "inside");
	assert_true(S_ISREG(mode_of(path)));
	expect(&p, "f", "inside");
	{
		char buf[16] = { 0 };
		int fd = open(target, O_RDONLY);

		assert_true(fd >= 0);
		assert_int_equal(read(fd, buf, sizeof buf), 7);
		close(fd);
		assert_string_equal(buf, "outside");
	}
	/* A temporary file planted as a symlink is not followed either. */
	sub(path, dir, "g.tmp");
	assert_int_equal(symlink(target, path), 0);
	put(&p, "g", "gee");
	expect(&p, "g", "gee");
	p.close(p.ctx);

	/* Through store_open: a symlinked token directory. */
	{
		store *s = NULL;
		store_token t;

		memset(&t, 0, sizeof t);
		assert_int_equal(store_open(link, 0, NULL, &s), CKR_DEVICE_ERROR);
		assert_null(s);
	}
}

static void test_read_write_remove_list(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct names l;
	struct stat before, after;
	pal_files p;
	uint8_t *data = NULL;
	size_t len = 7;
	int fd;

	(void)state;
	new_dir(dir, "rw");
	assert_int_equal(pal_posix_open(dir, 1, &p), CKR_OK);
	assert_int_equal(p.read(p.ctx, "nothing", &data, &len), PAL_NOT_FOUND);
	assert_int_equal(p.remove(p.ctx, "nothing"), CKR_OK);
	/* Empty file. */
	assert_int_equal(p.write(p.ctx, "empty", (const uint8_t *)"", 0), CKR_OK);
	assert_int_equal(p.read(p.ctx, "empty", &data, &len), CKR_OK);
	assert_non_null(data);
	assert_int_equal(len, 0);
	port_free(data);

	/* Atomic replace: a new inode renamed over the name; a reader that had
	 * the old file open still reads the old bytes. */
	put(&p, "a", "first version");
	sub(path, dir, "a");
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &before), 0);
	put(&p, "a", "second");
	assert_int_equal(stat(path, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	{
		char buf[32] = { 0 };

		assert_int_equal(read(fd, buf, sizeof buf), 13);
		assert_string_equal(buf, "first version");
	}
	close(fd);
	expect(&p, "a", "second");

	/* Temporary files: not listed; a stale one does not block a write;
	 * a reopen cleans them. */
	sub(path, dir, "b.tmp");
	write_raw(path, "half");
	sub(path, dir, "zz.tmp");
	write_raw(path, "stale");
	memset(&l, 0, sizeof l);
	assert_int_equal(p.list(p.ctx, add_name, &l), CKR_OK);
	assert_int_equal(l.n, 2); /* empty, a */
	assert_int_equal(p.read(p.ctx, "b.tmp", &data, &len), CKR_DEVICE_ERROR);
	put(&p, "b", "bee");
	expect(&p, "b", "bee");
	p.close(p.ctx);
	assert_int_equal(entries(dir), 4); /* empty, a, b, zz.tmp */
	assert_int_equal(pal_posix_open(dir, 0, &p), CKR_OK);
	assert_int_equal(entries(dir), 3);
	assert_int_equal(p.remove(p.ctx, "a"), CKR_OK);
	memset(&l, 0, sizeof l);
	assert_int_equal(p.list(p.ctx, add_name, &l), CKR_OK);
	assert_int_equal(l.n, 2);
	/* Names with a slash or a dot first are refused. */
	assert_int_equal(p.write(p.ctx, "../x", (const uint8_t *)"x", 1), CKR_DEVICE_ERROR);
	assert_int_equal(p.write(p.ctx, ".hidden", (const uint8_t *)"x", 1), CKR_DEVICE_ERROR);
	p.close(p.ctx);
}

static void test_changed_and_lock(void **state)
{
	char dir[PATH_MAX];
	pal_files a, b;
	int changed = -1, fd;
	pid_t pid;
	int status;

	(void)state;
	new_dir(dir, "changed");
	assert_int_equal(pal_posix_open(dir, 1, &a), CKR_OK);
	assert_int_equal(pal_posix_open(dir, 0, &b), CKR_OK);
	assert_int_equal(a.changed(a.ctx, "t", &changed), CKR_OK);
	assert_int_equal(changed, 1); /* first look */
	assert_int_equal(a.changed(a.ctx, "t", &changed), CKR_OK);
	assert_int_equal(changed, 0);
	put(&b, "t", "one");
	assert_int_equal(a.changed(a.ctx, "t", &changed), CKR_OK);
	assert_int_equal(changed, 1);
	/* Many writes in a row, within one timestamp tick: each one seen. */
	for (fd = 0; fd < 20; fd++) {
		put(&b, "t", "again");
		assert_int_equal(a.changed(a.ctx, "t", &changed), CKR_OK);
		assert_int_equal(changed, 1);
	}
	assert_int_equal(b.remove(b.ctx, "t"), CKR_OK);
	assert_int_equal(a.changed(a.ctx, "t", &changed), CKR_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(a.changed(a.ctx, "t", &changed), CKR_OK);
	assert_int_equal(changed, 0);

	/* The exclusive lock keeps another process out; the shared one lets
	 * readers in. */
	assert_int_equal(a.lock(a.ctx, 1), CKR_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int d = open(dir, O_RDONLY | O_DIRECTORY);

		_exit(d >= 0 && flock(d, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	a.unlock(a.ctx);
	assert_int_equal(a.lock(a.ctx, 0), CKR_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int d = open(dir, O_RDONLY | O_DIRECTORY);

		_exit(d >= 0 && flock(d, LOCK_SH | LOCK_NB) == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	a.unlock(a.ctx);
	b.close(b.ctx);
	a.close(a.ctx);
}

static CK_RV count_object(void *ctx, uint64_t id, const uint8_t *data, size_t len)
{
	int *n = ctx;

	(void)id;
	(void)data;
	(void)len;
	(*n)++;
	return CKR_OK;
}

/* store_open with a ".files" path: the files store on this PAL. */
static void test_store_open(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX];
	store_token t, got;
	store *s = NULL;
	unsigned long n;
	int count = 0, changed = -1;
	CK_RV rv;

	(void)state;
	memset(&t, 0, sizeof t);
	memset(t.label, 'L', sizeof t.label);
	new_dir(dir, "store");
	assert_int_equal(store_open(dir, 0, NULL, &s), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(store_open(dir, 1, NULL, &s), CKR_ARGUMENTS_BAD);
	/* Every allocation failing in turn: nothing is left behind. */
	for (n = 1;; n++) {
		assert_true(n < 1000);
		port_alloc_fail_after(n);
		rv = store_open(dir, 1, &t, &s);
		port_alloc_fail_after(0);
		if (rv == CKR_OK)
			break;
		assert_int_equal(rv, CKR_HOST_MEMORY);
		assert_null(s);
		assert_int_equal(access(dir, F_OK), -1);
	}
	assert_int_equal(store_object_put(s, 1, (const uint8_t *)"one", 3), CKR_OK);
	assert_int_equal(store_object_put(s, 2, (const uint8_t *)"two", 3), CKR_OK);
	assert_int_equal(store_object_delete(s, 1), CKR_OK);
	assert_int_equal(store_changed(s, &changed), CKR_OK);
	assert_int_equal(changed, 0);
	store_close(s);
	assert_int_equal(mode_of(dir) & 07777, 0700);
	sub(path, dir, "token.a");
	assert_int_equal(mode_of(path) & 07777, 0600);
	sub(path, dir, "o-0000000000000001-0000000000000002");
	assert_int_equal(mode_of(path) & 07777, 0600);
	assert_int_equal(entries(dir), 3);
	assert_int_equal(store_open(dir, 1, &t, &s), CKR_DEVICE_ERROR);
	assert_int_equal(store_open(dir, 0, NULL, &s), CKR_OK);
	assert_int_equal(store_token_load(s, &got), CKR_OK);
	assert_memory_equal(&got, &t, sizeof t);
	assert_int_equal(store_objects_load(s, count_object, &count), CKR_OK);
	assert_int_equal(count, 1);
	store_close(s);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(scratch, sizeof scratch, "%s/iotoken-pal-XXXXXX",
		 tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	return mkdtemp(scratch) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_read_write_remove_list),
		cmocka_unit_test(test_changed_and_lock),
		cmocka_unit_test(test_store_open),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
