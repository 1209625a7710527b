/*
 * Ed25519 (PKCS#11 3.0 CKK_EC_EDWARDS, CKM_EC_EDWARDS_KEY_PAIR_GEN,
 * CKM_EDDSA): key generation with each name of the curve, RFC 8032's known
 * answers through an imported key, single- and multi-part signing,
 * verification failures, parameters and key checks. Built only with the
 * OpenSSL backend (tests/CMakeLists.txt): mbedTLS 2.28 has no Ed25519.
 */
#include <stdlib.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

static const unsigned char oid_ed25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const unsigned char name_ed25519[] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r',
					      'd',  's',  '2', '5', '5', '1', '9' };
static const unsigned char name_ed448[] = { 0x13, 0x0a, 'e', 'd', 'w', 'a',
					    'r',  'd',  's', '4', '4', '8' };

typedef struct {
	CK_BBOOL phFlag;
	CK_ULONG ulContextDataLen;
	CK_BYTE_PTR pContextData;
} eddsa_params;

static CK_RV gen(CK_SESSION_HANDLE s, const unsigned char *params, CK_ULONG len,
		 CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	h_tmpl pt, st;

	t_init(&pt);
	t_bytes(&pt, CKA_EC_PARAMS, params, len);
	t_init(&st);
	return h_gen_pair_rv(s, CKM_EC_EDWARDS_KEY_PAIR_GEN, &pt, &st, pub, priv);
}

static void test_generate(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
	CK_OBJECT_HANDLE pub, priv;
	unsigned char point[64], params[32], sig[64], spki[64];
	CK_ULONG n;

	(void)state;
	h_login(s, CKU_USER);
	assert_ok(gen(s, name_ed25519, sizeof(name_ed25519), &pub, &priv));
	n = h_get_bytes(s, pub, CKA_EC_POINT, point, sizeof(point));
	assert_int_equal(n, 34);
	assert_int_equal(point[0], 0x04);
	assert_int_equal(point[1], 32);
	assert_int_equal(h_get_bytes(s, priv, CKA_EC_PARAMS, params, sizeof(params)),
			 sizeof(name_ed25519));
	assert_memory_equal(params, name_ed25519, sizeof(name_ed25519));
	assert_int_equal(h_get_ulong(s, priv, CKA_KEY_TYPE), CKK_EC_EDWARDS);
	assert_int_equal(h_get_ulong(s, pub, CKA_KEY_GEN_MECHANISM), CKM_EC_EDWARDS_KEY_PAIR_GEN);
	assert_true(h_get_bool(s, priv, CKA_ALWAYS_SENSITIVE));
	/* RFC 8410 SubjectPublicKeyInfo, the same point. */
	n = h_get_bytes(s, pub, CKA_PUBLIC_KEY_INFO, spki, sizeof(spki));
	assert_int_equal(n, 44);
	assert_memory_equal(spki + 12, point + 2, 32);
	n = h_sign_round_trip(s, CKM_EDDSA, pub, priv);
	assert_int_equal(n, 64);
	/* The RFC 8410 OID names it too. */
	assert_ok(gen(s, oid_ed25519, sizeof(oid_ed25519), &pub, &priv));
	n = h_sign(s, &m, priv, "abc", 3, sig, sizeof(sig));
	assert_ok(h_verify_rv(s, &m, pub, "abc", 3, sig, n));
	/* Other curves and other bytes. */
	assert_rv(gen(s, name_ed448, sizeof(name_ed448), &pub, &priv), CKR_CURVE_NOT_SUPPORTED);
	assert_rv(gen(s, h_curves[0].oid, h_curves[0].oid_len, &pub, &priv),
		  CKR_CURVE_NOT_SUPPORTED);
	assert_rv(gen(s, (const unsigned char *)"\x30\x00", 2, &pub, &priv),
		  CKR_ATTRIBUTE_VALUE_INVALID);
	{
		h_tmpl pt, st;

		t_init(&pt);
		t_init(&st);
		assert_rv(h_gen_pair_rv(s, CKM_EC_EDWARDS_KEY_PAIR_GEN, &pt, &st, &pub, &priv),
			  CKR_TEMPLATE_INCOMPLETE);
	}
}

