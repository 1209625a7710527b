/*
 * C_DeriveKey with CKM_ECDH1_DERIVE and CKM_ECDH1_COFACTOR_DERIVE (v2.40
 * mechanisms 2.3.8-2.3.10): both sides of an exchange agree, CKD_NULL
 * truncation from the leading end, the X9.63 KDFs (checked against the
 * token's own digest of the shared secret), peer points that are not on
 * the base key's curve refused (invalid-curve attacks), and the derived
 * key's protection inherited from its base key.
 */
#include <stdlib.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

typedef struct pair {
	CK_OBJECT_HANDLE pub, priv;
	unsigned char point[200]; /* CKA_EC_POINT: DER OCTET STRING */
	CK_ULONG point_len;
} pair;

static void gen(CK_SESSION_HANDLE s, const h_curve *c, pair *p)
{
	h_tmpl pt, st;

	t_init(&pt);
	t_bytes(&pt, CKA_EC_PARAMS, c->oid, c->oid_len);
	t_init(&st);
	t_bool(&st, CKA_DERIVE, CK_TRUE);
	assert_ok(h_gen_pair_rv(s, CKM_EC_KEY_PAIR_GEN, &pt, &st, &p->pub, &p->priv));
	p->point_len = h_get_bytes(s, p->pub, CKA_EC_POINT, p->point, sizeof(p->point));
}

/* Derives an extractable, not sensitive generic secret (or AES key) and
 * reads its value; returns the C_DeriveKey code. */
static CK_RV derive(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE base, CK_KEY_TYPE type,
		    CK_ULONG len, CK_BBOOL sensitive, unsigned char *value, CK_ULONG *vlen,
		    CK_OBJECT_HANDLE *out)
{
	CK_OBJECT_HANDLE k;
	h_tmpl t;
	CK_RV rv;

	t_init(&t);
	t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_ulong(&t, CKA_KEY_TYPE, type);
	t_bool(&t, CKA_SENSITIVE, sensitive);
	t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
	if (len > 0)
		t_ulong(&t, CKA_VALUE_LEN, len);
	rv = p11->C_DeriveKey(s, m, base, t.a, t.n, &k);
	if (rv == CKR_OK && value != NULL)
		*vlen = h_get_bytes(s, k, CKA_VALUE, value, 4096);
	if (rv == CKR_OK && out != NULL)
		*out = k;
	return rv;
}

static void test_agreement(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	unsigned char z1[4096], z2[4096], z3[4096];
	CK_ULONG n1, n2, n3;
	size_t c;

	(void)state;
	h_login(s, CKU_USER);
	for (c = 0; c < H_NCURVES; c++) {
		CK_ECDH1_DERIVE_PARAMS p = { CKD_NULL, 0, NULL, 0, NULL };
		CK_MECHANISM m = { CKM_ECDH1_DERIVE, &p, sizeof(p) };
		pair a, b;

		gen(s, &h_curves[c], &a);
		gen(s, &h_curves[c], &b);
		/* The DER form of CKA_EC_POINT ... */
		p.pPublicData = b.point;
		p.ulPublicDataLen = b.point_len;
		assert_ok(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, z1, &n1, NULL));
		assert_int_equal(n1, h_curves[c].size);
		/* ... and the raw point, from the other side, agree. */
		p.pPublicData = a.point + (a.point_len - (2 * h_curves[c].size + 1));
		p.ulPublicDataLen = 2 * h_curves[c].size + 1;
		assert_ok(derive(s, &m, b.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, z2, &n2, NULL));
		assert_int_equal(n2, n1);
		assert_memory_equal(z1, z2, n1);
		/* The cofactor variant is the same on these curves. */
		m.mechanism = CKM_ECDH1_COFACTOR_DERIVE;
		assert_ok(derive(s, &m, b.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, z3, &n3, NULL));
		assert_memory_equal(z1, z3, n1);
		/* Truncation "removes bytes from the leading end". */
		assert_ok(derive(s, &m, b.priv, CKK_GENERIC_SECRET, 20, CK_FALSE, z3, &n3, NULL));
		assert_int_equal(n3, 20);
		assert_memory_equal(z3, z1 + n1 - 20, 20);
		assert_rv(
			derive(s, &m, b.priv, CKK_GENERIC_SECRET, n1 + 1, CK_FALSE, z3, &n3, NULL),
			CKR_TEMPLATE_INCONSISTENT);
		/* An AES key of 16 bytes. */
		assert_ok(derive(s, &m, b.priv, CKK_AES, 16, CK_FALSE, z3, &n3, NULL));
		assert_memory_equal(z3, z1 + n1 - 16, 16);
	}
}

