/*
 * C_Finalize(pReserved) from three module states (verify_case_g): not
 * initialized; initialized with nothing open; or a full state: an R/W
 * session on slot 1 with the user logged in, a private token data object
 * (sealed), a public token data object, a session data object and an EC
 * key pair, a find (3 matches), a signature (CKM_ECDSA_SHA256: key
 * reference and digest context) and a digest active, and an R/O session
 * besides. pReserved NULL or not (verify_case_e). Finalizing closes every
 * session, logs out, frees every object, key, context, handle table, token
 * and slot, and the lock: a use after free, double free, a wipe past a
 * block or the lock left held is an alarm.
 */
#include "setup.h"

int main(void)
{
	static CK_OBJECT_CLASS data = CKO_DATA;
	static CK_BBOOL yes = CK_TRUE;
	static CK_BYTE value[16] = { 1 };
	static CK_BYTE reserved[8];
	CK_ATTRIBUTE priv[] = {
		{ CKA_CLASS, &data, sizeof(data) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VALUE, value, sizeof(value) },
	};
	CK_ATTRIBUTE find = { CKA_CLASS, &data, sizeof(data) };
	CK_MECHANISM sign = { CKM_ECDSA_SHA256, NULL, 0 }, digest = { CKM_SHA256, NULL, 0 };
	CK_SESSION_HANDLE s, ro;
	CK_OBJECT_HANDLE key;
	CK_RV rv;

	verify_setup = 1;
	verify_case_g = Frama_C_interval(0, 2);
	if (verify_case_g == 1) {
		verify_initialize();
	} else if (verify_case_g == 2) {
		s = verify_open_session();
		rv = C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &ro);
		//@ assert setup_open_ro: rv == CKR_OK;
		verify_login(s, CKU_USER);
		(void)verify_create(s, priv, 4);
		(void)verify_data_object(s, 1);
		(void)verify_data_object(s, 0);
		key = verify_ec_private_key(s);
		(void)verify_ec_public_key(s);
		rv = C_FindObjectsInit(s, &find, 1);
		//@ assert setup_find: rv == CKR_OK;
		rv = C_SignInit(s, &sign, key);
		//@ assert setup_sign: rv == CKR_OK;
		rv = C_DigestInit(s, &digest);
		//@ assert setup_digest: rv == CKR_OK;
	}
	verify_setup = 0;

	verify_case_e = Frama_C_interval(0, 1);
	rv = C_Finalize(verify_case_e ? reserved : NULL);
	verify_done(rv);
	return 0;
}
