/*
 * C_GetMechanismInfo(slotID, type, pInfo) on an initialized module, with
 * slotID from verify_slot_id, type any value, and pInfo NULL or a
 * CK_MECHANISM_INFO.
 */
#include <limits.h>

#include "setup.h"

int main(void)
{
	CK_MECHANISM_INFO info;
	CK_RV rv;

	verify_initialize();
	verify_setup = 0;

	verify_case_e = Frama_C_interval(0, 1);
	rv = C_GetMechanismInfo(verify_slot_id(), Frama_C_unsigned_long_interval(0, ULONG_MAX),
				verify_case_e ? &info : NULL);
	verify_done(rv);
	return 0;
}
