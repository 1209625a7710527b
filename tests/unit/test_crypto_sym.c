/*
 * Unit tests of crypto_sym.h (AES modes, AES key wrap, HMAC, CMAC) on the
 * backend the build is configured with. Known answers: NIST CAVP (AES
 * ECB/CBC, RFC 3686 CTR, GCM, SP 800-38B CMAC, SP 800-38F KW/KWP, RFC
 * 2202/4231 HMAC) and Wycheproof (CBC with PKCS#5 padding, GCM, KW,
 * HMAC-SHA256). Every vector runs in one piece and fed in random parts
 * (0 and 1 bytes among them), with the length functions checked against
 * every call's output; every buffer is exactly the predicted size, so a
 * write past it is an ASan/valgrind error.
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
#include "crypto/crypto_sym.h"

#include "vectors.h"

/* ---- Helpers ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* A part size: often 0 or 1, else up to 40 bytes, sometimes up to all. */
static size_t part(size_t left)
{
	size_t n;

	switch (rnd() % 6) {
	case 0:
		n = 0;
		break;
	case 1:
		n = 1;
		break;
	case 2:
		n = left;
		break;
	default:
		n = rnd() % 41;
		break;
	}
	return n > left ? left : n;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	assert_non_null(p);
	return p;
}

/*
 * Runs an operation over in: in one piece (parts 0), in random parts
 * (parts 1) or in random parts each encrypted in place (parts 2). Each update and the final write into a fresh heap buffer of
 * exactly the size the length functions give, and the bytes written must
 * be that size (final of CBC_PAD decryption: at most). Returns the first
 * failure (new, update or final) and the output so far in *out (malloc'd,
 * the caller frees), its length in *outlen.
 */
static CK_RV run(enum crypto_aes_mode mode, int enc, const uint8_t *key, size_t klen,
		 const crypto_aes_params *p, const uint8_t *in, size_t n, int parts, uint8_t **out,
		 size_t *outlen)
{
	crypto_aes *c = NULL;
	size_t off = 0, total = 0, cap = n + 64, want, got;
	uint8_t *buf = xmalloc(cap), *o;
	CK_RV rv;

	*out = buf;
	*outlen = 0;
	rv = crypto_aes_new(mode, enc, key, klen, p, &c);
	if (rv != CKR_OK)
		return rv;
	do {
		size_t take = parts ? part(n - off) : n - off;

		want = crypto_aes_update_len(c, take);
		got = 12345;
		if (parts == 2) {
			/* in place, as PKCS#11 allows: the part's own buffer
			 * (large enough for the output too) */
			o = xmalloc(want > take ? want : take);
			memcpy(o, in + off, take);
			rv = crypto_aes_update(c, o, take, o, &got);
		} else {
			o = xmalloc(want);
			rv = crypto_aes_update(c, in + off, take, o, &got);
		}
		if (rv == CKR_OK) {
			assert_int_equal(got, want);
			assert_true(total + got <= cap);
			memcpy(buf + total, o, got);
			total += got;
			off += take;
		}
		free(o);
	} while (rv == CKR_OK && off < n);
	if (rv == CKR_OK) {
		want = crypto_aes_final_len(c);
		o = xmalloc(want);
		got = 12345;
		rv = crypto_aes_final(c, o, &got);
		if (rv == CKR_OK) {
			if (mode == AES_CBC_PAD && !enc)
				assert_true(got <= want);
			else
				assert_int_equal(got, want);
			assert_true(total + got <= cap);
			memcpy(buf + total, o, got);
			total += got;
		} else {
			assert_int_equal(got, 0);
		}
		free(o);
	}
	crypto_aes_free(c);
	*outlen = total;
	return rv;
}

/* Both ways, in one piece and in parts: pt encrypts to ct and back. */
static void check_pair(enum crypto_aes_mode mode, const uint8_t *key, size_t klen,
		       const crypto_aes_params *p, const uint8_t *pt, size_t ptlen,
		       const uint8_t *ct, size_t ctlen)
{
	int parts, enc;

	for (enc = 0; enc < 2; enc++) {
		for (parts = 0; parts < 3; parts++) {
			uint8_t *out;
			size_t outlen;
			CK_RV rv = run(mode, enc, key, klen, p, enc ? pt : ct, enc ? ptlen : ctlen,
				       parts, &out, &outlen);

			assert_int_equal(rv, CKR_OK);
			assert_int_equal(outlen, enc ? ctlen : ptlen);
			assert_memory_equal(out, enc ? ct : pt, outlen);
			free(out);
		}
	}
}

/* ---- AES ECB and CBC: CAVP ---- */

static unsigned cavp_block_file(enum crypto_aes_mode mode, const char *rel)
{
	unsigned count = 0;
	struct rsp r;

	rsp_open(&r, rel);
	while (rsp_next(&r)) {
		uint8_t *key, *iv = NULL, *pt, *ct;
		size_t klen, ptlen, ctlen;
		crypto_aes_params p = { 0 };

		klen = vec_unhex(rsp_need(&r, "KEY"), &key);
		ptlen = vec_unhex(rsp_need(&r, "PLAINTEXT"), &pt);
		ctlen = vec_unhex(rsp_need(&r, "CIPHERTEXT"), &ct);
		if (mode != AES_ECB) {
			p.iv_len = vec_unhex(rsp_need(&r, "IV"), &iv);
			p.iv = iv;
		}
		check_pair(mode, key, klen, &p, pt, ptlen, ct, ctlen);
		free(key);
		free(iv);
		free(pt);
		free(ct);
		count++;
	}
	rsp_close(&r);
	return count;
}

static void cavp_blocks(enum crypto_aes_mode mode, const char *dir)
{
	static const char *const kinds[] = { "GFSbox", "KeySbox", "MMT", "VarKey", "VarTxt" };
	static const char *const bits[] = { "128", "192", "256" };
	unsigned count = 0;
	size_t i, j;
	char rel[128];

	for (i = 0; i < 5; i++) {
		for (j = 0; j < 3; j++) {
			snprintf(rel, sizeof(rel), "ciphers/AES/%s/%s%s%s.rsp", dir, dir, kinds[i],
				 bits[j]);
			count += cavp_block_file(mode, rel);
		}
	}
	print_message("%s: %u CAVP vectors\n", dir, count);
	assert_true(count > 1000);
}

static void test_ecb_cavp(void **state)
{
	(void)state;
	cavp_blocks(AES_ECB, "ECB");
}

static void test_cbc_cavp(void **state)
{
	(void)state;
	cavp_blocks(AES_CBC, "CBC");
}

/* ---- AES CBC with PKCS#7 padding: Wycheproof ---- */

