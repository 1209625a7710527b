/*
 * Unit tests of objects (src/core/object.c) and the attribute schema
 * (src/core/attr.c): creation from templates with secure defaults and every
 * documented error, the one-way rules of changes, visibility and matching,
 * the stored record with sealed values, and allocation failure everywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/attr.h"
#include "core/object.h"
#include "store/codec.h"
#include "store/seal.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_T 32

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE, two = 2;
static CK_OBJECT_CLASS cls_data = CKO_DATA, cls_cert = CKO_CERTIFICATE, cls_pub = CKO_PUBLIC_KEY,
		       cls_priv = CKO_PRIVATE_KEY, cls_secret = CKO_SECRET_KEY,
		       cls_hw = CKO_HW_FEATURE;
static CK_KEY_TYPE kt_ec = CKK_EC, kt_rsa = CKK_RSA, kt_aes = CKK_AES,
		   kt_generic = CKK_GENERIC_SECRET, kt_dsa = CKK_DSA;
static CK_CERTIFICATE_TYPE ct_x509 = CKC_X_509, ct_wtls = CKC_WTLS;

/* P-256 namedCurve OID, a point and a scalar: the bytes only matter as
 * bytes here. */
static uint8_t ec_params[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static uint8_t ec_point[67];
static uint8_t ec_value[32];
static uint8_t modulus[256];
static uint8_t pub_exp[] = { 0x01, 0x00, 0x01 };
static uint8_t priv_exp[256];
static uint8_t prime1[128], prime2[128];
static uint8_t aes_key[32];
static uint8_t subject[] = "CN=test";
static uint8_t cert_value[] = "not really DER";
static uint8_t label[] = { 'l', 'a', 'b', 'e', 'l' };
static uint8_t data_value[] = "the data object's value";

static uint8_t tmk[SEAL_TMK_LEN], tmk2[SEAL_TMK_LEN];

#define ATTR(type, var) ((CK_ATTRIBUTE){ (type), (void *)&(var), sizeof(var) })
#define ATTR_BYTES(type, arr) ((CK_ATTRIBUTE){ (type), (void *)(arr), sizeof(arr) })

/* Distinct pseudo-random bytes per seed (a 32-bit LCG), so that no test
 * value happens to contain another. */
static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	uint32_t x = 0x9e3779b9u * (seed + 1u);
	size_t i;

	for (i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u;
		p[i] = (uint8_t)(x >> 24);
	}
}

static int group_setup(void **state)
{
	(void)state;
	ec_point[0] = 0x04;
	ec_point[1] = 0x41;
	ec_point[2] = 0x04;
	fill(ec_point + 3, sizeof(ec_point) - 3, 1);
	fill(ec_value, sizeof(ec_value), 2);
	fill(modulus, sizeof(modulus), 3);
	modulus[0] = 0xc5;
	fill(priv_exp, sizeof(priv_exp), 4);
	fill(prime1, sizeof(prime1), 5);
	fill(prime2, sizeof(prime2), 6);
	fill(aes_key, sizeof(aes_key), 7);
	fill(tmk, sizeof(tmk), 8);
	fill(tmk2, sizeof(tmk2), 9);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	port_alloc_fail_after(0);
	return 0;
}

/* ---- minimal templates of each kind ---- */

static CK_ULONG t_data(CK_ATTRIBUTE *t)
{
	t[0] = ATTR(CKA_CLASS, cls_data);
	return 1;
}

static CK_ULONG t_cert(CK_ATTRIBUTE *t)
{
	t[0] = ATTR(CKA_CLASS, cls_cert);
	t[1] = ATTR(CKA_CERTIFICATE_TYPE, ct_x509);
	t[2] = ATTR_BYTES(CKA_SUBJECT, subject);
	t[3] = ATTR_BYTES(CKA_VALUE, cert_value);
	return 4;
}

static CK_ULONG t_pub_ec(CK_ATTRIBUTE *t)
{
	t[0] = ATTR(CKA_CLASS, cls_pub);
	t[1] = ATTR(CKA_KEY_TYPE, kt_ec);
	t[2] = ATTR_BYTES(CKA_EC_PARAMS, ec_params);
	t[3] = ATTR_BYTES(CKA_EC_POINT, ec_point);
	return 4;
}

static CK_ULONG t_pub_rsa(CK_ATTRIBUTE *t)
{
	t[0] = ATTR(CKA_CLASS, cls_pub);
	t[1] = ATTR(CKA_KEY_TYPE, kt_rsa);
	t[2] = ATTR_BYTES(CKA_MODULUS, modulus);
	t[3] = ATTR_BYTES(CKA_PUBLIC_EXPONENT, pub_exp);
	return 4;
}

static CK_ULONG t_priv_ec(CK_ATTRIBUTE *t)
{
	t[0] = ATTR(CKA_CLASS, cls_priv);
	t[1] = ATTR(CKA_KEY_TYPE, kt_ec);
	t[2] = ATTR_BYTES(CKA_EC_PARAMS, ec_params);
	t[3] = ATTR_BYTES(CKA_VALUE, ec_value);
	return 4;
}

static CK_ULONG t_priv_rsa(CK_ATTRIBUTE *t)
{
	t[0] = ATTR(CKA_CLASS, cls_priv);
	t[1] = ATTR(CKA_KEY_TYPE, kt_rsa);
	t[2] = ATTR_BYTES(CKA_MODULUS, modulus);
	t[3] = ATTR_BYTES(CKA_PRIVATE_EXPONENT, priv_exp);
	return 4;
}

static CK_ULONG t_generic(CK_ATTRIBUTE *t)
{
	t[0] = ATTR(CKA_CLASS, cls_secret);
	t[1] = ATTR(CKA_KEY_TYPE, kt_generic);
	t[2] = ATTR_BYTES(CKA_VALUE, aes_key);
	return 3;
}

static CK_ULONG t_aes(CK_ATTRIBUTE *t)
{
	t[0] = ATTR(CKA_CLASS, cls_secret);
	t[1] = ATTR(CKA_KEY_TYPE, kt_aes);
	t[2] = ATTR_BYTES(CKA_VALUE, aes_key);
	return 3;
}

static const struct {
	CK_ULONG (*make)(CK_ATTRIBUTE *);
	enum obj_kind kind;
} kinds[] = {
	{ t_data, KIND_DATA },
	{ t_cert, KIND_CERT_X509 },
	{ t_pub_ec, KIND_PUB_EC },
	{ t_pub_rsa, KIND_PUB_RSA },
	{ t_priv_ec, KIND_PRIV_EC },
	{ t_priv_rsa, KIND_PRIV_RSA },
	{ t_generic, KIND_SECRET_GENERIC },
	{ t_aes, KIND_SECRET_AES },
};

static object *create_ok(const CK_ATTRIBUTE *t, CK_ULONG n, unsigned flags)
{
	object *obj = NULL;

	assert_int_equal(object_create(t, n, flags, &obj), CKR_OK);
	assert_non_null(obj);
	return obj;
}

static void expect_create(const CK_ATTRIBUTE *t, CK_ULONG n, unsigned flags, CK_RV want)
{
	object *obj = (object *)&obj; /* a sentinel: must stay untouched */

	assert_int_equal(object_create(t, n, flags, &obj), want);
	assert_ptr_equal(obj, (object *)&obj);
}

static void assert_bool_attr(const object *obj, CK_ATTRIBUTE_TYPE type, CK_BBOOL want)
{
	const obj_value *v = object_value(obj, type);

	assert_non_null(v);
	assert_int_equal(v->len, 1);
	assert_non_null(v->value);
	assert_int_equal(v->value[0], want);
	assert_int_equal(object_bool(obj, type), want);
}

static void assert_ulong_attr(const object *obj, CK_ATTRIBUTE_TYPE type, CK_ULONG want)
{
	const obj_value *v = object_value(obj, type);

	assert_non_null(v);
	assert_int_equal(v->len, sizeof(CK_ULONG));
	assert_int_equal(object_ulong(obj, type), want);
}

static void assert_bytes_attr(const object *obj, CK_ATTRIBUTE_TYPE type, const void *want,
			      size_t len)
{
	const obj_value *v = object_value(obj, type);

	assert_non_null(v);
	assert_int_equal(v->len, len);
	if (len > 0) {
		assert_non_null(v->value);
		assert_memory_equal(v->value, want, len);
	}
}

static void assert_same_values(const object *a, const object *b)
{
	size_t i;

	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->is_token, b->is_token);
	assert_int_equal(a->is_private, b->is_private);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->rules[i]->type, b->rules[i]->type);
		assert_int_equal(a->v[i].len, b->v[i].len);
		if (a->v[i].len > 0) {
			assert_non_null(a->v[i].value);
			assert_non_null(b->v[i].value);
			assert_memory_equal(a->v[i].value, b->v[i].value, a->v[i].len);
		}
	}
}

static int contains(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	return memmem(hay, n, needle, m) != NULL;
}

/* ---- creation: defaults ---- */

