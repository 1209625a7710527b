/*
 * Unit tests of the EC keys of crypto.h: CKA_EC_PARAMS parsing, public and
 * private key import and their validation (SECURITY.md row 30), key
 * generation, and ECDSA with raw r||s signatures (row 31): lengths, ranges,
 * truncation of long inputs. The vectors are in test_crypto_ecdsa_vectors.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"

#include "vectors.h"

static CK_RV curve_hex(const char *hex, enum crypto_curve *c)
{
	uint8_t *b;
	size_t n = vec_unhex(hex, &b);
	CK_RV rv = crypto_ec_curve(b, n, c);

	free(b);
	return rv;
}

static CK_RV public_hex(enum crypto_curve c, const char *hex, crypto_key **k)
{
	uint8_t *b;
	size_t n = vec_unhex(hex, &b);
	CK_RV rv = crypto_ec_public(c, b, n, k);

	free(b);
	return rv;
}

static CK_RV private_hex(enum crypto_curve c, const char *hex, crypto_key **k)
{
	uint8_t *b;
	size_t n = vec_unhex(hex, &b);
	CK_RV rv = crypto_ec_private(c, b, n, k);

	free(b);
	return rv;
}
#define P256_GX "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
#define P256_GY "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
/* p - Gy: the y of -G = (n-1)G. */
#define P256_NEG_GY "b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a"
#define P256_N "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
#define P256_N_MINUS_1 "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550"
#define P256_N_PLUS_1 "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632552"
#define P256_P "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"

/* ---- CKA_EC_PARAMS ---- */

static void test_curve_oids(void **state)
{
	enum crypto_curve c = CURVE_COUNT;
	const uint8_t *der;
	size_t len, i;

	(void)state;
	assert_int_equal(curve_hex("06082a8648ce3d030107", &c), CKR_OK);
	assert_int_equal(c, CURVE_P256);
	assert_int_equal(curve_hex("06052b81040022", &c), CKR_OK);
	assert_int_equal(c, CURVE_P384);
	assert_int_equal(curve_hex("06052b81040023", &c), CKR_OK);
	assert_int_equal(c, CURVE_P521);
	for (i = 0; i < CURVE_COUNT; i++) {
		der = crypto_ec_params((enum crypto_curve)i, &len);
		assert_non_null(der);
		assert_int_equal(crypto_ec_curve(der, len, &c), CKR_OK);
		assert_int_equal(c, i);
	}
	assert_int_equal(crypto_ec_size(CURVE_P256), 32);
	assert_int_equal(crypto_ec_size(CURVE_P384), 48);
	assert_int_equal(crypto_ec_size(CURVE_P521), 66);
	assert_int_equal(crypto_ec_bits(CURVE_P256), 256);
	assert_int_equal(crypto_ec_bits(CURVE_P384), 384);
	assert_int_equal(crypto_ec_bits(CURVE_P521), 521);
	assert_null(crypto_ec_params(CURVE_COUNT, &len));
	assert_int_equal(len, 0);
}

static void test_curve_unsupported(void **state)
{
	enum crypto_curve c;

	(void)state;
	/* Well-formed OIDs of curves the token does not have. */
#if !IOT_WITH_P224
	assert_int_equal(curve_hex("06052b81040021", &c), CKR_CURVE_NOT_SUPPORTED); /* P-224 */
#endif
	assert_int_equal(curve_hex("06052b81040020", &c), CKR_CURVE_NOT_SUPPORTED); /* secp224k1 */
	assert_int_equal(curve_hex("06052b8104000a", &c), CKR_CURVE_NOT_SUPPORTED); /* secp256k1 */
	assert_int_equal(curve_hex("06082a8648ce3d030101", &c),
			 CKR_CURVE_NOT_SUPPORTED);                              /* P-192 */
	assert_int_equal(curve_hex("06032b6570", &c), CKR_CURVE_NOT_SUPPORTED); /* Ed25519 */
}

