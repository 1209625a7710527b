/*
 * C_Sign(hSession, pData, ulDataLen, pSignature, pulSignatureLen) after a
 * successful C_SignInit with the EC P-256 key of sign_common.h, for
 * CKM_ECDSA (raw input collected, at most OP_MAX_RAW_INPUT bytes) and
 * CKM_ECDSA_SHA256 (hashed), with:
 *   hSession         the session, 0, a stale generation of it, any value;
 *   (pData, ulDataLen)            verify_len_buffer around 32 (an input);
 *   (pSignature, *pulSignatureLen) verify_len_buffer around 64 (the
 *                    signature length); pulSignatureLen NULL or not.
 * The crypto stub checks that the module hands crypto_sign an input
 * buffer of the length it says and an output of crypto_sig_len bytes.
 */
#include "sign_common.h"

int main(void)
{
	static const CK_MECHANISM_TYPE mechs[] = { CKM_ECDSA, CKM_ECDSA_SHA256 };
	CK_OBJECT_HANDLE key, other;
	CK_MECHANISM mech = { 0, NULL, 0 };
	CK_SESSION_HANDLE s;
	CK_ULONG datalen = 0, siglen = 0;
	void *data = NULL, *sig = NULL;
	CK_RV rv;

	s = sign_setup(&key, &other);
	verify_case_b = Frama_C_interval(0, 1);
	mech.mechanism = mechs[verify_case_b];
	rv = C_SignInit(s, &mech, key);
	//@ assert setup_sign_init: rv == CKR_OK;
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, 32, 1, 1, &datalen, &data);
	verify_len_buffer(&verify_case_c, 64, 1, 0, &siglen, &sig);
	verify_case_e = Frama_C_interval(0, 1);
	rv = C_Sign(verify_session_handle(s), (CK_BYTE_PTR)data, datalen, (CK_BYTE_PTR)sig,
		    verify_case_e ? &siglen : NULL);
	verify_done(rv);
	return 0;
}
