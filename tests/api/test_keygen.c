/*
 * Key-pair generation (PKCS#11 v2.40 section 5.14, C_GenerateKeyPair) for
 * CKM_EC_KEY_PAIR_GEN (P-256, P-384, P-521) and CKM_RSA_PKCS_KEY_PAIR_GEN:
 * the attributes of both objects (v2.40 4.8, 4.9; mechanisms 2.1.3, 2.3.4;
 * INTEROP.md: public values on the private key, CKA_ID = SHA-1 of the public
 * key) and persistence of token pairs. Refusals are in test_keygen_errors.c.
 */
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

static CK_SESSION_HANDLE user_session(void)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);

	h_login(s, CKU_USER);
	return s;
}

/* SHA-1 through the module, checked once against FIPS 180 "abc". */
static void sha1(CK_SESSION_HANDLE s, const void *p, CK_ULONG n, unsigned char out[20])
{
	static const unsigned char abc[20] = { 0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81,
					       0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50,
					       0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d };
	unsigned char md[64];

	assert_int_equal(h_digest(s, CKM_SHA_1, "abc", 3, md), 20);
	assert_memory_equal(md, abc, 20);
	assert_int_equal(h_digest(s, CKM_SHA_1, p, n, out), 20);
}

static CK_ULONG der_len(CK_ULONG len, unsigned char *out)
{
	if (len < 0x80) {
		out[0] = (unsigned char)len;
		return 1;
	}
	assert_true(len < 0x100);
	out[0] = 0x81;
	out[1] = (unsigned char)len;
	return 2;
}

/* SubjectPublicKeyInfo of an EC point (RFC 5480). */
static CK_ULONG ec_spki(const h_curve *c, const unsigned char *point, CK_ULONG plen,
			unsigned char *out)
{
	static const unsigned char ec_oid[9] = { 0x06, 0x07, 0x2a, 0x86, 0x48,
						 0xce, 0x3d, 0x02, 0x01 };
	unsigned char alg[32], bits[8];
	CK_ULONG alen = 0, blen, n = 0;

	alg[alen++] = 0x30;
	alen += der_len(sizeof(ec_oid) + c->oid_len, alg + alen);
	memcpy(alg + alen, ec_oid, sizeof(ec_oid));
	alen += sizeof(ec_oid);
	memcpy(alg + alen, c->oid, c->oid_len);
	alen += c->oid_len;
	bits[0] = 0x03;
	blen = 1 + der_len(plen + 1, bits + 1);
	bits[blen++] = 0x00;
	out[n++] = 0x30;
	n += der_len(alen + blen + plen, out + n);
	memcpy(out + n, alg, alen);
	n += alen;
	memcpy(out + n, bits, blen);
	n += blen;
	memcpy(out + n, point, plen);
	return n + plen;
}

static void assert_sensitive(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	unsigned char buf[600];
	CK_ATTRIBUTE a = { type, buf, sizeof(buf) };

	assert_rv(p11->C_GetAttributeValue(s, o, &a, 1), CKR_ATTRIBUTE_SENSITIVE);
	assert_true(a.ulValueLen == CK_UNAVAILABLE_INFORMATION);
}

