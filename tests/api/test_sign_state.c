/*
 * Signing and verification (PKCS#11 v2.40 5.11, 5.13), part 2: the operation
 * state machine and the error codes. The two-call convention (SECURITY.md row
 * 25), termination on every other outcome (rows 26, 37), keys destroyed or
 * sessions closed during an operation (row 27), key usage attributes,
 * CKA_ALLOWED_MECHANISMS, mechanism parameters, data and signature lengths
 * (rows 28, 29). Round trips are in test_sign.c.
 */
#include <stdlib.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

static CK_SESSION_HANDLE s;
static CK_OBJECT_HANDLE ec_pub, ec_priv, rsa_pub, rsa_priv;
static unsigned char msg[300];

static int setup(void **state)
{
	size_t i;

	h_setup_token(state);
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	h_gen_ec(s, &h_curves[0], CK_FALSE, &ec_pub, &ec_priv);
	h_import_rsa(s, &rsa_pub, &rsa_priv);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)(i * 7 + 1);
	return 0;
}

static CK_RV sign_call(int final, CK_BYTE_PTR sig, CK_ULONG_PTR len)
{
	if (final)
		return p11->C_SignFinal(s, sig, len);
	return p11->C_Sign(s, msg, sizeof(msg), sig, len);
}

/* The sign operation of s is over: both calls say so. */
static void assert_sign_ended(void)
{
	unsigned char sig[600];
	CK_ULONG n = sizeof(sig);

	assert_rv(p11->C_Sign(s, msg, 10, sig, &n), CKR_OPERATION_NOT_INITIALIZED);
	assert_rv(p11->C_SignUpdate(s, msg, 10), CKR_OPERATION_NOT_INITIALIZED);
	assert_rv(p11->C_SignFinal(s, sig, &n), CKR_OPERATION_NOT_INITIALIZED);
}

static void assert_verify_ended(void)
{
	unsigned char sig[256] = { 0 };

	assert_rv(p11->C_Verify(s, msg, 10, sig, 64), CKR_OPERATION_NOT_INITIALIZED);
	assert_rv(p11->C_VerifyUpdate(s, msg, 10), CKR_OPERATION_NOT_INITIALIZED);
	assert_rv(p11->C_VerifyFinal(s, sig, 64), CKR_OPERATION_NOT_INITIALIZED);
}

/* Rows 25/26: NULL buffer, too small (twice), then the real call; the
 * operation stays active until that and nothing is written past *len. */