static void test_defaults_data(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n = t_data(t);
	object *obj;

	(void)state;
	obj = create_ok(t, n, 0);
	assert_int_equal(obj->kind, KIND_DATA);
	assert_ulong_attr(obj, CKA_CLASS, CKO_DATA);
	assert_bool_attr(obj, CKA_TOKEN, CK_FALSE);
	assert_bool_attr(obj, CKA_PRIVATE, CK_FALSE);
	assert_bool_attr(obj, CKA_MODIFIABLE, CK_TRUE);
	assert_bool_attr(obj, CKA_COPYABLE, CK_TRUE);
	assert_bool_attr(obj, CKA_DESTROYABLE, CK_TRUE);
	assert_bytes_attr(obj, CKA_LABEL, NULL, 0);
	assert_bytes_attr(obj, CKA_VALUE, NULL, 0);
	assert_bytes_attr(obj, CKA_APPLICATION, NULL, 0);
	assert_false(obj->is_token);
	assert_false(obj->is_private);
	assert_int_equal(obj->id, 0);
	assert_int_equal(obj->handle, 0);
	/* Key attributes do not exist on data objects. */
	assert_null(object_value(obj, CKA_SENSITIVE));
	assert_null(object_rule(obj, CKA_KEY_TYPE));
	assert_int_equal(object_ulong(obj, CKA_KEY_TYPE), CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(object_bool(obj, CKA_SENSITIVE), CK_FALSE);
	object_free(obj);

	/* With values given. */
	t[n++] = ATTR(CKA_TOKEN, yes);
	t[n++] = ATTR_BYTES(CKA_VALUE, data_value);
	t[n++] = ATTR_BYTES(CKA_LABEL, label);
	obj = create_ok(t, n, 0);
	assert_bool_attr(obj, CKA_TOKEN, CK_TRUE);
	assert_true(obj->is_token);
	assert_bytes_attr(obj, CKA_VALUE, data_value, sizeof(data_value));
	assert_bytes_attr(obj, CKA_LABEL, label, sizeof(label));
	object_free(obj);
}

static void test_defaults_cert(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	object *obj;

	(void)state;
	obj = create_ok(t, t_cert(t), 0);
	assert_int_equal(obj->kind, KIND_CERT_X509);
	assert_bool_attr(obj, CKA_PRIVATE, CK_FALSE);
	assert_bool_attr(obj, CKA_TRUSTED, CK_FALSE);
	assert_ulong_attr(obj, CKA_CERTIFICATE_TYPE, CKC_X_509);
	assert_ulong_attr(obj, CKA_CERTIFICATE_CATEGORY, 0);
	assert_ulong_attr(obj, CKA_NAME_HASH_ALGORITHM, CKM_SHA_1);
	assert_bytes_attr(obj, CKA_SUBJECT, subject, sizeof(subject));
	assert_bytes_attr(obj, CKA_VALUE, cert_value, sizeof(cert_value));
	object_free(obj);
}

static void test_defaults_public_keys(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	object *obj;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		obj = create_ok(t, i == 0 ? t_pub_ec(t) : t_pub_rsa(t), 0);
		assert_int_equal(obj->kind, i == 0 ? KIND_PUB_EC : KIND_PUB_RSA);
		assert_bool_attr(obj, CKA_PRIVATE, CK_FALSE);
		assert_bool_attr(obj, CKA_TOKEN, CK_FALSE);
		assert_bool_attr(obj, CKA_VERIFY, CK_TRUE);
		assert_bool_attr(obj, CKA_ENCRYPT, CK_FALSE);
		assert_bool_attr(obj, CKA_WRAP, CK_FALSE);
		assert_bool_attr(obj, CKA_VERIFY_RECOVER, CK_FALSE);
		assert_bool_attr(obj, CKA_TRUSTED, CK_FALSE);
		assert_bool_attr(obj, CKA_DERIVE, CK_FALSE);
		assert_bool_attr(obj, CKA_LOCAL, CK_FALSE);
		assert_ulong_attr(obj, CKA_KEY_GEN_MECHANISM, CK_UNAVAILABLE_INFORMATION);
		assert_null(object_value(obj, CKA_SENSITIVE));
		assert_null(object_value(obj, CKA_SIGN));
		object_free(obj);
	}
}

static void check_private_key_defaults(const object *obj)
{
	/* SECURITY.md rows 10 and 11. */
	assert_bool_attr(obj, CKA_PRIVATE, CK_TRUE);
	assert_true(obj->is_private);
	assert_bool_attr(obj, CKA_SENSITIVE, CK_TRUE);
	assert_bool_attr(obj, CKA_EXTRACTABLE, CK_FALSE);
	assert_bool_attr(obj, CKA_DECRYPT, CK_FALSE);
	assert_bool_attr(obj, CKA_UNWRAP, CK_FALSE);
	assert_bool_attr(obj, CKA_DERIVE, CK_FALSE);
	assert_bool_attr(obj, CKA_LOCAL, CK_FALSE);
	assert_bool_attr(obj, CKA_ALWAYS_SENSITIVE, CK_FALSE);
	assert_bool_attr(obj, CKA_NEVER_EXTRACTABLE, CK_FALSE);
	assert_bool_attr(obj, CKA_WRAP_WITH_TRUSTED, CK_FALSE);
	assert_bool_attr(obj, CKA_TOKEN, CK_FALSE);
	assert_bool_attr(obj, CKA_MODIFIABLE, CK_TRUE);
	assert_ulong_attr(obj, CKA_KEY_GEN_MECHANISM, CK_UNAVAILABLE_INFORMATION);
}

static void test_defaults_private_keys(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	object *obj;

	(void)state;
	obj = create_ok(t, t_priv_ec(t), 0);
	assert_int_equal(obj->kind, KIND_PRIV_EC);
	check_private_key_defaults(obj);
	assert_bool_attr(obj, CKA_SIGN, CK_TRUE);
	assert_bool_attr(obj, CKA_SIGN_RECOVER, CK_FALSE);
	assert_bool_attr(obj, CKA_ALWAYS_AUTHENTICATE, CK_FALSE);
	assert_bytes_attr(obj, CKA_VALUE, ec_value, sizeof(ec_value));
	assert_bytes_attr(obj, CKA_EC_POINT, NULL, 0);
	assert_null(object_value(obj, CKA_WRAP));
	assert_null(object_value(obj, CKA_ENCRYPT));
	object_free(obj);

	obj = create_ok(t, t_priv_rsa(t), 0);
	assert_int_equal(obj->kind, KIND_PRIV_RSA);
	check_private_key_defaults(obj);
	assert_bytes_attr(obj, CKA_PRIVATE_EXPONENT, priv_exp, sizeof(priv_exp));
	assert_bytes_attr(obj, CKA_PRIME_1, NULL, 0);
	/* CKA_MODULUS_BITS belongs to the public key only. */
	assert_null(object_value(obj, CKA_MODULUS_BITS));
	object_free(obj);
}

static void test_defaults_secret_keys(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	object *obj;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		obj = create_ok(t, i == 0 ? t_generic(t) : t_aes(t), 0);
		assert_int_equal(obj->kind, i == 0 ? KIND_SECRET_GENERIC : KIND_SECRET_AES);
		check_private_key_defaults(obj);
		assert_bool_attr(obj, CKA_ENCRYPT, CK_FALSE);
		assert_bool_attr(obj, CKA_WRAP, CK_FALSE);
		assert_bool_attr(obj, CKA_SIGN, CK_FALSE);
		assert_bool_attr(obj, CKA_VERIFY, CK_FALSE);
		assert_bool_attr(obj, CKA_TRUSTED, CK_FALSE);
		assert_ulong_attr(obj, CKA_VALUE_LEN, sizeof(aes_key));
		assert_bytes_attr(obj, CKA_VALUE, aes_key, sizeof(aes_key));
		object_free(obj);
	}
}

/* ---- creation: errors ---- */

static void test_create_missing_class_or_type(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	size_t k;

	(void)state;
	expect_create(NULL, 0, 0, CKR_TEMPLATE_INCOMPLETE);
	t[0] = ATTR_BYTES(CKA_LABEL, label);
	expect_create(t, 1, 0, CKR_TEMPLATE_INCOMPLETE);
	/* Dropping any single entry of a minimal template of any kind. */
	for (k = 0; k < NELEM(kinds); k++) {
		CK_ULONG n = kinds[k].make(t), drop, i, m;

		for (drop = 0; drop < n; drop++) {
			CK_ATTRIBUTE u[MAX_T];

			if (kinds[k].kind == KIND_DATA)
				continue; /* its only entry is CKA_CLASS: done above */
			/* A certificate's subject comes from its DER when the
			 * template has none (keyobj_import, issue 3). */
			if (kinds[k].kind == KIND_CERT_X509 && t[drop].type == CKA_SUBJECT)
				continue;
			for (i = 0, m = 0; i < n; i++)
				if (i != drop)
					u[m++] = t[i];
			print_message("kind %d without attribute 0x%lx\n", (int)kinds[k].kind,
				      (unsigned long)t[drop].type);
			expect_create(u, m, 0, CKR_TEMPLATE_INCOMPLETE);
		}
	}
}

