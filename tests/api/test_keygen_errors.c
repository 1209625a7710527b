/*
 * Key-pair generation (PKCS#11 v2.40 5.14, C_GenerateKeyPair), part 2: every
 * refusal with its code, and that a refused generation leaves no object
 * behind (both halves or neither). The pairs themselves are in
 * test_keygen.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

static CK_SESSION_HANDLE user_session(void)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);

	h_login(s, CKU_USER);
	return s;
}

/* A refused generation creates neither object. */
static void gen_fails(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, const h_tmpl *pub,
		      const h_tmpl *priv, CK_RV want, CK_RV also, const char *what)
{
	CK_OBJECT_HANDLE hp, hs, found[4];
	CK_RV rv = h_gen_pair_rv(s, mech, pub, priv, &hp, &hs);

	if (rv != want && rv != also)
		fail_msg("%s: %s, expected %s", what, h_rv_name(rv), h_rv_name(want));
	assert_int_equal(h_find(s, NULL, 0, found, 4), 0);
}

static void ec_tmpl(h_tmpl *tp, h_tmpl *ts)
{
	t_init(tp);
	t_init(ts);
	t_bytes(tp, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));
}

static void rsa_tmpl(h_tmpl *tp, h_tmpl *ts, CK_ULONG bits)
{
	t_init(tp);
	t_init(ts);
	t_ulong(tp, CKA_MODULUS_BITS, bits);
}

