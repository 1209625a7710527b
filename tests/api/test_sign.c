/*
 * Signing and verification (PKCS#11 v2.40 sections 5.11 and 5.13) with every
 * signature mechanism of issue 3: round trips single- and multi-part, raw
 * mechanisms against their hashing twins, a PKCS#1 v1.5 known answer, exact
 * ECDSA lengths, PSS parameters in effect. The operation state machine and the
 * error codes are in test_sign_state.c.
 */
#include <stdlib.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

static CK_SESSION_HANDLE s;
static CK_OBJECT_HANDLE ec_pub[H_NCURVES], ec_priv[H_NCURVES], rsa_pub, rsa_priv;
static unsigned char msg[1000];

static int setup(void **state)
{
	size_t i;

	h_setup_token(state);
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	for (i = 0; i < H_NCURVES; i++)
		h_gen_ec(s, &h_curves[i], CK_FALSE, &ec_pub[i], &ec_priv[i]);
	h_import_rsa(s, &rsa_pub, &rsa_priv);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)(i * 13 + 5);
	return 0;
}

static const CK_MECHANISM_TYPE hashes[] = { CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384,
					    CKM_SHA512 };
static const CK_MECHANISM_TYPE ecdsa_mechs[] = { CKM_ECDSA_SHA1, CKM_ECDSA_SHA224, CKM_ECDSA_SHA256,
						 CKM_ECDSA_SHA384, CKM_ECDSA_SHA512 };
static const CK_MECHANISM_TYPE pkcs_mechs[] = { CKM_SHA1_RSA_PKCS, CKM_SHA224_RSA_PKCS,
						CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS,
						CKM_SHA512_RSA_PKCS };
static const CK_MECHANISM_TYPE pss_mechs[] = { CKM_SHA1_RSA_PKCS_PSS, CKM_SHA224_RSA_PKCS_PSS,
					       CKM_SHA256_RSA_PKCS_PSS, CKM_SHA384_RSA_PKCS_PSS,
					       CKM_SHA512_RSA_PKCS_PSS };
static const CK_RSA_PKCS_MGF_TYPE mgfs[] = { CKG_MGF1_SHA1, CKG_MGF1_SHA224, CKG_MGF1_SHA256,
					     CKG_MGF1_SHA384, CKG_MGF1_SHA512 };
#define NHASH 5

/* Chunk sizes for multi-part runs. */
static const CK_ULONG chunks[] = { 1, 13, 64, 1000 };
#define NCHUNK (sizeof(chunks) / sizeof(chunks[0]))

/* A corrupted copy must not verify; and the operation ended. */
static void assert_rejected(CK_MECHANISM *m, CK_OBJECT_HANDLE pub, const void *data, CK_ULONG len,
			    const unsigned char *sig, CK_ULONG siglen)
{
	unsigned char bad[600];

	assert_true(siglen <= sizeof(bad));
	memcpy(bad, sig, siglen);
	bad[siglen / 2] ^= 0x01;
	assert_rv(h_verify_rv(s, m, pub, data, len, bad, siglen), CKR_SIGNATURE_INVALID);
	assert_rv(p11->C_Verify(s, (CK_BYTE_PTR)data, len, bad, siglen),
		  CKR_OPERATION_NOT_INITIALIZED);
	if (len > 0) {
		unsigned char other[1000];

		assert_true(len <= sizeof(other));
		memcpy(other, data, len);
		other[0] ^= 0x80;
		assert_rv(h_verify_rv(s, m, pub, other, len, sig, siglen), CKR_SIGNATURE_INVALID);
	}
}

