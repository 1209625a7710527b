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

/* Defaults and limits: iotoken/defaults.h (a port overrides them). */
#define CONFIG_DEFAULT_ITERATIONS ((uint32_t)IOT_PBKDF2_ITERATIONS)
#define CONFIG_MIN_ITERATIONS 1000u
#define CONFIG_DEFAULT_MAX_FAILURES ((uint32_t)IOT_MAX_LOGIN_FAILURES)
#define CONFIG_MIN_PIN_LEN 4u
#define CONFIG_MAX_PIN_LEN 255u
#define CONFIG_MAX_SESSIONS ((CK_ULONG)IOT_MAX_SESSIONS)

enum { CONFIG_STORE_SQLITE = 0, CONFIG_STORE_FILES = 1 };

typedef struct iotoken_config {
	char *dir;
	int store; /* CONFIG_STORE_* */
	uint32_t iterations;
	uint32_t max_failures;
} iotoken_config;

/* CKR_FUNCTION_FAILED with a message on stderr when the file cannot be read
 * or says something unknown. The device profile has no file and no
 * environment: the defaults of iotoken/defaults.h, the files store. */
CK_RV config_load(iotoken_config *cfg) IOT_MUST_CHECK;
void config_free(iotoken_config *cfg);

/* Debug messages (IOTOKEN_DEBUG=1) and errors worth telling a person; none
 * without IOT_WITH_LOG (devices: no stdio). */
#if IOT_WITH_LOG
void config_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#else
static inline __attribute__((format(printf, 1, 2))) void config_log(const char *fmt, ...)
{
	(void)fmt;
}
#endif

#endif
