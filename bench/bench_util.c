/*
 * Timing (median of fixed-time windows, or a fixed count for callgrind), peak RSS, and the
 * result table (printed and written as TSV).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif

#include "bench.h"

struct bench_cfg cfg;
int bench_failures;
unsigned char data_1m[1 << 20];

void data_init(void)
{
	for (size_t i = 0; i < sizeof(data_1m); i++)
		data_1m[i] = (unsigned char)(i * 31 + (i >> 8));
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Peak RSS of this process image. Linux keeps ru_maxrss across fork and execve (a child
 * started by a big parent reports the parent's peak), so /proc/self/status VmHWM, the peak of
 * the current address space, comes first; getrusage's ru_maxrss is the fallback. */
long peak_rss_kib(void)
{
	struct rusage ru;
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	if (kib >= 0)
		return kib;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return ru.ru_maxrss;
}

/* Under valgrind --tool=callgrind: zero the counters before the measured loop and dump them
 * after it, so each operation gets its own callgrind.out file named by the id. */
void callgrind_begin(void)
{
#ifdef HAVE_CALLGRIND
	CALLGRIND_ZERO_STATS;
#endif
}

void callgrind_end(const char *id)
{
#ifdef HAVE_CALLGRIND
	CALLGRIND_DUMP_STATS_AT(id);
#else
	(void)id;
#endif
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double median(double *v, int n)
{
	if (n <= 0)
		return -1;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One window of len seconds: batches of k calls between clock reads, k doubling while a batch
 * is short, so that reading the clock costs nothing measurable even for fast operations. */
static double run_window(op_fn fn, void *ctx, double len)
{
	long k = 1, n = 0;
	double t0 = now_s(), tb = t0, t;

	for (;;) {
		for (long i = 0; i < k; i++)
			if (fn(ctx) != 0)
				return -1;
		n += k;
		t = now_s();
		if (t - t0 >= len)
			break;
		if (t - tb < len / 64)
			k *= 2;
		if (k > 1 && (t - t0) + (t - tb) > len * 1.5)
			k /= 2;
		tb = t;
	}
	return (double)n / (t - t0);
}

static double run_count(const char *id, op_fn fn, void *ctx, long n)
{
	double t0, t;

	callgrind_begin();
	t0 = now_s();
	for (long i = 0; i < n; i++)
		if (fn(ctx) != 0)
			return -1;
	t = now_s();
	callgrind_end(id);
	return (double)n / (t - t0 > 0 ? t - t0 : 1e-9);
}

double measure_slow(const char *id, op_fn fn, cleanup_fn cleanup, void *ctx, long slow_div)
{
	double v[64], r;
	int nw = cfg.windows < 64 ? cfg.windows : 64;

	if (fn(ctx) != 0) /* warm-up, and a first check that the operation works */
		return -1;
	if (cleanup && cleanup(ctx) != 0)
		return -1;
	if (cfg.count > 0) {
		long n = cfg.count / (slow_div > 0 ? slow_div : 1);

		r = run_count(id, fn, ctx, n > 0 ? n : 1);
		if (cleanup && cleanup(ctx) != 0)
			return -1;
		return r;
	}
	for (int w = 0; w < nw; w++) {
		v[w] = run_window(fn, ctx, cfg.window_s);
		if (cleanup && cleanup(ctx) != 0)
			return -1;
		if (v[w] < 0)
			return -1;
	}
	return median(v, nw);
}

double measure(const char *id, op_fn fn, cleanup_fn cleanup, void *ctx)
{
	return measure_slow(id, fn, cleanup, ctx, 1);
}

/* ---- threads ---- */

struct worker {
	pthread_t tid;
	op_fn fn;
	void *ctx;
	atomic_int *stop;
	long limit; /* fixed-count mode: this many, else until *stop */
	long done;
	int failed;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (w->limit > 0 ? w->done < w->limit : !atomic_load(w->stop)) {
		if (w->fn(w->ctx) != 0) {
			w->failed = 1;
			break;
		}
		w->done++;
	}
	return NULL;
}

static double thread_window(op_fn fn, void **ctxs, int nthreads, double len, long limit)
{
	struct worker w[8];
	atomic_int stop = 0;
	long total = 0;
	int failed = 0;
	double t0, t;

	if (nthreads > 8)
		return -1;
	t0 = now_s();
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ .fn = fn, .ctx = ctxs[i], .stop = &stop, .limit = limit };
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0)
			return -1;
	}
	if (limit <= 0) {
		struct timespec ts = { (time_t)len, (long)((len - (double)(time_t)len) * 1e9) };

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		atomic_store(&stop, 1);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		total += w[i].done;
		failed |= w[i].failed;
	}
	t = now_s();
	return failed ? -1 : (double)total / (t - t0);
}

double measure_threads(const char *id, op_fn fn, void **ctxs, int nthreads)
{
	double v[64], r;
	int nw = cfg.windows < 64 ? cfg.windows : 64;

	for (int i = 0; i < nthreads; i++)
		if (fn(ctxs[i]) != 0)
			return -1;
	if (cfg.count > 0) {
		callgrind_begin();
		r = thread_window(fn, ctxs, nthreads, 0, cfg.count);
		callgrind_end(id);
		return r;
	}
	for (int w = 0; w < nw; w++)
		if ((v[w] = thread_window(fn, ctxs, nthreads, cfg.window_s, 0)) < 0)
			return -1;
	return median(v, nw);
}

