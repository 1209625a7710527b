/*
 * Finding objects and reading their attributes through the PKCS#11 API.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "prov.h"

CK_RV prov_find(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl, CK_ULONG n,
		CK_OBJECT_HANDLE *out, CK_ULONG max, CK_ULONG *found)
{
	CK_ULONG got = 0;
	CK_RV rv, frv;

	*found = 0;
	rv = p11->C_FindObjectsInit(s, tmpl, n);
	if (rv != CKR_OK)
		return rv;
	/* One call asks for all we can take; a token may hand them out in
	 * smaller batches, so keep asking until it returns none. */
	while (*found < max) {
		rv = p11->C_FindObjects(s, out + *found, max - *found, &got);
		if (rv != CKR_OK || got == 0)
			break;
		if (got > max - *found) {
			rv = CKR_GENERAL_ERROR;
			break;
		}
		*found += got;
	}
	/* The search must be closed whatever happened, or the session stays
	 * blocked for every other operation. */
	frv = p11->C_FindObjectsFinal(s);
	return rv != CKR_OK ? rv : frv;
}

CK_RV prov_find_label(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls,
		      const char *label, CK_OBJECT_HANDLE *out)
{
	CK_ATTRIBUTE t[2] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)label, (CK_ULONG)strlen(label) },
	};
	CK_ULONG n = 0;
	CK_RV rv;

	rv = prov_find(p11, s, t, 2, out, 1, &n);
	if (rv == CKR_OK && n == 0)
		rv = CKR_OBJECT_HANDLE_INVALID;
	return rv;
}

CK_RV prov_get_attr(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj,
		    CK_ATTRIBUTE_TYPE type, unsigned char **val, CK_ULONG *len)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_ULONG want;
	CK_RV rv;

	*val = NULL;
	*len = 0;
	rv = p11->C_GetAttributeValue(s, obj, &a, 1);
	if (rv != CKR_OK)
		return rv;
	/* v2.40 5.7: CK_UNAVAILABLE_INFORMATION comes with an error code, but
	 * a module that returns CKR_OK with it must not make us allocate ~0. */
	if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > 1024 * 1024)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	want = a.ulValueLen;
	a.pValue = malloc(want > 0 ? want : 1);
	if (a.pValue == NULL)
		return CKR_HOST_MEMORY;
	rv = p11->C_GetAttributeValue(s, obj, &a, 1);
	if (rv == CKR_OK && a.ulValueLen > want)
		rv = CKR_GENERAL_ERROR;
	if (rv != CKR_OK) {
		prov_wipe_free(a.pValue, want);
		return rv;
	}
	*val = a.pValue;
	*len = a.ulValueLen;
	return CKR_OK;
}

CK_RV prov_get_ulong(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj,
		     CK_ATTRIBUTE_TYPE type, CK_ULONG *v)
{
	CK_ATTRIBUTE a = { type, v, sizeof(*v) };
	CK_RV rv;

	rv = p11->C_GetAttributeValue(s, obj, &a, 1);
	if (rv == CKR_OK && a.ulValueLen != sizeof(*v))
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	return rv;
}

void prov_destroy(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, const CK_OBJECT_HANDLE *objs,
		  size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (objs[i] != CK_INVALID_HANDLE)
			(void)p11->C_DestroyObject(s, objs[i]);
	}
}

void prov_wipe_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}
