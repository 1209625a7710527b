/*
 * C_VerifyInit(hSession, pMechanism, hKey) on the session of
 * verify_sig_session(1) (an EC P-256 key pair; no verification active,
 * or one active, single- or multi-part), with:
 *   hSession    verify_session_handle;
 *   pMechanism  verify_mechanism: NULL, or CKM_ECDSA, CKM_ECDSA_SHA256,
 *               CKM_SHA256_RSA_PKCS (wrong key type),
 *               CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256 (not a signature),
 *               CKM_AES_CBC (not offered), each with parameters (NULL, 0),
 *               (NULL, 8) or an 8-byte buffer;
 *   hKey        the public key, the private key (wrong class), or an
 *               invalid handle (verify_object_handle).
 */
#include "setup.h"

int main(void)
{
	static const CK_MECHANISM_TYPE types[] = {
		CKM_ECDSA,  CKM_ECDSA_SHA256, CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS,
		CKM_SHA256, CKM_AES_CBC,
	};
	CK_OBJECT_HANDLE keys[2], hkey;
	CK_MECHANISM m;
	CK_MECHANISM_PTR pm;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_sig_session(1, keys);
	verify_setup = 0;

	pm = verify_mechanism(&verify_case_c, &m, types, 6);
	hkey = verify_object_handle(&verify_case_d, keys, 2);
	rv = C_VerifyInit(verify_session_handle(s), pm, hkey);
	verify_done(rv);
	return 0;
}
