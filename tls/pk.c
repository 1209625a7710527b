/*
 * The mbedTLS private-key context whose signatures are made by the token.
 *
 * RSA keys use mbedTLS's public "RSA alt" hook (mbedtls_pk_setup_rsa_alt):
 * the TLS 1.2 CertificateVerify of mbedTLS 2.28 is PKCS#1 v1.5, so the
 * callback builds the DigestInfo and signs with CKM_RSA_PKCS. (RSA-PSS
 * appears only with TLS 1.3, which mbedTLS 2.28 offers as an experiment
 * without client authentication.)
 *
 * EC keys have no such hook: the context is a copy of mbedTLS's own EC key
 * type (mbedtls_pk_info_t) with the sign function replaced, over a copy of
 * the certificate's public key, so that everything else mbedTLS asks of the
 * key (size, type, verification, debug output) is answered by mbedTLS's own
 * code. The signature is CKM_ECDSA over the hash, re-encoded as DER.
 *
 * Before either is set up the key and the certificate are checked to
 * belong together: by comparing the public value the private key object
 * carries (CKA_EC_POINT, CKA_MODULUS) with the certificate's, or, when the
 * token does not give it, by a trial signature verified with the
 * certificate's key. A mismatch is found here, before connecting, rather
 * than as a handshake failure.
 */
#include <stdlib.h>
#include <string.h>

#include "../tools/common/ckr_name.h"
#include "internal.h"

/* The largest ECDSA signature as r || s: P-521, 2 x 66 bytes. */
#define RS_MAX (2 * 66)

/* The pk_ctx of an EC key: mbedTLS's EC functions read it as the
 * mbedtls_ecp_keypair, which must therefore come first. */
struct ec_ctx {
	mbedtls_ecp_keypair kp;
	struct tls_pk *owner;
};

/* Any failure of the token; tls.c reports the CK_RV kept in tok->sign_rv. */
#define TOKEN_FAILED MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE

static int ec_sign(TLS_SIGN_FUNC_ARGS)
{
	struct ec_ctx *c = ctx;
	unsigned char rs[RS_MAX];
	size_t rs_len = sizeof(rs);

	(void)md_alg;
	(void)f_rng;
	(void)p_rng;
	/* CKM_ECDSA takes the hash itself and, like mbedTLS, uses its leftmost
	 * bits when it is longer than the order (curr. mech. section 2.3.6). */
	c->owner->tok->sign_rv =
		tls_token_sign(c->owner->tok, CKM_ECDSA, hash, hash_len, rs, &rs_len);
	if (c->owner->tok->sign_rv != CKR_OK)
		return TOKEN_FAILED;
	/* mbedTLS 2.28 gives a buffer of MBEDTLS_PK_SIGNATURE_MAX_SIZE bytes. */
	if (!tls_ecdsa_rs_to_der(rs, rs_len, sig, MBEDTLS_ECDSA_MAX_LEN, sig_len))
		return MBEDTLS_ERR_PK_BAD_INPUT_DATA;
	return 0;
}

static void *ec_alloc(void)
{
	return NULL; /* contexts are made by tls_pk_setup only */
}

static void ec_free(void *ctx)
{
	struct ec_ctx *c = ctx;

	if (c == NULL)
		return;
	mbedtls_ecp_keypair_free(&c->kp);
	free(c);
}

/* mbedtls_pk_check_pair(pub, ours): the public points must be equal. */
static int ec_check_pair(const void *pub, const void *prv)
{
	const mbedtls_ecp_keypair *a = pub;
	const struct ec_ctx *b = prv;

	if (a->grp.id != b->kp.grp.id || mbedtls_ecp_point_cmp(&a->Q, &b->kp.Q) != 0)
		return MBEDTLS_ERR_ECP_BAD_INPUT_DATA;
	return 0;
}

static int rsa_sign(TLS_RSA_ALT_SIGN_ARGS)
{
	struct tls_pk *pk = ctx;
	unsigned char di[19 + 64];
	const unsigned char *in = hash;
	size_t in_len = hash_len, n = pk->rsa_len;

	(void)f_rng;
	(void)p_rng;
	if (!TLS_RSA_ALT_SIGN_MODE_OK)
		return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
	if (md_alg != MBEDTLS_MD_NONE) {
		if (!tls_digest_info(md_alg, hash, hash_len, di, sizeof(di), &in_len))
			return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
		in = di;
	}
	pk->tok->sign_rv = tls_token_sign(pk->tok, CKM_RSA_PKCS, in, in_len, sig, &n);
	if (pk->tok->sign_rv != CKR_OK)
		return TOKEN_FAILED;
	return n == pk->rsa_len ? 0 : MBEDTLS_ERR_RSA_PRIVATE_FAILED;
}

