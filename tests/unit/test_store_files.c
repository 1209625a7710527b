/*
 * Unit tests of the files store (src/store/files.c) over the RAM PAL
 * (src/port/pal_ram.c): every store.h function, damaged records, a failure
 * of each PAL call in turn during each write, and a power cut after each
 * write step in turn (atomic and torn writes): the store always reopens to
 * the old or the new state, never to a broken or mixed one.
 *
 * Built twice (tests/CMakeLists.txt): as the host builds files.c (several
 * processes share a store: unit/test_store_files) and as a device builds it
 * (FILES_SHARED 0, one owner: unit/test_store_files_single), where
 * test_single_owner replaces test_changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "port/pal.h"
#include "store/files.h"

#if defined(FILES_SHARED) && !FILES_SHARED
#define SINGLE_OWNER 1
#else
#define SINGLE_OWNER 0
#endif

/* ---- helpers ---- */

static void make_token(store_token *t, unsigned seed)
{
	char text[64];
	int role;
	size_t i;

	memset(t, 0, sizeof *t);
	memset(t->label, ' ', sizeof t->label);
	snprintf(text, sizeof text, "token %u", seed);
	memcpy(t->label, text, strlen(text));
	memset(t->serial, ' ', sizeof t->serial);
	snprintf(text, sizeof text, "SN%08u", seed % 100000000);
	memcpy(t->serial, text, strlen(text));
	for (role = 0; role < STORE_ROLES; role++) {
		store_pin *p = &t->pin[role];

		p->set = role == STORE_ROLE_SO || (seed & 1);
		for (i = 0; i < sizeof p->salt; i++)
			p->salt[i] = (uint8_t)(seed * 7 + role * 31 + i);
		for (i = 0; i < sizeof p->wrapped; i++)
			p->wrapped[i] = (uint8_t)(seed + role * 3 + i * 5);
		p->iterations = 600000 + seed + (uint32_t)role;
		p->failures = seed % 10 + (uint32_t)role * 2;
	}
	t->pin[STORE_ROLE_USER].iterations = UINT32_MAX;
}

/* The whole visible state of a store: token record and objects. */
#define MODEL_MAX 16
#define DATA_MAX 64

typedef struct model {
	store_token t;
	size_t n;
	uint64_t id[MODEL_MAX];
	size_t len[MODEL_MAX];
	uint8_t data[MODEL_MAX][DATA_MAX];
} model;

static CK_RV collect(void *ctx, uint64_t id, const uint8_t *data, size_t len)
{
	model *m = ctx;

	assert_non_null(data);
	assert_true(m->n < MODEL_MAX && len <= DATA_MAX);
	/* In id order. */
	if (m->n > 0)
		assert_true(m->id[m->n - 1] < id);
	m->id[m->n] = id;
	m->len[m->n] = len;
	memcpy(m->data[m->n], data, len);
	m->n++;
	return CKR_OK;
}

static CK_RV snapshot(store *s, model *m)
{
	CK_RV rv;

	memset(m, 0, sizeof *m);
	rv = store_token_load(s, &m->t);
	if (rv == CKR_OK)
		rv = store_objects_load(s, collect, m);
	return rv;
}

static int model_equal(const model *a, const model *b)
{
	size_t i;

	if (memcmp(&a->t, &b->t, sizeof a->t) != 0 || a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->id[i] != b->id[i] || a->len[i] != b->len[i] ||
		    memcmp(a->data[i], b->data[i], a->len[i]) != 0)
			return 0;
	return 1;
}

static void model_put(model *m, uint64_t id, const char *str)
{
	size_t i, j, len = strlen(str);

	for (i = 0; i < m->n && m->id[i] < id; i++)
		;
	if (i == m->n || m->id[i] != id) {
		assert_true(m->n < MODEL_MAX);
		for (j = m->n; j > i; j--) {
			m->id[j] = m->id[j - 1];
			m->len[j] = m->len[j - 1];
			memcpy(m->data[j], m->data[j - 1], DATA_MAX);
		}
		m->n++;
	}
	m->id[i] = id;
	m->len[i] = len;
	memcpy(m->data[i], str, len);
}

