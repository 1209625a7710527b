/*
 * PINs (PKCS#11 v2.40 section 5.5): C_InitPIN, C_SetPIN, the failed-login
 * counter and its token flags (CKF_*_PIN_COUNT_LOW, _FINAL_TRY, _LOCKED), and
 * zero-length PINs.
 */
#include "harness.h"

static CK_RV set_pin(CK_SESSION_HANDLE s, const char *old_pin, const char *new_pin)
{
	return p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)old_pin, strlen(old_pin), (CK_UTF8CHAR_PTR)new_pin,
			     strlen(new_pin));
}

static CK_RV init_pin(CK_SESSION_HANDLE s, const char *pin)
{
	return p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)pin, strlen(pin));
}

static void test_init_pin(void **state)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE rw, ro;
	char longpin[257];

	(void)state;
	memset(longpin, 'x', 256);
	longpin[256] = '\0';
	slot = h_init_token(H_LABEL);
	assert_flag_clear(h_token_flags(slot), CKF_USER_PIN_INITIALIZED);

	/* Public sessions may not set the user PIN. */
	ro = h_open(slot, 0);
	assert_rv2(init_pin(ro, H_USER_PIN), CKR_USER_NOT_LOGGED_IN, CKR_SESSION_READ_ONLY);
	assert_ok(p11->C_CloseSession(ro));
	rw = h_open(slot, 1);
	assert_rv(init_pin(rw, H_USER_PIN), CKR_USER_NOT_LOGGED_IN);
	assert_flag_clear(h_token_flags(slot), CKF_USER_PIN_INITIALIZED);

	h_login(rw, CKU_SO);
	assert_rv(init_pin(rw, "123"), CKR_PIN_LEN_RANGE);
	assert_rv(init_pin(rw, longpin), CKR_PIN_LEN_RANGE);
	assert_rv(p11->C_InitPIN(rw, NULL, 4), CKR_ARGUMENTS_BAD);
	assert_flag_clear(h_token_flags(slot), CKF_USER_PIN_INITIALIZED);
	assert_ok(init_pin(rw, H_USER_PIN));
	assert_flag_set(h_token_flags(slot), CKF_USER_PIN_INITIALIZED);
	assert_ok(p11->C_Logout(rw));

	/* The user cannot re-set it with C_InitPIN. */
	h_login(rw, CKU_USER);
	assert_rv(init_pin(rw, "5555"), CKR_USER_NOT_LOGGED_IN);
	assert_ok(p11->C_Logout(rw));
	assert_rv(h_login_pin(rw, CKU_USER, "5555"), CKR_PIN_INCORRECT);
	h_login(rw, CKU_USER);
	assert_ok(p11->C_Logout(rw));

	/* Persisted. */
	h_reinit();
	assert_flag_set(h_token_flags(slot), CKF_USER_PIN_INITIALIZED);
	rw = h_open(slot, 0);
	h_login(rw, CKU_USER);
}

