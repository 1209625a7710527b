/*
 * Crash consistency under SIGKILL (issue 7; SECURITY.md rows 17, 22, 23), on
 * both store backends (api/ and api-files/).
 *
 * The parent runs the test executable again as a worker (IOTOKEN_TEST_SELF
 * --child worker): it initializes the module, logs in and plays a random
 * journal of token operations on one token: creates private and public
 * data objects with known contents, changes their CKA_LABEL and CKA_VALUE,
 * destroys them, changes the user PIN (C_SetPIN, alternating between two
 * known PINs), fails and succeeds logins. Before each operation it writes
 * "B <op>" to a pipe (fd 3), after CKR_OK "C <op>": the parent learns which
 * operations committed and which one was in flight. The parent kills the
 * worker with SIGKILL after a random delay (about log-uniform, 200 us to
 * 102 ms: a durable write costs 5 to 20 ms on a disk) counted from the
 * worker's first login, or for one kill in eight each from its fork or its
 * C_Initialize, so that those and the first login are hit too), then
 * reopens the token
 * (C_Initialize in the parent) and checks:
 *   - the token loads (no CKR_DEVICE_ERROR) and every committed change is
 *     there: each object with its last committed label and value, destroyed
 *     objects gone, nothing else;
 *   - the operation in flight is either there or not (old or new value,
 *     never anything else), and the model follows what is found;
 *   - no object is half-written: all its attributes are readable, its class,
 *     CKA_TOKEN, CKA_PRIVATE and CKA_APPLICATION are those written, its value
 *     is byte for byte one the worker wrote (values are 64 to 263 bytes of a
 *     pseudo-random stream named by the label);
 *   - C_Login works with the PIN of the last committed C_SetPIN or with the
 *     one in flight;
 *   - the user PIN's failure counter, read from the store itself, is at
 *     least the number of committed failed logins since the last committed
 *     success (row 17: counted before the check completes) and at most one
 *     more (or 0 when the operation in flight was a login or C_SetPIN, which
 *     reset it); CKF_USER_PIN_COUNT_LOW agrees with it.
 * Bounded: IOTOKEN_CRASH_KILLS kills (default 200) or IOTOKEN_CRASH_SECONDS
 * (default 60), whichever comes first. IOTOKEN_CRASH_SEED replays a run (the
 * seed is printed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "harness.h"

#define JOURNAL_FD 3
#define APP "iotoken crash test"
#define WRONG_PIN "wrong-pin-0000"
#define MAX_OBJ 256
#define NAME_MAX_LEN 32
#define LINE_MAX_LEN 128
#define WORKER_OBJ_MAX 24
#define WORKER_MAX_OPS 100000

static const char *const pins[2] = { H_USER_PIN, "second-pin-5678" };

/* ---- shared: pseudo-random numbers and object contents ---- */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The value of object name at version ver: "V|name|ver|" then a stream. */
static size_t make_value(const char *name, unsigned long ver, unsigned char *out, size_t max)
{
	uint64_t st = hash_str(name) ^ (ver * 0x2545f4914f6cdd1dULL);
	size_t len = 64 + (size_t)(rng_next(&st) % 200), i;
	int n = snprintf((char *)out, max, "V|%s|%lu|", name, ver);

	if (len > max)
		len = max;
	for (i = (size_t)n; i < len; i++)
		out[i] = (unsigned char)rng_next(&st);
	return len;
}

static void make_label(const char *name, unsigned long ver, char *out, size_t max)
{
	snprintf(out, max, "%s#%lu", name, ver);
}

/* Name and version from a label "name#ver"; 0 when it is not one. */
static int parse_label(const char *label, char *name, unsigned long *ver)
{
	const char *hash = strrchr(label, '#');
	char *end;

	if (hash == NULL || (size_t)(hash - label) >= NAME_MAX_LEN || hash == label)
		return 0;
	memcpy(name, label, (size_t)(hash - label));
	name[hash - label] = '\0';
	errno = 0;
	*ver = strtoul(hash + 1, &end, 10);
	return errno == 0 && *end == '\0' && end != hash + 1;
}

