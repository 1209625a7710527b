/*
 * Unit tests of encryption at rest (src/store/seal.c) and of the crypto
 * primitives under it: known answers for PBKDF2-HMAC-SHA256 and
 * AES-256-GCM, TMK wrapping, attribute sealing and its associated data, and
 * the KDF parameters SECURITY.md row 18 asks a unit test to assert.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "crypto/crypto.h"
#include "store/seal.h"
#include "store/store.h"

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex) / 2, i;

	assert_int_equal(strlen(hex) % 2, 0);
	assert_true(n <= max);
	for (i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static int contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	return memmem(hay, n, needle, m) != NULL;
}

/* ---- PBKDF2-HMAC-SHA256 ---- */

/* RFC 7914 section 11, the two PBKDF2-HMAC-SHA256 vectors. */
static void test_pbkdf2_rfc7914(void **state)
{
	static const uint8_t want1[64] = {
		0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91, 0xc2, 0x25,
		0x44, 0xb6, 0x05, 0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde, 0x04, 0x65, 0xe6, 0x8b,
		0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc, 0x49, 0xca, 0x9c, 0xcc, 0xf1, 0x79, 0xb6,
		0x45, 0x99, 0x16, 0x64, 0xb3, 0x9d, 0x77, 0xef, 0x31, 0x7c, 0x71, 0xb8, 0x45,
		0xb1, 0xe3, 0x0b, 0xd5, 0x09, 0x11, 0x20, 0x41, 0xd3, 0xa1, 0x97, 0x83,
	};
	static const uint8_t want2[64] = {
		0x4d, 0xdc, 0xd8, 0xf6, 0x0b, 0x98, 0xbe, 0x21, 0x83, 0x0c, 0xee, 0x5e, 0xf2,
		0x27, 0x01, 0xf9, 0x64, 0x1a, 0x44, 0x18, 0xd0, 0x4c, 0x04, 0x14, 0xae, 0xff,
		0x08, 0x87, 0x6b, 0x34, 0xab, 0x56, 0xa1, 0xd4, 0x25, 0xa1, 0x22, 0x58, 0x33,
		0x54, 0x9a, 0xdb, 0x84, 0x1b, 0x51, 0xc9, 0xb3, 0x17, 0x6a, 0x27, 0x2b, 0xde,
		0xbb, 0xa1, 0xd0, 0x78, 0x47, 0x8f, 0x62, 0xb3, 0x97, 0xf3, 0x3c, 0x8d,
	};
	uint8_t out[64];

	(void)state;
	memset(out, 0, sizeof(out));
	assert_int_equal(crypto_pbkdf2_sha256((const uint8_t *)"passwd", 6, (const uint8_t *)"salt",
					      4, 1, out, 64),
			 CKR_OK);
	assert_memory_equal(out, want1, 64);
	memset(out, 0, sizeof(out));
	assert_int_equal(crypto_pbkdf2_sha256((const uint8_t *)"Password", 8,
					      (const uint8_t *)"NaCl", 4, 80000, out, 64),
			 CKR_OK);
	assert_memory_equal(out, want2, 64);
	/* A shorter output is a prefix of the longer one. */
	memset(out, 0, sizeof(out));
	assert_int_equal(crypto_pbkdf2_sha256((const uint8_t *)"passwd", 6, (const uint8_t *)"salt",
					      4, 1, out, 32),
			 CKR_OK);
	assert_memory_equal(out, want1, 32);
}

static void test_pbkdf2_bad_arguments(void **state)
{
	uint8_t out[32];

	(void)state;
	assert_int_equal(crypto_pbkdf2_sha256((const uint8_t *)"pin", 3, (const uint8_t *)"s", 1, 0,
					      out, sizeof(out)),
			 CKR_ARGUMENTS_BAD);
}

