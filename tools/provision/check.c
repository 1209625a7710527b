/*
 * Reading back the certificate, and whether the token holds a complete
 * identity: the private key, and a certificate with its CKA_ID whose public
 * key is the key's.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "prov.h"

#define MAX_CERTS 16

CK_RV iot_prov_read_cert(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, const char *label,
			 unsigned char **der, size_t *der_len)
{
	CK_OBJECT_HANDLE cert;
	unsigned char *val = NULL;
	CK_ULONG len = 0;
	CK_RV rv;

	if (der != NULL)
		*der = NULL;
	if (der_len != NULL)
		*der_len = 0;
	if (p11 == NULL || label == NULL || der == NULL || der_len == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = prov_find_label(p11, session, CKO_CERTIFICATE, label, &cert);
	if (rv == CKR_OK)
		rv = prov_get_attr(p11, session, cert, CKA_VALUE, &val, &len);
	if (rv != CKR_OK)
		return rv;
	*der = val;
	*der_len = len;
	return CKR_OK;
}

/* Whether the certificate object's public key is pub. */
static CK_RV cert_matches(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj,
			  const EVP_PKEY *pub, int *match)
{
	unsigned char *der = NULL;
	CK_ULONG len = 0;
	const unsigned char *p;
	X509 *x509;
	CK_RV rv;

	*match = 0;
	rv = prov_get_attr(p11, s, obj, CKA_VALUE, &der, &len);
	if (rv != CKR_OK)
		return rv;
	p = der;
	x509 = d2i_X509(NULL, &p, (long)len);
	/* An unparsable certificate is one that does not match. */
	*match = x509 != NULL && EVP_PKEY_eq(X509_get0_pubkey(x509), pub) == 1;
	X509_free(x509);
	free(der);
	ERR_clear_error();
	return CKR_OK;
}

static int handle_in(CK_OBJECT_HANDLE h, const CK_OBJECT_HANDLE *list, CK_ULONG n)
{
	CK_ULONG i;

	for (i = 0; i < n; i++) {
		if (list[i] == h)
			return 1;
	}
	return 0;
}

CK_RV iot_prov_check(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, const char *key_label)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_OBJECT_HANDLE key, by_id[MAX_CERTS], by_label[MAX_CERTS];
	unsigned char *id = NULL;
	CK_ULONG id_len = 0, n_id = 0, n_label = 0, candidates, i;
	EVP_PKEY *pub = NULL;
	CK_ATTRIBUTE t[2] = { { CKA_CLASS, &cls, sizeof(cls) } };
	int match = 0;
	CK_RV rv;

	if (p11 == NULL || key_label == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = prov_find_label(p11, session, CKO_PRIVATE_KEY, key_label, &key);
	if (rv == CKR_OK)
		rv = prov_get_attr(p11, session, key, CKA_ID, &id, &id_len);
	if (rv == CKR_OK)
		rv = prov_token_pubkey(p11, session, key, &pub);
	if (rv != CKR_OK)
		goto end;
	/* Certificates with the key's CKA_ID are candidates... */
	t[1] = (CK_ATTRIBUTE){ CKA_ID, id, id_len };
	rv = prov_find(p11, session, t, 2, by_id, MAX_CERTS, &n_id);
	for (i = 0; rv == CKR_OK && i < n_id && !match; i++)
		rv = cert_matches(p11, session, by_id[i], pub, &match);
	if (rv != CKR_OK || match)
		goto end;
	/* ...and one under the key's label with another id or public key is a
	 * wrong certificate, not a missing one. */
	t[1] = (CK_ATTRIBUTE){ CKA_LABEL, (void *)key_label, (CK_ULONG)strlen(key_label) };
	rv = prov_find(p11, session, t, 2, by_label, MAX_CERTS, &n_label);
	if (rv != CKR_OK)
		goto end;
	candidates = n_id;
	for (i = 0; i < n_label; i++) {
		if (!handle_in(by_label[i], by_id, n_id))
			candidates++;
	}
	rv = candidates == 0 ? CKR_OBJECT_HANDLE_INVALID : CKR_TEMPLATE_INCONSISTENT;
end:
	EVP_PKEY_free(pub);
	free(id);
	return rv;
}
