/*
 * RSA signatures: PKCS#1 v1.5 over caller-prepared bytes (CKM_RSA_PKCS) and
 * PSS over a hash (CKM_RSA_PKCS_PSS), on OpenSSL 3. Every signature is
 * checked with the public key before it leaves: a fault in the private
 * operation (a glitch in the CRT halves) would otherwise hand out a value
 * that factors the modulus (Boneh-DeMillo-Lipton; SECURITY.md row 32).
 * Where OpenSSL's own RSA code does that check inside the private operation
 * (CRT keys; openssl_rsa_fault.c says when), it is not done twice.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "crypto/openssl_key.h"

/* RFC 8017 9.2 step 3: "If emLen < tLen + 11, output 'intended encoded
 * message length too short' and stop." */
#define PKCS1_OVERHEAD 11

#if IOT_TEST_HOOKS
unsigned long crypto_rsa_fault_bit; /* crypto.h */
#endif

static CK_RV new_ctx(const crypto_key *k, EVP_PKEY_CTX **out)
{
	*out = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	return *out != NULL ? CKR_OK : crypto_ossl_error();
}

/* A failure of OpenSSL on a signature it was given: the signature is bad,
 * unless memory ran out. */
static CK_RV bad_signature(void)
{
	CK_RV rv = crypto_ossl_error();

	return rv == CKR_HOST_MEMORY ? rv : CKR_SIGNATURE_INVALID;
}

/* em = sig^e mod n, exactly k bytes; CKR_SIGNATURE_INVALID when sig >= n
 * (RFC 8017 5.2.2 step 1: "If the signature representative s is not
 * between 0 and n - 1, output 'signature representative out of range'"). */
static CK_RV public_op(const crypto_key *k, const uint8_t *sig, uint8_t *em)
{
	EVP_PKEY_CTX *ctx;
	size_t emlen = k->publen;
	CK_RV rv;

	/* Both are k bytes big-endian: byte order is numeric order. */
	if (memcmp(sig, k->pub, k->publen) >= 0)
		return CKR_SIGNATURE_INVALID;
	rv = new_ctx(k, &ctx);
	if (rv != CKR_OK)
		return rv;
	if (EVP_PKEY_verify_recover_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) != 1)
		rv = crypto_ossl_error();
	else if (EVP_PKEY_verify_recover(ctx, em, &emlen, sig, k->publen) != 1 ||
		 emlen != k->publen)
		rv = bad_signature();
	EVP_PKEY_CTX_free(ctx);
	return rv;
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

static CK_RV pkcs1_sign(const crypto_key *k, const uint8_t *in, size_t n, uint8_t *out,
			int always_check)
{
	EVP_PKEY_CTX *ctx;
	size_t siglen = k->publen;
	int check = 1;
	CK_RV rv;

	if (n > k->publen - PKCS1_OVERHEAD)
		return CKR_DATA_LEN_RANGE;
	rv = new_ctx(k, &ctx);
	if (rv != CKR_OK)
		return rv;
	/* No signature digest on the context: OpenSSL then pads the input
	 * as it is (type 1 padding, RSA_private_encrypt), as CKM_RSA_PKCS
	 * wants. Blinding stays on, OpenSSL's default. */
	if (EVP_PKEY_sign_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_sign(ctx, out, &siglen, in, n) != 1)
		rv = crypto_ossl_error();
	else if (siglen != k->publen)
		rv = CKR_FUNCTION_FAILED;
	else
		check = always_check || !crypto_ossl_rsa_self_checked(k, ctx);
	EVP_PKEY_CTX_free(ctx);
	if (rv == CKR_OK)
		crypto_test_rsa_fault(out, k->publen);
	if (rv == CKR_OK && check)
		rv = pkcs1_verify(k, in, n, out);
	return rv == CKR_SIGNATURE_INVALID ? CKR_FUNCTION_FAILED : rv;
}

/* The PSS parameters against the key. RFC 8017 9.1.1 step 3: "If emLen <
 * hLen + sLen + 2, output 'encoding error' and stop", emLen being
 * ceil((modBits - 1) / 8). */
