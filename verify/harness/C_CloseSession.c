/*
 * C_CloseSession(hSession) with two sessions on slot 1: an R/W one
 * holding a token data object, two session data objects and an EC key,
 * with a find (C_FindObjectsInit, 3 matches), a signature (C_SignInit,
 * CKM_ECDSA_SHA256: a key reference and a digest context) and a digest
 * (C_DigestInit) active, and an R/O one. hSession is from
 * verify_session_handle on the R/W session; closing it destroys its session
 * objects (index, handles), ends every operation and must leave the other
 * session, the token object and the lock as they should be.
 */
#include "setup.h"

int main(void)
{
	static CK_OBJECT_CLASS data = CKO_DATA;
	CK_ATTRIBUTE find = { CKA_CLASS, &data, sizeof(data) };
	CK_MECHANISM sign = { CKM_ECDSA_SHA256, NULL, 0 }, digest = { CKM_SHA256, NULL, 0 };
	CK_SESSION_HANDLE s, ro;
	CK_OBJECT_HANDLE key;
	CK_RV rv;

	s = verify_open_session();
	rv = C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &ro);
	//@ assert setup_open_ro: rv == CKR_OK;
	(void)verify_data_object(s, 1);
	(void)verify_data_object(s, 0);
	(void)verify_data_object(s, 0);
	key = verify_ec_private_key(s);
	rv = C_FindObjectsInit(s, &find, 1);
	//@ assert setup_find: rv == CKR_OK;
	rv = C_SignInit(s, &sign, key);
	//@ assert setup_sign: rv == CKR_OK;
	rv = C_DigestInit(s, &digest);
	//@ assert setup_digest: rv == CKR_OK;
	verify_setup = 0;

	rv = C_CloseSession(verify_session_handle(s));
	verify_done(rv);
	return 0;
}