static void test_set_pin_user(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	char longpin[257];

	(void)state;
	memset(longpin, 'x', 256);
	longpin[256] = '\0';
	h_login(s, CKU_USER);
	assert_rv(set_pin(s, "9999", "5678"), CKR_PIN_INCORRECT);
	assert_rv(set_pin(s, H_USER_PIN, "567"), CKR_PIN_LEN_RANGE);
	assert_rv(set_pin(s, H_USER_PIN, longpin), CKR_PIN_LEN_RANGE);
	assert_rv(set_pin(s, H_USER_PIN, ""), CKR_PIN_LEN_RANGE);
	assert_rv(p11->C_SetPIN(s, NULL, 4, (CK_UTF8CHAR_PTR) "5678", 4), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)H_USER_PIN, 4, NULL, 4), CKR_ARGUMENTS_BAD);
	assert_ok(set_pin(s, H_USER_PIN, "5678"));
	/* The login survives the change. */
	assert_int_equal(h_state(s), CKS_RW_USER_FUNCTIONS);
	assert_ok(p11->C_Logout(s));
	assert_rv(h_login_pin(s, CKU_USER, H_USER_PIN), CKR_PIN_INCORRECT);
	assert_ok(h_login_pin(s, CKU_USER, "5678"));
	assert_ok(p11->C_Logout(s));
	/* The SO PIN is unaffected. */
	h_login(s, CKU_SO);
	assert_ok(p11->C_Logout(s));

	h_reinit();
	s = h_open(h_slot, 0);
	assert_rv(h_login_pin(s, CKU_USER, H_USER_PIN), CKR_PIN_INCORRECT);
	assert_ok(h_login_pin(s, CKU_USER, "5678"));
	assert_ok(p11->C_Logout(s));
	assert_ok(p11->C_CloseSession(s));

	/* A token object created before the change is still readable. */
	s = h_open(h_slot, 1);
	assert_ok(h_login_pin(s, CKU_USER, "5678"));
	(void)h_data(s, "private", CK_TRUE, CK_TRUE);
	assert_ok(set_pin(s, "5678", "long new user pin"));
	h_reinit();
	s = h_open(h_slot, 0);
	assert_ok(h_login_pin(s, CKU_USER, "long new user pin"));
	{
		CK_OBJECT_HANDLE found[2];

		assert_int_equal(h_find_label(s, "private", found, 2), 1);
		h_assert_attr(s, found[0], CKA_VALUE, "value of private", 16);
	}
}

static void test_set_pin_read_only(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);

	(void)state;
	assert_rv(set_pin(s, H_USER_PIN, "5678"), CKR_SESSION_READ_ONLY);
	h_login(s, CKU_USER);
	assert_rv(set_pin(s, H_USER_PIN, "5678"), CKR_SESSION_READ_ONLY);
	assert_ok(p11->C_Logout(s));
	assert_ok(h_login_pin(s, CKU_USER, H_USER_PIN));
}

static void test_set_pin_public(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);

	(void)state;
	assert_int_equal(h_state(s), CKS_RW_PUBLIC_SESSION);
	assert_rv(set_pin(s, "0000", "5678"), CKR_PIN_INCORRECT);
	assert_ok(set_pin(s, H_USER_PIN, "5678"));
	assert_int_equal(h_state(s), CKS_RW_PUBLIC_SESSION);
	assert_rv(h_login_pin(s, CKU_USER, H_USER_PIN), CKR_PIN_INCORRECT);
	assert_ok(h_login_pin(s, CKU_USER, "5678"));
	assert_ok(p11->C_Logout(s));
	h_login(s, CKU_SO);
}

static void test_set_pin_so(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);

	(void)state;
	h_login(s, CKU_SO);
	assert_rv(set_pin(s, "00000000", "new so pin"), CKR_PIN_INCORRECT);
	assert_rv(set_pin(s, H_SO_PIN, "abc"), CKR_PIN_LEN_RANGE);
	assert_ok(set_pin(s, H_SO_PIN, "new so pin"));
	assert_ok(p11->C_Logout(s));
	assert_rv(h_login_pin(s, CKU_SO, H_SO_PIN), CKR_PIN_INCORRECT);
	assert_ok(h_login_pin(s, CKU_SO, "new so pin"));
	assert_ok(p11->C_Logout(s));
	/* The user PIN is unaffected. */
	h_login(s, CKU_USER);
	assert_ok(p11->C_Logout(s));

	h_reinit();
	s = h_open(h_slot, 1);
	assert_rv(h_login_pin(s, CKU_SO, H_SO_PIN), CKR_PIN_INCORRECT);
	assert_ok(h_login_pin(s, CKU_SO, "new so pin"));
	assert_ok(p11->C_Logout(s));
	assert_ok(p11->C_CloseSession(s));
	{
		CK_UTF8CHAR label[32];

		h_pad(label, sizeof(label), "re");
		assert_rv(p11->C_InitToken(h_slot, (CK_UTF8CHAR_PTR)H_SO_PIN, 8, label),
			  CKR_PIN_INCORRECT);
		assert_ok(p11->C_InitToken(h_slot, (CK_UTF8CHAR_PTR) "new so pin", 10, label));
	}
}

