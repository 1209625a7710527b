/* Key management functions (v2.40 section 5.14). */
#include "api/ops.h"

static CK_RV check_template(const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	return tmpl == NULL && count > 0 ? CKR_ARGUMENTS_BAD : CKR_OK;
}

IOT_EXPORT CK_RV C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			       CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
			       CK_OBJECT_HANDLE_PTR phKey)
{
	if (check_template(pTemplate, ulCount) != CKR_OK || phKey == NULL)
		return api_enter_checked_args(hSession);
	return ops_init(hSession, pMechanism, OP_NO_KEY, 0, CKF_GENERATE);
}

IOT_EXPORT CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				   CK_ATTRIBUTE_PTR pPublicKeyTemplate,
				   CK_ULONG ulPublicKeyAttributeCount,
				   CK_ATTRIBUTE_PTR pPrivateKeyTemplate,
				   CK_ULONG ulPrivateKeyAttributeCount,
				   CK_OBJECT_HANDLE_PTR phPublicKey,
				   CK_OBJECT_HANDLE_PTR phPrivateKey)
{
	if (check_template(pPublicKeyTemplate, ulPublicKeyAttributeCount) != CKR_OK ||
	    check_template(pPrivateKeyTemplate, ulPrivateKeyAttributeCount) != CKR_OK ||
	    phPublicKey == NULL || phPrivateKey == NULL)
		return api_enter_checked_args(hSession);
	return ops_init(hSession, pMechanism, OP_NO_KEY, 0, CKF_GENERATE_KEY_PAIR);
}

IOT_EXPORT CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			   CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey,
			   CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen)
{
	(void)hKey;
	(void)pWrappedKey;
	if (pulWrappedKeyLen == NULL)
		return api_enter_checked_args(hSession);
	return ops_init(hSession, pMechanism, hWrappingKey, 1, CKF_WRAP);
}

IOT_EXPORT CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			     CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,
			     CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate,
			     CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	if ((pWrappedKey == NULL && ulWrappedKeyLen > 0) ||
	    check_template(pTemplate, ulAttributeCount) != CKR_OK || phKey == NULL)
		return api_enter_checked_args(hSession);
	return ops_init(hSession, pMechanism, hUnwrappingKey, 1, CKF_UNWRAP);
}

IOT_EXPORT CK_RV C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			     CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate,
			     CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	if (check_template(pTemplate, ulAttributeCount) != CKR_OK || phKey == NULL)
		return api_enter_checked_args(hSession);
	return ops_init(hSession, pMechanism, hBaseKey, 1, CKF_DERIVE);
}