static void model_delete(model *m, uint64_t id)
{
	size_t i, j;

	for (i = 0; i < m->n; i++) {
		if (m->id[i] != id)
			continue;
		for (j = i; j + 1 < m->n; j++) {
			m->id[j] = m->id[j + 1];
			m->len[j] = m->len[j + 1];
			memcpy(m->data[j], m->data[j + 1], DATA_MAX);
		}
		m->n--;
		return;
	}
}

static pal_ram *new_ram(int torn)
{
	pal_ram *r = NULL;

	assert_int_equal(pal_ram_new(&r), CKR_OK);
	pal_ram_set_torn(r, torn);
	return r;
}

static CK_RV open_on(pal_ram *r, int create, const store_token *t, store **out)
{
	pal_files pal;
	CK_RV rv = pal_ram_files(r, &pal);

	*out = NULL;
	if (rv != CKR_OK)
		return rv;
	rv = store_files_open(&pal, create, t, out);
	if (rv != CKR_OK)
		pal.close(pal.ctx);
	return rv;
}

static store *must_open(pal_ram *r)
{
	store *s = NULL;

	assert_int_equal(open_on(r, 0, NULL, &s), CKR_OK);
	return s;
}

static void put_str(store *s, uint64_t id, const char *str)
{
	assert_int_equal(store_object_put(s, id, (const uint8_t *)str, strlen(str)), CKR_OK);
}

static void assert_state(store *s, const model *want)
{
	model got;

	assert_int_equal(snapshot(s, &got), CKR_OK);
	assert_true(model_equal(&got, want));
}

/* A device holding a token with a few objects; *m is its state. */
static pal_ram *base_device(int torn, model *m)
{
	pal_ram *r = new_ram(torn);
	store *s = NULL;

	memset(m, 0, sizeof *m);
	make_token(&m->t, 1);
	assert_int_equal(open_on(r, 1, &m->t, &s), CKR_OK);
	put_str(s, 7, "seven");
	model_put(m, 7, "seven");
	put_str(s, 3, "three");
	model_put(m, 3, "three");
	put_str(s, 0xfedcba9876543210ULL, "big");
	model_put(m, 0xfedcba9876543210ULL, "big");
	assert_state(s, m);
	store_close(s);
	return r;
}

/* ---- the write operations, each with the state it leads to ---- */

enum {
	OP_PUT_NEW,
	OP_REPLACE,
	OP_DELETE,
	OP_TOKEN_SAVE,
	OP_PIN_SAVE,
	OP_PIN_ATTEMPT,
	OP_RESET,
	OP_COUNT
};

static const char *const op_name[OP_COUNT] = {
	"put (new)", "put (replace)", "delete", "token save", "pin save", "pin attempt", "reset",
};

/* Runs op on s; *after is the state it commits when it succeeds. */
static CK_RV run_op(store *s, int op, const model *before, model *after)
{
	store_token t;
	store_pin p;
	CK_RV rv;

	*after = *before;
	switch (op) {
	case OP_PUT_NEW:
		model_put(after, 5, "five, a new object");
		return store_object_put(s, 5, (const uint8_t *)"five, a new object", 18);
	case OP_REPLACE:
		model_put(after, 7, "seven, replaced");
		return store_object_put(s, 7, (const uint8_t *)"seven, replaced", 15);
	case OP_DELETE:
		model_delete(after, 3);
		return store_object_delete(s, 3);
	case OP_TOKEN_SAVE:
		make_token(&t, 2);
		after->t = t;
		return store_token_save(s, &t);
	case OP_PIN_SAVE:
		make_token(&t, 3);
		after->t.pin[STORE_ROLE_USER] = t.pin[STORE_ROLE_USER];
		return store_pin_save(s, STORE_ROLE_USER, &t.pin[STORE_ROLE_USER]);
	case OP_PIN_ATTEMPT:
		after->t.pin[STORE_ROLE_SO].failures++;
		rv = store_pin_attempt(s, STORE_ROLE_SO, &p);
		if (rv == CKR_OK)
			assert_memory_equal(&p, &after->t.pin[STORE_ROLE_SO], sizeof p);
		return rv;
	default:
		make_token(&t, 4);
		after->t = t;
		after->n = 0;
		return store_reset(s, &t);
	}
}

/* ---- tests ---- */

