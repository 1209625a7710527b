/* EC keys on the NIST prime curves P-256, P-384, P-521 and P-224 (OpenSSL 3). */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "crypto/openssl_key.h"

/* The table's rows: up to the last curve of the enum built in, so that a
 * build without P-224 (the last) keeps no empty row for it. */
#if IOT_WITH_P224
#define CURVE_ROWS (CURVE_P224 + 1)
#else
#define CURVE_ROWS (CURVE_P521 + 1)
#endif

/* clang-format off */
static const struct curve {
	const char *group;
	int nid;
	size_t size, bits;
	uint8_t oid[10];
	size_t oid_len;
	uint8_t order[66]; /* the first size bytes */
} curves[CURVE_ROWS] = {
	[CURVE_P256] = { "prime256v1", NID_X9_62_prime256v1, 32, 256,
		/* 1.2.840.10045.3.1.7 */
		{ 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }, 10,
		{ 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
		  0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51 } },
	[CURVE_P384] = { "secp384r1", NID_secp384r1, 48, 384,
		/* 1.3.132.0.34 */
		{ 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 }, 7,
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a, 0x0d, 0xb2,
		  0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73 } },
	[CURVE_P521] = { "secp521r1", NID_secp521r1, 66, 521,
		/* 1.3.132.0.35 */
		{ 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 }, 7,
		{ 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfa, 0x51, 0x86,
		  0x87, 0x83, 0xbf, 0x2f, 0x96, 0x6b, 0x7f, 0xcc, 0x01, 0x48, 0xf7, 0x09,
		  0xa5, 0xd0, 0x3b, 0xb5, 0xc9, 0xb8, 0x89, 0x9c, 0x47, 0xae, 0xbb, 0x6f,
		  0xb7, 0x1e, 0x91, 0x38, 0x64, 0x09 } },
#if IOT_WITH_P224
	[CURVE_P224] = { "secp224r1", NID_secp224r1, 28, 224,
		/* 1.3.132.0.33 */
		{ 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21 }, 7,
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0x16, 0xa2, 0xe0, 0xb8, 0xf0, 0x3e, 0x13, 0xdd, 0x29, 0x45,
		  0x5c, 0x5c, 0x2a, 0x3d } },
#endif
};
/* clang-format on */

/* A curve left out of the build (IOT_WITH_P224, iotoken/defaults.h) has an
 * empty row. */
static int known(enum crypto_curve c)
{
	return (unsigned)c < CURVE_ROWS && curves[c].size != 0;
}

size_t crypto_ec_size(enum crypto_curve c)
{
	return known(c) ? curves[c].size : 0;
}

size_t crypto_ec_bits(enum crypto_curve c)
{
	return known(c) ? curves[c].bits : 0;
}

const char *crypto_ossl_ec_group(enum crypto_curve c)
{
	return known(c) ? curves[c].group : NULL;
}

const uint8_t *crypto_ossl_ec_order(enum crypto_curve c)
{
	return known(c) ? curves[c].order : NULL;
}

const uint8_t *crypto_ec_params(enum crypto_curve c, size_t *len)
{
	if (!known(c)) {
		*len = 0;
		return NULL;
	}
	*len = curves[c].oid_len;
	return curves[c].oid;
}

/*
 * CKA_EC_PARAMS is "DER-encoding of an ANSI X9.62 Parameters value" (v2.40
 * mechanisms 2.3.3), a CHOICE of ecParameters, namedCurve or implicitlyCA.
 * Only namedCurve is taken: one OBJECT IDENTIFIER and nothing after it.
 */
CK_RV crypto_ec_curve(const uint8_t *params, size_t len, enum crypto_curve *out)
{
	size_t hdr, body, i;

	if (params == NULL || len < 3 || params[0] != 0x06)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	/* X.690 10.1: "The definite form of length encoding shall be used,
	 * encoded in the minimum number of octets." */
	if (params[1] < 0x80) {
		hdr = 2;
		body = params[1];
	} else if (params[1] == 0x81 && len > 3 && params[2] >= 0x80) {
		hdr = 3;
		body = params[2];
	} else {
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	if (body == 0 || len - hdr != body)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	/* X.690 8.19.2: each subidentifier is base 128 with bit 8 set on all
	 * but its last octet, and "the leading octet of the subidentifier
	 * shall not have the value 80 (hex)". */
	if (params[len - 1] & 0x80)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	for (i = hdr; i < len; i++)
		if (params[i] == 0x80 && (i == hdr || !(params[i - 1] & 0x80)))
			return CKR_ATTRIBUTE_VALUE_INVALID;
	for (i = 0; i < CURVE_ROWS; i++) {
		if (known((enum crypto_curve)i) && len == curves[i].oid_len &&
		    memcmp(params, curves[i].oid, len) == 0) {
			*out = (enum crypto_curve)i;
			return CKR_OK;
		}
	}
	return CKR_CURVE_NOT_SUPPORTED;
}

/* pkey from its parameters; CKR_ATTRIBUTE_VALUE_INVALID when OpenSSL
 * refuses them for any reason but memory. */
static CK_RV from_params(int selection, OSSL_PARAM *params, EVP_PKEY **pkey)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, KEYTYPE_EC, NULL);
	CK_RV rv = CKR_OK;

	if (ctx == NULL)
		return crypto_ossl_error();
	if (EVP_PKEY_fromdata_init(ctx) != 1) {
		rv = crypto_ossl_error();
	} else if (EVP_PKEY_fromdata(ctx, pkey, selection, params) != 1) {
		rv = crypto_ossl_error();
		if (rv != CKR_HOST_MEMORY)
			rv = CKR_ATTRIBUTE_VALUE_INVALID;
	}
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

