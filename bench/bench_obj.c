/*
 * The PKCS#11 side, objects: durable token object creation, finds by label and id over growing
 * populations of token objects, and (in fresh child processes) C_Initialize + first find and
 * peak RSS with the largest population loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dlfcn.h>

#include "bench.h"

#include "iotoken/pkcs11.h"
#include "bench_p11.h"

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

struct cr {
	struct mod *m;
	CK_OBJECT_HANDLE *h;
	size_t nh, cap;
	unsigned long seq;
};

static int create_op(void *ctx)
{
	struct cr *c = ctx;
	struct mod *m = c->m;
	CK_OBJECT_CLASS cls = CKO_DATA;
	char label[32];
	unsigned char val[32];
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) }, { CKA_TOKEN, &yes, 1 },
		{ CKA_PRIVATE, &no, 1 },          { CKA_APPLICATION, "iotoken-bench", 13 },
		{ CKA_LABEL, label, 0 },          { CKA_VALUE, val, sizeof(val) },
	};

	t[4].ulValueLen = (CK_ULONG)snprintf(label, sizeof(label), "bench-data-%lu", c->seq);
	memcpy(val, data_1m + (c->seq % 1000), sizeof(val));
	c->seq++;
	if (c->nh == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		CK_OBJECT_HANDLE *h = realloc(c->h, cap * sizeof(*h));

		if (!h)
			return -1;
		c->h = h;
		c->cap = cap;
	}
	CK(m, C_CreateObject(m->s, t, 6, &c->h[c->nh]));
	c->nh++;
	return 0;
}

static int create_cleanup(void *ctx)
{
	struct cr *c = ctx;

	for (size_t i = 0; i < c->nh; i++)
		CK(c->m, C_DestroyObject(c->m->s, c->h[i]));
	c->nh = 0;
	return 0;
}

static void pop_label(char *buf, size_t n, long i)
{
	snprintf(buf, n, "bench-obj-%07ld", i);
}

static void pop_id(unsigned char id[8], long i)
{
	memcpy(id, "bnch", 4);
	for (int b = 0; b < 4; b++)
		id[4 + b] = (unsigned char)((unsigned long)i >> (24 - 8 * b));
}

/* Population object i: an EC P-256 public key (all share one valid point) with CKA_LABEL
 * "bench-obj-<i>" and CKA_ID "bnch" + i (4 bytes, big endian). */
static int pop_create(struct mod *m, long i)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = CKK_EC;
	char label[32];
	unsigned char id[8];
	CK_OBJECT_HANDLE h;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &yes, 1 },
		{ CKA_PRIVATE, &no, 1 },
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_EC_PARAMS, (void *)p256_oid, sizeof(p256_oid) },
		{ CKA_EC_POINT, m->ec_point, m->ec_point_len },
		{ CKA_ID, id, sizeof(id) },
		{ CKA_LABEL, label, 0 },
	};

	pop_label(label, sizeof(label), i);
	t[8].ulValueLen = (CK_ULONG)strlen(label);
	pop_id(id, i);
	CK(m, C_CreateObject(m->s, t, 9, &h));
	return 0;
}

struct fd {
	struct mod *m;
	CK_SESSION_HANDLE s;
	int by_id;
	long n, i;
};

static int find_one(struct mod *m, CK_SESSION_HANDLE s, int by_id, long i)
{
	char label[32];
	unsigned char id[8];
	CK_ATTRIBUTE a = { CKA_LABEL, label, 0 };
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n = 0;

	if (by_id) {
		pop_id(id, i);
		a = (CK_ATTRIBUTE){ CKA_ID, id, sizeof(id) };
	} else {
		pop_label(label, sizeof(label), i);
		a.ulValueLen = (CK_ULONG)strlen(label);
	}
	CK(m, C_FindObjectsInit(s, &a, 1));
	CK(m, C_FindObjects(s, h, 2, &n));
	CK(m, C_FindObjectsFinal(s));
	if (n != 1) {
		fprintf(stderr, "bench: %s: find of object %ld gave %lu objects\n",
			col_name(m->col), i, (unsigned long)n);
		return -1;
	}
	return 0;
}

static int find_op(void *ctx)
{
	struct fd *d = ctx;

	/* a different object each time (7919 is prime, so this walks all of them) */
	d->i = (d->i + 7919) % d->n;
	return find_one(d->m, d->s, d->by_id, d->i);
}

