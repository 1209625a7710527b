/*
 * RSA-OAEP and ECDH (crypto_kex.h) on the configured backend: Wycheproof
 * (rsa_oaep_2048_sha256_mgf1sha256, ecdh_secp256r1), NIST CAVP (PKCS #1
 * v2.1 OAEP vectors, cryptography's OAEP SHA-2 vectors, KAS ECC
 * ZZOnly validity) and the error paths of the header.
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
#include "crypto/crypto_kex.h"

#include "vectors.h"

#ifdef IOTOKEN_CRYPTO_MBEDTLS
/* mbedTLS's OAEP takes one hash for the label and MGF1 (mbedtls_kex.c). */
#define SPLIT_HASHES 0
#else
#define SPLIT_HASHES 1
#endif

static const char *const hash_names[HASH_COUNT] = { "SHA-1", "SHA-224", "SHA-256", "SHA-384",
						    "SHA-512" };

#if IOT_WITH_OAEP

/* ---- RSA-OAEP ---- */

/* A private key from Wycheproof's privateKey object (hex parts). */
static crypto_key *wy_rsa_private(json_object *pk)
{
	static const char *const names[RSA_PARTS] = {
		"modulus", "publicExponent", "privateExponent", "prime1",
		"prime2",  "exponent1",      "exponent2",       "coefficient",
	};
	vec_parts h = { 0 };
	crypto_key *k = NULL;
	int i;

	for (i = 0; i < RSA_PARTS; i++)
		vec_parts_set(&h, i, vec_str(pk, names[i]));
	assert_int_equal(crypto_rsa_private(h.b, &k), CKR_OK);
	vec_parts_free(&h);
	return k;
}

/* The 2048-bit key of the Wycheproof OAEP file, for the tests of our own. */
static crypto_key *oaep_key(void)
{
	json_object *root = vec_wycheproof("rsa_oaep_2048_sha256_mgf1sha256_test.json");
	json_object *g = json_object_array_get_idx(vec_get(root, "testGroups"), 0);
	crypto_key *k = wy_rsa_private(vec_get(g, "privateKey"));

	json_object_put(root);
	return k;
}

static crypto_key *public_of(const crypto_key *k)
{
	uint8_t *parts[RSA_PARTS];
	size_t lens[RSA_PARTS];
	crypto_bytes b[RSA_PARTS] = { { 0 } };
	crypto_key *pub = NULL;
	int i;

	assert_int_equal(crypto_rsa_parts(k, parts, lens), CKR_OK);
	b[RSA_N].p = parts[RSA_N];
	b[RSA_N].len = lens[RSA_N];
	b[RSA_E].p = parts[RSA_E];
	b[RSA_E].len = lens[RSA_E];
	assert_int_equal(crypto_rsa_public(b, &pub), CKR_OK);
	for (i = 0; i < RSA_PARTS; i++)
		port_free_secret(parts[i], lens[i]);
	return pub;
}

static void test_oaep_wycheproof(void **state)
{
	json_object *root = vec_wycheproof("rsa_oaep_2048_sha256_mgf1sha256_test.json");
	json_object *groups = vec_get(root, "testGroups");
	unsigned valid = 0, invalid = 0, labelled = 0, lengths = 0;
	size_t gi, ti;

	(void)state;
	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		json_object *g = json_object_array_get_idx(groups, gi);
		json_object *tests = vec_get(g, "tests");
		crypto_oaep p = { vec_hash_named(vec_str(g, "sha")),
				  vec_hash_named(vec_str(g, "mgfSha")), NULL, 0 };
		crypto_key *k = wy_rsa_private(vec_get(g, "privateKey"));
		size_t klen = crypto_sig_len(k);

		assert_string_equal(vec_str(g, "mgf"), "MGF1");
		for (ti = 0; ti < json_object_array_length(tests); ti++) {
			json_object *t = json_object_array_get_idx(tests, ti);
			const char *result = vec_str(t, "result");
			int id = json_object_get_int(vec_get(t, "tcId"));
			uint8_t *msg, *ct, *label, out[512];
			size_t mlen = vec_unhex(vec_str(t, "msg"), &msg);
			size_t clen = vec_unhex(vec_str(t, "ct"), &ct);
			size_t olen = 0;
			CK_RV rv;

			p.label_len = vec_unhex(vec_str(t, "label"), &label);
			p.label = label;
			labelled += p.label_len > 0;
			memset(out, 0x5a, sizeof(out));
			rv = crypto_oaep_decrypt(k, &p, ct, clen, out, &olen);
			if (strcmp(result, "valid") == 0) {
				valid++;
				if (rv != CKR_OK)
					fail_msg("tcId %d: valid ciphertext refused (0x%lx)", id,
						 rv);
				assert_int_equal(olen, mlen);
				assert_memory_equal(out, msg, mlen);
			} else {
				CK_RV want = clen == klen ? CKR_ENCRYPTED_DATA_INVALID
							  : CKR_ENCRYPTED_DATA_LEN_RANGE;

				/* No acceptable cases in this file: invalid is all
				 * that is left. */
				assert_string_equal(result, "invalid");
				invalid++;
				lengths += clen != klen;
				if (rv != want)
					fail_msg("tcId %d (%s): gave 0x%lx, expected 0x%lx", id,
						 vec_str(t, "comment"), rv, want);
			}
			free(msg);
			free(ct);
			free(label);
		}
		crypto_key_unref(k);
	}
	print_message("Wycheproof OAEP: %u valid (%u labelled), %u invalid (%u by length)\n", valid,
		      labelled, invalid, lengths);
	assert_true(valid > 0 && labelled > 0 && invalid > lengths && lengths > 0);
	json_object_put(root);
}