static void test_ecdsa_raw(void **state)
{
	CK_MECHANISM m = { CKM_ECDSA, NULL, 0 };
	unsigned char sig[200], sig2[200], hash[64];
	static const CK_ULONG lens[] = { 20, 28, 32, 48, 64 };
	CK_ULONG n, n2;
	size_t c, i;

	(void)state;
	for (c = 0; c < H_NCURVES; c++) {
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			memcpy(hash, msg + i, lens[i]);
			n = h_sign(s, &m, ec_priv[c], hash, lens[i], sig, sizeof(sig));
			/* Row 31: raw r||s, exactly twice the order size. */
			assert_int_equal(n, 2 * h_curves[c].size);
			assert_ok(h_verify_rv(s, &m, ec_pub[c], hash, lens[i], sig, n));
			assert_rejected(&m, ec_pub[c], hash, lens[i], sig, n);
			/* A second signature is valid too (nonces may differ). */
			n2 = h_sign(s, &m, ec_priv[c], hash, lens[i], sig2, sizeof(sig2));
			assert_int_equal(n2, n);
			assert_ok(h_verify_rv(s, &m, ec_pub[c], hash, lens[i], sig2, n2));
		}
	}
	/* Truncation to the order (P-256): a 64-byte input is signed as its
	 * leftmost 32 bytes. */
	memcpy(hash, msg, 64);
	n = h_sign(s, &m, ec_priv[0], hash, 64, sig, sizeof(sig));
	assert_ok(h_verify_rv(s, &m, ec_pub[0], hash, 32, sig, n));
	hash[40] ^= 0xff; /* beyond the order size: ignored */
	assert_ok(h_verify_rv(s, &m, ec_pub[0], hash, 64, sig, n));
}

static void test_ecdsa_hashing(void **state)
{
	unsigned char sig[200], md[64];
	CK_ULONG n, mdlen;
	size_t c, h, k;

	(void)state;
	for (c = 0; c < H_NCURVES; c++) {
		for (h = 0; h < NHASH; h++) {
			CK_MECHANISM m = { ecdsa_mechs[h], NULL, 0 }, raw = { CKM_ECDSA, NULL, 0 };

			n = h_sign(s, &m, ec_priv[c], msg, sizeof(msg), sig, sizeof(sig));
			assert_int_equal(n, 2 * h_curves[c].size);
			assert_ok(h_verify_rv(s, &m, ec_pub[c], msg, sizeof(msg), sig, n));
			assert_rejected(&m, ec_pub[c], msg, sizeof(msg), sig, n);
			/* The same as CKM_ECDSA over the hash the client computes. */
			mdlen = h_digest(s, hashes[h], msg, sizeof(msg), md);
			assert_ok(h_verify_rv(s, &raw, ec_pub[c], md, mdlen, sig, n));
			n = h_sign(s, &raw, ec_priv[c], md, mdlen, sig, sizeof(sig));
			assert_ok(h_verify_rv(s, &m, ec_pub[c], msg, sizeof(msg), sig, n));
			/* Multi-part signing verifies single-part and back. */
			for (k = 0; k < NCHUNK; k++) {
				n = h_sign_parts(s, &m, ec_priv[c], msg, sizeof(msg), chunks[k],
						 sig, sizeof(sig));
				assert_int_equal(n, 2 * h_curves[c].size);
				assert_ok(h_verify_rv(s, &m, ec_pub[c], msg, sizeof(msg), sig, n));
				assert_ok(h_verify_parts_rv(s, &m, ec_pub[c], msg, sizeof(msg),
							    chunks[(k + 1) % NCHUNK], sig, n));
			}
			/* The empty message. */
			n = h_sign(s, &m, ec_priv[c], "", 0, sig, sizeof(sig));
			assert_ok(h_verify_rv(s, &m, ec_pub[c], "", 0, sig, n));
			assert_rv(h_verify_rv(s, &m, ec_pub[c], "x", 1, sig, n),
				  CKR_SIGNATURE_INVALID);
		}
	}
}

