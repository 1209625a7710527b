/*
 * C_CloseAllSessions(slotID) with an R/W session on slot 1 (a token data
 * object, a session data object, an EC key, a signature operation
 * active) and an R/O session on slot 1, with slotID from verify_slot_id.
 */
#include "setup.h"

int main(void)
{
	CK_MECHANISM sign = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_SESSION_HANDLE s, ro;
	CK_OBJECT_HANDLE key;
	CK_RV rv;

	s = verify_open_session();
	rv = C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &ro);
	//@ assert setup_open_ro: rv == CKR_OK;
	(void)verify_data_object(s, 1);
	(void)verify_data_object(s, 0);
	key = verify_ec_private_key(s);
	rv = C_SignInit(s, &sign, key);
	//@ assert setup_sign: rv == CKR_OK;
	verify_setup = 0;

	rv = C_CloseAllSessions(verify_slot_id());
	verify_done(rv);
	return 0;
}
