/*
 * ECDSA verification and key validation against published vectors:
 * Wycheproof's P1363 (raw r||s) files for P-256, P-384 and P-521 (SECURITY.md
 * row 31) and NIST CAVP FIPS 186-3 SigVer, PKV and SigGen.
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

/* ---- Wycheproof ---- */

static void wycheproof_ecdsa(const char *file, enum crypto_curve want)
{
	json_object *root = vec_wycheproof(file), *groups = vec_get(root, "testGroups");
	unsigned valid = 0, invalid = 0, acceptable = 0, accepted = 0, keys = 0;
	size_t gi, ti;

	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		json_object *g = json_object_array_get_idx(groups, gi);
		json_object *pk = vec_get(g, "publicKey"), *tests = vec_get(g, "tests");
		enum crypto_hash h = vec_hash_named(vec_str(g, "sha"));
		uint8_t *point, *spki, *der = NULL;
		size_t plen = vec_unhex(vec_str(pk, "uncompressed"), &point), slen, dlen = 0;
		enum crypto_curve c = CURVE_COUNT;
		crypto_key *k = NULL;
		CK_RV krv;

		assert_true(vec_curve_named(vec_str(pk, "curve"), &c));
		assert_int_equal(c, want);
		krv = crypto_ec_public(c, point, plen, &k);
		if (krv == CKR_OK) {
			/* Our SubjectPublicKeyInfo is the file's, byte for byte. */
			keys++;
			slen = vec_unhex(vec_str(g, "publicKeyDer"), &spki);
			assert_int_equal(crypto_key_spki(k, &der, &dlen), CKR_OK);
			assert_int_equal(dlen, slen);
			assert_memory_equal(der, spki, slen);
			port_free(der);
			free(spki);
		} else {
			assert_int_equal(krv, CKR_ATTRIBUTE_VALUE_INVALID);
		}
		for (ti = 0; ti < json_object_array_length(tests); ti++) {
			json_object *t = json_object_array_get_idx(tests, ti);
			const char *result = vec_str(t, "result");
			int id = json_object_get_int(vec_get(t, "tcId"));
			uint8_t *msg, *sig, digest[CRYPTO_MAX_HASH_LEN];
			size_t mlen = vec_unhex(vec_str(t, "msg"), &msg);
			size_t siglen = vec_unhex(vec_str(t, "sig"), &sig);
			CK_RV rv = CKR_SIGNATURE_INVALID;

			if (k != NULL) {
				vec_hash(h, msg, mlen, digest);
				rv = crypto_verify(k, SIG_ECDSA, NULL, digest, crypto_hash_len(h),
						   sig, siglen);
			}
			if (strcmp(result, "valid") == 0) {
				valid++;
				if (rv != CKR_OK)
					fail_msg("%s tcId %d: valid signature refused (0x%lx)",
						 file, id, rv);
			} else if (strcmp(result, "invalid") == 0) {
				invalid++;
				if (rv != CKR_SIGNATURE_INVALID && rv != CKR_SIGNATURE_LEN_RANGE)
					fail_msg("%s tcId %d: invalid signature gave 0x%lx", file,
						 id, rv);
			} else {
				acceptable++;
				accepted += rv == CKR_OK;
			}
			free(msg);
			free(sig);
		}
		crypto_key_unref(k);
		free(point);
	}
	print_message("%s: %u valid, %u invalid, %u acceptable (%u accepted), %u keys\n", file,
		      valid, invalid, acceptable, accepted, keys);
	assert_true(valid > 0);
	assert_true(invalid > 0);
	json_object_put(root);
}

static void test_wycheproof_p256(void **state)
{
	(void)state;
	wycheproof_ecdsa("ecdsa_secp256r1_sha256_p1363_test.json", CURVE_P256);
}

static void test_wycheproof_p384(void **state)
{
	(void)state;
	wycheproof_ecdsa("ecdsa_secp384r1_sha384_p1363_test.json", CURVE_P384);
}

static void test_wycheproof_p521(void **state)
{
	(void)state;
	wycheproof_ecdsa("ecdsa_secp521r1_sha512_p1363_test.json", CURVE_P521);
}

