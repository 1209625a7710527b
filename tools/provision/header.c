/*
 * FreeRTOS credentials headers (aws_clientcredential_keys.h): the PEM texts
 * are C string literals in two macros,
 *
 *   #define keyCLIENT_CERTIFICATE_PEM \
 *   "-----BEGIN CERTIFICATE-----\n" \
 *   "MIIC..." \
 *   "-----END CERTIFICATE-----\n"
 *
 * A small lexer finds the #define lines outside comments and string
 * literals, and concatenates and unescapes the adjacent literals of the
 * value as the C preprocessor and compiler would. NULL or "" mean absent.
 */
#include <stdlib.h>
#include <string.h>

#include "prov.h"

static const char key_macro[] = "keyCLIENT_PRIVATE_KEY_PEM";
static const char cert_macro[] = "keyCLIENT_CERTIFICATE_PEM";

typedef struct lexer {
	const char *p;
	const char *end;
} lexer;

/* Skips blanks, backslash-newline continuations and comments. Newlines are
 * skipped too when multiline is set: literals of one value that a header
 * writer split over lines without a continuation are still taken together
 * (the compiler would reject such a header anyway, so nothing else can
 * follow there). */
static void skip_space(lexer *lx, int multiline)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			lx->p++;
		} else if (c == '\n' && multiline) {
			lx->p++;
		} else if (c == '\\' && lx->end - lx->p >= 2 &&
			   (lx->p[1] == '\n' ||
			    (lx->p[1] == '\r' && lx->end - lx->p >= 3 && lx->p[2] == '\n'))) {
			lx->p += lx->p[1] == '\n' ? 2 : 3;
		} else if (c == '/' && lx->end - lx->p >= 2 && lx->p[1] == '*') {
			const char *close = NULL;
			const char *q;

			for (q = lx->p + 2; q + 1 < lx->end; q++) {
				if (q[0] == '*' && q[1] == '/') {
					close = q;
					break;
				}
			}
			lx->p = close != NULL ? close + 2 : lx->end;
		} else if (c == '/' && lx->end - lx->p >= 2 && lx->p[1] == '/') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else {
			return;
		}
	}
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

/* One literal starting at the quote; its unescaped bytes are appended to
 * out (room for the whole remaining input was allocated, and unescaping
 * only shrinks). */
static CK_RV literal(lexer *lx, char *out, size_t *n)
{
	lx->p++;
	while (lx->p < lx->end && *lx->p != '"') {
		int c = (unsigned char)*lx->p++;

		if (c == '\n')
			return CKR_ARGUMENTS_BAD;
		if (c == '\\') {
			if (lx->p >= lx->end)
				return CKR_ARGUMENTS_BAD;
			c = (unsigned char)*lx->p++;
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case '"':
			case '\\':
			case '\'':
			case '?':
				break;
			case '\n':
				continue; /* continuation inside a literal */
			case 'x': {
				int v = 0, d, digits = 0;

				while (lx->p < lx->end && (d = hexval(*lx->p)) >= 0 && digits < 2) {
					v = v * 16 + d;
					lx->p++;
					digits++;
				}
				if (digits == 0)
					return CKR_ARGUMENTS_BAD;
				c = v;
				break;
			}
			default:
				if (c >= '0' && c <= '7') {
					int v = c - '0', digits = 1;

					while (lx->p < lx->end && *lx->p >= '0' && *lx->p <= '7' &&
					       digits < 3) {
						v = v * 8 + (*lx->p++ - '0');
						digits++;
					}
					c = v;
				} else {
					return CKR_ARGUMENTS_BAD;
				}
			}
			/* PEM is text: a NUL would cut it short later. */
			if (c == 0 || c > 0xff)
				return CKR_ARGUMENTS_BAD;
		}
		out[(*n)++] = (char)c;
	}
	if (lx->p >= lx->end)
		return CKR_ARGUMENTS_BAD;
	lx->p++;
	return CKR_OK;
}

static int at_name(const lexer *lx, const char *name)
{
	size_t len = strlen(name);
	char next;

	if ((size_t)(lx->end - lx->p) < len || memcmp(lx->p, name, len) != 0)
		return 0;
	if ((size_t)(lx->end - lx->p) == len)
		return 1;
	next = lx->p[len];
	return !(next == '_' || (next >= '0' && next <= '9') || (next >= 'a' && next <= 'z') ||
		 (next >= 'A' && next <= 'Z'));
}

