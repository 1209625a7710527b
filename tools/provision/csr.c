/*
 * PKCS#10 requests signed through the token. OpenSSL builds and encodes the
 * request; only the signature comes from C_Sign over the DER of the
 * CertificationRequestInfo (RFC 2986 4.2), so the private key never leaves
 * the token.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "prov.h"

/* The mechanism and the AlgorithmIdentifier of the signature. ECDSA's
 * hash follows the curve size (P-256 SHA-256, P-384 SHA-384, P-521
 * SHA-512), as RFC 5480 4 recommends. */
static CK_RV pick_alg(const EVP_PKEY *pub, CK_MECHANISM_TYPE *mech, int *nid)
{
	int bits = EVP_PKEY_get_bits(pub);

	if (EVP_PKEY_is_a(pub, "RSA")) {
		*mech = CKM_SHA256_RSA_PKCS;
		*nid = NID_sha256WithRSAEncryption;
	} else if (!EVP_PKEY_is_a(pub, "EC")) {
		return CKR_KEY_TYPE_INCONSISTENT;
	} else if (bits <= 256) {
		*mech = CKM_ECDSA_SHA256;
		*nid = NID_ecdsa_with_SHA256;
	} else if (bits <= 384) {
		*mech = CKM_ECDSA_SHA384;
		*nid = NID_ecdsa_with_SHA384;
	} else {
		*mech = CKM_ECDSA_SHA512;
		*nid = NID_ecdsa_with_SHA512;
	}
	return CKR_OK;
}

static CK_RV token_sign(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key,
			CK_MECHANISM_TYPE type, const unsigned char *tbs, size_t tbs_len,
			unsigned char **sig, CK_ULONG *sig_len)
{
	CK_MECHANISM mech = { type, NULL, 0 };
	CK_ULONG len = 0;
	CK_RV rv;

	*sig = NULL;
	rv = p11->C_SignInit(s, &mech, key);
	if (rv != CKR_OK)
		return rv;
	/* v2.40 5.2: a length query does not end the operation. */
	rv = p11->C_Sign(s, (CK_BYTE_PTR)tbs, (CK_ULONG)tbs_len, NULL, &len);
	if (rv == CKR_OK && (len == 0 || len > 16384))
		rv = CKR_SIGNATURE_LEN_RANGE;
	if (rv == CKR_OK) {
		*sig = malloc(len);
		if (*sig == NULL)
			rv = CKR_HOST_MEMORY;
	}
	/* Out of memory or an absurd length: v2.40 gives no way to cancel a
	 * signing operation, so it stays active until the session closes. */
	if (rv != CKR_OK)
		return rv;
	rv = p11->C_Sign(s, (CK_BYTE_PTR)tbs, (CK_ULONG)tbs_len, *sig, &len);
	if (rv != CKR_OK) {
		free(*sig);
		*sig = NULL;
		return rv;
	}
	*sig_len = len;
	return CKR_OK;
}

/* Tokens without the hashing ECDSA mechanisms (SoftHSMv2 2.6 has only
 * CKM_ECDSA): hash here and let the token sign the hash. */
static CK_RV sign_hash_here(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key,
			    CK_MECHANISM_TYPE hashing, const unsigned char *tbs, size_t tbs_len,
			    unsigned char **sig, CK_ULONG *sig_len)
{
	const EVP_MD *md = hashing == CKM_ECDSA_SHA256   ? EVP_sha256()
			   : hashing == CKM_ECDSA_SHA384 ? EVP_sha384()
							 : EVP_sha512();
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned int hash_len = 0;

	if (EVP_Digest(tbs, tbs_len, hash, &hash_len, md, NULL) != 1)
		return CKR_FUNCTION_FAILED;
	return token_sign(p11, s, key, CKM_ECDSA, hash, hash_len, sig, sig_len);
}

/* PKCS#11 ECDSA signatures are r || s (v2.40 2.3.1); X.509 wants the DER
 * ECDSA-Sig-Value (RFC 3279 2.2.3). */
static CK_RV ecdsa_to_der(const unsigned char *raw, CK_ULONG len, unsigned char **der, int *der_len)
{
	ECDSA_SIG *sig;
	BIGNUM *r, *s;

	if (len == 0 || len % 2 != 0)
		return CKR_SIGNATURE_LEN_RANGE;
	sig = ECDSA_SIG_new();
	r = BN_bin2bn(raw, (int)(len / 2), NULL);
	s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
	if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s)) {
		ECDSA_SIG_free(sig);
		BN_free(r);
		BN_free(s);
		return CKR_HOST_MEMORY;
	}
	*der = NULL;
	*der_len = i2d_ECDSA_SIG(sig, der);
	ECDSA_SIG_free(sig);
	return *der_len > 0 ? CKR_OK : CKR_HOST_MEMORY;
}

