/*
 * RFC 7512 pkcs11: URIs, the path attributes that name an object: token,
 * object, id and type. Values are percent-decoded. pin-value (a query
 * attribute) is refused on purpose: a PIN in a URI ends up in shell
 * histories and process lists; iotoken takes PINs from --pin, IOTOKEN_PIN
 * or a prompt. Other attributes are refused rather than ignored, so that a
 * URI never selects more than it says.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	CK_OBJECT_CLASS cls;
} types[] = {
	{ "private", CKO_PRIVATE_KEY },   { "public", CKO_PUBLIC_KEY },
	{ "cert", CKO_CERTIFICATE },      { "data", CKO_DATA },
	{ "secret-key", CKO_SECRET_KEY },
};

const char *uri_type_name(CK_OBJECT_CLASS cls)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].cls == cls)
			return types[i].name;
	return NULL;
}

bool uri_type_parse(const char *name, CK_OBJECT_CLASS *cls)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].name, name) == 0) {
			*cls = types[i].cls;
			return true;
		}
	return false;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into a malloc'ed buffer (NUL-terminated). */
static unsigned char *pct_decode(const char *s, size_t n, size_t *len)
{
	unsigned char *out = malloc(n + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n) {
				free(out);
				return NULL;
			}
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0) {
				free(out);
				return NULL;
			}
			out[o++] = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = (unsigned char)s[i];
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

bool uri_parse(const char *text, struct p11_uri *u, char *err, size_t errlen)
{
	const char *p, *end;

	memset(u, 0, sizeof(*u));
	if (strncmp(text, "pkcs11:", 7) != 0) {
		snprintf(err, errlen, "not a pkcs11: URI");
		return false;
	}
	p = text + 7;
	end = p + strcspn(p, "?");
	if (*end == '?') {
		if (strstr(end, "pin-value=")) {
			snprintf(err, errlen,
				 "pin-value in a URI is not accepted (give the PIN with --pin, "
				 "IOTOKEN_PIN or the prompt)");
			return false;
		}
		if (strstr(end, "pin-source=")) {
			snprintf(err, errlen, "pin-source in a URI is not supported");
			return false;
		}
		/* module-name/module-path: the module is chosen with --module. */
	}
	while (p < end) {
		size_t n = strcspn(p, ";?");
		const char *eq = memchr(p, '=', n);
		size_t klen, vlen;
		unsigned char *v;

		if (n == 0) {
			p++;
			continue;
		}
		if (!eq) {
			snprintf(err, errlen, "URI attribute without a value: %.*s", (int)n, p);
			goto bad;
		}
		klen = (size_t)(eq - p);
		v = pct_decode(eq + 1, n - klen - 1, &vlen);
		if (!v) {
			snprintf(err, errlen, "bad percent-encoding in the URI");
			goto bad;
		}
		if (klen == 5 && strncmp(p, "token", 5) == 0) {
			free(u->token);
			u->token = (char *)v;
		} else if (klen == 6 && strncmp(p, "object", 6) == 0) {
			free(u->object);
			u->object = (char *)v;
		} else if (klen == 2 && strncmp(p, "id", 2) == 0) {
			free(u->id);
			u->id = v;
			u->id_len = vlen;
			u->has_id = true;
		} else if (klen == 4 && strncmp(p, "type", 4) == 0) {
			bool ok = uri_type_parse((char *)v, &u->cls);

			free(v);
			if (!ok) {
				snprintf(err, errlen,
					 "unknown URI type (private, public, cert, data, "
					 "secret-key)");
				goto bad;
			}
			u->has_class = true;
		} else {
			free(v);
			snprintf(err, errlen,
				 "URI attribute '%.*s' is not supported (token, object, "
				 "id, type)",
				 (int)klen, p);
			goto bad;
		}
		p += n;
	}
	return true;
bad:
	uri_free(u);
	return false;
}

void uri_free(struct p11_uri *u)
{
	free(u->token);
	free(u->object);
	free(u->id);
	memset(u, 0, sizeof(*u));
}

/* RFC 3986 unreserved characters stay as they are; everything else is
 * percent-encoded (always valid, and what GnuTLS and OpenSSL parse). */
static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static void pct_append(char **w, const unsigned char *v, size_t n, bool all)
{
	static const char hx[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		if (!all && unreserved(v[i])) {
			*(*w)++ = (char)v[i];
		} else {
			*(*w)++ = '%';
			*(*w)++ = hx[v[i] >> 4];
			*(*w)++ = hx[v[i] & 15];
		}
	}
}

char *uri_format(const char *token, const char *label, const unsigned char *id, size_t id_len,
		 CK_OBJECT_CLASS cls)
{
	size_t tl = token ? strlen(token) : 0, ll = label ? strlen(label) : 0;
	const char *type = uri_type_name(cls);
	char *s, *w;

	if (tl > 4096 || ll > 4096 || id_len > 4096)
		return NULL;
	s = malloc(64 + 3 * (tl + ll + id_len));
	if (!s)
		return NULL;
	w = s;
	memcpy(w, "pkcs11:", 7);
	w += 7;
	if (token) {
		memcpy(w, "token=", 6);
		w += 6;
		pct_append(&w, (const unsigned char *)token, tl, false);
	}
	if (label) {
		if (token) {
			*w++ = ';';
		}
		memcpy(w, "object=", 7);
		w += 7;
		pct_append(&w, (const unsigned char *)label, ll, false);
	}
	if (id && id_len > 0) {
		if (token || label) {
			*w++ = ';';
		}
		memcpy(w, "id=", 3);
		w += 3;
		pct_append(&w, id, id_len, true);
	}
	if (type) {
		w += sprintf(w, "%stype=%s", w > s + 7 ? ";" : "", type);
	}
	*w = '\0';
	return s;
}
