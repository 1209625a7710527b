/*
 * The PKCS#11 side of the helper: which slot, the session and login, the
 * key and certificate objects, and the two calls the handshake needs
 * (C_Sign, C_GenerateRandom). Only the caller's CK_FUNCTION_LIST is used.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/common/ckr_name.h"
#include "internal.h"

void tls_errf(struct tls_err *e, const char *fmt, ...)
{
	va_list ap;

	if (e->buf == NULL || e->len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(e->buf, e->len, fmt, ap);
	va_end(ap);
}

/* A blank-padded CK_UTF8CHAR field equals text (which may be shorter). */
static bool padded_eq(const CK_UTF8CHAR *field, size_t size, const char *text)
{
	size_t n = strlen(text);

	if (n > size || memcmp(field, text, n) != 0)
		return false;
	for (size_t i = n; i < size; i++)
		if (field[i] != ' ')
			return false;
	return true;
}

/* The token named by label / spec (empty fields: any). */
static bool token_matches(const CK_TOKEN_INFO *ti, const char *label, const struct tls_objspec *s)
{
	return (label[0] == '\0' || padded_eq(ti->label, sizeof(ti->label), label)) &&
	       (s->manuf[0] == '\0' ||
		padded_eq(ti->manufacturerID, sizeof(ti->manufacturerID), s->manuf)) &&
	       (s->model[0] == '\0' || padded_eq(ti->model, sizeof(ti->model), s->model)) &&
	       (s->serial[0] == '\0' ||
		padded_eq(ti->serialNumber, sizeof(ti->serialNumber), s->serial));
}

static int pick_slot(struct tls_token *tok, const iot_tls_config *cfg, CK_SLOT_ID *slot,
		     struct tls_err *e)
{
	CK_FUNCTION_LIST_PTR f = tok->p11;
	struct tls_objspec spec, cspec;
	const char *label = cfg->token_label ? cfg->token_label : "";
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n = 0, found = 0;
	CK_RV rv;
	char msg[128];
	int ret = IOT_TLS_ERR_TOKEN;

	if (cfg->use_slot_id) {
		*slot = cfg->slot_id;
		return IOT_TLS_OK;
	}
	/* The token attributes of the key's URI, else of the certificate's. */
	memset(&spec, 0, sizeof(spec));
	if (cfg->key != NULL && !tls_objspec_parse(cfg->key, &spec, msg, sizeof(msg))) {
		tls_errf(e, "key: %s", msg);
		return IOT_TLS_ERR_ARGS;
	}
	if (cfg->cert != NULL && spec.token[0] == '\0' && spec.serial[0] == '\0') {
		if (!tls_objspec_parse(cfg->cert, &cspec, msg, sizeof(msg))) {
			tls_errf(e, "cert: %s", msg);
			return IOT_TLS_ERR_ARGS;
		}
		spec = cspec;
	}
	if (label[0] == '\0')
		label = spec.token;

	rv = f->C_GetSlotList(CK_TRUE, NULL, &n);
	if (rv == CKR_OK && n > 0) {
		slots = calloc(n, sizeof(*slots));
		if (slots == NULL) {
			tls_errf(e, "out of memory");
			return IOT_TLS_ERR_MEMORY;
		}
		rv = f->C_GetSlotList(CK_TRUE, slots, &n);
	}
	if (rv != CKR_OK) {
		tls_errf(e, "C_GetSlotList: %s", iot_ckr_name(rv));
		goto out;
	}
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;

		if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
		    !(ti.flags & CKF_TOKEN_INITIALIZED) || !token_matches(&ti, label, &spec))
			continue;
		if (found++ == 0)
			*slot = slots[i];
	}
	if (found == 1) {
		ret = IOT_TLS_OK;
	} else if (found == 0) {
		if (label[0] != '\0')
			tls_errf(e, "no token labelled \"%s\"", label);
		else
			tls_errf(e, "no initialized token present");
	} else {
		tls_errf(e, "%lu tokens match; name one (token label, slot id or a URI's token=)",
			 (unsigned long)found);
	}
out:
	free(slots);
	return ret;
}