static void two_call(CK_MECHANISM *m, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub, CK_ULONG want,
		     int final)
{
	unsigned char buf[600];
	CK_ULONG n;
	size_t i;

	assert_ok(p11->C_SignInit(s, m, priv));
	if (final) {
		assert_ok(p11->C_SignUpdate(s, msg, 100));
		assert_ok(p11->C_SignUpdate(s, msg + 100, sizeof(msg) - 100));
	}
	n = 0;
	assert_ok(sign_call(final, NULL, &n));
	assert_int_equal(n, want);
	n = 99999;
	assert_ok(sign_call(final, NULL, &n));
	assert_int_equal(n, want);
	memset(buf, 0xCC, sizeof(buf));
	n = want - 1;
	assert_rv(sign_call(final, buf, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, want);
	n = 1;
	assert_rv(sign_call(final, buf, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, want);
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xCC);
	n = sizeof(buf);
	assert_ok(sign_call(final, buf, &n));
	assert_int_equal(n, want);
	for (i = want; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xCC);
	assert_sign_ended();
	assert_ok(h_verify_rv(s, m, pub, msg, sizeof(msg), buf, n));
	/* Exactly the size needed is enough. */
	assert_ok(p11->C_SignInit(s, m, priv));
	if (final)
		assert_ok(p11->C_SignUpdate(s, msg, sizeof(msg)));
	n = want;
	assert_ok(sign_call(final, buf, &n));
	assert_int_equal(n, want);
	assert_ok(h_verify_rv(s, m, pub, msg, sizeof(msg), buf, n));
}

static void test_two_call(void **state)
{
	CK_MECHANISM ec = { CKM_ECDSA_SHA256, NULL, 0 }, rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_RSA_PKCS_PSS_PARAMS p = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	CK_MECHANISM pss = { CKM_SHA256_RSA_PKCS_PSS, &p, sizeof(p) };
	int final;

	(void)state;
	for (final = 0; final < 2; final++) {
		two_call(&ec, ec_priv, ec_pub, 64, final);
		two_call(&rsa, rsa_priv, rsa_pub, 256, final);
		two_call(&pss, rsa_priv, rsa_pub, 256, final);
	}
}

static void test_operation_state(void **state)
{
	CK_MECHANISM ec = { CKM_ECDSA_SHA256, NULL, 0 }, rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char sig[600];
	CK_ULONG n;

	(void)state;
	assert_sign_ended();
	assert_verify_ended();

	/* Row 37: single-part after an update is refused, the operation goes
	 * on and C_SignFinal signs everything updated. */
	assert_ok(p11->C_SignInit(s, &ec, ec_priv));
	assert_ok(p11->C_SignUpdate(s, msg, 100));
	n = sizeof(sig);
	assert_rv(p11->C_Sign(s, msg, 100, sig, &n), CKR_OPERATION_ACTIVE);
	assert_ok(p11->C_SignUpdate(s, msg + 100, sizeof(msg) - 100));
	n = sizeof(sig);
	assert_ok(p11->C_SignFinal(s, sig, &n));
	assert_ok(h_verify_rv(s, &ec, ec_pub, msg, sizeof(msg), sig, n));
	assert_sign_ended();

	/* Row 26: C_SignInit during an operation; the first still works. */
	assert_ok(p11->C_SignInit(s, &ec, ec_priv));
	assert_rv(p11->C_SignInit(s, &rsa, rsa_priv), CKR_OPERATION_ACTIVE);
	n = sizeof(sig);
	assert_ok(p11->C_Sign(s, msg, sizeof(msg), sig, &n));
	assert_int_equal(n, 64);
	assert_ok(h_verify_rv(s, &ec, ec_pub, msg, sizeof(msg), sig, n));

	/* The same on the verify side. */
	assert_ok(p11->C_VerifyInit(s, &ec, ec_pub));
	assert_rv(p11->C_VerifyInit(s, &rsa, rsa_pub), CKR_OPERATION_ACTIVE);
	assert_ok(p11->C_VerifyUpdate(s, msg, 10));
	assert_rv(p11->C_Verify(s, msg, sizeof(msg), sig, n), CKR_OPERATION_ACTIVE);
	assert_ok(p11->C_VerifyUpdate(s, msg + 10, sizeof(msg) - 10));
	assert_ok(p11->C_VerifyFinal(s, sig, n));
	assert_verify_ended();

	/* Row 37: CKR_ARGUMENTS_BAD ends the operation. */
	assert_ok(p11->C_SignInit(s, &ec, ec_priv));
	assert_rv(p11->C_Sign(s, msg, sizeof(msg), sig, NULL), CKR_ARGUMENTS_BAD);
	assert_sign_ended();
	assert_ok(p11->C_SignInit(s, &ec, ec_priv));
	n = sizeof(sig);
	assert_rv(p11->C_Sign(s, NULL, 10, sig, &n), CKR_ARGUMENTS_BAD);
	assert_sign_ended();
	assert_ok(p11->C_SignInit(s, &ec, ec_priv));
	assert_ok(p11->C_SignUpdate(s, msg, 10));
	assert_rv(p11->C_SignFinal(s, sig, NULL), CKR_ARGUMENTS_BAD);
	assert_sign_ended();
	assert_ok(p11->C_SignInit(s, &ec, ec_priv));
	assert_rv(p11->C_SignUpdate(s, NULL, 10), CKR_ARGUMENTS_BAD);
	assert_sign_ended();
	assert_ok(p11->C_VerifyInit(s, &ec, ec_pub));
	assert_rv(p11->C_Verify(s, msg, 10, NULL, 64), CKR_ARGUMENTS_BAD);
	assert_verify_ended();
	assert_ok(p11->C_VerifyInit(s, &ec, ec_pub));
	assert_rv(p11->C_VerifyUpdate(s, NULL, 10), CKR_ARGUMENTS_BAD);
	assert_verify_ended();
	assert_ok(p11->C_VerifyInit(s, &ec, ec_pub));
	assert_rv(p11->C_Verify(s, NULL, 10, sig, 64), CKR_ARGUMENTS_BAD);
	assert_verify_ended();
	assert_rv(p11->C_SignInit(s, NULL, ec_priv), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_VerifyInit(s, NULL, ec_pub), CKR_ARGUMENTS_BAD);
	assert_sign_ended();
	assert_verify_ended();
}

/* An init that fails starts nothing. */
static void init_fails(CK_MECHANISM *m, CK_OBJECT_HANDLE key, int verify, CK_RV want)
{
	CK_RV rv = verify ? p11->C_VerifyInit(s, m, key) : p11->C_SignInit(s, m, key);

	if (rv != want)
		fail_msg("%s(mechanism 0x%lx, key %lu): %s, expected %s",
			 verify ? "C_VerifyInit" : "C_SignInit", (unsigned long)m->mechanism,
			 (unsigned long)key, h_rv_name(rv), h_rv_name(want));
	if (verify)
		assert_verify_ended();
	else
		assert_sign_ended();
}

static void test_init_errors(void **state)
{
	CK_MECHANISM ec = { CKM_ECDSA_SHA256, NULL, 0 }, rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM raw = { CKM_ECDSA, NULL, 0 }, m;
	CK_RSA_PKCS_PSS_PARAMS p = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	CK_MECHANISM pss = { CKM_SHA256_RSA_PKCS_PSS, &p, sizeof(p) };
	static const CK_MECHANISM_TYPE not_sig[] = {
		CKM_SHA256,    CKM_EC_KEY_PAIR_GEN, CKM_RSA_PKCS_KEY_PAIR_GEN,  CKM_MD5_RSA_PKCS,
		CKM_RSA_X_509, CKM_AES_ECB,         CKM_VENDOR_DEFINED + 0x4242
	};
	CK_OBJECT_HANDLE secret, data;
	unsigned char param[8] = { 0 };
	CK_RV rv;
	h_tmpl t;
	size_t i;
	int v;

	(void)state;
	t_init(&t);
	k_secret(&t, CKK_GENERIC_SECRET, 32);
	t_bool(&t, CKA_SIGN, CK_TRUE);
	t_bool(&t, CKA_VERIFY, CK_TRUE);
	secret = h_create(s, &t);
	data = h_data(s, "not a key", CK_FALSE, CK_FALSE);
	for (v = 0; v < 2; v++) {
		CK_OBJECT_HANDLE ec_key = v ? ec_pub : ec_priv, rsa_key = v ? rsa_pub : rsa_priv;

		/* Row 37: a bad key handle. */
		init_fails(&ec, 0x7fff1234, v, CKR_KEY_HANDLE_INVALID);
		init_fails(&ec, CK_INVALID_HANDLE, v, CKR_KEY_HANDLE_INVALID);
		/* The other half of the pair, the other key type, a secret. */
		init_fails(&ec, v ? ec_priv : ec_pub, v, CKR_KEY_TYPE_INCONSISTENT);
		init_fails(&rsa, v ? rsa_priv : rsa_pub, v, CKR_KEY_TYPE_INCONSISTENT);
		init_fails(&ec, rsa_key, v, CKR_KEY_TYPE_INCONSISTENT);
		init_fails(&raw, rsa_key, v, CKR_KEY_TYPE_INCONSISTENT);
		init_fails(&rsa, ec_key, v, CKR_KEY_TYPE_INCONSISTENT);
		init_fails(&pss, ec_key, v, CKR_KEY_TYPE_INCONSISTENT);
		init_fails(&ec, secret, v, CKR_KEY_TYPE_INCONSISTENT);
		rv = v ? p11->C_VerifyInit(s, &ec, data) : p11->C_SignInit(s, &ec, data);
		if (rv != CKR_KEY_TYPE_INCONSISTENT && rv != CKR_KEY_HANDLE_INVALID)
			fail_msg("init with a data object: %s", h_rv_name(rv));
		/* Mechanisms that do not sign. */
		for (i = 0; i < sizeof(not_sig) / sizeof(not_sig[0]); i++) {
			m = (CK_MECHANISM){ not_sig[i], NULL, 0 };
			init_fails(&m, ec_key, v, CKR_MECHANISM_INVALID);
			init_fails(&m, rsa_key, v, CKR_MECHANISM_INVALID);
		}
		/* Row 37: parameters where the mechanism takes none. */
		m = (CK_MECHANISM){ CKM_ECDSA, param, sizeof(param) };
		init_fails(&m, ec_key, v, CKR_MECHANISM_PARAM_INVALID);
		m = (CK_MECHANISM){ CKM_ECDSA_SHA256, param, sizeof(param) };
		init_fails(&m, ec_key, v, CKR_MECHANISM_PARAM_INVALID);
		m = (CK_MECHANISM){ CKM_SHA256_RSA_PKCS, param, sizeof(param) };
		init_fails(&m, rsa_key, v, CKR_MECHANISM_PARAM_INVALID);
		m = (CK_MECHANISM){ CKM_RSA_PKCS, NULL, 8 };
		init_fails(&m, rsa_key, v, CKR_MECHANISM_PARAM_INVALID);
	}
}

static void test_pss_params(void **state)
{
	CK_RSA_PKCS_PSS_PARAMS p, big[2];
	CK_MECHANISM raw = { CKM_RSA_PKCS_PSS, &p, sizeof(p) };
	CK_MECHANISM h384 = { CKM_SHA384_RSA_PKCS_PSS, &p, sizeof(p) };
	unsigned char sig[300];
	CK_ULONG n;
	CK_RV rv;
	int v;

	(void)state;
	for (v = 0; v < 2; v++) {
		CK_OBJECT_HANDLE key = v ? rsa_pub : rsa_priv;
		CK_MECHANISM m;

		p = (CK_RSA_PKCS_PSS_PARAMS){ CKM_SHA256, CKG_MGF1_SHA256, 32 };
		m = (CK_MECHANISM){ CKM_RSA_PKCS_PSS, NULL, 0 };
		init_fails(&m, key, v, CKR_MECHANISM_PARAM_INVALID);
		m = (CK_MECHANISM){ CKM_SHA256_RSA_PKCS_PSS, NULL, 0 };
		init_fails(&m, key, v, CKR_MECHANISM_PARAM_INVALID);
		m = (CK_MECHANISM){ CKM_RSA_PKCS_PSS, NULL, sizeof(p) };
		init_fails(&m, key, v, CKR_MECHANISM_PARAM_INVALID);
		m = (CK_MECHANISM){ CKM_RSA_PKCS_PSS, &p, sizeof(p) - 1 };
		init_fails(&m, key, v, CKR_MECHANISM_PARAM_INVALID);
		memset(big, 0, sizeof(big));
		big[0] = p;
		m = (CK_MECHANISM){ CKM_RSA_PKCS_PSS, big, sizeof(big) };
		init_fails(&m, key, v, CKR_MECHANISM_PARAM_INVALID);
		/* A hashing mechanism's hash must be the parameters' hash. */
		init_fails(&h384, key, v, CKR_MECHANISM_PARAM_INVALID);
		p.mgf = CKG_MGF1_SHA384;
		init_fails(&h384, key, v, CKR_MECHANISM_PARAM_INVALID);
		p = (CK_RSA_PKCS_PSS_PARAMS){ CKM_MD5, CKG_MGF1_SHA256, 32 };
		init_fails(&raw, key, v, CKR_MECHANISM_PARAM_INVALID);
		p = (CK_RSA_PKCS_PSS_PARAMS){ CKM_SHA256_RSA_PKCS, CKG_MGF1_SHA256, 32 };
		init_fails(&raw, key, v, CKR_MECHANISM_PARAM_INVALID);
		p = (CK_RSA_PKCS_PSS_PARAMS){ CKM_SHA256, 0, 32 };
		init_fails(&raw, key, v, CKR_MECHANISM_PARAM_INVALID);
		p = (CK_RSA_PKCS_PSS_PARAMS){ CKM_SHA256, 0x77, 32 };
		init_fails(&raw, key, v, CKR_MECHANISM_PARAM_INVALID);
		p = (CK_RSA_PKCS_PSS_PARAMS){ CKM_SHA256, CKM_SHA256, 32 };
		init_fails(&raw, key, v, CKR_MECHANISM_PARAM_INVALID);
		/* Salt too long for the modulus: 256 - 32 - 2 = 222 fits. */
		p = (CK_RSA_PKCS_PSS_PARAMS){ CKM_SHA256, CKG_MGF1_SHA256, 223 };
		init_fails(&raw, key, v, CKR_MECHANISM_PARAM_INVALID);
		p.sLen = 257;
		init_fails(&raw, key, v, CKR_MECHANISM_PARAM_INVALID);
		/* Row 28: no wrap-around in the length check. */
		p.sLen = (CK_ULONG)-1;
		init_fails(&raw, key, v, CKR_MECHANISM_PARAM_INVALID);
		p.sLen = (CK_ULONG)-33;
		init_fails(&raw, key, v, CKR_MECHANISM_PARAM_INVALID);
		p = (CK_RSA_PKCS_PSS_PARAMS){ CKM_SHA512, CKG_MGF1_SHA512, 191 };
		init_fails(&raw, key, v, CKR_MECHANISM_PARAM_INVALID);
	}

	/* CKM_RSA_PKCS_PSS signs a hash of the parameters' length only; the
	 * refusal ends the operation. */
	p = (CK_RSA_PKCS_PSS_PARAMS){ CKM_SHA256, CKG_MGF1_SHA256, 32 };
	assert_ok(p11->C_SignInit(s, &raw, rsa_priv));
	n = sizeof(sig);
	assert_rv(p11->C_Sign(s, msg, 20, sig, &n), CKR_DATA_LEN_RANGE);
	assert_sign_ended();
	assert_ok(p11->C_SignInit(s, &raw, rsa_priv));
	n = sizeof(sig);
	assert_rv(p11->C_Sign(s, msg, 33, sig, &n), CKR_DATA_LEN_RANGE);
	assert_sign_ended();
	n = h_sign(s, &raw, rsa_priv, msg, 32, sig, sizeof(sig));
	assert_ok(p11->C_VerifyInit(s, &raw, rsa_pub));
	rv = p11->C_Verify(s, msg, 20, sig, n);
	if (rv != CKR_DATA_LEN_RANGE && rv != CKR_SIGNATURE_INVALID)
		fail_msg("PSS verify of a 20-byte hash: %s", h_rv_name(rv));
	assert_verify_ended();
}

static void test_data_lengths(void **state)
{
	CK_MECHANISM raw = { CKM_RSA_PKCS, NULL, 0 }, ec = { CKM_ECDSA, NULL, 0 };
	unsigned char sig[300], in[300];
	CK_ULONG n;
	CK_RV rv;

	(void)state;
	memset(in, 0x5a, sizeof(in));
	/* PKCS#1 v1.5 takes at most k - 11 = 245 bytes. */
	assert_ok(p11->C_SignInit(s, &raw, rsa_priv));
	n = sizeof(sig);
	assert_rv(p11->C_Sign(s, in, 246, sig, &n), CKR_DATA_LEN_RANGE);
	assert_sign_ended();
	assert_ok(p11->C_SignInit(s, &raw, rsa_priv));
	n = sizeof(sig);
	assert_rv(p11->C_Sign(s, in, 256, sig, &n), CKR_DATA_LEN_RANGE);
	assert_sign_ended();
	n = h_sign(s, &raw, rsa_priv, in, 245, sig, sizeof(sig));
	assert_ok(p11->C_VerifyInit(s, &raw, rsa_pub));
	rv = p11->C_Verify(s, in, 246, sig, n);
	if (rv != CKR_DATA_LEN_RANGE && rv != CKR_SIGNATURE_INVALID)
		fail_msg("PKCS#1 verify of 246 bytes: %s", h_rv_name(rv));
	assert_verify_ended();
	/* Row 28: a length past 2^32 is not truncated to a small one. */
	if (sizeof(CK_ULONG) > 4) {
		CK_ULONG huge = ((CK_ULONG)1 << 32) + 20;

		assert_ok(p11->C_SignInit(s, &ec, ec_priv));
		n = sizeof(sig);
		rv = p11->C_Sign(s, in, huge, sig, &n);
		if (rv != CKR_DATA_LEN_RANGE && rv != CKR_ARGUMENTS_BAD)
			fail_msg("CKM_ECDSA over 2^32 + 20 bytes: %s", h_rv_name(rv));
		assert_sign_ended();
	}
}

static void test_verify_errors(void **state)
{
	CK_MECHANISM ec = { CKM_ECDSA_SHA256, NULL, 0 }, rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char sig[300], big[4096];
	CK_ULONG n;
	int r;

	(void)state;
	memset(big, 0, sizeof(big));
	for (r = 0; r < 2; r++) {
		CK_MECHANISM *m = r ? &rsa : &ec;
		CK_OBJECT_HANDLE pub = r ? rsa_pub : ec_pub, priv = r ? rsa_priv : ec_priv;

		n = h_sign(s, m, priv, msg, sizeof(msg), sig, sizeof(sig));
		/* Wrong data or signature: invalid, and the operation ends. */
		assert_rv(h_verify_rv(s, m, pub, msg, sizeof(msg) - 1, sig, n),
			  CKR_SIGNATURE_INVALID);
		assert_verify_ended();
		sig[3] ^= 0x40;
		assert_rv(h_verify_rv(s, m, pub, msg, sizeof(msg), sig, n), CKR_SIGNATURE_INVALID);
		assert_verify_ended();
		assert_rv(h_verify_parts_rv(s, m, pub, msg, sizeof(msg), 7, sig, n),
			  CKR_SIGNATURE_INVALID);
		assert_verify_ended();
		sig[3] ^= 0x40;
		/* Wrong lengths: CKR_SIGNATURE_LEN_RANGE, and it ends. */
		assert_rv(h_verify_rv(s, m, pub, msg, sizeof(msg), sig, n - 1),
			  CKR_SIGNATURE_LEN_RANGE);
		assert_verify_ended();
		assert_rv(h_verify_rv(s, m, pub, msg, sizeof(msg), sig, n + 1),
			  CKR_SIGNATURE_LEN_RANGE);
		assert_verify_ended();
		assert_rv(h_verify_rv(s, m, pub, msg, sizeof(msg), sig, 0),
			  CKR_SIGNATURE_LEN_RANGE);
		assert_verify_ended();
		/* Row 29: an oversized signature is refused, not copied. */
		assert_rv(h_verify_rv(s, m, pub, msg, sizeof(msg), big, sizeof(big)),
			  CKR_SIGNATURE_LEN_RANGE);
		assert_verify_ended();
		assert_rv(h_verify_parts_rv(s, m, pub, msg, sizeof(msg), 100, sig, n - 1),
			  CKR_SIGNATURE_LEN_RANGE);
		assert_verify_ended();
		/* Row 28: a length past 2^32 is not taken modulo 2^32. */
		if (sizeof(CK_ULONG) > 4) {
			CK_ULONG wrapped = ((CK_ULONG)1 << 32) + n;

			assert_rv(h_verify_rv(s, m, pub, msg, sizeof(msg), sig, wrapped),
				  CKR_SIGNATURE_LEN_RANGE);
			assert_verify_ended();
		}
		/* The right one still verifies. */
		assert_ok(h_verify_rv(s, m, pub, msg, sizeof(msg), sig, n));
	}
	/* Row 31: r = 0 or s = 0 never verifies. */
	memset(sig, 0, 64);
	assert_rv(h_verify_rv(s, &ec, ec_pub, msg, sizeof(msg), sig, 64), CKR_SIGNATURE_INVALID);
	n = h_sign(s, &ec, ec_priv, msg, sizeof(msg), sig, sizeof(sig));
	memset(sig + 32, 0, 32);
	assert_rv(h_verify_rv(s, &ec, ec_pub, msg, sizeof(msg), sig, 64), CKR_SIGNATURE_INVALID);
	/* All-ones is above the order n. */
	memset(sig, 0xff, 64);
	assert_rv(h_verify_rv(s, &ec, ec_pub, msg, sizeof(msg), sig, 64), CKR_SIGNATURE_INVALID);
}

static void test_key_usage(void **state)
{
	CK_MECHANISM ec = { CKM_ECDSA_SHA256, NULL, 0 }, raw = { CKM_ECDSA, NULL, 0 };
	CK_MECHANISM rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM_TYPE allowed[1] = { CKM_ECDSA_SHA256 };
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE a_sign[] = { { CKA_SIGN, &no, sizeof(no) } };
	CK_ATTRIBUTE a_verify[] = { { CKA_VERIFY, &no, sizeof(no) } };
	CK_OBJECT_HANDLE pub, priv;
	unsigned char sig[300];
	CK_ULONG n;
	h_tmpl tp, ts;

	(void)state;
	/* CKA_SIGN / CKA_VERIFY false from the template. */
	t_init(&tp);
	t_init(&ts);
	t_bytes(&tp, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));
	t_bool(&tp, CKA_VERIFY, CK_FALSE);
	t_bool(&ts, CKA_SIGN, CK_FALSE);
	assert_ok(h_gen_pair_rv(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, &pub, &priv));
	init_fails(&ec, priv, 0, CKR_KEY_FUNCTION_NOT_PERMITTED);
	init_fails(&ec, pub, 1, CKR_KEY_FUNCTION_NOT_PERMITTED);
	a_sign[0].pValue = &yes;
	a_verify[0].pValue = &yes;
	assert_ok(p11->C_SetAttributeValue(s, priv, a_sign, 1));
	assert_ok(p11->C_SetAttributeValue(s, pub, a_verify, 1));
	n = h_sign(s, &ec, priv, msg, sizeof(msg), sig, sizeof(sig));
	assert_ok(h_verify_rv(s, &ec, pub, msg, sizeof(msg), sig, n));

	/* ... and set false afterwards. */
	a_sign[0].pValue = &no;
	a_verify[0].pValue = &no;
	assert_ok(p11->C_SetAttributeValue(s, rsa_priv, a_sign, 1));
	assert_ok(p11->C_SetAttributeValue(s, rsa_pub, a_verify, 1));
	init_fails(&rsa, rsa_priv, 0, CKR_KEY_FUNCTION_NOT_PERMITTED);
	init_fails(&rsa, rsa_pub, 1, CKR_KEY_FUNCTION_NOT_PERMITTED);

	/* CKA_ALLOWED_MECHANISMS. */
	t_init(&tp);
	t_init(&ts);
	t_bytes(&tp, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));
	t_bytes(&tp, CKA_ALLOWED_MECHANISMS, allowed, sizeof(allowed));
	t_bytes(&ts, CKA_ALLOWED_MECHANISMS, allowed, sizeof(allowed));
	assert_ok(h_gen_pair_rv(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, &pub, &priv));
	h_assert_attr(s, priv, CKA_ALLOWED_MECHANISMS, allowed, sizeof(allowed));
	init_fails(&raw, priv, 0, CKR_MECHANISM_INVALID);
	init_fails(&raw, pub, 1, CKR_MECHANISM_INVALID);
	n = h_sign(s, &ec, priv, msg, sizeof(msg), sig, sizeof(sig));
	assert_ok(h_verify_rv(s, &ec, pub, msg, sizeof(msg), sig, n));
}

