/*
 * Unit tests of the object record codec (src/store/codec.c): round trips,
 * sizes, and a decoder that refuses every malformed record with
 * CKR_DEVICE_ERROR before it calls back once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"
#include "store/codec.h"

#define HEADER_LEN 12
#define ENTRY_LEN 13
#define CHECK_LEN 16

/* What the decoder handed back, in order. Values point into the record. */
struct seen {
	codec_attr attrs[CODEC_MAX_ATTRS + 1];
	size_t n;
	size_t fail_at; /* 1-based call that returns fail_rv; 0 never */
	CK_RV fail_rv;
};

static CK_RV collect(void *ctx, const codec_attr *a)
{
	struct seen *s = ctx;

	assert_true(s->n < CODEC_MAX_ATTRS + 1);
	s->attrs[s->n++] = *a;
	if (s->fail_at != 0 && s->n == s->fail_at)
		return s->fail_rv;
	return CKR_OK;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Recomputes the integrity check so that only the structure is wrong. */
static void recheck(uint8_t *buf, size_t len)
{
	uint8_t digest[CRYPTO_SHA256_LEN];

	assert_true(len >= CHECK_LEN);
	assert_int_equal(crypto_sha256(buf, len - CHECK_LEN, digest), CKR_OK);
	memcpy(buf + len - CHECK_LEN, digest, CHECK_LEN);
}

/* Decodes a heap copy of exactly len bytes, so that ASan sees any read past
 * the end. The values in s point into the copy: it lives until the next call
 * or decode_done(). */
static uint8_t *last_copy;

static void decode_done(void)
{
	free(last_copy);
	last_copy = NULL;
}

static CK_RV decode_copy(const uint8_t *in, size_t len, struct seen *s)
{
	decode_done();
	last_copy = malloc(len ? len : 1);
	assert_non_null(last_copy);
	if (len > 0)
		memcpy(last_copy, in, len);
	memset(s, 0, sizeof(*s));
	return codec_decode(last_copy, len, collect, s);
}

static void assert_same_attrs(const codec_attr *want, size_t n, const struct seen *got)
{
	size_t i;

	assert_int_equal(got->n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(got->attrs[i].type, want[i].type);
		assert_int_equal(got->attrs[i].sealed, want[i].sealed ? 1 : 0);
		assert_int_equal(got->attrs[i].len, want[i].len);
		if (want[i].len > 0)
			assert_memory_equal(got->attrs[i].value, want[i].value, want[i].len);
	}
}

static void round_trip(const codec_attr *attrs, size_t n)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct seen s;

	assert_int_equal(codec_encode(attrs, n, &buf, &len), CKR_OK);
	assert_non_null(buf);
	assert_int_equal(len, codec_size(attrs, n));
	assert_memory_equal(buf, "IOTO", 4);
	assert_int_equal(decode_copy(buf, len, &s), CKR_OK);
	assert_same_attrs(attrs, n, &s);
	port_free_secret(buf, len);
}

/* A small record: two attributes, 57 bytes. */
static const uint8_t small_value[3] = { 0xa1, 0xb2, 0xc3 };
static const codec_attr small_attrs[2] = {
	{ CKA_LABEL, 0, small_value, sizeof(small_value) },
	{ CKA_VALUE, 1, NULL, 0 },
};

static void encode_small(uint8_t **buf, size_t *len)
{
	assert_int_equal(codec_encode(small_attrs, 2, buf, len), CKR_OK);
	assert_int_equal(*len, HEADER_LEN + CHECK_LEN + 2 * ENTRY_LEN + 3);
}

/* ---- round trips ---- */

static void test_round_trip_empty(void **state)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct seen s;

	(void)state;
	assert_int_equal(codec_size(NULL, 0), HEADER_LEN + CHECK_LEN);
	assert_int_equal(codec_encode(NULL, 0, &buf, &len), CKR_OK);
	assert_int_equal(len, HEADER_LEN + CHECK_LEN);
	/* "IOTO", version 2, flags 0, count 0. */
	assert_memory_equal(buf, "IOTO\x02\x00\x00\x00\x00\x00\x00\x00", HEADER_LEN);
	assert_int_equal(decode_copy(buf, len, &s), CKR_OK);
	assert_int_equal(s.n, 0);
	port_free_secret(buf, len);
}

