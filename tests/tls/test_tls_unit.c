/*
 * Unit tests of the TLS helper's pure functions (tls/internal.h): the
 * r || s -> DER ECDSA-Sig-Value encoder and the DigestInfo writer of sig.c,
 * checked against hand-made bytes and against mbedTLS's own ASN.1 writer
 * and ECDSA verification, and the pkcs11: URI / label parser of uri.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/oid.h>

#include "internal.h"

/* ---- tls_ecdsa_rs_to_der ---- */

/* The DER that rs_len bytes of r || s must become (hand-made), written by
 * the encoder into a buffer of exactly the expected size plus slack. */
static void expect_der(const unsigned char *rs, size_t rs_len, const unsigned char *want,
		       size_t want_len)
{
	unsigned char out[MBEDTLS_ECDSA_MAX_LEN + 16];
	size_t out_len = 0;

	memset(out, 0xee, sizeof(out));
	assert_true(tls_ecdsa_rs_to_der(rs, rs_len, out, sizeof(out), &out_len));
	assert_int_equal(out_len, want_len);
	assert_memory_equal(out, want, want_len);
	/* Nothing written past the encoding. */
	assert_int_equal(out[want_len], 0xee);
}

static void test_rs_to_der_plain(void **state)
{
	unsigned char rs[64], want[2 + 2 * (2 + 32)];
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++) {
		rs[i] = (unsigned char)(0x01 + i);      /* r: 01 02 .. 20 */
		rs[32 + i] = (unsigned char)(0x7f - i); /* s: 7f 7e .. 60 */
	}
	want[0] = 0x30;
	want[1] = 0x44;
	want[2] = 0x02;
	want[3] = 0x20;
	memcpy(want + 4, rs, 32);
	want[36] = 0x02;
	want[37] = 0x20;
	memcpy(want + 38, rs + 32, 32);
	expect_der(rs, sizeof(rs), want, sizeof(want));
}

/* A half whose first bit is set gets a 0x00 so that the INTEGER stays
 * positive: the longest P-256 encoding, 72 bytes. */
static void test_rs_to_der_high_bit_padded(void **state)
{
	unsigned char rs[64], want[2 + 2 * (2 + 33)];

	(void)state;
	memset(rs, 0x80, 32);
	memset(rs + 32, 0xff, 32);
	want[0] = 0x30;
	want[1] = 0x46;
	want[2] = 0x02;
	want[3] = 0x21;
	want[4] = 0x00;
	memcpy(want + 5, rs, 32);
	want[37] = 0x02;
	want[38] = 0x21;
	want[39] = 0x00;
	memcpy(want + 40, rs + 32, 32);
	expect_der(rs, sizeof(rs), want, sizeof(want));
}

/* Leading zero bytes are not part of the minimal encoding; a zero byte
 * before a byte with the high bit set is (it is the sign pad). */
static void test_rs_to_der_leading_zeros(void **state)
{
	unsigned char rs[64], want[2 + (2 + 30) + (2 + 32)];

	(void)state;
	memset(rs, 0x11, sizeof(rs));
	rs[0] = 0x00; /* r: 00 00 7f 11 .. : 30 bytes */
	rs[1] = 0x00;
	rs[2] = 0x7f;
	rs[32] = 0x00; /* s: 00 80 11 .. : 32 bytes, the zero is the pad */
	rs[33] = 0x80;
	want[0] = 0x30;
	want[1] = (unsigned char)(sizeof(want) - 2);
	want[2] = 0x02;
	want[3] = 30;
	memcpy(want + 4, rs + 2, 30);
	want[34] = 0x02;
	want[35] = 32;
	memcpy(want + 36, rs + 32, 32);
	expect_der(rs, sizeof(rs), want, sizeof(want));
}

/* All-zero halves are the INTEGER 0 (02 01 00); a half that is 00 .. 00 80
 * is 02 02 00 80. */
