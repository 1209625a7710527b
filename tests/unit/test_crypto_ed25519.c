/*
 * Ed25519 (src/crypto/crypto_ed.h, OpenSSL backend): RFC 8032 7.1 known
 * answers (seed to public key, signature byte for byte), Wycheproof's
 * ed25519_test.json (every valid case verifies, every invalid one is
 * refused), the public-key encoding checks, the error codes the header
 * names, the shared crypto_key functions on an Ed25519 key, and an
 * allocation-failure sweep with OpenSSL allocating through the module.
 * Not built with -DIOTOKEN_CRYPTO=mbedtls (tests/CMakeLists.txt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/crypto.h"
#include "crypto/crypto_ed.h"
#include "port/port.h"

#include "vectors.h"

#if !IOT_WITH_ED25519
/* tests/CMakeLists.txt leaves this test out of mbedTLS builds; an OpenSSL
 * build without Ed25519 is a configuration this test fails, not skips. */
int main(void)
{
	fprintf(stderr, "IOT_WITH_ED25519 is 0 in an OpenSSL build: Ed25519 not tested\n");
	return 1;
}
#else

/* ---- RFC 8032 7.1 ---- */

struct rfc_vector {
	const char *name, *seed, *pub, *msg, *sig;
};

/* TEST 1024: the 1023-byte message. */
static const char msg_1024[] = "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
			       "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
			       "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
			       "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
			       "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
			       "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
			       "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
			       "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
			       "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
			       "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
			       "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
			       "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
			       "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
			       "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
			       "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
			       "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
			       "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
			       "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
			       "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
			       "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
			       "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
			       "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
			       "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
			       "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
			       "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
			       "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
			       "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
			       "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
			       "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
			       "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
			       "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
			       "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0";

/* TEST SHA(abc): the message is SHA-512("abc"), computed in the test (NULL
 * here). */
static const struct rfc_vector rfc8032[] = {
	{ "TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701"
	  "cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f36"
	  "13d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f7"
	  "60984dc6594a7c15e9716ed28dc027beceea1ec40a" },
	{ "TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
	  "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e", msg_1024,
	  "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea"
	  "23c436d94b5e8fcd4f681e30a6ac00a9704a188a03" },
	{ "TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
	  "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", NULL,
	  "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7"
	  "c66431e0303dca179c138ac17ad9bef1177331a704" },
};

#define RFC_COUNT (sizeof(rfc8032) / sizeof(rfc8032[0]))

static void unhex_exact(const char *hex, uint8_t *out, size_t len)
{
	uint8_t *b;

	assert_int_equal(vec_unhex(hex, &b), len);
	memcpy(out, b, len);
	free(b);
}

/* The vector's message in a new malloc buffer; returns its length. */
static size_t rfc_msg(const struct rfc_vector *v, uint8_t **msg)
{
	if (v->msg != NULL)
		return vec_unhex(v->msg, msg);
	*msg = malloc(CRYPTO_MAX_HASH_LEN);
	assert_non_null(*msg);
	vec_hash(HASH_SHA512, (const uint8_t *)"abc", 3, *msg);
	return crypto_hash_len(HASH_SHA512);
}

static void test_rfc8032(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < RFC_COUNT; i++) {
		const struct rfc_vector *v = &rfc8032[i];
		uint8_t seed[32], pub[32], sig[64], got[64], out[32], *msg;
		size_t n = rfc_msg(v, &msg);
		crypto_key *priv = NULL, *pk = NULL;

		unhex_exact(v->seed, seed, 32);
		unhex_exact(v->pub, pub, 32);
		unhex_exact(v->sig, sig, 64);
		print_message("%s: %zu-byte message\n", v->name, n);
		/* Seed to public key (RFC 8032 5.1.5). */
		assert_int_equal(crypto_ed25519_private(seed, 32, &priv), CKR_OK);
		assert_int_equal(crypto_ed25519_pub(priv, out), CKR_OK);
		assert_memory_equal(out, pub, 32);
		assert_int_equal(crypto_ed25519_seed(priv, out), CKR_OK);
		assert_memory_equal(out, seed, 32);
		/* The signature, byte for byte (deterministic, 5.1.6). */
		assert_int_equal(crypto_ed25519_sign(priv, msg, n, got), CKR_OK);
		assert_memory_equal(got, sig, 64);
		assert_int_equal(crypto_ed25519_verify(priv, msg, n, sig, 64), CKR_OK);
		/* The public key alone verifies it; one bit off anywhere in the
		 * signature or the message does not. */
		assert_int_equal(crypto_ed25519_public(pub, 32, &pk), CKR_OK);
		assert_false(crypto_key_is_private(pk));
		assert_int_equal(crypto_ed25519_verify(pk, msg, n, sig, 64), CKR_OK);
		got[0] ^= 0x01;
		assert_int_equal(crypto_ed25519_verify(pk, msg, n, got, 64), CKR_SIGNATURE_INVALID);
		got[0] ^= 0x01;
		got[40] ^= 0x80;
		assert_int_equal(crypto_ed25519_verify(pk, msg, n, got, 64), CKR_SIGNATURE_INVALID);
		if (n > 0) {
			msg[n - 1] ^= 0x04;
			assert_int_equal(crypto_ed25519_verify(pk, msg, n, sig, 64),
					 CKR_SIGNATURE_INVALID);
		}
		crypto_key_unref(pk);
		crypto_key_unref(priv);
		free(msg);
	}
}

