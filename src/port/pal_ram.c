/*
 * The RAM file PAL (pal.h), for tests: a directory in memory that can fail
 * the nth call or lose power after the nth write step. A write is modelled
 * as the steps of the POSIX PAL's write (pal_posix.c), each one a change of
 * the file set or a sync, so that a cut after any step leaves exactly what
 * a crash at that point leaves on a disk: the temporary file and the old
 * file, or the new file. In torn mode writes go in place, as on a device
 * without atomic writes, and a cut can leave half of the new bytes.
 */
#include <string.h>

#include "port/pal.h"

#define TMP_SUFFIX ".tmp"

typedef struct ram_file {
	char name[PAL_NAME_MAX + 1];
	uint8_t *data;
	size_t len;
	unsigned long version; /* for changed() */
} ram_file;

typedef struct ram_watch {
	char name[PAL_NAME_MAX + 1];
	unsigned long version; /* 0: absent */
} ram_watch;

#define WATCH_MAX 4

struct pal_ram {
	ram_file *f;
	size_t n, cap;
	unsigned long calls, steps, versions;
	unsigned long fail_at; /* in calls; 0: off */
	CK_RV fail_rv;
	unsigned long cut_at; /* in steps; 0: off */
	int cut, torn;
};

/* One PAL over a pal_ram, as one process sees the device: its own watches. */
typedef struct ram_view {
	pal_ram *r;
	ram_watch w[WATCH_MAX];
	size_t nw;
} ram_view;

static ram_file *find(const pal_ram *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->f[i].name, name) == 0)
			return &r->f[i];
	return NULL;
}

static void drop(pal_ram *r, const char *name)
{
	ram_file *f = find(r, name);

	if (f == NULL)
		return;
	port_free(f->data);
	*f = r->f[--r->n];
}

/* Sets name to a copy of data (in place: a file of that name is replaced). */
static CK_RV set(pal_ram *r, const char *name, const uint8_t *data, size_t len)
{
	ram_file *f = find(r, name);
	uint8_t *copy;

	if (strlen(name) > PAL_NAME_MAX)
		return CKR_DEVICE_ERROR;
	copy = port_malloc(len > 0 ? len : 1);
	if (copy == NULL)
		return CKR_HOST_MEMORY;
	if (len > 0)
		memcpy(copy, data, len);
	if (f == NULL) {
		if (r->n == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 16;
			ram_file *nf = port_realloc(r->f, cap * sizeof *nf);

			if (nf == NULL) {
				port_free(copy);
				return CKR_HOST_MEMORY;
			}
			r->f = nf;
			r->cap = cap;
		}
		f = &r->f[r->n++];
		memset(f, 0, sizeof *f);
		memcpy(f->name, name, strlen(name) + 1);
	}
	port_free(f->data);
	f->data = copy;
	f->len = len;
	f->version = ++r->versions;
	return CKR_OK;
}

static int is_tmp(const char *name)
{
	size_t n = strlen(name), t = strlen(TMP_SUFFIX);

	return n > t && strcmp(name + n - t, TMP_SUFFIX) == 0;
}

/* Every counted call starts here: a dead device or an injected failure. */
static CK_RV enter(pal_ram *r)
{
	r->calls++;
	if (r->cut)
		return CKR_DEVICE_ERROR;
	if (r->fail_at != 0 && --r->fail_at == 0)
		return r->fail_rv;
	return CKR_OK;
}

/* One write step done: is this where the power goes? */
static int step(pal_ram *r)
{
	r->steps++;
	if (r->cut_at != 0 && --r->cut_at == 0)
		r->cut = 1;
	return r->cut;
}

static CK_RV ram_read(void *ctx, const char *name, uint8_t **data, size_t *len)
{
	pal_ram *r = ((ram_view *)ctx)->r;
	CK_RV rv = enter(r);
	ram_file *f;

	if (rv != CKR_OK)
		return rv;
	f = find(r, name);
	if (f == NULL || is_tmp(name))
		return PAL_NOT_FOUND;
	*data = port_malloc(f->len > 0 ? f->len : 1);
	if (*data == NULL)
		return CKR_HOST_MEMORY;
	if (f->len > 0)
		memcpy(*data, f->data, f->len);
	*len = f->len;
	return CKR_OK;
}

static CK_RV ram_write(void *ctx, const char *name, const uint8_t *data, size_t len)
{
	pal_ram *r = ((ram_view *)ctx)->r;
	char tmp[PAL_NAME_MAX + 1];
	CK_RV rv = enter(r);
	ram_file *t;

	if (rv != CKR_OK)
		return rv;
	if (strlen(name) + strlen(TMP_SUFFIX) > PAL_NAME_MAX || is_tmp(name))
		return CKR_DEVICE_ERROR;
	if (r->torn) {
		/* In place: half the new bytes over the old file, then all. */
		rv = set(r, name, data, len / 2);
		if (rv != CKR_OK || step(r))
			return rv != CKR_OK ? rv : CKR_DEVICE_ERROR;
		rv = set(r, name, data, len);
		if (rv != CKR_OK || step(r))
			return rv != CKR_OK ? rv : CKR_DEVICE_ERROR;
		return step(r) ? CKR_DEVICE_ERROR : CKR_OK;
	}
	memcpy(tmp, name, strlen(name));
	memcpy(tmp + strlen(name), TMP_SUFFIX, sizeof TMP_SUFFIX);
	rv = set(r, tmp, data, len);
	if (rv != CKR_OK || step(r)) /* temp written */
		return rv != CKR_OK ? rv : CKR_DEVICE_ERROR;
	if (step(r)) /* temp synced */
		return CKR_DEVICE_ERROR;
	/* rename: the temporary file's bytes become name's */
	t = find(r, tmp);
	rv = set(r, name, t->data, t->len);
	if (rv != CKR_OK) {
		drop(r, tmp);
		return rv;
	}
	drop(r, tmp);
	if (step(r)) /* renamed */
		return CKR_DEVICE_ERROR;
	return step(r) ? CKR_DEVICE_ERROR : CKR_OK; /* directory synced */
}

