/*
 * Key and certificate import (C_CreateObject, PKCS#11 v2.40 5.7) of issue 3:
 * key material is validated (points on the curve, scalars in range, RSA
 * parts consistent: SECURITY.md row 30), the public point and the RSA CRT
 * values are derived, imported keys are not local, and certificates get
 * CKA_SUBJECT, CKA_ISSUER and CKA_SERIAL_NUMBER from their DER.
 */
#include <stdlib.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

static CK_SESSION_HANDLE s;

static int setup(void **state)
{
	h_setup_token(state);
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	return 0;
}

/* The generator of each curve (private value 1), uncompressed. */
static const char *const generator[H_NCURVES] = {
	"046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a"
	"7c0f9e162bce33576b315ececbb6406837bf51f5",
	"04aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e38"
	"72760ab73617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a"
	"431d7c90ea0e5f",
	"0400c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1d"
	"c127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66011839296a789a3bc0045c8a5fb42c7d1bd998f5444957"
	"9b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
};

/* The group orders n. */
static const char *const order[H_NCURVES] = {
	"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
	"ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196acc"
	"c52973",
	"01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc01"
	"48f709a5d03bb5c9b8899c47aebb6fb71e91386409",
};

static CK_RV create_ec_private(const h_curve *c, const unsigned char *d, CK_ULONG len,
			       CK_OBJECT_HANDLE *o)
{
	h_tmpl t;

	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PRIVATE_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_EC);
	t_bytes(&t, CKA_EC_PARAMS, c->oid, c->oid_len);
	t_bytes(&t, CKA_VALUE, d, len);
	return h_create_rv(s, &t, o);
}

static CK_RV create_ec_public(const h_curve *c, const unsigned char *point, CK_ULONG len,
			      CK_OBJECT_HANDLE *o)
{
	h_tmpl t;

	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_EC);
	t_bytes(&t, CKA_EC_PARAMS, c->oid, c->oid_len);
	t_bytes(&t, CKA_EC_POINT, point, len);
	return h_create_rv(s, &t, o);
}

static void check_imported(CK_OBJECT_HANDLE o, int priv)
{
	unsigned char spki[600];

	assert_false(h_get_bool(s, o, CKA_LOCAL));
	assert_int_equal(h_get_ulong(s, o, CKA_KEY_GEN_MECHANISM), CK_UNAVAILABLE_INFORMATION);
	if (priv) {
		/* v2.40 4.9: false unless the key was always sensitive /
		 * never extractable, which only the token can know. */
		assert_true(h_get_bool(s, o, CKA_SENSITIVE));
		assert_false(h_get_bool(s, o, CKA_EXTRACTABLE));
		assert_false(h_get_bool(s, o, CKA_ALWAYS_SENSITIVE));
		assert_false(h_get_bool(s, o, CKA_NEVER_EXTRACTABLE));
	}
	assert_true(h_get_bytes(s, o, CKA_PUBLIC_KEY_INFO, spki, sizeof(spki)) > 0);
}

static void sign_verify(CK_MECHANISM_TYPE mech, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	unsigned char sig[600];
	CK_ULONG n = h_sign(s, &m, priv, "imported", 8, sig, sizeof(sig));

	assert_ok(h_verify_rv(s, &m, pub, "imported", 8, sig, n));
	sig[0] ^= 1;
	assert_rv(h_verify_rv(s, &m, pub, "imported", 8, sig, n), CKR_SIGNATURE_INVALID);
}

