/* Encryption and decryption functions (v2.40 sections 5.8 and 5.9); the
 * flow is cipher.c's. */
#include "api/ops.h"

IOT_EXPORT CK_RV C_EncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			       CK_OBJECT_HANDLE hKey)
{
	return ops_begin_cipher(hSession, pMechanism, hKey, OP_ENCRYPT);
}

IOT_EXPORT CK_RV C_Encrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
			   CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen)
{
	return ops_crypt(hSession, OP_ENCRYPT, OPS_ONCE, pData, ulDataLen, pEncryptedData,
			 pulEncryptedDataLen);
}

IOT_EXPORT CK_RV C_EncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
				 CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	return ops_crypt(hSession, OP_ENCRYPT, OPS_UPDATE, pPart, ulPartLen, pEncryptedPart,
			 pulEncryptedPartLen);
}

IOT_EXPORT CK_RV C_EncryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart,
				CK_ULONG_PTR pulLastEncryptedPartLen)
{
	return ops_crypt(hSession, OP_ENCRYPT, OPS_FINAL, NULL, 0, pLastEncryptedPart,
			 pulLastEncryptedPartLen);
}

IOT_EXPORT CK_RV C_DecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			       CK_OBJECT_HANDLE hKey)
{
	return ops_begin_cipher(hSession, pMechanism, hKey, OP_DECRYPT);
}

IOT_EXPORT CK_RV C_Decrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData,
			   CK_ULONG ulEncryptedDataLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	return ops_crypt(hSession, OP_DECRYPT, OPS_ONCE, pEncryptedData, ulEncryptedDataLen, pData,
			 pulDataLen);
}

IOT_EXPORT CK_RV C_DecryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
				 CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
				 CK_ULONG_PTR pulPartLen)
{
	return ops_crypt(hSession, OP_DECRYPT, OPS_UPDATE, pEncryptedPart, ulEncryptedPartLen,
			 pPart, pulPartLen);
}

IOT_EXPORT CK_RV C_DecryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart,
				CK_ULONG_PTR pulLastPartLen)
{
	return ops_crypt(hSession, OP_DECRYPT, OPS_FINAL, NULL, 0, pLastPart, pulLastPartLen);
}