/* RFC 8032 7.1 TEST 1 and TEST 3: imported seed, derived public key, the
 * exact signatures (Ed25519 is deterministic). */
static void test_rfc8032(void **state)
{
	static const struct {
		const char *seed, *pub, *msg, *sig;
	} v[] = {
		{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
		  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
		  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
		{ "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
		  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
		  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
		  "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
	};
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
	eddsa_params p = { CK_FALSE, 0, NULL };
	size_t i;

	(void)state;
	h_login(s, CKU_USER);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned char seed[32], pub[32], msg[8], want[64], sig[64], point[40];
		size_t mlen = strlen(v[i].msg) / 2;
		CK_OBJECT_HANDLE priv, pubh;
		CK_ULONG n;
		h_tmpl t;

		h_unhex(v[i].seed, seed, sizeof(seed));
		h_unhex(v[i].pub, pub, sizeof(pub));
		if (mlen > 0)
			h_unhex(v[i].msg, msg, sizeof(msg));
		h_unhex(v[i].sig, want, sizeof(want));
		t_init(&t);
		t_ulong(&t, CKA_CLASS, CKO_PRIVATE_KEY);
		t_ulong(&t, CKA_KEY_TYPE, CKK_EC_EDWARDS);
		t_bytes(&t, CKA_EC_PARAMS, oid_ed25519, sizeof(oid_ed25519));
		t_bytes(&t, CKA_VALUE, seed, sizeof(seed));
		priv = h_create(s, &t);
		/* The public key is derived and stored as DER. */
		n = h_get_bytes(s, priv, CKA_EC_POINT, point, sizeof(point));
		assert_int_equal(n, 34);
		assert_memory_equal(point + 2, pub, 32);
		n = h_sign(s, &m, priv, msg, (CK_ULONG)mlen, sig, sizeof(sig));
		assert_int_equal(n, 64);
		assert_memory_equal(sig, want, 64);
		/* The public key imported raw (32 bytes) verifies it; with
		 * CK_EDDSA_PARAMS of PureEdDSA too. */
		t_init(&t);
		t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
		t_ulong(&t, CKA_KEY_TYPE, CKK_EC_EDWARDS);
		t_bytes(&t, CKA_EC_PARAMS, name_ed25519, sizeof(name_ed25519));
		t_bytes(&t, CKA_EC_POINT, pub, sizeof(pub));
		pubh = h_create(s, &t);
		assert_ok(h_verify_rv(s, &m, pubh, msg, (CK_ULONG)mlen, want, 64));
		{
			CK_MECHANISM mp = { CKM_EDDSA, &p, sizeof(p) };

			assert_ok(h_verify_rv(s, &mp, pubh, msg, (CK_ULONG)mlen, want, 64));
		}
		want[63] ^= 0x10;
		assert_rv(h_verify_rv(s, &m, pubh, msg, (CK_ULONG)mlen, want, 64),
			  CKR_SIGNATURE_INVALID);
		assert_rv(h_verify_rv(s, &m, pubh, msg, (CK_ULONG)mlen, want, 63),
			  CKR_SIGNATURE_LEN_RANGE);
		/* A different public key given with the seed is refused. */
		t_init(&t);
		t_ulong(&t, CKA_CLASS, CKO_PRIVATE_KEY);
		t_ulong(&t, CKA_KEY_TYPE, CKK_EC_EDWARDS);
		t_bytes(&t, CKA_EC_PARAMS, oid_ed25519, sizeof(oid_ed25519));
		t_bytes(&t, CKA_VALUE, seed, sizeof(seed));
		pub[0] ^= 1;
		t_bytes(&t, CKA_EC_POINT, pub, sizeof(pub));
		assert_rv(h_create_rv(s, &t, &priv), CKR_TEMPLATE_INCONSISTENT);
	}
}

static void test_multipart_and_checks(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 }, ecdsa = { CKM_ECDSA, NULL, 0 };
	eddsa_params ph = { CK_TRUE, 0, NULL }, ctx = { CK_FALSE, 3, (CK_BYTE_PTR) "ctx" };
	CK_OBJECT_HANDLE pub, priv, ecpub, ecpriv;
	unsigned char *msg = malloc(5000), one[64], parts[64], bad[32];
	CK_ULONG n, i;
	h_tmpl t;

	(void)state;
	assert_non_null(msg);
	for (i = 0; i < 5000; i++)
		msg[i] = (unsigned char)(i * 31);
	h_login(s, CKU_USER);
	assert_ok(gen(s, oid_ed25519, sizeof(oid_ed25519), &pub, &priv));
	h_gen_ec(s, &h_curves[0], CK_FALSE, &ecpub, &ecpriv);
	/* A message longer than any buffer of the raw mechanisms, in one call
	 * and in parts: the same signature. */
	n = h_sign(s, &m, priv, msg, 5000, one, sizeof(one));
	assert_int_equal(n, 64);
	n = h_sign_parts(s, &m, priv, msg, 5000, 333, parts, sizeof(parts));
	assert_int_equal(n, 64);
	assert_memory_equal(one, parts, 64);
	assert_ok(h_verify_rv(s, &m, pub, msg, 5000, one, 64));
	msg[4999] ^= 1;
	assert_rv(h_verify_rv(s, &m, pub, msg, 5000, one, 64), CKR_SIGNATURE_INVALID);
	/* Ed25519ph and Ed25519ctx are not offered. */
	m.pParameter = &ph;
	m.ulParameterLen = sizeof(ph);
	assert_rv(p11->C_SignInit(s, &m, priv), CKR_MECHANISM_PARAM_INVALID);
	m.pParameter = &ctx;
	assert_rv(p11->C_SignInit(s, &m, priv), CKR_MECHANISM_PARAM_INVALID);
	m.pParameter = NULL;
	m.ulParameterLen = 0;
	/* Keys of the other kind. */
	assert_rv(p11->C_SignInit(s, &m, ecpriv), CKR_KEY_TYPE_INCONSISTENT);
	assert_rv(p11->C_SignInit(s, &ecdsa, priv), CKR_KEY_TYPE_INCONSISTENT);
	assert_rv(p11->C_VerifyInit(s, &m, priv), CKR_KEY_TYPE_INCONSISTENT);
	/* A public key that is no point: y = p (not reduced), and y = 2 (no
	 * x solves the curve equation for it). */
	memset(bad, 0xff, sizeof(bad));
	bad[0] = 0xed;
	bad[31] = 0x7f;
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_EC_EDWARDS);
	t_bytes(&t, CKA_EC_PARAMS, oid_ed25519, sizeof(oid_ed25519));
	t_bytes(&t, CKA_EC_POINT, bad, sizeof(bad));
	assert_rv(h_create_rv(s, &t, &pub), CKR_ATTRIBUTE_VALUE_INVALID);
	memset(bad, 0, sizeof(bad));
	bad[0] = 2;
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_EC_EDWARDS);
	t_bytes(&t, CKA_EC_PARAMS, oid_ed25519, sizeof(oid_ed25519));
	t_bytes(&t, CKA_EC_POINT, bad, sizeof(bad));
	assert_rv(h_create_rv(s, &t, &pub), CKR_ATTRIBUTE_VALUE_INVALID);
	/* A seed of the wrong length. */
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PRIVATE_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_EC_EDWARDS);
	t_bytes(&t, CKA_EC_PARAMS, oid_ed25519, sizeof(oid_ed25519));
	t_bytes(&t, CKA_VALUE, bad, 31);
	assert_rv(h_create_rv(s, &t, &priv), CKR_ATTRIBUTE_VALUE_INVALID);
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generate, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_rfc8032, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_multipart_and_checks, h_setup_token,
						h_teardown),
	};

	h_load();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