static void test_template_errors(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	static const unsigned char *garbage[] = {
		(const unsigned char *)"\x01\x02\x03",
		(const unsigned char *)"\x06\x08\x2a\x86\x48\xce\x3d\x03\x01", /* cut short */
		(const unsigned char *)"\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07\x00",
		(const unsigned char *)"\x04\x08\x2a\x86\x48\xce\x3d\x03\x01\x07",
		(const unsigned char *)"\x06\x09\x2a\x86\x48\xce\x3d\x03\x01\x07",
		(const unsigned char *)"\x06\x00",
		(const unsigned char *)"\x06\x81\x08\x2a\x86\x48\xce\x3d\x03\x01\x07",
	};
	static const CK_ULONG garbage_len[] = { 3, 9, 11, 10, 10, 2, 11 };
	static const CK_ULONG bad_bits[] = { 0,    512,  1024, 2040, 2047,
					     2049, 2050, 4104, 8192, (CK_ULONG)-1 };
	static const CK_ATTRIBUTE_TYPE ro[] = { CKA_LOCAL, CKA_KEY_GEN_MECHANISM };
	static const CK_ATTRIBUTE_TYPE ro_priv[] = { CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE };
	h_tmpl tp, ts;
	size_t i;

	(void)state;
	/* Curves. */
	t_init(&tp);
	t_init(&ts);
	t_bytes(&tp, CKA_EC_PARAMS, k_secp256k1_oid, sizeof(k_secp256k1_oid));
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_CURVE_NOT_SUPPORTED,
		  CKR_ATTRIBUTE_VALUE_INVALID, "secp256k1");
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		t_init(&tp);
		t_bytes(&tp, CKA_EC_PARAMS, garbage[i], garbage_len[i]);
		gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_VALUE_INVALID,
			  CKR_ATTRIBUTE_VALUE_INVALID, "garbage EC parameters");
	}
	t_init(&tp);
	t_bytes(&tp, CKA_EC_PARAMS, "", 0);
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_VALUE_INVALID,
		  CKR_ATTRIBUTE_VALUE_INVALID, "empty EC parameters");
	t_init(&tp);
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_TEMPLATE_INCOMPLETE,
		  CKR_TEMPLATE_INCOMPLETE, "no CKA_EC_PARAMS");
	gen_fails(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &tp, &ts, CKR_TEMPLATE_INCOMPLETE,
		  CKR_TEMPLATE_INCOMPLETE, "no CKA_MODULUS_BITS");

	/* Modulus sizes. */
	for (i = 0; i < sizeof(bad_bits) / sizeof(bad_bits[0]); i++) {
		rsa_tmpl(&tp, &ts, bad_bits[i]);
		gen_fails(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &tp, &ts, CKR_KEY_SIZE_RANGE,
			  CKR_KEY_SIZE_RANGE, "modulus bits");
	}
	/* Row 28: 2^32 + 2048 is not 2048. */
	if (sizeof(CK_ULONG) > 4) {
		rsa_tmpl(&tp, &ts, ((CK_ULONG)1 << 32) + 2048);
		gen_fails(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &tp, &ts, CKR_KEY_SIZE_RANGE,
			  CKR_KEY_SIZE_RANGE, "2^32 + 2048 modulus bits");
	}
	t_init(&tp);
	t_bytes(&tp, CKA_MODULUS_BITS, "\x00\x08\x00\x00", 4);
	gen_fails(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_VALUE_INVALID,
		  CKR_ATTRIBUTE_VALUE_INVALID, "4-byte CKA_MODULUS_BITS");
	/* Public exponents that are no RSA exponent. */
	rsa_tmpl(&tp, &ts, 2048);
	t_bytes(&tp, CKA_PUBLIC_EXPONENT, "\x01", 1);
	gen_fails(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_VALUE_INVALID,
		  CKR_TEMPLATE_INCONSISTENT, "e = 1");
	rsa_tmpl(&tp, &ts, 2048);
	t_bytes(&tp, CKA_PUBLIC_EXPONENT, "\x01\x00\x00", 3);
	gen_fails(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_VALUE_INVALID,
		  CKR_TEMPLATE_INCONSISTENT, "even e");

	/* Attributes the token sets (v2.40 4.7, 4.9): read-only. */
	for (i = 0; i < 2; i++) {
		ec_tmpl(&tp, &ts);
		t_bool(&tp, ro[i], CK_TRUE);
		gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_READ_ONLY,
			  CKR_ATTRIBUTE_READ_ONLY, "computed attribute in the public template");
		ec_tmpl(&tp, &ts);
		t_bool(&ts, ro[i], CK_TRUE);
		gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_READ_ONLY,
			  CKR_ATTRIBUTE_READ_ONLY, "computed attribute in the private template");
		ec_tmpl(&tp, &ts);
		t_bool(&ts, ro_priv[i], CK_TRUE);
		gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_READ_ONLY,
			  CKR_ATTRIBUTE_READ_ONLY, "CKA_ALWAYS_SENSITIVE/NEVER_EXTRACTABLE");
	}
	ec_tmpl(&tp, &ts);
	t_ulong(&ts, CKA_KEY_GEN_MECHANISM, CKM_EC_KEY_PAIR_GEN);
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_READ_ONLY,
		  CKR_ATTRIBUTE_READ_ONLY, "CKA_KEY_GEN_MECHANISM");

	/* Key material the token makes. */
	ec_tmpl(&tp, &ts);
	t_bytes(&ts, CKA_VALUE, k_ec_private_value, sizeof(k_ec_private_value));
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_TEMPLATE_INCONSISTENT,
		  CKR_TEMPLATE_INCONSISTENT, "CKA_VALUE");
	ec_tmpl(&tp, &ts);
	t_bytes(&tp, CKA_EC_POINT, k_ec_point, sizeof(k_ec_point));
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_TEMPLATE_INCONSISTENT,
		  CKR_TEMPLATE_INCONSISTENT, "CKA_EC_POINT");
	rsa_tmpl(&tp, &ts, 2048);
	t_bytes(&tp, CKA_MODULUS, k_rsa_modulus, sizeof(k_rsa_modulus));
	gen_fails(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &tp, &ts, CKR_TEMPLATE_INCONSISTENT,
		  CKR_TEMPLATE_INCONSISTENT, "CKA_MODULUS");
	rsa_tmpl(&tp, &ts, 2048);
	t_bytes(&ts, CKA_PRIME_1, k_rsa_prime1, sizeof(k_rsa_prime1));
	gen_fails(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &tp, &ts, CKR_TEMPLATE_INCONSISTENT,
		  CKR_TEMPLATE_INCONSISTENT, "CKA_PRIME_1");

	/* Class and key type that contradict the mechanism. */
	ec_tmpl(&tp, &ts);
	t_ulong(&tp, CKA_CLASS, CKO_PRIVATE_KEY);
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_TEMPLATE_INCONSISTENT,
		  CKR_ATTRIBUTE_VALUE_INVALID, "private class in the public template");
	ec_tmpl(&tp, &ts);
	t_ulong(&ts, CKA_KEY_TYPE, CKK_RSA);
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_TEMPLATE_INCONSISTENT,
		  CKR_ATTRIBUTE_VALUE_INVALID, "RSA key type for EC");
	/* CKA_EC_PARAMS of another curve in the private template. */
	ec_tmpl(&tp, &ts);
	t_bytes(&ts, CKA_EC_PARAMS, k_p384_oid, sizeof(k_p384_oid));
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_TEMPLATE_INCONSISTENT,
		  CKR_ATTRIBUTE_VALUE_INVALID, "two curves");
	/* Attributes of no key of that type. */
	ec_tmpl(&tp, &ts);
	t_ulong(&tp, CKA_MODULUS_BITS, 2048);
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_TYPE_INVALID,
		  CKR_TEMPLATE_INCONSISTENT, "CKA_MODULUS_BITS for EC");
	ec_tmpl(&tp, &ts);
	t_str(&ts, CKA_VENDOR_DEFINED + 0x99, "x");
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_TYPE_INVALID,
		  CKR_ATTRIBUTE_TYPE_INVALID, "vendor attribute");

	/* The class and key type given as they are: fine (clients do). */
	{
		CK_OBJECT_HANDLE pub, priv;

		ec_tmpl(&tp, &ts);
		t_ulong(&tp, CKA_CLASS, CKO_PUBLIC_KEY);
		t_ulong(&tp, CKA_KEY_TYPE, CKK_EC);
		t_ulong(&ts, CKA_CLASS, CKO_PRIVATE_KEY);
		t_ulong(&ts, CKA_KEY_TYPE, CKK_EC);
		t_bytes(&ts, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));
		assert_ok(h_gen_pair_rv(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, &pub, &priv));
		assert_int_equal(h_get_ulong(s, pub, CKA_CLASS), CKO_PUBLIC_KEY);
		assert_int_equal(h_get_ulong(s, priv, CKA_CLASS), CKO_PRIVATE_KEY);
		h_assert_attr(s, priv, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));
		assert_int_equal(h_sign_round_trip(s, CKM_ECDSA_SHA256, pub, priv), 64);
	}
}