#define USER_FLAGS (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED)
#define SO_FLAGS (CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_LOCKED)

/* A store whose conf sets max_login_failures = 3, token ready. */
static int setup3(void **state)
{
	h_setup(state);
	if (!h_device()) /* the tests skip there */
		h_write_conf("max_login_failures = 3\n");
	h_initialize();
	h_slot = h_init_token(H_LABEL);
	h_init_user_pin(h_slot);
	return 0;
}

static void test_lockout_user(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_FLAGS f;

	/* max_login_failures = 3 comes from the configuration file, which a
	 * device does not have; test_lockout_default covers it there. */
	h_skip_on_device();
	(void)state;
	assert_flag_clear(h_token_flags(h_slot), USER_FLAGS);
	assert_rv(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT);
	f = h_token_flags(h_slot);
	assert_flag_set(f, CKF_USER_PIN_COUNT_LOW);
	assert_flag_clear(f, CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
	assert_flag_clear(f, SO_FLAGS);

	assert_rv(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT);
	f = h_token_flags(h_slot);
	assert_flag_set(f, CKF_USER_PIN_FINAL_TRY);
	assert_flag_clear(f, CKF_USER_PIN_LOCKED);

	assert_rv2(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT, CKR_PIN_LOCKED);
	f = h_token_flags(h_slot);
	assert_flag_set(f, CKF_USER_PIN_LOCKED);
	assert_flag_clear(f, SO_FLAGS);

	/* Locked: even the right PIN is refused. */
	assert_rv(h_login_pin(s, CKU_USER, H_USER_PIN), CKR_PIN_LOCKED);
	assert_rv(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_LOCKED);
	assert_int_equal(h_state(s), CKS_RW_PUBLIC_SESSION);
	assert_flag_set(h_token_flags(h_slot), CKF_USER_PIN_LOCKED);
	/* C_SetPIN cannot get around the lock either. */
	assert_int_not_equal(set_pin(s, H_USER_PIN, "5678"), CKR_OK);
	/* The SO is not locked out. */
	h_login(s, CKU_SO);
	assert_ok(p11->C_Logout(s));
}

static void test_lockout_reset_by_success(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);

	/* max_login_failures = 3 comes from the configuration file, which a
	 * device does not have; test_lockout_default covers it there. */
	h_skip_on_device();
	(void)state;
	assert_rv(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT);
	assert_rv(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT);
	assert_flag_set(h_token_flags(h_slot), CKF_USER_PIN_FINAL_TRY);
	h_login(s, CKU_USER);
	assert_flag_clear(h_token_flags(h_slot), USER_FLAGS);
	assert_ok(p11->C_Logout(s));
	/* The counter starts again from zero. */
	assert_rv(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT);
	assert_rv(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT);
	assert_flag_clear(h_token_flags(h_slot), CKF_USER_PIN_LOCKED);
	h_login(s, CKU_USER);
	h_reinit();
	assert_flag_clear(h_token_flags(h_slot), USER_FLAGS);
}

static void test_lockout_persists(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);

	/* max_login_failures = 3 comes from the configuration file, which a
	 * device does not have; test_lockout_default covers it there. */
	h_skip_on_device();
	(void)state;
	assert_rv(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT);
	h_reinit();
	assert_flag_set(h_token_flags(h_slot), CKF_USER_PIN_COUNT_LOW);
	s = h_open(h_slot, 0);
	assert_rv(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT);
	h_reinit();
	assert_flag_set(h_token_flags(h_slot), CKF_USER_PIN_FINAL_TRY);
	s = h_open(h_slot, 0);
	assert_rv2(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT, CKR_PIN_LOCKED);
	h_reinit();
	assert_flag_set(h_token_flags(h_slot), CKF_USER_PIN_LOCKED);
	s = h_open(h_slot, 0);
	assert_rv(h_login_pin(s, CKU_USER, H_USER_PIN), CKR_PIN_LOCKED);
}

