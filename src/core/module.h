/*
 * The token model: the module's global state, its tokens (one per slot),
 * sessions, and the handle tables. All of it is guarded by one module lock
 * (module.lock), taken by every API entry point after the initialization
 * and fork checks.
 */
#ifndef IOTOKEN_MODULE_H
#define IOTOKEN_MODULE_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/config.h"
#include "core/index.h"
#include "core/object.h"
#include "core/op.h"
#include "store/seal.h"
#include "store/store.h"

#define LOGIN_NONE ((CK_USER_TYPE)-1)

typedef struct token {
	CK_SLOT_ID slot_id;
	char *path;
	store *st;       /* NULL while the token is not initialized */
	CK_RV broken;    /* CKR_OK, or why the store cannot be used */
	store_token rec; /* label, serial, PIN records as last read/written */
	uint8_t tmk[SEAL_TMK_LEN];
	int tmk_loaded;
	CK_USER_TYPE login; /* LOGIN_NONE, CKU_USER or CKU_SO */
	CK_ULONG sessions, rw_sessions;
	object *objects; /* every object of the token, token and session */
	size_t nobjects;
#if IOT_WITH_INDEX
	obj_index index;
#endif
	struct token *next;
} token;

#define FIND_BATCH_MAX ((size_t)1 << 24)

typedef struct session {
	CK_SESSION_HANDLE handle;
	token *tok;
	CK_FLAGS flags;
	struct {
		int active;
		CK_OBJECT_HANDLE *handles;
		size_t count, pos;
	} find;
	op digest, sign, verify;
#if OP_WITH_CIPHERS
	op encrypt, decrypt;
#endif
} session;

/* A handle table: handles carry a generation so that a closed session's or
 * destroyed object's handle never reaches a new one. handle = generation
 * << HANDLE_INDEX_BITS | (index + 1). */
#define HANDLE_INDEX_BITS 24
#define HANDLE_INDEX_MAX (((CK_ULONG)1 << HANDLE_INDEX_BITS) - 1)

typedef struct handle_slot {
	void *ptr;
	CK_ULONG generation;
} handle_slot;

typedef struct handle_table {
	handle_slot *slots;
	size_t count, cap;
	size_t *free_list;
	size_t nfree;
} handle_table;

struct module {
	atomic_int initialized;
	unsigned long fork_generation; /* as seen at C_Initialize */
	port_mutex *lock;
	iotoken_config cfg;
	token *tokens; /* by ascending slot id; the last is the uninitialized one */
	handle_table sessions;
	handle_table objects;
	size_t session_count;
};

extern struct module module;

/* Handles. */
CK_RV handle_add(handle_table *t, void *ptr, CK_ULONG *out) IOT_MUST_CHECK;
void *handle_get(const handle_table *t, CK_ULONG h);
void handle_release(handle_table *t, CK_ULONG h);
/* Points a live handle at another object (an object replaced by its changed copy). */
void handle_set(handle_table *t, CK_ULONG h, void *ptr);
void handle_table_free(handle_table *t);

/* Slots and tokens (slots.c). */
CK_RV slots_load(void) IOT_MUST_CHECK;
CK_RV slots_refresh(void) IOT_MUST_CHECK;
token *slot_token(CK_SLOT_ID id);
void slots_free(void);

/* Token (token.c). */
CK_RV token_open(token *tok) IOT_MUST_CHECK;
CK_RV token_sync(token *tok) IOT_MUST_CHECK;
void token_close(token *tok);
CK_RV token_add_object(token *tok, object *obj) IOT_MUST_CHECK;
void token_remove_object(token *tok, object *obj);
void token_destroy_object(token *tok, object *obj);
CK_RV token_store_object(token *tok, object *obj) IOT_MUST_CHECK;
CK_RV token_replace_object(token *tok, object *old, object *repl) IOT_MUST_CHECK;
CK_FLAGS token_flags(const token *tok);

/* PINs and login (pin.c). */
CK_RV pin_init_token(token *tok, const uint8_t *so_pin, size_t len,
		     const uint8_t label[32]) IOT_MUST_CHECK;
CK_RV pin_login(token *tok, CK_USER_TYPE user, const uint8_t *pin, size_t len) IOT_MUST_CHECK;
CK_RV pin_logout(token *tok) IOT_MUST_CHECK;
CK_RV pin_init_user(token *tok, const uint8_t *pin, size_t len) IOT_MUST_CHECK;
CK_RV pin_set(token *tok, CK_USER_TYPE who, const uint8_t *old, size_t oldlen, const uint8_t *pin,
	      size_t len) IOT_MUST_CHECK;
void token_forget_login(token *tok);

/* Sessions (session.c). */
CK_RV session_open(token *tok, CK_FLAGS flags, CK_SESSION_HANDLE *out) IOT_MUST_CHECK;
CK_RV session_get(CK_SESSION_HANDLE h, session **out) IOT_MUST_CHECK;
void session_close(session *s);
void session_close_all(token *tok);
CK_STATE session_state(const session *s);
void session_find_end(session *s);

/* Objects seen through a session (visibility rules). */
CK_RV session_object(const session *s, CK_OBJECT_HANDLE h, object **out) IOT_MUST_CHECK;
int object_visible(const object *obj);

#endif
