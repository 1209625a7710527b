/*
 * Wycheproof vectors of the symmetric, OAEP, ECDH and EdDSA mechanisms
 * through the module's PKCS#11 API (test_wycheproof.c does the ECDSA and RSA
 * signatures):
 *   aes_gcm_test.json          CKM_AES_GCM, C_Encrypt and C_Decrypt
 *   aes_cbc_pkcs5_test.json    CKM_AES_CBC_PAD, C_Encrypt and C_Decrypt
 *   aes_wrap_test.json         CKM_AES_KEY_WRAP, C_Encrypt/C_Decrypt and
 *                              C_UnwrapKey (checked by C_WrapKey back)
 *   hmac_sha256_test.json      CKM_SHA256_HMAC(_GENERAL), C_Sign and C_Verify
 *   rsa_oaep_2048_sha256_mgf1sha256_test.json  CKM_RSA_PKCS_OAEP, C_Decrypt
 *   ecdh_secp256r1_test.json   CKM_ECDH1_DERIVE (CKD_NULL), C_DeriveKey
 *   ed25519_test.json          CKM_EDDSA, C_Verify (OpenSSL backend only)
 * A valid vector must give the vector's output; an invalid one must be
 * refused with one of the codes PKCS#11 gives for it; an acceptable one
 * either. Vectors outside what the token offers by its documented policy
 * (GCM IVs over 128 bytes, HMAC-SHA256 keys under 16 bytes) must be refused
 * with exactly the policy's code and are counted apart. Every file prints a
 * tally line per path.
 */
#include <json-c/json.h>
#include <stdlib.h>

#include "harness.h"
#include "mechs.h"
#include "wycheproof.h"

/* Not a module code: the test itself refused the input (an ECDH public key
 * whose DER it does not take). */
#define WY_TEST_REFUSED (CKR_VENDOR_DEFINED | 0x7e57UL)
#define MAX_CODES 6
#define MAX_PRINTED 20

static CK_SESSION_HANDLE s;

static int setup(void **state)
{
	h_setup_token(state);
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	wy_find_vectors();
	return 0;
}

/* The outcomes of one path (one way of running a file's vectors). */
typedef struct tally {
	const char *file, *path;
	unsigned long tests, valid, invalid, acceptable;
	unsigned long valid_passed, acceptable_passed, acceptable_refused, policy;
	unsigned long valid_failed, invalid_accepted, wrong_code;
	CK_RV codes[MAX_CODES]; /* the refusals of invalid vectors, by code */
	unsigned long by_code[MAX_CODES];
} tally;

static void tally_init(tally *t, const char *file, const char *path)
{
	memset(t, 0, sizeof(*t));
	t->file = file;
	t->path = path;
}

static const char *code_name(CK_RV rv)
{
	return rv == WY_TEST_REFUSED ? "refused by the test" : h_rv_name(rv);
}

static void count_code(tally *t, CK_RV rv)
{
	size_t i;

	for (i = 0; i < MAX_CODES; i++) {
		if (t->by_code[i] == 0)
			t->codes[i] = rv;
		if (t->codes[i] == rv) {
			t->by_code[i]++;
			return;
		}
	}
	fail_msg("%s: more than %d refusal codes", t->file, MAX_CODES);
}

static int in_list(CK_RV rv, const CK_RV *list)
{
	for (; *list != CKR_OK; list++)
		if (*list == rv)
			return 1;
	return 0;
}

/*
 * One vector on one path: rv is what the module (or WY_TEST_REFUSED) said,
 * match whether the output equals the vector's when rv is CKR_OK, refusals
 * the codes that refuse the vector rightly (ending with CKR_OK), policy the
 * code the token's policy gives this vector (CKR_OK: none).
 */
