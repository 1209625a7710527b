/*
 * Finding objects (by label, id or pkcs11: URI) and reading their
 * attributes, including a key pair's public key as an EVP_PKEY.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

bool objsel_from_opts(struct objsel *s, const struct opts *o, const char *key, const char *cmd)
{
	char err[160];
	const char *uri = o->uri;
	const char *label = o->label;

	memset(s, 0, sizeof(*s));
	if (key) {
		if (strncmp(key, "pkcs11:", 7) == 0)
			uri = key;
		else
			label = key;
	}
	if (uri && (o->label || o->id_hex))
		die_usage(cmd, "a URI names the object: no --label or --id beside it");
	if (!uri && !label && !o->id_hex)
		die_usage(cmd, "name the object: %s",
			  key ? "--key LABEL|URI" : "--label, --id or --uri");
	if (uri) {
		if (!uri_parse(uri, &s->uri, err, sizeof(err))) {
			errmsg("%s: %s", uri, err);
			return false;
		}
		s->has_uri = true;
		s->label = s->uri.object;
		if (s->uri.has_id) {
			s->id = malloc(s->uri.id_len ? s->uri.id_len : 1);
			if (!s->id) {
				errmsg("out of memory");
				objsel_free(s);
				return false;
			}
			memcpy(s->id, s->uri.id, s->uri.id_len);
			s->id_len = s->uri.id_len;
			s->has_id = true;
		}
		s->cls = s->uri.cls;
		s->has_class = s->uri.has_class;
		return true;
	}
	s->label = label;
	if (o->id_hex) {
		if (!hex_decode(o->id_hex, &s->id, &s->id_len))
			die_usage(cmd, "--id needs hex digits, not '%s'", o->id_hex);
		s->has_id = true;
	}
	return true;
}

void objsel_free(struct objsel *s)
{
	if (s->has_uri)
		uri_free(&s->uri);
	free(s->id);
	memset(s, 0, sizeof(*s));
}

static void describe(const struct objsel *s, char *buf, size_t n)
{
	size_t w = 0;

	buf[0] = '\0';
	if (s->label)
		w += (size_t)snprintf(buf + w, n - w, "label '%s'", s->label);
	if (s->has_id && w < n) {
		w += (size_t)snprintf(buf + w, n - w, "%sid ", w ? " and " : "");
		for (size_t i = 0; i < s->id_len && w + 3 < n; i++)
			w += (size_t)snprintf(buf + w, n - w, "%02x", s->id[i]);
	}
	if (w == 0)
		snprintf(buf, n, "the URI given");
}

CK_RV obj_find(struct p11 *p, const struct objsel *s, CK_OBJECT_HANDLE **out, size_t *n)
{
	CK_ATTRIBUTE t[3];
	CK_ULONG nt = 0, got;
	CK_OBJECT_CLASS cls = s->cls;
	CK_OBJECT_HANDLE *hs = NULL, *nh;
	size_t cap = 0, count = 0;
	CK_RV rv, rv2;

	if (s->label)
		t[nt++] = (CK_ATTRIBUTE){ CKA_LABEL, (void *)s->label, strlen(s->label) };
	if (s->has_id)
		t[nt++] = (CK_ATTRIBUTE){ CKA_ID, s->id, s->id_len };
	if (s->has_class)
		t[nt++] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	rv = p->f->C_FindObjectsInit(p->session, nt ? t : NULL, nt);
	if (rv != CKR_OK)
		return rv;
	for (;;) {
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			nh = realloc(hs, cap * sizeof(*hs));
			if (!nh) {
				rv = CKR_HOST_MEMORY;
				break;
			}
			hs = nh;
		}
		rv = p->f->C_FindObjects(p->session, hs + count, cap - count, &got);
		if (rv != CKR_OK || got == 0)
			break;
		count += got;
	}
	rv2 = p->f->C_FindObjectsFinal(p->session);
	if (rv == CKR_OK)
		rv = rv2;
	if (rv != CKR_OK) {
		free(hs);
		return rv;
	}
	*out = hs;
	*n = count;
	return CKR_OK;
}

bool obj_find_one(struct p11 *p, const struct objsel *s, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *h)
{
	struct objsel one = *s;
	CK_OBJECT_HANDLE *hs = NULL;
	size_t n = 0;
	char what[160];
	const char *tn = uri_type_name(cls);
	CK_RV rv;

	describe(s, what, sizeof(what));
	if (s->has_class && s->cls != cls) {
		errmsg("the URI names a %s object, not a %s one", uri_type_name(s->cls), tn);
		return false;
	}
	one.cls = cls;
	one.has_class = true;
	rv = obj_find(p, &one, &hs, &n);
	if (rv != CKR_OK) {
		report_rv(p, "finding objects", rv, NULL);
		return false;
	}
	if (n == 1)
		*h = hs[0];
	free(hs);
	if (n == 0) {
		errmsg("no %s object with %s in token '%s' (iotoken list shows the objects%s)", tn,
		       what, p->token_label,
		       cls == CKO_PRIVATE_KEY ? "; private ones only after login" : "");
		return false;
	}
	if (n > 1) {
		errmsg("%zu %s objects with %s: name one by --id or its pkcs11: URI (iotoken list)",
		       n, tn, what);
		return false;
	}
	return true;
}

CK_RV obj_attr(struct p11 *p, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE t, unsigned char **v,
	       size_t *len)
{
	CK_ATTRIBUTE a = { t, NULL, 0 };
	CK_RV rv;

	*v = NULL;
	*len = 0;
	rv = p->f->C_GetAttributeValue(p->session, h, &a, 1);
	if (rv != CKR_OK)
		return rv;
	if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > (1u << 24))
		return CKR_ATTRIBUTE_SENSITIVE;
	a.pValue = malloc(a.ulValueLen + 1);
	if (!a.pValue)
		return CKR_HOST_MEMORY;
	rv = p->f->C_GetAttributeValue(p->session, h, &a, 1);
	if (rv != CKR_OK) {
		free(a.pValue);
		return rv;
	}
	((unsigned char *)a.pValue)[a.ulValueLen] = '\0';
	*v = a.pValue;
	*len = a.ulValueLen;
	return CKR_OK;
}

CK_RV obj_ulong(struct p11 *p, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE t, CK_ULONG *v)
{
	CK_ATTRIBUTE a = { t, v, sizeof(*v) };

	return p->f->C_GetAttributeValue(p->session, h, &a, 1);
}

bool obj_bool(struct p11 *p, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE t, bool *v)
{
	CK_BBOOL b = CK_FALSE;
	CK_ATTRIBUTE a = { t, &b, sizeof(b) };

	if (p->f->C_GetAttributeValue(p->session, h, &a, 1) != CKR_OK)
		return false;
	*v = b == CK_TRUE;
	return true;
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1)
		if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
			pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static EVP_PKEY *ec_pubkey(struct p11 *p, CK_OBJECT_HANDLE h)
{
	unsigned char *params = NULL, *point = NULL;
	size_t plen, qlen;
	const unsigned char *c;
	ASN1_OBJECT *oid = NULL;
	ASN1_OCTET_STRING *os = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	const char *group;

	if (obj_attr(p, h, CKA_EC_PARAMS, &params, &plen) != CKR_OK ||
	    obj_attr(p, h, CKA_EC_POINT, &point, &qlen) != CKR_OK)
		goto out;
	c = params;
	oid = d2i_ASN1_OBJECT(NULL, &c, (long)plen);
	if (!oid || !(group = OBJ_nid2sn(OBJ_obj2nid(oid))))
		goto out;
	/* CKA_EC_POINT is a DER OCTET STRING (v2.40); some tokens give the raw point. */
	c = point;
	os = d2i_ASN1_OCTET_STRING(NULL, &c, (long)qlen);
	bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0))
		goto out;
	if (os && c == point + qlen) {
		if (!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						      ASN1_STRING_get0_data(os),
						      (size_t)ASN1_STRING_length(os)))
			goto out;
	} else if (!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, qlen)) {
		goto out;
	}
	pkey = from_params("EC", bld);
