/*
 * iot_prov_generate: a key pair made in the token, never outside it, and
 * the CSR for it. The CKA_ID (SHA-1 of the public key) can only be known
 * once the key exists, so it is set on both keys right after generation.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "prov.h"

/* CKA_EC_PARAMS: the DER OIDs of the named curves (RFC 5480 2.1.1.1). */
static const unsigned char oid_p256[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
static const unsigned char oid_p384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const unsigned char oid_p521[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };

static const struct {
	iot_prov_keytype type;
	const unsigned char *oid; /* NULL: RSA */
	size_t oid_len;
	CK_ULONG bits;
} kinds[] = {
	{ IOT_PROV_EC_P256, oid_p256, sizeof(oid_p256), 0 },
	{ IOT_PROV_EC_P384, oid_p384, sizeof(oid_p384), 0 },
	{ IOT_PROV_EC_P521, oid_p521, sizeof(oid_p521), 0 },
	{ IOT_PROV_RSA_2048, NULL, 0, 2048 },
	{ IOT_PROV_RSA_3072, NULL, 0, 3072 },
	{ IOT_PROV_RSA_4096, NULL, 0, 4096 },
};

static CK_RV generate(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, size_t k, const char *label,
		      CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static CK_BYTE f4[] = { 0x01, 0x00, 0x01 };
	CK_MECHANISM mech = { kinds[k].oid ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, NULL,
			      0 };
	CK_ULONG bits = kinds[k].bits;
	CK_ULONG label_len = (CK_ULONG)strlen(label);
	CK_ATTRIBUTE pt[6] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_LABEL, (void *)label, label_len },
	};
	/* Sensitive, not extractable, signing only: the key is an identity
	 * and must not be copied off the device. */
	CK_ATTRIBUTE st[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },     { CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) }, { CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_SIGN, &yes, sizeof(yes) },      { CKA_LABEL, (void *)label, label_len },
	};
	CK_ULONG npt = 4;

	if (kinds[k].oid != NULL) {
		pt[npt++] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, (void *)kinds[k].oid,
					    (CK_ULONG)kinds[k].oid_len };
	} else {
		pt[npt++] = (CK_ATTRIBUTE){ CKA_MODULUS_BITS, &bits, sizeof(bits) };
		pt[npt++] = (CK_ATTRIBUTE){ CKA_PUBLIC_EXPONENT, f4, sizeof(f4) };
	}
	return p11->C_GenerateKeyPair(s, &mech, pt, npt, st, sizeof(st) / sizeof(st[0]), pub, priv);
}

static CK_RV set_id(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub,
		    CK_OBJECT_HANDLE priv)
{
	unsigned char id[PROV_ID_LEN];
	CK_ATTRIBUTE a = { CKA_ID, id, sizeof(id) };
	EVP_PKEY *pkey = NULL;
	CK_RV rv;

	rv = prov_token_pubkey(p11, s, priv, &pkey);
	if (rv == CKR_OK)
		rv = prov_key_id(pkey, id);
	EVP_PKEY_free(pkey);
	if (rv == CKR_OK)
		rv = p11->C_SetAttributeValue(s, priv, &a, 1);
	if (rv == CKR_OK)
		rv = p11->C_SetAttributeValue(s, pub, &a, 1);
	return rv;
}

CK_RV iot_prov_generate(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, iot_prov_keytype type,
			const iot_prov_labels *labels, const char *subject, unsigned char **csr_der,
			size_t *csr_len)
{
	CK_OBJECT_HANDLE objs[2] = { CK_INVALID_HANDLE, CK_INVALID_HANDLE };
	X509_NAME *name = NULL;
	size_t k;
	CK_RV rv;

	if (csr_der != NULL)
		*csr_der = NULL;
	if (csr_len != NULL)
		*csr_len = 0;
	if (p11 == NULL || labels == NULL || labels->key_label == NULL || subject == NULL ||
	    csr_der == NULL || csr_len == NULL)
		return CKR_ARGUMENTS_BAD;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (kinds[k].type == type)
			break;
	}
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return CKR_ARGUMENTS_BAD;
	/* A subject we cannot use must not leave a key behind: check it
	 * before generating. */
	rv = prov_parse_subject(subject, &name);
	X509_NAME_free(name);
	if (rv != CKR_OK)
		return rv;
	rv = generate(p11, session, k, labels->key_label, &objs[1], &objs[0]);
	if (rv != CKR_OK)
		return rv;
	rv = set_id(p11, session, objs[1], objs[0]);
	if (rv == CKR_OK)
		rv = prov_make_csr(p11, session, objs[0], subject, csr_der, csr_len);
	if (rv != CKR_OK)
		prov_destroy(p11, session, objs, 2);
	return rv;
}
