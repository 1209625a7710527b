/* Key objects and their backend keys (see keyobj.h). */
#include <string.h>

#include "core/attr_array.h"
#include "core/keyobj.h"
#include "core/keyobj_ed.h"

#define MAX_POINT (1 + 2 * 66)
#define MAX_POINT_DER (3 + MAX_POINT)

static const obj_value *val(const object *obj, CK_ATTRIBUTE_TYPE type)
{
	return object_value(obj, type);
}

static CK_RV curve_of(const object *obj, enum crypto_curve *c)
{
	const obj_value *p = val(obj, CKA_EC_PARAMS);

	return crypto_ec_curve(p->value, p->len, c);
}

/*
 * CKA_EC_POINT is the DER OCTET STRING of the uncompressed point (v2.40
 * mechanisms 2.3.3); the raw point is accepted too (INTEROP.md). A raw
 * point is told apart by its exact length, 1 + 2 * field size.
 */
static CK_RV point_of(const uint8_t *v, size_t len, enum crypto_curve c, const uint8_t **point,
		      size_t *plen)
{
	size_t want = 1 + 2 * crypto_ec_size(c);

	if (len == want && v[0] == 0x04) {
		*point = v;
		*plen = len;
		return CKR_OK;
	}
	if (len >= 2 && v[0] == 0x04) {
		size_t hdr = 2, inner = v[1];

		if (v[1] == 0x81 && len >= 3) {
			hdr = 3;
			inner = v[2];
			if (inner < 0x80)
				return CKR_ATTRIBUTE_VALUE_INVALID; /* not minimal DER */
		} else if (v[1] >= 0x80) {
			return CKR_ATTRIBUTE_VALUE_INVALID;
		}
		if (inner == want && hdr + inner == len) {
			*point = v + hdr;
			*plen = inner;
			return CKR_OK;
		}
	}
	return CKR_ATTRIBUTE_VALUE_INVALID;
}

static size_t point_der(const uint8_t *point, size_t len, uint8_t *out)
{
	size_t hdr = 0;

	out[hdr++] = 0x04;
	if (len >= 0x80)
		out[hdr++] = 0x81;
	out[hdr++] = (uint8_t)len;
	memcpy(out + hdr, point, len);
	return hdr + len;
}

static void rsa_parts_of(const object *obj, crypto_bytes parts[RSA_PARTS])
{
	static const CK_ATTRIBUTE_TYPE types[RSA_PARTS] = {
		CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
		CKA_PRIME_2, CKA_EXPONENT_1,      CKA_EXPONENT_2,       CKA_COEFFICIENT,
	};
	int i;

	for (i = 0; i < RSA_PARTS; i++) {
		const obj_value *v = val(obj, types[i]);

		parts[i].p = v != NULL ? v->value : NULL;
		parts[i].len = v != NULL && v->value != NULL ? v->len : 0;
	}
}

static CK_RV build_key(object *obj, crypto_key **out)
{
	crypto_bytes parts[RSA_PARTS];
	enum crypto_curve c;
	const obj_value *v;
	const uint8_t *point;
	size_t plen;
	CK_RV rv;

	switch (obj->kind) {
	case KIND_PUB_EC:
	case KIND_PRIV_EC:
		rv = curve_of(obj, &c);
		if (rv != CKR_OK)
			return rv;
		if (obj->kind == KIND_PRIV_EC) {
			v = val(obj, CKA_VALUE);
			if (v->len > 0 && v->value == NULL)
				return CKR_USER_NOT_LOGGED_IN;
			return crypto_ec_private(c, v->value, v->len, out);
		}
		v = val(obj, CKA_EC_POINT);
		rv = point_of(v->value, v->len, c, &point, &plen);
		if (rv != CKR_OK)
			return rv;
		return crypto_ec_public(c, point, plen, out);
	case KIND_PUB_RSA:
	case KIND_PRIV_RSA:
		rsa_parts_of(obj, parts);
		if (obj->kind == KIND_PUB_RSA)
			return crypto_rsa_public(parts, out);
		if (parts[RSA_D].len == 0)
			return CKR_USER_NOT_LOGGED_IN;
		return crypto_rsa_private(parts, out);
#if IOT_WITH_ED25519
	case KIND_PUB_ED:
	case KIND_PRIV_ED:
		return ed_build_key(obj, out);
#endif
	default:
		return CKR_KEY_TYPE_INCONSISTENT;
	}
}

