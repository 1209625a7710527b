/*
 * SECURITY.md rows 12, 13 and 33 apply once wrapping, unwrapping, derivation
 * or decryption exist. Until then this proves they do not: no mechanism
 * advertises CKF_WRAP, CKF_UNWRAP, CKF_DERIVE, CKF_DECRYPT or CKF_ENCRYPT,
 * and C_WrapKey, C_UnwrapKey, C_DeriveKey and C_DecryptInit refuse the
 * mechanisms that would do it (CKR_MECHANISM_INVALID), with real keys.
 */
#include "harness.h"
#include "keys.h"

static CK_SESSION_HANDLE user_session(void)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);

	h_login(s, CKU_USER);
	return s;
}

static void test_no_mechanism_wraps_derives_or_decrypts(void **state)
{
	const CK_FLAGS forbidden = CKF_WRAP | CKF_UNWRAP | CKF_DERIVE | CKF_DECRYPT | CKF_ENCRYPT;
	CK_MECHANISM_TYPE list[128];
	CK_MECHANISM_INFO mi;
	CK_ULONG n = 128, i;

	(void)state;
	assert_ok(p11->C_GetMechanismList(h_slot, list, &n));
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		assert_ok(p11->C_GetMechanismInfo(h_slot, list[i], &mi));
		if (mi.flags & forbidden)
			fail_msg("mechanism 0x%lx advertises flags 0x%lx", (unsigned long)list[i],
				 (unsigned long)(mi.flags & forbidden));
	}
}

static void test_wrap_unwrap_derive_decrypt_refused(void **state)
{
	static const CK_MECHANISM_TYPE wraps[] = { CKM_RSA_PKCS, CKM_RSA_PKCS_OAEP,
						   CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD,
						   CKM_AES_CBC_PAD };
	static const CK_MECHANISM_TYPE derives[] = { CKM_ECDH1_DERIVE, CKM_ECDH1_COFACTOR_DERIVE,
						     CKM_SHA256_KEY_DERIVATION };
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE rsa, ec, aes, out = 0;
	CK_BYTE buf[512];
	CK_ULONG len = sizeof(buf), i;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof(cls) },
				{ CKA_KEY_TYPE, &kt, sizeof(kt) } };
	h_tmpl t;

	(void)state;
	t_init(&t);
	k_rsa_private(&t, 1);
	rsa = h_create(s, &t);
	t_init(&t);
	k_ec_private(&t);
	ec = h_create(s, &t);
	t_init(&t);
	k_secret(&t, CKK_AES, 32);
	aes = h_create(s, &t);
	memset(buf, 0x5a, sizeof(buf));

	for (i = 0; i < sizeof(wraps) / sizeof(wraps[0]); i++) {
		CK_MECHANISM m = { wraps[i], NULL, 0 };
		CK_OBJECT_HANDLE key =
			wraps[i] == CKM_RSA_PKCS || wraps[i] == CKM_RSA_PKCS_OAEP ? rsa : aes;

		len = sizeof(buf);
		/* Row 12: wrapping a private key is not offered. */
		assert_rv(p11->C_WrapKey(s, &m, key, ec, buf, &len), CKR_MECHANISM_INVALID);
		assert_rv(p11->C_WrapKey(s, &m, key, rsa, NULL, &len), CKR_MECHANISM_INVALID);
		/* Row 13: nor unwrapping. */
		assert_rv(p11->C_UnwrapKey(s, &m, key, buf, 256, tmpl, 2, &out),
			  CKR_MECHANISM_INVALID);
		/* Row 33: nor decryption (RSA PKCS#1 v1.5 included). */
		assert_rv(p11->C_DecryptInit(s, &m, key), CKR_MECHANISM_INVALID);
	}
	for (i = 0; i < sizeof(derives) / sizeof(derives[0]); i++) {
		CK_MECHANISM m = { derives[i], NULL, 0 };

		/* Row 13: nor derivation. */
		assert_rv(p11->C_DeriveKey(s, &m, ec, tmpl, 2, &out), CKR_MECHANISM_INVALID);
	}
	assert_int_equal(out, 0);
	/* No decryption operation was started by any of it. */
	len = sizeof(buf);
	assert_rv(p11->C_Decrypt(s, buf, 256, buf, &len), CKR_OPERATION_NOT_INITIALIZED);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_mechanism_wraps_derives_or_decrypts,
						h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_wrap_unwrap_derive_decrypt_refused,
						h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