static void test_cbc_pad_wycheproof(void **state)
{
	json_object *root = vec_wycheproof("aes_cbc_pkcs5_test.json");
	json_object *groups = vec_get(root, "testGroups");
	unsigned valid = 0, invalid = 0;
	size_t g, t;

	(void)state;
	for (g = 0; g < json_object_array_length(groups); g++) {
		json_object *tests = vec_get(json_object_array_get_idx(groups, g), "tests");

		for (t = 0; t < json_object_array_length(tests); t++) {
			json_object *tc = json_object_array_get_idx(tests, t);
			uint8_t *key, *iv, *msg, *ct, *out;
			size_t klen, mlen, ctlen, outlen;
			crypto_aes_params p = { 0 };
			int parts;

			klen = vec_unhex(vec_str(tc, "key"), &key);
			p.iv_len = vec_unhex(vec_str(tc, "iv"), &iv);
			p.iv = iv;
			mlen = vec_unhex(vec_str(tc, "msg"), &msg);
			ctlen = vec_unhex(vec_str(tc, "ct"), &ct);
			if (strcmp(vec_str(tc, "result"), "valid") == 0) {
				check_pair(AES_CBC_PAD, key, klen, &p, msg, mlen, ct, ctlen);
				valid++;
			} else {
				CK_RV want = ctlen == 0 || ctlen % 16 != 0
						     ? CKR_ENCRYPTED_DATA_LEN_RANGE
						     : CKR_ENCRYPTED_DATA_INVALID;

				for (parts = 0; parts < 2; parts++) {
					assert_int_equal(run(AES_CBC_PAD, 0, key, klen, &p, ct,
							     ctlen, parts, &out, &outlen),
							 want);
					/* nothing of the last block came out */
					assert_true(outlen + 16 <= ctlen || ctlen < 16);
					free(out);
				}
				invalid++;
			}
			free(key);
			free(iv);
			free(msg);
			free(ct);
		}
	}
	json_object_put(root);
	print_message("CBC_PAD: %u valid, %u invalid Wycheproof vectors\n", valid, invalid);
	assert_int_equal(valid + invalid, 216);
}

/* Every padding byte value in every position of the last block: only
 * 01, 02 02, ... are accepted. */
static void test_cbc_pad_exhaustive(void **state)
{
	static const uint8_t key[16] = { 1, 2, 3 }, iv[16] = { 4, 5, 6 };
	crypto_aes_params p = { .iv = iv, .iv_len = 16 };
	uint8_t block[16], ct[16], *out;
	size_t outlen, len, pos;
	unsigned v;
	int ok;

	(void)state;
	for (len = 0; len < 16; len++) {
		for (pos = 0; pos < 16; pos++) {
			for (v = 0; v < 256; v += (pos == 15 ? 1 : 17)) {
				crypto_aes *c = NULL;

				/* a correct padding of len bytes of data, then byte
				 * pos set to v */
				memset(block, 0xA5, len);
				memset(block + len, (int)(16 - len), 16 - len);
				block[pos] = (uint8_t)v;
				assert_int_equal(crypto_aes_new(AES_CBC, 1, key, 16, &p, &c),
						 CKR_OK);
				assert_int_equal(crypto_aes_update(c, block, 16, ct, &outlen),
						 CKR_OK);
				crypto_aes_free(c);
				ok = block[15] >= 1 && block[15] <= 16;
				for (size_t i = 16 - (ok ? block[15] : 0); ok && i < 16; i++)
					ok = block[i] == block[15];
				assert_int_equal(
					run(AES_CBC_PAD, 0, key, 16, &p, ct, 16, 0, &out, &outlen),
					ok ? CKR_OK : CKR_ENCRYPTED_DATA_INVALID);
				if (ok) {
					assert_int_equal(outlen, 16 - block[15]);
					assert_memory_equal(out, block, outlen);
				} else {
					assert_int_equal(outlen, 0);
				}
				free(out);
			}
		}
	}
}

/* ---- AES CTR: RFC 3686 (the counter is the last 32 bits) ---- */

static void test_ctr_rfc3686(void **state)
{
	static const char *const files[] = { "aes-128-ctr.txt", "aes-192-ctr.txt",
					     "aes-256-ctr.txt" };
	unsigned count = 0;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		char rel[128];
		struct rsp r;

		snprintf(rel, sizeof(rel), "ciphers/AES/CTR/%s", files[i]);
		rsp_open(&r, rel);
		while (rsp_next(&r)) {
			uint8_t *key, *iv, *pt, *ct;
			size_t klen, ptlen, ctlen;
			crypto_aes_params p = { 0 };
			int bits;

			klen = vec_unhex(rsp_need(&r, "KEY"), &key);
			p.iv_len = vec_unhex(rsp_need(&r, "IV"), &iv);
			p.iv = iv;
			ptlen = vec_unhex(rsp_need(&r, "PLAINTEXT"), &pt);
			ctlen = vec_unhex(rsp_need(&r, "CIPHERTEXT"), &ct);
			/* the same key stream for any counter width with room */
			for (bits = 32; bits <= 128; bits += 32) {
				p.ctr_bits = (size_t)bits;
				check_pair(AES_CTR, key, klen, &p, pt, ptlen, ct, ctlen);
			}
			free(key);
			free(iv);
			free(pt);
			free(ct);
			count++;
		}
		rsp_close(&r);
	}
	assert_int_equal(count, 9);
}

/* The counter's room: 2^bits minus its starting value, a partial block
 * counting as a block; nothing is processed by a refused update. */
static void test_ctr_bound(void **state)
{
	static const uint8_t key[16] = { 7 };
	uint8_t iv[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc };
	uint8_t in[96] = { 0 }, out[96], ref[96];
	crypto_aes_params p = { .iv = iv, .iv_len = 16, .ctr_bits = 2 };
	crypto_aes *c = NULL;
	size_t len;

	(void)state;
	/* bits 2, counter 0 (low bits of ...fc): 4 blocks, not 5 */
	assert_int_equal(crypto_aes_new(AES_CTR, 1, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, 64, out, &len), CKR_OK);
	assert_int_equal(len, 64);
	assert_int_equal(crypto_aes_update(c, in, 1, out + 64, &len), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_final(c, out + 64, &len), CKR_OK);
	assert_int_equal(len, 0);
	crypto_aes_free(c);
	/* the same key stream as a 128-bit counter */
	p.ctr_bits = 128;
	assert_int_equal(crypto_aes_new(AES_CTR, 1, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, 64, ref, &len), CKR_OK);
	crypto_aes_free(c);
	assert_memory_equal(out, ref, 64);

	/* in parts: 63 + 1 bytes fill 4 blocks; a 5th block in one go or
	 * one byte at a time is refused */
	p.ctr_bits = 2;
	assert_int_equal(crypto_aes_new(AES_CTR, 0, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, 63, out, &len), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, 2, out, &len), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_update(c, in, 1, out + 63, &len), CKR_OK);
	assert_memory_equal(out, ref, 64);
	assert_int_equal(crypto_aes_update(c, in, 16, out, &len), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_update(c, in, 1, out, &len), CKR_DATA_LEN_RANGE);
	crypto_aes_free(c);

	/* a partial 5th block is a 5th block */
	assert_int_equal(crypto_aes_new(AES_CTR, 1, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, 65, out, &len), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_update(c, in, 49, out, &len), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, 15, out + 49, &len), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, 1, out + 64, &len), CKR_DATA_LEN_RANGE);
	crypto_aes_free(c);

	/* starting at 3 of 0..3: one block left */
	iv[15] = 0xff;
	assert_int_equal(crypto_aes_new(AES_CTR, 1, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, 17, out, &len), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_update(c, in, 16, out, &len), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, 1, out, &len), CKR_DATA_LEN_RANGE);
	crypto_aes_free(c);

	/* 64 and 128 bits with an all-ones counter: one block left */
	for (p.ctr_bits = 64; p.ctr_bits <= 128; p.ctr_bits += 64) {
		assert_int_equal(crypto_aes_new(AES_CTR, 1, key, 16, &p, &c), CKR_OK);
		assert_int_equal(crypto_aes_update(c, in, 16, out, &len), CKR_OK);
		assert_int_equal(crypto_aes_update(c, in, 1, out, &len), CKR_DATA_LEN_RANGE);
		crypto_aes_free(c);
	}
	/* 65 bits, the 65th bit clear: 2^64 blocks and more left */
	memset(iv, 0, 8);
	p.ctr_bits = 65;
	assert_int_equal(crypto_aes_new(AES_CTR, 1, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, sizeof(in), out, &len), CKR_OK);
	crypto_aes_free(c);
	/* 1 bit, counter 0: two blocks */
	memset(iv, 0, 16);
	p.ctr_bits = 1;
	assert_int_equal(crypto_aes_new(AES_CTR, 1, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, 33, out, &len), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_update(c, in, 32, out, &len), CKR_OK);
	crypto_aes_free(c);
}

