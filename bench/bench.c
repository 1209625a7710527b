/*
 * iotoken-bench: the driver. Sets up a scratch directory (iotoken store and SoftHSM2 token
 * directory, with their configuration files), runs raw OpenSSL and each module given on the
 * command line, and prints the table (and writes it as TSV with --out).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define SOFTHSM_DEFAULT "/usr/lib/softhsm/libsofthsm2.so"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iotoken-bench [options]\n"
		"  --iotoken PATH     measure this module in the iotoken column\n"
		"  --softhsm PATH     measure this module in the SoftHSM2 column; 'auto': "
		"%s if it exists\n"
		"  --raw              measure raw OpenSSL EVP (the raw column)\n"
		"  --smoke            tiny windows and populations: checks that everything runs\n"
		"  --windows N        timed windows per operation (median reported; default 5)\n"
		"  --window-ms MS     length of a window (default 200)\n"
		"  --count N          fixed-count mode: each operation N times, one dump per\n"
		"                     operation under valgrind --tool=callgrind (slow operations\n"
		"                     run N/20 (RSA keygen) or N/100 (1 MiB digest) times)\n"
		"  --objects A,B,C    object populations for the find tests (default "
		"10,1000,10000)\n"
		"  --init-runs N      fresh processes for C_Initialize + first find (default 3)\n"
		"  --only LIST        only the operations whose id contains one of the\n"
		"                     comma-separated words (ids: see the TSV)\n"
		"  --scratch DIR      parent of the scratch directory (default $TMPDIR or /var/tmp;\n"
		"                     use a real disk: fsync on tmpfs costs nothing)\n"
		"  --keep             keep the scratch directory\n"
		"  --out FILE         also write the results as TSV\n"
		"  -v                 print each result as it is measured\n",
		SOFTHSM_DEFAULT);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Scratch directory with both modules' configuration; sets IOTOKEN_CONF and SOFTHSM2_CONF. */
