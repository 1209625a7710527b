/*
 * P-224 (secp224r1) keys and ECDSA on the configured backend: the curve's
 * OID and sizes, NIST CAVP FIPS 186-3 KeyPair, PKV, SigVer and SigGen
 * records of P-224, key generation, signing and verification, and the
 * scalar range. (ECDH on P-224 is in test_crypto_kex.c.)
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

/* 1.3.132.0.33 */
static const uint8_t p224_oid[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21 };

#if IOT_WITH_P224

#define P224_N "ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d"
#define P224_N_MINUS_1 "ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3c"
#define P224_GX "b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21"
#define P224_GY "bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34"

static CK_RV private_hex(const char *hex, crypto_key **k)
{
	uint8_t *b;
	size_t n = vec_unhex(hex, &b);
	CK_RV rv = crypto_ec_private(CURVE_P224, b, n, k);

	free(b);
	return rv;
}

static void test_p224_curve(void **state)
{
	enum crypto_curve c = CURVE_COUNT;
	const uint8_t *der;
	size_t len = 0;

	(void)state;
	assert_int_equal(crypto_ec_curve(p224_oid, sizeof(p224_oid), &c), CKR_OK);
	assert_int_equal(c, CURVE_P224);
	der = crypto_ec_params(CURVE_P224, &len);
	assert_non_null(der);
	assert_int_equal(len, sizeof(p224_oid));
	assert_memory_equal(der, p224_oid, len);
	assert_int_equal(crypto_ec_size(CURVE_P224), 28);
	assert_int_equal(crypto_ec_bits(CURVE_P224), 224);
	/* The other curves keep their OIDs (the enum grew at its end). */
	assert_int_equal(crypto_ec_size(CURVE_P256), 32);
	assert_int_equal(crypto_ec_size(CURVE_P521), 66);
	/* secp224k1 (1.3.132.0.32), the neighbour, is still not taken. */
	{
		static const uint8_t k224[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x20 };

		assert_int_equal(crypto_ec_curve(k224, sizeof(k224), &c), CKR_CURVE_NOT_SUPPORTED);
	}
}