/*
 * The PKCS #1 v2.1 test vectors (RSA Laboratories, oaep-vect.txt: SHA-1,
 * ten keys of 1024 to 2048 bits) and cryptography's SHA-2 ones
 * (oaep-custom/, every pair of label and MGF1 hash): "# Name:" lines
 * followed by hex lines, keys as the public then the private part, then
 * examples of Message, Seed and Encryption.
 */
struct oaep_file {
	char field[64];
	int in_private;
	vec_parts parts;
	crypto_key *k;
	enum crypto_hash hash, mgf1;
	char *hex;
	size_t hexlen, hexcap;
	uint8_t *msg;
	size_t mlen;
	/* counts */
	unsigned keys, examples, refused, small;
};

static void hex_add(struct oaep_file *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\r' || *s == '\n' || *s == '\t')
			continue;
		if (f->hexlen + 2 > f->hexcap) {
			f->hexcap = f->hexcap ? 2 * f->hexcap : 1024;
			f->hex = realloc(f->hex, f->hexcap);
			assert_non_null(f->hex);
		}
		f->hex[f->hexlen++] = *s;
	}
	if (f->hex != NULL)
		f->hex[f->hexlen] = '\0';
}

/* One CAVP example: the file's ciphertext decrypts to its message, and a
 * new encryption of the message decrypts to it too. */
static void oaep_example(struct oaep_file *f, const uint8_t *ct, size_t clen)
{
	crypto_oaep p = { f->hash, f->mgf1, NULL, 0 };
	uint8_t out[512], ct2[512];
	size_t olen = 0;
	CK_RV rv;

	assert_non_null(f->k);
	f->examples++;
	rv = crypto_oaep_decrypt(f->k, &p, ct, clen, out, &olen);
	if (!SPLIT_HASHES && f->hash != f->mgf1) {
		assert_int_equal(rv, CKR_MECHANISM_PARAM_INVALID);
		assert_int_equal(crypto_oaep_encrypt(f->k, &p, f->msg, f->mlen, ct2),
				 CKR_MECHANISM_PARAM_INVALID);
		f->refused++;
		return;
	}
	if (rv != CKR_OK)
		fail_msg("%s/%s, %zu-bit key: example refused (0x%lx)", hash_names[f->hash],
			 hash_names[f->mgf1], crypto_key_bits(f->k), rv);
	assert_int_equal(olen, f->mlen);
	assert_memory_equal(out, f->msg, f->mlen);
	assert_int_equal(crypto_oaep_encrypt(f->k, &p, f->msg, f->mlen, ct2), CKR_OK);
	assert_memory_not_equal(ct2, ct, clen);
	olen = 0;
	assert_int_equal(crypto_oaep_decrypt(f->k, &p, ct2, clen, out, &olen), CKR_OK);
	assert_int_equal(olen, f->mlen);
	assert_memory_equal(out, f->msg, f->mlen);
}

/* The end of a "# Name:" value. */
static void oaep_field_done(struct oaep_file *f)
{
	static const struct {
		const char *name;
		int part, priv;
	} map[] = {
		{ "Modulus", RSA_N, -1 },          { "Public exponent", RSA_E, 1 },
		{ "Exponent", RSA_E, 0 },          { "Exponent", RSA_D, 1 },
		{ "Prime 1", RSA_P, 1 },           { "Prime 2", RSA_Q, 1 },
		{ "Prime exponent 1", RSA_DP, 1 }, { "Prime exponent 2", RSA_DQ, 1 },
		{ "Coefficient", RSA_QINV, 1 },
	};
	const char *hex = f->hex != NULL ? f->hex : "";
	char *even = NULL;
	size_t i;

	if (f->field[0] == '\0')
		return;
	/* cryptography's files write the exponent 65537 as "10001". */
	if (f->hexlen % 2 != 0) {
		even = malloc(f->hexlen + 2);
		assert_non_null(even);
		snprintf(even, f->hexlen + 2, "0%s", hex);
		hex = even;
	}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(f->field, map[i].name) != 0 ||
		    (map[i].priv >= 0 && map[i].priv != f->in_private))
			continue;
		vec_parts_set(&f->parts, map[i].part, hex);
		if (map[i].part != RSA_QINV)
			break;
		/* The last part of a key. */
		crypto_key_unref(f->k);
		f->k = NULL;
		assert_int_equal(crypto_rsa_private(f->parts.b, &f->k), CKR_OK);
		f->keys++;
		/* A key too short for SHA-512's two hashes (k < 130). */
		if (crypto_sig_len(f->k) < 2 * 64 + 2) {
			crypto_oaep p = { HASH_SHA512, HASH_SHA512, NULL, 0 };
			uint8_t ct[512];

			assert_int_equal(crypto_oaep_max(f->k, HASH_SHA512), 0);
			assert_int_equal(crypto_oaep_encrypt(f->k, &p, NULL, 0, ct),
					 CKR_MECHANISM_PARAM_INVALID);
			f->small++;
		}
		break;
	}
	if (strcmp(f->field, "Message") == 0) {
		free(f->msg);
		f->mlen = vec_unhex(hex, &f->msg);
	} else if (strcmp(f->field, "Encryption") == 0) {
		uint8_t *ct;
		size_t clen = vec_unhex(hex, &ct);

		oaep_example(f, ct, clen);
		free(ct);
	}
	free(even);
	f->field[0] = '\0';
	f->hexlen = 0;
	if (f->hex != NULL)
		f->hex[0] = '\0';
}

/* "alg=sha224 mgf1=sha1" of an example line (cryptography's files); the
 * RSA Laboratories file is SHA-1 throughout. */
static void oaep_hashes(struct oaep_file *f, const char *line)
{
	const char *alg = strstr(line, "alg="), *mgf = strstr(line, "mgf1=");
	char name[16];

	f->hash = f->mgf1 = HASH_SHA1;
	if (alg != NULL && sscanf(alg, "alg=sha%9[0-9]", name + 3) == 1) {
		memcpy(name, "SHA", 3);
		f->hash = vec_hash_named(name);
	}
	if (mgf != NULL && sscanf(mgf, "mgf1=sha%9[0-9]", name + 3) == 1) {
		memcpy(name, "SHA", 3);
		f->mgf1 = vec_hash_named(name);
	}
}

