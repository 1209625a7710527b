/*
 * C_CreateObject(hSession, pTemplate, ulCount, phObject) with an R/W
 * session on slot 1 holding a data object. Arguments:
 *   pTemplate  one of the templates of templates.h (verify_case_a:
 *              every object kind but RSA keys and certificates,
 *              private/token objects, computed attributes, duplicates);
 *              templates 0 (token data object, last entry CKA_VALUE), 2
 *              (EC private key, last CKA_VALUE: the scalar) and 5 (generic
 *              secret, token, last CKA_VALUE) also with their last entry
 *              malformed by verify_mutate
 *              (verify_case_b: NULL values, short values, lengths
 *              ATTR_MAX_VALUE + 1 / 2^32 / > PTRDIFF_MAX / ULONG_MAX on a
 *              16-byte buffer, a value of ATTR_MAX_VALUE bytes, unknown
 *              contents, unknown types), template 0 also with its first
 *              entry (CKA_CLASS, first in all) malformed;
 *   state      (verify_case_g) nobody logged in; for templates 0, 1, 5
 *              (token, private objects), unchanged, also the user logged
 *              in, the SO logged in, or the call made on an R/O session;
 *   ulCount    for template 0 unchanged, verify_template_count
 *              (verify_case_e: n, NULL/0, NULL/n, 0, 1, ATTR_MAX_TEMPLATE + 1,
 *              ULONG_MAX); other templates are passed whole;
 *   phObject   NULL or a handle (verify_case_d; NULL only with an
 *              unchanged, whole template);
 *   hSession   from verify_session_handle for unchanged whole template 0,
 *              else the session (the handle is resolved before any
 *              argument is read).
 * The backend may refuse every key and fail (stubs/crypto.c); storing a
 * token object may fail; every allocation may fail.
 * Narrowed (time and precision; README.md): no RSA key templates (7, 8:
 * the crypto_rsa_private stub's joined key/result states and imprecise
 * part lengths of imported keys give false alarms) and no certificate (6,
 * not analysed since the harness fixes below); malformed entries only on
 * the last entry of templates 0, 2 and 5 and the first of template 0; counts, NULL phObject
 * and session handles only with template 0; login states and the R/O
 * session only with templates 0, 1, 5 unchanged.
 * Precision (not narrowing): -eva-slevel-function set_defaults:200 keeps
 * its per-rule allocation failures apart from its success (joined, a
 * created object's defaults are "set or not": the record size and the
 * entries in codec_encode_mac become intervals); object_encode:200 the
 * same for the record it returns (else store_object_put gets "NULL or the
 * record" with "0 or its length").
 * VERIFY-SLOW: about 150 s of CPU (148 s alone, idle machine); run with VERIFY_ALL=1 (README.md, Running)
 * VERIFY-OPTIONS: -eva-alloc-builtin fresh -eva-min-loop-unroll 40 -eva-slevel-function set_defaults:200,object_encode:200
 */
#include "templates.h"

int main(void)
{
	CK_ATTRIBUTE t[6], *p;
	CK_SESSION_HANDLE s, ro = 0, h;
	CK_OBJECT_HANDLE out;
	CK_ULONG n, count;
	int mutable;
	CK_RV rv;

	n = verify_template(&verify_case_a, t, 0); /* no RSA keys, no certificate */
	mutable = verify_case_a == 0 || verify_case_a == 2 || verify_case_a == 5;
	verify_case_b = mutable ? Frama_C_interval(0, 1) : 0; /* changed or not */
	s = verify_open_session();
	(void)verify_data_object(s, 0);
	verify_case_g = 0;
	if (!verify_case_b && (verify_case_a <= 1 || verify_case_a == 5))
		verify_case_g = Frama_C_interval(0, 3);
	if (verify_case_g == 1) {
		verify_login(s, CKU_USER);
	} else if (verify_case_g == 2) {
		verify_login(s, CKU_SO);
	} else if (verify_case_g == 3) {
		rv = C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &ro);
		//@ assert setup_open_ro: rv == CKR_OK;
	}
	verify_setup = 0;

	if (verify_case_b) {
		verify_mutate(&verify_case_b, t, n, verify_case_a == 0);
		/* Drawn 0 (unchanged): the case verify_case_b == 0 covers it
		 * from its own setup. Joined with that one, the two setups'
		 * heap blocks (the module lock, the token, the objects) would
		 * each be one of two for EVA (false alarms). */
		if (verify_case_b == 0)
			return 0;
	}
	p = verify_template_count(&verify_case_e,
				  verify_case_b != 0 || verify_case_a != 0 || verify_case_g != 0, t,
				  n, &count);
	verify_case_d = verify_case_b != 0 || verify_case_e != 0 ? 1 : Frama_C_interval(0, 1);
	h = verify_case_g == 3 ? ro : s;
	if (verify_case_a == 0 && verify_case_b == 0 && verify_case_e == 0)
		h = verify_session_handle(h);
	rv = C_CreateObject(h, p, count, verify_case_d ? &out : NULL);
	verify_done(rv);
	return 0;
}
