/* Objects: list, export, delete. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include <openssl/ec.h>
#include <openssl/pem.h>

static const struct {
	CK_ATTRIBUTE_TYPE type;
	const char *name;
} bool_attrs[] = {
	{ CKA_PRIVATE, "private" },
	{ CKA_MODIFIABLE, "modifiable" },
	{ CKA_SENSITIVE, "sensitive" },
	{ CKA_EXTRACTABLE, "extractable" },
	{ CKA_ALWAYS_SENSITIVE, "always-sensitive" },
	{ CKA_NEVER_EXTRACTABLE, "never-extractable" },
	{ CKA_LOCAL, "local" },
	{ CKA_SIGN, "sign" },
	{ CKA_VERIFY, "verify" },
	{ CKA_ENCRYPT, "encrypt" },
	{ CKA_DECRYPT, "decrypt" },
	{ CKA_DERIVE, "derive" },
	{ CKA_TRUSTED, "trusted" },
};

#define NBOOL (sizeof(bool_attrs) / sizeof(bool_attrs[0]))

struct objinfo {
	CK_ULONG cls;
	unsigned char *label, *id;
	size_t label_len, id_len;
	const char *key_type; /* "EC", "RSA", ... or NULL */
	char size[32];        /* "P-256", "2048 bits" */
	char *subject;        /* certificates */
	bool flags[NBOOL];
	bool has_flag[NBOOL];
	char *uri;
};

static const char *class_name(CK_ULONG cls)
{
	switch (cls) {
	case CKO_PRIVATE_KEY:
		return "private key";
	case CKO_PUBLIC_KEY:
		return "public key";
	case CKO_CERTIFICATE:
		return "certificate";
	case CKO_DATA:
		return "data";
	case CKO_SECRET_KEY:
		return "secret key";
	default:
		return "other";
	}
}

static void key_size(struct p11 *p, CK_OBJECT_HANDLE h, CK_ULONG kt, struct objinfo *oi)
{
	unsigned char *v = NULL;
	size_t len = 0;
	CK_ULONG bits = 0;

	if (kt == CKK_EC) {
		oi->key_type = "EC";
		if (obj_attr(p, h, CKA_EC_PARAMS, &v, &len) == CKR_OK) {
			const unsigned char *c = v;
			ASN1_OBJECT *oid = d2i_ASN1_OBJECT(NULL, &c, (long)len);
			int nid = oid ? OBJ_obj2nid(oid) : NID_undef;
			const char *nist = nid != NID_undef ? EC_curve_nid2nist(nid) : NULL;
			const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;

			snprintf(oi->size, sizeof(oi->size), "%s",
				 nist ? nist
				 : sn ? sn
				      : "unknown curve");
			ASN1_OBJECT_free(oid);
		}
	} else if (kt == CKK_RSA) {
		oi->key_type = "RSA";
		if (obj_ulong(p, h, CKA_MODULUS_BITS, &bits) != CKR_OK || bits == 0 ||
		    bits == CK_UNAVAILABLE_INFORMATION) {
			bits = 0;
			if (obj_attr(p, h, CKA_MODULUS, &v, &len) == CKR_OK)
				bits = (CK_ULONG)len * 8;
		}
		if (bits)
			snprintf(oi->size, sizeof(oi->size), "%lu bits", bits);
	} else if (kt == CKK_AES) {
		oi->key_type = "AES";
		if (obj_ulong(p, h, CKA_VALUE_LEN, &bits) == CKR_OK)
			snprintf(oi->size, sizeof(oi->size), "%lu bits", bits * 8);
	} else {
		oi->key_type = "other";
	}
	free(v);
}