int tls_token_open(struct tls_token *tok, const iot_tls_config *cfg, struct tls_err *e)
{
	CK_SLOT_ID slot = 0;
	CK_RV rv;
	int ret;

	tok->p11 = cfg->p11;
	ret = pick_slot(tok, cfg, &slot, e);
	if (ret != IOT_TLS_OK)
		return ret;
	rv = tok->p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &tok->session);
	if (rv != CKR_OK) {
		tls_errf(e, "C_OpenSession(slot %lu): %s", (unsigned long)slot, iot_ckr_name(rv));
		return IOT_TLS_ERR_TOKEN;
	}
	tok->open = true;
	if (cfg->pin == NULL)
		return IOT_TLS_OK;
	rv = tok->p11->C_Login(tok->session, CKU_USER, (CK_UTF8CHAR_PTR)cfg->pin,
			       (CK_ULONG)strlen(cfg->pin));
	switch (rv) {
	case CKR_OK:
	case CKR_USER_ALREADY_LOGGED_IN:
		return IOT_TLS_OK;
	case CKR_PIN_INCORRECT:
	case CKR_PIN_INVALID:
	case CKR_PIN_LEN_RANGE:
	case CKR_PIN_EXPIRED:
	case CKR_PIN_LOCKED:
	case CKR_USER_PIN_NOT_INITIALIZED:
		ret = IOT_TLS_ERR_PIN;
		break;
	default:
		ret = IOT_TLS_ERR_TOKEN;
	}
	tls_errf(e, "C_Login: %s", iot_ckr_name(rv));
	return ret;
}

/* Finds the objects of class cls that spec names: at most two handles, *n
 * how many (so 2 means "more than one"). */
static CK_RV find(struct tls_token *tok, CK_OBJECT_CLASS cls, const struct tls_objspec *spec,
		  CK_OBJECT_HANDLE found[2], CK_ULONG *n)
{
	CK_FUNCTION_LIST_PTR f = tok->p11;
	CK_CERTIFICATE_TYPE x509 = CKC_X_509;
	CK_ATTRIBUTE tmpl[4];
	CK_ULONG k = 0;
	CK_RV rv, rv2;

	tmpl[k++] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	if (cls == CKO_CERTIFICATE)
		tmpl[k++] = (CK_ATTRIBUTE){ CKA_CERTIFICATE_TYPE, &x509, sizeof(x509) };
	if (spec->label[0] != '\0')
		tmpl[k++] = (CK_ATTRIBUTE){ CKA_LABEL, (void *)spec->label, strlen(spec->label) };
	if (spec->id_len > 0)
		tmpl[k++] = (CK_ATTRIBUTE){ CKA_ID, (void *)spec->id, spec->id_len };
	rv = f->C_FindObjectsInit(tok->session, tmpl, k);
	if (rv != CKR_OK)
		return rv;
	rv = f->C_FindObjects(tok->session, found, 2, n);
	rv2 = f->C_FindObjectsFinal(tok->session);
	return rv != CKR_OK ? rv : rv2;
}

CK_RV tls_token_attr(struct tls_token *tok, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
		     unsigned char **val, size_t *len)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_RV rv;

	*val = NULL;
	*len = 0;
	rv = tok->p11->C_GetAttributeValue(tok->session, obj, &a, 1);
	if (rv != CKR_OK)
		return rv;
	if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return CKR_ATTRIBUTE_SENSITIVE;
	/* One byte more so that an empty value is still a valid pointer. */
	a.pValue = malloc(a.ulValueLen + 1);
	if (a.pValue == NULL)
		return CKR_HOST_MEMORY;
	rv = tok->p11->C_GetAttributeValue(tok->session, obj, &a, 1);
	if (rv != CKR_OK) {
		free(a.pValue);
		return rv;
	}
	*val = a.pValue;
	*len = a.ulValueLen;
	return CKR_OK;
}

/* A CK_ULONG or CK_BBOOL attribute. */
static CK_RV attr_fixed(struct tls_token *tok, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
			void *val, CK_ULONG len)
{
	CK_ATTRIBUTE a = { type, val, len };

	return tok->p11->C_GetAttributeValue(tok->session, obj, &a, 1);
}

static int find_key(struct tls_token *tok, const char *name, struct tls_err *e)
{
	struct tls_objspec spec;
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n = 0;
	CK_BBOOL can_sign = CK_FALSE;
	CK_RV rv;
	char msg[128];

	if (!tls_objspec_parse(name, &spec, msg, sizeof(msg))) {
		tls_errf(e, "key: %s", msg);
		return IOT_TLS_ERR_ARGS;
	}
	if (spec.has_class && spec.cls != CKO_PRIVATE_KEY) {
		tls_errf(e, "key: the URI names an object that is not a private key");
		return IOT_TLS_ERR_ARGS;
	}
	rv = find(tok, CKO_PRIVATE_KEY, &spec, h, &n);
	if (rv != CKR_OK) {
		tls_errf(e, "finding the private key: %s", iot_ckr_name(rv));
		return IOT_TLS_ERR_TOKEN;
	}
	if (n != 1) {
		tls_errf(e,
			 n == 0 ? "no private key \"%s\" in the token (is the PIN given?)"
				: "more than one private key matches \"%s\"; name it by id",
			 name);
		return IOT_TLS_ERR_KEY;
	}
	tok->key = h[0];
	rv = attr_fixed(tok, tok->key, CKA_KEY_TYPE, &tok->key_type, sizeof(tok->key_type));
	if (rv == CKR_OK)
		rv = attr_fixed(tok, tok->key, CKA_SIGN, &can_sign, sizeof(can_sign));
	if (rv != CKR_OK) {
		tls_errf(e, "reading the private key's attributes: %s", iot_ckr_name(rv));
		return IOT_TLS_ERR_TOKEN;
	}
	if (tok->key_type != CKK_EC && tok->key_type != CKK_RSA) {
		tls_errf(e, "private key \"%s\" is neither EC nor RSA", name);
		return IOT_TLS_ERR_KEY;
	}
	if (!can_sign) {
		tls_errf(e, "private key \"%s\" may not sign (CKA_SIGN is false)", name);
		return IOT_TLS_ERR_KEY;
	}
	return IOT_TLS_OK;
}