static void test_kek_derive_matches_pbkdf2(void **state)
{
	static const uint8_t pin[] = "123456";
	uint8_t salt[STORE_SALT_LEN], kek[SEAL_KEK_LEN], ref[SEAL_KEK_LEN], want[32];
	size_t i;

	(void)state;
	for (i = 0; i < STORE_SALT_LEN; i++)
		salt[i] = (uint8_t)i;
	/* Computed independently (Python hashlib.pbkdf2_hmac("sha256",
	 * b"123456", bytes(range(16)), 1000, 32)). */
	unhex("6e3849111be8d3070634220666e93c55dbfd75e923f34d35716805464c0a7eaf", want,
	      sizeof(want));
	assert_int_equal(seal_kek_derive(pin, 6, salt, 1000, kek), CKR_OK);
	assert_memory_equal(kek, want, SEAL_KEK_LEN);
	assert_int_equal(crypto_pbkdf2_sha256(pin, 6, salt, STORE_SALT_LEN, 1000, ref, 32), CKR_OK);
	assert_memory_equal(kek, ref, SEAL_KEK_LEN);
	/* The whole 16-byte salt counts: a change in its last byte changes the
	 * key. */
	salt[STORE_SALT_LEN - 1] ^= 1;
	assert_int_equal(seal_kek_derive(pin, 6, salt, 1000, ref), CKR_OK);
	assert_memory_not_equal(kek, ref, SEAL_KEK_LEN);
	salt[STORE_SALT_LEN - 1] ^= 1;
	/* The iteration count counts. */
	assert_int_equal(seal_kek_derive(pin, 6, salt, 1001, ref), CKR_OK);
	assert_memory_not_equal(kek, ref, SEAL_KEK_LEN);
	/* And the PIN. */
	assert_int_equal(seal_kek_derive((const uint8_t *)"123457", 6, salt, 1000, ref), CKR_OK);
	assert_memory_not_equal(kek, ref, SEAL_KEK_LEN);
}

/* ---- AES-256-GCM known answers ---- */

struct gcm_vector {
	int tc_id; /* Wycheproof aes_gcm_test.json tcId */
	const char *key, *iv, *aad, *msg, *ct, *tag;
};

/* Valid cases from the 256-bit key, 96-bit IV, 128-bit tag group. */
static const struct gcm_vector gcm_vectors[] = {
	{ 91, "92ace3e348cd821092cd921aa3546374299ab46209691bc28b8752d17f123c20",
	  "00112233445566778899aabb", "00000000ffffffff", "00010203040506070809",
	  "e27abdd2d2a53d2f136b", "9a4a2579529301bcfb71c78d4060f52c" },
	{ 92, "29d3a44f8723dc640239100c365423a312934ac80239212ac3df3421a2098123",
	  "00112233445566778899aabb", "aabbccddeeff", "", "", "2a7d77fa526b8250cb296078926b5020" },
	{ 94, "cc56b680552eb75008f5484b4cb803fa5063ebd6eab91f6ab6aef4916a766273",
	  "99e23ec48985bccdeeab60f1", "", "2a", "06", "633c1e9703ef744ffffb40edf9d14355" },
	{ 104, "6efca98126918ab564d88c6bec02e8998b2be50e3f906ff9adfdd185f373e756",
	  "4abd6cfc83bd06b11efaa2a7", "",
	  "bbec79c086d41e602d090f7e40494d6bf3faa1dc6df0ab8a88ea5d35d426b248"
	  "c2ad880351e223f6170d37cc9655e10459e59cbd6d1c092ed31d72ccc7af20",
	  "97b4c73a4d8b5b21bc4b50dbb70dfa77b1a7bf0bbe7cf16ecf5bb60ba8070acc"
	  "5740780435ed145a62a613dd9881b721168fbb3f5af385ee5d4f856cf93cba",
	  "27ac8c4010d8e81b7051ceb06b30fe2d" },
};

