/*
 * C_GenerateKey(hSession, pMechanism, pTemplate, ulCount, phKey) with an
 * R/W session on slot 1 holding a data object, in three states
 * (verify_case_g): nobody logged in (a private key, private by default,
 * is refused), the user logged in, the user logged in and the call made
 * on an R/O session (a token key is refused). Arguments:
 *   pMechanism  CKM_AES_KEY_GEN or CKM_GENERIC_SECRET_KEY_GEN, no
 *              parameter (verify_case_b); for template 0, nobody logged
 *              in, also verify_mechanism's forms (verify_case_c): those
 *              two, CKM_EC_KEY_PAIR_GEN, CKM_SHA256, a vendor type, each
 *              with 3 parameter forms, or NULL;
 *   pTemplate   (verify_case_a) CKA_VALUE_LEN 16 + CKA_ENCRYPT +
 *              CKA_LABEL (session key); CKA_VALUE_LEN 32 + CKA_TOKEN +
 *              CKA_ID (token key: stored); CKA_VALUE_LEN 20 + CKA_PRIVATE
 *              FALSE + CKA_SENSITIVE FALSE + CKA_EXTRACTABLE (generic:
 *              valid, AES: invalid); CKA_VALUE_LEN 4096 (the generic
 *              maximum, the module's whole stack buffer); CKA_VALUE_LEN 0;
 *              CKA_VALUE_LEN 4097; CKA_VALUE_LEN of length 4 and of NULL
 *              pValue; no CKA_VALUE_LEN (CKA_LABEL only); CKA_VALUE_LEN 24
 *              + CKA_VALUE (material: refused);
 *   malformed   (the user logged in, template 0, CKM_AES_KEY_GEN) its last
 *              entry (CKA_LABEL) made malformed by verify_mutate
 *              (verify_case_h);
 *   counts      (the same, unchanged) verify_template_count (verify_case_e);
 *   phKey       NULL or not (verify_case_f; template 0, the user logged
 *              in, CKM_AES_KEY_GEN);
 *   hSession    verify_session_handle with template 0 and nobody logged in.
 * Narrowed (time): malformed entries, counts and NULL phKey only with
 * template 0 and CKM_AES_KEY_GEN; the CKA_VALUE_LEN entry is first and is
 * not mutated (its malformed forms are templates 4 to 8).
 * Random bytes, every allocation and storing a token key may fail.
 * Slevel of set_defaults, object_encode, codec_encode_mac and
 * token_store_object: their failure states must not be joined with their
 * success when the slevel, shared by every partition, runs out (a created
 * key's values or a token key's record would look unset or of an interval
 * length; README "precision").
 * VERIFY-SLOW: about 190 s of CPU measured on a loaded machine; run with VERIFY_ALL=1 (README.md, Running)
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-min-loop-unroll 40 -eva-slevel-function set_defaults:3000,object_encode:5000,codec_encode_mac:5000,token_store_object:5000
 */
#include <string.h>

#include "setup.h"

#define NTEMPLATES 10

int main(void)
{
	static CK_ULONG l16 = 16, l32 = 32, l20 = 20, l4096 = 4096, l0 = 0, l4097 = 4097, l24 = 24;
	static CK_BYTE value[32] = { 1 };
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static char label[] = "k", id[] = "id";
	static const CK_MECHANISM_TYPE mechs[] = { CKM_AES_KEY_GEN, CKM_GENERIC_SECRET_KEY_GEN,
						   CKM_EC_KEY_PAIR_GEN, CKM_SHA256,
						   CKM_VENDOR_DEFINED | 1 };
	const CK_ATTRIBUTE tmpls[NTEMPLATES][4] = {
		{ { CKA_VALUE_LEN, &l16, sizeof(l16) },
		  { CKA_ENCRYPT, &yes, 1 },
		  { CKA_LABEL, label, 1 } },
		{ { CKA_VALUE_LEN, &l32, sizeof(l32) }, { CKA_TOKEN, &yes, 1 }, { CKA_ID, id, 2 } },
		{ { CKA_VALUE_LEN, &l20, sizeof(l20) },
		  { CKA_PRIVATE, &no, 1 },
		  { CKA_SENSITIVE, &no, 1 },
		  { CKA_EXTRACTABLE, &yes, 1 } },
		{ { CKA_VALUE_LEN, &l4096, sizeof(l4096) } },
		{ { CKA_VALUE_LEN, &l0, sizeof(l0) } },
		{ { CKA_VALUE_LEN, &l4097, sizeof(l4097) } },
		{ { CKA_VALUE_LEN, &l16, 4 } },
		{ { CKA_VALUE_LEN, NULL, sizeof(CK_ULONG) } },
		{ { CKA_LABEL, label, 1 } },
		{ { CKA_VALUE_LEN, &l24, sizeof(l24) }, { CKA_VALUE, value, 24 } },
	};
	static const CK_ULONG counts[NTEMPLATES] = { 3, 3, 4, 1, 1, 1, 1, 1, 1, 2 };
	CK_ATTRIBUTE t[4], *tp;
	CK_MECHANISM m = { 0, NULL, 0 }, *mp;
	CK_SESSION_HANDLE s, ro = 0, h;
	CK_OBJECT_HANDLE hkey;
	CK_ULONG n;
	CK_RV rv;

	s = verify_open_session();
	(void)verify_data_object(s, 0);
	verify_case_g = Frama_C_interval(0, 2);
	if (verify_case_g >= 1)
		verify_login(s, CKU_USER);
	if (verify_case_g == 2) {
		rv = C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &ro);
		//@ assert setup_open_ro: rv == CKR_OK;
	}
	verify_setup = 0;

	verify_case_a = Frama_C_interval(0, NTEMPLATES - 1);
	verify_case_b = Frama_C_interval(0, 1);
	memcpy(t, tmpls[verify_case_a], sizeof(t));
	n = counts[verify_case_a];
	tp = t;
	m.mechanism = verify_case_b ? CKM_GENERIC_SECRET_KEY_GEN : CKM_AES_KEY_GEN;
	mp = &m;
	h = verify_case_g == 2 ? ro : s;

	verify_case_c = verify_case_e = verify_case_f = verify_case_h = 0;
	if (verify_case_a == 0 && verify_case_b == 0 && verify_case_g == 1) {
		verify_mutate(&verify_case_h, t, n, 0);
		if (verify_case_h == 0)
			tp = verify_template_count(&verify_case_e, 0, t, 3, &n);
		if (verify_case_h == 0 && verify_case_e == 0)
			verify_case_f = Frama_C_interval(0, 1);
	}
	if (verify_case_a == 0 && verify_case_b == 0 && verify_case_g == 0) {
		mp = verify_mechanism(&verify_case_c, &m, mechs, 5);
		h = verify_session_handle(s);
	}
	rv = C_GenerateKey(h, mp, tp, n, verify_case_f ? NULL : &hkey);
	verify_done(rv);
	return 0;
}