static void test_create_bad_class_value(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	uint32_t short_class = CKO_DATA;

	(void)state;
	t[0] = (CK_ATTRIBUTE){ CKA_CLASS, &short_class, sizeof(short_class) };
	expect_create(t, 1, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	t[0] = (CK_ATTRIBUTE){ CKA_CLASS, NULL, sizeof(CK_ULONG) };
	expect_create(t, 1, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	t[0] = ATTR(CKA_CLASS, cls_hw);
	expect_create(t, 1, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	n = t_pub_ec(t);
	t[1] = ATTR(CKA_KEY_TYPE, kt_dsa);
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	n = t_aes(t);
	t[1] = ATTR(CKA_KEY_TYPE, kt_ec); /* an EC secret key */
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	n = t_cert(t);
	t[1] = ATTR(CKA_CERTIFICATE_TYPE, ct_wtls);
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
}

static void test_create_type_not_in_schema(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;

	(void)state;
	n = t_data(t);
	t[n++] = ATTR_BYTES(CKA_MODULUS, modulus);
	expect_create(t, n, 0, CKR_ATTRIBUTE_TYPE_INVALID);
	n = t_data(t);
	t[n++] = ATTR(CKA_SENSITIVE, yes);
	expect_create(t, n, 0, CKR_ATTRIBUTE_TYPE_INVALID);
	n = t_pub_ec(t);
	t[n++] = ATTR(CKA_SIGN, yes);
	expect_create(t, n, 0, CKR_ATTRIBUTE_TYPE_INVALID);
	n = t_priv_ec(t);
	t[n++] = ATTR(CKA_WRAP, yes);
	expect_create(t, n, 0, CKR_ATTRIBUTE_TYPE_INVALID);
	n = t_aes(t);
	t[n++] = ATTR_BYTES(CKA_EC_POINT, ec_point);
	expect_create(t, n, 0, CKR_ATTRIBUTE_TYPE_INVALID);
	n = t_aes(t);
	t[n++] = ATTR(CKA_VENDOR_DEFINED, yes);
	expect_create(t, n, 0, CKR_ATTRIBUTE_TYPE_INVALID);
}

static void test_create_bad_bool(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	uint8_t two_bytes[2] = { 1, 0 };

	(void)state;
	n = t_data(t);
	t[n++] = ATTR_BYTES(CKA_TOKEN, two_bytes);
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	n = t_data(t);
	t[n++] = ATTR(CKA_TOKEN, two);
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	n = t_aes(t);
	t[n++] = (CK_ATTRIBUTE){ CKA_SENSITIVE, &no, 0 };
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	n = t_aes(t);
	t[n++] = ATTR(CKA_EXTRACTABLE, two);
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
}

static void test_create_bad_shapes(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	uint8_t date_ok[8] = { '2', '0', '2', '4', '0', '2', '2', '9' };
	uint8_t date_bad[8] = { '2', '0', '2', '4', '-', '0', '2', '9' };
	CK_ULONG mechs[2] = { CKM_AES_CBC, CKM_AES_GCM };
	uint8_t *big = calloc(1, ATTR_MAX_VALUE + 1);
	object *obj;

	(void)state;
	assert_non_null(big);
	n = t_aes(t);
	t[n++] = ATTR_BYTES(CKA_START_DATE, date_bad);
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	n = t_aes(t);
	t[n++] = (CK_ATTRIBUTE){ CKA_START_DATE, date_ok, 7 };
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	n = t_aes(t);
	t[n++] = (CK_ATTRIBUTE){ CKA_ALLOWED_MECHANISMS, mechs, sizeof(mechs) - 1 };
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	n = t_data(t);
	t[n++] = (CK_ATTRIBUTE){ CKA_LABEL, big, ATTR_MAX_VALUE + 1 };
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	n = t_data(t);
	t[n++] = (CK_ATTRIBUTE){ CKA_LABEL, NULL, 4 };
	expect_create(t, n, 0, CKR_ARGUMENTS_BAD);
	/* The same, within bounds, is fine. */
	n = t_aes(t);
	t[n++] = ATTR_BYTES(CKA_START_DATE, date_ok);
	t[n++] = ATTR_BYTES(CKA_ALLOWED_MECHANISMS, mechs);
	t[n++] = (CK_ATTRIBUTE){ CKA_LABEL, big, ATTR_MAX_VALUE };
	t[n++] = (CK_ATTRIBUTE){ CKA_END_DATE, NULL, 0 };
	obj = create_ok(t, n, 0);
	assert_bytes_attr(obj, CKA_START_DATE, date_ok, 8);
	assert_bytes_attr(obj, CKA_ALLOWED_MECHANISMS, mechs, sizeof(mechs));
	assert_bytes_attr(obj, CKA_LABEL, big, ATTR_MAX_VALUE);
	object_free(obj);
	free(big);
}

static void test_create_computed_read_only(void **state)
{
	static const CK_ATTRIBUTE_TYPE computed[] = { CKA_LOCAL, CKA_ALWAYS_SENSITIVE,
						      CKA_NEVER_EXTRACTABLE };
	CK_MECHANISM_TYPE mech = CKM_EC_KEY_PAIR_GEN;
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	object *obj;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(computed); i++) {
		n = t_priv_ec(t);
		t[n++] = (CK_ATTRIBUTE){ computed[i], &no, 1 };
		expect_create(t, n, 0, CKR_ATTRIBUTE_READ_ONLY);
		expect_create(t, n, OBJ_CREATE_SO, CKR_ATTRIBUTE_READ_ONLY);
	}
	n = t_priv_ec(t);
	t[n++] = ATTR(CKA_KEY_GEN_MECHANISM, mech);
	expect_create(t, n, 0, CKR_ATTRIBUTE_READ_ONLY);
	/* The token itself may set them (key generation). */
	n = t_priv_ec(t);
	t[n++] = ATTR(CKA_LOCAL, yes);
	t[n++] = ATTR(CKA_ALWAYS_SENSITIVE, yes);
	t[n++] = ATTR(CKA_NEVER_EXTRACTABLE, yes);
	t[n++] = ATTR(CKA_KEY_GEN_MECHANISM, mech);
	obj = create_ok(t, n, OBJ_CREATE_INTERNAL);
	assert_bool_attr(obj, CKA_LOCAL, CK_TRUE);
	assert_bool_attr(obj, CKA_ALWAYS_SENSITIVE, CK_TRUE);
	assert_bool_attr(obj, CKA_NEVER_EXTRACTABLE, CK_TRUE);
	assert_ulong_attr(obj, CKA_KEY_GEN_MECHANISM, CKM_EC_KEY_PAIR_GEN);
	object_free(obj);
}

static void test_create_no_create_attrs(void **state)
{
	CK_ULONG vlen = 32, bits = 2048;
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	object *obj;

	(void)state;
	n = t_aes(t);
	t[n++] = ATTR(CKA_VALUE_LEN, vlen);
	expect_create(t, n, 0, CKR_TEMPLATE_INCONSISTENT);
	n = t_generic(t);
	t[n++] = ATTR(CKA_VALUE_LEN, vlen);
	expect_create(t, n, 0, CKR_TEMPLATE_INCONSISTENT);
	n = t_pub_rsa(t);
	t[n++] = ATTR(CKA_MODULUS_BITS, bits);
	expect_create(t, n, 0, CKR_TEMPLATE_INCONSISTENT);
	/* Key generation gives them itself. */
	n = t_aes(t);
	t[n++] = ATTR(CKA_VALUE_LEN, vlen);
	obj = create_ok(t, n, OBJ_CREATE_INTERNAL);
	assert_ulong_attr(obj, CKA_VALUE_LEN, 32);
	object_free(obj);
}

static void test_create_duplicates(void **state)
{
	uint8_t other_label[] = { 'o', 't', 'h', 'e', 'r' };
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	object *obj;

	(void)state;
	n = t_data(t);
	t[n++] = ATTR_BYTES(CKA_LABEL, label);
	t[n++] = ATTR_BYTES(CKA_LABEL, other_label);
	expect_create(t, n, 0, CKR_TEMPLATE_INCONSISTENT);
	n = t_data(t);
	t[n++] = ATTR_BYTES(CKA_LABEL, label);
	t[n++] = (CK_ATTRIBUTE){ CKA_LABEL, label, sizeof(label) - 1 }; /* a prefix */
	expect_create(t, n, 0, CKR_TEMPLATE_INCONSISTENT);
	n = t_aes(t);
	t[n++] = ATTR(CKA_SENSITIVE, yes);
	t[n++] = ATTR(CKA_SENSITIVE, no);
	expect_create(t, n, 0, CKR_TEMPLATE_INCONSISTENT);
	n = t_aes(t);
	t[n++] = ATTR(CKA_CLASS, cls_data);
	expect_create(t, n, 0, CKR_TEMPLATE_INCONSISTENT);
	/* The same attribute twice with the same value is fine. */
	n = t_data(t);
	t[n++] = ATTR_BYTES(CKA_LABEL, label);
	t[n++] = ATTR(CKA_TOKEN, yes);
	t[n++] = ATTR_BYTES(CKA_LABEL, label);
	t[n++] = ATTR(CKA_TOKEN, yes);
	t[n++] = ATTR(CKA_CLASS, cls_data);
	obj = create_ok(t, n, 0);
	assert_bytes_attr(obj, CKA_LABEL, label, sizeof(label));
	assert_bool_attr(obj, CKA_TOKEN, CK_TRUE);
	object_free(obj);
	/* Giving a default explicitly is fine. */
	n = t_aes(t);
	t[n++] = ATTR(CKA_SENSITIVE, yes);
	obj = create_ok(t, n, 0);
	object_free(obj);
}

static void test_create_key_lengths(void **state)
{
	static const size_t bad[] = { 0, 1, 8, 15, 17, 23, 25, 31, 33, 64 };
	static const size_t good[] = { 16, 24, 32 };
	uint8_t key[64];
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	object *obj;
	size_t i;

	(void)state;
	fill(key, sizeof(key), 33);
	for (i = 0; i < NELEM(bad); i++) {
		n = t_aes(t);
		t[2] = (CK_ATTRIBUTE){ CKA_VALUE, key, bad[i] };
		print_message("AES key of %zu bytes\n", bad[i]);
		expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	}
	for (i = 0; i < NELEM(good); i++) {
		n = t_aes(t);
		t[2] = (CK_ATTRIBUTE){ CKA_VALUE, key, good[i] };
		obj = create_ok(t, n, 0);
		assert_ulong_attr(obj, CKA_VALUE_LEN, good[i]);
		assert_bytes_attr(obj, CKA_VALUE, key, good[i]);
		object_free(obj);
	}
	/* Generic secrets: any non-empty length. */
	n = t_generic(t);
	t[2] = (CK_ATTRIBUTE){ CKA_VALUE, key, 0 };
	expect_create(t, n, 0, CKR_ATTRIBUTE_VALUE_INVALID);
	t[2] = (CK_ATTRIBUTE){ CKA_VALUE, key, 1 };
	obj = create_ok(t, n, 0);
	assert_ulong_attr(obj, CKA_VALUE_LEN, 1);
	object_free(obj);
	t[2] = (CK_ATTRIBUTE){ CKA_VALUE, key, 64 };
	obj = create_ok(t, n, 0);
	assert_ulong_attr(obj, CKA_VALUE_LEN, 64);
	object_free(obj);
}

static void test_create_trusted(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	object *obj;

	(void)state;
	n = t_cert(t);
	t[n++] = ATTR(CKA_TRUSTED, yes);
	expect_create(t, n, 0, CKR_ATTRIBUTE_READ_ONLY);
	obj = create_ok(t, n, OBJ_CREATE_SO);
	assert_bool_attr(obj, CKA_TRUSTED, CK_TRUE);
	object_free(obj);
	n = t_pub_rsa(t);
	t[n++] = ATTR(CKA_TRUSTED, yes);
	expect_create(t, n, 0, CKR_ATTRIBUTE_READ_ONLY);
	n = t_aes(t);
	t[n++] = ATTR(CKA_TRUSTED, yes);
	expect_create(t, n, OBJ_CREATE_INTERNAL, CKR_ATTRIBUTE_READ_ONLY);
	obj = create_ok(t, n, OBJ_CREATE_SO);
	assert_bool_attr(obj, CKA_TRUSTED, CK_TRUE);
	object_free(obj);
	/* FALSE needs no SO. */
	n = t_cert(t);
	t[n++] = ATTR(CKA_TRUSTED, no);
	obj = create_ok(t, n, 0);
	assert_bool_attr(obj, CKA_TRUSTED, CK_FALSE);
	object_free(obj);
}

static void expect_modulus_bits(const uint8_t *m, size_t len, CK_ULONG bits)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n = t_pub_rsa(t);
	object *obj;

	t[2] = (CK_ATTRIBUTE){ CKA_MODULUS, (void *)m, len };
	obj = create_ok(t, n, 0);
	assert_ulong_attr(obj, CKA_MODULUS_BITS, bits);
	object_free(obj);
}

static void test_create_modulus_bits(void **state)
{
	uint8_t m[512];

	(void)state;
	memset(m, 0x5a, sizeof(m));
	m[0] = 0x00;
	m[1] = 0x80;
	expect_modulus_bits(m, 256, 2040); /* 255 significant bytes, top bit set */
	m[0] = 0x01;
	expect_modulus_bits(m, 256, 2041);
	m[0] = 0x80;
	expect_modulus_bits(m, 256, 2048);
	m[0] = 0xff;
	expect_modulus_bits(m, 384, 3072);
	expect_modulus_bits(m, 512, 4096);
	m[0] = 0x00;
	m[1] = 0x00;
	m[2] = 0x7f;
	expect_modulus_bits(m, 256, 2031); /* 254 bytes, top byte 7 bits */
	memset(m, 0, sizeof(m));
	expect_modulus_bits(m, 256, 0);
	m[255] = 1;
	expect_modulus_bits(m, 256, 1);
	expect_modulus_bits(m, 0, 0);
}

/* ---- changes ---- */

static object *secret_with(CK_BBOOL sensitive, CK_BBOOL extractable)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n = t_aes(t);
	static CK_BBOOL s, e;

	s = sensitive;
	e = extractable;
	t[n++] = ATTR(CKA_SENSITIVE, s);
	t[n++] = ATTR(CKA_EXTRACTABLE, e);
	return create_ok(t, n, 0);
}

