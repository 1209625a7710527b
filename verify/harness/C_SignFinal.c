/*
 * C_SignFinal(hSession, pSignature, pulSignatureLen) on the session of
 * verify_sig_session(0) (no signature active, a single-part or a
 * multi-part one; CKM_ECDSA with 5 collected bytes, or CKM_ECDSA_SHA256),
 * with hSession from verify_session_handle, (pSignature,
 * *pulSignatureLen) from verify_len_buffer around 64 (the P-256
 * signature length), pulSignatureLen NULL or not. The crypto stub checks
 * that crypto_sign gets an output of crypto_sig_len bytes.
 */
#include "setup.h"

int main(void)
{
	CK_OBJECT_HANDLE keys[2];
	CK_ULONG siglen = 0;
	void *sig = NULL;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_sig_session(0, keys);
	verify_setup = 0;

	verify_len_buffer(&verify_case_c, 64, 1, 0, &siglen, &sig);
	verify_case_e = Frama_C_interval(0, 1);
	rv = C_SignFinal(verify_session_handle(s), (CK_BYTE_PTR)sig,
			 verify_case_e ? &siglen : NULL);
	verify_done(rv);
	return 0;
}
