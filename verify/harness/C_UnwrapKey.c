/*
 * C_UnwrapKey(hSession, pMechanism, hUnwrappingKey, pWrappedKey,
 * ulWrappedKeyLen, pTemplate, ulAttributeCount, phKey) with an R/W
 * session on slot 1 (nobody logged in) holding, all public: an AES-128
 * unwrapping key (CKA_WRAP, CKA_UNWRAP), an AES-128 key without
 * CKA_UNWRAP, an EC private key and a data object. Arguments:
 *   pMechanism  CKM_AES_KEY_WRAP or CKM_AES_KEY_WRAP_PAD, no parameter
 *              (verify_case_b); for template 0 and the 40-byte input only,
 *              also verify_mechanism's forms (verify_case_g = 1,
 *              verify_case_c): those two, CKM_AES_CBC, CKM_RSA_PKCS_OAEP,
 *              CKM_ECDSA, each with 3 parameter forms, or NULL;
 *   pWrappedKey, ulWrappedKeyLen  verify_len_buffer around 40 (an AES-256
 *              key wrapped) as an input (verify_case_d): 0, 1, 39, 40,
 *              41, 128, 1025, 2048 unknown bytes, > PTRDIFF_MAX on a small
 *              buffer, NULL with any length;
 *   pTemplate   (verify_case_a) AES secret key, CKA_PRIVATE FALSE; generic
 *              secret, CKA_TOKEN (stored); AES with CKA_SENSITIVE FALSE
 *              (refused: an unwrapped key stays sensitive); AES with
 *              CKA_VALUE_LEN 32 (equal to a 40-byte input's key, else
 *              refused); no CKA_CLASS; CKA_CLASS CKO_PRIVATE_KEY; CKA_CLASS
 *              of length 4;
 *   counts      (template 0, input 40, CKM_AES_KEY_WRAP)
 *              verify_template_count (verify_case_e), phKey NULL
 *              (verify_case_f);
 *   hUnwrappingKey  the unwrapping key; with the same first choices also
 *              the other objects and the invalid forms (verify_case_g = 0,
 *              verify_case_i);
 *   hSession    verify_session_handle (with the first template count).
 * Narrowed (time): mechanism forms, key and session handles, counts and
 * NULL phKey only with template 0 and the 40-byte input; the lengths with
 * every template and both mechanisms. RSA-OAEP unwrapping is refused here
 * (no RSA key): its working path is not covered. Input lengths accepted
 * between 2048 and PTRDIFF_MAX are not covered (verify_len_buffer).
 * The unwrap, every allocation and storing a token key may fail.
 * Slevel of set_defaults, object_encode, codec_encode_mac and
 * token_store_object: their failure states must not be joined with their
 * success when the slevel, shared by every partition, runs out (a created
 * key's values or a token key's record would look unset or of an interval
 * length; README "precision"). Likewise object_create,
 * keyobj_secret_object and C_UnwrapKey itself: the new key's failure
 * (object freed, *out unset) and success states would otherwise meet at
 * keyobj_secret_object's return and in C_UnwrapKey after it (false
 * dangling/out-of-bounds alarms in api_check_access, index_object and
 * object_free).
 * VERIFY-SLOW: about 1170 s of CPU (1195 s wall alone, 2-core machine, partly loaded); run with VERIFY_ALL=1 (README.md, Running)
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-split-return full -eva-min-loop-unroll 40 -eva-slevel-function set_defaults:3000,object_encode:5000,codec_encode_mac:5000,token_store_object:5000,object_create:5000,keyobj_secret_object:5000,C_UnwrapKey:5000
 */
#include <string.h>

#include "setup.h"

#define NTEMPLATES 7

int main(void)
{
	static CK_OBJECT_CLASS secret = CKO_SECRET_KEY, privc = CKO_PRIVATE_KEY;
	static CK_KEY_TYPE aes = CKK_AES, generic = CKK_GENERIC_SECRET;
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static CK_ULONG l32 = 32;
	static const CK_MECHANISM_TYPE mechs[] = { CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD,
						   CKM_AES_CBC, CKM_RSA_PKCS_OAEP, CKM_ECDSA };
	const CK_ATTRIBUTE tmpls[NTEMPLATES][4] = {
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &aes, sizeof(aes) },
		  { CKA_PRIVATE, &no, 1 } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &generic, sizeof(generic) },
		  { CKA_PRIVATE, &no, 1 },
		  { CKA_TOKEN, &yes, 1 } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &aes, sizeof(aes) },
		  { CKA_PRIVATE, &no, 1 },
		  { CKA_SENSITIVE, &no, 1 } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &aes, sizeof(aes) },
		  { CKA_PRIVATE, &no, 1 },
		  { CKA_VALUE_LEN, &l32, sizeof(l32) } },
		{ { CKA_KEY_TYPE, &aes, sizeof(aes) }, { CKA_PRIVATE, &no, 1 } },
		{ { CKA_CLASS, &privc, sizeof(privc) },
		  { CKA_KEY_TYPE, &aes, sizeof(aes) },
		  { CKA_PRIVATE, &no, 1 } },
		{ { CKA_CLASS, &secret, 4 }, { CKA_KEY_TYPE, &aes, sizeof(aes) } },
	};
	static const CK_ULONG counts[NTEMPLATES] = { 3, 4, 4, 4, 2, 3, 2 };
	CK_OBJECT_HANDLE objs[4], hunwrap, hkey;
	CK_MECHANISM m = { 0, NULL, 0 }, *mp;
	CK_ATTRIBUTE t[4], *tp;
	CK_SESSION_HANDLE s, h;
	CK_ULONG len, n;
	void *buf;
	CK_RV rv;

	s = verify_open_session();
	objs[0] = verify_aes_wrapping_key(s);
	objs[1] = verify_aes_key(s);
	objs[2] = verify_ec_private_key(s);
	objs[3] = verify_data_object(s, 0);
	verify_setup = 0;

	verify_case_a = Frama_C_interval(0, NTEMPLATES - 1);
	memcpy(t, tmpls[verify_case_a], sizeof(t));
	n = counts[verify_case_a];
	tp = t;
	verify_case_b = Frama_C_interval(0, 1);
	m.mechanism = verify_case_b ? CKM_AES_KEY_WRAP_PAD : CKM_AES_KEY_WRAP;
	mp = &m;
	verify_len_buffer(&verify_case_d, 40, 1, 1, &len, &buf);
	hunwrap = objs[0];
	h = s;
	verify_case_c = verify_case_e = verify_case_f = verify_case_g = verify_case_i = 0;
	if (verify_case_a == 0 && verify_case_d == 3 && verify_case_b == 0) {
		verify_case_g = Frama_C_interval(0, 2);
		if (verify_case_g == 1) {
			mp = verify_mechanism(&verify_case_c, &m, mechs, 5);
		} else if (verify_case_g == 0) {
			hunwrap = verify_object_handle(&verify_case_i, objs, 4);
		} else {
			tp = verify_template_count(&verify_case_e, 0, t, counts[0], &n);
			if (verify_case_e == 0) {
				verify_case_f = Frama_C_interval(0, 1);
				if (verify_case_f == 0)
					h = verify_session_handle(s);
			}
		}
	}
	rv = C_UnwrapKey(h, mp, hunwrap, buf, len, tp, n, verify_case_f ? NULL : &hkey);
	verify_done(rv);
	return 0;
}
