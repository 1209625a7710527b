/* Encryption and decryption functions (v2.40 sections 5.8 and 5.9). */
#include "api/ops.h"

IOT_EXPORT CK_RV C_EncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			       CK_OBJECT_HANDLE hKey)
{
	return ops_init(hSession, pMechanism, hKey, CKR_KEY_HANDLE_INVALID, CKF_ENCRYPT);
}

IOT_EXPORT CK_RV C_Encrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
			   CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen)
{
	(void)pData;
	(void)ulDataLen;
	(void)pEncryptedData;
	(void)pulEncryptedDataLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_EncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
				 CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	(void)pPart;
	(void)ulPartLen;
	(void)pEncryptedPart;
	(void)pulEncryptedPartLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_EncryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart,
				CK_ULONG_PTR pulLastEncryptedPartLen)
{
	(void)pLastEncryptedPart;
	(void)pulLastEncryptedPartLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_DecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			       CK_OBJECT_HANDLE hKey)
{
	return ops_init(hSession, pMechanism, hKey, CKR_KEY_HANDLE_INVALID, CKF_DECRYPT);
}

IOT_EXPORT CK_RV C_Decrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData,
			   CK_ULONG ulEncryptedDataLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	(void)pEncryptedData;
	(void)ulEncryptedDataLen;
	(void)pData;
	(void)pulDataLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_DecryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
				 CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
				 CK_ULONG_PTR pulPartLen)
{
	(void)pEncryptedPart;
	(void)ulEncryptedPartLen;
	(void)pPart;
	(void)pulPartLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_DecryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart,
				CK_ULONG_PTR pulLastPartLen)
{
	(void)pLastPart;
	(void)pulLastPartLen;
	return ops_continue(hSession);
}
