/*
 * Object management (PKCS#11 v2.40 section 5.7), part 1: C_CreateObject for
 * every supported class and its errors, secure defaults and computed
 * attributes. C_CopyObject, C_DestroyObject and C_GetObjectSize are in
 * test_copy.c, C_GetAttributeValue/C_SetAttributeValue in test_attribute.c,
 * searching and visibility in test_find.c.
 */
#include <stdlib.h>

#include "harness.h"
#include "keys.h"

/* R/W session with the user logged in. */
static CK_SESSION_HANDLE user_session(void)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);

	h_login(s, CKU_USER);
	return s;
}

static void test_create_classes(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE o;
	h_tmpl t;
	unsigned char sv[32];
	CK_ULONG len;
	static const CK_ULONG aes_lens[] = { 16, 24, 32 };
	size_t i;

	(void)state;
	/* A data object needs nothing but its class. */
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_DATA);
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_CLASS), CKO_DATA);

	t_init(&t);
	k_data(&t, "data");
	t_str(&t, CKA_APPLICATION, "app");
	t_bytes(&t, CKA_OBJECT_ID, "\x06\x03\x2a\x03\x04", 5);
	t_str(&t, CKA_VALUE, "payload");
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	o = h_create(s, &t);
	h_assert_attr(s, o, CKA_VALUE, "payload", 7);
	h_assert_attr(s, o, CKA_APPLICATION, "app", 3);
	h_assert_attr(s, o, CKA_LABEL, "data", 4);
	assert_true(h_get_bool(s, o, CKA_TOKEN));

	t_init(&t);
	k_cert(&t);
	t_str(&t, CKA_LABEL, "cert");
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_CLASS), CKO_CERTIFICATE);
	assert_int_equal(h_get_ulong(s, o, CKA_CERTIFICATE_TYPE), CKC_X_509);
	h_assert_attr(s, o, CKA_VALUE, k_cert_der, sizeof(k_cert_der));
	h_assert_attr(s, o, CKA_SUBJECT, k_cert_subject, sizeof(k_cert_subject));

	t_init(&t);
	k_ec_public(&t);
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_CLASS), CKO_PUBLIC_KEY);
	assert_int_equal(h_get_ulong(s, o, CKA_KEY_TYPE), CKK_EC);
	h_assert_attr(s, o, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));
	h_assert_attr(s, o, CKA_EC_POINT, k_ec_point, sizeof(k_ec_point));

	t_init(&t);
	k_ec_private(&t);
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_CLASS), CKO_PRIVATE_KEY);
	assert_int_equal(h_get_ulong(s, o, CKA_KEY_TYPE), CKK_EC);
	h_assert_attr(s, o, CKA_EC_PARAMS, k_p256_oid, sizeof(k_p256_oid));

	t_init(&t);
	k_rsa_public(&t);
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_KEY_TYPE), CKK_RSA);
	h_assert_attr(s, o, CKA_MODULUS, k_rsa_modulus, sizeof(k_rsa_modulus));
	h_assert_attr(s, o, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);
	assert_int_equal(h_get_ulong(s, o, CKA_MODULUS_BITS), 2048);

	/* Modulus, public and private exponent, no primes (the module may
	 * refuse n and d alone: OpenSSL 3 cannot use such a key). */
	t_init(&t);
	k_rsa_private(&t, 0);
	t_bytes(&t, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, sizeof(k_rsa_public_exponent));
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_CLASS), CKO_PRIVATE_KEY);
	h_assert_attr(s, o, CKA_MODULUS, k_rsa_modulus, sizeof(k_rsa_modulus));

	t_init(&t);
	k_rsa_private(&t, 1);
	o = h_create(s, &t);
	h_assert_attr(s, o, CKA_MODULUS, k_rsa_modulus, sizeof(k_rsa_modulus));
	h_assert_attr(s, o, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);

	t_init(&t);
	k_secret(&t, CKK_GENERIC_SECRET, 32);
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_CLASS), CKO_SECRET_KEY);
	assert_int_equal(h_get_ulong(s, o, CKA_KEY_TYPE), CKK_GENERIC_SECRET);
	assert_int_equal(h_get_ulong(s, o, CKA_VALUE_LEN), 32);

	for (i = 0; i < 3; i++) {
		t_init(&t);
		k_secret(&t, CKK_AES, aes_lens[i]);
		t_bool(&t, CKA_SENSITIVE, CK_FALSE);
		t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
		o = h_create(s, &t);
		assert_int_equal(h_get_ulong(s, o, CKA_KEY_TYPE), CKK_AES);
		assert_int_equal(h_get_ulong(s, o, CKA_VALUE_LEN), aes_lens[i]);
		k_secret_value(sv, aes_lens[i]);
		len = aes_lens[i];
		h_assert_attr(s, o, CKA_VALUE, sv, len);
	}
}

