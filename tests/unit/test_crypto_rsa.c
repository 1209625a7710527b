/*
 * Unit tests of the RSA keys of crypto.h: import from PKCS#11 parts and its
 * consistency checks, CRT and exponent derivation, generation, export,
 * PKCS#1 v1.5 and PSS signatures (SECURITY.md row 32) on generated keys.
 * The vectors are in test_crypto_rsa_vectors.c.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"

#include "vectors.h"

typedef struct exported {
	uint8_t *p[RSA_PARTS];
	size_t len[RSA_PARTS];
} exported;

static void export_free(exported *x)
{
	int i;

	for (i = 0; i < RSA_PARTS; i++)
		port_free_secret(x->p[i], x->len[i]);
}

/* Selected parts of x as crypto_bytes (bit i of mask: part i). */
static void select_parts(const exported *x, unsigned mask, crypto_bytes b[RSA_PARTS])
{
	int i;

	for (i = 0; i < RSA_PARTS; i++) {
		b[i].p = mask & (1u << i) ? x->p[i] : NULL;
		b[i].len = mask & (1u << i) ? x->len[i] : 0;
	}
}

#define BIT(i) (1u << (i))
#define ALL_PARTS ((1u << RSA_PARTS) - 1)

/* One PKCS#1 v1.5 signature with k, checked with pub. */
static void sign_check(const crypto_key *k, const crypto_key *pub)
{
	uint8_t in[36], sig[1024];
	size_t slen = crypto_sig_len(k);

	memset(in, 0x3c, sizeof(in));
	assert_int_equal(crypto_sign(k, SIG_RSA_PKCS1, NULL, in, sizeof(in), sig), CKR_OK);
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, sizeof(in), sig, slen),
			 CKR_OK);
}

/* ---- A generated 2048-bit key, shared by the tests below ---- */

static crypto_key *key2048;

static int setup(void **state)
{
	(void)state;
	return crypto_rsa_generate(2048, NULL, 0, &key2048) == CKR_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	crypto_key_unref(key2048);
	return 0;
}

static void test_generated_parts(void **state)
{
	exported x = { 0 };
	int i;

	(void)state;
	assert_true(crypto_key_is_private(key2048));
	assert_int_equal(crypto_key_bits(key2048), 2048);
	assert_int_equal(crypto_sig_len(key2048), 256);
	assert_int_equal(crypto_rsa_parts(key2048, x.p, x.len), CKR_OK);
	/* PKCS#11 big integers: minimal big-endian. */
	for (i = 0; i < RSA_PARTS; i++) {
		assert_non_null(x.p[i]);
		assert_true(x.len[i] > 0);
		assert_int_not_equal(x.p[i][0], 0);
	}
	assert_int_equal(x.len[RSA_N], 256);
	assert_int_equal(x.len[RSA_E], 3);
	assert_memory_equal(x.p[RSA_E], "\x01\x00\x01", 3);
	assert_int_equal(x.len[RSA_P], 128);
	assert_int_equal(x.len[RSA_Q], 128);
	export_free(&x);
}

