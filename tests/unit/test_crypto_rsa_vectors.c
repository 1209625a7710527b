/*
 * RSA signatures against published vectors: Wycheproof PKCS#1 v1.5 and PSS
 * verification (SECURITY.md row 32), NIST CAVP SigVer15, SigVerPSS and
 * SigGen15, and the RSA Laboratories PKCS#1 v1.5 signing vectors with full
 * CRT keys.
 */
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

/* ---- Wycheproof ---- */

static void wycheproof_rsa(const char *file, enum crypto_sig alg)
{
	json_object *root = vec_wycheproof(file), *groups = vec_get(root, "testGroups");
	unsigned valid = 0, invalid = 0, acceptable = 0, accepted = 0;
	size_t gi, ti;

	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		json_object *g = json_object_array_get_idx(groups, gi);
		json_object *pk = vec_get(g, "publicKey"), *tests = vec_get(g, "tests");
		enum crypto_hash h = vec_hash_named(vec_str(g, "sha"));
		crypto_pss pss = { h, h, 0 };
		uint8_t *spki, *der = NULL;
		size_t slen, dlen = 0;
		crypto_key *k = NULL;

		if (alg == SIG_RSA_PSS) {
			assert_string_equal(vec_str(g, "mgf"), "MGF1");
			pss.mgf1 = vec_hash_named(vec_str(g, "mgfSha"));
			pss.salt_len = (size_t)json_object_get_int(vec_get(g, "sLen"));
		}
		assert_int_equal(
			vec_rsa_public(vec_str(pk, "modulus"), vec_str(pk, "publicExponent"), &k),
			CKR_OK);
		assert_int_equal(crypto_key_bits(k),
				 (size_t)json_object_get_int(vec_get(g, "keySize")));
		slen = vec_unhex(vec_str(g, "publicKeyDer"), &spki);
		assert_int_equal(crypto_key_spki(k, &der, &dlen), CKR_OK);
		assert_int_equal(dlen, slen);
		assert_memory_equal(der, spki, slen);
		port_free(der);
		free(spki);
		for (ti = 0; ti < json_object_array_length(tests); ti++) {
			json_object *t = json_object_array_get_idx(tests, ti);
			const char *result = vec_str(t, "result");
			int id = json_object_get_int(vec_get(t, "tcId"));
			uint8_t *msg, *sig, in[19 + CRYPTO_MAX_HASH_LEN];
			size_t mlen = vec_unhex(vec_str(t, "msg"), &msg);
			size_t siglen = vec_unhex(vec_str(t, "sig"), &sig), inlen;
			CK_RV rv;

			if (alg == SIG_RSA_PKCS1) {
				inlen = vec_digest_info(h, msg, mlen, in);
			} else {
				vec_hash(h, msg, mlen, in);
				inlen = crypto_hash_len(h);
			}
			rv = crypto_verify(k, alg, &pss, in, inlen, sig, siglen);
			if (strcmp(result, "valid") == 0) {
				valid++;
				if (rv != CKR_OK)
					fail_msg("%s tcId %d: valid signature refused (0x%lx)",
						 file, id, rv);
			} else if (strcmp(result, "invalid") == 0) {
				invalid++;
				if (rv != CKR_SIGNATURE_INVALID && rv != CKR_SIGNATURE_LEN_RANGE)
					fail_msg("%s tcId %d: invalid signature gave 0x%lx", file,
						 id, rv);
			} else {
				acceptable++;
				accepted += rv == CKR_OK;
			}
			free(msg);
			free(sig);
		}
		crypto_key_unref(k);
	}
	print_message("%s: %u valid, %u invalid, %u acceptable (%u accepted)\n", file, valid,
		      invalid, acceptable, accepted);
	assert_true(valid > 0 && invalid > 0);
	json_object_put(root);
}

static void test_wycheproof_pkcs1(void **state)
{
	(void)state;
	wycheproof_rsa("rsa_signature_2048_sha256_test.json", SIG_RSA_PKCS1);
	wycheproof_rsa("rsa_signature_2048_sha384_test.json", SIG_RSA_PKCS1);
	wycheproof_rsa("rsa_signature_2048_sha512_test.json", SIG_RSA_PKCS1);
	wycheproof_rsa("rsa_signature_3072_sha256_test.json", SIG_RSA_PKCS1);
	wycheproof_rsa("rsa_signature_4096_sha256_test.json", SIG_RSA_PKCS1);
}

