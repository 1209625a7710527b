/*
 * C_GetSlotInfo(slotID, pInfo) on a module initialized or not, with
 * slotID 1 (initialized token), 2 (blank), 0, 3 or any value (the slot
 * description prints it: every digit count) and pInfo NULL or a
 * CK_SLOT_INFO (uninitialized contents).
 */
#include "setup.h"

int main(void)
{
	CK_SLOT_INFO info;
	CK_RV rv;

	verify_maybe_initialize();
	verify_setup = 0;

	verify_case_e = Frama_C_interval(0, 1);
	rv = C_GetSlotInfo(verify_slot_id(), verify_case_e ? &info : NULL);
	verify_done(rv);
	return 0;
}