static void test_pkcs1_sign(void **state)
{
	uint8_t in[256], sig[256], bad[256];
	crypto_key *pub = NULL;
	exported x = { 0 };
	crypto_bytes b[RSA_PARTS];

	(void)state;
	memset(in, 0xa5, sizeof(in));
	assert_int_equal(crypto_rsa_parts(key2048, x.p, x.len), CKR_OK);
	select_parts(&x, BIT(RSA_N) | BIT(RSA_E), b);
	assert_int_equal(crypto_rsa_public(b, &pub), CKR_OK);
	assert_false(crypto_key_is_private(pub));

	/* TLS 1.0 client authentication: MD5 || SHA-1, 36 bytes, no
	 * DigestInfo. */
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PKCS1, NULL, in, 36, sig), CKR_OK);
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, 36, sig, 256), CKR_OK);
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, 35, sig, 256),
			 CKR_SIGNATURE_INVALID);
	/* Up to k - 11 bytes; k - 10 is out of range both ways. */
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PKCS1, NULL, in, 245, sig), CKR_OK);
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, 245, sig, 256), CKR_OK);
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PKCS1, NULL, in, 246, sig),
			 CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, 246, sig, 256),
			 CKR_DATA_LEN_RANGE);
	/* Nothing to sign is allowed (the whole block is padding). */
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PKCS1, NULL, NULL, 0, sig), CKR_OK);
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, NULL, 0, sig, 256), CKR_OK);

	assert_int_equal(crypto_sign(key2048, SIG_RSA_PKCS1, NULL, in, 36, sig), CKR_OK);
	memcpy(bad, sig, 256);
	bad[100] ^= 0x10;
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, 36, bad, 256),
			 CKR_SIGNATURE_INVALID);
	/* s >= n: refused before any arithmetic. */
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, 36, x.p[RSA_N], 256),
			 CKR_SIGNATURE_INVALID);
	memset(bad, 0xff, 256);
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, 36, bad, 256),
			 CKR_SIGNATURE_INVALID);
	memset(bad, 0, 256);
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, 36, bad, 256),
			 CKR_SIGNATURE_INVALID);
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, 36, sig, 255),
			 CKR_SIGNATURE_LEN_RANGE);
	assert_int_equal(crypto_verify(pub, SIG_RSA_PKCS1, NULL, in, 36, sig, 257),
			 CKR_SIGNATURE_LEN_RANGE);
	/* Keys and algorithms that do not go together. */
	assert_int_equal(crypto_sign(pub, SIG_RSA_PKCS1, NULL, in, 36, sig),
			 CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_sign(key2048, SIG_ECDSA, NULL, in, 32, sig),
			 CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, in, 32, sig, 256),
			 CKR_KEY_TYPE_INCONSISTENT);

	crypto_key_unref(pub);
	export_free(&x);
}

static void test_pss_sign(void **state)
{
	crypto_pss pss = { HASH_SHA256, HASH_SHA256, 32 };
	uint8_t in[64], sig[256], sig2[256];

	(void)state;
	memset(in, 0x11, sizeof(in));
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PSS, &pss, in, 32, sig), CKR_OK);
	assert_int_equal(crypto_verify(key2048, SIG_RSA_PSS, &pss, in, 32, sig, 256), CKR_OK);
	/* Randomized: a second signature differs, and verifies. */
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PSS, &pss, in, 32, sig2), CKR_OK);
	assert_memory_not_equal(sig, sig2, 256);
	assert_int_equal(crypto_verify(key2048, SIG_RSA_PSS, &pss, in, 32, sig2, 256), CKR_OK);
	/* The salt length is checked exactly. */
	pss.salt_len = 20;
	assert_int_equal(crypto_verify(key2048, SIG_RSA_PSS, &pss, in, 32, sig, 256),
			 CKR_SIGNATURE_INVALID);
	pss.salt_len = 32;
	pss.mgf1 = HASH_SHA1;
	assert_int_equal(crypto_verify(key2048, SIG_RSA_PSS, &pss, in, 32, sig, 256),
			 CKR_SIGNATURE_INVALID);
	pss.mgf1 = HASH_SHA256;
	in[0] ^= 1;
	assert_int_equal(crypto_verify(key2048, SIG_RSA_PSS, &pss, in, 32, sig, 256),
			 CKR_SIGNATURE_INVALID);
	/* The input is the hash: its length must be the hash's. */
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PSS, &pss, in, 31, sig), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PSS, &pss, in, 48, sig), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_verify(key2048, SIG_RSA_PSS, &pss, in, 31, sig, 256),
			 CKR_DATA_LEN_RANGE);
	/* emLen = 256; the longest salt is 256 - 32 - 2 = 222. */
	pss.salt_len = 222;
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PSS, &pss, in, 32, sig), CKR_OK);
	assert_int_equal(crypto_verify(key2048, SIG_RSA_PSS, &pss, in, 32, sig, 256), CKR_OK);
	pss.salt_len = 223;
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PSS, &pss, in, 32, sig),
			 CKR_MECHANISM_PARAM_INVALID);
	pss.salt_len = 0;
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PSS, &pss, in, 32, sig), CKR_OK);
	assert_int_equal(crypto_verify(key2048, SIG_RSA_PSS, &pss, in, 32, sig, 256), CKR_OK);
	/* SHA-512 with SHA-1 MGF1. */
	pss = (crypto_pss){ HASH_SHA512, HASH_SHA1, 64 };
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PSS, &pss, in, 64, sig), CKR_OK);
	assert_int_equal(crypto_verify(key2048, SIG_RSA_PSS, &pss, in, 64, sig, 256), CKR_OK);
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PSS, NULL, in, 64, sig),
			 CKR_MECHANISM_PARAM_INVALID);
	pss.hash = HASH_COUNT;
	assert_int_equal(crypto_sign(key2048, SIG_RSA_PSS, &pss, in, 64, sig),
			 CKR_MECHANISM_PARAM_INVALID);
}