/* The value of a macro, just after its name: NULL (absent), or adjacent
 * literals concatenated. *out stays NULL when the value is empty. */
static CK_RV macro_value(lexer *lx, char **out)
{
	size_t n = 0, cap = (size_t)(lx->end - lx->p) + 1;
	char *buf;
	CK_RV rv = CKR_OK;
	int literals = 0;

	*out = NULL;
	skip_space(lx, 0);
	if (at_name(lx, "NULL"))
		return CKR_OK;
	buf = malloc(cap);
	if (buf == NULL)
		return CKR_HOST_MEMORY;
	for (;;) {
		const char *before = lx->p;

		/* Parentheses around the literals are harmless in C; allow them. */
		skip_space(lx, literals > 0);
		if (lx->p < lx->end && (*lx->p == '(' || *lx->p == ')')) {
			lx->p++;
			continue;
		}
		if (lx->p >= lx->end || *lx->p != '"') {
			/* Not ours: the next line is looked at by the caller. */
			lx->p = before;
			break;
		}
		rv = literal(lx, buf, &n);
		if (rv != CKR_OK)
			break;
		literals++;
	}
	if (rv == CKR_OK && literals == 0)
		rv = CKR_ARGUMENTS_BAD;
	if (rv != CKR_OK || n == 0) {
		prov_wipe_free(buf, cap);
		return rv;
	}
	buf[n] = '\0';
	*out = buf;
	return CKR_OK;
}

/* Skips to the end of the current line (honouring continuations), a string
 * or character literal at a time so quotes in code do not confuse us. */
static void skip_line(lexer *lx)
{
	while (lx->p < lx->end && *lx->p != '\n') {
		char c = *lx->p;

		if (c == '\\' && lx->end - lx->p >= 2) {
			lx->p += 2;
		} else if (c == '"' || c == '\'') {
			lx->p++;
			while (lx->p < lx->end && *lx->p != c && *lx->p != '\n') {
				if (*lx->p == '\\' && lx->end - lx->p >= 2)
					lx->p++;
				lx->p++;
			}
			if (lx->p < lx->end && *lx->p == c)
				lx->p++;
		} else if (c == '/' && lx->end - lx->p >= 2 &&
			   (lx->p[1] == '*' || lx->p[1] == '/')) {
			skip_space(lx, 0);
		} else {
			lx->p++;
		}
	}
}

CK_RV iot_prov_parse_header(const char *text, size_t len, char **key_pem, char **cert_pem)
{
	lexer lx;
	char *key = NULL, *cert = NULL;
	int seen_key = 0, seen_cert = 0;
	CK_RV rv = CKR_OK;

	if (key_pem != NULL)
		*key_pem = NULL;
	if (cert_pem != NULL)
		*cert_pem = NULL;
	if (text == NULL || key_pem == NULL || cert_pem == NULL)
		return CKR_ARGUMENTS_BAD;
	lx.p = text;
	lx.end = text + len;
	while (lx.p < lx.end && rv == CKR_OK) {
		/* At the start of a line: a directive? */
		skip_space(&lx, 1);
		if (lx.p >= lx.end)
			break;
		if (*lx.p != '#') {
			skip_line(&lx);
			continue;
		}
		lx.p++;
		skip_space(&lx, 0);
		if (!at_name(&lx, "define")) {
			skip_line(&lx);
			continue;
		}
		lx.p += 6;
		skip_space(&lx, 0);
		/* The first definition counts, as in the #ifndef/#define pattern. */
		if (at_name(&lx, key_macro) && !seen_key) {
			lx.p += sizeof(key_macro) - 1;
			seen_key = 1;
			rv = macro_value(&lx, &key);
		} else if (at_name(&lx, cert_macro) && !seen_cert) {
			lx.p += sizeof(cert_macro) - 1;
			seen_cert = 1;
			rv = macro_value(&lx, &cert);
		}
		skip_line(&lx);
	}
	if (rv == CKR_OK && key == NULL && cert == NULL)
		rv = CKR_ARGUMENTS_BAD;
	if (rv != CKR_OK) {
		iot_prov_free(key);
		iot_prov_free(cert);
		return rv;
	}
	*key_pem = key;
	*cert_pem = cert;
	return CKR_OK;
}