static unsigned long env_ulong(const char *name, unsigned long dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtoul(v, NULL, 0) : dflt;
}

/* ---- the worker (no cmocka: reports through the journal) ---- */

typedef struct wobj {
	char name[NAME_MAX_LEN];
	CK_OBJECT_HANDLE h;
} wobj;

static wobj wobjs[WORKER_OBJ_MAX];
static int nwobj;

static void journal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void journal(const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write of less than PIPE_BUF bytes: atomic, kill or not. */
	if (write(JOURNAL_FD, line, (size_t)n) != n)
		_exit(4);
}

#define W_RV(call, expected)                                                         \
	do {                                                                         \
		CK_RV got_ = (call);                                                 \
		if (got_ != (CK_RV)(expected)) {                                     \
			journal("E %s:%d %s returned %s", __FILE__, __LINE__, #call, \
				h_rv_name(got_));                                    \
			return 1;                                                    \
		}                                                                    \
	} while (0)

#define W_CHECK(cond)                                                     \
	do {                                                              \
		if (!(cond)) {                                            \
			journal("E %s:%d %s", __FILE__, __LINE__, #cond); \
			return 1;                                         \
		}                                                         \
	} while (0)

/* Finds the test's objects again (after a login, private handles are new). */
static int worker_discover(CK_SESSION_HANDLE s)
{
	CK_ATTRIBUTE t = { CKA_APPLICATION, (void *)APP, sizeof(APP) - 1 };
	CK_OBJECT_HANDLE found[WORKER_OBJ_MAX + 1];
	CK_ULONG n = 0, i;
	char label[LINE_MAX_LEN];
	unsigned long ver;

	W_RV(p11->C_FindObjectsInit(s, &t, 1), CKR_OK);
	W_RV(p11->C_FindObjects(s, found, WORKER_OBJ_MAX + 1, &n), CKR_OK);
	W_RV(p11->C_FindObjectsFinal(s), CKR_OK);
	W_CHECK(n <= WORKER_OBJ_MAX);
	nwobj = 0;
	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE a = { CKA_LABEL, label, sizeof(label) - 1 };

		W_RV(p11->C_GetAttributeValue(s, found[i], &a, 1), CKR_OK);
		label[a.ulValueLen] = '\0';
		W_CHECK(parse_label(label, wobjs[nwobj].name, &ver));
		wobjs[nwobj].h = found[i];
		nwobj++;
	}
	return 0;
}

static int worker_login(CK_SESSION_HANDLE s, int pin)
{
	journal("B login");
	W_RV(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pins[pin], strlen(pins[pin])), CKR_OK);
	journal("C login");
	return worker_discover(s);
}

static int worker_create(CK_SESSION_HANDLE s, const char *name, unsigned long ver)
{
	unsigned char val[300];
	char label[LINE_MAX_LEN];
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, priv = name[strlen(name) - 1] == 'p';
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ULONG vlen;

	make_label(name, ver, label, sizeof(label));
	vlen = make_value(name, ver, val, sizeof(val));
	{
		CK_ATTRIBUTE t[] = {
			{ CKA_CLASS, &cls, sizeof(cls) },
			{ CKA_TOKEN, &yes, sizeof(yes) },
			{ CKA_PRIVATE, &priv, sizeof(priv) },
			{ CKA_LABEL, label, strlen(label) },
			{ CKA_APPLICATION, (void *)APP, sizeof(APP) - 1 },
			{ CKA_VALUE, val, vlen },
		};

		journal("B create %s %lu", name, ver);
		W_RV(p11->C_CreateObject(s, t, 6, &h), CKR_OK);
		journal("C create %s %lu", name, ver);
	}
	snprintf(wobjs[nwobj].name, NAME_MAX_LEN, "%s", name);
	wobjs[nwobj].h = h;
	nwobj++;
	return 0;
}

