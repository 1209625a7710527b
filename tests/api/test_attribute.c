/*
 * Object management (PKCS#11 v2.40 section 5.7), part 3: C_GetAttributeValue
 * (the five cases and their precedence) and C_SetAttributeValue (read-only and
 * one-way attributes, all-or-nothing).
 */
#include "harness.h"
#include "keys.h"

#define UNAVAIL CK_UNAVAILABLE_INFORMATION
#define VENDOR_ATTR (CKA_VENDOR_DEFINED + 0x1234)

static CK_SESSION_HANDLE user_session(void)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);

	h_login(s, CKU_USER);
	return s;
}

/* One-entry get: returns rv, stores the resulting ulValueLen. */
static CK_RV get1(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, void *buf,
		  CK_ULONG len, CK_ULONG *out)
{
	CK_ATTRIBUTE a = { type, buf, len };
	CK_RV rv = p11->C_GetAttributeValue(s, o, &a, 1);

	*out = a.ulValueLen;
	return rv;
}

static void check_sensitive(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	unsigned char buf[512];
	CK_ULONG len;
	CK_RV rv;

	memset(buf, 0xCC, sizeof(buf));
	rv = get1(s, o, type, buf, sizeof(buf), &len);
	if (rv != CKR_ATTRIBUTE_SENSITIVE || len != UNAVAIL)
		fail_msg("attribute 0x%lx: %s, length %ld; expected sensitive", (unsigned long)type,
			 h_rv_name(rv), (long)len);
	/* Nothing leaked into the buffer. */
	for (len = 0; len < sizeof(buf); len++)
		assert_int_equal(buf[len], 0xCC);
	rv = get1(s, o, type, NULL, 0, &len);
	if (rv != CKR_ATTRIBUTE_SENSITIVE || len != UNAVAIL)
		fail_msg("attribute 0x%lx length query: %s, length %ld; expected sensitive",
			 (unsigned long)type, h_rv_name(rv), (long)len);
}

static const CK_ATTRIBUTE_TYPE rsa_secrets[] = { CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
						 CKA_PRIME_2,          CKA_EXPONENT_1,
						 CKA_EXPONENT_2,       CKA_COEFFICIENT };

static void test_get_sensitive(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE o;
	h_tmpl t;
	unsigned char sv[32];
	size_t i;

	(void)state;
	k_secret_value(sv, sizeof(sv));
	t_init(&t);
	k_ec_private(&t);
	o = h_create(s, &t);
	check_sensitive(s, o, CKA_VALUE);
	h_assert_attr(s, o, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));

	t_init(&t);
	k_rsa_private(&t, 1);
	o = h_create(s, &t);
	for (i = 0; i < 6; i++)
		check_sensitive(s, o, rsa_secrets[i]);
	h_assert_attr(s, o, CKA_MODULUS, k_rsa_modulus, sizeof(k_rsa_modulus));
	h_assert_attr(s, o, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);

	/* Sensitive, or not extractable: either hides the value. */
	t_init(&t);
	k_secret(&t, CKK_GENERIC_SECRET, 32);
	t_bool(&t, CKA_SENSITIVE, CK_FALSE);
	t_bool(&t, CKA_EXTRACTABLE, CK_FALSE);
	check_sensitive(s, h_create(s, &t), CKA_VALUE);
	t_init(&t);
	k_secret(&t, CKK_AES, 32);
	t_bool(&t, CKA_SENSITIVE, CK_TRUE);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	check_sensitive(s, h_create(s, &t), CKA_VALUE);
	t_init(&t);
	k_rsa_private(&t, 1);
	t_bool(&t, CKA_SENSITIVE, CK_FALSE);
	t_bool(&t, CKA_EXTRACTABLE, CK_FALSE);
	o = h_create(s, &t);
	for (i = 0; i < 6; i++)
		check_sensitive(s, o, rsa_secrets[i]);
	t_init(&t);
	k_ec_private(&t);
	t_bool(&t, CKA_SENSITIVE, CK_TRUE);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	check_sensitive(s, h_create(s, &t), CKA_VALUE);

	/* Neither: the value is returned. */
	t_init(&t);
	k_secret(&t, CKK_AES, 32);
	t_bool(&t, CKA_SENSITIVE, CK_FALSE);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	h_assert_attr(s, h_create(s, &t), CKA_VALUE, sv, 32);
	t_init(&t);
	k_rsa_private(&t, 1);
	t_bool(&t, CKA_SENSITIVE, CK_FALSE);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	o = h_create(s, &t);
	h_assert_attr(s, o, CKA_PRIVATE_EXPONENT, k_rsa_private_exponent,
		      sizeof(k_rsa_private_exponent));
	h_assert_attr(s, o, CKA_PRIME_1, k_rsa_prime1, sizeof(k_rsa_prime1));
	h_assert_attr(s, o, CKA_COEFFICIENT, k_rsa_coefficient, sizeof(k_rsa_coefficient));
}