out:
	OSSL_PARAM_BLD_free(bld);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(oid);
	free(params);
	free(point);
	return pkey;
}

static EVP_PKEY *rsa_pubkey(struct p11 *p, CK_OBJECT_HANDLE h)
{
	unsigned char *mod = NULL, *exp = NULL;
	size_t mlen, elen;
	BIGNUM *n = NULL, *e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;

	if (obj_attr(p, h, CKA_MODULUS, &mod, &mlen) != CKR_OK ||
	    obj_attr(p, h, CKA_PUBLIC_EXPONENT, &exp, &elen) != CKR_OK)
		goto out;
	n = BN_bin2bn(mod, (int)mlen, NULL);
	e = BN_bin2bn(exp, (int)elen, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (!n || !e || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	pkey = from_params("RSA", bld);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	free(mod);
	free(exp);
	return pkey;
}

static EVP_PKEY *cert_pubkey(struct p11 *p, CK_OBJECT_HANDLE h)
{
	unsigned char *der = NULL;
	size_t len;
	const unsigned char *c;
	X509 *x;
	EVP_PKEY *pkey = NULL;

	if (obj_attr(p, h, CKA_VALUE, &der, &len) != CKR_OK)
		return NULL;
	c = der;
	x = d2i_X509(NULL, &c, (long)len);
	if (x)
		pkey = X509_get_pubkey(x);
	X509_free(x);
	free(der);
	return pkey;
}

EVP_PKEY *obj_pubkey_from_attrs(struct p11 *p, CK_OBJECT_HANDLE h)
{
	CK_ULONG kt;

	if (obj_ulong(p, h, CKA_KEY_TYPE, &kt) != CKR_OK)
		return NULL;
	if (kt == CKK_EC)
		return ec_pubkey(p, h);
	if (kt == CKK_RSA)
		return rsa_pubkey(p, h);
	return NULL;
}

/* The one object of class cls with CKA_ID id, if any. */
static bool find_by_id(struct p11 *p, const unsigned char *id, size_t id_len, CK_OBJECT_CLASS cls,
		       CK_OBJECT_HANDLE *h)
{
	struct objsel s = { 0 };
	CK_OBJECT_HANDLE *hs = NULL;
	size_t n = 0;
	bool ok;

	s.id = (unsigned char *)id;
	s.id_len = id_len;
	s.has_id = true;
	s.cls = cls;
	s.has_class = true;
	if (obj_find(p, &s, &hs, &n) != CKR_OK)
		return false;
	ok = n >= 1;
	if (ok)
		*h = hs[0];
	free(hs);
	return ok;
}

EVP_PKEY *obj_public_key(struct p11 *p, CK_OBJECT_HANDLE h)
{
	CK_ULONG cls = 0, kt = 0;
	unsigned char *v = NULL;
	size_t len = 0;
	const unsigned char *c;
	EVP_PKEY *pkey = NULL;
	CK_OBJECT_HANDLE other;

	if (obj_ulong(p, h, CKA_CLASS, &cls) != CKR_OK)
		return NULL;
	if (cls == CKO_CERTIFICATE)
		return cert_pubkey(p, h);
	if (cls == CKO_PUBLIC_KEY && (pkey = obj_pubkey_from_attrs(p, h)) != NULL)
		return pkey;
	if (obj_attr(p, h, CKA_PUBLIC_KEY_INFO, &v, &len) == CKR_OK && len > 0) {
		c = v;
		pkey = d2i_PUBKEY(NULL, &c, (long)len);
	}
	free(v);
	if (pkey)
		return pkey;
	if (obj_attr(p, h, CKA_ID, &v, &len) == CKR_OK && len > 0) {
		if (find_by_id(p, v, len, CKO_PUBLIC_KEY, &other))
			pkey = obj_pubkey_from_attrs(p, other);
		if (!pkey && find_by_id(p, v, len, CKO_CERTIFICATE, &other))
			pkey = cert_pubkey(p, other);
	}
	free(v);
	if (!pkey && obj_ulong(p, h, CKA_KEY_TYPE, &kt) == CKR_OK && kt == CKK_RSA)
		pkey = rsa_pubkey(p, h);
	return pkey;
}