static void judge(tally *t, json_object *test, CK_RV rv, int match, const CK_RV *refusals,
		  CK_RV policy)
{
	const char *result = wy_str(test, "result"), *bad = NULL;
	int refused = rv != CKR_OK && in_list(rv, refusals);

	t->tests++;
	if (policy != CKR_OK) {
		if (rv == policy)
			t->policy++;
		else
			bad = "not refused as the token's policy says";
	} else if (strcmp(result, "valid") == 0) {
		t->valid++;
		if (rv == CKR_OK && match)
			t->valid_passed++;
		else if (rv == CKR_OK)
			bad = "wrong output";
		else
			bad = "refused";
		t->valid_failed += bad != NULL;
	} else if (strcmp(result, "invalid") == 0) {
		t->invalid++;
		if (refused) {
			count_code(t, rv);
		} else if (rv == CKR_OK) {
			bad = "accepted";
			t->invalid_accepted++;
		} else {
			bad = "refused with a code PKCS#11 does not give for it";
			t->wrong_code++;
		}
	} else {
		t->acceptable++;
		if (rv == CKR_OK && match) {
			t->acceptable_passed++;
		} else if (refused) {
			t->acceptable_refused++;
		} else {
			bad = rv == CKR_OK ? "wrong output" : "refused with an unexpected code";
			t->wrong_code++;
		}
	}
	if (bad != NULL && t->valid_failed + t->invalid_accepted + t->wrong_code <= MAX_PRINTED)
		printf("  FAIL %s tcId %d (%s, %s): %s: %s [%s]\n", t->file,
		       json_object_get_int(wy_get(test, "tcId")), result, t->path, bad,
		       code_name(rv), wy_str(test, "comment"));
}

/* Prints the tally line; fails the test on any failure. */
static void report(const tally *t)
{
	char codes[256] = "";
	size_t i, used = 0;

	for (i = 0; i < MAX_CODES && t->by_code[i] > 0; i++)
		used += (size_t)snprintf(codes + used, sizeof(codes) - used, "%s%s %lu",
					 i > 0 ? ", " : "", code_name(t->codes[i]), t->by_code[i]);
	printf("%s (%s): %lu tests: valid %lu/%lu passed; invalid %lu refused (%s); "
	       "acceptable %lu (%lu passed, %lu refused); refused by policy %lu; "
	       "failures: valid %lu, invalid accepted %lu, other codes %lu\n",
	       t->file, t->path, t->tests, t->valid_passed, t->valid,
	       t->invalid - t->invalid_accepted - t->wrong_code, codes[0] ? codes : "none",
	       t->acceptable, t->acceptable_passed, t->acceptable_refused, t->policy,
	       t->valid_failed, t->invalid_accepted, t->wrong_code);
}

static void check(const tally *t)
{
	unsigned long policy_failed = t->tests - t->valid - t->invalid - t->acceptable - t->policy;

	assert_true(t->tests > 0);
	if (t->valid_failed || t->invalid_accepted)
		fail_msg("%s (%s): valid vectors failed or invalid ones accepted", t->file,
			 t->path);
	if (t->wrong_code || policy_failed)
		fail_msg("%s (%s): vectors answered with codes the spec or the policy do not give",
			 t->file, t->path);
}

