/*
 * iot_prov_import and iot_prov_import_cert: the caller's key pair and
 * certificate become three token objects sharing one CKA_ID.
 *
 * Order matters for "nothing half-imported": everything that can be refused
 * without touching the token (parsing, the passphrase, the certificate
 * matching the key) is checked first; then the objects are created one by
 * one and, if one fails, the ones already created are destroyed.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "prov.h"

static CK_BBOOL yes = CK_TRUE;
static CK_BBOOL no = CK_FALSE;

/* A template under construction; values point into the caller's buffers. */
typedef struct tmpl {
	CK_ATTRIBUTE a[24];
	CK_ULONG n;
} tmpl;

static void add(tmpl *t, CK_ATTRIBUTE_TYPE type, const void *p, size_t len)
{
	/* The templates below are fixed and shorter than the array. */
	if (t->n < sizeof(t->a) / sizeof(t->a[0])) {
		t->a[t->n].type = type;
		t->a[t->n].pValue = (void *)p;
		t->a[t->n].ulValueLen = (CK_ULONG)len;
		t->n++;
	}
}

/* The attributes every private and public key of an identity carries. */
static void key_common(tmpl *t, CK_OBJECT_CLASS *cls, CK_KEY_TYPE *kt, const char *label,
		       const unsigned char *id, size_t id_len)
{
	add(t, CKA_CLASS, cls, sizeof(*cls));
	add(t, CKA_KEY_TYPE, kt, sizeof(*kt));
	add(t, CKA_TOKEN, &yes, sizeof(yes));
	add(t, CKA_LABEL, label, strlen(label));
	add(t, CKA_ID, id, id_len);
}

CK_RV prov_store_cert(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, X509 *cert, const char *label,
		      const unsigned char *id, size_t id_len, CK_OBJECT_HANDLE *obj)
{
	static CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	static CK_CERTIFICATE_TYPE ctype = CKC_X_509;
	unsigned char *der = NULL, *subject = NULL, *issuer = NULL, *serial = NULL;
	int der_len, subject_len, issuer_len, serial_len;
	tmpl t = { .n = 0 };
	CK_RV rv = CKR_HOST_MEMORY;

	*obj = CK_INVALID_HANDLE;
	der_len = i2d_X509(cert, &der);
	subject_len = i2d_X509_NAME(X509_get_subject_name(cert), &subject);
	issuer_len = i2d_X509_NAME(X509_get_issuer_name(cert), &issuer);
	/* CKA_SERIAL_NUMBER (v2.40 4.6.3): "DER-encoding of the certificate
	 * serial number", the whole INTEGER. */
	serial_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &serial);
	if (der_len <= 0 || subject_len <= 0 || issuer_len <= 0 || serial_len <= 0)
		goto end;
	add(&t, CKA_CLASS, &cls, sizeof(cls));
	add(&t, CKA_CERTIFICATE_TYPE, &ctype, sizeof(ctype));
	add(&t, CKA_TOKEN, &yes, sizeof(yes));
	add(&t, CKA_PRIVATE, &no, sizeof(no));
	add(&t, CKA_LABEL, label, strlen(label));
	add(&t, CKA_ID, id, id_len);
	add(&t, CKA_VALUE, der, (size_t)der_len);
	add(&t, CKA_SUBJECT, subject, (size_t)subject_len);
	add(&t, CKA_ISSUER, issuer, (size_t)issuer_len);
	add(&t, CKA_SERIAL_NUMBER, serial, (size_t)serial_len);
	rv = p11->C_CreateObject(s, t.a, t.n, obj);
end:
	OPENSSL_free(der);
	OPENSSL_free(subject);
	OPENSSL_free(issuer);
	OPENSSL_free(serial);
	return rv;
}

/* The RSA parts PKCS#11 names (v2.40 2.1.3), in OpenSSL's names. The CRT
 * parts are optional in a key file; the token derives them if missing. */
static const struct {
	CK_ATTRIBUTE_TYPE type;
	const char *param;
	int required;
} rsa_parts[] = {
	{ CKA_MODULUS, OSSL_PKEY_PARAM_RSA_N, 1 },
	{ CKA_PUBLIC_EXPONENT, OSSL_PKEY_PARAM_RSA_E, 1 },
	{ CKA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D, 1 },
	{ CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1, 0 },
	{ CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2, 0 },
	{ CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1, 0 },
	{ CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2, 0 },
	{ CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0 },
};
#define NRSA (sizeof(rsa_parts) / sizeof(rsa_parts[0]))

/* The material of both key objects, taken out of the EVP_PKEY. Private
 * parts are wiped in material_free. */