static void test_curve_malformed(void **state)
{
	static const char *const bad[] = {
		"",                         /* nothing */
		"06",                       /* no length */
		"0600",                     /* empty OID */
		"06082a8648ce3d0301",       /* truncated */
		"06082a8648ce3d03010700",   /* trailing byte */
		"0609802a8648ce3d030107",   /* subidentifier with a leading 0x80 */
		"06022a86",                 /* last subidentifier unfinished */
		"0681082a8648ce3d030107",   /* long form for a short length */
		"068200082a8648ce3d030107", /* two-byte long form, ditto */
		"130a7072696d653235367631", /* PrintableString "prime256v1" */
		"0500",                     /* implicitlyCA NULL */
		"3003020101",               /* a SEQUENCE (explicit parameters) */
		"04082a8648ce3d030107",     /* OCTET STRING tag */
	};
	enum crypto_curve c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (curve_hex(bad[i], &c) != CKR_ATTRIBUTE_VALUE_INVALID)
			fail_msg("accepted or misreported: %s", bad[i]);
	assert_int_equal(crypto_ec_curve(NULL, 0, &c), CKR_ATTRIBUTE_VALUE_INVALID);
}

/* ---- Key import ---- */

static void test_public_generator(void **state)
{
	crypto_key *k = NULL;
	uint8_t point[65], *want;
	size_t len = sizeof(point);
	enum crypto_curve c;

	(void)state;
	assert_int_equal(public_hex(CURVE_P256, "04" P256_GX P256_GY, &k), CKR_OK);
	assert_false(crypto_key_is_private(k));
	assert_int_equal(crypto_key_curve(k, &c), CKR_OK);
	assert_int_equal(c, CURVE_P256);
	assert_int_equal(crypto_key_bits(k), 256);
	assert_int_equal(crypto_sig_len(k), 64);
	assert_int_equal(crypto_ec_point(k, point, &len), CKR_OK);
	assert_int_equal(len, 65);
	assert_int_equal(vec_unhex("04" P256_GX P256_GY, &want), 65);
	assert_memory_equal(point, want, 65);
	free(want);
	/* The two-call convention on the point. */
	len = 0;
	assert_int_equal(crypto_ec_point(k, NULL, &len), CKR_OK);
	assert_int_equal(len, 65);
	len = 64;
	assert_int_equal(crypto_ec_point(k, point, &len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 65);
	/* No scalar in a public key. */
	len = sizeof(point);
	assert_int_equal(crypto_ec_scalar(k, point, &len), CKR_KEY_TYPE_INCONSISTENT);
	/* References. */
	assert_ptr_equal(crypto_key_ref(k), k);
	crypto_key_unref(k);
	crypto_key_unref(k);
	crypto_key_unref(NULL);
	assert_null(crypto_key_ref(NULL));
}

static void test_public_invalid(void **state)
{
	static const char *const bad[] = {
		/* y + 1: off the curve */
		"04" P256_GX "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f6",
		/* compressed G */
		"03" P256_GX,
		"02" P256_GX,
		/* hybrid form of G (y odd) */
		"07" P256_GX P256_GY,
		/* the point at infinity */
		"00",
		/* all zero coordinates */
		"04"
		"0000000000000000000000000000000000000000000000000000000000000000"
		"0000000000000000000000000000000000000000000000000000000000000000",
		/* x = p: not a field element */
		"04" P256_P P256_GY,
		/* one byte short, one byte long */
		"04" P256_GX "e342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
		"04" P256_GX P256_GY "00",
		/* a DER OCTET STRING around the point: the caller unwraps it */
		"044104" P256_GX P256_GY,
		"",
	};
	crypto_key *k = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (public_hex(CURVE_P256, bad[i], &k) != CKR_ATTRIBUTE_VALUE_INVALID)
			fail_msg("point %zu accepted or misreported", i);
	}
	/* G of P-256 is not on P-384, nor of its length. */
	assert_int_equal(public_hex(CURVE_P384, "04" P256_GX P256_GY, &k),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_ec_public(CURVE_P256, NULL, 0, &k), CKR_ATTRIBUTE_VALUE_INVALID);
}