static void oaep_cavp_file(const char *rel, struct oaep_file *f)
{
	const char *env = getenv("IOTOKEN_CAVP");
	char *path = vec_join(env != NULL && env[0] != '\0' ? env : VEC_CAVP_DEFAULT, rel);
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	if (in == NULL)
		fail_msg("missing CAVP vectors %s (apt-get install python3-cryptography-vectors)",
			 path);
	f->field[0] = '\0';
	f->hash = f->mgf1 = HASH_SHA1;
	while (getline(&line, &cap, in) != -1) {
		size_t n;

		rsp_trim(line);
		if (line[0] != '#') {
			if (line[0] == '\0')
				oaep_field_done(f);
			else if (f->field[0] != '\0')
				hex_add(f, line);
			continue;
		}
		/* A comment line ends the value before it. */
		oaep_field_done(f);
		n = strlen(line);
		if (strncmp(line, "# Public key", 12) == 0)
			f->in_private = 0;
		else if (strncmp(line, "# Private key", 13) == 0)
			f->in_private = 1;
		else if (strncmp(line, "# OAEP Example", 14) == 0)
			oaep_hashes(f, line);
		else if (n > 3 && line[n - 1] == ':' && n - 3 < sizeof(f->field))
			snprintf(f->field, sizeof(f->field), "%.*s", (int)(n - 3), line + 2);
	}
	oaep_field_done(f);
	free(line);
	free(path);
	fclose(in);
	crypto_key_unref(f->k);
	f->k = NULL;
}

static void oaep_file_free(struct oaep_file *f)
{
	vec_parts_free(&f->parts);
	free(f->hex);
	free(f->msg);
}

static void test_oaep_cavp_sha1(void **state)
{
	struct oaep_file f = { .hash = HASH_SHA1 };

	(void)state;
	oaep_cavp_file("asymmetric/RSA/pkcs-1v2-1d2-vec/oaep-vect.txt", &f);
	print_message("PKCS #1 v2.1 OAEP (SHA-1): %u keys, %u examples, %u keys too short "
		      "for SHA-512\n",
		      f.keys, f.examples, f.small);
	assert_int_equal(f.keys, 10);
	assert_int_equal(f.examples, 60);
	assert_true(f.small > 0);
	oaep_file_free(&f);
}

static void test_oaep_cavp_sha2(void **state)
{
	static const char *const names[HASH_COUNT] = { "sha1", "sha224", "sha256", "sha384",
						       "sha512" };
	struct oaep_file f = { .hash = HASH_SHA1 };
	char rel[128];
	int a, b, files = 0;

	(void)state;
	for (a = 0; a < HASH_COUNT; a++) {
		for (b = 0; b < HASH_COUNT; b++) {
			if (a == HASH_SHA1 && b == HASH_SHA1)
				continue; /* oaep-vect.txt */
			snprintf(rel, sizeof(rel), "asymmetric/RSA/oaep-custom/oaep-%s-%s.txt",
				 names[a], names[b]);
			oaep_cavp_file(rel, &f);
			files++;
		}
	}
	print_message("cryptography OAEP SHA-2: %d files, %u keys, %u examples "
		      "(%u with two hashes refused by this backend)\n",
		      files, f.keys, f.examples, f.refused);
	assert_int_equal(files, 24);
	assert_true(f.examples >= 24 * 6);
	assert_int_equal(f.refused, SPLIT_HASHES ? 0 : f.examples - 4 * f.examples / 24);
	oaep_file_free(&f);
}

/* Every pair of hashes, with and without a label: messages of every length
 * up to crypto_oaep_max (sampled) decrypt to themselves, one more byte is
 * CKR_DATA_LEN_RANGE, another label or hash does not decrypt. */