/* ---- results ---- */

#define MAX_ROWS 64

struct row {
	char id[48];
	char desc[80];
	enum unit unit;
	double v[NCOLS];
	int has[NCOLS];
};

static struct row rows[MAX_ROWS];
static int nrows;

int wanted(const char *id)
{
	const char *p = cfg.only;

	if (!p || !*p)
		return 1;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char tok[64];

		if (n > 0 && n < sizeof(tok)) {
			memcpy(tok, p, n);
			tok[n] = 0;
			if (strstr(id, tok))
				return 1;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static struct row *row_get(const char *id, const char *desc, enum unit u)
{
	struct row *r = NULL;

	for (int i = 0; i < nrows; i++)
		if (strcmp(rows[i].id, id) == 0)
			r = &rows[i];
	if (!r) {
		if (nrows == MAX_ROWS)
			return NULL;
		r = &rows[nrows++];
		memset(r, 0, sizeof(*r));
		snprintf(r->id, sizeof(r->id), "%s", id);
		snprintf(r->desc, sizeof(r->desc), "%s", desc);
		r->unit = u;
	}
	return r;
}

void result_declare(const char *id, const char *desc, enum unit u)
{
	row_get(id, desc, u);
}

void result_set(const char *id, const char *desc, enum unit u, int col, double v)
{
	struct row *r = row_get(id, desc, u);

	if (!r)
		return;
	if (v < 0) {
		bench_failures++; /* left empty; the run fails */
		return;
	}
	r->v[col] = v;
	r->has[col] = 1;
	if (cfg.verbose)
		fprintf(stderr, "  %-40s %-8s %14.2f\n", id,
			col == COL_IOTOKEN   ? "iotoken"
			: col == COL_SOFTHSM ? "softhsm"
					     : "raw",
			v);
}

static const char *unit_name(enum unit u)
{
	return u == U_OPS ? "ops/s" : u == U_MS ? "ms" : "KiB";
}

static void fmt_val(char *buf, size_t n, const struct row *r, int col)
{
	double v = r->v[col];

	if (!r->has[col])
		snprintf(buf, n, "-");
	else if (v >= 100)
		snprintf(buf, n, "%.0f", v);
	else if (v >= 1)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.3f", v);
}

static void fmt_ratio(char *buf, size_t n, const struct row *r, int a, int b)
{
	if (!r->has[a] || !r->has[b] || r->v[b] <= 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.2fx", r->v[a] / r->v[b]);
}

void results_print(FILE *f)
{
	char c[5][32];

	fprintf(f, "%-52s %-5s %11s %11s %11s %8s %9s\n", "operation", "unit", "iotoken",
		"SoftHSM2", "raw", "io/raw", "io/SoftHSM");
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (!r->has[0] && !r->has[1] && !r->has[2])
			continue;
		fmt_val(c[0], sizeof(c[0]), r, COL_IOTOKEN);
		fmt_val(c[1], sizeof(c[1]), r, COL_SOFTHSM);
		fmt_val(c[2], sizeof(c[2]), r, COL_RAW);
		fmt_ratio(c[3], sizeof(c[3]), r, COL_IOTOKEN, COL_RAW);
		fmt_ratio(c[4], sizeof(c[4]), r, COL_IOTOKEN, COL_SOFTHSM);
		fprintf(f, "%-52s %-5s %11s %11s %11s %8s %9s\n", r->desc, unit_name(r->unit), c[0],
			c[1], c[2], c[3], c[4]);
	}
	fprintf(f, "ops/s: higher is better; ms and KiB: lower is better (ratios are plain "
		   "value ratios).\n");
}

static void tsv_val(FILE *f, const struct row *r, int col)
{
	if (r->has[col])
		fprintf(f, "\t%.6g", r->v[col]);
	else
		fprintf(f, "\tNA");
}

static void tsv_ratio(FILE *f, const struct row *r, int a, int b)
{
	if (r->has[a] && r->has[b] && r->v[b] > 0)
		fprintf(f, "\t%.4f", r->v[a] / r->v[b]);
	else
		fprintf(f, "\tNA");
}

int results_write_tsv(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "id\toperation\tunit\tiotoken\tsofthsm2\traw\tiotoken_per_raw\t"
		   "iotoken_per_softhsm2\n");
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (!r->has[0] && !r->has[1] && !r->has[2])
			continue;
		fprintf(f, "%s\t%s\t%s", r->id, r->desc, unit_name(r->unit));
		tsv_val(f, r, COL_IOTOKEN);
		tsv_val(f, r, COL_SOFTHSM);
		tsv_val(f, r, COL_RAW);
		tsv_ratio(f, r, COL_IOTOKEN, COL_RAW);
		tsv_ratio(f, r, COL_IOTOKEN, COL_SOFTHSM);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "bench: writing %s failed\n", path);
		return -1;
	}
	return 0;
}
