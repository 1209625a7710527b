/*
 * A token in memory: its record, its objects (loaded once, indexed), and the
 * write-through to its store. Lookups never touch the disk; a change another
 * process committed is noticed by token_sync (SQLite data_version) and the
 * objects are reloaded, keeping the handles of those that still exist.
 */
#include <stdlib.h>
#include <string.h>

#include "core/module.h"

int object_visible(const object *obj)
{
	return !obj->is_private || obj->tok->login == CKU_USER;
}

static void index_object(token *tok, object *obj, int add, CK_RV *rv)
{
#if IOT_WITH_INDEX
	int i;

	for (i = 0; i < INDEX_TYPES; i++) {
		index_node *n = &obj->idx[i];
		const obj_value *v;

		if (!add) {
			index_remove(&tok->index, n);
			continue;
		}
		v = object_value(obj, index_types[i]);
		if (v == NULL || (v->len > 0 && v->value == NULL))
			continue;
		n->obj = obj;
		n->type = index_types[i];
		n->hash = index_hash(n->type, v->value, v->len);
		if (*rv == CKR_OK)
			*rv = index_insert(&tok->index, n);
	}
#else
	(void)tok, (void)obj, (void)add, (void)rv;
#endif
}

/* Gives a visible object a handle; a private one gets its handle at login. */
static CK_RV give_handle(object *obj)
{
	if (obj->handle != 0 || !object_visible(obj))
		return CKR_OK;
	return handle_add(&module.objects, obj, &obj->handle);
}

static void drop_handle(object *obj)
{
	if (obj->handle != 0)
		handle_release(&module.objects, obj->handle);
	obj->handle = 0;
}

/* Without index, the caller indexes the object later (load_objects). */
static CK_RV add_object(token *tok, object *obj, int index)
{
	CK_RV rv = CKR_OK;

	obj->tok = tok;
	rv = give_handle(obj);
	if (rv != CKR_OK)
		return rv;
	if (index)
		index_object(tok, obj, 1, &rv);
	if (rv != CKR_OK) {
		index_object(tok, obj, 0, &rv);
		drop_handle(obj);
		return rv;
	}
	obj->prev = NULL;
	obj->next = tok->objects;
	if (tok->objects != NULL)
		tok->objects->prev = obj;
	tok->objects = obj;
	tok->nobjects++;
	return CKR_OK;
}

CK_RV token_add_object(token *tok, object *obj)
{
	return add_object(tok, obj, 1);
}

void token_remove_object(token *tok, object *obj)
{
	CK_RV unused = CKR_OK;

	index_object(tok, obj, 0, &unused);
	drop_handle(obj);
	if (obj->prev != NULL)
		obj->prev->next = obj->next;
	else
		tok->objects = obj->next;
	if (obj->next != NULL)
		obj->next->prev = obj->prev;
	obj->prev = obj->next = NULL;
	tok->nobjects--;
}

void token_destroy_object(token *tok, object *obj)
{
	token_remove_object(tok, obj);
	object_free(obj);
}

static CK_RV new_object_id(uint64_t *id)
{
	CK_RV rv;

	/* Random 63-bit ids: two processes adding objects to one token at the
	 * same time cannot pick the same one in practice (2^-63 per pair). */
	do {
		rv = crypto_random(id, sizeof(*id));
		*id &= 0x7fffffffffffffffull;
	} while (rv == CKR_OK && *id == 0);
	return rv;
}

CK_RV token_store_object(token *tok, object *obj)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	CK_RV rv;

	if (!obj->is_token)
		return CKR_OK;
	if (obj->id == 0) {
		rv = new_object_id(&obj->id);
		if (rv != CKR_OK)
			return rv;
	}
	rv = object_encode(obj, tok->tmk_loaded ? tok->tmk : NULL, &buf, &len);
	if (rv != CKR_OK)
		return rv;
	rv = store_object_put(tok->st, obj->id, buf, len);
	port_free_secret(buf, len);
	return rv;
}

