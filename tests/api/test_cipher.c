/*
 * Secret keys through the API (issue 10): C_GenerateKey, AES encryption and
 * decryption in every offered mode (single- and multi-part, the two-call
 * convention, the termination rules of v2.40 5.8/5.9), the AES key wraps
 * through C_Encrypt/C_Decrypt, HMAC and CMAC through C_Sign/C_Verify, and
 * RSA-OAEP. Known answers from NIST SP 800-38A/38B/38D, RFC 3394, RFC 5649
 * and RFC 4231; the mechanisms' own vector files run in test_wycheproof.c
 * and the crypto layer's unit tests.
 */
#include <stdlib.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

static unsigned char *unhex(const char *hex, CK_ULONG *len)
{
	unsigned char *p = malloc(strlen(hex) / 2 + 1);
	size_t n;

	assert_non_null(p);
	n = h_unhex(hex, p, strlen(hex) / 2 + 1);
	assert_true(n != (size_t)-1);
	*len = (CK_ULONG)n;
	return p;
}

static void assert_hex_eq(const unsigned char *got, CK_ULONG len, const char *hex)
{
	CK_ULONG n;
	unsigned char *want = unhex(hex, &n);

	if (n != len || memcmp(got, want, n) != 0)
		fail_msg("output differs from the known answer %s (length %lu, want %lu)", hex,
			 (unsigned long)len, (unsigned long)n);
	free(want);
}

/* A public session AES (or generic) key with the given value and usages. */
static CK_OBJECT_HANDLE key_hex(CK_SESSION_HANDLE s, CK_KEY_TYPE type, const char *hex,
				CK_ATTRIBUTE_TYPE use1, CK_ATTRIBUTE_TYPE use2)
{
	CK_ULONG n;
	unsigned char *v = unhex(hex, &n);
	CK_OBJECT_HANDLE k;
	h_tmpl t;

	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_ulong(&t, CKA_KEY_TYPE, type);
	t_bytes(&t, CKA_VALUE, v, n);
	t_bool(&t, CKA_PRIVATE, CK_FALSE); /* usable without a login */
	t_bool(&t, use1, CK_TRUE);
	if (use2 != use1)
		t_bool(&t, use2, CK_TRUE);
	k = h_create(s, &t);
	free(v);
	return k;
}

static CK_OBJECT_HANDLE aes_key(CK_SESSION_HANDLE s, const char *hex)
{
	return key_hex(s, CKK_AES, hex, CKA_ENCRYPT, CKA_DECRYPT);
}

static CK_RV encrypt_once(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE k,
			  const unsigned char *in, CK_ULONG n, unsigned char *out, CK_ULONG *outlen)
{
	CK_RV rv = p11->C_EncryptInit(s, m, k);

	return rv != CKR_OK ? rv : p11->C_Encrypt(s, (CK_BYTE_PTR)in, n, out, outlen);
}

static CK_RV decrypt_once(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE k,
			  const unsigned char *in, CK_ULONG n, unsigned char *out, CK_ULONG *outlen)
{
	CK_RV rv = p11->C_DecryptInit(s, m, k);

	return rv != CKR_OK ? rv : p11->C_Decrypt(s, (CK_BYTE_PTR)in, n, out, outlen);
}

/* Encrypts pt_hex, checks ct_hex, decrypts it back. */
static void kat(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE k, const char *pt_hex,
		const char *ct_hex)
{
	unsigned char out[256];
	CK_ULONG ptlen, outlen = sizeof(out);
	unsigned char *pt = unhex(pt_hex, &ptlen);
	CK_ULONG ctlen;
	unsigned char *ct = unhex(ct_hex, &ctlen);

	assert_ok(encrypt_once(s, m, k, pt, ptlen, out, &outlen));
	assert_hex_eq(out, outlen, ct_hex);
	outlen = sizeof(out);
	assert_ok(decrypt_once(s, m, k, ct, ctlen, out, &outlen));
	assert_hex_eq(out, outlen, pt_hex);
	free(pt);
	free(ct);
}

#define K128 "2b7e151628aed2a6abf7158809cf4f3c"
#define P4                                                                 \
	"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51" \
	"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"