/* Attributes both halves of any generated pair have. */
static void check_common(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv,
			 CK_KEY_TYPE kt, CK_MECHANISM_TYPE mech, CK_BBOOL sensitive,
			 CK_BBOOL extractable)
{
	unsigned char a[600], b[600];
	CK_ULONG na, nb;

	assert_int_equal(h_get_ulong(s, pub, CKA_CLASS), CKO_PUBLIC_KEY);
	assert_int_equal(h_get_ulong(s, priv, CKA_CLASS), CKO_PRIVATE_KEY);
	assert_int_equal(h_get_ulong(s, pub, CKA_KEY_TYPE), kt);
	assert_int_equal(h_get_ulong(s, priv, CKA_KEY_TYPE), kt);
	assert_true(h_get_bool(s, pub, CKA_LOCAL));
	assert_true(h_get_bool(s, priv, CKA_LOCAL));
	assert_int_equal(h_get_ulong(s, pub, CKA_KEY_GEN_MECHANISM), mech);
	assert_int_equal(h_get_ulong(s, priv, CKA_KEY_GEN_MECHANISM), mech);
	assert_int_equal(h_get_bool(s, priv, CKA_SENSITIVE), sensitive);
	assert_int_equal(h_get_bool(s, priv, CKA_EXTRACTABLE), extractable);
	/* v2.40 4.9 table 33, footnotes 11-12. */
	assert_int_equal(h_get_bool(s, priv, CKA_ALWAYS_SENSITIVE), sensitive);
	assert_int_equal(h_get_bool(s, priv, CKA_NEVER_EXTRACTABLE), !extractable);
	assert_true(h_get_bool(s, priv, CKA_PRIVATE));
	assert_true(h_get_bool(s, priv, CKA_SIGN));
	assert_true(h_get_bool(s, pub, CKA_VERIFY));
	assert_false(h_get_bool(s, priv, CKA_ALWAYS_AUTHENTICATE));
	na = h_get_bytes(s, pub, CKA_PUBLIC_KEY_INFO, a, sizeof(a));
	nb = h_get_bytes(s, priv, CKA_PUBLIC_KEY_INFO, b, sizeof(b));
	assert_true(na > 0);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	na = h_get_bytes(s, pub, CKA_ID, a, sizeof(a));
	nb = h_get_bytes(s, priv, CKA_ID, b, sizeof(b));
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
}

static void sign_round_trip(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, CK_OBJECT_HANDLE pub,
			    CK_OBJECT_HANDLE priv, CK_ULONG want_len)
{
	assert_int_equal(h_sign_round_trip(s, mech, pub, priv), want_len);
}

/* An EC pair: point and parameters on both, SPKI, CKA_ID, signing. */
static void check_ec_pair(CK_SESSION_HANDLE s, const h_curve *c, CK_OBJECT_HANDLE pub,
			  CK_OBJECT_HANDLE priv, CK_BBOOL sensitive, CK_BBOOL extractable)
{
	unsigned char point[200], other[200], spki[300], want[300], id[20];
	CK_ULONG n, plen = 1 + 2 * c->size, hdr = plen < 0x80 ? 2 : 3, wn;

	check_common(s, pub, priv, CKK_EC, CKM_EC_KEY_PAIR_GEN, sensitive, extractable);
	h_assert_attr(s, pub, CKA_EC_PARAMS, c->oid, c->oid_len);
	h_assert_attr(s, priv, CKA_EC_PARAMS, c->oid, c->oid_len);
	/* Row 30: a DER OCTET STRING of the uncompressed point. */
	n = h_get_bytes(s, pub, CKA_EC_POINT, point, sizeof(point));
	assert_int_equal(n, hdr + plen);
	assert_int_equal(point[0], 0x04);
	if (hdr == 2) {
		assert_int_equal(point[1], plen);
	} else {
		assert_int_equal(point[1], 0x81);
		assert_int_equal(point[2], plen);
	}
	assert_int_equal(point[hdr], 0x04);
	h_assert_attr(s, priv, CKA_EC_POINT, point, n);
	/* The SubjectPublicKeyInfo of that point. */
	wn = ec_spki(c, point + hdr, plen, want);
	n = h_get_bytes(s, pub, CKA_PUBLIC_KEY_INFO, spki, sizeof(spki));
	assert_int_equal(n, wn);
	assert_memory_equal(spki, want, wn);
	/* No CKA_ID in the templates: SHA-1 of the raw point. */
	sha1(s, point + hdr, plen, id);
	h_assert_attr(s, pub, CKA_ID, id, 20);
	if (sensitive || !extractable) {
		assert_sensitive(s, priv, CKA_VALUE);
	} else {
		/* The scalar and the point belong together: importing the
		 * scalar gives the same point. */
		unsigned char d[66];
		h_tmpl t;

		n = h_get_bytes(s, priv, CKA_VALUE, d, sizeof(d));
		assert_true(n <= c->size && n >= c->size - 2);
		t_init(&t);
		t_ulong(&t, CKA_CLASS, CKO_PRIVATE_KEY);
		t_ulong(&t, CKA_KEY_TYPE, CKK_EC);
		t_bytes(&t, CKA_EC_PARAMS, c->oid, c->oid_len);
		t_bytes(&t, CKA_VALUE, d, n);
		n = h_get_bytes(s, h_create(s, &t), CKA_EC_POINT, other, sizeof(other));
		assert_int_equal(n, hdr + plen);
		assert_memory_equal(other, point, n);
	}
	sign_round_trip(s, CKM_ECDSA_SHA256, pub, priv, 2 * c->size);
}

