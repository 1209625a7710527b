/*
 * Slot and token management (PKCS#11 v2.40 section 5.5): C_GetSlotList,
 * C_GetSlotInfo, C_GetTokenInfo, C_GetMechanismList, C_GetMechanismInfo,
 * C_InitToken, C_WaitForSlotEvent; plus random numbers (5.15) and the legacy
 * parallel functions (5.16). C_InitPIN, C_SetPIN and PIN lockout are in
 * test_pin.c.
 */
#include <stdlib.h>

#include "harness.h"

static int printable(const CK_UTF8CHAR *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i] < 0x20 || f[i] == 0x7f)
			return 0;
	}
	return 1;
}

static void test_slot_list_fresh(void **state)
{
	CK_SLOT_ID slots[4], slot;
	CK_ULONG n;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;

	(void)state;
	n = 99;
	assert_ok(p11->C_GetSlotList(CK_TRUE, NULL, &n));
	assert_int_equal(n, 1);
	n = 99;
	assert_ok(p11->C_GetSlotList(CK_FALSE, NULL, &n));
	assert_int_equal(n, 1);
	n = 0;
	assert_rv(p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 1);
	assert_rv(p11->C_GetSlotList(CK_TRUE, slots, NULL), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_GetSlotList(CK_TRUE, NULL, NULL), CKR_ARGUMENTS_BAD);
	n = 4;
	assert_ok(p11->C_GetSlotList(CK_FALSE, slots, &n));
	assert_int_equal(n, 1);
	slot = slots[0];
	n = 4;
	assert_ok(p11->C_GetSlotList(CK_TRUE, slots, &n));
	assert_int_equal(n, 1);
	assert_true(slots[0] == slot);

	memset(&si, 0xA5, sizeof(si));
	assert_ok(p11->C_GetSlotInfo(slot, &si));
	assert_flag_set(si.flags, CKF_TOKEN_PRESENT);
	assert_true(printable(si.slotDescription, sizeof(si.slotDescription)));
	assert_true(printable(si.manufacturerID, sizeof(si.manufacturerID)));
	assert_rv(p11->C_GetSlotInfo(slot, NULL), CKR_ARGUMENTS_BAD);

	assert_ok(p11->C_GetTokenInfo(slot, &ti));
	assert_flag_clear(ti.flags, CKF_TOKEN_INITIALIZED);
	assert_flag_clear(ti.flags, CKF_USER_PIN_INITIALIZED);
	assert_rv(p11->C_GetTokenInfo(slot, NULL), CKR_ARGUMENTS_BAD);
}

