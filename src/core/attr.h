/*
 * The attribute schema: one table saying, per object kind, which attributes
 * exist, which the template must give, their defaults, which may change
 * after creation and how, which are secret and which the token computes.
 * Adding an attribute or a key type is adding rows.
 */
#ifndef IOTOKEN_ATTR_H
#define IOTOKEN_ATTR_H

#include <stddef.h>
#include <stdint.h>

#include "port/port.h"

enum obj_kind {
	KIND_DATA,
	KIND_CERT_X509,
	KIND_PUB_EC,
	KIND_PUB_RSA,
	KIND_PRIV_EC,
	KIND_PRIV_RSA,
	KIND_SECRET_GENERIC,
	KIND_SECRET_AES,
#if IOT_WITH_ED25519
	KIND_PUB_ED, /* CKK_EC_EDWARDS: Ed25519 */
	KIND_PRIV_ED,
#endif
	KIND_COUNT
};

/* One bit per kind: a byte unless the Edwards kinds make ten. */
#if IOT_WITH_ED25519
typedef uint16_t kind_mask;
#else
typedef uint8_t kind_mask;
#endif

enum attr_form {
	FORM_BOOL,
	FORM_ULONG,
	FORM_BYTES,
	FORM_DATE,
	FORM_ULONGS,
	FORM_ATTRS, /* an array of attributes, one level (attr_array.h) */
};

/* Row flags. */
#define A_REQUIRED 0x001u   /* the creation template must give it */
#define A_MODIFIABLE 0x002u /* C_SetAttributeValue may change it (see one-way flags) */
#define A_TO_TRUE 0x004u    /* may only change FALSE -> TRUE */
#define A_TO_FALSE 0x008u   /* may only change TRUE -> FALSE */
#define A_SECRET 0x010u     /* hidden when CKA_SENSITIVE or !CKA_EXTRACTABLE */
#define A_SEAL 0x020u       /* sealed at rest when the object is private */
#define A_COMPUTED 0x040u   /* set by the token; refused in any template */
#define A_NO_CREATE 0x080u  /* computed at C_CreateObject; not in its template */
#define A_COPY 0x100u       /* C_CopyObject's template may change it */
#define A_SO_ONLY 0x200u    /* only the SO may set it to TRUE */

/* Packed: the table is read-only data in a device's flash (about 70 rows),
 * 8 bytes a row there. A type is kept in 16 bits: the v2.40 attribute
 * numbers are below 0x4000, and an array attribute (CKF_ARRAY_ATTRIBUTE,
 * CKA_WRAP_TEMPLATE & co.) is written ATTR_ARRAY(low bits). A number that
 * does not fit 16 bits is a compile error (-Woverflow), not a wrong row. */
typedef struct attr_rule {
	uint16_t type;   /* attr_rule_type() */
	kind_mask kinds; /* bit mask of 1u << enum obj_kind */
	uint8_t form;    /* enum attr_form */
	uint16_t flags;  /* A_* */
	uint16_t def;    /* default of FORM_BOOL / FORM_ULONG (attr_rule_def); others empty */
} attr_rule;

#define ATTR_ARRAY(t) (0x4000u | ((t)&0x3fffu))
#define ATTR_DEF_UNAVAILABLE 0xffffu /* CK_UNAVAILABLE_INFORMATION */

static inline CK_ATTRIBUTE_TYPE attr_rule_type(const attr_rule *r)
{
	return (r->type & 0x4000u) ? (CKF_ARRAY_ATTRIBUTE | (r->type & 0x3fffu)) : r->type;
}

static inline CK_ULONG attr_rule_def(const attr_rule *r)
{
	return r->def == ATTR_DEF_UNAVAILABLE ? CK_UNAVAILABLE_INFORMATION : r->def;
}

_Static_assert(KIND_COUNT <= 8 * sizeof(kind_mask), "attr_rule.kinds holds one bit per kind");

/* The rule for type in kind, or NULL when the type is not valid there. */
const attr_rule *attr_rule_find(enum obj_kind kind, CK_ATTRIBUTE_TYPE type);

/* Every rule of kind, in table order: *count set, returns the first of an
 * array of pointers. */
const attr_rule *const *attr_rules_of(enum obj_kind kind, size_t *count);

/* The kind for a class and key type (key type ignored for non-keys).
 * CKR_ATTRIBUTE_VALUE_INVALID for classes and key types we do not store. */
CK_RV attr_kind(CK_OBJECT_CLASS cls, CK_KEY_TYPE key_type, enum obj_kind *out) IOT_MUST_CHECK;

/* Checks a value's shape against its form (BOOL one byte 0/1, ULONG
 * sizeof(CK_ULONG), DATE 0 or 8 digits, ULONGS a multiple). */
CK_RV attr_value_check(const attr_rule *r, const void *v, CK_ULONG len) IOT_MUST_CHECK;

/* Reads CK_BBOOL / CK_ULONG values of template entries whose shape was
 * checked. */
CK_BBOOL attr_bool(const void *v);
CK_ULONG attr_ulong(const void *v);

/* Bounds on templates and values (SECURITY.md row 29; iotoken/defaults.h). */
#define ATTR_MAX_TEMPLATE ((CK_ULONG)IOT_MAX_TEMPLATE)
#define ATTR_MAX_VALUE ((CK_ULONG)IOT_MAX_ATTR_VALUE)

#endif