/* The template minus one required attribute is incomplete. */
static void check_required(CK_SESSION_HANDLE s, const h_tmpl *full, const CK_ATTRIBUTE_TYPE *req,
			   size_t n)
{
	h_tmpl t;
	CK_OBJECT_HANDLE o;
	CK_RV rv;
	size_t i;

	for (i = 0; i < n; i++) {
		t_without(&t, full, req[i]);
		rv = h_create_rv(s, &t, &o);
		if (rv != CKR_TEMPLATE_INCOMPLETE)
			fail_msg("without attribute 0x%lx: %s, expected CKR_TEMPLATE_INCOMPLETE",
				 (unsigned long)req[i], h_rv_name(rv));
	}
}

static void test_create_incomplete(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE o;
	h_tmpl t;
	static const CK_ATTRIBUTE_TYPE data[] = { CKA_CLASS };
	/* CKA_SUBJECT is not required: it comes from the DER (test_import.c). */
	static const CK_ATTRIBUTE_TYPE cert[] = { CKA_CLASS, CKA_CERTIFICATE_TYPE, CKA_VALUE };
	static const CK_ATTRIBUTE_TYPE ecpub[] = { CKA_CLASS, CKA_KEY_TYPE, CKA_EC_PARAMS,
						   CKA_EC_POINT };
	static const CK_ATTRIBUTE_TYPE ecpriv[] = { CKA_CLASS, CKA_KEY_TYPE, CKA_EC_PARAMS,
						    CKA_VALUE };
	static const CK_ATTRIBUTE_TYPE rsapub[] = { CKA_CLASS, CKA_KEY_TYPE, CKA_MODULUS,
						    CKA_PUBLIC_EXPONENT };
	static const CK_ATTRIBUTE_TYPE rsapriv[] = { CKA_CLASS, CKA_KEY_TYPE, CKA_MODULUS,
						     CKA_PRIVATE_EXPONENT };
	static const CK_ATTRIBUTE_TYPE secret[] = { CKA_CLASS, CKA_KEY_TYPE, CKA_VALUE };

	(void)state;
	assert_rv(p11->C_CreateObject(s, NULL, 0, &o), CKR_TEMPLATE_INCOMPLETE);
	t_init(&t);
	k_data(&t, "x");
	check_required(s, &t, data, 1);
	t_init(&t);
	k_cert(&t);
	check_required(s, &t, cert, 3);
	t_init(&t);
	k_ec_public(&t);
	check_required(s, &t, ecpub, 4);
	t_init(&t);
	k_ec_private(&t);
	check_required(s, &t, ecpriv, 4);
	t_init(&t);
	k_rsa_public(&t);
	check_required(s, &t, rsapub, 4);
	t_init(&t);
	k_rsa_private(&t, 1);
	check_required(s, &t, rsapriv, 4);
	t_init(&t);
	k_secret(&t, CKK_GENERIC_SECRET, 32);
	check_required(s, &t, secret, 3);
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	check_required(s, &t, secret, 3);
	/* Nothing was created by any of that. */
	{
		CK_OBJECT_HANDLE found[4];

		assert_int_equal(h_find(s, NULL, 0, found, 4), 0);
	}
}

