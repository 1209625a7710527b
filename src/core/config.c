/* Configuration (see config.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

#if IOT_WITH_LOG
void config_log(const char *fmt, ...)
{
	va_list ap;

	fputs("iotoken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
#endif

#if IOT_DEVICE
CK_RV config_load(iotoken_config *cfg)
{
	cfg->dir = NULL;
	cfg->iterations = CONFIG_DEFAULT_ITERATIONS;
	cfg->max_failures = CONFIG_DEFAULT_MAX_FAILURES;
	cfg->store = CONFIG_STORE_FILES;
	return CKR_OK;
}

void config_free(iotoken_config *cfg)
{
	cfg->dir = NULL;
}
#else

static char *dup_str(const char *s)
{
	return port_memdup(s, strlen(s) + 1);
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = port_malloc(la + lb + 1);

	if (p != NULL) {
		memcpy(p, a, la);
		memcpy(p + la, b, lb + 1);
	}
	return p;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static CK_RV read_file(const char *path, iotoken_config *cfg)
{
	char line[4096];
	FILE *f = fopen(path, "re");
	unsigned lineno = 0;
	CK_RV rv = CKR_OK;

	if (f == NULL) {
		config_log("cannot read IOTOKEN_CONF %s: %s", path, strerror(errno));
		return CKR_FUNCTION_FAILED;
	}
	while (rv == CKR_OK && fgets(line, sizeof(line), f) != NULL) {
		char *key, *value, *eq;

		lineno++;
		/* A line longer than the buffer is refused whole: its tail
		 * must not be read as a line of its own. */
		if (strchr(line, '\n') == NULL && !feof(f)) {
			rv = CKR_FUNCTION_FAILED;
			break;
		}
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (eq == NULL) {
			rv = CKR_FUNCTION_FAILED;
			break;
		}
		*eq = '\0';
		key = trim(key);
		value = trim(eq + 1);
		if (strcmp(key, "dir") == 0 && *value != '\0') {
			port_free(cfg->dir);
			cfg->dir = dup_str(value);
			if (cfg->dir == NULL)
				rv = CKR_HOST_MEMORY;
		} else if (strcmp(key, "pbkdf2_iterations") == 0) {
			if (parse_u32(value, CONFIG_MIN_ITERATIONS, 100000000u, &cfg->iterations))
				rv = CKR_FUNCTION_FAILED;
		} else if (strcmp(key, "max_login_failures") == 0) {
			if (parse_u32(value, 1, 1000, &cfg->max_failures))
				rv = CKR_FUNCTION_FAILED;
		} else if (strcmp(key, "store") == 0) {
			if (strcmp(value, "sqlite") == 0)
				cfg->store = CONFIG_STORE_SQLITE;
			else if (strcmp(value, "files") == 0)
				cfg->store = CONFIG_STORE_FILES;
			else
				rv = CKR_FUNCTION_FAILED;
		} else {
			rv = CKR_FUNCTION_FAILED;
		}
	}
	/* A read error (a directory, an I/O error) is not an end of file. */
	if (rv == CKR_OK && ferror(f)) {
		config_log("cannot read IOTOKEN_CONF %s", path);
		rv = CKR_FUNCTION_FAILED;
	} else if (rv == CKR_FUNCTION_FAILED) {
		config_log("%s:%u: not understood", path, lineno);
	}
	fclose(f);
	return rv;
}

CK_RV config_load(iotoken_config *cfg)
{
	const char *conf = getenv("IOTOKEN_CONF");
	const char *dir = getenv("IOTOKEN_DIR");
	const char *base;
	CK_RV rv;

	cfg->dir = NULL;
	cfg->iterations = CONFIG_DEFAULT_ITERATIONS;
	cfg->max_failures = CONFIG_DEFAULT_MAX_FAILURES;
	cfg->store = CONFIG_STORE_SQLITE;
	if (conf != NULL && *conf != '\0') {
		rv = read_file(conf, cfg);
		if (rv != CKR_OK) {
			config_free(cfg);
			return rv;
		}
	}
	if (cfg->dir != NULL)
		return CKR_OK;
	if (dir != NULL && *dir != '\0')
		cfg->dir = dup_str(dir);
	else if ((base = getenv("XDG_DATA_HOME")) != NULL && *base == '/')
		cfg->dir = join(base, "/iotoken");
	else if ((base = getenv("HOME")) != NULL && *base == '/')
		cfg->dir = join(base, "/.local/share/iotoken");
	else {
		/* No fallback to a shared directory such as /tmp. */
		config_log("no store: set IOTOKEN_CONF, IOTOKEN_DIR or HOME");
		return CKR_FUNCTION_FAILED;
	}
	return cfg->dir != NULL ? CKR_OK : CKR_HOST_MEMORY;
}

void config_free(iotoken_config *cfg)
{
	port_free(cfg->dir);
	cfg->dir = NULL;
}
#endif
