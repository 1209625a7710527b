/*
 * C_Verify(hSession, pData, ulDataLen, pSignature, ulSignatureLen) on the
 * session of verify_sig_session(1) (no verification active, a
 * single-part or a multi-part one; CKM_ECDSA with its collected input, or
 * CKM_ECDSA_SHA256), with:
 *   hSession                      verify_session_handle;
 *   (pData, ulDataLen)            verify_len_buffer around 32, an input;
 *   (pSignature, ulSignatureLen)  verify_len_buffer around 64, an input.
 * The crypto stub checks that crypto_verify gets readable buffers of the
 * lengths it is given.
 */
#include "setup.h"

int main(void)
{
	CK_OBJECT_HANDLE keys[2];
	CK_ULONG datalen = 0, siglen = 0;
	void *data = NULL, *sig = NULL;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	s = verify_sig_session(1, keys);
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, 32, 1, 1, &datalen, &data);
	verify_len_buffer(&verify_case_c, 64, 1, 1, &siglen, &sig);
	rv = C_Verify(verify_session_handle(s), (CK_BYTE_PTR)data, datalen, (CK_BYTE_PTR)sig,
		      siglen);
	verify_done(rv);
	return 0;
}