static void test_oaep_round_trip(void **state)
{
	static const uint8_t label[] = "iotoken oaep label";
	crypto_key *k = oaep_key(), *pub = public_of(k);
	const size_t klen = crypto_sig_len(k);
	unsigned pairs = 0, refused = 0;
	int a, b, l;

	(void)state;
	assert_int_equal(klen, 256);
	for (a = 0; a < HASH_COUNT; a++) {
		for (b = 0; b < HASH_COUNT; b++) {
			for (l = 0; l < 2; l++) {
				crypto_oaep p = { (enum crypto_hash)a, (enum crypto_hash)b,
						  l ? label : NULL, l ? sizeof(label) : 0 };
				crypto_oaep other = p;
				size_t max = crypto_oaep_max(k, p.hash), n, olen;
				uint8_t msg[256], ct[256], ct2[256], out[256];

				assert_int_equal(max, klen - 2 * crypto_hash_len(p.hash) - 2);
				assert_int_equal(crypto_oaep_max(pub, p.hash), max);
				assert_int_equal(crypto_random(msg, sizeof(msg)), CKR_OK);
				if (!SPLIT_HASHES && a != b) {
					assert_int_equal(crypto_oaep_encrypt(pub, &p, msg, 1, ct),
							 CKR_MECHANISM_PARAM_INVALID);
					memset(ct, 0x11, sizeof(ct));
					assert_int_equal(
						crypto_oaep_decrypt(k, &p, ct, klen, out, &olen),
						CKR_MECHANISM_PARAM_INVALID);
					refused++;
					continue;
				}
				pairs++;
				for (n = 0; n <= max; n += n < 3 || n + 3 > max ? 1 : max / 5) {
					assert_int_equal(crypto_oaep_encrypt(pub, &p, msg, n, ct),
							 CKR_OK);
					olen = 0;
					assert_int_equal(
						crypto_oaep_decrypt(k, &p, ct, klen, out, &olen),
						CKR_OK);
					assert_int_equal(olen, n);
					assert_memory_equal(out, msg, n);
				}
				/* Exactly max: with the private key's public half
				 * too, and randomized. */
				assert_int_equal(crypto_oaep_encrypt(k, &p, msg, max, ct), CKR_OK);
				assert_int_equal(crypto_oaep_encrypt(k, &p, msg, max, ct2), CKR_OK);
				assert_memory_not_equal(ct, ct2, klen);
				olen = 0;
				assert_int_equal(crypto_oaep_decrypt(k, &p, ct2, klen, out, &olen),
						 CKR_OK);
				assert_int_equal(olen, max);
				assert_memory_equal(out, msg, max);
				assert_int_equal(crypto_oaep_encrypt(pub, &p, msg, max + 1, ct2),
						 CKR_DATA_LEN_RANGE);
				assert_int_equal(crypto_oaep_encrypt(k, &p, msg, max + 1, ct2),
						 CKR_DATA_LEN_RANGE);
				/* Another label: lHash differs. */
				other.label = l ? NULL : label;
				other.label_len = l ? 0 : sizeof(label);
				assert_int_equal(
					crypto_oaep_decrypt(k, &other, ct, klen, out, &olen),
					CKR_ENCRYPTED_DATA_INVALID);
				other.label = label;
				other.label_len = l ? sizeof(label) - 1 : 0;
				if (l)
					assert_int_equal(crypto_oaep_decrypt(k, &other, ct, klen,
									     out, &olen),
							 CKR_ENCRYPTED_DATA_INVALID);
				/* Another hash (the label hash and MGF1 together on
				 * one-hash backends). */
				other = p;
				other.hash = (enum crypto_hash)((a + 1) % HASH_COUNT);
				if (!SPLIT_HASHES)
					other.mgf1 = other.hash;
				assert_int_equal(
					crypto_oaep_decrypt(k, &other, ct, klen, out, &olen),
					CKR_ENCRYPTED_DATA_INVALID);
				if (SPLIT_HASHES) {
					other = p;
					other.mgf1 = (enum crypto_hash)((b + 1) % HASH_COUNT);
					assert_int_equal(crypto_oaep_decrypt(k, &other, ct, klen,
									     out, &olen),
							 CKR_ENCRYPTED_DATA_INVALID);
				}
				/* One bit of the ciphertext. */
				ct[klen / 2] ^= 0x01;
				assert_int_equal(crypto_oaep_decrypt(k, &p, ct, klen, out, &olen),
						 CKR_ENCRYPTED_DATA_INVALID);
			}
		}
	}
	print_message("OAEP round trips: %u hash pairs x label; %u pairs refused by this "
		      "backend\n",
		      pairs, refused);
	assert_int_equal(pairs + refused, 2 * HASH_COUNT * HASH_COUNT);
	assert_int_equal(refused, SPLIT_HASHES ? 0 : 2 * (HASH_COUNT * HASH_COUNT - HASH_COUNT));
	crypto_key_unref(pub);
	crypto_key_unref(k);
}

