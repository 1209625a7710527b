/* Files and hex strings. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Reads a whole file ("-": stdin), at most 16 MiB. Prints on failure. */
bool file_read(const char *path, unsigned char **data, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, n = 0, r;

	if (!f) {
		errmsg("cannot read %s: %s", path, strerror(errno));
		return false;
	}
	do {
		if (n == cap) {
			if (cap >= (16u << 20)) {
				errmsg("%s is too large (over 16 MiB)", path);
				goto fail;
			}
			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				errmsg("out of memory");
				goto fail;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		errmsg("cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return true;
fail:
	if (buf)
		wipe(buf, cap);
	free(buf);
	if (f != stdin)
		fclose(f);
	return false;
}

/* Writes a file ("-" or NULL: stdout). Prints on failure. */
bool file_write(const char *path, const void *data, size_t len)
{
	FILE *f;
	bool ok;

	if (!path || strcmp(path, "-") == 0)
		return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0;
	f = fopen(path, "wb");
	if (!f) {
		errmsg("cannot write %s: %s", path, strerror(errno));
		return false;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok)
		errmsg("cannot write %s: %s", path, strerror(errno));
	return ok;
}

/* "0a1B", "0a:1b" or "0x0a1b" into bytes. */
bool hex_decode(const char *hex, unsigned char **out, size_t *len)
{
	size_t n = strlen(hex), o = 0;
	unsigned char *b;
	int hi = -1;

	if (n >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2, n -= 2;
	b = malloc(n / 2 + 1);
	if (!b)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = hex[i];
		int v;

		if (c == ':' && hi < 0)
			continue;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			goto bad;
		if (hi < 0) {
			hi = v;
		} else {
			b[o++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0 || o == 0)
		goto bad;
	*out = b;
	*len = o;
	return true;
bad:
	free(b);
	return false;
}

void hex_print(FILE *f, const unsigned char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", v[i]);
}