/*
 * Lengths no value can have (SECURITY.md row 29: over the maximum value
 * length, 2^32, past PTRDIFF_MAX, ULONG_MAX) in the two values generation
 * reads itself, CKA_PUBLIC_EXPONENT and CKA_EC_PARAMS: refused with
 * CKR_ATTRIBUTE_VALUE_INVALID before they are read. The values sit at the end
 * of a page followed by an inaccessible one, so a read past their real 16 or
 * 10 bytes faults: an all-zero exponent was read up to its stated length
 * (leading zeros skipped) before the check (found by the Frama-C harness
 * of C_GenerateKeyPair).
 */
static void gen_raw_fails(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, h_tmpl *pub, h_tmpl *priv,
			  const char *what)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	CK_OBJECT_HANDLE hp, hs, found[4];
	CK_RV rv;

	/* The templates as they are: h_gen_pair_rv would copy the values. */
	rv = p11->C_GenerateKeyPair(s, &m, pub->a, pub->n, priv->a, priv->n, &hp, &hs);
	if (rv != CKR_ATTRIBUTE_VALUE_INVALID)
		fail_msg("%s: %s, expected CKR_ATTRIBUTE_VALUE_INVALID", what, h_rv_name(rv));
	assert_int_equal(h_find(s, NULL, 0, found, 4), 0);
}