static void check_create(CK_SESSION_HANDLE s, h_tmpl *t, CK_RV want, const char *what)
{
	CK_OBJECT_HANDLE o;
	CK_RV rv = h_create_rv(s, t, &o);

	if (rv != want)
		fail_msg("%s: %s, expected %s", what, h_rv_name(rv), h_rv_name(want));
}

static void test_create_invalid(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE o;
	h_tmpl t;
	CK_RV rv;
	static const CK_ULONG bad_aes[] = { 0, 1, 8, 15, 17, 20, 31, 33, 64 };
	size_t i;
	unsigned int small = CKO_DATA;

	(void)state;
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_VENDOR_DEFINED + 0x77);
	check_create(s, &t, CKR_ATTRIBUTE_VALUE_INVALID, "vendor class");
	t_init(&t);
	t_ulong(&t, CKA_CLASS, 0x1234);
	check_create(s, &t, CKR_ATTRIBUTE_VALUE_INVALID, "unknown class");

	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_VENDOR_DEFINED + 7);
	t_bytes(&t, CKA_VALUE, "0123456789abcdef", 16);
	rv = h_create_rv(s, &t, &o);
	if (rv != CKR_ATTRIBUTE_VALUE_INVALID && rv != CKR_TEMPLATE_INCONSISTENT)
		fail_msg("unknown key type: %s", h_rv_name(rv));
	/* A key type that does not go with the class. */
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_EC);
	t_bytes(&t, CKA_VALUE, k_ec_private_value, 32);
	rv = h_create_rv(s, &t, &o);
	if (rv != CKR_ATTRIBUTE_VALUE_INVALID && rv != CKR_TEMPLATE_INCONSISTENT)
		fail_msg("EC secret key: %s", h_rv_name(rv));

	for (i = 0; i < sizeof(bad_aes) / sizeof(bad_aes[0]); i++) {
		t_init(&t);
		k_secret(&t, CKK_AES, bad_aes[i]);
		rv = h_create_rv(s, &t, &o);
		if (rv != CKR_ATTRIBUTE_VALUE_INVALID)
			fail_msg("AES key of %lu bytes: %s", (unsigned long)bad_aes[i],
				 h_rv_name(rv));
	}

	/* Wrong lengths for CK_BBOOL and CK_ULONG attributes. */
	t_init(&t);
	k_data(&t, "x");
	t_bytes(&t, CKA_TOKEN, "\x01\x00", 2);
	check_create(s, &t, CKR_ATTRIBUTE_VALUE_INVALID, "2-byte CKA_TOKEN");
	t_init(&t);
	k_data(&t, "x");
	t_bytes(&t, CKA_PRIVATE, "", 0);
	check_create(s, &t, CKR_ATTRIBUTE_VALUE_INVALID, "0-byte CKA_PRIVATE");
	t_init(&t);
	t_bytes(&t, CKA_CLASS, &small, sizeof(small));
	check_create(s, &t, CKR_ATTRIBUTE_VALUE_INVALID, "4-byte CKA_CLASS");
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_bytes(&t, CKA_SENSITIVE, "\x01\x01\x01\x01", 4);
	check_create(s, &t, CKR_ATTRIBUTE_VALUE_INVALID, "4-byte CKA_SENSITIVE");
	t_init(&t);
	k_cert(&t);
	t.a[1].ulValueLen = 2; /* CKA_CERTIFICATE_TYPE */
	check_create(s, &t, CKR_ATTRIBUTE_VALUE_INVALID, "2-byte CKA_CERTIFICATE_TYPE");
}