/* Runs `self --child-init PATH NOBJ` and reads its results. */
static int run_child(const char *path, long nobj, double *ms, long *rss, long *rss_base)
{
	int p[2];
	pid_t pid;
	char nbuf[32], line[128];
	FILE *f;
	int st, got = 0;

	snprintf(nbuf, sizeof(nbuf), "%ld", nobj);
	if (pipe(p) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(cfg.self, cfg.self, "--child-init", path, nbuf, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		got += sscanf(line, "init_ms %lf", ms) == 1;
		got += sscanf(line, "rss_kib %ld", rss) == 1;
		got += sscanf(line, "rss_base_kib %ld", rss_base) == 1;
	}
	if (f)
		fclose(f);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || got != 3) {
		fprintf(stderr, "bench: child for %s failed\n", path);
		return -1;
	}
	return 0;
}

static void bench_init_rss(struct mod *m, const char *path, long nobj)
{
	char id[48], rid[48], did[48];
	double ms[16];
	long rss = -1, rss_max = -1, base = -1;
	int runs = cfg.init_runs < 16 ? cfg.init_runs : 16, n = 0;

	snprintf(id, sizeof(id), "init-find-%ld", nobj);
	snprintf(rid, sizeof(rid), "rss-%ld", nobj);
	snprintf(did, sizeof(did), "rss-delta-%ld", nobj);
	if (!wanted(id) && !wanted(rid) && !wanted(did))
		return;
	for (int i = 0; i < runs; i++) {
		if (run_child(path, nobj, &ms[n], &rss, &base) != 0)
			break;
		n++;
		if (rss > rss_max)
			rss_max = rss;
	}
	if (n == 0)
		return;
	result_set(id, id, U_MS, m->col, median(ms, n));
	result_set(rid, rid, U_KIB, m->col, (double)rss_max);
	result_set(did, did, U_KIB, m->col, (double)(rss_max - base));
}

void bench_objects(struct mod *m, const char *path)
{
	struct cr c = { .m = m };
	double t0 = 0;
	long last = 0;

	if (wanted("object-create")) {
		result_set("object-create", "", U_OPS, m->col,
			   measure("object-create", create_op, create_cleanup, &c));
		free(c.h);
	}
	for (int p = 0; p < 3; p++) {
		long target = cfg.pop[p];
		char lid[48], iid[48], pid[48];

		if (target <= 0 || target > MAX_POP || target < m->npop)
			continue;
		snprintf(lid, sizeof(lid), "find-label-%ld", target);
		snprintf(iid, sizeof(iid), "find-id-%ld", target);
		snprintf(pid, sizeof(pid), "populate-%ld", target);
		if (!wanted(lid) && !wanted(iid) && !wanted(pid) &&
		    !(p == 2 && (wanted("init-find") || wanted("rss"))))
			continue;
		t0 = now_s();
		last = m->npop;
		while (m->npop < target) {
			if (pop_create(m, m->npop) != 0)
				return;
			m->npop++;
		}
		if (p == 2 && wanted(pid))
			result_set(pid, pid, U_OPS, m->col,
				   (double)(m->npop - last) / (now_s() - t0));
		for (int by_id = 0; by_id < 2; by_id++) {
			struct fd d = { .m = m, .s = m->s, .by_id = by_id, .n = target };
			const char *id = by_id ? iid : lid;

			if (wanted(id))
				result_set(id, id, U_OPS, m->col, measure(id, find_op, NULL, &d));
		}
	}
	if (m->npop > 0)
		bench_init_rss(m, path, m->npop);
}

/* ---- child process: C_Initialize + open session + first find, and peak RSS ---- */

int bench_child_init(const char *path, long nobj)
{
	struct mod m = { .col = -1 };
	CK_C_GetFunctionList get;
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	long base = peak_rss_kib();
	double t0, t1;

	m.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m.dl) {
		fprintf(stderr, "bench: cannot load %s: %s\n", path, dlerror());
		return 1;
	}
	*(void **)&get = dlsym(m.dl, "C_GetFunctionList");
	if (!get || get(&m.f) != CKR_OK)
		return 1;
	t0 = now_s();
	if (m.f->C_Initialize(&args) != CKR_OK || find_slot(&m, 1, &m.slot) != 0)
		return 1;
	if (m.f->C_OpenSession(m.slot, CKF_SERIAL_SESSION, NULL, NULL, &m.s) != CKR_OK)
		return 1;
	if (find_one(&m, m.s, 0, nobj / 2) != 0)
		return 1;
	t1 = now_s();
	/* RSS with the objects loaded and both indexes used: also a find by id. */
	if (find_one(&m, m.s, 1, nobj - 1) != 0)
		return 1;
	printf("init_ms %.3f\n", (t1 - t0) * 1e3);
	printf("rss_kib %ld\n", peak_rss_kib());
	printf("rss_base_kib %ld\n", base);
	m.f->C_Finalize(NULL);
	return 0;
}
