/*
 * C_DigestInit(hSession, pMechanism) on the session of
 * verify_digest_session (no digest active, or one active: single- or
 * multi-part), with hSession from verify_session_handle and pMechanism
 * from verify_mechanism: NULL, or CKM_SHA_1, CKM_SHA256, CKM_SHA512,
 * CKM_ECDSA (not a digest), CKM_MD5 (not offered), each with parameters
 * (NULL, 0), (NULL, 8) or an 8-byte buffer. The spare digest context of
 * a finished digest is not set up here (see C_Digest).
 */
#include "setup.h"

int main(void)
{
	static const CK_MECHANISM_TYPE types[] = { CKM_SHA_1, CKM_SHA256, CKM_SHA512, CKM_ECDSA,
						   CKM_MD5 };
	CK_MECHANISM m;
	CK_MECHANISM_PTR pm;
	CK_SESSION_HANDLE s;
	CK_ULONG hashlen;
	CK_RV rv;

	s = verify_digest_session(&hashlen);
	verify_setup = 0;

	pm = verify_mechanism(&verify_case_c, &m, types, 5);
	rv = C_DigestInit(verify_session_handle(s), pm);
	verify_done(rv);
	return 0;
}