static void test_ec_pairs(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE pub, priv;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE set = { CKA_SENSITIVE, &yes, sizeof(yes) };
	h_tmpl tp, ts;
	size_t i;

	(void)state;
	for (i = 0; i < H_NCURVES; i++) {
		h_gen_ec(s, &h_curves[i], CK_FALSE, &pub, &priv);
		check_ec_pair(s, &h_curves[i], pub, priv, CK_TRUE, CK_FALSE);
		/* Readable private value. */
		t_init(&tp);
		t_init(&ts);
		t_bytes(&tp, CKA_EC_PARAMS, h_curves[i].oid, h_curves[i].oid_len);
		t_bool(&ts, CKA_SENSITIVE, CK_FALSE);
		t_bool(&ts, CKA_EXTRACTABLE, CK_TRUE);
		assert_ok(h_gen_pair_rv(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, &pub, &priv));
		check_ec_pair(s, &h_curves[i], pub, priv, CK_FALSE, CK_TRUE);
		/* Made sensitive later: it was not always sensitive. */
		assert_ok(p11->C_SetAttributeValue(s, priv, &set, 1));
		assert_true(h_get_bool(s, priv, CKA_SENSITIVE));
		assert_false(h_get_bool(s, priv, CKA_ALWAYS_SENSITIVE));
		assert_sensitive(s, priv, CKA_VALUE);
	}
	/* Two pairs are two keys. */
	{
		CK_OBJECT_HANDLE p2, s2;
		unsigned char a[100], b[100];
		CK_ULONG na, nb;

		h_gen_ec(s, &h_curves[0], CK_FALSE, &pub, &priv);
		h_gen_ec(s, &h_curves[0], CK_FALSE, &p2, &s2);
		na = h_get_bytes(s, pub, CKA_EC_POINT, a, sizeof(a));
		nb = h_get_bytes(s, p2, CKA_EC_POINT, b, sizeof(b));
		assert_int_equal(na, nb);
		assert_true(memcmp(a, b, na) != 0);
	}
}

/* CKA_ID: the caller's when one template has it (both objects get it). */
static void test_cka_id(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE pub, priv;
	static const unsigned char point_sha1[20] = { 0x6d, 0x27, 0x5d, 0x43, 0x4c, 0xcd, 0x01,
						      0x09, 0x57, 0xb6, 0xb8, 0xc0, 0xa5, 0x0a,
						      0xa3, 0x0e, 0xf9, 0x20, 0xb8, 0x44 };
	unsigned char md[20];
	h_tmpl tp, ts;
	int which;

	(void)state;
	/* The SHA-1 the other tests compute through the module, against a
	 * value computed outside it (sha1sum of the raw point of keys.c). */
	sha1(s, k_ec_point + 2, 65, md);
	assert_memory_equal(md, point_sha1, 20);
	for (which = 0; which < 3; which++) {
		t_init(&tp);
		t_init(&ts);
		t_bytes(&tp, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));
		if (which != 1)
			t_bytes(&tp, CKA_ID, "pub-id", 6);
		if (which != 0)
			t_bytes(&ts, CKA_ID, which == 1 ? "pub-id" : "priv-id", which == 1 ? 6 : 7);
		assert_ok(h_gen_pair_rv(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, &pub, &priv));
		if (which < 2) {
			h_assert_attr(s, pub, CKA_ID, "pub-id", 6);
			h_assert_attr(s, priv, CKA_ID, "pub-id", 6);
		} else {
			/* Both given: each keeps its own. */
			h_assert_attr(s, pub, CKA_ID, "pub-id", 6);
			h_assert_attr(s, priv, CKA_ID, "priv-id", 7);
		}
	}
	/* An empty CKA_ID is a given one. */
	t_init(&tp);
	t_init(&ts);
	t_bytes(&tp, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));
	t_bytes(&ts, CKA_ID, "", 0);
	assert_ok(h_gen_pair_rv(s, CKM_EC_KEY_PAIR_GEN, &tp, &ts, &pub, &priv));
	h_assert_attr(s, priv, CKA_ID, "", 0);
	h_assert_attr(s, pub, CKA_ID, "", 0);
}