static void test_get_all_entries(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE o;
	h_tmpl t;
	unsigned char label[16], val[64], mod[16], vend[16];
	CK_ULONG kt = 0, uid_len;
	CK_ATTRIBUTE a[4];
	CK_RV rv;

	(void)state;
	/* A sensitive entry between readable ones. */
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_str(&t, CKA_LABEL, "key");
	o = h_create(s, &t);
	memset(label, 0, sizeof(label));
	a[0] = (CK_ATTRIBUTE){ CKA_LABEL, label, sizeof(label) };
	a[1] = (CK_ATTRIBUTE){ CKA_VALUE, val, sizeof(val) };
	a[2] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &kt, sizeof(kt) };
	assert_rv(p11->C_GetAttributeValue(s, o, a, 3), CKR_ATTRIBUTE_SENSITIVE);
	assert_int_equal(a[0].ulValueLen, 3);
	assert_memory_equal(label, "key", 3);
	assert_int_equal(a[1].ulValueLen, UNAVAIL);
	assert_int_equal(a[2].ulValueLen, sizeof(CK_ULONG));
	assert_int_equal(kt, CKK_AES);

	/* Attributes the object does not have. */
	o = h_data(s, "data", CK_FALSE, CK_FALSE);
	a[0] = (CK_ATTRIBUTE){ CKA_MODULUS, mod, sizeof(mod) };
	a[1] = (CK_ATTRIBUTE){ CKA_LABEL, label, sizeof(label) };
	a[2] = (CK_ATTRIBUTE){ VENDOR_ATTR, vend, sizeof(vend) };
	a[3] = (CK_ATTRIBUTE){ CKA_VALUE, val, sizeof(val) };
	assert_rv(p11->C_GetAttributeValue(s, o, a, 4), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(a[0].ulValueLen, UNAVAIL);
	assert_int_equal(a[1].ulValueLen, 4);
	assert_memory_equal(label, "data", 4);
	assert_int_equal(a[2].ulValueLen, UNAVAIL);
	assert_int_equal(a[3].ulValueLen, 13);
	assert_memory_equal(val, "value of data", 13);

	/* What clients ask of every object. */
	rv = get1(s, o, CKA_UNIQUE_ID, NULL, 0, &uid_len);
	if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID)
		fail_msg("CKA_UNIQUE_ID: %s", h_rv_name(rv));
	if (rv == CKR_ATTRIBUTE_TYPE_INVALID)
		assert_int_equal(uid_len, UNAVAIL);
	t_init(&t);
	k_cert(&t);
	o = h_create(s, &t);
	assert_rv(get1(s, o, CKA_SENSITIVE, val, 1, &uid_len), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(uid_len, UNAVAIL);

	assert_rv(p11->C_GetAttributeValue(s, o, NULL, 1), CKR_ARGUMENTS_BAD);
}

static void test_get_lengths(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE o = h_data(s, "twelve chars", CK_FALSE, CK_FALSE);
	unsigned char buf[32];
	CK_ATTRIBUTE a[3] = { { CKA_LABEL, NULL, 0 },
			      { CKA_VALUE, NULL, 12345 },
			      { CKA_CLASS, NULL, 0 } };

	(void)state;
	assert_ok(p11->C_GetAttributeValue(s, o, a, 3));
	assert_int_equal(a[0].ulValueLen, 12);
	assert_int_equal(a[1].ulValueLen, 21);
	assert_int_equal(a[2].ulValueLen, sizeof(CK_ULONG));
	/* Exact buffers work. */
	a[0].pValue = buf;
	assert_ok(p11->C_GetAttributeValue(s, o, a, 1));
	assert_int_equal(a[0].ulValueLen, 12);
	assert_memory_equal(buf, "twelve chars", 12);
	/* An empty value has length 0. */
	{
		h_tmpl t;
		CK_ULONG len = 99;

		t_init(&t);
		k_data(&t, "");
		t_bytes(&t, CKA_VALUE, "", 0);
		o = h_create(s, &t);
		assert_ok(get1(s, o, CKA_LABEL, NULL, 0, &len));
		assert_int_equal(len, 0);
		len = 99;
		assert_ok(get1(s, o, CKA_VALUE, buf, sizeof(buf), &len));
		assert_int_equal(len, 0);
	}
}

