/*
 * The PKCS#11 3.0 interface: C_GetInterfaceList and C_GetInterface offer
 * "PKCS 11" 3.0 (CK_FUNCTION_LIST_3_0) and "PKCS 11" 2.40 (the
 * CK_FUNCTION_LIST of C_GetFunctionList), plus the functions 3.0 adds:
 * C_LoginUser, C_SessionCancel and the message-based functions (3.0
 * sections 5.4.5, 5.4.6, 5.6.5, 5.6.9, 5.9, 5.11, 5.14, 5.16).
 *
 * Where 3.0 changed a v2.40 function, the 3.0 list has its own entry and
 * the exported symbol keeps the v2.40 behaviour, so a v2.40 client sees
 * nothing new: C_GetInfo reports the list's version, and the *Init
 * functions take a NULL mechanism as "terminate the active operation".
 */
#include <string.h>

#include "api/ops.h"

#if IOT_WITH_V30

/* 3.0 section 3.6, of CK_FUNCTION_LIST_3_0's version: "It should match the
 * value of cryptokiVersion returned in the CK_INFO structure, but must be
 * 3.0 at minimum." So C_GetInfo through this list reports 3.0. */
static CK_RV get_info_3_0(CK_INFO_PTR pInfo)
{
	CK_VERSION v = { 3, 0 };

	return api_get_info(pInfo, v);
}

/*
 * 3.0 5.8.1 and alike: "C_EncryptInit can be called with pMechanism set to
 * NULL_PTR to terminate an active encryption operation." The same sentence
 * is in C_DecryptInit, C_DigestInit, C_SignInit, C_SignRecoverInit,
 * C_VerifyInit and C_VerifyRecoverInit: each is C_SessionCancel with that
 * operation's flag (so CKR_OK when none is active). In v2.40 a NULL
 * mechanism is CKR_ARGUMENTS_BAD, which the v2.40 list keeps.
 */
static CK_RV encrypt_init_3_0(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return m == NULL ? ops_cancel(h, CKF_ENCRYPT) : C_EncryptInit(h, m, k);
}

static CK_RV decrypt_init_3_0(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return m == NULL ? ops_cancel(h, CKF_DECRYPT) : C_DecryptInit(h, m, k);
}

static CK_RV digest_init_3_0(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m)
{
	return m == NULL ? ops_cancel(h, CKF_DIGEST) : C_DigestInit(h, m);
}

static CK_RV sign_init_3_0(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return m == NULL ? ops_cancel(h, CKF_SIGN) : C_SignInit(h, m, k);
}

static CK_RV sign_recover_init_3_0(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return m == NULL ? ops_cancel(h, CKF_SIGN_RECOVER) : C_SignRecoverInit(h, m, k);
}

static CK_RV verify_init_3_0(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return m == NULL ? ops_cancel(h, CKF_VERIFY) : C_VerifyInit(h, m, k);
}

static CK_RV verify_recover_init_3_0(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return m == NULL ? ops_cancel(h, CKF_VERIFY_RECOVER) : C_VerifyRecoverInit(h, m, k);
}

/* 5.6.9. The rules of C_Login, the same code; a token has no user names
 * (see api_login in session.c). */
IOT_EXPORT CK_RV C_LoginUser(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType,
			     CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername,
			     CK_ULONG ulUsernameLen)
{
	(void)pUsername;
	return api_login(hSession, userType, pPin, ulPinLen, ulUsernameLen);
}

/* 5.6.5 (see ops_cancel in ops.c). */
IOT_EXPORT CK_RV C_SessionCancel(CK_SESSION_HANDLE hSession, CK_FLAGS flags)
{
	return ops_cancel(hSession, flags);
}

/*
 * Message-based encryption, decryption, signing and verification (5.9,
 * 5.11, 5.14, 5.16): no mechanism of iotoken offers them (none has a
 * CKF_MESSAGE_* flag in C_GetMechanismInfo). As for encryption (encrypt.c),
 * the *Init checks the session, the mechanism pointer and the key handle
 * and then answers CKR_MECHANISM_INVALID ("the mechanism specified cannot be
 * used in the selected token with the selected function", 5.1.6); every
 * other call finds no process started: CKR_OPERATION_NOT_INITIALIZED after
 * the session check.
 */