static CK_RV apply1(object *obj, CK_ATTRIBUTE_TYPE type, CK_BBOOL *b, int copy)
{
	CK_ATTRIBUTE a = { type, b, 1 };

	return object_apply(obj, &a, 1, copy, 0);
}

static void test_apply_one_way(void **state)
{
	object *obj;
	int copy;

	(void)state;
	for (copy = 0; copy <= 1; copy++) {
		/* CKA_SENSITIVE: FALSE -> TRUE only. */
		obj = secret_with(CK_TRUE, CK_FALSE);
		assert_int_equal(apply1(obj, CKA_SENSITIVE, &no, copy), CKR_ATTRIBUTE_READ_ONLY);
		assert_bool_attr(obj, CKA_SENSITIVE, CK_TRUE);
		assert_int_equal(apply1(obj, CKA_SENSITIVE, &yes, copy), CKR_OK);
		/* CKA_EXTRACTABLE: TRUE -> FALSE only. */
		assert_int_equal(apply1(obj, CKA_EXTRACTABLE, &yes, copy), CKR_ATTRIBUTE_READ_ONLY);
		assert_bool_attr(obj, CKA_EXTRACTABLE, CK_FALSE);
		assert_int_equal(apply1(obj, CKA_EXTRACTABLE, &no, copy), CKR_OK);
		/* CKA_WRAP_WITH_TRUSTED: -> TRUE only. */
		assert_int_equal(apply1(obj, CKA_WRAP_WITH_TRUSTED, &yes, copy), CKR_OK);
		assert_int_equal(apply1(obj, CKA_WRAP_WITH_TRUSTED, &no, copy),
				 CKR_ATTRIBUTE_READ_ONLY);
		assert_bool_attr(obj, CKA_WRAP_WITH_TRUSTED, CK_TRUE);
		/* CKA_COPYABLE and CKA_DESTROYABLE: -> FALSE only. */
		assert_int_equal(apply1(obj, CKA_COPYABLE, &no, copy), CKR_OK);
		assert_int_equal(apply1(obj, CKA_COPYABLE, &yes, copy), CKR_ATTRIBUTE_READ_ONLY);
		assert_bool_attr(obj, CKA_COPYABLE, CK_FALSE);
		assert_int_equal(apply1(obj, CKA_DESTROYABLE, &no, copy), CKR_OK);
		assert_int_equal(apply1(obj, CKA_DESTROYABLE, &yes, copy), CKR_ATTRIBUTE_READ_ONLY);
		assert_bool_attr(obj, CKA_DESTROYABLE, CK_FALSE);
		object_free(obj);

		obj = secret_with(CK_FALSE, CK_TRUE);
		assert_int_equal(apply1(obj, CKA_SENSITIVE, &yes, copy), CKR_OK);
		assert_bool_attr(obj, CKA_SENSITIVE, CK_TRUE);
		assert_int_equal(apply1(obj, CKA_SENSITIVE, &no, copy), CKR_ATTRIBUTE_READ_ONLY);
		assert_int_equal(apply1(obj, CKA_EXTRACTABLE, &no, copy), CKR_OK);
		assert_bool_attr(obj, CKA_EXTRACTABLE, CK_FALSE);
		assert_int_equal(apply1(obj, CKA_EXTRACTABLE, &yes, copy), CKR_ATTRIBUTE_READ_ONLY);
		object_free(obj);
	}
}