static int worker(void)
{
	uint64_t rng = env_ulong("IOTOKEN_CRASH_WSEED", 1);
	unsigned long iter = env_ulong("IOTOKEN_CRASH_ITER", 0);
	int pin = (int)env_ulong("IOTOKEN_CRASH_PIN", 0);
	CK_SLOT_ID slot = env_ulong("IOTOKEN_CRASH_SLOT", 0);
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	unsigned long op, created = 0, fails = 0;

	W_RV(p11->C_Initialize(NULL), CKR_OK);
	journal("S");
	W_RV(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s), CKR_OK);
	if (worker_login(s, pin) != 0)
		return 1;
	for (op = 1; op <= WORKER_MAX_OPS; op++) {
		unsigned long ver = iter * 1000000UL + op;
		unsigned r = (unsigned)(rng_next(&rng) % 100);
		int k = nwobj > 0 ? (int)(rng_next(&rng) % (uint64_t)nwobj) : -1;
		char label[LINE_MAX_LEN];
		unsigned char val[300];

		if (r < 25 || k < 0) {
			char name[NAME_MAX_LEN];

			if (nwobj >= WORKER_OBJ_MAX - 1) {
				r = 80; /* full: destroy instead */
			} else {
				snprintf(name, sizeof(name), "w%lu-%lu%c", iter, created++,
					 rng_next(&rng) & 1 ? 'p' : 'u');
				if (worker_create(s, name, ver) != 0)
					return 1;
				continue;
			}
		}
		if (r < 45) {
			CK_ATTRIBUTE a = { CKA_LABEL, label, 0 };

			make_label(wobjs[k].name, ver, label, sizeof(label));
			a.ulValueLen = strlen(label);
			journal("B label %s %lu", wobjs[k].name, ver);
			W_RV(p11->C_SetAttributeValue(s, wobjs[k].h, &a, 1), CKR_OK);
			journal("C label %s %lu", wobjs[k].name, ver);
		} else if (r < 65) {
			CK_ATTRIBUTE a = { CKA_VALUE, val, 0 };

			a.ulValueLen = make_value(wobjs[k].name, ver, val, sizeof(val));
			journal("B value %s %lu", wobjs[k].name, ver);
			W_RV(p11->C_SetAttributeValue(s, wobjs[k].h, &a, 1), CKR_OK);
			journal("C value %s %lu", wobjs[k].name, ver);
		} else if (r < 80 && nwobj < 6) {
			/* Few objects: keep them. */
			continue;
		} else if (r < 85) {
			journal("B destroy %s", wobjs[k].name);
			W_RV(p11->C_DestroyObject(s, wobjs[k].h), CKR_OK);
			journal("C destroy %s", wobjs[k].name);
			wobjs[k] = wobjs[--nwobj];
		} else if (r < 92) {
			int to = 1 - pin;

			journal("B pin %d", to);
			W_RV(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)pins[pin], strlen(pins[pin]),
					   (CK_UTF8CHAR_PTR)pins[to], strlen(pins[to])),
			     CKR_OK);
			journal("C pin %d", to);
			pin = to;
			fails = 0;
		} else {
			/* Logout, then a failed login (at most three in a row, far
			 * from the lock at ten) or a successful one. */
			W_RV(p11->C_Logout(s), CKR_OK);
			if (r < 97 && fails < 3) {
				journal("B fail");
				W_RV(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)WRONG_PIN,
						  strlen(WRONG_PIN)),
				     CKR_PIN_INCORRECT);
				journal("C fail");
				fails++;
			}
			if (worker_login(s, pin) != 0)
				return 1;
			fails = 0;
		}
	}
	return 0;
}

/* ---- the parent: the model of what committed ---- */

typedef struct mobj {
	char name[NAME_MAX_LEN];
	unsigned long label_ver, value_ver;
	int exists, seen;
} mobj;