static int same(const unsigned char *a, CK_ULONG alen, const unsigned char *b, CK_ULONG blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* A session secret key with this value and two usages set. */
static CK_RV secret_key(CK_KEY_TYPE type, const unsigned char *v, CK_ULONG len,
			CK_ATTRIBUTE_TYPE use1, CK_ATTRIBUTE_TYPE use2, CK_OBJECT_HANDLE *key)
{
	h_tmpl t;

	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_ulong(&t, CKA_KEY_TYPE, type);
	t_bytes(&t, CKA_VALUE, v, len);
	t_bool(&t, CKA_PRIVATE, CK_FALSE);
	t_bool(&t, use1, CK_TRUE);
	t_bool(&t, use2, CK_TRUE);
	return h_create_rv(s, &t, key);
}

static CK_RV encrypt_once(CK_MECHANISM *m, CK_OBJECT_HANDLE k, const unsigned char *in, CK_ULONG n,
			  unsigned char *out, CK_ULONG *outlen)
{
	CK_RV rv = p11->C_EncryptInit(s, m, k);

	return rv != CKR_OK ? rv : p11->C_Encrypt(s, (CK_BYTE_PTR)in, n, out, outlen);
}

static CK_RV decrypt_once(CK_MECHANISM *m, CK_OBJECT_HANDLE k, const unsigned char *in, CK_ULONG n,
			  unsigned char *out, CK_ULONG *outlen)
{
	CK_RV rv = p11->C_DecryptInit(s, m, k);

	return rv != CKR_OK ? rv : p11->C_Decrypt(s, (CK_BYTE_PTR)in, n, out, outlen);
}

static int is_valid(json_object *test)
{
	return strcmp(wy_str(test, "result"), "valid") == 0;
}

/* ---- AES-GCM and AES-CBC-PAD ---- */

/* The GCM tag lengths of PKCS#11 (v3.0 2.12.4): 4, 8 and 12 to 16 bytes. */
static int gcm_tag_ok(CK_ULONG bytes)
{
	return bytes == 4 || bytes == 8 || (bytes >= 12 && bytes <= 16);
}

static void sym_test(int gcm, json_object *g, json_object *test, tally *enc, tally *dec)
{
	static const CK_RV refusals[] = { CKR_ENCRYPTED_DATA_INVALID, CKR_ENCRYPTED_DATA_LEN_RANGE,
					  CKR_MECHANISM_PARAM_INVALID, CKR_OK };
	CK_ULONG klen, ivlen, aadlen = 0, mlen, ctlen, taglen = 0, n, cap;
	unsigned char *key = wy_unhex(wy_str(test, "key"), &klen);
	unsigned char *iv = wy_unhex(wy_str(test, "iv"), &ivlen);
	unsigned char *msg = wy_unhex(wy_str(test, "msg"), &mlen);
	unsigned char *ct = wy_unhex(wy_str(test, "ct"), &ctlen);
	unsigned char *aad = NULL, *tag = NULL, *full, *out;
	CK_GCM_PARAMS p;
	CK_MECHANISM m = { CKM_AES_CBC_PAD, iv, ivlen };
	CK_OBJECT_HANDLE k;
	CK_RV rv, policy = CKR_OK;

	if (gcm) {
		aad = wy_unhex(wy_str(test, "aad"), &aadlen);
		tag = wy_unhex(wy_str(test, "tag"), &taglen);
		assert_int_equal(taglen * 8, json_object_get_int(wy_get(g, "tagSize")));
		p = (CK_GCM_PARAMS){ iv, ivlen, ivlen * 8, aad, aadlen, taglen * 8 };
		m = (CK_MECHANISM){ CKM_AES_GCM, &p, sizeof(p) };
		/* The token takes IVs of 1..128 bytes (OpenSSL's limit). */
		if (is_valid(test) && (ivlen > 128 || !gcm_tag_ok(taglen)))
			policy = CKR_MECHANISM_PARAM_INVALID;
	}
	full = malloc(ctlen + taglen + 1);
	assert_non_null(full);
	memcpy(full, ct, ctlen);
	if (taglen > 0)
		memcpy(full + ctlen, tag, taglen);
	cap = mlen + ctlen + taglen + 32;
	out = malloc(cap);
	assert_non_null(out);
	assert_ok(secret_key(CKK_AES, key, klen, CKA_ENCRYPT, CKA_DECRYPT, &k));

	/* Encryption: valid vectors only (an invalid one's ciphertext is not
	 * what encrypting its message gives). */
	if (is_valid(test)) {
		n = cap;
		rv = encrypt_once(&m, k, msg, mlen, out, &n);
		judge(enc, test, rv, rv == CKR_OK && same(out, n, full, ctlen + taglen), refusals,
		      policy);
	}
	n = cap;
	rv = decrypt_once(&m, k, full, ctlen + taglen, out, &n);
	judge(dec, test, rv, rv == CKR_OK && same(out, n, msg, mlen), refusals, policy);
	assert_ok(p11->C_DestroyObject(s, k));
	free(key);
	free(iv);
	free(msg);
	free(ct);
	free(aad);
	free(tag);
	free(full);
	free(out);
}

static void sym_file(const char *name, int gcm)
{
	unsigned long declared;
	json_object *root = wy_load(name, &declared), *groups = wy_get(root, "testGroups");
	size_t gi, ti;
	tally enc, dec;

	tally_init(&enc, name, "C_Encrypt, valid vectors");
	tally_init(&dec, name, "C_Decrypt");
	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		json_object *g = json_object_array_get_idx(groups, gi);
		json_object *tests = wy_get(g, "tests");

		for (ti = 0; ti < json_object_array_length(tests); ti++)
			sym_test(gcm, g, json_object_array_get_idx(tests, ti), &enc, &dec);
	}
	json_object_put(root);
	report(&enc);
	report(&dec);
	assert_int_equal(dec.tests, declared);
	check(&enc);
	check(&dec);
}

static void test_aes_gcm(void **state)
{
	(void)state;
	sym_file("aes_gcm_test.json", 1);
}

static void test_aes_cbc_pad(void **state)
{
	(void)state;
	sym_file("aes_cbc_pkcs5_test.json", 0);
}

/* ---- AES key wrap ---- */