static int rsa_decrypt(TLS_RSA_ALT_DECRYPT_ARGS)
{
	(void)ctx;
	(void)mode;
	(void)olen;
	(void)input;
	(void)output;
	(void)output_max_len;
	return MBEDTLS_ERR_RSA_UNSUPPORTED_OPERATION; /* never used by a client */
}

static size_t rsa_key_len(void *ctx)
{
	return ((struct tls_pk *)ctx)->rsa_len;
}

/* value (CKA_EC_POINT) is the DER OCTET STRING of point, or (some tokens)
 * the point itself. */
static bool ec_point_eq(const unsigned char *value, size_t len, const unsigned char *point,
			size_t plen)
{
	size_t hdr = 0;

	if (len > 2 && value[0] == 0x04) {
		if (value[1] < 0x80 && (size_t)value[1] + 2 == len)
			hdr = 2;
		else if (value[1] == 0x81 && len > 3 && (size_t)value[2] + 3 == len)
			hdr = 3;
	}
	return len - hdr == plen && memcmp(value + hdr, point, plen) == 0;
}

/* Compares the big-endian numbers a and b, leading zeros ignored. */
static bool bignum_eq(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	while (alen > 0 && a[0] == 0)
		a++, alen--;
	while (blen > 0 && b[0] == 0)
		b++, blen--;
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* The public value of the key object against the certificate's: 1 equal,
 * 0 different, -1 the token does not say (or an error). */
static int compare_public(struct tls_token *tok, mbedtls_pk_context *cert_pk)
{
	unsigned char mine[MBEDTLS_MPI_MAX_SIZE + 1];
	unsigned char *val = NULL;
	size_t len = 0, mlen = 0;
	int eq = -1;

	if (tok->key_type == CKK_EC) {
		const mbedtls_ecp_keypair *kp = mbedtls_pk_ec(*cert_pk);

		if (tls_token_attr(tok, tok->key, CKA_EC_POINT, &val, &len) != CKR_OK)
			return -1;
		if (mbedtls_ecp_point_write_binary(&kp->grp, &kp->Q, MBEDTLS_ECP_PF_UNCOMPRESSED,
						   &mlen, mine, sizeof(mine)) == 0)
			eq = ec_point_eq(val, len, mine, mlen);
	} else {
		mbedtls_rsa_context *rsa = mbedtls_pk_rsa(*cert_pk);

		if (tls_token_attr(tok, tok->key, CKA_MODULUS, &val, &len) != CKR_OK)
			return -1;
		mlen = mbedtls_rsa_get_len(rsa);
		if (mlen <= sizeof(mine) && mbedtls_rsa_export_raw(rsa, mine, mlen, NULL, 0, NULL,
								   0, NULL, 0, NULL, 0) == 0)
			eq = bignum_eq(val, len, mine, mlen);
	}
	free(val);
	return eq;
}

/* A signature by the token over a fixed hash, verified with the
 * certificate's key. IOT_TLS_OK, IOT_TLS_ERR_KEY_MISMATCH or
 * IOT_TLS_ERR_KEY (the token would not sign). */
static int trial_signature(struct tls_token *tok, mbedtls_pk_context *cert_pk, struct tls_err *e)
{
	static const unsigned char hash[32] = "iotoken TLS helper: key check..";
	unsigned char sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE], der[MBEDTLS_ECDSA_MAX_LEN];
	unsigned char in[19 + 32];
	size_t sig_len = sizeof(sig), in_len = 0, der_len = 0;
	const unsigned char *check = sig;
	CK_RV rv;

	if (tok->key_type == CKK_EC) {
		rv = tls_token_sign(tok, CKM_ECDSA, hash, sizeof(hash), sig, &sig_len);
		if (rv == CKR_OK && !tls_ecdsa_rs_to_der(sig, sig_len, der, sizeof(der), &der_len))
			rv = CKR_SIGNATURE_LEN_RANGE;
		check = der;
		sig_len = der_len;
	} else {
		tls_digest_info(MBEDTLS_MD_SHA256, hash, sizeof(hash), in, sizeof(in), &in_len);
		rv = tls_token_sign(tok, CKM_RSA_PKCS, in, in_len, sig, &sig_len);
	}
	if (rv != CKR_OK) {
		tls_errf(e, "the private key does not sign (C_SignInit/C_Sign): %s",
			 rv == CKR_SIGNATURE_LEN_RANGE ? "malformed signature" : iot_ckr_name(rv));
		return IOT_TLS_ERR_KEY;
	}
	if (mbedtls_pk_verify(cert_pk, MBEDTLS_MD_SHA256, hash, sizeof(hash), check, sig_len) !=
	    0) {
		tls_errf(e, "the certificate's public key is not the private key's");
		return IOT_TLS_ERR_KEY_MISMATCH;
	}
	return IOT_TLS_OK;
}

