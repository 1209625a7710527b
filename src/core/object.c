/* Objects: creation from templates, changes, matching, encoding. */
#include <string.h>

#include "core/attr_array.h"
#include "core/object.h"
#include "store/codec.h"
#include "store/seal.h"

/* One allocation: the object, its n value slots and `data` bytes after them
 * for loaded values (object_decode). Objects of a bulk load come from the
 * arena (port.h: they are made together and die together). */
static CK_RV alloc_object(enum obj_kind kind, size_t data, int bulk, object **out)
{
	const attr_rule *const *rules;
	size_t n, head;
	object *obj;

	rules = attr_rules_of(kind, &n);
	head = sizeof(*obj) + n * sizeof(obj->slots[0]);
	/* data is bounded by a record's length (at most a few MiB). */
	obj = bulk ? port_arena_alloc(head + data) : port_malloc(head + data);
	if (obj == NULL)
		return CKR_HOST_MEMORY;
	memset(obj, 0, head);
	obj->kind = kind;
	obj->rules = rules;
	obj->n = n;
	obj->v = obj->slots;
	obj->block_len = head + data;
	*out = obj;
	return CKR_OK;
}

/* Where object_decode puts the values of a loaded object. */
static uint8_t *block_data(object *obj)
{
	return (uint8_t *)&obj->slots[obj->n];
}

static void value_clear(obj_value *v)
{
	if (v->in_block & VALUE_IN_BLOCK)
		port_wipe(v->value, v->len);
	else
		port_free_secret(v->value, v->len);
	if (!(v->in_block & SEALED_IN_BLOCK))
		port_free(v->sealed);
	memset(v, 0, sizeof(*v));
}

void object_free(object *obj)
{
	size_t i;

	if (obj == NULL)
		return;
	/* The block is wiped whole below: only values of their own here. */
	for (i = 0; i < obj->n; i++) {
		obj_value *v = &obj->v[i];

		if (!(v->in_block & VALUE_IN_BLOCK))
			port_free_secret(v->value, v->len);
		if (!(v->in_block & SEALED_IN_BLOCK))
			port_free(v->sealed);
	}
	crypto_key_unref(obj->key);
	port_arena_free_secret(obj, obj->block_len);
}

void object_forget_sealed(object *obj)
{
	size_t i;

	for (i = 0; i < obj->n; i++) {
		obj_value *v = &obj->v[i];

		if (!(v->in_block & SEALED_IN_BLOCK))
			port_free(v->sealed);
		v->sealed = NULL;
		v->sealed_len = 0;
		v->in_block &= (uint8_t)~SEALED_IN_BLOCK;
	}
}

static size_t rule_pos(const object *obj, CK_ATTRIBUTE_TYPE type)
{
	size_t i;

	for (i = 0; i < obj->n; i++)
		if (attr_rule_type(obj->rules[i]) == type)
			return i;
	return obj->n;
}

obj_value *object_value(const object *obj, CK_ATTRIBUTE_TYPE type)
{
	size_t i = rule_pos(obj, type);

	return i < obj->n ? &obj->v[i] : NULL;
}

const attr_rule *object_rule(const object *obj, CK_ATTRIBUTE_TYPE type)
{
	size_t i = rule_pos(obj, type);

	return i < obj->n ? obj->rules[i] : NULL;
}

CK_BBOOL object_bool(const object *obj, CK_ATTRIBUTE_TYPE type)
{
	const obj_value *v = object_value(obj, type);

	return v != NULL && v->len == 1 && v->value != NULL && v->value[0] ? CK_TRUE : CK_FALSE;
}

CK_ULONG object_ulong(const object *obj, CK_ATTRIBUTE_TYPE type)
{
	const obj_value *v = object_value(obj, type);

	if (v == NULL || v->len != sizeof(CK_ULONG) || v->value == NULL)
		return CK_UNAVAILABLE_INFORMATION;
	return attr_ulong(v->value);
}