static void test_wycheproof_pss(void **state)
{
	(void)state;
	wycheproof_rsa("rsa_pss_2048_sha256_mgf1_32_test.json", SIG_RSA_PSS);
	wycheproof_rsa("rsa_pss_3072_sha256_mgf1_32_test.json", SIG_RSA_PSS);
}

/* ---- NIST CAVP (FIPS 186-2 folder, 186-3 vectors) ---- */

/* SigVer15 and SigVerPSS: n in its own record, then records with e, SHAAlg,
 * Msg, S and Result. */
static void cavp_sigver(const char *file, enum crypto_sig alg)
{
	unsigned pass = 0, fail = 0;
	char *n = NULL;
	struct rsp r;

	rsp_open(&r, file);
	while (rsp_next(&r)) {
		uint8_t in[19 + CRYPTO_MAX_HASH_LEN], *msg, *sig;
		const char *result;
		enum crypto_hash h;
		crypto_pss pss = { HASH_SHA256, HASH_SHA256, 0 };
		crypto_key *k = NULL;
		size_t mlen, inlen, siglen;
		CK_RV rv;

		if (rsp_get(&r, "n") != NULL) {
			free(n);
			n = strdup(rsp_get(&r, "n"));
			continue;
		}
		if (rsp_get(&r, "Result") == NULL)
			continue; /* the p, q record */
		assert_non_null(n);
		result = rsp_need(&r, "Result");
		h = vec_hash_named(rsp_need(&r, "SHAAlg"));
		mlen = vec_unhex(rsp_need(&r, "Msg"), &msg);
		siglen = vec_unhex(rsp_need(&r, "S"), &sig);
		if (alg == SIG_RSA_PKCS1) {
			inlen = vec_digest_info(h, msg, mlen, in);
		} else {
			vec_hash(h, msg, mlen, in);
			inlen = crypto_hash_len(h);
			pss = (crypto_pss){ h, h, strlen(rsp_need(&r, "SaltVal")) / 2 };
		}
		rv = vec_rsa_public(n, rsp_need(&r, "e"), &k);
		if (rv == CKR_OK)
			rv = crypto_verify(k, alg, &pss, in, inlen, sig, siglen);
		crypto_key_unref(k);
		if (result[0] == 'P') {
			pass++;
			if (rv != CKR_OK)
				fail_msg("%s %s %s: valid signature refused (0x%lx)", file,
					 r.section, rsp_get(&r, "SHAAlg"), rv);
		} else {
			fail++;
			if (rv == CKR_OK)
				fail_msg("%s %s: accepted, expected %s", file, r.section, result);
		}
		free(msg);
		free(sig);
	}
	free(n);
	rsp_close(&r);
	print_message("CAVP %s: %u pass, %u fail\n", file, pass, fail);
	assert_true(pass > 0 && fail > 0);
}

static void test_cavp_sigver15(void **state)
{
	(void)state;
	cavp_sigver("asymmetric/RSA/FIPS_186-2/SigVer15_186-3.rsp", SIG_RSA_PKCS1);
}

static void test_cavp_sigver_pss(void **state)
{
	(void)state;
	cavp_sigver("asymmetric/RSA/FIPS_186-2/SigVerPSS_186-3.rsp", SIG_RSA_PSS);
}

/*
 * SigGen15: PKCS#1 v1.5 signatures are deterministic, so signing with a key
 * imported from n, e and d must give the file's S exactly (the .txt file
 * has d; the .rsp file the same signatures without it). Without the primes
 * there is no CRT: 4096-bit signatures take a few tens of milliseconds
 * each (OpenSSL is not instrumented under ASan, so no slower there).
 */
