/*
 * iotoken-bench: PKCS#11 modules (iotoken, SoftHSM2, any other) against raw OpenSSL EVP.
 * See bench/README.md for what is measured and how to read the results.
 *
 * Include order: system headers, then "iotoken/pkcs11.h" (p11-kit's header defines
 * lower-case macros such as `value`, `count`, `parameter`; bench code avoids those words).
 */
#ifndef IOTOKEN_BENCH_H
#define IOTOKEN_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Columns of the result table. */
enum { COL_IOTOKEN, COL_SOFTHSM, COL_RAW, NCOLS };

/* Units of a result row. ops/s: higher is better; ms and KiB: lower is better. */
enum unit { U_OPS, U_MS, U_KIB };

/* Run parameters (set from the command line). */
struct bench_cfg {
	int windows;      /* timed windows per operation (median reported) */
	double window_s;  /* length of one window, seconds */
	long count;       /* > 0: fixed-count mode, each operation exactly this often */
	long pop[3];      /* object populations for the find tests */
	int init_runs;    /* C_Initialize + first find repetitions */
	const char *only; /* run only operations whose id contains this (NULL: all) */
	const char *self; /* path of this executable (for child processes) */
	int verbose;
};

extern struct bench_cfg cfg;
/* Measurements that failed (result_set with a negative value). */
extern int bench_failures;

/* One operation: called repeatedly, returns 0 on success. */
typedef int (*op_fn)(void *ctx);
/* Called after each window, untimed (e.g. destroys the objects the window created). */
typedef int (*cleanup_fn)(void *ctx);

/* Result rows. */
/* Declares a row (fixes the table order); rows without any value are not printed. */
void result_declare(const char *id, const char *desc, enum unit u);
void result_set(const char *id, const char *desc, enum unit u, int col, double v);
void results_print(FILE *f);
int results_write_tsv(const char *path);
int wanted(const char *id);

/* Timing (bench_util.c). */
double now_s(void);
/* Median ops/s of the configured windows (or one fixed-count run); < 0 on failure. The id
 * names the operation for callgrind dumps. fn runs once untimed first (warm-up). */
double measure(const char *id, op_fn fn, cleanup_fn cleanup, void *ctx);
/* Same for a slow operation: fixed-count mode runs count/slow_div of it (at least 1). */
double measure_slow(const char *id, op_fn fn, cleanup_fn cleanup, void *ctx, long slow_div);
double median(double *v, int n);
long peak_rss_kib(void);
void callgrind_begin(void);
void callgrind_end(const char *id);

/* Threaded measurement: nthreads workers each run fn(ctx[i]) until stopped. */
double measure_threads(const char *id, op_fn fn, void **ctxs, int nthreads);

/* PKCS#11 side (bench_p11.c): measures one module into column col. 0 on success. */
int bench_module(const char *path, int col);
/* Child mode (bench_obj.c): C_Initialize + open session + first find, and peak RSS;
 * prints the results on stdout for the parent. */
int bench_child_init(const char *path, long nobj);

/* Raw OpenSSL side (bench_raw.c). */
int bench_raw(void);

/* Shared test data. */
extern unsigned char data_1m[1 << 20];
void data_init(void);

#endif