CK_RV keyobj_key(object *obj, crypto_key **out)
{
	CK_RV rv;

	if (obj->key == NULL) {
		rv = build_key(obj, &obj->key);
		if (rv != CKR_OK) {
			obj->key = NULL;
			return rv;
		}
	}
	*out = crypto_key_ref(obj->key);
	return CKR_OK;
}

/* CKA_PUBLIC_KEY_INFO is the key's own: a given one must match it. */
static CK_RV set_spki(object *obj, const crypto_key *k)
{
	const obj_value *given = val(obj, CKA_PUBLIC_KEY_INFO);
	uint8_t *der = NULL;
	size_t len = 0;
	CK_RV rv;

	rv = crypto_key_spki(k, &der, &len);
	if (rv == CKR_OK && given->len > 0 &&
	    (given->len != len || memcmp(given->value, der, len) != 0))
		rv = CKR_TEMPLATE_INCONSISTENT;
	if (rv == CKR_OK)
		rv = object_set_value(obj, CKA_PUBLIC_KEY_INFO, der, len);
	port_free(der);
	return rv;
}

/* The point as stored: DER. A given point must be the key's own. */
static CK_RV set_point(object *obj, const crypto_key *k)
{
	uint8_t point[MAX_POINT], der[MAX_POINT_DER];
	const obj_value *v = val(obj, CKA_EC_POINT);
	enum crypto_curve c;
	const uint8_t *given;
	size_t plen = sizeof(point), glen;
	CK_RV rv;

	rv = crypto_key_curve(k, &c);
	if (rv == CKR_OK)
		rv = crypto_ec_point(k, point, &plen);
	if (rv != CKR_OK)
		return rv;
	if (v->len > 0) {
		rv = point_of(v->value, v->len, c, &given, &glen);
		if (rv != CKR_OK)
			return rv;
		if (glen != plen || memcmp(given, point, plen) != 0)
			return CKR_TEMPLATE_INCONSISTENT;
	}
	return object_set_value(obj, CKA_EC_POINT, der, point_der(point, plen, der));
}

static CK_RV fill_rsa(object *obj, const crypto_key *k)
{
	static const CK_ATTRIBUTE_TYPE types[RSA_PARTS] = {
		CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
		CKA_PRIME_2, CKA_EXPONENT_1,      CKA_EXPONENT_2,       CKA_COEFFICIENT,
	};
	uint8_t *parts[RSA_PARTS] = { 0 };
	size_t lens[RSA_PARTS] = { 0 };
	CK_RV rv;
	int i;

	rv = crypto_rsa_parts(k, parts, lens);
	for (i = RSA_E; i < RSA_PARTS && rv == CKR_OK; i++)
		if (val(obj, types[i])->len == 0 && lens[i] > 0)
			rv = object_set_value(obj, types[i], parts[i], lens[i]);
	for (i = 0; i < RSA_PARTS; i++)
		port_free_secret(parts[i], lens[i]);
	return rv;
}

#if IOT_WITH_CERT
static CK_RV import_cert(object *obj)
{
	static const CK_ATTRIBUTE_TYPE types[3] = { CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER };
	const obj_value *v = val(obj, CKA_VALUE);
	crypto_cert_fields f;
	const uint8_t *ptr[3];
	size_t len[3];
	CK_RV rv;
	int i;

	/* The value must be a certificate (v2.40 4.6.3: "DER-encoding of the
	 * certificate"); what it says fills the fields the template left. */
	rv = crypto_cert_parse(v->value, v->len, &f);
	if (rv != CKR_OK)
		return rv;
	ptr[0] = f.subject, len[0] = f.subject_len;
	ptr[1] = f.issuer, len[1] = f.issuer_len;
	ptr[2] = f.serial, len[2] = f.serial_len;
	for (i = 0; i < 3 && rv == CKR_OK; i++)
		if (val(obj, types[i])->len == 0)
			rv = object_set_value(obj, types[i], ptr[i], len[i]);
	crypto_cert_fields_free(&f);
	return rv;
}
#else
/* Without certificate parsing (IOT_WITH_CERT 0): the value is kept as
 * given and the template must name the subject itself (v2.40 table 24:
 * CKA_SUBJECT is required for X.509 certificates). */