typedef struct model {
	mobj o[MAX_OBJ];
	int n;
	int pin;                /* index of the user PIN in force */
	unsigned long failures; /* committed failed logins since the last success */
} model;

/* An operation from the journal. */
typedef enum {
	OP_NONE,
	OP_LOGIN,
	OP_CREATE,
	OP_LABEL,
	OP_VALUE,
	OP_DESTROY,
	OP_PIN,
	OP_FAIL
} op_kind;

static const char *const op_names[] = { "none",  "login",   "create", "label",
					"value", "destroy", "pin",    "fail" };

typedef struct jop {
	op_kind kind;
	char name[NAME_MAX_LEN];
	unsigned long ver;
} jop;

typedef struct stats {
	unsigned long kills, exited, committed, inflight, inflight_done;
	unsigned long committed_by[8], inflight_by[8], inflight_done_by[8];
	unsigned long objects_checked, max_objects, fail_counter_max;
} stats;

static mobj *model_find(model *m, const char *name)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (m->o[i].exists && strcmp(m->o[i].name, name) == 0)
			return &m->o[i];
	return NULL;
}

static int parse_op(const char *line, jop *op)
{
	char word[16];
	int n;

	memset(op, 0, sizeof(*op));
	n = sscanf(line, "%15s %31s %lu", word, op->name, &op->ver);
	if (n < 1)
		return 0;
	for (int k = OP_LOGIN; k <= OP_FAIL; k++) {
		if (strcmp(word, op_names[k]) == 0) {
			op->kind = (op_kind)k;
			if (k == OP_PIN)
				op->ver = strtoul(op->name, NULL, 10);
			return 1;
		}
	}
	return 0;
}

static void model_apply(model *m, const jop *op)
{
	mobj *o;

	switch (op->kind) {
	case OP_LOGIN:
		m->failures = 0;
		break;
	case OP_FAIL:
		m->failures++;
		break;
	case OP_PIN:
		m->pin = (int)op->ver;
		m->failures = 0;
		break;
	case OP_CREATE:
		if (model_find(m, op->name) != NULL)
			fail_msg("journal: %s created twice", op->name);
		if (m->n == MAX_OBJ) {
			/* Reuse the slot of a destroyed object. */
			int i;

			for (i = 0; i < m->n && m->o[i].exists; i++)
				;
			if (i == m->n)
				fail_msg("model full");
			o = &m->o[i];
		} else {
			o = &m->o[m->n++];
		}
		memset(o, 0, sizeof(*o));
		snprintf(o->name, sizeof(o->name), "%s", op->name);
		o->label_ver = o->value_ver = op->ver;
		o->exists = 1;
		break;
	case OP_LABEL:
	case OP_VALUE:
	case OP_DESTROY:
		o = model_find(m, op->name);
		if (o == NULL)
			fail_msg("journal: %s %s of an unknown object", op_names[op->kind],
				 op->name);
		if (op->kind == OP_LABEL)
			o->label_ver = op->ver;
		else if (op->kind == OP_VALUE)
			o->value_ver = op->ver;
		else
			o->exists = 0;
		break;
	default:
		break;
	}
}

/* The journal buffer: what the parent read while waiting, then the rest. */
typedef struct jbuf {
	char *p;
	size_t len, cap;
} jbuf;

/* Reads once (blocking) into j; returns the bytes read, 0 at end of file. */
static size_t jbuf_read(jbuf *j, int fd)
{
	ssize_t r;

	if (j->cap - j->len < 4096) {
		j->cap = j->cap ? j->cap * 2 : 65536;
		j->p = realloc(j->p, j->cap);
		assert_non_null(j->p);
	}
	do {
		r = read(fd, j->p + j->len, j->cap - 1 - j->len);
	} while (r < 0 && errno == EINTR);
	if (r <= 0)
		return 0;
	j->len += (size_t)r;
	j->p[j->len] = '\0';
	return (size_t)r;
}