static CK_RV pss_check(const crypto_key *k, const crypto_pss *pss, size_t n)
{
	size_t hlen, emlen = (k->bits - 1 + 7) / 8;

	if (pss == NULL || crypto_ossl_md(pss->hash) == NULL || crypto_ossl_md(pss->mgf1) == NULL)
		return CKR_MECHANISM_PARAM_INVALID;
	hlen = crypto_hash_len(pss->hash);
	if (emlen < hlen + 2 || pss->salt_len > emlen - hlen - 2)
		return CKR_MECHANISM_PARAM_INVALID;
	if (n != hlen)
		return CKR_DATA_LEN_RANGE;
	return CKR_OK;
}

static CK_RV pss_ctx(const crypto_key *k, const crypto_pss *pss, int verify, EVP_PKEY_CTX **out)
{
	CK_RV rv = new_ctx(k, out);

	if (rv != CKR_OK)
		return rv;
	if ((verify ? EVP_PKEY_verify_init(*out) : EVP_PKEY_sign_init(*out)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(*out, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(*out, crypto_ossl_md(pss->hash)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(*out, crypto_ossl_md(pss->mgf1)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(*out, (int)pss->salt_len) != 1) {
		rv = crypto_ossl_error();
		EVP_PKEY_CTX_free(*out);
		*out = NULL;
	}
	return rv;
}

/* The salt length is set, so OpenSSL checks it exactly (no "auto"). */
static CK_RV pss_verify(const crypto_key *k, const crypto_pss *pss, const uint8_t *in, size_t n,
			const uint8_t *sig)
{
	EVP_PKEY_CTX *ctx;
	CK_RV rv = pss_ctx(k, pss, 1, &ctx);

	if (rv != CKR_OK)
		return rv;
	if (EVP_PKEY_verify(ctx, sig, k->publen, in, n) != 1)
		rv = bad_signature();
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

static CK_RV pss_sign(const crypto_key *k, const crypto_pss *pss, const uint8_t *in, size_t n,
		      uint8_t *out, int always_check)
{
	EVP_PKEY_CTX *ctx;
	size_t siglen = k->publen;
	int check = 1;
	CK_RV rv = pss_ctx(k, pss, 0, &ctx);

	if (rv != CKR_OK)
		return rv;
	if (EVP_PKEY_sign(ctx, out, &siglen, in, n) != 1)
		rv = crypto_ossl_error();
	else if (siglen != k->publen)
		rv = CKR_FUNCTION_FAILED;
	else
		check = always_check || !crypto_ossl_rsa_self_checked(k, ctx);
	EVP_PKEY_CTX_free(ctx);
	if (rv == CKR_OK)
		crypto_test_rsa_fault(out, k->publen);
	if (rv == CKR_OK && check)
		rv = pss_verify(k, pss, in, n, out);
	return rv == CKR_SIGNATURE_INVALID ? CKR_FUNCTION_FAILED : rv;
}

static CK_RV rsa_sign(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
		      const uint8_t *in, size_t n, uint8_t *out, int always_check)
{
	CK_RV rv;

	if (alg == SIG_RSA_PKCS1) {
		rv = pkcs1_sign(k, in, n, out, always_check);
	} else {
		rv = pss_check(k, pss, n);
		if (rv == CKR_OK)
			rv = pss_sign(k, pss, in, n, out, always_check);
	}
	/* Nothing unchecked leaves: a signature that failed its own check
	 * would leak a CRT fault. */
	if (rv != CKR_OK)
		port_wipe(out, k->publen);
	return rv;
}

CK_RV crypto_ossl_rsa_sign(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
			   const uint8_t *in, size_t n, uint8_t *out)
{
	return rsa_sign(k, alg, pss, in, n, out, 0);
}

CK_RV crypto_ossl_rsa_sign_checked(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
				   const uint8_t *in, size_t n, uint8_t *out)
{
	return rsa_sign(k, alg, pss, in, n, out, 1);
}

CK_RV crypto_ossl_rsa_verify(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
			     const uint8_t *in, size_t n, const uint8_t *sig)
{
	CK_RV rv;

	if (alg == SIG_RSA_PKCS1)
		return pkcs1_verify(k, in, n, sig);
	rv = pss_check(k, pss, n);
	return rv == CKR_OK ? pss_verify(k, pss, in, n, sig) : rv;
}
