/*
 * C_SignUpdate(hSession, pPart, ulPartLen) on the session of
 * verify_sig_session(0) (no signature active, a single-part or a
 * multi-part one; CKM_ECDSA collecting raw input up to OP_MAX_RAW_INPUT
 * bytes, 5 already collected, or CKM_ECDSA_SHA256), with hSession from
 * verify_session_handle and (pPart, ulPartLen) from verify_len_buffer
 * around 32 (an input: 1025 and 2048 overflow the raw input buffer).
 * op_update allocates o->len + n bytes, n from the harness's partitioned
 * choice: with the default allocation builtin (one base per call stack)
 * those states share one heap base whose size is then imprecise (a false
 * memcpy alarm); a fresh base per call keeps each size exact:
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

	s = verify_sig_session(0, keys);
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, 32, 1, 1, &len, &part);
	rv = C_SignUpdate(verify_session_handle(s), (CK_BYTE_PTR)part, len);
	verify_done(rv);
	return 0;
}
