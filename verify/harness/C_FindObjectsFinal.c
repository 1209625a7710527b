/*
 * C_FindObjectsFinal(hSession) with an R/W session on slot 1 holding two
 * data objects, after C_FindObjectsInit on CKA_CLASS = CKO_DATA (2
 * matches) or without a find active (verify_case_g), with hSession from
 * verify_session_handle.
 */
#include "setup.h"

int main(void)
{
	static CK_OBJECT_CLASS data = CKO_DATA;
	CK_ATTRIBUTE find = { CKA_CLASS, &data, sizeof(data) };
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_open_session();
	(void)verify_data_object(s, 1);
	(void)verify_data_object(s, 0);
	verify_case_g = Frama_C_interval(0, 1);
	if (verify_case_g) {
		rv = C_FindObjectsInit(s, &find, 1);
		//@ assert setup_find: rv == CKR_OK;
	}
	verify_setup = 0;

	rv = C_FindObjectsFinal(verify_session_handle(s));
	verify_done(rv);
	return 0;
}