CK_RV token_replace_object(token *tok, object *old, object *repl)
{
	CK_RV rv = CKR_OK;

	/* The caller stored repl already; from here only memory changes. The
	 * handle is carried over, so the application's handle stays good. */
	index_object(tok, old, 0, &rv);
	repl->tok = tok;
	repl->handle = old->handle;
	if (repl->handle != 0)
		handle_set(&module.objects, repl->handle, repl);
	old->handle = 0;
	repl->prev = old->prev;
	repl->next = old->next;
	if (old->prev != NULL)
		old->prev->next = repl;
	else
		tok->objects = repl;
	if (old->next != NULL)
		old->next->prev = repl;
	object_free(old);
	index_object(tok, repl, 1, &rv);
	return rv;
}

static void free_objects(token *tok, int token_objects_only)
{
	object *o = tok->objects;

	while (o != NULL) {
		object *next = o->next;

		if (!token_objects_only || o->is_token)
			token_destroy_object(tok, o);
		o = next;
	}
}

/* A load's first objects come from malloc, the rest from the arena
 * (port_arena_alloc): a small token does not pay for a 2 MiB chunk, a big
 * one faults its objects in by huge pages. */
#define LOAD_BULK_AFTER 256

struct load_ctx {
	token *tok;
	object **found; /* existing token objects, sorted by id */
	size_t nfound, pos;
	size_t loaded;
	int unindexed; /* objects are indexed after the load */
};