static void test_aead_known_answers(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(gcm_vectors) / sizeof(gcm_vectors[0]); i++) {
		const struct gcm_vector *v = &gcm_vectors[i];
		uint8_t key[32], iv[12], aad[64], msg[128], ct[128], tag[16];
		uint8_t out[128], outtag[16];
		size_t aadlen, n;

		print_message("Wycheproof aes_gcm tcId %d\n", v->tc_id);
		assert_int_equal(unhex(v->key, key, sizeof(key)), 32);
		assert_int_equal(unhex(v->iv, iv, sizeof(iv)), 12);
		aadlen = unhex(v->aad, aad, sizeof(aad));
		n = unhex(v->msg, msg, sizeof(msg));
		assert_int_equal(unhex(v->ct, ct, sizeof(ct)), n);
		assert_int_equal(unhex(v->tag, tag, sizeof(tag)), 16);

		memset(out, 0xaa, sizeof(out));
		assert_int_equal(crypto_aead_seal(key, iv, aadlen ? aad : NULL, aadlen,
						  n ? msg : NULL, n, out, outtag),
				 CKR_OK);
		if (n > 0)
			assert_memory_equal(out, ct, n);
		assert_memory_equal(outtag, tag, 16);

		memset(out, 0xaa, sizeof(out));
		assert_int_equal(crypto_aead_open(key, iv, aadlen ? aad : NULL, aadlen,
						  n ? ct : NULL, n, tag, out),
				 CKR_OK);
		if (n > 0)
			assert_memory_equal(out, msg, n);

		/* A flipped tag bit (as Wycheproof's ModifiedTag cases) fails and
		 * leaves nothing usable in out. */
		tag[0] ^= 1;
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(crypto_aead_open(key, iv, aadlen ? aad : NULL, aadlen,
						  n ? ct : NULL, n, tag, out),
				 CKR_ENCRYPTED_DATA_INVALID);
		if (n > 0) {
			uint8_t zero[128] = { 0 };

			assert_memory_equal(out, zero, n);
		}
		tag[0] ^= 1;
		/* So does a changed ciphertext or associated data. */
		if (n > 0) {
			ct[n - 1] ^= 0x80;
			assert_int_equal(crypto_aead_open(key, iv, aad, aadlen, ct, n, tag, out),
					 CKR_ENCRYPTED_DATA_INVALID);
			ct[n - 1] ^= 0x80;
		}
		if (aadlen > 0) {
			assert_int_equal(crypto_aead_open(key, iv, aad, aadlen - 1, n ? ct : NULL,
							  n, tag, out),
					 CKR_ENCRYPTED_DATA_INVALID);
		}
	}
}

/* ---- TMK wrapping ---- */

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 13 * i);
}

static void test_tmk_round_trip(void **state)
{
	uint8_t kek[SEAL_KEK_LEN], tmk[SEAL_TMK_LEN], got[SEAL_TMK_LEN];
	uint8_t w1[STORE_WRAPPED_LEN], w2[STORE_WRAPPED_LEN];
	int role;

	(void)state;
	assert_int_equal(STORE_WRAPPED_LEN, CRYPTO_AEAD_NONCE_LEN + SEAL_TMK_LEN + 16);
	fill(kek, sizeof(kek), 1);
	fill(tmk, sizeof(tmk), 2);
	for (role = STORE_ROLE_SO; role < STORE_ROLES; role++) {
		assert_int_equal(seal_tmk_wrap(kek, role, tmk, w1), CKR_OK);
		assert_false(contains(w1, sizeof(w1), tmk, 8));
		memset(got, 0, sizeof(got));
		assert_int_equal(seal_tmk_unwrap(kek, role, w1, got), CKR_OK);
		assert_memory_equal(got, tmk, SEAL_TMK_LEN);
		/* A fresh nonce per wrap. */
		assert_int_equal(seal_tmk_wrap(kek, role, tmk, w2), CKR_OK);
		assert_memory_not_equal(w1, w2, CRYPTO_AEAD_NONCE_LEN);
		assert_memory_not_equal(w1, w2, STORE_WRAPPED_LEN);
		assert_int_equal(seal_tmk_unwrap(kek, role, w2, got), CKR_OK);
		assert_memory_equal(got, tmk, SEAL_TMK_LEN);
	}
}

