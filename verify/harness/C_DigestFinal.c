/*
 * C_DigestFinal(hSession, pDigest, pulDigestLen) on the session of
 * verify_digest_session, with hSession from verify_session_handle,
 * (pDigest, *pulDigestLen) from verify_len_buffer around 32 (the SHA-256
 * length; see README.md, precision), pulDigestLen NULL or not.
 */
#include "setup.h"

int main(void)
{
	CK_ULONG hashlen, outlen = 0;
	void *out = NULL;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_digest_session(&hashlen);
	verify_setup = 0;

	verify_len_buffer(&verify_case_c, 32, 1, 0, &outlen, &out);
	verify_case_e = Frama_C_interval(0, 1);
	rv = C_DigestFinal(verify_session_handle(s), (CK_BYTE_PTR)out,
			   verify_case_e ? &outlen : NULL);
	verify_done(rv);
	return 0;
}
