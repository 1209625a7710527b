/*
 * The public key of a private key object in the token, as an EVP_PKEY. The
 * private key itself is sensitive; its public half is found, in order, in
 *  1. its CKA_PUBLIC_KEY_INFO (v2.40 4.9: the SubjectPublicKeyInfo), which
 *     not every token fills in;
 *  2. for RSA, its CKA_MODULUS and CKA_PUBLIC_EXPONENT (never sensitive);
 *  3. the public key object with the same CKA_ID: its
 *     CKA_PUBLIC_KEY_INFO, modulus and exponent, or EC parameters and point.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "prov.h"

static CK_RV from_spki(const unsigned char *der, CK_ULONG len, EVP_PKEY **out)
{
	const unsigned char *p = der;

	*out = d2i_PUBKEY(NULL, &p, (long)len);
	ERR_clear_error();
	return *out != NULL ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
}

static CK_RV from_params(const char *type, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	OSSL_PARAM *built = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	CK_RV rv = CKR_ATTRIBUTE_VALUE_INVALID;

	if (built == NULL || ctx == NULL)
		rv = CKR_HOST_MEMORY;
	else if (EVP_PKEY_fromdata_init(ctx) > 0 &&
		 EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, built) > 0)
		rv = CKR_OK;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(built);
	ERR_clear_error();
	return rv;
}

static CK_RV rsa_pub(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj,
		     EVP_PKEY **out)
{
	unsigned char *n = NULL, *e = NULL;
	CK_ULONG nl, el;
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	CK_RV rv;

	rv = prov_get_attr(p11, s, obj, CKA_MODULUS, &n, &nl);
	if (rv == CKR_OK)
		rv = prov_get_attr(p11, s, obj, CKA_PUBLIC_EXPONENT, &e, &el);
	if (rv != CKR_OK)
		goto end;
	bn = BN_bin2bn(n, (int)nl, NULL);
	be = BN_bin2bn(e, (int)el, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn == NULL || be == NULL || bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be)) {
		rv = CKR_HOST_MEMORY;
		goto end;
	}
	rv = from_params("RSA", bld, out);
end:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	free(n);
	free(e);
	return rv;
}

static CK_RV ec_pub(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj,
		    EVP_PKEY **out)
{
	unsigned char *ec_params = NULL, *point = NULL;
	CK_ULONG pl, ptl;
	const unsigned char *p;
	ASN1_OBJECT *oid = NULL;
	ASN1_OCTET_STRING *os = NULL;
	const unsigned char *raw;
	size_t raw_len;
	const char *group;
	OSSL_PARAM_BLD *bld = NULL;
	CK_RV rv;

	rv = prov_get_attr(p11, s, obj, CKA_EC_PARAMS, &ec_params, &pl);
	if (rv == CKR_OK)
		rv = prov_get_attr(p11, s, obj, CKA_EC_POINT, &point, &ptl);
	if (rv != CKR_OK)
		goto end;
	p = ec_params;
	oid = d2i_ASN1_OBJECT(NULL, &p, (long)pl);
	group = oid != NULL ? OBJ_nid2sn(OBJ_obj2nid(oid)) : NULL;
	if (group == NULL || OBJ_obj2nid(oid) == NID_undef) {
		rv = CKR_CURVE_NOT_SUPPORTED;
		goto end;
	}
	/* v2.40 says DER OCTET STRING; some tokens store the bare point. */
	p = point;
	os = d2i_ASN1_OCTET_STRING(NULL, &p, (long)ptl);
	if (os != NULL && p == point + ptl) {
		raw = ASN1_STRING_get0_data(os);
		raw_len = (size_t)ASN1_STRING_length(os);
	} else {
		raw = point;
		raw_len = ptl;
	}
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, raw, raw_len)) {
		rv = CKR_HOST_MEMORY;
		goto end;
	}
	rv = from_params("EC", bld, out);
end:
	OSSL_PARAM_BLD_free(bld);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(oid);
	free(ec_params);
	free(point);
	ERR_clear_error();
	return rv;
}

/* The public key from one object's own attributes. */
static CK_RV object_pub(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj,
			CK_KEY_TYPE kt, int ec_point_ok, EVP_PKEY **out)
{
	unsigned char *spki = NULL;
	CK_ULONG len = 0;
	CK_RV rv;

	if (prov_get_attr(p11, s, obj, CKA_PUBLIC_KEY_INFO, &spki, &len) == CKR_OK && len > 0) {
		rv = from_spki(spki, len, out);
		free(spki);
		if (rv == CKR_OK)
			return rv;
	} else {
		free(spki);
	}
	if (kt == CKK_RSA)
		return rsa_pub(p11, s, obj, out);
	if (kt == CKK_EC && ec_point_ok)
		return ec_pub(p11, s, obj, out);
	return CKR_KEY_HANDLE_INVALID;
}

CK_RV prov_token_pubkey(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE priv,
			EVP_PKEY **out)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt;
	CK_ATTRIBUTE t[2] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, NULL, 0 },
	};
	CK_OBJECT_HANDLE pub;
	unsigned char *id = NULL;
	CK_ULONG id_len = 0, n = 0;
	CK_RV rv;

	*out = NULL;
	rv = prov_get_ulong(p11, s, priv, CKA_KEY_TYPE, &kt);
	if (rv != CKR_OK)
		return rv;
	if (kt != CKK_EC && kt != CKK_RSA)
		return CKR_KEY_TYPE_INCONSISTENT;
	/* A private EC key has no CKA_EC_POINT in v2.40. */
	if (object_pub(p11, s, priv, kt, 0, out) == CKR_OK)
		return CKR_OK;
	rv = prov_get_attr(p11, s, priv, CKA_ID, &id, &id_len);
	if (rv != CKR_OK)
		return rv;
	t[1].pValue = id;
	t[1].ulValueLen = id_len;
	rv = prov_find(p11, s, t, 2, &pub, 1, &n);
	if (rv == CKR_OK && n == 0)
		rv = CKR_KEY_HANDLE_INVALID;
	if (rv == CKR_OK)
		rv = object_pub(p11, s, pub, kt, 1, out);
	free(id);
	return rv;
}
