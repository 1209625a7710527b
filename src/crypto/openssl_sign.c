/* crypto_sign and crypto_verify: the key and the arguments checked once,
 * then ECDSA (openssl_ecdsa.c) or RSA (openssl_rsa_sig.c). */
#include <openssl/err.h>

#include "crypto/openssl_key.h"

size_t crypto_sig_len(const crypto_key *k)
{
	if (k == NULL)
		return 0;
	if (k->kind == KEY_ED25519)
		return 64; /* R || S, RFC 8032 5.1.6 */
	return k->kind == KEY_EC ? 2 * crypto_ec_size(k->curve) : k->publen;
}

/* v2.40 return values, CKR_KEY_TYPE_INCONSISTENT: "The specified key is
 * not the correct type of key to use with the specified mechanism." */
static CK_RV check_alg(const crypto_key *k, enum crypto_sig alg)
{
	switch (alg) {
	case SIG_ECDSA:
		return k->kind == KEY_EC ? CKR_OK : CKR_KEY_TYPE_INCONSISTENT;
	case SIG_RSA_PKCS1:
	case SIG_RSA_PSS:
		return k->kind == KEY_RSA ? CKR_OK : CKR_KEY_TYPE_INCONSISTENT;
	default:
		return CKR_MECHANISM_INVALID;
	}
}

CK_RV crypto_sign(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
		  const uint8_t *in, size_t n, uint8_t *out)
{
	static const uint8_t empty[1];
	CK_RV rv = check_alg(k, alg);

	if (rv != CKR_OK)
		return rv;
	if (!k->priv)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (in == NULL && n > 0)
		return CKR_ARGUMENTS_BAD;
	/* OpenSSL wants a pointer even for no bytes. */
	if (in == NULL)
		in = empty;
	/* The caller's OpenSSL error queue is left as it was: what fails in
	 * here is reported by the return value only. */
	ERR_set_mark();
	if (alg == SIG_ECDSA)
		rv = crypto_ossl_ecdsa_sign(k, in, n, out);
	else
		rv = crypto_ossl_rsa_sign(k, alg, pss, in, n, out);
	ERR_pop_to_mark();
	return rv;
}

CK_RV crypto_verify(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
		    const uint8_t *in, size_t n, const uint8_t *sig, size_t siglen)
{
	static const uint8_t empty[1];
	CK_RV rv = check_alg(k, alg);

	if (rv != CKR_OK)
		return rv;
	/* v2.40 return values, CKR_SIGNATURE_LEN_RANGE: "The provided
	 * signature/MAC can be seen to be invalid solely on the basis of its
	 * length." */
	if (siglen != crypto_sig_len(k))
		return CKR_SIGNATURE_LEN_RANGE;
	if ((in == NULL && n > 0) || sig == NULL)
		return CKR_ARGUMENTS_BAD;
	if (in == NULL)
		in = empty;
	ERR_set_mark();
	if (alg == SIG_ECDSA)
		rv = crypto_ossl_ecdsa_verify(k, in, n, sig);
	else
		rv = crypto_ossl_rsa_verify(k, alg, pss, in, n, sig);
	ERR_pop_to_mark();
	return rv;
}
