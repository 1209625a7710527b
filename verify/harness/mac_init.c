/*
 * The MAC paths of C_SignInit and C_VerifyInit (verify_case_b: which) on
 * an R/W session on slot 1 with a 32-byte generic secret key and a 16-byte
 * AES key (both CKA_SIGN and CKA_VERIFY TRUE, public, made by
 * C_CreateObject), a signature/verification already active or not
 * (verify_case_g: CKM_SHA256_HMAC with the generic key), and:
 *   hSession    the open one (the handle forms: the C_SignInit and
 *               C_VerifyInit harnesses, the same api_enter_session);
 *   hKey        the generic key, the AES key, or an invalid handle
 *               (verify_object_handle, verify_case_d);
 *   pMechanism  (verify_case_c) CKM_SHA256_HMAC and CKM_AES_CMAC without
 *               and with an 8-byte parameter; CKM_SHA256_HMAC_GENERAL and
 *               CKM_AES_CMAC_GENERAL with a CK_ULONG MAC length of 0, 1,
 *               16, 32, 33 or ULONG_MAX (verify_case_e), with a parameter
 *               length of 4, or NULL with length sizeof(CK_ULONG).
 * Every allocation and crypto_mac_new may fail.
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-split-return full
 */
#include <limits.h>

#include "mac_common.h"

int main(void)
{
	static const CK_MECHANISM_TYPE plain[] = { CKM_SHA256_HMAC, CKM_AES_CMAC };
	static const CK_MECHANISM_TYPE general[] = { CKM_SHA256_HMAC_GENERAL,
						     CKM_AES_CMAC_GENERAL };
	static const CK_ULONG lens[] = { 0, 1, 16, 32, 33, ULONG_MAX };
	static CK_BYTE param8[8];
	static CK_MECHANISM hmac = { CKM_SHA256_HMAC, NULL, 0 };
	static CK_ULONG maclen;
	CK_MECHANISM m = { 0, NULL, 0 };
	CK_OBJECT_HANDLE keys[2];
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = mac_setup(keys);
	verify_case_b = Frama_C_interval(0, 1);
	verify_case_g = Frama_C_interval(0, 1);
	if (verify_case_g) {
		rv = verify_case_b ? C_VerifyInit(s, &hmac, keys[0])
				   : C_SignInit(s, &hmac, keys[0]);
		//@ assert setup_init: rv == CKR_OK;
	}
	verify_setup = 0;

	/* 0..3: plain (HMAC, CMAC) x (no parameter, 8 bytes); 4, 5: general
	 * with a CK_ULONG; 6, 7: general with length 4; 8, 9: general NULL. */
	verify_case_c = Frama_C_interval(0, 9);
	if (verify_case_c < 4) {
		m.mechanism = plain[verify_case_c % 2];
		if (verify_case_c >= 2) {
			m.pParameter = param8;
			m.ulParameterLen = sizeof(param8);
		}
	} else {
		m.mechanism = general[verify_case_c % 2];
		m.pParameter = verify_case_c >= 8 ? NULL : &maclen;
		m.ulParameterLen = verify_case_c >= 6 && verify_case_c < 8 ? 4 : sizeof(CK_ULONG);
		verify_case_e = verify_case_c < 6 ? Frama_C_interval(0, 5) : 0;
		maclen = lens[verify_case_e];
	}
	rv = verify_case_b ? C_VerifyInit(s, &m, verify_object_handle(&verify_case_d, keys, 2))
			   : C_SignInit(s, &m, verify_object_handle(&verify_case_d, keys, 2));
	verify_done(rv);
	return 0;
}