/*
 * SP 800-56A rev. 3 5.6.2.3.4 (partial public-key validation): the point is
 * not the identity, its coordinates are field elements, and it satisfies
 * the curve equation. For these curves (cofactor 1) that is full
 * validation, so the costlier n*Q == O test is not needed.
 */
static CK_RV check_point(EVP_PKEY *pkey)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	CK_RV rv = CKR_OK;

	if (ctx == NULL)
		return crypto_ossl_error();
	if (EVP_PKEY_public_check_quick(ctx) != 1) {
		rv = crypto_ossl_error();
		if (rv != CKR_HOST_MEMORY)
			rv = CKR_ATTRIBUTE_VALUE_INVALID;
	}
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

CK_RV crypto_ec_public(enum crypto_curve c, const uint8_t *point, size_t len, crypto_key **out)
{
	OSSL_PARAM params[3];
	EVP_PKEY *pkey = NULL;
	CK_RV rv;

	if (!known(c))
		return CKR_CURVE_NOT_SUPPORTED;
	/* Uncompressed only (SEC 1 2.3.3): 04 || X || Y. The lone 00 of the
	 * point at infinity and the compressed and hybrid forms are refused
	 * here by their first byte or their length. */
	if (point == NULL || len != 1 + 2 * curves[c].size || point[0] != 0x04)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     (char *)curves[c].group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point, len);
	params[2] = OSSL_PARAM_construct_end();
	ERR_set_mark();
	rv = from_params(EVP_PKEY_PUBLIC_KEY, params, &pkey);
	if (rv == CKR_OK)
		rv = check_point(pkey);
	if (rv == CKR_OK) {
		rv = crypto_ossl_key_new(pkey, KEY_EC, 0, c, out);
		pkey = NULL;
	}
	EVP_PKEY_free(pkey);
	ERR_pop_to_mark();
	return rv;
}

/* The public point d*G, uncompressed, in pub (1 + 2 * size bytes). */
static CK_RV public_of(const EC_GROUP *g, const BIGNUM *d, BN_CTX *bn, uint8_t *pub, size_t len)
{
	EC_POINT *q = EC_POINT_new(g);
	CK_RV rv = CKR_OK;

	if (q == NULL)
		return CKR_HOST_MEMORY;
	/* A fixed-base multiplication: OpenSSL runs it in constant time. */
	if (EC_POINT_mul(g, q, d, NULL, NULL, bn) != 1 ||
	    EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub, len, bn) != len)
		rv = crypto_ossl_error();
	EC_POINT_free(q);
	return rv;
}

#include "crypto/ec_scalar.h"

/* The scalar as OSSL_PARAM wants an integer: native byte order. Our own
 * byte swap, so that no BIGNUM routine touches the value for it. */
static void scalar_native(const uint8_t *be, uint8_t *out, size_t size)
{
	const union {
		uint16_t u;
		uint8_t b[2];
	} one = { 1 };
	size_t i;

	for (i = 0; i < size; i++)
		out[i] = one.b[0] ? be[size - 1 - i] : be[i];
}