IOT_EXPORT CK_RV C_MessageEncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				      CK_OBJECT_HANDLE hKey)
{
	/* 5.9.1: "C_MessageEncryptInit can be called with pMechanism set to
	 * NULL_PTR to terminate a message-based encryption process." None is
	 * ever active (C_MessageDecryptInit, C_MessageSignInit and
	 * C_MessageVerifyInit have no such sentence: NULL is a bad argument). */
	if (pMechanism == NULL)
		return ops_cancel(hSession, CKF_MESSAGE_ENCRYPT);
	return ops_init(hSession, pMechanism, hKey, CKR_KEY_HANDLE_INVALID, CKF_MESSAGE_ENCRYPT);
}

IOT_EXPORT CK_RV C_EncryptMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				  CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,
				  CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pPlaintext,
				  CK_ULONG ulPlaintextLen, CK_BYTE_PTR pCiphertext,
				  CK_ULONG_PTR pulCiphertextLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pAssociatedData;
	(void)ulAssociatedDataLen;
	(void)pPlaintext;
	(void)ulPlaintextLen;
	(void)pCiphertext;
	(void)pulCiphertextLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_EncryptMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				       CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,
				       CK_ULONG ulAssociatedDataLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pAssociatedData;
	(void)ulAssociatedDataLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_EncryptMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				      CK_ULONG ulParameterLen, CK_BYTE_PTR pPlaintextPart,
				      CK_ULONG ulPlaintextPartLen, CK_BYTE_PTR pCiphertextPart,
				      CK_ULONG_PTR pulCiphertextPartLen, CK_FLAGS flags)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pPlaintextPart;
	(void)ulPlaintextPartLen;
	(void)pCiphertextPart;
	(void)pulCiphertextPartLen;
	(void)flags;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_MessageEncryptFinal(CK_SESSION_HANDLE hSession)
{
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_MessageDecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				      CK_OBJECT_HANDLE hKey)
{
	return ops_init(hSession, pMechanism, hKey, CKR_KEY_HANDLE_INVALID, CKF_MESSAGE_DECRYPT);
}

IOT_EXPORT CK_RV C_DecryptMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				  CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,
				  CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pCiphertext,
				  CK_ULONG ulCiphertextLen, CK_BYTE_PTR pPlaintext,
				  CK_ULONG_PTR pulPlaintextLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pAssociatedData;
	(void)ulAssociatedDataLen;
	(void)pCiphertext;
	(void)ulCiphertextLen;
	(void)pPlaintext;
	(void)pulPlaintextLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_DecryptMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				       CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,
				       CK_ULONG ulAssociatedDataLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pAssociatedData;
	(void)ulAssociatedDataLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_DecryptMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				      CK_ULONG ulParameterLen, CK_BYTE_PTR pCiphertextPart,
				      CK_ULONG ulCiphertextPartLen, CK_BYTE_PTR pPlaintextPart,
				      CK_ULONG_PTR pulPlaintextPartLen, CK_FLAGS flags)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pCiphertextPart;
	(void)ulCiphertextPartLen;
	(void)pPlaintextPart;
	(void)pulPlaintextPartLen;
	(void)flags;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_MessageDecryptFinal(CK_SESSION_HANDLE hSession)
{
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_MessageSignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				   CK_OBJECT_HANDLE hKey)
{
	return ops_init(hSession, pMechanism, hKey, CKR_KEY_HANDLE_INVALID, CKF_MESSAGE_SIGN);
}

