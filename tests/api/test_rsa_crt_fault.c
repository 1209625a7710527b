/*
 * RSA-CRT faults through the API (SECURITY.md row 32; Boneh-DeMillo-Lipton,
 * "Bellcore"): a private key whose CRT values are wrong signs with one CRT
 * half wrong, and such a signature s gives a prime of the modulus as
 * gcd(s^e - m, n). Such a key, given to C_CreateObject, must either be
 * refused (CKR_ATTRIBUTE_VALUE_INVALID, and no object left behind) or every
 * signature the token then releases must verify under the public key, for
 * CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS and CKM_RSA_PKCS_PSS. The token refuses
 * them (src/crypto/openssl_rsa.c and mbedtls_rsa.c compare the given CRT
 * values with those computed from p, q and d, and p*q with n); the signing
 * branch stays so that a
 * module that took such keys would have its signatures checked. The faults
 * that import cannot stop (a key object changed after it was made, a fault
 * in the private operation) are tests/unit/test_crypto_rsa_fault.c.
 */
#include <stdlib.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

#define LABEL "crt-fault"

static CK_SESSION_HANDLE s;
static CK_OBJECT_HANDLE pub;

static int setup(void **state)
{
	h_tmpl t;

	h_setup_token(state);
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	t_init(&t);
	k_rsa_public(&t);
	pub = h_create(s, &t);
	return 0;
}

/* The key of keys.c, all eight parts, labelled; part (if not 0) has the
 * bits of mask flipped in its last byte. */
static void crt_key(h_tmpl *t, CK_ATTRIBUTE_TYPE part, unsigned char mask)
{
	h_tmpl u;
	unsigned char v[256];
	CK_ULONG i;

	t_init(&u);
	k_rsa_private(&u, 1);
	t_init(t);
	for (i = 0; i < u.n; i++) {
		if (u.a[i].type != part) {
			t_bytes(t, u.a[i].type, u.a[i].pValue, u.a[i].ulValueLen);
			continue;
		}
		memcpy(v, u.a[i].pValue, u.a[i].ulValueLen);
		v[u.a[i].ulValueLen - 1] ^= mask;
		t_bytes(t, part, v, u.a[i].ulValueLen);
	}
	t_str(t, CKA_LABEL, LABEL);
}

/* Signatures of three messages with each mechanism; every one must verify
 * with the public key. */
static void all_verify(CK_OBJECT_HANDLE priv)
{
	CK_RSA_PKCS_PSS_PARAMS pp = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	CK_MECHANISM mechs[3] = { { CKM_RSA_PKCS, NULL, 0 },
				  { CKM_SHA256_RSA_PKCS, NULL, 0 },
				  { CKM_RSA_PKCS_PSS, &pp, sizeof(pp) } };
	unsigned char msg[51], sig[256];
	CK_ULONG i, len, n;
	int j;

	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			memset(msg, 'a' + j, sizeof(msg));
			/* CKM_RSA_PKCS signs the 51 bytes as they are (the
			 * length of a SHA-256 DigestInfo); PSS takes a
			 * SHA-256 hash. */
			len = mechs[i].mechanism == CKM_RSA_PKCS_PSS ? 32 : sizeof(msg);
			n = h_sign(s, &mechs[i], priv, msg, len, sig, sizeof(sig));
			assert_int_equal(n, 256);
			if (h_verify_rv(s, &mechs[i], pub, msg, len, sig, n) != CKR_OK)
				fail_msg(
					"mechanism 0x%lx released a signature that does not verify",
					(unsigned long)mechs[i].mechanism);
		}
	}
}

/* The key with this fault: refused, with nothing left, or signing only
 * what verifies. Returns 1 if it was refused. */
static int refused_or_sound(CK_ATTRIBUTE_TYPE part, unsigned char mask)
{
	CK_OBJECT_HANDLE o = CK_INVALID_HANDLE, found[2];
	CK_RV rv;
	h_tmpl t;

	crt_key(&t, part, mask);
	rv = h_create_rv(s, &t, &o);
	if (rv == CKR_OK) {
		all_verify(o);
		assert_ok(p11->C_DestroyObject(s, o));
		return 0;
	}
	if (rv != CKR_ATTRIBUTE_VALUE_INVALID)
		fail_msg("attribute 0x%lx off by 0x%02x: %s, expected CKR_ATTRIBUTE_VALUE_INVALID",
			 (unsigned long)part, mask, h_rv_name(rv));
	assert_int_equal(h_find_label(s, LABEL, found, 2), 0);
	return 1;
}

static void test_crt_faults(void **state)
{
	CK_OBJECT_HANDLE o;
	h_tmpl t;
	int refused = 0;

	(void)state;
	/* The intact key: imported, and its signatures verify (the check
	 * below can see a good signature). */
	crt_key(&t, 0, 0);
	o = h_create(s, &t);
	all_verify(o);
	assert_ok(p11->C_DestroyObject(s, o));

	/* dP, qInv and p wrong (p odd still), then dQ. */
	refused += refused_or_sound(CKA_EXPONENT_1, 0x02);
	refused += refused_or_sound(CKA_EXPONENT_1, 0x80);
	refused += refused_or_sound(CKA_COEFFICIENT, 0x01);
	refused += refused_or_sound(CKA_COEFFICIENT, 0x40);
	refused += refused_or_sound(CKA_PRIME_1, 0x02);
	refused += refused_or_sound(CKA_EXPONENT_2, 0x04);
	print_message("%d of 6 faulty keys refused with CKR_ATTRIBUTE_VALUE_INVALID\n", refused);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_crt_faults, setup, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