static void test_cavp_siggen15(void **state)
{
	static const size_t sizes[5] = { 1024, 1536, 2048, 3072, 4096 };
	unsigned signed_ = 0, bits[5] = { 0 }, i;
	crypto_key *k = NULL;
	char *n = NULL;
	struct rsp r;

	(void)state;
	rsp_open(&r, "asymmetric/RSA/FIPS_186-2/SigGen15_186-2.txt");
	while (rsp_next(&r)) {
		uint8_t in[19 + CRYPTO_MAX_HASH_LEN], *msg, *want, *sig;
		vec_parts hp = { 0 };
		enum crypto_hash h;
		size_t mlen, inlen, slen;

		/* "n = ..." alone, then "e = ..." and "d = ..." together. */
		if (rsp_get(&r, "n") != NULL) {
			free(n);
			n = strdup(rsp_need(&r, "n"));
			continue;
		}
		if (rsp_get(&r, "d") != NULL) {
			assert_non_null(n);
			crypto_key_unref(k);
			vec_parts_set(&hp, RSA_N, n);
			vec_parts_set(&hp, RSA_E, rsp_need(&r, "e"));
			vec_parts_set(&hp, RSA_D, rsp_need(&r, "d"));
			assert_int_equal(crypto_rsa_private(hp.b, &k), CKR_OK);
			vec_parts_free(&hp);
			continue;
		}
		assert_non_null(k);
		h = vec_hash_named(rsp_need(&r, "SHAAlg"));
		mlen = vec_unhex(rsp_need(&r, "Msg"), &msg);
		slen = vec_unhex(rsp_need(&r, "S"), &want);
		assert_int_equal(slen, crypto_sig_len(k));
		inlen = vec_digest_info(h, msg, mlen, in);
		sig = malloc(slen);
		assert_non_null(sig);
		assert_int_equal(crypto_sign(k, SIG_RSA_PKCS1, NULL, in, inlen, sig), CKR_OK);
		if (memcmp(sig, want, slen) != 0)
			fail_msg("SigGen15 %s %s: signature differs", r.section,
				 rsp_get(&r, "SHAAlg"));
		free(sig);
		free(want);
		free(msg);
		signed_++;
		for (i = 0; i < 5; i++)
			if (crypto_key_bits(k) == sizes[i])
				bits[i]++;
	}
	crypto_key_unref(k);
	free(n);
	rsp_close(&r);
	print_message("CAVP SigGen15: %u signatures equal the file's (1024: %u, 1536: %u, "
		      "2048: %u, 3072: %u, 4096: %u)\n",
		      signed_, bits[0], bits[1], bits[2], bits[3], bits[4]);
	for (i = 0; i < 5; i++)
		assert_true(bits[i] > 0);
}

/* ---- RSA Laboratories PKCS#1 v1.5 vectors (full CRT keys) ---- */

/*
 * pkcs1v15sign-vectors.txt: 15 keys (1024 to 1031 bits, 1536, 2048) with
 * every CRT part, 20 SHA-1 signatures each. The file is "# Label:" lines
 * followed by hex lines.
 */
struct rsalabs {
	vec_parts key;
	char *hex; /* the field being read */
	int field, priv;
	char *msg;
	crypto_key *k;
	unsigned keys, sigs;
};

static int field_of(const char *label, int priv)
{
	static const struct {
		const char *label;
		int priv, part;
	} map[] = {
		{ "Modulus", -1, RSA_N },          { "Exponent", 0, RSA_E },
		{ "Public exponent", 1, RSA_E },   { "Exponent", 1, RSA_D },
		{ "Prime 1", 1, RSA_P },           { "Prime 2", 1, RSA_Q },
		{ "Prime exponent 1", 1, RSA_DP }, { "Prime exponent 2", 1, RSA_DQ },
		{ "Coefficient", 1, RSA_QINV },    { "Message to be signed", -1, 100 },
		{ "Signature", -1, 101 },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(label, map[i].label) == 0 && (map[i].priv < 0 || map[i].priv == priv))
			return map[i].part;
	fail_msg("unknown label %s", label);
	return -1;
}

/* The first signature of a key: the key imported three ways. */
static void rsalabs_key(struct rsalabs *s)
{
	crypto_bytes b[RSA_PARTS];
	exported x = { 0 };
	crypto_key *k = NULL;
	int i;

	assert_int_equal(crypto_rsa_private(s->key.b, &s->k), CKR_OK);
	/* Without the CRT values: computed, equal to the file's. */
	memcpy(b, s->key.b, sizeof(b));
	b[RSA_DP].len = b[RSA_DQ].len = b[RSA_QINV].len = 0;
	assert_int_equal(crypto_rsa_private(b, &k), CKR_OK);
	assert_int_equal(crypto_rsa_parts(k, x.p, x.len), CKR_OK);
	for (i = 0; i < RSA_PARTS; i++) {
		size_t len = s->key.b[i].len;
		const uint8_t *p = s->key.b[i].p;

		while (len > 0 && p[0] == 0)
			p++, len--;
		assert_int_equal(x.len[i], len);
		assert_memory_equal(x.p[i], p, len);
	}
	export_free(&x);
	sign_check(k, s->k);
	crypto_key_unref(k);
	/* Without e: computed from d. */
	b[RSA_E].len = 0;
	assert_int_equal(crypto_rsa_private(b, &k), CKR_OK);
	sign_check(k, s->k);
	crypto_key_unref(k);
	s->keys++;
}