/* Sizes, SubjectPublicKeyInfo and the generator as a private key's point. */
static void test_p224_keys(void **state)
{
	/* RFC 5480: SEQUENCE { SEQUENCE { id-ecPublicKey, secp224r1 },
	 * BIT STRING (58 bytes: 0 unused bits, 04||X||Y) } */
	static const char spki_head[] = "304e301006072a8648ce3d020106052b81040021033a0004";
	uint8_t q[133], want[57], *der = NULL, *head;
	size_t qlen = sizeof(q), dlen = 0, hlen, slen = sizeof(q);
	crypto_key *k = NULL, *pub = NULL, *gen = NULL;

	(void)state;
	assert_int_equal(private_hex("01", &k), CKR_OK);
	assert_int_equal(crypto_ec_point(k, q, &qlen), CKR_OK);
	assert_int_equal(qlen, 57);
	want[0] = 0x04;
	vec_unhex_pad(P224_GX, want + 1, 28);
	vec_unhex_pad(P224_GY, want + 29, 28);
	assert_memory_equal(q, want, 57);
	assert_int_equal(crypto_key_bits(k), 224);
	assert_int_equal(crypto_sig_len(k), 56);
	assert_int_equal(crypto_ec_scalar(k, q, &slen), CKR_OK);
	assert_int_equal(slen, 28);
	assert_int_equal(q[27], 1);

	assert_int_equal(crypto_ec_public(CURVE_P224, want, 57, &pub), CKR_OK);
	assert_int_equal(crypto_key_spki(pub, &der, &dlen), CKR_OK);
	hlen = vec_unhex(spki_head, &head);
	assert_int_equal(dlen, hlen + 56);
	assert_memory_equal(der, head, hlen);
	assert_memory_equal(der + hlen, want + 1, 56);
	port_free(der);
	free(head);

	/* A P-256 length or point is not a P-224 point; off the curve is
	 * refused too. */
	assert_int_equal(crypto_ec_public(CURVE_P224, want, 56, &gen), CKR_ATTRIBUTE_VALUE_INVALID);
	want[56] ^= 1;
	assert_int_equal(crypto_ec_public(CURVE_P224, want, 57, &gen), CKR_ATTRIBUTE_VALUE_INVALID);

	/* d in [1, n-1]. */
	assert_int_equal(private_hex(P224_N, &gen), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(private_hex("00", &gen), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(private_hex("01" P224_N, &gen), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(private_hex(P224_N_MINUS_1, &gen), CKR_OK);
	crypto_key_unref(gen);
	crypto_key_unref(pub);
	crypto_key_unref(k);
}

static void test_p224_sign_verify(void **state)
{
	uint8_t digest[64], sig[56], q[57];
	size_t qlen = sizeof(q), n, i;
	crypto_key *k = NULL, *pub = NULL;
	enum crypto_curve c = CURVE_COUNT;

	(void)state;
	assert_int_equal(crypto_ec_generate(CURVE_P224, &k), CKR_OK);
	assert_int_equal(crypto_key_curve(k, &c), CKR_OK);
	assert_int_equal(c, CURVE_P224);
	assert_int_equal(crypto_ec_point(k, q, &qlen), CKR_OK);
	assert_int_equal(crypto_ec_public(CURVE_P224, q, qlen, &pub), CKR_OK);
	assert_int_equal(crypto_random(digest, sizeof(digest)), CKR_OK);
	/* SHA-1 to SHA-512 lengths: longer inputs are truncated to 224 bits. */
	for (n = 20; n <= 64; n += 4) {
		assert_int_equal(crypto_sign(k, SIG_ECDSA, NULL, digest, n, sig), CKR_OK);
		assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, n, sig, 56), CKR_OK);
		assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, digest, n, sig, 56), CKR_OK);
		if (n > 28)
			assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 28, sig, 56),
					 CKR_OK);
		assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, n, sig, 55),
				 CKR_SIGNATURE_LEN_RANGE);
		assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, n, sig, 64),
				 CKR_SIGNATURE_LEN_RANGE);
		for (i = 0; i < 56; i += 27) {
			sig[i] ^= 0x10;
			assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, n, sig, 56),
					 CKR_SIGNATURE_INVALID);
			sig[i] ^= 0x10;
		}
		digest[0] ^= 1;
		assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, n, sig, 56),
				 CKR_SIGNATURE_INVALID);
	}
	/* r or s of 0 or n. */
	memset(sig, 0, sizeof(sig));
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 28, sig, 56),
			 CKR_SIGNATURE_INVALID);
	vec_unhex_pad(P224_N, sig, 28);
	vec_unhex_pad("01", sig + 28, 28);
	assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, 28, sig, 56),
			 CKR_SIGNATURE_INVALID);
	crypto_key_unref(pub);
	crypto_key_unref(k);
}

/* ---- NIST CAVP (FIPS 186-3) ---- */

/* "[P-224,SHA-384]" to the hash; 0 for other curves. */
static int p224_section(const char *section, enum crypto_hash *h)
{
	char hash[16];

	if (strncmp(section, "[P-224,", 7) != 0)
		return 0;
	if (sscanf(section + 7, "%15[^]]]", hash) != 1)
		fail_msg("bad section %s", section);
	*h = vec_hash_named(hash);
	return 1;
}