/* Row 27: the key goes away during the operation. The operation may
 * finish (with a valid result) or fail cleanly; either way it ends. */
static void test_destroy_during_operation(void **state)
{
	CK_MECHANISM ec = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_SESSION_HANDLE other = h_open(h_slot, 1);
	CK_OBJECT_HANDLE pub, priv;
	unsigned char sig[200], good[200];
	CK_ULONG n, gn;
	CK_RV rv;
	int round;

	(void)state;
	for (round = 0; round < 3; round++) {
		/* Round 1: multi-part; round 2: token keys, destroyed from
		 * another session. */
		CK_SESSION_HANDLE killer = round == 2 ? other : s;

		h_gen_ec(s, &h_curves[0], round == 2, &pub, &priv);
		gn = h_sign(s, &ec, priv, msg, sizeof(msg), good, sizeof(good));
		assert_ok(p11->C_SignInit(s, &ec, priv));
		if (round == 1)
			assert_ok(p11->C_SignUpdate(s, msg, 10));
		assert_ok(p11->C_DestroyObject(killer, priv));
		n = sizeof(sig);
		if (round == 1) {
			rv = p11->C_SignUpdate(s, msg + 10, sizeof(msg) - 10);
			if (rv == CKR_OK)
				rv = p11->C_SignFinal(s, sig, &n);
		} else {
			rv = p11->C_Sign(s, msg, sizeof(msg), sig, &n);
		}
		if (rv == CKR_OK)
			assert_ok(h_verify_rv(s, &ec, pub, msg, sizeof(msg), sig, n));
		else if (rv != CKR_KEY_HANDLE_INVALID && rv != CKR_OBJECT_HANDLE_INVALID)
			fail_msg("signing with a destroyed key: %s", h_rv_name(rv));
		assert_sign_ended();
		assert_rv(p11->C_SignInit(s, &ec, priv), CKR_KEY_HANDLE_INVALID);

		/* The verify side. */
		assert_ok(p11->C_VerifyInit(s, &ec, pub));
		if (round == 1)
			assert_ok(p11->C_VerifyUpdate(s, msg, 10));
		assert_ok(p11->C_DestroyObject(killer, pub));
		if (round == 1) {
			rv = p11->C_VerifyUpdate(s, msg + 10, sizeof(msg) - 10);
			if (rv == CKR_OK)
				rv = p11->C_VerifyFinal(s, good, gn);
		} else {
			rv = p11->C_Verify(s, msg, sizeof(msg), good, gn);
		}
		if (rv != CKR_OK && rv != CKR_KEY_HANDLE_INVALID && rv != CKR_OBJECT_HANDLE_INVALID)
			fail_msg("verifying with a destroyed key: %s", h_rv_name(rv));
		assert_verify_ended();
		assert_rv(p11->C_VerifyInit(s, &ec, pub), CKR_KEY_HANDLE_INVALID);
	}
}

