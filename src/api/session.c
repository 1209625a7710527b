/* Session management functions (v2.40 section 5.6). */
#include <string.h>

#include "api/api.h"

IOT_EXPORT CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
			       CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	token *tok;
	CK_RV rv = api_enter();

	/* Notification callbacks are optional for a token; iotoken never
	 * calls them (it has no surrender points). */
	(void)pApplication;
	(void)Notify;
	if (rv != CKR_OK)
		return rv;
	tok = slot_token(slotID);
	if (tok == NULL) {
		rv = CKR_SLOT_ID_INVALID;
		goto out;
	}
	if (phSession == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	/* v2.40 5.6: "For legacy reasons, the CKF_SERIAL_SESSION bit MUST
	 * always be set". */
	if (!(flags & CKF_SERIAL_SESSION)) {
		rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
		goto out;
	}
	if (tok->broken != CKR_OK) {
		rv = tok->broken;
		goto out;
	}
	if (tok->st == NULL) {
		rv = CKR_TOKEN_NOT_RECOGNIZED;
		goto out;
	}
	rv = token_sync(tok);
	if (rv == CKR_OK)
		rv = session_open(tok, flags, phSession);
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	session_close(s);
	api_leave();
	return CKR_OK;
}

IOT_EXPORT CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	token *tok;
	CK_RV rv = api_enter();

	if (rv != CKR_OK)
		return rv;
	tok = slot_token(slotID);
	if (tok == NULL)
		rv = CKR_SLOT_ID_INVALID;
	else
		session_close_all(tok);
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if (pInfo == NULL) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		memset(pInfo, 0, sizeof(*pInfo));
		pInfo->slotID = s->tok->slot_id;
		pInfo->state = session_state(s);
		pInfo->flags = s->flags;
		pInfo->ulDeviceError = 0;
	}
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
				     CK_ULONG_PTR pulOperationStateLen)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	(void)pOperationState;
	(void)pulOperationStateLen;
	if (rv != CKR_OK)
		return rv;
	/* Saving operation state would put key-dependent state in the
	 * application's hands; iotoken does not offer it. */
	api_leave();
	return CKR_FUNCTION_NOT_SUPPORTED;
}

IOT_EXPORT CK_RV C_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
				     CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE hEncryptionKey,
				     CK_OBJECT_HANDLE hAuthenticationKey)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	(void)pOperationState;
	(void)ulOperationStateLen;
	(void)hEncryptionKey;
	(void)hAuthenticationKey;
	if (rv != CKR_OK)
		return rv;
	api_leave();
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV api_login(CK_SESSION_HANDLE h, CK_USER_TYPE type, const CK_UTF8CHAR *pin, CK_ULONG pinlen,
		CK_ULONG namelen)
{
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	if (type == CKU_CONTEXT_SPECIFIC) {
		/* No operation of iotoken needs re-authentication
		 * (CKA_ALWAYS_AUTHENTICATE is always FALSE). */
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	if (type != CKU_USER && type != CKU_SO) {
		rv = CKR_USER_TYPE_INVALID;
		goto out;
	}
	if (pin == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	/* 3.0 5.6.9 C_LoginUser: "This standard allows PIN and user name
	 * values to contain any valid UTF8 character, but the token may impose
	 * subset restrictions." A token has one user and one SO and neither
	 * has a name: the empty name is that user, and any other name names
	 * nobody. Refused without reading it and before the PIN is tried, so
	 * it costs no attempt; logging in the unnamed user for "alice" would
	 * pretend a check that never ran. (A NULL name with a length is the
	 * same caller error.) */
	if (namelen > 0) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = token_sync(s->tok);
	if (rv == CKR_OK)
		rv = pin_login(s->tok, type, pin, pinlen);
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
			 CK_ULONG ulPinLen)
{
	return api_login(hSession, userType, pPin, ulPinLen, 0);
}

IOT_EXPORT CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	rv = pin_logout(s->tok);
	api_leave();
	return rv;
}