/* openssl dgst -sha256 -sign over "abc" with the key of keys.c. */
static const char kat_sha256_abc[] =
	"5d0168790f199446080e3984297dbb3d99faeabf37b4702f2b89c01b9262855070eb4afcc7b201e1fd52c76ffc"
	"9be6b6333149cade0880cf12f0db4b1ebee175128f8d756479c3ce14107ffa1fade3bf3613351d8f3853c70d0b"
	"57c49eb36c9dc5f62b1140375af8c8eaaabfbcfe6b7063fe08e1b9909cb418807ad8fccb67821cef1c6ccf4bdc"
	"3d8a18f8fbdccaa470618f5e7097690100536cd004b8d269738a7b5c39033f62d9e6b092da646a87ffc1d9a088"
	"4b99ea03891a7b41ee525e0e0a8577ad6e9e094ed2d9ae0bb6f263635a0fab32b5ff6e6ce09cafeb7771d09c10"
	"dc73bd50c055ccb680a4148c49169cf0c67dd4204bae248f8b997d7d70165b";

static CK_ULONG digest_info(CK_MECHANISM_TYPE hash, const void *data, CK_ULONG len,
			    unsigned char *out)
{
	CK_ULONG plen;
	const unsigned char *prefix = h_digest_info(hash, &plen);

	memcpy(out, prefix, plen);
	return plen + h_digest(s, hash, data, len, out + plen);
}

static void test_rsa_pkcs(void **state)
{
	CK_MECHANISM raw = { CKM_RSA_PKCS, NULL, 0 };
	unsigned char want[256], sig[300], sig2[300], di[100];
	CK_ULONG n, dilen;
	size_t h, k;

	(void)state;
	assert_int_equal(h_unhex(kat_sha256_abc, want, sizeof(want)), 256);
	/* Known answer, through the hashing mechanism and over a DigestInfo. */
	{
		CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };

		n = h_sign(s, &m, rsa_priv, "abc", 3, sig, sizeof(sig));
		assert_int_equal(n, 256);
		assert_memory_equal(sig, want, 256);
		n = h_sign_parts(s, &m, rsa_priv, "abc", 3, 1, sig, sizeof(sig));
		assert_memory_equal(sig, want, 256);
		dilen = digest_info(CKM_SHA256, "abc", 3, di);
		n = h_sign(s, &raw, rsa_priv, di, dilen, sig, sizeof(sig));
		assert_int_equal(n, 256);
		assert_memory_equal(sig, want, 256);
		assert_ok(h_verify_rv(s, &m, rsa_pub, "abc", 3, want, 256));
		assert_ok(h_verify_rv(s, &raw, rsa_pub, di, dilen, want, 256));
	}
	for (h = 0; h < NHASH; h++) {
		CK_MECHANISM m = { pkcs_mechs[h], NULL, 0 };

		n = h_sign(s, &m, rsa_priv, msg, sizeof(msg), sig, sizeof(sig));
		assert_int_equal(n, 256);
		assert_ok(h_verify_rv(s, &m, rsa_pub, msg, sizeof(msg), sig, n));
		assert_rejected(&m, rsa_pub, msg, sizeof(msg), sig, n);
		/* Deterministic: multi-part and the raw mechanism over the
		 * DigestInfo give the same bytes. */
		for (k = 0; k < NCHUNK; k++) {
			n = h_sign_parts(s, &m, rsa_priv, msg, sizeof(msg), chunks[k], sig2,
					 sizeof(sig2));
			assert_int_equal(n, 256);
			assert_memory_equal(sig, sig2, 256);
			assert_ok(h_verify_parts_rv(s, &m, rsa_pub, msg, sizeof(msg), chunks[k],
						    sig, n));
		}
		dilen = digest_info(hashes[h], msg, sizeof(msg), di);
		n = h_sign(s, &raw, rsa_priv, di, dilen, sig2, sizeof(sig2));
		assert_memory_equal(sig, sig2, 256);
		assert_ok(h_verify_rv(s, &raw, rsa_pub, di, dilen, sig, 256));
		assert_rejected(&raw, rsa_pub, di, dilen, sig, 256);
	}
}

