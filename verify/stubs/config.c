/*
 * Stub of src/core/config.c (the configuration file and environment are
 * outside the proofs): config_load gives a store directory (a fresh
 * port_malloc string, so its allocation may fail), either backend, and any
 * iteration count / failure limit the real parser accepts. config_log
 * prints nothing (its format arguments are still evaluated by the caller).
 */
#include <string.h>

#include "core/config.h"
#include "setup.h"

CK_RV config_load(iotoken_config *cfg)
{
	static const char dir[] = "/verify/store";
	static const unsigned long errors[] = { CKR_FUNCTION_FAILED };

	cfg->dir = NULL;
	if (verify_rv(1, errors) != CKR_OK)
		return CKR_FUNCTION_FAILED;
	cfg->dir = port_memdup(dir, sizeof(dir));
	if (cfg->dir == NULL)
		return CKR_HOST_MEMORY;
	if (verify_setup) {
		cfg->store = CONFIG_STORE_SQLITE;
		cfg->iterations = CONFIG_DEFAULT_ITERATIONS;
		cfg->max_failures = CONFIG_DEFAULT_MAX_FAILURES;
	} else {
		/* The backend is a partition key (verify_case_h, unused by the
		 * one harness that reaches this, C_Initialize): joined, the two
		 * suffixes make a listed name both a token and not one, and
		 * the slot list of the join is a false alarm. */
		verify_case_h = Frama_C_interval(0, 1);
		cfg->store = verify_case_h ? CONFIG_STORE_FILES : CONFIG_STORE_SQLITE;
		cfg->iterations = Frama_C_unsigned_int_interval(CONFIG_MIN_ITERATIONS, 100000000u);
		cfg->max_failures = Frama_C_unsigned_int_interval(1, 1000);
	}
	return CKR_OK;
}

void config_free(iotoken_config *cfg)
{
	port_free(cfg->dir);
	cfg->dir = NULL;
}

void config_log(const char *fmt, ...)
{
	(void)fmt;
}
