/* Key management functions (v2.40 section 5.14). */
#include "api/ops.h"
#include "core/attr_array.h"
#include "core/derive.h"
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
#if IOT_WITH_AES || IOT_WITH_HMAC
	const mech_row *m;
	object *obj = NULL;
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if (pMechanism == NULL || phKey == NULL || check_template(pTemplate, ulCount) != CKR_OK) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	m = mech_find(pMechanism->mechanism);
	if (m == NULL || !(mech_flags(m) & CKF_GENERATE))
		rv = CKR_MECHANISM_INVALID;
	else if (pMechanism->pParameter != NULL || pMechanism->ulParameterLen != 0)
		rv = CKR_MECHANISM_PARAM_INVALID;
	if (rv == CKR_OK)
		rv = token_sync(s->tok);
	if (rv == CKR_OK)
		rv = keyobj_generate_secret(m, pTemplate, ulCount,
					    s->tok->login == CKU_SO ? OBJ_CREATE_SO : 0, &obj);
	if (rv == CKR_OK)
		rv = api_check_access(s, obj);
	if (rv == CKR_OK)
		rv = api_publish(s, obj, phKey);
	if (rv == CKR_OK)
		obj = NULL;
out:
	object_free(obj);
	api_leave();
	return rv;
#else
	if (check_template(pTemplate, ulCount) != CKR_OK || phKey == NULL)
		return api_enter_checked_args(hSession);
	return ops_init(hSession, pMechanism, OP_NO_KEY, CKR_OK, CKF_GENERATE);
#endif
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
	if (m == NULL || !(mech_flags(m) & CKF_GENERATE_KEY_PAIR))
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

#if IOT_WITH_AES || IOT_WITH_OAEP
/* op_begin_cipher's codes about a key, as C_WrapKey/C_UnwrapKey name them
 * for the wrapping key (v2.40 5.14). */
static CK_RV wrapping_rv(CK_RV rv, int wrap)
{
	switch (rv) {
	case CKR_KEY_TYPE_INCONSISTENT:
		return wrap ? CKR_WRAPPING_KEY_TYPE_INCONSISTENT
			    : CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT;
	case CKR_KEY_SIZE_RANGE:
		return wrap ? CKR_WRAPPING_KEY_SIZE_RANGE : CKR_UNWRAPPING_KEY_SIZE_RANGE;
	case CKR_KEY_HANDLE_INVALID:
		return wrap ? CKR_WRAPPING_KEY_HANDLE_INVALID : CKR_UNWRAPPING_KEY_HANDLE_INVALID;
	default:
		return rv;
	}
}

/* Whether target may leave the token wrapped by wrapping (v2.40 4.10:
 * CKA_EXTRACTABLE, CKA_WRAP_WITH_TRUSTED). Secret keys only. */
static CK_RV wrappable(const object *wrapping, const object *target)
{
	if (object_ulong(target, CKA_CLASS) != CKO_SECRET_KEY)
		return CKR_KEY_NOT_WRAPPABLE;
	if (!object_bool(target, CKA_EXTRACTABLE))
		return CKR_KEY_UNEXTRACTABLE;
	if (object_bool(target, CKA_WRAP_WITH_TRUSTED) && !object_bool(wrapping, CKA_TRUSTED))
		return CKR_KEY_NOT_WRAPPABLE;
	/* CKA_WRAP_TEMPLATE: the wrapping key wraps only keys that match it. */
	{
		const obj_value *w = object_value(wrapping, CKA_WRAP_TEMPLATE);
		CK_ATTRIBUTE a[ATTR_MAX_TEMPLATE];
		CK_ULONG n = 0;

		if (w != NULL && w->len > 0 &&
		    (w->value == NULL ||
		     attrs_decode(w->value, w->len, a, ATTR_MAX_TEMPLATE, &n) != CKR_OK ||
		     !object_matches(target, a, n)))
			return CKR_KEY_NOT_WRAPPABLE;
	}
	return CKR_OK;
}

