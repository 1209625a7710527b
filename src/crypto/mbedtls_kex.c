/*
 * RSA-OAEP encryption and decryption and ECDH on mbedTLS: the mbedTLS
 * backend of crypto_kex.h.
 */
#include <string.h>

#include "crypto/crypto_kex.h"
#include "crypto/mbedtls_key.h"

#if IOT_WITH_OAEP

#if !defined(MBEDTLS_PKCS1_V21)
#error "IOT_WITH_OAEP needs MBEDTLS_PKCS1_V21 in the mbedTLS configuration"
#endif

/* hLen of a hash this backend has, else 0. */
static size_t hash_len(enum crypto_hash h)
{
	return crypto_mbed_md(h) != MBEDTLS_MD_NONE ? crypto_hash_len(h) : 0;
}

/* RFC 8017 7.1.1 step 1b: "If mLen > k - 2hLen - 2, output 'message too
 * long' and stop." */
size_t crypto_oaep_max(const crypto_key *k, enum crypto_hash hash)
{
	size_t hlen = hash_len(hash);

	if (k == NULL || k->kind != KEY_RSA || hlen == 0 || k->publen < 2 * hlen + 2)
		return 0;
	return k->publen - 2 * hlen - 2;
}

/*
 * The parameters against the key, as the OpenSSL backend checks them: both
 * hashes known, a label where label_len says there is one, and a modulus
 * long enough for the two hashes (k >= 2hLen + 2).
 *
 * mbedTLS's OAEP takes one hash, the context's, for both the label hash and
 * MGF1 (mbedtls_rsa_set_padding; 2.28 and 3.x alike): on this backend a
 * MGF1 hash other than the label hash is CKR_MECHANISM_PARAM_INVALID (the
 * OpenSSL backend takes any pair).
 */
static CK_RV check(const crypto_key *k, const crypto_oaep *p)
{
	size_t hlen;

	if (k->kind != KEY_RSA)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (p == NULL || p->mgf1 != p->hash || (p->label == NULL && p->label_len > 0))
		return CKR_MECHANISM_PARAM_INVALID;
	hlen = hash_len(p->hash);
	if (hlen == 0 || k->publen < 2 * hlen + 2)
		return CKR_MECHANISM_PARAM_INVALID;
	return CKR_OK;
}

/*
 * A context of its own for one operation, made from the key's parts: the
 * OAEP functions read the padding and hash from the context, and the key's
 * context is shared by every thread (mbedtls_key.h) while mbedtls_rsa_private
 * updates its blinding values under the context's mutex, so it can be
 * neither changed nor copied (mbedtls_rsa_copy would read those values
 * unlocked). N, P, Q, D and E never change after the key is made:
 * mbedtls_rsa_export reads only them. mbedtls_rsa_complete computes the CRT
 * values again (cheap next to the private operation), and the new context
 * starts its own blinding.
 */
static CK_RV op_ctx(const crypto_key *k, int priv, enum crypto_hash h, mbedtls_rsa_context *ctx)
{
	mbedtls_mpi n, p, q, d, e;
	int ret;

	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&p);
	mbedtls_mpi_init(&q);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&e);
	ret = mbedtls_rsa_export(&k->rsa, &n, priv ? &p : NULL, priv ? &q : NULL, priv ? &d : NULL,
				 &e);
	if (ret == 0)
		ret = mbedtls_rsa_import(ctx, &n, priv ? &p : NULL, priv ? &q : NULL,
					 priv ? &d : NULL, &e);
	if (ret == 0)
		ret = mbedtls_rsa_complete(ctx);
	if (ret == 0)
		ret = MBED_RSA_SET_OAEP(ctx, crypto_mbed_md(h));
	/* mbedtls_mpi_free zeroizes the limbs. */
	mbedtls_mpi_free(&n);
	mbedtls_mpi_free(&p);
	mbedtls_mpi_free(&q);
	mbedtls_mpi_free(&d);
	mbedtls_mpi_free(&e);
	return ret == 0 ? CKR_OK : crypto_mbed_error(ret);
}

CK_RV crypto_oaep_encrypt(const crypto_key *k, const crypto_oaep *p, const uint8_t *in, size_t n,
			  uint8_t *out)
{
	static const uint8_t empty[1];
	mbedtls_rsa_context ctx;
	CK_RV rv;
	int ret;

	rv = check(k, p);
	if (rv != CKR_OK)
		return rv;
	if (n > crypto_oaep_max(k, p->hash))
		return CKR_DATA_LEN_RANGE;
	MBED_RSA_INIT(&ctx);
	rv = op_ctx(k, 0, p->hash, &ctx);
	if (rv == CKR_OK) {
		/* The seed from the DRBG (RFC 8017 7.1.1 step 2d). */
		ret = MBED_RSA_OAEP_ENCRYPT(&ctx, crypto_mbed_rng, p->label, p->label_len, n,
					    n > 0 ? in : empty, out);
		if (ret != 0)
			rv = crypto_mbed_error(ret);
	}
	mbedtls_rsa_free(&ctx);
	return rv;
}