static void test_lockout_so_unlocks_user(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	int i;

	/* max_login_failures = 3 comes from the configuration file, which a
	 * device does not have; test_lockout_default covers it there. */
	h_skip_on_device();
	(void)state;
	for (i = 0; i < 3; i++)
		assert_rv2(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT, CKR_PIN_LOCKED);
	assert_flag_set(h_token_flags(h_slot), CKF_USER_PIN_LOCKED);
	h_login(s, CKU_SO);
	assert_ok(init_pin(s, "7777"));
	assert_flag_clear(h_token_flags(h_slot), USER_FLAGS);
	assert_ok(p11->C_Logout(s));
	assert_rv(h_login_pin(s, CKU_USER, H_USER_PIN), CKR_PIN_INCORRECT);
	assert_ok(h_login_pin(s, CKU_USER, "7777"));
	assert_flag_clear(h_token_flags(h_slot), USER_FLAGS);
	h_reinit();
	assert_flag_clear(h_token_flags(h_slot), USER_FLAGS);
}

static void test_lockout_so(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_FLAGS f;

	/* max_login_failures = 3 comes from the configuration file, which a
	 * device does not have; test_lockout_default covers it there. */
	h_skip_on_device();
	(void)state;
	assert_rv(h_login_pin(s, CKU_SO, "00000000"), CKR_PIN_INCORRECT);
	f = h_token_flags(h_slot);
	assert_flag_set(f, CKF_SO_PIN_COUNT_LOW);
	assert_flag_clear(f, CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_LOCKED);
	assert_flag_clear(f, USER_FLAGS);
	assert_rv(h_login_pin(s, CKU_SO, "00000000"), CKR_PIN_INCORRECT);
	f = h_token_flags(h_slot);
	assert_flag_set(f, CKF_SO_PIN_FINAL_TRY);
	assert_flag_clear(f, CKF_SO_PIN_LOCKED);
	/* A success resets it. */
	h_login(s, CKU_SO);
	assert_flag_clear(h_token_flags(h_slot), SO_FLAGS);
	assert_ok(p11->C_Logout(s));

	assert_rv(h_login_pin(s, CKU_SO, "00000000"), CKR_PIN_INCORRECT);
	assert_rv(h_login_pin(s, CKU_SO, "00000000"), CKR_PIN_INCORRECT);
	assert_rv2(h_login_pin(s, CKU_SO, "00000000"), CKR_PIN_INCORRECT, CKR_PIN_LOCKED);
	f = h_token_flags(h_slot);
	assert_flag_set(f, CKF_SO_PIN_LOCKED);
	assert_flag_clear(f, USER_FLAGS);
	assert_rv(h_login_pin(s, CKU_SO, H_SO_PIN), CKR_PIN_LOCKED);
	h_reinit();
	assert_flag_set(h_token_flags(h_slot), CKF_SO_PIN_LOCKED);
	s = h_open(h_slot, 1);
	assert_rv(h_login_pin(s, CKU_SO, H_SO_PIN), CKR_PIN_LOCKED);
	/* The user still logs in. */
	h_login(s, CKU_USER);
}

/* The default limit is 10 failed logins. */
static void test_lockout_default(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	CK_FLAGS f;
	int i;

	(void)state;
	for (i = 1; i <= 8; i++) {
		assert_rv(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT);
		f = h_token_flags(h_slot);
		assert_flag_set(f, CKF_USER_PIN_COUNT_LOW);
		if (f & (CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED))
			fail_msg("flags 0x%lx after %d failures", (unsigned long)f, i);
	}
	assert_rv(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT);
	f = h_token_flags(h_slot);
	assert_flag_set(f, CKF_USER_PIN_FINAL_TRY);
	assert_flag_clear(f, CKF_USER_PIN_LOCKED);
	assert_rv2(h_login_pin(s, CKU_USER, "0000"), CKR_PIN_INCORRECT, CKR_PIN_LOCKED);
	assert_flag_set(h_token_flags(h_slot), CKF_USER_PIN_LOCKED);
	assert_rv(h_login_pin(s, CKU_USER, H_USER_PIN), CKR_PIN_LOCKED);
}

