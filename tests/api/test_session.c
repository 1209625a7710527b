/*
 * Session management (PKCS#11 v2.40 section 5.6): C_OpenSession,
 * C_CloseSession, C_CloseAllSessions, C_GetSessionInfo, C_Login, C_Logout and
 * the session state machine (section 4.x "Sessions").
 */
#include <stdlib.h>

#include "harness.h"

static CK_RV open_rv(CK_SLOT_ID slot, CK_FLAGS flags, CK_SESSION_HANDLE *s)
{
	return p11->C_OpenSession(slot, flags, NULL, NULL, s);
}

static void test_open_session_errors(void **state)
{
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_SLOT_ID fresh;

	(void)state;
	assert_rv(open_rv(h_slot, 0, &s), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	assert_rv(open_rv(h_slot, CKF_RW_SESSION, &s), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	assert_rv(open_rv(h_slot, CKF_SERIAL_SESSION, NULL), CKR_ARGUMENTS_BAD);
	assert_rv(open_rv(h_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL), CKR_ARGUMENTS_BAD);
	fresh = h_uninit_slot();
	assert_rv(open_rv(fresh, CKF_SERIAL_SESSION, &s), CKR_TOKEN_NOT_RECOGNIZED);
	assert_rv(open_rv(fresh, CKF_SERIAL_SESSION | CKF_RW_SESSION, &s),
		  CKR_TOKEN_NOT_RECOGNIZED);
	/* None of the refused calls left a session behind. */
	{
		CK_TOKEN_INFO ti;

		h_token_info(h_slot, &ti);
		assert_int_equal(ti.ulSessionCount, 0);
		assert_int_equal(ti.ulRwSessionCount, 0);
	}
}

static void check_info(CK_SESSION_HANDLE s, CK_STATE state, CK_FLAGS flags)
{
	CK_SESSION_INFO si;

	memset(&si, 0xA5, sizeof(si));
	assert_ok(p11->C_GetSessionInfo(s, &si));
	assert_true(si.slotID == h_slot);
	if (si.state != state)
		fail_msg("session state %lu, expected %lu", (unsigned long)si.state,
			 (unsigned long)state);
	assert_int_equal(si.flags, flags);
	assert_int_equal(si.ulDeviceError, 0);
}

static void test_session_info(void **state)
{
	const CK_FLAGS ro = CKF_SERIAL_SESSION, rw = CKF_SERIAL_SESSION | CKF_RW_SESSION;
	CK_SESSION_HANDLE a = h_open(h_slot, 0), b = h_open(h_slot, 1);

	(void)state;
	assert_true(a != b);
	check_info(a, CKS_RO_PUBLIC_SESSION, ro);
	check_info(b, CKS_RW_PUBLIC_SESSION, rw);
	assert_rv(p11->C_GetSessionInfo(a, NULL), CKR_ARGUMENTS_BAD);

	h_login(a, CKU_USER);
	check_info(a, CKS_RO_USER_FUNCTIONS, ro);
	check_info(b, CKS_RW_USER_FUNCTIONS, rw);
	assert_ok(p11->C_Logout(b));
	check_info(a, CKS_RO_PUBLIC_SESSION, ro);
	check_info(b, CKS_RW_PUBLIC_SESSION, rw);

	assert_ok(p11->C_CloseSession(a));
	h_login(b, CKU_SO);
	check_info(b, CKS_RW_SO_FUNCTIONS, rw);
	a = h_open(h_slot, 1);
	check_info(a, CKS_RW_SO_FUNCTIONS, rw);
	assert_ok(p11->C_Logout(a));
	check_info(a, CKS_RW_PUBLIC_SESSION, rw);
	check_info(b, CKS_RW_PUBLIC_SESSION, rw);
}

static void check_counts(CK_ULONG total, CK_ULONG rw)
{
	CK_TOKEN_INFO ti;

	h_token_info(h_slot, &ti);
	assert_int_equal(ti.ulSessionCount, total);
	assert_int_equal(ti.ulRwSessionCount, rw);
}

static void test_session_counts(void **state)
{
	CK_SESSION_HANDLE s[6];
	int i;

	(void)state;
	check_counts(0, 0);
	s[0] = h_open(h_slot, 0);
	check_counts(1, 0);
	s[1] = h_open(h_slot, 1);
	check_counts(2, 1);
	for (i = 2; i < 6; i++)
		s[i] = h_open(h_slot, i & 1);
	check_counts(6, 3);
	assert_ok(p11->C_CloseSession(s[1]));
	check_counts(5, 2);
	assert_rv(p11->C_CloseSession(s[1]), CKR_SESSION_HANDLE_INVALID);
	check_counts(5, 2);
	assert_ok(p11->C_CloseSession(s[0]));
	check_counts(4, 2);
	assert_ok(p11->C_CloseAllSessions(h_slot));
	check_counts(0, 0);
}

static void test_login_shared(void **state)
{
	CK_SESSION_HANDLE a = h_open(h_slot, 1), b = h_open(h_slot, 0), c;

	(void)state;
	h_login(b, CKU_USER);
	assert_int_equal(h_state(a), CKS_RW_USER_FUNCTIONS);
	assert_int_equal(h_state(b), CKS_RO_USER_FUNCTIONS);
	c = h_open(h_slot, 0);
	assert_int_equal(h_state(c), CKS_RO_USER_FUNCTIONS);
	/* Already logged in, from any session. */
	assert_rv(h_login_pin(a, CKU_USER, H_USER_PIN), CKR_USER_ALREADY_LOGGED_IN);
	assert_rv(h_login_pin(c, CKU_USER, H_USER_PIN), CKR_USER_ALREADY_LOGGED_IN);
	/* Closing one session keeps the others logged in. */
	assert_ok(p11->C_CloseSession(b));
	assert_int_equal(h_state(a), CKS_RW_USER_FUNCTIONS);
	assert_int_equal(h_state(c), CKS_RO_USER_FUNCTIONS);
	/* Logout in any session logs out all. */
	assert_ok(p11->C_Logout(c));
	assert_int_equal(h_state(a), CKS_RW_PUBLIC_SESSION);
	assert_rv(p11->C_Logout(a), CKR_USER_NOT_LOGGED_IN);
}

static void test_last_close_logs_out(void **state)
{
	CK_SESSION_HANDLE a = h_open(h_slot, 1), b = h_open(h_slot, 0);

	(void)state;
	h_login(a, CKU_USER);
	assert_ok(p11->C_CloseSession(a));
	assert_int_equal(h_state(b), CKS_RO_USER_FUNCTIONS);
	assert_ok(p11->C_CloseSession(b));
	a = h_open(h_slot, 1);
	assert_int_equal(h_state(a), CKS_RW_PUBLIC_SESSION);
	assert_rv(p11->C_Logout(a), CKR_USER_NOT_LOGGED_IN);

	/* The same through C_CloseAllSessions, for the SO. */
	h_login(a, CKU_SO);
	assert_ok(p11->C_CloseAllSessions(h_slot));
	a = h_open(h_slot, 0);
	assert_int_equal(h_state(a), CKS_RO_PUBLIC_SESSION);
	h_login(a, CKU_USER);
}

static void test_login_errors(void **state)
{
	CK_SESSION_HANDLE rw = h_open(h_slot, 1), ro, s;
	CK_RV rv;

	(void)state;
	assert_rv(h_login_pin(rw, CKU_USER, "4321"), CKR_PIN_INCORRECT);
	assert_rv(h_login_pin(rw, CKU_SO, "87654321"), CKR_PIN_INCORRECT);
	assert_rv(h_login_pin(rw, 5, H_USER_PIN), CKR_USER_TYPE_INVALID);
	assert_rv(h_login_pin(rw, 0x80000001UL, H_USER_PIN), CKR_USER_TYPE_INVALID);
	rv = h_login_pin(rw, CKU_CONTEXT_SPECIFIC, H_USER_PIN);
	if (rv != CKR_OPERATION_NOT_INITIALIZED && rv != CKR_USER_TYPE_INVALID)
		fail_msg("CKU_CONTEXT_SPECIFIC without an operation: %s", h_rv_name(rv));
	assert_rv(p11->C_Login(rw, CKU_USER, NULL, 4), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_Logout(rw), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(h_state(rw), CKS_RW_PUBLIC_SESSION);

	/* User logged in. */
	h_login(rw, CKU_USER);
	assert_rv(h_login_pin(rw, CKU_USER, H_USER_PIN), CKR_USER_ALREADY_LOGGED_IN);
	assert_rv(h_login_pin(rw, CKU_SO, H_SO_PIN), CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
	assert_int_equal(h_state(rw), CKS_RW_USER_FUNCTIONS);
	assert_ok(p11->C_Logout(rw));
	assert_rv(p11->C_Logout(rw), CKR_USER_NOT_LOGGED_IN);

	/* SO logged in. */
	h_login(rw, CKU_SO);
	assert_rv(h_login_pin(rw, CKU_SO, H_SO_PIN), CKR_USER_ALREADY_LOGGED_IN);
	assert_rv(h_login_pin(rw, CKU_USER, H_USER_PIN), CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
	/* No R/O session while the SO is logged in. */
	assert_rv(p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s),
		  CKR_SESSION_READ_WRITE_SO_EXISTS);
	assert_int_equal(h_state(rw), CKS_RW_SO_FUNCTIONS);
	assert_ok(p11->C_Logout(rw));
	assert_rv(p11->C_Logout(rw), CKR_USER_NOT_LOGGED_IN);

	/* No SO login while an R/O session exists. */
	ro = h_open(h_slot, 0);
	assert_rv(h_login_pin(rw, CKU_SO, H_SO_PIN), CKR_SESSION_READ_ONLY_EXISTS);
	assert_rv(h_login_pin(ro, CKU_SO, H_SO_PIN), CKR_SESSION_READ_ONLY_EXISTS);
	assert_int_equal(h_state(rw), CKS_RW_PUBLIC_SESSION);
	assert_ok(p11->C_CloseSession(ro));
	h_login(rw, CKU_SO);
}

static void test_user_pin_not_initialized(void **state)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;

	(void)state;
	slot = h_init_token("no user");
	s = h_open(slot, 1);
	assert_rv(h_login_pin(s, CKU_USER, H_USER_PIN), CKR_USER_PIN_NOT_INITIALIZED);
	assert_int_equal(h_state(s), CKS_RW_PUBLIC_SESSION);
	h_login(s, CKU_SO);
}

/* Every session function refuses the handle. */
static void check_dead_handle(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj)
{
	const CK_RV inv = CKR_SESSION_HANDLE_INVALID;
	CK_SESSION_INFO si;
	CK_OBJECT_HANDLE o, objs[4];
	CK_ULONG n = 4, len = 64;
	CK_BYTE buf[64], iv[16];
	CK_ULONG cls = CKO_DATA;
	CK_ATTRIBUTE t[1] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_ATTRIBUTE t2[1] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_MECHANISM m = { CKM_AES_CBC, iv, sizeof(iv) };
	CK_MECHANISM dm = { CKM_SHA256, NULL, 0 };

	memset(iv, 0, sizeof(iv));
	memset(buf, 0, sizeof(buf));
	assert_rv(p11->C_CloseSession(s), inv);
	assert_rv(p11->C_GetSessionInfo(s, &si), inv);
	assert_rv(h_login_pin(s, CKU_USER, H_USER_PIN), inv);
	assert_rv(p11->C_Logout(s), inv);
	assert_rv(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR) "1234", 4), inv);
	assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR) "1234", 4, (CK_UTF8CHAR_PTR) "5678", 4), inv);
	assert_rv(p11->C_GetOperationState(s, buf, &len), inv);
	assert_rv(p11->C_SetOperationState(s, buf, sizeof(buf), 0, 0), inv);
	assert_rv(p11->C_CreateObject(s, t, 1, &o), inv);
	assert_rv(p11->C_CopyObject(s, obj, t, 1, &o), inv);
	assert_rv(p11->C_DestroyObject(s, obj), inv);
	assert_rv(p11->C_GetObjectSize(s, obj, &len), inv);
	assert_rv(p11->C_GetAttributeValue(s, obj, t2, 1), inv);
	assert_rv(p11->C_SetAttributeValue(s, obj, t, 1), inv);
	assert_rv(p11->C_FindObjectsInit(s, t, 1), inv);
	assert_rv(p11->C_FindObjects(s, objs, 4, &n), inv);
	assert_rv(p11->C_FindObjectsFinal(s), inv);
	assert_rv(p11->C_EncryptInit(s, &m, obj), inv);
	len = sizeof(buf);
	assert_rv(p11->C_Encrypt(s, buf, 16, buf, &len), inv);
	assert_rv(p11->C_DecryptInit(s, &m, obj), inv);
	assert_rv(p11->C_DigestInit(s, &dm), inv);
	assert_rv(p11->C_DigestUpdate(s, buf, 16), inv);
	assert_rv(p11->C_SignInit(s, &m, obj), inv);
	assert_rv(p11->C_SignUpdate(s, buf, 16), inv);
	assert_rv(p11->C_VerifyInit(s, &m, obj), inv);
	assert_rv(p11->C_Verify(s, buf, 16, buf, 16), inv);
	assert_rv(p11->C_GenerateKey(s, &m, t, 1, &o), inv);
	assert_rv(p11->C_SeedRandom(s, buf, 16), inv);
	assert_rv(p11->C_GenerateRandom(s, buf, 16), inv);
	assert_rv2(p11->C_GetFunctionStatus(s), inv, CKR_FUNCTION_NOT_PARALLEL);
	assert_rv2(p11->C_CancelFunction(s), inv, CKR_FUNCTION_NOT_PARALLEL);
}

