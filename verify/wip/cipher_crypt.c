/*
 * C_Encrypt, C_EncryptUpdate, C_EncryptFinal, C_Decrypt, C_DecryptUpdate,
 * C_DecryptFinal (verify_case_b: encrypt or decrypt; verify_case_e: single
 * part, update or final) on the session of cipher_common.h after a
 * successful C_EncryptInit/C_DecryptInit with the 16-byte AES key and
 * (verify_case_c) CKM_AES_ECB, CKM_AES_CBC_PAD (16-byte IV), CKM_AES_GCM
 * (12-byte IV, 16 bytes of AAD, 128-bit tag), CKM_AES_CTR (128 counter
 * bits) or CKM_AES_KEY_WRAP; the operation fresh or (verify_case_g) after
 * a C_*Update of 5 bytes (key wrap: refused, the operation ended), or not
 * initialized at all (verify_case_g 2); and:
 *   hSession       verify_session_handle;
 *   (pData, ulDataLen)  verify_len_buffer around 32 (an input; final: none);
 *   (pOut, *pulOutLen)  verify_len_buffer around 48 (an output);
 *   pulOutLen      NULL or not.
 * Every allocation and every crypto_aes_* call may fail with any error its
 * contract allows; the crypto stub checks the lengths the module hands it.
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-split-return full
 */
#include "cipher_common.h"

int main(void)
{
	static const CK_MECHANISM_TYPE types[] = { CKM_AES_ECB, CKM_AES_CBC_PAD, CKM_AES_GCM,
						   CKM_AES_CTR, CKM_AES_KEY_WRAP };
	static CK_BYTE iv16[16], iv12[12], aad16[16], part[5], sink[64];
	static CK_GCM_PARAMS gcm = { iv12, 12, 96, aad16, 16, 128 };
	static CK_AES_CTR_PARAMS ctr = { 128, { 0 } };
	CK_MECHANISM m = { 0, NULL, 0 };
	CK_OBJECT_HANDLE keys[2];
	CK_SESSION_HANDLE s, h;
	CK_ULONG datalen = 0, outlen = 0, sinklen;
	void *data = NULL, *out = NULL;
	CK_ULONG_PTR plen;
	CK_RV rv;

	s = cipher_setup(keys);
	verify_case_b = Frama_C_interval(0, 1);
	verify_case_c = Frama_C_interval(0, 4);
	m.mechanism = types[verify_case_c];
	if (verify_case_c == 1) {
		m.pParameter = iv16;
		m.ulParameterLen = sizeof(iv16);
	} else if (verify_case_c == 2) {
		m.pParameter = &gcm;
		m.ulParameterLen = sizeof(gcm);
	} else if (verify_case_c == 3) {
		m.pParameter = &ctr;
		m.ulParameterLen = sizeof(ctr);
	}
	verify_case_g = Frama_C_interval(0, 2);
	if (verify_case_g < 2) {
		rv = verify_case_b ? C_DecryptInit(s, &m, keys[0]) : C_EncryptInit(s, &m, keys[0]);
		//@ assert setup_init: rv == CKR_OK;
	}
	if (verify_case_g == 1) {
		sinklen = sizeof(sink);
		rv = verify_case_b ? C_DecryptUpdate(s, part, sizeof(part), sink, &sinklen)
				   : C_EncryptUpdate(s, part, sizeof(part), sink, &sinklen);
	}
	verify_setup = 0;

	verify_case_e = Frama_C_interval(0, 2);
	if (verify_case_e < 2)
		verify_len_buffer(&verify_case_a, 32, 1, 1, &datalen, &data);
	verify_len_buffer(&verify_case_f, 48, 1, 0, &outlen, &out);
	plen = Frama_C_nondet(0, 1) ? &outlen : NULL;
	h = verify_session_handle(s);
	switch (verify_case_e * 2 + verify_case_b) {
	case 0:
		rv = C_Encrypt(h, data, datalen, out, plen);
		break;
	case 1:
		rv = C_Decrypt(h, data, datalen, out, plen);
		break;
	case 2:
		rv = C_EncryptUpdate(h, data, datalen, out, plen);
		break;
	case 3:
		rv = C_DecryptUpdate(h, data, datalen, out, plen);
		break;
	case 4:
		rv = C_EncryptFinal(h, out, plen);
		break;
	default:
		rv = C_DecryptFinal(h, out, plen);
		break;
	}
	verify_done(rv);
	return 0;
}
