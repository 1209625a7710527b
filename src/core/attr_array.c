/*
 * Attribute-array attributes (CKA_WRAP_TEMPLATE, CKA_UNWRAP_TEMPLATE,
 * CKA_DERIVE_TEMPLATE; v2.40 4.1.x "array of attributes"): kept as one
 * byte string, per attribute its type and length as CK_ULONGs and its
 * value, and given back to C_GetAttributeValue as an array with the
 * two-level two-call convention.
 */
#include <string.h>

#include "core/attr_array.h"

#if ATTR_WITH_ARRAYS

#define HEAD (2 * sizeof(CK_ULONG))

CK_RV attrs_encode(const CK_ATTRIBUTE *a, CK_ULONG count, uint8_t **out, size_t *outlen)
{
	size_t total = 0, off = 0;
	CK_ULONG i;

	*out = NULL;
	*outlen = 0;
	if (count > ATTR_MAX_TEMPLATE || (a == NULL && count > 0))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	for (i = 0; i < count; i++) {
		/* One level only (SECURITY.md row 13): a template inside a
		 * template is refused. */
		if ((a[i].type & CKF_ARRAY_ATTRIBUTE) ||
		    (a[i].pValue == NULL && a[i].ulValueLen > 0) ||
		    a[i].ulValueLen > ATTR_MAX_VALUE)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		total += HEAD + a[i].ulValueLen;
		if (total > ATTR_MAX_VALUE)
			return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	if (total == 0)
		return CKR_OK;
	*out = port_malloc(total);
	if (*out == NULL)
		return CKR_HOST_MEMORY;
	for (i = 0; i < count; i++) {
		memcpy(*out + off, &a[i].type, sizeof(CK_ULONG));
		memcpy(*out + off + sizeof(CK_ULONG), &a[i].ulValueLen, sizeof(CK_ULONG));
		if (a[i].ulValueLen > 0)
			memcpy(*out + off + HEAD, a[i].pValue, a[i].ulValueLen);
		off += HEAD + a[i].ulValueLen;
	}
	*outlen = total;
	return CKR_OK;
}

CK_RV attrs_decode(const uint8_t *p, size_t len, CK_ATTRIBUTE *out, CK_ULONG max, CK_ULONG *count)
{
	size_t off = 0;
	CK_ULONG n = 0;

	while (off < len) {
		CK_ULONG type, vlen;

		if (len - off < HEAD || n == max)
			return CKR_GENERAL_ERROR;
		memcpy(&type, p + off, sizeof(type));
		memcpy(&vlen, p + off + sizeof(CK_ULONG), sizeof(vlen));
		off += HEAD;
		if (vlen > len - off)
			return CKR_GENERAL_ERROR;
		if (out != NULL) {
			out[n].type = type;
			out[n].pValue = vlen > 0 ? (void *)(p + off) : NULL;
			out[n].ulValueLen = vlen;
		}
		off += vlen;
		n++;
	}
	*count = n;
	return CKR_OK;
}

CK_RV attrs_get(const uint8_t *p, size_t len, CK_ATTRIBUTE *dst)
{
	CK_ATTRIBUTE a[ATTR_MAX_TEMPLATE];
	CK_ATTRIBUTE *to = dst->pValue;
	CK_ULONG n = 0, i;
	int small = 0;

	if (attrs_decode(p, len, a, ATTR_MAX_TEMPLATE, &n) != CKR_OK)
		return CKR_GENERAL_ERROR;
	if (to == NULL) {
		dst->ulValueLen = n * sizeof(CK_ATTRIBUTE);
		return CKR_OK;
	}
	if (dst->ulValueLen < n * sizeof(CK_ATTRIBUTE)) {
		dst->ulValueLen = CK_UNAVAILABLE_INFORMATION;
		return CKR_BUFFER_TOO_SMALL;
	}
	/* The inner entries as C_GetAttributeValue treats entries: NULL asks
	 * the length, a short buffer gets CK_UNAVAILABLE_INFORMATION. */
	for (i = 0; i < n; i++) {
		to[i].type = a[i].type;
		if (to[i].pValue == NULL) {
			to[i].ulValueLen = a[i].ulValueLen;
		} else if (to[i].ulValueLen >= a[i].ulValueLen) {
			if (a[i].ulValueLen > 0)
				memcpy(to[i].pValue, a[i].pValue, a[i].ulValueLen);
			to[i].ulValueLen = a[i].ulValueLen;
		} else {
			to[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			small = 1;
		}
	}
	dst->ulValueLen = n * sizeof(CK_ATTRIBUTE);
	return small ? CKR_BUFFER_TOO_SMALL : CKR_OK;
}

#endif
