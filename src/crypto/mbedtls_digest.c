/* SHA-1 and SHA-2 digests on mbedTLS. The hash state lives in the context
 * itself (allocated with port_malloc), not behind mbedtls_md_setup's own
 * allocation. */
#include <string.h>

#include "crypto/mbedtls_key.h"

/* Only the hashes compiled in (iotoken/defaults.h): a device build without
 * them does not link mbedTLS's code for them. */
struct crypto_digest {
	union {
#if IOT_WITH_SHA1
		mbedtls_sha1_context sha1;
#endif
		mbedtls_sha256_context sha256; /* SHA-224 too */
#if IOT_WITH_SHA384
		mbedtls_sha512_context sha512; /* SHA-384 too */
#endif
	} u;
	enum crypto_hash h;
	int done; /* final was called */
};

mbedtls_md_type_t crypto_mbed_md(enum crypto_hash h)
{
	static const mbedtls_md_type_t md[HASH_COUNT] = {
		MBEDTLS_MD_SHA1,   MBEDTLS_MD_SHA224, MBEDTLS_MD_SHA256,
		MBEDTLS_MD_SHA384, MBEDTLS_MD_SHA512,
	};

	return (unsigned)h < HASH_COUNT ? md[h] : MBEDTLS_MD_NONE;
}

size_t crypto_hash_len(enum crypto_hash h)
{
	static const size_t len[HASH_COUNT] = { 20, 28, 32, 48, 64 };

	return (unsigned)h < HASH_COUNT ? len[h] : 0;
}

/* Clears the state of whatever digest d holds (the mbedTLS free functions
 * zeroize) and starts h in it. */
static CK_RV start(crypto_digest *d, enum crypto_hash h)
{
	int ret;

	switch (h) {
#if IOT_WITH_SHA1
	case HASH_SHA1:
		mbedtls_sha1_init(&d->u.sha1);
		ret = MBED_SHA1_STARTS(&d->u.sha1);
		break;
#endif
#if IOT_WITH_SHA224
	case HASH_SHA224:
#endif
	case HASH_SHA256:
		mbedtls_sha256_init(&d->u.sha256);
		ret = MBED_SHA256_STARTS(&d->u.sha256, h == HASH_SHA224);
		break;
#if IOT_WITH_SHA384
	case HASH_SHA384:
	case HASH_SHA512:
		mbedtls_sha512_init(&d->u.sha512);
		ret = MBED_SHA512_STARTS(&d->u.sha512, h == HASH_SHA384);
		break;
#endif
	default:
		return CKR_MECHANISM_INVALID;
	}
	if (ret != 0)
		return CKR_FUNCTION_FAILED;
	d->h = h;
	d->done = 0;
	return CKR_OK;
}

static void clear(crypto_digest *d)
{
	switch (d->h) {
#if IOT_WITH_SHA1
	case HASH_SHA1:
		mbedtls_sha1_free(&d->u.sha1);
		break;
#endif
#if IOT_WITH_SHA384
	case HASH_SHA384:
	case HASH_SHA512:
		mbedtls_sha512_free(&d->u.sha512);
		break;
#endif
	default:
		mbedtls_sha256_free(&d->u.sha256);
		break;
	}
}

CK_RV crypto_digest_new(enum crypto_hash h, crypto_digest **out)
{
	crypto_digest *d;
	CK_RV rv;

	if ((unsigned)h >= HASH_COUNT)
		return CKR_MECHANISM_INVALID;
	d = port_calloc(1, sizeof(*d));
	if (d == NULL)
		return CKR_HOST_MEMORY;
	rv = start(d, h);
	if (rv != CKR_OK) {
		port_free_secret(d, sizeof(*d));
		return rv;
	}
	*out = d;
	return CKR_OK;
}

CK_RV crypto_digest_update(crypto_digest *d, const void *data, size_t n)
{
	int ret;

	if (d->done)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (n == 0)
		return CKR_OK;
	if (data == NULL)
		return CKR_ARGUMENTS_BAD;
	switch (d->h) {
#if IOT_WITH_SHA1
	case HASH_SHA1:
		ret = MBED_SHA1_UPDATE(&d->u.sha1, data, n);
		break;
#endif
#if IOT_WITH_SHA384
	case HASH_SHA384:
	case HASH_SHA512:
		ret = MBED_SHA512_UPDATE(&d->u.sha512, data, n);
		break;
#endif
	default:
		ret = MBED_SHA256_UPDATE(&d->u.sha256, data, n);
		break;
	}
	return ret == 0 ? CKR_OK : CKR_FUNCTION_FAILED;
}

CK_RV crypto_digest_final(crypto_digest *d, uint8_t *out)
{
	/* Through a buffer of the largest size: out has room for the hash's
	 * length only, and the truncated hashes share the wider ones' code. */
	uint8_t full[64];
	int ret;

	if (d->done)
		return CKR_OPERATION_NOT_INITIALIZED;
	d->done = 1;
	switch (d->h) {
#if IOT_WITH_SHA1
	case HASH_SHA1:
		ret = MBED_SHA1_FINISH(&d->u.sha1, full);
		break;
#endif
#if IOT_WITH_SHA384
	case HASH_SHA384:
	case HASH_SHA512:
		ret = MBED_SHA512_FINISH(&d->u.sha512, full);
		break;
#endif
	default:
		ret = MBED_SHA256_FINISH(&d->u.sha256, full);
		break;
	}
	if (ret == 0)
		memcpy(out, full, crypto_hash_len(d->h));
	/* The state is of no further use: keep nothing of the input. */
	clear(d);
	port_wipe(full, sizeof(full));
	return ret == 0 ? CKR_OK : CKR_FUNCTION_FAILED;
}

int crypto_digest_finished(const crypto_digest *d)
{
	return d->done;
}

CK_RV crypto_digest_restart(crypto_digest *d, enum crypto_hash h)
{
	if ((unsigned)h >= HASH_COUNT)
		return CKR_MECHANISM_INVALID;
	clear(d);
	return start(d, h);
}

void crypto_digest_free(crypto_digest *d)
{
	if (d == NULL)
		return;
	/* It may be the state of a digest over secret data (C_DigestKey). */
	clear(d);
	port_free_secret(d, sizeof(*d));
}