static void test_apply_modifiable_false(void **state)
{
	uint8_t new_label[] = { 'n', 'e', 'w' };
	CK_ATTRIBUTE t[MAX_T], a;
	CK_ULONG n;
	object *obj;

	(void)state;
	n = t_aes(t);
	t[n++] = ATTR(CKA_MODIFIABLE, no);
	t[n++] = ATTR(CKA_SENSITIVE, no);
	obj = create_ok(t, n, 0);
	a = ATTR_BYTES(CKA_LABEL, new_label);
	assert_int_equal(object_apply(obj, &a, 1, 0, 0), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(object_apply(obj, &a, 1, 0, 1), CKR_ATTRIBUTE_READ_ONLY);
	/* A copy of it keeps its attributes but for the copy-time ones. */
	assert_int_equal(object_apply(obj, &a, 1, 1, 0), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(apply1(obj, CKA_ENCRYPT, &yes, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(apply1(obj, CKA_SENSITIVE, &yes, 0), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(apply1(obj, CKA_ENCRYPT, &yes, 0), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(apply1(obj, CKA_MODIFIABLE, &yes, 0), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(apply1(obj, CKA_MODIFIABLE, &yes, 1), CKR_ATTRIBUTE_READ_ONLY);
	assert_bool_attr(obj, CKA_SENSITIVE, CK_FALSE);
	assert_bool_attr(obj, CKA_MODIFIABLE, CK_FALSE);
	assert_bytes_attr(obj, CKA_LABEL, NULL, 0);
	object_free(obj);

	/* A modifiable object: the same changes go through; in a copy
	 * CKA_MODIFIABLE may go TRUE -> FALSE. */
	n = t_aes(t);
	obj = create_ok(t, n, 0);
	assert_int_equal(object_apply(obj, &a, 1, 0, 0), CKR_OK);
	assert_bytes_attr(obj, CKA_LABEL, new_label, sizeof(new_label));
	assert_int_equal(apply1(obj, CKA_ENCRYPT, &yes, 0), CKR_OK);
	assert_bool_attr(obj, CKA_ENCRYPT, CK_TRUE);
	assert_int_equal(apply1(obj, CKA_MODIFIABLE, &no, 0), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(apply1(obj, CKA_MODIFIABLE, &no, 1), CKR_OK);
	assert_bool_attr(obj, CKA_MODIFIABLE, CK_FALSE);
	object_free(obj);
}

static void test_apply_copy_token_private(void **state)
{
	CK_ATTRIBUTE t[MAX_T], a[2];
	CK_ULONG n;
	object *obj;

	(void)state;
	n = t_data(t);
	obj = create_ok(t, n, 0);
	a[0] = ATTR(CKA_TOKEN, yes);
	a[1] = ATTR(CKA_PRIVATE, yes);
	/* C_SetAttributeValue may not change them... */
	assert_int_equal(object_apply(obj, &a[0], 1, 0, 0), CKR_ATTRIBUTE_READ_ONLY);
	assert_int_equal(object_apply(obj, &a[1], 1, 0, 0), CKR_ATTRIBUTE_READ_ONLY);
	assert_false(obj->is_token);
	assert_false(obj->is_private);
	/* ...C_CopyObject may, and the cached flags follow. */
	assert_int_equal(object_apply(obj, a, 2, 1, 0), CKR_OK);
	assert_bool_attr(obj, CKA_TOKEN, CK_TRUE);
	assert_bool_attr(obj, CKA_PRIVATE, CK_TRUE);
	assert_true(obj->is_token);
	assert_true(obj->is_private);
	object_free(obj);

	/* Even from an object that is not modifiable. */
	n = t_data(t);
	t[n++] = ATTR(CKA_MODIFIABLE, no);
	obj = create_ok(t, n, 0);
	assert_int_equal(object_apply(obj, a, 2, 1, 0), CKR_OK);
	assert_true(obj->is_token);
	object_free(obj);
}

static void test_apply_read_only_and_invalid(void **state)
{
	CK_ULONG vlen = 16;
	CK_ATTRIBUTE t[MAX_T], a;
	CK_ULONG n;
	object *obj;
	int copy;

	(void)state;
	n = t_aes(t);
	obj = create_ok(t, n, 0);
	for (copy = 0; copy <= 1; copy++) {
		assert_int_equal(apply1(obj, CKA_LOCAL, &yes, copy), CKR_ATTRIBUTE_READ_ONLY);
		assert_int_equal(apply1(obj, CKA_ALWAYS_SENSITIVE, &yes, copy),
				 CKR_ATTRIBUTE_READ_ONLY);
		assert_int_equal(apply1(obj, CKA_NEVER_EXTRACTABLE, &yes, copy),
				 CKR_ATTRIBUTE_READ_ONLY);
		a = ATTR(CKA_VALUE_LEN, vlen);
		assert_int_equal(object_apply(obj, &a, 1, copy, 0), CKR_ATTRIBUTE_READ_ONLY);
		a = ATTR(CKA_CLASS, cls_data);
		assert_int_equal(object_apply(obj, &a, 1, copy, 0), CKR_ATTRIBUTE_READ_ONLY);
		a = ATTR(CKA_KEY_TYPE, kt_generic);
		assert_int_equal(object_apply(obj, &a, 1, copy, 0), CKR_ATTRIBUTE_READ_ONLY);
		a = (CK_ATTRIBUTE){ CKA_VALUE, aes_key, 16 };
		assert_int_equal(object_apply(obj, &a, 1, copy, 0), CKR_ATTRIBUTE_READ_ONLY);
		assert_int_equal(apply1(obj, CKA_TRUSTED, &yes, copy), CKR_ATTRIBUTE_READ_ONLY);
		a = ATTR_BYTES(CKA_MODULUS, modulus);
		assert_int_equal(object_apply(obj, &a, 1, copy, 0), CKR_ATTRIBUTE_TYPE_INVALID);
		assert_int_equal(apply1(obj, CKA_ENCRYPT, &two, copy), CKR_ATTRIBUTE_VALUE_INVALID);
	}
	/* Nothing changed. */
	assert_bool_attr(obj, CKA_LOCAL, CK_FALSE);
	assert_bool_attr(obj, CKA_ENCRYPT, CK_FALSE);
	assert_bool_attr(obj, CKA_TRUSTED, CK_FALSE);
	assert_ulong_attr(obj, CKA_VALUE_LEN, 32);
	assert_bytes_attr(obj, CKA_VALUE, aes_key, 32);
	object_free(obj);
}

/* ---- visibility and matching ---- */

static void test_hidden(void **state)
{
	static const CK_ATTRIBUTE_TYPE rsa_secrets[] = { CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
							 CKA_PRIME_2,          CKA_EXPONENT_1,
							 CKA_EXPONENT_2,       CKA_COEFFICIENT };
	CK_ATTRIBUTE t[MAX_T];
	object *obj;
	size_t i;

	(void)state;
	obj = secret_with(CK_TRUE, CK_TRUE);
	assert_true(object_hidden(obj, object_rule(obj, CKA_VALUE)));
	assert_false(object_hidden(obj, object_rule(obj, CKA_LABEL)));
	assert_false(object_hidden(obj, object_rule(obj, CKA_VALUE_LEN)));
	object_free(obj);
	obj = secret_with(CK_FALSE, CK_FALSE);
	assert_true(object_hidden(obj, object_rule(obj, CKA_VALUE)));
	object_free(obj);
	obj = secret_with(CK_FALSE, CK_TRUE);
	assert_false(object_hidden(obj, object_rule(obj, CKA_VALUE)));
	object_free(obj);

	obj = create_ok(t, t_priv_rsa(t), 0);
	for (i = 0; i < NELEM(rsa_secrets); i++)
		assert_true(object_hidden(obj, object_rule(obj, rsa_secrets[i])));
	assert_false(object_hidden(obj, object_rule(obj, CKA_MODULUS)));
	assert_false(object_hidden(obj, object_rule(obj, CKA_PUBLIC_EXPONENT)));
	object_free(obj);

	obj = create_ok(t, t_priv_ec(t), 0);
	assert_true(object_hidden(obj, object_rule(obj, CKA_VALUE)));
	assert_false(object_hidden(obj, object_rule(obj, CKA_EC_PARAMS)));
	object_free(obj);

	/* A data object's and a certificate's value are not key material. */
	obj = create_ok(t, t_data(t), 0);
	assert_false(object_hidden(obj, object_rule(obj, CKA_VALUE)));
	object_free(obj);
	obj = create_ok(t, t_cert(t), 0);
	assert_false(object_hidden(obj, object_rule(obj, CKA_VALUE)));
	object_free(obj);
}

static void test_matches(void **state)
{
	uint8_t longer[] = { 'l', 'a', 'b', 'e', 'l', '!' };
	CK_ATTRIBUTE t[MAX_T], q[4];
	CK_ULONG n;
	object *obj;

	(void)state;
	n = t_data(t);
	t[n++] = ATTR_BYTES(CKA_LABEL, label);
	t[n++] = ATTR_BYTES(CKA_VALUE, data_value);
	obj = create_ok(t, n, 0);
	assert_true(object_matches(obj, NULL, 0));
	assert_true(object_matches(obj, t, n));
	q[0] = ATTR_BYTES(CKA_LABEL, label);
	assert_true(object_matches(obj, q, 1));
	/* Exact length: a prefix or a longer value does not match. */
	q[0].ulValueLen = sizeof(label) - 1;
	assert_false(object_matches(obj, q, 1));
	q[0] = ATTR_BYTES(CKA_LABEL, longer); /* same first bytes */
	assert_false(object_matches(obj, q, 1));
	q[0] = (CK_ATTRIBUTE){ CKA_LABEL, NULL, sizeof(label) };
	assert_false(object_matches(obj, q, 1));
	/* An empty value matches an empty template value. */
	q[0] = (CK_ATTRIBUTE){ CKA_APPLICATION, NULL, 0 };
	assert_true(object_matches(obj, q, 1));
	/* All entries must match. */
	q[0] = ATTR_BYTES(CKA_LABEL, label);
	q[1] = ATTR(CKA_TOKEN, yes);
	assert_false(object_matches(obj, q, 2));
	q[1] = ATTR(CKA_TOKEN, no);
	assert_true(object_matches(obj, q, 2));
	q[2] = ATTR(CKA_CLASS, cls_data);
	assert_true(object_matches(obj, q, 3));
	q[2] = ATTR(CKA_CLASS, cls_secret);
	assert_false(object_matches(obj, q, 3));
	/* A type the object does not have never matches. */
	q[0] = ATTR(CKA_SENSITIVE, no);
	assert_false(object_matches(obj, q, 1));
	q[0] = (CK_ATTRIBUTE){ CKA_VENDOR_DEFINED, NULL, 0 };
	assert_false(object_matches(obj, q, 1));
	object_free(obj);

	/* Hidden values never match, even the right value. */
	obj = secret_with(CK_TRUE, CK_TRUE);
	q[0] = ATTR_BYTES(CKA_VALUE, aes_key);
	assert_false(object_matches(obj, q, 1));
	q[0] = ATTR(CKA_KEY_TYPE, kt_aes);
	assert_true(object_matches(obj, q, 1));
	object_free(obj);
	obj = secret_with(CK_FALSE, CK_TRUE);
	q[0] = ATTR_BYTES(CKA_VALUE, aes_key);
	assert_true(object_matches(obj, q, 1));
	object_free(obj);
}

/* ---- clone ---- */

static void test_clone(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	object *obj, *copy;
	obj_value *v;
	uint8_t *rec;
	size_t len;

	(void)state;
	n = t_priv_rsa(t);
	t[n++] = ATTR_BYTES(CKA_LABEL, label);
	t[n++] = ATTR_BYTES(CKA_PRIME_1, prime1);
	t[n++] = ATTR(CKA_TOKEN, yes);
	obj = create_ok(t, n, 0);
	obj->handle = 1234;
	assert_int_equal(object_clone(obj, &copy), CKR_OK);
	assert_same_values(obj, copy);
	assert_int_equal(copy->handle, 0);
	assert_int_equal(copy->idx[0].linked, 0);
	/* Deep: the values are separate memory. */
	v = object_value(copy, CKA_LABEL);
	assert_ptr_not_equal(v->value, object_value(obj, CKA_LABEL)->value);
	v->value[0] = 'X';
	assert_bytes_attr(obj, CKA_LABEL, label, sizeof(label));
	object_free(copy);

	/* A stored, locked object: the copy keeps the sealed forms and opens
	 * like the original. */
	obj->id = 88;
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);
	port_free_secret(rec, len);
	object_lock(obj);
	assert_int_equal(object_clone(obj, &copy), CKR_OK);
	v = object_value(copy, CKA_PRIVATE_EXPONENT);
	assert_null(v->value);
	assert_int_equal(v->len, sizeof(priv_exp));
	assert_non_null(v->sealed);
	assert_ptr_not_equal(v->sealed, object_value(obj, CKA_PRIVATE_EXPONENT)->sealed);
	assert_int_equal(object_unseal(copy, tmk), CKR_OK);
	assert_bytes_attr(copy, CKA_PRIVATE_EXPONENT, priv_exp, sizeof(priv_exp));
	assert_bytes_attr(copy, CKA_PRIME_1, prime1, sizeof(prime1));
	object_free(copy);
	object_free(obj);
}

/* ---- the stored record ---- */

static void test_encode_decode_public(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	object *obj, *back;
	uint8_t *rec;
	size_t len, i;

	(void)state;
	n = t_data(t);
	t[n++] = ATTR(CKA_TOKEN, yes);
	t[n++] = ATTR_BYTES(CKA_LABEL, label);
	t[n++] = ATTR_BYTES(CKA_VALUE, data_value);
	obj = create_ok(t, n, 0);
	obj->id = 77;
	assert_int_equal(object_encode(obj, NULL, &rec, &len), CKR_OK);
	assert_int_equal(len, object_size(obj));
	/* A public object is stored in clear. */
	assert_true(contains(rec, len, data_value, sizeof(data_value)));
	assert_int_equal(object_decode(77, rec, len, &back), CKR_OK);
	assert_int_equal(back->id, 77);
	assert_int_equal(back->handle, 0);
	assert_same_values(obj, back);
	for (i = 0; i < back->n; i++)
		assert_null(back->v[i].sealed);
	assert_true(back->is_token);
	assert_false(back->is_private);
	/* Nothing sealed: lock and unseal change nothing. */
	object_lock(back);
	assert_int_equal(object_unseal(back, NULL), CKR_OK);
	assert_same_values(obj, back);
	object_free(back);
	port_free_secret(rec, len);
	object_free(obj);

	/* A public key and a certificate too. */
	n = t_pub_rsa(t);
	t[n++] = ATTR(CKA_TOKEN, yes);
	obj = create_ok(t, n, 0);
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);
	assert_int_equal(object_decode(5, rec, len, &back), CKR_OK);
	assert_same_values(obj, back);
	assert_ulong_attr(back, CKA_MODULUS_BITS, 2048);
	object_free(back);
	port_free_secret(rec, len);
	object_free(obj);
	n = t_cert(t);
	t[n++] = ATTR(CKA_TOKEN, yes);
	obj = create_ok(t, n, 0);
	assert_int_equal(object_encode(obj, NULL, &rec, &len), CKR_OK);
	assert_int_equal(object_decode(6, rec, len, &back), CKR_OK);
	assert_same_values(obj, back);
	object_free(back);
	port_free_secret(rec, len);
	object_free(obj);
}

static void test_decode_session_object_refused(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	object *obj, *back = NULL;
	uint8_t *rec;
	size_t len;

	(void)state;
	obj = create_ok(t, t_data(t), 0);
	assert_int_equal(object_encode(obj, NULL, &rec, &len), CKR_OK);
	assert_int_equal(object_decode(1, rec, len, &back), CKR_DEVICE_ERROR);
	assert_null(back);
	port_free_secret(rec, len);
	object_free(obj);
}

static object *private_token_aes(uint64_t id)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n = t_aes(t);
	object *obj;

	t[n++] = ATTR(CKA_TOKEN, yes);
	t[n++] = ATTR(CKA_PRIVATE, yes);
	t[n++] = ATTR_BYTES(CKA_LABEL, label);
	obj = create_ok(t, n, 0);
	obj->id = id;
	return obj;
}

static void test_encode_decode_private(void **state)
{
	object *obj, *back;
	obj_value *v;
	uint8_t *rec, *rec2;
	size_t len, len2, off;

	(void)state;
	obj = private_token_aes(42);
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);
	assert_int_equal(len, object_size(obj));
	/* The key is not in the record, not even 8 bytes of it. */
	for (off = 0; off + 8 <= sizeof(aes_key); off++)
		assert_false(contains(rec, len, aes_key + off, 8));
	assert_false(contains(rec, len, tmk, 8));
	/* Its label is (not A_SEAL). */
	assert_true(contains(rec, len, label, sizeof(label)));
	/* The object keeps what it stored. */
	v = object_value(obj, CKA_VALUE);
	assert_non_null(v->sealed);
	assert_int_equal(v->sealed_len, sizeof(aes_key) + SEAL_OVERHEAD);
	assert_non_null(v->value);

	assert_int_equal(object_decode(42, rec, len, &back), CKR_OK);
	assert_true(back->is_token);
	assert_true(back->is_private);
	v = object_value(back, CKA_VALUE);
	assert_null(v->value); /* sealed until unsealed */
	assert_int_equal(v->len, sizeof(aes_key));
	assert_non_null(v->sealed);
	assert_bytes_attr(back, CKA_LABEL, label, sizeof(label));
	assert_ulong_attr(back, CKA_VALUE_LEN, sizeof(aes_key));
	/* Another TMK: refused, still sealed. */
	assert_int_equal(object_unseal(back, tmk2), CKR_DEVICE_ERROR);
	assert_null(object_value(back, CKA_VALUE)->value);
	/* The right one. */
	assert_int_equal(object_unseal(back, tmk), CKR_OK);
	assert_bytes_attr(back, CKA_VALUE, aes_key, sizeof(aes_key));
	assert_int_equal(object_unseal(back, tmk), CKR_OK); /* idempotent */
	assert_same_values(obj, back);
	/* Logout. */
	object_lock(back);
	assert_null(object_value(back, CKA_VALUE)->value);
	assert_int_equal(object_value(back, CKA_VALUE)->len, sizeof(aes_key));
	assert_bytes_attr(back, CKA_LABEL, label, sizeof(label));
	assert_int_equal(object_unseal(back, tmk), CKR_OK);
	assert_bytes_attr(back, CKA_VALUE, aes_key, sizeof(aes_key));
	object_free(back);

	/* The record moved to another id does not open. */
	assert_int_equal(object_decode(43, rec, len, &back), CKR_OK);
	assert_int_equal(object_unseal(back, tmk), CKR_DEVICE_ERROR);
	assert_null(object_value(back, CKA_VALUE)->value);
	object_free(back);

	/* The created object locks too, once it has been stored. */
	object_lock(obj);
	assert_null(object_value(obj, CKA_VALUE)->value);
	assert_int_equal(object_unseal(obj, tmk), CKR_OK);
	assert_bytes_attr(obj, CKA_VALUE, aes_key, sizeof(aes_key));

	/* Each write seals afresh. */
	assert_int_equal(object_encode(obj, tmk, &rec2, &len2), CKR_OK);
	assert_int_equal(len2, len);
	assert_memory_not_equal(rec, rec2, len);
	assert_int_equal(object_decode(42, rec2, len2, &back), CKR_OK);
	assert_int_equal(object_unseal(back, tmk), CKR_OK);
	assert_same_values(obj, back);
	object_free(back);
	port_free_secret(rec2, len2);
	port_free_secret(rec, len);
	object_free(obj);
}

static void test_encode_private_rsa(void **state)
{
	static const CK_ATTRIBUTE_TYPE sealed[] = { CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
						    CKA_PRIME_2,          CKA_EXPONENT_1,
						    CKA_EXPONENT_2,       CKA_COEFFICIENT };
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	object *obj, *back;
	uint8_t *rec;
	size_t len, i;

	(void)state;
	n = t_priv_rsa(t);
	t[n++] = ATTR(CKA_TOKEN, yes);
	t[n++] = ATTR_BYTES(CKA_PRIME_1, prime1);
	t[n++] = ATTR_BYTES(CKA_PRIME_2, prime2);
	obj = create_ok(t, n, 0);
	obj->id = 1000;
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);
	assert_false(contains(rec, len, priv_exp, 16));
	assert_false(contains(rec, len, prime1, 16));
	assert_false(contains(rec, len, prime2, 16));
	assert_true(contains(rec, len, modulus, sizeof(modulus)));
	assert_int_equal(object_decode(1000, rec, len, &back), CKR_OK);
	/* Every A_SEAL value is sealed, empty ones included. */
	for (i = 0; i < NELEM(sealed); i++) {
		obj_value *v = object_value(back, sealed[i]);

		assert_non_null(v->sealed);
		assert_null(v->value);
	}
	assert_null(object_value(back, CKA_MODULUS)->sealed);
	assert_int_equal(object_unseal(back, tmk), CKR_OK);
	assert_same_values(obj, back);
	object_free(back);
	port_free_secret(rec, len);
	object_free(obj);
}

static void test_private_empty_value_still_authenticated(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	object *obj, *back;
	uint8_t *rec;
	size_t len;

	(void)state;
	n = t_data(t);
	t[n++] = ATTR(CKA_TOKEN, yes);
	t[n++] = ATTR(CKA_PRIVATE, yes);
	obj = create_ok(t, n, 0);
	obj->id = 9;
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);
	assert_int_equal(object_decode(9, rec, len, &back), CKR_OK);
	assert_non_null(object_value(back, CKA_VALUE)->sealed);
	assert_int_equal(object_value(back, CKA_VALUE)->len, 0);
	assert_int_equal(object_unseal(back, tmk2), CKR_DEVICE_ERROR);
	assert_int_equal(object_unseal(back, tmk), CKR_OK);
	object_free(back);
	port_free_secret(rec, len);
	object_free(obj);
}

static void test_encode_private_needs_tmk(void **state)
{
	object *obj;
	uint8_t *rec = NULL;
	size_t len = 0;

	(void)state;
	obj = private_token_aes(3);
	assert_int_equal(object_encode(obj, NULL, &rec, &len), CKR_USER_NOT_LOGGED_IN);
	assert_null(rec);
	assert_null(object_value(obj, CKA_VALUE)->sealed);
	/* A locked object cannot be written either: its clear values are gone. */
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);
	port_free_secret(rec, len);
	rec = NULL;
	object_lock(obj);
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_USER_NOT_LOGGED_IN);
	assert_null(rec);
	/* A private session object never needs it (nothing is sealed). */
	object_free(obj);
	{
		CK_ATTRIBUTE t[MAX_T];
		CK_ULONG n = t_aes(t);

		t[n++] = ATTR(CKA_PRIVATE, yes);
		obj = create_ok(t, n, 0);
		assert_int_equal(object_encode(obj, NULL, &rec, &len), CKR_OK);
		assert_true(contains(rec, len, aes_key, sizeof(aes_key)));
		port_free_secret(rec, len);
		object_free(obj);
	}
}

