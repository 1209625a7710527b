/* EC keys on the NIST prime curves P-256, P-384, P-521 and P-224 (mbedTLS). */
#include <string.h>

#include "crypto/mbedtls_key.h"

#if IOT_WITH_P224 && !defined(MBEDTLS_ECP_DP_SECP224R1_ENABLED)
#error "IOT_WITH_P224 needs MBEDTLS_ECP_DP_SECP224R1_ENABLED in the mbedTLS configuration"
#endif

/* The table's rows: up to the last curve of the enum built in, so that a
 * build without the last ones (P-256 only, say) keeps no empty rows. */
#if IOT_WITH_P224
#define CURVE_ROWS (CURVE_P224 + 1)
#elif IOT_WITH_P521
#define CURVE_ROWS (CURVE_P521 + 1)
#elif IOT_WITH_P384
#define CURVE_ROWS (CURVE_P384 + 1)
#else
#define CURVE_ROWS (CURVE_P256 + 1)
#endif

/* The group orders, big-endian. */
static const uint8_t p256_order[] = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
				      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
				      0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51 };
#if IOT_WITH_P384
static const uint8_t p384_order[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37,
				      0x2d, 0xdf, 0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a,
				      0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73 };
#endif
#if IOT_WITH_P521
static const uint8_t p521_order[] = { 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xfa, 0x51, 0x86, 0x87, 0x83, 0xbf, 0x2f,
				      0x96, 0x6b, 0x7f, 0xcc, 0x01, 0x48, 0xf7, 0x09, 0xa5, 0xd0,
				      0x3b, 0xb5, 0xc9, 0xb8, 0x89, 0x9c, 0x47, 0xae, 0xbb, 0x6f,
				      0xb7, 0x1e, 0x91, 0x38, 0x64, 0x09 };
#endif
#if IOT_WITH_P224
static const uint8_t p224_order[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff, 0x16, 0xa2, 0xe0, 0xb8, 0xf0, 0x3e,
				      0x13, 0xdd, 0x29, 0x45, 0x5c, 0x5c, 0x2a, 0x3d };
#endif

/* clang-format off */
static const struct curve {
	uint8_t id; /* mbedtls_ecp_group_id; bytes, not words: a device's flash */
	uint8_t size;
	uint16_t bits;
	uint8_t oid[10];
	uint8_t oid_len;
	const uint8_t *order; /* size bytes */
} curves[CURVE_ROWS] = {
	[CURVE_P256] = { MBEDTLS_ECP_DP_SECP256R1, 32, 256,
		/* 1.2.840.10045.3.1.7 */
		{ 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }, 10, p256_order },
#if IOT_WITH_P384
	[CURVE_P384] = { MBEDTLS_ECP_DP_SECP384R1, 48, 384,
		/* 1.3.132.0.34 */
		{ 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 }, 7, p384_order },
#endif
#if IOT_WITH_P521
	[CURVE_P521] = { MBEDTLS_ECP_DP_SECP521R1, 66, 521,
		/* 1.3.132.0.35 */
		{ 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 }, 7, p521_order },
#endif
#if IOT_WITH_P224
	[CURVE_P224] = { MBEDTLS_ECP_DP_SECP224R1, 28, 224,
		/* 1.3.132.0.33 */
		{ 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21 }, 7, p224_order },
#endif
};
/* clang-format on */

/* A curve left out of the build (iotoken/defaults.h) has an empty row. */
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

mbedtls_ecp_group_id crypto_mbed_ec_group(enum crypto_curve c)
{
	return known(c) ? curves[c].id : MBEDTLS_ECP_DP_NONE;
}