static void test_create_type_invalid(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	h_tmpl t;

	(void)state;
	t_init(&t);
	k_data(&t, "x");
	t_bytes(&t, CKA_MODULUS, k_rsa_modulus, sizeof(k_rsa_modulus));
	check_create(s, &t, CKR_ATTRIBUTE_TYPE_INVALID, "CKA_MODULUS on data");
	t_init(&t);
	k_data(&t, "x");
	t_str(&t, CKA_VENDOR_DEFINED + 0x1234, "vendor");
	check_create(s, &t, CKR_ATTRIBUTE_TYPE_INVALID, "vendor attribute");
	t_init(&t);
	k_data(&t, "x");
	t_ulong(&t, CKA_KEY_TYPE, CKK_AES);
	check_create(s, &t, CKR_ATTRIBUTE_TYPE_INVALID, "CKA_KEY_TYPE on data");
	t_init(&t);
	k_rsa_public(&t);
	t_bytes(&t, CKA_EC_POINT, k_ec_point, sizeof(k_ec_point));
	check_create(s, &t, CKR_ATTRIBUTE_TYPE_INVALID, "CKA_EC_POINT on RSA");
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_bytes(&t, CKA_MODULUS, k_rsa_modulus, 16);
	check_create(s, &t, CKR_ATTRIBUTE_TYPE_INVALID, "CKA_MODULUS on AES");
	t_init(&t);
	k_cert(&t);
	t_bool(&t, CKA_SIGN, CK_TRUE);
	check_create(s, &t, CKR_ATTRIBUTE_TYPE_INVALID, "CKA_SIGN on certificate");
}

static void test_create_inconsistent(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	h_tmpl t;
	static const CK_ATTRIBUTE_TYPE computed[] = { CKA_LOCAL, CKA_ALWAYS_SENSITIVE,
						      CKA_NEVER_EXTRACTABLE };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		t_init(&t);
		k_secret(&t, CKK_AES, 16);
		t_bool(&t, computed[i], CK_TRUE);
		check_create(s, &t, CKR_ATTRIBUTE_READ_ONLY, "computed TRUE on secret key");
		t_init(&t);
		k_ec_private(&t);
		t_bool(&t, computed[i], CK_FALSE);
		check_create(s, &t, CKR_ATTRIBUTE_READ_ONLY, "computed FALSE on EC key");
	}
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_ulong(&t, CKA_KEY_GEN_MECHANISM, CKM_AES_KEY_GEN);
	check_create(s, &t, CKR_ATTRIBUTE_READ_ONLY, "CKA_KEY_GEN_MECHANISM");
	t_init(&t);
	k_rsa_private(&t, 1);
	t_bool(&t, CKA_LOCAL, CK_FALSE);
	check_create(s, &t, CKR_ATTRIBUTE_READ_ONLY, "CKA_LOCAL on RSA key");

	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_ulong(&t, CKA_VALUE_LEN, 16);
	check_create(s, &t, CKR_TEMPLATE_INCONSISTENT, "CKA_VALUE_LEN on create");
	t_init(&t);
	k_secret(&t, CKK_GENERIC_SECRET, 32);
	t_ulong(&t, CKA_VALUE_LEN, 32);
	check_create(s, &t, CKR_TEMPLATE_INCONSISTENT, "CKA_VALUE_LEN on generic secret");

	t_init(&t);
	k_data(&t, "first");
	t_str(&t, CKA_LABEL, "second");
	check_create(s, &t, CKR_TEMPLATE_INCONSISTENT, "two labels");
	t_init(&t);
	k_data(&t, "x");
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_bool(&t, CKA_TOKEN, CK_FALSE);
	check_create(s, &t, CKR_TEMPLATE_INCONSISTENT, "two CKA_TOKEN");
	t_init(&t);
	k_data(&t, "x");
	t_ulong(&t, CKA_CLASS, CKO_CERTIFICATE);
	check_create(s, &t, CKR_TEMPLATE_INCONSISTENT, "two classes");
}