/* Reads until the journal holds the line want (or ends). */
static void jbuf_wait_for(jbuf *j, int fd, const char *want)
{
	while (j->len == 0 || strstr(j->p, want) == NULL) {
		if (jbuf_read(j, fd) == 0)
			return;
	}
}

/* Reads the journal to its end (the worker is dead): applies the committed
 * operations, returns the one in flight (kind OP_NONE if none). */
static void read_journal(jbuf *j, int fd, model *m, jop *inflight, stats *st, unsigned long iter)
{
	char *line, *nl;
	jop op;

	while (jbuf_read(j, fd) > 0)
		;
	inflight->kind = OP_NONE;
	if (j->len == 0)
		return;
	line = j->p;
	/* A line without its newline cannot happen (atomic pipe writes); it
	 * would be ignored, which only widens what counts as in flight. */
	while ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		if (line[0] == 'E')
			fail_msg("iteration %lu: worker: %s", iter, line + 2);
		if (line[0] == 'B') {
			if (inflight->kind != OP_NONE)
				fail_msg("journal: B after B");
			if (!parse_op(line + 2, inflight))
				fail_msg("journal: bad line %s", line);
		} else if (line[0] == 'C') {
			if (!parse_op(line + 2, &op) || op.kind != inflight->kind ||
			    strcmp(op.name, inflight->name) != 0 || op.ver != inflight->ver)
				fail_msg("journal: C without its B: %s", line);
			model_apply(m, &op);
			st->committed++;
			st->committed_by[op.kind]++;
			inflight->kind = OP_NONE;
		} else if (strcmp(line, "S") != 0) {
			fail_msg("journal: bad line %s", line);
		}
		line = nl + 1;
	}
}

/* ---- the parent: reading the store itself ---- */

static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	int k;

	while (n-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* The user PIN's failure counter as stored (files: the newest valid copy of
 * the token record, layout in src/store/files.c). */