/* ---- AES GCM ---- */

/* GCM decryption of ct || tag that must fail with want: nothing may be
 * written, neither by update (GCM decryption releases nothing before
 * final) nor by final. */
static void gcm_refused(const uint8_t *key, size_t klen, const crypto_aes_params *p,
			const uint8_t *ct, size_t n, CK_RV want)
{
	crypto_aes *c = NULL;
	uint8_t *out = xmalloc(n + 16);
	size_t len = 99, i;

	memset(out, 0xEE, n + 16);
	assert_int_equal(crypto_aes_new(AES_GCM, 0, key, klen, p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update_len(c, n), 0);
	assert_int_equal(crypto_aes_update(c, ct, n, out, &len), CKR_OK);
	assert_int_equal(len, 0);
	assert_int_equal(crypto_aes_final(c, out, &len), want);
	assert_int_equal(len, 0);
	for (i = 0; i < n + 16; i++)
		assert_int_equal(out[i], 0xEE);
	crypto_aes_free(c);
	free(out);
}

/* A GCM vector: encryption gives ct || tag, decryption gives pt back, and
 * a flipped bit anywhere in ct || tag (first, middle and last byte) makes
 * decryption fail with nothing written. */
static void gcm_check(const uint8_t *key, size_t klen, const crypto_aes_params *p,
		      const uint8_t *pt, size_t n, const uint8_t *ct_tag, int all)
{
	size_t len = n + p->tag_len, pos[3] = { 0, len / 2, len - 1 }, i;
	uint8_t *bad;

	check_pair(AES_GCM, key, klen, p, pt, n, ct_tag, len);
	if (!all)
		return;
	bad = xmalloc(len);
	for (i = 0; i < 3; i++) {
		memcpy(bad, ct_tag, len);
		bad[pos[i]] ^= (uint8_t)(1u << (i + 2));
		gcm_refused(key, klen, p, bad, len, CKR_ENCRYPTED_DATA_INVALID);
	}
	free(bad);
}

static void test_gcm_wycheproof(void **state)
{
	json_object *root = vec_wycheproof("aes_gcm_test.json");
	json_object *groups = vec_get(root, "testGroups");
	unsigned valid = 0, invalid = 0, refused_params = 0;
	size_t g, t;

	(void)state;
	for (g = 0; g < json_object_array_length(groups); g++) {
		json_object *grp = json_object_array_get_idx(groups, g);
		json_object *tests = vec_get(grp, "tests");
		size_t tag_bits = (size_t)json_object_get_int(vec_get(grp, "tagSize"));

		for (t = 0; t < json_object_array_length(tests); t++) {
			json_object *tc = json_object_array_get_idx(tests, t);
			uint8_t *key, *iv, *aad, *msg, *ct, *tag, *ct_tag;
			size_t klen, mlen, ctlen, taglen;
			crypto_aes_params p = { 0 };
			crypto_aes *c = NULL;

			klen = vec_unhex(vec_str(tc, "key"), &key);
			p.iv_len = vec_unhex(vec_str(tc, "iv"), &iv);
			p.iv = iv;
			p.aad_len = vec_unhex(vec_str(tc, "aad"), &aad);
			p.aad = aad;
			mlen = vec_unhex(vec_str(tc, "msg"), &msg);
			ctlen = vec_unhex(vec_str(tc, "ct"), &ct);
			taglen = vec_unhex(vec_str(tc, "tag"), &tag);
			p.tag_len = tag_bits / 8;
			assert_int_equal(taglen, p.tag_len);
			ct_tag = xmalloc(ctlen + taglen);
			memcpy(ct_tag, ct, ctlen);
			memcpy(ct_tag + ctlen, tag, taglen);
			if (p.iv_len < 1 || p.iv_len > CRYPTO_GCM_MAX_IV) {
				/* outside what the interface takes */
				assert_int_equal(crypto_aes_new(AES_GCM, 1, key, klen, &p, &c),
						 CKR_MECHANISM_PARAM_INVALID);
				assert_int_equal(crypto_aes_new(AES_GCM, 0, key, klen, &p, &c),
						 CKR_MECHANISM_PARAM_INVALID);
				refused_params++;
			} else if (strcmp(vec_str(tc, "result"), "valid") == 0) {
				assert_int_equal(mlen, ctlen);
				gcm_check(key, klen, &p, msg, mlen, ct_tag, 1);
				valid++;
			} else {
				gcm_refused(key, klen, &p, ct_tag, ctlen + taglen,
					    CKR_ENCRYPTED_DATA_INVALID);
				invalid++;
			}
			free(ct_tag);
			free(key);
			free(iv);
			free(aad);
			free(msg);
			free(ct);
			free(tag);
		}
	}
	json_object_put(root);
	print_message("GCM: %u valid, %u invalid, %u refused (IV size) Wycheproof vectors\n", valid,
		      invalid, refused_params);
	assert_int_equal(valid + invalid + refused_params, 316);
	assert_int_equal(refused_params, 9);
}

/*
 * CAVP GCM: every vector in one piece both ways; every 8th also in parts
 * with the tampering checks (the files hold 47,250 vectors).
 */
static unsigned gcm_cavp_file(const char *rel, int decrypt_file)
{
	unsigned count = 0, fails = 0;
	struct rsp r;

	rsp_open(&r, rel);
	while (rsp_next(&r)) {
		uint8_t *key, *iv, *aad, *pt = NULL, *ct, *tag, *ct_tag;
		size_t klen, ptlen = 0, ctlen, taglen;
		const char *pthex = rsp_get(&r, "PT");
		crypto_aes_params p = { 0 };

		klen = vec_unhex(rsp_need(&r, "Key"), &key);
		p.iv_len = vec_unhex(rsp_need(&r, "IV"), &iv);
		p.iv = iv;
		p.aad_len = vec_unhex(rsp_need(&r, "AAD"), &aad);
		p.aad = aad;
		ctlen = vec_unhex(rsp_need(&r, "CT"), &ct);
		taglen = vec_unhex(rsp_need(&r, "Tag"), &tag);
		p.tag_len = taglen;
		ct_tag = xmalloc(ctlen + taglen);
		memcpy(ct_tag, ct, ctlen);
		memcpy(ct_tag + ctlen, tag, taglen);
		if (pthex == NULL) {
			/* "FAIL" */
			assert_true(decrypt_file);
			gcm_refused(key, klen, &p, ct_tag, ctlen + taglen,
				    CKR_ENCRYPTED_DATA_INVALID);
			fails++;
		} else {
			ptlen = vec_unhex(pthex, &pt);
			assert_int_equal(ptlen, ctlen);
			if (count % 8 == 0) {
				gcm_check(key, klen, &p, pt, ptlen, ct_tag, 1);
			} else {
				/* one piece each way */
				uint8_t *out;
				size_t outlen;

				assert_int_equal(
					run(AES_GCM, 1, key, klen, &p, pt, ptlen, 0, &out, &outlen),
					CKR_OK);
				assert_int_equal(outlen, ctlen + taglen);
				assert_memory_equal(out, ct_tag, outlen);
				free(out);
				assert_int_equal(run(AES_GCM, 0, key, klen, &p, ct_tag,
						     ctlen + taglen, 0, &out, &outlen),
						 CKR_OK);
				assert_int_equal(outlen, ptlen);
				assert_memory_equal(out, pt, outlen);
				free(out);
			}
		}
		free(ct_tag);
		free(key);
		free(iv);
		free(aad);
		free(pt);
		free(ct);
		free(tag);
		count++;
	}
	rsp_close(&r);
	if (decrypt_file)
		assert_true(fails > 0);
	return count;
}

static void test_gcm_cavp(void **state)
{
	static const char *const files[] = { "gcmEncryptExtIV128.rsp", "gcmEncryptExtIV192.rsp",
					     "gcmEncryptExtIV256.rsp", "gcmDecrypt128.rsp",
					     "gcmDecrypt192.rsp",      "gcmDecrypt256.rsp" };
	unsigned count = 0;
	size_t i;
	char rel[128];

	(void)state;
	for (i = 0; i < 6; i++) {
		snprintf(rel, sizeof(rel), "ciphers/AES/GCM/%s", files[i]);
		count += gcm_cavp_file(rel, i >= 3);
	}
	print_message("GCM: %u CAVP vectors\n", count);
	assert_int_equal(count, 6 * 7875);
}

/* IVs of 1 to 128 bytes, tags of every allowed length: encryption in
 * parts equals encryption in one piece, and decrypts. */
static void test_gcm_sizes(void **state)
{
	static const size_t tags[] = { 4, 8, 12, 13, 14, 15, 16 };
	static const size_t ivs[] = { 1, 12, 13, 16, 127, 128 };
	uint8_t key[32], iv[256], aad[300], pt[100], *ct, *back, *ct2;
	size_t i, j, ctlen, backlen, ct2len;
	crypto_aes_params p = { 0 };

	(void)state;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7);
	for (i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)(i * 13 + 1);
	for (i = 0; i < sizeof(aad); i++)
		aad[i] = (uint8_t)(i * 5);
	for (i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)i;
	p.iv = iv;
	p.aad = aad;
	p.aad_len = 33;
	for (i = 0; i < sizeof(ivs) / sizeof(ivs[0]); i++) {
		for (j = 0; j < sizeof(tags) / sizeof(tags[0]); j++) {
			p.iv_len = ivs[i];
			p.tag_len = tags[j];
			assert_int_equal(
				run(AES_GCM, 1, key, 16, &p, pt, sizeof(pt), 0, &ct, &ctlen),
				CKR_OK);
			assert_int_equal(ctlen, sizeof(pt) + tags[j]);
			assert_int_equal(
				run(AES_GCM, 1, key, 16, &p, pt, sizeof(pt), 1, &ct2, &ct2len),
				CKR_OK);
			assert_int_equal(ct2len, ctlen);
			assert_memory_equal(ct2, ct, ctlen);
			assert_int_equal(
				run(AES_GCM, 0, key, 16, &p, ct, ctlen, 1, &back, &backlen),
				CKR_OK);
			assert_int_equal(backlen, sizeof(pt));
			assert_memory_equal(back, pt, backlen);
			/* a tag cut short (the last byte moved out) fails */
			gcm_refused(key, 16, &p, ct, ctlen - 1, CKR_ENCRYPTED_DATA_INVALID);
			free(ct);
			free(ct2);
			free(back);
		}
	}
	/* the largest aad */
	{
		uint8_t *big = calloc(1, CRYPTO_GCM_MAX_AAD);

		assert_non_null(big);
		p.iv_len = 12;
		p.tag_len = 16;
		p.aad = big;
		p.aad_len = CRYPTO_GCM_MAX_AAD;
		assert_int_equal(run(AES_GCM, 1, key, 32, &p, pt, 0, 0, &ct, &ctlen), CKR_OK);
		assert_int_equal(ctlen, 16);
		assert_int_equal(run(AES_GCM, 0, key, 32, &p, ct, ctlen, 0, &back, &backlen),
				 CKR_OK);
		assert_int_equal(backlen, 0);
		free(ct);
		free(back);
		free(big);
	}
}