static void test_huge_value_lengths(void **state)
{
	const CK_ULONG lens[] = {
		(CK_ULONG)1 << 20,
		sizeof(CK_ULONG) > 4 ? (CK_ULONG)1 << 32 : (CK_ULONG)1 << 31,
		(CK_ULONG)PTRDIFF_MAX + 1,
		(CK_ULONG)-1,
	};
	CK_SESSION_HANDLE s = user_session();
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *map, *zeros, *oid;
	h_tmpl tp, ts;
	size_t i;

	(void)state;
	assert_true(page > 64);
	map = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, (size_t)page, PROT_NONE), 0);
	zeros = map + page - 16;
	oid = map + page - sizeof(k_p256_oid);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		rsa_tmpl(&tp, &ts, 2048);
		memset(zeros, 0, 16);
		t_raw(&tp, CKA_PUBLIC_EXPONENT, zeros, lens[i]);
		gen_raw_fails(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &tp, &ts,
			      "huge CKA_PUBLIC_EXPONENT length");
		t_init(&tp);
		memcpy(oid, k_p256_oid, sizeof(k_p256_oid));
		t_raw(&tp, CKA_EC_PARAMS, oid, lens[i]);
		gen_raw_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, "huge CKA_EC_PARAMS length");
	}
	assert_int_equal(munmap(map, 2 * (size_t)page), 0);
}

/*
 * Every entry of a generation template has its shape checked (length, NULL
 * value) before any of it is read or a key is made: a wrong-length
 * CKA_TOKEN wins over the curve the same call would refuse, and over the
 * missing CKA_VALUE_LEN C_GenerateKey would refuse.
 */