static int find_cert(struct tls_token *tok, const char *name, struct tls_err *e)
{
	struct tls_objspec spec;
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n = 0;
	unsigned char *id = NULL;
	size_t id_len = 0;
	CK_RV rv;
	char msg[128];

	if (name != NULL) {
		if (!tls_objspec_parse(name, &spec, msg, sizeof(msg))) {
			tls_errf(e, "cert: %s", msg);
			return IOT_TLS_ERR_ARGS;
		}
		if (spec.has_class && spec.cls != CKO_CERTIFICATE) {
			tls_errf(e, "cert: the URI names an object that is not a certificate");
			return IOT_TLS_ERR_ARGS;
		}
	} else {
		/* The certificate beside the key: the same CKA_ID. */
		memset(&spec, 0, sizeof(spec));
		rv = tls_token_attr(tok, tok->key, CKA_ID, &id, &id_len);
		if (rv != CKR_OK || id_len == 0 || id_len > sizeof(spec.id)) {
			free(id);
			tls_errf(e, "the private key has no usable CKA_ID; name the certificate");
			return IOT_TLS_ERR_CERT;
		}
		memcpy(spec.id, id, id_len);
		spec.id_len = id_len;
		free(id);
		name = "with the key's CKA_ID";
	}
	rv = find(tok, CKO_CERTIFICATE, &spec, h, &n);
	if (rv != CKR_OK) {
		tls_errf(e, "finding the certificate: %s", iot_ckr_name(rv));
		return IOT_TLS_ERR_TOKEN;
	}
	if (n != 1) {
		tls_errf(e,
			 n == 0 ? "no X.509 certificate %s%s%s in the token"
				: "more than one certificate matches %s%s%s; name it by id",
			 spec.label[0] || spec.id_len ? "\"" : "", name,
			 spec.label[0] || spec.id_len ? "\"" : "");
		return IOT_TLS_ERR_CERT;
	}
	rv = tls_token_attr(tok, h[0], CKA_VALUE, &tok->cert_der, &tok->cert_len);
	if (rv != CKR_OK || tok->cert_len == 0) {
		tls_errf(e, "reading the certificate's CKA_VALUE: %s", iot_ckr_name(rv));
		return IOT_TLS_ERR_CERT;
	}
	return IOT_TLS_OK;
}

int tls_token_find(struct tls_token *tok, const iot_tls_config *cfg, struct tls_err *e)
{
	int ret = find_key(tok, cfg->key, e);

	if (ret == IOT_TLS_OK)
		ret = find_cert(tok, cfg->cert, e);
	return ret;
}

CK_RV tls_token_sign(struct tls_token *tok, CK_MECHANISM_TYPE mech, const unsigned char *in,
		     size_t in_len, unsigned char *sig, size_t *sig_len)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	CK_ULONG n = (CK_ULONG)*sig_len;
	CK_RV rv;

	rv = tok->p11->C_SignInit(tok->session, &m, tok->key);
	if (rv != CKR_OK)
		return rv;
	rv = tok->p11->C_Sign(tok->session, (CK_BYTE_PTR)in, (CK_ULONG)in_len, sig, &n);
	/* Buffers here are sized for the largest signature of the key type;
	 * CKR_BUFFER_TOO_SMALL would leave the operation active (v2.40 section
	 * 5.2), which matters not: a handshake signs once, and the session is
	 * the connection's own. */
	if (rv == CKR_OK)
		*sig_len = n;
	return rv;
}

CK_RV tls_token_random(struct tls_token *tok, unsigned char *buf, size_t len)
{
	return tok->p11->C_GenerateRandom(tok->session, buf, (CK_ULONG)len);
}

void tls_token_close(struct tls_token *tok)
{
	if (tok->open)
		tok->p11->C_CloseSession(tok->session);
	tok->open = false;
	free(tok->cert_der);
	tok->cert_der = NULL;
	tok->cert_len = 0;
}