static void test_create_open(void **state)
{
	pal_ram *r = new_ram(0);
	store_token t;
	store *s = (store *)&t;
	model m;

	(void)state;
	make_token(&t, 1);
	/* Nothing there: no token (a blank slot), not a broken one. */
	assert_int_equal(open_on(r, 0, NULL, &s), CKR_TOKEN_NOT_PRESENT);
	assert_null(s);
	assert_int_equal(open_on(r, 1, NULL, &s), CKR_ARGUMENTS_BAD);
	assert_int_equal(open_on(r, 1, &t, &s), CKR_OK);
	memset(&m, 0, sizeof m);
	m.t = t;
	assert_state(s, &m);
	store_close(s);
	/* A second create over it is refused, the first is intact. */
	assert_int_equal(open_on(r, 1, &t, &s), CKR_DEVICE_ERROR);
	assert_null(s);
	s = must_open(r);
	assert_state(s, &m);
	store_close(s);
	/* Files: the token record, one copy so far. */
	assert_int_equal(pal_ram_count(r), 1);
	assert_string_equal(pal_ram_name(r, 0), "token.a");
	pal_ram_free(r);
}

static void test_objects(void **state)
{
	static const uint64_t ids[] = { 42, 0, UINT64_MAX, 1, 0x8000000000000000ULL, 9 };
	pal_ram *r;
	store *s;
	model m;
	size_t i;
	char text[32];

	(void)state;
	r = base_device(0, &m);
	s = must_open(r);
	assert_state(s, &m);
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		snprintf(text, sizeof text, "object %zu", i);
		put_str(s, ids[i], text);
		model_put(&m, ids[i], text);
	}
	/* An empty record. */
	assert_int_equal(store_object_put(s, 77, (const uint8_t *)"", 0), CKR_OK);
	model_put(&m, 77, "");
	assert_state(s, &m);
	/* Replace, delete, delete of what is not there. */
	put_str(s, 42, "forty-two again");
	model_put(&m, 42, "forty-two again");
	assert_int_equal(store_object_delete(s, 1), CKR_OK);
	model_delete(&m, 1);
	assert_int_equal(store_object_delete(s, 1), CKR_OK);
	assert_int_equal(store_object_delete(s, 123456), CKR_OK);
	assert_state(s, &m);
	store_close(s);
	s = must_open(r);
	assert_state(s, &m);
	store_close(s);
	pal_ram_free(r);
}

static CK_RV fail_second(void *ctx, uint64_t id, const uint8_t *data, size_t len)
{
	int *calls = ctx;

	(void)id;
	(void)data;
	(void)len;
	return ++*calls == 2 ? CKR_FUNCTION_CANCELED : CKR_OK;
}

static void test_callback_error(void **state)
{
	pal_ram *r;
	store *s;
	model m;
	int calls = 0;

	(void)state;
	r = base_device(0, &m);
	s = must_open(r);
	assert_int_equal(store_objects_load(s, fail_second, &calls), CKR_FUNCTION_CANCELED);
	assert_int_equal(calls, 2);
	assert_state(s, &m);
	store_close(s);
	pal_ram_free(r);
}