static void test_create_session_rules(void **state)
{
	CK_SESSION_HANDLE ro = h_open(h_slot, 0), rw = h_open(h_slot, 1);
	CK_OBJECT_HANDLE o;
	h_tmpl t;

	(void)state;
	/* R/O session: session objects only. */
	t_init(&t);
	k_data(&t, "token");
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	check_create(ro, &t, CKR_SESSION_READ_ONLY, "token object, R/O session");
	t_init(&t);
	k_data(&t, "session");
	t_bool(&t, CKA_TOKEN, CK_FALSE);
	o = h_create(ro, &t);
	assert_false(h_get_bool(ro, o, CKA_TOKEN));

	/* Private objects need the user. */
	t_init(&t);
	k_data(&t, "private");
	t_bool(&t, CKA_PRIVATE, CK_TRUE);
	check_create(ro, &t, CKR_USER_NOT_LOGGED_IN, "private object, R/O public");
	check_create(rw, &t, CKR_USER_NOT_LOGGED_IN, "private object, R/W public");
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	check_create(rw, &t, CKR_USER_NOT_LOGGED_IN, "secret key (private by default)");
	t_init(&t);
	k_ec_private(&t);
	check_create(rw, &t, CKR_USER_NOT_LOGGED_IN, "private key (private by default)");

	/* Not for the SO either (ro must go before the SO logs in). */
	assert_ok(p11->C_CloseSession(ro));
	h_login(rw, CKU_SO);
	t_init(&t);
	k_data(&t, "private");
	t_bool(&t, CKA_PRIVATE, CK_TRUE);
	check_create(rw, &t, CKR_USER_NOT_LOGGED_IN, "private object, SO");
	t_init(&t);
	k_data(&t, "public token object by the SO");
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	(void)h_create(rw, &t);
	assert_ok(p11->C_Logout(rw));

	/* Argument checks. */
	t_init(&t);
	k_data(&t, "x");
	assert_rv(p11->C_CreateObject(rw, NULL, 2, &o), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_CreateObject(rw, t.a, t.n, NULL), CKR_ARGUMENTS_BAD);

	/* The user may create private token objects, also in R/O sessions
	 * as session objects. */
	h_login(rw, CKU_USER);
	t_init(&t);
	k_data(&t, "private");
	t_bool(&t, CKA_PRIVATE, CK_TRUE);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	o = h_create(rw, &t);
	assert_true(h_get_bool(rw, o, CKA_PRIVATE));
	ro = h_open(h_slot, 0);
	t_init(&t);
	k_secret(&t, CKK_AES, 32);
	o = h_create(ro, &t);
	assert_true(h_get_bool(ro, o, CKA_PRIVATE));
}

static void check_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
		       CK_BBOOL want, const char *name)
{
	CK_BBOOL got = h_get_bool(s, o, type);

	if (got != want)
		fail_msg("%s is %d, expected %d", name, got, want);
}

#define CHECK_BOOL(s, o, type, want) check_bool(s, o, type, want, #type)

static void check_key_defaults(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, int secret)
{
	CHECK_BOOL(s, o, CKA_TOKEN, CK_FALSE);
	CHECK_BOOL(s, o, CKA_PRIVATE, CK_TRUE);
	CHECK_BOOL(s, o, CKA_SENSITIVE, CK_TRUE);
	CHECK_BOOL(s, o, CKA_EXTRACTABLE, CK_FALSE);
	CHECK_BOOL(s, o, CKA_DECRYPT, CK_FALSE);
	CHECK_BOOL(s, o, CKA_UNWRAP, CK_FALSE);
	CHECK_BOOL(s, o, CKA_DERIVE, CK_FALSE);
	CHECK_BOOL(s, o, CKA_LOCAL, CK_FALSE);
	CHECK_BOOL(s, o, CKA_ALWAYS_SENSITIVE, CK_FALSE);
	CHECK_BOOL(s, o, CKA_NEVER_EXTRACTABLE, CK_FALSE);
	CHECK_BOOL(s, o, CKA_MODIFIABLE, CK_TRUE);
	CHECK_BOOL(s, o, CKA_COPYABLE, CK_TRUE);
	CHECK_BOOL(s, o, CKA_DESTROYABLE, CK_TRUE);
	assert_int_equal(h_get_ulong(s, o, CKA_KEY_GEN_MECHANISM), CK_UNAVAILABLE_INFORMATION);
	if (secret)
		CHECK_BOOL(s, o, CKA_WRAP, CK_FALSE);
	else
		CHECK_BOOL(s, o, CKA_ALWAYS_AUTHENTICATE, CK_FALSE);
}

