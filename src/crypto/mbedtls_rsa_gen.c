/* RSA key generation, and the parts of an RSA key as PKCS#11 attributes
 * (mbedTLS). */
#include <limits.h>
#include <string.h>

#include "crypto/mbedtls_key.h"

#if IOT_WITH_RSA

#if IOT_WITH_RSA_KEYGEN
/*
 * The public exponent of a generated key: odd and at least 3. The OpenSSL
 * backend takes up to 64 bits; mbedtls_rsa_gen_key takes an int, so here
 * the exponent must also be at most INT_MAX (65537 and 3, the ones in use,
 * are far below).
 */
static CK_RV exponent(const uint8_t *e, size_t elen, int *out)
{
	unsigned long long v = 0;
	size_t i;

	if (e == NULL || elen == 0) {
		*out = 65537;
		return CKR_OK;
	}
	e = crypto_mbed_strip(e, &elen);
	if (elen == 0 || elen > 8)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	for (i = 0; i < elen; i++)
		v = v << 8 | e[i];
	if ((v & 1) == 0 || v == 1 || v > INT_MAX)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	*out = (int)v;
	return CKR_OK;
}

CK_RV crypto_rsa_generate(size_t bits, const uint8_t *e, size_t elen, crypto_key **out)
{
	crypto_key *k = NULL;
	CK_RV rv;
	int ev = 0, ret;

	/* mbedtls_rsa_gen_key makes two primes of bits / 2: an even size
	 * (the token asks for multiples of 8). */
	if (bits < CRYPTO_RSA_MIN_BITS || bits > CRYPTO_RSA_MAX_BITS || bits % 2 != 0)
		return CKR_KEY_SIZE_RANGE;
	rv = exponent(e, elen, &ev);
	if (rv != CKR_OK)
		return rv;
	rv = crypto_mbed_key_alloc(KEY_RSA, 1, CURVE_COUNT, &k);
	if (rv != CKR_OK)
		return rv;
	k->has_primes = 1;
	/* Primes from the DRBG, with |p - q| and d large enough (FIPS 186-4
	 * B.3.1 criteria in mbedTLS), d = e^-1 mod lcm(p-1, q-1). */
	ret = mbedtls_rsa_gen_key(&k->rsa, crypto_mbed_rng, NULL, (unsigned int)bits, ev);
	if (ret != 0)
		rv = crypto_mbed_error(ret);
	return crypto_mbed_key_finish(k, rv, out);
}
#endif

static void parts_free(uint8_t *parts[RSA_PARTS], size_t lens[RSA_PARTS])
{
	int i;

	for (i = 0; i < RSA_PARTS; i++) {
		port_free_secret(parts[i], lens[i]);
		parts[i] = NULL;
		lens[i] = 0;
	}
}

/* One part, minimal big-endian (PKCS#11 "Big integer": no leading zeros). */
static CK_RV part(const mbedtls_mpi *v, uint8_t **out, size_t *len)
{
	size_t n = mbedtls_mpi_size(v);
	int ret;

	*len = n > 0 ? n : 1;
	*out = port_calloc(1, *len);
	if (*out == NULL) {
		*len = 0;
		return CKR_HOST_MEMORY;
	}
	ret = n > 0 ? mbedtls_mpi_write_binary(v, *out, n) : 0;
	return ret == 0 ? CKR_OK : crypto_mbed_error(ret);
}

CK_RV crypto_rsa_parts(const crypto_key *k, uint8_t *parts[RSA_PARTS], size_t lens[RSA_PARTS])
{
	mbedtls_mpi v[RSA_PARTS];
	int i, ret = 0, last;
	CK_RV rv = CKR_OK;

	for (i = 0; i < RSA_PARTS; i++) {
		parts[i] = NULL;
		lens[i] = 0;
	}
	if (k->kind != KEY_RSA)
		return CKR_KEY_TYPE_INCONSISTENT;
	for (i = 0; i < RSA_PARTS; i++)
		mbedtls_mpi_init(&v[i]);
	/* A public key has N and E; a private one D too, and the primes and
	 * CRT values when it was given or made with them (a key imported
	 * from N, E and D shows no primes, whatever mbedTLS recovered). */
	if (!k->priv) {
		ret = mbedtls_rsa_export(&k->rsa, &v[RSA_N], NULL, NULL, NULL, &v[RSA_E]);
		last = RSA_D;
	} else {
		ret = mbedtls_rsa_export(&k->rsa, &v[RSA_N], &v[RSA_P], &v[RSA_Q], &v[RSA_D],
					 &v[RSA_E]);
		if (ret == 0)
			ret = mbedtls_rsa_export_crt(&k->rsa, &v[RSA_DP], &v[RSA_DQ], &v[RSA_QINV]);
		last = k->has_primes ? RSA_PARTS : RSA_P;
	}
	if (ret != 0)
		rv = crypto_mbed_error(ret);
	for (i = 0; i < last && rv == CKR_OK; i++)
		rv = part(&v[i], &parts[i], &lens[i]);
	for (i = 0; i < RSA_PARTS; i++)
		mbedtls_mpi_free(&v[i]);
	if (rv != CKR_OK)
		parts_free(parts, lens);
	return rv;
}
#endif