static void test_empty_pin(void **state)
{
	CK_SESSION_HANDLE s;
	CK_SLOT_ID fresh;

	(void)state;
	s = h_open(h_slot, 1);
	assert_int_not_equal(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "", 0), CKR_OK);
	assert_int_not_equal(p11->C_Login(s, CKU_USER, NULL, 0), CKR_OK);
	assert_int_not_equal(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR) "", 0), CKR_OK);
	assert_int_not_equal(p11->C_Login(s, CKU_SO, NULL, 0), CKR_OK);
	/* A prefix of the right PIN is wrong. */
	assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)H_USER_PIN, 3), CKR_PIN_INCORRECT);
	assert_rv(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)H_SO_PIN, 7), CKR_PIN_INCORRECT);
	assert_int_equal(h_state(s), CKS_RW_PUBLIC_SESSION);
	assert_ok(p11->C_CloseSession(s));

	/* A token whose user PIN was never set. */
	fresh = h_init_token("no user pin");
	s = h_open(fresh, 1);
	assert_int_not_equal(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "", 0), CKR_OK);
	assert_int_not_equal(p11->C_Login(s, CKU_USER, NULL, 0), CKR_OK);
	assert_rv(h_login_pin(s, CKU_USER, H_USER_PIN), CKR_USER_PIN_NOT_INITIALIZED);
	assert_int_equal(h_state(s), CKS_RW_PUBLIC_SESSION);
}

/* A PIN length far beyond the buffer is refused before the buffer is read. */
static void test_huge_pin_length(void **state)
{
	const CK_ULONG huge = (CK_ULONG)1 << 40;
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_UTF8CHAR label[32];
	CK_UTF8CHAR pin[8] = "12345678";

	(void)state;
	h_pad(label, sizeof(label), "huge");
	assert_int_not_equal(p11->C_Login(s, CKU_USER, pin, huge), CKR_OK);
	assert_int_not_equal(p11->C_Login(s, CKU_SO, pin, huge), CKR_OK);
	assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)H_USER_PIN, 4, pin, huge), CKR_PIN_LEN_RANGE);
	assert_int_not_equal(p11->C_SetPIN(s, pin, huge, (CK_UTF8CHAR_PTR) "5678", 4), CKR_OK);
	h_login(s, CKU_SO);
	assert_rv(p11->C_InitPIN(s, pin, huge), CKR_PIN_LEN_RANGE);
	assert_ok(p11->C_Logout(s));
	assert_ok(p11->C_CloseSession(s));
	assert_rv(p11->C_InitToken(h_uninit_slot(), pin, huge, label), CKR_PIN_LEN_RANGE);
	assert_int_not_equal(p11->C_InitToken(h_slot, pin, huge, label), CKR_OK);
	/* Nothing changed. */
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_pin, h_setup_init, h_teardown),
		cmocka_unit_test_setup_teardown(test_set_pin_user, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_set_pin_read_only, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_set_pin_public, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_set_pin_so, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_lockout_user, setup3, h_teardown),
		cmocka_unit_test_setup_teardown(test_lockout_reset_by_success, setup3, h_teardown),
		cmocka_unit_test_setup_teardown(test_lockout_persists, setup3, h_teardown),
		cmocka_unit_test_setup_teardown(test_lockout_so_unlocks_user, setup3, h_teardown),
		cmocka_unit_test_setup_teardown(test_lockout_so, setup3, h_teardown),
		cmocka_unit_test_setup_teardown(test_lockout_default, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_empty_pin, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_huge_pin_length, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