static void kw_test(json_object *test, tally *enc, tally *dec, tally *unwrap)
{
	static const CK_RV enc_refusals[] = { CKR_DATA_LEN_RANGE, CKR_OK };
	static const CK_RV dec_refusals[] = { CKR_ENCRYPTED_DATA_INVALID,
					      CKR_ENCRYPTED_DATA_LEN_RANGE, CKR_OK };
	static const CK_RV unwrap_refusals[] = { CKR_WRAPPED_KEY_INVALID, CKR_WRAPPED_KEY_LEN_RANGE,
						 CKR_OK };
	CK_MECHANISM m = { CKM_AES_KEY_WRAP, NULL, 0 };
	CK_ULONG klen, mlen, ctlen, n, cap;
	unsigned char *key = wy_unhex(wy_str(test, "key"), &klen);
	unsigned char *msg = wy_unhex(wy_str(test, "msg"), &mlen);
	unsigned char *ct = wy_unhex(wy_str(test, "ct"), &ctlen);
	unsigned char *out;
	CK_OBJECT_HANDLE kek_ed, kek_wu, k;
	int invalid = strcmp(wy_str(test, "result"), "invalid") == 0;
	CK_RV rv;
	h_tmpl t;

	cap = mlen + ctlen + 32;
	out = malloc(cap);
	assert_non_null(out);
	assert_ok(secret_key(CKK_AES, key, klen, CKA_ENCRYPT, CKA_DECRYPT, &kek_ed));
	assert_ok(secret_key(CKK_AES, key, klen, CKA_WRAP, CKA_UNWRAP, &kek_wu));

	/* C_Encrypt: the valid and acceptable vectors, and the invalid ones
	 * whose message cannot be wrapped (empty, not a multiple of 8). */
	if (!invalid || mlen == 0 || mlen % 8 != 0) {
		n = cap;
		rv = encrypt_once(&m, kek_ed, msg, mlen, out, &n);
		judge(enc, test, rv, rv == CKR_OK && same(out, n, ct, ctlen), enc_refusals, CKR_OK);
	}
	n = cap;
	rv = decrypt_once(&m, kek_ed, ct, ctlen, out, &n);
	judge(dec, test, rv, rv == CKR_OK && same(out, n, msg, mlen), dec_refusals, CKR_OK);

	/* C_UnwrapKey into a generic secret; its value (sensitive) is checked by
	 * wrapping it again with the same key. */
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	t_bool(&t, CKA_PRIVATE, CK_FALSE);
	rv = p11->C_UnwrapKey(s, &m, kek_wu, ct, ctlen, t.a, t.n, &k);
	if (rv == CKR_OK) {
		CK_RV wrv;

		n = cap;
		wrv = p11->C_WrapKey(s, &m, kek_wu, k, out, &n);
		if (wrv != CKR_OK)
			printf("  %s tcId %d: C_WrapKey of the unwrapped key: %s\n", unwrap->file,
			       json_object_get_int(wy_get(test, "tcId")), h_rv_name(wrv));
		judge(unwrap, test, rv, wrv == CKR_OK && same(out, n, ct, ctlen), unwrap_refusals,
		      CKR_OK);
		assert_ok(p11->C_DestroyObject(s, k));
	} else {
		judge(unwrap, test, rv, 0, unwrap_refusals, CKR_OK);
	}
	assert_ok(p11->C_DestroyObject(s, kek_ed));
	assert_ok(p11->C_DestroyObject(s, kek_wu));
	free(key);
	free(msg);
	free(ct);
	free(out);
}

static void test_aes_key_wrap(void **state)
{
	static const char name[] = "aes_wrap_test.json";
	unsigned long declared;
	json_object *root = wy_load(name, &declared), *groups = wy_get(root, "testGroups");
	size_t gi, ti;
	tally enc, dec, unwrap;

	(void)state;
	tally_init(&enc, name, "C_Encrypt");
	tally_init(&dec, name, "C_Decrypt");
	tally_init(&unwrap, name, "C_UnwrapKey + C_WrapKey");
	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		json_object *tests = wy_get(json_object_array_get_idx(groups, gi), "tests");

		for (ti = 0; ti < json_object_array_length(tests); ti++)
			kw_test(json_object_array_get_idx(tests, ti), &enc, &dec, &unwrap);
	}
	json_object_put(root);
	report(&enc);
	report(&dec);
	report(&unwrap);
	assert_int_equal(dec.tests, declared);
	assert_int_equal(unwrap.tests, declared);
	check(&enc);
	check(&dec);
	check(&unwrap);
}

/* ---- HMAC-SHA256 ---- */