static void cert_subject(struct p11 *p, CK_OBJECT_HANDLE h, struct objinfo *oi)
{
	unsigned char *v = NULL;
	size_t len = 0;
	const unsigned char *c;
	X509 *x;

	if (obj_attr(p, h, CKA_VALUE, &v, &len) != CKR_OK)
		return;
	c = v;
	x = d2i_X509(NULL, &c, (long)len);
	if (x)
		oi->subject = X509_NAME_oneline(X509_get_subject_name(x), NULL, 0);
	X509_free(x);
	free(v);
}

static void info_read(struct p11 *p, CK_OBJECT_HANDLE h, struct objinfo *oi)
{
	CK_ULONG kt;

	memset(oi, 0, sizeof(*oi));
	oi->cls = (CK_ULONG)-1;
	(void)obj_ulong(p, h, CKA_CLASS, &oi->cls);
	(void)obj_attr(p, h, CKA_LABEL, &oi->label, &oi->label_len);
	(void)obj_attr(p, h, CKA_ID, &oi->id, &oi->id_len);
	if ((oi->cls == CKO_PRIVATE_KEY || oi->cls == CKO_PUBLIC_KEY ||
	     oi->cls == CKO_SECRET_KEY) &&
	    obj_ulong(p, h, CKA_KEY_TYPE, &kt) == CKR_OK)
		key_size(p, h, kt, oi);
	if (oi->cls == CKO_CERTIFICATE)
		cert_subject(p, h, oi);
	for (size_t i = 0; i < NBOOL; i++)
		oi->has_flag[i] = obj_bool(p, h, bool_attrs[i].type, &oi->flags[i]);
	oi->uri = uri_format(p->token_label, oi->label ? (const char *)oi->label : NULL, oi->id,
			     oi->id_len, oi->cls);
}

static void info_free(struct objinfo *oi)
{
	free(oi->label);
	free(oi->id);
	free(oi->uri);
	OPENSSL_free(oi->subject);
}

static void info_print(const struct objinfo *oi)
{
	printf("%-12s '%s'", class_name(oi->cls), oi->label ? (const char *)oi->label : "");
	if (oi->id_len) {
		printf(" id ");
		hex_print(stdout, oi->id, oi->id_len);
	}
	if (oi->key_type)
		printf(" %s%s%s", oi->key_type, oi->size[0] ? " " : "", oi->size);
	if (oi->subject)
		printf(" subject %s", oi->subject);
	printf(" [");
	for (size_t i = 0, n = 0; i < NBOOL; i++)
		if (oi->has_flag[i] && oi->flags[i])
			printf("%s%s", n++ ? " " : "", bool_attrs[i].name);
	printf("]\n");
	if (oi->uri)
		printf("  %s\n", oi->uri);
}

static void info_json(struct json *j, const struct objinfo *oi)
{
	const char *type = uri_type_name(oi->cls);

	json_obj_begin(j);
	json_key(j, "class");
	json_str(j, type ? type : class_name(oi->cls));
	json_key(j, "label");
	json_strn(j, oi->label ? (const char *)oi->label : "", oi->label_len);
	json_key(j, "id");
	{
		char *hex = malloc(oi->id_len * 2 + 1);

		if (hex) {
			for (size_t i = 0; i < oi->id_len; i++)
				sprintf(hex + 2 * i, "%02x", oi->id[i]);
			hex[oi->id_len * 2] = '\0';
		}
		json_str(j, hex ? hex : "");
		free(hex);
	}
	json_key(j, "key_type");
	json_str(j, oi->key_type);
	json_key(j, "size");
	json_str(j, oi->size[0] ? oi->size : NULL);
	if (oi->subject) {
		json_key(j, "subject");
		json_str(j, oi->subject);
	}
	json_key(j, "flags");
	json_arr_begin(j);
	for (size_t i = 0; i < NBOOL; i++)
		if (oi->has_flag[i] && oi->flags[i])
			json_str(j, bool_attrs[i].name);
	json_arr_end(j);
	json_key(j, "uri");
	json_str(j, oi->uri);
	json_obj_end(j);
}