static int check_match(struct tls_token *tok, mbedtls_pk_context *cert_pk, struct tls_err *e)
{
	mbedtls_pk_type_t type = mbedtls_pk_get_type(cert_pk);
	int eq;

	if ((tok->key_type == CKK_EC && type != MBEDTLS_PK_ECKEY && type != MBEDTLS_PK_ECDSA) ||
	    (tok->key_type == CKK_RSA && type != MBEDTLS_PK_RSA)) {
		tls_errf(e, "the certificate's key is %s, the private key is %s",
			 mbedtls_pk_get_name(cert_pk), tok->key_type == CKK_EC ? "EC" : "RSA");
		return IOT_TLS_ERR_KEY_MISMATCH;
	}
	eq = compare_public(tok, cert_pk);
	if (eq == 1)
		return IOT_TLS_OK;
	if (eq == 0) {
		tls_errf(e, "the certificate's public key is not the private key's");
		return IOT_TLS_ERR_KEY_MISMATCH;
	}
	return trial_signature(tok, cert_pk, e);
}

static int setup_ec(struct tls_pk *pk, mbedtls_pk_context *cert_pk)
{
	const mbedtls_ecp_keypair *src = mbedtls_pk_ec(*cert_pk);
	struct ec_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return IOT_TLS_ERR_MEMORY;
	mbedtls_ecp_keypair_init(&c->kp);
	c->owner = pk;
	if (mbedtls_ecp_group_copy(&c->kp.grp, &src->grp) != 0 ||
	    mbedtls_ecp_copy(&c->kp.Q, &src->Q) != 0) {
		ec_free(c);
		return IOT_TLS_ERR_MEMORY;
	}
	pk->ec_info = *mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY);
	pk->ec_info.sign_func = ec_sign;
#if defined(MBEDTLS_ECP_RESTARTABLE)
	pk->ec_info.sign_rs_func = NULL;
#endif
	pk->ec_info.check_pair_func = ec_check_pair;
	pk->ec_info.ctx_alloc_func = ec_alloc;
	pk->ec_info.ctx_free_func = ec_free;
	pk->pk.pk_info = &pk->ec_info;
	pk->pk.pk_ctx = c;
	return IOT_TLS_OK;
}

int tls_pk_setup(struct tls_pk *pk, struct tls_token *tok, mbedtls_pk_context *cert_pk,
		 struct tls_err *e)
{
	int ret;

	mbedtls_pk_init(&pk->pk);
	pk->tok = tok;
	ret = check_match(tok, cert_pk, e);
	if (ret != IOT_TLS_OK)
		return ret;
	if (tok->key_type == CKK_EC) {
		ret = setup_ec(pk, cert_pk);
	} else {
		pk->rsa_len = mbedtls_pk_get_len(cert_pk);
		ret = mbedtls_pk_setup_rsa_alt(&pk->pk, pk, rsa_decrypt, rsa_sign, rsa_key_len) == 0
			      ? IOT_TLS_OK
			      : IOT_TLS_ERR_MEMORY;
	}
	if (ret == IOT_TLS_ERR_MEMORY)
		tls_errf(e, "out of memory");
	return ret;
}

void tls_pk_free(struct tls_pk *pk)
{
	mbedtls_pk_free(&pk->pk);
}
