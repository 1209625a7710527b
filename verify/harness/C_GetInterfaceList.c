/*
 * C_GetInterfaceList(pInterfacesList, pulCount) (PKCS#11 3.0, exported;
 * works without C_Initialize) on a module initialized or not, with
 * pulCount NULL or holding a length of verify_len_buffer around 1 (the
 * one interface), pInterfacesList NULL or an array of min(*pulCount,
 * VERIFY_CAP) CK_INTERFACEs.
 */
#include "setup.h"

int main(void)
{
	CK_ULONG count = 0;
	void *list = NULL;
	CK_RV rv;

	verify_maybe_initialize();
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, 1, sizeof(CK_INTERFACE), 0, &count, &list);
	verify_case_e = Frama_C_interval(0, 1);
	rv = C_GetInterfaceList((CK_INTERFACE_PTR)list, verify_case_e ? &count : NULL);
	verify_done(rv);
	return 0;
}