IOT_EXPORT CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			   CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey,
			   CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen)
{
	object *wrapping, *target;
	const obj_value *v;
	size_t need = 0, len = 0;
	int exact;
	session *s;
	op o = { 0 };
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if (pMechanism == NULL || pulWrappedKeyLen == NULL ||
	    (pWrappedKey != NULL && api_impossible_len(pWrappedKey, *pulWrappedKeyLen)))
		rv = CKR_ARGUMENTS_BAD;
	else if (session_object(s, hWrappingKey, &wrapping) != CKR_OK)
		rv = CKR_WRAPPING_KEY_HANDLE_INVALID;
	else if (session_object(s, hKey, &target) != CKR_OK)
		rv = CKR_KEY_HANDLE_INVALID;
	else
		rv = wrapping_rv(op_begin_cipher(&o, OP_WRAP, pMechanism, wrapping), 1);
	if (rv == CKR_OK)
		rv = wrappable(wrapping, target);
	if (rv != CKR_OK)
		goto out;
	v = object_value(target, CKA_VALUE);
	if (v == NULL || v->value == NULL) {
		rv = CKR_KEY_NOT_WRAPPABLE;
		goto out;
	}
	op_cipher_need(&o, v->len, &need, &exact);
	if (pWrappedKey == NULL) {
		*pulWrappedKeyLen = need;
		goto out;
	}
	rv = op_cipher_once(&o, v->value, v->len, pWrappedKey, *pulWrappedKeyLen, &len);
	if (rv == CKR_DATA_LEN_RANGE)
		rv = CKR_KEY_SIZE_RANGE; /* e.g. not a multiple of 8 for CKM_AES_KEY_WRAP */
	if (rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL)
		*pulWrappedKeyLen = len;
out:
	op_end(&o);
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			     CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,
			     CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate,
			     CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	object *unwrapping, *obj = NULL;
	uint8_t *value = NULL;
	size_t need = 0, len = 0;
	int exact;
	session *s;
	op o = { 0 };
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if (pMechanism == NULL || phKey == NULL || (pWrappedKey == NULL && ulWrappedKeyLen > 0) ||
	    api_impossible_len(pWrappedKey, ulWrappedKeyLen) ||
	    check_template(pTemplate, ulAttributeCount) != CKR_OK)
		rv = CKR_ARGUMENTS_BAD;
	/* Synced before the key is looked up: a reload frees the token objects
	 * the store no longer has (or has changed), the unwrapping key among
	 * them, which keyobj_secret_object reads. */
	if (rv == CKR_OK)
		rv = token_sync(s->tok);
	if (rv == CKR_OK && session_object(s, hUnwrappingKey, &unwrapping) != CKR_OK)
		rv = CKR_UNWRAPPING_KEY_HANDLE_INVALID;
	if (rv == CKR_OK)
		rv = wrapping_rv(op_begin_cipher(&o, OP_UNWRAP, pMechanism, unwrapping), 0);
	if (rv != CKR_OK)
		goto out;
	op_cipher_need(&o, ulWrappedKeyLen, &need, &exact);
	value = port_malloc(need > 0 ? need : 1);
	if (value == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	rv = op_cipher_once(&o, pWrappedKey, ulWrappedKeyLen, value, need, &len);
	if (rv == CKR_ENCRYPTED_DATA_INVALID)
		rv = CKR_WRAPPED_KEY_INVALID;
	else if (rv == CKR_ENCRYPTED_DATA_LEN_RANGE)
		rv = CKR_WRAPPED_KEY_LEN_RANGE;
	if (rv == CKR_OK)
		rv = keyobj_secret_object(pTemplate, ulAttributeCount, value, len, unwrapping, 0,
					  s->tok->login == CKU_SO ? OBJ_CREATE_SO : 0, &obj);
	if (rv == CKR_OK)
		rv = api_check_access(s, obj);
	if (rv == CKR_OK)
		rv = api_publish(s, obj, phKey);
	if (rv == CKR_OK)
		obj = NULL;
out:
	object_free(obj);
	if (value != NULL)
		port_free_secret(value, need > 0 ? need : 1);
	op_end(&o);
	api_leave();
	return rv;
}
#else
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
#endif

IOT_EXPORT CK_RV C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			     CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate,
			     CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
#if IOT_WITH_ECDH
	object *base, *obj = NULL;
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if (pMechanism == NULL || phKey == NULL ||
	    check_template(pTemplate, ulAttributeCount) != CKR_OK)
		rv = CKR_ARGUMENTS_BAD;
	/* Synced before the key is looked up: a reload frees the token objects
	 * the store no longer has (or has changed), the base key among them. */
	if (rv == CKR_OK)
		rv = token_sync(s->tok);
	if (rv == CKR_OK && session_object(s, hBaseKey, &base) != CKR_OK)
		rv = CKR_KEY_HANDLE_INVALID;
	if (rv == CKR_OK)
		rv = derive_key(pMechanism, base, pTemplate, ulAttributeCount,
				s->tok->login == CKU_SO ? OBJ_CREATE_SO : 0, &obj);
	if (rv == CKR_OK)
		rv = api_check_access(s, obj);
	if (rv == CKR_OK)
		rv = api_publish(s, obj, phKey);
	if (rv == CKR_OK)
		obj = NULL;
	object_free(obj);
	api_leave();
	return rv;
#else
	if (check_template(pTemplate, ulAttributeCount) != CKR_OK || phKey == NULL)
		return api_enter_checked_args(hSession);
	return ops_init(hSession, pMechanism, hBaseKey, CKR_KEY_HANDLE_INVALID, CKF_DERIVE);
#endif
}