static void test_aes_known_answers(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	CK_OBJECT_HANDLE k = aes_key(s, K128);
	unsigned char iv[16];
	CK_AES_CTR_PARAMS ctr;
	CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 };
	CK_MECHANISM cbc = { CKM_AES_CBC, iv, sizeof(iv) };
	CK_MECHANISM ctrm = { CKM_AES_CTR, &ctr, sizeof(ctr) };

	(void)state;
	/* SP 800-38A F.1.1, F.2.1, F.5.1. */
	kat(s, &ecb, k, P4,
	    "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
	    "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4");
	h_unhex("000102030405060708090a0b0c0d0e0f", iv, sizeof(iv));
	kat(s, &cbc, k, P4,
	    "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
	    "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
	ctr.ulCounterBits = 128;
	h_unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", ctr.cb, sizeof(ctr.cb));
	kat(s, &ctrm, k, P4,
	    "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
	    "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
	/* A partial last block in CTR. */
	kat(s, &ctrm, k, "6bc1bee22e409f96e93d7e117393172aae",
	    "874d6191b620e3261bef6864990db6ce98");
}

static void test_gcm(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	/* The GCM specification's test cases 2 and 4 (SP 800-38D's source). */
	CK_OBJECT_HANDLE k0 = aes_key(s, "00000000000000000000000000000000");
	CK_OBJECT_HANDLE k4 = aes_key(s, "feffe9928665731c6d6a8f9467308308");
	unsigned char iv[12] = { 0 }, aad[20], ct[128], pt[128];
	CK_GCM_PARAMS g = { iv, sizeof(iv), 96, NULL, 0, 128 };
	CK_MECHANISM m = { CKM_AES_GCM, &g, sizeof(g) };
	CK_ULONG n, ctlen;

	(void)state;
	kat(s, &m, k0, "00000000000000000000000000000000",
	    "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf");
	h_unhex("cafebabefacedbaddecaf888", iv, sizeof(iv));
	h_unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, sizeof(aad));
	g.pAAD = aad;
	g.ulAADLen = sizeof(aad);
	kat(s, &m, k4,
	    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	    "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
	    "5bc94fbc3221a5db94fae95ae7121a47");

	/* A flipped bit anywhere fails the tag: nothing released, and the
	 * operation ends. */
	n = sizeof(ct);
	assert_ok(encrypt_once(s, &m, k4, (const unsigned char *)"attack at dawn", 14, ct, &n));
	ctlen = n;
	ct[3] ^= 1;
	memset(pt, 0xee, sizeof(pt));
	n = sizeof(pt);
	assert_rv(decrypt_once(s, &m, k4, ct, ctlen, pt, &n), CKR_ENCRYPTED_DATA_INVALID);
	assert_int_equal(pt[0], 0xee);
	n = sizeof(pt);
	assert_rv(p11->C_Decrypt(s, ct, ctlen, pt, &n), CKR_OPERATION_NOT_INITIALIZED);
	ct[3] ^= 1;
	ct[ctlen - 1] ^= 0x80;
	n = sizeof(pt);
	assert_rv(decrypt_once(s, &m, k4, ct, ctlen, pt, &n), CKR_ENCRYPTED_DATA_INVALID);
	ct[ctlen - 1] ^= 0x80;
	/* Multi-part decryption releases nothing before the final. */
	n = sizeof(pt);
	assert_ok(p11->C_DecryptInit(s, &m, k4));
	assert_ok(p11->C_DecryptUpdate(s, ct, 10, pt, &n));
	assert_int_equal(n, 0);
	n = sizeof(pt);
	assert_ok(p11->C_DecryptUpdate(s, ct + 10, ctlen - 10, pt, &n));
	assert_int_equal(n, 0);
	n = sizeof(pt);
	assert_ok(p11->C_DecryptFinal(s, pt, &n));
	assert_int_equal(n, 14);
	assert_memory_equal(pt, "attack at dawn", 14);

	/* Tag lengths: 96 bits works (shorter tag, same ciphertext). */
	g.ulTagBits = 96;
	n = sizeof(ct);
	assert_ok(encrypt_once(s, &m, k4, (const unsigned char *)"x", 1, ct, &n));
	assert_int_equal(n, 1 + 12);
	/* Parameters out of range: CKR_MECHANISM_PARAM_INVALID at the init. */
	g.ulTagBits = 136;
	assert_rv(p11->C_EncryptInit(s, &m, k4), CKR_MECHANISM_PARAM_INVALID);
	g.ulTagBits = 100;
	assert_rv(p11->C_EncryptInit(s, &m, k4), CKR_MECHANISM_PARAM_INVALID);
	g.ulTagBits = 128;
	g.ulIvLen = 0;
	assert_rv(p11->C_EncryptInit(s, &m, k4), CKR_MECHANISM_PARAM_INVALID);
	g.ulIvLen = 12;
	g.pIv = NULL;
	assert_rv(p11->C_EncryptInit(s, &m, k4), CKR_MECHANISM_PARAM_INVALID);
	g.pIv = iv;
	m.ulParameterLen = sizeof(g) - 1;
	assert_rv(p11->C_EncryptInit(s, &m, k4), CKR_MECHANISM_PARAM_INVALID);
	m.pParameter = NULL;
	m.ulParameterLen = 0;
	assert_rv(p11->C_EncryptInit(s, &m, k4), CKR_MECHANISM_PARAM_INVALID);
	/* The v2.40 header before its errata had no ulIvBits; clients built
	 * against it pass five fields: taken too. */
	{
		struct {
			CK_BYTE_PTR iv;
			CK_ULONG ivlen;
			CK_BYTE_PTR aad;
			CK_ULONG aadlen;
			CK_ULONG tagbits;
		} old = { iv, 12, aad, sizeof(aad), 128 };
		unsigned char ct2[64];
		CK_ULONG n2 = sizeof(ct2);

		g = (CK_GCM_PARAMS){ iv, 12, 96, aad, sizeof(aad), 128 };
		m = (CK_MECHANISM){ CKM_AES_GCM, &g, sizeof(g) };
		n = sizeof(ct);
		assert_ok(encrypt_once(s, &m, k4, (const unsigned char *)"same", 4, ct, &n));
		m = (CK_MECHANISM){ CKM_AES_GCM, &old, sizeof(old) };
		assert_ok(encrypt_once(s, &m, k4, (const unsigned char *)"same", 4, ct2, &n2));
		assert_int_equal(n, n2);
		assert_memory_equal(ct, ct2, n);
	}
}