static void rsalabs_done(struct rsalabs *s)
{
	uint8_t in[19 + CRYPTO_MAX_HASH_LEN], *msg, *want, *sig;
	size_t mlen, slen, inlen;
	int part = s->field;

	s->field = -1;
	if (part < 0 || s->hex == NULL)
		return;
	if (part < RSA_PARTS) {
		vec_parts_set(&s->key, part, s->hex);
	} else if (part == 100) {
		free(s->msg);
		s->msg = s->hex;
		s->hex = NULL;
		return;
	} else {
		if (s->k == NULL)
			rsalabs_key(s);
		mlen = vec_unhex(s->msg, &msg);
		slen = vec_unhex(s->hex, &want);
		assert_int_equal(slen, crypto_sig_len(s->k));
		inlen = vec_digest_info(HASH_SHA1, msg, mlen, in);
		sig = malloc(slen);
		assert_non_null(sig);
		assert_int_equal(crypto_sign(s->k, SIG_RSA_PKCS1, NULL, in, inlen, sig), CKR_OK);
		if (memcmp(sig, want, slen) != 0)
			fail_msg("pkcs1v15sign key %u: signature %u differs", s->keys, s->sigs);
		assert_int_equal(crypto_verify(s->k, SIG_RSA_PKCS1, NULL, in, inlen, want, slen),
				 CKR_OK);
		free(sig);
		free(want);
		free(msg);
		s->sigs++;
	}
	free(s->hex);
	s->hex = NULL;
}

static void test_rsalabs_pkcs1(void **state)
{
	struct rsalabs s = { .field = -1 };
	char *line = NULL, *path;
	size_t cap = 0;
	FILE *f;
	const char *env = getenv("IOTOKEN_CAVP");

	(void)state;
	path = vec_join(env != NULL && env[0] != '\0' ? env : VEC_CAVP_DEFAULT,
			"asymmetric/RSA/pkcs1v15sign-vectors.txt");
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("missing vectors %s", path);
	while (getline(&line, &cap, f) != -1) {
		size_t n;

		rsp_trim(line);
		n = strlen(line);
		if (strncmp(line, "# Example", 9) == 0) {
			rsalabs_done(&s);
			crypto_key_unref(s.k);
			s.k = NULL;
			vec_parts_free(&s.key);
			s.priv = 0;
		} else if (strcmp(line, "# Private key") == 0) {
			s.priv = 1;
		} else if (n > 3 && strncmp(line, "# ", 2) == 0 && line[n - 1] == ':') {
			rsalabs_done(&s);
			line[n - 1] = '\0';
			s.field = field_of(line + 2, s.priv);
		} else if (s.field >= 0 && n > 0 && line[0] != '#') {
			/* "a5 6e 4a ..." */
			size_t old = s.hex ? strlen(s.hex) : 0, i, j = old;

			s.hex = realloc(s.hex, old + n + 1);
			assert_non_null(s.hex);
			for (i = 0; i < n; i++)
				if (line[i] != ' ')
					s.hex[j++] = line[i];
			s.hex[j] = '\0';
		} else {
			rsalabs_done(&s);
		}
	}
	rsalabs_done(&s);
	crypto_key_unref(s.k);
	vec_parts_free(&s.key);
	free(s.msg);
	free(line);
	free(path);
	fclose(f);
	print_message("pkcs1v15sign-vectors: %u keys, %u signatures equal the file's\n", s.keys,
		      s.sigs);
	assert_int_equal(s.keys, 15);
	assert_int_equal(s.sigs, 300);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wycheproof_pkcs1),
		cmocka_unit_test(test_wycheproof_pss),
		cmocka_unit_test(test_cavp_sigver15),
		cmocka_unit_test(test_cavp_sigver_pss),
		cmocka_unit_test(test_cavp_siggen15),
		cmocka_unit_test(test_rsalabs_pkcs1),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
