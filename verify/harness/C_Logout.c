/*
 * C_Logout(hSession) with an R/W session on slot 1 holding a public data
 * object, in three login states (verify_case_f): nobody logged in, the
 * user logged in (with a private data object, sealed at creation, and
 * its handle), or the SO logged in; hSession from verify_session_handle.
 * Logging out wipes the token master key and drops the private objects'
 * handles (token_forget_login).
 */
#include "setup.h"

int main(void)
{
	static CK_OBJECT_CLASS data = CKO_DATA;
	static CK_BBOOL yes = CK_TRUE;
	static CK_BYTE value[16] = { 1 };
	CK_ATTRIBUTE priv[] = {
		{ CKA_CLASS, &data, sizeof(data) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VALUE, value, sizeof(value) },
	};
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_open_session();
	(void)verify_data_object(s, 0);
	verify_case_f = Frama_C_interval(0, 2);
	if (verify_case_f == 1) {
		verify_login(s, CKU_USER);
		(void)verify_create(s, priv, 4);
	} else if (verify_case_f == 2) {
		verify_login(s, CKU_SO);
	}
	verify_setup = 0;

	rv = C_Logout(verify_session_handle(s));
	verify_done(rv);
	return 0;
}