static void test_private_range(void **state)
{
	crypto_key *k = NULL;
	uint8_t point[65], scalar[66], *want;
	size_t len;

	(void)state;
	/* SEC 1 3.2.1: d in [1, n-1]. */
	assert_int_equal(private_hex(CURVE_P256, "00", &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(private_hex(CURVE_P256, "", &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(private_hex(CURVE_P256, P256_N, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(private_hex(CURVE_P256, P256_N_PLUS_1, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(private_hex(CURVE_P256, "01" P256_N_MINUS_1, &k),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_ec_private(CURVE_P256, NULL, 0, &k), CKR_ATTRIBUTE_VALUE_INVALID);

	/* d = 1: the public point is G. Leading zeros are allowed. */
	assert_int_equal(private_hex(CURVE_P256, "000000000001", &k), CKR_OK);
	assert_true(crypto_key_is_private(k));
	len = sizeof(point);
	assert_int_equal(crypto_ec_point(k, point, &len), CKR_OK);
	assert_int_equal(vec_unhex("04" P256_GX P256_GY, &want), 65);
	assert_memory_equal(point, want, 65);
	free(want);
	/* The scalar comes back padded to the field size. */
	len = sizeof(scalar);
	assert_int_equal(crypto_ec_scalar(k, scalar, &len), CKR_OK);
	assert_int_equal(len, 32);
	assert_int_equal(scalar[31], 1);
	assert_int_equal(scalar[0] | scalar[15] | scalar[30], 0);
	len = 31;
	assert_int_equal(crypto_ec_scalar(k, scalar, &len), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 32);
	crypto_key_unref(k);

	/* d = n-1: the public point is -G. */
	assert_int_equal(private_hex(CURVE_P256, "00" P256_N_MINUS_1, &k), CKR_OK);
	len = sizeof(point);
	assert_int_equal(crypto_ec_point(k, point, &len), CKR_OK);
	assert_int_equal(vec_unhex("04" P256_GX P256_NEG_GY, &want), 65);
	assert_memory_equal(point, want, 65);
	free(want);
	crypto_key_unref(k);
}

static void test_spki(void **state)
{
	static const char want[] =
		"3059301306072a8648ce3d020106082a8648ce3d03010703420004" P256_GX P256_GY;
	crypto_key *k = NULL;
	uint8_t *der = NULL, *exp;
	size_t len = 0, n = vec_unhex(want, &exp);

	(void)state;
	assert_int_equal(private_hex(CURVE_P256, "01", &k), CKR_OK);
	/* Only the public half, with the named curve. */
	assert_int_equal(crypto_key_spki(k, &der, &len), CKR_OK);
	assert_int_equal(len, n);
	assert_memory_equal(der, exp, n);
	port_free(der);
	free(exp);
	crypto_key_unref(k);
}

/* ---- Generation and signatures ---- */

static void round_trip(enum crypto_curve c)
{
	uint8_t digest[64], sig[132], bad[132], point[133], scalar[66];
	size_t size = crypto_ec_size(c), len;
	crypto_key *k = NULL, *pub = NULL, *again = NULL;
	const uint8_t *oid;
	uint8_t point2[133], *der = NULL;
	size_t oid_len;

	assert_int_equal(crypto_ec_generate(c, &k), CKR_OK);
	assert_true(crypto_key_is_private(k));
	assert_int_equal(crypto_sig_len(k), 2 * size);
	memset(digest, 0x5a, sizeof(digest));
	assert_int_equal(crypto_sign(k, SIG_ECDSA, NULL, digest, 32, sig), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, digest, 32, sig, 2 * size), CKR_OK);

	/* The public half alone verifies; the public key cannot sign. */
	len = sizeof(point);
	assert_int_equal(crypto_ec_point(k, point, &len), CKR_OK);
	assert_int_equal(len, 1 + 2 * size);
	assert_int_equal(crypto_ec_public(c, point, len, &pub), CKR_OK);
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 32, sig, 2 * size), CKR_OK);
	assert_int_equal(crypto_sign(pub, SIG_ECDSA, NULL, digest, 32, bad),
			 CKR_KEY_TYPE_INCONSISTENT);

	/* A changed digest, a flipped bit of r or s, a wrong length. */
	digest[0] ^= 1;
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 32, sig, 2 * size),
			 CKR_SIGNATURE_INVALID);
	digest[0] ^= 1;
	memcpy(bad, sig, 2 * size);
	bad[size - 1] ^= 1;
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 32, bad, 2 * size),
			 CKR_SIGNATURE_INVALID);
	memcpy(bad, sig, 2 * size);
	bad[2 * size - 1] ^= 0x80;
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 32, bad, 2 * size),
			 CKR_SIGNATURE_INVALID);
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 32, sig, 2 * size - 1),
			 CKR_SIGNATURE_LEN_RANGE);
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 32, sig, 2 * size + 1),
			 CKR_SIGNATURE_LEN_RANGE);
	/* r = 0 and s = 0 are out of range. */
	memcpy(bad, sig, 2 * size);
	memset(bad, 0, size);
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 32, bad, 2 * size),
			 CKR_SIGNATURE_INVALID);
	memcpy(bad, sig, 2 * size);
	memset(bad + size, 0, size);
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 32, bad, 2 * size),
			 CKR_SIGNATURE_INVALID);
	/* No RSA algorithm with an EC key. */
	assert_int_equal(crypto_sign(k, SIG_RSA_PKCS1, NULL, digest, 32, bad),
			 CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_verify(k, SIG_RSA_PKCS1, NULL, digest, 32, sig, 2 * size),
			 CKR_KEY_TYPE_INCONSISTENT);

	/* The scalar re-imports to the same key. */
	len = sizeof(scalar);
	assert_int_equal(crypto_ec_scalar(k, scalar, &len), CKR_OK);
	assert_int_equal(len, size);
	assert_int_equal(crypto_ec_private(c, scalar, len, &again), CKR_OK);
	len = sizeof(point2);
	assert_int_equal(crypto_ec_point(again, point2, &len), CKR_OK);
	assert_memory_equal(point, point2, 1 + 2 * size);
	assert_int_equal(crypto_sign(again, SIG_ECDSA, NULL, digest, 64, sig), CKR_OK);
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 64, sig, 2 * size), CKR_OK);

	/* A generated key's SubjectPublicKeyInfo names its curve and ends
	 * with its uncompressed point. */
	assert_int_equal(crypto_key_spki(k, &der, &len), CKR_OK);
	oid = crypto_ec_params(c, &oid_len);
	assert_non_null(memmem(der, len, oid, oid_len));
	assert_true(len > 1 + 2 * size);
	assert_memory_equal(der + len - (1 + 2 * size), point, 1 + 2 * size);
	port_free(der);

	crypto_key_unref(again);
	crypto_key_unref(pub);
	crypto_key_unref(k);
}

