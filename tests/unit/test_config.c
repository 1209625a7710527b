/*
 * Unit tests of the configuration (src/core/config.c): the IOTOKEN_CONF file
 * format, its errors, and where the store goes without one (IOTOKEN_DIR,
 * XDG_DATA_HOME, HOME; never a shared directory such as /tmp).
 */
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

#include "core/config.h"

static char scratch[PATH_MAX];
static char conf_path[PATH_MAX + 32];
static unsigned conf_seq;

static const char *const env_names[] = { "IOTOKEN_CONF", "IOTOKEN_DIR", "XDG_DATA_HOME", "HOME" };

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	char tmpl[] = "/tmp/iotoken-config-XXXXXX";

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	strcpy(scratch, tmpl);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(scratch, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Every test starts from an environment that names nothing. */
static int setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		if (unsetenv(env_names[i]) != 0)
			return -1;
	return 0;
}

/* Writes a new conf file with this text and points IOTOKEN_CONF at it. */
static void write_conf(const char *text)
{
	FILE *f;
	int n = snprintf(conf_path, sizeof(conf_path), "%s/conf-%u", scratch, conf_seq++);

	assert_true(n > 0 && (size_t)n < sizeof(conf_path));
	f = fopen(conf_path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(setenv("IOTOKEN_CONF", conf_path, 1), 0);
}

static CK_RV load(iotoken_config *cfg)
{
	memset(cfg, 0x5a, sizeof(*cfg)); /* config_load must set every field */
	return config_load(cfg);
}

/* A conf that is refused: CKR_FUNCTION_FAILED and nothing left to free.
 * IOTOKEN_DIR is set so that only the file can be the reason. */
static void expect_refused(const char *text)
{
	iotoken_config cfg;

	assert_int_equal(setenv("IOTOKEN_DIR", "/fallback", 1), 0);
	write_conf(text);
	assert_int_equal(load(&cfg), CKR_FUNCTION_FAILED);
	assert_null(cfg.dir);
	config_free(&cfg);
}

/* A conf that is accepted; the caller checks and frees cfg. */
static void expect_accepted(const char *text, iotoken_config *cfg)
{
	write_conf(text);
	assert_int_equal(load(cfg), CKR_OK);
	assert_non_null(cfg->dir);
}

/* ---- the file ---- */

static void test_file_full(void **state)
{
	iotoken_config cfg;

	(void)state;
	expect_accepted("# iotoken configuration\n"
			"\n"
			"   \t\n"
			"  dir   =   /srv/iotoken/store  \n"
			"\t# indented comment = with an equals sign\n"
			"pbkdf2_iterations=700000\n"
			"\n"
			"   max_login_failures\t=\t3   \n",
			&cfg);
	assert_string_equal(cfg.dir, "/srv/iotoken/store");
	assert_int_equal(cfg.iterations, 700000);
	assert_int_equal(cfg.max_failures, 3);
	config_free(&cfg);
	assert_null(cfg.dir);
}

static void test_file_no_trailing_newline_and_crlf(void **state)
{
	iotoken_config cfg;

	(void)state;
	expect_accepted("dir = /a/b\r\npbkdf2_iterations = 1000\r\nmax_login_failures = 1000",
			&cfg);
	assert_string_equal(cfg.dir, "/a/b");
	assert_int_equal(cfg.iterations, 1000);
	assert_int_equal(cfg.max_failures, 1000);
	config_free(&cfg);
}

static void test_file_last_value_wins(void **state)
{
	iotoken_config cfg;

	(void)state;
	expect_accepted("dir = /first\ndir = /second\npbkdf2_iterations = 5000\n"
			"pbkdf2_iterations = 6000\n",
			&cfg);
	assert_string_equal(cfg.dir, "/second");
	assert_int_equal(cfg.iterations, 6000);
	assert_int_equal(cfg.max_failures, CONFIG_DEFAULT_MAX_FAILURES);
	config_free(&cfg);
}

static void test_file_defaults(void **state)
{
	iotoken_config cfg;

	(void)state;
	expect_accepted("# only a comment\ndir=/x\n", &cfg);
	assert_string_equal(cfg.dir, "/x");
	assert_int_equal(cfg.iterations, CONFIG_DEFAULT_ITERATIONS);
	assert_int_equal(cfg.max_failures, CONFIG_DEFAULT_MAX_FAILURES);
	config_free(&cfg);
}

static void test_file_dir_wins_over_env(void **state)
{
	iotoken_config cfg;

	(void)state;
	assert_int_equal(setenv("IOTOKEN_DIR", "/from/env", 1), 0);
	assert_int_equal(setenv("XDG_DATA_HOME", "/xdg", 1), 0);
	assert_int_equal(setenv("HOME", "/home/u", 1), 0);
	expect_accepted("dir = /from/conf\n", &cfg);
	assert_string_equal(cfg.dir, "/from/conf");
	config_free(&cfg);
}

static void test_file_unknown_key(void **state)
{
	(void)state;
	expect_refused("dir = /x\ncolour = blue\n");
	expect_refused("Dir = /x\n");
	expect_refused("pbkdf2-iterations = 700000\n");
	expect_refused("= 5\n");
}

static void test_file_bad_iterations(void **state)
{
	iotoken_config cfg;

	(void)state;
	expect_refused("pbkdf2_iterations = 999\n");
	expect_refused("pbkdf2_iterations = 0\n");
	expect_refused("pbkdf2_iterations = -600000\n");
	expect_refused("pbkdf2_iterations = 600000x\n");
	expect_refused("pbkdf2_iterations = 6e5\n");
	expect_refused("pbkdf2_iterations = \n");
	expect_refused("pbkdf2_iterations = 99999999999999999999999\n");
	expect_refused("pbkdf2_iterations = 4294968296\n"); /* 2^32 + 1000 */
	expect_refused("dir = /x\npbkdf2_iterations = 999\n");
	/* The lower bound itself is fine. */
	expect_accepted("dir = /x\npbkdf2_iterations = 1000\n", &cfg);
	assert_int_equal(cfg.iterations, CONFIG_MIN_ITERATIONS);
	config_free(&cfg);
}

static void test_file_bad_max_failures(void **state)
{
	iotoken_config cfg;

	(void)state;
	expect_refused("max_login_failures = 0\n");
	expect_refused("max_login_failures = 1001\n");
	expect_refused("max_login_failures = -1\n");
	expect_refused("max_login_failures = ten\n");
	expect_refused("max_login_failures =\n");
	expect_accepted("dir = /x\nmax_login_failures = 1\n", &cfg);
	assert_int_equal(cfg.max_failures, 1);
	config_free(&cfg);
}

static void test_file_store(void **state)
{
	iotoken_config cfg;

	(void)state;
	expect_accepted("dir = /x\n", &cfg);
	assert_int_equal(cfg.store, CONFIG_STORE_SQLITE);
	config_free(&cfg);
	expect_accepted("dir = /x\nstore = files\n", &cfg);
	assert_int_equal(cfg.store, CONFIG_STORE_FILES);
	config_free(&cfg);
	expect_accepted("dir = /x\nstore = files\nstore =  sqlite \n", &cfg);
	assert_int_equal(cfg.store, CONFIG_STORE_SQLITE);
	config_free(&cfg);
	expect_refused("store = Files\n");
	expect_refused("store = sqlite3\n");
	expect_refused("store =\n");
}

static void test_file_missing_equals(void **state)
{
	(void)state;
	expect_refused("dir /x\n");
	expect_refused("pbkdf2_iterations 700000\n");
	expect_refused("dir = /x\nmax_login_failures\n");
	expect_refused("junk\n");
}

static void test_file_error_after_dir_does_not_leak(void **state)
{
	/* dir was allocated before the error: config_load must free it (the
	 * ASan build checks for the leak). */
	(void)state;
	expect_refused("dir = /allocated/first\nbogus = 1\n");
}

static void test_file_unreadable(void **state)
{
	iotoken_config cfg;
	char path[PATH_MAX + 32];

	(void)state;
	snprintf(path, sizeof(path), "%s/does-not-exist", scratch);
	assert_int_equal(setenv("IOTOKEN_CONF", path, 1), 0);
	assert_int_equal(setenv("IOTOKEN_DIR", scratch, 1), 0);
	assert_int_equal(load(&cfg), CKR_FUNCTION_FAILED);
	assert_null(cfg.dir);
	if (geteuid() != 0) {
		/* Root reads a mode-000 file anyway. */
		write_conf("dir = /x\n");
		assert_int_equal(chmod(conf_path, 0), 0);
		assert_int_equal(load(&cfg), CKR_FUNCTION_FAILED);
		assert_null(cfg.dir);
	}
}

/* Regression (found by this file, fixed in b7682de): IOTOKEN_CONF naming a
 * directory opens with fopen() but every read fails (EISDIR); read_file took
 * the read error for end of file and fell back to defaults instead of
 * CKR_FUNCTION_FAILED ("when the file cannot be read", config.h). */
static void test_file_is_directory(void **state)
{
	iotoken_config cfg;
	CK_RV rv;
	int had_dir;

	(void)state;
	assert_int_equal(setenv("IOTOKEN_CONF", scratch, 1), 0);
	assert_int_equal(setenv("IOTOKEN_DIR", "/from/env", 1), 0);
	rv = load(&cfg);
	had_dir = cfg.dir != NULL;
	config_free(&cfg); /* before asserting: no leak report on failure */
	assert_int_equal(rv, CKR_FUNCTION_FAILED);
	assert_false(had_dir);
}

/* Regression (found by this file, fixed in b7682de): read_file reads lines
 * into a 4096-byte buffer and took the tail of a longer line for a line of
 * its own, so text inside a comment set max_login_failures to 3. Either the
 * long line is refused or the whole line is a comment. */
static void test_file_long_comment_line(void **state)
{
	/* The split falls right before the key: read_file's buffer holds 4095
	 * characters and the NUL. */
	size_t pad = 4095;
	char *text = malloc(pad + 64);
	iotoken_config cfg;
	uint32_t failures;
	CK_RV rv;

	(void)state;
	assert_non_null(text);
	text[0] = '#';
	memset(text + 1, 'x', pad - 1);
	strcpy(text + pad, " max_login_failures = 3\ndir = /x\n");
	write_conf(text);
	free(text);
	rv = load(&cfg);
	failures = cfg.max_failures;
	config_free(&cfg); /* before asserting: no leak report on failure */
	if (rv == CKR_OK)
		assert_int_equal(failures, CONFIG_DEFAULT_MAX_FAILURES);
	else
		assert_int_equal(rv, CKR_FUNCTION_FAILED);
}

static void test_file_empty_conf_variable_ignored(void **state)
{
	iotoken_config cfg;

	(void)state;
	assert_int_equal(setenv("IOTOKEN_CONF", "", 1), 0);
	assert_int_equal(setenv("IOTOKEN_DIR", "/from/env", 1), 0);
	assert_int_equal(load(&cfg), CKR_OK);
	assert_string_equal(cfg.dir, "/from/env");
	assert_int_equal(cfg.iterations, CONFIG_DEFAULT_ITERATIONS);
	config_free(&cfg);
}

/* ---- where the store goes ---- */

static void test_conf_without_dir_uses_iotoken_dir(void **state)
{
	iotoken_config cfg;

	(void)state;
	assert_int_equal(setenv("IOTOKEN_DIR", "/from/env", 1), 0);
	assert_int_equal(setenv("HOME", "/home/u", 1), 0);
	expect_accepted("pbkdf2_iterations = 12345\nmax_login_failures = 7\n", &cfg);
	assert_string_equal(cfg.dir, "/from/env");
	assert_int_equal(cfg.iterations, 12345);
	assert_int_equal(cfg.max_failures, 7);
	config_free(&cfg);
}

static void test_conf_without_dir_uses_xdg(void **state)
{
	iotoken_config cfg;

	(void)state;
	assert_int_equal(setenv("XDG_DATA_HOME", "/xdg/data", 1), 0);
	assert_int_equal(setenv("HOME", "/home/u", 1), 0);
	expect_accepted("max_login_failures = 2\n", &cfg);
	assert_string_equal(cfg.dir, "/xdg/data/iotoken");
	assert_int_equal(cfg.max_failures, 2);
	config_free(&cfg);
}

static void test_env_iotoken_dir(void **state)
{
	iotoken_config cfg;

	(void)state;
	assert_int_equal(setenv("IOTOKEN_DIR", "/env/dir", 1), 0);
	assert_int_equal(setenv("XDG_DATA_HOME", "/xdg", 1), 0);
	assert_int_equal(setenv("HOME", "/home/u", 1), 0);
	assert_int_equal(load(&cfg), CKR_OK);
	assert_string_equal(cfg.dir, "/env/dir");
	assert_int_equal(cfg.iterations, CONFIG_DEFAULT_ITERATIONS);
	assert_int_equal(cfg.max_failures, CONFIG_DEFAULT_MAX_FAILURES);
	config_free(&cfg);
}

static void test_env_xdg(void **state)
{
	iotoken_config cfg;

	(void)state;
	assert_int_equal(setenv("IOTOKEN_DIR", "", 1), 0); /* empty: not set */
	assert_int_equal(setenv("XDG_DATA_HOME", "/xdg", 1), 0);
	assert_int_equal(setenv("HOME", "/home/u", 1), 0);
	assert_int_equal(load(&cfg), CKR_OK);
	assert_string_equal(cfg.dir, "/xdg/iotoken");
	config_free(&cfg);
}

static void test_env_home(void **state)
{
	iotoken_config cfg;

	(void)state;
	assert_int_equal(setenv("HOME", "/home/u", 1), 0);
	assert_int_equal(load(&cfg), CKR_OK);
	assert_string_equal(cfg.dir, "/home/u/.local/share/iotoken");
	config_free(&cfg);
	/* A relative or empty XDG_DATA_HOME is ignored (XDG Base Directory
	 * spec), HOME is used. */
	assert_int_equal(setenv("XDG_DATA_HOME", "relative/xdg", 1), 0);
	assert_int_equal(load(&cfg), CKR_OK);
	assert_string_equal(cfg.dir, "/home/u/.local/share/iotoken");
	config_free(&cfg);
	assert_int_equal(setenv("XDG_DATA_HOME", "", 1), 0);
	assert_int_equal(load(&cfg), CKR_OK);
	assert_string_equal(cfg.dir, "/home/u/.local/share/iotoken");
	config_free(&cfg);
}

static void test_env_nothing(void **state)
{
	iotoken_config cfg;

	(void)state;
	assert_int_equal(load(&cfg), CKR_FUNCTION_FAILED);
	assert_null(cfg.dir);
	config_free(&cfg);
	/* Relative or empty HOME and XDG_DATA_HOME are no better: never a
	 * fallback to /tmp or the working directory. */
	assert_int_equal(setenv("HOME", "", 1), 0);
	assert_int_equal(load(&cfg), CKR_FUNCTION_FAILED);
	assert_null(cfg.dir);
	assert_int_equal(setenv("HOME", "home/u", 1), 0);
	assert_int_equal(setenv("XDG_DATA_HOME", "xdg", 1), 0);
	assert_int_equal(load(&cfg), CKR_FUNCTION_FAILED);
	assert_null(cfg.dir);
	assert_int_equal(setenv("IOTOKEN_DIR", "", 1), 0);
	assert_int_equal(load(&cfg), CKR_FUNCTION_FAILED);
	assert_null(cfg.dir);
	/* A conf without dir does not help either. */
	write_conf("pbkdf2_iterations = 700000\n");
	assert_int_equal(load(&cfg), CKR_FUNCTION_FAILED);
	assert_null(cfg.dir);
	config_free(&cfg);
}

static void test_alloc_failure(void **state)
{
	iotoken_config cfg;
	unsigned long n;
	CK_RV rv;

	(void)state;
	assert_int_equal(setenv("HOME", "/home/u", 1), 0);
	port_alloc_fail_after(1);
	rv = load(&cfg);
	port_alloc_fail_after(0);
	assert_int_equal(rv, CKR_HOST_MEMORY);
	assert_null(cfg.dir);
	/* With a conf file: every allocation in turn. */
	write_conf("dir = /a\ndir = /b\n");
	for (n = 1;; n++) {
		port_alloc_fail_after(n);
		rv = load(&cfg);
		port_alloc_fail_after(0);
		if (rv == CKR_OK)
			break;
		assert_int_equal(rv, CKR_HOST_MEMORY);
		assert_null(cfg.dir);
		assert_true(n < 10);
	}
	assert_string_equal(cfg.dir, "/b");
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_file_full, setup),
		cmocka_unit_test_setup(test_file_no_trailing_newline_and_crlf, setup),
		cmocka_unit_test_setup(test_file_last_value_wins, setup),
		cmocka_unit_test_setup(test_file_defaults, setup),
		cmocka_unit_test_setup(test_file_dir_wins_over_env, setup),
		cmocka_unit_test_setup(test_file_unknown_key, setup),
		cmocka_unit_test_setup(test_file_bad_iterations, setup),
		cmocka_unit_test_setup(test_file_bad_max_failures, setup),
		cmocka_unit_test_setup(test_file_store, setup),
		cmocka_unit_test_setup(test_file_missing_equals, setup),
		cmocka_unit_test_setup(test_file_error_after_dir_does_not_leak, setup),
		cmocka_unit_test_setup(test_file_unreadable, setup),
		cmocka_unit_test_setup(test_file_is_directory, setup),
		cmocka_unit_test_setup(test_file_long_comment_line, setup),
		cmocka_unit_test_setup(test_file_empty_conf_variable_ignored, setup),
		cmocka_unit_test_setup(test_conf_without_dir_uses_iotoken_dir, setup),
		cmocka_unit_test_setup(test_conf_without_dir_uses_xdg, setup),
		cmocka_unit_test_setup(test_env_iotoken_dir, setup),
		cmocka_unit_test_setup(test_env_xdg, setup),
		cmocka_unit_test_setup(test_env_home, setup),
		cmocka_unit_test_setup(test_env_nothing, setup),
		cmocka_unit_test_setup(test_alloc_failure, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
