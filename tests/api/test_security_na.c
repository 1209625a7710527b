/*
 * What SECURITY.md rows 12 and 33 let a token leave out, proven left out:
 * - row 33: RSA PKCS#1 v1.5 decryption (and raw RSA) is not offered, so no
 *   padding oracle exists: no mechanism pairs CKF_DECRYPT or CKF_UNWRAP with
 *   CKM_RSA_PKCS or CKM_RSA_X_509, and C_DecryptInit / C_UnwrapKey refuse
 *   them with a real RSA key;
 * - row 12 "(Or: wrap of private keys not offered)": C_WrapKey refuses
 *   private keys (CKR_KEY_NOT_WRAPPABLE) even when they are extractable,
 *   and C_UnwrapKey makes no private key.
 * Wrapping of secret keys and its policies are test_wrap.c's.
 */
#include "harness.h"
#include "keys.h"

static CK_SESSION_HANDLE user_session(void)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);

	h_login(s, CKU_USER);
	return s;
}

static void test_no_pkcs1_decryption(void **state)
{
	static const CK_MECHANISM_TYPE raw[] = { CKM_RSA_PKCS, CKM_RSA_X_509 };
	CK_SESSION_HANDLE s = user_session();
	CK_MECHANISM_INFO mi;
	CK_OBJECT_HANDLE rsa, out = 0;
	CK_BYTE buf[512];
	CK_ULONG len, i;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof(cls) },
				{ CKA_KEY_TYPE, &kt, sizeof(kt) } };
	h_tmpl t;

	(void)state;
	t_init(&t);
	k_rsa_private(&t, 1);
	t_bool(&t, CKA_DECRYPT, CK_TRUE);
	t_bool(&t, CKA_UNWRAP, CK_TRUE);
	rsa = h_create(s, &t);
	memset(buf, 0x5a, sizeof(buf));
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		CK_MECHANISM m = { raw[i], NULL, 0 };
		CK_RV rv = p11->C_GetMechanismInfo(h_slot, raw[i], &mi);

		if (rv == CKR_OK && (mi.flags & (CKF_DECRYPT | CKF_UNWRAP)))
			fail_msg("mechanism 0x%lx advertises decryption", (unsigned long)raw[i]);
		assert_rv(p11->C_DecryptInit(s, &m, rsa), CKR_MECHANISM_INVALID);
		assert_rv(p11->C_UnwrapKey(s, &m, rsa, buf, 256, tmpl, 2, &out),
			  CKR_MECHANISM_INVALID);
	}
	assert_int_equal(out, 0);
	len = sizeof(buf);
	assert_rv(p11->C_Decrypt(s, buf, 256, buf, &len), CKR_OPERATION_NOT_INITIALIZED);
}

static void test_private_keys_not_wrapped(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_MECHANISM kw = { CKM_AES_KEY_WRAP_PAD, NULL, 0 }, gen = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_OBJECT_HANDLE kek, ec, rsa, out = 0;
	CK_BYTE buf[4096];
	CK_ULONG len = sizeof(buf);
	CK_ULONG cls = CKO_PRIVATE_KEY, kt = CKK_EC;
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof(cls) },
				{ CKA_KEY_TYPE, &kt, sizeof(kt) } };
	h_tmpl t;

	(void)state;
	h_skip_on_device(); /* no AES key wrap there: nothing wraps at all */
	t_init(&t);
	t_ulong(&t, CKA_VALUE_LEN, 32);
	t_bool(&t, CKA_WRAP, CK_TRUE);
	t_bool(&t, CKA_UNWRAP, CK_TRUE);
	assert_ok(p11->C_GenerateKey(s, &gen, t.a, t.n, &kek));
	t_init(&t);
	k_ec_private(&t);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	ec = h_create(s, &t);
	t_init(&t);
	k_rsa_private(&t, 1);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	rsa = h_create(s, &t);
	assert_rv(p11->C_WrapKey(s, &kw, kek, ec, buf, &len), CKR_KEY_NOT_WRAPPABLE);
	assert_rv(p11->C_WrapKey(s, &kw, kek, rsa, NULL, &len), CKR_KEY_NOT_WRAPPABLE);
	/* 40 bytes that unwrap to something: still no private key made. */
	{
		CK_OBJECT_HANDLE sec;
		CK_ULONG n = sizeof(buf);

		t_init(&t);
		k_secret(&t, CKK_GENERIC_SECRET, 32);
		t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
		sec = h_create(s, &t);
		assert_ok(p11->C_WrapKey(s, &kw, kek, sec, buf, &n));
		assert_rv(p11->C_UnwrapKey(s, &kw, kek, buf, n, tmpl, 2, &out),
			  CKR_TEMPLATE_INCONSISTENT);
	}
	assert_int_equal(out, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_pkcs1_decryption, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_private_keys_not_wrapped, h_setup_token,
						h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
