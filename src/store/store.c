/*
 * store.h's functions: the backend is chosen by the path at open (a name
 * ending in STORE_FILES_SUFFIX is a files store), every other call goes to
 * the functions of the store's backend. The device profile has one backend,
 * files, over the PAL the port gave (iotoken_device_setup); the path only
 * names the token there, and files.c defines the other functions itself.
 */
#include <string.h>

#include "port/device.h"
#include "port/pal.h"
#include "store/backend.h"
#include "store/files.h"

#if IOT_DEVICE
static const char *const device_token_files[] = { "token.a", "token.b" };

static CK_RV open_files(const char *path, int create, const store_token *t, store **out)
{
	const iotoken_device *d = port_device();
	pal_files pal;
	CK_RV rv;
	size_t i;

	(void)path;
	if (d == NULL)
		return CKR_GENERAL_ERROR;
	pal = d->pal;
	pal.close = NULL; /* the device's, not the store's */
	rv = store_files_open(&pal, create, t, out);
	/* A retry of the create starts from nothing: a failed create may
	 * have written the first copy of the token record. */
	if (rv != CKR_OK && create)
		for (i = 0; i < sizeof(device_token_files) / sizeof(device_token_files[0]); i++)
			(void)pal.remove(pal.ctx, device_token_files[i]);
	return rv;
}

CK_RV store_open(const char *path, int create, const store_token *t, store **out)
{
	*out = NULL;
	if (create && t == NULL)
		return CKR_ARGUMENTS_BAD;
	return open_files(path, create, t, out);
}
#else

static int is_files_path(const char *path)
{
	size_t n = strlen(path), ls = strlen(STORE_FILES_SUFFIX);

	return n > ls && strcmp(path + n - ls, STORE_FILES_SUFFIX) == 0;
}

static CK_RV open_files(const char *path, int create, const store_token *t, store **out)
{
	pal_files pal;
	CK_RV rv;

	rv = pal_posix_open(path, create, &pal);
	if (rv != CKR_OK)
		return rv;
	rv = store_files_open(&pal, create, t, out);
	if (rv != CKR_OK) {
		pal.close(pal.ctx);
		/* A retry of the create starts from nothing. */
		if (create)
			pal_posix_remove_dir(path);
	}
	return rv;
}

CK_RV store_open(const char *path, int create, const store_token *t, store **out)
{
	*out = NULL;
	if (create && t == NULL)
		return CKR_ARGUMENTS_BAD;
	if (is_files_path(path))
		return open_files(path, create, t, out);
#if IOT_WITH_SQLITE
	return store_sqlite_open(path, create, t, out);
#else
	return CKR_TOKEN_NOT_RECOGNIZED;
#endif
}
#endif

#if !IOT_DEVICE
void store_close(store *s)
{
	if (s != NULL)
		s->ops->close(s);
}

CK_RV store_token_load(store *s, store_token *out)
{
	return s->ops->token_load(s, out);
}

CK_RV store_token_save(store *s, const store_token *t)
{
	return s->ops->token_save(s, t);
}

CK_RV store_pin_save(store *s, int role, const store_pin *p)
{
	if (role < 0 || role >= STORE_ROLES)
		return CKR_ARGUMENTS_BAD;
	return s->ops->pin_save(s, role, p);
}

CK_RV store_pin_attempt(store *s, int role, store_pin *out)
{
	if (role < 0 || role >= STORE_ROLES)
		return CKR_ARGUMENTS_BAD;
	return s->ops->pin_attempt(s, role, out);
}

CK_RV store_reset(store *s, const store_token *t)
{
	return s->ops->reset(s, t);
}

CK_RV store_object_put(store *s, uint64_t id, const uint8_t *data, size_t len)
{
	return s->ops->object_put(s, id, data, len);
}

CK_RV store_object_delete(store *s, uint64_t id)
{
	return s->ops->object_delete(s, id);
}

CK_RV store_objects_load(store *s, store_object_fn fn, void *ctx)
{
	return s->ops->objects_load(s, fn, ctx);
}

CK_RV store_changed(store *s, int *changed)
{
	return s->ops->changed(s, changed);
}
#endif