static CK_RV import_cert(object *obj)
{
	return val(obj, CKA_SUBJECT)->len > 0 ? CKR_OK : CKR_TEMPLATE_INCOMPLETE;
}
#endif

CK_RV keyobj_import(object *obj)
{
	crypto_key *k = NULL;
	CK_RV rv;

	switch (obj->kind) {
	case KIND_CERT_X509:
		return import_cert(obj);
	case KIND_PUB_EC:
	case KIND_PRIV_EC:
	case KIND_PUB_RSA:
	case KIND_PRIV_RSA:
#if IOT_WITH_ED25519
	case KIND_PUB_ED:
	case KIND_PRIV_ED:
#endif
		break;
	default:
		return CKR_OK;
	}
	rv = keyobj_key(obj, &k);
	if (rv != CKR_OK)
		return rv;
	if (obj->kind == KIND_PUB_EC || obj->kind == KIND_PRIV_EC)
		rv = set_point(obj, k);
#if IOT_WITH_ED25519
	else if (obj->kind == KIND_PUB_ED || obj->kind == KIND_PRIV_ED)
		rv = ed_import(obj, k);
#endif
	else if (obj->kind == KIND_PRIV_RSA)
		rv = fill_rsa(obj, k);
	if (rv == CKR_OK)
		rv = set_spki(obj, k);
	crypto_key_unref(k);
	return rv;
}

/* ---- Key-pair generation ---- */

/* Attributes a generation template may not give: the token makes them. */
static int is_material(CK_ATTRIBUTE_TYPE t)
{
	switch (t) {
	case CKA_VALUE:
	case CKA_EC_POINT:
	case CKA_MODULUS:
	case CKA_PRIVATE_EXPONENT:
	case CKA_PRIME_1:
	case CKA_PRIME_2:
	case CKA_EXPONENT_1:
	case CKA_EXPONENT_2:
	case CKA_COEFFICIENT:
	case CKA_PUBLIC_KEY_INFO:
		return 1;
	default:
		return 0;
	}
}