static unsigned long stored_user_failures(void)
{
	char path[PATH_MAX];
	unsigned long failures = 0;

	h_token_db(path, sizeof(path), h_slot);
	if (h_store_files()) {
		/* Header 28, then label 32, serial 16, SO record 85, user record:
		 * set 1, salt 16, iterations 4, wrapped 60, failures 4. */
		const size_t off = 28 + 48 + 85 + 81;
		uint64_t best = 0;
		int i;

		for (i = 0; i < 2; i++) {
			char rec[PATH_MAX + 8];
			size_t n = 0;
			unsigned char *b;

			snprintf(rec, sizeof(rec), "%s/token.%c", path, 'a' + i);
			b = h_slurp(rec, &n);
			if (b == NULL)
				continue;
			if (n != 250 || memcmp(b, "IOTF", 4) != 0 ||
			    le(b + 246, 4) != crc32_ieee(b, 246))
				fail_msg("token record %s is damaged (%zu bytes)", rec, n);
			if (le(b + 8, 8) > best) {
				best = le(b + 8, 8);
				failures = (unsigned long)le(b + off, 4);
			}
			free(b);
		}
		assert_true(best > 0);
		return failures;
	}
	{
		sqlite3 *db;
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT failures FROM pin WHERE role = 1",
						    -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		failures = (unsigned long)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	return failures;
}

/* ---- the parent: checking the reopened token ---- */

static void check_object(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, model *m, jop *inflight,
			 stats *st, unsigned long iter)
{
	CK_OBJECT_CLASS cls = 0;
	CK_BBOOL tok = 0, priv = 0;
	char label[LINE_MAX_LEN], app[64], name[NAME_MAX_LEN];
	unsigned char val[300], want[300];
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },      { CKA_TOKEN, &tok, sizeof(tok) },
		{ CKA_PRIVATE, &priv, sizeof(priv) },  { CKA_LABEL, label, sizeof(label) - 1 },
		{ CKA_APPLICATION, app, sizeof(app) }, { CKA_VALUE, val, sizeof(val) },
	};
	unsigned long lver = 0, vver = 0;
	size_t wlen;
	mobj *o;

	/* Every attribute readable: nothing half-written. */
	assert_ok(p11->C_GetAttributeValue(s, h, t, 6));
	label[t[3].ulValueLen] = '\0';
	if (!parse_label(label, name, &lver))
		fail_msg("iteration %lu: an object with the label \"%s\"", iter, label);
	assert_int_equal(cls, CKO_DATA);
	assert_int_equal(tok, CK_TRUE);
	assert_int_equal(priv, name[strlen(name) - 1] == 'p');
	assert_int_equal(t[4].ulValueLen, sizeof(APP) - 1);
	assert_memory_equal(app, APP, sizeof(APP) - 1);
	/* The value is one the worker wrote for this object, whole. */
	if (t[5].ulValueLen < 8 || sscanf((char *)val, "V|%*[^|]|%lu|", &vver) != 1)
		fail_msg("iteration %lu: %s: value is not one written", iter, name);
	wlen = make_value(name, vver, want, sizeof(want));
	if (wlen != t[5].ulValueLen || memcmp(want, val, wlen) != 0)
		fail_msg("iteration %lu: %s: value version %lu is half-written or foreign", iter,
			 name, vver);

	o = model_find(m, name);
	if (o == NULL) {
		/* Only the create in flight may add an object. */
		if (inflight->kind != OP_CREATE || strcmp(inflight->name, name) != 0)
			fail_msg("iteration %lu: object %s appeared (in flight: %s %s)", iter, name,
				 op_names[inflight->kind], inflight->name);
		if (lver != inflight->ver || vver != inflight->ver)
			fail_msg("iteration %lu: created %s has versions %lu/%lu, wrote %lu", iter,
				 name, lver, vver, inflight->ver);
		model_apply(m, inflight);
		st->inflight_done++;
		st->inflight_done_by[OP_CREATE]++;
		inflight->kind = OP_NONE;
		o = model_find(m, name);
		o->seen = 1;
		return;
	}
	if (o->seen)
		fail_msg("iteration %lu: object %s found twice", iter, name);
	o->seen = 1;
	if (lver != o->label_ver) {
		if (inflight->kind != OP_LABEL || strcmp(inflight->name, name) != 0 ||
		    inflight->ver != lver)
			fail_msg("iteration %lu: %s has label version %lu, committed %lu", iter,
				 name, lver, o->label_ver);
		o->label_ver = lver;
		st->inflight_done++;
		st->inflight_done_by[OP_LABEL]++;
		inflight->kind = OP_NONE;
	}
	if (vver != o->value_ver) {
		if (inflight->kind != OP_VALUE || strcmp(inflight->name, name) != 0 ||
		    inflight->ver != vver)
			fail_msg("iteration %lu: %s has value version %lu, committed %lu", iter,
				 name, vver, o->value_ver);
		o->value_ver = vver;
		st->inflight_done++;
		st->inflight_done_by[OP_VALUE]++;
		inflight->kind = OP_NONE;
	}
}