static int scratch_setup(char *dir, size_t n, const char *parent)
{
	char path[PATH_MAX + 32], text[PATH_MAX + 128];

	snprintf(dir, n, "%s/iotoken-bench.XXXXXX", parent);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "bench: mkdtemp in %s: %s\n", parent, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/tokens", dir);
	if (mkdir(path, 0700) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/iotoken.conf", dir);
	snprintf(text, sizeof(text), "dir = %s/store\npbkdf2_iterations = 1000\n", dir);
	if (write_file(path, text) != 0 || setenv("IOTOKEN_CONF", path, 1) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/softhsm2.conf", dir);
	snprintf(text, sizeof(text),
		 "directories.tokendir = %s/tokens\nobjectstore.backend = file\n"
		 "log.level = ERROR\nslots.removable = false\n",
		 dir);
	if (write_file(path, text) != 0 || setenv("SOFTHSM2_CONF", path, 1) != 0)
		return -1;
	return 0;
}

static void declare_rows(void)
{
	static const struct {
		const char *id, *desc;
	} t[] = {
		{ "keygen-ec-session", "EC P-256 key pair generation, session" },
		{ "keygen-ec-token", "EC P-256 key pair generation, token" },
		{ "keygen-rsa-session", "RSA-2048 key pair generation, session" },
		{ "keygen-rsa-token", "RSA-2048 key pair generation, token" },
		{ "sign-ecdsa", "sign CKM_ECDSA P-256, 32 B hash" },
		{ "verify-ecdsa", "verify CKM_ECDSA P-256, 32 B hash" },
		{ "sign-ecdsa-sha256", "sign CKM_ECDSA_SHA256 P-256, 1 KiB" },
		{ "verify-ecdsa-sha256", "verify CKM_ECDSA_SHA256 P-256, 1 KiB" },
		{ "sign-rsa-pkcs", "sign CKM_RSA_PKCS 2048, 51 B DigestInfo" },
		{ "verify-rsa-pkcs", "verify CKM_RSA_PKCS 2048, 51 B DigestInfo" },
		{ "sign-sha256-rsa-pkcs", "sign CKM_SHA256_RSA_PKCS 2048, 1 KiB" },
		{ "verify-sha256-rsa-pkcs", "verify CKM_SHA256_RSA_PKCS 2048, 1 KiB" },
		{ "sign-sha256-rsa-pss", "sign CKM_SHA256_RSA_PKCS_PSS 2048, 1 KiB" },
		{ "verify-sha256-rsa-pss", "verify CKM_SHA256_RSA_PKCS_PSS 2048, 1 KiB" },
		{ "digest-sha256-64", "SHA-256 one-shot, 64 B" },
		{ "digest-sha256-1k", "SHA-256 one-shot, 1 KiB" },
		{ "digest-sha256-1m", "SHA-256 one-shot, 1 MiB" },
		{ "digest-sha256-multi", "SHA-256 multi-part, 64 x 1 KiB" },
		{ "random-32", "C_GenerateRandom / RAND_bytes, 32 B" },
		{ "session-open-close", "C_OpenSession + C_CloseSession" },
		{ "object-create", "create token data object (durable)" },
		{ "ecdsa-1thread", "sign CKM_ECDSA P-256, 1 thread" },
		{ "ecdsa-2threads", "sign CKM_ECDSA P-256, 2 threads (own sessions)" },
	};
	char id[48], desc[80];
	long last = 0;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		result_declare(t[i].id, t[i].desc, U_OPS);
	for (int p = 0; p < 3; p++) {
		long n = cfg.pop[p];

		if (n <= 0)
			continue;
		last = n;
		snprintf(id, sizeof(id), "find-label-%ld", n);
		snprintf(desc, sizeof(desc), "find by CKA_LABEL, %ld token objects", n);
		result_declare(id, desc, U_OPS);
		snprintf(id, sizeof(id), "find-id-%ld", n);
		snprintf(desc, sizeof(desc), "find by CKA_ID, %ld token objects", n);
		result_declare(id, desc, U_OPS);
	}
	snprintf(id, sizeof(id), "populate-%ld", cfg.pop[2]);
	snprintf(desc, sizeof(desc), "create token public keys, %ld-%ld objects", cfg.pop[1],
		 cfg.pop[2]);
	result_declare(id, desc, U_OPS);
	snprintf(id, sizeof(id), "init-find-%ld", last);
	snprintf(desc, sizeof(desc), "C_Initialize+session+first find, %ld objects", last);
	result_declare(id, desc, U_MS);
	snprintf(id, sizeof(id), "rss-%ld", last);
	snprintf(desc, sizeof(desc), "peak RSS, %ld objects loaded", last);
	result_declare(id, desc, U_KIB);
	snprintf(id, sizeof(id), "rss-delta-%ld", last);
	snprintf(desc, sizeof(desc), "  of which after loading the module");
	result_declare(id, desc, U_KIB);
}

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *iotoken = NULL, *softhsm = NULL, *out = NULL;
	const char *parent = getenv("TMPDIR");
	char scratch[PATH_MAX], self[PATH_MAX];
	int raw = 0, smoke = 0, keep = 0, rc = 0;
	long v, window_ms = 200;
	ssize_t sl;

	cfg.windows = 5;
	cfg.pop[0] = 10;
	cfg.pop[1] = 1000;
	cfg.pop[2] = 10000;
	cfg.init_runs = 3;
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[sl > 0 ? sl : 0] = 0;
	cfg.self = sl > 0 ? self : argv[0];

	if (argc == 4 && strcmp(argv[1], "--child-init") == 0 && parse_long(argv[3], &v) == 0)
		return bench_child_init(argv[2], v);

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;

		if (strcmp(a, "--iotoken") == 0 && next)
			iotoken = next;
		else if (strcmp(a, "--softhsm") == 0 && next)
			softhsm = next;
		else if (strcmp(a, "--out") == 0 && next)
			out = next;
		else if (strcmp(a, "--scratch") == 0 && next)
			parent = next;
		else if (strcmp(a, "--only") == 0 && next)
			cfg.only = next;
		else if (strcmp(a, "--windows") == 0 && next && parse_long(next, &v) == 0 && v > 0)
			cfg.windows = (int)(v < 64 ? v : 64);
		else if (strcmp(a, "--window-ms") == 0 && next && parse_long(next, &v) == 0 &&
			 v > 0)
			window_ms = v;
		else if (strcmp(a, "--count") == 0 && next && parse_long(next, &v) == 0 && v > 0)
			cfg.count = v;
		else if (strcmp(a, "--init-runs") == 0 && next && parse_long(next, &v) == 0 &&
			 v > 0)
			cfg.init_runs = (int)v;
		else if (strcmp(a, "--objects") == 0 && next &&
			 sscanf(next, "%ld,%ld,%ld", &cfg.pop[0], &cfg.pop[1], &cfg.pop[2]) == 3 &&
			 cfg.pop[0] > 0 && cfg.pop[0] <= cfg.pop[1] && cfg.pop[1] <= cfg.pop[2])
			;
		else {
			takes = 0;
			if (strcmp(a, "--raw") == 0) {
				raw = 1;
			} else if (strcmp(a, "--smoke") == 0) {
				smoke = 1;
			} else if (strcmp(a, "--keep") == 0) {
				keep = 1;
			} else if (strcmp(a, "-v") == 0) {
				cfg.verbose = 1;
			} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
				usage(stdout);
				return 0;
			} else {
				fprintf(stderr, "bench: bad argument: %s\n", a);
				usage(stderr);
				return 2;
			}
		}
		i += takes;
	}
	if (smoke) {
		cfg.windows = 1;
		window_ms = 10;
		cfg.pop[0] = 10;
		cfg.pop[1] = 50;
		cfg.pop[2] = 200;
		cfg.init_runs = 1;
	}
	cfg.window_s = (double)window_ms / 1000;
	if (softhsm && strcmp(softhsm, "auto") == 0) {
		softhsm = access(SOFTHSM_DEFAULT, R_OK) == 0 ? SOFTHSM_DEFAULT : NULL;
		if (!softhsm)
			fprintf(stderr, "bench: %s not installed, no SoftHSM2 column\n",
				SOFTHSM_DEFAULT);
	}
	if (!iotoken && !softhsm && !raw) {
		fprintf(stderr, "bench: nothing to measure: give --iotoken, --softhsm or --raw\n");
		usage(stderr);
		return 2;
	}
	if (!parent || !*parent)
		parent = "/var/tmp";
	if (scratch_setup(scratch, sizeof(scratch), parent) != 0)
		return 1;
	data_init();
	declare_rows();

	if (raw && bench_raw() != 0)
		rc = 1;
	if (iotoken && bench_module(iotoken, COL_IOTOKEN) != 0)
		rc = 1;
	if (softhsm && bench_module(softhsm, COL_SOFTHSM) != 0)
		rc = 1;

	if (bench_failures)
		rc = 1;
	printf("\n");
	results_print(stdout);
	if (out && results_write_tsv(out) != 0)
		rc = 1;
	if (keep)
		fprintf(stderr, "bench: scratch directory kept: %s\n", scratch);
	else
		nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (rc)
		fprintf(stderr, "bench: some measurements failed (see above)\n");
	return rc;
}