static void test_closed_handle(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1), keep = h_open(h_slot, 1);
	CK_OBJECT_HANDLE obj = h_data(keep, "kept", CK_FALSE, CK_FALSE);

	(void)state;
	assert_ok(p11->C_CloseSession(s));
	check_dead_handle(s, obj);
	check_dead_handle(0, obj);
	check_dead_handle(0xdeadbeefUL, obj);
	check_dead_handle(~(CK_SESSION_HANDLE)0, obj);
	check_dead_handle(keep + 1000, obj);
	/* The other session is fine. */
	assert_int_equal(h_state(keep), CKS_RW_PUBLIC_SESSION);
	assert_true(h_get_bool(keep, obj, CKA_TOKEN) == CK_FALSE);
}

static void test_handles_not_reused(void **state)
{
	enum { CYCLES = 1000 };
	CK_SESSION_HANDLE *closed = calloc(CYCLES, sizeof(*closed));
	CK_SESSION_HANDLE anchor = h_open(h_slot, 0), s;
	int i, j;

	(void)state;
	assert_non_null(closed);
	for (i = 0; i < CYCLES; i++) {
		s = h_open(h_slot, i & 1);
		if (s == anchor)
			fail_msg("cycle %d: new handle equals an open one", i);
		for (j = 0; j < i; j++) {
			if (closed[j] == s)
				fail_msg("cycle %d: handle %lu of cycle %d reused", i,
					 (unsigned long)s, j);
		}
		closed[i] = s;
		assert_ok(p11->C_CloseSession(s));
	}
	for (i = 0; i < CYCLES; i += 97) {
		CK_SESSION_INFO si;

		assert_rv(p11->C_GetSessionInfo(closed[i], &si), CKR_SESSION_HANDLE_INVALID);
	}
	free(closed);
	assert_int_equal(h_state(anchor), CKS_RO_PUBLIC_SESSION);
}

