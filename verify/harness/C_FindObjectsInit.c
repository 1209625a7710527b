/*
 * C_FindObjectsInit(hSession, pTemplate, ulCount) with the six objects of
 * objects.h, all session objects (see objects.h), in their three login
 * states (verify_case_g), a find already active or not (verify_case_f).
 * Arguments:
 *   pTemplate  one of 7 (verify_case_a): CKA_CLASS (indexed); CKA_LABEL
 *              (indexed); CKA_ID (indexed, no match); CKA_VALUE (not
 *              indexed: every object walked, the AES key's value hidden);
 *              CKA_CLASS + CKA_LABEL + CKA_VALUE; CKA_KEY_TYPE + CKA_SIGN;
 *              CKA_CLASS + CKA_ID + CKA_LABEL (CKA_ID picked). Either
 *              (verify_case_d = 1) unchanged, with the three login states,
 *              a find active or not, counts from verify_template_count
 *              (verify_case_e) and hSession from verify_session_handle; or
 *              (verify_case_d = 0: nobody logged in, no find active, the
 *              open session, the whole count) with its last entry — and
 *              for templates 0 and 4 its first — malformed by
 *              verify_mutate (verify_case_b: a value of ATTR_MAX_VALUE
 *              bytes is hashed whole, longer ones skip the index).
 * Collecting the matches grows a handle array (may fail). Narrowed:
 * token_sync may fail but finds the store unchanged (verify_store_unchanged:
 * a reload may log the user out, destroying objs[5], and EVA joins the
 * object lists with and without it; the reload is proved by
 * C_GetTokenInfo, C_OpenSession, C_Login).
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-min-loop-unroll 40
 */
#include <string.h>

#include "objects.h"

int main(void)
{
	static CK_OBJECT_CLASS data = CKO_DATA, priv = CKO_PRIVATE_KEY;
	static CK_KEY_TYPE ec = CKK_EC;
	static CK_BBOOL yes = CK_TRUE;
	static CK_BYTE value[16] = { 1 };
	static char label[] = "label", id[] = "id";
	const CK_ATTRIBUTE tmpls[7][3] = {
		{ { CKA_CLASS, &data, sizeof(data) } },
		{ { CKA_LABEL, label, 5 } },
		{ { CKA_ID, id, 2 } },
		{ { CKA_VALUE, value, 16 } },
		{ { CKA_CLASS, &data, sizeof(data) },
		  { CKA_LABEL, label, 5 },
		  { CKA_VALUE, value, 16 } },
		{ { CKA_KEY_TYPE, &ec, sizeof(ec) }, { CKA_SIGN, &yes, 1 } },
		{ { CKA_CLASS, &priv, sizeof(priv) }, { CKA_ID, id, 2 }, { CKA_LABEL, label, 5 } },
	};
	static const CK_ULONG ns[7] = { 1, 1, 1, 1, 3, 2, 3 };
	static CK_OBJECT_CLASS find_data = CKO_DATA;
	CK_ATTRIBUTE find = { CKA_CLASS, &find_data, sizeof(find_data) };
	CK_OBJECT_HANDLE objs[VERIFY_OBJECTS];
	CK_ATTRIBUTE t[3], *p;
	CK_SESSION_HANDLE s;
	CK_ULONG count;
	int plain;
	CK_RV rv;

	s = verify_objects(objs, 0, 1);
	verify_case_f = Frama_C_interval(0, 1);
	if (verify_case_f) {
		rv = C_FindObjectsInit(s, &find, 1);
		//@ assert setup_find: rv == CKR_OK;
	}
	verify_setup = 0;
	verify_store_unchanged = 1;

	/* Unchanged, whole template (1) or not (0): the login states and an
	 * active find only with the former. */
	plain = verify_case_g != 0 || verify_case_f ? 1 : Frama_C_interval(0, 1);
	verify_case_d = plain;
	verify_case_a = Frama_C_interval(0, 6);

	memcpy(t, tmpls[verify_case_a], sizeof(t));
	verify_case_b = verify_case_e = 0;
	if (!plain)
		verify_mutate(&verify_case_b, t, ns[verify_case_a],
			      verify_case_a == 0 || verify_case_a == 4);
	p = verify_template_count(&verify_case_e, plain, t, ns[verify_case_a], &count);
	rv = C_FindObjectsInit(plain ? verify_session_handle(s) : s, p, count);
	verify_done(rv);
	return 0;
}
