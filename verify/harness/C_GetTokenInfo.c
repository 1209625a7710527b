/*
 * C_GetTokenInfo(slotID, pInfo) with an R/W session on slot 1 holding a
 * token data object and a session data object, with slotID from
 * verify_slot_id (slot 1: token_sync, which may find the store changed and
 * reload the token record, arbitrary, and its objects, any store call
 * failing; slot 2: the blank token) and pInfo NULL or a CK_TOKEN_INFO.
 */
#include "setup.h"

int main(void)
{
	CK_TOKEN_INFO info;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_open_session();
	(void)verify_data_object(s, 1);
	(void)verify_data_object(s, 0);
	verify_setup = 0;

	verify_case_e = Frama_C_interval(0, 1);
	rv = C_GetTokenInfo(verify_slot_id(), verify_case_e ? &info : NULL);
	verify_done(rv);
	return 0;
}
