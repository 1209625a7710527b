/*
 * Test-vector helpers shared by the unit tests (header only: each unit test
 * is one source file). Wycheproof JSON through json-c, NIST CAVP .rsp
 * files through a small line reader, hex, hashing, keys from hex.
 *
 * Wycheproof: $IOTOKEN_VECTORS/wycheproof, else <repo>/../shared/vectors/
 * wycheproof found from this file's path. CAVP: $IOTOKEN_CAVP, else the
 * folder of Debian's python3-cryptography-vectors. A missing file fails the
 * test: vectors that silently do not run prove nothing.
 *
 * Include after <cmocka.h> and "crypto/crypto.h".
 */
#ifndef IOTOKEN_TEST_VECTORS_H
#define IOTOKEN_TEST_VECTORS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define VEC_CAVP_DEFAULT "/usr/lib/python3/dist-packages/cryptography_vectors"

static inline char *vec_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);

	assert_non_null(p);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* <repo>/../shared/vectors, from this header's own path
 * (<repo>/tests/unit/vectors.h). */
static inline char *vec_root(void)
{
	const char *env = getenv("IOTOKEN_VECTORS");
	const char *tail = "tests/unit/vectors.h";
	const char *file = __FILE__;
	size_t n = strlen(file), t = strlen(tail);
	char *p;

	if (env != NULL && env[0] != '\0') {
		p = strdup(env);
		assert_non_null(p);
		return p;
	}
	if (n < t || strcmp(file + n - t, tail) != 0)
		fail_msg("cannot find the vectors from %s: set IOTOKEN_VECTORS", file);
	p = malloc(n - t + sizeof("../shared/vectors"));
	assert_non_null(p);
	memcpy(p, file, n - t);
	strcpy(p + n - t, "../shared/vectors");
	return p;
}

static inline json_object *vec_wycheproof(const char *name)
{
	char *root = vec_root(), *dir = vec_join(root, "wycheproof"), *path = vec_join(dir, name);
	json_object *o = json_object_from_file(path);

	if (o == NULL)
		fail_msg("missing or unreadable test vectors: %s", path);
	free(path);
	free(dir);
	free(root);
	return o;
}

static inline json_object *vec_get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("vector field missing: %s", key);
	return v;
}

static inline const char *vec_str(json_object *o, const char *key)
{
	return json_object_get_string(vec_get(o, key));
}

static inline int vec_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	fail_msg("not hex: %c", c);
	return 0;
}

/* Hex to a new malloc buffer (never NULL, even for ""); returns the byte
 * count. */
static inline size_t vec_unhex(const char *hex, uint8_t **out)
{
	size_t n = strlen(hex), i;

	if (n % 2 != 0)
		fail_msg("odd hex length %zu", n);
	*out = malloc(n / 2 + 1);
	assert_non_null(*out);
	for (i = 0; i < n / 2; i++)
		(*out)[i] = (uint8_t)(vec_hexval(hex[2 * i]) << 4 | vec_hexval(hex[2 * i + 1]));
	return n / 2;
}

/* Hex right-aligned in exactly len bytes (CAVP drops leading zeros, even
 * half bytes: P-521 values have an odd number of digits); 0 when the value
 * does not fit. */
static inline int vec_unhex_fit(const char *hex, uint8_t *out, size_t len)
{
	size_t digits = strlen(hex), n, skip = 0;
	char *even = malloc(digits + 2);
	uint8_t *b;
	int fits;

	assert_non_null(even);
	snprintf(even, digits + 2, "%s%s", digits % 2 ? "0" : "", hex);
	n = vec_unhex(even, &b);
	free(even);
	while (n - skip > len && b[skip] == 0)
		skip++;
	fits = n - skip <= len;
	if (fits) {
		memset(out, 0, len - (n - skip));
		memcpy(out + len - (n - skip), b + skip, n - skip);
	}
	free(b);
	return fits;
}

static inline void vec_unhex_pad(const char *hex, uint8_t *out, size_t len)
{
	if (!vec_unhex_fit(hex, out, len))
		fail_msg("value longer than %zu bytes: %s", len, hex);
}

static inline void vec_hash(enum crypto_hash h, const uint8_t *m, size_t n, uint8_t *out)
{
	crypto_digest *d = NULL;

	assert_int_equal(crypto_digest_new(h, &d), CKR_OK);
	assert_int_equal(crypto_digest_update(d, m, n), CKR_OK);
	assert_int_equal(crypto_digest_final(d, out), CKR_OK);
	crypto_digest_free(d);
}

/* "SHA-256" (Wycheproof), "SHA256" or "SHA-256" (CAVP) to the enum. */
static inline enum crypto_hash vec_hash_named(const char *name)
{
	static const char *const names[HASH_COUNT] = { "1", "224", "256", "384", "512" };
	int i;

	if (strncmp(name, "SHA", 3) != 0)
		fail_msg("unknown hash %s", name);
	name += name[3] == '-' ? 4 : 3;
	for (i = 0; i < HASH_COUNT; i++)
		if (strcmp(name, names[i]) == 0)
			return (enum crypto_hash)i;
	fail_msg("unknown hash %s", name);
	return HASH_COUNT;
}

/* ---- NIST CAVP .rsp files ----
 * "[section]" lines, then records of "key = value" lines separated by
 * blank lines; '#' starts a comment. */

#define RSP_MAX_KV 16

struct rsp {
	FILE *f;
	char *path;
	char section[128];
	int n;
	char key[RSP_MAX_KV][32];
	char *val[RSP_MAX_KV];
	char *line;
	size_t cap;
};

