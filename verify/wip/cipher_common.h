/*
 * Shared by the cipher_init and cipher_crypt harnesses: an R/W session on
 * slot 1 with two AES secret keys (CKK_AES, CKA_ENCRYPT and CKA_DECRYPT
 * TRUE, public: no login needed) of 16 and 32 bytes, made by
 * C_CreateObject.
 */
#ifndef VERIFY_CIPHER_COMMON_H
#define VERIFY_CIPHER_COMMON_H

#include "setup.h"

static CK_OBJECT_HANDLE cipher_aes_key(CK_SESSION_HANDLE s, CK_BYTE *value, CK_ULONG len)
{
	static CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
	static CK_KEY_TYPE aes = CKK_AES;
	static CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &secret, sizeof(secret) }, { CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_PRIVATE, &no, sizeof(no) },       { CKA_ENCRYPT, &yes, sizeof(yes) },
		{ CKA_DECRYPT, &yes, sizeof(yes) },     { CKA_VALUE, value, len },
	};

	return verify_create(s, tmpl, 6);
}

static CK_SESSION_HANDLE cipher_setup(CK_OBJECT_HANDLE keys[2])
{
	static CK_BYTE v16[16] = { 1 }, v32[32] = { 2 };
	CK_SESSION_HANDLE s = verify_open_session();

	keys[0] = cipher_aes_key(s, v16, sizeof(v16));
	keys[1] = cipher_aes_key(s, v32, sizeof(v32));
	return s;
}

#endif
