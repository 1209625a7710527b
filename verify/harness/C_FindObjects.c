/*
 * C_FindObjects(hSession, phObject, ulMaxObjectCount, pulObjectCount) with
 * an R/W session on slot 1 holding three data objects (one a token
 * object) and an EC key, after C_FindObjectsInit on CKA_CLASS = CKO_DATA
 * (3 matches), one of which (a session object) was destroyed after the
 * init (its stale handle is still in the match list), or without a find
 * active (verify_case_g), and after a first C_FindObjects that returned
 * one handle or not (verify_case_f), with:
 *   hSession   from verify_session_handle;
 *   (phObject, ulMaxObjectCount)  verify_len_buffer around 3 (handles);
 *   pulObjectCount  NULL or a CK_ULONG.
 */
#include "setup.h"

int main(void)
{
	static CK_OBJECT_CLASS data = CKO_DATA;
	CK_ATTRIBUTE find = { CKA_CLASS, &data, sizeof(data) };
	CK_OBJECT_HANDLE gone, first;
	CK_SESSION_HANDLE s;
	CK_ULONG max = 0, count = 0;
	void *handles = NULL;
	CK_RV rv;

	s = verify_open_session();
	(void)verify_data_object(s, 1);
	(void)verify_data_object(s, 0);
	gone = verify_data_object(s, 0);
	(void)verify_ec_private_key(s);
	verify_case_g = Frama_C_interval(0, 1);
	if (verify_case_g) {
		rv = C_FindObjectsInit(s, &find, 1);
		//@ assert setup_find: rv == CKR_OK;
		rv = C_DestroyObject(s, gone);
		//@ assert setup_destroy: rv == CKR_OK;
		verify_case_f = Frama_C_interval(0, 1);
		if (verify_case_f) {
			rv = C_FindObjects(s, &first, 1, &count);
			//@ assert setup_find_first: rv == CKR_OK && count == 1;
		}
	}
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, 3, sizeof(CK_OBJECT_HANDLE), 0, &max, &handles);
	verify_case_e = Frama_C_interval(0, 1);
	rv = C_FindObjects(verify_session_handle(s), (CK_OBJECT_HANDLE_PTR)handles, max,
			   verify_case_e ? &count : NULL);
	verify_done(rv);
	return 0;
}
