/*
 * C_GetObjectSize(hSession, hObject, pulSize) with an R/W session on slot
 * 1 holding a session data object, a token data object and an EC private
 * key, with hSession from verify_session_handle, hObject each object or an
 * invalid handle (verify_object_handle), pulSize NULL or a CK_ULONG.
 */
#include "setup.h"

int main(void)
{
	CK_OBJECT_HANDLE objs[3], h;
	CK_SESSION_HANDLE s;
	CK_ULONG size;
	CK_RV rv;

	s = verify_open_session();
	objs[0] = verify_data_object(s, 0);
	objs[1] = verify_data_object(s, 1);
	objs[2] = verify_ec_private_key(s);
	verify_setup = 0;

	h = verify_object_handle(&verify_case_c, objs, 3);
	verify_case_e = Frama_C_interval(0, 1);
	rv = C_GetObjectSize(verify_session_handle(s), h, verify_case_e ? &size : NULL);
	verify_done(rv);
	return 0;
}