int cmd_list(const struct opts *o)
{
	struct p11 p = { 0 };
	struct objsel all = { 0 };
	CK_OBJECT_HANDLE *hs = NULL;
	CK_SESSION_INFO si;
	size_t n = 0;
	struct json j;
	CK_RV rv;
	int ret = 1;

	if (!p11_load(&p, o) || !p11_pick_slot(&p, o, NULL) || !p11_open(&p, o, LOGIN_USER_OPT))
		goto out;
	if (p.f->C_GetSessionInfo(p.session, &si) == CKR_OK &&
	    (si.state == CKS_RO_PUBLIC_SESSION || si.state == CKS_RW_PUBLIC_SESSION))
		fprintf(stderr, "iotoken: not logged in (no user PIN given): private objects are "
				"not listed\n");
	rv = obj_find(&p, &all, &hs, &n);
	if (rv != CKR_OK) {
		report_rv(&p, "listing objects", rv, NULL);
		goto out;
	}
	json_init(&j, stdout);
	if (o->json)
		json_arr_begin(&j);
	else if (n == 0)
		printf("Token '%s' holds no objects\n", p.token_label);
	for (size_t i = 0; i < n; i++) {
		struct objinfo oi;

		info_read(&p, hs[i], &oi);
		if (o->json)
			info_json(&j, &oi);
		else
			info_print(&oi);
		info_free(&oi);
	}
	if (o->json) {
		json_arr_end(&j);
		json_end(&j);
	}
	ret = 0;
out:
	free(hs);
	p11_unload(&p);
	return ret;
}

int cmd_export(const struct opts *o)
{
	struct p11 p = { 0 };
	struct objsel s;
	CK_OBJECT_HANDLE h;
	bool want_cert;
	unsigned char *der = NULL, *out = NULL;
	size_t der_len = 0;
	const unsigned char *c;
	X509 *x = NULL;
	EVP_PKEY *pkey = NULL;
	BIO *b = NULL;
	char *pem;
	long n;
	int len;
	int ret = 1;

	if (!objsel_from_opts(&s, o, NULL, "export"))
		return 1;
	if (o->type)
		want_cert = strcmp(o->type, "cert") == 0;
	else
		want_cert = s.has_class && s.cls == CKO_CERTIFICATE;
	if (o->type && !want_cert && strcmp(o->type, "pubkey") != 0)
		die_usage("export", "--type is cert or pubkey");
	if (!o->type && !(s.has_class && (s.cls == CKO_CERTIFICATE || s.cls == CKO_PUBLIC_KEY)))
		die_usage("export", "--type cert|pubkey is required");
	s.has_class = false;
	if (!p11_load(&p, o) || !p11_pick_slot(&p, o, s.uri.token) ||
	    !p11_open(&p, o, LOGIN_USER_OPT))
		goto out;
	b = BIO_new(BIO_s_mem());
	if (!b)
		goto out;
	if (want_cert) {
		if (!obj_find_one(&p, &s, CKO_CERTIFICATE, &h))
			goto out;
		if (obj_attr(&p, h, CKA_VALUE, &der, &der_len) != CKR_OK) {
			errmsg("export: cannot read the certificate's value");
			goto out;
		}
		c = der;
		x = d2i_X509(NULL, &c, (long)der_len);
		if (!x) {
			errmsg("export: the certificate object does not hold an X.509 certificate");
			goto out;
		}
		if (o->der) {
			ret = file_write(o->out, der, der_len) ? 0 : 1;
			goto out;
		}
		if (PEM_write_bio_X509(b, x) != 1)
			goto out;
	} else {
		struct objsel pub = s;
		CK_OBJECT_HANDLE *hs = NULL;
		size_t nh = 0;

		/* The public key object, else the public key of the private key or
		 * certificate of that name. */
		pub.cls = CKO_PUBLIC_KEY;
		pub.has_class = true;
		if (obj_find(&p, &pub, &hs, &nh) == CKR_OK && nh == 1)
			pkey = obj_public_key(&p, hs[0]);
		free(hs);
		if (!pkey && nh == 0) {
			pub.cls = CKO_PRIVATE_KEY;
			hs = NULL;
			if (obj_find(&p, &pub, &hs, &nh) == CKR_OK && nh == 1)
				pkey = obj_public_key(&p, hs[0]);
			free(hs);
		}
		if (!pkey && nh == 0) {
			pub.cls = CKO_CERTIFICATE;
			hs = NULL;
			if (obj_find(&p, &pub, &hs, &nh) == CKR_OK && nh == 1)
				pkey = obj_public_key(&p, hs[0]);
			free(hs);
		}
		if (!pkey) {
			if (nh > 1)
				errmsg("export: %zu objects match: name one by --id or its URI",
				       nh);
			else
				errmsg("export: no public key found with that name in token '%s' "
				       "(iotoken list shows the objects)",
				       p.token_label);
			goto out;
		}
		if (o->der) {
			len = i2d_PUBKEY(pkey, &out);
			ret = len > 0 && file_write(o->out, out, (size_t)len) ? 0 : 1;
			goto out;
		}
		if (PEM_write_bio_PUBKEY(b, pkey) != 1)
			goto out;
	}
	n = BIO_get_mem_data(b, &pem);
	if (!file_write(o->out, pem, (size_t)n))
		goto out;
	ret = 0;
out:
	OPENSSL_free(out);
	BIO_free(b);
	EVP_PKEY_free(pkey);
	X509_free(x);
	free(der);
	objsel_free(&s);
	p11_unload(&p);
	return ret;
}