static void test_ec_private(void **state)
{
	CK_OBJECT_HANDLE priv, pub_der, pub_raw;
	unsigned char spki[200];
	CK_ULONG n;
	h_tmpl t;
	size_t i;

	(void)state;
	t_init(&t);
	k_ec_private(&t);
	priv = h_create(s, &t);
	/* The point is derived and stored as DER (row 30). */
	h_assert_attr(s, priv, CKA_EC_POINT, k_ec_point, sizeof(k_ec_point));
	check_imported(priv, 1);
	/* Its SPKI is the one in the certificate made for that key. */
	n = h_get_bytes(s, priv, CKA_PUBLIC_KEY_INFO, spki, sizeof(spki));
	assert_int_equal(n, 91);
	assert_true(h_memmem(k_cert_der, sizeof(k_cert_der), spki, n));
	{
		CK_ATTRIBUTE a = { CKA_VALUE, NULL, 0 };

		assert_rv(p11->C_GetAttributeValue(s, priv, &a, 1), CKR_ATTRIBUTE_SENSITIVE);
	}

	/* The public key, point given as DER and as the raw point. */
	t_init(&t);
	k_ec_public(&t);
	pub_der = h_create(s, &t);
	check_imported(pub_der, 0);
	assert_ok(create_ec_public(&h_curves[0], k_ec_point + 2, 65, &pub_raw));
	h_assert_attr(s, pub_raw, CKA_EC_POINT, k_ec_point, sizeof(k_ec_point));
	sign_verify(CKM_ECDSA_SHA256, priv, pub_der);
	sign_verify(CKM_ECDSA_SHA256, priv, pub_raw);
	sign_verify(CKM_ECDSA, priv, pub_raw);

	/* A CKA_PUBLIC_KEY_INFO given with the key must be its own. */
	{
		unsigned char other[91];
		CK_RV rv;

		memcpy(other, spki, n);
		other[n - 1] ^= 0x01;
		t_init(&t);
		k_ec_public(&t);
		t_bytes(&t, CKA_PUBLIC_KEY_INFO, other, n);
		rv = h_create_rv(s, &t, &pub_raw);
		if (rv == CKR_OK)
			h_assert_attr(s, pub_raw, CKA_PUBLIC_KEY_INFO, spki, n);
		else if (rv != CKR_TEMPLATE_INCONSISTENT && rv != CKR_ATTRIBUTE_VALUE_INVALID)
			fail_msg("foreign CKA_PUBLIC_KEY_INFO: %s", h_rv_name(rv));
		t_init(&t);
		k_ec_public(&t);
		t_bytes(&t, CKA_PUBLIC_KEY_INFO, spki, n);
		(void)h_create(s, &t);
	}
	/* A point given with the private key must be its own. */
	t_init(&t);
	k_ec_private(&t);
	t_bytes(&t, CKA_EC_POINT, k_ec_point, sizeof(k_ec_point));
	(void)h_create(s, &t);
	for (i = 0; i < H_NCURVES; i++) {
		unsigned char g[140], one = 1;

		n = h_unhex(generator[i], g, sizeof(g));
		assert_ok(create_ec_private(&h_curves[i], &one, 1, &priv));
		assert_ok(create_ec_public(&h_curves[i], g, n, &pub_raw));
		sign_verify(CKM_ECDSA_SHA384, priv, pub_raw);
		/* d = 1: the point is the generator. */
		{
			unsigned char der[140], got[140];
			CK_ULONG dl = h_point_der(g, n, der);

			assert_int_equal(h_get_bytes(s, priv, CKA_EC_POINT, got, sizeof(got)), dl);
			assert_memory_equal(got, der, dl);
		}
		if (i == 0) {
			t_init(&t);
			k_ec_private(&t);
			t_bytes(&t, CKA_EC_POINT, g, n);
			assert_rv(h_create_rv(s, &t, &priv), CKR_TEMPLATE_INCONSISTENT);
		}
	}
}

static void test_ec_scalar_range(void **state)
{
	unsigned char d[80], g[140];
	CK_OBJECT_HANDLE o, pub;
	CK_ULONG len, glen, plen;
	size_t i;

	(void)state;
	for (i = 0; i < H_NCURVES; i++) {
		const h_curve *c = &h_curves[i];

		/* 0. */
		memset(d, 0, sizeof(d));
		assert_rv(create_ec_private(c, d, c->size, &o), CKR_ATTRIBUTE_VALUE_INVALID);
		assert_rv(create_ec_private(c, d, 1, &o), CKR_ATTRIBUTE_VALUE_INVALID);
		/* n, n + 1, all ones. */
		len = h_unhex(order[i], d, sizeof(d));
		assert_int_equal(len, c->size);
		assert_rv(create_ec_private(c, d, len, &o), CKR_ATTRIBUTE_VALUE_INVALID);
		d[len - 1]++;
		assert_rv(create_ec_private(c, d, len, &o), CKR_ATTRIBUTE_VALUE_INVALID);
		memset(d, 0xff, c->size);
		assert_rv(create_ec_private(c, d, c->size, &o), CKR_ATTRIBUTE_VALUE_INVALID);
		/* Longer than the order, not just leading zeros. */
		memset(d, 0, sizeof(d));
		d[0] = 1;
		d[c->size] = 1;
		assert_rv(create_ec_private(c, d, c->size + 1, &o), CKR_ATTRIBUTE_VALUE_INVALID);
		/* n - 1 is the largest valid one: its point is -G (same x). */
		len = h_unhex(order[i], d, sizeof(d));
		d[len - 1]--;
		assert_ok(create_ec_private(c, d, len, &o));
		glen = h_unhex(generator[i], g, sizeof(g));
		plen = 1 + 2 * c->size;
		assert_int_equal(glen, plen);
		{
			unsigned char got[140];
			CK_ULONG hdr = plen < 0x80 ? 2 : 3;

			assert_int_equal(h_get_bytes(s, o, CKA_EC_POINT, got, sizeof(got)),
					 hdr + plen);
			assert_memory_equal(got + hdr, g, 1 + c->size);
			assert_true(memcmp(got + hdr + 1 + c->size, g + 1 + c->size, c->size) != 0);
			/* It signs, and -G verifies it. */
			memcpy(g + 1 + c->size, got + hdr + 1 + c->size, c->size);
			assert_ok(create_ec_public(c, g, plen, &pub));
			sign_verify(CKM_ECDSA_SHA256, o, pub);
		}
	}
}

