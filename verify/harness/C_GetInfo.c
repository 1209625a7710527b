/*
 * C_GetInfo(pInfo) on a module initialized or not (verify_case_f), with
 * pInfo NULL or a CK_INFO (uninitialized contents).
 */
#include "setup.h"

int main(void)
{
	CK_INFO info;
	CK_RV rv;

	verify_maybe_initialize();
	verify_setup = 0;

	verify_case_e = Frama_C_interval(0, 1);
	rv = C_GetInfo(verify_case_e ? &info : NULL);
	verify_done(rv);
	return 0;
}