static void test_invalid_slot(void **state)
{
	CK_SLOT_ID slots[4], bad = 0;
	CK_ULONG n = 4, i;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	CK_MECHANISM_TYPE mechs[64];
	CK_MECHANISM_INFO mi;
	CK_UTF8CHAR label[32];

	(void)state;
	assert_ok(p11->C_GetSlotList(CK_FALSE, slots, &n));
	for (i = 0; i < n; i++) {
		if (slots[i] >= bad)
			bad = slots[i] + 1000;
	}
	h_pad(label, sizeof(label), "x");
	assert_rv(p11->C_GetSlotInfo(bad, &si), CKR_SLOT_ID_INVALID);
	assert_rv(p11->C_GetTokenInfo(bad, &ti), CKR_SLOT_ID_INVALID);
	assert_rv(p11->C_OpenSession(bad, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_SLOT_ID_INVALID);
	assert_rv(p11->C_InitToken(bad, (CK_UTF8CHAR_PTR)H_SO_PIN, 8, label), CKR_SLOT_ID_INVALID);
	n = 64;
	assert_rv(p11->C_GetMechanismList(bad, mechs, &n), CKR_SLOT_ID_INVALID);
	assert_rv(p11->C_GetMechanismInfo(bad, CKM_ECDSA, &mi), CKR_SLOT_ID_INVALID);
	assert_rv(p11->C_CloseAllSessions(bad), CKR_SLOT_ID_INVALID);
	assert_rv(p11->C_GetSlotInfo((CK_SLOT_ID)-1, &si), CKR_SLOT_ID_INVALID);
	assert_rv(p11->C_GetTokenInfo((CK_SLOT_ID)-1, &ti), CKR_SLOT_ID_INVALID);
}

static void check_initialized_info(const CK_TOKEN_INFO *ti, const char *label)
{
	size_t i;

	assert_true(h_padded_eq(ti->label, sizeof(ti->label), label));
	assert_flag_set(ti->flags, CKF_TOKEN_INITIALIZED);
	assert_flag_set(ti->flags, CKF_LOGIN_REQUIRED);
	assert_flag_set(ti->flags, CKF_RNG);
	assert_flag_clear(ti->flags, CKF_USER_PIN_INITIALIZED);
	assert_flag_clear(ti->flags, CKF_CLOCK_ON_TOKEN);
	assert_flag_clear(ti->flags, CKF_WRITE_PROTECTED);
	assert_flag_clear(ti->flags, CKF_USER_PIN_LOCKED | CKF_SO_PIN_LOCKED);
	assert_int_equal(ti->ulMinPinLen, 4);
	assert_int_equal(ti->ulMaxPinLen, 255);
	assert_int_equal(ti->ulSessionCount, 0);
	assert_int_equal(ti->ulRwSessionCount, 0);
	/* Non-zero means a limit; CK_EFFECTIVELY_INFINITE (0) is allowed too;
	 * CK_UNAVAILABLE_INFORMATION is not a maximum. */
	assert_true(ti->ulMaxSessionCount != CK_UNAVAILABLE_INFORMATION);
	assert_true(ti->ulMaxRwSessionCount != CK_UNAVAILABLE_INFORMATION);
	assert_memory_equal(ti->manufacturerID, "iotoken", 7);
	assert_memory_equal(ti->model, "iotoken", 7);
	assert_true(printable(ti->manufacturerID, sizeof(ti->manufacturerID)));
	assert_true(printable(ti->model, sizeof(ti->model)));
	for (i = 0; i < sizeof(ti->serialNumber); i++) {
		if (ti->serialNumber[i] <= 0x20 || ti->serialNumber[i] >= 0x7f)
			fail_msg("serialNumber byte %zu is 0x%02x", i, ti->serialNumber[i]);
	}
}

static void test_init_token(void **state)
{
	CK_SLOT_ID slots[8], slot, other;
	CK_ULONG n = 8, i;
	CK_TOKEN_INFO ti, ti2, ti3;
	CK_UTF8CHAR label[32];
	int seen_slot = 0;

	/* Two tokens: not on a one-slot device. */
	h_skip_on_device();
	(void)state;
	slot = h_uninit_slot();
	h_pad(label, sizeof(label), "first token");
	assert_ok(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)H_SO_PIN, 8, label));

	assert_ok(p11->C_GetSlotList(CK_TRUE, slots, &n));
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		seen_slot += slots[i] == slot;
	assert_int_equal(seen_slot, 1);
	h_token_info(slot, &ti);
	check_initialized_info(&ti, "first token");

	/* A fresh uninitialized slot appeared. */
	other = h_uninit_slot();
	assert_true(other != slot);

	/* Slot ids and token data survive C_Finalize/C_Initialize. */
	h_reinit();
	h_token_info(slot, &ti2);
	check_initialized_info(&ti2, "first token");
	assert_memory_equal(ti.serialNumber, ti2.serialNumber, sizeof(ti.serialNumber));
	assert_true(h_uninit_slot() == other);

	/* A second token gets its own serial number. */
	h_pad(label, sizeof(label), "second token");
	assert_ok(p11->C_InitToken(other, (CK_UTF8CHAR_PTR)H_SO_PIN, 8, label));
	h_token_info(other, &ti3);
	check_initialized_info(&ti3, "second token");
	assert_memory_not_equal(ti.serialNumber, ti3.serialNumber, sizeof(ti.serialNumber));
	n = 8;
	assert_ok(p11->C_GetSlotList(CK_TRUE, slots, &n));
	assert_int_equal(n, 3);
}

