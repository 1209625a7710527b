/*
 * Configuration: where the store lives and the parameters of new tokens.
 * Read at C_Initialize from IOTOKEN_CONF (a file of `key = value` lines, #
 * comments) or IOTOKEN_DIR; without either the store is
 * $XDG_DATA_HOME/iotoken or ~/.local/share/iotoken.
 *
 *   dir = /path/to/store            store directory (created 0700)
 *   pbkdf2_iterations = 600000      for tokens created from now on (>= 1000)
 *   max_login_failures = 10         failed logins before a PIN locks (1..1000)
 *   store = sqlite                  backend of tokens created from now on and of
 *                                   the slots listed: sqlite (token-<id>.sqlite
 *                                   files) or files (token-<id>.files directories)
 */
#ifndef IOTOKEN_CONFIG_H
#define IOTOKEN_CONFIG_H

#include <stdint.h>

#include "port/port.h"

#define CONFIG_DEFAULT_ITERATIONS 600000u
#define CONFIG_MIN_ITERATIONS 1000u
#define CONFIG_DEFAULT_MAX_FAILURES 10u
#define CONFIG_MIN_PIN_LEN 4u
#define CONFIG_MAX_PIN_LEN 255u
#define CONFIG_MAX_SESSIONS 4096u

enum { CONFIG_STORE_SQLITE = 0, CONFIG_STORE_FILES = 1 };

typedef struct iotoken_config {
	char *dir;
	int store; /* CONFIG_STORE_* */
	uint32_t iterations;
	uint32_t max_failures;
} iotoken_config;

/* CKR_FUNCTION_FAILED with a message on stderr when the file cannot be read
 * or says something unknown. */
CK_RV config_load(iotoken_config *cfg) IOT_MUST_CHECK;
void config_free(iotoken_config *cfg);

/* Debug messages (IOTOKEN_DEBUG=1) and errors worth telling a person. */
void config_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
