/*
 * C_GetMechanismList(slotID, pMechanismList, pulCount) on an initialized
 * module, with slotID from verify_slot_id, pulCount NULL or holding a
 * length of verify_len_buffer around the table's row count, and
 * pMechanismList NULL or an array of min(*pulCount, VERIFY_CAP) types.
 */
#include "core/mech.h"
#include "setup.h"

int main(void)
{
	CK_ULONG count = 0;
	void *list = NULL;
	size_t rows;
	CK_RV rv;

	verify_initialize();
	verify_setup = 0;
	(void)mech_all(&rows);
	//@ assert harness_cap: rows < VERIFY_CAP;

	verify_len_buffer(&verify_case_a, rows, sizeof(CK_MECHANISM_TYPE), 0, &count, &list);
	verify_case_e = Frama_C_interval(0, 1);
	rv = C_GetMechanismList(verify_slot_id(), (CK_MECHANISM_TYPE_PTR)list,
				verify_case_e ? &count : NULL);
	verify_done(rv);
	return 0;
}
