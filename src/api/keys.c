/* Key management functions (v2.40 section 5.14). */
#include "api/ops.h"
#include "core/keyobj.h"

/* As in object.c: a count past the cap is refused before any entry is read
 * (C_GenerateKeyPair looked for CKA_ID in all 2^40 entries of a 2-entry
 * template; tests/api/test_badinput.c). */
static CK_RV check_template(const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	return (tmpl == NULL && count > 0) || count > ATTR_MAX_TEMPLATE ? CKR_ARGUMENTS_BAD
									: CKR_OK;
}

IOT_EXPORT CK_RV C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			       CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
			       CK_OBJECT_HANDLE_PTR phKey)
{
	if (check_template(pTemplate, ulCount) != CKR_OK || phKey == NULL)
		return api_enter_checked_args(hSession);
	return ops_init(hSession, pMechanism, OP_NO_KEY, CKR_OK, CKF_GENERATE);
}

IOT_EXPORT CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
				   CK_ATTRIBUTE_PTR pPublicKeyTemplate,
				   CK_ULONG ulPublicKeyAttributeCount,
				   CK_ATTRIBUTE_PTR pPrivateKeyTemplate,
				   CK_ULONG ulPrivateKeyAttributeCount,
				   CK_OBJECT_HANDLE_PTR phPublicKey,
				   CK_OBJECT_HANDLE_PTR phPrivateKey)
{
	const mech_row *m;
	object *pub = NULL, *priv = NULL;
	CK_OBJECT_HANDLE hpub = CK_INVALID_HANDLE;
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if (pMechanism == NULL || phPublicKey == NULL || phPrivateKey == NULL ||
	    check_template(pPublicKeyTemplate, ulPublicKeyAttributeCount) != CKR_OK ||
	    check_template(pPrivateKeyTemplate, ulPrivateKeyAttributeCount) != CKR_OK) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	m = mech_find(pMechanism->mechanism);
	if (m == NULL || !(m->flags & CKF_GENERATE_KEY_PAIR))
		rv = CKR_MECHANISM_INVALID;
	else if (pMechanism->pParameter != NULL || pMechanism->ulParameterLen != 0)
		rv = CKR_MECHANISM_PARAM_INVALID;
	if (rv == CKR_OK)
		rv = token_sync(s->tok);
	/* The key is generated under the module lock: generation is rare
	 * and RSA generation is the only slow one. */
	if (rv == CKR_OK)
		rv = keyobj_generate(m, pPublicKeyTemplate, ulPublicKeyAttributeCount,
				     pPrivateKeyTemplate, ulPrivateKeyAttributeCount,
				     s->tok->login == CKU_SO ? OBJ_CREATE_SO : 0, &pub, &priv);
	if (rv == CKR_OK)
		rv = api_check_access(s, pub);
	if (rv == CKR_OK)
		rv = api_check_access(s, priv);
	if (rv == CKR_OK)
		rv = api_publish(s, pub, &hpub);
	if (rv != CKR_OK)
		goto out;
	rv = api_publish(s, priv, phPrivateKey);
	if (rv != CKR_OK) {
		/* Both or neither: withdraw the public half. */
		if (pub->is_token && store_object_delete(s->tok->st, pub->id) != CKR_OK)
			config_log("public key %llx left without its private key",
				   (unsigned long long)pub->id);
		token_destroy_object(s->tok, pub);
		pub = NULL;
		goto out;
	}
	*phPublicKey = hpub;
	pub = priv = NULL;
out:
	object_free(pub);
	object_free(priv);
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			   CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey,
			   CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen)
{
	(void)hKey;
	(void)pWrappedKey;
	if (pulWrappedKeyLen == NULL)
		return api_enter_checked_args(hSession);
	return ops_init(hSession, pMechanism, hWrappingKey, CKR_WRAPPING_KEY_HANDLE_INVALID,
			CKF_WRAP);
}

IOT_EXPORT CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			     CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,
			     CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate,
			     CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	if ((pWrappedKey == NULL && ulWrappedKeyLen > 0) ||
	    check_template(pTemplate, ulAttributeCount) != CKR_OK || phKey == NULL)
		return api_enter_checked_args(hSession);
	return ops_init(hSession, pMechanism, hUnwrappingKey, CKR_UNWRAPPING_KEY_HANDLE_INVALID,
			CKF_UNWRAP);
}

IOT_EXPORT CK_RV C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			     CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate,
			     CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	if (check_template(pTemplate, ulAttributeCount) != CKR_OK || phKey == NULL)
		return api_enter_checked_args(hSession);
	return ops_init(hSession, pMechanism, hBaseKey, CKR_KEY_HANDLE_INVALID, CKF_DERIVE);
}
