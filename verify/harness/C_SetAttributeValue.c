/*
 * C_SetAttributeValue(hSession, hObject, pTemplate, ulCount) with the six
 * objects of objects.h and their three login states (verify_case_g).
 * Four kinds of case (verify_case_d):
 *   0  each of the six objects (verify_case_c) with each of 12 change
 *      templates (verify_case_a): CKA_LABEL; CKA_VALUE (modifiable on data,
 *      not on keys); CKA_SENSITIVE FALSE (one-way); CKA_EXTRACTABLE TRUE
 *      (one-way); CKA_CLASS (read-only); CKA_TRUSTED TRUE (SO only);
 *      CKA_TOKEN TRUE and CKA_MODIFIABLE FALSE (copy-only); CKA_ID +
 *      CKA_START_DATE + CKA_LABEL; a malformed date; CKA_COPYABLE +
 *      CKA_DESTROYABLE FALSE; CKA_SIGN FALSE + CKA_DERIVE TRUE. With
 *      templates 0 and 5, in the three login states (verify_case_g), else
 *      nobody logged in;
 *   1  the 3-entry template (8) with its first or last entry malformed by
 *      verify_mutate (verify_case_b), on the session data object or the
 *      token data object (stored: re-encoded);
 *   2  CKA_LABEL on the session data object with the other counts of
 *      verify_template_count (verify_case_e);
 *   3  CKA_LABEL with each invalid object handle of verify_object_handle
 *      and each session handle of verify_session_handle.
 * A token object is re-encoded and stored (may fail); every allocation
 * may fail. Narrowed (time; README.md): the combinations above only (not
 * every template with every malformation, object, count and login state).
 * Narrowed (precision): template 8 is CKA_ID + CKA_START_DATE + CKA_LABEL
 * in that order, so the only entry whose old value is a non-empty block
 * (the label) is last: with the label first and made longer by
 * verify_mutate, "label replaced, a later entry's allocation failed" and
 * "the label's own allocation failed" both return CKR_HOST_MEMORY from
 * object_apply and EVA joins them (value: old or new block, len: old or
 * new length): a false wipe past the old block in object_free. A
 * length-changing entry followed by a failing one is therefore not
 * covered. Precision (not narrowing): -eva-slevel-function
 * object_clone:200 (the clone's per-value allocation failures joined
 * with its success: values "copied or not"; with it the read of
 * v->value[0] in object_apply seen before is gone), object_encode:200 (the stored record),
 * C_SetAttributeValue:200 (its failure paths meet at object_free).
 * VERIFY-SLOW: about 230 s of CPU measured on a loaded machine; run with VERIFY_ALL=1 (README.md, Running)
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-min-loop-unroll 40 -eva-slevel-function object_clone:200,object_encode:200,C_SetAttributeValue:200
 */
#include "objects.h"

int main(void)
{
	static CK_OBJECT_CLASS data = CKO_DATA;
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static CK_BYTE value[16] = { 9 };
	static char label[] = "other", date[] = "20240101", bad_date[] = "2024abcd";
	const CK_ATTRIBUTE tmpls[12][3] = {
		{ { CKA_LABEL, label, 5 } },
		{ { CKA_VALUE, value, 16 } },
		{ { CKA_SENSITIVE, &no, 1 } },
		{ { CKA_EXTRACTABLE, &yes, 1 } },
		{ { CKA_CLASS, &data, sizeof(data) } },
		{ { CKA_TRUSTED, &yes, 1 } },
		{ { CKA_TOKEN, &yes, 1 } },
		{ { CKA_MODIFIABLE, &no, 1 } },
		{ { CKA_ID, value, 4 }, { CKA_START_DATE, date, 8 }, { CKA_LABEL, label, 5 } },
		{ { CKA_START_DATE, bad_date, 8 } },
		{ { CKA_COPYABLE, &no, 1 }, { CKA_DESTROYABLE, &no, 1 } },
		{ { CKA_SIGN, &no, 1 }, { CKA_DERIVE, &yes, 1 } },
	};
	static const CK_ULONG ns[12] = { 1, 1, 1, 1, 1, 1, 1, 1, 3, 1, 2, 2 };
	/* The kinds of objects.h (verify_case_d): logged in, templates 0 and
	 * 5; malformed, template 8; other counts and invalid handles,
	 * template 0. */
	const verify_object_cases cases = { tmpls, ns, 12, 8, 0, { 0, 5 }, &verify_case_d };
	CK_OBJECT_HANDLE objs[VERIFY_OBJECTS], h;
	CK_ATTRIBUTE t[3], *p;
	CK_SESSION_HANDLE s;
	CK_ULONG count;
	CK_RV rv;

	s = verify_objects(objs, 1, 1);
	verify_setup = 0;
	h = verify_object_case(&cases, objs, t, &p, &count);
	rv = C_SetAttributeValue(verify_case_d == 3 ? verify_session_handle(s) : s, h, p, count);
	verify_done(rv);
	return 0;
}
