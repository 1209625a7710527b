/* Signing functions (v2.40 section 5.11). The signature itself is computed
 * outside the module lock, on the operation moved out of the session. */
#include "api/ops.h"

IOT_EXPORT CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			    CK_OBJECT_HANDLE hKey)
{
	return ops_begin_sig(hSession, pMechanism, hKey, OP_SIGN);
}

IOT_EXPORT CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
			CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	return ops_sign(hSession, pData, ulDataLen, 1, pSignature, pulSignatureLen);
}

IOT_EXPORT CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return ops_update(hSession, OP_SIGN, pPart, ulPartLen);
}

IOT_EXPORT CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
			     CK_ULONG_PTR pulSignatureLen)
{
	return ops_sign(hSession, NULL, 0, 0, pSignature, pulSignatureLen);
}

IOT_EXPORT CK_RV C_SignRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				   CK_OBJECT_HANDLE hKey)
{
	return ops_init(hSession, pMechanism, hKey, CKR_KEY_HANDLE_INVALID, CKF_SIGN_RECOVER);
}

IOT_EXPORT CK_RV C_SignRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
			       CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	(void)pData;
	(void)ulDataLen;
	(void)pSignature;
	(void)pulSignatureLen;
	return ops_continue(hSession);
}