static CK_RV set_bytes(obj_value *v, const void *p, size_t len)
{
	uint8_t *copy = NULL;

	if (len > 0) {
		copy = port_memdup(p, len);
		if (copy == NULL)
			return CKR_HOST_MEMORY;
	}
	value_clear(v);
	v->value = copy;
	v->len = len;
	return CKR_OK;
}

/* A template entry's value as the object keeps it: as given, or the
 * stored form of an attribute array. */
static CK_RV set_given(obj_value *v, const attr_rule *r, const CK_ATTRIBUTE *a)
{
#if ATTR_WITH_ARRAYS
	if (r->form == FORM_ATTRS) {
		uint8_t *enc;
		size_t len;
		CK_RV rv =
			attrs_encode(a->pValue, a->ulValueLen / sizeof(CK_ATTRIBUTE), &enc, &len);

		if (rv == CKR_OK)
			rv = set_bytes(v, enc, len);
		port_free(enc);
		return rv;
	}
#else
	(void)r;
#endif
	return set_bytes(v, a->pValue, a->ulValueLen);
}

/* Whether a template entry's value equals a kept value. */
static int equals_given(const obj_value *v, const attr_rule *r, const CK_ATTRIBUTE *a)
{
	int eq;

#if ATTR_WITH_ARRAYS
	if (r->form == FORM_ATTRS) {
		uint8_t *enc;
		size_t len;

		if (attrs_encode(a->pValue, a->ulValueLen / sizeof(CK_ATTRIBUTE), &enc, &len) !=
		    CKR_OK)
			return 0;
		eq = v->len == len &&
		     (len == 0 || (v->value != NULL && !memcmp(v->value, enc, len)));
		port_free(enc);
		return eq;
	}
#else
	(void)r;
#endif
	eq = v->len == a->ulValueLen && !(v->len > 0 && v->value == NULL);
	return eq && (v->len == 0 || (a->pValue != NULL && !memcmp(v->value, a->pValue, v->len)));
}

static CK_RV set_ulong(obj_value *v, CK_ULONG x)
{
	return set_bytes(v, &x, sizeof(x));
}

CK_RV object_set_value(object *obj, CK_ATTRIBUTE_TYPE type, const void *v, size_t len)
{
	obj_value *slot = object_value(obj, type);

	if (slot == NULL)
		return CKR_ATTRIBUTE_TYPE_INVALID;
	return set_bytes(slot, v, len);
}

CK_RV object_set_bool(object *obj, CK_ATTRIBUTE_TYPE type, CK_BBOOL b)
{
	return object_set_value(obj, type, &b, sizeof(b));
}

/* Defaults for every attribute, or (seen not NULL) for those not seen. */
static CK_RV set_defaults(object *obj, const uint8_t *seen)
{
	size_t i;
	CK_RV rv = CKR_OK;

	for (i = 0; i < obj->n && rv == CKR_OK; i++) {
		const attr_rule *r = obj->rules[i];

		if (seen != NULL && seen[i])
			continue;

		if (r->form == FORM_BOOL) {
			CK_BBOOL b = (CK_BBOOL)attr_rule_def(r);

			rv = set_bytes(&obj->v[i], &b, 1);
		} else if (r->form == FORM_ULONG) {
			rv = set_ulong(&obj->v[i], attr_rule_def(r));
		}
	}
	return rv;
}

static void cache_flags(object *obj)
{
	obj->is_token = object_bool(obj, CKA_TOKEN);
	obj->is_private = object_bool(obj, CKA_PRIVATE);
}

static size_t bit_length(const uint8_t *p, size_t n)
{
	size_t i = 0;
	unsigned bits = 0;
	uint8_t top;

	while (i < n && p[i] == 0)
		i++;
	if (i == n)
		return 0;
	for (top = p[i]; top != 0; top >>= 1)
		bits++;
	return (n - i - 1) * 8 + bits;
}

/* Values the token derives at creation (PKCS#11 v2.40: CKA_MODULUS_BITS and
 * CKA_VALUE_LEN "must not be specified when object is created with
 * C_CreateObject"). */