static void test_oaep_errors(void **state)
{
	static const uint8_t label[4] = { 1, 2, 3, 4 };
	crypto_key *k = oaep_key(), *pub = public_of(k), *ec = NULL;
	crypto_oaep p = { HASH_SHA256, HASH_SHA256, NULL, 0 };
	uint8_t msg[16] = { 0 }, ct[300], out[300], *n;
	size_t olen = 0, klen = crypto_sig_len(k), i;
	uint8_t *parts[RSA_PARTS];
	size_t lens[RSA_PARTS];

	(void)state;
	assert_int_equal(crypto_oaep_max(k, HASH_SHA1), 256 - 42);
	assert_int_equal(crypto_oaep_max(k, HASH_SHA256), 256 - 66);
	assert_int_equal(crypto_oaep_max(k, HASH_SHA512), 256 - 130);
	assert_int_equal(crypto_oaep_max(k, HASH_COUNT), 0);

	/* Not an RSA key. */
	assert_int_equal(crypto_ec_generate(CURVE_P256, &ec), CKR_OK);
	assert_int_equal(crypto_oaep_max(ec, HASH_SHA256), 0);
	assert_int_equal(crypto_oaep_encrypt(ec, &p, msg, sizeof(msg), ct),
			 CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_oaep_decrypt(ec, &p, ct, 64, out, &olen),
			 CKR_KEY_TYPE_INCONSISTENT);
	crypto_key_unref(ec);
	/* Decryption needs the private key. */
	assert_int_equal(crypto_oaep_encrypt(pub, &p, msg, sizeof(msg), ct), CKR_OK);
	assert_int_equal(crypto_oaep_decrypt(pub, &p, ct, klen, out, &olen),
			 CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(crypto_oaep_decrypt(k, &p, ct, klen, out, &olen), CKR_OK);
	assert_int_equal(olen, sizeof(msg));

	/* Parameters. */
	assert_int_equal(crypto_oaep_encrypt(pub, NULL, msg, sizeof(msg), ct),
			 CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(crypto_oaep_decrypt(k, NULL, ct, klen, out, &olen),
			 CKR_MECHANISM_PARAM_INVALID);
	p.label_len = 4;
	assert_int_equal(crypto_oaep_encrypt(pub, &p, msg, sizeof(msg), ct),
			 CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(crypto_oaep_decrypt(k, &p, ct, klen, out, &olen),
			 CKR_MECHANISM_PARAM_INVALID);
	p.label = label;
	p.hash = HASH_COUNT;
	assert_int_equal(crypto_oaep_encrypt(pub, &p, msg, sizeof(msg), ct),
			 CKR_MECHANISM_PARAM_INVALID);
	p.hash = HASH_SHA256;
	p.mgf1 = HASH_COUNT;
	assert_int_equal(crypto_oaep_encrypt(pub, &p, msg, sizeof(msg), ct),
			 CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(crypto_oaep_decrypt(k, &p, ct, klen, out, &olen),
			 CKR_MECHANISM_PARAM_INVALID);
	p.mgf1 = HASH_SHA256;

	/* Ciphertext lengths other than k. */
	assert_int_equal(crypto_oaep_encrypt(pub, &p, msg, sizeof(msg), ct), CKR_OK);
	assert_int_equal(crypto_oaep_decrypt(k, &p, ct, klen - 1, out, &olen),
			 CKR_ENCRYPTED_DATA_LEN_RANGE);
	assert_int_equal(crypto_oaep_decrypt(k, &p, ct, klen + 1, out, &olen),
			 CKR_ENCRYPTED_DATA_LEN_RANGE);
	assert_int_equal(crypto_oaep_decrypt(k, &p, ct, 0, out, &olen),
			 CKR_ENCRYPTED_DATA_LEN_RANGE);
	olen = 0;
	assert_int_equal(crypto_oaep_decrypt(k, &p, ct, klen, out, &olen), CKR_OK);
	assert_int_equal(olen, sizeof(msg));

	/* Values that are not below the modulus, and 0 and 1. */
	assert_int_equal(crypto_rsa_parts(k, parts, lens), CKR_OK);
	n = parts[RSA_N];
	assert_int_equal(lens[RSA_N], klen);
	olen = 1234;
	memset(out, 0x77, sizeof(out));
	assert_int_equal(crypto_oaep_decrypt(k, &p, n, klen, out, &olen),
			 CKR_ENCRYPTED_DATA_INVALID);
	/* Nothing usable is left in out, and outlen is untouched. */
	assert_int_equal(olen, 1234);
	for (i = 0; i < klen; i++)
		assert_int_equal(out[i], 0);
	memset(ct, 0xff, klen);
	assert_int_equal(crypto_oaep_decrypt(k, &p, ct, klen, out, &olen),
			 CKR_ENCRYPTED_DATA_INVALID);
	memset(ct, 0, klen);
	assert_int_equal(crypto_oaep_decrypt(k, &p, ct, klen, out, &olen),
			 CKR_ENCRYPTED_DATA_INVALID);
	ct[klen - 1] = 1;
	assert_int_equal(crypto_oaep_decrypt(k, &p, ct, klen, out, &olen),
			 CKR_ENCRYPTED_DATA_INVALID);
	for (i = 0; i < RSA_PARTS; i++)
		port_free_secret(parts[i], lens[i]);
	crypto_key_unref(pub);
	crypto_key_unref(k);
}

#endif /* IOT_WITH_OAEP */

#if IOT_WITH_ECDH

/* ---- ECDH ---- */

static const uint8_t p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t ec_public_key_oid[] = { 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };

/* One DER TLV of tag at *p (before end), definite minimal lengths only;
 * its contents in c, n. 0 when it is not exactly that. */
static int der_tlv(const uint8_t **p, const uint8_t *end, uint8_t tag, const uint8_t **c, size_t *n)
{
	const uint8_t *q = *p;
	size_t len, k, i;

	if (end - q < 2 || q[0] != tag)
		return 0;
	len = q[1];
	q += 2;
	if (len & 0x80) {
		k = len & 0x7f;
		if (k == 0 || k > 2 || (size_t)(end - q) < k || q[0] == 0)
			return 0;
		for (len = 0, i = 0; i < k; i++)
			len = len << 8 | q[i];
		if (len < 0x80)
			return 0;
		q += k;
	}
	if ((size_t)(end - q) < len)
		return 0;
	*c = q;
	*n = len;
	*p = q + len;
	return 1;
}

/*
 * The test's SubjectPublicKeyInfo reader (RFC 5480 2): SEQUENCE {
 * SEQUENCE { id-ecPublicKey, namedCurve OID }, BIT STRING { 0 unused bits,
 * the point's bytes } }, strict DER, nothing trailing. Explicit curve
 * parameters (Wycheproof's UnnamedCurve cases) are not read: 0. The curve's
 * OID (with tag and length) and the encoded point, as they are.
 */
static int spki_point(const uint8_t *der, size_t len, const uint8_t **oid, size_t *oidlen,
		      const uint8_t **pt, size_t *ptlen)
{
	const uint8_t *p = der, *end = der + len, *seq, *alg, *bits, *a, *o;
	size_t seqlen, alglen, bitslen, olen;

	if (!der_tlv(&p, end, 0x30, &seq, &seqlen) || p != end)
		return 0;
	p = seq;
	end = seq + seqlen;
	if (!der_tlv(&p, end, 0x30, &alg, &alglen) || !der_tlv(&p, end, 0x03, &bits, &bitslen) ||
	    p != end)
		return 0;
	a = alg;
	if (!der_tlv(&a, alg + alglen, 0x06, &o, &olen) || olen + 2 != sizeof(ec_public_key_oid) ||
	    memcmp(o - 2, ec_public_key_oid, sizeof(ec_public_key_oid)) != 0)
		return 0;
	*oid = a;
	if (!der_tlv(&a, alg + alglen, 0x06, &o, &olen) || a != alg + alglen)
		return 0;
	*oidlen = (size_t)(a - *oid);
	if (bitslen < 1 || bits[0] != 0)
		return 0;
	*pt = bits + 1;
	*ptlen = bitslen - 1;
	return 1;
}

static int has_flag(json_object *t, const char *flag)
{
	json_object *flags = vec_get(t, "flags");
	size_t i;

	for (i = 0; i < json_object_array_length(flags); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(flags, i)), flag) == 0)
			return 1;
	return 0;
}

static void test_ecdh_wycheproof(void **state)
{
	json_object *root = vec_wycheproof("ecdh_secp256r1_test.json");
	json_object *groups = vec_get(root, "testGroups");
	unsigned valid = 0, invalid = 0, acceptable = 0, accepted = 0, by_der = 0, by_us = 0;
	unsigned other_curve = 0;
	size_t gi, ti;

	(void)state;
	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		json_object *g = json_object_array_get_idx(groups, gi);
		json_object *tests = vec_get(g, "tests");

		assert_string_equal(vec_str(g, "curve"), "secp256r1");
		assert_string_equal(vec_str(g, "encoding"), "asn");
		for (ti = 0; ti < json_object_array_length(tests); ti++) {
			json_object *t = json_object_array_get_idx(tests, ti);
			const char *result = vec_str(t, "result");
			int id = json_object_get_int(vec_get(t, "tcId"));
			uint8_t *pubder, *d, *shared, z[66];
			size_t plen = vec_unhex(vec_str(t, "public"), &pubder);
			size_t dlen = vec_unhex(vec_str(t, "private"), &d);
			size_t slen = vec_unhex(vec_str(t, "shared"), &shared);
			const uint8_t *oid = NULL, *pt = NULL;
			size_t oidlen = 0, ptlen = 0;
			crypto_key *k = NULL;
			int named = spki_point(pubder, plen, &oid, &oidlen, &pt, &ptlen);
			int p256 = named && oidlen == sizeof(p256_oid) &&
				   memcmp(oid, p256_oid, oidlen) == 0;
			int wrong = has_flag(t, "WrongCurve") || has_flag(t, "ModifiedGroup");
			CK_RV rv = CKR_ATTRIBUTE_VALUE_INVALID;

			assert_int_equal(crypto_ec_private(CURVE_P256, d, dlen, &k), CKR_OK);
			if (p256 || (named && wrong)) {
				/* A point of another named curve is given to the
				 * P-256 key as it is: refused too. */
				rv = crypto_ecdh(k, pt, ptlen, z);
				if (!p256) {
					other_curve++;
					if (rv != CKR_ATTRIBUTE_VALUE_INVALID)
						fail_msg("tcId %d: a point of another curve gave "
							 "0x%lx",
							 id, rv);
				}
			}
			if (strcmp(result, "valid") == 0) {
				valid++;
				if (!p256 || rv != CKR_OK)
					fail_msg("tcId %d: valid key refused (%s, 0x%lx)", id,
						 p256 ? "crypto_ecdh" : "conversion", rv);
				assert_int_equal(slen, 32);
				assert_memory_equal(z, shared, 32);
			} else if (strcmp(result, "invalid") == 0) {
				invalid++;
				if (!p256)
					by_der++;
				else if (rv == CKR_ATTRIBUTE_VALUE_INVALID)
					by_us++;
				else
					fail_msg("tcId %d (%s): invalid key gave 0x%lx", id,
						 vec_str(t, "comment"), rv);
			} else {
				acceptable++;
				if (p256 && rv == CKR_OK) {
					accepted++;
					assert_int_equal(slen, 32);
					assert_memory_equal(z, shared, 32);
				} else if (p256 && rv != CKR_ATTRIBUTE_VALUE_INVALID) {
					fail_msg("tcId %d: gave 0x%lx", id, rv);
				}
			}
			crypto_key_unref(k);
			free(pubder);
			free(d);
			free(shared);
		}
	}
	print_message("Wycheproof ECDH P-256: %u valid; %u invalid (%u refused by crypto_ecdh, "
		      "%u not P-256 namedCurve SPKI); %u acceptable (%u accepted); "
		      "%u points of other curves refused by crypto_ecdh\n",
		      valid, invalid, by_us, by_der, acceptable, accepted, other_curve);
	assert_true(valid > 300 && by_us > 10 && other_curve > 10);
	json_object_put(root);
}

/* "[EB - SHA224]" of the KAS files to the curve; 0 for P-192. */
static int kas_curve(const char *section, enum crypto_curve *c)
{
	static const struct {
		char set;
		enum crypto_curve c;
	} sets[] = {
		{ 'B', CURVE_P224 },
		{ 'C', CURVE_P256 },
		{ 'D', CURVE_P384 },
		{ 'E', CURVE_P521 },
	};
	size_t i;

	if (strlen(section) < 3 || section[1] != 'E')
		fail_msg("bad section %s", section);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		if (section[2] == sets[i].set) {
			*c = sets[i].c;
			return 1;
		}
	}
	return 0;
}

