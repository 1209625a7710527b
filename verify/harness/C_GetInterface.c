/*
 * C_GetInterface(pInterfaceName, pVersion, ppInterface, flags) (PKCS#11
 * 3.0, exported; works without C_Initialize) on a module initialized or
 * not, with pInterfaceName NULL, "PKCS 11", "PKCS 11 " or "" (a string,
 * as the standard requires), pVersion NULL, 2.40 or 3.0, ppInterface NULL
 * or a CK_INTERFACE_PTR, flags 0, CKF_INTERFACE_FORK_SAFE or any value.
 */
#include <limits.h>

#include "setup.h"

int main(void)
{
	static CK_UTF8CHAR name_ok[] = "PKCS 11", name_long[] = "PKCS 11 ", name_empty[] = "";
	CK_UTF8CHAR_PTR names[] = { NULL, name_ok, name_long, name_empty };
	CK_VERSION v240 = { 2, 40 }, v30 = { 3, 0 };
	CK_VERSION_PTR versions[] = { NULL, &v240, &v30 };
	CK_INTERFACE_PTR iface;
	CK_FLAGS flags;
	CK_RV rv;

	verify_maybe_initialize();
	verify_setup = 0;

	verify_case_a = Frama_C_interval(0, 3);
	verify_case_b = Frama_C_interval(0, 2);
	verify_case_e = Frama_C_interval(0, 1);
	switch (Frama_C_interval_split(0, 2)) {
	case 0:
		flags = 0;
		break;
	case 1:
		flags = CKF_INTERFACE_FORK_SAFE;
		break;
	default:
		flags = Frama_C_unsigned_long_interval(0, ULONG_MAX);
		break;
	}
	rv = C_GetInterface(names[verify_case_a], versions[verify_case_b],
			    verify_case_e ? &iface : NULL, flags);
	verify_done(rv);
	return 0;
}