static CK_RV computed_values(object *obj)
{
	const obj_value *val;

	switch (obj->kind) {
	case KIND_PUB_RSA:
		val = object_value(obj, CKA_MODULUS);
		return set_ulong(object_value(obj, CKA_MODULUS_BITS),
				 bit_length(val->value, val->len));
	case KIND_SECRET_AES:
		val = object_value(obj, CKA_VALUE);
		if (val->len != 16 && val->len != 24 && val->len != 32)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		return set_ulong(object_value(obj, CKA_VALUE_LEN), val->len);
	case KIND_SECRET_GENERIC:
		val = object_value(obj, CKA_VALUE);
		if (val->len == 0)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		return set_ulong(object_value(obj, CKA_VALUE_LEN), val->len);
	default:
		return CKR_OK;
	}
}

#if IOT_WITH_AES || IOT_WITH_HMAC || IOT_WITH_OAEP
/*
 * The key-usage policy against key extraction through wrapping (Clulow
 * 2003; Bortolozzo, Centenaro, Focardi, Steel 2010, "Tookan"): a secret
 * key that wraps may not decrypt (it would decrypt what it wrapped, a
 * sensitive key's value), and one that unwraps may not encrypt (it would
 * make a wrapped blob of a key value the caller chose). Checked at
 * creation and after every change, so no sequence of C_SetAttributeValue
 * calls reaches such a key either.
 */
static CK_RV usage_policy(const object *obj)
{
	if (obj->kind != KIND_SECRET_AES && obj->kind != KIND_SECRET_GENERIC)
		return CKR_OK;
	if ((object_bool(obj, CKA_WRAP) && object_bool(obj, CKA_DECRYPT)) ||
	    (object_bool(obj, CKA_UNWRAP) && object_bool(obj, CKA_ENCRYPT)))
		return CKR_TEMPLATE_INCONSISTENT;
	return CKR_OK;
}
#else
#define usage_policy(obj) ((void)(obj), CKR_OK)
#endif

static const CK_ATTRIBUTE *template_find(const CK_ATTRIBUTE *tmpl, CK_ULONG count,
					 CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; i < count; i++)
		if (tmpl[i].type == type)
			return &tmpl[i];
	return NULL;
}

