/*
 * C_DeriveKey(hSession, pMechanism, hBaseKey, pTemplate, ulAttributeCount,
 * phKey) with an R/W session on slot 1 (nobody logged in) holding an EC
 * P-256 private key with CKA_DERIVE, one without it, an AES key and a
 * data object. Arguments:
 *   pMechanism  CKM_ECDH1_DERIVE with CK_ECDH1_DERIVE_PARAMS
 *              (verify_case_b): CKD_NULL and a raw 65-byte peer point;
 *              CKD_NULL and the point in a DER OCTET STRING (67 bytes);
 *              CKD_SHA256_KDF with 8 bytes of shared data; CKD_SHA256_KDF
 *              with none; CKD_NULL with shared data (refused); point
 *              lengths 64 and 66 (bad), ULONG_MAX (a 65-byte buffer: must
 *              be refused on the length), NULL with length 65; shared data
 *              NULL with length 8, 65537 bytes (on an 8-byte buffer: must
 *              be refused on the length), an unknown KDF; the DER form with
 *              a wrong inner length byte; CKD_SHA1_KDF without shared data;
 *              and, for the first parameters only (verify_case_c):
 *              ulParameterLen short by one or long by one, pParameter NULL,
 *              CKM_ECDH1_COFACTOR_DERIVE, CKM_AES_KEY_GEN (no derivation),
 *              pMechanism NULL;
 *   hBaseKey    the derivation key; for the first parameters and template
 *              also each other object and the invalid forms
 *              (verify_object_handle, verify_case_d);
 *   pTemplate   (verify_case_a) generic secret CKA_VALUE_LEN 32 (session);
 *              AES with no CKA_VALUE_LEN (the secret's 32 bytes); AES
 *              CKA_VALUE_LEN 16 + CKA_TOKEN (stored); generic
 *              CKA_VALUE_LEN 100 (CKD_NULL: longer than the secret; a KDF:
 *              4 hash blocks); generic CKA_VALUE_LEN 0; CKA_VALUE_LEN of
 *              length 4; no CKA_CLASS; CKA_CLASS CKO_PRIVATE_KEY; AES with
 *              CKA_VALUE_LEN 20;
 *   counts      (first parameters, template 0) verify_template_count
 *              (verify_case_e); phKey NULL (verify_case_f);
 *   hSession    verify_session_handle (the same first choices).
 * Narrowed (time): the handles, counts, session handles and mechanism
 * forms only with the first parameters and template 0; a shared-data
 * length of 65537 stands for every length above SHARED_DATA_MAX, and
 * CKA_VALUE_LEN 100 for the KDF's loop (DERIVE_MAX = 4096 would be 128
 * hash blocks).
 * The ECDH, every digest call, every allocation and storing a token key
 * may fail.
 * Slevel of set_defaults, object_encode, codec_encode_mac and
 * token_store_object: their failure states must not be joined with their
 * success when the slevel, shared by every partition, runs out (a created
 * key's values or a token key's record would look unset or of an interval
 * length; README "precision").
 * VERIFY-SLOW: about 175 s of CPU measured on a loaded machine; run with VERIFY_ALL=1 (README.md, Running)
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-min-loop-unroll 40 -eva-slevel-function set_defaults:3000,object_encode:5000,codec_encode_mac:5000,token_store_object:5000
 */
#include <limits.h>
#include <string.h>

#include "setup.h"

#define NPARAMS 14
#define NTEMPLATES 9