#define HMAC_SHA256_MIN_KEY 16 /* bytes: the token's policy (half the hash) */

static void hmac_test(CK_MECHANISM *m, CK_ULONG taglen, json_object *test, tally *t)
{
	static const CK_RV refusals[] = { CKR_SIGNATURE_INVALID, CKR_SIGNATURE_LEN_RANGE, CKR_OK };
	CK_ULONG klen, mlen, vlen, n;
	unsigned char *key = wy_unhex(wy_str(test, "key"), &klen);
	unsigned char *msg = wy_unhex(wy_str(test, "msg"), &mlen);
	unsigned char *tag = wy_unhex(wy_str(test, "tag"), &vlen);
	unsigned char out[64];
	CK_OBJECT_HANDLE k;
	CK_RV rv;

	assert_int_equal(vlen, taglen);
	assert_ok(secret_key(CKK_GENERIC_SECRET, key, klen, CKA_SIGN, CKA_VERIFY, &k));
	rv = p11->C_SignInit(s, m, k);
	if (klen < HMAC_SHA256_MIN_KEY) {
		/* Below the policy's minimum: refused at the init, whatever the
		 * vector's result. */
		judge(t, test, rv, 0, refusals, CKR_KEY_SIZE_RANGE);
	} else if (rv != CKR_OK) {
		judge(t, test, rv, 0, refusals, CKR_OK);
	} else {
		int tag_equal;

		n = sizeof(out);
		assert_ok(p11->C_Sign(s, msg, mlen, out, &n));
		tag_equal = same(out, n, tag, vlen);
		rv = h_verify_rv(s, m, k, msg, mlen, tag, vlen);
		/* An invalid tag that the module computes itself is accepted. */
		if (rv != CKR_OK && tag_equal)
			rv = CKR_OK;
		judge(t, test, rv, tag_equal, refusals, CKR_OK);
	}
	assert_ok(p11->C_DestroyObject(s, k));
	free(key);
	free(msg);
	free(tag);
}

static void test_hmac_sha256(void **state)
{
	static const char name[] = "hmac_sha256_test.json";
	unsigned long declared;
	json_object *root = wy_load(name, &declared), *groups = wy_get(root, "testGroups");
	size_t gi, ti;
	tally full, general;

	(void)state;
	tally_init(&full, name, "CKM_SHA256_HMAC, full tags");
	tally_init(&general, name, "CKM_SHA256_HMAC_GENERAL");
	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		json_object *g = json_object_array_get_idx(groups, gi);
		json_object *tests = wy_get(g, "tests");
		CK_ULONG len = /* CK_MAC_GENERAL_PARAMS */
			(CK_ULONG)json_object_get_int(wy_get(g, "tagSize")) / 8;
		CK_MECHANISM hm = { CKM_SHA256_HMAC, NULL, 0 };
		CK_MECHANISM gm = { CKM_SHA256_HMAC_GENERAL, &len, sizeof(len) };

		for (ti = 0; ti < json_object_array_length(tests); ti++) {
			json_object *test = json_object_array_get_idx(tests, ti);

			if (len == 32)
				hmac_test(&hm, len, test, &full);
			hmac_test(&gm, len, test, &general);
		}
	}
	json_object_put(root);
	report(&full);
	report(&general);
	printf("%s: %lu vectors with keys under %d bytes refused with CKR_KEY_SIZE_RANGE\n", name,
	       general.policy, HMAC_SHA256_MIN_KEY);
	assert_int_equal(general.tests, declared);
	check(&full);
	check(&general);
}

/* ---- RSA-OAEP ---- */

/* An INTEGER's bytes from the vectors without the sign byte. */
static void t_integer(h_tmpl *t, CK_ATTRIBUTE_TYPE type, json_object *key, const char *field)
{
	CK_ULONG len;
	unsigned char *v = wy_unhex(wy_str(key, field), &len);
	const unsigned char *p = v;

	for (; len > 1 && *p == 0; p++)
		len--;
	t_bytes(t, type, p, len);
	free(v);
}