/* TLS 1.0/1.1: CKM_RSA_PKCS over the bare 36-byte MD5||SHA-1; and the
 * input limit k - 11. */
static void test_rsa_pkcs_raw_inputs(void **state)
{
	CK_MECHANISM raw = { CKM_RSA_PKCS, NULL, 0 };
	unsigned char sig[300], in[256];
	CK_ULONG n;

	(void)state;
	memcpy(in, msg, 36);
	n = h_sign(s, &raw, rsa_priv, in, 36, sig, sizeof(sig));
	assert_int_equal(n, 256);
	assert_ok(h_verify_rv(s, &raw, rsa_pub, in, 36, sig, n));
	assert_rejected(&raw, rsa_pub, in, 36, sig, n);

	memcpy(in, msg, 245);
	n = h_sign(s, &raw, rsa_priv, in, 245, sig, sizeof(sig));
	assert_ok(h_verify_rv(s, &raw, rsa_pub, in, 245, sig, n));
	n = h_sign(s, &raw, rsa_priv, in, 1, sig, sizeof(sig));
	assert_ok(h_verify_rv(s, &raw, rsa_pub, in, 1, sig, n));
}

static CK_RSA_PKCS_PSS_PARAMS pss(CK_MECHANISM_TYPE hash, CK_RSA_PKCS_MGF_TYPE mgf, CK_ULONG slen)
{
	CK_RSA_PKCS_PSS_PARAMS p = { hash, mgf, slen };

	return p;
}

static void test_pss_raw(void **state)
{
	CK_RSA_PKCS_PSS_PARAMS p = pss(CKM_SHA256, CKG_MGF1_SHA256, 32);
	CK_MECHANISM m = { CKM_RSA_PKCS_PSS, &p, sizeof(p) };
	unsigned char hash[64], sig[300], sig2[300];
	CK_ULONG n, n2, hl;
	size_t h;

	(void)state;
	/* The TLS 1.3 profile. */
	memcpy(hash, msg, 32);
	n = h_sign(s, &m, rsa_priv, hash, 32, sig, sizeof(sig));
	assert_int_equal(n, 256);
	assert_ok(h_verify_rv(s, &m, rsa_pub, hash, 32, sig, n));
	assert_rejected(&m, rsa_pub, hash, 32, sig, n);
	/* A random salt: two signatures differ, both verify. */
	n2 = h_sign(s, &m, rsa_priv, hash, 32, sig2, sizeof(sig2));
	assert_ok(h_verify_rv(s, &m, rsa_pub, hash, 32, sig2, n2));
	assert_true(memcmp(sig, sig2, 256) != 0);
	/* The parameters are used: another salt length or MGF hash fails. */
	p.sLen = 20;
	assert_rv(h_verify_rv(s, &m, rsa_pub, hash, 32, sig, n), CKR_SIGNATURE_INVALID);
	p = pss(CKM_SHA256, CKG_MGF1_SHA1, 32);
	assert_rv(h_verify_rv(s, &m, rsa_pub, hash, 32, sig, n), CKR_SIGNATURE_INVALID);
	n = h_sign(s, &m, rsa_priv, hash, 32, sig, sizeof(sig));
	assert_ok(h_verify_rv(s, &m, rsa_pub, hash, 32, sig, n));
	/* No salt: deterministic. */
	p = pss(CKM_SHA256, CKG_MGF1_SHA256, 0);
	n = h_sign(s, &m, rsa_priv, hash, 32, sig, sizeof(sig));
	n2 = h_sign(s, &m, rsa_priv, hash, 32, sig2, sizeof(sig2));
	assert_memory_equal(sig, sig2, 256);
	assert_ok(h_verify_rv(s, &m, rsa_pub, hash, 32, sig, n));
	/* The longest salt a 2048-bit key takes with SHA-256: 256 - 32 - 2. */
	p = pss(CKM_SHA256, CKG_MGF1_SHA256, 222);
	n = h_sign(s, &m, rsa_priv, hash, 32, sig, sizeof(sig));
	assert_ok(h_verify_rv(s, &m, rsa_pub, hash, 32, sig, n));
	/* Every hash, with its own MGF1 and salt length. */
	for (h = 0; h < NHASH; h++) {
		hl = h_hash_len(hashes[h]);
		p = pss(hashes[h], mgfs[h], hl);
		memcpy(hash, msg + h, hl);
		n = h_sign(s, &m, rsa_priv, hash, hl, sig, sizeof(sig));
		assert_ok(h_verify_rv(s, &m, rsa_pub, hash, hl, sig, n));
		assert_rejected(&m, rsa_pub, hash, hl, sig, n);
	}
	(void)n2;
}

