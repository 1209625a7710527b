/*
 * C_CopyObject(hSession, hObject, pTemplate, ulCount, phNewObject) with
 * the six objects of objects.h. Four kinds of case (verify_case_f):
 *   0  each of the six objects (verify_case_c) with each of 9 templates
 *      (verify_case_a): none (count 0); CKA_TOKEN TRUE (a token copy:
 *      stored); CKA_PRIVATE TRUE (sealed: needs the user); CKA_LABEL;
 *      CKA_CLASS (read-only); CKA_MODIFIABLE FALSE; CKA_SENSITIVE FALSE
 *      (one-way); CKA_TRUSTED TRUE (SO only); CKA_TOKEN TRUE + CKA_PRIVATE
 *      FALSE + CKA_LABEL. With templates 2 and 7, in the three login
 *      states (verify_case_g), else nobody logged in;
 *   1  the 3-entry template (8) with its first or last entry malformed by
 *      verify_mutate (verify_case_b), on the session data object or the
 *      token data object;
 *   2  CKA_LABEL on the session data object with the other counts of
 *      verify_template_count (verify_case_e), and phNewObject NULL
 *      (verify_case_d);
 *   3  CKA_LABEL with each invalid object handle of verify_object_handle
 *      and each session handle of verify_session_handle.
 * Storing a token copy may fail; every allocation may fail.
 * Narrowed (time; README.md): the combinations above only.
 * Precision (not narrowing): -eva-slevel-function object_clone:200 keeps
 * the clone's per-value allocation failures apart from its success
 * (joined, the copy's values are "copied or not": length 0 or n, NULL or
 * the block); object_encode:200 the same for the record a token copy is
 * stored as. Slow: 828 s wall at load 6 (about 450 s CPU).
 * VERIFY-SLOW: about 450 s of CPU measured on a loaded machine; run with VERIFY_ALL=1 (README.md, Running)
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-min-loop-unroll 40 -eva-slevel-function object_clone:200,object_encode:200
 */
#include "objects.h"

int main(void)
{
	static CK_OBJECT_CLASS data = CKO_DATA;
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static char label[] = "copy";
	const CK_ATTRIBUTE tmpls[9][3] = {
		{ { CKA_LABEL, label, 4 } },
		{ { CKA_TOKEN, &yes, 1 } },
		{ { CKA_PRIVATE, &yes, 1 } },
		{ { CKA_LABEL, label, 4 } },
		{ { CKA_CLASS, &data, sizeof(data) } },
		{ { CKA_MODIFIABLE, &no, 1 } },
		{ { CKA_SENSITIVE, &no, 1 } },
		{ { CKA_TRUSTED, &yes, 1 } },
		{ { CKA_TOKEN, &yes, 1 }, { CKA_PRIVATE, &no, 1 }, { CKA_LABEL, label, 4 } },
	};
	static const CK_ULONG ns[9] = { 0, 1, 1, 1, 1, 1, 1, 1, 3 };
	/* The kinds of objects.h (verify_case_f): logged in, templates 2 and
	 * 7; malformed, template 8; other counts and invalid handles,
	 * template 3. */
	const verify_object_cases cases = { tmpls, ns, 9, 8, 3, { 2, 7 }, &verify_case_f };
	CK_OBJECT_HANDLE objs[VERIFY_OBJECTS], h, out;
	CK_ATTRIBUTE t[3], *p;
	CK_SESSION_HANDLE s;
	CK_ULONG count;
	CK_RV rv;

	s = verify_objects(objs, 1, 1);
	verify_setup = 0;
	h = verify_object_case(&cases, objs, t, &p, &count);
	/* phNewObject NULL (verify_case_d 0) with kind 2's full template. */
	verify_case_d = verify_case_f == 2 && verify_case_e == 0 ? Frama_C_interval(0, 1) : 1;
	rv = C_CopyObject(verify_case_f == 3 ? verify_session_handle(s) : s, h, p, count,
			  verify_case_d ? &out : NULL);
	verify_done(rv);
	return 0;
}
