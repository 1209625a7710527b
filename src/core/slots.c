/*
 * Slots: every token in the store directory is a slot whose id is the number
 * in its name (token-<id>.sqlite, or the directory token-<id>.files with
 * `store = files`), so slot ids are stable across runs; one more slot holds
 * an uninitialized token for C_InitToken. Only the configured backend's
 * tokens are slots: the two kinds never share an id space.
 */
#include <string.h>

#include "core/module.h"

#if !IOT_DEVICE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define TOKEN_PREFIX "token-"

/* The name's end says the backend (store_open picks it by the path). */
static const char *token_suffix(void)
{
	return module.cfg.store == CONFIG_STORE_FILES ? STORE_FILES_SUFFIX : ".sqlite";
}

/* The store directory must be ours and private (SECURITY.md row 21). */
static CK_RV prepare_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		config_log("cannot create store directory %s: %s", dir, strerror(errno));
		return CKR_FUNCTION_FAILED;
	}
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		config_log("store %s is not a directory (symlinks are refused)", dir);
		return CKR_FUNCTION_FAILED;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		config_log("store directory %s is writable by others", dir);
		return CKR_FUNCTION_FAILED;
	}
	return CKR_OK;
}

static int parse_name(const char *name, CK_SLOT_ID *id)
{
	const char *suffix = token_suffix();
	size_t lp = strlen(TOKEN_PREFIX), ls = strlen(suffix), n = strlen(name);
	unsigned long v = 0;
	size_t i;

	if (n <= lp + ls || n - lp - ls > 9 || strncmp(name, TOKEN_PREFIX, lp) != 0 ||
	    strcmp(name + n - ls, suffix) != 0)
		return 0;
	for (i = lp; i < n - ls; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(name[i] - '0');
	}
	/* One spelling per id: no leading zeros. */
	if (name[lp] == '0' && n - lp - ls > 1)
		return 0;
	*id = v;
	return 1;
}

static char *token_path(CK_SLOT_ID id)
{
	size_t n = strlen(module.cfg.dir) + 48;
	char *p = port_malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/" TOKEN_PREFIX "%lu%s", module.cfg.dir, id, token_suffix());
	return p;
}

#else
/* The device profile: one slot, id 0, its token in the port's file PAL
 * (store.c ignores the path there; it names the token in messages). */
static char *token_path(CK_SLOT_ID id)
{
	static const char name[] = "token";

	(void)id;
	return port_memdup(name, sizeof(name));
}
#endif

static CK_RV new_token(CK_SLOT_ID id, token **out)
{
	token *tok = port_calloc(1, sizeof(*tok));

	if (tok == NULL)
		return CKR_HOST_MEMORY;
	tok->slot_id = id;
	tok->login = LOGIN_NONE;
	tok->path = token_path(id);
	if (tok->path == NULL) {
		port_free(tok);
		return CKR_HOST_MEMORY;
	}
	*out = tok;
	return CKR_OK;
}

token *slot_token(CK_SLOT_ID id)
{
	token *t;

	for (t = module.tokens; t != NULL; t = t->next)
		if (t->slot_id == id)
			return t;
	return NULL;
}

static void insert_sorted(token *tok)
{
	token **pp = &module.tokens;

	while (*pp != NULL && (*pp)->slot_id < tok->slot_id)
		pp = &(*pp)->next;
	tok->next = *pp;
	*pp = tok;
}

#if !IOT_DEVICE
/* The uninitialized slot comes after every token. */
static CK_RV ensure_blank_slot(void)
{
	token *t, *last = NULL;
	token *blank;
	CK_RV rv;

	for (t = module.tokens; t != NULL; t = t->next) {
		last = t;
		if (t->st == NULL && t->broken == CKR_OK)
			return CKR_OK;
	}
	rv = new_token(last != NULL ? last->slot_id + 1 : 0, &blank);
	if (rv != CKR_OK)
		return rv;
	insert_sorted(blank);
	return CKR_OK;
}

/* Adds the tokens that exist on disk but not yet here (a token another
 * process created turns up on the next C_GetSlotList). */
CK_RV slots_refresh(void)
{
	DIR *d = opendir(module.cfg.dir);
	struct dirent *e;
	CK_RV rv = CKR_OK;

	if (d == NULL) {
		config_log("cannot list %s: %s", module.cfg.dir, strerror(errno));
		return CKR_FUNCTION_FAILED;
	}
	while (rv == CKR_OK && (e = readdir(d)) != NULL) {
		CK_SLOT_ID id;
		token *tok;

		if (!parse_name(e->d_name, &id))
			continue;
		tok = slot_token(id);
		if (tok != NULL && tok->st != NULL)
			continue;
		if (tok == NULL) {
			rv = new_token(id, &tok);
			if (rv != CKR_OK)
				break;
			insert_sorted(tok);
		}
		/* A broken store stays a slot, with the error it gave; it is
		 * tried again at the next refresh (it may have been caught
		 * half created by another process). */
		tok->broken = CKR_OK;
		if (token_open(tok) != CKR_OK && tok->broken == CKR_OK)
			tok->broken = CKR_DEVICE_ERROR;
	}
	closedir(d);
	if (rv == CKR_OK)
		rv = ensure_blank_slot();
	return rv;
}

CK_RV slots_load(void)
{
	CK_RV rv = prepare_dir(module.cfg.dir);

	if (rv != CKR_OK)
		return rv;
	return slots_refresh();
}

#else
CK_RV slots_refresh(void)
{
	return CKR_OK;
}

/* Slot 0, with the token the PAL holds or none yet (C_InitToken makes it). */
CK_RV slots_load(void)
{
	token *tok;
	CK_RV rv = new_token(0, &tok);

	if (rv != CKR_OK)
		return rv;
	insert_sorted(tok);
	rv = token_open(tok);
	if (rv == CKR_HOST_MEMORY)
		return rv;
	/* CKR_TOKEN_NOT_PRESENT: a blank slot; any other error leaves the
	 * slot broken, with its error (token_open recorded it). */
	return CKR_OK;
}
#endif

void slots_free(void)
{
	token *t = module.tokens;

	while (t != NULL) {
		token *next = t->next;

		token_close(t);
		port_free(t->path);
		port_wipe(t, sizeof(*t));
		port_free(t);
		t = next;
	}
	module.tokens = NULL;
}