/* ECDH of the scalar ds with (qx, qy), or CKR_ATTRIBUTE_VALUE_INVALID when
 * a coordinate does not even fit the field's length. */
static CK_RV kas_ecdh(enum crypto_curve c, const char *ds, const char *qx, const char *qy,
		      uint8_t *z)
{
	size_t size = crypto_ec_size(c);
	uint8_t d[66], point[133];
	crypto_key *k = NULL;
	CK_RV rv;

	vec_unhex_pad(ds, d, size);
	/* dsIUT of the reason-7 records may be out of range. */
	rv = crypto_ec_private(c, d, size, &k);
	if (rv != CKR_OK)
		return rv;
	point[0] = 0x04;
	if (vec_unhex_fit(qx, point + 1, size) && vec_unhex_fit(qy, point + 1 + size, size))
		rv = crypto_ecdh(k, point, 1 + 2 * size, z);
	else
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	crypto_key_unref(k);
	return rv;
}

/* Whether ds's public point is (qx, qy). */
static int kas_pair(enum crypto_curve c, const char *ds, const char *qx, const char *qy)
{
	size_t size = crypto_ec_size(c), len = 133;
	uint8_t d[66], want[133], got[133];
	crypto_key *k = NULL;
	int same;

	vec_unhex_pad(ds, d, size);
	if (crypto_ec_private(c, d, size, &k) != CKR_OK)
		return 0;
	assert_int_equal(crypto_ec_point(k, got, &len), CKR_OK);
	want[0] = 0x04;
	same = vec_unhex_fit(qx, want + 1, size) && vec_unhex_fit(qy, want + 1 + size, size) &&
	       len == 1 + 2 * size && memcmp(got, want, len) == 0;
	crypto_key_unref(k);
	return same;
}