static void test_secure_defaults(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE o;
	h_tmpl t;

	(void)state;
	t_init(&t);
	k_ec_private(&t);
	check_key_defaults(s, h_create(s, &t), 0);
	t_init(&t);
	k_rsa_private(&t, 1);
	check_key_defaults(s, h_create(s, &t), 0);
	t_init(&t);
	k_secret(&t, CKK_GENERIC_SECRET, 32);
	check_key_defaults(s, h_create(s, &t), 1);
	t_init(&t);
	k_secret(&t, CKK_AES, 32);
	check_key_defaults(s, h_create(s, &t), 1);
	/* Also as token objects, after a restart. */
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_str(&t, CKA_LABEL, "stored key");
	(void)h_create(s, &t);
	h_reinit();
	s = user_session();
	assert_int_equal(h_find_label(s, "stored key", &o, 1), 1);
	CHECK_BOOL(s, o, CKA_TOKEN, CK_TRUE);
	CHECK_BOOL(s, o, CKA_PRIVATE, CK_TRUE);
	CHECK_BOOL(s, o, CKA_SENSITIVE, CK_TRUE);
	CHECK_BOOL(s, o, CKA_EXTRACTABLE, CK_FALSE);
	CHECK_BOOL(s, o, CKA_LOCAL, CK_FALSE);

	/* Data objects: public session objects by default. */
	t_init(&t);
	k_data(&t, "d");
	o = h_create(s, &t);
	CHECK_BOOL(s, o, CKA_PRIVATE, CK_FALSE);
	CHECK_BOOL(s, o, CKA_TOKEN, CK_FALSE);
	CHECK_BOOL(s, o, CKA_MODIFIABLE, CK_TRUE);
}

/* Real moduli (openssl-made keys) of 1024 and 2047 bits: key material is
 * validated, so odd lengths need real keys too. */