static void check_token(model *m, jop *inflight, stats *st, unsigned long iter)
{
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	CK_ATTRIBUTE all = { CKA_APPLICATION, (void *)APP, sizeof(APP) - 1 };
	CK_OBJECT_HANDLE found[MAX_OBJ];
	CK_ULONG n, nall, i;
	unsigned long failures;
	CK_RV rv;
	int k, live = 0;

	h_initialize();
	/* A store the kill damaged answers CKR_DEVICE_ERROR here. */
	rv = p11->C_GetTokenInfo(h_slot, &ti);
	if (rv != CKR_OK)
		fail_msg("iteration %lu: C_GetTokenInfo after the kill: %s (in flight: %s %s)",
			 iter, h_rv_name(rv), op_names[inflight->kind], inflight->name);
	assert_flag_set(ti.flags, CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED);

	/* Row 17: the counter was written before the check completed. */
	failures = stored_user_failures();
	if (failures > st->fail_counter_max)
		st->fail_counter_max = failures;
	if (!(failures == m->failures || failures == m->failures + 1 ||
	      (failures == 0 && (inflight->kind == OP_LOGIN || inflight->kind == OP_PIN))))
		fail_msg("iteration %lu: stored failure counter %lu, %lu committed failures "
			 "(in flight: %s)",
			 iter, failures, m->failures, op_names[inflight->kind]);
	if ((failures > 0) != ((ti.flags & CKF_USER_PIN_COUNT_LOW) != 0))
		fail_msg("iteration %lu: counter %lu but flags 0x%lx", iter, failures,
			 (unsigned long)ti.flags);

	/* The PIN: the committed one, or the one in flight. */
	s = h_open(h_slot, 1);
	rv = h_login_pin(s, CKU_USER, pins[m->pin]);
	if (rv == CKR_PIN_INCORRECT && inflight->kind == OP_PIN && (int)inflight->ver != m->pin) {
		rv = h_login_pin(s, CKU_USER, pins[inflight->ver]);
		if (rv == CKR_OK) {
			model_apply(m, inflight);
			st->inflight_done++;
			st->inflight_done_by[OP_PIN]++;
			inflight->kind = OP_NONE;
		}
	}
	if (rv != CKR_OK)
		fail_msg("iteration %lu: C_Login with the committed PIN %d: %s", iter, m->pin,
			 h_rv_name(rv));
	m->failures = 0;

	/* The objects: every committed one with its committed contents, or
	 * what the operation in flight made of it. */
	for (k = 0; k < m->n; k++)
		m->o[k].seen = 0;
	n = h_find(s, &all, 1, found, MAX_OBJ);
	nall = h_find(s, NULL, 0, found + n, MAX_OBJ - n);
	/* Nothing but the test's objects, each found once. */
	assert_int_equal(nall, n);
	for (i = 0; i < n; i++)
		check_object(s, found[i], m, inflight, st, iter);
	for (k = 0; k < m->n; k++) {
		mobj *o = &m->o[k];

		if (!o->exists)
			continue;
		if (!o->seen) {
			if (inflight->kind != OP_DESTROY || strcmp(inflight->name, o->name) != 0)
				fail_msg("iteration %lu: committed object %s (label %lu, value "
					 "%lu) is missing",
					 iter, o->name, o->label_ver, o->value_ver);
			o->exists = 0;
			st->inflight_done++;
			st->inflight_done_by[OP_DESTROY]++;
			inflight->kind = OP_NONE;
			continue;
		}
		live++;
	}
	st->objects_checked += (unsigned long)live;
	if ((unsigned long)live > st->max_objects)
		st->max_objects = (unsigned long)live;
	/* A login or failed login in flight leaves nothing to see but the
	 * counter (checked above). */
	assert_ok(p11->C_CloseSession(s));
	h_finalize();
}

