/*
 * Wycheproof signature vectors through the module (SECURITY.md rows 31, 32,
 * 38): for every test group the public key is imported with C_CreateObject,
 * and every test is verified with C_VerifyInit + C_Verify, once with the
 * hashing mechanism over the message and once with the raw mechanism over
 * the hash the client computes (CKM_ECDSA, CKM_RSA_PKCS over the DigestInfo,
 * CKM_RSA_PKCS_PSS). A valid vector must give CKR_OK; an invalid one
 * CKR_SIGNATURE_INVALID or CKR_SIGNATURE_LEN_RANGE (a key that C_CreateObject
 * refuses counts as a refusal); an acceptable one either.
 *
 * The vectors are ../shared/vectors/wycheproof from the repository (found
 * from the path of common/wycheproof.c) or $IOTOKEN_VECTORS/wycheproof;
 * without them the test fails.
 */
#include <json-c/json.h>
#include <stdlib.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"
#include "wycheproof.h"

enum family { FAM_ECDSA, FAM_PKCS1, FAM_PSS };

static CK_SESSION_HANDLE s;

static int setup(void **state)
{
	h_setup_token(state);
	s = h_open(h_slot, 1);
	wy_find_vectors();
	return 0;
}

static CK_MECHANISM_TYPE hash_mech(const char *name)
{
	static const struct {
		const char *name;
		CK_MECHANISM_TYPE mech;
	} map[] = {
		{ "SHA-1", CKM_SHA_1 },    { "SHA-224", CKM_SHA224 }, { "SHA-256", CKM_SHA256 },
		{ "SHA-384", CKM_SHA384 }, { "SHA-512", CKM_SHA512 },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, name) == 0)
			return map[i].mech;
	fail_msg("vector file: unknown hash %s", name);
	return 0;
}

static CK_MECHANISM_TYPE signing_mech(enum family f, CK_MECHANISM_TYPE hash)
{
	static const CK_MECHANISM_TYPE hashes[] = { CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384,
						    CKM_SHA512 };
	static const CK_MECHANISM_TYPE by_family[3][5] = {
		{ CKM_ECDSA_SHA1, CKM_ECDSA_SHA224, CKM_ECDSA_SHA256, CKM_ECDSA_SHA384,
		  CKM_ECDSA_SHA512 },
		{ CKM_SHA1_RSA_PKCS, CKM_SHA224_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS,
		  CKM_SHA512_RSA_PKCS },
		{ CKM_SHA1_RSA_PKCS_PSS, CKM_SHA224_RSA_PKCS_PSS, CKM_SHA256_RSA_PKCS_PSS,
		  CKM_SHA384_RSA_PKCS_PSS, CKM_SHA512_RSA_PKCS_PSS },
	};
	size_t i;

	for (i = 0; i < 5; i++)
		if (hashes[i] == hash)
			return by_family[f][i];
	fail_msg("no mechanism for hash 0x%lx", (unsigned long)hash);
	return 0;
}

static CK_RSA_PKCS_MGF_TYPE mgf_of(CK_MECHANISM_TYPE hash)
{
	switch (hash) {
	case CKM_SHA_1:
		return CKG_MGF1_SHA1;
	case CKM_SHA224:
		return CKG_MGF1_SHA224;
	case CKM_SHA256:
		return CKG_MGF1_SHA256;
	case CKM_SHA384:
		return CKG_MGF1_SHA384;
	default:
		return CKG_MGF1_SHA512;
	}
}

/* The group's public key as a session object; the result of C_CreateObject. */
static CK_RV make_key(enum family f, json_object *g, const h_curve *c, CK_OBJECT_HANDLE *key)
{
	json_object *pk = wy_get(g, "publicKey");
	unsigned char *a, *b, der[200];
	CK_ULONG alen, blen;
	CK_RV rv;
	h_tmpl t;

	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	if (f == FAM_ECDSA) {
		a = wy_unhex(wy_str(pk, "uncompressed"), &alen);
		assert_true(alen <= 133);
		t_ulong(&t, CKA_KEY_TYPE, CKK_EC);
		t_bytes(&t, CKA_EC_PARAMS, c->oid, c->oid_len);
		t_bytes(&t, CKA_EC_POINT, der, h_point_der(a, alen, der));
		free(a);
	} else {
		const unsigned char *n;

		a = wy_unhex(wy_str(pk, "modulus"), &alen);
		b = wy_unhex(wy_str(pk, "publicExponent"), &blen);
		/* The vectors give the ASN.1 INTEGER bytes: drop the sign byte. */
		for (n = a; alen > 1 && *n == 0; n++)
			alen--;
		t_ulong(&t, CKA_KEY_TYPE, CKK_RSA);
		t_bytes(&t, CKA_MODULUS, n, alen);
		t_bytes(&t, CKA_PUBLIC_EXPONENT, b, blen);
		free(a);
		free(b);
	}
	rv = h_create_rv(s, &t, key);
	if (rv != CKR_OK && rv != CKR_ATTRIBUTE_VALUE_INVALID && rv != CKR_CURVE_NOT_SUPPORTED)
		fail_msg("C_CreateObject of a vector key: %s", h_rv_name(rv));
	return rv;
}