/* A decoded record as an editable list of codec attributes, and its MAC
 * (which rec_decode writes back as it was: a tamperer cannot compute it). */
struct rec_attrs {
	codec_attr a[CODEC_MAX_ATTRS];
	uint8_t *copies[CODEC_MAX_ATTRS];
	size_t n;
	int has_mac;
	uint8_t mac[CODEC_MAC_LEN];
};

static CK_RV collect(void *ctx, const codec_attr *attr)
{
	struct rec_attrs *r = ctx;
	uint8_t *copy = malloc(attr->len ? attr->len : 1);

	assert_non_null(copy);
	if (attr->len > 0)
		memcpy(copy, attr->value, attr->len);
	r->copies[r->n] = copy;
	r->a[r->n] = *attr;
	r->a[r->n].value = copy;
	r->n++;
	return CKR_OK;
}

static void rec_split(const uint8_t *rec, size_t len, struct rec_attrs *r)
{
	codec_info info;

	memset(r, 0, sizeof(*r));
	assert_int_equal(codec_decode(rec, len, collect, r), CKR_OK);
	assert_int_equal(codec_check_info(rec, len, &info), CKR_OK);
	r->has_mac = info.has_mac;
	if (info.has_mac)
		memcpy(r->mac, info.mac, CODEC_MAC_LEN);
}

static CK_RV old_mac(void *ctx, const uint8_t digest[CODEC_DIGEST_LEN], uint8_t mac[CODEC_MAC_LEN])
{
	const struct rec_attrs *r = ctx;

	(void)digest;
	memcpy(mac, r->mac, CODEC_MAC_LEN);
	return CKR_OK;
}

static codec_attr *rec_find(struct rec_attrs *r, CK_ATTRIBUTE_TYPE type)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->a[i].type == type)
			return &r->a[i];
	fail_msg("attribute 0x%lx not in the record", (unsigned long)type);
	return NULL;
}

/* The editable bytes of an attribute's value in r. */
static uint8_t *rec_bytes(struct rec_attrs *r, CK_ATTRIBUTE_TYPE type)
{
	return r->copies[rec_find(r, type) - r->a];
}

/* Re-encodes r (a well-formed record: only its content is wrong) and
 * decodes it as an object. */
static CK_RV rec_decode(struct rec_attrs *r, uint64_t id, object **out)
{
	uint8_t *rec;
	size_t len, i;
	CK_RV rv;

	if (r->has_mac)
		assert_int_equal(codec_encode_mac(r->a, r->n, old_mac, r, &rec, &len), CKR_OK);
	else
		assert_int_equal(codec_encode(r->a, r->n, &rec, &len), CKR_OK);
	*out = NULL;
	rv = object_decode(id, rec, len, out);
	port_free_secret(rec, len);
	for (i = 0; i < r->n; i++)
		free(r->copies[i]);
	r->n = 0;
	return rv;
}

static void test_decode_tampered_flags(void **state)
{
	object *obj, *back;
	struct rec_attrs r;
	uint8_t *rec;
	size_t len;

	(void)state;
	obj = private_token_aes(50);
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);

	/* Untouched, the round trip through rec_decode works. */
	rec_split(rec, len, &r);
	assert_int_equal(rec_decode(&r, 50, &back), CKR_OK);
	assert_int_equal(object_unseal(back, tmk), CKR_OK);
	object_free(back);

	/* CKA_PRIVATE turned FALSE, sealed blob kept: refused at load. */
	rec_split(rec, len, &r);
	assert_int_equal(rec_bytes(&r, CKA_PRIVATE)[0], 1);
	rec_bytes(&r, CKA_PRIVATE)[0] = 0;
	assert_int_equal(rec_decode(&r, 50, &back), CKR_DEVICE_ERROR);
	assert_null(back);

	/* CKA_TOKEN turned FALSE: not a token object. */
	rec_split(rec, len, &r);
	rec_bytes(&r, CKA_TOKEN)[0] = 0;
	assert_int_equal(rec_decode(&r, 50, &back), CKR_DEVICE_ERROR);

	/* CKA_SENSITIVE turned FALSE or CKA_EXTRACTABLE TRUE: loads, but the
	 * sealed value is bound to the old access control and does not open
	 * (SECURITY.md row 19). */
	rec_split(rec, len, &r);
	rec_bytes(&r, CKA_SENSITIVE)[0] = 0;
	assert_int_equal(rec_decode(&r, 50, &back), CKR_OK);
	assert_int_equal(object_unseal(back, tmk), CKR_DEVICE_ERROR);
	assert_null(object_value(back, CKA_VALUE)->value);
	object_free(back);
	rec_split(rec, len, &r);
	rec_bytes(&r, CKA_EXTRACTABLE)[0] = 1;
	assert_int_equal(rec_decode(&r, 50, &back), CKR_OK);
	assert_int_equal(object_unseal(back, tmk), CKR_DEVICE_ERROR);
	object_free(back);

	/* The sealed blob altered: loads, does not open. */
	rec_split(rec, len, &r);
	rec_bytes(&r, CKA_VALUE)[20] ^= 0x01;
	assert_int_equal(rec_decode(&r, 50, &back), CKR_OK);
	assert_int_equal(object_unseal(back, tmk), CKR_DEVICE_ERROR);
	object_free(back);

	port_free_secret(rec, len);
	object_free(obj);
}