static void test_ec_public_invalid(void **state)
{
	unsigned char p[140], der[150];
	CK_OBJECT_HANDLE o;
	CK_ULONG n;
	h_tmpl t;

	(void)state;
	/* Off the curve (row 30, CVE-2021-3798 style). */
	memcpy(der, k_ec_point, sizeof(k_ec_point));
	der[66] ^= 0x01;
	assert_rv(create_ec_public(&h_curves[0], der, sizeof(k_ec_point), &o),
		  CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_ec_public(&h_curves[0], der + 2, 65, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	/* x = y = 0, and x = p. */
	memset(p, 0, sizeof(p));
	p[0] = 0x04;
	assert_rv(create_ec_public(&h_curves[0], p, 65, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	n = h_unhex("04ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", p, 33);
	assert_int_equal(n, 33);
	assert_rv(create_ec_public(&h_curves[0], p, 65, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	/* The point at infinity. */
	assert_rv(create_ec_public(&h_curves[0], (const unsigned char *)"\x04\x01\x00", 3, &o),
		  CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_ec_public(&h_curves[0], (const unsigned char *)"\x00", 1, &o),
		  CKR_ATTRIBUTE_VALUE_INVALID);
	/* A P-256 point for P-384. */
	assert_rv(create_ec_public(&h_curves[1], k_ec_point, sizeof(k_ec_point), &o),
		  CKR_ATTRIBUTE_VALUE_INVALID);
	/* Broken DER: short, long, trailing bytes, non-minimal length. */
	memcpy(der, k_ec_point, sizeof(k_ec_point));
	der[1] = 0x40;
	assert_rv(create_ec_public(&h_curves[0], der, 66, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	der[1] = 0x41;
	der[67] = 0;
	assert_rv(create_ec_public(&h_curves[0], der, 68, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_ec_public(&h_curves[0], der, 40, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	der[0] = 0x04;
	der[1] = 0x81;
	der[2] = 0x41;
	memcpy(der + 3, k_ec_point + 2, 65);
	assert_rv(create_ec_public(&h_curves[0], der, 68, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	/* An empty point. */
	assert_rv(create_ec_public(&h_curves[0], der, 0, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	/* A curve the token does not offer. */
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_EC);
	t_bytes(&t, CKA_EC_PARAMS, k_secp256k1_oid, sizeof(k_secp256k1_oid));
	t_bytes(&t, CKA_EC_POINT, k_ec_point, sizeof(k_ec_point));
	assert_rv2(h_create_rv(s, &t, &o), CKR_CURVE_NOT_SUPPORTED, CKR_ATTRIBUTE_VALUE_INVALID);
	/* None of that made an object. */
	{
		CK_OBJECT_HANDLE found[2];

		assert_int_equal(h_find(s, NULL, 0, found, 2), 0);
	}
}

/* openssl dgst -sha256 -sign over "abc" with the key of keys.c (first
 * bytes; test_sign.c compares all of it). */
static const unsigned char kat_prefix[8] = { 0x5d, 0x01, 0x68, 0x79, 0x0f, 0x19, 0x94, 0x46 };

static void rsa_sign_kat(CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char sig[300];
	CK_ULONG n = h_sign(s, &m, priv, "abc", 3, sig, sizeof(sig));

	assert_int_equal(n, 256);
	assert_ok(h_verify_rv(s, &m, pub, "abc", 3, sig, n));
	if (memcmp(sig, kat_prefix, sizeof(kat_prefix)) != 0)
		fail_msg("SHA256-RSA-PKCS signature of \"abc\" differs from openssl's");
}

static void rsa_private_tmpl(h_tmpl *t, int parts)
{
	/* parts: 2 = n, d; 3 = n, e, d; 5 = n, e, d, p, q; 8 = all. */
	t_init(t);
	t_ulong(t, CKA_CLASS, CKO_PRIVATE_KEY);
	t_ulong(t, CKA_KEY_TYPE, CKK_RSA);
	t_bytes(t, CKA_MODULUS, k_rsa_modulus, sizeof(k_rsa_modulus));
	t_bytes(t, CKA_PRIVATE_EXPONENT, k_rsa_private_exponent, sizeof(k_rsa_private_exponent));
	if (parts >= 3)
		t_bytes(t, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);
	if (parts >= 5) {
		t_bytes(t, CKA_PRIME_1, k_rsa_prime1, sizeof(k_rsa_prime1));
		t_bytes(t, CKA_PRIME_2, k_rsa_prime2, sizeof(k_rsa_prime2));
	}
	if (parts >= 8) {
		t_bytes(t, CKA_EXPONENT_1, k_rsa_exponent1, sizeof(k_rsa_exponent1));
		t_bytes(t, CKA_EXPONENT_2, k_rsa_exponent2, sizeof(k_rsa_exponent2));
		t_bytes(t, CKA_COEFFICIENT, k_rsa_coefficient, sizeof(k_rsa_coefficient));
	}
}

static void test_rsa_private(void **state)
{
	CK_OBJECT_HANDLE priv, pub;
	CK_ATTRIBUTE a = { CKA_EXPONENT_1, NULL, 0 };
	CK_RV rv;
	h_tmpl t;

	(void)state;
	t_init(&t);
	k_rsa_public(&t);
	pub = h_create(s, &t);
	check_imported(pub, 0);
	assert_int_equal(h_get_ulong(s, pub, CKA_MODULUS_BITS), 2048);

	/* All parts. */
	rsa_private_tmpl(&t, 8);
	priv = h_create(s, &t);
	check_imported(priv, 1);
	rsa_sign_kat(priv, pub);

	/* n, e, d, p, q: the CRT values are derived (and readable when the
	 * key is not sensitive). */
	rsa_private_tmpl(&t, 5);
	t_bool(&t, CKA_SENSITIVE, CK_FALSE);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	priv = h_create(s, &t);
	h_assert_attr(s, priv, CKA_EXPONENT_1, k_rsa_exponent1, sizeof(k_rsa_exponent1));
	h_assert_attr(s, priv, CKA_EXPONENT_2, k_rsa_exponent2, sizeof(k_rsa_exponent2));
	h_assert_attr(s, priv, CKA_COEFFICIENT, k_rsa_coefficient, sizeof(k_rsa_coefficient));
	h_assert_attr(s, priv, CKA_PRIME_1, k_rsa_prime1, sizeof(k_rsa_prime1));
	rsa_sign_kat(priv, pub);
	/* Sensitive: they exist, but are not shown. */
	rsa_private_tmpl(&t, 5);
	priv = h_create(s, &t);
	assert_rv(p11->C_GetAttributeValue(s, priv, &a, 1), CKR_ATTRIBUTE_SENSITIVE);
	rsa_sign_kat(priv, pub);

	/* n, e, d: a key without primes still signs. */
	rsa_private_tmpl(&t, 3);
	priv = h_create(s, &t);
	rsa_sign_kat(priv, pub);
	/* n, d alone: signs, or is refused as incomplete. */
	rsa_private_tmpl(&t, 2);
	rv = h_create_rv(s, &t, &priv);
	if (rv == CKR_OK)
		rsa_sign_kat(priv, pub);
	else if (rv != CKR_TEMPLATE_INCOMPLETE)
		fail_msg("RSA private key of n and d: %s", h_rv_name(rv));
	/* The public values on the private key (INTEROP.md). */
	rsa_private_tmpl(&t, 8);
	priv = h_create(s, &t);
	h_assert_attr(s, priv, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);
	h_assert_attr(s, priv, CKA_MODULUS, k_rsa_modulus, sizeof(k_rsa_modulus));
}

/* The template with one part replaced by a copy whose last byte is off. */
static CK_RV create_with_bad(int parts, CK_ATTRIBUTE_TYPE type, unsigned char delta)
{
	unsigned char v[300];
	CK_OBJECT_HANDLE o;
	h_tmpl t, u;
	CK_ULONG i;

	rsa_private_tmpl(&u, parts);
	t_init(&t);
	for (i = 0; i < u.n; i++) {
		if (u.a[i].type != type) {
			t_bytes(&t, u.a[i].type, u.a[i].pValue, u.a[i].ulValueLen);
			continue;
		}
		memcpy(v, u.a[i].pValue, u.a[i].ulValueLen);
		v[u.a[i].ulValueLen - 1] ^= delta;
		t_bytes(&t, type, v, u.a[i].ulValueLen);
	}
	return h_create_rv(s, &t, &o);
}

static void test_rsa_inconsistent(void **state)
{
	CK_OBJECT_HANDLE o, found[2];
	unsigned char mod[256];
	h_tmpl t;

	(void)state;
	assert_rv(create_with_bad(5, CKA_PRIME_2, 0x02), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_with_bad(5, CKA_PRIME_1, 0x02), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_with_bad(8, CKA_PRIME_2, 0x02), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_with_bad(8, CKA_EXPONENT_1, 0x02), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_with_bad(8, CKA_EXPONENT_2, 0x02), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_with_bad(8, CKA_COEFFICIENT, 0x02), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_with_bad(8, CKA_PRIVATE_EXPONENT, 0x02), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_with_bad(5, CKA_PUBLIC_EXPONENT, 0x02), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_with_bad(8, CKA_MODULUS, 0x02), CKR_ATTRIBUTE_VALUE_INVALID);
	/* One prime without the other. */
	rsa_private_tmpl(&t, 3);
	t_bytes(&t, CKA_PRIME_1, k_rsa_prime1, sizeof(k_rsa_prime1));
	assert_rv2(h_create_rv(s, &t, &o), CKR_TEMPLATE_INCOMPLETE, CKR_TEMPLATE_INCONSISTENT);

	/* Public keys: even modulus, bad exponents, too small a modulus. */
	memcpy(mod, k_rsa_modulus, sizeof(mod));
	mod[255] ^= 0x01;
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_RSA);
	t_bytes(&t, CKA_MODULUS, mod, sizeof(mod));
	t_bytes(&t, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);
	assert_rv(h_create_rv(s, &t, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	mod[255] ^= 0x01;
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_RSA);
	mod[63] |= 1;
	t_bytes(&t, CKA_MODULUS, mod, 64);
	t_bytes(&t, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);
	assert_rv(h_create_rv(s, &t, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	{
		static const unsigned char *const bad_e[] = {
			(const unsigned char *)"\x01",
			(const unsigned char *)"\x02",
			(const unsigned char *)"\x01\x00\x00",
			(const unsigned char *)"\x00",
			(const unsigned char *)"",
		};
		static const CK_ULONG bad_e_len[] = { 1, 1, 3, 1, 0 };
		size_t i;

		for (i = 0; i < 5; i++) {
			t_init(&t);
			t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
			t_ulong(&t, CKA_KEY_TYPE, CKK_RSA);
			t_bytes(&t, CKA_MODULUS, k_rsa_modulus, sizeof(k_rsa_modulus));
			t_bytes(&t, CKA_PUBLIC_EXPONENT, bad_e[i], bad_e_len[i]);
			/* An empty value may count as missing. */
			if (bad_e_len[i] == 0)
				assert_rv2(h_create_rv(s, &t, &o), CKR_ATTRIBUTE_VALUE_INVALID,
					   CKR_TEMPLATE_INCOMPLETE);
			else
				assert_rv(h_create_rv(s, &t, &o), CKR_ATTRIBUTE_VALUE_INVALID);
		}
		/* e >= n. */
		t_init(&t);
		t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
		t_ulong(&t, CKA_KEY_TYPE, CKK_RSA);
		t_bytes(&t, CKA_MODULUS, k_rsa_modulus, sizeof(k_rsa_modulus));
		t_bytes(&t, CKA_PUBLIC_EXPONENT, k_rsa_modulus, sizeof(k_rsa_modulus));
		assert_rv(h_create_rv(s, &t, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	}
	assert_int_equal(h_find(s, NULL, 0, found, 2), 0);
}

/* A certificate whose issuer is not its subject (made with Python's
 * cryptography: CN=iotoken leaf, O=iotoken issued by CN=iotoken test CA,
 * serial 0x8a5c0ffee1). */
static const unsigned char leaf_der[311] = {
	/* clang-format off */
	0x30, 0x82, 0x01, 0x33, 0x30, 0x81, 0xdb, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x06, 0x00,
	0x8a, 0x5c, 0x0f, 0xfe, 0xe1, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
	0x03, 0x02, 0x30, 0x1a, 0x31, 0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0f,
	0x69, 0x6f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x43, 0x41,
	0x30, 0x1e, 0x17, 0x0d, 0x32, 0x36, 0x30, 0x31, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30,
	0x30, 0x5a, 0x17, 0x0d, 0x33, 0x36, 0x30, 0x31, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30,
	0x30, 0x5a, 0x30, 0x29, 0x31, 0x15, 0x30, 0x13, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0c,
	0x69, 0x6f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x20, 0x6c, 0x65, 0x61, 0x66, 0x31, 0x10, 0x30,
	0x0e, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x07, 0x69, 0x6f, 0x74, 0x6f, 0x6b, 0x65, 0x6e,
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0x96, 0x70, 0x83,
	0x5f, 0x2c, 0x93, 0x65, 0x99, 0x28, 0xc2, 0x75, 0xa6, 0xf8, 0xff, 0x9d, 0x00, 0x72, 0x44,
	0xf9, 0xed, 0x3e, 0x55, 0x83, 0x84, 0x32, 0x06, 0xb8, 0xfa, 0x37, 0x61, 0x8e, 0x4f, 0xe1,
	0x4b, 0x8b, 0x79, 0xe5, 0x19, 0x36, 0x1a, 0x7d, 0x12, 0xb0, 0x71, 0xf8, 0xcd, 0x01, 0xde,
	0x76, 0xe4, 0x6e, 0x22, 0xc5, 0x05, 0xdc, 0x72, 0x2a, 0x8e, 0xcb, 0x09, 0xc8, 0x8b, 0x08,
	0x45, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x03, 0x47,
	0x00, 0x30, 0x44, 0x02, 0x20, 0x21, 0x50, 0x38, 0xdd, 0xf6, 0xa3, 0x26, 0x6a, 0x54, 0x38,
	0x44, 0x37, 0x0d, 0xfb, 0xc8, 0xd0, 0xf3, 0x45, 0xa5, 0x21, 0x1c, 0xd2, 0xc6, 0xfd, 0x23,
	0x6d, 0xb7, 0xc0, 0xfd, 0x98, 0x80, 0x7c, 0x02, 0x20, 0x51, 0x5c, 0xad, 0xe1, 0x5c, 0x1f,
	0x64, 0x27, 0x02, 0xac, 0x9d, 0x82, 0x9a, 0x4f, 0xf9, 0x52, 0x51, 0x91, 0x8e, 0x1e, 0xe6,
	0xb4, 0x7d, 0xb1, 0xcc, 0xe2, 0xa8, 0x80, 0xb8, 0x6b, 0xf5, 0x6f,
	/* clang-format on */
};

/* What `openssl asn1parse` shows of them (DER of the Names and of the
 * serial number INTEGER, 00 8a.. because the high bit is set). */
static const unsigned char leaf_subject[43] = {
	0x30, 0x29, 0x31, 0x15, 0x30, 0x13, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0c, 0x69, 0x6f,
	0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x20, 0x6c, 0x65, 0x61, 0x66, 0x31, 0x10, 0x30, 0x0e, 0x06,
	0x03, 0x55, 0x04, 0x0a, 0x0c, 0x07, 0x69, 0x6f, 0x74, 0x6f, 0x6b, 0x65, 0x6e,
};
static const unsigned char leaf_issuer[28] = {
	0x30, 0x1a, 0x31, 0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0f, 0x69,
	0x6f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x43, 0x41,
};
static const unsigned char leaf_serial[8] = { 0x02, 0x06, 0x00, 0x8a, 0x5c, 0x0f, 0xfe, 0xe1 };
static const unsigned char k_cert_serial[22] = {
	0x02, 0x14, 0x57, 0x6b, 0x12, 0x6e, 0xf3, 0xc0, 0x86, 0x89, 0x2e,
	0xbc, 0xdf, 0x8b, 0xd8, 0xf2, 0xe9, 0x4d, 0x64, 0x14, 0xb4, 0xd8,
};

static CK_RV create_cert(const unsigned char *der, CK_ULONG len, CK_OBJECT_HANDLE *o)
{
	h_tmpl t;

	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_CERTIFICATE);
	t_ulong(&t, CKA_CERTIFICATE_TYPE, CKC_X_509);
	t_bytes(&t, CKA_VALUE, der, len);
	return h_create_rv(s, &t, o);
}

static void test_certificates(void **state)
{
	unsigned char bad[sizeof(k_cert_der) + 1];
	CK_OBJECT_HANDLE o, found[2];
	h_tmpl t;

	(void)state;
	assert_ok(create_cert(k_cert_der, sizeof(k_cert_der), &o));
	h_assert_attr(s, o, CKA_SUBJECT, k_cert_subject, sizeof(k_cert_subject));
	h_assert_attr(s, o, CKA_ISSUER, k_cert_subject, sizeof(k_cert_subject));
	h_assert_attr(s, o, CKA_SERIAL_NUMBER, k_cert_serial, sizeof(k_cert_serial));
	assert_ok(create_cert(leaf_der, sizeof(leaf_der), &o));
	h_assert_attr(s, o, CKA_SUBJECT, leaf_subject, sizeof(leaf_subject));
	h_assert_attr(s, o, CKA_ISSUER, leaf_issuer, sizeof(leaf_issuer));
	h_assert_attr(s, o, CKA_SERIAL_NUMBER, leaf_serial, sizeof(leaf_serial));
	h_assert_attr(s, o, CKA_VALUE, leaf_der, sizeof(leaf_der));
	/* Found by subject, as clients look for them. */
	{
		CK_ATTRIBUTE q = { CKA_SUBJECT, (void *)leaf_subject, sizeof(leaf_subject) };

		assert_int_equal(h_find(s, &q, 1, found, 2), 1);
		assert_int_equal(found[0], o);
	}
	/* What the template gives is kept. */
	t_init(&t);
	k_cert(&t);
	t_bytes(&t, CKA_ISSUER, leaf_issuer, sizeof(leaf_issuer));
	o = h_create(s, &t);
	h_assert_attr(s, o, CKA_ISSUER, leaf_issuer, sizeof(leaf_issuer));
	h_assert_attr(s, o, CKA_SERIAL_NUMBER, k_cert_serial, sizeof(k_cert_serial));
	/* As a token object, after a restart. */
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_CERTIFICATE);
	t_ulong(&t, CKA_CERTIFICATE_TYPE, CKC_X_509);
	t_bytes(&t, CKA_VALUE, leaf_der, sizeof(leaf_der));
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_str(&t, CKA_LABEL, "leaf");
	(void)h_create(s, &t);
	h_reinit();
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	assert_int_equal(h_find_label(s, "leaf", found, 2), 1);
	h_assert_attr(s, found[0], CKA_ISSUER, leaf_issuer, sizeof(leaf_issuer));
	h_assert_attr(s, found[0], CKA_SERIAL_NUMBER, leaf_serial, sizeof(leaf_serial));
	assert_ok(p11->C_DestroyObject(s, found[0]));

	/* Malformed DER. */
	assert_rv(create_cert(k_cert_der, 100, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_cert(k_cert_der, sizeof(k_cert_der) - 1, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	memcpy(bad, k_cert_der, sizeof(k_cert_der));
	bad[sizeof(k_cert_der)] = 0;
	assert_rv(create_cert(bad, sizeof(k_cert_der) + 1, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	bad[3] ^= 0x01; /* outer length */
	assert_rv(create_cert(bad, sizeof(k_cert_der), &o), CKR_ATTRIBUTE_VALUE_INVALID);
	bad[3] ^= 0x01;
	bad[0] = 0x31; /* SET, not SEQUENCE */
	assert_rv(create_cert(bad, sizeof(k_cert_der), &o), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_cert((const unsigned char *)"hello", 5, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_cert(k_cert_subject, sizeof(k_cert_subject), &o),
		  CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(create_cert(k_cert_der, 0, &o), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_int_equal(h_find(s, NULL, 0, found, 2), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ec_private, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_ec_scalar_range, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_ec_public_invalid, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_rsa_private, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_rsa_inconsistent, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_certificates, setup, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
