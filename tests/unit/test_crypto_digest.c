/*
 * Unit tests of the digests of crypto.h: NIST CAVP byte-oriented ShortMsg
 * and LongMsg vectors for SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512,
 * in one piece and in uneven parts, and the context's life cycle.
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

static const char *const names[HASH_COUNT] = { "SHA1", "SHA224", "SHA256", "SHA384", "SHA512" };

/* The message fed in parts of 1, 2, 3, ... bytes: every block boundary
 * case of the update path comes up. */
static void hash_in_parts(enum crypto_hash h, const uint8_t *m, size_t n, uint8_t *out)
{
	crypto_digest *d = NULL;
	size_t off = 0, step = 1;

	assert_int_equal(crypto_digest_new(h, &d), CKR_OK);
	while (off < n) {
		size_t take = n - off < step ? n - off : step;

		assert_int_equal(crypto_digest_update(d, m + off, take), CKR_OK);
		off += take;
		step = step % 67 + 1;
	}
	assert_int_equal(crypto_digest_final(d, out), CKR_OK);
	crypto_digest_free(d);
}

static unsigned cavp_file(enum crypto_hash h, const char *kind)
{
	char rel[128];
	unsigned count = 0;
	struct rsp r;

	snprintf(rel, sizeof(rel), "hashes/%s/%s%s.rsp", h == HASH_SHA1 ? "SHA1" : "SHA2", names[h],
		 kind);
	rsp_open(&r, rel);
	while (rsp_next(&r)) {
		uint8_t got[CRYPTO_MAX_HASH_LEN], *msg, *want;
		size_t bits = strtoul(rsp_need(&r, "Len"), NULL, 10), mlen, wlen;

		mlen = vec_unhex(rsp_need(&r, "Msg"), &msg);
		wlen = vec_unhex(rsp_need(&r, "MD"), &want);
		assert_int_equal(wlen, crypto_hash_len(h));
		/* Byte-oriented files: Len is in bits, and "Len = 0" comes
		 * with "Msg = 00", which is not part of the message. */
		assert_int_equal(bits % 8, 0);
		assert_true(bits / 8 <= mlen);
		mlen = bits / 8;
		vec_hash(h, msg, mlen, got);
		if (memcmp(got, want, wlen) != 0)
			fail_msg("%s %s: Len = %zu differs", names[h], kind, bits);
		hash_in_parts(h, msg, mlen, got);
		if (memcmp(got, want, wlen) != 0)
			fail_msg("%s %s: Len = %zu differs when fed in parts", names[h], kind,
				 bits);
		free(msg);
		free(want);
		count++;
	}
	rsp_close(&r);
	return count;
}

static void test_cavp(void **state)
{
	int h;

	(void)state;
	for (h = 0; h < HASH_COUNT; h++) {
		unsigned s = cavp_file((enum crypto_hash)h, "ShortMsg");
		unsigned l = cavp_file((enum crypto_hash)h, "LongMsg");

		print_message("%s: %u ShortMsg, %u LongMsg vectors\n", names[h], s, l);
		assert_true(s > 0 && l > 0);
	}
}

static void test_lengths(void **state)
{
	(void)state;
	assert_int_equal(crypto_hash_len(HASH_SHA1), 20);
	assert_int_equal(crypto_hash_len(HASH_SHA224), 28);
	assert_int_equal(crypto_hash_len(HASH_SHA256), 32);
	assert_int_equal(crypto_hash_len(HASH_SHA384), 48);
	assert_int_equal(crypto_hash_len(HASH_SHA512), 64);
	assert_int_equal(crypto_hash_len(HASH_COUNT), 0);
}

static void test_life_cycle(void **state)
{
	/* SHA-256("abc"), FIPS 180-4 example. */
	static const char abc[] =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	uint8_t out[CRYPTO_MAX_HASH_LEN], *want;
	crypto_digest *d = NULL;

	(void)state;
	assert_int_equal(vec_unhex(abc, &want), 32);
	assert_int_equal(crypto_digest_new(HASH_SHA256, &d), CKR_OK);
	/* Empty updates change nothing, with or without a pointer. */
	assert_int_equal(crypto_digest_update(d, NULL, 0), CKR_OK);
	assert_int_equal(crypto_digest_update(d, "a", 1), CKR_OK);
	assert_int_equal(crypto_digest_update(d, "", 0), CKR_OK);
	assert_int_equal(crypto_digest_update(d, "bc", 2), CKR_OK);
	assert_int_equal(crypto_digest_update(d, NULL, 1), CKR_ARGUMENTS_BAD);
	assert_int_equal(crypto_digest_final(d, out), CKR_OK);
	assert_memory_equal(out, want, 32);
	/* Finished: no more updates, no second final. */
	assert_int_equal(crypto_digest_update(d, "x", 1), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(crypto_digest_final(d, out), CKR_OPERATION_NOT_INITIALIZED);
	crypto_digest_free(d);
	crypto_digest_free(NULL);
	free(want);

	/* A context freed before its final. */
	assert_int_equal(crypto_digest_new(HASH_SHA512, &d), CKR_OK);
	assert_int_equal(crypto_digest_update(d, "secret", 6), CKR_OK);
	crypto_digest_free(d);

	assert_int_equal(crypto_digest_new(HASH_COUNT, &d), CKR_MECHANISM_INVALID);
}

/* The context allocation failing: CKR_HOST_MEMORY, nothing leaked. */
static void test_alloc_failure(void **state)
{
	crypto_digest *d = NULL;

	(void)state;
	port_alloc_fail_after(1);
	assert_int_equal(crypto_digest_new(HASH_SHA256, &d), CKR_HOST_MEMORY);
	port_alloc_fail_after(0);
	assert_int_equal(crypto_digest_new(HASH_SHA256, &d), CKR_OK);
	crypto_digest_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_life_cycle),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_cavp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