static void test_init_token_args(void **state)
{
	CK_SLOT_ID slot = h_uninit_slot();
	CK_UTF8CHAR label[32];
	char pin[300];

	(void)state;
	h_pad(label, sizeof(label), "args");
	memset(pin, 'p', sizeof(pin));
	assert_rv(p11->C_InitToken(slot, NULL, 8, label), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)H_SO_PIN, 8, NULL), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)pin, 3, label), CKR_PIN_LEN_RANGE);
	assert_rv(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)pin, 256, label), CKR_PIN_LEN_RANGE);
	assert_int_not_equal(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)pin, 0, label), CKR_OK);
	assert_int_not_equal(p11->C_InitToken(slot, NULL, 0, label), CKR_OK);
	/* None of that initialized anything. */
	assert_flag_clear(h_token_flags(slot), CKF_TOKEN_INITIALIZED);
	assert_true(h_uninit_slot() == slot);

	/* The bounds themselves are fine, for the SO and the user PIN. */
	pin[255] = '\0';
	assert_ok(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR)pin, 255, label));
	h_init_user_pin_with(slot, pin, "1234");
	slot = h_uninit_slot();
	assert_ok(p11->C_InitToken(slot, (CK_UTF8CHAR_PTR) "abcd", 4, label));
	h_init_user_pin_with(slot, "abcd", pin);
}

static void test_reinit_token(void **state)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE found[8];
	CK_UTF8CHAR label[32];
	CK_TOKEN_INFO ti;
	unsigned char serial[16];

	(void)state;
	h_token_info(h_slot, &ti);
	memcpy(serial, ti.serialNumber, sizeof(serial));
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	(void)h_data(s, "public obj", CK_TRUE, CK_FALSE);
	(void)h_data(s, "private obj", CK_TRUE, CK_TRUE);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 2);

	h_pad(label, sizeof(label), "renewed");
	assert_rv(p11->C_InitToken(h_slot, (CK_UTF8CHAR_PTR)H_SO_PIN, 8, label),
		  CKR_SESSION_EXISTS);
	assert_ok(p11->C_CloseSession(s));
	assert_rv(p11->C_InitToken(h_slot, (CK_UTF8CHAR_PTR) "87654321", 8, label),
		  CKR_PIN_INCORRECT);
	/* A refused re-initialization changed nothing. */
	h_token_info(h_slot, &ti);
	assert_true(h_padded_eq(ti.label, sizeof(ti.label), H_LABEL));
	assert_flag_set(ti.flags, CKF_USER_PIN_INITIALIZED);

	assert_ok(p11->C_InitToken(h_slot, (CK_UTF8CHAR_PTR)H_SO_PIN, 8, label));
	h_token_info(h_slot, &ti);
	assert_true(h_padded_eq(ti.label, sizeof(ti.label), "renewed"));
	assert_flag_set(ti.flags, CKF_TOKEN_INITIALIZED);
	assert_flag_clear(ti.flags, CKF_USER_PIN_INITIALIZED);

	s = h_open(h_slot, 1);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 0);
	assert_rv(h_login_pin(s, CKU_USER, H_USER_PIN), CKR_USER_PIN_NOT_INITIALIZED);
	h_login(s, CKU_SO);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 0);
	assert_ok(p11->C_Logout(s));
	assert_ok(p11->C_CloseSession(s));

	/* Still so after a restart. */
	h_reinit();
	h_token_info(h_slot, &ti);
	assert_true(h_padded_eq(ti.label, sizeof(ti.label), "renewed"));
	assert_flag_clear(ti.flags, CKF_USER_PIN_INITIALIZED);
	h_init_user_pin(h_slot);
	s = h_open(h_slot, 0);
	h_login(s, CKU_USER);
	assert_int_equal(h_find(s, NULL, 0, found, 8), 0);
}

