/*
 * C_InitPIN(hSession, pPin, ulPinLen) with an R/W session on slot 1 in
 * three login states (verify_case_g): nobody, the user, the SO logged in
 * (only the SO's R/W session may set the user PIN); hSession from
 * verify_session_handle; (pPin, ulPinLen) verify_len_buffer around
 * CONFIG_MAX_PIN_LEN (an input: 0, 1, 254, 255, 256, 128, 1025, 2048,
 * > PTRDIFF_MAX, ULONG_MAX, or NULL with any length). Wrapping the master
 * key under the new PIN may fail (random, KDF, wrap, store).
 */
#include "core/config.h"
#include "setup.h"

int main(void)
{
	CK_SESSION_HANDLE s;
	CK_ULONG len = 0;
	void *pin = NULL;
	CK_RV rv;

	s = verify_open_session();
	verify_case_g = Frama_C_interval(0, 2);
	if (verify_case_g == 1)
		verify_login(s, CKU_USER);
	else if (verify_case_g == 2)
		verify_login(s, CKU_SO);
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, CONFIG_MAX_PIN_LEN, 1, 1, &len, &pin);
	rv = C_InitPIN(verify_session_handle(s), (CK_UTF8CHAR_PTR)pin, len);
	verify_done(rv);
	return 0;
}
