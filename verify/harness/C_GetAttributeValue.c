/*
 * C_GetAttributeValue(hSession, hObject, pTemplate, ulCount) with an R/W
 * session on slot 1 holding three objects made by C_CreateObject: a data
 * object (16-byte CKA_VALUE), an AES key (sensitive: its CKA_VALUE is
 * hidden) and a token data object (stored through object_encode and the
 * record codec). Arguments:
 *   hSession   the open session, 0, a stale generation of it, or any value;
 *   hObject    one of the three objects or an invalid handle
 *              (verify_object_handle);
 *   pTemplate  NULL or an array of 1 entry; ulCount 0, 1, 257
 *              (ATTR_MAX_TEMPLATE + 1) or ULONG_MAX (with a 1-entry array
 *              a module reading any entry of a template it must refuse is
 *              an alarm);
 *   the entry  type: one the objects have (CKA_CLASS, CKA_LABEL, CKA_VALUE,
 *              CKA_VALUE_LEN, CKA_SENSITIVE), one they lack (CKA_MODULUS),
 *              CKA_VENDOR_DEFINED | 1, ULONG_MAX (not "any value": see
 *              README.md, precision); (pValue, ulValueLen) from
 *              verify_len_buffer around 16.
 */
#include <limits.h>

#include "core/attr.h"
#include "setup.h"

int main(void)
{
	static CK_OBJECT_CLASS data = CKO_DATA, secret = CKO_SECRET_KEY;
	static CK_KEY_TYPE aes = CKK_AES;
	static CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	static CK_BYTE value[16] = { 1, 2, 3 };
	static char label[] = "label";
	CK_ATTRIBUTE data_tmpl[] = {
		{ CKA_CLASS, &data, sizeof(data) },
		{ CKA_LABEL, label, sizeof(label) - 1 },
		{ CKA_VALUE, value, sizeof(value) },
	};
	CK_ATTRIBUTE key_tmpl[] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
		{ CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_VALUE, value, sizeof(value) },
	};
	CK_ATTRIBUTE token_tmpl[] = {
		{ CKA_CLASS, &data, sizeof(data) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VALUE, value, 5 },
	};
	static const CK_ULONG counts[] = { 0, 1, ATTR_MAX_TEMPLATE + 1, ULONG_MAX };
	static const CK_ATTRIBUTE_TYPE types[] = {
		CKA_CLASS,
		CKA_LABEL,
		CKA_VALUE,
		CKA_VALUE_LEN,
		CKA_SENSITIVE,
		CKA_MODULUS,
		CKA_VENDOR_DEFINED | 1,
		ULONG_MAX,
	};
	CK_OBJECT_HANDLE objs[3], hobj;
	CK_SESSION_HANDLE s;
	CK_ATTRIBUTE entry;
	CK_RV rv;

	s = verify_open_session();
	objs[0] = verify_create(s, data_tmpl, 3);
	objs[1] = verify_create(s, key_tmpl, 4);
	objs[2] = verify_create(s, token_tmpl, 3);
	verify_setup = 0;

	verify_len_buffer(&verify_case_a, 16, 1, 0, &entry.ulValueLen, &entry.pValue);
	verify_case_b = Frama_C_interval(0, (int)(sizeof(types) / sizeof(types[0])) - 1);
	entry.type = types[verify_case_b];
	hobj = verify_object_handle(&verify_case_c, objs, 3);
	verify_case_d = Frama_C_interval(0, 3);
	verify_case_e = Frama_C_interval(0, 1);
	rv = C_GetAttributeValue(verify_session_handle(s), hobj, verify_case_e ? &entry : NULL,
				 counts[verify_case_d]);
	verify_done(rv);
	return 0;
}
