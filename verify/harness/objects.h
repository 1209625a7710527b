/*
 * The objects of the C_SetAttributeValue, C_CopyObject and
 * C_FindObjectsInit harnesses, made in setup on an R/W session on slot 1:
 *   objs[0] session data object (label "label", 16-byte value)
 *   objs[1] AES-128 key, public, sensitive (the default)
 *   objs[2] EC P-256 private key, public
 *   objs[3] token data object (a session one when !token)
 *   objs[4] session data object, CKA_MODIFIABLE, CKA_COPYABLE and
 *           CKA_DESTROYABLE FALSE
 *   objs[5] private token data object (sealed), made with the user
 *           logged in (a private session object when !token: destroyed at
 *           the logout)
 * Without `token` there is no token object: for the harnesses whose call
 * may reload the token (token_sync), since the reload destroys the token
 * objects the store no longer has (here: all), and EVA joins the states
 * with and without them, a list whose members may be freed (false
 * alarms; the reload itself is proved by C_GetTokenInfo/C_OpenSession/
 * C_Login).
 * and then, by verify_case_g (with `states`; else 0): 0 nobody logged in
 * (the user logged out: objs[5]'s handle is stale), 1 the user logged in,
 * 2 the SO logged in (the user logged out first).
 */
#ifndef VERIFY_OBJECTS_H
#define VERIFY_OBJECTS_H

#include <string.h>

#include "setup.h"

#define VERIFY_OBJECTS 6

static CK_SESSION_HANDLE verify_objects(CK_OBJECT_HANDLE objs[VERIFY_OBJECTS], int token,
					int states)
{
	static CK_OBJECT_CLASS data = CKO_DATA;
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static CK_BYTE value[16] = { 1 };
	CK_ATTRIBUTE fixed[] = {
		{ CKA_CLASS, &data, sizeof(data) },
		{ CKA_MODIFIABLE, &no, 1 },
		{ CKA_COPYABLE, &no, 1 },
		{ CKA_DESTROYABLE, &no, 1 },
	};
	CK_ATTRIBUTE priv[] = {
		{ CKA_CLASS, &data, sizeof(data) },
		{ CKA_PRIVATE, &yes, 1 },
		{ CKA_TOKEN, token ? &yes : &no, 1 },
		{ CKA_VALUE, value, sizeof(value) },
	};
	CK_SESSION_HANDLE s = verify_open_session();
	CK_RV rv;

	objs[0] = verify_data_object(s, 0);
	objs[1] = verify_aes_key(s);
	objs[2] = verify_ec_private_key(s);
	objs[3] = verify_data_object(s, token);
	objs[4] = verify_create(s, fixed, 4);
	verify_login(s, CKU_USER);
	objs[5] = verify_create(s, priv, 4);
	verify_case_g = states ? Frama_C_interval(0, 2) : 0;
	if (verify_case_g != 1) {
		rv = C_Logout(s);
		//@ assert setup_logout: rv == CKR_OK;
	}
	if (verify_case_g == 2)
		verify_login(s, CKU_SO);
	return s;
}

/*
 * The four kinds of case of the C_CopyObject and C_SetAttributeValue
 * harnesses, on the objects above made with verify_objects(objs, 1, 1):
 *   0  each of the n templates (verify_case_a) on each of the six objects
 *      (verify_case_c); with somebody logged in (verify_case_g != 0) this
 *      kind only, with the templates login[0] and login[1];
 *   1  the 3-entry template `multi` with its first or last entry malformed
 *      by verify_mutate (verify_case_b), on objs[0] (session data) or
 *      objs[3] (token data: stored);
 *   2  the template `one` on objs[0] with the other counts of
 *      verify_template_count (verify_case_e);
 *   3  the template `one` with each invalid object handle of
 *      verify_object_handle (verify_case_c).
 * The kind goes to *kind (the harness's partition key), a copy of the
 * template to t; the object handle is returned, the template and count to
 * pass in *p and *count.
 */
typedef struct verify_object_cases {
	const CK_ATTRIBUTE (*tmpls)[3];
	const CK_ULONG *ns;
	int n, multi, one, login[2];
	int *kind;
} verify_object_cases;

static CK_OBJECT_HANDLE verify_object_case(const verify_object_cases *c,
					   const CK_OBJECT_HANDLE objs[VERIFY_OBJECTS],
					   CK_ATTRIBUTE t[3], CK_ATTRIBUTE **p, CK_ULONG *count)
{
	CK_OBJECT_HANDLE h = 0;
	int kind;

	if (verify_case_g != 0) {
		kind = 0;
		verify_case_a = Frama_C_interval(0, 1) ? c->login[1] : c->login[0];
	} else {
		kind = Frama_C_interval(0, 3);
		verify_case_a = kind == 0   ? Frama_C_interval(0, c->n - 1)
				: kind == 1 ? c->multi
					    : c->one;
	}
	*c->kind = kind;
	memcpy(t, c->tmpls[verify_case_a], 3 * sizeof(*t));
	verify_case_b = verify_case_e = 0;
	if (kind == 0) {
		verify_case_c = Frama_C_interval(0, VERIFY_OBJECTS - 1);
		h = objs[verify_case_c];
	} else if (kind == 1) {
		verify_case_c = Frama_C_interval(0, 1) ? 3 : 0;
		h = objs[verify_case_c];
		verify_mutate(&verify_case_b, t, c->ns[verify_case_a], 1);
	} else if (kind == 2) {
		h = objs[0];
	} else {
		h = verify_object_handle(&verify_case_c, objs, 1);
	}
	*p = verify_template_count(&verify_case_e, kind != 2, t, c->ns[verify_case_a], count);
	return h;
}

#endif
