/* Dual-function cryptographic functions (v2.40 section 5.13): each needs two
 * operations of the session active at once. */
#include "api/ops.h"

IOT_EXPORT CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
				       CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart,
				       CK_ULONG_PTR pulEncryptedPartLen)
{
	(void)pPart;
	(void)ulPartLen;
	(void)pEncryptedPart;
	(void)pulEncryptedPartLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
				       CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
				       CK_ULONG_PTR pulPartLen)
{
	(void)pEncryptedPart;
	(void)ulEncryptedPartLen;
	(void)pPart;
	(void)pulPartLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
				     CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart,
				     CK_ULONG_PTR pulEncryptedPartLen)
{
	(void)pPart;
	(void)ulPartLen;
	(void)pEncryptedPart;
	(void)pulEncryptedPartLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
				       CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
				       CK_ULONG_PTR pulPartLen)
{
	(void)pEncryptedPart;
	(void)ulEncryptedPartLen;
	(void)pPart;
	(void)pulPartLen;
	return ops_continue(hSession);
}
