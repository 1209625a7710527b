/*
 * C_DestroyObject(hSession, hObject) with an R/W session on slot 1 and an
 * R/O one, the R/W session holding a session data object, a token data
 * object (stored: its deletion goes to the store, which may fail) and an
 * EC private key with a signature active on it (C_SignInit: the operation
 * holds a reference to the key's crypto key), and a find active whose
 * matches include the data objects, with:
 *   hSession  verify_session_handle of the R/W or the R/O session
 *             (verify_case_g: a token object needs an R/W session);
 *   hObject   each object, or an invalid handle (verify_object_handle).
 */
#include "setup.h"

int main(void)
{
	static CK_OBJECT_CLASS data = CKO_DATA;
	CK_ATTRIBUTE find = { CKA_CLASS, &data, sizeof(data) };
	CK_MECHANISM sign = { CKM_ECDSA, NULL, 0 };
	CK_OBJECT_HANDLE objs[3], h;
	CK_SESSION_HANDLE s, ro;
	CK_RV rv;

	s = verify_open_session();
	rv = C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &ro);
	//@ assert setup_open_ro: rv == CKR_OK;
	objs[0] = verify_data_object(s, 0);
	objs[1] = verify_data_object(s, 1);
	objs[2] = verify_ec_private_key(s);
	rv = C_SignInit(s, &sign, objs[2]);
	//@ assert setup_sign: rv == CKR_OK;
	rv = C_FindObjectsInit(s, &find, 1);
	//@ assert setup_find: rv == CKR_OK;
	verify_setup = 0;

	h = verify_object_handle(&verify_case_c, objs, 3);
	verify_case_g = Frama_C_interval(0, 1);
	rv = C_DestroyObject(verify_session_handle(verify_case_g ? s : ro), h);
	verify_done(rv);
	return 0;
}