/* ---- Wycheproof ---- */

static void test_wycheproof(void **state)
{
	json_object *root = vec_wycheproof("ed25519_test.json");
	json_object *groups = vec_get(root, "testGroups");
	unsigned valid = 0, invalid = 0, keys = 0, malleable = 0, lengths = 0;
	size_t gi, ti;

	(void)state;
	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		json_object *g = json_object_array_get_idx(groups, gi);
		json_object *pkj = vec_get(g, "publicKey"), *tests = vec_get(g, "tests");
		uint8_t *pub, *spki, *der = NULL;
		size_t plen = vec_unhex(vec_str(pkj, "pk"), &pub), slen, dlen = 0;
		crypto_key *k = NULL;

		/* Every key of the file is a point of the curve. */
		assert_int_equal(crypto_ed25519_public(pub, plen, &k), CKR_OK);
		keys++;
		/* The SubjectPublicKeyInfo is the file's, byte for byte. */
		slen = vec_unhex(vec_str(g, "publicKeyDer"), &spki);
		assert_int_equal(crypto_key_spki(k, &der, &dlen), CKR_OK);
		assert_int_equal(dlen, slen);
		assert_memory_equal(der, spki, slen);
		port_free(der);
		free(spki);
		for (ti = 0; ti < json_object_array_length(tests); ti++) {
			json_object *t = json_object_array_get_idx(tests, ti);
			json_object *flags = vec_get(t, "flags");
			const char *result = vec_str(t, "result");
			int id = json_object_get_int(vec_get(t, "tcId"));
			uint8_t *msg, *sig;
			size_t mlen = vec_unhex(vec_str(t, "msg"), &msg);
			size_t siglen = vec_unhex(vec_str(t, "sig"), &sig);
			CK_RV rv = crypto_ed25519_verify(k, msg, mlen, sig, siglen);
			size_t fi;

			for (fi = 0; fi < json_object_array_length(flags); fi++)
				malleable += strcmp(json_object_get_string(
							    json_object_array_get_idx(flags, fi)),
						    "SignatureMalleability") == 0;
			if (strcmp(result, "valid") == 0) {
				valid++;
				if (rv != CKR_OK)
					fail_msg("tcId %d: valid signature refused (0x%lx)", id,
						 rv);
			} else if (strcmp(result, "invalid") == 0) {
				invalid++;
				if (rv != CKR_SIGNATURE_INVALID && rv != CKR_SIGNATURE_LEN_RANGE)
					fail_msg("tcId %d: invalid signature gave 0x%lx", id, rv);
				if (siglen != 64) {
					assert_int_equal(rv, CKR_SIGNATURE_LEN_RANGE);
					lengths++;
				}
			} else {
				fail_msg("tcId %d: unexpected result %s", id, result);
			}
			free(msg);
			free(sig);
		}
		crypto_key_unref(k);
		free(pub);
	}
	print_message("wycheproof ed25519: %u keys, %u valid verified, %u invalid refused "
		      "(%u with non-canonical S, %u of a length other than 64)\n",
		      keys, valid, invalid, malleable, lengths);
	/* The file as it is in /work/shared/vectors: all of it ran. */
	assert_int_equal(valid + invalid, json_object_get_int(vec_get(root, "numberOfTests")));
	assert_true(malleable > 0 && lengths > 0);
	json_object_put(root);
}

/* ---- Keys ---- */