/* Puts the signature and its algorithm into the request. */
static CK_RV set_signature(X509_REQ *req, int nid, const unsigned char *sig, int len)
{
	ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	int ok;

	/* RFC 5758 3.2: ECDSA AlgorithmIdentifiers have no parameters; RFC
	 * 4055 5: sha256WithRSAEncryption has NULL ones. */
	ok = bits != NULL && alg != NULL &&
	     X509_ALGOR_set0(alg, OBJ_nid2obj(nid),
			     nid == NID_sha256WithRSAEncryption ? V_ASN1_NULL : V_ASN1_UNDEF,
			     NULL) &&
	     ASN1_BIT_STRING_set(bits, (unsigned char *)sig, len) &&
	     X509_REQ_set1_signature_algo(req, alg);
	if (ok) {
		/* A whole number of bytes: no unused bits, as ASN1_item_sign
		 * marks its own signatures. */
		bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
		bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
		X509_REQ_set0_signature(req, bits);
		bits = NULL;
	}
	X509_ALGOR_free(alg);
	ASN1_BIT_STRING_free(bits);
	return ok ? CKR_OK : CKR_HOST_MEMORY;
}

CK_RV prov_make_csr(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE priv,
		    const char *subject, unsigned char **csr_der, size_t *csr_len)
{
	EVP_PKEY *pub = NULL;
	X509_NAME *name = NULL;
	X509_REQ *req = NULL;
	unsigned char *tbs = NULL, *raw = NULL, *der = NULL, *out = NULL;
	int tbs_len, der_len = 0, out_len;
	CK_ULONG raw_len = 0;
	CK_MECHANISM_TYPE mech = 0;
	int nid = NID_undef;
	CK_RV rv;

	rv = prov_parse_subject(subject, &name);
	if (rv == CKR_OK)
		rv = prov_token_pubkey(p11, s, priv, &pub);
	if (rv == CKR_OK)
		rv = pick_alg(pub, &mech, &nid);
	if (rv != CKR_OK)
		goto end;
	req = X509_REQ_new();
	/* Version 0 is v1, the only one RFC 2986 defines. */
	if (req == NULL || !X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_REQ_set_subject_name(req, name) || !X509_REQ_set_pubkey(req, pub)) {
		rv = CKR_HOST_MEMORY;
		goto end;
	}
	tbs_len = i2d_re_X509_REQ_tbs(req, &tbs);
	if (tbs_len <= 0) {
		rv = CKR_HOST_MEMORY;
		goto end;
	}
	rv = token_sign(p11, s, priv, mech, tbs, (size_t)tbs_len, &raw, &raw_len);
	if (rv == CKR_MECHANISM_INVALID && mech != CKM_SHA256_RSA_PKCS)
		rv = sign_hash_here(p11, s, priv, mech, tbs, (size_t)tbs_len, &raw, &raw_len);
	if (rv != CKR_OK)
		goto end;
	if (mech == CKM_SHA256_RSA_PKCS) {
		rv = set_signature(req, nid, raw, (int)raw_len);
	} else {
		rv = ecdsa_to_der(raw, raw_len, &der, &der_len);
		if (rv == CKR_OK)
			rv = set_signature(req, nid, der, der_len);
	}
	if (rv != CKR_OK)
		goto end;
	/* A request the CA would refuse is better caught here: a token whose
	 * public key object does not belong to its private key signs
	 * something that does not verify. */
	if (X509_REQ_verify(req, pub) != 1) {
		rv = CKR_FUNCTION_FAILED;
		goto end;
	}
	out_len = i2d_X509_REQ(req, &out);
	if (out_len <= 0) {
		rv = CKR_HOST_MEMORY;
		goto end;
	}
	*csr_der = malloc((size_t)out_len);
	if (*csr_der == NULL) {
		rv = CKR_HOST_MEMORY;
		goto end;
	}
	memcpy(*csr_der, out, (size_t)out_len);
	*csr_len = (size_t)out_len;
end:
	OPENSSL_free(out);
	OPENSSL_free(der);
	OPENSSL_free(tbs);
	free(raw);
	X509_REQ_free(req);
	X509_NAME_free(name);
	EVP_PKEY_free(pub);
	ERR_clear_error();
	return rv;
}

CK_RV iot_prov_csr(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, const char *key_label,
		   const char *subject, unsigned char **csr_der, size_t *csr_len)
{
	CK_OBJECT_HANDLE key;
	CK_RV rv;

	if (csr_der != NULL)
		*csr_der = NULL;
	if (csr_len != NULL)
		*csr_len = 0;
	if (p11 == NULL || key_label == NULL || subject == NULL || csr_der == NULL ||
	    csr_len == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = prov_find_label(p11, session, CKO_PRIVATE_KEY, key_label, &key);
	if (rv != CKR_OK)
		return rv;
	return prov_make_csr(p11, session, key, subject, csr_der, csr_len);
}