/* ---- NIST CAVP (FIPS 186-3) ---- */

/* "[P-256,SHA-384]" to the curve (0 if not one of ours) and the hash. */
static int cavp_section(const char *section, enum crypto_curve *c, enum crypto_hash *h)
{
	char curve[16], hash[16];

	if (sscanf(section, "[%15[^,],%15[^]]]", curve, hash) != 2)
		fail_msg("bad section %s", section);
	if (!vec_curve_named(curve, c))
		return 0;
	*h = vec_hash_named(hash);
	return 1;
}

static void test_cavp_sigver(void **state)
{
	unsigned pass = 0, fail = 0, bad_keys = 0, skipped = 0, per_curve[CURVE_COUNT] = { 0 };
	struct rsp r;

	(void)state;
	rsp_open(&r, "asymmetric/ECDSA/FIPS_186-3/SigVer.rsp");
	while (rsp_next(&r)) {
		uint8_t point[133], sig[132], digest[CRYPTO_MAX_HASH_LEN], *msg;
		const char *result = rsp_need(&r, "Result");
		enum crypto_curve c = CURVE_COUNT;
		enum crypto_hash h = HASH_COUNT;
		crypto_key *k = NULL;
		size_t size, plen, mlen;
		CK_RV rv;

		if (!cavp_section(r.section, &c, &h)) {
			skipped++;
			continue;
		}
		size = crypto_ec_size(c);
		plen = vec_ec_point(c, rsp_need(&r, "Qx"), rsp_need(&r, "Qy"), point);
		vec_unhex_pad(rsp_need(&r, "R"), sig, size);
		vec_unhex_pad(rsp_need(&r, "S"), sig + size, size);
		mlen = vec_unhex(rsp_need(&r, "Msg"), &msg);
		vec_hash(h, msg, mlen, digest);
		free(msg);
		rv = crypto_ec_public(c, point, plen, &k);
		if (rv == CKR_OK) {
			rv = crypto_verify(k, SIG_ECDSA, NULL, digest, crypto_hash_len(h), sig,
					   2 * size);
			crypto_key_unref(k);
		} else {
			bad_keys++;
		}
		per_curve[c]++;
		if (result[0] == 'P') {
			pass++;
			if (rv != CKR_OK)
				fail_msg("%s R=%s: valid signature refused (0x%lx)", r.section,
					 rsp_get(&r, "R"), rv);
		} else {
			fail++;
			if (rv == CKR_OK)
				fail_msg("%s R=%s: accepted, expected %s", r.section,
					 rsp_get(&r, "R"), result);
		}
	}
	rsp_close(&r);
	print_message("CAVP ECDSA SigVer: %u pass, %u fail (%u refused keys), "
		      "P-256 %u, P-384 %u, P-521 %u; %u of other curves skipped\n",
		      pass, fail, bad_keys, per_curve[CURVE_P256], per_curve[CURVE_P384],
		      per_curve[CURVE_P521], skipped);
	assert_true(pass > 0 && fail > 0);
	assert_true(per_curve[CURVE_P256] > 0 && per_curve[CURVE_P384] > 0);
}

/* Public key validation: NIST's valid points import, its invalid ones
 * (coordinates out of range, points off the curve) do not. */