static void test_p224_cavp_sigver(void **state)
{
	unsigned pass = 0, fail = 0, bad_keys = 0, hashes[HASH_COUNT] = { 0 };
	struct rsp r;

	(void)state;
	rsp_open(&r, "asymmetric/ECDSA/FIPS_186-3/SigVer.rsp");
	while (rsp_next(&r)) {
		uint8_t point[57], sig[56], digest[CRYPTO_MAX_HASH_LEN], *msg;
		const char *result = rsp_need(&r, "Result");
		enum crypto_hash h = HASH_COUNT;
		crypto_key *k = NULL;
		size_t plen, mlen;
		CK_RV rv;

		if (!p224_section(r.section, &h))
			continue;
		plen = vec_ec_point(CURVE_P224, rsp_need(&r, "Qx"), rsp_need(&r, "Qy"), point);
		vec_unhex_pad(rsp_need(&r, "R"), sig, 28);
		vec_unhex_pad(rsp_need(&r, "S"), sig + 28, 28);
		mlen = vec_unhex(rsp_need(&r, "Msg"), &msg);
		vec_hash(h, msg, mlen, digest);
		free(msg);
		rv = crypto_ec_public(CURVE_P224, point, plen, &k);
		if (rv == CKR_OK) {
			rv = crypto_verify(k, SIG_ECDSA, NULL, digest, crypto_hash_len(h), sig, 56);
			crypto_key_unref(k);
		} else {
			assert_int_equal(rv, CKR_ATTRIBUTE_VALUE_INVALID);
			bad_keys++;
		}
		hashes[h]++;
		if (result[0] == 'P') {
			pass++;
			if (rv != CKR_OK)
				fail_msg("%s R=%s: valid signature refused (0x%lx)", r.section,
					 rsp_get(&r, "R"), rv);
		} else {
			fail++;
			if (rv != CKR_SIGNATURE_INVALID && rv != CKR_ATTRIBUTE_VALUE_INVALID)
				fail_msg("%s R=%s: gave 0x%lx, expected %s", r.section,
					 rsp_get(&r, "R"), rv, result);
		}
	}
	rsp_close(&r);
	print_message("CAVP P-224 SigVer: %u pass, %u fail (%u refused keys); SHA-1 %u, "
		      "SHA-224 %u, SHA-256 %u, SHA-384 %u, SHA-512 %u\n",
		      pass, fail, bad_keys, hashes[HASH_SHA1], hashes[HASH_SHA224],
		      hashes[HASH_SHA256], hashes[HASH_SHA384], hashes[HASH_SHA512]);
	assert_true(pass > 0 && fail > 0);
	for (int i = 0; i < HASH_COUNT; i++)
		assert_true(hashes[i] > 0);
}

static void test_p224_cavp_siggen(void **state)
{
	unsigned n = 0;
	struct rsp r;

	(void)state;
	rsp_open(&r, "asymmetric/ECDSA/FIPS_186-3/SigGen.txt");
	while (rsp_next(&r)) {
		uint8_t q[57], got[57], sig[56], mine[56], digest[CRYPTO_MAX_HASH_LEN], d[28], *msg;
		enum crypto_hash h = HASH_COUNT;
		crypto_key *priv = NULL, *pub = NULL;
		size_t qlen, mlen, len = sizeof(got);

		if (!p224_section(r.section, &h))
			continue;
		qlen = vec_ec_point(CURVE_P224, rsp_need(&r, "Qx"), rsp_need(&r, "Qy"), q);
		vec_unhex_pad(rsp_need(&r, "d"), d, 28);
		vec_unhex_pad(rsp_need(&r, "R"), sig, 28);
		vec_unhex_pad(rsp_need(&r, "S"), sig + 28, 28);
		mlen = vec_unhex(rsp_need(&r, "Msg"), &msg);
		vec_hash(h, msg, mlen, digest);
		free(msg);

		assert_int_equal(crypto_ec_private(CURVE_P224, d, 28, &priv), CKR_OK);
		assert_int_equal(crypto_ec_point(priv, got, &len), CKR_OK);
		assert_int_equal(len, qlen);
		assert_memory_equal(got, q, qlen);
		assert_int_equal(crypto_ec_public(CURVE_P224, q, qlen, &pub), CKR_OK);
		assert_int_equal(
			crypto_verify(pub, SIG_ECDSA, NULL, digest, crypto_hash_len(h), sig, 56),
			CKR_OK);
		assert_int_equal(
			crypto_sign(priv, SIG_ECDSA, NULL, digest, crypto_hash_len(h), mine),
			CKR_OK);
		assert_int_equal(
			crypto_verify(pub, SIG_ECDSA, NULL, digest, crypto_hash_len(h), mine, 56),
			CKR_OK);
		crypto_key_unref(pub);
		crypto_key_unref(priv);
		n++;
	}
	rsp_close(&r);
	print_message("CAVP P-224 SigGen: %u keys and signatures\n", n);
	assert_true(n >= 50);
}

/* PKV: valid points import, invalid ones (off the curve, coordinates out
 * of range) do not. */