static int by_id(const void *a, const void *b)
{
	const object *x = *(object *const *)a, *y = *(object *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static CK_RV load_one(void *ctx, uint64_t id, const uint8_t *data, size_t len)
{
	struct load_ctx *c = ctx;
	object *obj, *old = NULL;
	CK_RV rv;

	if (c->loaded < LOAD_BULK_AFTER)
		rv = object_decode(id, data, len, &obj);
	else
		rv = object_decode_bulk(id, data, len, &obj);
	if (rv != CKR_OK)
		return rv;
	c->loaded++;
	if (obj->is_private && c->tok->tmk_loaded) {
		rv = object_unseal(obj, c->tok->tmk);
		if (rv != CKR_OK) {
			object_free(obj);
			return rv;
		}
	}
	/* Merge with what we had: ids come in ascending order. */
	while (c->pos < c->nfound && c->found[c->pos]->id < id) {
		token_destroy_object(c->tok, c->found[c->pos]);
		c->found[c->pos++] = NULL;
	}
	if (c->pos < c->nfound && c->found[c->pos]->id == id) {
		old = c->found[c->pos];
		c->found[c->pos++] = NULL;
	}
	if (old != NULL) {
		rv = token_replace_object(c->tok, old, obj);
		/* It may have become private (or public) elsewhere. */
		if (!object_visible(obj))
			drop_handle(obj);
		else if (rv == CKR_OK)
			rv = give_handle(obj);
	} else {
		rv = add_object(c->tok, obj, !c->unindexed);
		if (rv != CKR_OK)
			object_free(obj);
	}
	return rv;
}

static CK_RV load_objects(token *tok)
{
	struct load_ctx c = { tok, NULL, 0, 0, 0, 0 };
	object *o;
	CK_RV rv;

	/* Into an empty token (C_Initialize), the index is built once the
	 * number of objects is known: one table of the right size instead of
	 * rehashing every object at each doubling. */
	c.unindexed = tok->nobjects == 0;
	if (tok->nobjects > 0) {
		c.found = port_calloc(tok->nobjects, sizeof(*c.found));
		if (c.found == NULL)
			return CKR_HOST_MEMORY;
		for (o = tok->objects; o != NULL; o = o->next)
			if (o->is_token)
				c.found[c.nfound++] = o;
		qsort(c.found, c.nfound, sizeof(*c.found), by_id);
	}
	rv = store_objects_load(tok->st, load_one, &c);
	if (rv == CKR_OK)
		while (c.pos < c.nfound)
			token_destroy_object(tok, c.found[c.pos++]);
	port_free(c.found);
#if IOT_WITH_INDEX
	if (rv == CKR_OK && c.unindexed) {
		/* Every object here is new (the token was empty). On failure
		 * the caller frees them all; unlinked nodes are skipped. */
		rv = index_reserve(&tok->index, tok->index.count + tok->nobjects * INDEX_TYPES);
		for (o = tok->objects; o != NULL && rv == CKR_OK; o = o->next)
			index_object(tok, o, 1, &rv);
	}
#endif
	return rv;
}

static void fail(token *tok, CK_RV rv)
{
	config_log("token in %s cannot be used (error 0x%lx)", tok->path, rv);
	token_forget_login(tok);
	free_objects(tok, 0);
	store_close(tok->st);
	tok->st = NULL;
	tok->broken = rv == CKR_HOST_MEMORY ? rv : CKR_DEVICE_ERROR;
}

CK_RV token_open(token *tok)
{
	CK_RV rv;

	rv = store_open(tok->path, 0, NULL, &tok->st);
	if (rv != CKR_OK) {
		tok->st = NULL;
		if (rv != CKR_TOKEN_NOT_PRESENT)
			fail(tok, rv);
		return rv;
	}
	rv = store_token_load(tok->st, &tok->rec);
	if (rv == CKR_OK)
		rv = load_objects(tok);
	if (rv != CKR_OK)
		fail(tok, rv);
	return rv;
}

CK_RV token_sync(token *tok)
{
	uint8_t so_wrap[STORE_WRAPPED_LEN];
	int changed = 0;
	CK_RV rv;

	if (tok->broken != CKR_OK)
		return tok->broken;
	if (tok->st == NULL)
		return CKR_OK;
	rv = store_changed(tok->st, &changed);
	if (rv != CKR_OK || !changed) {
		if (rv != CKR_OK)
			fail(tok, rv);
		return rv;
	}
	memcpy(so_wrap, tok->rec.pin[STORE_ROLE_SO].wrapped, sizeof(so_wrap));
	rv = store_token_load(tok->st, &tok->rec);
	/* Re-initialized by another process: the old master key is gone. */
	if (rv == CKR_OK &&
	    memcmp(so_wrap, tok->rec.pin[STORE_ROLE_SO].wrapped, sizeof(so_wrap)) != 0)
		token_forget_login(tok);
	if (rv == CKR_OK)
		rv = load_objects(tok);
	if (rv != CKR_OK)
		fail(tok, rv);
	return rv;
}

void token_close(token *tok)
{
	token_forget_login(tok);
	free_objects(tok, 0);
#if IOT_WITH_INDEX
	index_free(&tok->index);
#endif
	store_close(tok->st);
	tok->st = NULL;
}

/* Logged out: private session objects are destroyed, handles to private
 * token objects become invalid for good, cached secrets are wiped (v2.40
 * 5.6 C_Logout). */
void token_forget_login(token *tok)
{
	object *o = tok->objects;
	size_t i;

	/* A signature needs the user: signing operations end with the login
	 * (they hold the private key), and so does every other operation
	 * with a private key object (a MAC's or a cipher's secret key). */
	for (i = 0; i < module.sessions.count; i++) {
		session *s = module.sessions.slots[i].ptr;

		if (s == NULL || s->tok != tok)
			continue;
		op_end(&s->sign);
		if (s->verify.key_private)
			op_end(&s->verify);
#if OP_WITH_CIPHERS
		if (s->encrypt.key_private)
			op_end(&s->encrypt);
		if (s->decrypt.key_private)
			op_end(&s->decrypt);
#endif
	}

	while (o != NULL) {
		object *next = o->next;

		if (o->is_private && !o->is_token) {
			token_destroy_object(tok, o);
		} else {
			if (o->is_private)
				drop_handle(o);
			object_lock(o);
		}
		o = next;
	}
	port_wipe(tok->tmk, sizeof(tok->tmk));
	tok->tmk_loaded = 0;
	tok->login = LOGIN_NONE;
}

CK_FLAGS token_flags(const token *tok)
{
	const store_pin *user = &tok->rec.pin[STORE_ROLE_USER];
	const store_pin *so = &tok->rec.pin[STORE_ROLE_SO];
	uint32_t max = module.cfg.max_failures;
	CK_FLAGS f = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_TOKEN_INITIALIZED;

	if (user->set)
		f |= CKF_USER_PIN_INITIALIZED;
	if (user->failures > 0)
		f |= CKF_USER_PIN_COUNT_LOW;
	if (user->failures + 1 == max)
		f |= CKF_USER_PIN_FINAL_TRY;
	if (user->failures >= max)
		f |= CKF_USER_PIN_LOCKED;
	if (so->failures > 0)
		f |= CKF_SO_PIN_COUNT_LOW;
	if (so->failures + 1 == max)
		f |= CKF_SO_PIN_FINAL_TRY;
	if (so->failures >= max)
		f |= CKF_SO_PIN_LOCKED;
	return f;
}