static void test_generate_round_trip(void **state)
{
	static const size_t lens[] = { 0, 1, 63, 64, 65, 1000, 100000 };
	uint8_t pub[32], seed[32], sig[64], sig2[64], *msg;
	crypto_key *k = NULL, *pk = NULL, *again = NULL;
	size_t i;

	(void)state;
	/* The longest message and one byte more (the wrong-length check). */
	msg = malloc(100001);
	assert_non_null(msg);
	assert_int_equal(crypto_random(msg, 100001), CKR_OK);
	assert_int_equal(crypto_ed25519_generate(&k), CKR_OK);
	assert_true(crypto_key_is_ed25519(k));
	assert_true(crypto_key_is_private(k));
	assert_int_equal(crypto_ed25519_pub(k, pub), CKR_OK);
	assert_int_equal(crypto_ed25519_seed(k, seed), CKR_OK);
	assert_int_equal(crypto_ed25519_public(pub, 32, &pk), CKR_OK);
	assert_int_equal(crypto_ed25519_private(seed, 32, &again), CKR_OK);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		assert_int_equal(crypto_ed25519_sign(k, msg, lens[i], sig), CKR_OK);
		assert_int_equal(crypto_ed25519_verify(pk, msg, lens[i], sig, 64), CKR_OK);
		assert_int_equal(crypto_ed25519_verify(k, msg, lens[i], sig, 64), CKR_OK);
		/* The seed is the whole private key: the same signature again. */
		assert_int_equal(crypto_ed25519_sign(again, msg, lens[i], sig2), CKR_OK);
		assert_memory_equal(sig, sig2, 64);
		assert_int_equal(crypto_ed25519_verify(pk, msg, lens[i] + 1, sig, 64),
				 CKR_SIGNATURE_INVALID);
	}
	/* No message at all: a NULL pointer with length 0. */
	assert_int_equal(crypto_ed25519_sign(k, NULL, 0, sig), CKR_OK);
	assert_int_equal(crypto_ed25519_verify(pk, NULL, 0, sig, 64), CKR_OK);
	assert_int_equal(crypto_ed25519_sign(k, (const uint8_t *)"", 0, sig2), CKR_OK);
	assert_memory_equal(sig, sig2, 64);
	crypto_key_unref(again);
	crypto_key_unref(pk);
	crypto_key_unref(k);
	free(msg);
}

/* Two generated keys differ. */
static void test_generate_distinct(void **state)
{
	crypto_key *a = NULL, *b = NULL;
	uint8_t pa[32], pb[32];

	(void)state;
	assert_int_equal(crypto_ed25519_generate(&a), CKR_OK);
	assert_int_equal(crypto_ed25519_generate(&b), CKR_OK);
	assert_int_equal(crypto_ed25519_pub(a, pa), CKR_OK);
	assert_int_equal(crypto_ed25519_pub(b, pb), CKR_OK);
	assert_memory_not_equal(pa, pb, 32);
	crypto_key_unref(a);
	crypto_key_unref(b);
}

/* RFC 8410 4: SEQUENCE { SEQUENCE { id-Ed25519 }, BIT STRING pub }, the
 * same for a private key (only the public half is encoded). */
static void test_spki(void **state)
{
	static const uint8_t prefix[12] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
					    0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };
	crypto_key *keys[2] = { NULL, NULL };
	uint8_t seed[32], pub[32], *der;
	size_t len, i;

	(void)state;
	unhex_exact(rfc8032[0].seed, seed, 32);
	unhex_exact(rfc8032[0].pub, pub, 32);
	assert_int_equal(crypto_ed25519_private(seed, 32, &keys[0]), CKR_OK);
	assert_int_equal(crypto_ed25519_public(pub, 32, &keys[1]), CKR_OK);
	for (i = 0; i < 2; i++) {
		der = NULL;
		len = 0;
		assert_int_equal(crypto_key_spki(keys[i], &der, &len), CKR_OK);
		assert_int_equal(len, 44);
		assert_memory_equal(der, prefix, 12);
		assert_memory_equal(der + 12, pub, 32);
		port_free(der);
		crypto_key_unref(keys[i]);
	}
}