static void test_rsa_oaep(void **state)
{
	static const char name[] = "rsa_oaep_2048_sha256_mgf1sha256_test.json";
	static const CK_RV refusals[] = { CKR_ENCRYPTED_DATA_INVALID, CKR_ENCRYPTED_DATA_LEN_RANGE,
					  CKR_OK };
	static const struct {
		CK_ATTRIBUTE_TYPE type;
		const char *field;
	} parts[] = {
		{ CKA_MODULUS, "modulus" },
		{ CKA_PUBLIC_EXPONENT, "publicExponent" },
		{ CKA_PRIVATE_EXPONENT, "privateExponent" },
		{ CKA_PRIME_1, "prime1" },
		{ CKA_PRIME_2, "prime2" },
		{ CKA_EXPONENT_1, "exponent1" },
		{ CKA_EXPONENT_2, "exponent2" },
		{ CKA_COEFFICIENT, "coefficient" },
	};
	unsigned long declared;
	json_object *root = wy_load(name, &declared), *groups = wy_get(root, "testGroups");
	size_t gi, ti, i;
	tally dec;

	(void)state;
	tally_init(&dec, name, "C_Decrypt");
	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		json_object *g = json_object_array_get_idx(groups, gi);
		json_object *tests = wy_get(g, "tests"), *pk = wy_get(g, "privateKey");
		CK_OBJECT_HANDLE key;
		h_tmpl t;

		assert_string_equal(wy_str(g, "sha"), "SHA-256");
		assert_string_equal(wy_str(g, "mgf"), "MGF1");
		assert_string_equal(wy_str(g, "mgfSha"), "SHA-256");
		t_init(&t);
		t_ulong(&t, CKA_CLASS, CKO_PRIVATE_KEY);
		t_ulong(&t, CKA_KEY_TYPE, CKK_RSA);
		t_bool(&t, CKA_DECRYPT, CK_TRUE);
		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			t_integer(&t, parts[i].type, pk, parts[i].field);
		key = h_create(s, &t);
		for (ti = 0; ti < json_object_array_length(tests); ti++) {
			json_object *test = json_object_array_get_idx(tests, ti);
			CK_ULONG llen, mlen, ctlen, n;
			unsigned char *label = wy_unhex(wy_str(test, "label"), &llen);
			unsigned char *msg = wy_unhex(wy_str(test, "msg"), &mlen);
			unsigned char *ct = wy_unhex(wy_str(test, "ct"), &ctlen);
			unsigned char out[512];
			CK_RSA_PKCS_OAEP_PARAMS p = { CKM_SHA256, CKG_MGF1_SHA256,
						      CKZ_DATA_SPECIFIED, llen > 0 ? label : NULL,
						      llen };
			CK_MECHANISM m = { CKM_RSA_PKCS_OAEP, &p, sizeof(p) };
			CK_RV rv;

			n = sizeof(out);
			rv = decrypt_once(&m, key, ct, ctlen, out, &n);
			judge(&dec, test, rv, rv == CKR_OK && same(out, n, msg, mlen), refusals,
			      CKR_OK);
			free(label);
			free(msg);
			free(ct);
		}
		assert_ok(p11->C_DestroyObject(s, key));
	}
	json_object_put(root);
	report(&dec);
	assert_int_equal(dec.tests, declared);
	check(&dec);
}

/* ---- ECDH P-256 ---- */

/* One DER element at *p (before end): its tag, and its contents in c and
 * clen; *p moves past it. 0 if it is not DER (indefinite or long-form
 * lengths that are not the shortest, truncation, high tag numbers). */
static int der_next(const unsigned char **p, const unsigned char *end, unsigned char *tag,
		    const unsigned char **c, size_t *clen)
{
	const unsigned char *q = *p;
	size_t len, nb, i;

	if (end - q < 2)
		return 0;
	*tag = *q++;
	if ((*tag & 0x1f) == 0x1f)
		return 0;
	len = *q++;
	if (len & 0x80) {
		nb = len & 0x7f;
		if (nb == 0 || nb > sizeof(size_t) || (size_t)(end - q) < nb || *q == 0)
			return 0;
		for (len = 0, i = 0; i < nb; i++)
			len = len << 8 | *q++;
		if (len < 0x80)
			return 0;
	}
	if ((size_t)(end - q) < len)
		return 0;
	*c = q;
	*clen = len;
	*p = q + len;
	return 1;
}

enum spki { SPKI_P256, SPKI_OTHER_CURVE, SPKI_EXPLICIT, SPKI_BAD };

/*
 * The point of a SubjectPublicKeyInfo of an EC key (RFC 5480): in pt and
 * ptlen unless SPKI_BAD. SPKI_OTHER_CURVE: a named curve that is not P-256
 * (the point still goes to the module, which must refuse it);
 * SPKI_EXPLICIT: explicit curve parameters, which the test does not take.
 */