static void test_token_pin_reset(void **state)
{
	pal_ram *r;
	store *s;
	store_token t, u;
	store_pin p;
	model m;
	int i;

	(void)state;
	r = base_device(0, &m);
	s = must_open(r);
	make_token(&t, 11);
	assert_int_equal(store_token_save(s, &t), CKR_OK);
	m.t = t;
	assert_state(s, &m);
	make_token(&u, 12);
	p = u.pin[STORE_ROLE_USER];
	p.failures = 9;
	assert_int_equal(store_pin_save(s, STORE_ROLE_USER, &p), CKR_OK);
	m.t.pin[STORE_ROLE_USER] = p;
	assert_state(s, &m);
	assert_int_equal(store_pin_save(s, STORE_ROLES, &p), CKR_ARGUMENTS_BAD);
	assert_int_equal(store_pin_save(s, -1, &p), CKR_ARGUMENTS_BAD);
	assert_int_equal(store_pin_attempt(s, 2, &p), CKR_ARGUMENTS_BAD);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(store_pin_attempt(s, STORE_ROLE_USER, &p), CKR_OK);
		assert_int_equal(p.failures, 9 + i);
	}
	m.t.pin[STORE_ROLE_USER].failures = 12;
	/* Saturates instead of wrapping. */
	p.failures = UINT32_MAX;
	assert_int_equal(store_pin_save(s, STORE_ROLE_SO, &p), CKR_OK);
	assert_int_equal(store_pin_attempt(s, STORE_ROLE_SO, &p), CKR_OK);
	assert_true(p.failures == UINT32_MAX);
	m.t.pin[STORE_ROLE_SO] = p;
	assert_state(s, &m);
	store_close(s);
	s = must_open(r);
	assert_state(s, &m);

	/* Reset: no objects, the new record; objects put after it are seen,
	 * the old ones are gone from the device too. */
	make_token(&t, 13);
	assert_int_equal(store_reset(s, &t), CKR_OK);
	memset(&m, 0, sizeof m);
	m.t = t;
	assert_state(s, &m);
	put_str(s, 3, "three after reset");
	model_put(&m, 3, "three after reset");
	assert_state(s, &m);
	store_close(s);
	s = must_open(r);
	assert_state(s, &m);
	store_close(s);
	/* token.a, token.b and one object. */
	assert_int_equal(pal_ram_count(r), 3);
	pal_ram_free(r);
}

/* A failed write (the third PAL call of an object put) tells the writer to
 * reload, once. */
