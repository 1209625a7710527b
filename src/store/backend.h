/*
 * The store backends behind store.h: each store begins with a struct store
 * whose ops point at its backend's functions, and store.c dispatches. Only
 * the backends and store.c include this header.
 */
#ifndef IOTOKEN_STORE_BACKEND_H
#define IOTOKEN_STORE_BACKEND_H

#include "store/store.h"

typedef struct store_ops {
	void (*close)(store *s);
	CK_RV (*token_load)(store *s, store_token *out);
	CK_RV (*token_save)(store *s, const store_token *t);
	CK_RV (*pin_save)(store *s, int role, const store_pin *p);
	CK_RV (*pin_attempt)(store *s, int role, store_pin *out);
	CK_RV (*reset)(store *s, const store_token *t);
	CK_RV (*object_put)(store *s, uint64_t id, const uint8_t *data, size_t len);
	CK_RV (*object_delete)(store *s, uint64_t id);
	CK_RV (*objects_load)(store *s, store_object_fn fn, void *ctx);
	CK_RV (*changed)(store *s, int *changed);
} store_ops;

struct store {
	const store_ops *ops;
};

/* sqlite.c: store_open for an SQLite database file. */
CK_RV store_sqlite_open(const char *path, int create, const store_token *t,
			store **out) IOT_MUST_CHECK;

#endif