typedef struct tally {
	unsigned long tests, valid, invalid, acceptable, passed;
	unsigned long valid_failed, invalid_verified, wrong_code, keys_refused;
} tally;

/* One verification: its outcome checked against the expected result. */
static void judge(tally *t, const char *file, json_object *test, const char *path, CK_RV rv)
{
	const char *result = wy_str(test, "result");
	int rejected = rv == CKR_SIGNATURE_INVALID || rv == CKR_SIGNATURE_LEN_RANGE;
	int ok = 0;

	t->tests++;
	if (strcmp(result, "valid") == 0) {
		t->valid++;
		ok = rv == CKR_OK;
		t->valid_failed += !ok;
	} else if (strcmp(result, "invalid") == 0) {
		t->invalid++;
		ok = rejected;
		t->invalid_verified += rv == CKR_OK;
		t->wrong_code += rv != CKR_OK && !rejected;
	} else {
		t->acceptable++;
		ok = rv == CKR_OK || rejected;
		t->wrong_code += !ok;
	}
	if (ok) {
		t->passed++;
	} else if (t->tests - t->passed <= 20) {
		printf("  FAIL %s tcId %d (%s, %s): %s [%s]\n", file,
		       json_object_get_int(wy_get(test, "tcId")), result, path, h_rv_name(rv),
		       wy_str(test, "comment"));
	}
}

/* The hashing mechanism over the message, then the raw one over the hash. */
static void verify_test(enum family f, CK_MECHANISM_TYPE hash, CK_OBJECT_HANDLE key,
			CK_RSA_PKCS_PSS_PARAMS *pss, json_object *test, const char *file,
			tally *by_msg, tally *by_hash)
{
	CK_MECHANISM m = { signing_mech(f, hash), NULL, 0 };
	CK_MECHANISM raw = { f == FAM_ECDSA   ? CKM_ECDSA
			     : f == FAM_PKCS1 ? CKM_RSA_PKCS
					      : CKM_RSA_PKCS_PSS,
			     NULL, 0 };
	unsigned char *msg, *sig, in[100];
	CK_ULONG mlen, slen, inlen = 0, plen;

	if (f == FAM_PSS) {
		m.pParameter = raw.pParameter = pss;
		m.ulParameterLen = raw.ulParameterLen = sizeof(*pss);
	}
	msg = wy_unhex(wy_str(test, "msg"), &mlen);
	sig = wy_unhex(wy_str(test, "sig"), &slen);
	judge(by_msg, file, test, "message", h_verify_rv(s, &m, key, msg, mlen, sig, slen));
	if (f == FAM_PKCS1) {
		const unsigned char *prefix = h_digest_info(hash, &plen);

		memcpy(in, prefix, plen);
		inlen = plen;
	}
	inlen += h_digest(s, hash, msg, mlen, in + inlen);
	judge(by_hash, file, test, "hash", h_verify_rv(s, &raw, key, in, inlen, sig, slen));
	free(msg);
	free(sig);
}

