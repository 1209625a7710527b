/*
 * The POSIX file PAL (pal.h). Every call works relative to one descriptor of
 * the store directory, opened O_NOFOLLOW | O_DIRECTORY, with O_NOFOLLOW on
 * every file: a symlink planted in or as the store is never followed
 * (SECURITY.md row 21).
 *
 * A write (SECURITY.md row 22): "<name>.tmp" is created O_CREAT | O_EXCL |
 * O_NOFOLLOW, 0600, written whole and fsynced, renamed over name, and the
 * directory is fsynced. An fsync error aborts the write: after a failed fsync
 * the kernel may have dropped the dirty pages and a retry would succeed on
 * data that never reached the disk ("fsyncgate"), so the temporary file is
 * removed and the error returned. Writers hold the exclusive lock (flock on
 * the directory descriptor), so a "<name>.tmp" found at the start of a write
 * is a crash's leftover: it is removed and the create retried once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "port/pal.h"

#define TMP_SUFFIX ".tmp"
#define WATCH_MAX 4

typedef struct watch {
	char name[PAL_NAME_MAX + 1];
	int fd; /* holds the inode last seen, so its number cannot be reused */
	dev_t dev;
	ino_t ino;
} watch;

typedef struct posix_ctx {
	int dirfd;
	watch w[WATCH_MAX];
	size_t nw;
} posix_ctx;

static CK_RV rv_errno(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
		return CKR_DEVICE_MEMORY;
	case ENOMEM:
		return CKR_HOST_MEMORY;
	default:
		return CKR_DEVICE_ERROR;
	}
}

static int is_tmp(const char *name)
{
	size_t n = strlen(name), t = strlen(TMP_SUFFIX);

	return n > t && strcmp(name + n - t, TMP_SUFFIX) == 0;
}

/* A name the store may use: not ours (temporary), no path, no dot file. */
static int name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= PAL_NAME_MAX - strlen(TMP_SUFFIX) && strchr(name, '/') == NULL &&
	       name[0] != '.' && !is_tmp(name);
}

static CK_RV posix_read(void *ctx, const char *name, uint8_t **data, size_t *len)
{
	posix_ctx *c = ctx;
	struct stat sb;
	uint8_t *buf = NULL;
	size_t n = 0, cap;
	ssize_t r;
	CK_RV rv = CKR_OK;
	int fd;

	if (!name_ok(name))
		return CKR_DEVICE_ERROR;
	fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? PAL_NOT_FOUND : rv_errno(errno);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < 0 ||
	    (uint64_t)sb.st_size > PAL_FILE_MAX) {
		close(fd);
		return CKR_DEVICE_ERROR;
	}
	/* One byte more than the size: a file that grew is read to its end
	 * (it cannot while we hold the lock, but a device need not lock). */
	cap = (size_t)sb.st_size + 1;
	buf = port_malloc(cap);
	if (buf == NULL) {
		close(fd);
		return CKR_HOST_MEMORY;
	}
	for (;;) {
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rv = rv_errno(errno);
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			rv = CKR_DEVICE_ERROR; /* changed under us */
			break;
		}
	}
	close(fd);
	if (rv != CKR_OK) {
		port_free(buf);
		return rv;
	}
	*data = buf;
	*len = n;
	return CKR_OK;
}

static CK_RV write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? rv_errno(errno) : CKR_DEVICE_ERROR;
		p += r;
		n -= (size_t)r;
	}
	return CKR_OK;
}

static CK_RV posix_write(void *ctx, const char *name, const uint8_t *data, size_t len)
{
	posix_ctx *c = ctx;
	char tmp[PAL_NAME_MAX + 1];
	CK_RV rv;
	int fd, tries;

	if (!name_ok(name))
		return CKR_DEVICE_ERROR;
	snprintf(tmp, sizeof tmp, "%s" TMP_SUFFIX, name);
	for (tries = 0;; tries++) {
		fd = openat(c->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd >= 0 || errno != EEXIST || tries > 0)
			break;
		/* A crash's leftover (writers are serialized by the lock). */
		if (unlinkat(c->dirfd, tmp, 0) != 0 && errno != ENOENT)
			return rv_errno(errno);
	}
	if (fd < 0)
		return rv_errno(errno);
	/* 0600 whatever the umask. */
	rv = fchmod(fd, 0600) == 0 ? CKR_OK : rv_errno(errno);
	if (rv == CKR_OK)
		rv = write_all(fd, data, len);
	/* No retry after a failed fsync: the data may be gone. */
	if (rv == CKR_OK && fsync(fd) != 0)
		rv = rv_errno(errno);
	if (close(fd) != 0 && rv == CKR_OK)
		rv = rv_errno(errno);
	if (rv == CKR_OK && renameat(c->dirfd, tmp, c->dirfd, name) != 0)
		rv = rv_errno(errno);
	if (rv != CKR_OK) {
		(void)unlinkat(c->dirfd, tmp, 0);
		return rv;
	}
	/* The rename is durable only once the directory is. */
	return fsync(c->dirfd) == 0 ? CKR_OK : rv_errno(errno);
}

static CK_RV posix_remove(void *ctx, const char *name)
{
	posix_ctx *c = ctx;

	if (!name_ok(name))
		return CKR_DEVICE_ERROR;
	if (unlinkat(c->dirfd, name, 0) != 0)
		return errno == ENOENT ? CKR_OK : rv_errno(errno);
	return fsync(c->dirfd) == 0 ? CKR_OK : rv_errno(errno);
}

