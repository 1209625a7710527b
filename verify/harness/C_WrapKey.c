/*
 * C_WrapKey(hSession, pMechanism, hWrappingKey, hKey, pWrappedKey,
 * pulWrappedKeyLen) with an R/W session on slot 1 (nobody logged in)
 * holding, all public: an AES-128 wrapping key (CKA_WRAP, CKA_UNWRAP), an
 * AES-256 key (extractable, sensitive), an AES-128 key not extractable, a
 * 20-byte generic secret (extractable: CKM_AES_KEY_WRAP refuses its
 * length, CKM_AES_KEY_WRAP_PAD takes it), an AES-128 key extractable with
 * CKA_WRAP_WITH_TRUSTED (the wrapping key is not trusted), an EC private
 * key and a data object. Arguments:
 *   pMechanism  CKM_AES_KEY_WRAP or CKM_AES_KEY_WRAP_PAD, no parameter
 *              (verify_case_b); for the AES-256 target with the exact
 *              output length only, also verify_mechanism's forms
 *              (verify_case_g = 1, verify_case_c): those two, CKM_AES_CBC,
 * CKM_RSA_PKCS_OAEP, CKM_ECDSA, each with 3 parameter forms, or NULL; hKey each
 * object but the wrapping key, and the invalid forms (verify_object_handle,
 * verify_case_a); pWrappedKey, pulWrappedKeyLen  verify_len_buffer around 40
 * (the AES-256 key wrapped) as an output (verify_case_d); a NULL
 *              pulWrappedKeyLen (verify_case_f = 1, with the first
 *              buffer case);
 *   hWrappingKey  the wrapping key; for the AES-256 target with the exact
 *              length and CKM_AES_KEY_WRAP, also each other object and
 *              the invalid forms (verify_case_g = 0, verify_case_e);
 *   hSession    verify_session_handle (the same first choices).
 * Narrowed (time): the mechanism forms, wrapping-key handles and session
 * handles only with the AES-256 target and the exact length; the length
 * cases with every target and both wrap mechanisms. RSA-OAEP wrapping is
 * refused here (no RSA key): its working path is not covered.
 * The wrap, every allocation may fail.
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-split-return full
 */
#include "setup.h"

int main(void)
{
	static CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
	static CK_KEY_TYPE aes = CKK_AES, generic = CKK_GENERIC_SECRET;
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static CK_BYTE v16[16] = { 1 }, v32[32] = { 2 }, v20[20] = { 3 };
	static const CK_MECHANISM_TYPE mechs[] = { CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD,
						   CKM_AES_CBC, CKM_RSA_PKCS_OAEP, CKM_ECDSA };
	CK_ATTRIBUTE aes256[] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
		{ CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_PRIVATE, &no, 1 },
		{ CKA_EXTRACTABLE, &yes, 1 },
		{ CKA_VALUE, v32, sizeof(v32) },
	};
	CK_ATTRIBUTE fixed[] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
		{ CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_PRIVATE, &no, 1 },
		{ CKA_EXTRACTABLE, &no, 1 },
		{ CKA_VALUE, v16, sizeof(v16) },
	};
	CK_ATTRIBUTE gen20[] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
		{ CKA_KEY_TYPE, &generic, sizeof(generic) },
		{ CKA_PRIVATE, &no, 1 },
		{ CKA_EXTRACTABLE, &yes, 1 },
		{ CKA_VALUE, v20, sizeof(v20) },
	};
	CK_ATTRIBUTE trusted[] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
		{ CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_PRIVATE, &no, 1 },
		{ CKA_EXTRACTABLE, &yes, 1 },
		{ CKA_WRAP_WITH_TRUSTED, &yes, 1 },
		{ CKA_VALUE, v16, sizeof(v16) },
	};
	CK_OBJECT_HANDLE objs[7], hwrap, hkey;
	CK_MECHANISM m = { 0, NULL, 0 }, *mp;
	CK_SESSION_HANDLE s, h;
	CK_ULONG len, *lenp;
	void *buf;
	CK_RV rv;

	s = verify_open_session();
	objs[0] = verify_create(s, aes256, 5);
	objs[1] = verify_create(s, fixed, 5);
	objs[2] = verify_create(s, gen20, 5);
	objs[3] = verify_create(s, trusted, 6);
	objs[4] = verify_ec_private_key(s);
	objs[5] = verify_data_object(s, 0);
	objs[6] = verify_aes_wrapping_key(s);
	verify_setup = 0;

	hkey = verify_object_handle(&verify_case_a, objs, 6);
	verify_case_b = Frama_C_interval(0, 1);
	m.mechanism = verify_case_b ? CKM_AES_KEY_WRAP_PAD : CKM_AES_KEY_WRAP;
	mp = &m;
	verify_len_buffer(&verify_case_d, 40, 1, 0, &len, &buf);
	lenp = &len;
	verify_case_f = 0;
	if (verify_case_d == 0)
		verify_case_f = Frama_C_interval(0, 1);
	if (verify_case_f)
		lenp = NULL;
	hwrap = objs[6];
	h = s;
	verify_case_c = verify_case_e = verify_case_g = 0;
	if (verify_case_a == 0 && verify_case_d == 3 && verify_case_b == 0) {
		verify_case_g = Frama_C_interval(0, 1);
		if (verify_case_g)
			mp = verify_mechanism(&verify_case_c, &m, mechs, 5);
		else {
			hwrap = verify_object_handle(&verify_case_e, objs, 7);
			if (verify_case_e == 6)
				h = verify_session_handle(s);
		}
	}
	rv = C_WrapKey(h, mp, hwrap, hkey, buf, lenp);
	verify_done(rv);
	return 0;
}
