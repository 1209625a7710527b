/*
 * C_VerifyUpdate(hSession, pPart, ulPartLen) on the session of
 * verify_sig_session(1) (no verification active, a single-part or a
 * multi-part one; CKM_ECDSA collecting raw input, 5 bytes already
 * collected, or CKM_ECDSA_SHA256), with hSession from
 * verify_session_handle and (pPart, ulPartLen) from verify_len_buffer
 * around 32 (an input). Allocation: see C_SignUpdate.c.
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh
 */
#include "setup.h"

int main(void)
{
	CK_OBJECT_HANDLE keys[2];
	CK_ULONG len = 0;
	void *part = NULL;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_sig_session(1, keys);
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, 32, 1, 1, &len, &part);
	rv = C_VerifyUpdate(verify_session_handle(s), (CK_BYTE_PTR)part, len);
	verify_done(rv);
	return 0;
}
