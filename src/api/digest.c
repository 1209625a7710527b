/* Message digesting functions (v2.40 section 5.10). */
#include "api/ops.h"

IOT_EXPORT CK_RV C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
	return ops_init(hSession, pMechanism, OP_NO_KEY, 0, CKF_DIGEST);
}

IOT_EXPORT CK_RV C_Digest(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
			  CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	(void)pData;
	(void)ulDataLen;
	(void)pDigest;
	(void)pulDigestLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_DigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	(void)pPart;
	(void)ulPartLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey)
{
	(void)hKey;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest,
			       CK_ULONG_PTR pulDigestLen)
{
	(void)pDigest;
	(void)pulDigestLen;
	return ops_continue(hSession);
}