static void check_rsa_pair(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv,
			   CK_ULONG bits, CK_BBOOL sensitive, CK_BBOOL extractable)
{
	unsigned char n[600], e[16], spki[700], id[20];
	CK_ULONG nlen, elen, slen;
	static const CK_ATTRIBUTE_TYPE secret[] = { CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
						    CKA_PRIME_2,          CKA_EXPONENT_1,
						    CKA_EXPONENT_2,       CKA_COEFFICIENT };
	CK_ATTRIBUTE a = { CKA_MODULUS_BITS, NULL, 0 };
	size_t i;

	check_common(s, pub, priv, CKK_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN, sensitive, extractable);
	assert_int_equal(h_get_ulong(s, pub, CKA_MODULUS_BITS), bits);
	nlen = h_get_bytes(s, pub, CKA_MODULUS, n, sizeof(n));
	assert_int_equal(nlen, bits / 8);
	assert_true(n[0] & 0x80);
	assert_true(n[nlen - 1] & 1);
	h_assert_attr(s, priv, CKA_MODULUS, n, nlen);
	elen = h_get_bytes(s, pub, CKA_PUBLIC_EXPONENT, e, sizeof(e));
	assert_int_equal(elen, 3);
	assert_memory_equal(e, k_rsa_public_exponent, 3);
	h_assert_attr(s, priv, CKA_PUBLIC_EXPONENT, e, elen);
	/* CKA_MODULUS_BITS is a public key attribute only. */
	assert_rv(p11->C_GetAttributeValue(s, priv, &a, 1), CKR_ATTRIBUTE_TYPE_INVALID);
	/* The SPKI holds the modulus; CKA_ID is its SHA-1. */
	slen = h_get_bytes(s, pub, CKA_PUBLIC_KEY_INFO, spki, sizeof(spki));
	assert_true(slen > nlen + 20);
	assert_true(h_memmem(spki, slen, n, nlen));
	sha1(s, n, nlen, id);
	h_assert_attr(s, pub, CKA_ID, id, 20);
	if (sensitive || !extractable) {
		for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
			assert_sensitive(s, priv, secret[i]);
	}
	sign_round_trip(s, CKM_SHA256_RSA_PKCS, pub, priv, nlen);
}

/* The parts of a readable generated key make a valid key on import (the
 * module checks p * q = n and the CRT values), which signs for the
 * generated public key. */
static void check_rsa_parts(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv)
{
	static const CK_ATTRIBUTE_TYPE parts[] = { CKA_MODULUS,          CKA_PUBLIC_EXPONENT,
						   CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
						   CKA_PRIME_2,          CKA_EXPONENT_1,
						   CKA_EXPONENT_2,       CKA_COEFFICIENT };
	unsigned char v[600];
	CK_ULONG len;
	h_tmpl t;
	size_t i;

	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PRIVATE_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_RSA);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		len = h_get_bytes(s, priv, parts[i], v, sizeof(v));
		assert_true(len > 0);
		if (i >= 3)
			assert_true(len <= 128);
		t_bytes(&t, parts[i], v, len);
	}
	sign_round_trip(s, CKM_SHA256_RSA_PKCS, pub, h_create(s, &t), 256);
}