static const unsigned char mod1024[128] = {
	0xa3, 0xa1, 0x8e, 0x0b, 0xed, 0x0f, 0xfa, 0x07, 0x4e, 0xf1, 0x37, 0x88, 0xc6, 0x6d, 0x2e,
	0x5f, 0x48, 0xce, 0x47, 0x25, 0x5c, 0x99, 0x77, 0x4e, 0xe3, 0x3d, 0xca, 0xf6, 0x9c, 0xc0,
	0xab, 0x4d, 0x78, 0x5e, 0x74, 0x08, 0x2e, 0x0a, 0xbd, 0x28, 0x38, 0x3e, 0x16, 0x4e, 0xa9,
	0x1c, 0x7b, 0xca, 0xa0, 0x42, 0xcc, 0xfb, 0x06, 0xa3, 0x69, 0x6d, 0x9e, 0x67, 0x45, 0x99,
	0xaf, 0xd9, 0x27, 0xdf, 0xab, 0x6f, 0xf2, 0x64, 0x7b, 0x0c, 0x54, 0x47, 0x25, 0xda, 0x2a,
	0x4f, 0x4d, 0xc0, 0x5b, 0xca, 0x6e, 0x8e, 0x54, 0xa3, 0x24, 0x67, 0x38, 0xfa, 0x93, 0xdb,
	0x11, 0x50, 0xda, 0xb8, 0xf2, 0x04, 0x76, 0x90, 0x3b, 0x0c, 0x39, 0x4a, 0x77, 0xf2, 0xe5,
	0x36, 0x0e, 0x68, 0xc0, 0x3f, 0xe4, 0x3a, 0x47, 0xfd, 0x43, 0xee, 0x78, 0x45, 0xd0, 0x2c,
	0x35, 0xab, 0xe5, 0x8d, 0xea, 0xb8, 0x0e, 0x19,
};
static const unsigned char mod2047[256] = {
	0x73, 0x83, 0xa3, 0xa9, 0x18, 0xf5, 0x1a, 0x46, 0x3a, 0xd4, 0x53, 0xbc, 0x9f, 0x82, 0x08,
	0xff, 0x62, 0x82, 0x0a, 0x2b, 0x0e, 0x05, 0x9f, 0x13, 0x2f, 0xee, 0x3b, 0x5b, 0xaf, 0xf2,
	0x65, 0x06, 0xcd, 0x61, 0x48, 0x91, 0xce, 0x24, 0x34, 0xd2, 0x11, 0xc4, 0xfd, 0x8c, 0x2b,
	0x8c, 0x1d, 0xaa, 0x7a, 0xf8, 0xa4, 0x9c, 0x2f, 0x0f, 0xbb, 0x56, 0xa2, 0xe5, 0xc5, 0x23,
	0x3c, 0xd9, 0x4c, 0x5f, 0x7f, 0x96, 0xae, 0x51, 0x44, 0xd6, 0xe8, 0xab, 0x1d, 0x32, 0x46,
	0xce, 0xd9, 0x9f, 0xe2, 0x22, 0x5f, 0x2b, 0xc3, 0x50, 0xe6, 0x21, 0xbd, 0x6a, 0x4c, 0x16,
	0xba, 0xa8, 0x65, 0xc0, 0xa4, 0x96, 0x74, 0x4c, 0x17, 0xdf, 0x6f, 0x81, 0xa0, 0xf2, 0xe6,
	0x6b, 0xa8, 0x1e, 0x97, 0x34, 0x05, 0x7f, 0xab, 0x3c, 0x80, 0x47, 0x05, 0x22, 0xb2, 0x02,
	0x60, 0x66, 0x8b, 0xba, 0xcb, 0xa3, 0xbb, 0x07, 0x0e, 0x7e, 0xbc, 0x3f, 0x15, 0xc3, 0x3d,
	0xd8, 0xe5, 0x4d, 0x71, 0xed, 0xd1, 0x51, 0x91, 0x69, 0x9d, 0xce, 0xc9, 0xb8, 0x59, 0xd7,
	0xee, 0x49, 0xcf, 0x08, 0x48, 0x43, 0x33, 0x7f, 0x6f, 0xbf, 0x44, 0x5e, 0x86, 0xe0, 0xde,
	0x3c, 0x9a, 0x92, 0x6f, 0xfa, 0x64, 0x93, 0x4e, 0x05, 0x84, 0xe1, 0x95, 0x8e, 0x6b, 0xfd,
	0xcb, 0x1b, 0xda, 0x60, 0x25, 0x33, 0x48, 0xbd, 0x55, 0x0c, 0x1c, 0x6c, 0x69, 0x33, 0xae,
	0xe0, 0xd2, 0xde, 0x5c, 0xb2, 0xee, 0xd2, 0xc5, 0xf3, 0x95, 0xd8, 0x6a, 0xf0, 0x13, 0xc5,
	0x70, 0xb0, 0xb6, 0x09, 0x21, 0x05, 0x9a, 0x78, 0x2c, 0x13, 0x80, 0x3b, 0x82, 0x7f, 0x2e,
	0xe6, 0x48, 0x0f, 0x5f, 0xc4, 0x7e, 0x2e, 0xc0, 0x6c, 0x7e, 0x5a, 0x66, 0x20, 0x69, 0x68,
	0xfe, 0xab, 0x24, 0xc0, 0x7d, 0xcf, 0x2c, 0x31, 0xb6, 0x8e, 0x92, 0x1c, 0xeb, 0x72, 0x8e,
	0x45,
};