const uint8_t *crypto_mbed_ec_order(enum crypto_curve c)
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
 * (The same checks as the OpenSSL backend's, which has its own copy.)
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

CK_RV crypto_ec_public(enum crypto_curve c, const uint8_t *point, size_t len, crypto_key **out)
{
	mbedtls_ecp_group grp;
	crypto_key *k = NULL;
	CK_RV rv;
	int ret;

	if (!known(c))
		return CKR_CURVE_NOT_SUPPORTED;
	/* Uncompressed only (SEC 1 2.3.3): 04 || X || Y. The lone 00 of the
	 * point at infinity and the compressed and hybrid forms are refused
	 * here by their first byte or their length. */
	if (point == NULL || len != 1 + 2 * (size_t)curves[c].size || point[0] != 0x04)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	rv = crypto_mbed_key_alloc(KEY_EC, 0, c, &k);
	if (rv != CKR_OK)
		return rv;
	mbedtls_ecp_group_init(&grp);
	ret = mbedtls_ecp_group_load(&grp, curves[c].id);
	if (ret != 0) {
		rv = crypto_mbed_error(ret);
		goto out;
	}
	/*
	 * SP 800-56A rev. 3 5.6.2.3.4 (partial public-key validation): the
	 * coordinates are field elements (< p) and satisfy the curve equation
	 * (mbedtls_ecp_check_pubkey); the point at infinity cannot be written
	 * uncompressed. For these curves (cofactor 1) that is full validation.
	 */
	ret = mbedtls_ecp_point_read_binary(&grp, &k->q, point, len);
	if (ret == 0)
		ret = mbedtls_ecp_check_pubkey(&grp, &k->q);
	if (ret != 0)
		rv = crypto_mbed_invalid(ret);
out:
	mbedtls_ecp_group_free(&grp);
	return crypto_mbed_key_finish(k, rv, out);
}

/* scalar_import (ec_scalar.h) replaces mbedtls_ecp_check_privkey, whose
 * mbedtls_mpi_cmp_int and mbedtls_mpi_cmp_mpi stop at the first differing
 * limb. */
#include "crypto/ec_scalar.h"

/* Marks the limbs of x public for memcheck (the coordinates of d*G). */
static void mpi_public(const mbedtls_mpi *x)
{
	SCALAR_PUBLIC(x->p, x->n * sizeof(*x->p));
}

CK_RV crypto_ec_private(enum crypto_curve c, const uint8_t *d, size_t len, crypto_key **out)
{
	mbedtls_ecp_group grp;
	crypto_key *k = NULL;
	uint8_t scalar[66];
	uint32_t ok;
	CK_RV rv;
	int ret;

	if (!known(c))
		return CKR_CURVE_NOT_SUPPORTED;
	if (d == NULL)
		len = 0;
	ok = scalar_import(d, len, curves[c].order, curves[c].size, scalar);
	SCALAR_PUBLIC(&ok, sizeof(ok));
	if (!ok) {
		port_wipe(scalar, sizeof(scalar));
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	rv = crypto_mbed_key_alloc(KEY_EC, 1, c, &k);
	if (rv != CKR_OK) {
		port_wipe(scalar, sizeof(scalar));
		return rv;
	}
	mbedtls_ecp_group_init(&grp);
	ret = mbedtls_ecp_group_load(&grp, curves[c].id);
	/* mbedTLS 2.28 reads a fixed length into as many limbs as that length
	 * needs, without skipping leading zeros: constant time. */
	if (ret == 0)
		ret = mbedtls_mpi_read_binary(&k->d, scalar, curves[c].size);
	port_wipe(scalar, sizeof(scalar));
	if (ret != 0) {
		rv = crypto_mbed_error(ret);
		goto out;
	}
	/* Q = d*G, with the DRBG for the projective-coordinate blinding that
	 * mbedTLS's comb multiplication relies on. mbedtls_ecp_mul checks
	 * 1 <= d <= n-1 again itself, with mbedtls_mpi_cmp_int and _cmp_mpi,
	 * which branch on d's top limbs (docs/security.md row 31). */
	ret = mbedtls_ecp_mul(&grp, &k->q, &k->d, &grp.G, crypto_mbed_rng, NULL);
	if (ret != 0) {
		rv = crypto_mbed_error(ret);
		goto out;
	}
	mpi_public(&k->q.X);
	mpi_public(&k->q.Y);
	mpi_public(&k->q.Z);
out:
	mbedtls_ecp_group_free(&grp);
	return crypto_mbed_key_finish(k, rv, out);
}

CK_RV crypto_ec_generate(enum crypto_curve c, crypto_key **out)
{
	mbedtls_ecp_group grp;
	crypto_key *k = NULL;
	CK_RV rv;
	int ret;

	if (!known(c))
		return CKR_CURVE_NOT_SUPPORTED;
	rv = crypto_mbed_key_alloc(KEY_EC, 1, c, &k);
	if (rv != CKR_OK)
		return rv;
	mbedtls_ecp_group_init(&grp);
	/* d uniform in [1, n-1] by rejection sampling, Q = d*G. */
	ret = mbedtls_ecp_group_load(&grp, curves[c].id);
	if (ret == 0)
		ret = mbedtls_ecp_gen_keypair(&grp, &k->d, &k->q, crypto_mbed_rng, NULL);
	if (ret != 0)
		rv = crypto_mbed_error(ret);
	mbedtls_ecp_group_free(&grp);
	return crypto_mbed_key_finish(k, rv, out);
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
	int ret;

	if (k->kind != KEY_EC || !k->priv)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (out == NULL || *len < size) {
		*len = size;
		return out == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
	}
	ret = mbedtls_mpi_write_binary(&k->d, out, size);
	if (ret != 0)
		return crypto_mbed_error(ret);
	*len = size;
	return CKR_OK;
}

CK_RV crypto_key_curve(const crypto_key *k, enum crypto_curve *out)
{
	if (k->kind != KEY_EC)
		return CKR_KEY_TYPE_INCONSISTENT;
	*out = k->curve;
	return CKR_OK;
}
