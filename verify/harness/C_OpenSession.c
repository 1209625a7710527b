/*
 * C_OpenSession(slotID, flags, pApplication, Notify, phSession) with an
 * R/W session already open on slot 1 (holding a token data object and a
 * session data object) or none (verify_case_g), with slotID from
 * verify_slot_id (slot 2: the blank token), flags any value, pApplication
 * and Notify NULL (never used), phSession NULL or a CK_SESSION_HANDLE.
 * token_sync may find the store changed and reload the token (arbitrary
 * record, any store failure); every allocation may fail.
 */
#include <limits.h>

#include "setup.h"

int main(void)
{
	CK_SESSION_HANDLE s, out;
	CK_RV rv;

	verify_case_g = Frama_C_interval(0, 1);
	if (verify_case_g) {
		s = verify_open_session();
		(void)verify_data_object(s, 1);
		(void)verify_data_object(s, 0);
	} else {
		verify_initialize();
	}
	verify_setup = 0;

	verify_case_e = Frama_C_interval(0, 1);
	rv = C_OpenSession(verify_slot_id(), Frama_C_unsigned_long_interval(0, ULONG_MAX), NULL,
			   NULL, verify_case_e ? &out : NULL);
	verify_done(rv);
	return 0;
}
