/* Random number generation functions (v2.40 section 5.15). */
#include "api/api.h"
#include "crypto/crypto.h"

IOT_EXPORT CK_RV C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	/* The DRBG is seeded by the operating system; mixing in application
	 * bytes adds nothing a token should rely on. */
	rv = pSeed == NULL && ulSeedLen > 0 ? CKR_ARGUMENTS_BAD : CKR_RANDOM_SEED_NOT_SUPPORTED;
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pRandomData,
				  CK_ULONG ulRandomLen)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	if ((pRandomData == NULL && ulRandomLen > 0) ||
	    api_impossible_len(pRandomData, ulRandomLen))
		rv = CKR_ARGUMENTS_BAD;
	else if (ulRandomLen > 0)
		/* crypto_random takes any size_t: no truncation of lengths
		 * past 2^32 (SECURITY.md row 34). */
		rv = crypto_random(pRandomData, ulRandomLen);
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE hSession)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	api_leave();
	/* v2.40 5.16: a legacy function; "it should simply return the value
	 * CKR_FUNCTION_NOT_PARALLEL". */
	return CKR_FUNCTION_NOT_PARALLEL;
}

IOT_EXPORT CK_RV C_CancelFunction(CK_SESSION_HANDLE hSession)
{
	session *s;
	CK_RV rv = api_enter_session(hSession, &s);

	if (rv != CKR_OK)
		return rv;
	api_leave();
	return CKR_FUNCTION_NOT_PARALLEL;
}
