/*
 * How the helper's caller names the key and the certificate: an RFC 7512
 * pkcs11: URI or a plain label. Only the path attributes that select a
 * token or an object are taken (token, manufacturer, model, serial, object,
 * id, type); anything else, including the query attribute pin-value, is
 * refused rather than ignored, so that a URI never selects more than it
 * says and a PIN never rides in a URI. Values are percent-decoded into the
 * fixed buffers of struct tls_objspec (no allocation: devices).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

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

/* Percent-decodes s[0..n) into out (at most cap bytes). false: a bad
 * escape or too long. */
static bool decode(const char *s, size_t n, unsigned char *out, size_t cap, size_t *len)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return false;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (o == cap)
			return false;
		out[o++] = c;
	}
	*len = o;
	return true;
}

/* Decodes into a NUL-terminated text field of size cap (including the NUL);
 * an embedded NUL is refused. */
static bool decode_text(const char *s, size_t n, char *out, size_t cap)
{
	size_t len;

	if (!decode(s, n, (unsigned char *)out, cap - 1, &len) || memchr(out, 0, len) != NULL)
		return false;
	out[len] = '\0';
	return true;
}

static const struct {
	const char *name;
	CK_OBJECT_CLASS cls;
} types[] = {
	{ "private", CKO_PRIVATE_KEY },   { "public", CKO_PUBLIC_KEY },
	{ "cert", CKO_CERTIFICATE },      { "data", CKO_DATA },
	{ "secret-key", CKO_SECRET_KEY },
};

static bool parse_type(const char *s, size_t n, CK_OBJECT_CLASS *cls)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i].name) == n && memcmp(types[i].name, s, n) == 0) {
			*cls = types[i].cls;
			return true;
		}
	return false;
}

/* The path attributes taken, in the order of tls_objspec.seen. */
static const char *const attr_names[] = { "token",  "manufacturer", "model", "serial",
					  "object", "id",           "type" };

/* One "name=value" path attribute. */
static bool parse_attr(const char *a, size_t n, struct tls_objspec *spec, char *err, size_t errlen)
{
	const char *eq = memchr(a, '=', n);
	size_t klen, vlen;
	const char *v;
	bool ok;

	if (eq == NULL) {
		snprintf(err, errlen, "pkcs11: URI attribute without '=': %.*s", (int)n, a);
		return false;
	}
	klen = (size_t)(eq - a);
	v = eq + 1;
	vlen = n - klen - 1;
#define IS(name) (klen == strlen(name) && memcmp(a, name, klen) == 0)
	/* RFC 7512 section 2.3: an attribute appears at most once. */
	for (size_t i = 0; i < sizeof(spec->seen) / sizeof(spec->seen[0]); i++)
		if (IS(attr_names[i])) {
			if (spec->seen[i]) {
				snprintf(err, errlen, "pkcs11: URI attribute given twice: %.*s",
					 (int)klen, a);
				return false;
			}
			spec->seen[i] = true;
		}
	if (IS("token"))
		ok = decode_text(v, vlen, spec->token, sizeof(spec->token));
	else if (IS("manufacturer"))
		ok = decode_text(v, vlen, spec->manuf, sizeof(spec->manuf));
	else if (IS("model"))
		ok = decode_text(v, vlen, spec->model, sizeof(spec->model));
	else if (IS("serial"))
		ok = decode_text(v, vlen, spec->serial, sizeof(spec->serial));
	else if (IS("object"))
		ok = decode_text(v, vlen, spec->label, sizeof(spec->label));
	else if (IS("id"))
		ok = decode(v, vlen, spec->id, sizeof(spec->id), &spec->id_len) && spec->id_len > 0;
	else if (IS("type"))
		ok = spec->has_class = parse_type(v, vlen, &spec->cls);
	else {
		snprintf(err, errlen, "pkcs11: URI attribute not supported: %.*s", (int)klen, a);
		return false;
	}
#undef IS
	if (!ok)
		snprintf(err, errlen, "pkcs11: URI attribute with a bad or too long value: %.*s",
			 (int)n, a);
	return ok;
}

bool tls_objspec_parse(const char *text, struct tls_objspec *spec, char *err, size_t errlen)
{
	static const char scheme[] = "pkcs11:";
	const char *p, *end;

	memset(spec, 0, sizeof(*spec));
	if (text == NULL || text[0] == '\0') {
		snprintf(err, errlen, "empty object name");
		return false;
	}
	/* RFC 3986 section 3.1: the scheme is case-insensitive. */
	if (strncasecmp(text, scheme, sizeof(scheme) - 1) != 0) {
		if (strlen(text) >= sizeof(spec->label)) {
			snprintf(err, errlen, "label longer than %zu bytes",
				 sizeof(spec->label) - 1);
			return false;
		}
		strcpy(spec->label, text);
		return true;
	}
	p = text + sizeof(scheme) - 1;
	if (strchr(p, '?') != NULL) {
		snprintf(err, errlen,
			 "pkcs11: URI query attributes (such as pin-value) are refused");
		return false;
	}
	while (*p != '\0') {
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if (end > p && !parse_attr(p, (size_t)(end - p), spec, err, errlen))
			return false;
		p = *end == ';' ? end + 1 : end;
	}
	return true;
}