/* The key of the scalar d: size bytes, big endian, in [1, n-1]. */
static CK_RV ec_private(enum crypto_curve c, const uint8_t *d, crypto_key **out)
{
	const struct curve *cv = &curves[c];
	uint8_t pub[1 + 2 * 66], native[66];
	const size_t publen = 1 + 2 * cv->size;
	OSSL_PARAM params[4];
	EC_GROUP *g = NULL;
	BN_CTX *bn = NULL;
	BIGNUM *priv = NULL;
	EVP_PKEY *pkey = NULL;
	CK_RV rv = CKR_HOST_MEMORY;

	g = EC_GROUP_new_by_curve_name(cv->nid);
	bn = BN_CTX_secure_new();
	priv = BN_secure_new();
	if (g == NULL || bn == NULL || priv == NULL)
		goto out;
	BN_set_flags(priv, BN_FLG_CONSTTIME);
	/* OpenSSL 3.0 has no constant-time octets-to-BIGNUM conversion: its
	 * bin2bn (BN_bin2bn, BN_lebin2bn, and OSSL_PARAM_get_BN in
	 * EVP_PKEY_fromdata below, the only way in for a private key) skips
	 * leading zero bytes and then bn_correct_top skips leading zero
	 * words, branching on each byte it skips and on the first nonzero
	 * one. What that reveals is how many leading zero bytes d has (for a
	 * random d, any at all with probability 2^-8), the same fact for
	 * every import of one key. tests/ctgrind/ecdsa-openssl.supp names
	 * those branches. */
	if (BN_bin2bn(d, (int)cv->size, priv) == NULL)
		goto out;
	rv = public_of(g, priv, bn, pub, publen);
	if (rv != CKR_OK)
		goto out;
	SCALAR_PUBLIC(pub, publen);
	scalar_native(d, native, cv->size);
	params[0] =
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)cv->group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, publen);
	params[2] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, native, cv->size);
	params[3] = OSSL_PARAM_construct_end();
	rv = from_params(EVP_PKEY_KEYPAIR, params, &pkey);
	/* d is in [1, n-1] and the point was made here from it: a refusal is
	 * OpenSSL failing (out of memory where it did not say so), not
	 * the caller's value. */
	if (rv == CKR_ATTRIBUTE_VALUE_INVALID)
		rv = CKR_FUNCTION_FAILED;
	if (rv == CKR_OK) {
		rv = crypto_ossl_key_new(pkey, KEY_EC, 1, c, out);
		pkey = NULL;
	}
out:
	port_wipe(native, sizeof(native));
	EVP_PKEY_free(pkey);
	BN_clear_free(priv);
	BN_CTX_free(bn);
	EC_GROUP_free(g);
	return rv;
}

CK_RV crypto_ec_private(enum crypto_curve c, const uint8_t *d, size_t len, crypto_key **out)
{
	uint8_t scalar[66];
	uint32_t ok;
	CK_RV rv;

	if (!known(c))
		return CKR_CURVE_NOT_SUPPORTED;
	if (d == NULL)
		len = 0;
	ok = scalar_import(d, len, curves[c].order, curves[c].size, scalar);
	SCALAR_PUBLIC(&ok, sizeof(ok));
	if (ok) {
		ERR_set_mark();
		rv = ec_private(c, scalar, out);
		ERR_pop_to_mark();
	} else {
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	}
	port_wipe(scalar, sizeof(scalar));
	return rv;
}

CK_RV crypto_ec_generate(enum crypto_curve c, crypto_key **out)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	CK_RV rv = CKR_OK;

	if (!known(c))
		return CKR_CURVE_NOT_SUPPORTED;
	ERR_set_mark();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, KEYTYPE_EC, NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_group_name(ctx, curves[c].group) != 1 ||
	    EVP_PKEY_generate(ctx, &pkey) != 1)
		rv = crypto_ossl_error();
	EVP_PKEY_CTX_free(ctx);
	if (rv == CKR_OK)
		rv = crypto_ossl_key_new(pkey, KEY_EC, 1, c, out);
	ERR_pop_to_mark();
	return rv;
}

CK_RV crypto_ec_point(const crypto_key *k, uint8_t *out, size_t *len)
{
	if (k->kind != KEY_EC)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (out == NULL) {
		*len = k->publen;
		return CKR_OK;
	}
	if (*len < k->publen) {
		*len = k->publen;
		return CKR_BUFFER_TOO_SMALL;
	}
	memcpy(out, k->pub, k->publen);
	*len = k->publen;
	return CKR_OK;
}

CK_RV crypto_ec_scalar(const crypto_key *k, uint8_t *out, size_t *len)
{
	const size_t size = crypto_ec_size(k->curve);
	BIGNUM *d = NULL;
	CK_RV rv = CKR_OK;

	if (k->kind != KEY_EC || !k->priv)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (out == NULL || *len < size) {
		*len = size;
		return out == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
	}
	ERR_set_mark();
	if (EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1)
		rv = crypto_ossl_error();
	else if (BN_bn2binpad(d, out, (int)size) < 0)
		rv = CKR_FUNCTION_FAILED;
	BN_clear_free(d);
	ERR_pop_to_mark();
	if (rv == CKR_OK)
		*len = size;
	return rv;
}

CK_RV crypto_key_curve(const crypto_key *k, enum crypto_curve *out)
{
	if (k->kind != KEY_EC)
		return CKR_KEY_TYPE_INCONSISTENT;
	*out = k->curve;
	return CKR_OK;
}