/*
 * NIST CAVP KAS ECC CDH primitive validity (SP 800-56A, ephemeral-static
 * unified, ZZ only): Z = x(dsIUT * QsCAVS) = x(dsCAVS * QsIUT). The failing
 * records name what was changed: the CAVS public key (reasons 1, 2: our
 * ECDH must refuse it), the IUT public key (5, 6: refused from the other
 * side, and not the point of dsIUT), dsIUT (7: its point is not QsIUT), or
 * Z (8: we compute another Z).
 */
static void test_ecdh_cavp(void **state)
{
	unsigned pass = 0, fail = 0, skipped = 0, per_curve[CURVE_COUNT] = { 0 };
	struct rsp r;

	(void)state;
	rsp_open(&r, "asymmetric/ECDH/KASValidityTest_ECCStaticUnified_NOKC_ZZOnly_init.fax");
	while (rsp_next(&r)) {
		const char *result = rsp_need(&r, "Result");
		const char *dsc = rsp_need(&r, "dsCAVS"), *dsi = rsp_need(&r, "dsIUT");
		const char *qcx = rsp_need(&r, "QsCAVSx"), *qcy = rsp_need(&r, "QsCAVSy");
		const char *qix = rsp_need(&r, "QsIUTx"), *qiy = rsp_need(&r, "QsIUTy");
		enum crypto_curve c = CURVE_COUNT;
		uint8_t want[66], za[66], zc[66];
		CK_RV ra, rc;
		size_t size;
		int reason = -1, pair;

		if (!kas_curve(r.section, &c)) {
			skipped++;
			continue;
		}
		size = crypto_ec_size(c);
		vec_unhex_pad(rsp_need(&r, "Z"), want, size);
		ra = kas_ecdh(c, dsi, qcx, qcy, za);
		rc = kas_ecdh(c, dsc, qix, qiy, zc);
		pair = kas_pair(c, dsi, qix, qiy);
		per_curve[c]++;
		if (result[0] == 'P') {
			pass++;
			if (ra != CKR_OK || rc != CKR_OK || !pair)
				fail_msg("%s COUNT %s: 0x%lx 0x%lx %d", r.section,
					 rsp_get(&r, "COUNT"), ra, rc, pair);
			assert_memory_equal(za, want, size);
			assert_memory_equal(zc, want, size);
			continue;
		}
		fail++;
		if (sscanf(result, "F (%d", &reason) != 1)
			fail_msg("bad result %s", result);
		switch (reason) {
		case 1:
		case 2:
			assert_int_equal(ra, CKR_ATTRIBUTE_VALUE_INVALID);
			break;
		case 5:
		case 6:
			assert_int_equal(rc, CKR_ATTRIBUTE_VALUE_INVALID);
			assert_false(pair);
			break;
		case 7:
			assert_false(pair);
			break;
		case 8:
			assert_int_equal(ra, CKR_OK);
			assert_memory_not_equal(za, want, size);
			break;
		default:
			fail_msg("%s COUNT %s: unknown reason %s", r.section, rsp_get(&r, "COUNT"),
				 result);
		}
	}
	rsp_close(&r);
	print_message("CAVP KAS ECC ZZOnly: %u pass, %u fail; P-224 %u, P-256 %u, P-384 %u, "
		      "P-521 %u; %u P-192 skipped\n",
		      pass, fail, per_curve[CURVE_P224], per_curve[CURVE_P256],
		      per_curve[CURVE_P384], per_curve[CURVE_P521], skipped);
	assert_true(pass > 0 && fail > 0);
	assert_true(per_curve[CURVE_P224] > 0 && per_curve[CURVE_P256] > 0 &&
		    per_curve[CURVE_P384] > 0 && per_curve[CURVE_P521] > 0);
}

/* Two new keys agree, on every curve, and the secret is crypto_ec_size
 * bytes. */
static void test_ecdh_agree(void **state)
{
	static const enum crypto_curve curves[] = { CURVE_P224, CURVE_P256, CURVE_P384,
						    CURVE_P521 };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		enum crypto_curve c = curves[i];
		size_t size = crypto_ec_size(c), la = 133, lb = 133;
		uint8_t qa[133], qb[133], za[67], zb[67];
		crypto_key *a = NULL, *b = NULL;

		assert_int_equal(size, (crypto_ec_bits(c) + 7) / 8);
		assert_int_equal(crypto_ec_generate(c, &a), CKR_OK);
		assert_int_equal(crypto_ec_generate(c, &b), CKR_OK);
		assert_int_equal(crypto_ec_point(a, qa, &la), CKR_OK);
		assert_int_equal(crypto_ec_point(b, qb, &lb), CKR_OK);
		memset(za, 0xee, sizeof(za));
		memset(zb, 0xee, sizeof(zb));
		assert_int_equal(crypto_ecdh(a, qb, lb, za), CKR_OK);
		assert_int_equal(crypto_ecdh(b, qa, la, zb), CKR_OK);
		assert_memory_equal(za, zb, size);
		/* Exactly size bytes written. */
		assert_int_equal(za[size], 0xee);
		for (j = 0; j < size && za[j] == 0; j++)
			;
		assert_true(j < size);
		crypto_key_unref(a);
		crypto_key_unref(b);
	}
}

#define P256_GX "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
#define P256_GY "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
#define P256_P "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
/* (5, y) is on P-256; 5 + p still fits 32 bytes. */
#define P256_X5_Y "459243b9aa581806fe913bce99817ade11ca503c64d9a3c533415c083248fbcc"
#define P256_X5_PLUS_P "ffffffff00000001000000000000000000000001000000000000000000000004"
/* The generator of secp256k1: a point of the same length, another curve. */
#define K256_GX "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
#define K256_GY "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
#define P384_GX \
	"aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7"
#define P384_GY \
	"3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f"