static void test_generate_sign_verify(void **state)
{
	(void)state;
	round_trip(CURVE_P256);
	round_trip(CURVE_P384);
	round_trip(CURVE_P521);
}

/*
 * FIPS 186-4 6.4: only the leftmost N bits of the input count. A 64-byte
 * input on P-256 signs as its first 32 bytes, on P-384 as its first 48;
 * P-521 uses 521 bits, so 66 bytes differing only in the last 7 bits of
 * the last byte sign the same.
 */
static void test_ecdsa_truncation(void **state)
{
	uint8_t in[80], sig[132];
	crypto_key *k = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(0x80 + 3 * i);

	assert_int_equal(crypto_ec_generate(CURVE_P256, &k), CKR_OK);
	assert_int_equal(crypto_sign(k, SIG_ECDSA, NULL, in, 64, sig), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, in, 32, sig, 64), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, in, 80, sig, 64), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, in, 31, sig, 64), CKR_SIGNATURE_INVALID);
	/* Shorter than the order: taken as an integer, not padded on the
	 * right. */
	assert_int_equal(crypto_sign(k, SIG_ECDSA, NULL, in, 20, sig), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, in, 20, sig, 64), CKR_OK);
	crypto_key_unref(k);

	assert_int_equal(crypto_ec_generate(CURVE_P384, &k), CKR_OK);
	assert_int_equal(crypto_sign(k, SIG_ECDSA, NULL, in, 64, sig), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, in, 48, sig, 96), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, in, 32, sig, 96), CKR_SIGNATURE_INVALID);
	crypto_key_unref(k);

	assert_int_equal(crypto_ec_generate(CURVE_P521, &k), CKR_OK);
	assert_int_equal(crypto_sign(k, SIG_ECDSA, NULL, in, 66, sig), CKR_OK);
	in[65] ^= 0x7f;
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, in, 66, sig, 132), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, in, 80, sig, 132), CKR_OK);
	in[65] ^= 0x80;
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, in, 66, sig, 132),
			 CKR_SIGNATURE_INVALID);
	/* 64 bytes (SHA-512) are 512 bits < 521: the whole input counts. */
	assert_int_equal(crypto_sign(k, SIG_ECDSA, NULL, in, 64, sig), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, in, 64, sig, 132), CKR_OK);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, in, 63, sig, 132),
			 CKR_SIGNATURE_INVALID);
	crypto_key_unref(k);
}

