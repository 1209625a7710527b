/* Message digesting functions (v2.40 section 5.10). */
#include "api/ops.h"

IOT_EXPORT CK_RV C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
	return ops_begin_digest(hSession, pMechanism);
}

IOT_EXPORT CK_RV C_Digest(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
			  CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	return ops_digest(hSession, pData, ulDataLen, 1, pDigest, pulDigestLen);
}

IOT_EXPORT CK_RV C_DigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return ops_update(hSession, OP_DIGEST, pPart, ulPartLen);
}

IOT_EXPORT CK_RV C_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey)
{
	return ops_digest_key(hSession, hKey);
}

IOT_EXPORT CK_RV C_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest,
			       CK_ULONG_PTR pulDigestLen)
{
	return ops_digest(hSession, NULL, 0, 0, pDigest, pulDigestLen);
}
