/*
 * Creation templates shared by the C_CreateObject and C_CopyObject
 * harnesses: one of VERIFY_TEMPLATES (by *key, a partition key), copied
 * into out (at most 6 entries); returns the count. Without `all`, never
 * 6, 7 or 8 (see C_CreateObject.c).
 *   0 data object, token, label and 16-byte value
 *   1 private token data object (sealed at rest: needs the user)
 *   2 EC P-256 private key, public (CKA_PRIVATE FALSE), 32-byte scalar
 *   3 EC P-256 public key, DER point
 *   4 AES-128 key, public, extractable and not sensitive
 *   5 generic secret, 20 bytes, token (so private by default: needs the user)
 *   6 X.509 certificate, 100 bytes, CKA_TRUSTED TRUE (only the SO may)
 *   7 RSA public key, 1024-bit modulus, e = 65537
 *   8 RSA private key, public, modulus and private exponent only
 *   9 data object with CKA_LABEL twice, the same value
 *  10 data object with CKA_LABEL twice, different values
 *  11 AES key with CKA_VALUE_LEN (computed: not in a creation template)
 *  12 EC private key with CKA_LOCAL (token-computed: read-only)
 */
#ifndef VERIFY_TEMPLATES_H
#define VERIFY_TEMPLATES_H

#include <string.h>

#include "setup.h"

#define VERIFY_TEMPLATES 13

static CK_ULONG verify_template(int *key, CK_ATTRIBUTE out[6], int all)
{
	static CK_OBJECT_CLASS data = CKO_DATA, cert = CKO_CERTIFICATE, pub = CKO_PUBLIC_KEY,
			       priv = CKO_PRIVATE_KEY, secret = CKO_SECRET_KEY;
	static CK_KEY_TYPE ec = CKK_EC, rsa = CKK_RSA, aes = CKK_AES, gen = CKK_GENERIC_SECRET;
	static CK_CERTIFICATE_TYPE x509 = CKC_X_509;
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static CK_ULONG len16 = 16;
	static CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	static CK_BYTE point[67] = { 0x04, 0x41, 0x04, 1 };
	static CK_BYTE value[128] = { 0x80, 1, 2, 3 };
	static CK_BYTE e65537[3] = { 1, 0, 1 };
	static char label[] = "label", other[] = "other";
	const CK_ATTRIBUTE t[VERIFY_TEMPLATES][6] = {
		{ { CKA_CLASS, &data, sizeof(data) },
		  { CKA_TOKEN, &yes, 1 },
		  { CKA_LABEL, label, 5 },
		  { CKA_VALUE, value, 16 } },
		{ { CKA_CLASS, &data, sizeof(data) },
		  { CKA_PRIVATE, &yes, 1 },
		  { CKA_TOKEN, &yes, 1 },
		  { CKA_VALUE, value, 16 } },
		{ { CKA_CLASS, &priv, sizeof(priv) },
		  { CKA_KEY_TYPE, &ec, sizeof(ec) },
		  { CKA_PRIVATE, &no, 1 },
		  { CKA_EC_PARAMS, p256, sizeof(p256) },
		  { CKA_VALUE, value, 32 } },
		{ { CKA_CLASS, &pub, sizeof(pub) },
		  { CKA_KEY_TYPE, &ec, sizeof(ec) },
		  { CKA_EC_PARAMS, p256, sizeof(p256) },
		  { CKA_EC_POINT, point, sizeof(point) } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &aes, sizeof(aes) },
		  { CKA_PRIVATE, &no, 1 },
		  { CKA_SENSITIVE, &no, 1 },
		  { CKA_EXTRACTABLE, &yes, 1 },
		  { CKA_VALUE, value, 16 } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &gen, sizeof(gen) },
		  { CKA_TOKEN, &yes, 1 },
		  { CKA_VALUE, value, 20 } },
		{ { CKA_CLASS, &cert, sizeof(cert) },
		  { CKA_CERTIFICATE_TYPE, &x509, sizeof(x509) },
		  { CKA_TRUSTED, &yes, 1 },
		  { CKA_VALUE, value, 100 } },
		{ { CKA_CLASS, &pub, sizeof(pub) },
		  { CKA_KEY_TYPE, &rsa, sizeof(rsa) },
		  { CKA_MODULUS, value, 128 },
		  { CKA_PUBLIC_EXPONENT, e65537, 3 } },
		{ { CKA_CLASS, &priv, sizeof(priv) },
		  { CKA_KEY_TYPE, &rsa, sizeof(rsa) },
		  { CKA_PRIVATE, &no, 1 },
		  { CKA_MODULUS, value, 128 },
		  { CKA_PRIVATE_EXPONENT, value, 128 } },
		{ { CKA_CLASS, &data, sizeof(data) },
		  { CKA_LABEL, label, 5 },
		  { CKA_LABEL, label, 5 } },
		{ { CKA_CLASS, &data, sizeof(data) },
		  { CKA_LABEL, label, 5 },
		  { CKA_LABEL, other, 5 } },
		{ { CKA_CLASS, &secret, sizeof(secret) },
		  { CKA_KEY_TYPE, &aes, sizeof(aes) },
		  { CKA_VALUE, value, 16 },
		  { CKA_VALUE_LEN, &len16, sizeof(len16) } },
		{ { CKA_CLASS, &priv, sizeof(priv) },
		  { CKA_KEY_TYPE, &ec, sizeof(ec) },
		  { CKA_EC_PARAMS, p256, sizeof(p256) },
		  { CKA_VALUE, value, 32 },
		  { CKA_LOCAL, &yes, 1 } },
	};
	static const CK_ULONG n[VERIFY_TEMPLATES] = { 4, 4, 5, 4, 6, 4, 4, 4, 5, 3, 3, 4, 5 };

	*key = Frama_C_interval(0, VERIFY_TEMPLATES - (all ? 1 : 4));
	if (!all && *key >= 6)
		*key += 3; /* 6 the certificate, 7 and 8 the RSA keys */
	memcpy(out, t[*key], sizeof(t[0]));
	return n[*key];
}

#endif
