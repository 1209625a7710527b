/*
 * fork() after C_Initialize (PKCS#11 v2.40 section 6.7.x, "Cryptoki and
 * fork()"): the child sees an uninitialized library until it calls
 * C_Initialize itself, then works on the same tokens; the parent is
 * unaffected; the child does not replay the parent's random numbers.
 * Children report by exit status.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* The child side of test_fork; runs without cmocka. */
static int fork_child(CK_SESSION_HANDLE parent_session)
{
	CK_INFO info;
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8;
	CK_SESSION_HANDLE s = 0;
	CK_SESSION_INFO si;
	CK_OBJECT_HANDLE found[4];
	CK_ATTRIBUTE t[1] = { { CKA_LABEL, "fork public", 11 } };
	CK_ATTRIBUTE tp[1] = { { CKA_LABEL, "fork private", 12 } };
	const CK_RV ni = CKR_CRYPTOKI_NOT_INITIALIZED;

	CHILD_RV(p11->C_GetInfo(&info), ni);
	CHILD_RV(p11->C_GetSlotList(CK_TRUE, slots, &n), ni);
	CHILD_RV(p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s), ni);
	CHILD_RV(p11->C_GetSessionInfo(parent_session, &si), ni);
	CHILD_RV(p11->C_FindObjectsInit(parent_session, NULL, 0), ni);
	CHILD_RV(p11->C_CloseSession(parent_session), ni);
	CHILD_RV(p11->C_Finalize(NULL), ni);
	CHILD_RV(p11->C_Initialize(NULL), CKR_OK);
	CHILD_RV(p11->C_GetInfo(&info), CKR_OK);
	CHILD_RV(p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	CHILD_RV(p11->C_FindObjectsInit(s, t, 1), CKR_OK);
	CHILD_RV(p11->C_FindObjects(s, found, 4, &n), CKR_OK);
	CHILD_CHECK(n == 1);
	CHILD_RV(p11->C_FindObjectsFinal(s), CKR_OK);
	/* The parent's login is not inherited. */
	CHILD_RV(p11->C_GetSessionInfo(s, &si), CKR_OK);
	CHILD_CHECK(si.state == CKS_RO_PUBLIC_SESSION);
	CHILD_RV(p11->C_FindObjectsInit(s, tp, 1), CKR_OK);
	CHILD_RV(p11->C_FindObjects(s, found, 4, &n), CKR_OK);
	CHILD_CHECK(n == 0);
	CHILD_RV(p11->C_FindObjectsFinal(s), CKR_OK);
	CHILD_RV(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)H_USER_PIN, 4), CKR_OK);
	CHILD_RV(p11->C_FindObjectsInit(s, tp, 1), CKR_OK);
	CHILD_RV(p11->C_FindObjects(s, found, 4, &n), CKR_OK);
	CHILD_CHECK(n == 1);
	CHILD_RV(p11->C_FindObjectsFinal(s), CKR_OK);
	CHILD_RV(p11->C_Finalize(NULL), CKR_OK);
	return 0;
}

static void test_fork(void **state)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE found[4];
	CK_OBJECT_HANDLE sess_obj;
	pid_t pid;

	(void)state;
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	(void)h_data(s, "fork public", CK_TRUE, CK_FALSE);
	(void)h_data(s, "fork private", CK_TRUE, CK_TRUE);
	sess_obj = h_data(s, "fork session", CK_FALSE, CK_FALSE);

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fork_child(s));
	assert_int_equal(h_wait(pid), 0);

	/* The parent is unaffected: its session, login and objects remain. */
	assert_int_equal(h_state(s), CKS_RW_USER_FUNCTIONS);
	assert_int_equal(h_find_label(s, "fork public", found, 4), 1);
	assert_int_equal(h_find_label(s, "fork private", found, 4), 1);
	assert_int_equal(h_find_label(s, "fork session", found, 4), 1);
	assert_true(found[0] == sess_obj);
	(void)h_data(s, "after fork", CK_TRUE, CK_FALSE);
	assert_int_equal(h_find_label(s, "after fork", found, 4), 1);
	h_reinit();
	s = h_open(h_slot, 0);
	assert_int_equal(h_find_label(s, "after fork", found, 4), 1);
}

/* The child of a fork draws fresh random numbers, not the parent's stream. */
static void test_fork_random(void **state)
{
	CK_SESSION_HANDLE s;
	unsigned char mine[32], theirs[32];
	int fds[2];
	pid_t pid;
	ssize_t r;

	(void)state;
	s = h_open(h_slot, 0);
	assert_ok(p11->C_GenerateRandom(s, mine, sizeof(mine)));
	assert_int_equal(pipe(fds), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		CK_SESSION_HANDLE cs;

		close(fds[0]);
		if (p11->C_Initialize(NULL) != CKR_OK)
			_exit(1);
		if (p11->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &cs) != CKR_OK)
			_exit(2);
		if (p11->C_GenerateRandom(cs, theirs, sizeof(theirs)) != CKR_OK)
			_exit(3);
		if (write(fds[1], theirs, sizeof(theirs)) != (ssize_t)sizeof(theirs))
			_exit(4);
		_exit(0);
	}
	close(fds[1]);
	assert_ok(p11->C_GenerateRandom(s, mine, sizeof(mine)));
	r = read(fds[0], theirs, sizeof(theirs));
	close(fds[0]);
	assert_int_equal(h_wait(pid), 0);
	assert_int_equal(r, sizeof(theirs));
	assert_memory_not_equal(mine, theirs, sizeof(mine));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fork, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_fork_random, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
