/* Signing and MACing functions (v2.40 section 5.11). */
#include "api/ops.h"

IOT_EXPORT CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			    CK_OBJECT_HANDLE hKey)
{
	return ops_init(hSession, pMechanism, hKey, 1, CKF_SIGN);
}

IOT_EXPORT CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
			CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	(void)pData;
	(void)ulDataLen;
	(void)pSignature;
	(void)pulSignatureLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	(void)pPart;
	(void)ulPartLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
			     CK_ULONG_PTR pulSignatureLen)
{
	(void)pSignature;
	(void)pulSignatureLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_SignRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				   CK_OBJECT_HANDLE hKey)
{
	return ops_init(hSession, pMechanism, hKey, 1, CKF_SIGN_RECOVER);
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
