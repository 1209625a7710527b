/*
 * RSA signatures on mbedTLS: PKCS#1 v1.5 over caller-prepared bytes
 * (CKM_RSA_PKCS) and PSS over a hash (CKM_RSA_PKCS_PSS).
 *
 * The encodings are built here (RFC 8017 9.1 and 9.2) and only the RSA
 * primitives are mbedTLS's: mbedtls_rsa_private, always with the DRBG for
 * its base blinding and exponent blinding, and mbedtls_rsa_public. So PSS
 * takes a MGF1 hash other than the message hash (mbedTLS 2.28's own PSS
 * uses one hash for both), and nothing depends on the padding arguments
 * that changed between mbedTLS 2.28 and 3.x.
 *
 * Every signature is checked with the public key before it leaves: a fault
 * in the private operation (a glitch in a CRT half) would otherwise hand out
 * a value that factors the modulus (Boneh-DeMillo-Lipton; SECURITY.md row
 * 32). mbedTLS 2.28 checks its CRT result too (mbedtls_rsa_private), but
 * the check here is the one the contract promises.
 */
#include <string.h>

#include "crypto/mbedtls_key.h"

#if IOT_WITH_RSA

/* RFC 8017 9.2 step 3: "If emLen < tLen + 11, output 'intended encoded
 * message length too short' and stop." */
#define PKCS1_OVERHEAD 11

#if IOT_TEST_HOOKS
unsigned long crypto_rsa_fault_bit; /* crypto.h */
#endif

/* The RSA context is immutable as far as the key is concerned; mbedTLS
 * updates its blinding values and Montgomery constant inside it, under the
 * context's own mutex (mbedtls_key.h). */
static mbedtls_rsa_context *ctx_of(const crypto_key *k)
{
	return (mbedtls_rsa_context *)&k->rsa;
}

/* em = sig^e mod n, exactly k bytes; CKR_SIGNATURE_INVALID when sig >= n
 * (RFC 8017 5.2.2 step 1: "If the signature representative s is not
 * between 0 and n - 1, output 'signature representative out of range'"). */
static CK_RV public_op(const crypto_key *k, const uint8_t *sig, uint8_t *em)
{
	CK_RV rv;
	int ret;

	/* Both are k bytes big-endian: byte order is numeric order. */
	if (memcmp(sig, k->pub, k->publen) >= 0)
		return CKR_SIGNATURE_INVALID;
	ret = mbedtls_rsa_public(ctx_of(k), sig, em);
	if (ret == 0)
		return CKR_OK;
	rv = crypto_mbed_error(ret);
	return rv == CKR_HOST_MEMORY ? rv : CKR_SIGNATURE_INVALID;
}

/* RFC 8017 9.2 step 5: EM = 0x00 || 0x01 || PS || 0x00 || T, PS being
 * k - tLen - 3 bytes of 0xff. */
static void pkcs1_encode(uint8_t *em, size_t k, const uint8_t *t, size_t n)
{
	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xff, k - n - 3);
	em[k - n - 1] = 0x00;
	if (n > 0)
		memcpy(em + k - n, t, n);
}

/*
 * Verification rebuilds the encoding and compares it whole, in constant
 * time, as BearSSL does: no parser, so none of the lenient-parsing
 * forgeries (Bleichenbacher 2006, NSS CVE-2014-1569) can apply.
 */