static pid_t spawn_worker(int *rfd, uint64_t wseed, unsigned long iter, const model *m)
{
	const char *self = getenv("IOTOKEN_TEST_SELF");
	char v[32];
	int p[2];
	pid_t pid;

	if (self == NULL || *self == '\0')
		fail_msg("IOTOKEN_TEST_SELF is not set");
	snprintf(v, sizeof(v), "%llu", (unsigned long long)wseed);
	setenv("IOTOKEN_CRASH_WSEED", v, 1);
	snprintf(v, sizeof(v), "%lu", iter);
	setenv("IOTOKEN_CRASH_ITER", v, 1);
	snprintf(v, sizeof(v), "%d", m->pin);
	setenv("IOTOKEN_CRASH_PIN", v, 1);
	snprintf(v, sizeof(v), "%lu", (unsigned long)h_slot);
	setenv("IOTOKEN_CRASH_SLOT", v, 1);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* dup2 clears FD_CLOEXEC: the journal survives the exec. */
		if (dup2(p[1], JOURNAL_FD) < 0)
			_exit(126);
		execl(self, self, "--child", "worker", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_crash_kill(void **state)
{
	unsigned long max_kills = env_ulong("IOTOKEN_CRASH_KILLS", 200);
	double max_s = (double)env_ulong("IOTOKEN_CRASH_SECONDS", 60);
	uint64_t seed = env_ulong("IOTOKEN_CRASH_SEED", 0), rng;
	model *m = calloc(1, sizeof(*m));
	stats st;
	double t0 = now_s();
	unsigned long iter;
	int k;

	(void)state;
	assert_non_null(m);
	memset(&st, 0, sizeof(st));
	if (seed == 0)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	rng = seed;
	printf("crash_kill (%s store): seed %llu (IOTOKEN_CRASH_SEED replays), up to %lu "
	       "kills or %.0f s\n",
	       h_store_files() ? "files" : "sqlite", (unsigned long long)seed, max_kills, max_s);
	m->pin = 0;
	h_finalize();
	for (iter = 1; iter <= max_kills && now_s() - t0 < max_s; iter++) {
		uint64_t r = rng_next(&rng);
		/* 200 us .. 102 ms, about log-uniform: a doubling band, then
		 * uniform within it (a durable write costs 5 to 20 ms here). */
		long band = 200L << (r % 9);
		long delay_us = band + (long)((r >> 8) % (uint64_t)band);
		/* The delay counts from the fork (1 in 8: C_Initialize and the
		 * first login are hit), from "S" (1 in 8) or from the first
		 * login's commit. */
		int from = (int)(rng_next(&rng) % 8);
		jop inflight;
		int fd, status;
		pid_t pid = spawn_worker(&fd, rng_next(&rng), iter, m);
		struct timespec ts;
		jbuf j = { NULL, 0, 0 };

		if (from == 1)
			jbuf_wait_for(&j, fd, "S\n");
		else if (from > 1)
			jbuf_wait_for(&j, fd, "C login\n");
		ts.tv_sec = delay_us / 1000000;
		ts.tv_nsec = (delay_us % 1000000) * 1000;
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		(void)kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			fail_msg("waitpid: %s", strerror(errno));
		read_journal(&j, fd, m, &inflight, &st, iter);
		free(j.p);
		close(fd);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
			st.kills++;
		} else {
			/* Finished (or failed) before the kill. */
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				fail_msg("iteration %lu: worker exited with status 0x%x", iter,
					 status);
			st.exited++;
		}
		if (inflight.kind != OP_NONE) {
			st.inflight++;
			st.inflight_by[inflight.kind]++;
		}
		check_token(m, &inflight, &st, iter);
	}
	printf("crash_kill (%s store): %lu kills (%lu workers ended first), %lu operations "
	       "committed, %lu in flight at the kill of which %lu found done, %.1f s\n",
	       h_store_files() ? "files" : "sqlite", st.kills, st.exited, st.committed, st.inflight,
	       st.inflight_done, now_s() - t0);
	for (k = OP_LOGIN; k <= OP_FAIL; k++)
		printf("  %-8s committed %6lu, in flight %4lu, of which found done %4lu\n",
		       op_names[k], st.committed_by[k], st.inflight_by[k], st.inflight_done_by[k]);
	printf("  objects checked after kills: %lu (at most %lu at once); highest stored "
	       "failure counter %lu\n",
	       st.objects_checked, st.max_objects, st.fail_counter_max);
	/* Enough happened to mean something. */
	assert_true(st.kills >= 10 || max_kills < 10);
	assert_true(st.committed > st.kills);
	h_initialize();
	free(m);
}

static const h_scenario scenarios[] = {
	{ "worker", worker },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_crash_kill, h_setup_token, h_teardown),
	};

	h_child_dispatch(argc, argv, scenarios);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
