/* Functions for verifying signatures (v2.40 section 5.12). */
#include "api/ops.h"

IOT_EXPORT CK_RV C_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			      CK_OBJECT_HANDLE hKey)
{
	return ops_begin_sig(hSession, pMechanism, hKey, OP_VERIFY);
}

IOT_EXPORT CK_RV C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
			  CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	return ops_verify(hSession, pData, ulDataLen, 1, pSignature, ulSignatureLen);
}

IOT_EXPORT CK_RV C_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return ops_update(hSession, OP_VERIFY, pPart, ulPartLen);
}

IOT_EXPORT CK_RV C_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
			       CK_ULONG ulSignatureLen)
{
	return ops_verify(hSession, NULL, 0, 0, pSignature, ulSignatureLen);
}

IOT_EXPORT CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				     CK_OBJECT_HANDLE hKey)
{
	return ops_init(hSession, pMechanism, hKey, CKR_KEY_HANDLE_INVALID, CKF_VERIFY_RECOVER);
}

IOT_EXPORT CK_RV C_VerifyRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
				 CK_ULONG ulSignatureLen, CK_BYTE_PTR pData,
				 CK_ULONG_PTR pulDataLen)
{
	(void)pSignature;
	(void)ulSignatureLen;
	(void)pData;
	(void)pulDataLen;
	return ops_continue(hSession);
}