/* Handles are never issued twice: not after C_Finalize + C_Initialize (a
 * handle an application kept names nothing, rather than a new session or
 * object), and never the same value for a session and an object. */
static void test_handles_unique_across_initialize(void **state)
{
	CK_SESSION_HANDLE old_s = h_open(h_slot, 1), s;
	CK_OBJECT_HANDLE old_o = h_data(old_s, "kept", CK_TRUE, CK_FALSE), o;
	CK_OBJECT_HANDLE old_so = h_data(old_s, "session obj", CK_FALSE, CK_FALSE), so;
	CK_SESSION_INFO si;
	CK_ULONG len = 0;

	(void)state;
	assert_true(old_s != old_o && old_s != old_so);
	assert_ok(p11->C_Finalize(NULL));
	h_initialize();
	s = h_open(h_slot, 1);
	so = h_data(s, "session obj", CK_FALSE, CK_FALSE);
	o = h_data(s, "new", CK_TRUE, CK_FALSE);
	assert_true(s != old_s && s != old_o && s != old_so);
	assert_true(o != old_o && o != old_so && o != old_s && o != s);
	assert_true(so != old_so && so != old_o && so != s);
	assert_rv(p11->C_GetSessionInfo(old_s, &si), CKR_SESSION_HANDLE_INVALID);
	assert_rv(p11->C_GetObjectSize(s, old_so, &len), CKR_OBJECT_HANDLE_INVALID);
	/* The token object "kept" is loaded again, under a new handle. */
	assert_rv(p11->C_GetObjectSize(s, old_o, &len), CKR_OBJECT_HANDLE_INVALID);
	/* A session handle is not an object handle, and the other way round. */
	assert_rv(p11->C_GetObjectSize(s, s, &len), CKR_OBJECT_HANDLE_INVALID);
	assert_rv(p11->C_GetSessionInfo(o, &si), CKR_SESSION_HANDLE_INVALID);
}