typedef struct material {
	CK_KEY_TYPE type;
	unsigned char *part[NRSA];
	size_t part_len[NRSA];
	unsigned char *ec_params, *point, *point_der, *scalar;
	size_t params_len, point_len, point_der_len, scalar_len;
} material;

static void material_free(material *m)
{
	size_t i;

	for (i = 0; i < NRSA; i++)
		prov_wipe_free(m->part[i], m->part_len[i]);
	free(m->ec_params);
	free(m->point);
	free(m->point_der);
	prov_wipe_free(m->scalar, m->scalar_len);
}

static CK_RV material_get(const EVP_PKEY *pkey, material *m)
{
	ASN1_OCTET_STRING *os;
	unsigned char *der = NULL;
	int n;
	size_t i;
	CK_RV rv;

	memset(m, 0, sizeof(*m));
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		m->type = CKK_RSA;
		for (i = 0; i < NRSA; i++) {
			rv = prov_bn_param(pkey, rsa_parts[i].param, 0, &m->part[i],
					   &m->part_len[i]);
			if (rv != CKR_OK && rsa_parts[i].required)
				return rv;
		}
		return CKR_OK;
	}
	m->type = CKK_EC;
	rv = prov_ec_params(pkey, &m->ec_params, &m->params_len);
	if (rv == CKR_OK)
		rv = prov_ec_point(pkey, &m->point, &m->point_len);
	if (rv == CKR_OK)
		/* The scalar is as long as the field (v2.40 2.3.4: "ANSI X9.62
		 * private value d"; fixed length avoids leaking its size). */
		rv = prov_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, (m->point_len - 1) / 2,
				   &m->scalar, &m->scalar_len);
	if (rv != CKR_OK)
		return rv;
	/* CKA_EC_POINT (v2.40 2.3.3): "DER-encoding of ANSI X9.62 ECPoint
	 * value Q", an OCTET STRING around the point. */
	os = ASN1_OCTET_STRING_new();
	if (os == NULL || !ASN1_OCTET_STRING_set(os, m->point, (int)m->point_len) ||
	    (n = i2d_ASN1_OCTET_STRING(os, &der)) <= 0) {
		ASN1_OCTET_STRING_free(os);
		return CKR_HOST_MEMORY;
	}
	ASN1_OCTET_STRING_free(os);
	m->point_der = malloc((size_t)n);
	if (m->point_der == NULL) {
		OPENSSL_free(der);
		return CKR_HOST_MEMORY;
	}
	memcpy(m->point_der, der, (size_t)n);
	m->point_der_len = (size_t)n;
	OPENSSL_free(der);
	return CKR_OK;
}

static CK_RV store_keys(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, const material *m,
			const char *label, const unsigned char *id, CK_OBJECT_HANDLE objs[2])
{
	CK_OBJECT_CLASS priv_cls = CKO_PRIVATE_KEY, pub_cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = m->type;
	tmpl priv = { .n = 0 }, pub = { .n = 0 };
	size_t i;
	CK_RV rv;

	/* The key never leaves the token again and only signs. */
	key_common(&priv, &priv_cls, &kt, label, id, PROV_ID_LEN);
	add(&priv, CKA_PRIVATE, &yes, sizeof(yes));
	add(&priv, CKA_SENSITIVE, &yes, sizeof(yes));
	add(&priv, CKA_EXTRACTABLE, &no, sizeof(no));
	add(&priv, CKA_SIGN, &yes, sizeof(yes));
	key_common(&pub, &pub_cls, &kt, label, id, PROV_ID_LEN);
	add(&pub, CKA_PRIVATE, &no, sizeof(no));
	add(&pub, CKA_VERIFY, &yes, sizeof(yes));
	if (m->type == CKK_EC) {
		add(&priv, CKA_EC_PARAMS, m->ec_params, m->params_len);
		add(&priv, CKA_VALUE, m->scalar, m->scalar_len);
		add(&pub, CKA_EC_PARAMS, m->ec_params, m->params_len);
		add(&pub, CKA_EC_POINT, m->point_der, m->point_der_len);
	} else {
		for (i = 0; i < NRSA; i++) {
			if (m->part[i] != NULL)
				add(&priv, rsa_parts[i].type, m->part[i], m->part_len[i]);
		}
		add(&pub, CKA_MODULUS, m->part[0], m->part_len[0]);
		add(&pub, CKA_PUBLIC_EXPONENT, m->part[1], m->part_len[1]);
	}
	rv = p11->C_CreateObject(s, priv.a, priv.n, &objs[0]);
	if (rv == CKR_OK)
		rv = p11->C_CreateObject(s, pub.a, pub.n, &objs[1]);
	return rv;
}