static void test_kdf(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	unsigned char z[128], k[4096], info[5] = "info", want[128], buf[256];
	CK_ECDH1_DERIVE_PARAMS p = { CKD_NULL, 0, NULL, 0, NULL };
	CK_MECHANISM m = { CKM_ECDH1_DERIVE, &p, sizeof(p) };
	CK_ULONG zn, kn, n;
	pair a, b;

	(void)state;
	h_login(s, CKU_USER);
	gen(s, &h_curves[0], &a);
	gen(s, &h_curves[0], &b);
	p.pPublicData = b.point;
	p.ulPublicDataLen = b.point_len;
	assert_ok(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, z, &zn, NULL));
	/* X9.63 with SHA-256: SHA-256(Z || 00000001 || info) || SHA-256(Z ||
	 * 00000002 || info) ..., here 40 bytes. */
	p.kdf = CKD_SHA256_KDF;
	p.pSharedData = info;
	p.ulSharedDataLen = sizeof(info);
	assert_ok(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 40, CK_FALSE, k, &kn, NULL));
	assert_int_equal(kn, 40);
	memcpy(buf, z, zn);
	memcpy(buf + zn, "\x00\x00\x00\x01", 4);
	memcpy(buf + zn + 4, info, sizeof(info));
	n = h_digest(s, CKM_SHA256, buf, zn + 4 + sizeof(info), want);
	assert_int_equal(n, 32);
	buf[zn + 3] = 2;
	h_digest(s, CKM_SHA256, buf, zn + 4 + sizeof(info), want + 32);
	assert_memory_equal(k, want, 40);
	/* Without shared data, and with SHA-1 and SHA-512. */
	p.pSharedData = NULL;
	p.ulSharedDataLen = 0;
	p.kdf = CKD_SHA1_KDF;
	assert_ok(derive(s, &m, a.priv, CKK_AES, 32, CK_FALSE, k, &kn, NULL));
	memcpy(buf + zn, "\x00\x00\x00\x01", 4);
	h_digest(s, CKM_SHA_1, buf, zn + 4, want);
	assert_memory_equal(k, want, 20);
	p.kdf = CKD_SHA512_KDF;
	assert_ok(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 64, CK_FALSE, k, &kn, NULL));
	h_digest(s, CKM_SHA512, buf, zn + 4, want);
	assert_memory_equal(k, want, 64);
	/* Parameters. */
	p.kdf = 0x77;
	assert_rv(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 16, CK_FALSE, k, &kn, NULL),
		  CKR_MECHANISM_PARAM_INVALID);
	p.kdf = CKD_NULL;
	p.pSharedData = info;
	p.ulSharedDataLen = sizeof(info);
	assert_rv(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 16, CK_FALSE, k, &kn, NULL),
		  CKR_MECHANISM_PARAM_INVALID);
	m.ulParameterLen = sizeof(p) - 1;
	assert_rv(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 16, CK_FALSE, k, &kn, NULL),
		  CKR_MECHANISM_PARAM_INVALID);
}

/* Invalid-curve attacks: a point not on the curve (here a P-256 point with
 * a changed y, or one of another curve) would let the caller learn the
 * private scalar modulo small orders; each is refused. */
static void test_bad_points(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_ECDH1_DERIVE_PARAMS p = { CKD_NULL, 0, NULL, 0, NULL };
	CK_MECHANISM m = { CKM_ECDH1_DERIVE, &p, sizeof(p) };
	unsigned char bad[200], k[4096];
	CK_ULONG kn;
	pair a, b, c384;

	(void)state;
	h_login(s, CKU_USER);
	gen(s, &h_curves[0], &a);
	gen(s, &h_curves[0], &b);
	gen(s, &h_curves[1], &c384);
	memcpy(bad, b.point, b.point_len);
	bad[b.point_len - 1] ^= 1;
	p.pPublicData = bad;
	p.ulPublicDataLen = b.point_len;
	assert_rv(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, k, &kn, NULL),
		  CKR_MECHANISM_PARAM_INVALID);
	p.pPublicData = c384.point;
	p.ulPublicDataLen = c384.point_len;
	assert_rv(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, k, &kn, NULL),
		  CKR_MECHANISM_PARAM_INVALID);
	/* The point at infinity's encoding, a compressed point, nothing. */
	memset(bad, 0, sizeof(bad));
	p.pPublicData = bad;
	p.ulPublicDataLen = 1;
	assert_rv(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, k, &kn, NULL),
		  CKR_MECHANISM_PARAM_INVALID);
	memcpy(bad, b.point + 2, 33);
	bad[0] = 0x02;
	p.ulPublicDataLen = 33;
	assert_rv(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, k, &kn, NULL),
		  CKR_MECHANISM_PARAM_INVALID);
	p.pPublicData = NULL;
	p.ulPublicDataLen = 0;
	assert_rv(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, k, &kn, NULL),
		  CKR_MECHANISM_PARAM_INVALID);
	/* x = p (not reduced): 04 || p || y. */
	memset(bad, 0, sizeof(bad));
	bad[0] = 0x04;
	h_unhex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", bad + 1, 32);
	p.pPublicData = bad;
	p.ulPublicDataLen = 65;
	assert_rv(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, k, &kn, NULL),
		  CKR_MECHANISM_PARAM_INVALID);
}