static void test_shape_before_generation(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_MECHANISM aes = { CKM_AES_KEY_GEN, NULL, 0 }, ec = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_MECHANISM_INFO info;
	CK_OBJECT_HANDLE hp, k, found[4];
	CK_ULONG four = 4;
	h_tmpl tp, ts;

	(void)state;
	t_init(&tp);
	t_init(&ts);
	t_bytes(&tp, CKA_EC_PARAMS, k_secp256k1_oid, sizeof(k_secp256k1_oid));
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_CURVE_NOT_SUPPORTED,
		  CKR_CURVE_NOT_SUPPORTED, "secp256k1, the template well formed");
	t_raw(&ts, CKA_TOKEN, &four, sizeof(four));
	gen_fails(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_ATTRIBUTE_VALUE_INVALID,
		  CKR_ATTRIBUTE_VALUE_INVALID, "secp256k1, a CK_ULONG CKA_TOKEN");
	/* As it is: h_gen_pair_rv would copy the value. */
	t_init(&ts);
	t_raw(&ts, CKA_SIGN, NULL, 1);
	assert_rv(p11->C_GenerateKeyPair(s, &ec, tp.a, tp.n, ts.a, ts.n, &hp, &k),
		  CKR_ARGUMENTS_BAD);
	assert_int_equal(h_find(s, NULL, 0, found, 4), 0);

	if (p11->C_GetMechanismInfo(h_slot, CKM_AES_KEY_GEN, &info) != CKR_OK)
		return;
	t_init(&tp);
	t_bool(&tp, CKA_ENCRYPT, CK_TRUE);
	assert_rv(p11->C_GenerateKey(s, &aes, tp.a, tp.n, &k), CKR_TEMPLATE_INCOMPLETE);
	t_raw(&tp, CKA_TOKEN, &four, sizeof(four));
	assert_rv(p11->C_GenerateKey(s, &aes, tp.a, tp.n, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(h_find(s, NULL, 0, found, 4), 0);
}

static void test_mechanism_and_session_errors(void **state)
{
	CK_SESSION_HANDLE s = user_session(), ro = h_open(h_slot, 0), pub_s;
	CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_OBJECT_HANDLE hp, hs, found[4];
	unsigned char param[4] = { 0 };
	h_tmpl tp, ts;

	(void)state;
	ec_tmpl(&tp, &ts);
	gen_fails(s, CKM_ECDSA, &tp, &ts, CKR_MECHANISM_INVALID, CKR_MECHANISM_INVALID, "ECDSA");
	gen_fails(s, CKM_AES_KEY_GEN, &tp, &ts, CKR_MECHANISM_INVALID, CKR_MECHANISM_INVALID,
		  "AES keygen");
	gen_fails(s, CKM_DSA_KEY_PAIR_GEN, &tp, &ts, CKR_MECHANISM_INVALID, CKR_MECHANISM_INVALID,
		  "DSA keygen");
	gen_fails(s, CKM_VENDOR_DEFINED + 1, &tp, &ts, CKR_MECHANISM_INVALID, CKR_MECHANISM_INVALID,
		  "vendor mechanism");
	/* A mechanism with a parameter it does not take. */
	m.pParameter = param;
	m.ulParameterLen = sizeof(param);
	assert_rv(p11->C_GenerateKeyPair(s, &m, tp.a, tp.n, ts.a, ts.n, &hp, &hs),
		  CKR_MECHANISM_PARAM_INVALID);
	m.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
	rsa_tmpl(&tp, &ts, 2048);
	assert_rv(p11->C_GenerateKeyPair(s, &m, tp.a, tp.n, ts.a, ts.n, &hp, &hs),
		  CKR_MECHANISM_PARAM_INVALID);
	m = (CK_MECHANISM){ CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	ec_tmpl(&tp, &ts);
	/* Arguments. */
	assert_rv(p11->C_GenerateKeyPair(s, NULL, tp.a, tp.n, ts.a, ts.n, &hp, &hs),
		  CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_GenerateKeyPair(s, &m, tp.a, tp.n, ts.a, ts.n, NULL, &hs),
		  CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_GenerateKeyPair(s, &m, tp.a, tp.n, ts.a, ts.n, &hp, NULL),
		  CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_GenerateKeyPair(s, &m, NULL, 1, ts.a, ts.n, &hp, &hs), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_GenerateKeyPair(s, &m, tp.a, tp.n, NULL, 2, &hp, &hs), CKR_ARGUMENTS_BAD);
	assert_int_equal(h_find(s, NULL, 0, found, 4), 0);

	/* Row 15: token objects need a R/W session. Session keys are fine in
	 * a R/O one. */
	t_bool(&tp, CKA_TOKEN, CK_TRUE);
	t_bool(&ts, CKA_TOKEN, CK_TRUE);
	gen_fails(ro, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_SESSION_READ_ONLY, CKR_SESSION_READ_ONLY,
		  "token pair in a R/O session");
	ec_tmpl(&tp, &ts);
	t_bool(&ts, CKA_TOKEN, CK_TRUE);
	gen_fails(ro, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_SESSION_READ_ONLY, CKR_SESSION_READ_ONLY,
		  "token private key in a R/O session");
	ec_tmpl(&tp, &ts);
	assert_ok(h_gen_pair_rv(ro, CKM_EC_KEY_PAIR_GEN, &tp, &ts, &hp, &hs));
	assert_int_equal(h_sign_round_trip(ro, CKM_ECDSA, hp, hs), 64);
	assert_ok(p11->C_DestroyObject(ro, hp));
	assert_ok(p11->C_DestroyObject(ro, hs));

	/* A private key (CKA_PRIVATE by default) needs the user. */
	assert_ok(p11->C_Logout(s));
	pub_s = h_open(h_slot, 1);
	ec_tmpl(&tp, &ts);
	gen_fails(pub_s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_USER_NOT_LOGGED_IN,
		  CKR_USER_NOT_LOGGED_IN, "private key without login");
	t_bool(&ts, CKA_PRIVATE, CK_TRUE);
	t_bool(&ts, CKA_TOKEN, CK_TRUE);
	gen_fails(pub_s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_USER_NOT_LOGGED_IN,
		  CKR_USER_NOT_LOGGED_IN, "private token key without login");
	rsa_tmpl(&tp, &ts, 2048);
	gen_fails(pub_s, CKM_RSA_PKCS_KEY_PAIR_GEN, &tp, &ts, CKR_USER_NOT_LOGGED_IN,
		  CKR_USER_NOT_LOGGED_IN, "RSA private key without login");
	/* The SO cannot make private objects either. */
	assert_ok(p11->C_CloseSession(ro));
	h_login(pub_s, CKU_SO);
	ec_tmpl(&tp, &ts);
	t_bool(&ts, CKA_TOKEN, CK_TRUE);
	gen_fails(pub_s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, CKR_USER_NOT_LOGGED_IN,
		  CKR_USER_NOT_LOGGED_IN, "private key as SO");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_template_errors, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_huge_value_lengths, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_shape_before_generation, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_mechanism_and_session_errors, h_setup_token,
						h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
