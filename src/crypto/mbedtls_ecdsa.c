/* ECDSA with raw r||s signatures, the PKCS#11 format (mbedTLS). */
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/hmac_drbg.h>

#include "crypto/mbedtls_key.h"

/*
 * FIPS 186-4 6.4: "Let N be the bit length of n. [...] the leftmost
 * min(N, outlen) bits of Hash(M)" are used. mbedTLS truncates its input
 * that way (derive_mpi in ecdsa.c: at most ceil(N/8) bytes, then the excess
 * bits of P-521 shifted out); cutting longer input to that many bytes here
 * changes nothing and bounds the nonce seed below.
 */
static size_t truncated(const crypto_key *k, size_t n)
{
	size_t size = crypto_ec_size(k->curve);

	return n > size ? size : n;
}

/*
 * The nonce is hedged, as the OpenSSL backend's is (SECURITY.md row 31):
 * mbedtls_ecdsa_sign takes k from an HMAC_DRBG (SHA-512) seeded with the
 * private scalar, the (truncated) hash and 32 fresh bytes of the CTR_DRBG,
 * RFC 6979 section 3.6's "additional data" variant. A weak or repeated
 * DRBG output alone then gives neither a repeated nor a predictable k, and
 * a fault cannot be replayed on a deterministic nonce. The same HMAC_DRBG
 * feeds mbedTLS's blinding of the scalar multiplication and of s.
 */
CK_RV crypto_mbed_ecdsa_sign(const crypto_key *k, const uint8_t *in, size_t n, uint8_t *out)
{
	const size_t size = crypto_ec_size(k->curve);
	uint8_t seed[66 + 66 + 32];
	size_t tn = truncated(k, n), slen = 0;
	mbedtls_hmac_drbg_context hd;
	mbedtls_ecp_group grp;
	mbedtls_mpi r, s;
	CK_RV rv = CKR_OK;
	int ret;

	mbedtls_hmac_drbg_init(&hd);
	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	ret = mbedtls_mpi_write_binary(&k->d, seed, size);
	if (ret != 0) {
		rv = crypto_mbed_error(ret);
		goto out;
	}
	slen = size;
	if (tn > 0)
		memcpy(seed + slen, in, tn);
	slen += tn;
	rv = crypto_random(seed + slen, 32);
	if (rv != CKR_OK)
		goto out;
	slen += 32;
	ret = mbedtls_hmac_drbg_seed_buf(&hd, mbedtls_md_info_from_type(MBEDTLS_MD_SHA512), seed,
					 slen);
	if (ret == 0)
		ret = mbedtls_ecp_group_load(&grp, crypto_mbed_ec_group(k->curve));
	if (ret == 0)
		ret = mbedtls_ecdsa_sign(&grp, &r, &s, &k->d, in, tn, mbedtls_hmac_drbg_random,
					 &hd);
	if (ret == 0)
		ret = mbedtls_mpi_write_binary(&r, out, size);
	if (ret == 0)
		ret = mbedtls_mpi_write_binary(&s, out + size, size);
	if (ret != 0)
		rv = crypto_mbed_error(ret);
out:
	port_wipe(seed, sizeof(seed));
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	mbedtls_ecp_group_free(&grp);
	/* Zeroizes the DRBG state the nonce came from. */
	mbedtls_hmac_drbg_free(&hd);
	if (rv != CKR_OK)
		port_wipe(out, 2 * size);
	return rv;
}

/* 1 <= v <= n-1 for a big-endian v of the order's length. Public values:
 * no need for constant time. */
static int in_range(const uint8_t *v, const uint8_t *order, size_t size)
{
	uint8_t any = 0;
	size_t i;

	for (i = 0; i < size; i++)
		any |= v[i];
	return any != 0 && memcmp(v, order, size) < 0;
}

CK_RV crypto_mbed_ecdsa_verify(const crypto_key *k, const uint8_t *in, size_t n, const uint8_t *sig)
{
	const size_t size = crypto_ec_size(k->curve);
	mbedtls_ecp_group grp;
	mbedtls_mpi r, s;
	CK_RV rv = CKR_OK;
	int ret;

	/* FIPS 186-4 6.4.2 step 1: "If r' and s' are not both in the
	 * interval [1, n-1], output INVALID." Checked here, not left to the
	 * library (SECURITY.md row 31). */
	if (!in_range(sig, crypto_mbed_ec_order(k->curve), size) ||
	    !in_range(sig + size, crypto_mbed_ec_order(k->curve), size))
		return CKR_SIGNATURE_INVALID;
	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	ret = mbedtls_ecp_group_load(&grp, crypto_mbed_ec_group(k->curve));
	if (ret == 0)
		ret = mbedtls_mpi_read_binary(&r, sig, size);
	if (ret == 0)
		ret = mbedtls_mpi_read_binary(&s, sig + size, size);
	if (ret != 0) {
		rv = crypto_mbed_error(ret);
		goto out;
	}
	ret = mbedtls_ecdsa_verify(&grp, in, truncated(k, n), &k->q, &r, &s);
	if (ret != 0) {
		rv = crypto_mbed_error(ret);
		if (rv != CKR_HOST_MEMORY)
			rv = CKR_SIGNATURE_INVALID;
	}
out:
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	mbedtls_ecp_group_free(&grp);
	return rv;
}