/* Calls fn for every entry (tmp: for the temporary files only). */
static CK_RV each_entry(posix_ctx *c, int tmp, pal_name_fn fn, void *arg)
{
	int fd = dup(c->dirfd);
	struct dirent *e;
	CK_RV rv = CKR_OK;
	DIR *d;

	if (fd < 0)
		return rv_errno(errno);
	d = fdopendir(fd);
	if (d == NULL) {
		rv = rv_errno(errno);
		close(fd);
		return rv;
	}
	/* The duplicate shares the directory offset: start from the top. */
	rewinddir(d);
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (e == NULL) {
			if (errno != 0)
				rv = rv_errno(errno);
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (is_tmp(e->d_name) != tmp)
			continue;
		rv = fn(arg, e->d_name);
		if (rv != CKR_OK)
			break;
	}
	closedir(d);
	return rv;
}

static CK_RV posix_list(void *ctx, pal_name_fn fn, void *arg)
{
	return each_entry(ctx, 0, fn, arg);
}

static CK_RV posix_lock(void *ctx, int exclusive)
{
	posix_ctx *c = ctx;

	while (flock(c->dirfd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
		if (errno != EINTR)
			return CKR_DEVICE_ERROR;
	}
	return CKR_OK;
}

static void posix_unlock(void *ctx)
{
	posix_ctx *c = ctx;

	(void)flock(c->dirfd, LOCK_UN);
}

/* Every write renames a new inode over the name and we hold an open
 * descriptor of the inode we saw last, so the file system cannot hand its
 * number to a new file: a different (dev, ino) at the name means a write,
 * whatever the timestamps' granularity. */
static CK_RV posix_changed(void *ctx, const char *name, int *changed)
{
	posix_ctx *c = ctx;
	struct stat sb;
	watch *w = NULL;
	size_t i;
	int fd;

	*changed = 1;
	for (i = 0; i < c->nw; i++)
		if (strcmp(c->w[i].name, name) == 0)
			w = &c->w[i];
	if (w == NULL) {
		if (c->nw == WATCH_MAX || strlen(name) > PAL_NAME_MAX)
			return CKR_DEVICE_ERROR;
		w = &c->w[c->nw++];
		snprintf(w->name, sizeof w->name, "%s", name);
		w->fd = -1;
	} else if (fstatat(c->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (w->fd >= 0 && sb.st_dev == w->dev && sb.st_ino == w->ino) {
			*changed = 0;
			return CKR_OK;
		}
	} else if (errno == ENOENT) {
		if (w->fd < 0) {
			*changed = 0;
			return CKR_OK;
		}
	} else {
		return rv_errno(errno);
	}
	/* Changed (or first look): hold what is there now. */
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? CKR_OK : rv_errno(errno);
	if (fstat(fd, &sb) != 0) {
		close(fd);
		return CKR_DEVICE_ERROR;
	}
	w->fd = fd;
	w->dev = sb.st_dev;
	w->ino = sb.st_ino;
	return CKR_OK;
}

static void posix_close(void *ctx)
{
	posix_ctx *c = ctx;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nw; i++)
		if (c->w[i].fd >= 0)
			close(c->w[i].fd);
	if (c->dirfd >= 0)
		close(c->dirfd);
	port_free(c);
}

static CK_RV unlink_tmp(void *arg, const char *name)
{
	posix_ctx *c = arg;

	if (unlinkat(c->dirfd, name, 0) != 0 && errno != ENOENT)
		return rv_errno(errno);
	return CKR_OK;
}

CK_RV pal_posix_open(const char *dir, int create, pal_files *out)
{
	posix_ctx *c;
	struct stat sb;
	CK_RV rv;

	memset(out, 0, sizeof *out);
	c = port_calloc(1, sizeof *c);
	if (c == NULL)
		return CKR_HOST_MEMORY;
	if (create) {
		if (mkdir(dir, 0700) != 0) {
			port_free(c);
			return rv_errno(errno);
		}
	} else if (lstat(dir, &sb) != 0) {
		port_free(c);
		return errno == ENOENT ? CKR_TOKEN_NOT_PRESENT : rv_errno(errno);
	}
	c->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->dirfd < 0) {
		/* ELOOP or ENOTDIR for a symlink */
		rv = errno == ENOMEM ? CKR_HOST_MEMORY : CKR_DEVICE_ERROR;
		goto fail;
	}
	/* 0700 whatever the umask. */
	if (create && fchmod(c->dirfd, 0700) != 0) {
		rv = CKR_DEVICE_ERROR;
		goto fail;
	}
	if (fstat(c->dirfd, &sb) != 0 || !S_ISDIR(sb.st_mode) ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		rv = CKR_DEVICE_ERROR;
		goto fail;
	}
	/* A crash between creating a temporary file and its rename leaves it
	 * behind; no write is in progress while we hold the lock. */
	rv = posix_lock(c, 1);
	if (rv != CKR_OK)
		goto fail;
	rv = each_entry(c, 1, unlink_tmp, c);
	posix_unlock(c);
	if (rv != CKR_OK)
		goto fail;
	out->ctx = c;
	out->read = posix_read;
	out->write = posix_write;
	out->remove = posix_remove;
	out->list = posix_list;
	out->lock = posix_lock;
	out->unlock = posix_unlock;
	out->changed = posix_changed;
	out->close = posix_close;
	return CKR_OK;
fail:
	posix_close(c);
	if (create)
		(void)rmdir(dir); /* ours, and still empty */
	return rv;
}

void pal_posix_remove_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct stat sb;
	DIR *d;

	if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return;
	d = opendir(dir);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (n > 0 && (size_t)n < sizeof path && lstat(path, &sb) == 0 &&
			    !S_ISDIR(sb.st_mode))
				(void)unlink(path);
		}
		closedir(d);
	}
	(void)rmdir(dir);
}