IOT_EXPORT CK_RV C_SignMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
			       CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
			       CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pData;
	(void)ulDataLen;
	(void)pSignature;
	(void)pulSignatureLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_SignMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				    CK_ULONG ulParameterLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_SignMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				   CK_ULONG ulParameterLen, CK_BYTE_PTR pDataPart,
				   CK_ULONG ulDataPartLen, CK_BYTE_PTR pSignature,
				   CK_ULONG_PTR pulSignatureLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pDataPart;
	(void)ulDataPartLen;
	(void)pSignature;
	(void)pulSignatureLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_MessageSignFinal(CK_SESSION_HANDLE hSession)
{
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_MessageVerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				     CK_OBJECT_HANDLE hKey)
{
	return ops_init(hSession, pMechanism, hKey, CKR_KEY_HANDLE_INVALID, CKF_MESSAGE_VERIFY);
}

IOT_EXPORT CK_RV C_VerifyMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				 CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
				 CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pData;
	(void)ulDataLen;
	(void)pSignature;
	(void)ulSignatureLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_VerifyMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				      CK_ULONG ulParameterLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_VerifyMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
				     CK_ULONG ulParameterLen, CK_BYTE_PTR pDataPart,
				     CK_ULONG ulDataPartLen, CK_BYTE_PTR pSignature,
				     CK_ULONG ulSignatureLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pDataPart;
	(void)ulDataPartLen;
	(void)pSignature;
	(void)ulSignatureLen;
	return ops_continue(hSession);
}

IOT_EXPORT CK_RV C_MessageVerifyFinal(CK_SESSION_HANDLE hSession)
{
	return ops_continue(hSession);
}