/* Written so that it holds whatever mechanisms the token offers. */
static void test_mechanisms(void **state)
{
	CK_MECHANISM_TYPE mechs[256];
	CK_MECHANISM_INFO mi;
	CK_ULONG n = 0, n2, i;
	int has_ecdsa = 0;

	(void)state;
	assert_ok(p11->C_GetMechanismList(h_slot, NULL, &n));
	assert_true(n <= 256);
	n2 = 256;
	assert_ok(p11->C_GetMechanismList(h_slot, mechs, &n2));
	assert_int_equal(n2, n);
	if (n > 0) {
		n2 = n - 1;
		assert_rv(p11->C_GetMechanismList(h_slot, mechs, &n2), CKR_BUFFER_TOO_SMALL);
		assert_int_equal(n2, n);
		n2 = 256;
		assert_ok(p11->C_GetMechanismList(h_slot, mechs, &n2));
	}
	assert_rv(p11->C_GetMechanismList(h_slot, mechs, NULL), CKR_ARGUMENTS_BAD);
	for (i = 0; i < n; i++) {
		memset(&mi, 0xA5, sizeof(mi));
		assert_ok(p11->C_GetMechanismInfo(h_slot, mechs[i], &mi));
		/* Every field assigned. */
		assert_true(mi.ulMinKeySize != (CK_ULONG)0xA5A5A5A5A5A5A5A5ULL);
		assert_true(mi.ulMaxKeySize != (CK_ULONG)0xA5A5A5A5A5A5A5A5ULL);
		assert_true(mi.flags != (CK_FLAGS)0xA5A5A5A5A5A5A5A5ULL);
		assert_true(mi.ulMinKeySize <= mi.ulMaxKeySize);
		assert_rv(p11->C_GetMechanismInfo(h_slot, mechs[i], NULL), CKR_ARGUMENTS_BAD);
		if (mechs[i] == CKM_ECDSA)
			has_ecdsa = 1;
	}
	assert_rv(p11->C_GetMechanismInfo(h_slot, CKM_VENDOR_DEFINED + 0x1234, &mi),
		  CKR_MECHANISM_INVALID);
	if (!has_ecdsa)
		assert_rv(p11->C_GetMechanismInfo(h_slot, CKM_ECDSA, &mi), CKR_MECHANISM_INVALID);
}

static void test_random(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	unsigned char a[32], b[32], zero[32];
	unsigned char *big;
	size_t i, same = 0;
	const size_t big_len = 100000;

	(void)state;
	memset(zero, 0, sizeof(zero));
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_ok(p11->C_GenerateRandom(s, a, sizeof(a)));
	assert_ok(p11->C_GenerateRandom(s, b, sizeof(b)));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_memory_not_equal(a, b, sizeof(a));
	assert_rv(p11->C_GenerateRandom(s, NULL, 16), CKR_ARGUMENTS_BAD);

	/* A large request is filled completely (no trailing zeros). */
	big = calloc(1, big_len);
	assert_non_null(big);
	assert_ok(p11->C_GenerateRandom(s, big, big_len));
	for (i = big_len - 64; i < big_len; i++)
		same += big[i] == 0;
	free(big);
	assert_true(same < 16);

	/* Works in an R/W session and when logged in, too. */
	assert_ok(p11->C_CloseSession(s));
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	assert_ok(p11->C_GenerateRandom(s, a, sizeof(a)));
	assert_ok(p11->C_CloseSession(s));
	assert_rv(p11->C_GenerateRandom(s, a, sizeof(a)), CKR_SESSION_HANDLE_INVALID);
}

static void test_seed_random(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	unsigned char seed[32];

	(void)state;
	memset(seed, 7, sizeof(seed));
	assert_rv2(p11->C_SeedRandom(s, seed, sizeof(seed)), CKR_OK, CKR_RANDOM_SEED_NOT_SUPPORTED);
	assert_ok(p11->C_GenerateRandom(s, seed, sizeof(seed)));
}

static void test_parallel_functions(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);

	(void)state;
	assert_rv(p11->C_GetFunctionStatus(s), CKR_FUNCTION_NOT_PARALLEL);
	assert_rv(p11->C_CancelFunction(s), CKR_FUNCTION_NOT_PARALLEL);
}

static void test_wait_for_slot_event(void **state)
{
	CK_SLOT_ID slot = 0;

	(void)state;
	assert_rv2(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT,
		   CKR_FUNCTION_NOT_SUPPORTED);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_slot_list_fresh, h_setup_init, h_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_slot, h_setup_init, h_teardown),
		cmocka_unit_test_setup_teardown(test_init_token, h_setup_init, h_teardown),
		cmocka_unit_test_setup_teardown(test_init_token_args, h_setup_init, h_teardown),
		cmocka_unit_test_setup_teardown(test_reinit_token, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_mechanisms, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_random, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_seed_random, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_parallel_functions, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_wait_for_slot_event, h_setup_init, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