static CK_RV ram_remove(void *ctx, const char *name)
{
	pal_ram *r = ((ram_view *)ctx)->r;
	CK_RV rv = enter(r);

	if (rv != CKR_OK)
		return rv;
	if (find(r, name) == NULL)
		return CKR_OK;
	drop(r, name);
	if (step(r)) /* unlinked */
		return CKR_DEVICE_ERROR;
	return step(r) ? CKR_DEVICE_ERROR : CKR_OK; /* directory synced */
}

static CK_RV ram_list(void *ctx, pal_name_fn fn, void *arg)
{
	pal_ram *r = ((ram_view *)ctx)->r;
	CK_RV rv = enter(r);
	size_t i;

	if (rv != CKR_OK)
		return rv;
	/* fn may not change the file set; the store does not. */
	for (i = 0; rv == CKR_OK && i < r->n; i++)
		if (!is_tmp(r->f[i].name))
			rv = fn(arg, r->f[i].name);
	return rv;
}

static CK_RV ram_lock(void *ctx, int exclusive)
{
	(void)exclusive;
	return enter(((ram_view *)ctx)->r);
}

static void ram_unlock(void *ctx)
{
	(void)ctx;
}

static CK_RV ram_changed(void *ctx, const char *name, int *changed)
{
	ram_view *view = ctx;
	pal_ram *r = view->r;
	CK_RV rv = enter(r);
	ram_watch *w = NULL;
	ram_file *f;
	unsigned long v;
	size_t i;

	*changed = 1;
	if (rv != CKR_OK)
		return rv;
	f = find(r, name);
	v = f != NULL ? f->version : 0;
	for (i = 0; i < view->nw; i++)
		if (strcmp(view->w[i].name, name) == 0)
			w = &view->w[i];
	if (w == NULL) {
		if (view->nw == WATCH_MAX || strlen(name) > PAL_NAME_MAX)
			return CKR_DEVICE_ERROR;
		w = &view->w[view->nw++];
		memcpy(w->name, name, strlen(name) + 1);
	} else {
		*changed = w->version != v;
	}
	w->version = v;
	return CKR_OK;
}

CK_RV pal_ram_new(pal_ram **out)
{
	*out = port_calloc(1, sizeof **out);
	return *out != NULL ? CKR_OK : CKR_HOST_MEMORY;
}

void pal_ram_free(pal_ram *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		port_free(r->f[i].data);
	port_free(r->f);
	port_free(r);
}

static void ram_close(void *ctx)
{
	port_free(ctx);
}

CK_RV pal_ram_files(pal_ram *r, pal_files *out)
{
	ram_view *view = port_calloc(1, sizeof *view);

	memset(out, 0, sizeof *out);
	if (view == NULL)
		return CKR_HOST_MEMORY;
	view->r = r;
	out->ctx = view;
	out->read = ram_read;
	out->write = ram_write;
	out->remove = ram_remove;
	out->list = ram_list;
	out->lock = ram_lock;
	out->unlock = ram_unlock;
	out->changed = ram_changed;
	out->close = ram_close;
	out->flags = r->torn ? PAL_TORN_WRITES : 0;
	return CKR_OK;
}

void pal_ram_fail_call(pal_ram *r, unsigned long n, CK_RV rv)
{
	r->fail_at = n;
	r->fail_rv = rv;
}

void pal_ram_cut_after(pal_ram *r, unsigned long n)
{
	r->cut_at = n;
}

int pal_ram_is_cut(const pal_ram *r)
{
	return r->cut;
}

void pal_ram_power_on(pal_ram *r)
{
	r->cut = 0;
	r->cut_at = 0;
	r->fail_at = 0;
}

void pal_ram_set_torn(pal_ram *r, int torn)
{
	r->torn = torn != 0;
}

unsigned long pal_ram_calls(const pal_ram *r)
{
	return r->calls;
}

unsigned long pal_ram_steps(const pal_ram *r)
{
	return r->steps;
}

const uint8_t *pal_ram_peek(const pal_ram *r, const char *name, size_t *len)
{
	ram_file *f = find(r, name);

	if (f == NULL)
		return NULL;
	*len = f->len;
	return f->data;
}

CK_RV pal_ram_poke(pal_ram *r, const char *name, const uint8_t *data, size_t len)
{
	return set(r, name, data, len);
}

void pal_ram_unlink(pal_ram *r, const char *name)
{
	drop(r, name);
	r->versions++;
}

size_t pal_ram_count(const pal_ram *r)
{
	return r->n;
}

const char *pal_ram_name(const pal_ram *r, size_t i)
{
	return i < r->n ? r->f[i].name : NULL;
}

CK_RV pal_ram_clone(const pal_ram *r, pal_ram **out)
{
	pal_ram *c;
	size_t i;
	CK_RV rv;

	rv = pal_ram_new(&c);
	for (i = 0; rv == CKR_OK && i < r->n; i++)
		rv = set(c, r->f[i].name, r->f[i].data, r->f[i].len);
	if (rv != CKR_OK) {
		pal_ram_free(c);
		return rv;
	}
	c->torn = r->torn;
	*out = c;
	return CKR_OK;
}
