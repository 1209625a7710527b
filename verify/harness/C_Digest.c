/*
 * C_Digest(hSession, pData, ulDataLen, pDigest, pulDigestLen) on the
 * session of verify_digest_session (no digest; a single-part, multi-part,
 * finished or restarted one; SHA-1, SHA-256, SHA-512), with:
 *   hSession                 verify_session_handle;
 *   (pData, ulDataLen)       verify_len_buffer around 32, an input (so
 *                            1025 and 2048 bytes: the digest outside the
 *                            lock, DIGEST_IN_LOCK_MAX);
 *   pulDigestLen             NULL, or a CK_ULONG with pDigest from
 *                            verify_len_buffer around 32 (the SHA-256
 *                            length; see README.md, precision); with a
 *                            NULL pulDigestLen, pDigest is NULL.
 */
#include "setup.h"

int main(void)
{
	CK_ULONG hashlen, datalen = 0, outlen = 0;
	void *data = NULL, *out = NULL;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_digest_session(&hashlen);
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, 32, 1, 1, &datalen, &data);
	/* Without pulDigestLen the output is never looked at: its lengths
	 * are drawn only with one (fewer states). */
	verify_case_e = Frama_C_interval(0, 1);
	if (verify_case_e)
		verify_len_buffer(&verify_case_c, 32, 1, 0, &outlen, &out);
	rv = C_Digest(verify_session_handle(s), (CK_BYTE_PTR)data, datalen, (CK_BYTE_PTR)out,
		      verify_case_e ? &outlen : NULL);
	verify_done(rv);
	return 0;
}