static void test_rsa_pairs(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE pub, priv;
	h_tmpl tp, ts;
	struct timespec t0, t1;
	double secs;

	(void)state;
	h_gen_rsa(s, 2048, CK_FALSE, &pub, &priv);
	check_rsa_pair(s, pub, priv, 2048, CK_TRUE, CK_FALSE);
	sign_round_trip(s, CKM_SHA384_RSA_PKCS, pub, priv, 256);

	/* The public exponent given, CKA_ID given, readable private parts. */
	t_init(&tp);
	t_init(&ts);
	t_ulong(&tp, CKA_MODULUS_BITS, 2048);
	t_bytes(&tp, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);
	t_bytes(&ts, CKA_ID, "rsa", 3);
	t_bool(&ts, CKA_SENSITIVE, CK_FALSE);
	t_bool(&ts, CKA_EXTRACTABLE, CK_TRUE);
	assert_ok(h_gen_pair_rv(s, CKM_RSA_PKCS_KEY_PAIR_GEN, &tp, &ts, &pub, &priv));
	check_common(s, pub, priv, CKK_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN, CK_FALSE, CK_TRUE);
	h_assert_attr(s, pub, CKA_ID, "rsa", 3);
	h_assert_attr(s, pub, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);
	check_rsa_parts(s, pub, priv);

	/* One larger key (timed: the budget is small). */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	h_gen_rsa(s, 3072, CK_FALSE, &pub, &priv);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("RSA-3072 key pair generated in %.2f s\n", secs);
	check_rsa_pair(s, pub, priv, 3072, CK_TRUE, CK_FALSE);
}

/* Token pairs survive C_Finalize / C_Initialize and sign afterwards, in a
 * read-only session as TLS clients use them. */
static void test_token_pairs_persist(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE pub[2], priv[2], found[4];
	CK_MECHANISM ec = { CKM_ECDSA_SHA256, NULL, 0 }, rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM *mech[2] = { &ec, &rsa };
	unsigned char id[2][64], point[100], sig[2][300];
	CK_ULONG idlen[2], plen, siglen[2], n;
	CK_OBJECT_CLASS cls;
	CK_ATTRIBUTE q[2];
	h_tmpl tp, ts;
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		t_init(&tp);
		t_init(&ts);
		if (k == 0)
			t_bytes(&tp, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));
		else
			t_ulong(&tp, CKA_MODULUS_BITS, 2048);
		t_bool(&tp, CKA_TOKEN, CK_TRUE);
		t_bool(&ts, CKA_TOKEN, CK_TRUE);
		t_str(&tp, CKA_LABEL, k ? "rsa pair" : "ec pair");
		t_str(&ts, CKA_LABEL, k ? "rsa pair" : "ec pair");
		assert_ok(h_gen_pair_rv(s, k ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, &tp,
					&ts, &pub[k], &priv[k]));
		idlen[k] = h_get_bytes(s, priv[k], CKA_ID, id[k], sizeof(id[k]));
		assert_int_equal(idlen[k], 20);
		siglen[k] = h_sign(s, mech[k], priv[k], "before", 6, sig[k], sizeof(sig[k]));
	}
	plen = h_get_bytes(s, pub[0], CKA_EC_POINT, point, sizeof(point));
	h_reinit();

	s = h_open(h_slot, 0);
	h_login(s, CKU_USER);
	for (k = 0; k < 2; k++) {
		const char *label = k ? "rsa pair" : "ec pair";

		assert_int_equal(h_find_label(s, label, found, 4), 2);
		for (n = 0; n < 2; n++) {
			cls = h_get_ulong(s, found[n], CKA_CLASS);
			if (cls == CKO_PUBLIC_KEY)
				pub[k] = found[n];
			else
				priv[k] = found[n];
		}
		assert_int_equal(h_get_ulong(s, pub[k], CKA_CLASS), CKO_PUBLIC_KEY);
		assert_int_equal(h_get_ulong(s, priv[k], CKA_CLASS), CKO_PRIVATE_KEY);
		check_common(s, pub[k], priv[k], k ? CKK_RSA : CKK_EC,
			     k ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, CK_TRUE,
			     CK_FALSE);
		h_assert_attr(s, priv[k], CKA_ID, id[k], idlen[k]);
		assert_true(h_get_bool(s, priv[k], CKA_TOKEN));
		/* The old signature verifies, new ones are made. */
		assert_ok(h_verify_rv(s, mech[k], pub[k], "before", 6, sig[k], siglen[k]));
		sign_round_trip(s, k ? CKM_SHA256_RSA_PKCS : CKM_ECDSA_SHA256, pub[k], priv[k],
				k ? 256 : 64);
		/* The private key is found by class and CKA_ID (the NSS way). */
		cls = CKO_PRIVATE_KEY;
		q[0] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
		q[1] = (CK_ATTRIBUTE){ CKA_ID, id[k], idlen[k] };
		assert_int_equal(h_find(s, q, 2, found, 4), 1);
		assert_int_equal(found[0], priv[k]);
	}
	h_assert_attr(s, priv[0], CKA_EC_POINT, point, plen);
	check_ec_pair(s, &h_curves[0], pub[0], priv[0], CK_TRUE, CK_FALSE);
}