static bool confirm(size_t n)
{
	char line[16];

	fprintf(stderr, "Destroy %zu object%s? [y/N] ", n, n == 1 ? "" : "s");
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

int cmd_delete(const struct opts *o)
{
	struct p11 p = { 0 };
	struct objsel s;
	CK_OBJECT_HANDLE *hs = NULL;
	size_t n = 0;
	CK_RV rv;
	int ret = 1;

	if (!objsel_from_opts(&s, o, NULL, "delete"))
		return 1;
	if (o->type) {
		if (!uri_type_parse(o->type, &s.cls))
			die_usage("delete", "--type is private, public, cert, data or secret-key");
		s.has_class = true;
	}
	if (!p11_load(&p, o) || !p11_pick_slot(&p, o, s.uri.token) || !p11_open(&p, o, LOGIN_USER))
		goto out;
	rv = obj_find(&p, &s, &hs, &n);
	if (rv != CKR_OK) {
		report_rv(&p, "finding objects", rv, NULL);
		goto out;
	}
	if (n == 0) {
		errmsg("delete: no matching object in token '%s' (iotoken list shows the objects)",
		       p.token_label);
		goto out;
	}
	if (!o->yes && !pin_can_prompt()) {
		errmsg("delete: %zu object%s would be destroyed: confirm with --yes (stdin is not "
		       "a terminal)",
		       n, n == 1 ? "" : "s");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct objinfo oi;

		info_read(&p, hs[i], &oi);
		fprintf(o->yes ? stdout : stderr, "  %s '%s'%s%s\n", class_name(oi.cls),
			oi.label ? (const char *)oi.label : "", oi.uri ? " " : "",
			oi.uri ? oi.uri : "");
		info_free(&oi);
	}
	if (!o->yes && !confirm(n)) {
		errmsg("delete: nothing destroyed");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rv = p.f->C_DestroyObject(p.session, hs[i]);
		if (rv != CKR_OK) {
			report_rv(&p, "destroying an object", rv,
				  i ? "the objects listed before it were destroyed" : NULL);
			goto out;
		}
	}
	printf("Destroyed %zu object%s\n", n, n == 1 ? "" : "s");
	ret = 0;
out:
	free(hs);
	objsel_free(&s);
	p11_unload(&p);
	return ret;
}