static CK_RV template_ulong(const CK_ATTRIBUTE *tmpl, CK_ULONG count, CK_ATTRIBUTE_TYPE type,
			    CK_ULONG *out)
{
	const CK_ATTRIBUTE *a = template_find(tmpl, count, type);

	if (a == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	if (a->ulValueLen != sizeof(CK_ULONG) || a->pValue == NULL)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	*out = attr_ulong(a->pValue);
	return CKR_OK;
}

CK_RV object_create(const CK_ATTRIBUTE *tmpl, CK_ULONG count, unsigned flags, object **out)
{
	CK_OBJECT_CLASS cls;
	CK_KEY_TYPE key_type = CK_UNAVAILABLE_INFORMATION;
	enum obj_kind kind;
	uint8_t seen[CODEC_MAX_ATTRS] = { 0 };
	object *obj = NULL;
	CK_ULONG i;
	size_t k;
	CK_RV rv;

	rv = template_ulong(tmpl, count, CKA_CLASS, &cls);
	if (rv != CKR_OK)
		return rv;
	if (cls == CKO_PUBLIC_KEY || cls == CKO_PRIVATE_KEY || cls == CKO_SECRET_KEY) {
		rv = template_ulong(tmpl, count, CKA_KEY_TYPE, &key_type);
		if (rv != CKR_OK)
			return rv;
	}
	if (cls == CKO_CERTIFICATE) {
		CK_CERTIFICATE_TYPE ct;

		rv = template_ulong(tmpl, count, CKA_CERTIFICATE_TYPE, &ct);
		if (rv != CKR_OK)
			return rv;
		if (ct != CKC_X_509)
			return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	rv = attr_kind(cls, key_type, &kind);
	if (rv != CKR_OK)
		return rv;
	rv = alloc_object(kind, 0, 0, &obj);
	if (rv != CKR_OK)
		return rv;
	rv = set_defaults(obj, NULL);
	for (i = 0; i < count && rv == CKR_OK; i++) {
		const attr_rule *r;

		k = rule_pos(obj, tmpl[i].type);
		if (k == obj->n) {
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
			break;
		}
		r = obj->rules[k];
		rv = attr_value_check(r, tmpl[i].pValue, tmpl[i].ulValueLen);
		if (rv != CKR_OK)
			break;
		if ((r->flags & A_COMPUTED) && !(flags & OBJ_CREATE_INTERNAL)) {
			rv = CKR_ATTRIBUTE_READ_ONLY;
		} else if ((r->flags & A_NO_CREATE) && !(flags & OBJ_CREATE_INTERNAL)) {
			rv = CKR_TEMPLATE_INCONSISTENT;
		} else if ((r->flags & A_SO_ONLY) && attr_bool(tmpl[i].pValue) &&
			   !(flags & OBJ_CREATE_SO)) {
			rv = CKR_ATTRIBUTE_READ_ONLY;
		} else if (seen[k]) {
			/* The same attribute twice: fine only if it agrees. */
			if (!equals_given(&obj->v[k], r, &tmpl[i]))
				rv = CKR_TEMPLATE_INCONSISTENT;
		} else {
			seen[k] = 1;
			rv = set_given(&obj->v[k], r, &tmpl[i]);
		}
	}
	for (k = 0; k < obj->n && rv == CKR_OK; k++)
		if ((obj->rules[k]->flags & A_REQUIRED) && !seen[k])
			rv = CKR_TEMPLATE_INCOMPLETE;
	if (rv == CKR_OK && !(flags & OBJ_CREATE_INTERNAL))
		rv = computed_values(obj);
	if (rv == CKR_OK)
		rv = usage_policy(obj);
	if (rv != CKR_OK) {
		object_free(obj);
		return rv;
	}
	cache_flags(obj);
	*out = obj;
	return CKR_OK;
}

CK_RV object_clone(const object *src, object **out)
{
	object *obj;
	size_t i;
	CK_RV rv;

	rv = alloc_object(src->kind, 0, 0, &obj);
	if (rv != CKR_OK)
		return rv;
	for (i = 0; i < src->n && rv == CKR_OK; i++) {
		const obj_value *s = &src->v[i];

		if (s->value != NULL || s->len == 0)
			rv = set_bytes(&obj->v[i], s->value, s->len);
		else
			obj->v[i].len = s->len;
		if (rv == CKR_OK && s->sealed != NULL) {
			obj->v[i].sealed = port_memdup(s->sealed, s->sealed_len);
			obj->v[i].sealed_len = s->sealed_len;
			if (obj->v[i].sealed == NULL)
				rv = CKR_HOST_MEMORY;
		}
	}
	if (rv != CKR_OK) {
		object_free(obj);
		return rv;
	}
	obj->id = src->id;
	obj->tok = src->tok;
	obj->owner = src->owner;
	obj->auth = src->auth; /* the same values: checked or not as the source */
	cache_flags(obj);
	*out = obj;
	return CKR_OK;
}

CK_RV object_apply(object *obj, const CK_ATTRIBUTE *tmpl, CK_ULONG count, int copy, int so)
{
	CK_BBOOL modifiable = object_bool(obj, CKA_MODIFIABLE);
	CK_ULONG i;
	CK_RV rv;

	for (i = 0; i < count; i++) {
		size_t k = rule_pos(obj, tmpl[i].type);
		const attr_rule *r;
		obj_value *v;

		if (k == obj->n)
			return CKR_ATTRIBUTE_TYPE_INVALID;
		r = obj->rules[k];
		v = &obj->v[k];
		rv = attr_value_check(r, tmpl[i].pValue, tmpl[i].ulValueLen);
		if (rv != CKR_OK)
			return rv;
		if (r->flags & (A_COMPUTED | A_NO_CREATE))
			return CKR_ATTRIBUTE_READ_ONLY;
		if (copy ? !(r->flags & A_COPY) && !((r->flags & A_MODIFIABLE) && modifiable)
			 : !(r->flags & A_MODIFIABLE) || !modifiable)
			return CKR_ATTRIBUTE_READ_ONLY;
		if (r->form == FORM_BOOL) {
			CK_BBOOL now = v->len == 1 && v->value != NULL && v->value[0];
			CK_BBOOL want = attr_bool(tmpl[i].pValue);

			/* v2.40 table 25 footnote 11/12: one-way attributes. */
			if ((r->flags & A_TO_TRUE) && now && !want)
				return CKR_ATTRIBUTE_READ_ONLY;
			if ((r->flags & A_TO_FALSE) && !now && want)
				return CKR_ATTRIBUTE_READ_ONLY;
			if (attr_rule_type(r) == CKA_MODIFIABLE && !now && want)
				return CKR_ATTRIBUTE_READ_ONLY;
			if ((r->flags & A_SO_ONLY) && want && !so)
				return CKR_ATTRIBUTE_READ_ONLY;
		}
		rv = set_given(v, r, &tmpl[i]);
		if (rv != CKR_OK)
			return rv;
	}
	rv = usage_policy(obj);
	if (rv != CKR_OK)
		return rv;
	cache_flags(obj);
	return CKR_OK;
}

int object_hidden(const object *obj, const attr_rule *r)
{
	/* v2.40 4.9 footnote 7: secret components of a key whose CKA_SENSITIVE
	 * is TRUE or CKA_EXTRACTABLE is FALSE cannot be revealed. */
	if (!(r->flags & A_SECRET))
		return 0;
	return object_bool(obj, CKA_SENSITIVE) || !object_bool(obj, CKA_EXTRACTABLE);
}

int object_matches(const object *obj, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	CK_ULONG i;

	for (i = 0; i < count; i++) {
		size_t k = rule_pos(obj, tmpl[i].type);
		const obj_value *v;

		if (k == obj->n || object_hidden(obj, obj->rules[k]))
			return 0;
		v = &obj->v[k];
		if (!equals_given(v, obj->rules[k], &tmpl[i]))
			return 0;
	}
	return 1;
}

/* The access-control attributes bound into every sealed value (SECURITY.md
 * row 19): changing any of them in the file makes the value fail to open. */
static size_t access_control(const object *obj, uint8_t ac[5])
{
	ac[0] = (uint8_t)obj->kind;
	ac[1] = object_bool(obj, CKA_PRIVATE);
	ac[2] = object_bool(obj, CKA_TOKEN);
	ac[3] = object_bool(obj, CKA_SENSITIVE);
	ac[4] = object_bool(obj, CKA_EXTRACTABLE);
	return 5;
}

static int sealed_at_rest(const object *obj, const attr_rule *r)
{
	return (r->flags & A_SEAL) && obj->is_private && obj->is_token;
}

/* Whether the record carries a MAC (seal.h): every private token object. */
static int authenticated_at_rest(const object *obj)
{
	return obj->is_private && obj->is_token;
}

struct mac_ctx {
	const uint8_t *tmk;
	uint64_t id;
	obj_auth auth;
};

static CK_RV record_mac(void *ctx, const uint8_t digest[CODEC_DIGEST_LEN],
			uint8_t mac[CODEC_MAC_LEN])
{
	struct mac_ctx *m = ctx;
	CK_RV rv = seal_record_mac(m->tmk, m->id, digest, mac);

	if (rv == CKR_OK) {
		m->auth.state = OBJ_AUTH_OK;
		memcpy(m->auth.digest, digest, sizeof(m->auth.digest));
		memcpy(m->auth.mac, mac, sizeof(m->auth.mac));
	}
	return rv;
}

CK_RV object_encode(object *obj, const uint8_t *tmk, uint8_t **out, size_t *outlen)
{
	codec_attr attrs[CODEC_MAX_ATTRS];
	uint8_t *sealed[CODEC_MAX_ATTRS] = { 0 };
	uint8_t ac[5];
	size_t aclen = access_control(obj, ac);
	size_t i;
	struct mac_ctx mac = { tmk, obj->id, { OBJ_AUTH_NONE, { 0 }, { 0 } } };
	int with_mac = authenticated_at_rest(obj);
	CK_RV rv = CKR_OK;

	if (obj->n > CODEC_MAX_ATTRS)
		return CKR_GENERAL_ERROR;
	if (with_mac && tmk == NULL)
		return CKR_USER_NOT_LOGGED_IN;
	for (i = 0; i < obj->n && rv == CKR_OK; i++) {
		const obj_value *v = &obj->v[i];

		attrs[i].type = attr_rule_type(obj->rules[i]);
		attrs[i].sealed = 0;
		attrs[i].value = v->value;
		attrs[i].len = v->len;
		if (!sealed_at_rest(obj, obj->rules[i]))
			continue;
		/* A fresh nonce for every write of every value. */
		if (tmk == NULL || (v->len > 0 && v->value == NULL)) {
			rv = CKR_USER_NOT_LOGGED_IN;
			break;
		}
		sealed[i] = port_malloc(v->len + SEAL_OVERHEAD);
		if (sealed[i] == NULL) {
			rv = CKR_HOST_MEMORY;
			break;
		}
		rv = seal_attr(tmk, obj->id, attrs[i].type, ac, aclen, v->value, v->len, sealed[i]);
		attrs[i].sealed = 1;
		attrs[i].value = sealed[i];
		attrs[i].len = v->len + SEAL_OVERHEAD;
	}
	if (rv == CKR_OK && with_mac)
		rv = codec_encode_mac(attrs, obj->n, record_mac, &mac, out, outlen);
	else if (rv == CKR_OK)
		rv = codec_encode(attrs, obj->n, out, outlen);
	/* What is stored is what this process wrote: nothing to check. */
	if (rv == CKR_OK && with_mac)
		obj->auth = mac.auth;
	port_wipe(&mac, sizeof(mac));
	for (i = 0; i < obj->n; i++) {
		if (rv == CKR_OK && sealed[i] != NULL) {
			/* Keep what is stored: it is what a later login opens. */
			obj_value *v = &obj->v[i];

			if (!(v->in_block & SEALED_IN_BLOCK))
				port_free(v->sealed);
			v->sealed = sealed[i];
			v->sealed_len = (uint32_t)attrs[i].len;
			v->in_block &= (uint8_t)~SEALED_IN_BLOCK;
		} else {
			port_free(sealed[i]);
		}
	}
	return rv;
}

/* A stored value's shape: as a template's, but for an attribute array,
 * which is kept in its stored form (attr_array.h), not as CK_ATTRIBUTEs. */
static CK_RV stored_value_check(const attr_rule *r, const uint8_t *v, size_t len)
{
#if ATTR_WITH_ARRAYS
	CK_ULONG n;

	if (r->form == FORM_ATTRS)
		return attrs_decode(v, len, NULL, ATTR_MAX_TEMPLATE, &n);
#endif
	return attr_value_check(r, v, len);
}

/* First pass over a record: the class and key type (which give the kind),
 * and how many value bytes the object's block must hold. */
struct scan_ctx {
	CK_ULONG cls, key_type;
	int have_cls, have_key_type;
	size_t bytes;
};

static int stored_ulong(const codec_attr *a, CK_ATTRIBUTE_TYPE type, CK_ULONG *out, int *have)
{
	if (*have || a->type != type || a->sealed || a->len != sizeof(CK_ULONG))
		return 0;
	*out = attr_ulong(a->value);
	*have = 1;
	return 1;
}

static CK_RV scan(void *ctx, const codec_attr *a)
{
	struct scan_ctx *sc = ctx;

	if (!stored_ulong(a, CKA_CLASS, &sc->cls, &sc->have_cls))
		(void)stored_ulong(a, CKA_KEY_TYPE, &sc->key_type, &sc->have_key_type);
	/* At most CODEC_MAX_ATTRS values of at most CODEC_MAX_VALUE bytes. */
	sc->bytes += a->len;
	return CKR_OK;
}

/* Second pass: the values, copied into the object's block. */
struct fill_ctx {
	object *obj;
	uint8_t *data;                 /* next free byte of the block */
	size_t next;                   /* rule position after the last attribute */
	uint8_t seen[CODEC_MAX_ATTRS]; /* by rule position */
};

static CK_RV fill(void *ctx, const codec_attr *a)
{
	struct fill_ctx *f = ctx;
	object *obj = f->obj;
	size_t k;
	obj_value *v;

	/* object_encode writes the attributes in rule order: try the next
	 * position before searching. */
	if (f->next < obj->n && attr_rule_type(obj->rules[f->next]) == a->type)
		k = f->next;
	else
		k = rule_pos(obj, a->type);
	f->next = k + 1;

	/* Each attribute once: a second CKA_CLASS could otherwise contradict
	 * the kind taken from the first. */
	if (k == obj->n || f->seen[k])
		return CKR_DEVICE_ERROR;
	f->seen[k] = 1;
	v = &obj->v[k];
	if (a->sealed) {
		if (a->len < SEAL_OVERHEAD || !(obj->rules[k]->flags & A_SEAL))
			return CKR_DEVICE_ERROR;
		v->sealed = f->data;
		v->sealed_len = (uint32_t)a->len;
		v->len = a->len - SEAL_OVERHEAD;
		v->in_block = SEALED_IN_BLOCK;
	} else {
		if (stored_value_check(obj->rules[k], a->value, a->len) != CKR_OK)
			return CKR_DEVICE_ERROR;
		/* An empty value keeps a NULL pointer, as set_bytes leaves it. */
		v->value = a->len > 0 ? f->data : NULL;
		v->len = a->len;
		v->in_block = a->len > 0 ? VALUE_IN_BLOCK : 0;
	}
	if (a->len > 0)
		memcpy(f->data, a->value, a->len);
	f->data += a->len;
	return CKR_OK;
}

/* The record MAC, checked at login (object_unseal): a private record must
 * have one, a public one cannot (no key to check it before login). */
static CK_RV keep_auth(object *obj, const codec_info *info)
{
	if (!authenticated_at_rest(obj))
		return info->has_mac ? CKR_DEVICE_ERROR : CKR_OK;
	if (!info->has_mac) {
		obj->auth.state = info->version == 1 ? OBJ_AUTH_OLD : OBJ_AUTH_MISSING;
		return CKR_OK;
	}
	obj->auth.state = OBJ_AUTH_PENDING;
	memcpy(obj->auth.digest, info->digest, sizeof(obj->auth.digest));
	memcpy(obj->auth.mac, info->mac, sizeof(obj->auth.mac));
	return CKR_OK;
}

static CK_RV decode(uint64_t id, const uint8_t *in, size_t len, int bulk, object **out)
{
	struct scan_ctx sc = { 0, CK_UNAVAILABLE_INFORMATION, 0, 0, 0 };
	struct fill_ctx f;
	codec_info info;
	enum obj_kind kind;
	object *obj = NULL;
	size_t i;
	CK_RV rv;

	rv = codec_check_info(in, len, &info);
	if (rv == CKR_OK)
		rv = codec_each(in, len, scan, &sc);
	if (rv == CKR_OK && !sc.have_cls)
		rv = CKR_DEVICE_ERROR;
	if (rv == CKR_OK &&
	    (sc.cls == CKO_PUBLIC_KEY || sc.cls == CKO_PRIVATE_KEY || sc.cls == CKO_SECRET_KEY) &&
	    !sc.have_key_type)
		rv = CKR_DEVICE_ERROR;
	if (rv == CKR_OK && attr_kind(sc.cls, sc.key_type, &kind) != CKR_OK)
		rv = CKR_DEVICE_ERROR;
	if (rv == CKR_OK)
		rv = alloc_object(kind, sc.bytes, bulk, &obj);
	if (rv != CKR_OK)
		return rv;
	/* Stored values first; defaults only for what the record lacks (a
	 * record written by an older version). */
	f.obj = obj;
	f.data = block_data(obj);
	f.next = 0;
	memset(f.seen, 0, sizeof(f.seen));
	rv = codec_each(in, len, fill, &f);
	if (rv == CKR_OK)
		rv = set_defaults(obj, f.seen);
	if (rv == CKR_OK) {
		cache_flags(obj);
		obj->id = id;
		if (!obj->is_token)
			rv = CKR_DEVICE_ERROR;
		/* Every A_SEAL value of a private object must be sealed and no
		 * other: a value swapped for a clear one is tampering. */
		for (i = 0; i < obj->n && rv == CKR_OK; i++) {
			int want = sealed_at_rest(obj, obj->rules[i]);

			if (want != (obj->v[i].sealed != NULL))
				rv = CKR_DEVICE_ERROR;
		}
	}
	if (rv == CKR_OK)
		rv = keep_auth(obj, &info);
	if (rv != CKR_OK) {
		object_free(obj);
		return rv;
	}
	*out = obj;
	return CKR_OK;
}

CK_RV object_decode(uint64_t id, const uint8_t *in, size_t len, object **out)
{
	return decode(id, in, len, 0, out);
}

CK_RV object_decode_bulk(uint64_t id, const uint8_t *in, size_t len, object **out)
{
	return decode(id, in, len, 1, out);
}

size_t object_size(const object *obj)
{
	size_t total = 0, i;

	for (i = 0; i < obj->n; i++)
		total += 13 + (obj->v[i].sealed ? obj->v[i].sealed_len : obj->v[i].len);
	if (authenticated_at_rest(obj))
		total += CODEC_MAC_LEN;
	return total + 28;
}

/* The record MAC of a loaded private token object, before any value is
 * opened: a record changed, moved to another id or taken from another token
 * is refused, and so is one without a MAC. */
static CK_RV check_auth(object *obj, const uint8_t *tmk)
{
	CK_RV rv;

	if (!authenticated_at_rest(obj))
		return CKR_OK;
	switch (obj->auth.state) {
	case OBJ_AUTH_PENDING:
		if (tmk == NULL)
			return CKR_USER_NOT_LOGGED_IN;
		rv = seal_record_verify(tmk, obj->id, obj->auth.digest, obj->auth.mac);
		if (rv == CKR_OK)
			obj->auth.state = OBJ_AUTH_OK;
		return rv;
	case OBJ_AUTH_MISSING:
	case OBJ_AUTH_OLD:
		return CKR_DEVICE_ERROR;
	default:
		return CKR_OK; /* checked, or never loaded from a record */
	}
}

CK_RV object_unseal(object *obj, const uint8_t *tmk)
{
	uint8_t ac[5];
	size_t aclen = access_control(obj, ac);
	size_t i;
	CK_RV rv = check_auth(obj, tmk);

	for (i = 0; i < obj->n && rv == CKR_OK; i++) {
		obj_value *v = &obj->v[i];

		if (v->sealed == NULL || v->value != NULL)
			continue;
		if (v->len == 0) {
			/* Nothing to hold, but the tag still proves the record. */
			uint8_t none[1];

			rv = seal_attr_open(tmk, obj->id, attr_rule_type(obj->rules[i]), ac, aclen,
					    v->sealed, v->sealed_len, none);
			continue;
		}
		v->value = port_malloc(v->len);
		if (v->value == NULL) {
			rv = CKR_HOST_MEMORY;
			break;
		}
		rv = seal_attr_open(tmk, obj->id, attr_rule_type(obj->rules[i]), ac, aclen,
				    v->sealed, v->sealed_len, v->value);
		if (rv != CKR_OK) {
			port_free_secret(v->value, v->len);
			v->value = NULL;
		}
	}
	if (rv != CKR_OK)
		object_lock(obj);
	return rv;
}

void object_lock(object *obj)
{
	size_t i;

	/* Cached private material goes at logout whatever CKA_PRIVATE says;
	 * it is rebuilt on next use. */
	if (obj->key != NULL && crypto_key_is_private(obj->key)) {
		crypto_key_unref(obj->key);
		obj->key = NULL;
	}
	for (i = 0; i < obj->n; i++) {
		obj_value *v = &obj->v[i];

		/* Opened values are never in the block (object_unseal
		 * allocates them). */
		if (v->sealed != NULL && v->value != NULL && !(v->in_block & VALUE_IN_BLOCK)) {
			port_free_secret(v->value, v->len);
			v->value = NULL;
		}
	}
}
