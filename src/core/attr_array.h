/*
 * Attribute-array attributes (FORM_ATTRS in attr.h): their stored form and
 * the C_GetAttributeValue convention for them.
 */
#ifndef IOTOKEN_ATTR_ARRAY_H
#define IOTOKEN_ATTR_ARRAY_H

#include "core/attr.h"

/* Only the mechanisms that wrap, unwrap or derive use them. */
#define ATTR_WITH_ARRAYS (IOT_WITH_AES || IOT_WITH_OAEP || IOT_WITH_ECDH)

/* The stored form of count attributes (a new port_malloc buffer, NULL for
 * none). CKR_ATTRIBUTE_VALUE_INVALID for an array inside the array, a NULL
 * value with a length, too many entries or too many bytes. */
CK_RV attrs_encode(const CK_ATTRIBUTE *a, CK_ULONG count, uint8_t **out,
		   size_t *outlen) IOT_MUST_CHECK;

/* The attributes of a stored form, pointing into it (out may be NULL to
 * count); CKR_GENERAL_ERROR when p is not one or holds more than max. */
CK_RV attrs_decode(const uint8_t *p, size_t len, CK_ATTRIBUTE *out, CK_ULONG max,
		   CK_ULONG *count) IOT_MUST_CHECK;

/* C_GetAttributeValue of one array attribute into the caller's entry:
 * pValue NULL asks its length (entries * sizeof(CK_ATTRIBUTE)); otherwise
 * pValue is the caller's CK_ATTRIBUTE array, each entry filled with the
 * same convention. CKR_BUFFER_TOO_SMALL when the array or an entry is
 * short. */
CK_RV attrs_get(const uint8_t *p, size_t len, CK_ATTRIBUTE *dst) IOT_MUST_CHECK;

#endif
