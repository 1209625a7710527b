/*
 * C_Initialize(pInitArgs) from three module states (verify_case_g): never
 * initialized; initialized (CKR_CRYPTOKI_ALREADY_INITIALIZED); initialized
 * with a session, objects and the user logged in, then finalized (a
 * second start). pInitArgs (verify_case_a): NULL; flags 0 and no
 * callbacks; CKF_OS_LOCKING_OK; CKF_LIBRARY_CANT_CREATE_OS_THREADS; any
 * flags; all four callbacks (with and without CKF_OS_LOCKING_OK); one,
 * two or three of them (the first ones, the last one); pReserved non-NULL.
 * Loading the configuration and the store directory may fail in every way
 * (stubs/config.c, stubs/libc.c); the directory lists nothing or one name
 * from the concrete list (the known token, new ones, the other backend's,
 * a leading zero, ".."); opening the tokens' stores may fail; every
 * allocation may fail. Narrowed: no arbitrary name (verify_dir_arbitrary
 * 0): a token of unknown id has an unknown place beside the blank slot in
 * the sorted slot list, and the failure path frees that list (false
 * alarms: a possibly cyclic list for EVA).
 */
#include <limits.h>

#include "setup.h"

static CK_RV create_mutex(CK_VOID_PTR_PTR m)
{
	*m = NULL;
	return CKR_OK;
}

static CK_RV mutex_op(CK_VOID_PTR m)
{
	(void)m;
	return CKR_OK;
}

int main(void)
{
	static CK_BYTE reserved[8];
	CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, 0, NULL };
	CK_SESSION_HANDLE s;
	CK_RV rv;

	verify_setup = 1;
	verify_case_g = Frama_C_interval(0, 2);
	if (verify_case_g == 1) {
		verify_initialize();
	} else if (verify_case_g == 2) {
		s = verify_open_session();
		(void)verify_data_object(s, 1);
		(void)verify_ec_private_key(s);
		verify_login(s, CKU_USER);
		rv = C_Finalize(NULL);
		//@ assert setup_finalize: rv == CKR_OK;
	}
	verify_setup = 0;
	verify_dir_arbitrary = verify_case_g != 1;

	verify_case_a = Frama_C_interval(0, 11);
	switch (verify_case_a) {
	case 0:
		break;
	case 1:
		break;
	case 2:
		args.flags = CKF_OS_LOCKING_OK;
		break;
	case 3:
		args.flags = CKF_LIBRARY_CANT_CREATE_OS_THREADS;
		break;
	case 4:
		args.flags = Frama_C_unsigned_long_interval(0, ULONG_MAX);
		break;
	case 5:
	case 6:
		args.CreateMutex = create_mutex;
		args.DestroyMutex = mutex_op;
		args.LockMutex = mutex_op;
		args.UnlockMutex = mutex_op;
		if (verify_case_a == 6)
			args.flags = CKF_OS_LOCKING_OK;
		break;
	case 7:
		args.CreateMutex = create_mutex;
		break;
	case 8:
		args.CreateMutex = create_mutex;
		args.DestroyMutex = mutex_op;
		break;
	case 9:
		args.CreateMutex = create_mutex;
		args.DestroyMutex = mutex_op;
		args.LockMutex = mutex_op;
		break;
	case 10:
		args.UnlockMutex = mutex_op;
		break;
	default:
		args.pReserved = reserved;
		break;
	}
	rv = C_Initialize(verify_case_a == 0 ? NULL : &args);
	verify_done(rv);
	return 0;
}
