/*
 * C_DigestKey(hSession, hKey) on the session of verify_digest_state (no
 * digest, a single-part, multi-part or restarted one; SHA-1/256/512)
 * holding an AES key (not sensitive, extractable: its value is
 * digested), a sensitive
 * AES key, an EC private key and a data object, with hSession from
 * verify_session_handle and hKey each of them or an invalid handle
 * (verify_object_handle).
 */
#include "setup.h"

int main(void)
{
	static CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
	static CK_KEY_TYPE aes = CKK_AES;
	static CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	static CK_BYTE value[32] = { 1, 2, 3 };
	CK_ATTRIBUTE plain[] = {
		{ CKA_CLASS, &secret, sizeof(secret) }, { CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_PRIVATE, &no, sizeof(no) },       { CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) }, { CKA_VALUE, value, sizeof(value) },
	};
	CK_ATTRIBUTE sensitive[] = {
		{ CKA_CLASS, &secret, sizeof(secret) }, { CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_PRIVATE, &no, sizeof(no) },       { CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_VALUE, value, sizeof(value) },
	};
	CK_OBJECT_HANDLE objs[4], h;
	CK_SESSION_HANDLE s;
	CK_ULONG hashlen;
	CK_RV rv;

	s = verify_open_session();
	objs[0] = verify_create(s, plain, 6);
	objs[1] = verify_create(s, sensitive, 5);
	objs[2] = verify_ec_private_key(s);
	objs[3] = verify_data_object(s, 0);
	verify_digest_state(s, &hashlen);
	verify_setup = 0;

	h = verify_object_handle(&verify_case_c, objs, 4);
	rv = C_DigestKey(verify_session_handle(s), h);
	verify_done(rv);
	return 0;
}