static CK_FUNCTION_LIST_3_0 functions_3_0 = {
	.version = { 3, 0 },
	.C_Initialize = C_Initialize,
	.C_Finalize = C_Finalize,
	.C_GetInfo = get_info_3_0,
	.C_GetFunctionList = C_GetFunctionList,
	.C_GetSlotList = C_GetSlotList,
	.C_GetSlotInfo = C_GetSlotInfo,
	.C_GetTokenInfo = C_GetTokenInfo,
	.C_GetMechanismList = C_GetMechanismList,
	.C_GetMechanismInfo = C_GetMechanismInfo,
	.C_InitToken = C_InitToken,
	.C_InitPIN = C_InitPIN,
	.C_SetPIN = C_SetPIN,
	.C_OpenSession = C_OpenSession,
	.C_CloseSession = C_CloseSession,
	.C_CloseAllSessions = C_CloseAllSessions,
	.C_GetSessionInfo = C_GetSessionInfo,
	.C_GetOperationState = C_GetOperationState,
	.C_SetOperationState = C_SetOperationState,
	.C_Login = C_Login,
	.C_Logout = C_Logout,
	.C_CreateObject = C_CreateObject,
	.C_CopyObject = C_CopyObject,
	.C_DestroyObject = C_DestroyObject,
	.C_GetObjectSize = C_GetObjectSize,
	.C_GetAttributeValue = C_GetAttributeValue,
	.C_SetAttributeValue = C_SetAttributeValue,
	.C_FindObjectsInit = C_FindObjectsInit,
	.C_FindObjects = C_FindObjects,
	.C_FindObjectsFinal = C_FindObjectsFinal,
	.C_EncryptInit = encrypt_init_3_0,
	.C_Encrypt = C_Encrypt,
	.C_EncryptUpdate = C_EncryptUpdate,
	.C_EncryptFinal = C_EncryptFinal,
	.C_DecryptInit = decrypt_init_3_0,
	.C_Decrypt = C_Decrypt,
	.C_DecryptUpdate = C_DecryptUpdate,
	.C_DecryptFinal = C_DecryptFinal,
	.C_DigestInit = digest_init_3_0,
	.C_Digest = C_Digest,
	.C_DigestUpdate = C_DigestUpdate,
	.C_DigestKey = C_DigestKey,
	.C_DigestFinal = C_DigestFinal,
	.C_SignInit = sign_init_3_0,
	.C_Sign = C_Sign,
	.C_SignUpdate = C_SignUpdate,
	.C_SignFinal = C_SignFinal,
	.C_SignRecoverInit = sign_recover_init_3_0,
	.C_SignRecover = C_SignRecover,
	.C_VerifyInit = verify_init_3_0,
	.C_Verify = C_Verify,
	.C_VerifyUpdate = C_VerifyUpdate,
	.C_VerifyFinal = C_VerifyFinal,
	.C_VerifyRecoverInit = verify_recover_init_3_0,
	.C_VerifyRecover = C_VerifyRecover,
	.C_DigestEncryptUpdate = C_DigestEncryptUpdate,
	.C_DecryptDigestUpdate = C_DecryptDigestUpdate,
	.C_SignEncryptUpdate = C_SignEncryptUpdate,
	.C_DecryptVerifyUpdate = C_DecryptVerifyUpdate,
	.C_GenerateKey = C_GenerateKey,
	.C_GenerateKeyPair = C_GenerateKeyPair,
	.C_WrapKey = C_WrapKey,
	.C_UnwrapKey = C_UnwrapKey,
	.C_DeriveKey = C_DeriveKey,
	.C_SeedRandom = C_SeedRandom,
	.C_GenerateRandom = C_GenerateRandom,
	.C_GetFunctionStatus = C_GetFunctionStatus,
	.C_CancelFunction = C_CancelFunction,
	.C_WaitForSlotEvent = C_WaitForSlotEvent,
	.C_GetInterfaceList = C_GetInterfaceList,
	.C_GetInterface = C_GetInterface,
	.C_LoginUser = C_LoginUser,
	.C_SessionCancel = C_SessionCancel,
	.C_MessageEncryptInit = C_MessageEncryptInit,
	.C_EncryptMessage = C_EncryptMessage,
	.C_EncryptMessageBegin = C_EncryptMessageBegin,
	.C_EncryptMessageNext = C_EncryptMessageNext,
	.C_MessageEncryptFinal = C_MessageEncryptFinal,
	.C_MessageDecryptInit = C_MessageDecryptInit,
	.C_DecryptMessage = C_DecryptMessage,
	.C_DecryptMessageBegin = C_DecryptMessageBegin,
	.C_DecryptMessageNext = C_DecryptMessageNext,
	.C_MessageDecryptFinal = C_MessageDecryptFinal,
	.C_MessageSignInit = C_MessageSignInit,
	.C_SignMessage = C_SignMessage,
	.C_SignMessageBegin = C_SignMessageBegin,
	.C_SignMessageNext = C_SignMessageNext,
	.C_MessageSignFinal = C_MessageSignFinal,
	.C_MessageVerifyInit = C_MessageVerifyInit,
	.C_VerifyMessage = C_VerifyMessage,
	.C_VerifyMessageBegin = C_VerifyMessageBegin,
	.C_VerifyMessageNext = C_VerifyMessageNext,
	.C_MessageVerifyFinal = C_MessageVerifyFinal,
};

/*
 * The interfaces, the default first: C_GetInterface with neither name nor
 * version returns the first match, and 5.4.6 leaves the choice to the
 * library ("If pInterfaceName is NULL_PTR, the cryptoki library can return
 * a default interface of its choice"). 3.0 is the default: a client that
 * asks for an interface is a 3.0 client; one that wants 2.40 names the
 * version or calls C_GetFunctionList.
 *
 * No flags. Table 9 defines CKF_INTERFACE_FORK_SAFE as "The returned
 * interface will have fork tolerant semantics. When the application forks,
 * each process will get its own copy of all session objects, session
 * states, login states, and encryption states. Each process will also
 * maintain access to token objects with their previously supplied
 * handles." iotoken does the opposite, what PKCS#11 has always asked of
 * a forked child ("it needs to perform its own C_Initialize call", v2.20
 * 6.6.1, since v2.40 in the usage guide): the child sees an uninitialized library
 * (CKR_CRYPTOKI_NOT_INITIALIZED) until it calls C_Initialize, and then has
 * no sessions, no login and new handles (tests/api/test_fork.c). The
 * parent's state is not copied on purpose: its SQLite connections must not
 * be used in the child, and another thread may have been mid-change at the
 * fork. So the flag is not advertised, and C_GetInterface refuses it.
 */
