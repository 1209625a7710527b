/*
 * Subject names given as text, in either of the two forms people type:
 *   OpenSSL's "/C=GB/O=Example/CN=device-1" (RDNs in DN order, '\'
 *     escapes the next character; '+' is literal, as in `openssl req -subj`
 *     without -multivalue-rdn);
 *   RFC 4514 "CN=device-1,O=Example,C=GB" (',' or ';' between RDNs, '+'
 *     inside one, '\' escaping a special character or two hex digits).
 * RFC 4514 2.1 writes the RDNs "starting with the last element of the
 * sequence and moving backwards toward the first", so its RDNs are added
 * in reverse: both examples above give the same name.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "prov.h"

#define MAX_AVAS 64

typedef struct ava {
	char *type;
	char *val;
	size_t value_len;
	int joined; /* '+': same RDN as the previous one */
} ava;

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

/* Splits s into AVAs; fields are unescaped copies inside buf (as long as
 * s). Returns the number of AVAs, or -1 if s is malformed. */
static int split(const char *s, int rfc4514, char *buf, ava *avas)
{
	const char *p = s;
	char *o = buf;
	int n = 0, joined = 0;

	if (!rfc4514)
		p++; /* the leading '/' */
	while (*p != '\0') {
		char *start;
		char *trim;

		if (n == MAX_AVAS)
			return -1;
		avas[n].joined = joined;
		/* The type, up to '='. */
		while (*p == ' ')
			p++;
		avas[n].type = o;
		while (*p != '\0' && *p != '=' && *p != ',' && *p != '/' && *p != '+')
			*o++ = *p++;
		while (o > avas[n].type && o[-1] == ' ')
			o--;
		if (*p != '=' || o == avas[n].type)
			return -1;
		*o++ = '\0';
		p++;
		/* The value, up to an unescaped separator. */
		while (rfc4514 && *p == ' ')
			p++;
		if (rfc4514 && *p == '#')
			return -1; /* BER-encoded values: not for a CSR subject */
		start = o;
		trim = o;
		while (*p != '\0') {
			char c = *p;

			if (c == '\\') {
				int h1 = hexval(p[1]), h2 = h1 >= 0 ? hexval(p[2]) : -1;

				if (p[1] == '\0')
					return -1;
				if (rfc4514 && h1 >= 0 && h2 >= 0) {
					*o++ = (char)(h1 * 16 + h2);
					p += 3;
				} else {
					*o++ = p[1];
					p += 2;
				}
				trim = o; /* escaped spaces are kept */
				continue;
			}
			if (rfc4514 ? (c == '+' || c == ',' || c == ';') : c == '/')
				break;
			*o++ = c;
			p++;
			if (c != ' ' || !rfc4514)
				trim = o;
		}
		/* RFC 4514 ignores unescaped trailing spaces. */
		o = trim;
		avas[n].val = start;
		avas[n].value_len = (size_t)(o - start);
		*o++ = '\0';
		n++;
		joined = *p == '+';
		if (*p != '\0') {
			p++;
			if (*p == '\0')
				return -1; /* a trailing separator */
		}
	}
	return n;
}

static int add_ava(X509_NAME *name, const ava *a, int set)
{
	return X509_NAME_add_entry_by_txt(name, a->type, MBSTRING_UTF8,
					  (const unsigned char *)a->val, (int)a->value_len, -1,
					  set);
}

CK_RV prov_parse_subject(const char *subject, X509_NAME **out)
{
	ava avas[MAX_AVAS];
	X509_NAME *name;
	char *buf;
	int n, i, rfc4514, ok = 1;

	*out = NULL;
	if (subject == NULL || *subject == '\0' || strcmp(subject, "/") == 0)
		return CKR_ARGUMENTS_BAD;
	rfc4514 = subject[0] != '/';
	buf = malloc(strlen(subject) + 1);
	if (buf == NULL)
		return CKR_HOST_MEMORY;
	n = split(subject, rfc4514, buf, avas);
	name = X509_NAME_new();
	if (n <= 0 || name == NULL) {
		free(buf);
		X509_NAME_free(name);
		return n <= 0 ? CKR_ARGUMENTS_BAD : CKR_HOST_MEMORY;
	}
	if (!rfc4514) {
		/* set -1 adds to the last RDN, 0 starts a new one at the end. */
		for (i = 0; i < n && ok; i++)
			ok = add_ava(name, &avas[i], avas[i].joined ? -1 : 0);
	} else {
		/* RDN groups from the last to the first. */
		int end = n;

		while (end > 0 && ok) {
			int start = end - 1;

			while (start > 0 && avas[start].joined)
				start--;
			for (i = start; i < end && ok; i++)
				ok = add_ava(name, &avas[i], i == start ? 0 : -1);
			end = start;
		}
	}
	free(buf);
	ERR_clear_error();
	if (!ok) {
		/* An unknown attribute type, or a val its type does not allow
		 * (a three-letter country). */
		X509_NAME_free(name);
		return CKR_ARGUMENTS_BAD;
	}
	*out = name;
	return CKR_OK;
}