static void run_file(const char *name, enum family f, const h_curve *c, tally *by_msg,
		     tally *by_hash)
{
	json_object *root, *groups;
	size_t gi, ti, ngroups, ntests;
	unsigned long declared;

	root = wy_load(name, &declared);
	groups = wy_get(root, "testGroups");
	ngroups = json_object_array_length(groups);
	for (gi = 0; gi < ngroups; gi++) {
		json_object *g = json_object_array_get_idx(groups, gi);
		json_object *tests = wy_get(g, "tests");
		CK_MECHANISM_TYPE hash = hash_mech(wy_str(g, "sha"));
		CK_RSA_PKCS_PSS_PARAMS pss = { hash, mgf_of(hash), 0 };
		CK_OBJECT_HANDLE key;
		CK_RV rv;

		if (f == FAM_PSS) {
			assert_string_equal(wy_str(g, "mgf"), "MGF1");
			pss.mgf = mgf_of(hash_mech(wy_str(g, "mgfSha")));
			pss.sLen = (CK_ULONG)json_object_get_int(wy_get(g, "sLen"));
		}
		if (f == FAM_ECDSA)
			assert_string_equal(wy_str(wy_get(g, "publicKey"), "curve"),
					    c->bits == 256   ? "secp256r1"
					    : c->bits == 384 ? "secp384r1"
							     : "secp521r1");
		ntests = json_object_array_length(tests);
		rv = make_key(f, g, c, &key);
		for (ti = 0; ti < ntests; ti++) {
			json_object *test = json_object_array_get_idx(tests, ti);

			if (rv != CKR_OK) {
				/* A refused key refuses all its signatures. */
				by_msg->keys_refused++;
				judge(by_msg, name, test, "key", CKR_SIGNATURE_INVALID);
				judge(by_hash, name, test, "key", CKR_SIGNATURE_INVALID);
				continue;
			}
			verify_test(f, hash, key, &pss, test, name, by_msg, by_hash);
		}
		if (rv == CKR_OK)
			assert_ok(p11->C_DestroyObject(s, key));
	}
	json_object_put(root);
	assert_int_equal(by_msg->tests, declared);
}

static void report(const char *name, const char *path, const tally *t)
{
	printf("%s (%s): %lu tests, %lu valid, %lu invalid, %lu acceptable: %lu passed; "
	       "valid failed %lu, invalid verified %lu, other codes %lu, keys refused %lu\n",
	       name, path, t->tests, t->valid, t->invalid, t->acceptable, t->passed,
	       t->valid_failed, t->invalid_verified, t->wrong_code, t->keys_refused);
}

static void run(const char *name, enum family f, const h_curve *c)
{
	tally by_msg, by_hash;

	memset(&by_msg, 0, sizeof(by_msg));
	memset(&by_hash, 0, sizeof(by_hash));
	run_file(name, f, c, &by_msg, &by_hash);
	report(name, "hashing mechanism", &by_msg);
	report(name, "raw mechanism", &by_hash);
	assert_true(by_msg.tests > 0);
	assert_int_equal(by_hash.tests, by_msg.tests);
	if (by_msg.valid_failed || by_msg.invalid_verified || by_hash.valid_failed ||
	    by_hash.invalid_verified)
		fail_msg("%s: valid vectors failed or invalid ones verified", name);
	if (by_msg.passed != by_msg.tests || by_hash.passed != by_hash.tests)
		fail_msg("%s: vectors answered with codes the spec does not give", name);
}

static void test_ecdsa_p256(void **state)
{
	(void)state;
	run("ecdsa_secp256r1_sha256_p1363_test.json", FAM_ECDSA, &h_curves[0]);
}

static void test_ecdsa_p384(void **state)
{
	(void)state;
	run("ecdsa_secp384r1_sha384_p1363_test.json", FAM_ECDSA, &h_curves[1]);
}

static void test_ecdsa_p521(void **state)
{
	(void)state;
	run("ecdsa_secp521r1_sha512_p1363_test.json", FAM_ECDSA, &h_curves[2]);
}

static void test_rsa_pkcs1(void **state)
{
	static const char *const files[] = {
		"rsa_signature_2048_sha256_test.json", "rsa_signature_2048_sha384_test.json",
		"rsa_signature_2048_sha512_test.json", "rsa_signature_3072_sha256_test.json",
		"rsa_signature_4096_sha256_test.json",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		run(files[i], FAM_PKCS1, NULL);
}

static void test_rsa_pss(void **state)
{
	(void)state;
	run("rsa_pss_2048_sha256_mgf1_32_test.json", FAM_PSS, NULL);
	run("rsa_pss_3072_sha256_mgf1_32_test.json", FAM_PSS, NULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ecdsa_p256, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_ecdsa_p384, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_ecdsa_p521, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_rsa_pkcs1, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_rsa_pss, setup, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