/* Writable, like the function lists: 5.4.6 says the memory "may or may not
 * be writable" and clients must not write it, but pkcs11-spy 0.23 replaces
 * the pFunctionList of the interface it is given with its own list; in
 * read-only memory that would crash the client. */
static CK_INTERFACE interfaces[] = {
	{ (CK_UTF8CHAR_PTR) "PKCS 11", &functions_3_0, 0 },
	{ (CK_UTF8CHAR_PTR) "PKCS 11", &api_functions_2_40, 0 },
};

#define N_INTERFACES (sizeof(interfaces) / sizeof(interfaces[0]))

/*
 * What *ppInterface points to after C_GetInterface fails: no interface (an
 * empty name, no function list, no flags). 5.1 allows it: on failure
 * "memory addresses ... may have been modified, despite the failure of the
 * function". Leaving the caller's pointer as it was crashed a Debian 12
 * client pair: NSS first asks for CKF_INTERFACE_FORK_SAFE with an
 * uninitialized pointer, and OpenSC 0.23's pkcs11-spy between them reads
 * *ppInterface's name whatever the result (modutil died in strcmp,
 * tests/integration/test_tls_nss.sh). The spy ignores interfaces not named
 * "PKCS 11", so this one is left alone; a pointer to a real interface would
 * offer, on a failure, what was refused.
 */
static CK_INTERFACE no_interface = { (CK_UTF8CHAR_PTR) "", NULL, 0 };

/* Both calls below work before C_Initialize and in a forked child (5.4.4:
 * they and C_GetFunctionList "are the only Cryptoki functions which an
 * application may call before calling C_Initialize"); they read only
 * constant tables. */
IOT_EXPORT CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount)
{
	size_t i;

	if (pulCount == NULL)
		return CKR_ARGUMENTS_BAD;
	/* 5.4.5: with a NULL list, "the contents of *pulCount on entry ...
	 * has no meaning"; else *pulCount is the buffer's size, and "In
	 * either case, the value *pulCount is set to hold the number of
	 * interfaces." */
	if (pInterfacesList == NULL) {
		*pulCount = N_INTERFACES;
		return CKR_OK;
	}
	if (*pulCount < N_INTERFACES) {
		*pulCount = N_INTERFACES;
		return CKR_BUFFER_TOO_SMALL;
	}
	for (i = 0; i < N_INTERFACES; i++)
		pInterfacesList[i] = interfaces[i];
	*pulCount = N_INTERFACES;
	return CKR_OK;
}

static int interface_matches(const CK_INTERFACE *in, const CK_UTF8CHAR *name,
			     const CK_VERSION *version, CK_FLAGS flags)
{
	const CK_VERSION *v = in->pFunctionList;

	/* 5.4.6: a name or version given "must match"; "If flags is non-zero,
	 * the interface returned must match all of the supplied flag values
	 * (but may include additional flags not specified)". */
	if (name != NULL && strcmp((const char *)name, (const char *)in->pInterfaceName) != 0)
		return 0;
	if (version != NULL && (version->major != v->major || version->minor != v->minor))
		return 0;
	return (in->flags & flags) == flags;
}

IOT_EXPORT CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
				CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags)
{
	size_t i;

	if (ppInterface == NULL)
		return CKR_ARGUMENTS_BAD;
	for (i = 0; i < N_INTERFACES; i++) {
		if (interface_matches(&interfaces[i], pInterfaceName, pVersion, flags)) {
			*ppInterface = &interfaces[i];
			return CKR_OK;
		}
	}
	/* No interface has that name, version and flags. 5.4.6 names no code
	 * for it; of those it lists, CKR_ARGUMENTS_BAD ("the arguments
	 * supplied ... were in some way not appropriate", 5.1.6) says it: the
	 * same request always fails, unlike CKR_FUNCTION_FAILED. */
	*ppInterface = &no_interface;
	return CKR_ARGUMENTS_BAD;
}

#endif /* IOT_WITH_V30 */
