/*
 * C_VerifyFinal(hSession, pSignature, ulSignatureLen) on the session of
 * verify_sig_session(1) (no verification active, a single-part or a
 * multi-part one; CKM_ECDSA with 5 collected bytes, or CKM_ECDSA_SHA256),
 * with hSession from verify_session_handle and (pSignature,
 * ulSignatureLen) from verify_len_buffer around 64 (an input).
 */
#include "setup.h"

int main(void)
{
	CK_OBJECT_HANDLE keys[2];
	CK_ULONG siglen = 0;
	void *sig = NULL;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_sig_session(1, keys);
	verify_setup = 0;

	verify_len_buffer(&verify_case_c, 64, 1, 1, &siglen, &sig);
	rv = C_VerifyFinal(verify_session_handle(s), (CK_BYTE_PTR)sig, siglen);
	verify_done(rv);
	return 0;
}