static const CK_ATTRIBUTE *find_attr(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

static CK_RV check_user_template(enum obj_kind kind, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_ULONG i;
	CK_RV rv;

	if ((t == NULL && n > 0) || n > ATTR_MAX_TEMPLATE)
		return CKR_ARGUMENTS_BAD;
	for (i = 0; i < n; i++) {
		const attr_rule *r = attr_rule_find(kind, t[i].type);

		if (r == NULL)
			return CKR_ATTRIBUTE_TYPE_INVALID;
		if (r->flags & A_COMPUTED)
			return CKR_ATTRIBUTE_READ_ONLY;
		if (is_material(t[i].type))
			return CKR_TEMPLATE_INCONSISTENT;
		/* The shape of every value (length, NULL) before anything
		 * reads one: a generation, unwrap or derive template is read
		 * here first. */
		rv = attr_value_check(r, t[i].pValue, t[i].ulValueLen);
		if (rv != CKR_OK)
			return rv;
	}
	return CKR_OK;
}

/* A generation template: the caller's entries, then the token's. */
typedef struct gen_tmpl {
	CK_ATTRIBUTE a[ATTR_MAX_TEMPLATE + 16];
	CK_ULONG n;
} gen_tmpl;

static void gen_add(gen_tmpl *g, CK_ATTRIBUTE_TYPE type, const void *v, size_t len)
{
	g->a[g->n].type = type;
	g->a[g->n].pValue = (void *)v;
	g->a[g->n].ulValueLen = len;
	g->n++;
}

static void gen_user(gen_tmpl *g, const CK_ATTRIBUTE *t, CK_ULONG n, int skip_bits)
{
	CK_ULONG i;

	for (i = 0; i < n; i++)
		if (!(skip_bits && t[i].type == CKA_MODULUS_BITS))
			g->a[g->n++] = t[i];
}

/* What generation leaves to compute after the object exists (v2.40 4.9
 * table 33 footnotes: CKA_ALWAYS_SENSITIVE is CKA_SENSITIVE's value at
 * generation, CKA_NEVER_EXTRACTABLE the opposite of CKA_EXTRACTABLE). */
static CK_RV finish_private(object *priv)
{
	CK_RV rv = object_set_bool(priv, CKA_ALWAYS_SENSITIVE, object_bool(priv, CKA_SENSITIVE));

	if (rv == CKR_OK)
		rv = object_set_bool(priv, CKA_NEVER_EXTRACTABLE,
				     !object_bool(priv, CKA_EXTRACTABLE));
	return rv;
}

struct pair_material {
	const crypto_key *key;
	uint8_t *rsa[RSA_PARTS];
	size_t rsa_len[RSA_PARTS];
	uint8_t point_der[MAX_POINT_DER];
	size_t point_der_len;
	uint8_t point[MAX_POINT];
	size_t point_len;
	uint8_t scalar[66];
	size_t scalar_len;
	const uint8_t *params;
	size_t params_len;
	uint8_t *spki;
	size_t spki_len;
	uint8_t id[CRYPTO_MAX_HASH_LEN];
	CK_ULONG bits;
};

static void material_free(struct pair_material *m)
{
	int i;

	for (i = 0; i < RSA_PARTS; i++)
		port_free_secret(m->rsa[i], m->rsa_len[i]);
	port_free(m->spki);
	port_wipe(m, sizeof(*m));
}

static CK_RV sha1(const uint8_t *p, size_t n, uint8_t out[CRYPTO_MAX_HASH_LEN])
{
	crypto_digest *d;
	CK_RV rv = crypto_digest_new(HASH_SHA1, &d);

	if (rv != CKR_OK)
		return rv;
	rv = crypto_digest_update(d, p, n);
	if (rv == CKR_OK)
		rv = crypto_digest_final(d, out);
	crypto_digest_free(d);
	return rv;
}

static CK_RV material_of(const crypto_key *k, int family, struct pair_material *m)
{
	enum crypto_curve c;
	CK_RV rv;

	m->key = k;
	rv = crypto_key_spki(k, &m->spki, &m->spki_len);
	if (rv != CKR_OK)
		return rv;
#if IOT_WITH_ED25519
	if (family == MF_ED_GEN) {
		/* CKA_ID: the SHA-1 of the 32-byte public key. */
		m->point_der_len = ED_POINT_DER_LEN;
		m->scalar_len = CRYPTO_ED25519_KEY_LEN;
		rv = ed_material(k, m->point_der, m->scalar);
		return rv != CKR_OK ? rv : sha1(m->point_der + 2, CRYPTO_ED25519_KEY_LEN, m->id);
	}
#endif
	if (family == MF_RSA_GEN) {
		rv = crypto_rsa_parts(k, m->rsa, m->rsa_len);
		m->bits = crypto_key_bits(k);
		/* CKA_ID: the SHA-1 of the modulus (INTEROP.md). */
		if (rv == CKR_OK)
			rv = sha1(m->rsa[RSA_N], m->rsa_len[RSA_N], m->id);
		return rv;
	}
	m->point_len = sizeof(m->point);
	m->scalar_len = sizeof(m->scalar);
	rv = crypto_key_curve(k, &c);
	if (rv == CKR_OK)
		rv = crypto_ec_point(k, m->point, &m->point_len);
	if (rv == CKR_OK)
		rv = crypto_ec_scalar(k, m->scalar, &m->scalar_len);
	if (rv != CKR_OK)
		return rv;
	m->params = crypto_ec_params(c, &m->params_len);
	m->point_der_len = point_der(m->point, m->point_len, m->point_der);
	/* CKA_ID: the SHA-1 of the public point (INTEROP.md). */
	return sha1(m->point, m->point_len, m->id);
}

/*
 * The two template values generation reads itself, before object_create
 * checks the templates: a length no value may have is refused unread (the
 * backends read CKA_PUBLIC_EXPONENT byte by byte up to its length).
 */
static CK_RV generate_key(const mech_row *m, const CK_ATTRIBUTE *pub, CK_ULONG npub,
			  crypto_key **out)
{
	const CK_ATTRIBUTE *a;
	enum crypto_curve c;
	CK_ULONG bits;
	CK_RV rv;

#if IOT_WITH_ED25519
	if (m->family == MF_ED_GEN)
		return ed_generate(pub, npub, out);
#endif
	if (m->family == MF_EC_GEN) {
		a = find_attr(pub, npub, CKA_EC_PARAMS);
		if (a == NULL)
			return CKR_TEMPLATE_INCOMPLETE;
		if (a->pValue == NULL || a->ulValueLen > ATTR_MAX_VALUE)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		rv = crypto_ec_curve(a->pValue, a->ulValueLen, &c);
		return rv != CKR_OK ? rv : crypto_ec_generate(c, out);
	}
	a = find_attr(pub, npub, CKA_MODULUS_BITS);
	if (a == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	if (a->pValue == NULL || a->ulValueLen != sizeof(CK_ULONG))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	bits = attr_ulong(a->pValue);
	if (bits < m->min_key || bits > m->max_key || bits % 8 != 0)
		return CKR_KEY_SIZE_RANGE;
	a = find_attr(pub, npub, CKA_PUBLIC_EXPONENT);
	if (a != NULL && a->pValue == NULL && a->ulValueLen > 0)
		return CKR_ARGUMENTS_BAD;
	if (a != NULL && a->ulValueLen > ATTR_MAX_VALUE)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return crypto_rsa_generate(bits, a ? a->pValue : NULL, a ? a->ulValueLen : 0, out);
}

CK_RV keyobj_generate(const mech_row *m, const CK_ATTRIBUTE *pub, CK_ULONG npub,
		      const CK_ATTRIBUTE *priv, CK_ULONG npriv, unsigned flags, object **pub_out,
		      object **priv_out)
{
	const CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY, priv_class = CKO_PRIVATE_KEY;
	const int ed = m->family == MF_ED_GEN;
	const int ec = m->family == MF_EC_GEN || ed; /* a point, not RSA parts */
	const CK_KEY_TYPE kt = ed ? CKK_EC_EDWARDS : ec ? CKK_EC : CKK_RSA;
	enum obj_kind pub_kind = ec ? KIND_PUB_EC : KIND_PUB_RSA;
	enum obj_kind priv_kind = ec ? KIND_PRIV_EC : KIND_PRIV_RSA;
	const CK_BBOOL yes = CK_TRUE;
	const CK_MECHANISM_TYPE mech = m->type;
	const CK_ATTRIBUTE *id_pub = find_attr(pub, npub, CKA_ID);
	const CK_ATTRIBUTE *id_priv = find_attr(priv, npriv, CKA_ID);
	struct pair_material mat;
	gen_tmpl *gp = NULL, *gs = NULL;
	object *po = NULL, *so = NULL;
	crypto_key *k = NULL;
	CK_RV rv;
	int i;

	memset(&mat, 0, sizeof(mat));
#if IOT_WITH_ED25519
	if (ed) {
		pub_kind = KIND_PUB_ED;
		priv_kind = KIND_PRIV_ED;
	}
#endif
	rv = check_user_template(pub_kind, pub, npub);
	if (rv == CKR_OK)
		rv = check_user_template(priv_kind, priv, npriv);
	if (rv == CKR_OK) {
		gp = port_calloc(1, sizeof(*gp));
		gs = port_calloc(1, sizeof(*gs));
		if (gp == NULL || gs == NULL)
			rv = CKR_HOST_MEMORY;
	}
	if (rv == CKR_OK)
		rv = generate_key(m, pub, npub, &k);
	if (rv == CKR_OK)
		rv = material_of(k, m->family, &mat);
	if (rv != CKR_OK)
		goto out;

	gen_user(gp, pub, npub, !ec);
	gen_user(gs, priv, npriv, 0);
	for (i = 0; i < 2; i++) {
		gen_tmpl *g = i == 0 ? gp : gs;

		gen_add(g, CKA_CLASS, i == 0 ? &pub_class : &priv_class, sizeof(pub_class));
		gen_add(g, CKA_KEY_TYPE, &kt, sizeof(kt));
		gen_add(g, CKA_LOCAL, &yes, sizeof(yes));
		gen_add(g, CKA_KEY_GEN_MECHANISM, &mech, sizeof(mech));
		gen_add(g, CKA_PUBLIC_KEY_INFO, mat.spki, mat.spki_len);
		if (ec)
			gen_add(g, CKA_EC_POINT, mat.point_der, mat.point_der_len);
	}
	/* One CKA_ID for both: the caller's (from either template), else the
	 * SHA-1 of the public key. */
	if (id_pub == NULL && id_priv == NULL) {
		gen_add(gp, CKA_ID, mat.id, 20);
		gen_add(gs, CKA_ID, mat.id, 20);
	} else if (id_pub == NULL) {
		gen_add(gp, CKA_ID, id_priv->pValue, id_priv->ulValueLen);
	} else if (id_priv == NULL) {
		gen_add(gs, CKA_ID, id_pub->pValue, id_pub->ulValueLen);
	}
	if (ed) {
		/* The caller's CKA_EC_PARAMS (one of Ed25519's names) goes to
		 * the private key too. */
		const CK_ATTRIBUTE *params = find_attr(pub, npub, CKA_EC_PARAMS);

		if (find_attr(priv, npriv, CKA_EC_PARAMS) == NULL)
			gen_add(gs, CKA_EC_PARAMS, params->pValue, params->ulValueLen);
		gen_add(gs, CKA_VALUE, mat.scalar, mat.scalar_len);
	} else if (ec) {
		/* Given again, a different curve in a template is a conflict
		 * object_create reports. */
		gen_add(gs, CKA_EC_PARAMS, mat.params, mat.params_len);
		gen_add(gp, CKA_EC_PARAMS, mat.params, mat.params_len);
		gen_add(gs, CKA_VALUE, mat.scalar, mat.scalar_len);
	} else {
		static const CK_ATTRIBUTE_TYPE types[RSA_PARTS] = {
			CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
			CKA_PRIME_2, CKA_EXPONENT_1,      CKA_EXPONENT_2,       CKA_COEFFICIENT,
		};
		gen_add(gp, CKA_MODULUS_BITS, &mat.bits, sizeof(mat.bits));
		gen_add(gp, CKA_MODULUS, mat.rsa[RSA_N], mat.rsa_len[RSA_N]);
		if (find_attr(pub, npub, CKA_PUBLIC_EXPONENT) == NULL)
			gen_add(gp, CKA_PUBLIC_EXPONENT, mat.rsa[RSA_E], mat.rsa_len[RSA_E]);
		for (i = 0; i < RSA_PARTS; i++)
			gen_add(gs, types[i], mat.rsa[i], mat.rsa_len[i]);
	}
	rv = object_create(gp->a, gp->n, flags | OBJ_CREATE_INTERNAL, &po);
	if (rv == CKR_OK)
		rv = object_create(gs->a, gs->n, flags | OBJ_CREATE_INTERNAL, &so);
	if (rv == CKR_OK)
		rv = finish_private(so);
	if (rv == CKR_OK) {
		so->key = crypto_key_ref(k);
		*pub_out = po;
		*priv_out = so;
		po = so = NULL;
	}
out:
	object_free(po);
	object_free(so);
	crypto_key_unref(k);
	material_free(&mat);
	if (gs != NULL)
		port_free_secret(gs, sizeof(*gs));
	port_free(gp);
	return rv;
}

#if IOT_WITH_AES || IOT_WITH_HMAC
/* The length CKA_VALUE_LEN asks for: AES 16, 24 or 32 bytes; a generic
 * secret 1 byte to the mechanism's maximum (bits in its row). */
static CK_RV secret_len(const mech_row *m, const CK_ATTRIBUTE *t, CK_ULONG n, size_t *out)
{
	const CK_ATTRIBUTE *a = find_attr(t, n, CKA_VALUE_LEN);
	CK_ULONG len;

	if (a == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	if (a->pValue == NULL || a->ulValueLen != sizeof(CK_ULONG))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	len = attr_ulong(a->pValue);
	if (m->family == MF_AES_GEN ? len < m->min_key || len > m->max_key || len % 8 != 0
				    : len == 0 || len > m->max_key / 8u)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	*out = len;
	return CKR_OK;
}

CK_RV keyobj_generate_secret(const mech_row *m, const CK_ATTRIBUTE *t, CK_ULONG n, unsigned flags,
			     object **out)
{
	const CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	const CK_KEY_TYPE kt = m->family == MF_AES_GEN ? CKK_AES : CKK_GENERIC_SECRET;
	const CK_BBOOL yes = CK_TRUE;
	const CK_MECHANISM_TYPE mech = m->type;
	uint8_t value[4096];
	gen_tmpl *g = NULL;
	object *obj = NULL;
	size_t len = 0;
	CK_ULONG i, ulen;
	CK_RV rv;

	rv = check_user_template(kt == CKK_AES ? KIND_SECRET_AES : KIND_SECRET_GENERIC, t, n);
	if (rv == CKR_OK)
		rv = secret_len(m, t, n, &len);
	if (rv == CKR_OK) {
		g = port_calloc(1, sizeof(*g));
		if (g == NULL)
			rv = CKR_HOST_MEMORY;
	}
	if (rv == CKR_OK)
		rv = crypto_random(value, len);
	if (rv != CKR_OK)
		goto out;
	ulen = len;
	/* CKA_VALUE_LEN is the token's to set, from the value. */
	for (i = 0; i < n; i++)
		if (t[i].type != CKA_VALUE_LEN)
			g->a[g->n++] = t[i];
	gen_add(g, CKA_CLASS, &cls, sizeof(cls));
	gen_add(g, CKA_KEY_TYPE, &kt, sizeof(kt));
	gen_add(g, CKA_LOCAL, &yes, sizeof(yes));
	gen_add(g, CKA_KEY_GEN_MECHANISM, &mech, sizeof(mech));
	gen_add(g, CKA_VALUE, value, len);
	gen_add(g, CKA_VALUE_LEN, &ulen, sizeof(ulen));
	rv = object_create(g->a, g->n, flags | OBJ_CREATE_INTERNAL, &obj);
	if (rv == CKR_OK)
		rv = finish_private(obj);
	if (rv == CKR_OK) {
		*out = obj;
		obj = NULL;
	}
out:
	object_free(obj);
	port_wipe(value, sizeof(value));
	port_free(g);
	return rv;
}
#endif

#if IOT_WITH_AES || IOT_WITH_OAEP || IOT_WITH_ECDH
CK_RV keyobj_secret_object(const CK_ATTRIBUTE *t, CK_ULONG n, const uint8_t *value, size_t len,
			   const object *from, int derived, unsigned flags, object **out)
{
	const object *base = derived ? from : NULL;
	const obj_value *imposed =
		object_value(from, derived ? CKA_DERIVE_TEMPLATE : CKA_UNWRAP_TEMPLATE);
	CK_ULONG ni = 0;
	const CK_ATTRIBUTE *cls = find_attr(t, n, CKA_CLASS), *kt = find_attr(t, n, CKA_KEY_TYPE);
	const CK_ATTRIBUTE *a;
	const CK_ULONG ulen = len;
	gen_tmpl *g;
	CK_ULONG i;
	CK_RV rv;

	if (cls == NULL || kt == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	if (cls->pValue == NULL || cls->ulValueLen != sizeof(CK_ULONG) || kt->pValue == NULL ||
	    kt->ulValueLen != sizeof(CK_ULONG))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	/* Secret keys only: a private key would need its PKCS#8 encoding. */
	if (attr_ulong(cls->pValue) != CKO_SECRET_KEY ||
	    (attr_ulong(kt->pValue) != CKK_AES && attr_ulong(kt->pValue) != CKK_GENERIC_SECRET))
		return CKR_TEMPLATE_INCONSISTENT;
	rv = check_user_template(
		attr_ulong(kt->pValue) == CKK_AES ? KIND_SECRET_AES : KIND_SECRET_GENERIC, t, n);
	if (rv != CKR_OK)
		return rv;
	if (attr_ulong(kt->pValue) == CKK_AES && len != 16 && len != 24 && len != 32)
		return CKR_WRAPPED_KEY_INVALID;
	if (len == 0 || len > ATTR_MAX_VALUE)
		return CKR_WRAPPED_KEY_INVALID;
	/* A key that comes out of a wrapping stays sensitive: otherwise an
	 * extractable sensitive key, wrapped and unwrapped again, would show
	 * its value (Tookan's re-import attack). */
	a = find_attr(t, n, CKA_SENSITIVE);
	if (base == NULL && a != NULL && a->pValue != NULL && a->ulValueLen == sizeof(CK_BBOOL) &&
	    !attr_bool(a->pValue))
		return CKR_TEMPLATE_INCONSISTENT;
	a = find_attr(t, n, CKA_VALUE_LEN);
	if (a != NULL && (a->pValue == NULL || a->ulValueLen != sizeof(CK_ULONG) ||
			  attr_ulong(a->pValue) != len))
		return CKR_TEMPLATE_INCONSISTENT;
	g = port_calloc(1, sizeof(*g));
	if (g == NULL)
		return CKR_HOST_MEMORY;
	for (i = 0; i < n; i++)
		if (t[i].type != CKA_VALUE_LEN)
			g->a[g->n++] = t[i];
	/* The unwrapping key's CKA_UNWRAP_TEMPLATE, the base key's
	 * CKA_DERIVE_TEMPLATE: added to the caller's; an entry the caller
	 * gives otherwise is the conflict object_create reports
	 * (CKR_TEMPLATE_INCONSISTENT). */
	if (imposed != NULL && imposed->len > 0 &&
	    (imposed->value == NULL ||
	     attrs_decode(imposed->value, imposed->len, g->a + g->n, ATTR_MAX_TEMPLATE - n, &ni) !=
		     CKR_OK ||
	     check_user_template(attr_ulong(kt->pValue) == CKK_AES ? KIND_SECRET_AES
								   : KIND_SECRET_GENERIC,
				 g->a + g->n, ni) != CKR_OK)) {
		port_free(g);
		return CKR_TEMPLATE_INCONSISTENT;
	}
	g->n += ni;
	gen_add(g, CKA_VALUE, value, len);
	gen_add(g, CKA_VALUE_LEN, &ulen, sizeof(ulen));
	/* CKA_LOCAL FALSE. An unwrapped key keeps the FALSE defaults of
	 * CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE (v2.40 4.10: it was
	 * outside); a derived one has them only if its base key had them
	 * (v2.40 5.14 C_DeriveKey) and it is itself sensitive / not
	 * extractable. */
	rv = object_create(g->a, g->n, flags | OBJ_CREATE_INTERNAL, out);
	port_free(g);
	if (rv == CKR_OK && base != NULL) {
		rv = object_set_bool(*out, CKA_ALWAYS_SENSITIVE,
				     object_bool(base, CKA_ALWAYS_SENSITIVE) &&
					     object_bool(*out, CKA_SENSITIVE));
		if (rv == CKR_OK)
			rv = object_set_bool(*out, CKA_NEVER_EXTRACTABLE,
					     object_bool(base, CKA_NEVER_EXTRACTABLE) &&
						     !object_bool(*out, CKA_EXTRACTABLE));
		if (rv != CKR_OK) {
			object_free(*out);
			*out = NULL;
		}
	}
	return rv;
}
#endif
