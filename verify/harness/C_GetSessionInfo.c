/*
 * C_GetSessionInfo(hSession, pInfo) with an R/W session on slot 1, with
 * hSession from verify_session_handle and pInfo NULL or a CK_SESSION_INFO.
 */
#include "setup.h"

int main(void)
{
	CK_SESSION_INFO info;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_open_session();
	verify_setup = 0;

	verify_case_e = Frama_C_interval(0, 1);
	rv = C_GetSessionInfo(verify_session_handle(s), verify_case_e ? &info : NULL);
	verify_done(rv);
	return 0;
}