static void test_close_all_sessions(void **state)
{
	CK_SLOT_ID other;
	CK_SESSION_HANDLE a1, a2, b1, b2;
	CK_SESSION_INFO si;

	(void)state;
	other = h_init_token("other token");
	h_init_user_pin(other);
	a1 = h_open(h_slot, 1);
	a2 = h_open(h_slot, 0);
	b1 = h_open(other, 1);
	b2 = h_open(other, 0);
	h_login(a1, CKU_USER);
	h_login(b1, CKU_USER);
	/* Login state belongs to the token. */
	assert_int_equal(h_state(b2), CKS_RO_USER_FUNCTIONS);

	assert_ok(p11->C_CloseAllSessions(h_slot));
	assert_rv(p11->C_GetSessionInfo(a1, &si), CKR_SESSION_HANDLE_INVALID);
	assert_rv(p11->C_GetSessionInfo(a2, &si), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(h_state(b1), CKS_RW_USER_FUNCTIONS);
	assert_int_equal(h_state(b2), CKS_RO_USER_FUNCTIONS);
	check_counts(0, 0);
	a1 = h_open(h_slot, 1);
	assert_int_equal(h_state(a1), CKS_RW_PUBLIC_SESSION);
	/* Nothing to close is fine. */
	assert_ok(p11->C_CloseSession(a1));
	assert_ok(p11->C_CloseAllSessions(h_slot));
	assert_int_equal(h_state(b1), CKS_RW_USER_FUNCTIONS);
}

static void test_logins_per_token(void **state)
{
	CK_SLOT_ID other;
	CK_SESSION_HANDLE a, b;

	(void)state;
	other = h_init_token("other token");
	h_init_user_pin(other);
	a = h_open(h_slot, 1);
	b = h_open(other, 1);
	h_login(a, CKU_USER);
	assert_int_equal(h_state(b), CKS_RW_PUBLIC_SESSION);
	h_login(b, CKU_SO);
	assert_int_equal(h_state(a), CKS_RW_USER_FUNCTIONS);
	assert_int_equal(h_state(b), CKS_RW_SO_FUNCTIONS);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_session_errors, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_session_info, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_session_counts, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_login_shared, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_last_close_logs_out, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_login_errors, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_user_pin_not_initialized, h_setup_init,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_closed_handle, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_handles_not_reused, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_handles_unique_across_initialize,
						h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_close_all_sessions, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_logins_per_token, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
