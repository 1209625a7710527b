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

#endif
