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
#include <string.h>

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
	CK_OBJECT_HANDLE objs[VERIFY_OBJECTS], h, out;
	CK_ATTRIBUTE t[3], *p;
	CK_SESSION_HANDLE s;
	CK_ULONG count;
	int kind;
	CK_RV rv;

	/* The kind of case (verify_case_f): 0 an unchanged template on a
	 * valid object; 1 template 8 with a malformed entry on objs[0] or
	 * objs[3]; 2 template 3 on objs[0] with the other counts and NULL
	 * phNewObject; 3 template 3 with an invalid object or session handle.
	 * Login states only for kind 0 with templates 2 and 7. */
	s = verify_objects(objs, 1, 1);
	verify_setup = 0;
	if (verify_case_g != 0) {
		kind = 0;
		verify_case_a = Frama_C_interval(0, 1) ? 7 : 2;
	} else {
		kind = Frama_C_interval(0, 3);
		verify_case_a = kind == 0 ? Frama_C_interval(0, 8) : kind == 1 ? 8 : 3;
	}
	verify_case_f = kind;

	memcpy(t, tmpls[verify_case_a], sizeof(t));
	verify_case_b = verify_case_e = 0;
	h = 0;
	if (kind == 0) {
		verify_case_c = Frama_C_interval(0, VERIFY_OBJECTS - 1);
		h = objs[verify_case_c];
	} else if (kind == 1) {
		verify_case_c = Frama_C_interval(0, 1) ? 3 : 0;
		h = objs[verify_case_c];
		verify_mutate(&verify_case_b, t, ns[verify_case_a], 1);
	} else if (kind == 2) {
		h = objs[0];
	} else {
		h = verify_object_handle(&verify_case_c, objs, 1);
	}
	p = verify_template_count(&verify_case_e, kind != 2, t, ns[verify_case_a], &count);
	verify_case_d = kind == 2 && verify_case_e == 0 ? Frama_C_interval(0, 1) : 1;
	rv = C_CopyObject(kind == 3 ? verify_session_handle(s) : s, h, p, count,
			  verify_case_d ? &out : NULL);
	verify_done(rv);
	return 0;
}