int main(void)
{
	static CK_OBJECT_CLASS secret = CKO_SECRET_KEY, privc = CKO_PRIVATE_KEY;
	static CK_KEY_TYPE generic = CKK_GENERIC_SECRET, aes = CKK_AES, ec = CKK_EC;
	static CK_ULONG l32 = 32, l16 = 16, l100 = 100, l0 = 0, l20 = 20;
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	static CK_BYTE scalar[32] = { 1 };
	static CK_BYTE raw[65] = { 0x04, 1 }, der[67] = { 0x04, 65, 0x04, 1 },
		       badder[67] = { 0x04, 64, 0x04, 1 }, shared[8] = { 1 };
	static const CK_MECHANISM_TYPE mechs[] = { CKM_ECDH1_COFACTOR_DERIVE, CKM_AES_KEY_GEN };
	const CK_ECDH1_DERIVE_PARAMS params[NPARAMS] = {
		{ CKD_NULL, 0, NULL, 65, raw },
		{ CKD_NULL, 0, NULL, 67, der },
		{ CKD_SHA256_KDF, 8, shared, 65, raw },
		{ CKD_SHA256_KDF, 0, NULL, 65, raw },
		{ CKD_NULL, 8, shared, 65, raw },
		{ CKD_NULL, 0, NULL, 64, raw },
		{ CKD_NULL, 0, NULL, 66, der },
		{ CKD_NULL, 0, NULL, ULONG_MAX, raw },
		{ CKD_NULL, 0, NULL, 65, NULL },
		{ CKD_SHA256_KDF, 8, NULL, 65, raw },
		{ CKD_SHA256_KDF, 65537, shared, 65, raw },
		{ 0x99, 0, NULL, 65, raw },
		{ CKD_NULL, 0, NULL, 67, badder },
		{ CKD_SHA1_KDF, 0, NULL, 65, raw },
	};
	CK_ATTRIBUTE base[] = {
		{ CKA_CLASS, &privc, sizeof(privc) },  { CKA_KEY_TYPE, &ec, sizeof(ec) },
		{ CKA_PRIVATE, &no, sizeof(no) },      { CKA_EC_PARAMS, p256, sizeof(p256) },
		{ CKA_VALUE, scalar, sizeof(scalar) }, { CKA_DERIVE, &yes, sizeof(yes) },
	};
	const CK_ATTRIBUTE tmpls[NTEMPLATES][4] = {
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &generic, sizeof(generic) },
		  { CKA_VALUE_LEN, &l32, sizeof(l32) },
		  { CKA_PRIVATE, &no, 1 } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &aes, sizeof(aes) },
		  { CKA_PRIVATE, &no, 1 } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &aes, sizeof(aes) },
		  { CKA_VALUE_LEN, &l16, sizeof(l16) },
		  { CKA_TOKEN, &yes, 1 } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &generic, sizeof(generic) },
		  { CKA_VALUE_LEN, &l100, sizeof(l100) },
		  { CKA_PRIVATE, &no, 1 } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &generic, sizeof(generic) },
		  { CKA_VALUE_LEN, &l0, sizeof(l0) } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &generic, sizeof(generic) },
		  { CKA_VALUE_LEN, &l32, 4 } },
		{ { CKA_KEY_TYPE, &generic, sizeof(generic) },
		  { CKA_VALUE_LEN, &l32, sizeof(l32) } },
		{ { CKA_CLASS, &privc, sizeof(privc) },
		  { CKA_KEY_TYPE, &ec, sizeof(ec) },
		  { CKA_VALUE_LEN, &l32, sizeof(l32) } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &aes, sizeof(aes) },
		  { CKA_VALUE_LEN, &l20, sizeof(l20) } },
	};
	static const CK_ULONG counts[NTEMPLATES] = { 4, 3, 4, 4, 3, 3, 2, 3, 3 };
	CK_ECDH1_DERIVE_PARAMS p;
	CK_ATTRIBUTE t[4], *tp;
	CK_MECHANISM m, *mp;
	CK_OBJECT_HANDLE objs[4], hbase, hkey;
	CK_SESSION_HANDLE s, h;
	CK_ULONG n;
	CK_RV rv;

	s = verify_open_session();
	objs[0] = verify_create(s, base, 6);
	objs[1] = verify_ec_private_key(s);
	objs[2] = verify_aes_key(s);
	objs[3] = verify_data_object(s, 0);
	verify_setup = 0;

	verify_case_b = Frama_C_interval(0, NPARAMS - 1);
	verify_case_a = Frama_C_interval(0, NTEMPLATES - 1);
	p = params[verify_case_b];
	memcpy(t, tmpls[verify_case_a], sizeof(t));
	n = counts[verify_case_a];
	tp = t;
	m.mechanism = CKM_ECDH1_DERIVE;
	m.pParameter = &p;
	m.ulParameterLen = sizeof(p);
	mp = &m;
	hbase = objs[0];
	h = s;
	verify_case_c = verify_case_d = verify_case_e = verify_case_f = 0;
	if (verify_case_b == 0 && verify_case_a == 0) {
		verify_case_c = Frama_C_interval(0, 6);
		switch (verify_case_c) {
		case 1:
			m.ulParameterLen = sizeof(p) - 1;
			break;
		case 2:
			m.ulParameterLen = sizeof(p) + 1;
			break;
		case 3:
			m.pParameter = NULL;
			break;
		case 4:
		case 5:
			m.mechanism = mechs[verify_case_c - 4];
			break;
		case 6:
			mp = NULL;
			break;
		default:
			break;
		}
		if (verify_case_c == 0) {
			hbase = verify_object_handle(&verify_case_d, objs, 4);
			if (verify_case_d == 0)
				tp = verify_template_count(&verify_case_e, 0, t, counts[0], &n);
			if (verify_case_d == 0 && verify_case_e == 0) {
				verify_case_f = Frama_C_interval(0, 1);
				if (verify_case_f == 0)
					h = verify_session_handle(s);
			}
		}
	}
	rv = C_DeriveKey(h, mp, hbase, tp, n, verify_case_f ? NULL : &hkey);
	verify_done(rv);
	return 0;
}