/* C_Logout ends signing (it needs the user); logging in again does not
 * bring the operation back. */
static void test_logout_ends_sign(void **state)
{
	CK_MECHANISM ec = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_OBJECT_HANDLE pub, priv;
	unsigned char sig[200];
	CK_ULONG n;
	int multi;

	(void)state;
	for (multi = 0; multi < 2; multi++) {
		/* Token keys: session private keys go with the logout. */
		h_gen_ec(s, &h_curves[0], CK_TRUE, &pub, &priv);
		assert_ok(p11->C_SignInit(s, &ec, priv));
		if (multi)
			assert_ok(p11->C_SignUpdate(s, msg, 10));
		assert_ok(p11->C_Logout(s));
		h_login(s, CKU_USER);
		n = sizeof(sig);
		if (multi)
			assert_rv(p11->C_SignFinal(s, sig, &n), CKR_OPERATION_NOT_INITIALIZED);
		else
			assert_rv(p11->C_Sign(s, msg, 10, sig, &n), CKR_OPERATION_NOT_INITIALIZED);
		assert_sign_ended();
		/* The key itself signs again once found anew (its cached
		 * private material was dropped with the login). */
		{
			CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
			unsigned char id[64];
			CK_ATTRIBUTE q[2] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_ID, id, 0 } };
			CK_OBJECT_HANDLE found[2];

			q[1].ulValueLen = h_get_bytes(s, pub, CKA_ID, id, sizeof(id));
			assert_int_equal(h_find(s, q, 2, found, 2), 1);
			(void)h_sign_round_trip(s, CKM_ECDSA_SHA256, pub, found[0]);
			assert_ok(p11->C_DestroyObject(s, found[0]));
		}
	}
}