static CK_RV pkcs1_verify(const crypto_key *k, const uint8_t *in, size_t n, const uint8_t *sig)
{
	uint8_t *em, *want;
	CK_RV rv;

	if (n > k->publen - PKCS1_OVERHEAD)
		return CKR_DATA_LEN_RANGE;
	em = port_malloc(k->publen);
	want = port_malloc(k->publen);
	if (em == NULL || want == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	rv = public_op(k, sig, em);
	if (rv != CKR_OK)
		goto out;
	pkcs1_encode(want, k->publen, in, n);
	rv = port_ct_equal(em, want, k->publen) ? CKR_OK : CKR_SIGNATURE_INVALID;
out:
	port_free(em);
	port_free(want);
	return rv;
}

/* s = em^d mod n, blinded with the DRBG. */
static CK_RV private_op(const crypto_key *k, const uint8_t *em, uint8_t *out)
{
	int ret = mbedtls_rsa_private(ctx_of(k), crypto_mbed_rng, NULL, em, out);

	return ret == 0 ? CKR_OK : crypto_mbed_error(ret);
}

static CK_RV pkcs1_sign(const crypto_key *k, const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t *em;
	CK_RV rv;

	if (n > k->publen - PKCS1_OVERHEAD)
		return CKR_DATA_LEN_RANGE;
	em = port_malloc(k->publen);
	if (em == NULL)
		return CKR_HOST_MEMORY;
	pkcs1_encode(em, k->publen, in, n);
	rv = private_op(k, em, out);
	port_free(em);
	if (rv == CKR_OK) {
		crypto_test_rsa_fault(out, k->publen);
		rv = pkcs1_verify(k, in, n, out);
	}
	return rv == CKR_SIGNATURE_INVALID ? CKR_FUNCTION_FAILED : rv;
}

/* ---- PSS (RFC 8017 9.1) ---- */

/* emLen = ceil(emBits / 8), emBits = modBits - 1. */
static size_t pss_emlen(const crypto_key *k)
{
	return (k->bits - 1 + 7) / 8;
}

/* The PSS parameters against the key. RFC 8017 9.1.1 step 3: "If emLen <
 * hLen + sLen + 2, output 'encoding error' and stop." */
static CK_RV pss_check(const crypto_key *k, const crypto_pss *pss, size_t n)
{
	size_t hlen, emlen = pss_emlen(k);

	if (pss == NULL || crypto_mbed_md(pss->hash) == MBEDTLS_MD_NONE ||
	    crypto_mbed_md(pss->mgf1) == MBEDTLS_MD_NONE)
		return CKR_MECHANISM_PARAM_INVALID;
	hlen = crypto_hash_len(pss->hash);
	if (emlen < hlen + 2 || pss->salt_len > emlen - hlen - 2)
		return CKR_MECHANISM_PARAM_INVALID;
	if (n != hlen)
		return CKR_DATA_LEN_RANGE;
	return CKR_OK;
}

static CK_RV md(enum crypto_hash h, const uint8_t *in, size_t n, uint8_t *out)
{
	int ret = mbedtls_md(mbedtls_md_info_from_type(crypto_mbed_md(h)), in, n, out);

	return ret == 0 ? CKR_OK : crypto_mbed_error(ret);
}

/* db ^= MGF1(seed, len) (RFC 8017 B.2.1) with hash h. */
static CK_RV mgf1_xor(enum crypto_hash h, const uint8_t *seed, size_t seedlen, uint8_t *db,
		      size_t len)
{
	uint8_t in[CRYPTO_MAX_HASH_LEN + 4], t[CRYPTO_MAX_HASH_LEN];
	size_t hlen = crypto_hash_len(h), off, i;
	uint32_t c;
	CK_RV rv = CKR_OK;

	memcpy(in, seed, seedlen);
	for (c = 0, off = 0; off < len && rv == CKR_OK; c++, off += hlen) {
		in[seedlen] = (uint8_t)(c >> 24);
		in[seedlen + 1] = (uint8_t)(c >> 16);
		in[seedlen + 2] = (uint8_t)(c >> 8);
		in[seedlen + 3] = (uint8_t)c;
		rv = md(h, in, seedlen + 4, t);
		for (i = 0; rv == CKR_OK && i < hlen && off + i < len; i++)
			db[off + i] ^= t[i];
	}
	return rv;
}

/* H = Hash(0x00 * 8 || mHash || salt) (RFC 8017 9.1.1 steps 5-6). */
static CK_RV pss_h(const crypto_pss *pss, const uint8_t *mhash, const uint8_t *salt, uint8_t *h)
{
	size_t hlen = crypto_hash_len(pss->hash), mlen = 8 + hlen + pss->salt_len;
	uint8_t *m = port_malloc(mlen);
	CK_RV rv;

	if (m == NULL)
		return CKR_HOST_MEMORY;
	memset(m, 0, 8);
	memcpy(m + 8, mhash, hlen);
	if (pss->salt_len > 0)
		memcpy(m + 8 + hlen, salt, pss->salt_len);
	rv = md(pss->hash, m, mlen, h);
	port_free(m);
	return rv;
}

/* EM into the last emLen of k->publen bytes of em (the first ones zero):
 * the RSA input (RFC 8017 9.1.1). */
static CK_RV pss_encode(const crypto_key *k, const crypto_pss *pss, const uint8_t *mhash,
			uint8_t *em)
{
	size_t emlen = pss_emlen(k), hlen = crypto_hash_len(pss->hash);
	size_t dblen = emlen - hlen - 1, slen = pss->salt_len;
	uint8_t *e = em + (k->publen - emlen), *db = e, *h = e + dblen;
	CK_RV rv;

	memset(em, 0, k->publen);
	/* DB = PS || 0x01 || salt; the salt is random. */
	db[dblen - slen - 1] = 0x01;
	rv = slen > 0 ? crypto_random(db + dblen - slen, slen) : CKR_OK;
	if (rv == CKR_OK)
		rv = pss_h(pss, mhash, db + dblen - slen, h);
	if (rv == CKR_OK)
		rv = mgf1_xor(pss->mgf1, h, hlen, db, dblen);
	if (rv != CKR_OK)
		return rv;
	/* Step 11: the leftmost 8 * emLen - emBits bits of maskedDB are 0. */
	db[0] &= (uint8_t)(0xff >> (8 * emlen - (k->bits - 1)));
	e[emlen - 1] = 0xbc;
	return CKR_OK;
}

/* RFC 8017 9.1.2 on the public-key output em (k->publen bytes). The salt
 * length is the one given: checked exactly (step 10). Public data: plain
 * comparisons. */
static CK_RV pss_decode(const crypto_key *k, const crypto_pss *pss, const uint8_t *mhash,
			uint8_t *em)
{
	size_t emlen = pss_emlen(k), hlen = crypto_hash_len(pss->hash);
	size_t dblen = emlen - hlen - 1, slen = pss->salt_len, i;
	uint8_t *e = em + (k->publen - emlen), *db = e, *h = e + dblen;
	uint8_t mask = (uint8_t)(0xff >> (8 * emlen - (k->bits - 1))), want[CRYPTO_MAX_HASH_LEN];
	CK_RV rv;

	/* I2OSP(m, emLen): with modBits = 8j + 1 the first byte is extra. */
	for (i = 0; i < k->publen - emlen; i++)
		if (em[i] != 0)
			return CKR_SIGNATURE_INVALID;
	if (e[emlen - 1] != 0xbc || (db[0] & (uint8_t)~mask) != 0)
		return CKR_SIGNATURE_INVALID;
	rv = mgf1_xor(pss->mgf1, h, hlen, db, dblen);
	if (rv != CKR_OK)
		return rv;
	db[0] &= mask;
	for (i = 0; i < dblen - slen - 1; i++)
		if (db[i] != 0)
			return CKR_SIGNATURE_INVALID;
	if (db[dblen - slen - 1] != 0x01)
		return CKR_SIGNATURE_INVALID;
	rv = pss_h(pss, mhash, db + dblen - slen, want);
	if (rv != CKR_OK)
		return rv;
	return memcmp(want, h, hlen) == 0 ? CKR_OK : CKR_SIGNATURE_INVALID;
}

static CK_RV pss_verify(const crypto_key *k, const crypto_pss *pss, const uint8_t *in,
			const uint8_t *sig)
{
	uint8_t *em = port_malloc(k->publen);
	CK_RV rv;

	if (em == NULL)
		return CKR_HOST_MEMORY;
	rv = public_op(k, sig, em);
	if (rv == CKR_OK)
		rv = pss_decode(k, pss, in, em);
	port_free(em);
	return rv;
}

static CK_RV pss_sign(const crypto_key *k, const crypto_pss *pss, const uint8_t *in, uint8_t *out)
{
	uint8_t *em = port_malloc(k->publen);
	CK_RV rv;

	if (em == NULL)
		return CKR_HOST_MEMORY;
	rv = pss_encode(k, pss, in, em);
	if (rv == CKR_OK)
		rv = private_op(k, em, out);
	port_free(em);
	if (rv == CKR_OK) {
		crypto_test_rsa_fault(out, k->publen);
		rv = pss_verify(k, pss, in, out);
	}
	return rv == CKR_SIGNATURE_INVALID ? CKR_FUNCTION_FAILED : rv;
}

CK_RV crypto_mbed_rsa_sign(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
			   const uint8_t *in, size_t n, uint8_t *out)
{
	CK_RV rv;

	if (alg == SIG_RSA_PKCS1) {
		rv = pkcs1_sign(k, in, n, out);
	} else {
		rv = pss_check(k, pss, n);
		if (rv == CKR_OK)
			rv = pss_sign(k, pss, in, out);
	}
	/* Nothing unchecked leaves: a signature that failed its own check
	 * would leak a CRT fault. */
	if (rv != CKR_OK)
		port_wipe(out, k->publen);
	return rv;
}

CK_RV crypto_mbed_rsa_verify(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
			     const uint8_t *in, size_t n, const uint8_t *sig)
{
	CK_RV rv;

	if (alg == SIG_RSA_PKCS1)
		return pkcs1_verify(k, in, n, sig);
	rv = pss_check(k, pss, n);
	return rv == CKR_OK ? pss_verify(k, pss, in, sig) : rv;
}
#endif
