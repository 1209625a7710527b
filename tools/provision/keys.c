/*
 * Key material as PKCS#11 wants it, taken from OpenSSL keys: big-endian
 * integers, the uncompressed EC point, the curve OID, and the CKA_ID.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>

#include "prov.h"

CK_RV prov_bn_param(const EVP_PKEY *pkey, const char *name, size_t pad, unsigned char **out,
		    size_t *len)
{
	BIGNUM *bn = NULL;
	unsigned char *buf;
	size_t n;

	*out = NULL;
	*len = 0;
	if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
		return CKR_KEY_TYPE_INCONSISTENT;
	n = pad > 0 ? pad : (size_t)BN_num_bytes(bn);
	if (n == 0)
		n = 1; /* zero is one byte in PKCS#11 big integers */
	buf = malloc(n);
	if (buf == NULL) {
		BN_clear_free(bn);
		return CKR_HOST_MEMORY;
	}
	if (BN_bn2binpad(bn, buf, (int)n) < 0) {
		BN_clear_free(bn);
		prov_wipe_free(buf, n);
		return CKR_KEY_SIZE_RANGE;
	}
	/* May be a private value: cleared, not just freed. */
	BN_clear_free(bn);
	*out = buf;
	*len = n;
	return CKR_OK;
}

static size_t ec_field_len(const EVP_PKEY *pkey)
{
	int bits = EVP_PKEY_get_bits(pkey);

	return bits > 0 ? ((size_t)bits + 7) / 8 : 0;
}

CK_RV prov_ec_point(const EVP_PKEY *pkey, unsigned char **point, size_t *len)
{
	size_t flen = ec_field_len(pkey);
	unsigned char *x = NULL, *y = NULL, *buf;
	size_t xl, yl;
	CK_RV rv;

	*point = NULL;
	*len = 0;
	if (flen == 0)
		return CKR_KEY_TYPE_INCONSISTENT;
	/* From the coordinates rather than the encoded key: a key read from a
	 * file may carry the compressed form, and the CKA_ID is defined on
	 * the uncompressed one. */
	rv = prov_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, flen, &x, &xl);
	if (rv == CKR_OK)
		rv = prov_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, flen, &y, &yl);
	if (rv != CKR_OK)
		goto end;
	buf = malloc(1 + 2 * flen);
	if (buf == NULL) {
		rv = CKR_HOST_MEMORY;
		goto end;
	}
	buf[0] = 0x04;
	memcpy(buf + 1, x, flen);
	memcpy(buf + 1 + flen, y, flen);
	*point = buf;
	*len = 1 + 2 * flen;
end:
	free(x);
	free(y);
	return rv;
}

CK_RV prov_ec_params(const EVP_PKEY *pkey, unsigned char **der, size_t *len)
{
	char group[64];
	ASN1_OBJECT *oid;
	unsigned char *out = NULL;
	int n;

	*der = NULL;
	*len = 0;
	if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    NULL))
		return CKR_CURVE_NOT_SUPPORTED;
	oid = OBJ_txt2obj(group, 0);
	if (oid == NULL)
		return CKR_CURVE_NOT_SUPPORTED;
	/* CKA_EC_PARAMS (v2.40 2.3.3): "DER-encoding of an ANSI X9.62
	 * Parameters value", here the namedCurve choice, an OID. */
	n = i2d_ASN1_OBJECT(oid, &out);
	ASN1_OBJECT_free(oid);
	if (n <= 0)
		return CKR_HOST_MEMORY;
	*der = malloc((size_t)n);
	if (*der == NULL) {
		OPENSSL_free(out);
		return CKR_HOST_MEMORY;
	}
	memcpy(*der, out, (size_t)n);
	OPENSSL_free(out);
	*len = (size_t)n;
	return CKR_OK;
}

CK_RV prov_key_id(const EVP_PKEY *pkey, unsigned char id[PROV_ID_LEN])
{
	unsigned char *pub = NULL;
	size_t len = 0;
	CK_RV rv;

	if (EVP_PKEY_is_a(pkey, "EC"))
		rv = prov_ec_point(pkey, &pub, &len);
	else if (EVP_PKEY_is_a(pkey, "RSA"))
		rv = prov_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, 0, &pub, &len);
	else
		rv = CKR_KEY_TYPE_INCONSISTENT;
	if (rv != CKR_OK)
		return rv;
	if (!EVP_Digest(pub, len, id, NULL, EVP_sha1(), NULL))
		rv = CKR_HOST_MEMORY;
	free(pub);
	return rv;
}