static void test_pss_hashing(void **state)
{
	unsigned char md[64], sig[300];
	CK_ULONG n, mdlen, hl;
	size_t h, k;

	(void)state;
	for (h = 0; h < NHASH; h++) {
		CK_RSA_PKCS_PSS_PARAMS p;
		CK_MECHANISM m = { pss_mechs[h], &p, sizeof(p) };
		CK_MECHANISM raw = { CKM_RSA_PKCS_PSS, &p, sizeof(p) };

		hl = h_hash_len(hashes[h]);
		p = pss(hashes[h], mgfs[h], hl);
		n = h_sign(s, &m, rsa_priv, msg, sizeof(msg), sig, sizeof(sig));
		assert_int_equal(n, 256);
		assert_ok(h_verify_rv(s, &m, rsa_pub, msg, sizeof(msg), sig, n));
		assert_rejected(&m, rsa_pub, msg, sizeof(msg), sig, n);
		/* The same as CKM_RSA_PKCS_PSS over the client's hash. */
		mdlen = h_digest(s, hashes[h], msg, sizeof(msg), md);
		assert_ok(h_verify_rv(s, &raw, rsa_pub, md, mdlen, sig, n));
		for (k = 0; k < NCHUNK; k++) {
			n = h_sign_parts(s, &m, rsa_priv, msg, sizeof(msg), chunks[k], sig,
					 sizeof(sig));
			assert_ok(h_verify_rv(s, &m, rsa_pub, msg, sizeof(msg), sig, n));
			assert_ok(h_verify_parts_rv(s, &m, rsa_pub, msg, sizeof(msg),
						    chunks[(k + 2) % NCHUNK], sig, n));
		}
		/* Another MGF hash than the message hash is allowed. */
		p = pss(hashes[h], CKG_MGF1_SHA1, 0);
		n = h_sign(s, &m, rsa_priv, msg, sizeof(msg), sig, sizeof(sig));
		assert_ok(h_verify_rv(s, &m, rsa_pub, msg, sizeof(msg), sig, n));
	}
}

/* Signing in a read-only session (what TLS stacks do) with a key of the
 * same token, and verifying in another session. */
static void test_read_only_session(void **state)
{
	CK_SESSION_HANDLE ro = h_open(h_slot, 0);
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
	unsigned char sig[200];
	CK_ULONG n;

	(void)state;
	assert_ok(p11->C_SignInit(ro, &m, ec_priv[0]));
	n = sizeof(sig);
	assert_ok(p11->C_Sign(ro, msg, 100, sig, &n));
	assert_ok(h_verify_rv(s, &m, ec_pub[0], msg, 100, sig, n));
	assert_ok(p11->C_VerifyInit(ro, &m, ec_pub[0]));
	assert_ok(p11->C_Verify(ro, msg, 100, sig, n));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ecdsa_raw, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_ecdsa_hashing, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_rsa_pkcs, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_rsa_pkcs_raw_inputs, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_pss_raw, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_pss_hashing, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_read_only_session, setup, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