/* C_Encrypt's two calls, CBC_PAD's exact lengths, and the end of the
 * operation after each outcome. */
static void test_two_call(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	CK_OBJECT_HANDLE k = aes_key(s, K128);
	unsigned char iv[16] = { 1 }, ct[64], pt[64];
	CK_MECHANISM m = { CKM_AES_CBC_PAD, iv, sizeof(iv) };
	const char *msg = "twenty bytes long!!!";
	CK_ULONG n, ctlen;

	(void)state;
	assert_ok(p11->C_EncryptInit(s, &m, k));
	assert_ok(p11->C_Encrypt(s, (CK_BYTE_PTR)msg, 20, NULL, &n));
	assert_int_equal(n, 32);
	n = 31;
	assert_rv(p11->C_Encrypt(s, (CK_BYTE_PTR)msg, 20, ct, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 32);
	n = sizeof(ct);
	assert_ok(p11->C_Encrypt(s, (CK_BYTE_PTR)msg, 20, ct, &n));
	assert_int_equal(n, 32);
	ctlen = n;
	n = sizeof(ct);
	assert_rv(p11->C_Encrypt(s, (CK_BYTE_PTR)msg, 20, ct, &n), CKR_OPERATION_NOT_INITIALIZED);

	/* Decryption: the length query may overstate (v2.40 5.2 allows it);
	 * a buffer of the exact plaintext length is enough, one byte less
	 * gets the exact length, and the operation goes on. */
	assert_ok(p11->C_DecryptInit(s, &m, k));
	assert_ok(p11->C_Decrypt(s, ct, ctlen, NULL, &n));
	assert_true(n >= 20);
	n = 19;
	assert_rv(p11->C_Decrypt(s, ct, ctlen, pt, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 20);
	n = 20;
	assert_ok(p11->C_Decrypt(s, ct, ctlen, pt, &n));
	assert_int_equal(n, 20);
	assert_memory_equal(pt, msg, 20);

	/* The same for a multi-part final. */
	assert_ok(p11->C_DecryptInit(s, &m, k));
	n = sizeof(pt);
	assert_ok(p11->C_DecryptUpdate(s, ct, ctlen, pt, &n));
	assert_int_equal(n, 16);
	n = 3;
	assert_rv(p11->C_DecryptFinal(s, pt + 16, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 4);
	assert_ok(p11->C_DecryptFinal(s, pt + 16, &n));
	assert_int_equal(n, 4);
	assert_memory_equal(pt, msg, 20);
	n = sizeof(pt);
	assert_rv(p11->C_DecryptFinal(s, pt, &n), CKR_OPERATION_NOT_INITIALIZED);
	/* An update while that final waits for a larger buffer (its AES
	 * context is spent): refused, even as a length query, and the
	 * operation ends. */
	assert_ok(p11->C_DecryptInit(s, &m, k));
	n = sizeof(pt);
	assert_ok(p11->C_DecryptUpdate(s, ct, ctlen, pt, &n));
	n = 3;
	assert_rv(p11->C_DecryptFinal(s, pt + 16, &n), CKR_BUFFER_TOO_SMALL);
	assert_rv(p11->C_DecryptUpdate(s, ct, 16, NULL, &n), CKR_OPERATION_NOT_INITIALIZED);
	n = sizeof(pt);
	assert_rv(p11->C_DecryptFinal(s, pt + 16, &n), CKR_OPERATION_NOT_INITIALIZED);

	/* Bad padding: one code, the operation ends. */
	ct[ctlen - 1] ^= 0x55;
	n = sizeof(pt);
	assert_rv(decrypt_once(s, &m, k, ct, ctlen, pt, &n), CKR_ENCRYPTED_DATA_INVALID);
	n = sizeof(pt);
	assert_rv(p11->C_Decrypt(s, ct, ctlen, pt, &n), CKR_OPERATION_NOT_INITIALIZED);
	/* Lengths that cannot be ciphertext. */
	n = sizeof(pt);
	assert_rv(decrypt_once(s, &m, k, ct, 17, pt, &n), CKR_ENCRYPTED_DATA_LEN_RANGE);
	n = sizeof(pt);
	assert_rv(decrypt_once(s, &m, k, ct, 0, pt, &n), CKR_ENCRYPTED_DATA_LEN_RANGE);
	m.mechanism = CKM_AES_CBC;
	n = sizeof(ct);
	assert_rv(encrypt_once(s, &m, k, (const unsigned char *)msg, 20, ct, &n),
		  CKR_DATA_LEN_RANGE);
	/* A NULL length pointer ends the operation with CKR_ARGUMENTS_BAD. */
	assert_ok(p11->C_EncryptInit(s, &m, k));
	assert_rv(p11->C_Encrypt(s, (CK_BYTE_PTR)msg, 16, ct, NULL), CKR_ARGUMENTS_BAD);
	n = sizeof(ct);
	assert_rv(p11->C_Encrypt(s, (CK_BYTE_PTR)msg, 16, ct, &n), CKR_OPERATION_NOT_INITIALIZED);
	/* A second init while one is active. */
	assert_ok(p11->C_EncryptInit(s, &m, k));
	assert_rv(p11->C_EncryptInit(s, &m, k), CKR_OPERATION_ACTIVE);
	/* Single-part after an update: refused, the multi-part one goes on. */
	n = sizeof(ct);
	assert_ok(p11->C_EncryptUpdate(s, (CK_BYTE_PTR)msg, 5, ct, &n));
	assert_int_equal(n, 0);
	n = sizeof(ct);
	assert_rv(p11->C_Encrypt(s, (CK_BYTE_PTR)msg, 16, ct, &n), CKR_OPERATION_ACTIVE);
	n = sizeof(ct);
	assert_ok(p11->C_EncryptUpdate(s, (CK_BYTE_PTR)msg + 5, 11, ct, &n));
	assert_int_equal(n, 16);
	n = sizeof(ct);
	assert_ok(p11->C_EncryptFinal(s, ct, &n));
	assert_int_equal(n, 0);
}

/* Every mode in random chunks equals one call. */
static void test_multipart(void **state)
{
	static const CK_MECHANISM_TYPE types[] = { CKM_AES_ECB, CKM_AES_CBC, CKM_AES_CBC_PAD,
						   CKM_AES_CTR, CKM_AES_GCM };
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	CK_OBJECT_HANDLE k = aes_key(s, "000102030405060708090a0b0c0d0e0f1011121314151617");
	unsigned char iv[16] = { 9, 8, 7 }, msg[160], one[256], parts[256], back[256];
	CK_AES_CTR_PARAMS ctr = { 32, { 0xff, 0xff } };
	CK_GCM_PARAMS g = { iv, 12, 96, msg, 7, 128 };
	size_t t;
	unsigned seed = 7;

	(void)state;
	for (t = 0; t < sizeof(msg); t++)
		msg[t] = (unsigned char)(t * 7 + 1);
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		CK_MECHANISM m = { types[t], NULL, 0 };
		CK_ULONG len = types[t] == CKM_AES_ECB || types[t] == CKM_AES_CBC ? 160 : 150;
		CK_ULONG n1 = sizeof(one), done = 0, pos = 0, n;
		int round;

		if (types[t] == CKM_AES_CBC || types[t] == CKM_AES_CBC_PAD) {
			m.pParameter = iv;
			m.ulParameterLen = 16;
		} else if (types[t] == CKM_AES_CTR) {
			m.pParameter = &ctr;
			m.ulParameterLen = sizeof(ctr);
		} else if (types[t] == CKM_AES_GCM) {
			m.pParameter = &g;
			m.ulParameterLen = sizeof(g);
		}
		assert_ok(encrypt_once(s, &m, k, msg, len, one, &n1));
		for (round = 0; round < 5; round++) {
			done = 0;
			pos = 0;
			assert_ok(p11->C_EncryptInit(s, &m, k));
			while (pos < len) {
				CK_ULONG c = (CK_ULONG)(rand_r(&seed) % 40);

				if (c > len - pos)
					c = len - pos;
				n = sizeof(parts) - done;
				assert_ok(p11->C_EncryptUpdate(s, msg + pos, c, parts + done, &n));
				done += n;
				pos += c;
			}
			n = sizeof(parts) - done;
			assert_ok(p11->C_EncryptFinal(s, parts + done, &n));
			done += n;
			assert_int_equal(done, n1);
			assert_memory_equal(parts, one, n1);
			/* And back, in other chunks. */
			done = 0;
			pos = 0;
			assert_ok(p11->C_DecryptInit(s, &m, k));
			while (pos < n1) {
				CK_ULONG c = (CK_ULONG)(rand_r(&seed) % 40);

				if (c > n1 - pos)
					c = n1 - pos;
				n = sizeof(back) - done;
				assert_ok(p11->C_DecryptUpdate(s, one + pos, c, back + done, &n));
				done += n;
				pos += c;
			}
			n = sizeof(back) - done;
			assert_ok(p11->C_DecryptFinal(s, back + done, &n));
			done += n;
			assert_int_equal(done, len);
			assert_memory_equal(back, msg, len);
		}
	}
}

static void test_ctr_counter_wrap(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	CK_OBJECT_HANDLE k = aes_key(s, K128);
	CK_AES_CTR_PARAMS ctr = { 2, { 0 } };
	CK_MECHANISM m = { CKM_AES_CTR, &ctr, sizeof(ctr) };
	unsigned char buf[96] = { 0 }, out[96];
	CK_ULONG n = sizeof(out);

	(void)state;
	/* A 2-bit counter counts 4 blocks; a 5th would repeat the key stream. */
	assert_ok(encrypt_once(s, &m, k, buf, 64, out, &n));
	n = sizeof(out);
	assert_rv(encrypt_once(s, &m, k, buf, 65, out, &n), CKR_DATA_LEN_RANGE);
	ctr.ulCounterBits = 0;
	assert_rv(p11->C_EncryptInit(s, &m, k), CKR_MECHANISM_PARAM_INVALID);
	ctr.ulCounterBits = 129;
	assert_rv(p11->C_EncryptInit(s, &m, k), CKR_MECHANISM_PARAM_INVALID);
}

/* Key checks in v2.40 5.8's order. */
static void test_key_checks(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE enc_only = key_hex(s, CKK_AES, K128, CKA_ENCRYPT, CKA_ENCRYPT);
	CK_OBJECT_HANDLE generic = key_hex(s, CKK_GENERIC_SECRET, K128, CKA_ENCRYPT, CKA_DECRYPT);
	CK_OBJECT_HANDLE k = aes_key(s, K128), pub, priv, data;
	CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 }, sha = { CKM_SHA256, NULL, 0 };
	CK_MECHANISM_TYPE allowed = CKM_AES_CBC;
	unsigned char iv[16] = { 0 };
	h_tmpl t;

	(void)state;
	h_login(s, CKU_USER);
	h_gen_ec(s, &h_curves[0], CK_FALSE, &pub, &priv);
	data = h_data(s, "d", CK_FALSE, CK_FALSE);
	assert_rv(p11->C_DecryptInit(s, &ecb, enc_only), CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_rv(p11->C_EncryptInit(s, &ecb, generic), CKR_KEY_TYPE_INCONSISTENT);
	assert_rv(p11->C_EncryptInit(s, &ecb, pub), CKR_KEY_TYPE_INCONSISTENT);
	assert_rv(p11->C_EncryptInit(s, &ecb, data), CKR_KEY_TYPE_INCONSISTENT);
	assert_rv(p11->C_EncryptInit(s, &ecb, 0x7fff0000), CKR_KEY_HANDLE_INVALID);
	assert_rv(p11->C_EncryptInit(s, &sha, k), CKR_MECHANISM_INVALID);
	assert_rv(p11->C_EncryptInit(s, NULL, k), CKR_ARGUMENTS_BAD);
	ecb.pParameter = iv;
	ecb.ulParameterLen = 16;
	assert_rv(p11->C_EncryptInit(s, &ecb, k), CKR_MECHANISM_PARAM_INVALID);
	{
		CK_MECHANISM cbc = { CKM_AES_CBC, iv, 15 };

		assert_rv(p11->C_EncryptInit(s, &cbc, k), CKR_MECHANISM_PARAM_INVALID);
	}
	/* CKA_ALLOWED_MECHANISMS. */
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_bool(&t, CKA_ENCRYPT, CK_TRUE);
	t_bytes(&t, CKA_ALLOWED_MECHANISMS, &allowed, sizeof(allowed));
	ecb.pParameter = NULL;
	ecb.ulParameterLen = 0;
	assert_rv(p11->C_EncryptInit(s, &ecb, h_create(s, &t)), CKR_MECHANISM_INVALID);
	/* Without an operation. */
	{
		unsigned char out[16];
		CK_ULONG n = sizeof(out);

		assert_rv(p11->C_Encrypt(s, iv, 16, out, &n), CKR_OPERATION_NOT_INITIALIZED);
		assert_rv(p11->C_EncryptUpdate(s, iv, 16, out, &n), CKR_OPERATION_NOT_INITIALIZED);
		assert_rv(p11->C_DecryptFinal(s, out, &n), CKR_OPERATION_NOT_INITIALIZED);
	}
}

static void test_key_wrap_modes(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	CK_MECHANISM kw = { CKM_AES_KEY_WRAP, NULL, 0 }, kwp = { CKM_AES_KEY_WRAP_PAD, NULL, 0 };
	CK_OBJECT_HANDLE k1 = aes_key(s, "000102030405060708090a0b0c0d0e0f");
	CK_OBJECT_HANDLE k2 = aes_key(s, "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");
	unsigned char out[64], bad[24];
	CK_ULONG n;

	(void)state;
	/* RFC 3394 4.1, RFC 5649 6 (second example). */
	kat(s, &kw, k1, "00112233445566778899aabbccddeeff",
	    "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
	kat(s, &kwp, k2, "466f7250617369", "afbeb0f07dfbf5419200f2ccb50bb24f");
	/* Integrity: a changed byte is refused, nothing released. */
	h_unhex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe4", bad, sizeof(bad));
	n = sizeof(out);
	assert_rv(decrypt_once(s, &kw, k1, bad, 24, out, &n), CKR_ENCRYPTED_DATA_INVALID);
	n = sizeof(out);
	assert_rv(encrypt_once(s, &kw, k1, bad, 12, out, &n), CKR_DATA_LEN_RANGE);
	/* Single-part mechanisms: no update. */
	assert_ok(p11->C_EncryptInit(s, &kw, k1));
	n = sizeof(out);
	assert_rv(p11->C_EncryptUpdate(s, bad, 16, out, &n), CKR_MECHANISM_INVALID);
	n = sizeof(out);
	assert_rv(p11->C_EncryptFinal(s, out, &n), CKR_OPERATION_NOT_INITIALIZED);
}

static CK_RV gen_secret(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, CK_ULONG len,
			CK_ATTRIBUTE_TYPE use, CK_OBJECT_HANDLE *k)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	h_tmpl t;

	t_init(&t);
	if (len > 0)
		t_ulong(&t, CKA_VALUE_LEN, len);
	t_bool(&t, use, CK_TRUE);
	return p11->C_GenerateKey(s, &m, t.a, t.n, k);
}

static void test_generate_key(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_MECHANISM m = { CKM_AES_KEY_GEN, NULL, 0 }, ecb = { CKM_AES_ECB, NULL, 0 };
	CK_OBJECT_HANDLE k, k2;
	unsigned char a[16], b[16], zero[16] = { 0 }, v[32];
	CK_ULONG n, len;
	h_tmpl t;

	(void)state;
	h_login(s, CKU_USER);
	for (len = 16; len <= 32; len += 8) {
		assert_ok(gen_secret(s, CKM_AES_KEY_GEN, len, CKA_ENCRYPT, &k));
		assert_int_equal(h_get_ulong(s, k, CKA_VALUE_LEN), len);
		assert_int_equal(h_get_ulong(s, k, CKA_KEY_TYPE), CKK_AES);
		assert_int_equal(h_get_ulong(s, k, CKA_CLASS), CKO_SECRET_KEY);
		assert_int_equal(h_get_ulong(s, k, CKA_KEY_GEN_MECHANISM), CKM_AES_KEY_GEN);
		assert_true(h_get_bool(s, k, CKA_LOCAL));
		assert_true(h_get_bool(s, k, CKA_SENSITIVE));
		assert_true(h_get_bool(s, k, CKA_ALWAYS_SENSITIVE));
		assert_true(h_get_bool(s, k, CKA_NEVER_EXTRACTABLE));
		assert_true(h_get_bool(s, k, CKA_PRIVATE));
	}
	/* Two keys differ; a key encrypts (zero block) to something else than
	 * another's. */
	assert_ok(gen_secret(s, CKM_AES_KEY_GEN, 16, CKA_ENCRYPT, &k));
	assert_ok(gen_secret(s, CKM_AES_KEY_GEN, 16, CKA_ENCRYPT, &k2));
	n = sizeof(a);
	assert_ok(encrypt_once(s, &ecb, k, zero, 16, a, &n));
	n = sizeof(b);
	assert_ok(encrypt_once(s, &ecb, k2, zero, 16, b, &n));
	assert_memory_not_equal(a, b, 16);
	/* An extractable, not sensitive one shows its value. */
	t_init(&t);
	t_ulong(&t, CKA_VALUE_LEN, 32);
	t_bool(&t, CKA_SENSITIVE, CK_FALSE);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	assert_ok(p11->C_GenerateKey(s, &m, t.a, t.n, &k));
	assert_int_equal(h_get_bytes(s, k, CKA_VALUE, v, sizeof(v)), 32);
	assert_false(h_get_bool(s, k, CKA_ALWAYS_SENSITIVE));
	assert_false(h_get_bool(s, k, CKA_NEVER_EXTRACTABLE));
	/* Errors. */
	assert_rv(gen_secret(s, CKM_AES_KEY_GEN, 0, CKA_ENCRYPT, &k), CKR_TEMPLATE_INCOMPLETE);
	assert_rv(gen_secret(s, CKM_AES_KEY_GEN, 20, CKA_ENCRYPT, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(gen_secret(s, CKM_AES_KEY_GEN, 64, CKA_ENCRYPT, &k), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(gen_secret(s, CKM_GENERIC_SECRET_KEY_GEN, 4097, CKA_SIGN, &k),
		  CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(gen_secret(s, CKM_SHA256, 16, CKA_ENCRYPT, &k), CKR_MECHANISM_INVALID);
	assert_rv(gen_secret(s, CKM_EC_KEY_PAIR_GEN, 16, CKA_ENCRYPT, &k), CKR_MECHANISM_INVALID);
	t_init(&t);
	t_ulong(&t, CKA_VALUE_LEN, 16);
	t_bytes(&t, CKA_VALUE, zero, 16);
	assert_rv(p11->C_GenerateKey(s, &m, t.a, t.n, &k), CKR_TEMPLATE_INCONSISTENT);
	t_init(&t);
	t_ulong(&t, CKA_VALUE_LEN, 16);
	t_ulong(&t, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
	assert_rv(p11->C_GenerateKey(s, &m, t.a, t.n, &k), CKR_TEMPLATE_INCONSISTENT);
	t_init(&t);
	t_ulong(&t, CKA_VALUE_LEN, 16);
	t_bool(&t, CKA_LOCAL, CK_FALSE);
	assert_rv(p11->C_GenerateKey(s, &m, t.a, t.n, &k), CKR_ATTRIBUTE_READ_ONLY);
	m.pParameter = zero;
	m.ulParameterLen = 1;
	assert_rv(p11->C_GenerateKey(s, &m, NULL, 0, &k), CKR_MECHANISM_PARAM_INVALID);
	m.pParameter = NULL;
	m.ulParameterLen = 0;
	assert_rv(p11->C_GenerateKey(s, &m, NULL, 0, NULL), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_GenerateKey(s, NULL, NULL, 0, &k), CKR_ARGUMENTS_BAD);
	/* A private token key needs the user. */
	assert_ok(p11->C_Logout(s));
	t_init(&t);
	t_ulong(&t, CKA_VALUE_LEN, 16);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	assert_rv(p11->C_GenerateKey(s, &m, t.a, t.n, &k), CKR_USER_NOT_LOGGED_IN);
}

static void test_hmac(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	/* RFC 4231 test cases 1 and 6. */
	CK_OBJECT_HANDLE k1 =
		key_hex(s, CKK_GENERIC_SECRET, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", CKA_SIGN,
			CKA_VERIFY);
	char big[263];
	CK_OBJECT_HANDLE k6, shortk;
	CK_MECHANISM m = { CKM_SHA256_HMAC, NULL, 0 };
	CK_ULONG glen = 16;
	CK_MECHANISM gm = { CKM_SHA256_HMAC_GENERAL, &glen, sizeof(glen) };
	unsigned char mac[64];
	CK_ULONG n;

	(void)state;
	n = h_sign(s, &m, k1, "Hi There", 8, mac, sizeof(mac));
	assert_hex_eq(mac, n, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	/* The 20-byte key is below SHA-512's 32-byte minimum. */
	m.mechanism = CKM_SHA512_HMAC;
	assert_rv(p11->C_SignInit(s, &m, k1), CKR_KEY_SIZE_RANGE);
	memset(big, 'a', sizeof(big));
	for (n = 0; n < 131; n++)
		snprintf(big + 2 * n, 3, "aa");
	k6 = key_hex(s, CKK_GENERIC_SECRET, big, CKA_SIGN, CKA_VERIFY);
	m.mechanism = CKM_SHA256_HMAC;
	n = h_sign_parts(s, &m, k6, "Test Using Larger Than Block-Size Key - Hash Key First", 54, 7,
			 mac, sizeof(mac));
	assert_hex_eq(mac, n, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	m.mechanism = CKM_SHA512_HMAC;
	n = h_sign(s, &m, k6, "Test Using Larger Than Block-Size Key - Hash Key First", 54, mac,
		   sizeof(mac));
	assert_hex_eq(mac, n,
		      "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
		      "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
	/* General length: the first 16 bytes. */
	n = h_sign(s, &gm, k1, "Hi There", 8, mac, sizeof(mac));
	assert_hex_eq(mac, n, "b0344c61d8db38535ca8afceaf0bf12b");
	assert_ok(h_verify_rv(s, &gm, k1, "Hi There", 8, mac, 16));
	mac[15] ^= 1;
	assert_rv(h_verify_rv(s, &gm, k1, "Hi There", 8, mac, 16), CKR_SIGNATURE_INVALID);
	assert_rv(h_verify_rv(s, &gm, k1, "Hi There", 8, mac, 15), CKR_SIGNATURE_LEN_RANGE);
	glen = 0;
	assert_rv(p11->C_SignInit(s, &gm, k1), CKR_MECHANISM_PARAM_INVALID);
	glen = 33;
	assert_rv(p11->C_SignInit(s, &gm, k1), CKR_MECHANISM_PARAM_INVALID);
	/* Key checks: too short for the hash, wrong type, no CKA_SIGN. */
	shortk = key_hex(s, CKK_GENERIC_SECRET, "0b0b0b0b0b0b0b0b", CKA_SIGN, CKA_VERIFY);
	m.mechanism = CKM_SHA256_HMAC;
	assert_rv(p11->C_SignInit(s, &m, shortk), CKR_KEY_SIZE_RANGE);
	assert_rv(p11->C_SignInit(s, &m, aes_key(s, K128)), CKR_KEY_TYPE_INCONSISTENT);
	assert_rv(p11->C_SignInit(
			  s, &m, key_hex(s, CKK_GENERIC_SECRET, K128 K128, CKA_VERIFY, CKA_VERIFY)),
		  CKR_KEY_FUNCTION_NOT_PERMITTED);
}

static void test_cmac(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	CK_OBJECT_HANDLE k = key_hex(s, CKK_AES, K128, CKA_SIGN, CKA_VERIFY);
	CK_MECHANISM m = { CKM_AES_CMAC, NULL, 0 };
	CK_ULONG glen = 8;
	CK_MECHANISM gm = { CKM_AES_CMAC_GENERAL, &glen, sizeof(glen) };
	unsigned char mac[16], msg[64];
	CK_ULONG n;

	(void)state;
	/* SP 800-38B D.1, examples 1, 2 and 4. */
	n = h_sign(s, &m, k, "", 0, mac, sizeof(mac));
	assert_hex_eq(mac, n, "bb1d6929e95937287fa37d129b756746");
	h_unhex(P4, msg, sizeof(msg));
	n = h_sign(s, &m, k, msg, 16, mac, sizeof(mac));
	assert_hex_eq(mac, n, "070a16b46b4d4144f79bdd9dd04a287c");
	n = h_sign_parts(s, &m, k, msg, 64, 5, mac, sizeof(mac));
	assert_hex_eq(mac, n, "51f0bebf7e3b9d92fc49741779363cfe");
	assert_ok(h_verify_rv(s, &m, k, msg, 64, mac, 16));
	n = h_sign(s, &gm, k, msg, 64, mac, sizeof(mac));
	assert_hex_eq(mac, n, "51f0bebf7e3b9d92");
	mac[0] ^= 1;
	assert_rv(h_verify_rv(s, &gm, k, msg, 64, mac, 8), CKR_SIGNATURE_INVALID);
}

/* A decryption with a private key ends at logout (the key is the user's). */
static void test_logout_ends(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 };
	CK_OBJECT_HANDLE k;
	unsigned char in[16] = { 0 }, out[16];
	CK_ULONG n = sizeof(out);

	(void)state;
	h_login(s, CKU_USER);
	assert_ok(gen_secret(s, CKM_AES_KEY_GEN, 16, CKA_DECRYPT, &k));
	assert_ok(p11->C_DecryptInit(s, &ecb, k));
	assert_ok(p11->C_Logout(s));
	assert_rv(p11->C_Decrypt(s, in, 16, out, &n), CKR_OPERATION_NOT_INITIALIZED);
}

/* A session closed with an encryption and a decryption active frees them
 * (the sanitizer and valgrind runs see a leak otherwise); a second init
 * while one is active is refused. */
static void test_cancel(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 0);
	CK_OBJECT_HANDLE k = aes_key(s, K128);
	CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 };

	(void)state;
	assert_ok(p11->C_EncryptInit(s, &ecb, k));
	assert_ok(p11->C_DecryptInit(s, &ecb, k));
	assert_ok(p11->C_CloseSession(s));
	s = h_open(h_slot, 0);
	k = aes_key(s, K128);
	assert_ok(p11->C_EncryptInit(s, &ecb, k));
	assert_rv(p11->C_EncryptInit(s, &ecb, k), CKR_OPERATION_ACTIVE);
}

static void test_oaep(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE pub, priv;
	unsigned char label[5] = "label", ct[512], pt[512];
	CK_RSA_PKCS_OAEP_PARAMS p = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, label,
				      sizeof(label) };
	CK_MECHANISM m = { CKM_RSA_PKCS_OAEP, &p, sizeof(p) };
	CK_ULONG n, ctlen, max = 256 - 2 * 32 - 2;
	h_tmpl pt_, st;
	unsigned char msg[256];

	(void)state;
	h_login(s, CKU_USER);
	t_init(&pt_);
	t_bool(&pt_, CKA_ENCRYPT, CK_TRUE);
	t_init(&st);
	t_bool(&st, CKA_DECRYPT, CK_TRUE);
	t_ulong(&pt_, CKA_MODULUS_BITS, 2048);
	assert_ok(h_gen_pair_rv(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &pt_, &st, &pub, &priv));
	memset(msg, 0x5a, sizeof(msg));
	n = sizeof(ct);
	assert_ok(encrypt_once(s, &m, pub, msg, max, ct, &n));
	assert_int_equal(n, 256);
	ctlen = n;
	n = sizeof(pt);
	assert_ok(decrypt_once(s, &m, priv, ct, ctlen, pt, &n));
	assert_int_equal(n, max);
	assert_memory_equal(pt, msg, max);
	/* Another label: one code for every failure. */
	label[0] ^= 1;
	n = sizeof(pt);
	assert_rv(decrypt_once(s, &m, priv, ct, ctlen, pt, &n), CKR_ENCRYPTED_DATA_INVALID);
	label[0] ^= 1;
	n = sizeof(pt);
	assert_rv(decrypt_once(s, &m, priv, ct, ctlen - 1, pt, &n), CKR_ENCRYPTED_DATA_LEN_RANGE);
	n = sizeof(ct);
	assert_rv(encrypt_once(s, &m, pub, msg, max + 1, ct, &n), CKR_DATA_LEN_RANGE);
	/* Decryption's length query may overstate; the exact length works. */
	assert_ok(p11->C_DecryptInit(s, &m, priv));
	assert_ok(p11->C_Decrypt(s, ct, ctlen, NULL, &n));
	assert_true(n >= max);
	n = max - 1;
	assert_rv(p11->C_Decrypt(s, ct, ctlen, pt, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, max);
	assert_ok(p11->C_Decrypt(s, ct, ctlen, pt, &n));
	/* Parameters and keys. */
	p.hashAlg = CKM_SHA256_HMAC;
	assert_rv(p11->C_EncryptInit(s, &m, pub), CKR_MECHANISM_PARAM_INVALID);
	p.hashAlg = CKM_SHA256;
	p.source = 7;
	assert_rv(p11->C_EncryptInit(s, &m, pub), CKR_MECHANISM_PARAM_INVALID);
	p.source = CKZ_DATA_SPECIFIED;
	m.ulParameterLen = 3;
	assert_rv(p11->C_EncryptInit(s, &m, pub), CKR_MECHANISM_PARAM_INVALID);
	m.ulParameterLen = sizeof(p);
	assert_rv(p11->C_EncryptInit(s, &m, priv), CKR_KEY_TYPE_INCONSISTENT);
	assert_rv(p11->C_DecryptInit(s, &m, pub), CKR_KEY_TYPE_INCONSISTENT);
	/* No label, source 0 (what clients pass for none). */
	p = (CK_RSA_PKCS_OAEP_PARAMS){ CKM_SHA_1, CKG_MGF1_SHA1, 0, NULL, 0 };
	n = sizeof(ct);
	assert_ok(encrypt_once(s, &m, pub, msg, 10, ct, &n));
	n = sizeof(pt);
	assert_ok(decrypt_once(s, &m, priv, ct, 256, pt, &n));
	assert_int_equal(n, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_aes_known_answers, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_gcm, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_two_call, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_multipart, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_ctr_counter_wrap, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_key_checks, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_key_wrap_modes, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_generate_key, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_hmac, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_cmac, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_logout_ends, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_oaep, h_setup_token, h_teardown),
	};

	h_load();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