static inline void rsp_open(struct rsp *r, const char *rel)
{
	const char *env = getenv("IOTOKEN_CAVP");

	memset(r, 0, sizeof(*r));
	r->path = vec_join(env != NULL && env[0] != '\0' ? env : VEC_CAVP_DEFAULT, rel);
	r->f = fopen(r->path, "r");
	if (r->f == NULL)
		fail_msg("missing CAVP vectors %s (apt-get install python3-cryptography-vectors, "
			 "or set IOTOKEN_CAVP)",
			 r->path);
}

static inline void rsp_clear(struct rsp *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		free(r->val[i]);
	r->n = 0;
}

static inline void rsp_close(struct rsp *r)
{
	rsp_clear(r);
	free(r->line);
	free(r->path);
	fclose(r->f);
}

static inline void rsp_trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* The next record (1), or 0 at the end of the file. r->section is the last
 * section header seen before the record. */
static inline int rsp_next(struct rsp *r)
{
	rsp_clear(r);
	while (getline(&r->line, &r->cap, r->f) != -1) {
		char *s = r->line, *eq;

		rsp_trim(s);
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#')
			continue;
		if (*s == '\0') {
			if (r->n > 0)
				return 1;
			continue;
		}
		if (*s == '[') {
			snprintf(r->section, sizeof(r->section), "%s", s);
			continue;
		}
		eq = strstr(s, " = ");
		if (eq == NULL) {
			eq = strchr(s, '=');
			if (eq == NULL)
				continue;
		}
		if (r->n == RSP_MAX_KV)
			fail_msg("record too long in %s", r->path);
		snprintf(r->key[r->n], sizeof(r->key[0]), "%.*s", (int)(eq - s), s);
		rsp_trim(r->key[r->n]);
		eq = strchr(eq, '=') + 1;
		while (*eq == ' ')
			eq++;
		r->val[r->n] = strdup(eq);
		assert_non_null(r->val[r->n]);
		r->n++;
	}
	return r->n > 0;
}

static inline const char *rsp_get(const struct rsp *r, const char *key)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->key[i], key) == 0)
			return r->val[i];
	return NULL;
}

static inline const char *rsp_need(const struct rsp *r, const char *key)
{
	const char *v = rsp_get(r, key);

	if (v == NULL)
		fail_msg("%s: record without %s in %s", r->path, key, r->section);
	return v;
}

/* ---- Keys from hex ---- */

/* "secp256r1" (Wycheproof) or "P-256" (CAVP) to the enum; 0 for a curve
 * the token does not have. */
static inline int vec_curve_named(const char *name, enum crypto_curve *c)
{
	static const struct {
		const char *wycheproof, *nist;
		enum crypto_curve c;
	} names[] = {
		{ "secp256r1", "P-256", CURVE_P256 },
		{ "secp384r1", "P-384", CURVE_P384 },
		{ "secp521r1", "P-521", CURVE_P521 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i].wycheproof) == 0 || strcmp(name, names[i].nist) == 0) {
			*c = names[i].c;
			return 1;
		}
	}
	return 0;
}

/* 04 || x || y from CAVP's Qx and Qy; returns its length. */
static inline size_t vec_ec_point(enum crypto_curve c, const char *qx, const char *qy, uint8_t *out)
{
	size_t size = crypto_ec_size(c);

	out[0] = 0x04;
	vec_unhex_pad(qx, out + 1, size);
	vec_unhex_pad(qy, out + 1 + size, size);
	return 1 + 2 * size;
}

/* RSA parts decoded from hex, owned by the struct. */
typedef struct vec_parts {
	crypto_bytes b[RSA_PARTS];
	uint8_t *own[RSA_PARTS];
} vec_parts;

/* Part i from hex; NULL makes it absent. */
static inline void vec_parts_set(vec_parts *h, int i, const char *hex)
{
	free(h->own[i]);
	h->own[i] = NULL;
	h->b[i].p = NULL;
	h->b[i].len = 0;
	if (hex != NULL) {
		h->b[i].len = vec_unhex(hex, &h->own[i]);
		h->b[i].p = h->own[i];
	}
}

static inline void vec_parts_free(vec_parts *h)
{
	int i;

	for (i = 0; i < RSA_PARTS; i++)
		free(h->own[i]);
	memset(h, 0, sizeof(*h));
}

static inline CK_RV vec_rsa_public(const char *n, const char *e, crypto_key **k)
{
	vec_parts h = { 0 };
	CK_RV rv;

	vec_parts_set(&h, RSA_N, n);
	vec_parts_set(&h, RSA_E, e);
	rv = crypto_rsa_public(h.b, k);
	vec_parts_free(&h);
	return rv;
}

/* ---- PKCS#1 DigestInfo (RFC 8017 9.2 note 1) ---- */

static inline size_t vec_digest_info(enum crypto_hash h, const uint8_t *m, size_t n,
				     uint8_t out[19 + CRYPTO_MAX_HASH_LEN])
{
	/* clang-format off */
	static const uint8_t prefix[HASH_COUNT][19] = {
		{ 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00,
		  0x04, 0x14 },
		{ 0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		  0x02, 0x04, 0x05, 0x00, 0x04, 0x1c },
		{ 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		  0x02, 0x01, 0x05, 0x00, 0x04, 0x20 },
		{ 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		  0x02, 0x02, 0x05, 0x00, 0x04, 0x30 },
		{ 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		  0x02, 0x03, 0x05, 0x00, 0x04, 0x40 },
	};
	/* clang-format on */
	size_t plen = h == HASH_SHA1 ? 15 : 19;

	memcpy(out, prefix[h], plen);
	vec_hash(h, m, n, out + plen);
	return plen + crypto_hash_len(h);
}

#endif