/*
 * mbedtls_rsa_rsaes_oaep_decrypt runs the private operation (blinded with
 * the DRBG) and checks Y, lHash' and the 0x00..0x01 separator without
 * branching on them, folding every failure into one
 * MBEDTLS_ERR_RSA_INVALID_PADDING, as RFC 8017 7.1.2 note asks against
 * Manger's attack. Nothing here looks at the decoded bytes: every failure
 * but memory is CKR_ENCRYPTED_DATA_INVALID. A ciphertext that is not below
 * the modulus fails in the RSA primitive (RFC 8017 5.1.2 step 1), public
 * data. out has room for k bytes, more than any message, so mbedTLS's
 * "output too large" cannot happen.
 */
CK_RV crypto_oaep_decrypt(const crypto_key *k, const crypto_oaep *p, const uint8_t *in, size_t n,
			  uint8_t *out, size_t *outlen)
{
	mbedtls_rsa_context ctx;
	size_t len = 0;
	CK_RV rv;
	int ret;

	if (k->kind != KEY_RSA || !k->priv)
		return CKR_KEY_TYPE_INCONSISTENT;
	rv = check(k, p);
	if (rv != CKR_OK)
		return rv;
	/* RFC 8017 7.1.2 step 1b: "If the length of the ciphertext C is not
	 * k octets, output 'decryption error' and stop." */
	if (n != k->publen)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	MBED_RSA_INIT(&ctx);
	rv = op_ctx(k, 1, p->hash, &ctx);
	if (rv == CKR_OK) {
		ret = MBED_RSA_OAEP_DECRYPT(&ctx, crypto_mbed_rng, p->label, p->label_len, &len, in,
					    out, k->publen);
		if (ret != 0) {
			rv = crypto_mbed_error(ret);
			if (rv != CKR_HOST_MEMORY)
				rv = CKR_ENCRYPTED_DATA_INVALID;
		}
	}
	/* Zeroizes the private parts and the blinding values. */
	mbedtls_rsa_free(&ctx);
	if (rv != CKR_OK) {
		port_wipe(out, k->publen);
		return rv;
	}
	*outlen = len;
	return CKR_OK;
}

#endif /* IOT_WITH_OAEP */

#if IOT_WITH_ECDH

/*
 * SEC 1 3.3.1: P = d * Q, refused when P is the point at infinity, and z
 * the x coordinate of P as a field element (crypto_ec_size bytes, leading
 * zeros kept).
 *
 * The peer's point goes through crypto_ec_public, the validation of every
 * public key: uncompressed, coordinates below p and on the curve
 * (mbedtls_ecp_check_pubkey), so not the point at infinity either; with
 * cofactor 1 that is SP 800-56A rev. 3 5.6.2.3.3 full validation, so no
 * invalid-curve or small-subgroup point reaches the multiplication (which
 * checks it again itself). The multiplication is mbedTLS's constant-time
 * one, its coordinates randomized with the DRBG, as for d*G in
 * crypto_ec_private.
 */
CK_RV crypto_ecdh(const crypto_key *priv, const uint8_t *point, size_t len, uint8_t *out)
{
	uint8_t buf[1 + 2 * 66];
	crypto_key *peer = NULL;
	mbedtls_ecp_group grp;
	mbedtls_ecp_point r;
	size_t size, blen = 0;
	CK_RV rv;
	int ret;

	if (priv->kind != KEY_EC || !priv->priv)
		return CKR_KEY_TYPE_INCONSISTENT;
	size = crypto_ec_size(priv->curve);
	rv = crypto_ec_public(priv->curve, point, len, &peer);
	if (rv != CKR_OK)
		return rv;
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&r);
	ret = mbedtls_ecp_group_load(&grp, crypto_mbed_ec_group(priv->curve));
	if (ret == 0)
		ret = mbedtls_ecp_mul(&grp, &r, &priv->d, &peer->q, crypto_mbed_rng, NULL);
	if (ret != 0) {
		rv = crypto_mbed_error(ret);
		goto out;
	}
	if (mbedtls_ecp_is_zero(&r)) {
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
		goto out;
	}
	/* x through the public encoding: the point's fields are private in
	 * mbedTLS 3.x. */
	ret = mbedtls_ecp_point_write_binary(&grp, &r, MBEDTLS_ECP_PF_UNCOMPRESSED, &blen, buf,
					     sizeof(buf));
	if (ret != 0)
		rv = crypto_mbed_error(ret);
	else if (blen != 1 + 2 * size)
		rv = CKR_FUNCTION_FAILED;
	else
		memcpy(out, buf + 1, size);
out:
	port_wipe(buf, sizeof(buf));
	/* Frees and zeroizes the shared point. */
	mbedtls_ecp_point_free(&r);
	mbedtls_ecp_group_free(&grp);
	crypto_key_unref(peer);
	if (rv != CKR_OK)
		port_wipe(out, size);
	return rv;
}

#endif /* IOT_WITH_ECDH */
