/*
 * The operating system as src/core/slots.c sees it, and the libc pieces
 * Frama-C's libc lacks.
 *
 * The store directory: opendir opens it (or fails, errno EACCES); readdir
 * returns at most VERIFY_DIR_ENTRIES names (default 1), each one of a list
 * of concrete names (the known token, new ones sorting first and last, the
 * blank slot's id, the other backend's suffix, a leading zero, "..").
 * With verify_dir_arbitrary set (a harness sets it; default
 * VERIFY_DIR_ARBITRARY, 0) the first name may also be an arbitrary
 * NUL-terminated string of up to 255 unknown bytes (parse_name on any
 * input); that is for a module with no token yet (C_Initialize), since a
 * token with an unknown id has an unknown place in the sorted slot list,
 * which EVA's non-relational heap abstraction turns into a possibly cyclic
 * list, i.e. false alarms.
 * While verify_setup is set the directory holds exactly "token-1.sqlite".
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "verify.h"

/* One entry: with two, the order in which two new tokens are created
 * changes which heap block holds which slot, and the join of those states
 * is a possibly cyclic slot list for EVA (false alarms). */
#ifndef VERIFY_DIR_ENTRIES
#define VERIFY_DIR_ENTRIES 1
#endif
#ifndef VERIFY_DIR_ARBITRARY
#define VERIFY_DIR_ARBITRARY 0
#endif
/* Set by a harness (C_Initialize) before the call under proof: arbitrary
 * names allowed (verify.h). */
int verify_dir_arbitrary = VERIFY_DIR_ARBITRARY;

void explicit_bzero(void *p, size_t n)
{
	volatile unsigned char *q = p;
	size_t i;

	for (i = 0; i < n; i++)
		q[i] = 0;
}

int mkdir(const char *path, mode_t mode)
{
	(void)strlen(path);
	(void)mode;
	if (verify_may_fail()) {
		errno = Frama_C_nondet(EEXIST, EACCES);
		return -1;
	}
	return 0;
}

int lstat(const char *path, struct stat *buf)
{
	(void)strlen(path);
	Frama_C_make_unknown((char *)buf, sizeof(*buf));
	if (verify_setup) {
		buf->st_mode = S_IFDIR | 0700;
		return 0;
	}
	if (Frama_C_nondet(0, 1)) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

static struct dirent entry;
static int dir_pos;

DIR *opendir(const char *path)
{
	(void)strlen(path);
	if (verify_may_fail()) {
		errno = EACCES;
		return NULL;
	}
	dir_pos = 0;
	return &__fc_opendir[0];
}

/* Frama-C's strcpy is a specification whose result EVA evaluates
 * imprecisely (every byte unknown): memcpy of a literal is exact. */
#define SET_NAME(lit) memcpy(entry.d_name, lit, sizeof(lit))

/* The choice of name: a partition key of run.sh (a join of two listings
 * would mix the bytes of their names into names no listing had). */
int verify_dir_name;

static void concrete_name(void)
{
	verify_dir_name = Frama_C_interval(0, 6);
	switch (verify_dir_name) {
	case 0:
		SET_NAME("token-1.sqlite"); /* the token already known */
		break;
	case 1:
		SET_NAME("token-3.sqlite"); /* a new one, last in the slot list */
		break;
	case 2:
		SET_NAME("token-0.sqlite"); /* a new one, first in the slot list */
		break;
	case 3:
		SET_NAME("token-2.sqlite"); /* the blank slot's id */
		break;
	case 4:
		SET_NAME("token-3.files"); /* the other backend */
		break;
	case 5:
		SET_NAME("token-01.sqlite"); /* leading zero */
		break;
	default:
		SET_NAME("..");
		break;
	}
}

struct dirent *readdir(DIR *d)
{
	int first;

	//@ assert readdir_open_stream: d == &__fc_opendir[0];
	if (verify_setup) {
		if (dir_pos++ > 0)
			return NULL;
		SET_NAME("token-1.sqlite");
		return &entry;
	}
	if (dir_pos >= VERIFY_DIR_ENTRIES || Frama_C_nondet(0, 1))
		return NULL;
	first = dir_pos++ == 0;
	if (verify_dir_arbitrary && first && Frama_C_nondet(0, 1)) {
		size_t k = verify_size(0, sizeof(entry.d_name) - 1);

		Frama_C_make_unknown(entry.d_name, k);
		entry.d_name[k] = '\0';
	} else {
		concrete_name();
	}
	return &entry;
}

/* Writes a NUL-terminated string of unknown bytes in s[0 .. n-1] (when
 * n > 0), as C99 7.19.6.5 guarantees, and checks that all n bytes are
 * writable; the format and its arguments are not interpreted. */
int snprintf(char *restrict s, size_t n, const char *restrict format, ...)
{
	(void)strlen(format);
	if (n > 0) {
		//@ assert snprintf_buffer: \valid(s + (0 .. n - 1));
		Frama_C_make_unknown(s, n - 1);
		s[n - 1] = '\0';
	}
	return Frama_C_interval(0, 0x7fffffff);
}

int closedir(DIR *d)
{
	//@ assert closedir_open_stream: d == &__fc_opendir[0];
	return 0;
}

/* Frama-C's libc has a prototype of qsort but no specification: EVA would
 * make one up (every element of base unknown afterwards), which turns the
 * token reload's sorted object list (token.c load_objects) into arbitrary
 * pointers. A real sort instead (insertion sort, byte swaps): each access
 * is checked against base's block, and compar is the module's. */
void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *))
{
	unsigned char *b = base;
	size_t i, j, k;

	for (i = 1; i < nmemb; i++)
		for (j = i; j > 0 && compar(b + (j - 1) * size, b + j * size) > 0; j--)
			for (k = 0; k < size; k++) {
				unsigned char t = b[(j - 1) * size + k];

				b[(j - 1) * size + k] = b[j * size + k];
				b[j * size + k] = t;
			}
}
