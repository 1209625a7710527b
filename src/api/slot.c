/* Slot and token management functions (v2.40 section 5.5). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/mech.h"

static CK_RV enter_slot(CK_SLOT_ID id, token **out)
{
	CK_RV rv = api_enter();

	if (rv != CKR_OK)
		return rv;
	*out = slot_token(id);
	if (*out == NULL) {
		api_leave();
		return CKR_SLOT_ID_INVALID;
	}
	return CKR_OK;
}

IOT_EXPORT CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList,
			       CK_ULONG_PTR pulCount)
{
	CK_ULONG n = 0;
	token *t;
	CK_RV rv = api_enter();

	(void)tokenPresent; /* every slot has a token: an initialized one or not */
	if (rv != CKR_OK)
		return rv;
	if (pulCount == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	/* A token another process created appears now. Failing to list the
	 * directory leaves the slots we know. */
	if (pSlotList == NULL && slots_refresh() != CKR_OK)
		config_log("slot list not refreshed");
	for (t = module.tokens; t != NULL; t = t->next)
		n++;
	if (pSlotList != NULL && *pulCount < n)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (pSlotList != NULL)
		for (n = 0, t = module.tokens; t != NULL; t = t->next)
			pSlotList[n++] = t->slot_id;
	*pulCount = n;
out:
	api_leave();
	return rv;
}

/* "iotoken slot <id>", without printf (devices have no stdio). */
static void slot_description(char desc[64], CK_SLOT_ID id)
{
	static const char prefix[] = "iotoken slot ";
	char digits[24];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + id % 10);
		id /= 10;
	} while (id > 0);
	memcpy(desc, prefix, sizeof(prefix) - 1);
	desc += sizeof(prefix) - 1;
	while (n > 0)
		*desc++ = digits[--n];
	*desc = '\0';
}

IOT_EXPORT CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	char desc[64];
	token *tok;
	CK_RV rv = enter_slot(slotID, &tok);

	if (rv != CKR_OK)
		return rv;
	if (pInfo == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	memset(pInfo, 0, sizeof(*pInfo));
	slot_description(desc, slotID);
	api_pad(pInfo->slotDescription, sizeof(pInfo->slotDescription), desc);
	api_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "iotoken");
	pInfo->flags = CKF_TOKEN_PRESENT;
	pInfo->hardwareVersion.major = 0;
	pInfo->hardwareVersion.minor = 1;
	pInfo->firmwareVersion.major = 0;
	pInfo->firmwareVersion.minor = 1;
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	token *tok;
	CK_RV rv = enter_slot(slotID, &tok);

	if (rv != CKR_OK)
		return rv;
	if (pInfo == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = token_sync(tok);
	if (rv != CKR_OK)
		goto out;
	memset(pInfo, 0, sizeof(*pInfo));
	api_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "iotoken");
	api_pad(pInfo->model, sizeof(pInfo->model), "iotoken soft");
	if (tok->st != NULL) {
		memcpy(pInfo->label, tok->rec.label, sizeof(pInfo->label));
		memcpy(pInfo->serialNumber, tok->rec.serial, sizeof(pInfo->serialNumber));
		pInfo->flags = token_flags(tok);
	} else {
		api_pad(pInfo->label, sizeof(pInfo->label), "");
		api_pad(pInfo->serialNumber, sizeof(pInfo->serialNumber), "");
		pInfo->flags = CKF_RNG;
	}
	pInfo->ulMaxSessionCount = CONFIG_MAX_SESSIONS;
	pInfo->ulSessionCount = tok->sessions;
	pInfo->ulMaxRwSessionCount = CONFIG_MAX_SESSIONS;
	pInfo->ulRwSessionCount = tok->rw_sessions;
	pInfo->ulMaxPinLen = CONFIG_MAX_PIN_LEN;
	pInfo->ulMinPinLen = CONFIG_MIN_PIN_LEN;
	pInfo->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->hardwareVersion.major = 0;
	pInfo->hardwareVersion.minor = 1;
	pInfo->firmwareVersion.major = 0;
	pInfo->firmwareVersion.minor = 1;
	/* No clock on the token (CKF_CLOCK_ON_TOKEN unset): utcTime blank. */
	memset(pInfo->utcTime, ' ', sizeof(pInfo->utcTime));
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
				    CK_ULONG_PTR pulCount)
{
	const mech_row *rows;
	size_t n, i;
	token *tok;
	CK_RV rv = enter_slot(slotID, &tok);

	if (rv != CKR_OK)
		return rv;
	if (pulCount == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rows = mech_all(&n);
	if (pMechanismList != NULL && *pulCount < n)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (pMechanismList != NULL)
		for (i = 0; i < n; i++)
			pMechanismList[i] = rows[i].type;
	*pulCount = n;
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type,
				    CK_MECHANISM_INFO_PTR pInfo)
{
	const mech_row *row;
	token *tok;
	CK_RV rv = enter_slot(slotID, &tok);

	if (rv != CKR_OK)
		return rv;
	if (pInfo == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	row = mech_find(type);
	if (row == NULL) {
		rv = CKR_MECHANISM_INVALID;
		goto out;
	}
	pInfo->ulMinKeySize = row->min_key;
	pInfo->ulMaxKeySize = row->max_key;
	pInfo->flags = mech_flags(row);
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
			     CK_UTF8CHAR_PTR pLabel)
{
	token *tok;
	int was_blank;
	CK_RV rv = enter_slot(slotID, &tok);

	if (rv != CKR_OK)
		return rv;
	/* No protected authentication path: the PIN must be given. */
	if (pPin == NULL || pLabel == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (tok->broken != CKR_OK) {
		rv = tok->broken;
		goto out;
	}
	/* v2.40 5.5 C_InitToken: "If a token is initialized while sessions
	 * are open ... the call fails with CKR_SESSION_EXISTS". */
	if (tok->sessions > 0) {
		rv = CKR_SESSION_EXISTS;
		goto out;
	}
	was_blank = tok->st == NULL;
	rv = pin_init_token(tok, pPin, ulPinLen, pLabel);
	/* The blank slot is now a token: offer a new blank one. The token
	 * exists now, so this cannot fail the call: without memory for the
	 * new slot, the next C_GetSlotList adds it (found by the allocation
	 * sweep, tests/unit/test_alloc_sweep.c). */
	if (rv == CKR_OK && was_blank && slots_refresh() != CKR_OK)
		config_log("no new empty slot yet; the next C_GetSlotList adds it");
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if (pPin == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (session_state(s) != CKS_RW_SO_FUNCTIONS) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	rv = pin_init_user(s->tok, pPin, ulPinLen);
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
			  CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if (pOldPin == NULL || pNewPin == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (!(s->flags & CKF_RW_SESSION)) {
		rv = CKR_SESSION_READ_ONLY;
		goto out;
	}
	/* v2.40 5.5 C_SetPIN: the PIN of the user logged in, or the normal
	 * user's PIN in a public session. */
	rv = pin_set(s->tok, s->tok->login == CKU_SO ? CKU_SO : CKU_USER, pOldPin, ulOldLen,
		     pNewPin, ulNewLen);
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
	CK_RV rv = api_enter();

	if (rv != CKR_OK)
		return rv;
	if (pSlot == NULL || pReserved != NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (flags & CKF_DONT_BLOCK)
		rv = CKR_NO_EVENT; /* slots never change their token */
	else
		rv = CKR_FUNCTION_NOT_SUPPORTED;
	api_leave();
	return rv;
}
