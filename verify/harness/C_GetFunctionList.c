/*
 * C_GetFunctionList(ppFunctionList) on a module initialized or not
 * (verify_case_f: it must work before C_Initialize), with ppFunctionList
 * NULL or a pointer to an uninitialized CK_FUNCTION_LIST_PTR. On success
 * the list's C_GetFunctionList is this function (asserted).
 */
#include "setup.h"

int main(void)
{
	CK_FUNCTION_LIST_PTR list;
	CK_RV rv;

	verify_maybe_initialize();
	verify_setup = 0;

	verify_case_e = Frama_C_interval(0, 1);
	rv = C_GetFunctionList(verify_case_e ? &list : NULL);
	if (rv == CKR_OK) {
		//@ assert function_list: list->C_GetFunctionList == C_GetFunctionList;
	}
	verify_done(rv);
	return 0;
}