static void test_round_trip_layout(void **state)
{
	static const uint8_t v[2] = { 0x11, 0x22 };
	const codec_attr a = { 0x0102030405060708ull, 1, v, 2 };
	uint8_t digest[CRYPTO_SHA256_LEN];
	uint8_t *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(codec_encode(&a, 1, &buf, &len), CKR_OK);
	assert_int_equal(len, HEADER_LEN + ENTRY_LEN + 2 + CHECK_LEN);
	/* Little-endian fields exactly as codec.h describes them. */
	assert_memory_equal(buf, "IOTO\x02\x00\x00\x00\x01\x00\x00\x00", HEADER_LEN);
	assert_memory_equal(buf + HEADER_LEN,
			    "\x08\x07\x06\x05\x04\x03\x02\x01"
			    "\x01"
			    "\x02\x00\x00\x00"
			    "\x11\x22",
			    ENTRY_LEN + 2);
	assert_int_equal(crypto_sha256(buf, len - CHECK_LEN, digest), CKR_OK);
	assert_memory_equal(buf + len - CHECK_LEN, digest, CHECK_LEN);
	port_free_secret(buf, len);
}

static void test_round_trip_many(void **state)
{
	codec_attr attrs[CODEC_MAX_ATTRS];
	uint8_t values[CODEC_MAX_ATTRS][CODEC_MAX_ATTRS];
	size_t i, j;

	(void)state;
	for (i = 0; i < CODEC_MAX_ATTRS; i++) {
		for (j = 0; j < i; j++)
			values[i][j] = (uint8_t)(i * 31 + j);
		attrs[i].type = (CK_ATTRIBUTE_TYPE)(CKA_VENDOR_DEFINED | i);
		attrs[i].sealed = (uint8_t)(i % 3 == 0);
		attrs[i].value = i > 0 ? values[i] : NULL;
		attrs[i].len = i; /* 0 .. 127 bytes */
	}
	round_trip(attrs, CODEC_MAX_ATTRS);
	round_trip(attrs, 1);
	round_trip(attrs + 5, 17);
}

static void test_round_trip_sealed_flag(void **state)
{
	static const uint8_t v[4] = { 1, 2, 3, 4 };
	/* Any non-zero sealed reads back as 1. */
	const codec_attr attrs[3] = {
		{ CKA_VALUE, 1, v, 4 },
		{ CKA_LABEL, 0, v, 4 },
		{ CKA_ID, 0x80, v, 1 },
	};

	(void)state;
	round_trip(attrs, 3);
}

static void test_round_trip_zero_length(void **state)
{
	static const uint8_t v[1] = { 0x5a };
	/* Zero-length values with and without a pointer. */
	const codec_attr attrs[4] = {
		{ CKA_LABEL, 0, NULL, 0 },
		{ CKA_ID, 0, v, 0 },
		{ CKA_VALUE, 1, NULL, 0 },
		{ CKA_SUBJECT, 0, v, 1 },
	};

	(void)state;
	round_trip(attrs, 4);
}

static void test_round_trip_extreme_types(void **state)
{
	static const uint8_t v[1] = { 7 };
	const codec_attr attrs[3] = {
		{ (CK_ATTRIBUTE_TYPE)0, 0, v, 1 },
		{ (CK_ATTRIBUTE_TYPE) ~(CK_ULONG)0, 1, v, 1 },
		{ CKA_VENDOR_DEFINED, 0, v, 1 },
	};

	(void)state;
	round_trip(attrs, 3);
}

static void test_round_trip_max_value(void **state)
{
	uint8_t *big = malloc(CODEC_MAX_VALUE);
	codec_attr attrs[3];
	size_t i;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < CODEC_MAX_VALUE; i++)
		big[i] = (uint8_t)(i * 7 + (i >> 8));
	attrs[0] = (codec_attr){ CKA_VALUE, 1, big, CODEC_MAX_VALUE };
	attrs[1] = (codec_attr){ CKA_LABEL, 0, big, 3 };
	attrs[2] = (codec_attr){ CKA_ID, 0, big + 1, CODEC_MAX_VALUE - 1 };
	round_trip(attrs, 3);
	free(big);
}