static CK_RV ecdh_hex(const crypto_key *k, const char *hex, uint8_t *z)
{
	uint8_t *b;
	size_t n = vec_unhex(hex, &b);
	CK_RV rv = crypto_ecdh(k, b, n, z);

	free(b);
	return rv;
}

static void test_ecdh_invalid_points(void **state)
{
	static const uint8_t one = 1;
	crypto_key *k = NULL, *k384 = NULL, *pub = NULL, *rsa = NULL;
	uint8_t z[66], q[133], point[65];
	size_t qlen = sizeof(q), i;
	vec_parts h = { 0 };

	(void)state;
	assert_int_equal(crypto_ec_private(CURVE_P256, &one, 1, &k), CKR_OK);
	assert_int_equal(crypto_ec_generate(CURVE_P384, &k384), CKR_OK);

	/* The reference: d = 1 gives x(Q) itself, and (5, y) is a point. */
	assert_int_equal(ecdh_hex(k, "04" P256_GX P256_GY, z), CKR_OK);
	vec_unhex_pad(P256_GX, q, 32);
	assert_memory_equal(z, q, 32);
	assert_int_equal(ecdh_hex(k,
				  "04"
				  "00000000000000000000000000000000000000000000000000000000"
				  "00000005" P256_X5_Y,
				  z),
			 CKR_OK);
	assert_int_equal(z[31], 5);

	/* Not on the curve. */
	assert_int_equal(
		ecdh_hex(k,
			 "04" P256_GX
			 "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f6",
			 z),
		CKR_ATTRIBUTE_VALUE_INVALID);
	/* The point at infinity: its one-byte encoding, and (0, 0). */
	assert_int_equal(ecdh_hex(k, "00", z), CKR_ATTRIBUTE_VALUE_INVALID);
	memset(point, 0, sizeof(point));
	point[0] = 0x04;
	assert_int_equal(crypto_ecdh(k, point, sizeof(point), z), CKR_ATTRIBUTE_VALUE_INVALID);
	/* A coordinate >= p: x = 5 + p (on the curve mod p) and x = p. */
	assert_int_equal(ecdh_hex(k, "04" P256_X5_PLUS_P P256_X5_Y, z),
			 CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(ecdh_hex(k, "04" P256_P P256_GY, z), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(ecdh_hex(k, "04" P256_GX P256_P, z), CKR_ATTRIBUTE_VALUE_INVALID);
	/* Wrong lengths and other encodings of G. */
	assert_int_equal(ecdh_hex(k, "04" P256_GX P256_GY "00", z), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(ecdh_hex(k, P256_GX P256_GY, z), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(ecdh_hex(k, "0400" P256_GX P256_GY, z), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(ecdh_hex(k, "03" P256_GX, z), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(ecdh_hex(k, "07" P256_GX P256_GY, z), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(ecdh_hex(k, "", z), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(crypto_ecdh(k, NULL, 0, z), CKR_ATTRIBUTE_VALUE_INVALID);
	/* Points of other curves. */
	assert_int_equal(ecdh_hex(k, "04" K256_GX K256_GY, z), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(ecdh_hex(k, "04" P384_GX P384_GY, z), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(ecdh_hex(k384, "04" P256_GX P256_GY, z), CKR_ATTRIBUTE_VALUE_INVALID);
	/* A refusal leaves nothing in out. */
	memset(z, 0x33, sizeof(z));
	assert_int_equal(ecdh_hex(k, "04" K256_GX K256_GY, z), CKR_ATTRIBUTE_VALUE_INVALID);
	for (i = 0; i < 32; i++)
		assert_true(z[i] == 0 || z[i] == 0x33);

	/* Only a private EC key agrees. */
	assert_int_equal(crypto_ec_point(k, q, &qlen), CKR_OK);
	assert_int_equal(crypto_ec_public(CURVE_P256, q, qlen, &pub), CKR_OK);
	assert_int_equal(crypto_ecdh(pub, q, qlen, z), CKR_KEY_TYPE_INCONSISTENT);
#if IOT_WITH_RSA
	{
		json_object *root = vec_wycheproof("rsa_oaep_2048_sha256_mgf1sha256_test.json");
		json_object *g = json_object_array_get_idx(vec_get(root, "testGroups"), 0);
		json_object *pk = vec_get(g, "privateKey");

		vec_parts_set(&h, RSA_N, vec_str(pk, "modulus"));
		vec_parts_set(&h, RSA_E, vec_str(pk, "publicExponent"));
		vec_parts_set(&h, RSA_D, vec_str(pk, "privateExponent"));
		vec_parts_set(&h, RSA_P, vec_str(pk, "prime1"));
		vec_parts_set(&h, RSA_Q, vec_str(pk, "prime2"));
		assert_int_equal(crypto_rsa_private(h.b, &rsa), CKR_OK);
		assert_int_equal(crypto_ecdh(rsa, q, qlen, z), CKR_KEY_TYPE_INCONSISTENT);
		crypto_key_unref(rsa);
		vec_parts_free(&h);
		json_object_put(root);
	}
#endif
	crypto_key_unref(pub);
	crypto_key_unref(k384);
	crypto_key_unref(k);
}

#endif /* IOT_WITH_ECDH */

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
#if IOT_WITH_OAEP
		cmocka_unit_test(test_oaep_wycheproof),
		cmocka_unit_test(test_oaep_cavp_sha1),
		cmocka_unit_test(test_oaep_cavp_sha2),
		cmocka_unit_test(test_oaep_round_trip),
		cmocka_unit_test(test_oaep_errors),
#endif
#if IOT_WITH_ECDH
		cmocka_unit_test(test_ecdh_wycheproof),
		cmocka_unit_test(test_ecdh_cavp),
		cmocka_unit_test(test_ecdh_agree),
		cmocka_unit_test(test_ecdh_invalid_points),
#endif
	};
	/* clang-format on */

	(void)hash_names;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
