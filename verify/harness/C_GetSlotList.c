/*
 * C_GetSlotList(tokenPresent, pSlotList, pulCount) on an initialized module
 * (slots 1 and 2), with:
 *   tokenPresent  any CK_BBOOL value;
 *   pulCount      NULL, or a CK_ULONG holding one of the lengths of
 *                 verify_len_buffer (around the 2 slots, the cap, huge);
 *   pSlotList     NULL, or an array of min(*pulCount, VERIFY_CAP) slot ids;
 * and, when pSlotList is NULL, a refresh of the slot list that lists a
 * directory of up to VERIFY_DIR_ENTRIES names (stubs/libc.c) and opens
 * what it finds with any store outcome (stubs/store.c), any allocation
 * failing.
 */
#include "setup.h"

int main(void)
{
	CK_ULONG count = 0;
	void *list = NULL;
	CK_RV rv;

	verify_initialize();
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, 2, sizeof(CK_SLOT_ID), 0, &count, &list);
	rv = C_GetSlotList((CK_BBOOL)Frama_C_interval(0, 255), (CK_SLOT_ID_PTR)list,
			   Frama_C_nondet(0, 1) ? &count : NULL);
	verify_done(rv);
	return 0;
}