static void test_encode_limits(void **state)
{
	codec_attr attrs[CODEC_MAX_ATTRS + 1];
	uint8_t *buf = (uint8_t *)"untouched";
	size_t len = 12345;
	uint8_t *big;

	(void)state;
	memset(attrs, 0, sizeof(attrs));
	assert_int_equal(codec_encode(attrs, CODEC_MAX_ATTRS + 1, &buf, &len),
			 CKR_TEMPLATE_INCONSISTENT);
	big = calloc(1, CODEC_MAX_VALUE + 1);
	assert_non_null(big);
	attrs[1] = (codec_attr){ CKA_VALUE, 0, big, CODEC_MAX_VALUE + 1 };
	assert_int_equal(codec_encode(attrs, 2, &buf, &len), CKR_ATTRIBUTE_VALUE_INVALID);
	/* Nothing returned on failure. */
	assert_string_equal((char *)buf, "untouched");
	assert_int_equal(len, 12345);
	free(big);
}

static void test_size_matches(void **state)
{
	static const uint8_t v[300] = { 0 };
	codec_attr attrs[5];
	size_t n, i;

	(void)state;
	for (i = 0; i < 5; i++)
		attrs[i] = (codec_attr){ CKA_VENDOR_DEFINED + i, 0, v, i * 70 };
	for (n = 0; n <= 5; n++) {
		uint8_t *buf = NULL;
		size_t len = 0, want = HEADER_LEN + CHECK_LEN;

		for (i = 0; i < n; i++)
			want += ENTRY_LEN + i * 70;
		assert_int_equal(codec_size(attrs, n), want);
		assert_int_equal(codec_encode(attrs, n, &buf, &len), CKR_OK);
		assert_int_equal(len, want);
		port_free_secret(buf, len);
	}
}

/* ---- decode rejects ---- */