static void test_get_buffer_too_small(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE o = h_data(s, "abcdef", CK_FALSE, CK_FALSE);
	unsigned char small[16], val[32];
	CK_ULONG cls[2] = { 0xCCCCCCCCUL, 0xCCCCCCCCUL };
	CK_ATTRIBUTE a[2];
	size_t i;

	(void)state;
	memset(small, 0xCC, sizeof(small));
	a[0] = (CK_ATTRIBUTE){ CKA_LABEL, small, 5 };
	a[1] = (CK_ATTRIBUTE){ CKA_VALUE, val, sizeof(val) };
	assert_rv(p11->C_GetAttributeValue(s, o, a, 2), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(a[0].ulValueLen, UNAVAIL);
	for (i = 0; i < sizeof(small); i++)
		assert_int_equal(small[i], 0xCC);
	assert_int_equal(a[1].ulValueLen, 15);
	assert_memory_equal(val, "value of abcdef", 15);

	/* A CK_ULONG attribute in too small a buffer. */
	a[0] = (CK_ATTRIBUTE){ CKA_CLASS, cls, sizeof(CK_ULONG) - 1 };
	assert_rv(p11->C_GetAttributeValue(s, o, a, 1), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(a[0].ulValueLen, UNAVAIL);
	assert_true(cls[0] == 0xCCCCCCCCUL);
	a[0] = (CK_ATTRIBUTE){ CKA_TOKEN, small, 0 };
	assert_rv(p11->C_GetAttributeValue(s, o, a, 1), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(small[0], 0xCC);
	/* A larger buffer than needed is fine: the exact length comes back. */
	a[0] = (CK_ATTRIBUTE){ CKA_CLASS, cls, sizeof(cls) };
	assert_ok(p11->C_GetAttributeValue(s, o, a, 1));
	assert_int_equal(a[0].ulValueLen, sizeof(CK_ULONG));
	assert_int_equal(cls[0], CKO_DATA);
	assert_true(cls[1] == 0xCCCCCCCCUL);
}

/* CKR_ATTRIBUTE_SENSITIVE > CKR_ATTRIBUTE_TYPE_INVALID > CKR_BUFFER_TOO_SMALL,
 * whatever the order of the entries; every entry is still processed. */
static void test_get_precedence(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE o;
	h_tmpl t;
	unsigned char val[64], vend[8], small[2], id[8];
	CK_ULONG cls;
	CK_ATTRIBUTE a[5];
	int order;

	(void)state;
	t_init(&t);
	k_ec_private(&t);
	t_str(&t, CKA_LABEL, "long label");
	t_str(&t, CKA_ID, "id01");
	o = h_create(s, &t);
	for (order = 0; order < 2; order++) {
		CK_ATTRIBUTE sens = { CKA_VALUE, val, sizeof(val) };
		CK_ATTRIBUTE inv = { VENDOR_ATTR, vend, sizeof(vend) };
		CK_ATTRIBUTE tiny = { CKA_LABEL, small, sizeof(small) };
		CK_ATTRIBUTE good = { CKA_CLASS, &cls, sizeof(cls) };
		CK_ATTRIBUTE good2 = { CKA_ID, id, sizeof(id) };

		cls = 0;
		if (order == 0) {
			a[0] = tiny, a[1] = inv, a[2] = good, a[3] = sens, a[4] = good2;
		} else {
			a[0] = good2, a[1] = sens, a[2] = good, a[3] = inv, a[4] = tiny;
		}
		assert_rv(p11->C_GetAttributeValue(s, o, a, 5), CKR_ATTRIBUTE_SENSITIVE);
		if (order == 0) {
			assert_int_equal(a[0].ulValueLen, UNAVAIL);
			assert_int_equal(a[1].ulValueLen, UNAVAIL);
			assert_int_equal(a[3].ulValueLen, UNAVAIL);
			assert_int_equal(a[4].ulValueLen, 4);
		} else {
			assert_int_equal(a[0].ulValueLen, 4);
			assert_int_equal(a[1].ulValueLen, UNAVAIL);
			assert_int_equal(a[3].ulValueLen, UNAVAIL);
			assert_int_equal(a[4].ulValueLen, UNAVAIL);
		}
		assert_int_equal(a[2].ulValueLen, sizeof(CK_ULONG));
		assert_int_equal(cls, CKO_PRIVATE_KEY);
		assert_memory_equal(id, "id01", 4);

		/* Without the sensitive entry. */
		a[0] = tiny, a[1] = good, a[2] = inv;
		if (order == 1)
			a[0] = inv, a[2] = tiny;
		assert_rv(p11->C_GetAttributeValue(s, o, a, 3), CKR_ATTRIBUTE_TYPE_INVALID);
		assert_int_equal(a[0].ulValueLen, UNAVAIL);
		assert_int_equal(a[1].ulValueLen, sizeof(CK_ULONG));
		assert_int_equal(a[2].ulValueLen, UNAVAIL);

		/* Only the small buffer. */
		a[0] = good, a[1] = tiny;
		assert_rv(p11->C_GetAttributeValue(s, o, a, 2), CKR_BUFFER_TOO_SMALL);
		assert_int_equal(a[0].ulValueLen, sizeof(CK_ULONG));
		assert_int_equal(a[1].ulValueLen, UNAVAIL);
	}
}

static CK_RV set1(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, const void *p,
		  CK_ULONG len)
{
	CK_ATTRIBUTE a = { type, (void *)p, len };

	return p11->C_SetAttributeValue(s, o, &a, 1);
}

static CK_RV set_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, CK_BBOOL b)
{
	return set1(s, o, type, &b, 1);
}

static CK_RV set_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
	return set1(s, o, type, &v, sizeof(v));
}

static void test_set_label_id(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE d, k, c, found[2];
	h_tmpl t;

	(void)state;
	d = h_data(s, "data", CK_TRUE, CK_FALSE);
	assert_ok(set1(s, d, CKA_LABEL, "renamed", 7));
	assert_ok(set1(s, d, CKA_APPLICATION, "app", 3));
	assert_ok(set1(s, d, CKA_VALUE, "new value", 9));
	h_assert_attr(s, d, CKA_LABEL, "renamed", 7);
	t_init(&t);
	k_ec_private(&t);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	k = h_create(s, &t);
	assert_ok(set1(s, k, CKA_LABEL, "key", 3));
	assert_ok(set1(s, k, CKA_ID, "\x01\x02\x03", 3));
	h_assert_attr(s, k, CKA_ID, "\x01\x02\x03", 3);
	t_init(&t);
	k_cert(&t);
	c = h_create(s, &t);
	assert_ok(set1(s, c, CKA_LABEL, "cert", 4));
	assert_ok(set1(s, c, CKA_ID, "\x01\x02\x03", 3));
	/* Token objects keep the change. */
	h_reinit();
	s = user_session();
	assert_int_equal(h_find_label(s, "renamed", found, 2), 1);
	h_assert_attr(s, found[0], CKA_VALUE, "new value", 9);
	h_assert_attr(s, found[0], CKA_APPLICATION, "app", 3);
	assert_int_equal(h_find_label(s, "key", found, 2), 1);
	h_assert_attr(s, found[0], CKA_ID, "\x01\x02\x03", 3);
}

static void test_set_read_only(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE d, k, c;
	h_tmpl t;

	(void)state;
	d = h_data(s, "data", CK_FALSE, CK_FALSE);
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_bool(&t, CKA_SENSITIVE, CK_FALSE);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	k = h_create(s, &t);
	t_init(&t);
	k_cert(&t);
	c = h_create(s, &t);

	assert_rv(set_ulong(s, d, CKA_CLASS, CKO_CERTIFICATE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_ulong(s, d, CKA_CLASS, CKO_DATA), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_ulong(s, k, CKA_KEY_TYPE, CKK_GENERIC_SECRET), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set1(s, c, CKA_VALUE, k_cert_der, 100), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_bool(s, k, CKA_LOCAL, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_bool(s, k, CKA_ALWAYS_SENSITIVE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_bool(s, k, CKA_NEVER_EXTRACTABLE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_ulong(s, k, CKA_KEY_GEN_MECHANISM, CKM_AES_KEY_GEN), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_bool(s, d, CKA_PRIVATE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_bool(s, d, CKA_TOKEN, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_bool(s, k, CKA_PRIVATE, CK_FALSE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_bool(s, d, CKA_MODIFIABLE, CK_FALSE), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(h_get_ulong(s, d, CKA_CLASS), CKO_DATA);
	assert_false(h_get_bool(s, d, CKA_PRIVATE));
	assert_false(h_get_bool(s, d, CKA_TOKEN));
	h_assert_attr(s, c, CKA_VALUE, k_cert_der, sizeof(k_cert_der));

	/* Attributes the object does not have, and malformed values. */
	assert_rv(set1(s, d, CKA_MODULUS, k_rsa_modulus, 16), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_rv(set1(s, d, VENDOR_ATTR, "x", 1), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_rv(set1(s, k, CKA_DERIVE, "\x01\x00", 2), CKR_ATTRIBUTE_VALUE_INVALID);
	assert_rv(p11->C_SetAttributeValue(s, d, NULL, 1), CKR_ARGUMENTS_BAD);
}

static void test_set_one_way(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE k, c;
	h_tmpl t;
	CK_ULONG len;
	unsigned char buf[32];

	(void)state;
	t_init(&t);
	k_secret(&t, CKK_AES, 32);
	t_bool(&t, CKA_SENSITIVE, CK_FALSE);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	k = h_create(s, &t);
	assert_ok(get1(s, k, CKA_VALUE, buf, sizeof(buf), &len));

	assert_ok(set_bool(s, k, CKA_SENSITIVE, CK_TRUE));
	assert_true(h_get_bool(s, k, CKA_SENSITIVE));
	assert_rv(get1(s, k, CKA_VALUE, buf, sizeof(buf), &len), CKR_ATTRIBUTE_SENSITIVE);
	assert_int_equal(len, UNAVAIL);
	assert_rv(set_bool(s, k, CKA_SENSITIVE, CK_FALSE), CKR_ATTRIBUTE_READ_ONLY);
	assert_true(h_get_bool(s, k, CKA_SENSITIVE));

	assert_ok(set_bool(s, k, CKA_EXTRACTABLE, CK_FALSE));
	assert_rv(set_bool(s, k, CKA_EXTRACTABLE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	assert_false(h_get_bool(s, k, CKA_EXTRACTABLE));

	assert_ok(set_bool(s, k, CKA_COPYABLE, CK_FALSE));
	assert_rv(set_bool(s, k, CKA_COPYABLE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(p11->C_CopyObject(s, k, NULL, 0, &c), CKR_ACTION_PROHIBITED);

	assert_ok(set_bool(s, k, CKA_DESTROYABLE, CK_FALSE));
	assert_rv(set_bool(s, k, CKA_DESTROYABLE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(p11->C_DestroyObject(s, k), CKR_ACTION_PROHIBITED);

	/* The one-way rules start from the secure defaults, too. */
	t_init(&t);
	k_ec_private(&t);
	k = h_create(s, &t);
	assert_rv(set_bool(s, k, CKA_SENSITIVE, CK_FALSE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_bool(s, k, CKA_EXTRACTABLE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(get1(s, k, CKA_VALUE, NULL, 0, &len), CKR_ATTRIBUTE_SENSITIVE);

	/* Ordinary flags can go both ways. */
	assert_ok(set_bool(s, k, CKA_SIGN, CK_FALSE));
	assert_ok(set_bool(s, k, CKA_SIGN, CK_TRUE));
	assert_ok(set_bool(s, k, CKA_DERIVE, CK_TRUE));
	assert_true(h_get_bool(s, k, CKA_DERIVE));
}

static void test_set_not_modifiable(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE o;
	h_tmpl t;

	(void)state;
	t_init(&t);
	k_data(&t, "frozen");
	t_str(&t, CKA_VALUE, "v");
	t_bool(&t, CKA_MODIFIABLE, CK_FALSE);
	o = h_create(s, &t);
	assert_false(h_get_bool(s, o, CKA_MODIFIABLE));
	assert_rv(set1(s, o, CKA_LABEL, "thawed", 6), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set1(s, o, CKA_VALUE, "w", 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set_bool(s, o, CKA_MODIFIABLE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	h_assert_attr(s, o, CKA_LABEL, "frozen", 6);

	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_bool(&t, CKA_MODIFIABLE, CK_FALSE);
	t_bool(&t, CKA_SENSITIVE, CK_FALSE);
	o = h_create(s, &t);
	assert_rv(set_bool(s, o, CKA_SENSITIVE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	assert_rv(set1(s, o, CKA_ID, "id", 2), CKR_ATTRIBUTE_READ_ONLY);
	assert_false(h_get_bool(s, o, CKA_SENSITIVE));
}

static void test_set_sessions(void **state)
{
	CK_SESSION_HANDLE rw = h_open(h_slot, 1), ro = h_open(h_slot, 0);
	CK_OBJECT_HANDLE tok, ses;

	(void)state;
	tok = h_data(rw, "token", CK_TRUE, CK_FALSE);
	ses = h_data(rw, "session", CK_FALSE, CK_FALSE);
	assert_rv(set1(ro, tok, CKA_LABEL, "x", 1), CKR_SESSION_READ_ONLY);
	h_assert_attr(ro, tok, CKA_LABEL, "token", 5);
	assert_ok(set1(ro, ses, CKA_LABEL, "y", 1));
	h_assert_attr(rw, ses, CKA_LABEL, "y", 1);
	assert_ok(set1(rw, tok, CKA_LABEL, "z", 1));
}

/* A refused template changes nothing, whichever entry is refused. */
static void test_set_all_or_nothing(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE d, k;
	CK_ULONG cls = CKO_CERTIFICATE;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE a[3];
	h_tmpl t;
	int tok;

	(void)state;
	for (tok = 0; tok < 2; tok++) {
		d = h_data(s, "before", tok ? CK_TRUE : CK_FALSE, CK_FALSE);
		a[0] = (CK_ATTRIBUTE){ CKA_LABEL, "after", 5 };
		a[1] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
		assert_rv(p11->C_SetAttributeValue(s, d, a, 2), CKR_ATTRIBUTE_READ_ONLY);
		h_assert_attr(s, d, CKA_LABEL, "before", 6);
		a[1] = (CK_ATTRIBUTE){ CKA_APPLICATION, "app", 3 };
		a[2] = (CK_ATTRIBUTE){ VENDOR_ATTR, "v", 1 };
		assert_rv(p11->C_SetAttributeValue(s, d, a, 3), CKR_ATTRIBUTE_TYPE_INVALID);
		h_assert_attr(s, d, CKA_LABEL, "before", 6);
		h_assert_attr(s, d, CKA_APPLICATION, "", 0);

		t_init(&t);
		k_secret(&t, CKK_AES, 16);
		t_bool(&t, CKA_TOKEN, tok ? CK_TRUE : CK_FALSE);
		t_bool(&t, CKA_SENSITIVE, CK_FALSE);
		t_str(&t, CKA_LABEL, "key");
		k = h_create(s, &t);
		a[0] = (CK_ATTRIBUTE){ CKA_SENSITIVE, &yes, 1 };
		a[1] = (CK_ATTRIBUTE){ CKA_LABEL, "changed", 7 };
		a[2] = (CK_ATTRIBUTE){ CKA_EXTRACTABLE, &yes, 1 };
		assert_rv(p11->C_SetAttributeValue(s, k, a, 3), CKR_ATTRIBUTE_READ_ONLY);
		assert_false(h_get_bool(s, k, CKA_SENSITIVE));
		h_assert_attr(s, k, CKA_LABEL, "key", 3);
	}
	/* The token objects are unchanged in the store too. */
	h_reinit();
	s = user_session();
	{
		CK_OBJECT_HANDLE found[4];

		assert_int_equal(h_find_label(s, "before", found, 4), 1);
		assert_int_equal(h_find_label(s, "after", found, 4), 0);
		assert_int_equal(h_find_label(s, "key", found, 4), 1);
		assert_false(h_get_bool(s, found[0], CKA_SENSITIVE));
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_sensitive, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_get_all_entries, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_get_lengths, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_get_buffer_too_small, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_get_precedence, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_set_label_id, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_set_read_only, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_set_one_way, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_set_not_modifiable, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_set_sessions, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_set_all_or_nothing, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