/* Row 27: closing sessions and finalizing with operations active. */
static void test_close_with_active_operations(void **state)
{
	CK_MECHANISM ec = { CKM_ECDSA_SHA256, NULL, 0 }, sha = { CKM_SHA256, NULL, 0 };
	CK_SESSION_HANDLE a = h_open(h_slot, 1), b = h_open(h_slot, 0);

	(void)state;
	assert_ok(p11->C_SignInit(a, &ec, ec_priv));
	assert_ok(p11->C_SignUpdate(a, msg, 10));
	assert_ok(p11->C_VerifyInit(a, &ec, ec_pub));
	assert_ok(p11->C_VerifyUpdate(a, msg, 10));
	assert_ok(p11->C_DigestInit(a, &sha));
	assert_ok(p11->C_CloseSession(a));
	assert_rv(p11->C_SignUpdate(a, msg, 10), CKR_SESSION_HANDLE_INVALID);

	assert_ok(p11->C_SignInit(b, &ec, ec_priv));
	assert_ok(p11->C_VerifyInit(s, &ec, ec_pub));
	assert_ok(p11->C_SignInit(s, &ec, ec_priv));
	assert_ok(p11->C_CloseAllSessions(h_slot));
	assert_rv(p11->C_Sign(b, msg, 10, NULL, &(CK_ULONG){ 0 }), CKR_SESSION_HANDLE_INVALID);

	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	h_gen_ec(s, &h_curves[1], CK_FALSE, &ec_pub, &ec_priv);
	assert_ok(p11->C_SignInit(s, &ec, ec_priv));
	assert_ok(p11->C_SignUpdate(s, msg, 10));
	h_reinit();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_call, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_operation_state, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_init_errors, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_pss_params, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_data_lengths, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_verify_errors, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_key_usage, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_during_operation, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_logout_ends_sign, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_close_with_active_operations, setup,
						h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