/* What the shared crypto_key functions make of an Ed25519 key. */
static void test_shared_functions(void **state)
{
	static const uint8_t digest[32] = { 1 };
	crypto_key *k = NULL, *ec = NULL, *ref;
	enum crypto_curve c = CURVE_P256;
	uint8_t buf[160], ecpub[32], sig[64];
	size_t len = sizeof(buf);

	(void)state;
	assert_int_equal(crypto_ed25519_generate(&k), CKR_OK);
	ref = crypto_key_ref(k);
	assert_ptr_equal(ref, k);
	crypto_key_unref(ref);
	assert_int_equal(crypto_sig_len(k), CRYPTO_ED25519_SIG_LEN);
	/* 256: the size of the encoding and of the seed, as OpenSSL's
	 * EVP_PKEY_get_bits says (openssl_key.c). */
	assert_int_equal(crypto_key_bits(k), 256);
	assert_int_equal(crypto_key_curve(k, &c), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(c, CURVE_P256);
	assert_int_equal(crypto_ec_point(k, buf, &len), CKR_KEY_TYPE_INCONSISTENT);
	len = sizeof(buf);
	assert_int_equal(crypto_ec_scalar(k, buf, &len), CKR_KEY_TYPE_INCONSISTENT);
	/* crypto_sign and crypto_verify are ECDSA and RSA only. */
	assert_int_equal(crypto_sign(k, SIG_ECDSA, NULL, digest, 32, buf),
			 CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_sign(k, SIG_RSA_PKCS1, NULL, digest, 32, buf),
			 CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_verify(k, SIG_ECDSA, NULL, digest, 32, buf, 64),
			 CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_verify(k, SIG_RSA_PSS, NULL, digest, 32, buf, 64),
			 CKR_KEY_TYPE_INCONSISTENT);
	/* And the Ed25519 functions refuse other keys. */
	assert_int_equal(crypto_ec_generate(CURVE_P256, &ec), CKR_OK);
	assert_false(crypto_key_is_ed25519(ec));
	assert_false(crypto_key_is_ed25519(NULL));
	assert_int_equal(crypto_ed25519_pub(ec, ecpub), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_ed25519_seed(ec, ecpub), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_ed25519_sign(ec, digest, 32, sig), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_ed25519_verify(ec, digest, 32, sig, 64), CKR_KEY_TYPE_INCONSISTENT);
	crypto_key_unref(ec);
	crypto_key_unref(k);
}

/* crypto_ed25519_public: 32 bytes that decode to a point (RFC 8032
 * 5.1.3), nothing else. */
static void test_public_encoding(void **state)
{
	uint8_t enc[33];
	crypto_key *k = NULL;

	(void)state;
	/* Lengths. */
	memset(enc, 0, sizeof(enc));
	enc[0] = 1; /* y = 1, the neutral element: a point */
	assert_int_equal(crypto_ed25519_public(enc, 31, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_ed25519_public(enc, 33, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_ed25519_public(enc, 0, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_ed25519_public(NULL, 32, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_null(k);
	/* Points of small order decode: RFC 8032 does not refuse them.
	 * y = 1 (x = 0), y = p - 1 (x = 0, order 2), y = 0 (order 4). */
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_OK);
	crypto_key_unref(k);
	memset(enc, 0xff, 32);
	enc[0] = 0xec;
	enc[31] = 0x7f;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_OK);
	crypto_key_unref(k);
	memset(enc, 0, 32);
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_OK);
	crypto_key_unref(k);
	/* Step 4: x = 0 with the sign bit set (y = 1 and y = p - 1). */
	k = NULL;
	enc[0] = 1;
	enc[31] = 0x80;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	memset(enc, 0xff, 32);
	enc[0] = 0xec;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	/* y = 0 has x != 0: both signs are points. */
	memset(enc, 0, 32);
	enc[31] = 0x80;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_OK);
	crypto_key_unref(k);
	k = NULL;
	/* Step 1: y >= p, non-canonical encodings: p (= 0), p + 1 (= 1),
	 * 2^255 - 1; with either sign bit. */
	memset(enc, 0xff, 32);
	enc[31] = 0x7f;
	enc[0] = 0xed;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	enc[0] = 0xee;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	enc[0] = 0xff;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	enc[31] = 0xff;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	/* Step 3: y = 2, 7 and 8 have no x ((y^2 - 1) / (d y^2 + 1) is not a
	 * square mod p); 3 has. */
	memset(enc, 0, 32);
	enc[0] = 2;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	enc[0] = 7;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	enc[0] = 8;
	enc[31] = 0x80;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_null(k);
	enc[0] = 3;
	assert_int_equal(crypto_ed25519_public(enc, 32, &k), CKR_OK);
	crypto_key_unref(k);
}

/* Off the curve in numbers: of many random encodings with y < p, about half
 * decode (x^2 is a square for half the y); each that does is accepted by
 * OpenSSL as a key, and a key that signs gives its encoding back. */
static void test_public_random(void **state)
{
	uint8_t enc[32];
	unsigned ok = 0, bad = 0, i;

	(void)state;
	for (i = 0; i < 400; i++) {
		crypto_key *k = NULL;
		CK_RV rv;

		assert_int_equal(crypto_random(enc, 32), CKR_OK);
		/* y below 2^255 - 2^242 < p: step 1 passes */
		enc[31] &= 0x7f;
		enc[31] |= (uint8_t)((i & 1) << 7);
		enc[30] &= 0xfb;
		rv = crypto_ed25519_public(enc, 32, &k);
		if (rv == CKR_OK) {
			uint8_t back[32];

			assert_int_equal(crypto_ed25519_pub(k, back), CKR_OK);
			assert_memory_equal(back, enc, 32);
			ok++;
		} else {
			assert_int_equal(rv, CKR_ATTRIBUTE_VALUE_INVALID);
			bad++;
		}
		crypto_key_unref(k);
	}
	print_message("random encodings: %u points, %u not\n", ok, bad);
	assert_true(ok > 120 && bad > 120);
}

static void test_private_lengths(void **state)
{
	uint8_t seed[33] = { 0 };
	crypto_key *k = NULL;

	(void)state;
	assert_int_equal(crypto_ed25519_private(seed, 31, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_ed25519_private(seed, 33, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_ed25519_private(seed, 0, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_ed25519_private(NULL, 32, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_null(k);
	/* Any 32 bytes are a seed, zeros too. */
	assert_int_equal(crypto_ed25519_private(seed, 32, &k), CKR_OK);
	crypto_key_unref(k);
}

/* S (the second half, little-endian) + L, for S < 2^253. */
static void add_order(uint8_t *s)
{
	static const uint8_t order_le[32] = {
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
		0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
	};
	unsigned carry = 0;
	int i;

	for (i = 0; i < 32; i++) {
		carry += (unsigned)s[i] + order_le[i];
		s[i] = (uint8_t)carry;
		carry >>= 8;
	}
	assert_int_equal(carry, 0);
}

static void test_verify_errors(void **state)
{
	const struct rfc_vector *v = &rfc8032[1];
	uint8_t pub[32], sig[65], bad[64], *msg;
	size_t n = rfc_msg(v, &msg);
	crypto_key *pk = NULL;

	(void)state;
	unhex_exact(v->pub, pub, 32);
	unhex_exact(v->sig, sig, 64);
	sig[64] = 0;
	assert_int_equal(crypto_ed25519_public(pub, 32, &pk), CKR_OK);
	assert_int_equal(crypto_ed25519_verify(pk, msg, n, sig, 64), CKR_OK);
	/* Lengths: CKR_SIGNATURE_LEN_RANGE before anything else. */
	assert_int_equal(crypto_ed25519_verify(pk, msg, n, sig, 63), CKR_SIGNATURE_LEN_RANGE);
	assert_int_equal(crypto_ed25519_verify(pk, msg, n, sig, 65), CKR_SIGNATURE_LEN_RANGE);
	assert_int_equal(crypto_ed25519_verify(pk, msg, n, sig, 0), CKR_SIGNATURE_LEN_RANGE);
	assert_int_equal(crypto_ed25519_verify(pk, msg, n, sig, 32), CKR_SIGNATURE_LEN_RANGE);
	/* S + L and S = L: non-canonical S, refused (RFC 8032 5.1.7). */
	memcpy(bad, sig, 64);
	add_order(bad + 32);
	assert_int_equal(crypto_ed25519_verify(pk, msg, n, bad, 64), CKR_SIGNATURE_INVALID);
	memset(bad + 32, 0, 32);
	add_order(bad + 32);
	assert_int_equal(crypto_ed25519_verify(pk, msg, n, bad, 64), CKR_SIGNATURE_INVALID);
	/* S = L - 1: in range, a wrong signature. */
	bad[32]--;
	assert_int_equal(crypto_ed25519_verify(pk, msg, n, bad, 64), CKR_SIGNATURE_INVALID);
	/* Top bits of S set. */
	memcpy(bad, sig, 64);
	bad[63] |= 0xe0;
	assert_int_equal(crypto_ed25519_verify(pk, msg, n, bad, 64), CKR_SIGNATURE_INVALID);
	/* Pointers. */
	assert_int_equal(crypto_ed25519_verify(pk, NULL, 1, sig, 64), CKR_ARGUMENTS_BAD);
	assert_int_equal(crypto_ed25519_verify(pk, msg, n, NULL, 64), CKR_ARGUMENTS_BAD);
	/* A public key does not sign and has no seed. */
	assert_int_equal(crypto_ed25519_sign(pk, msg, n, bad), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_ed25519_seed(pk, bad), CKR_KEY_TYPE_INCONSISTENT);
	crypto_key_unref(pk);
	free(msg);
}

static void test_sign_errors(void **state)
{
	crypto_key *k = NULL;
	uint8_t sig[64];

	(void)state;
	assert_int_equal(crypto_ed25519_generate(&k), CKR_OK);
	assert_int_equal(crypto_ed25519_sign(k, NULL, 1, sig), CKR_ARGUMENTS_BAD);
	crypto_key_unref(k);
}

/*
 * OpenSSL 3.0 on its own also refuses S + L (ossl_ed25519_verify checks
 * S < L), as openssl_ed.c says; our check comes first, so this asks OpenSSL
 * directly.
 */
static void test_openssl_refuses_s_plus_l(void **state)
{
	const struct rfc_vector *v = &rfc8032[2];
	uint8_t pub[32], sig[64], *msg;
	size_t n = rfc_msg(v, &msg);
	EVP_PKEY *pkey;
	EVP_MD_CTX *mctx;

	(void)state;
	unhex_exact(v->pub, pub, 32);
	unhex_exact(v->sig, sig, 64);
	pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, pub, 32);
	assert_non_null(pkey);
	mctx = EVP_MD_CTX_new();
	assert_non_null(mctx);
	assert_int_equal(EVP_DigestVerifyInit_ex(mctx, NULL, NULL, NULL, NULL, pkey, NULL), 1);
	assert_int_equal(EVP_DigestVerify(mctx, sig, 64, msg, n), 1);
	add_order(sig + 32);
	EVP_MD_CTX_free(mctx);
	mctx = EVP_MD_CTX_new();
	assert_non_null(mctx);
	assert_int_equal(EVP_DigestVerifyInit_ex(mctx, NULL, NULL, NULL, NULL, pkey, NULL), 1);
	assert_int_not_equal(EVP_DigestVerify(mctx, sig, 64, msg, n), 1);
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(pkey);
	free(msg);
}

/* ---- Allocation failures ---- */

/* Allocations refused by injection inside OpenSSL (not the module's own). */
static unsigned long ossl_refused;

static void *ossl_malloc(size_t n, const char *file, int line)
{
	unsigned long before = port_alloc_failures();
	void *p = port_malloc(n);

	(void)file;
	(void)line;
	ossl_refused += port_alloc_failures() != before;
	return p;
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
	unsigned long before = port_alloc_failures();
	void *q = port_realloc(p, n);

	(void)file;
	(void)line;
	ossl_refused += port_alloc_failures() != before;
	return q;
}

static void ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	port_free(p);
}

enum sweep_step { SW_GENERATE, SW_PRIVATE, SW_PUBLIC, SW_SIGN, SW_VERIFY, SW_SEED, SW_SPKI };

static CK_RV sweep_run(enum sweep_step s, crypto_key *priv, crypto_key *pub)
{
	const struct rfc_vector *v = &rfc8032[2];
	uint8_t seed[32], pk[32], sig[64], got[64], msg[2] = { 0xaf, 0x82 }, *der = NULL;
	crypto_key *k = NULL;
	size_t len = 0;
	CK_RV rv;

	unhex_exact(v->seed, seed, 32);
	unhex_exact(v->pub, pk, 32);
	unhex_exact(v->sig, sig, 64);
	switch (s) {
	case SW_GENERATE:
		rv = crypto_ed25519_generate(&k);
		break;
	case SW_PRIVATE:
		rv = crypto_ed25519_private(seed, 32, &k);
		if (rv == CKR_OK) {
			assert_int_equal(crypto_ed25519_pub(k, seed), CKR_OK);
			assert_memory_equal(seed, pk, 32);
		}
		break;
	case SW_PUBLIC:
		rv = crypto_ed25519_public(pk, 32, &k);
		break;
	case SW_SIGN:
		rv = crypto_ed25519_sign(priv, msg, 2, got);
		if (rv == CKR_OK)
			assert_memory_equal(got, sig, 64);
		break;
	case SW_VERIFY:
		rv = crypto_ed25519_verify(pub, msg, 2, sig, 64);
		break;
	case SW_SEED:
		rv = crypto_ed25519_seed(priv, pk);
		break;
	default:
		rv = crypto_key_spki(pub, &der, &len);
		if (rv == CKR_OK) {
			assert_int_equal(len, 44);
			assert_memory_equal(der + 12, pk, 32);
		}
		port_free(der);
		break;
	}
	crypto_key_unref(k);
	return rv;
}

/*
 * Every allocation of each call, the module's and OpenSSL's, fails in turn
 * (one-shot): the call returns CKR_HOST_MEMORY, or CKR_OK with a right
 * result; when the failure was inside OpenSSL, also CKR_FUNCTION_FAILED
 * (OpenSSL did not say why: crypto_ossl_error) and, for a verification,
 * CKR_SIGNATURE_INVALID: OpenSSL 3.0's ossl_ed25519_verify returns 0 both
 * for a bad signature and when its own SHA-512 context cannot be allocated
 * (EVP_MD_CTX_new, EVP_MD_fetch), with nothing on the error queue to tell
 * them apart. Refusing a good signature is the safe side of that. Nothing
 * leaks (ASan, valgrind).
 */
static void test_alloc_failures(void **state)
{
	static const char *const names[] = { "generate", "private", "public", "sign",
					     "verify",   "seed",    "spki" };
	const struct rfc_vector *v = &rfc8032[2];
	crypto_key *priv = NULL, *pub = NULL;
	uint8_t seed[32], pk[32];
	int s;

	(void)state;
	unhex_exact(v->seed, seed, 32);
	unhex_exact(v->pub, pk, 32);
	assert_int_equal(crypto_ed25519_private(seed, 32, &priv), CKR_OK);
	assert_int_equal(crypto_ed25519_public(pk, 32, &pub), CKR_OK);
	for (s = SW_GENERATE; s <= SW_SPKI; s++) {
		unsigned long nth, mem = 0, failed = 0, refused = 0;

		assert_int_equal(sweep_run(s, priv, pub), CKR_OK); /* warm-up */
		for (nth = 1;; nth++) {
			CK_RV rv;

			unsigned long hit;

			ossl_refused = 0;
			port_alloc_fail_nth(nth);
			rv = sweep_run(s, priv, pub);
			hit = port_alloc_failures();
			port_alloc_fail_nth(0);
			if (hit == 0) {
				assert_int_equal(rv, CKR_OK);
				break;
			}
			if (rv == CKR_HOST_MEMORY)
				mem++;
			else if (rv == CKR_FUNCTION_FAILED && ossl_refused > 0)
				failed++;
			else if (rv == CKR_SIGNATURE_INVALID && s == SW_VERIFY && ossl_refused > 0)
				refused++;
			else if (rv != CKR_OK)
				fail_msg("%s, allocation %lu failed: 0x%lx", names[s], nth, rv);
		}
		print_message("%s: %lu allocations; CKR_HOST_MEMORY %lu, FUNCTION_FAILED %lu, "
			      "SIGNATURE_INVALID %lu\n",
			      names[s], nth - 1, mem, failed, refused);
	}
	crypto_key_unref(pub);
	crypto_key_unref(priv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8032),
		cmocka_unit_test(test_wycheproof),
		cmocka_unit_test(test_generate_round_trip),
		cmocka_unit_test(test_generate_distinct),
		cmocka_unit_test(test_spki),
		cmocka_unit_test(test_shared_functions),
		cmocka_unit_test(test_public_encoding),
		cmocka_unit_test(test_public_random),
		cmocka_unit_test(test_private_lengths),
		cmocka_unit_test(test_verify_errors),
		cmocka_unit_test(test_sign_errors),
		cmocka_unit_test(test_openssl_refuses_s_plus_l),
		cmocka_unit_test(test_alloc_failures),
	};

	/* Before OpenSSL's first use: its allocations go through port_malloc,
	 * where test_alloc_failures makes them fail. */
	if (CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free) != 1) {
		fprintf(stderr, "CRYPTO_set_mem_functions refused (OpenSSL already in use)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif /* IOT_WITH_ED25519 */