/* r = n or s = n with an otherwise valid signature. */
static void test_ecdsa_order(void **state)
{
	uint8_t digest[32] = { 1, 2, 3 }, sig[64], bad[64], *n;
	crypto_key *k = NULL;

	(void)state;
	assert_int_equal(vec_unhex(P256_N, &n), 32);
	assert_int_equal(crypto_ec_generate(CURVE_P256, &k), CKR_OK);
	assert_int_equal(crypto_sign(k, SIG_ECDSA, NULL, digest, 32, sig), CKR_OK);
	memcpy(bad, sig, 64);
	memcpy(bad, n, 32);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, digest, 32, bad, 64),
			 CKR_SIGNATURE_INVALID);
	memcpy(bad, sig, 64);
	memcpy(bad + 32, n, 32);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, digest, 32, bad, 64),
			 CKR_SIGNATURE_INVALID);
	memset(bad, 0xff, 64);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, digest, 32, bad, 64),
			 CKR_SIGNATURE_INVALID);
	free(n);
	crypto_key_unref(k);
}

/* ---- Allocation failure ---- */

struct alloc_case {
	enum crypto_curve c;
	uint8_t point[133], scalar[66];
	crypto_key *k;
	uint8_t *der;
	size_t len;
};

static CK_RV op_public(void *arg)
{
	struct alloc_case *a = arg;

	return crypto_ec_public(a->c, a->point, 1 + 2 * crypto_ec_size(a->c), &a->k);
}

static CK_RV op_private(void *arg)
{
	struct alloc_case *a = arg;

	return crypto_ec_private(a->c, a->scalar, crypto_ec_size(a->c), &a->k);
}

static CK_RV op_generate(void *arg)
{
	struct alloc_case *a = arg;

	return crypto_ec_generate(a->c, &a->k);
}

static void undo_key(void *arg)
{
	struct alloc_case *a = arg;

	crypto_key_unref(a->k);
	a->k = NULL;
}

static CK_RV op_spki(void *arg)
{
	struct alloc_case *a = arg;

	return crypto_key_spki(a->k, &a->der, &a->len);
}

static void undo_spki(void *arg)
{
	struct alloc_case *a = arg;

	port_free(a->der);
	a->der = NULL;
}

/*
 * Each allocation of the module's allocator fails in turn until the call
 * succeeds: every failure is CKR_HOST_MEMORY and leaves nothing behind
 * (ASan checks the leaks).
 */
static unsigned fail_each(CK_RV (*op)(void *), void (*undo)(void *), void *arg)
{
	unsigned long n;
	CK_RV rv;

	for (n = 1; n < 100; n++) {
		port_alloc_fail_after(n);
		rv = op(arg);
		port_alloc_fail_after(0);
		if (rv == CKR_OK) {
			undo(arg);
			return (unsigned)n - 1;
		}
		if (rv != CKR_HOST_MEMORY)
			fail_msg("allocation %lu failing gave 0x%lx", n, rv);
	}
	fail_msg("never succeeded");
	return 0;
}

static void test_alloc_failure(void **state)
{
	struct alloc_case a = { .c = CURVE_P384 };
	size_t len;

	(void)state;
	assert_int_equal(crypto_ec_generate(a.c, &a.k), CKR_OK);
	len = sizeof(a.point);
	assert_int_equal(crypto_ec_point(a.k, a.point, &len), CKR_OK);
	len = sizeof(a.scalar);
	assert_int_equal(crypto_ec_scalar(a.k, a.scalar, &len), CKR_OK);
	print_message("failures: spki %u", fail_each(op_spki, undo_spki, &a));
	crypto_key_unref(a.k);
	a.k = NULL;
	print_message(", public %u", fail_each(op_public, undo_key, &a));
	print_message(", private %u", fail_each(op_private, undo_key, &a));
	print_message(", generate %u\n", fail_each(op_generate, undo_key, &a));
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_curve_oids),
		cmocka_unit_test(test_curve_unsupported),
		cmocka_unit_test(test_curve_malformed),
		cmocka_unit_test(test_public_generator),
		cmocka_unit_test(test_public_invalid),
		cmocka_unit_test(test_private_range),
		cmocka_unit_test(test_spki),
		cmocka_unit_test(test_generate_sign_verify),
		cmocka_unit_test(test_ecdsa_truncation),
		cmocka_unit_test(test_ecdsa_order),
		cmocka_unit_test(test_alloc_failure),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
