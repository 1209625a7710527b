/*
 * C_DigestUpdate(hSession, pPart, ulPartLen) on the session of
 * verify_digest_session, with hSession from verify_session_handle and
 * (pPart, ulPartLen) from verify_len_buffer around 32 (an input).
 */
#include "setup.h"

int main(void)
{
	CK_ULONG hashlen, len = 0;
	void *part = NULL;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_digest_session(&hashlen);
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, 32, 1, 1, &len, &part);
	rv = C_DigestUpdate(verify_session_handle(s), (CK_BYTE_PTR)part, len);
	verify_done(rv);
	return 0;
}
