/*
 * Objects: attribute values laid out parallel to the schema rules of the
 * object's kind, so every valid attribute is present (with its default when
 * the template did not give it).
 */
#ifndef IOTOKEN_OBJECT_H
#define IOTOKEN_OBJECT_H

#include <stdint.h>

#include "core/attr.h"
#include "core/index.h"
#include "crypto/crypto.h"

struct token;

typedef struct obj_value {
	uint8_t *value; /* clear value; NULL while sealed and not opened */
	size_t len;
	uint8_t *sealed; /* as stored, for A_SEAL values of private token objects */
	uint32_t sealed_len;
	uint8_t in_block; /* VALUE_IN_BLOCK, SEALED_IN_BLOCK: not allocated apart */
} obj_value;

/* A loaded object's values live in the object's own allocation (one per
 * object instead of one per value: loading 10,000 objects spent most of
 * its time in malloc). A value changed later is allocated on its own. */
#define VALUE_IN_BLOCK 0x1u
#define SEALED_IN_BLOCK 0x2u

/* The record MAC of a private token object (store/seal.h, store/codec.h):
 * object_decode keeps what the record holds, object_unseal checks it once
 * the master key is there (login), object_encode writes it. */
enum obj_auth_state {
	OBJ_AUTH_NONE,    /* nothing to check: public, session, or never loaded */
	OBJ_AUTH_PENDING, /* loaded with a MAC, not checked yet */
	OBJ_AUTH_OK,      /* checked, or written here */
	OBJ_AUTH_MISSING, /* private, loaded without a MAC: refused at login */
	OBJ_AUTH_OLD,     /* the same, from a format 1 record (before the MAC) */
};

typedef struct obj_auth {
	uint8_t state;                     /* enum obj_auth_state */
	uint8_t digest[CRYPTO_SHA256_LEN]; /* SHA-256 of the record's header and entries */
	uint8_t mac[CRYPTO_SHA256_LEN];
} obj_auth;

typedef struct object {
	struct token *tok;
	uint64_t id;             /* store id of token objects; 0 for session objects */
	CK_OBJECT_HANDLE handle; /* 0 while it has none */
	CK_SESSION_HANDLE owner; /* creating session of a session object */
	enum obj_kind kind;
	const attr_rule *const *rules;
	size_t n;
	obj_value *v; /* n values, parallel to rules */
	CK_BBOOL is_token, is_private;
	crypto_key *key;            /* the backend key of a key object, built on first use */
	struct object *prev, *next; /* the token's list */
#if IOT_WITH_INDEX
	index_node idx[INDEX_TYPES];
#endif
	obj_auth auth;     /* the record MAC, for private token objects */
	size_t block_len;  /* bytes of this allocation: the struct, slots, values */
	obj_value slots[]; /* v points here; loaded values follow slots[n] */
} object;

/* Flags of object_create. */
#define OBJ_CREATE_SO 0x1u       /* the SO is logged in (CKA_TRUSTED) */
#define OBJ_CREATE_INTERNAL 0x2u /* the token itself creates it: computed attributes allowed */

/* Builds a new object from a creation template: schema checks, defaults,
 * computed values. The object has no id, handle or token yet. */
CK_RV object_create(const CK_ATTRIBUTE *tmpl, CK_ULONG count, unsigned flags,
		    object **out) IOT_MUST_CHECK;

/* A deep copy: values, id, token and owner; no handle, not indexed. */
CK_RV object_clone(const object *src, object **out) IOT_MUST_CHECK;

/* Applies a C_SetAttributeValue (copy = 0) or C_CopyObject (copy = 1)
 * template to obj, which must be a private clone: the caller swaps it in
 * only if this succeeds. */
CK_RV object_apply(object *obj, const CK_ATTRIBUTE *tmpl, CK_ULONG count, int copy,
		   int so) IOT_MUST_CHECK;

/* The value slot of an attribute, or NULL when the type is not valid for
 * the object's kind. */
obj_value *object_value(const object *obj, CK_ATTRIBUTE_TYPE type);
/* Sets a value the token computes (no policy checks: the token's own). */
CK_RV object_set_value(object *obj, CK_ATTRIBUTE_TYPE type, const void *v,
		       size_t len) IOT_MUST_CHECK;
CK_RV object_set_bool(object *obj, CK_ATTRIBUTE_TYPE type, CK_BBOOL b) IOT_MUST_CHECK;
const attr_rule *object_rule(const object *obj, CK_ATTRIBUTE_TYPE type);
CK_BBOOL object_bool(const object *obj, CK_ATTRIBUTE_TYPE type);
CK_ULONG object_ulong(const object *obj, CK_ATTRIBUTE_TYPE type);

/* Whether the object's value of type is hidden from C_GetAttributeValue. */
int object_hidden(const object *obj, const attr_rule *r);

/* Whether every template entry equals the object's value (C_FindObjects). */
int object_matches(const object *obj, const CK_ATTRIBUTE *tmpl, CK_ULONG count);

/* The record as stored: A_SEAL values of private token objects sealed with
 * the token master key (which must then be given) and the whole record of
 * a private token object authenticated with a MAC under it; the new sealed
 * forms and the MAC are kept in obj. */
CK_RV object_encode(object *obj, const uint8_t *tmk, uint8_t **out, size_t *outlen) IOT_MUST_CHECK;
CK_RV object_decode(uint64_t id, const uint8_t *in, size_t len, object **out) IOT_MUST_CHECK;
/* The same for one of the many objects a token load makes at once: the
 * object comes from port_arena_alloc. */
CK_RV object_decode_bulk(uint64_t id, const uint8_t *in, size_t len, object **out) IOT_MUST_CHECK;
size_t object_size(const object *obj);

/* Opens the sealed values (after login) / forgets the clear ones and the
 * cached backend key (logout). object_unseal first checks the record MAC of
 * a private token object that was loaded (once: it stays checked):
 * CKR_DEVICE_ERROR when it does not verify or the record has none. */
CK_RV object_unseal(object *obj, const uint8_t *tmk) IOT_MUST_CHECK;
void object_lock(object *obj);

/* Drops the sealed forms (a copy gets a new id: nothing sealed under the
 * old one may be stored for it). */
void object_forget_sealed(object *obj);

void object_free(object *obj);

#endif
