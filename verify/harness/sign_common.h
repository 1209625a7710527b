/*
 * Shared by the C_SignInit and C_Sign harnesses: an R/W session on slot 1
 * with an EC P-256 private key object (public: no login needed) and a data
 * object, both made by C_CreateObject.
 */
#ifndef VERIFY_SIGN_COMMON_H
#define VERIFY_SIGN_COMMON_H

#include "setup.h"

static CK_SESSION_HANDLE sign_setup(CK_OBJECT_HANDLE *key, CK_OBJECT_HANDLE *other)
{
	static CK_OBJECT_CLASS priv = CKO_PRIVATE_KEY, data = CKO_DATA;
	static CK_KEY_TYPE ec = CKK_EC;
	static CK_BBOOL no = CK_FALSE;
	static CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	static CK_BYTE scalar[32] = { 1 };
	CK_ATTRIBUTE key_tmpl[] = {
		{ CKA_CLASS, &priv, sizeof(priv) },    { CKA_KEY_TYPE, &ec, sizeof(ec) },
		{ CKA_PRIVATE, &no, sizeof(no) },      { CKA_EC_PARAMS, p256, sizeof(p256) },
		{ CKA_VALUE, scalar, sizeof(scalar) },
	};
	CK_ATTRIBUTE data_tmpl[] = {
		{ CKA_CLASS, &data, sizeof(data) },
	};
	CK_SESSION_HANDLE s = verify_open_session();

	*key = verify_create(s, key_tmpl, 5);
	*other = verify_create(s, data_tmpl, 1);
	return s;
}

#endif