static void test_decode_every_bit_flip(void **state)
{
	uint8_t *buf;
	size_t len, bit;
	struct seen s;

	(void)state;
	encode_small(&buf, &len);
	assert_int_equal(decode_copy(buf, len, &s), CKR_OK);
	for (bit = 0; bit < len * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(decode_copy(buf, len, &s), CKR_DEVICE_ERROR);
		assert_int_equal(s.n, 0);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	assert_int_equal(decode_copy(buf, len, &s), CKR_OK);
	port_free_secret(buf, len);
}

static void test_decode_every_truncation(void **state)
{
	uint8_t *buf;
	size_t len, cut;
	struct seen s;

	(void)state;
	encode_small(&buf, &len);
	for (cut = 0; cut < len; cut++) {
		assert_int_equal(decode_copy(buf, cut, &s), CKR_DEVICE_ERROR);
		assert_int_equal(s.n, 0);
	}
	/* Truncated and then given a valid check: the structure still fails. */
	for (cut = HEADER_LEN + CHECK_LEN; cut < len; cut++) {
		uint8_t *t = malloc(cut);

		assert_non_null(t);
		memcpy(t, buf, cut);
		recheck(t, cut);
		assert_int_equal(decode_copy(t, cut, &s), CKR_DEVICE_ERROR);
		assert_int_equal(s.n, 0);
		free(t);
	}
	port_free_secret(buf, len);
}

/* Changes one thing, recomputes the check, expects CKR_DEVICE_ERROR. */
static void expect_structure_error(const uint8_t *orig, size_t len, size_t off, const void *bytes,
				   size_t n)
{
	uint8_t *t = malloc(len);
	struct seen s;

	assert_non_null(t);
	memcpy(t, orig, len);
	memcpy(t + off, bytes, n);
	recheck(t, len);
	assert_int_equal(decode_copy(t, len, &s), CKR_DEVICE_ERROR);
	assert_int_equal(s.n, 0);
	free(t);
}

static void test_decode_bad_magic(void **state)
{
	uint8_t *buf;
	size_t len;

	(void)state;
	encode_small(&buf, &len);
	expect_structure_error(buf, len, 0, "IOTP", 4);
	expect_structure_error(buf, len, 0, "ioto", 4);
	expect_structure_error(buf, len, 0, "\0\0\0\0", 4);
	port_free_secret(buf, len);
}

static void test_decode_bad_version(void **state)
{
	uint8_t *buf;
	size_t len;

	(void)state;
	encode_small(&buf, &len);
	expect_structure_error(buf, len, 4, "\x00\x00", 2);
	expect_structure_error(buf, len, 4, "\x03\x00", 2);
	expect_structure_error(buf, len, 4, "\x02\x01", 2);
	expect_structure_error(buf, len, 4, "\xff\xff", 2);
	/* Unknown flags. */
	expect_structure_error(buf, len, 6, "\x02\x00", 2);
	expect_structure_error(buf, len, 6, "\x00\x80", 2);
	/* The MAC flag without room for the MAC. */
	expect_structure_error(buf, len, 6, "\x01\x00", 2);
	port_free_secret(buf, len);
}

/* Version 1 (before the flags): read, without a MAC; its flags must be 0. */
static void test_decode_version_1(void **state)
{
	codec_info info;
	uint8_t *buf;
	size_t len;
	struct seen s;

	(void)state;
	encode_small(&buf, &len);
	buf[4] = 1;
	recheck(buf, len);
	assert_int_equal(decode_copy(buf, len, &s), CKR_OK);
	assert_same_attrs(small_attrs, 2, &s);
	memset(&info, 0x5a, sizeof(info));
	assert_int_equal(codec_check_info(buf, len, &info), CKR_OK);
	assert_int_equal(info.version, 1);
	assert_false(info.has_mac);
	assert_null(info.mac);
	expect_structure_error(buf, len, 6, "\x01\x00", 2);
	port_free_secret(buf, len);
}

/* ---- the MAC trailer ---- */

struct mac_seen {
	uint8_t digest[CRYPTO_SHA256_LEN];
	int calls;
	CK_RV rv;
};

static CK_RV fake_mac(void *ctx, const uint8_t digest[CODEC_DIGEST_LEN], uint8_t mac[CODEC_MAC_LEN])
{
	struct mac_seen *m = ctx;
	size_t i;

	memcpy(m->digest, digest, CODEC_DIGEST_LEN);
	m->calls++;
	for (i = 0; i < CODEC_MAC_LEN; i++)
		mac[i] = (uint8_t)(0xc0 + i);
	return m->rv;
}

static void encode_small_mac(uint8_t **buf, size_t *len, struct mac_seen *m)
{
	memset(m, 0, sizeof(*m));
	assert_int_equal(codec_encode_mac(small_attrs, 2, fake_mac, m, buf, len), CKR_OK);
	assert_int_equal(m->calls, 1);
	assert_int_equal(*len, codec_size(small_attrs, 2) + CODEC_MAC_LEN);
}

static void test_mac_layout(void **state)
{
	uint8_t digest[CRYPTO_SHA256_LEN];
	struct mac_seen m;
	codec_info info;
	uint8_t *buf;
	size_t len, body, i;
	struct seen s;

	(void)state;
	encode_small_mac(&buf, &len, &m);
	body = len - CHECK_LEN - CODEC_MAC_LEN;
	/* Version 2, the MAC flag. */
	assert_memory_equal(buf, "IOTO\x02\x00\x01\x00\x02\x00\x00\x00", HEADER_LEN);
	/* The function got the SHA-256 of header and entries; the check is
	 * its first 16 bytes; the MAC it wrote is last. */
	assert_int_equal(crypto_sha256(buf, body, digest), CKR_OK);
	assert_memory_equal(m.digest, digest, sizeof(digest));
	assert_memory_equal(buf + body, digest, CHECK_LEN);
	for (i = 0; i < CODEC_MAC_LEN; i++)
		assert_int_equal(buf[body + CHECK_LEN + i], 0xc0 + i);
	assert_int_equal(codec_check_info(buf, len, &info), CKR_OK);
	assert_int_equal(info.version, 2);
	assert_true(info.has_mac);
	assert_ptr_equal(info.mac, buf + len - CODEC_MAC_LEN);
	assert_memory_equal(info.digest, digest, sizeof(digest));
	assert_int_equal(decode_copy(buf, len, &s), CKR_OK);
	assert_same_attrs(small_attrs, 2, &s);
	/* Without a MAC: no flag, no trailer; the digest is reported too. */
	port_free_secret(buf, len);
	encode_small(&buf, &len);
	assert_int_equal(codec_check_info(buf, len, &info), CKR_OK);
	assert_false(info.has_mac);
	assert_int_equal(crypto_sha256(buf, len - CHECK_LEN, digest), CKR_OK);
	assert_memory_equal(info.digest, digest, sizeof(digest));
	port_free_secret(buf, len);
}

/* The check covers header and entries: a flip there fails it; a flip in the
 * MAC passes the codec (the caller's MAC check refuses it) but is reported
 * as stored. */
static void test_mac_bit_flips(void **state)
{
	struct mac_seen m;
	codec_info info;
	uint8_t *buf;
	size_t len, i, macoff;
	struct seen s;

	(void)state;
	encode_small_mac(&buf, &len, &m);
	macoff = len - CODEC_MAC_LEN;
	for (i = 0; i < len * 8; i++) {
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (i / 8 < macoff) {
			assert_int_equal(decode_copy(buf, len, &s), CKR_DEVICE_ERROR);
			assert_int_equal(s.n, 0);
		} else {
			assert_int_equal(codec_check_info(buf, len, &info), CKR_OK);
			assert_true(info.has_mac);
			assert_int_not_equal(info.mac[i / 8 - macoff], 0xc0 + i / 8 - macoff);
		}
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	/* The MAC cut off, the flag cleared, the check recomputed: a record
	 * without a MAC, which the caller must refuse where it wants one. */
	buf[6] = 0;
	recheck(buf, len - CODEC_MAC_LEN);
	assert_int_equal(codec_check_info(buf, len - CODEC_MAC_LEN, &info), CKR_OK);
	assert_false(info.has_mac);
	/* Only cut off: the structure fails. */
	buf[6] = 1;
	assert_int_equal(codec_check_info(buf, len - CODEC_MAC_LEN, &info), CKR_DEVICE_ERROR);
	port_free_secret(buf, len);
}

static void test_mac_error_propagates(void **state)
{
	struct mac_seen m;
	uint8_t *buf = NULL;
	size_t len = 0;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.rv = CKR_FUNCTION_FAILED;
	assert_int_equal(codec_encode_mac(small_attrs, 2, fake_mac, &m, &buf, &len),
			 CKR_FUNCTION_FAILED);
	assert_null(buf);
	assert_int_equal(m.calls, 1);
	port_alloc_fail_after(1);
	m.rv = CKR_OK;
	m.calls = 0;
	assert_int_equal(codec_encode_mac(small_attrs, 2, fake_mac, &m, &buf, &len),
			 CKR_HOST_MEMORY);
	port_alloc_fail_after(0);
	assert_null(buf);
	assert_int_equal(m.calls, 0);
}

static void test_decode_bad_count(void **state)
{
	uint8_t *buf, cnt[4];
	size_t len;

	(void)state;
	encode_small(&buf, &len);
	put_le(cnt, CODEC_MAX_ATTRS + 1, 4);
	expect_structure_error(buf, len, 8, cnt, 4);
	put_le(cnt, 0xffffffffu, 4);
	expect_structure_error(buf, len, 8, cnt, 4);
	/* Counts that disagree with the entries present. */
	put_le(cnt, 1, 4);
	expect_structure_error(buf, len, 8, cnt, 4);
	put_le(cnt, 3, 4);
	expect_structure_error(buf, len, 8, cnt, 4);
	put_le(cnt, 0, 4);
	expect_structure_error(buf, len, 8, cnt, 4);
	port_free_secret(buf, len);
}

static void test_decode_count_over_max_even_if_consistent(void **state)
{
	codec_attr attrs[CODEC_MAX_ATTRS + 1];
	uint8_t *buf, *big;
	size_t len, i;
	struct seen s;

	(void)state;
	/* Build a structurally complete record of MAX+1 attributes by hand. */
	for (i = 0; i < CODEC_MAX_ATTRS + 1; i++)
		attrs[i] = (codec_attr){ CKA_VENDOR_DEFINED + i, 0, NULL, 0 };
	assert_int_equal(codec_encode(attrs, CODEC_MAX_ATTRS, &buf, &len), CKR_OK);
	big = malloc(len + ENTRY_LEN);
	assert_non_null(big);
	memcpy(big, buf, len - CHECK_LEN);
	memset(big + len - CHECK_LEN, 0, ENTRY_LEN);
	put_le(big + 8, CODEC_MAX_ATTRS + 1, 4);
	recheck(big, len + ENTRY_LEN);
	assert_int_equal(decode_copy(big, len + ENTRY_LEN, &s), CKR_DEVICE_ERROR);
	assert_int_equal(s.n, 0);
	free(big);
	port_free_secret(buf, len);
}

static void test_decode_trailing_garbage(void **state)
{
	uint8_t *buf, *t;
	size_t len, extra;
	struct seen s;

	(void)state;
	encode_small(&buf, &len);
	for (extra = 1; extra <= ENTRY_LEN + 2; extra++) {
		t = malloc(len + extra);
		assert_non_null(t);
		memcpy(t, buf, len - CHECK_LEN);
		memset(t + len - CHECK_LEN, 0xee, extra);
		recheck(t, len + extra);
		assert_int_equal(decode_copy(t, len + extra, &s), CKR_DEVICE_ERROR);
		assert_int_equal(s.n, 0);
		free(t);
	}
	port_free_secret(buf, len);
}

static void test_decode_bad_kind(void **state)
{
	uint8_t *buf;
	size_t len;
	/* kind of the second entry: header + entry 1 + its 3 bytes + 8. */
	size_t kind2 = HEADER_LEN + ENTRY_LEN + 3 + 8;

	(void)state;
	encode_small(&buf, &len);
	assert_int_equal(buf[HEADER_LEN + 8], 0);
	assert_int_equal(buf[kind2], 1);
	expect_structure_error(buf, len, HEADER_LEN + 8, "\x02", 1);
	/* A bad entry after a good one: no callback at all. */
	expect_structure_error(buf, len, kind2, "\x02", 1);
	expect_structure_error(buf, len, kind2, "\xff", 1);
	port_free_secret(buf, len);
}

static void test_decode_bad_value_len(void **state)
{
	uint8_t *buf, l[4];
	size_t len;
	size_t len1 = HEADER_LEN + 9, len2 = HEADER_LEN + ENTRY_LEN + 3 + 9;

	(void)state;
	encode_small(&buf, &len);
	put_le(l, 4, 4);
	expect_structure_error(buf, len, len1, l, 4);
	put_le(l, 1, 4);
	expect_structure_error(buf, len, len1, l, 4);
	put_le(l, 1, 4);
	expect_structure_error(buf, len, len2, l, 4);
	put_le(l, CODEC_MAX_VALUE + 1, 4);
	expect_structure_error(buf, len, len1, l, 4);
	put_le(l, 0xffffffffu, 4);
	expect_structure_error(buf, len, len2, l, 4);
	port_free_secret(buf, len);
}

static void test_decode_value_len_over_max_even_if_present(void **state)
{
	uint8_t *rec;
	size_t len = HEADER_LEN + ENTRY_LEN + CODEC_MAX_VALUE + 1 + CHECK_LEN;
	struct seen s;

	(void)state;
	rec = calloc(1, len);
	assert_non_null(rec);
	memcpy(rec, "IOTO\x01\x00\x00\x00\x01\x00\x00\x00", HEADER_LEN);
	put_le(rec + HEADER_LEN, CKA_VALUE, 8);
	put_le(rec + HEADER_LEN + 9, CODEC_MAX_VALUE + 1, 4);
	recheck(rec, len);
	assert_int_equal(decode_copy(rec, len, &s), CKR_DEVICE_ERROR);
	assert_int_equal(s.n, 0);
	/* The same record one byte shorter is fine. */
	put_le(rec + HEADER_LEN + 9, CODEC_MAX_VALUE, 4);
	recheck(rec, len - 1);
	assert_int_equal(decode_copy(rec, len - 1, &s), CKR_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.attrs[0].len, CODEC_MAX_VALUE);
	free(rec);
}

/* ---- callbacks and allocation ---- */

static void test_decode_callback_error_propagates(void **state)
{
	static const uint8_t v[1] = { 9 };
	const codec_attr attrs[4] = {
		{ CKA_LABEL, 0, v, 1 },
		{ CKA_ID, 0, v, 1 },
		{ CKA_VALUE, 1, v, 1 },
		{ CKA_SUBJECT, 0, v, 1 },
	};
	uint8_t *buf;
	size_t len;
	struct seen s;

	(void)state;
	assert_int_equal(codec_encode(attrs, 4, &buf, &len), CKR_OK);
	memset(&s, 0, sizeof(s));
	s.fail_at = 2;
	s.fail_rv = CKR_FUNCTION_CANCELED;
	assert_int_equal(codec_decode(buf, len, collect, &s), CKR_FUNCTION_CANCELED);
	assert_int_equal(s.n, 2); /* stops at the first error */
	memset(&s, 0, sizeof(s));
	s.fail_at = 1;
	s.fail_rv = CKR_HOST_MEMORY;
	assert_int_equal(codec_decode(buf, len, collect, &s), CKR_HOST_MEMORY);
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	s.fail_at = 4;
	s.fail_rv = CKR_DEVICE_ERROR;
	assert_int_equal(codec_decode(buf, len, collect, &s), CKR_DEVICE_ERROR);
	assert_int_equal(s.n, 4);
	port_free_secret(buf, len);
}

static void test_encode_alloc_failure(void **state)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	(void)state;
	port_alloc_fail_after(1);
	assert_int_equal(codec_encode(small_attrs, 2, &buf, &len), CKR_HOST_MEMORY);
	port_alloc_fail_after(0);
	assert_null(buf);
	port_alloc_fail_after(1);
	assert_int_equal(codec_encode(NULL, 0, &buf, &len), CKR_HOST_MEMORY);
	port_alloc_fail_after(0);
	assert_null(buf);
	/* And it works again once allocation does. */
	assert_int_equal(codec_encode(small_attrs, 2, &buf, &len), CKR_OK);
	port_free_secret(buf, len);
}

static int teardown(void **state)
{
	(void)state;
	port_alloc_fail_after(0);
	decode_done();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_round_trip_empty, teardown),
		cmocka_unit_test_teardown(test_round_trip_layout, teardown),
		cmocka_unit_test_teardown(test_round_trip_many, teardown),
		cmocka_unit_test_teardown(test_round_trip_sealed_flag, teardown),
		cmocka_unit_test_teardown(test_round_trip_zero_length, teardown),
		cmocka_unit_test_teardown(test_round_trip_extreme_types, teardown),
		cmocka_unit_test_teardown(test_round_trip_max_value, teardown),
		cmocka_unit_test_teardown(test_encode_limits, teardown),
		cmocka_unit_test_teardown(test_size_matches, teardown),
		cmocka_unit_test_teardown(test_decode_every_bit_flip, teardown),
		cmocka_unit_test_teardown(test_decode_every_truncation, teardown),
		cmocka_unit_test_teardown(test_decode_bad_magic, teardown),
		cmocka_unit_test_teardown(test_decode_bad_version, teardown),
		cmocka_unit_test_teardown(test_decode_version_1, teardown),
		cmocka_unit_test_teardown(test_mac_layout, teardown),
		cmocka_unit_test_teardown(test_mac_bit_flips, teardown),
		cmocka_unit_test_teardown(test_mac_error_propagates, teardown),
		cmocka_unit_test_teardown(test_decode_bad_count, teardown),
		cmocka_unit_test_teardown(test_decode_count_over_max_even_if_consistent, teardown),
		cmocka_unit_test_teardown(test_decode_trailing_garbage, teardown),
		cmocka_unit_test_teardown(test_decode_bad_kind, teardown),
		cmocka_unit_test_teardown(test_decode_bad_value_len, teardown),
		cmocka_unit_test_teardown(test_decode_value_len_over_max_even_if_present, teardown),
		cmocka_unit_test_teardown(test_decode_callback_error_propagates, teardown),
		cmocka_unit_test_teardown(test_encode_alloc_failure, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