/* Re-import of the generated key from subsets of its parts. */
static void test_private_import(void **state)
{
	exported x = { 0 }, y = { 0 };
	crypto_bytes b[RSA_PARTS];
	crypto_key *k = NULL;
	uint8_t *save;
	int i;

	(void)state;
	assert_int_equal(crypto_rsa_parts(key2048, x.p, x.len), CKR_OK);

	/* Everything. */
	select_parts(&x, ALL_PARTS, b);
	assert_int_equal(crypto_rsa_private(b, &k), CKR_OK);
	sign_check(k, key2048);
	crypto_key_unref(k);

	/* n, e, d, p, q: the CRT values are computed, and are the same. */
	select_parts(&x, BIT(RSA_N) | BIT(RSA_E) | BIT(RSA_D) | BIT(RSA_P) | BIT(RSA_Q), b);
	assert_int_equal(crypto_rsa_private(b, &k), CKR_OK);
	sign_check(k, key2048);
	assert_int_equal(crypto_rsa_parts(k, y.p, y.len), CKR_OK);
	for (i = 0; i < RSA_PARTS; i++) {
		assert_int_equal(y.len[i], x.len[i]);
		assert_memory_equal(y.p[i], x.p[i], x.len[i]);
	}
	export_free(&y);
	crypto_key_unref(k);

	/* n, d, p, q: e is computed from d. */
	select_parts(&x, BIT(RSA_N) | BIT(RSA_D) | BIT(RSA_P) | BIT(RSA_Q), b);
	assert_int_equal(crypto_rsa_private(b, &k), CKR_OK);
	sign_check(k, key2048);
	memset(&y, 0, sizeof(y));
	assert_int_equal(crypto_rsa_parts(k, y.p, y.len), CKR_OK);
	assert_int_equal(y.len[RSA_E], 3);
	assert_memory_equal(y.p[RSA_E], "\x01\x00\x01", 3);
	export_free(&y);
	crypto_key_unref(k);

	/* n, e, d: no CRT; it signs, and exports no primes. */
	select_parts(&x, BIT(RSA_N) | BIT(RSA_E) | BIT(RSA_D), b);
	assert_int_equal(crypto_rsa_private(b, &k), CKR_OK);
	sign_check(k, key2048);
	memset(&y, 0, sizeof(y));
	assert_int_equal(crypto_rsa_parts(k, y.p, y.len), CKR_OK);
	assert_int_equal(y.len[RSA_D], x.len[RSA_D]);
	for (i = RSA_P; i < RSA_PARTS; i++) {
		assert_null(y.p[i]);
		assert_int_equal(y.len[i], 0);
	}
	export_free(&y);
	crypto_key_unref(k);

	/* Missing parts. */
	select_parts(&x, BIT(RSA_N) | BIT(RSA_D), b);
	assert_int_equal(crypto_rsa_private(b, &k), CKR_TEMPLATE_INCOMPLETE);
	select_parts(&x, BIT(RSA_N) | BIT(RSA_E), b);
	assert_int_equal(crypto_rsa_private(b, &k), CKR_TEMPLATE_INCOMPLETE);
	select_parts(&x, BIT(RSA_E) | BIT(RSA_D) | BIT(RSA_P) | BIT(RSA_Q), b);
	assert_int_equal(crypto_rsa_private(b, &k), CKR_TEMPLATE_INCOMPLETE);
	select_parts(&x, BIT(RSA_N) | BIT(RSA_E) | BIT(RSA_D) | BIT(RSA_P), b);
	assert_int_equal(crypto_rsa_private(b, &k), CKR_TEMPLATE_INCOMPLETE);
	select_parts(&x, ALL_PARTS & ~(BIT(RSA_P) | BIT(RSA_Q)), b);
	assert_int_equal(crypto_rsa_private(b, &k), CKR_TEMPLATE_INCOMPLETE);

	/* Inconsistent parts: each one changed in turn. */
	for (i = 0; i < RSA_PARTS; i++) {
		select_parts(&x, ALL_PARTS, b);
		save = malloc(x.len[i]);
		assert_non_null(save);
		memcpy(save, x.p[i], x.len[i]);
		/* +2 keeps odd values odd, so each check is reached. */
		x.p[i][x.len[i] - 1] ^= 0x02;
		if (crypto_rsa_private(b, &k) != CKR_ATTRIBUTE_VALUE_INVALID)
			fail_msg("part %d changed: not refused", i);
		memcpy(x.p[i], save, x.len[i]);
		free(save);
	}
	/* A changed d with n and e only: found by the trial signature. */
	select_parts(&x, BIT(RSA_N) | BIT(RSA_E) | BIT(RSA_D), b);
	x.p[RSA_D][x.len[RSA_D] - 1] ^= 0x02;
	assert_int_equal(crypto_rsa_private(b, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	x.p[RSA_D][x.len[RSA_D] - 1] ^= 0x02;
	/* p = 1, q = n. */
	select_parts(&x, BIT(RSA_N) | BIT(RSA_E) | BIT(RSA_D), b);
	b[RSA_P].p = (const uint8_t *)"\x01";
	b[RSA_P].len = 1;
	b[RSA_Q] = b[RSA_N];
	assert_int_equal(crypto_rsa_private(b, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	/* d = 1, d = n. */
	select_parts(&x, BIT(RSA_N) | BIT(RSA_E) | BIT(RSA_D), b);
	b[RSA_D].p = (const uint8_t *)"\x01";
	b[RSA_D].len = 1;
	assert_int_equal(crypto_rsa_private(b, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	b[RSA_D] = b[RSA_N];
	assert_int_equal(crypto_rsa_private(b, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	export_free(&x);
}

static void test_public_import(void **state)
{
	/* 1024 bits, odd: the smallest accepted; 1023 bits refused. */
	char n1024[257], n1023[257], n8200[2051], even[257];
	crypto_key *k = NULL;

	(void)state;
	memset(n1024, 'f', 256);
	n1024[256] = '\0';
	memcpy(n1023, n1024, 257);
	n1023[0] = '7';
	memcpy(even, n1024, 257);
	even[255] = 'e';
	memset(n8200, 'f', 2050);
	n8200[2050] = '\0';
	assert_int_equal(vec_rsa_public(n1024, "010001", &k), CKR_OK);
	assert_int_equal(crypto_key_bits(k), 1024);
	assert_int_equal(crypto_sig_len(k), 128);
	crypto_key_unref(k);
	/* Leading zeros in n and e are not part of the value. */
	assert_int_equal(vec_rsa_public("0000", "03", &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(vec_rsa_public(n1023, "010001", &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(vec_rsa_public(even, "010001", &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(vec_rsa_public(n8200, "010001", &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(vec_rsa_public(n1024, "000003", &k), CKR_OK);
	crypto_key_unref(k);
	assert_int_equal(vec_rsa_public(n1024, "01", &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(vec_rsa_public(n1024, "010000", &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(vec_rsa_public(n1024, "00", &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(vec_rsa_public(n1024, n1024, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(vec_rsa_public(n1024, NULL, &k), CKR_TEMPLATE_INCOMPLETE);
	assert_int_equal(vec_rsa_public(NULL, "03", &k), CKR_TEMPLATE_INCOMPLETE);
}

static void test_generate_args(void **state)
{
	crypto_key *k = NULL;
	exported x = { 0 };

	(void)state;
	assert_int_equal(crypto_rsa_generate(512, NULL, 0, &k), CKR_KEY_SIZE_RANGE);
	assert_int_equal(crypto_rsa_generate(8200, NULL, 0, &k), CKR_KEY_SIZE_RANGE);
	assert_int_equal(crypto_rsa_generate(1024, (const uint8_t *)"\x01\x00", 2, &k),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_rsa_generate(1024, (const uint8_t *)"\x01", 1, &k),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_rsa_generate(1024, (const uint8_t *)"\x00", 1, &k),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_rsa_generate(1024,
					     (const uint8_t *)"\x01\x00\x00\x00\x00\x00\x00"
							      "\x00\x01",
					     9, &k),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	/* e = 3, with a leading zero byte. */
	assert_int_equal(crypto_rsa_generate(1024, (const uint8_t *)"\x00\x03", 2, &k), CKR_OK);
	assert_int_equal(crypto_rsa_parts(k, x.p, x.len), CKR_OK);
	assert_int_equal(x.len[RSA_E], 1);
	assert_int_equal(x.p[RSA_E][0], 3);
	sign_check(k, k);
	export_free(&x);
	crypto_key_unref(k);
}

/* RSA 4096 is generated once only: it is slow, above all under ASan. */
static void test_generate_4096(void **state)
{
	crypto_pss pss = { HASH_SHA384, HASH_SHA384, 48 };
	uint8_t in[48] = { 9 }, sig[512];
	crypto_key *k = NULL;

	(void)state;
	assert_int_equal(crypto_rsa_generate(4096, NULL, 0, &k), CKR_OK);
	assert_int_equal(crypto_key_bits(k), 4096);
	assert_int_equal(crypto_sig_len(k), 512);
	sign_check(k, k);
	assert_int_equal(crypto_sign(k, SIG_RSA_PSS, &pss, in, 48, sig), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_RSA_PSS, &pss, in, 48, sig, 512), CKR_OK);
	crypto_key_unref(k);
}

static void test_spki(void **state)
{
	uint8_t *der = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(crypto_key_spki(key2048, &der, &len), CKR_OK);
	/* SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING } */
	assert_int_equal(len, 294);
	assert_memory_equal(der,
			    "\x30\x82\x01\x22\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01"
			    "\x01\x05\x00",
			    19);
	port_free(der);
}

static void test_cross_kind(void **state)
{
	uint8_t buf[133];
	size_t len = sizeof(buf);
	enum crypto_curve c;

	(void)state;
	assert_int_equal(crypto_ec_point(key2048, buf, &len), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_ec_scalar(key2048, buf, &len), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_key_curve(key2048, &c), CKR_KEY_TYPE_INCONSISTENT);
}

/* ---- Allocation failure ---- */

/*
 * Each allocation of the module's allocator fails in turn, from the first
 * on, until the call succeeds: every failure must be CKR_HOST_MEMORY and
 * leave nothing behind (ASan checks the leaks). OpenSSL's own allocations
 * are not ours to fail.
 */
static unsigned fail_each(CK_RV (*op)(void *), void (*undo)(void *), void *arg)
{
	unsigned long n;
	CK_RV rv;

	for (n = 1; n < 100; n++) {
		port_alloc_fail_after(n);
		rv = op(arg);
		port_alloc_fail_after(0);
		if (rv == CKR_OK) {
			if (undo != NULL)
				undo(arg);
			return (unsigned)n - 1;
		}
		if (rv != CKR_HOST_MEMORY)
			fail_msg("allocation %lu failing gave 0x%lx", n, rv);
	}
	fail_msg("never succeeded");
	return 0;
}

struct alloc_case {
	crypto_bytes b[RSA_PARTS];
	exported x;
	crypto_key *k;
	uint8_t sig[256];
};

static CK_RV op_private(void *arg)
{
	struct alloc_case *a = arg;

	return crypto_rsa_private(a->b, &a->k);
}

static CK_RV op_public(void *arg)
{
	struct alloc_case *a = arg;
	crypto_bytes b[RSA_PARTS] = { a->b[RSA_N], a->b[RSA_E] };

	return crypto_rsa_public(b, &a->k);
}

static CK_RV op_generate(void *arg)
{
	struct alloc_case *a = arg;

	return crypto_rsa_generate(1024, NULL, 0, &a->k);
}

static void undo_key(void *arg)
{
	struct alloc_case *a = arg;

	crypto_key_unref(a->k);
	a->k = NULL;
}

static CK_RV op_parts(void *arg)
{
	struct alloc_case *a = arg;

	return crypto_rsa_parts(key2048, a->x.p, a->x.len);
}

static void undo_parts(void *arg)
{
	struct alloc_case *a = arg;

	export_free(&a->x);
	memset(&a->x, 0, sizeof(a->x));
}

static CK_RV op_sign(void *arg)
{
	struct alloc_case *a = arg;
	uint8_t in[36] = { 0 };

	return crypto_sign(key2048, SIG_RSA_PKCS1, NULL, in, sizeof(in), a->sig);
}

static CK_RV op_verify(void *arg)
{
	struct alloc_case *a = arg;
	uint8_t in[36] = { 0 };

	return crypto_verify(key2048, SIG_RSA_PKCS1, NULL, in, sizeof(in), a->sig, 256);
}

static void test_alloc_failure(void **state)
{
	struct alloc_case a = { 0 };

	(void)state;
	assert_int_equal(crypto_rsa_parts(key2048, a.x.p, a.x.len), CKR_OK);
	select_parts(&a.x, BIT(RSA_N) | BIT(RSA_E) | BIT(RSA_D) | BIT(RSA_P) | BIT(RSA_Q), a.b);
	print_message("failures: private %u, public %u, generate %u",
		      fail_each(op_private, undo_key, &a), fail_each(op_public, undo_key, &a),
		      fail_each(op_generate, undo_key, &a));
	undo_parts(&a);
	print_message(", parts %u", fail_each(op_parts, undo_parts, &a));
	print_message(", sign %u", fail_each(op_sign, NULL, &a));
	print_message(", verify %u\n", fail_each(op_verify, NULL, &a));
}

/* ---- One key, many threads ---- */

#define THREADS 4
#define ROUNDS 25

struct shared {
	crypto_key *rsa, *ec;
	int errors;
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct shared *sh = arg;
	crypto_pss pss = { HASH_SHA256, HASH_SHA256, 32 };
	uint8_t in[32], sig[256];
	int i, errors = 0;

	for (i = 0; i < ROUNDS; i++) {
		crypto_key *r = crypto_key_ref(sh->rsa), *e = crypto_key_ref(sh->ec);

		memset(in, i, sizeof(in));
		errors += crypto_sign(r, SIG_RSA_PSS, &pss, in, 32, sig) != CKR_OK;
		errors += crypto_verify(r, SIG_RSA_PSS, &pss, in, 32, sig, 256) != CKR_OK;
		errors += crypto_sign(e, SIG_ECDSA, NULL, in, 32, sig) != CKR_OK;
		errors += crypto_verify(e, SIG_ECDSA, NULL, in, 32, sig, 64) != CKR_OK;
		crypto_key_unref(r);
		crypto_key_unref(e);
	}
	pthread_mutex_lock(&sh->lock);
	sh->errors += errors;
	pthread_mutex_unlock(&sh->lock);
	return NULL;
}

/* crypto.h: "two threads may sign with one key at once". Run under TSan
 * too: the reference count and OpenSSL's blinding are shared. */
static void test_threads(void **state)
{
	struct shared sh = { crypto_key_ref(key2048), NULL, 0, PTHREAD_MUTEX_INITIALIZER };
	pthread_t t[THREADS];
	int i;

	(void)state;
	assert_int_equal(crypto_ec_generate(CURVE_P256, &sh.ec), CKR_OK);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, &sh), 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(sh.errors, 0);
	crypto_key_unref(sh.rsa);
	crypto_key_unref(sh.ec);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_parts),
		cmocka_unit_test(test_pkcs1_sign),
		cmocka_unit_test(test_pss_sign),
		cmocka_unit_test(test_private_import),
		cmocka_unit_test(test_public_import),
		cmocka_unit_test(test_generate_args),
		cmocka_unit_test(test_generate_4096),
		cmocka_unit_test(test_spki),
		cmocka_unit_test(test_cross_kind),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_threads),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, setup, teardown);
}
