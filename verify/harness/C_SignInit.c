/*
 * C_SignInit(hSession, pMechanism, hKey) on a session holding an EC P-256
 * private key and a data object (sign_common.h), with:
 *   hSession    the open session, 0, a stale generation of it, or any value;
 *   pMechanism  NULL, or a CK_MECHANISM whose type is CKM_ECDSA,
 *               CKM_ECDSA_SHA256, CKM_SHA256_RSA_PKCS (wrong key type),
 *               CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256 (not a signature) or
 *               CKM_AES_CBC (not offered), and whose (pParameter,
 *               ulParameterLen) is (NULL, 0), (NULL, 8) or a buffer from
 *               verify_len_buffer around sizeof(CK_RSA_PKCS_PSS_PARAMS);
 *   hKey        the key, the data object, or an invalid handle.
 */
#include "sign_common.h"

int main(void)
{
	static const CK_MECHANISM_TYPE mechs[] = {
		CKM_ECDSA,  CKM_ECDSA_SHA256, CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS,
		CKM_SHA256, CKM_AES_CBC,
	};
	CK_OBJECT_HANDLE objs[2], hkey;
	CK_MECHANISM mech;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = sign_setup(&objs[0], &objs[1]);
	verify_setup = 0;

	verify_case_b = Frama_C_interval(0, (int)(sizeof(mechs) / sizeof(mechs[0])) - 1);
	mech.mechanism = mechs[verify_case_b];
	verify_case_d = Frama_C_interval(0, 2);
	if (verify_case_d == 0) {
		mech.pParameter = NULL;
		mech.ulParameterLen = 0;
	} else if (verify_case_d == 1) {
		mech.pParameter = NULL;
		mech.ulParameterLen = 8;
	} else {
		verify_len_buffer(&verify_case_a, sizeof(CK_RSA_PKCS_PSS_PARAMS), 1, 1,
				  &mech.ulParameterLen, &mech.pParameter);
	}
	hkey = verify_object_handle(&verify_case_c, objs, 2);
	verify_case_e = Frama_C_interval(0, 1);
	rv = C_SignInit(verify_session_handle(s), verify_case_e ? &mech : NULL, hkey);
	verify_done(rv);
	return 0;
}
