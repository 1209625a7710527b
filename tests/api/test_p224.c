/*
 * P-224 (secp224r1) through the API: key generation, ECDSA with and
 * without hashing, the point's DER form, ECDH between two P-224 keys, and
 * the mechanism sizes that now start at 224 bits. The vectors for the
 * curve's arithmetic are unit/test_crypto_p224.c's (CAVP).
 */
#include "harness.h"
#include "keys.h"
#include "mechs.h"

static const unsigned char p224_oid[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21 };

static void gen(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	h_tmpl pt, st;

	t_init(&pt);
	t_bytes(&pt, CKA_EC_PARAMS, p224_oid, sizeof(p224_oid));
	t_init(&st);
	t_bool(&st, CKA_DERIVE, CK_TRUE);
	assert_ok(h_gen_pair_rv(s, CKM_EC_KEY_PAIR_GEN, &pt, &st, pub, priv));
}

static void test_p224(void **state)
{
	CK_SESSION_HANDLE s = h_open(h_slot, 1);
	CK_OBJECT_HANDLE pub, priv, pub2, priv2, k;
	unsigned char point[80], point2[80], z1[64], z2[64];
	CK_MECHANISM_INFO mi;
	CK_ULONG n, n2;

	(void)state;
	h_login(s, CKU_USER);
	assert_ok(p11->C_GetMechanismInfo(h_slot, CKM_ECDSA, &mi));
	assert_int_equal(mi.ulMinKeySize, 224);
	gen(s, &pub, &priv);
	n = h_get_bytes(s, pub, CKA_EC_POINT, point, sizeof(point));
	assert_int_equal(n, 2 + 57); /* 04 39 04 x y */
	assert_int_equal(point[2], 0x04);
	assert_int_equal(h_sign_round_trip(s, CKM_ECDSA_SHA224, pub, priv), 56);
	assert_int_equal(h_sign_round_trip(s, CKM_ECDSA_SHA256, pub, priv), 56);
	/* ECDH: both sides agree. */
	gen(s, &pub2, &priv2);
	n2 = h_get_bytes(s, pub2, CKA_EC_POINT, point2, sizeof(point2));
	{
		CK_ECDH1_DERIVE_PARAMS p = { CKD_NULL, 0, NULL, n2, point2 };
		CK_MECHANISM m = { CKM_ECDH1_DERIVE, &p, sizeof(p) };
		h_tmpl t;

		t_init(&t);
		t_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
		t_ulong(&t, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
		t_bool(&t, CKA_SENSITIVE, CK_FALSE);
		t_bool(&t, CKA_EXTRACTABLE, CK_TRUE);
		assert_ok(p11->C_DeriveKey(s, &m, priv, t.a, t.n, &k));
		assert_int_equal(h_get_bytes(s, k, CKA_VALUE, z1, sizeof(z1)), 28);
		p.pPublicData = point;
		p.ulPublicDataLen = n;
		assert_ok(p11->C_DeriveKey(s, &m, priv2, t.a, t.n, &k));
		assert_int_equal(h_get_bytes(s, k, CKA_VALUE, z2, sizeof(z2)), 28);
		assert_memory_equal(z1, z2, 28);
		/* A P-224 key takes no P-256 point. */
		{
			CK_OBJECT_HANDLE p256pub, p256priv;
			unsigned char pt256[80];

			h_gen_ec(s, &h_curves[0], CK_FALSE, &p256pub, &p256priv);
			p.ulPublicDataLen =
				h_get_bytes(s, p256pub, CKA_EC_POINT, pt256, sizeof(pt256));
			p.pPublicData = pt256;
			assert_rv(p11->C_DeriveKey(s, &m, priv, t.a, t.n, &k),
				  CKR_MECHANISM_PARAM_INVALID);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_p224, h_setup_token, h_teardown),
	};

	h_load();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