/* Copies of generated keys are keys of their own: they sign after the
 * original is gone (the parsed key is not shared without a reference), a
 * token copy signs after a restart, and a copy made with CKA_SIGN false
 * does not sign. */
static void test_copied_keys(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE pub, priv, copy, token_copy, no_sign, found[2];
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE to_token[] = { { CKA_TOKEN, &yes, sizeof(yes) }, { CKA_LABEL, "copy", 4 } };
	CK_ATTRIBUTE not_sign = { CKA_SIGN, &no, sizeof(no) };
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
	unsigned char id[20];
	CK_ULONG idlen;

	(void)state;
	h_gen_ec(s, &h_curves[0], CK_FALSE, &pub, &priv);
	/* Parse the key once (cached) before copying. */
	(void)h_sign_round_trip(s, CKM_ECDSA_SHA256, pub, priv);
	assert_ok(p11->C_CopyObject(s, priv, NULL, 0, &copy));
	assert_ok(p11->C_CopyObject(s, priv, to_token, 2, &token_copy));
	assert_ok(p11->C_CopyObject(s, priv, &not_sign, 1, &no_sign));
	assert_true(h_get_bool(s, copy, CKA_LOCAL));
	assert_true(h_get_bool(s, copy, CKA_ALWAYS_SENSITIVE));
	assert_ok(p11->C_DestroyObject(s, priv));
	(void)h_sign_round_trip(s, CKM_ECDSA_SHA256, pub, copy);
	(void)h_sign_round_trip(s, CKM_ECDSA, pub, token_copy);
	assert_rv(p11->C_SignInit(s, &m, no_sign), CKR_KEY_FUNCTION_NOT_PERMITTED);
	idlen = h_get_bytes(s, token_copy, CKA_ID, id, sizeof(id));
	assert_ok(p11->C_DestroyObject(s, copy));
	(void)h_sign_round_trip(s, CKM_ECDSA_SHA256, pub, token_copy);
	/* The public key is a session object: keep its point for later. */
	{
		unsigned char point[100];
		CK_ULONG plen = h_get_bytes(s, pub, CKA_EC_POINT, point, sizeof(point));
		h_tmpl t;

		h_reinit();
		s = user_session();
		assert_int_equal(h_find_label(s, "copy", found, 2), 1);
		h_assert_attr(s, found[0], CKA_ID, id, idlen);
		t_init(&t);
		t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
		t_ulong(&t, CKA_KEY_TYPE, CKK_EC);
		t_bytes(&t, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));
		t_bytes(&t, CKA_EC_POINT, point, plen);
		(void)h_sign_round_trip(s, CKM_ECDSA_SHA256, h_create(s, &t), found[0]);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ec_pairs, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_cka_id, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_rsa_pairs, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_token_pairs_persist, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_copied_keys, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