static void test_decode_clear_where_sealed_required(void **state)
{
	object *obj, *back;
	struct rec_attrs r;
	codec_attr *a;
	uint8_t *rec;
	size_t len;

	(void)state;
	obj = private_token_aes(60);
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);

	/* The sealed value swapped for a clear key of the attacker's choice. */
	rec_split(rec, len, &r);
	a = rec_find(&r, CKA_VALUE);
	assert_int_equal(a->sealed, 1);
	a->sealed = 0;
	a->value = aes_key;
	a->len = sizeof(aes_key);
	assert_int_equal(rec_decode(&r, 60, &back), CKR_DEVICE_ERROR);
	assert_null(back);

	/* A sealed form for an attribute that is never sealed. */
	rec_split(rec, len, &r);
	a = rec_find(&r, CKA_LABEL);
	a->sealed = 1;
	a->value = rec_find(&r, CKA_VALUE)->value;
	a->len = rec_find(&r, CKA_VALUE)->len;
	assert_int_equal(rec_decode(&r, 60, &back), CKR_DEVICE_ERROR);

	/* A sealed value too short to hold nonce and tag. */
	rec_split(rec, len, &r);
	rec_find(&r, CKA_VALUE)->len = SEAL_OVERHEAD - 1;
	assert_int_equal(rec_decode(&r, 60, &back), CKR_DEVICE_ERROR);
	port_free_secret(rec, len);
	object_free(obj);

	/* A public token object whose value claims to be sealed. */
	{
		CK_ATTRIBUTE t[MAX_T];
		CK_ULONG n = t_data(t);

		t[n++] = ATTR(CKA_TOKEN, yes);
		t[n++] = ATTR_BYTES(CKA_VALUE, data_value);
		obj = create_ok(t, n, 0);
		assert_int_equal(object_encode(obj, NULL, &rec, &len), CKR_OK);
		rec_split(rec, len, &r);
		rec_find(&r, CKA_VALUE)->sealed = 1;
		assert_int_equal(rec_decode(&r, 61, &back), CKR_DEVICE_ERROR);
		port_free_secret(rec, len);
		object_free(obj);
	}
}

static void test_decode_garbage(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	object *obj, *back;
	struct rec_attrs r;
	uint8_t *rec;
	size_t len, i;

	(void)state;
	n = t_data(t);
	t[n++] = ATTR(CKA_TOKEN, yes);
	obj = create_ok(t, n, 0);
	assert_int_equal(object_encode(obj, NULL, &rec, &len), CKR_OK);

	/* An attribute the kind does not have. */
	rec_split(rec, len, &r);
	rec_find(&r, CKA_LABEL)->type = CKA_MODULUS;
	assert_int_equal(rec_decode(&r, 1, &back), CKR_DEVICE_ERROR);
	/* No class. */
	rec_split(rec, len, &r);
	rec_find(&r, CKA_CLASS)->type = CKA_VENDOR_DEFINED;
	assert_int_equal(rec_decode(&r, 1, &back), CKR_DEVICE_ERROR);
	/* A class we do not store. */
	rec_split(rec, len, &r);
	memcpy(rec_bytes(&r, CKA_CLASS), &cls_hw, sizeof(cls_hw));
	assert_int_equal(rec_decode(&r, 1, &back), CKR_DEVICE_ERROR);
	/* A key class without a key type. */
	rec_split(rec, len, &r);
	memcpy(rec_bytes(&r, CKA_CLASS), &cls_secret, sizeof(cls_secret));
	assert_int_equal(rec_decode(&r, 1, &back), CKR_DEVICE_ERROR);
	/* A boolean that is not 0 or 1. */
	rec_split(rec, len, &r);
	rec_bytes(&r, CKA_MODIFIABLE)[0] = 2;
	assert_int_equal(rec_decode(&r, 1, &back), CKR_DEVICE_ERROR);
	/* A boolean of two bytes. */
	rec_split(rec, len, &r);
	rec_find(&r, CKA_TOKEN)->len = 2;
	rec_find(&r, CKA_TOKEN)->value = (const uint8_t *)"\x01\x00";
	assert_int_equal(rec_decode(&r, 1, &back), CKR_DEVICE_ERROR);
	/* Any flipped bit in the record. */
	for (i = 0; i < len * 8; i += 7) {
		rec[i / 8] ^= (uint8_t)(1u << (i % 8));
		back = NULL;
		assert_int_equal(object_decode(1, rec, len, &back), CKR_DEVICE_ERROR);
		assert_null(back);
		rec[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	port_free_secret(rec, len);
	object_free(obj);
}

/* Regression (found by this file, fixed in b7682de): the kind was taken
 * from the first CKA_CLASS entry of a record (stored_ulong) but the value
 * kept was the last one, so a record loaded as an AES key whose CKA_CLASS
 * said CKO_DATA; the AAD binds the kind, not the class value, so the sealed
 * key still opened. A record naming an attribute twice is refused. */
static void test_decode_duplicate_attribute(void **state)
{
	object *obj, *back;
	struct rec_attrs r;
	uint8_t *rec;
	size_t len;
	CK_RV rv;
	int consistent = 1;

	(void)state;
	obj = private_token_aes(70);
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);
	rec_split(rec, len, &r);
	r.copies[r.n] = malloc(sizeof(CK_OBJECT_CLASS));
	assert_non_null(r.copies[r.n]);
	memcpy(r.copies[r.n], &cls_data, sizeof(cls_data));
	r.a[r.n] = (codec_attr){ CKA_CLASS, 0, r.copies[r.n], sizeof(cls_data) };
	r.n++;
	rv = rec_decode(&r, 70, &back);
	if (rv == CKR_OK) {
		/* What it loaded as, before the assertion (no leak on failure). */
		consistent = back->kind == KIND_SECRET_AES &&
			     object_ulong(back, CKA_CLASS) == CKO_SECRET_KEY;
		print_message("loaded: kind %d, CKA_CLASS 0x%lx, unseal 0x%lx\n", (int)back->kind,
			      (unsigned long)object_ulong(back, CKA_CLASS),
			      (unsigned long)object_unseal(back, tmk));
		object_free(back);
	}
	assert_true(consistent);
	assert_int_equal(rv, CKR_DEVICE_ERROR);

	/* Any attribute twice, even with the same value: the sealed value, a
	 * flag. */
	rec_split(rec, len, &r);
	r.a[r.n] = *rec_find(&r, CKA_VALUE);
	r.copies[r.n++] = NULL;
	assert_int_equal(rec_decode(&r, 70, &back), CKR_DEVICE_ERROR);
	assert_null(back);
	rec_split(rec, len, &r);
	r.a[r.n] = *rec_find(&r, CKA_SENSITIVE);
	r.copies[r.n++] = NULL;
	assert_int_equal(rec_decode(&r, 70, &back), CKR_DEVICE_ERROR);
	port_free_secret(rec, len);
	object_free(obj);
}

/* ---- the record MAC of private objects (seal.h, codec.h) ---- */

/* Recomputes the unkeyed check of a record, as a tamperer can. */
static void reseal(uint8_t *rec, size_t len)
{
	uint8_t digest[CRYPTO_SHA256_LEN];
	size_t body = len - 16 - ((rec[6] & CODEC_F_MAC) ? CODEC_MAC_LEN : 0);

	assert_int_equal(crypto_sha256(rec, body, digest), CKR_OK);
	memcpy(rec + body, digest, 16);
}

/* A private public key: no sealed value at all, so only the MAC protects
 * its record (before the MAC, nothing did). */
static object *private_token_pub_rsa(uint64_t id)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n = t_pub_rsa(t);
	object *obj;

	t[n++] = ATTR(CKA_TOKEN, yes);
	t[n++] = ATTR(CKA_PRIVATE, yes);
	t[n++] = ATTR_BYTES(CKA_LABEL, label);
	obj = create_ok(t, n, 0);
	obj->id = id;
	return obj;
}

static void test_record_mac_right_key(void **state)
{
	object *obj, *back, *copy;
	codec_info info;
	uint8_t *rec;
	size_t len;

	(void)state;
	obj = private_token_pub_rsa(501);
	assert_int_equal(object_encode(obj, NULL, &rec, &len), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);
	assert_int_equal(len, object_size(obj));
	assert_int_equal(obj->auth.state, OBJ_AUTH_OK);
	assert_int_equal(codec_check_info(rec, len, &info), CKR_OK);
	assert_int_equal(info.version, CODEC_VERSION);
	assert_true(info.has_mac);
	assert_memory_equal(info.mac, obj->auth.mac, CODEC_MAC_LEN);
	assert_int_equal(object_decode(501, rec, len, &back), CKR_OK);
	assert_int_equal(back->auth.state, OBJ_AUTH_PENDING);
	/* A clone carries what is still to check. */
	assert_int_equal(object_clone(back, &copy), CKR_OK);
	assert_int_equal(copy->auth.state, OBJ_AUTH_PENDING);
	assert_int_equal(object_unseal(copy, tmk2), CKR_DEVICE_ERROR);
	object_free(copy);
	/* Not before login. */
	assert_int_equal(object_unseal(back, NULL), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(object_unseal(back, tmk), CKR_OK);
	assert_int_equal(back->auth.state, OBJ_AUTH_OK);
	assert_same_values(obj, back);
	/* Checked once: logout and login again. */
	object_lock(back);
	assert_int_equal(object_unseal(back, tmk), CKR_OK);
	object_free(back);
	port_free_secret(rec, len);

	/* Public objects and private session objects carry none. */
	object_free(obj);
	{
		CK_ATTRIBUTE t[MAX_T];
		CK_ULONG n = t_pub_rsa(t);

		t[n++] = ATTR(CKA_TOKEN, yes);
		obj = create_ok(t, n, 0);
		assert_int_equal(object_encode(obj, NULL, &rec, &len), CKR_OK);
		assert_int_equal(codec_check_info(rec, len, &info), CKR_OK);
		assert_false(info.has_mac);
		assert_int_equal(obj->auth.state, OBJ_AUTH_NONE);
		port_free_secret(rec, len);
		object_free(obj);
		n = t_aes(t);
		t[n++] = ATTR(CKA_PRIVATE, yes);
		obj = create_ok(t, n, 0);
		assert_int_equal(object_encode(obj, NULL, &rec, &len), CKR_OK);
		assert_int_equal(codec_check_info(rec, len, &info), CKR_OK);
		assert_false(info.has_mac);
		assert_int_equal(len, object_size(obj));
		port_free_secret(rec, len);
		object_free(obj);
	}
}

/* Every byte of a private record changed, its check recomputed: the record
 * is refused at load or at unseal, never loaded with another value. */
static void sweep_record(object *obj, uint64_t id)
{
	static const uint8_t patterns[2] = { 0x01, 0xa5 };
	uint8_t *rec, *t;
	size_t len, pos;
	unsigned long at_load = 0, at_unseal = 0;
	int k;

	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);
	t = malloc(len);
	assert_non_null(t);
	for (pos = 0; pos < len; pos++) {
		for (k = 0; k < 2; k++) {
			object *back = NULL;
			CK_RV rv;

			memcpy(t, rec, len);
			t[pos] ^= patterns[k];
			/* The check's own bytes: resealing would put them
			 * back, so change them raw. */
			if (pos < len - 16 - CODEC_MAC_LEN || pos >= len - CODEC_MAC_LEN)
				reseal(t, len);
			rv = object_decode(id, t, len, &back);
			if (rv != CKR_OK) {
				assert_int_equal(rv, CKR_DEVICE_ERROR);
				assert_null(back);
				at_load++;
				continue;
			}
			rv = object_unseal(back, tmk);
			if (rv != CKR_DEVICE_ERROR)
				fail_msg(
					"byte %zu ^ 0x%02x of the record: loads and unseals (0x%lx)",
					pos, patterns[k], (unsigned long)rv);
			at_unseal++;
			object_free(back);
		}
	}
	print_message("%zu-byte record: %lu changes refused at load, %lu at unseal\n", len, at_load,
		      at_unseal);
	assert_true(at_unseal > 0);
	free(t);
	port_free_secret(rec, len);
}