static enum spki spki_point(const unsigned char *der, size_t len, const unsigned char **pt,
			    size_t *ptlen)
{
	static const unsigned char ec_public_key[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
	const unsigned char *p = der, *end = der + len, *seq, *alg, *a, *aend, *oid, *bits, *param;
	size_t seqlen, alglen, oidlen, bitslen;
	unsigned char tag;

	if (!der_next(&p, end, &tag, &seq, &seqlen) || tag != 0x30 || p != end)
		return SPKI_BAD;
	p = seq;
	end = seq + seqlen;
	if (!der_next(&p, end, &tag, &alg, &alglen) || tag != 0x30)
		return SPKI_BAD;
	if (!der_next(&p, end, &tag, &bits, &bitslen) || tag != 0x03 || p != end)
		return SPKI_BAD;
	if (bitslen < 2 || bits[0] != 0)
		return SPKI_BAD;
	a = alg;
	aend = alg + alglen;
	if (!der_next(&a, aend, &tag, &oid, &oidlen) || tag != 0x06 ||
	    !same(oid, oidlen, ec_public_key, sizeof(ec_public_key)))
		return SPKI_BAD;
	param = a;
	if (!der_next(&a, aend, &tag, &oid, &oidlen) || a != aend)
		return SPKI_BAD;
	*pt = bits + 1;
	*ptlen = bitslen - 1;
	if (tag != 0x06)
		return SPKI_EXPLICIT;
	return same(param, (CK_ULONG)(a - param), h_curves[0].oid, h_curves[0].oid_len)
		       ? SPKI_P256
		       : SPKI_OTHER_CURVE;
}

static void ecdh_test(json_object *test, tally *t, unsigned long *by_kind)
{
	static const CK_RV refusals[] = { CKR_MECHANISM_PARAM_INVALID, WY_TEST_REFUSED, CKR_OK };
	CK_ULONG dlen, publen, zlen, n = 0;
	unsigned char *d = wy_unhex(wy_str(test, "private"), &dlen);
	unsigned char *pub = wy_unhex(wy_str(test, "public"), &publen);
	unsigned char *z = wy_unhex(wy_str(test, "shared"), &zlen);
	unsigned char value[32] = { 0 }, got[128];
	const unsigned char *dp = d, *pt = NULL;
	size_t ptlen = 0;
	enum spki kind = spki_point(pub, publen, &pt, &ptlen);
	CK_OBJECT_HANDLE priv, k;
	CK_RV rv = WY_TEST_REFUSED;
	h_tmpl tt;

	by_kind[kind]++;
	/* The private value as the INTEGER's bytes: 32 bytes, big-endian. */
	for (; dlen > 1 && *dp == 0; dp++)
		dlen--;
	assert_true(dlen <= sizeof(value));
	memcpy(value + sizeof(value) - dlen, dp, dlen);
	if (kind == SPKI_P256 || kind == SPKI_OTHER_CURVE) {
		CK_ECDH1_DERIVE_PARAMS p = { CKD_NULL, 0, NULL, (CK_ULONG)ptlen, (CK_BYTE_PTR)pt };
		CK_MECHANISM m = { CKM_ECDH1_DERIVE, &p, sizeof(p) };

		t_init(&tt);
		t_ulong(&tt, CKA_CLASS, CKO_PRIVATE_KEY);
		t_ulong(&tt, CKA_KEY_TYPE, CKK_EC);
		t_bytes(&tt, CKA_EC_PARAMS, h_curves[0].oid, h_curves[0].oid_len);
		t_bytes(&tt, CKA_VALUE, value, sizeof(value));
		t_bool(&tt, CKA_DERIVE, CK_TRUE);
		priv = h_create(s, &tt);
		t_init(&tt);
		t_ulong(&tt, CKA_CLASS, CKO_SECRET_KEY);
		t_ulong(&tt, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
		t_bool(&tt, CKA_SENSITIVE, CK_FALSE);
		t_bool(&tt, CKA_EXTRACTABLE, CK_TRUE);
		rv = p11->C_DeriveKey(s, &m, priv, tt.a, tt.n, &k);
		if (rv == CKR_OK) {
			n = h_get_bytes(s, k, CKA_VALUE, got, sizeof(got));
			assert_ok(p11->C_DestroyObject(s, k));
		}
		assert_ok(p11->C_DestroyObject(s, priv));
	}
	judge(t, test, rv, rv == CKR_OK && same(got, n, z, zlen), refusals, CKR_OK);
	free(d);
	free(pub);
	free(z);
}

static void test_ecdh_p256(void **state)
{
	static const char name[] = "ecdh_secp256r1_test.json";
	unsigned long declared, by_kind[4] = { 0 };
	json_object *root = wy_load(name, &declared), *groups = wy_get(root, "testGroups");
	size_t gi, ti;
	tally t;

	(void)state;
	tally_init(&t, name, "C_DeriveKey");
	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		json_object *g = json_object_array_get_idx(groups, gi);
		json_object *tests = wy_get(g, "tests");

		assert_string_equal(wy_str(g, "curve"), "secp256r1");
		assert_string_equal(wy_str(g, "encoding"), "asn");
		for (ti = 0; ti < json_object_array_length(tests); ti++)
			ecdh_test(json_object_array_get_idx(tests, ti), &t, by_kind);
	}
	json_object_put(root);
	report(&t);
	printf("%s: public keys: %lu on P-256, %lu on another named curve (sent to the "
	       "module), %lu with explicit parameters and %lu not DER (refused by the test)\n",
	       name, by_kind[SPKI_P256], by_kind[SPKI_OTHER_CURVE], by_kind[SPKI_EXPLICIT],
	       by_kind[SPKI_BAD]);
	assert_int_equal(t.tests, declared);
	check(&t);
}

/* ---- Ed25519 ---- */

static void test_ed25519(void **state)
{
#ifdef IOTOKEN_TEST_NO_ED25519
	(void)state;
	skip(); /* Ed25519 is the OpenSSL backend's only */
#else
	static const char name[] = "ed25519_test.json";
	static const unsigned char oid_ed25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
	static const CK_RV refusals[] = { CKR_SIGNATURE_INVALID, CKR_SIGNATURE_LEN_RANGE, CKR_OK };
	unsigned long declared, keys_refused = 0;
	json_object *root = wy_load(name, &declared), *groups = wy_get(root, "testGroups");
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
	size_t gi, ti;
	tally t;

	(void)state;
	tally_init(&t, name, "C_Verify");
	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		json_object *g = json_object_array_get_idx(groups, gi);
		json_object *tests = wy_get(g, "tests");
		CK_ULONG pklen;
		unsigned char *pk = wy_unhex(wy_str(wy_get(g, "publicKey"), "pk"), &pklen), der[40];
		CK_OBJECT_HANDLE key;
		CK_RV krv;
		h_tmpl kt;

		assert_true(pklen <= 32);
		t_init(&kt);
		t_ulong(&kt, CKA_CLASS, CKO_PUBLIC_KEY);
		t_ulong(&kt, CKA_KEY_TYPE, CKK_EC_EDWARDS);
		t_bytes(&kt, CKA_EC_PARAMS, oid_ed25519, sizeof(oid_ed25519));
		t_bytes(&kt, CKA_EC_POINT, der, h_point_der(pk, pklen, der));
		t_bool(&kt, CKA_VERIFY, CK_TRUE);
		krv = h_create_rv(s, &kt, &key);
		if (krv != CKR_OK && krv != CKR_ATTRIBUTE_VALUE_INVALID)
			fail_msg("C_CreateObject of a vector key: %s", h_rv_name(krv));
		for (ti = 0; ti < json_object_array_length(tests); ti++) {
			json_object *test = json_object_array_get_idx(tests, ti);
			CK_ULONG mlen, slen;
			unsigned char *msg = wy_unhex(wy_str(test, "msg"), &mlen);
			unsigned char *sig = wy_unhex(wy_str(test, "sig"), &slen);

			if (krv != CKR_OK) {
				/* A refused key refuses all its signatures. */
				keys_refused++;
				judge(&t, test, CKR_SIGNATURE_INVALID, 0, refusals, CKR_OK);
			} else {
				judge(&t, test, h_verify_rv(s, &m, key, msg, mlen, sig, slen), 1,
				      refusals, CKR_OK);
			}
			free(msg);
			free(sig);
		}
		if (krv == CKR_OK)
			assert_ok(p11->C_DestroyObject(s, key));
		free(pk);
	}
	json_object_put(root);
	report(&t);
	printf("%s: %lu vectors of keys C_CreateObject refused\n", name, keys_refused);
	assert_int_equal(t.tests, declared);
	check(&t);
#endif
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_aes_gcm, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_aes_cbc_pad, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_aes_key_wrap, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_hmac_sha256, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_rsa_oaep, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_ecdh_p256, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_ed25519, setup, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