static void test_p224_cavp_pkv(void **state)
{
	unsigned pass = 0, fail = 0;
	struct rsp r;

	(void)state;
	rsp_open(&r, "asymmetric/ECDSA/FIPS_186-3/PKV.rsp");
	while (rsp_next(&r)) {
		const char *result = rsp_need(&r, "Result");
		uint8_t point[57];
		crypto_key *k = NULL;
		CK_RV rv = CKR_ATTRIBUTE_VALUE_INVALID;

		if (strcmp(r.section, "[P-224]") != 0)
			continue;
		point[0] = 0x04;
		if (vec_unhex_fit(rsp_need(&r, "Qx"), point + 1, 28) &&
		    vec_unhex_fit(rsp_need(&r, "Qy"), point + 29, 28))
			rv = crypto_ec_public(CURVE_P224, point, 57, &k);
		crypto_key_unref(k);
		if (result[0] == 'P') {
			pass++;
			assert_int_equal(rv, CKR_OK);
		} else {
			fail++;
			assert_int_equal(rv, CKR_ATTRIBUTE_VALUE_INVALID);
		}
	}
	rsp_close(&r);
	print_message("CAVP P-224 PKV: %u valid, %u invalid\n", pass, fail);
	assert_true(pass > 0 && fail > 0);
}

/* KeyPair: d to Q. The file's curve headers are followed by another
 * section header, so the curve is counted by its "N = " records. */
static void test_p224_cavp_keypair(void **state)
{
	static const char *const order[] = { "P-192", "P-224", "P-256", "P-384", "P-521" };
	unsigned n = 0;
	int curve = -1;
	struct rsp r;

	(void)state;
	rsp_open(&r, "asymmetric/ECDSA/FIPS_186-3/KeyPair.rsp");
	while (rsp_next(&r)) {
		uint8_t q[57], got[57];
		crypto_key *k = NULL;
		size_t len = sizeof(got);

		if (rsp_get(&r, "N") != NULL) {
			curve++;
			continue;
		}
		/* The K- and B- curves come after P-521. */
		assert_true(curve >= 0);
		if (curve >= 5 || strcmp(order[curve], "P-224") != 0)
			continue;
		assert_int_equal(
			vec_ec_point(CURVE_P224, rsp_need(&r, "Qx"), rsp_need(&r, "Qy"), q), 57);
		assert_int_equal(private_hex(rsp_need(&r, "d"), &k), CKR_OK);
		assert_int_equal(crypto_ec_point(k, got, &len), CKR_OK);
		assert_int_equal(len, 57);
		assert_memory_equal(got, q, 57);
		crypto_key_unref(k);
		n++;
	}
	rsp_close(&r);
	print_message("CAVP P-224 KeyPair: %u keys\n", n);
	assert_int_equal(n, 10);
}

#else /* !IOT_WITH_P224 */

/* Without P-224 its OID is one more curve the token does not have. */
static void test_p224_absent(void **state)
{
	enum crypto_curve c = CURVE_COUNT;
	crypto_key *k = NULL;
	static const uint8_t one = 1;

	(void)state;
	assert_int_equal(crypto_ec_curve(p224_oid, sizeof(p224_oid), &c), CKR_CURVE_NOT_SUPPORTED);
	assert_int_equal(crypto_ec_size(CURVE_P224), 0);
	assert_int_equal(crypto_ec_generate(CURVE_P224, &k), CKR_CURVE_NOT_SUPPORTED);
	assert_int_equal(crypto_ec_private(CURVE_P224, &one, 1, &k), CKR_CURVE_NOT_SUPPORTED);
}

#endif

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
#if IOT_WITH_P224
		cmocka_unit_test(test_p224_curve),
		cmocka_unit_test(test_p224_keys),
		cmocka_unit_test(test_p224_sign_verify),
		cmocka_unit_test(test_p224_cavp_sigver),
		cmocka_unit_test(test_p224_cavp_siggen),
		cmocka_unit_test(test_p224_cavp_pkv),
		cmocka_unit_test(test_p224_cavp_keypair),
#else
		cmocka_unit_test(test_p224_absent),
#endif
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
