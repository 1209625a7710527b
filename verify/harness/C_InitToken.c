/*
 * C_InitToken(slotID, pPin, ulPinLen, pLabel) with the module initialized
 * (slot 1: an initialized token, slot 2: blank) and, by verify_case_g:
 * 0 no session, but a token data object and a key pair left by a session
 * since closed (re-initialization destroys them); 1 an R/W session open on
 * slot 1 (CKR_SESSION_EXISTS). slotID from verify_slot_id (1, 2, 0, 3,
 * any value); (pPin, ulPinLen) verify_len_buffer around CONFIG_MAX_PIN_LEN
 * (an input: 0, 1, 254, 255, 256, 128, 1025, 2048, > PTRDIFF_MAX,
 * ULONG_MAX, or NULL with any length); pLabel NULL or a 32-byte label
 * (verify_case_e). Re-initializing slot 1 checks the SO PIN against an
 * arbitrary record; initializing the blank slot creates its store and
 * then refreshes the slot list (a directory of one listed entry, any store
 * failure); every allocation may fail.
 */
#include "core/config.h"
#include "setup.h"

int main(void)
{
	static CK_UTF8CHAR label[32] = "verify";
	CK_SESSION_HANDLE s;
	CK_ULONG len = 0;
	void *pin = NULL;
	CK_RV rv;

	s = verify_open_session();
	(void)verify_data_object(s, 1);
	(void)verify_data_object(s, 0);
	(void)verify_ec_private_key(s);
	verify_case_g = Frama_C_interval(0, 1);
	if (!verify_case_g) {
		rv = C_CloseSession(s);
		//@ assert setup_close: rv == CKR_OK;
	}
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, CONFIG_MAX_PIN_LEN, 1, 1, &len, &pin);
	verify_case_e = Frama_C_interval(0, 1);
	rv = C_InitToken(verify_slot_id(), (CK_UTF8CHAR_PTR)pin, len, verify_case_e ? label : NULL);
	verify_done(rv);
	return 0;
}