CK_RV iot_prov_import(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, const void *key,
		      size_t key_len, const char *passphrase, const void *cert, size_t cert_len,
		      const iot_prov_labels *labels, unsigned char **id, size_t *id_len)
{
	CK_OBJECT_HANDLE objs[3] = { CK_INVALID_HANDLE, CK_INVALID_HANDLE, CK_INVALID_HANDLE };
	unsigned char kid[PROV_ID_LEN];
	EVP_PKEY *pkey = NULL;
	X509 *x509 = NULL;
	material m;
	CK_RV rv;

	memset(&m, 0, sizeof(m));
	if (id != NULL)
		*id = NULL;
	if (id_len != NULL)
		*id_len = 0;
	if (p11 == NULL || key == NULL || labels == NULL || labels->key_label == NULL ||
	    (id != NULL && id_len == NULL))
		return CKR_ARGUMENTS_BAD;
	rv = prov_parse_key(key, key_len, passphrase, &pkey);
	if (rv == CKR_OK && cert != NULL)
		rv = prov_parse_cert(cert, cert_len, &x509);
	/* Before anything is written: a certificate for another key would make
	 * a device that cannot authenticate. */
	if (rv == CKR_OK && x509 != NULL && EVP_PKEY_eq(X509_get0_pubkey(x509), pkey) != 1)
		rv = CKR_TEMPLATE_INCONSISTENT;
	if (rv == CKR_OK)
		rv = prov_key_id(pkey, kid);
	if (rv == CKR_OK)
		rv = material_get(pkey, &m);
	if (rv == CKR_OK)
		rv = store_keys(p11, session, &m, labels->key_label, kid, objs);
	if (rv == CKR_OK && x509 != NULL)
		rv = prov_store_cert(p11, session, x509,
				     labels->cert_label ? labels->cert_label : labels->key_label,
				     kid, sizeof(kid), &objs[2]);
	if (rv == CKR_OK && id != NULL) {
		*id = malloc(sizeof(kid));
		if (*id == NULL)
			rv = CKR_HOST_MEMORY;
		else
			memcpy(*id, kid, sizeof(kid));
		*id_len = sizeof(kid);
	}
	if (rv != CKR_OK) {
		prov_destroy(p11, session, objs, 3);
		if (id_len != NULL)
			*id_len = 0;
	}
	material_free(&m);
	EVP_PKEY_free(pkey);
	X509_free(x509);
	return rv;
}

CK_RV iot_prov_import_cert(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, const void *cert,
			   size_t cert_len, const char *cert_label)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	unsigned char kid[PROV_ID_LEN];
	CK_ATTRIBUTE t[2] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, kid, sizeof(kid) },
	};
	CK_OBJECT_HANDLE key = CK_INVALID_HANDLE, obj;
	unsigned char *label = NULL;
	CK_ULONG n = 0, label_len = 0;
	EVP_PKEY *tokpub = NULL;
	X509 *x509 = NULL;
	CK_RV rv;

	if (p11 == NULL || cert == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = prov_parse_cert(cert, cert_len, &x509);
	if (rv == CKR_OK)
		rv = prov_key_id(X509_get0_pubkey(x509), kid);
	if (rv == CKR_OK)
		rv = prov_find(p11, session, t, 2, &key, 1, &n);
	if (rv == CKR_OK && n == 0)
		rv = CKR_KEY_HANDLE_INVALID;
	/* The CKA_ID says which key it should be; the key's public key says
	 * whether it is (another tool may have used the same id). */
	if (rv == CKR_OK)
		rv = prov_token_pubkey(p11, session, key, &tokpub);
	if (rv == CKR_OK && EVP_PKEY_eq(X509_get0_pubkey(x509), tokpub) != 1)
		rv = CKR_KEY_HANDLE_INVALID;
	/* Without a label of its own the certificate takes the key's, so the
	 * identity is found under one name. */
	if (rv == CKR_OK && cert_label == NULL) {
		rv = prov_get_attr(p11, session, key, CKA_LABEL, &label, &label_len);
		if (rv == CKR_OK) {
			char *l = realloc(label, label_len + 1);

			if (l == NULL) {
				rv = CKR_HOST_MEMORY;
			} else {
				l[label_len] = '\0';
				label = (unsigned char *)l;
			}
		}
	}
	if (rv == CKR_OK)
		rv = prov_store_cert(p11, session, x509,
				     cert_label != NULL ? cert_label : (const char *)label, kid,
				     sizeof(kid), &obj);
	free(label);
	EVP_PKEY_free(tokpub);
	X509_free(x509);
	return rv;
}