static void test_record_mac_any_byte(void **state)
{
	object *obj;

	(void)state;
	obj = private_token_pub_rsa(502);
	sweep_record(obj, 502);
	object_free(obj);
	obj = private_token_aes(503);
	sweep_record(obj, 503);
	object_free(obj);
}

static void test_record_mac_moved_or_foreign(void **state)
{
	object *obj, *other, *back;
	uint8_t *rec, *rec2;
	size_t len, len2;

	(void)state;
	obj = private_token_pub_rsa(504);
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);
	/* Moved to another object id. */
	assert_int_equal(object_decode(505, rec, len, &back), CKR_OK);
	assert_int_equal(object_unseal(back, tmk), CKR_DEVICE_ERROR);
	assert_int_equal(back->auth.state, OBJ_AUTH_PENDING);
	object_free(back);
	/* Another token (another master key) with the same id. */
	assert_int_equal(object_decode(504, rec, len, &back), CKR_OK);
	assert_int_equal(object_unseal(back, tmk2), CKR_DEVICE_ERROR);
	object_free(back);
	other = private_token_pub_rsa(504);
	assert_int_equal(object_encode(other, tmk2, &rec2, &len2), CKR_OK);
	assert_int_equal(len2, len);
	assert_int_equal(object_decode(504, rec2, len2, &back), CKR_OK);
	assert_int_equal(object_unseal(back, tmk), CKR_DEVICE_ERROR);
	object_free(back);
	/* The other token's MAC on this token's record. */
	memcpy(rec + len - CODEC_MAC_LEN, rec2 + len2 - CODEC_MAC_LEN, CODEC_MAC_LEN);
	assert_int_equal(object_decode(504, rec, len, &back), CKR_OK);
	assert_int_equal(object_unseal(back, tmk), CKR_DEVICE_ERROR);
	object_free(back);
	port_free_secret(rec2, len2);
	port_free_secret(rec, len);
	object_free(other);
	object_free(obj);
}

static void test_record_mac_missing(void **state)
{
	object *obj, *back;
	uint8_t *rec;
	size_t len, nomac;

	(void)state;
	obj = private_token_pub_rsa(506);
	assert_int_equal(object_encode(obj, tmk, &rec, &len), CKR_OK);
	nomac = len - CODEC_MAC_LEN;
	/* The MAC stripped and the check recomputed: loads (public objects
	 * load before login), refused at unseal. */
	rec[6] = 0;
	reseal(rec, nomac);
	assert_int_equal(object_decode(506, rec, nomac, &back), CKR_OK);
	assert_int_equal(back->auth.state, OBJ_AUTH_MISSING);
	assert_int_equal(object_unseal(back, tmk), CKR_DEVICE_ERROR);
	object_free(back);
	/* Written as format 1, which had no MAC: refused the same way, and
	 * told apart (pin_login names it). */
	rec[4] = 1;
	reseal(rec, nomac);
	assert_int_equal(object_decode(506, rec, nomac, &back), CKR_OK);
	assert_int_equal(back->auth.state, OBJ_AUTH_OLD);
	assert_int_equal(object_unseal(back, tmk), CKR_DEVICE_ERROR);
	object_free(back);
	port_free_secret(rec, len);
	object_free(obj);

	/* A public record with a MAC: never written, refused. */
	{
		CK_ATTRIBUTE t[MAX_T];
		CK_ULONG n = t_pub_rsa(t);
		struct rec_attrs r;

		t[n++] = ATTR(CKA_TOKEN, yes);
		obj = create_ok(t, n, 0);
		assert_int_equal(object_encode(obj, NULL, &rec, &len), CKR_OK);
		rec_split(rec, len, &r);
		r.has_mac = 1;
		assert_int_equal(rec_decode(&r, 507, &back), CKR_DEVICE_ERROR);
		assert_null(back);
		port_free_secret(rec, len);
		object_free(obj);
	}
}

/* ---- allocation failure ---- */

/* Runs op with the nth allocation failing for n = 1, 2, ... until it
 * succeeds, then runs on_ok; every failure must be CKR_HOST_MEMORY and leak
 * nothing (the ASan build checks). */
#define SWEEP(label_, op_, on_ok_)                                                              \
	do {                                                                                    \
		unsigned long n_;                                                               \
		CK_RV rv_;                                                                      \
		for (n_ = 1;; n_++) {                                                           \
			port_alloc_fail_after(n_);                                              \
			rv_ = (op_);                                                            \
			port_alloc_fail_after(0);                                               \
			if (rv_ == CKR_OK)                                                      \
				break;                                                          \
			if (rv_ != CKR_HOST_MEMORY)                                             \
				fail_msg("%s: allocation %lu failing gave 0x%lx", (label_), n_, \
					 (unsigned long)rv_);                                   \
			assert_true(n_ < 10000);                                                \
		}                                                                               \
		on_ok_;                                                                         \
	} while (0)

static void test_alloc_failure_sweep(void **state)
{
	CK_ATTRIBUTE t[MAX_T];
	CK_ULONG n;
	size_t k;
	object *obj = NULL, *copy = NULL, *back = NULL;
	uint8_t *rec = NULL;
	size_t len = 0;

	(void)state;
	for (k = 0; k < NELEM(kinds); k++) {
		n = kinds[k].make(t);
		t[n++] = ATTR(CKA_TOKEN, yes);
		t[n++] = ATTR_BYTES(CKA_LABEL, label);
		SWEEP("object_create", object_create(t, n, 0, &obj), (void)0);
		obj->id = 100 + k;
		SWEEP("object_clone", object_clone(obj, &copy), object_free(copy));
		SWEEP("object_encode", object_encode(obj, tmk, &rec, &len), (void)0);
		SWEEP("object_decode", object_decode(100 + k, rec, len, &back), (void)0);
		SWEEP("object_unseal", object_unseal(back, tmk), (void)0);
		assert_same_values(obj, back);
		/* Clone of a locked object (sealed values, no clear ones). */
		object_lock(back);
		SWEEP("object_clone locked", object_clone(back, &copy), object_free(copy));
		object_free(back);
		port_free_secret(rec, len);
		object_free(obj);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults_data, teardown),
		cmocka_unit_test_teardown(test_defaults_cert, teardown),
		cmocka_unit_test_teardown(test_defaults_public_keys, teardown),
		cmocka_unit_test_teardown(test_defaults_private_keys, teardown),
		cmocka_unit_test_teardown(test_defaults_secret_keys, teardown),
		cmocka_unit_test_teardown(test_create_missing_class_or_type, teardown),
		cmocka_unit_test_teardown(test_create_bad_class_value, teardown),
		cmocka_unit_test_teardown(test_create_type_not_in_schema, teardown),
		cmocka_unit_test_teardown(test_create_bad_bool, teardown),
		cmocka_unit_test_teardown(test_create_bad_shapes, teardown),
		cmocka_unit_test_teardown(test_create_computed_read_only, teardown),
		cmocka_unit_test_teardown(test_create_no_create_attrs, teardown),
		cmocka_unit_test_teardown(test_create_duplicates, teardown),
		cmocka_unit_test_teardown(test_create_key_lengths, teardown),
		cmocka_unit_test_teardown(test_create_trusted, teardown),
		cmocka_unit_test_teardown(test_create_modulus_bits, teardown),
		cmocka_unit_test_teardown(test_apply_one_way, teardown),
		cmocka_unit_test_teardown(test_apply_modifiable_false, teardown),
		cmocka_unit_test_teardown(test_apply_copy_token_private, teardown),
		cmocka_unit_test_teardown(test_apply_read_only_and_invalid, teardown),
		cmocka_unit_test_teardown(test_hidden, teardown),
		cmocka_unit_test_teardown(test_matches, teardown),
		cmocka_unit_test_teardown(test_clone, teardown),
		cmocka_unit_test_teardown(test_encode_decode_public, teardown),
		cmocka_unit_test_teardown(test_decode_session_object_refused, teardown),
		cmocka_unit_test_teardown(test_encode_decode_private, teardown),
		cmocka_unit_test_teardown(test_record_mac_right_key, teardown),
		cmocka_unit_test_teardown(test_record_mac_any_byte, teardown),
		cmocka_unit_test_teardown(test_record_mac_moved_or_foreign, teardown),
		cmocka_unit_test_teardown(test_record_mac_missing, teardown),
		cmocka_unit_test_teardown(test_encode_private_rsa, teardown),
		cmocka_unit_test_teardown(test_private_empty_value_still_authenticated, teardown),
		cmocka_unit_test_teardown(test_encode_private_needs_tmk, teardown),
		cmocka_unit_test_teardown(test_decode_tampered_flags, teardown),
		cmocka_unit_test_teardown(test_decode_clear_where_sealed_required, teardown),
		cmocka_unit_test_teardown(test_decode_garbage, teardown),
		cmocka_unit_test_teardown(test_decode_duplicate_attribute, teardown),
		cmocka_unit_test_teardown(test_alloc_failure_sweep, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