static void test_base_key(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_ECDH1_DERIVE_PARAMS p = { CKD_NULL, 0, NULL, 0, NULL };
	CK_MECHANISM m = { CKM_ECDH1_DERIVE, &p, sizeof(p) };
	CK_OBJECT_HANDLE nod_pub, nod_priv, k, imported;
	unsigned char v[4096];
	CK_ULONG n;
	pair a, b;
	h_tmpl t;

	(void)state;
	h_login(s, CKU_USER);
	gen(s, &h_curves[0], &a);
	gen(s, &h_curves[0], &b);
	h_gen_ec(s, &h_curves[0], CK_FALSE, &nod_pub, &nod_priv);
	p.pPublicData = b.point;
	p.ulPublicDataLen = b.point_len;
	assert_rv(derive(s, &m, nod_priv, CKK_GENERIC_SECRET, 0, CK_FALSE, v, &n, NULL),
		  CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_rv(derive(s, &m, a.pub, CKK_GENERIC_SECRET, 0, CK_FALSE, v, &n, NULL),
		  CKR_KEY_TYPE_INCONSISTENT);
	assert_rv(derive(s, &m, 0x7fff0000, CKK_GENERIC_SECRET, 0, CK_FALSE, v, &n, NULL),
		  CKR_KEY_HANDLE_INVALID);
	m.mechanism = CKM_AES_ECB;
	assert_rv(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, v, &n, NULL),
		  CKR_MECHANISM_INVALID);
	m.mechanism = CKM_ECDH1_DERIVE;
	/* Protection is inherited: from a generated (always sensitive, never
	 * extractable) base, a sensitive derived key is always sensitive; a
	 * readable one is not. */
	assert_ok(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 0, CK_TRUE, NULL, NULL, &k));
	assert_true(h_get_bool(s, k, CKA_ALWAYS_SENSITIVE));
	assert_false(h_get_bool(s, k, CKA_NEVER_EXTRACTABLE)); /* asked extractable */
	assert_false(h_get_bool(s, k, CKA_LOCAL));
	assert_ok(derive(s, &m, a.priv, CKK_GENERIC_SECRET, 0, CK_FALSE, NULL, NULL, &k));
	assert_false(h_get_bool(s, k, CKA_ALWAYS_SENSITIVE));
	/* An imported base key was outside: its keys never were only inside. */
	t_init(&t);
	k_ec_private(&t);
	t_bool(&t, CKA_DERIVE, CK_TRUE);
	imported = h_create(s, &t);
	assert_ok(derive(s, &m, imported, CKK_GENERIC_SECRET, 0, CK_TRUE, NULL, NULL, &k));
	assert_false(h_get_bool(s, k, CKA_ALWAYS_SENSITIVE));
	/* CKA_DERIVE_TEMPLATE of the base key is imposed on what it derives. */
	{
		CK_BBOOL no = CK_FALSE;
		CK_ATTRIBUTE dt[] = { { CKA_EXTRACTABLE, &no, sizeof(no) } };
		pair c;

		t_init(&t);
		t_bytes(&t, CKA_EC_PARAMS, h_curves[0].oid, h_curves[0].oid_len);
		{
			h_tmpl st;

			t_init(&st);
			t_bool(&st, CKA_DERIVE, CK_TRUE);
			t_raw(&st, CKA_DERIVE_TEMPLATE, dt, sizeof(dt));
			assert_ok(h_gen_pair_rv(s, CKM_EC_KEY_PAIR_GEN, &t, &st, &c.pub, &c.priv));
		}
		/* derive() asks for an extractable key: against the template. */
		assert_rv(derive(s, &m, c.priv, CKK_GENERIC_SECRET, 0, CK_TRUE, NULL, NULL, &k),
			  CKR_TEMPLATE_INCONSISTENT);
		{
			h_tmpl d;

			t_init(&d);
			t_ulong(&d, CKA_CLASS, CKO_SECRET_KEY);
			t_ulong(&d, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
			assert_ok(p11->C_DeriveKey(s, &m, c.priv, d.a, d.n, &k));
			assert_false(h_get_bool(s, k, CKA_EXTRACTABLE));
			assert_true(h_get_bool(s, k, CKA_NEVER_EXTRACTABLE));
		}
	}
	/* The template decides the key type; an AES length must fit. */
	assert_rv(derive(s, &m, a.priv, CKK_AES, 20, CK_FALSE, NULL, NULL, &k),
		  CKR_TEMPLATE_INCONSISTENT);
	assert_rv(derive(s, &m, a.priv, CKK_EC, 0, CK_FALSE, NULL, NULL, &k),
		  CKR_TEMPLATE_INCONSISTENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_agreement, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_kdf, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_bad_points, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_base_key, h_setup_token, h_teardown),
	};

	h_load();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