static void test_rs_to_der_zero_and_small(void **state)
{
	unsigned char rs[64] = { 0 };
	static const unsigned char want[] = {
		0x30, 0x07, 0x02, 0x01, 0x00, 0x02, 0x02, 0x00, 0x80
	};

	(void)state;
	rs[63] = 0x80;
	expect_der(rs, sizeof(rs), want, sizeof(want));
}

/* P-521: halves of 66 bytes; the SEQUENCE's content passes 127 bytes and
 * takes the long-form length 0x81 <len>. */
static void test_rs_to_der_p521_long_form(void **state)
{
	unsigned char rs[132], want[3 + (2 + 66) + (2 + 65)];
	unsigned char out[sizeof(want)];
	size_t out_len = 0;

	(void)state;
	memset(rs, 0xaa, 66); /* r: 01 aa .. aa (66 bytes, 521 bits) */
	rs[0] = 0x01;
	memset(rs + 66, 0xbb, 66); /* s: 00 01 bb .. bb -> 65 bytes */
	rs[66] = 0x00;
	rs[67] = 0x01;
	want[0] = 0x30;
	want[1] = 0x81;
	want[2] = (unsigned char)(sizeof(want) - 3); /* 135 */
	want[3] = 0x02;
	want[4] = 66;
	memcpy(want + 5, rs, 66);
	want[71] = 0x02;
	want[72] = 65;
	memcpy(want + 73, rs + 67, 65);
	expect_der(rs, sizeof(rs), want, sizeof(want));

	/* With the long form the exact size is enough, one byte less is not. */
	assert_true(tls_ecdsa_rs_to_der(rs, sizeof(rs), out, sizeof(want), &out_len));
	assert_int_equal(out_len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_false(tls_ecdsa_rs_to_der(rs, sizeof(rs), out, sizeof(want) - 1, &out_len));
}

/* The largest P-521 values (01 ff .. ff, 521 bits) fill mbedTLS's
 * MBEDTLS_ECDSA_MAX_LEN exactly. Halves with the high bit set are no P-521
 * values, but the encoder's worst case: 2 x 69 bytes of content, two bytes
 * more than that bound, refused in a buffer of that size. */
static void test_rs_to_der_p521_largest(void **state)
{
	unsigned char rs[132], out[MBEDTLS_ECDSA_MAX_LEN + 2];
	size_t out_len = 0;

	(void)state;
	memset(rs, 0xff, sizeof(rs));
	rs[0] = 0x01;
	rs[66] = 0x01;
	assert_true(tls_ecdsa_rs_to_der(rs, sizeof(rs), out, MBEDTLS_ECDSA_MAX_LEN, &out_len));
	assert_int_equal(out_len, MBEDTLS_ECDSA_MAX_LEN);
	assert_int_equal(out_len, 3 + 2 * (2 + 66));

	memset(rs, 0xff, sizeof(rs));
	assert_false(tls_ecdsa_rs_to_der(rs, sizeof(rs), out, MBEDTLS_ECDSA_MAX_LEN, &out_len));
	assert_true(tls_ecdsa_rs_to_der(rs, sizeof(rs), out, sizeof(out), &out_len));
	assert_int_equal(out_len, 3 + 2 * (2 + 67));
	assert_int_equal(out[0], 0x30);
	assert_int_equal(out[1], 0x81);
	assert_int_equal(out[2], 2 * (2 + 67));
	assert_int_equal(out[3], 0x02);
	assert_int_equal(out[4], 67);
	assert_int_equal(out[5], 0x00);
	assert_int_equal(out[3 + 69], 0x02);
	assert_int_equal(out[3 + 69 + 1], 67);
	assert_int_equal(out[3 + 69 + 2], 0x00);
}

static void test_rs_to_der_bad_lengths(void **state)
{
	unsigned char rs[64], out[MBEDTLS_ECDSA_MAX_LEN];
	size_t out_len = 12345;

	(void)state;
	memset(rs, 0x42, sizeof(rs));
	assert_false(tls_ecdsa_rs_to_der(rs, 0, out, sizeof(out), &out_len));
	assert_false(tls_ecdsa_rs_to_der(rs, 63, out, sizeof(out), &out_len));
	assert_false(tls_ecdsa_rs_to_der(rs, 1, out, sizeof(out), &out_len));
	assert_int_equal(out_len, 12345); /* not written on failure */
}

static void test_rs_to_der_output_too_small(void **state)
{
	unsigned char rs[64], out[MBEDTLS_ECDSA_MAX_LEN];
	size_t out_len = 0;

	(void)state;
	memset(rs, 0x80, sizeof(rs)); /* needs 72 bytes */
	assert_false(tls_ecdsa_rs_to_der(rs, sizeof(rs), out, 0, &out_len));
	assert_false(tls_ecdsa_rs_to_der(rs, sizeof(rs), out, 2, &out_len));
	assert_false(tls_ecdsa_rs_to_der(rs, sizeof(rs), out, 64, &out_len));
	assert_false(tls_ecdsa_rs_to_der(rs, sizeof(rs), out, 71, &out_len));
	assert_true(tls_ecdsa_rs_to_der(rs, sizeof(rs), out, 72, &out_len)); /* exactly */
	assert_int_equal(out_len, 72);
}

/* Halves longer than P-521's 66 bytes are refused: they would need more
 * than the one-byte long-form length the encoder writes. */
static void test_rs_to_der_oversized_refused(void **state)
{
	unsigned char rs[252], out[512];
	size_t out_len = 0;

	(void)state;
	memset(rs, 0x11, sizeof(rs));
	assert_false(tls_ecdsa_rs_to_der(rs, 252, out, sizeof(out), &out_len));
	assert_false(tls_ecdsa_rs_to_der(rs, 134, out, sizeof(out), &out_len));
	memset(rs, 0x80, sizeof(rs));
	assert_false(tls_ecdsa_rs_to_der(rs, 250, out, sizeof(out), &out_len));
	assert_true(tls_ecdsa_rs_to_der(rs, 132, out, sizeof(out), &out_len));
}

/* RFC 7512 section 2.3: no attribute twice; RFC 3986: the scheme is
 * case-insensitive. */
static void test_objspec_repeated_and_case(void **state)
{
	struct tls_objspec spec;
	char err[128];

	(void)state;
	assert_false(tls_objspec_parse("pkcs11:object=a;object=b", &spec, err, sizeof(err)));
	assert_non_null(strstr(err, "twice"));
	assert_false(tls_objspec_parse("pkcs11:id=%01;token=t;id=%02", &spec, err, sizeof(err)));
	assert_true(tls_objspec_parse("PKCS11:object=k;type=private", &spec, err, sizeof(err)));
	assert_string_equal(spec.label, "k");
	assert_true(spec.has_class);
	assert_int_equal(spec.cls, CKO_PRIVATE_KEY);
}

/* A deterministic generator for the tests (xorshift64*): keys and the
 * blinding of mbedTLS's ECDSA need one, the signatures are RFC 6979. */
static int test_rng(void *ctx, unsigned char *out, size_t len)
{
	uint64_t *x = ctx;

	for (size_t i = 0; i < len; i++) {
		*x ^= *x >> 12;
		*x ^= *x << 25;
		*x ^= *x >> 27;
		out[i] = (unsigned char)((*x * 0x2545f4914f6cdd1dULL) >> 56);
	}
	return 0;
}

/* SEQUENCE { INTEGER r, INTEGER s } by mbedTLS's ASN.1 writer, at the end
 * of buf; returns its length, *der its start. */
static size_t der_by_mbedtls(const mbedtls_mpi *r, const mbedtls_mpi *s, unsigned char *buf,
			     size_t size, unsigned char **der)
{
	unsigned char *p = buf + size;
	size_t len = 0;
	int ret;

	ret = mbedtls_asn1_write_mpi(&p, buf, s);
	assert_true(ret > 0);
	len += (size_t)ret;
	ret = mbedtls_asn1_write_mpi(&p, buf, r);
	assert_true(ret > 0);
	len += (size_t)ret;
	ret = mbedtls_asn1_write_len(&p, buf, len);
	assert_true(ret > 0);
	len += (size_t)ret;
	ret = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
	assert_true(ret > 0);
	len += (size_t)ret;
	*der = p;
	return len;
}

/* Real signatures on P-256, P-384 and P-521 as a token returns them (r and
 * s as big-endian halves of the curve's size, leading zeros kept): the
 * encoding equals mbedTLS's and verifies with mbedtls_ecdsa_read_signature. */
static void test_rs_to_der_real_signatures(void **state)
{
	static const struct {
		mbedtls_ecp_group_id id;
		size_t half;
	} curves[] = {
		{ MBEDTLS_ECP_DP_SECP256R1, 32 },
		{ MBEDTLS_ECP_DP_SECP384R1, 48 },
		{ MBEDTLS_ECP_DP_SECP521R1, 66 },
	};
	uint64_t seed = 0x10700c3e2024ULL;

	(void)state;
	for (size_t c = 0; c < sizeof(curves) / sizeof(curves[0]); c++) {
		mbedtls_ecdsa_context key;
		size_t half = curves[c].half, high = 0;

		mbedtls_ecdsa_init(&key);
		assert_int_equal(mbedtls_ecdsa_genkey(&key, curves[c].id, test_rng, &seed), 0);
		for (unsigned n = 0; n < 40; n++) {
			unsigned char hash[32], rs[2 * 66], out[MBEDTLS_ECDSA_MAX_LEN];
			unsigned char buf[MBEDTLS_ECDSA_MAX_LEN + 8], *want;
			size_t out_len = 0, want_len;
			mbedtls_mpi r, s;

			mbedtls_mpi_init(&r);
			mbedtls_mpi_init(&s);
			memset(hash, 0, sizeof(hash));
			memcpy(hash, &n, sizeof(n));
			assert_int_equal(mbedtls_ecdsa_sign_det_ext(&key.grp, &r, &s, &key.d, hash,
								    sizeof(hash), MBEDTLS_MD_SHA256,
								    test_rng, &seed),
					 0);
			assert_int_equal(mbedtls_mpi_write_binary(&r, rs, half), 0);
			assert_int_equal(mbedtls_mpi_write_binary(&s, rs + half, half), 0);
			high += (rs[0] & 0x80) != 0;
			assert_true(tls_ecdsa_rs_to_der(rs, 2 * half, out, sizeof(out), &out_len));
			want_len = der_by_mbedtls(&r, &s, buf, sizeof(buf), &want);
			assert_int_equal(out_len, want_len);
			assert_memory_equal(out, want, want_len);
			if (want_len - 2 > 127)
				assert_int_equal(out[1], 0x81);
			assert_int_equal(mbedtls_ecdsa_read_signature(&key, hash, sizeof(hash), out,
								      out_len),
					 0);
			/* One bit off and it does not verify. */
			out[out_len - 1] ^= 0x01;
			assert_int_not_equal(mbedtls_ecdsa_read_signature(&key, hash, sizeof(hash),
									  out, out_len),
					     0);
			mbedtls_mpi_free(&r);
			mbedtls_mpi_free(&s);
		}
		/* P-256 and P-384 r values with the high bit set came up (the
		 * pad path against mbedTLS); P-521's first byte is 0 or 1. */
		if (half != 66)
			assert_true(high > 0);
		mbedtls_ecdsa_free(&key);
	}
}

/* ---- tls_digest_info ---- */

/* DigestInfo ::= SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING hash }
 * by mbedTLS (its OID table and ASN.1 writer). */
static size_t digest_info_by_mbedtls(mbedtls_md_type_t md, const unsigned char *hash,
				     size_t hash_len, unsigned char *buf, size_t size,
				     unsigned char **der)
{
	unsigned char *p = buf + size;
	const char *oid;
	size_t oid_len, len = 0;
	int ret;

	assert_int_equal(mbedtls_oid_get_oid_by_md(md, &oid, &oid_len), 0);
	ret = mbedtls_asn1_write_octet_string(&p, buf, hash, hash_len);
	assert_true(ret > 0);
	len += (size_t)ret;
	ret = mbedtls_asn1_write_algorithm_identifier(&p, buf, oid, oid_len, 0);
	assert_true(ret > 0);
	len += (size_t)ret;
	ret = mbedtls_asn1_write_len(&p, buf, len);
	assert_true(ret > 0);
	len += (size_t)ret;
	ret = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
	assert_true(ret > 0);
	len += (size_t)ret;
	*der = p;
	return len;
}

static void test_digest_info_all_hashes(void **state)
{
	static const struct {
		mbedtls_md_type_t md;
		size_t len;
	} mds[] = {
		{ MBEDTLS_MD_SHA1, 20 },   { MBEDTLS_MD_SHA224, 28 }, { MBEDTLS_MD_SHA256, 32 },
		{ MBEDTLS_MD_SHA384, 48 }, { MBEDTLS_MD_SHA512, 64 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++) {
		unsigned char hash[64], out[19 + 64 + 8], buf[128], *want;
		size_t out_len = 0, want_len;

		for (size_t k = 0; k < sizeof(hash); k++)
			hash[k] = (unsigned char)(0xa0 + k);
		assert_int_equal(mbedtls_md_get_size(mbedtls_md_info_from_type(mds[i].md)),
				 mds[i].len);
		want_len = digest_info_by_mbedtls(mds[i].md, hash, mds[i].len, buf, sizeof(buf),
						  &want);
		memset(out, 0xee, sizeof(out));
		assert_true(
			tls_digest_info(mds[i].md, hash, mds[i].len, out, sizeof(out), &out_len));
		assert_int_equal(out_len, want_len);
		assert_memory_equal(out, want, want_len);
		assert_int_equal(out[out_len], 0xee);
		/* The exact size is enough, one byte less is not. */
		assert_true(tls_digest_info(mds[i].md, hash, mds[i].len, out, want_len, &out_len));
		assert_false(
			tls_digest_info(mds[i].md, hash, mds[i].len, out, want_len - 1, &out_len));
	}
}

/* RFC 8017 section 9.2, note 1, for SHA-256: the bytes as printed there. */
static void test_digest_info_rfc8017_sha256(void **state)
{
	static const unsigned char prefix[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
						0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
						0x01, 0x05, 0x00, 0x04, 0x20 };
	unsigned char hash[32], out[64];
	size_t out_len = 0;

	(void)state;
	memset(hash, 0x5a, sizeof(hash));
	assert_true(
		tls_digest_info(MBEDTLS_MD_SHA256, hash, sizeof(hash), out, sizeof(out), &out_len));
	assert_int_equal(out_len, sizeof(prefix) + sizeof(hash));
	assert_memory_equal(out, prefix, sizeof(prefix));
	assert_memory_equal(out + sizeof(prefix), hash, sizeof(hash));
}

static void test_digest_info_refused(void **state)
{
	unsigned char hash[64] = { 0 }, out[128];
	size_t out_len = 777;

	(void)state;
	/* The length of another hash, or none. */
	assert_false(tls_digest_info(MBEDTLS_MD_SHA256, hash, 31, out, sizeof(out), &out_len));
	assert_false(tls_digest_info(MBEDTLS_MD_SHA256, hash, 33, out, sizeof(out), &out_len));
	assert_false(tls_digest_info(MBEDTLS_MD_SHA256, hash, 20, out, sizeof(out), &out_len));
	assert_false(tls_digest_info(MBEDTLS_MD_SHA1, hash, 32, out, sizeof(out), &out_len));
	assert_false(tls_digest_info(MBEDTLS_MD_SHA512, hash, 48, out, sizeof(out), &out_len));
	assert_false(tls_digest_info(MBEDTLS_MD_SHA384, hash, 0, out, sizeof(out), &out_len));
	/* Hashes that are not for signatures here. */
	assert_false(tls_digest_info(MBEDTLS_MD_MD5, hash, 16, out, sizeof(out), &out_len));
	assert_false(tls_digest_info(MBEDTLS_MD_NONE, hash, 32, out, sizeof(out), &out_len));
	assert_false(tls_digest_info(MBEDTLS_MD_RIPEMD160, hash, 20, out, sizeof(out), &out_len));
	assert_int_equal(out_len, 777); /* not written on failure */
}

/* ---- tls_objspec_parse ---- */

struct parsed {
	struct tls_objspec spec;
	char err[160];
};

static bool parse(const char *text, struct parsed *p)
{
	memset(p, 0x5c, sizeof(*p)); /* the parser must clear what it does not set */
	p->err[0] = '\0';
	return tls_objspec_parse(text, &p->spec, p->err, sizeof(p->err));
}

/* Refused, with a reason that contains want. */
static void refused(const char *text, const char *want)
{
	struct parsed p;

	if (parse(text, &p))
		fail_msg("accepted: \"%s\"", text);
	if (strstr(p.err, want) == NULL)
		fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", text, p.err, want);
}

static void assert_empty_except_label(const struct tls_objspec *s)
{
	assert_string_equal(s->token, "");
	assert_string_equal(s->manuf, "");
	assert_string_equal(s->model, "");
	assert_string_equal(s->serial, "");
	assert_int_equal(s->id_len, 0);
	assert_false(s->has_class);
}

static void test_objspec_label(void **state)
{
	struct parsed p;
	char label[130];

	(void)state;
	assert_true(parse("device key", &p));
	assert_string_equal(p.spec.label, "device key");
	assert_empty_except_label(&p.spec);

	/* A plain label is taken literally: no decoding, no attributes. */
	assert_true(parse("a%20b;id=%01", &p));
	assert_string_equal(p.spec.label, "a%20b;id=%01");
	assert_empty_except_label(&p.spec);
	/* The scheme is "pkcs11:" exactly; anything else is a label. */
	assert_true(parse("pkcs11-key", &p));
	assert_string_equal(p.spec.label, "pkcs11-key");

	/* 128 bytes fit, 129 do not. */
	memset(label, 'L', 128);
	label[128] = '\0';
	assert_true(parse(label, &p));
	assert_int_equal(strlen(p.spec.label), 128);
	label[128] = 'L';
	label[129] = '\0';
	refused(label, "label longer than 128 bytes");

	refused("", "empty object name");
	assert_false(tls_objspec_parse(NULL, &p.spec, p.err, sizeof(p.err)));
}

static void test_objspec_uri(void **state)
{
	struct parsed p;

	(void)state;
	assert_true(parse("pkcs11:token=iotoken-tls;object=client-ec;id=%01%02;type=private", &p));
	assert_string_equal(p.spec.token, "iotoken-tls");
	assert_string_equal(p.spec.label, "client-ec");
	assert_int_equal(p.spec.id_len, 2);
	assert_int_equal(p.spec.id[0], 0x01);
	assert_int_equal(p.spec.id[1], 0x02);
	assert_true(p.spec.has_class);
	assert_int_equal(p.spec.cls, CKO_PRIVATE_KEY);
	assert_string_equal(p.spec.manuf, "");
	assert_string_equal(p.spec.model, "");
	assert_string_equal(p.spec.serial, "");

	assert_true(parse("pkcs11:manufacturer=iotoken%20project;model=soft;serial=0001;"
			  "object=k",
			  &p));
	assert_string_equal(p.spec.manuf, "iotoken project");
	assert_string_equal(p.spec.model, "soft");
	assert_string_equal(p.spec.serial, "0001");
	assert_string_equal(p.spec.label, "k");
	assert_int_equal(p.spec.id_len, 0);
	assert_false(p.spec.has_class);
	assert_string_equal(p.spec.token, "");

	/* Only an id; the empty URI names anything. */
	assert_true(parse("pkcs11:id=%ff", &p));
	assert_int_equal(p.spec.id_len, 1);
	assert_int_equal(p.spec.id[0], 0xff);
	assert_string_equal(p.spec.label, "");
	assert_true(parse("pkcs11:", &p));
	assert_string_equal(p.spec.label, "");
	assert_empty_except_label(&p.spec);
}

static void test_objspec_types(void **state)
{
	static const struct {
		const char *uri;
		CK_OBJECT_CLASS cls;
	} types[] = {
		{ "pkcs11:type=private", CKO_PRIVATE_KEY },
		{ "pkcs11:type=public", CKO_PUBLIC_KEY },
		{ "pkcs11:type=cert", CKO_CERTIFICATE },
		{ "pkcs11:type=data", CKO_DATA },
		{ "pkcs11:type=secret-key", CKO_SECRET_KEY },
	};
	struct parsed p;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		assert_true(parse(types[i].uri, &p));
		assert_true(p.spec.has_class);
		assert_int_equal(p.spec.cls, types[i].cls);
	}
	refused("pkcs11:type=certificate", "bad or too long value");
	refused("pkcs11:type=Private", "bad or too long value");
	refused("pkcs11:type=", "bad or too long value");
}

static void test_objspec_percent_decoding(void **state)
{
	struct parsed p;

	(void)state;
	/* Reserved characters, upper- and lowercase hex, UTF-8. */
	assert_true(parse("pkcs11:object=my%20key%3b1%2A%2a%3F%25;token=T%c3%a9", &p));
	assert_string_equal(p.spec.label, "my key;1**?%");
	assert_string_equal(p.spec.token, "T\xc3\xa9");
	/* Binary ids may hold any byte, 0x00 included. */
	assert_true(parse("pkcs11:id=%00%01%7f%80%FF", &p));
	assert_int_equal(p.spec.id_len, 5);
	assert_memory_equal(p.spec.id, "\x00\x01\x7f\x80\xff", 5);
	/* Unreserved characters stand for themselves in an id too. */
	assert_true(parse("pkcs11:id=AB", &p));
	assert_int_equal(p.spec.id_len, 2);
	assert_memory_equal(p.spec.id, "AB", 2);
}

static void test_objspec_bad_escapes(void **state)
{
	(void)state;
	refused("pkcs11:object=ab%4", "bad or too long value");
	refused("pkcs11:object=%4;type=private", "bad or too long value");
	refused("pkcs11:object=%zz", "bad or too long value");
	refused("pkcs11:object=%4g", "bad or too long value");
	refused("pkcs11:object=%g4", "bad or too long value");
	refused("pkcs11:object=%", "bad or too long value");
	refused("pkcs11:id=%0", "bad or too long value");
	refused("pkcs11:id=%%01", "bad or too long value");
	/* An embedded NUL would cut a text attribute short: refused. */
	refused("pkcs11:object=a%00b", "bad or too long value");
	refused("pkcs11:token=%00", "bad or too long value");
	/* id= needs a value. */
	refused("pkcs11:id=", "bad or too long value");
}

/* A text of n times unit. */
static const char *repeat(char *buf, size_t size, const char *prefix, const char *unit, size_t n)
{
	size_t o = (size_t)snprintf(buf, size, "%s", prefix);

	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s", unit);
	assert_true(o < size);
	return buf;
}

static void test_objspec_too_long(void **state)
{
	static const struct {
		const char *attr;
		size_t max;
	} fields[] = {
		{ "pkcs11:token=", 32 },  { "pkcs11:manufacturer=", 32 }, { "pkcs11:model=", 16 },
		{ "pkcs11:serial=", 16 }, { "pkcs11:object=", 128 },      { "pkcs11:id=", 64 },
	};
	char buf[1024];
	struct parsed p;

	(void)state;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		/* The decoded length counts: max escapes fit, one more does not. */
		assert_true(
			parse(repeat(buf, sizeof(buf), fields[i].attr, "%41", fields[i].max), &p));
		assert_true(
			parse(repeat(buf, sizeof(buf), fields[i].attr, "x", fields[i].max), &p));
		refused(repeat(buf, sizeof(buf), fields[i].attr, "%41", fields[i].max + 1),
			"bad or too long value");
		refused(repeat(buf, sizeof(buf), fields[i].attr, "x", fields[i].max + 1),
			"bad or too long value");
	}
	assert_true(parse(repeat(buf, sizeof(buf), "pkcs11:id=", "%ab", 64), &p));
	assert_int_equal(p.spec.id_len, 64);
	assert_int_equal(p.spec.id[63], 0xab);
}

