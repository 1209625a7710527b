/*
 * C_SetPIN(hSession, pOldPin, ulOldLen, pNewPin, ulNewLen) on slot 1 in
 * three login states (verify_case_g): nobody, the user, the SO logged in;
 * the session given is the R/W one or an R/O one (verify_case_f; with the
 * SO logged in, R/W only: no R/O session can exist then), through
 * verify_session_handle. (pOldPin, ulOldLen) and (pNewPin, ulNewLen):
 * each from verify_len_buffer around CONFIG_MAX_PIN_LEN (inputs: 0, 1,
 * 254, 255, 256, 128, 1025, 2048, > PTRDIFF_MAX, ULONG_MAX, or NULL with
 * any length). The old PIN is checked against an arbitrary token record;
 * every store, KDF, wrap and unwrap may fail.
 */
#include "core/config.h"
#include "setup.h"

int main(void)
{
	CK_SESSION_HANDLE s, ro = 0;
	CK_ULONG oldlen = 0, newlen = 0;
	void *old = NULL, *pin = NULL;
	CK_RV rv;

	s = verify_open_session();
	verify_case_g = Frama_C_interval(0, 2);
	verify_case_f = verify_case_g == 2 ? 0 : Frama_C_interval(0, 1);
	if (verify_case_f) {
		rv = C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &ro);
		//@ assert setup_open_ro: rv == CKR_OK;
	}
	if (verify_case_g == 1)
		verify_login(s, CKU_USER);
	else if (verify_case_g == 2)
		verify_login(s, CKU_SO);
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, CONFIG_MAX_PIN_LEN, 1, 1, &oldlen, &old);
	verify_len_buffer(&verify_case_b, CONFIG_MAX_PIN_LEN, 1, 1, &newlen, &pin);
	rv = C_SetPIN(verify_session_handle(verify_case_f ? ro : s), (CK_UTF8CHAR_PTR)old, oldlen,
		      (CK_UTF8CHAR_PTR)pin, newlen);
	verify_done(rv);
	return 0;
}