static void failed_write_reported_once(pal_ram *r, store *s)
{
	int changed = -1;

	pal_ram_fail_call(r, 3, CKR_DEVICE_ERROR);
	assert_int_equal(store_object_put(s, 9, (const uint8_t *)"x", 1), CKR_DEVICE_ERROR);
	assert_int_equal(store_changed(s, &changed), CKR_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(store_changed(s, &changed), CKR_OK);
	assert_int_equal(changed, 0);
}

#if !SINGLE_OWNER
static void test_changed(void **state)
{
	pal_ram *r;
	store *a, *b;
	store_token t;
	model m;
	int changed = -1;

	(void)state;
	r = base_device(0, &m);
	a = must_open(r);
	b = must_open(r); /* another process */
	assert_int_equal(store_changed(a, &changed), CKR_OK);
	assert_int_equal(changed, 0);
	put_str(a, 1, "by a");
	model_put(&m, 1, "by a");
	assert_int_equal(store_changed(a, &changed), CKR_OK);
	assert_int_equal(changed, 0);
	/* b sees a's commit, once. */
	assert_int_equal(store_changed(b, &changed), CKR_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(store_changed(b, &changed), CKR_OK);
	assert_int_equal(changed, 0);
	assert_state(b, &m);
	/* Every kind of write is seen; b's own writes are not reported to b,
	 * even when a wrote in between (a's change is). */
	assert_int_equal(store_object_delete(a, 1), CKR_OK);
	make_token(&t, 60);
	assert_int_equal(store_token_save(b, &t), CKR_OK);
	assert_int_equal(store_changed(b, &changed), CKR_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(store_changed(b, &changed), CKR_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(store_changed(a, &changed), CKR_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(store_pin_attempt(b, STORE_ROLE_USER, &t.pin[1]), CKR_OK);
	assert_int_equal(store_changed(a, &changed), CKR_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(store_reset(b, &t), CKR_OK);
	assert_int_equal(store_changed(a, &changed), CKR_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(store_changed(a, &changed), CKR_OK);
	assert_int_equal(changed, 0);
	failed_write_reported_once(r, a);
	store_close(b);
	store_close(a);
	pal_ram_free(r);
}
#endif

#if SINGLE_OWNER
/* One owner (a device): the PAL's lock, unlock and changed are never
 * called; an object's put is one atomic write and its delete one remove,
 * without the token record's sequence bump; a failed write still tells the
 * owner to reload, once. */
static int foreign_calls;

static CK_RV count_lock(void *ctx, int exclusive)
{
	(void)ctx;
	(void)exclusive;
	foreign_calls++;
	return CKR_OK;
}

static void count_unlock(void *ctx)
{
	(void)ctx;
	foreign_calls++;
}

static CK_RV count_changed(void *ctx, const char *name, int *changed)
{
	(void)ctx;
	(void)name;
	foreign_calls++;
	*changed = 1;
	return CKR_OK;
}

static void test_single_owner(void **state)
{
	pal_ram *r;
	pal_files pal;
	store *s;
	model m;
	unsigned long steps;
	int changed = -1;
	const uint8_t *tok;
	uint8_t before[64];
	size_t len = 0;

	(void)state;
	r = base_device(0, &m);
	assert_int_equal(pal_ram_files(r, &pal), CKR_OK);
	pal.lock = count_lock;
	pal.unlock = count_unlock;
	pal.changed = count_changed;
	assert_int_equal(store_files_open(&pal, 0, NULL, &s), CKR_OK);
	tok = pal_ram_peek(r, "token.a", &len);
	assert_non_null(tok);
	assert_true(len >= sizeof before);
	memcpy(before, tok, sizeof before);
	steps = pal_ram_steps(r);
	put_str(s, 1, "one");
	model_put(&m, 1, "one");
	/* One atomic write: temp written, synced, renamed, directory synced. */
	assert_int_equal(pal_ram_steps(r) - steps, 4);
	steps = pal_ram_steps(r);
	assert_int_equal(store_object_delete(s, 1), CKR_OK);
	model_delete(&m, 1);
	assert_int_equal(pal_ram_steps(r) - steps, 2); /* unlinked, directory synced */
	tok = pal_ram_peek(r, "token.a", &len);
	assert_non_null(tok);
	assert_memory_equal(tok, before, sizeof before);
	assert_null(pal_ram_peek(r, "token.b", &len));
	assert_int_equal(store_changed(s, &changed), CKR_OK);
	assert_int_equal(changed, 0);
	assert_state(s, &m);
	failed_write_reported_once(r, s);
	assert_int_equal(foreign_calls, 0);
	store_close(s);
	pal_ram_free(r);
}
#endif

/* The newest copy of the token record and the name of an object file. */
static const char *newest_token(pal_ram *r)
{
	const uint8_t *a, *b;
	size_t la = 0, lb = 0;
	uint64_t sa = 0, sb = 0;
	int i;

	a = pal_ram_peek(r, "token.a", &la);
	b = pal_ram_peek(r, "token.b", &lb);
	for (i = 7; i >= 0; i--) {
		if (a != NULL && la > 16)
			sa = sa << 8 | a[8 + i];
		if (b != NULL && lb > 16)
			sb = sb << 8 | b[8 + i];
	}
	return sb > sa ? "token.b" : "token.a";
}

static const char *object_file(pal_ram *r)
{
	size_t i;

	for (i = 0; i < pal_ram_count(r); i++)
		if (strncmp(pal_ram_name(r, i), "o-", 2) == 0)
			return pal_ram_name(r, i);
	fail();
	return NULL;
}

/* Replaces the bytes of name (copied first: poke may move them). */
static void poke_copy(pal_ram *r, const char *name, const uint8_t *p, size_t len)
{
	uint8_t *copy = malloc(len + 1);
	char n[PAL_NAME_MAX + 1];

	assert_non_null(copy);
	snprintf(n, sizeof n, "%s", name);
	memcpy(copy, p, len);
	assert_int_equal(pal_ram_poke(r, n, copy, len), CKR_OK);
	free(copy);
}

/* Every byte of an object file flipped in turn, and the file cut short at
 * every length: the load fails with CKR_DEVICE_ERROR, and a good file again
 * loads. Nothing is ever loaded from a damaged record. */
static void test_corrupt_object(void **state)
{
	char name[PAL_NAME_MAX + 1];
	uint8_t good[256];
	const uint8_t *p;
	pal_ram *r;
	store *s;
	model m, got;
	size_t len = 0, i;

	(void)state;
	r = base_device(0, &m);
	snprintf(name, sizeof name, "%s", object_file(r));
	p = pal_ram_peek(r, name, &len);
	assert_true(len <= sizeof good);
	memcpy(good, p, len);
	s = must_open(r);
	for (i = 0; i < len * 8; i++) {
		good[i / 8] ^= (uint8_t)(1u << (i % 8));
		poke_copy(r, name, good, len);
		good[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(snapshot(s, &got), CKR_DEVICE_ERROR);
	}
	for (i = 0; i < len; i++) {
		poke_copy(r, name, good, i);
		assert_int_equal(snapshot(s, &got), CKR_DEVICE_ERROR);
	}
	poke_copy(r, name, good, len);
	assert_state(s, &m);
	store_close(s);
	pal_ram_free(r);
}

/* Files the store did not write, or not under these names. */
static void test_foreign_files(void **state)
{
	char name[PAL_NAME_MAX + 1], other[PAL_NAME_MAX + 1];
	const uint8_t *p;
	pal_ram *r;
	store *s;
	model m, got;
	size_t len = 0;

	(void)state;
	r = base_device(0, &m);
	s = must_open(r);
	/* An unknown name. */
	assert_int_equal(pal_ram_poke(r, "notes", (const uint8_t *)"hi", 2), CKR_OK);
	assert_int_equal(snapshot(s, &got), CKR_DEVICE_ERROR);
	pal_ram_unlink(r, "notes");
	/* An object file under another object's name. */
	snprintf(name, sizeof name, "%s", object_file(r));
	snprintf(other, sizeof other, "%.19s%016x", name, 0x1234);
	p = pal_ram_peek(r, name, &len);
	poke_copy(r, other, p, len);
	assert_int_equal(snapshot(s, &got), CKR_DEVICE_ERROR);
	pal_ram_unlink(r, other);
	/* An object of an epoch the token record does not know yet. */
	snprintf(other, sizeof other, "o-%016x-%016x", 9, 3);
	poke_copy(r, other, p, len);
	assert_int_equal(snapshot(s, &got), CKR_DEVICE_ERROR);
	pal_ram_unlink(r, other);
	/* Names in another spelling. */
	assert_int_equal(pal_ram_poke(r, "o-1-3", (const uint8_t *)"x", 1), CKR_OK);
	assert_int_equal(snapshot(s, &got), CKR_DEVICE_ERROR);
	pal_ram_unlink(r, "o-1-3");
	assert_state(s, &m);
	/* Stale objects of an older epoch are invisible and removed at open. */
	snprintf(other, sizeof other, "o-%016x-%016x", 0, 3);
	poke_copy(r, other, p, len);
	assert_state(s, &m);
	store_close(s);
	s = must_open(r);
	assert_null(pal_ram_peek(r, other, &len));
	assert_state(s, &m);
	store_close(s);
	pal_ram_free(r);
}

/* The token record: with atomic writes a damaged copy is corruption, even
 * the older one; with torn writes a damaged copy is a torn write and the
 * other copy is used. Both copies damaged, or gone: CKR_DEVICE_ERROR. */
static void test_corrupt_token(void **state)
{
	char name[PAL_NAME_MAX + 1], older[PAL_NAME_MAX + 1];
	uint8_t good[512], keep[512];
	const uint8_t *p;
	pal_ram *r;
	store *s = NULL;
	model m, prev;
	size_t len = 0, klen = 0, i;
	int torn;

	(void)state;
	for (torn = 0; torn <= 1; torn++) {
		r = base_device(torn, &prev);
		s = must_open(r);
		put_str(s, 100, "last change");
		m = prev;
		model_put(&m, 100, "last change");
		/* Both copies of the token record written (a single owner's
		 * object put writes none). */
		assert_int_equal(store_token_save(s, &m.t), CKR_OK);
		store_close(s);
		snprintf(name, sizeof name, "%s", newest_token(r));
		snprintf(older, sizeof older, "%s",
			 strcmp(name, "token.a") == 0 ? "token.b" : "token.a");
		p = pal_ram_peek(r, name, &len);
		assert_true(len <= sizeof good);
		memcpy(good, p, len);
		for (i = 0; i < len * 8; i += 3) {
			good[i / 8] ^= (uint8_t)(1u << (i % 8));
			poke_copy(r, name, good, len);
			good[i / 8] ^= (uint8_t)(1u << (i % 8));
			if (!torn) {
				assert_int_equal(open_on(r, 0, NULL, &s), CKR_DEVICE_ERROR);
				continue;
			}
			/* The older copy: the state before the last change
			 * but with its object, which was committed; the torn
			 * device does not know better. */
			s = must_open(r);
			assert_int_equal(store_token_load(s, &prev.t), CKR_OK);
			assert_memory_equal(&prev.t, &m.t, sizeof m.t);
			store_close(s);
		}
		for (i = 0; i < len; i++) {
			poke_copy(r, name, good, i);
			assert_int_equal(open_on(r, 0, NULL, &s), torn ? CKR_OK : CKR_DEVICE_ERROR);
			store_close(s);
		}
		poke_copy(r, name, good, len);
		s = must_open(r);
		assert_state(s, &m);
		store_close(s);
		/* Both copies damaged. */
		p = pal_ram_peek(r, older, &klen);
		memcpy(keep, p, klen);
		poke_copy(r, older, keep, klen / 2);
		poke_copy(r, name, good, len - 1);
		assert_int_equal(open_on(r, 0, NULL, &s), CKR_DEVICE_ERROR);
		/* Two copies with one sequence number. */
		poke_copy(r, older, good, len);
		poke_copy(r, name, good, len);
		assert_int_equal(open_on(r, 0, NULL, &s), CKR_DEVICE_ERROR);
		/* One good copy left alone, the other gone: fine. */
		pal_ram_unlink(r, older);
		s = must_open(r);
		assert_state(s, &m);
		store_close(s);
		pal_ram_free(r);
	}
}

/* Opens a store on a copy of dev, runs op with fault armed by arm(), and
 * checks: the op fails with the injected code or succeeds; the device
 * reopens to the old or the new state (the new one if the op succeeded); the
 * reopened store takes a write. Returns 1 when the fault was not reached
 * (the sweep is over). */
typedef void (*arm_fn)(pal_ram *r, unsigned long n, CK_RV rv);

static int one_fault(pal_ram *dev, const model *before, int op, arm_fn arm, unsigned long n,
		     CK_RV inject, int torn)
{
	pal_ram *r = NULL;
	store *s;
	model after, got;
	unsigned long calls;
	CK_RV rv, rv2;
	int reached;

	assert_int_equal(pal_ram_clone(dev, &r), CKR_OK);
	pal_ram_set_torn(r, torn);
	s = must_open(r);
	calls = pal_ram_calls(r);
	arm(r, n, inject);
	rv = run_op(s, op, before, &after);
	if (arm == pal_ram_fail_call)
		reached = pal_ram_calls(r) - calls >= n;
	else
		reached = pal_ram_is_cut(r);
	if (rv != CKR_OK && rv != inject)
		fail_msg("%s, fault %lu: returned 0x%lx, injected 0x%lx", op_name[op], n, rv,
			 inject);
	store_close(s);
	pal_ram_power_on(r);
	s = NULL;
	rv2 = open_on(r, 0, NULL, &s);
	if (rv2 != CKR_OK)
		fail_msg("%s, fault %lu (rv 0x%lx): reopen returned 0x%lx", op_name[op], n, rv,
			 rv2);
	rv2 = snapshot(s, &got);
	if (rv2 == CKR_DEVICE_ERROR && torn && (op == OP_PUT_NEW || op == OP_REPLACE) &&
	    rv != CKR_OK) {
		/* A torn object write: detected, never loaded. */
		store_close(s);
		pal_ram_free(r);
		return !reached;
	}
	if (rv2 != CKR_OK)
		fail_msg("%s, fault %lu: load returned 0x%lx", op_name[op], n, rv2);
	if (rv == CKR_OK && !model_equal(&got, &after))
		fail_msg("%s, fault %lu: succeeded but the new state is not there", op_name[op], n);
	if (!model_equal(&got, &after) && !model_equal(&got, before))
		fail_msg("%s, fault %lu: neither the old nor the new state", op_name[op], n);
	/* Still a working store. */
	put_str(s, 1000, "after the fault");
	model_put(&got, 1000, "after the fault");
	assert_state(s, &got);
	store_close(s);
	s = must_open(r);
	assert_state(s, &got);
	store_close(s);
	pal_ram_free(r);
	return !reached;
}

static void sweep(arm_fn arm, CK_RV inject, int torn, int verbose, unsigned long *total)
{
	pal_ram *dev;
	model before;
	unsigned long n;
	int op;

	dev = base_device(0, &before);
	for (op = 0; op < OP_COUNT; op++) {
		for (n = 1;; n++) {
			assert_true(n < 200);
			if (one_fault(dev, &before, op, arm, n, inject, torn))
				break;
			(*total)++;
		}
		/* Every write op takes at least a few calls / steps. */
		assert_true(n > 2);
		if (verbose)
			print_message("  %-14s %lu\n", op_name[op], n - 1);
	}
	pal_ram_free(dev);
}

static void test_fault_each_call(void **state)
{
	static const CK_RV codes[] = { CKR_DEVICE_ERROR, CKR_DEVICE_MEMORY, CKR_HOST_MEMORY };
	unsigned long total = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
		sweep(pal_ram_fail_call, codes[i], 0, i == 0, &total);
	print_message("%lu injected PAL failures\n", total);
}

static void arm_cut(pal_ram *r, unsigned long n, CK_RV rv)
{
	(void)rv;
	pal_ram_cut_after(r, n);
}

static void test_power_cut_each_step(void **state)
{
	unsigned long total = 0;

	(void)state;
	sweep(arm_cut, CKR_DEVICE_ERROR, 0, 1, &total);
	print_message("%lu power cuts (atomic writes)\n", total);
}

static void test_power_cut_torn(void **state)
{
	unsigned long total = 0;

	(void)state;
	sweep(arm_cut, CKR_DEVICE_ERROR, 1, 1, &total);
	print_message("%lu power cuts (torn writes)\n", total);
}

/* The token record is never written over its only good copy: after a torn
 * write of it the other copy is intact and newest. */
static void test_torn_token_write_keeps_copy(void **state)
{
	pal_ram *r;
	store *s;
	store_token t;
	model m;
	unsigned long k;

	(void)state;
	for (k = 1; k <= 3; k++) {
		r = base_device(1, &m);
		s = must_open(r);
		make_token(&t, 50);
		pal_ram_cut_after(r, k);
		/* The device dies at the step: the write fails. */
		assert_int_equal(store_token_save(s, &t), CKR_DEVICE_ERROR);
		store_close(s);
		pal_ram_power_on(r);
		s = must_open(r);
		if (k == 1) {
			assert_state(s, &m);
		} else {
			m.t = t;
			assert_state(s, &m);
		}
		store_close(s);
		pal_ram_free(r);
	}
}

/* Allocation failure in turn during open and every operation. */
static void test_alloc_failure(void **state)
{
	pal_ram *dev;
	model before, after, got;
	unsigned long n;
	store *s;
	int op;
	CK_RV rv;

	(void)state;
	dev = base_device(0, &before);
	for (n = 1;; n++) {
		assert_true(n < 1000);
		port_alloc_fail_after(n);
		rv = open_on(dev, 0, NULL, &s);
		port_alloc_fail_after(0);
		if (rv == CKR_OK)
			break;
		assert_int_equal(rv, CKR_HOST_MEMORY);
		assert_null(s);
	}
	store_close(s);
	for (op = 0; op < OP_COUNT; op++) {
		for (n = 1;; n++) {
			pal_ram *r = NULL;

			assert_true(n < 1000);
			assert_int_equal(pal_ram_clone(dev, &r), CKR_OK);
			s = must_open(r);
			port_alloc_fail_after(n);
			rv = run_op(s, op, &before, &after);
			port_alloc_fail_after(0);
			assert_true(rv == CKR_OK || rv == CKR_HOST_MEMORY);
			assert_int_equal(snapshot(s, &got), CKR_OK);
			/* A failure after the commit leaves the new state. */
			assert_true(model_equal(&got, &after) ||
				    (rv != CKR_OK && model_equal(&got, &before)));
			store_close(s);
			pal_ram_free(r);
			if (rv == CKR_OK)
				break;
		}
	}
	pal_ram_free(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_open),
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_token_pin_reset),
#if SINGLE_OWNER
		cmocka_unit_test(test_single_owner),
#else
		cmocka_unit_test(test_changed),
#endif
		cmocka_unit_test(test_corrupt_object),
		cmocka_unit_test(test_foreign_files),
		cmocka_unit_test(test_corrupt_token),
		cmocka_unit_test(test_fault_each_call),
		cmocka_unit_test(test_power_cut_each_step),
		cmocka_unit_test(test_power_cut_torn),
		cmocka_unit_test(test_torn_token_write_keeps_copy),
		cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
