/*
 * The keys of the mac_init and mac_sign harnesses, made in setup by
 * C_CreateObject on an R/W session on slot 1 (returned): keys[0] a 32-byte
 * generic secret key, keys[1] a 16-byte AES key, both public with CKA_SIGN
 * and CKA_VERIFY TRUE.
 */
#ifndef VERIFY_MAC_COMMON_H
#define VERIFY_MAC_COMMON_H

#include "setup.h"

static CK_OBJECT_HANDLE mac_key(CK_SESSION_HANDLE s, CK_KEY_TYPE *type, CK_BYTE *value,
				CK_ULONG len)
{
	static CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
	static CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &secret, sizeof(secret) }, { CKA_KEY_TYPE, type, sizeof(*type) },
		{ CKA_PRIVATE, &no, sizeof(no) },       { CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_VERIFY, &yes, sizeof(yes) },      { CKA_VALUE, value, len },
	};

	return verify_create(s, tmpl, 6);
}

static CK_SESSION_HANDLE mac_setup(CK_OBJECT_HANDLE keys[2])
{
	static CK_KEY_TYPE generic = CKK_GENERIC_SECRET, aes = CKK_AES;
	static CK_BYTE v32[32] = { 1 }, v16[16] = { 2 };
	CK_SESSION_HANDLE s = verify_open_session();

	keys[0] = mac_key(s, &generic, v32, sizeof(v32));
	keys[1] = mac_key(s, &aes, v16, sizeof(v16));
	return s;
}

#endif