static void test_objspec_query_refused(void **state)
{
	(void)state;
	/* A PIN never rides in a URI; no other query attribute is taken either. */
	refused("pkcs11:object=k;type=private?pin-value=1234", "pin-value");
	refused("pkcs11:object=k?pin-source=file:/tmp/pin", "query attributes");
	refused("pkcs11:object=k?module-path=/tmp/evil.so", "query attributes");
	refused("pkcs11:?", "query attributes");
	/* pin-value as a path attribute is unknown there: refused too. */
	refused("pkcs11:object=k;pin-value=1234", "not supported: pin-value");
}

static void test_objspec_unknown_refused(void **state)
{
	(void)state;
	/* RFC 7512 attributes the helper does not select by, and inventions. */
	refused("pkcs11:slot-id=1;object=k", "not supported: slot-id");
	refused("pkcs11:library-manufacturer=OpenSC", "not supported: library-manufacturer");
	refused("pkcs11:object=k;frobnicate=yes", "not supported: frobnicate");
	refused("pkcs11:Object=k", "not supported: Object");
	refused("pkcs11:=k", "not supported");
	refused("pkcs11:object", "without '='");
	refused("pkcs11:object=k;type", "without '='");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rs_to_der_plain),
		cmocka_unit_test(test_rs_to_der_high_bit_padded),
		cmocka_unit_test(test_rs_to_der_leading_zeros),
		cmocka_unit_test(test_rs_to_der_zero_and_small),
		cmocka_unit_test(test_rs_to_der_p521_long_form),
		cmocka_unit_test(test_rs_to_der_p521_largest),
		cmocka_unit_test(test_rs_to_der_bad_lengths),
		cmocka_unit_test(test_rs_to_der_output_too_small),
		cmocka_unit_test(test_rs_to_der_oversized_refused),
		cmocka_unit_test(test_rs_to_der_real_signatures),
		cmocka_unit_test(test_digest_info_all_hashes),
		cmocka_unit_test(test_digest_info_rfc8017_sha256),
		cmocka_unit_test(test_digest_info_refused),
		cmocka_unit_test(test_objspec_label),
		cmocka_unit_test(test_objspec_uri),
		cmocka_unit_test(test_objspec_types),
		cmocka_unit_test(test_objspec_percent_decoding),
		cmocka_unit_test(test_objspec_bad_escapes),
		cmocka_unit_test(test_objspec_too_long),
		cmocka_unit_test(test_objspec_query_refused),
		cmocka_unit_test(test_objspec_unknown_refused),
		cmocka_unit_test(test_objspec_repeated_and_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
