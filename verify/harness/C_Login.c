/*
 * C_Login(hSession, userType, pPin, ulPinLen) with an R/W session on slot 1
 * holding a public data object, in four login states (verify_case_g):
 * nobody logged in; nobody logged in but a private token data object
 * (sealed, made while the user was logged in, then C_Logout) that a user
 * login opens (object_unseal: record MAC and value checks, handle added);
 * the user logged in; the SO logged in. An R/O session is open besides or
 * not (verify_case_f: the SO cannot log in then). Arguments:
 *   hSession   from verify_session_handle;
 *   userType   CKU_SO, CKU_USER, CKU_CONTEXT_SPECIFIC, 3, ULONG_MAX
 *              (verify_case_b);
 *   (pPin, ulPinLen)  verify_len_buffer around CONFIG_MAX_PIN_LEN (255), an
 *              input: 0, 1, 254, 255, 256, 128, 1025, 2048, > PTRDIFF_MAX,
 *              ULONG_MAX, or NULL with any length.
 * The PIN attempt reads an arbitrary token record (PINs set or not, any
 * failure count) and may fail in every way (store, KDF, unwrap).
 */
#include <limits.h>

#include "core/config.h"
#include "setup.h"

int main(void)
{
	static CK_OBJECT_CLASS data = CKO_DATA;
	static CK_BBOOL yes = CK_TRUE;
	static CK_BYTE value[16] = { 1 };
	static const CK_USER_TYPE users[] = { CKU_SO, CKU_USER, CKU_CONTEXT_SPECIFIC, 3,
					      ULONG_MAX };
	CK_ATTRIBUTE priv[] = {
		{ CKA_CLASS, &data, sizeof(data) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VALUE, value, sizeof(value) },
	};
	CK_SESSION_HANDLE s, ro;
	CK_ULONG len = 0;
	void *pin = NULL;
	CK_RV rv;

	s = verify_open_session();
	(void)verify_data_object(s, 0);
	verify_case_f = Frama_C_interval(0, 1);
	if (verify_case_f) {
		rv = C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &ro);
		//@ assert setup_open_ro: rv == CKR_OK;
	}
	verify_case_g = Frama_C_interval(0, 3);
	if (verify_case_g == 1) {
		verify_login(s, CKU_USER);
		(void)verify_create(s, priv, 4);
		rv = C_Logout(s);
		//@ assert setup_logout: rv == CKR_OK;
	} else if (verify_case_g == 2) {
		verify_login(s, CKU_USER);
	} else if (verify_case_g == 3 && !verify_case_f) {
		verify_login(s, CKU_SO);
	}
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, CONFIG_MAX_PIN_LEN, 1, 1, &len, &pin);
	verify_case_b = Frama_C_interval(0, 4);
	rv = C_Login(verify_session_handle(s), users[verify_case_b], (CK_UTF8CHAR_PTR)pin, len);
	verify_done(rv);
	return 0;
}