static void test_cavp_pkv(void **state)
{
	unsigned pass = 0, fail = 0, wide = 0, skipped = 0;
	struct rsp r;

	(void)state;
	rsp_open(&r, "asymmetric/ECDSA/FIPS_186-3/PKV.rsp");
	while (rsp_next(&r)) {
		const char *result = rsp_need(&r, "Result");
		uint8_t point[133];
		enum crypto_curve c = CURVE_COUNT;
		crypto_key *k = NULL;
		char name[16];
		size_t size;
		CK_RV rv = CKR_ATTRIBUTE_VALUE_INVALID;

		if (sscanf(r.section, "[%15[^]]]", name) != 1 || !vec_curve_named(name, &c)) {
			skipped++;
			continue;
		}
		size = crypto_ec_size(c);
		point[0] = 0x04;
		/* A coordinate wider than the field cannot even be written in
		 * the fixed-length form: refused by its length. */
		if (vec_unhex_fit(rsp_need(&r, "Qx"), point + 1, size) &&
		    vec_unhex_fit(rsp_need(&r, "Qy"), point + 1 + size, size))
			rv = crypto_ec_public(c, point, 1 + 2 * size, &k);
		else
			wide++;
		crypto_key_unref(k);
		if (result[0] == 'P') {
			pass++;
			if (rv != CKR_OK)
				fail_msg("%s Qx=%s: valid point refused (0x%lx)", r.section,
					 rsp_get(&r, "Qx"), rv);
		} else {
			fail++;
			if (rv != CKR_ATTRIBUTE_VALUE_INVALID)
				fail_msg("%s Qx=%s: gave 0x%lx, expected %s", r.section,
					 rsp_get(&r, "Qx"), rv, result);
		}
	}
	rsp_close(&r);
	print_message("CAVP ECDSA PKV: %u valid, %u invalid (%u wider than the field); "
		      "%u of other curves skipped\n",
		      pass, fail, wide, skipped);
	assert_true(pass > 0 && fail > wide);
}

/*
 * SigGen vectors give d: the public point computed from it must be the
 * file's Q, a signature made with it must verify with Q alone, and the
 * file's own (r, s) must verify too. (Our nonces are random, so our r, s
 * differ from the file's.)
 */
static void test_cavp_siggen(void **state)
{
	unsigned n = 0, skipped = 0;
	struct rsp r;

	(void)state;
	rsp_open(&r, "asymmetric/ECDSA/FIPS_186-3/SigGen.txt");
	while (rsp_next(&r)) {
		uint8_t q[133], got[133], sig[132], mine[132], digest[CRYPTO_MAX_HASH_LEN];
		uint8_t d[66], scalar[66], *msg;
		enum crypto_curve c = CURVE_COUNT;
		enum crypto_hash h = HASH_COUNT;
		crypto_key *priv = NULL, *pub = NULL;
		size_t size, qlen, mlen, len;

		if (!cavp_section(r.section, &c, &h)) {
			skipped++;
			continue;
		}
		size = crypto_ec_size(c);
		qlen = vec_ec_point(c, rsp_need(&r, "Qx"), rsp_need(&r, "Qy"), q);
		vec_unhex_pad(rsp_need(&r, "d"), d, size);
		vec_unhex_pad(rsp_need(&r, "R"), sig, size);
		vec_unhex_pad(rsp_need(&r, "S"), sig + size, size);
		mlen = vec_unhex(rsp_need(&r, "Msg"), &msg);
		vec_hash(h, msg, mlen, digest);
		free(msg);

		assert_int_equal(crypto_ec_private(c, d, size, &priv), CKR_OK);
		len = sizeof(got);
		assert_int_equal(crypto_ec_point(priv, got, &len), CKR_OK);
		assert_int_equal(len, qlen);
		assert_memory_equal(got, q, qlen);
		len = sizeof(scalar);
		assert_int_equal(crypto_ec_scalar(priv, scalar, &len), CKR_OK);
		assert_memory_equal(scalar, d, size);

		assert_int_equal(crypto_ec_public(c, q, qlen, &pub), CKR_OK);
		assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, crypto_hash_len(h),
					       sig, 2 * size),
				 CKR_OK);
		assert_int_equal(
			crypto_sign(priv, SIG_ECDSA, NULL, digest, crypto_hash_len(h), mine),
			CKR_OK);
		assert_int_equal(crypto_verify(pub, SIG_ECDSA, NULL, digest, crypto_hash_len(h),
					       mine, 2 * size),
				 CKR_OK);
		crypto_key_unref(pub);
		crypto_key_unref(priv);
		n++;
	}
	rsp_close(&r);
	print_message("CAVP ECDSA SigGen: %u keys and signatures on P-256/384/521, "
		      "%u of other curves skipped\n",
		      n, skipped);
	assert_true(n > 0);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wycheproof_p256),
		cmocka_unit_test(test_wycheproof_p384),
		cmocka_unit_test(test_wycheproof_p521),
		cmocka_unit_test(test_cavp_sigver),
		cmocka_unit_test(test_cavp_pkv),
		cmocka_unit_test(test_cavp_siggen),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