/* ---- Parameters and lengths ---- */

static void test_params(void **state)
{
	static const uint8_t key[33] = { 0 }, iv[257] = { 0 };
	static const size_t bad_keys[] = { 0, 1, 8, 15, 17, 20, 23, 25, 31, 33 };
	static const size_t bad_tags[] = { 0, 1, 3, 5, 6, 7, 9, 10, 11, 17, 32 };
	enum crypto_aes_mode m;
	crypto_aes_params p = { .iv = iv, .iv_len = 16, .ctr_bits = 32, .tag_len = 16 };
	crypto_aes *c = NULL;
	uint8_t out[64];
	size_t i, len;

	(void)state;
	for (m = AES_ECB; m <= AES_GCM; m++) {
		for (i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
			assert_int_equal(crypto_aes_new(m, 1, key, bad_keys[i], &p, &c),
					 CKR_KEY_SIZE_RANGE);
			assert_int_equal(crypto_aes_new(m, 0, key, bad_keys[i], &p, &c),
					 CKR_KEY_SIZE_RANGE);
		}
		for (i = 16; i <= 32; i += 8) {
			assert_int_equal(crypto_aes_new(m, 1, key, i, &p, &c), CKR_OK);
			crypto_aes_free(c);
			c = NULL;
		}
	}
	/* ECB takes no parameters */
	assert_int_equal(crypto_aes_new(AES_ECB, 1, key, 16, NULL, &c), CKR_OK);
	crypto_aes_free(c);
	/* CBC, CTR: a 16-byte IV */
	for (m = AES_CBC; m <= AES_CTR; m++) {
		assert_int_equal(crypto_aes_new(m, 1, key, 16, NULL, &c),
				 CKR_MECHANISM_PARAM_INVALID);
		for (i = 0; i < 33; i += 1) {
			p.iv_len = i;
			assert_int_equal(crypto_aes_new(m, 1, key, 16, &p, &c),
					 i == 16 ? CKR_OK : CKR_MECHANISM_PARAM_INVALID);
			if (i == 16)
				crypto_aes_free(c);
		}
	}
	p.iv_len = 16;
	p.ctr_bits = 0;
	assert_int_equal(crypto_aes_new(AES_CTR, 1, key, 16, &p, &c), CKR_MECHANISM_PARAM_INVALID);
	p.ctr_bits = 129;
	assert_int_equal(crypto_aes_new(AES_CTR, 1, key, 16, &p, &c), CKR_MECHANISM_PARAM_INVALID);
	/* GCM */
	p.iv_len = 12;
	for (i = 0; i < sizeof(bad_tags) / sizeof(bad_tags[0]); i++) {
		p.tag_len = bad_tags[i];
		assert_int_equal(crypto_aes_new(AES_GCM, 1, key, 16, &p, &c),
				 CKR_MECHANISM_PARAM_INVALID);
		assert_int_equal(crypto_aes_new(AES_GCM, 0, key, 16, &p, &c),
				 CKR_MECHANISM_PARAM_INVALID);
	}
	p.tag_len = 16;
	p.iv_len = 0;
	assert_int_equal(crypto_aes_new(AES_GCM, 1, key, 16, &p, &c), CKR_MECHANISM_PARAM_INVALID);
	p.iv_len = CRYPTO_GCM_MAX_IV + 1;
	assert_int_equal(crypto_aes_new(AES_GCM, 1, key, 16, &p, &c), CKR_MECHANISM_PARAM_INVALID);
	p.iv_len = 12;
	p.aad = iv;
	p.aad_len = CRYPTO_GCM_MAX_AAD + 1;
	assert_int_equal(crypto_aes_new(AES_GCM, 1, key, 16, &p, &c), CKR_MECHANISM_PARAM_INVALID);
	p.aad = NULL;
	p.aad_len = 1;
	assert_int_equal(crypto_aes_new(AES_GCM, 1, key, 16, &p, &c), CKR_MECHANISM_PARAM_INVALID);
	p.aad_len = 0;
	p.iv = NULL;
	assert_int_equal(crypto_aes_new(AES_GCM, 1, key, 16, &p, &c), CKR_MECHANISM_PARAM_INVALID);
	assert_int_equal(crypto_aes_new(AES_GCM, 1, key, 16, NULL, &c),
			 CKR_MECHANISM_PARAM_INVALID);

	/* after final: nothing */
	p.iv = iv;
	assert_int_equal(crypto_aes_new(AES_GCM, 1, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_final(c, out, &len), CKR_OK);
	assert_int_equal(len, 16);
	assert_int_equal(crypto_aes_update(c, key, 1, out, &len), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(crypto_aes_final(c, out, &len), CKR_OPERATION_NOT_INITIALIZED);
	crypto_aes_free(c);
	crypto_aes_free(NULL);
}

/* The length functions and the errors of final for each mode. */
static void test_lengths(void **state)
{
	static const uint8_t key[16] = { 9 }, iv[16] = { 8 };
	uint8_t in[64] = { 0 }, out[64];
	crypto_aes_params p = { .iv = iv, .iv_len = 16, .ctr_bits = 128, .tag_len = 12 };
	crypto_aes *c = NULL;
	size_t len;
	int enc;

	(void)state;
	for (enc = 0; enc < 2; enc++) {
		enum crypto_aes_mode m;

		/* ECB, CBC: whole blocks; a partial one at final is an error */
		for (m = AES_ECB; m <= AES_CBC; m++) {
			assert_int_equal(crypto_aes_new(m, enc, key, 16, &p, &c), CKR_OK);
			assert_int_equal(crypto_aes_update_len(c, 0), 0);
			assert_int_equal(crypto_aes_update_len(c, 15), 0);
			assert_int_equal(crypto_aes_update_len(c, 16), 16);
			assert_int_equal(crypto_aes_update_len(c, 33), 32);
			assert_int_equal(crypto_aes_update(c, in, 5, out, &len), CKR_OK);
			assert_int_equal(len, 0);
			assert_int_equal(crypto_aes_update_len(c, 11), 16);
			assert_int_equal(crypto_aes_update_len(c, 10), 0);
			assert_int_equal(crypto_aes_update_len(c, SIZE_MAX - 4), SIZE_MAX);
			assert_int_equal(crypto_aes_final_len(c), 0);
			assert_int_equal(crypto_aes_final(c, out, &len),
					 enc ? CKR_DATA_LEN_RANGE : CKR_ENCRYPTED_DATA_LEN_RANGE);
			crypto_aes_free(c);
		}
		/* CTR: n, final 0 */
		assert_int_equal(crypto_aes_new(AES_CTR, enc, key, 16, &p, &c), CKR_OK);
		assert_int_equal(crypto_aes_update_len(c, 7), 7);
		assert_int_equal(crypto_aes_update(c, in, 7, out, &len), CKR_OK);
		assert_int_equal(len, 7);
		assert_int_equal(crypto_aes_final_len(c), 0);
		assert_int_equal(crypto_aes_final(c, out, &len), CKR_OK);
		assert_int_equal(len, 0);
		crypto_aes_free(c);
	}
	/* CBC_PAD encryption: whole blocks, final 16 */
	assert_int_equal(crypto_aes_new(AES_CBC_PAD, 1, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update_len(c, 16), 16);
	assert_int_equal(crypto_aes_final_len(c), 16);
	crypto_aes_free(c);
	/* CBC_PAD decryption: the last whole block held */
	assert_int_equal(crypto_aes_new(AES_CBC_PAD, 0, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update_len(c, 16), 0);
	assert_int_equal(crypto_aes_update_len(c, 31), 0);
	assert_int_equal(crypto_aes_update_len(c, 32), 16);
	assert_int_equal(crypto_aes_update_len(c, 48), 32);
	assert_int_equal(crypto_aes_final_len(c), 15);
	assert_int_equal(crypto_aes_update(c, in, 20, out, &len), CKR_OK);
	assert_int_equal(len, 0);
	assert_int_equal(crypto_aes_update_len(c, 12), 16);
	assert_int_equal(crypto_aes_update_len(c, 11), 0);
	/* 20 bytes: a partial block */
	assert_int_equal(crypto_aes_final(c, out, &len), CKR_ENCRYPTED_DATA_LEN_RANGE);
	crypto_aes_free(c);
	/* nothing at all */
	assert_int_equal(crypto_aes_new(AES_CBC_PAD, 0, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_final(c, out, &len), CKR_ENCRYPTED_DATA_LEN_RANGE);
	crypto_aes_free(c);
	/* GCM: encryption n and the tag; decryption 0 and held - tag */
	assert_int_equal(crypto_aes_new(AES_GCM, 1, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update_len(c, 7), 7);
	assert_int_equal(crypto_aes_final_len(c), 12);
	crypto_aes_free(c);
	assert_int_equal(crypto_aes_new(AES_GCM, 0, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_final_len(c), 0);
	assert_int_equal(crypto_aes_update(c, in, 11, out, &len), CKR_OK);
	assert_int_equal(len, 0);
	assert_int_equal(crypto_aes_update_len(c, 50), 0);
	assert_int_equal(crypto_aes_final_len(c), 0);
	assert_int_equal(crypto_aes_final(c, out, &len), CKR_ENCRYPTED_DATA_LEN_RANGE);
	crypto_aes_free(c);
	assert_int_equal(crypto_aes_new(AES_GCM, 0, key, 16, &p, &c), CKR_OK);
	assert_int_equal(crypto_aes_update(c, in, 30, out, &len), CKR_OK);
	assert_int_equal(crypto_aes_final_len(c), 18);
	assert_int_equal(crypto_aes_final(c, out, &len), CKR_ENCRYPTED_DATA_INVALID);
	assert_int_equal(len, 0);
	crypto_aes_free(c);
}

/* Allocation failure where the module allocates. */
static void test_alloc_failure(void **state)
{
	static const uint8_t key[16] = { 0 }, iv[12] = { 0 }, blob[24] = { 0 };
	crypto_aes_params p = { .iv = iv, .iv_len = 12, .tag_len = 16 };
	uint8_t out[32];
	crypto_aes *c = NULL;
	crypto_mac *m = NULL;
	size_t len;

	(void)state;
	port_alloc_fail_nth(1);
	assert_int_equal(crypto_aes_new(AES_GCM, 0, key, 16, &p, &c), CKR_HOST_MEMORY);
	port_alloc_fail_nth(1);
	assert_int_equal(crypto_mac_new(MAC_HMAC, HASH_SHA256, key, 16, &m), CKR_HOST_MEMORY);
	port_alloc_fail_nth(1);
	assert_int_equal(crypto_mac_new(MAC_CMAC, HASH_SHA256, key, 16, &m), CKR_HOST_MEMORY);
	port_alloc_fail_nth(1);
	assert_int_equal(crypto_aes_unwrap(0, key, 16, blob, sizeof(blob), out, &len),
			 CKR_HOST_MEMORY);
	/* the GCM decryption buffer */
	assert_int_equal(crypto_aes_new(AES_GCM, 0, key, 16, &p, &c), CKR_OK);
	port_alloc_fail_nth(1);
	assert_int_equal(crypto_aes_update(c, blob, sizeof(blob), out, &len), CKR_HOST_MEMORY);
	port_alloc_fail_nth(0);
	crypto_aes_free(c);
}

/* ---- Key wrap ---- */

static void test_kw_wycheproof(void **state)
{
	json_object *root = vec_wycheproof("aes_wrap_test.json");
	json_object *groups = vec_get(root, "testGroups");
	unsigned valid = 0, invalid = 0;
	size_t g, t;

	(void)state;
	for (g = 0; g < json_object_array_length(groups); g++) {
		json_object *tests = vec_get(json_object_array_get_idx(groups, g), "tests");

		for (t = 0; t < json_object_array_length(tests); t++) {
			json_object *tc = json_object_array_get_idx(tests, t);
			const char *result = vec_str(tc, "result");
			uint8_t *key, *msg, *ct, *out;
			size_t klen, mlen, ctlen, outlen = 7;
			CK_RV want;

			klen = vec_unhex(vec_str(tc, "key"), &key);
			mlen = vec_unhex(vec_str(tc, "msg"), &msg);
			ctlen = vec_unhex(vec_str(tc, "ct"), &ct);
			out = xmalloc(ctlen + 8);
			memset(out, 0xEE, ctlen + 8);
			if (strcmp(result, "valid") == 0) {
				assert_int_equal(crypto_aes_wrap_len(0, mlen), ctlen);
				assert_int_equal(crypto_aes_wrap(0, key, klen, msg, mlen, out),
						 CKR_OK);
				assert_memory_equal(out, ct, ctlen);
				assert_int_equal(
					crypto_aes_unwrap(0, key, klen, ct, ctlen, out, &outlen),
					CKR_OK);
				assert_int_equal(outlen, mlen);
				assert_memory_equal(out, msg, mlen);
				valid++;
			} else {
				/* "acceptable" is the 8-byte key: RFC 3394 wraps it as
				 * one AES block, SP 800-38F and this interface do not */
				want = ctlen < 24 || ctlen % 8 != 0 ? CKR_ENCRYPTED_DATA_LEN_RANGE
								    : CKR_ENCRYPTED_DATA_INVALID;
				assert_int_equal(
					crypto_aes_unwrap(0, key, klen, ct, ctlen, out, &outlen),
					want);
				assert_int_equal(outlen, 7);
				for (size_t i = 0; i < ctlen; i++)
					assert_int_equal(out[i], 0xEE);
				if (mlen < 16 || mlen % 8 != 0)
					assert_int_equal(
						crypto_aes_wrap(0, key, klen, msg, mlen, out),
						CKR_DATA_LEN_RANGE);
				invalid++;
			}
			free(out);
			free(key);
			free(msg);
			free(ct);
		}
	}
	json_object_put(root);
	print_message("KW: %u valid, %u invalid Wycheproof vectors\n", valid, invalid);
	assert_int_equal(valid + invalid, 165);
}

/*
 * CAVP SP 800-38F. KW/KWP_AE: wrap gives C; KW/KWP_AD: unwrap gives P or
 * fails ("FAIL"). The _inv files are the variant with the inverse cipher
 * as the wrapping function, which PKCS#11's mechanisms are not: none of
 * their ciphertexts may unwrap, and wrapping their P must not give C.
 */
static unsigned kw_cavp_file(const char *rel, int pad, int ae, int inv)
{
	unsigned count = 0;
	struct rsp r;

	rsp_open(&r, rel);
	while (rsp_next(&r)) {
		const char *phex = rsp_get(&r, "P");
		uint8_t *key, *pt = NULL, *ct, *out;
		size_t klen, ptlen = 0, ctlen, outlen = 7;

		klen = vec_unhex(rsp_need(&r, "K"), &key);
		ctlen = vec_unhex(rsp_need(&r, "C"), &ct);
		if (phex != NULL)
			ptlen = vec_unhex(phex, &pt);
		out = xmalloc(ctlen + 8);
		memset(out, 0xEE, ctlen + 8);
		if (ae) {
			assert_non_null(pt);
			assert_int_equal(crypto_aes_wrap_len(pad, ptlen), ctlen);
			assert_int_equal(crypto_aes_wrap(pad, key, klen, pt, ptlen, out), CKR_OK);
			if (inv)
				assert_memory_not_equal(out, ct, ctlen);
			else
				assert_memory_equal(out, ct, ctlen);
		}
		if (!inv && pt != NULL) {
			assert_int_equal(crypto_aes_unwrap(pad, key, klen, ct, ctlen, out, &outlen),
					 CKR_OK);
			assert_int_equal(outlen, ptlen);
			assert_memory_equal(out, pt, ptlen);
		} else if (!ae) {
			assert_int_equal(crypto_aes_unwrap(pad, key, klen, ct, ctlen, out, &outlen),
					 CKR_ENCRYPTED_DATA_INVALID);
			assert_int_equal(outlen, 7);
			for (size_t i = 0; i < ctlen; i++)
				assert_int_equal(out[i], 0xEE);
		}
		free(out);
		free(key);
		free(pt);
		free(ct);
		count++;
	}
	rsp_close(&r);
	return count;
}

static void test_kw_cavp(void **state)
{
	static const char *const bits[] = { "128", "192", "256" };
	unsigned count = 0;
	int pad, ae, inv;
	size_t i;
	char rel[128];

	(void)state;
	for (pad = 0; pad < 2; pad++)
		for (ae = 0; ae < 2; ae++)
			for (inv = 0; inv < 2; inv++)
				for (i = 0; i < 3; i++) {
					snprintf(rel, sizeof(rel),
						 "keywrap/kwtestvectors/%s_%s_%s%s.txt",
						 pad ? "KWP" : "KW", ae ? "AE" : "AD", bits[i],
						 inv ? "_inv" : "");
					count += kw_cavp_file(rel, pad, ae, inv);
				}
	print_message("KW/KWP: %u CAVP vectors\n", count);
	assert_int_equal(count, 24 * 500);
}

static void test_kw_errors(void **state)
{
	static const uint8_t key[32] = { 3 }, data[48] = { 1, 2, 3 };
	uint8_t blob[56], tampered[56], out[56];
	size_t len = 0, i, n;
	int pad;

	(void)state;
	/* lengths */
	assert_int_equal(crypto_aes_wrap(0, key, 16, data, 8, out), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_wrap(0, key, 16, data, 0, out), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_wrap(0, key, 16, data, 20, out), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_wrap(1, key, 16, data, 0, out), CKR_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_unwrap(0, key, 16, data, 16, out, &len),
			 CKR_ENCRYPTED_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_unwrap(0, key, 16, data, 28, out, &len),
			 CKR_ENCRYPTED_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_unwrap(1, key, 16, data, 8, out, &len),
			 CKR_ENCRYPTED_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_unwrap(1, key, 16, data, 20, out, &len),
			 CKR_ENCRYPTED_DATA_LEN_RANGE);
	assert_int_equal(crypto_aes_wrap_len(0, 16), 24);
	assert_int_equal(crypto_aes_wrap_len(1, 1), 16);
	assert_int_equal(crypto_aes_wrap_len(1, 8), 16);
	assert_int_equal(crypto_aes_wrap_len(1, 9), 24);
	assert_int_equal(crypto_aes_wrap_len(1, SIZE_MAX), SIZE_MAX);
	/* keys */
	for (i = 0; i <= 32; i++) {
		CK_RV want = i == 16 || i == 24 || i == 32 ? CKR_OK : CKR_KEY_SIZE_RANGE;

		assert_int_equal(crypto_aes_wrap(0, key, i, data, 16, blob), want);
		assert_int_equal(crypto_aes_wrap(1, key, i, data, 5, blob), want);
		if (want != CKR_OK) {
			assert_int_equal(crypto_aes_unwrap(0, key, i, data, 24, out, &len), want);
			assert_int_equal(crypto_aes_unwrap(1, key, i, data, 16, out, &len), want);
		}
	}
	/* every byte of a wrapped blob matters; every length of KWP
	 * round-trips */
	for (pad = 0; pad < 2; pad++) {
		for (n = pad ? 1 : 16; n <= 48; n += pad ? 1 : 8) {
			size_t bl = crypto_aes_wrap_len(pad, n);

			assert_int_equal(crypto_aes_wrap(pad, key, 24, data, n, blob), CKR_OK);
			assert_int_equal(crypto_aes_unwrap(pad, key, 24, blob, bl, out, &len),
					 CKR_OK);
			assert_int_equal(len, n);
			assert_memory_equal(out, data, n);
			for (i = 0; i < bl; i++) {
				memcpy(tampered, blob, bl);
				tampered[i] ^= 0x80;
				memset(out, 0xEE, sizeof(out));
				len = 7;
				assert_int_equal(
					crypto_aes_unwrap(pad, key, 24, tampered, bl, out, &len),
					CKR_ENCRYPTED_DATA_INVALID);
				assert_int_equal(len, 7);
				for (size_t j = 0; j < sizeof(out); j++)
					assert_int_equal(out[j], 0xEE);
			}
			/* KW blobs do not unwrap as KWP and back */
			assert_int_equal(crypto_aes_unwrap(!pad, key, 24, blob, bl, out, &len),
					 bl < 24 ? CKR_ENCRYPTED_DATA_LEN_RANGE
						 : CKR_ENCRYPTED_DATA_INVALID);
		}
	}
}

/* One AES block with ECB, for the reference wrapping below. */
static void ecb_block(const uint8_t *key, uint8_t b[16])
{
	crypto_aes *c = NULL;
	size_t len;

	assert_int_equal(crypto_aes_new(AES_ECB, 1, key, 16, NULL, &c), CKR_OK);
	assert_int_equal(crypto_aes_update(c, b, 16, b, &len), CKR_OK);
	assert_int_equal(len, 16);
	crypto_aes_free(c);
}

/* RFC 3394's W with any A (the interface only has the default IVs): the
 * blob A || R for n 8-byte blocks in r; one block (n = 1) is one AES
 * block, as RFC 5649 wraps it. */
static void kw_reference(const uint8_t *key, const uint8_t a[8], const uint8_t *r, size_t n,
			 uint8_t *blob)
{
	uint8_t b[16];
	size_t i, j;
	uint64_t t;
	int k;

	memcpy(blob, a, 8);
	memcpy(blob + 8, r, 8 * n);
	if (n == 1) {
		ecb_block(key, blob);
		return;
	}
	for (j = 0; j < 6; j++) {
		for (i = 0; i < n; i++) {
			memcpy(b, blob, 8);
			memcpy(b + 8, blob + 8 + 8 * i, 8);
			ecb_block(key, b);
			t = n * j + i + 1;
			for (k = 7; k >= 0; k--, t >>= 8)
				b[k] ^= (uint8_t)t;
			memcpy(blob, b, 8);
			memcpy(blob + 8 + 8 * i, b + 8, 8);
		}
	}
}

/* RFC 5649's checks after unwrapping: the magic, the length indicator
 * (8 * (n - 1) < MLI <= 8 * n) and zero padding, for one block and for
 * three. */
static void test_kwp_checks(void **state)
{
	static const uint8_t key[16] = { 0x42 };
	uint8_t a[8], r[24], blob[32], out[32];
	size_t n, mli, i, len;
	int fix;

	(void)state;
	for (n = 1; n <= 3; n += 2) {
		for (mli = 0; mli <= 8 * n + 1; mli++) {
			int ok_len = mli > 8 * (n - 1) && mli <= 8 * n;

			for (fix = -1; fix < (int)(8 * n - mli) || fix == -1; fix++) {
				memcpy(a, "\xA6\x59\x59\xA6", 4);
				a[4] = a[5] = a[6] = 0;
				a[7] = (uint8_t)mli;
				for (i = 0; i < 8 * n; i++)
					r[i] = i < mli ? (uint8_t)(i + 1) : 0;
				/* fix >= 0: one padding byte not zero */
				if (fix >= 0)
					r[mli + (size_t)fix] = 0x01;
				kw_reference(key, a, r, n, blob);
				memset(out, 0xEE, sizeof(out));
				len = 7;
				assert_int_equal(
					crypto_aes_unwrap(1, key, 16, blob, 8 * n + 8, out, &len),
					ok_len && fix < 0 ? CKR_OK : CKR_ENCRYPTED_DATA_INVALID);
				if (ok_len && fix < 0) {
					assert_int_equal(len, mli);
					assert_memory_equal(out, r, mli);
				} else {
					assert_int_equal(len, 7);
					assert_int_equal(out[0], 0xEE);
				}
				if (mli > 8 * n)
					break;
			}
		}
		/* the magic, each byte */
		for (i = 0; i < 4; i++) {
			memcpy(a, "\xA6\x59\x59\xA6\x00\x00\x00\x05", 8);
			a[i] ^= 0x10;
			memset(r, 0, sizeof(r));
			kw_reference(key, a, r, n, blob);
			assert_int_equal(crypto_aes_unwrap(1, key, 16, blob, 8 * n + 8, out, &len),
					 CKR_ENCRYPTED_DATA_INVALID);
		}
		/* a length indicator past 2^8 */
		memcpy(a, "\xA6\x59\x59\xA6\x00\x00\x01\x05", 8);
		kw_reference(key, a, r, n, blob);
		assert_int_equal(crypto_aes_unwrap(1, key, 16, blob, 8 * n + 8, out, &len),
				 CKR_ENCRYPTED_DATA_INVALID);
	}
	/* the reference agrees with the wrapping of the interface */
	memcpy(a, "\xA6\xA6\xA6\xA6\xA6\xA6\xA6\xA6", 8);
	kw_reference(key, a, r, 3, blob);
	assert_int_equal(crypto_aes_wrap(0, key, 16, r, 24, out), CKR_OK);
	assert_memory_equal(out, blob, 32);
}

/* ---- MACs ---- */

/* The MAC of msg in one piece and in random parts; both must equal want
 * (its first wantlen bytes). */
static void mac_check(enum crypto_mac_alg alg, enum crypto_hash h, const uint8_t *key, size_t klen,
		      const uint8_t *msg, size_t mlen, const uint8_t *want, size_t wantlen,
		      int equal)
{
	uint8_t out[CRYPTO_MAX_HASH_LEN];
	int parts;

	for (parts = 0; parts < 2; parts++) {
		crypto_mac *m = NULL;
		size_t off = 0;

		assert_int_equal(crypto_mac_new(alg, h, key, klen, &m), CKR_OK);
		assert_int_equal(crypto_mac_len(m), alg == MAC_CMAC ? 16 : crypto_hash_len(h));
		assert_true(wantlen <= crypto_mac_len(m));
		do {
			size_t take = parts ? part(mlen - off) : mlen - off;

			assert_int_equal(crypto_mac_update(m, msg + off, take), CKR_OK);
			off += take;
		} while (off < mlen);
		assert_int_equal(crypto_mac_final(m, out), CKR_OK);
		assert_int_equal(crypto_mac_update(m, msg, 1), CKR_OPERATION_NOT_INITIALIZED);
		assert_int_equal(crypto_mac_final(m, out), CKR_OPERATION_NOT_INITIALIZED);
		crypto_mac_free(m);
		if (equal)
			assert_memory_equal(out, want, wantlen);
		else
			assert_memory_not_equal(out, want, wantlen);
	}
}

static void test_cmac_cavp(void **state)
{
	unsigned count = 0;
	int bits;

	(void)state;
	for (bits = 128; bits <= 256; bits += 64) {
		char rel[128];
		struct rsp r;

		snprintf(rel, sizeof(rel), "CMAC/nist-800-38b-aes%d.txt", bits);
		rsp_open(&r, rel);
		while (rsp_next(&r)) {
			uint8_t *key, *msg, *mac;
			size_t klen, mlen, maclen;

			klen = vec_unhex(rsp_need(&r, "KEY"), &key);
			mlen = vec_unhex(rsp_need(&r, "MESSAGE"), &msg);
			maclen = vec_unhex(rsp_need(&r, "OUTPUT"), &mac);
			assert_int_equal(klen * 8, (size_t)bits);
			mac_check(MAC_CMAC, HASH_COUNT, key, klen, msg, mlen, mac, maclen, 1);
			free(key);
			free(msg);
			free(mac);
			count++;
		}
		rsp_close(&r);
	}
	assert_int_equal(count, 12);
}

static void test_hmac_rfc(void **state)
{
	static const char *const files[HASH_COUNT] = { "rfc-2202-sha1.txt", "rfc-4231-sha224.txt",
						       "rfc-4231-sha256.txt", "rfc-4231-sha384.txt",
						       "rfc-4231-sha512.txt" };
	unsigned count = 0;
	int h;

	(void)state;
	for (h = 0; h < HASH_COUNT; h++) {
		char rel[128];
		struct rsp r;

		snprintf(rel, sizeof(rel), "HMAC/%s", files[h]);
		rsp_open(&r, rel);
		while (rsp_next(&r)) {
			uint8_t *key, *msg, *mac;
			size_t klen, mlen, maclen;

			klen = vec_unhex(rsp_need(&r, "Key"), &key);
			mlen = vec_unhex(rsp_need(&r, "Msg"), &msg);
			maclen = vec_unhex(rsp_need(&r, "MD"), &mac);
			assert_int_equal(maclen, crypto_hash_len((enum crypto_hash)h));
			mac_check(MAC_HMAC, (enum crypto_hash)h, key, klen, msg, mlen, mac, maclen,
				  1);
			free(key);
			free(msg);
			free(mac);
			count++;
		}
		rsp_close(&r);
	}
	print_message("HMAC: %u RFC 2202/4231 vectors\n", count);
	assert_true(count >= 5 * 6);
}

static void test_hmac_wycheproof(void **state)
{
	json_object *root = vec_wycheproof("hmac_sha256_test.json");
	json_object *groups = vec_get(root, "testGroups");
	unsigned valid = 0, invalid = 0;
	size_t g, t;

	(void)state;
	for (g = 0; g < json_object_array_length(groups); g++) {
		json_object *grp = json_object_array_get_idx(groups, g);
		json_object *tests = vec_get(grp, "tests");
		size_t tag_bits = (size_t)json_object_get_int(vec_get(grp, "tagSize"));

		for (t = 0; t < json_object_array_length(tests); t++) {
			json_object *tc = json_object_array_get_idx(tests, t);
			int ok = strcmp(vec_str(tc, "result"), "valid") == 0;
			uint8_t *key, *msg, *tag;
			size_t klen, mlen, taglen;

			klen = vec_unhex(vec_str(tc, "key"), &key);
			mlen = vec_unhex(vec_str(tc, "msg"), &msg);
			taglen = vec_unhex(vec_str(tc, "tag"), &tag);
			assert_int_equal(taglen * 8, tag_bits);
			/* truncated tags: the prefix of the full MAC */
			mac_check(MAC_HMAC, HASH_SHA256, key, klen, msg, mlen, tag, taglen, ok);
			if (ok)
				valid++;
			else
				invalid++;
			free(key);
			free(msg);
			free(tag);
		}
	}
	json_object_put(root);
	print_message("HMAC-SHA256: %u valid, %u invalid Wycheproof vectors\n", valid, invalid);
	assert_int_equal(valid + invalid, 174);
}

static void test_mac_params(void **state)
{
	/* HMAC-SHA256 with an empty key over an empty message, and
	 * HMAC-SHA512 with an empty key over "abc" (Python's hmac) */
	static const uint8_t e256[32] = { 0xb6, 0x13, 0x67, 0x9a, 0x08, 0x14, 0xd9, 0xec,
					  0x77, 0x2f, 0x95, 0xd7, 0x78, 0xc3, 0x5f, 0xc5,
					  0xff, 0x16, 0x97, 0xc4, 0x93, 0x71, 0x56, 0x53,
					  0xc6, 0xc7, 0x12, 0x14, 0x42, 0x92, 0xc5, 0xad };
	static const uint8_t e512[8] = { 0x29, 0x68, 0x9f, 0x6b, 0x79, 0xa8, 0xdd, 0x68 };
	static const uint8_t key[33] = { 0 };
	crypto_mac *m = NULL;
	size_t i;

	(void)state;
	mac_check(MAC_HMAC, HASH_SHA256, NULL, 0, (const uint8_t *)"", 0, e256, sizeof(e256), 1);
	mac_check(MAC_HMAC, HASH_SHA512, NULL, 0, (const uint8_t *)"abc", 3, e512, sizeof(e512), 1);
	for (i = 0; i <= 33; i++) {
		CK_RV want = i == 16 || i == 24 || i == 32 ? CKR_OK : CKR_KEY_SIZE_RANGE;

		assert_int_equal(crypto_mac_new(MAC_CMAC, HASH_SHA256, key, i, &m), want);
		if (want == CKR_OK)
			crypto_mac_free(m);
	}
	assert_int_equal(crypto_mac_new(MAC_HMAC, HASH_COUNT, key, 16, &m), CKR_MECHANISM_INVALID);
	assert_int_equal(crypto_mac_new((enum crypto_mac_alg)7, HASH_SHA256, key, 16, &m),
			 CKR_MECHANISM_INVALID);
	crypto_mac_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_ecb_cavp),
		cmocka_unit_test(test_cbc_cavp),
		cmocka_unit_test(test_cbc_pad_wycheproof),
		cmocka_unit_test(test_cbc_pad_exhaustive),
		cmocka_unit_test(test_ctr_rfc3686),
		cmocka_unit_test(test_ctr_bound),
		cmocka_unit_test(test_gcm_wycheproof),
		cmocka_unit_test(test_gcm_cavp),
		cmocka_unit_test(test_gcm_sizes),
		cmocka_unit_test(test_kw_wycheproof),
		cmocka_unit_test(test_kw_cavp),
		cmocka_unit_test(test_kw_errors),
		cmocka_unit_test(test_kwp_checks),
		cmocka_unit_test(test_cmac_cavp),
		cmocka_unit_test(test_hmac_rfc),
		cmocka_unit_test(test_hmac_wycheproof),
		cmocka_unit_test(test_mac_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