static void test_tmk_wrong_kek(void **state)
{
	uint8_t kek[SEAL_KEK_LEN], tmk[SEAL_TMK_LEN], got[SEAL_TMK_LEN];
	uint8_t w[STORE_WRAPPED_LEN];
	size_t bit;

	(void)state;
	fill(kek, sizeof(kek), 3);
	fill(tmk, sizeof(tmk), 4);
	assert_int_equal(seal_tmk_wrap(kek, STORE_ROLE_USER, tmk, w), CKR_OK);
	/* Every single-bit change of the KEK. */
	for (bit = 0; bit < SEAL_KEK_LEN * 8; bit++) {
		kek[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(seal_tmk_unwrap(kek, STORE_ROLE_USER, w, got), CKR_PIN_INCORRECT);
		kek[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* A KEK derived from another PIN. */
	{
		uint8_t salt[STORE_SALT_LEN] = { 0 }, k1[SEAL_KEK_LEN], k2[SEAL_KEK_LEN];

		assert_int_equal(seal_kek_derive((const uint8_t *)"1234", 4, salt, 1000, k1),
				 CKR_OK);
		assert_int_equal(seal_kek_derive((const uint8_t *)"1235", 4, salt, 1000, k2),
				 CKR_OK);
		assert_int_equal(seal_tmk_wrap(k1, STORE_ROLE_USER, tmk, w), CKR_OK);
		assert_int_equal(seal_tmk_unwrap(k2, STORE_ROLE_USER, w, got), CKR_PIN_INCORRECT);
		assert_int_equal(seal_tmk_unwrap(k1, STORE_ROLE_USER, w, got), CKR_OK);
		assert_memory_equal(got, tmk, SEAL_TMK_LEN);
	}
}

static void test_tmk_role_mismatch(void **state)
{
	uint8_t kek[SEAL_KEK_LEN], tmk[SEAL_TMK_LEN], got[SEAL_TMK_LEN];
	uint8_t w[STORE_WRAPPED_LEN];

	(void)state;
	fill(kek, sizeof(kek), 5);
	fill(tmk, sizeof(tmk), 6);
	assert_int_equal(seal_tmk_wrap(kek, 0, tmk, w), CKR_OK);
	assert_int_equal(seal_tmk_unwrap(kek, 1, w, got), CKR_PIN_INCORRECT);
	assert_int_equal(seal_tmk_unwrap(kek, 0, w, got), CKR_OK);
	assert_int_equal(seal_tmk_wrap(kek, 1, tmk, w), CKR_OK);
	assert_int_equal(seal_tmk_unwrap(kek, 0, w, got), CKR_PIN_INCORRECT);
}

static void test_tmk_every_bit_flip(void **state)
{
	uint8_t kek[SEAL_KEK_LEN], tmk[SEAL_TMK_LEN], got[SEAL_TMK_LEN];
	uint8_t w[STORE_WRAPPED_LEN];
	size_t bit;

	(void)state;
	fill(kek, sizeof(kek), 7);
	fill(tmk, sizeof(tmk), 8);
	assert_int_equal(seal_tmk_wrap(kek, STORE_ROLE_SO, tmk, w), CKR_OK);
	for (bit = 0; bit < STORE_WRAPPED_LEN * 8; bit++) {
		w[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(seal_tmk_unwrap(kek, STORE_ROLE_SO, w, got), CKR_PIN_INCORRECT);
		w[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	assert_int_equal(seal_tmk_unwrap(kek, STORE_ROLE_SO, w, got), CKR_OK);
	assert_memory_equal(got, tmk, SEAL_TMK_LEN);
}

/* ---- attribute sealing ---- */

static const uint8_t ac5[5] = { 4, 1, 1, 1, 0 };

static void test_attr_round_trip(void **state)
{
	uint8_t tmk[SEAL_TMK_LEN], in[300], blob[300 + SEAL_OVERHEAD], out[300];
	size_t n;

	(void)state;
	fill(tmk, sizeof(tmk), 9);
	fill(in, sizeof(in), 10);
	for (n = 0; n <= sizeof(in); n += (n < 40 ? 1 : 37)) {
		memset(blob, 0, sizeof(blob));
		assert_int_equal(
			seal_attr(tmk, 42, CKA_VALUE, ac5, sizeof(ac5), n ? in : NULL, n, blob),
			CKR_OK);
		memset(out, 0, sizeof(out));
		assert_int_equal(seal_attr_open(tmk, 42, CKA_VALUE, ac5, sizeof(ac5), blob,
						n + SEAL_OVERHEAD, out),
				 CKR_OK);
		if (n > 0)
			assert_memory_equal(out, in, n);
	}
	/* No access-control bytes at all works too. */
	assert_int_equal(seal_attr(tmk, 1, CKA_LABEL, NULL, 0, in, 16, blob), CKR_OK);
	assert_int_equal(seal_attr_open(tmk, 1, CKA_LABEL, NULL, 0, blob, 16 + SEAL_OVERHEAD, out),
			 CKR_OK);
	assert_memory_equal(out, in, 16);
}

static void test_attr_binding(void **state)
{
	uint8_t tmk[SEAL_TMK_LEN], other[SEAL_TMK_LEN], in[32], blob[32 + SEAL_OVERHEAD];
	uint8_t out[32], ac[sizeof(ac5)];
	const size_t n = sizeof(blob);
	size_t i, bit;

	(void)state;
	fill(tmk, sizeof(tmk), 11);
	fill(in, sizeof(in), 12);
	assert_int_equal(seal_attr(tmk, 7, CKA_PRIVATE_EXPONENT, ac5, 5, in, 32, blob), CKR_OK);
	assert_int_equal(seal_attr_open(tmk, 7, CKA_PRIVATE_EXPONENT, ac5, 5, blob, n, out),
			 CKR_OK);
	assert_memory_equal(out, in, 32);
	/* Another object id. */
	assert_int_equal(seal_attr_open(tmk, 8, CKA_PRIVATE_EXPONENT, ac5, 5, blob, n, out),
			 CKR_DEVICE_ERROR);
	assert_int_equal(
		seal_attr_open(tmk, 7 | (1ull << 63), CKA_PRIVATE_EXPONENT, ac5, 5, blob, n, out),
		CKR_DEVICE_ERROR);
	assert_int_equal(seal_attr_open(tmk, 0, CKA_PRIVATE_EXPONENT, ac5, 5, blob, n, out),
			 CKR_DEVICE_ERROR);
	/* Another attribute type. */
	assert_int_equal(seal_attr_open(tmk, 7, CKA_PRIME_1, ac5, 5, blob, n, out),
			 CKR_DEVICE_ERROR);
	assert_int_equal(seal_attr_open(tmk, 7, CKA_VALUE, ac5, 5, blob, n, out), CKR_DEVICE_ERROR);
	/* Any bit of the access-control bytes, and their length. */
	for (i = 0; i < sizeof(ac5); i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(ac, ac5, sizeof(ac));
			ac[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(
				seal_attr_open(tmk, 7, CKA_PRIVATE_EXPONENT, ac, 5, blob, n, out),
				CKR_DEVICE_ERROR);
		}
	}
	assert_int_equal(seal_attr_open(tmk, 7, CKA_PRIVATE_EXPONENT, ac5, 4, blob, n, out),
			 CKR_DEVICE_ERROR);
	assert_int_equal(seal_attr_open(tmk, 7, CKA_PRIVATE_EXPONENT, NULL, 0, blob, n, out),
			 CKR_DEVICE_ERROR);
	/* Another TMK. */
	memcpy(other, tmk, sizeof(other));
	other[31] ^= 1;
	assert_int_equal(seal_attr_open(other, 7, CKA_PRIVATE_EXPONENT, ac5, 5, blob, n, out),
			 CKR_DEVICE_ERROR);
	/* Every bit of the sealed blob. */
	for (bit = 0; bit < n * 8; bit++) {
		blob[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(seal_attr_open(tmk, 7, CKA_PRIVATE_EXPONENT, ac5, 5, blob, n, out),
				 CKR_DEVICE_ERROR);
		blob[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* A truncated or extended blob. */
	assert_int_equal(seal_attr_open(tmk, 7, CKA_PRIVATE_EXPONENT, ac5, 5, blob, n - 1, out),
			 CKR_DEVICE_ERROR);
	assert_int_equal(
		seal_attr_open(tmk, 7, CKA_PRIVATE_EXPONENT, ac5, 5, blob, SEAL_OVERHEAD - 1, out),
		CKR_DEVICE_ERROR);
	assert_int_equal(seal_attr_open(tmk, 7, CKA_PRIVATE_EXPONENT, ac5, 5, blob, 0, out),
			 CKR_DEVICE_ERROR);
	/* Still opens untouched. */
	assert_int_equal(seal_attr_open(tmk, 7, CKA_PRIVATE_EXPONENT, ac5, 5, blob, n, out),
			 CKR_OK);
	assert_memory_equal(out, in, 32);
}

static void test_attr_empty_value_is_authenticated(void **state)
{
	uint8_t tmk[SEAL_TMK_LEN], blob[SEAL_OVERHEAD], out[1];
	size_t bit;

	(void)state;
	fill(tmk, sizeof(tmk), 13);
	assert_int_equal(seal_attr(tmk, 3, CKA_VALUE, ac5, 5, NULL, 0, blob), CKR_OK);
	assert_int_equal(seal_attr_open(tmk, 3, CKA_VALUE, ac5, 5, blob, SEAL_OVERHEAD, out),
			 CKR_OK);
	assert_int_equal(seal_attr_open(tmk, 4, CKA_VALUE, ac5, 5, blob, SEAL_OVERHEAD, out),
			 CKR_DEVICE_ERROR);
	for (bit = 0; bit < SEAL_OVERHEAD * 8; bit++) {
		blob[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(
			seal_attr_open(tmk, 3, CKA_VALUE, ac5, 5, blob, SEAL_OVERHEAD, out),
			CKR_DEVICE_ERROR);
		blob[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
}

static void test_attr_fresh_nonce_no_plaintext(void **state)
{
	uint8_t tmk[SEAL_TMK_LEN], in[64], b1[64 + SEAL_OVERHEAD], b2[64 + SEAL_OVERHEAD];
	uint8_t out[64];

	(void)state;
	fill(tmk, sizeof(tmk), 14);
	memset(in, 'K', sizeof(in)); /* easy to spot */
	assert_int_equal(seal_attr(tmk, 9, CKA_VALUE, ac5, 5, in, 64, b1), CKR_OK);
	assert_int_equal(seal_attr(tmk, 9, CKA_VALUE, ac5, 5, in, 64, b2), CKR_OK);
	assert_memory_not_equal(b1, b2, CRYPTO_AEAD_NONCE_LEN);
	assert_memory_not_equal(b1 + CRYPTO_AEAD_NONCE_LEN, b2 + CRYPTO_AEAD_NONCE_LEN, 64);
	assert_false(contains(b1, sizeof(b1), in, 8));
	assert_false(contains(b2, sizeof(b2), in, 8));
	/* Nor the TMK. */
	assert_false(contains(b1, sizeof(b1), tmk, 8));
	assert_int_equal(seal_attr_open(tmk, 9, CKA_VALUE, ac5, 5, b2, sizeof(b2), out), CKR_OK);
	assert_memory_equal(out, in, 64);
	/* Nonce swapped between two seals: neither opens. */
	memcpy(b1, b2, CRYPTO_AEAD_NONCE_LEN);
	assert_int_equal(seal_attr_open(tmk, 9, CKA_VALUE, ac5, 5, b1, sizeof(b1), out),
			 CKR_DEVICE_ERROR);
}

static void test_attr_per_object_key(void **state)
{
	/* The same value sealed for two objects under the same TMK and nonce
	 * position gives unrelated ciphertexts, and neither opens as the
	 * other (per-object key and id in the AAD). */
	uint8_t tmk[SEAL_TMK_LEN], in[16], b1[16 + SEAL_OVERHEAD], b2[16 + SEAL_OVERHEAD];
	uint8_t out[16];

	(void)state;
	fill(tmk, sizeof(tmk), 15);
	fill(in, sizeof(in), 16);
	assert_int_equal(seal_attr(tmk, 100, CKA_VALUE, ac5, 5, in, 16, b1), CKR_OK);
	assert_int_equal(seal_attr(tmk, 101, CKA_VALUE, ac5, 5, in, 16, b2), CKR_OK);
	assert_int_equal(seal_attr_open(tmk, 101, CKA_VALUE, ac5, 5, b1, sizeof(b1), out),
			 CKR_DEVICE_ERROR);
	assert_int_equal(seal_attr_open(tmk, 100, CKA_VALUE, ac5, 5, b2, sizeof(b2), out),
			 CKR_DEVICE_ERROR);
}

/* ---- the record MAC ---- */

/* The construction seal.h describes, from the HMAC primitive. */
static void test_record_mac_construction(void **state)
{
	static const char label[] = "iotoken record mac key v1";
	uint8_t tmk[SEAL_TMK_LEN], digest[32], key[32], msg[44], want[32], got[32];
	int i;

	(void)state;
	fill(tmk, sizeof(tmk), 20);
	fill(digest, sizeof(digest), 21);
	assert_int_equal(crypto_hmac_sha256(tmk, sizeof(tmk), label, sizeof(label) - 1, key),
			 CKR_OK);
	memcpy(msg, "IOTM", 4);
	for (i = 0; i < 8; i++)
		msg[4 + i] = (uint8_t)(0x0102030405060708ull >> (8 * i));
	memcpy(msg + 12, digest, 32);
	assert_int_equal(crypto_hmac_sha256(key, sizeof(key), msg, sizeof(msg), want), CKR_OK);
	assert_int_equal(seal_record_mac(tmk, 0x0102030405060708ull, digest, got), CKR_OK);
	assert_memory_equal(got, want, sizeof(want));
	/* Deterministic. */
	assert_int_equal(seal_record_mac(tmk, 0x0102030405060708ull, digest, got), CKR_OK);
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(seal_record_verify(tmk, 0x0102030405060708ull, digest, want), CKR_OK);
}

static void test_record_mac_binding(void **state)
{
	uint8_t tmk[SEAL_TMK_LEN], tmk2[SEAL_TMK_LEN], digest[32], mac[32];
	size_t bit;

	(void)state;
	fill(tmk, sizeof(tmk), 22);
	fill(tmk2, sizeof(tmk2), 23);
	fill(digest, sizeof(digest), 24);
	assert_int_equal(seal_record_mac(tmk, 77, digest, mac), CKR_OK);
	assert_int_equal(seal_record_verify(tmk, 77, digest, mac), CKR_OK);
	/* Another id, another token, another record. */
	assert_int_equal(seal_record_verify(tmk, 78, digest, mac), CKR_DEVICE_ERROR);
	assert_int_equal(seal_record_verify(tmk, 77 | (1ull << 62), digest, mac), CKR_DEVICE_ERROR);
	assert_int_equal(seal_record_verify(tmk2, 77, digest, mac), CKR_DEVICE_ERROR);
	for (bit = 0; bit < sizeof(digest) * 8; bit++) {
		digest[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(seal_record_verify(tmk, 77, digest, mac), CKR_DEVICE_ERROR);
		digest[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* Any flipped bit of the MAC. */
	for (bit = 0; bit < sizeof(mac) * 8; bit++) {
		mac[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(seal_record_verify(tmk, 77, digest, mac), CKR_DEVICE_ERROR);
		mac[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	assert_int_equal(seal_record_verify(tmk, 77, digest, mac), CKR_OK);
}

/* The MAC key is not an object key: a MAC is not the HMAC of the digest
 * under the seal key of any object (distinct labels). */
static void test_record_mac_key_apart(void **state)
{
	static const char objkey[] = "iotoken object key v1";
	uint8_t tmk[SEAL_TMK_LEN], digest[32], mac[32], key[32], other[32], msg[64];
	uint64_t id = 5;
	int i;

	(void)state;
	fill(tmk, sizeof(tmk), 25);
	fill(digest, sizeof(digest), 26);
	assert_int_equal(seal_record_mac(tmk, id, digest, mac), CKR_OK);
	memcpy(msg, objkey, sizeof(objkey) - 1);
	for (i = 0; i < 8; i++)
		msg[sizeof(objkey) - 1 + i] = (uint8_t)(id >> (8 * i));
	assert_int_equal(crypto_hmac_sha256(tmk, sizeof(tmk), msg, sizeof(objkey) - 1 + 8, key),
			 CKR_OK);
	memcpy(msg, "IOTM", 4);
	for (i = 0; i < 8; i++)
		msg[4 + i] = (uint8_t)(id >> (8 * i));
	memcpy(msg + 12, digest, 32);
	assert_int_equal(crypto_hmac_sha256(key, sizeof(key), msg, 44, other), CKR_OK);
	assert_memory_not_equal(mac, other, sizeof(mac));
}

/* ---- SECURITY.md row 18: KDF parameters ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void test_kdf_parameters(void **state)
{
	char scratch[] = "/tmp/iotoken-seal-XXXXXX";
	iotoken_config cfg;

	(void)state;
	assert_true(CONFIG_DEFAULT_ITERATIONS >= 600000u);
	assert_true(CONFIG_MIN_ITERATIONS >= 1000u);
	assert_int_equal(STORE_SALT_LEN, 16); /* 128-bit salt */
	assert_int_equal(SEAL_KEK_LEN, 32);
	assert_int_equal(SEAL_TMK_LEN, 32);
	assert_int_equal(CRYPTO_AEAD_TAG_LEN, 16);
	assert_int_equal(CRYPTO_AEAD_NONCE_LEN, 12);

	assert_non_null(mkdtemp(scratch));
	assert_int_equal(unsetenv("IOTOKEN_CONF"), 0);
	assert_int_equal(setenv("IOTOKEN_DIR", scratch, 1), 0);
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(config_load(&cfg), CKR_OK);
	assert_int_equal(cfg.iterations, CONFIG_DEFAULT_ITERATIONS);
	assert_true(cfg.iterations >= 600000u);
	assert_int_equal(cfg.max_failures, CONFIG_DEFAULT_MAX_FAILURES);
	assert_string_equal(cfg.dir, scratch);
	config_free(&cfg);
	assert_null(cfg.dir);
	assert_int_equal(unsetenv("IOTOKEN_DIR"), 0);
	assert_int_equal(nftw(scratch, rm_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pbkdf2_rfc7914),
		cmocka_unit_test(test_pbkdf2_bad_arguments),
		cmocka_unit_test(test_kek_derive_matches_pbkdf2),
		cmocka_unit_test(test_aead_known_answers),
		cmocka_unit_test(test_tmk_round_trip),
		cmocka_unit_test(test_tmk_wrong_kek),
		cmocka_unit_test(test_tmk_role_mismatch),
		cmocka_unit_test(test_tmk_every_bit_flip),
		cmocka_unit_test(test_attr_round_trip),
		cmocka_unit_test(test_attr_binding),
		cmocka_unit_test(test_attr_empty_value_is_authenticated),
		cmocka_unit_test(test_attr_fresh_nonce_no_plaintext),
		cmocka_unit_test(test_attr_per_object_key),
		cmocka_unit_test(test_record_mac_construction),
		cmocka_unit_test(test_record_mac_binding),
		cmocka_unit_test(test_record_mac_key_apart),
		cmocka_unit_test(test_kdf_parameters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
