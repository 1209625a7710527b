/*
 * The MAC paths of C_Sign, C_SignUpdate, C_SignFinal, C_Verify,
 * C_VerifyUpdate and C_VerifyFinal (verify_case_b: which) on an R/W
 * session on slot 1 with a 32-byte generic secret key (CKK_GENERIC_SECRET,
 * CKA_SIGN and CKA_VERIFY TRUE) and a 16-byte AES key (CKA_SIGN and
 * CKA_VERIFY TRUE), both public, made by C_CreateObject; the operation
 * (C_SignInit or C_VerifyInit in setup) with CKM_SHA256_HMAC (the generic
 * key) or CKM_AES_CMAC (the AES key) (verify_case_c), fresh or
 * (verify_case_g) multi-part after C_*Update(NULL, 0); and:
 *   (pData, ulDataLen)   verify_len_buffer around 32 (an input; final: none);
 *   (pSignature, length) verify_len_buffer around the MAC's length (32 or
 *                        16; sign: an output, pulSignatureLen NULL or not;
 *                        verify: an input).
 * Every allocation and every crypto_mac_* call may fail with any error its
 * contract allows (stubs/crypto_sym.c).
 * Narrowed (time): the data lengths only with a signature buffer of
 * exactly the MAC's length, the signature lengths only with 32 data bytes
 * (verify_case_a: which; not their product); the session handle the open
 * one (the handle forms are proved by the C_Sign* / C_Verify* harnesses:
 * the same api_enter_session).
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-split-return full
 */
#include <stdlib.h>

#include "mac_common.h"

int main(void)
{
	static CK_BYTE data32[32];
	CK_MECHANISM m = { CKM_SHA256_HMAC, NULL, 0 };
	CK_OBJECT_HANDLE keys[2];
	CK_SESSION_HANDLE s;
	CK_ULONG datalen = sizeof(data32), siglen = 0, maclen;
	void *data = data32, *sig = NULL;
	int verify;
	CK_RV rv;

	s = mac_setup(keys);
	verify_case_b = Frama_C_interval(0, 5);
	verify = verify_case_b >= 3;
	verify_case_c = Frama_C_interval(0, 1);
	if (verify_case_c)
		m.mechanism = CKM_AES_CMAC;
	maclen = verify_case_c ? 16 : 32;
	rv = verify ? C_VerifyInit(s, &m, keys[verify_case_c])
		    : C_SignInit(s, &m, keys[verify_case_c]);
	//@ assert setup_init: rv == CKR_OK;
	verify_case_g = Frama_C_interval(0, 1);
	if (verify_case_g) {
		rv = verify ? C_VerifyUpdate(s, NULL, 0) : C_SignUpdate(s, NULL, 0);
		//@ assert setup_update: rv == CKR_OK;
	}
	verify_setup = 0;

	/* Updates: the data lengths only; finals: the signature lengths only. */
	verify_case_a = verify_case_b % 3 == 1   ? 0
			: verify_case_b % 3 == 2 ? 1
						 : Frama_C_interval(0, 1);
	if (verify_case_a == 0) {
		verify_len_buffer(&verify_case_e, 32, 1, 1, &datalen, &data);
		sig = malloc(maclen);
		//@ assert harness_malloc: sig != \null;
		Frama_C_make_unknown(sig, maclen);
		siglen = maclen;
	} else {
		verify_len_buffer(&verify_case_f, maclen, 1, verify, &siglen, &sig);
	}
	switch (verify_case_b) {
	case 0:
		rv = C_Sign(s, data, datalen, sig, Frama_C_nondet(0, 1) ? &siglen : NULL);
		break;
	case 1:
		rv = C_SignUpdate(s, data, datalen);
		break;
	case 2:
		rv = C_SignFinal(s, sig, Frama_C_nondet(0, 1) ? &siglen : NULL);
		break;
	case 3:
		rv = C_Verify(s, data, datalen, sig, siglen);
		break;
	case 4:
		rv = C_VerifyUpdate(s, data, datalen);
		break;
	default:
		rv = C_VerifyFinal(s, sig, siglen);
		break;
	}
	verify_done(rv);
	return 0;
}