static void test_computed_attributes(void **state)
{
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE o;
	h_tmpl t;
	unsigned char mod[257];

	(void)state;
	t_init(&t);
	k_secret(&t, CKK_GENERIC_SECRET, 20);
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_VALUE_LEN), 20);
	t_init(&t);
	k_secret(&t, CKK_AES, 24);
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_VALUE_LEN), 24);

	/* CKA_MODULUS_BITS is the bit length of the big-endian modulus. */
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_RSA);
	t_bytes(&t, CKA_MODULUS, mod2047, sizeof(mod2047));
	t_bytes(&t, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_MODULUS_BITS), 2047);
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_RSA);
	t_bytes(&t, CKA_MODULUS, mod1024, sizeof(mod1024));
	t_bytes(&t, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_MODULUS_BITS), 1024);
	/* A leading zero byte is no bit. */
	mod[0] = 0;
	memcpy(mod + 1, mod2047, sizeof(mod2047));
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_ulong(&t, CKA_KEY_TYPE, CKK_RSA);
	t_bytes(&t, CKA_MODULUS, mod, 1 + sizeof(mod2047));
	t_bytes(&t, CKA_PUBLIC_EXPONENT, k_rsa_public_exponent, 3);
	o = h_create(s, &t);
	assert_int_equal(h_get_ulong(s, o, CKA_MODULUS_BITS), 2047);
}

/* Lengths far beyond the buffers are refused before anything is read; an
 * 8 KiB value (a certificate chain) is stored and read back whole. */
static void test_create_lengths(void **state)
{
	const CK_ULONG huge = (CK_ULONG)1 << 40;
	CK_SESSION_HANDLE s = user_session();
	CK_OBJECT_HANDLE o, found[2];
	unsigned char small[16];
	unsigned char *big = malloc(8192), *back = malloc(8192);
	CK_ATTRIBUTE a;
	h_tmpl t;
	size_t i;

	(void)state;
	assert_non_null(big);
	assert_non_null(back);
	memset(small, 'x', sizeof(small));
	t_init(&t);
	k_data(&t, "huge");
	t_raw(&t, CKA_VALUE, small, huge);
	assert_int_not_equal(h_create_rv(s, &t, &o), CKR_OK);
	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_DATA);
	t_raw(&t, CKA_LABEL, small, huge);
	assert_int_not_equal(h_create_rv(s, &t, &o), CKR_OK);
	t_init(&t);
	k_secret(&t, CKK_AES, 16);
	t.a[2].ulValueLen = huge; /* CKA_VALUE */
	assert_int_not_equal(h_create_rv(s, &t, &o), CKR_OK);
	assert_int_equal(h_find(s, NULL, 0, found, 2), 0);

	for (i = 0; i < 8192; i++)
		big[i] = (unsigned char)(i * 7 + i / 256);
	t_init(&t);
	k_data(&t, "big");
	t_bool(&t, CKA_TOKEN, CK_TRUE);
	t_raw(&t, CKA_VALUE, big, 8192);
	(void)h_create(s, &t);
	h_reinit();
	s = user_session();
	assert_int_equal(h_find_label(s, "big", found, 2), 1);
	a = (CK_ATTRIBUTE){ CKA_VALUE, back, 8192 };
	assert_ok(p11->C_GetAttributeValue(s, found[0], &a, 1));
	assert_int_equal(a.ulValueLen, 8192);
	assert_memory_equal(big, back, 8192);
	free(big);
	free(back);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_classes, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_create_incomplete, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_create_invalid, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_create_type_invalid, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_create_inconsistent, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_create_session_rules, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_secure_defaults, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_computed_attributes, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_create_lengths, h_setup_token, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
