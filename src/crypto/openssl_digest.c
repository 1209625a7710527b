/* SHA-1 and SHA-2 digests on OpenSSL 3 (EVP_MD_CTX). */
#include <pthread.h>

#include <openssl/err.h>

#include "crypto/openssl_key.h"

struct crypto_digest {
	EVP_MD_CTX *ctx;
	enum crypto_hash h;
	int done; /* final was called: OpenSSL forbids updates after it */
};

/*
 * The digests, fetched from the provider once per process. EVP_sha256() and
 * friends are "implicit fetch" handles: every EVP_DigestInit_ex with them
 * looks the algorithm up again, which cost a quarter of a 64-byte C_Digest.
 * Fetched handles live as long as the process (the module is never
 * unloaded: -z nodelete).
 */
static const char *const md_names[HASH_COUNT] = { "SHA1", "SHA2-224", "SHA2-256", "SHA2-384",
						  "SHA2-512" };
static EVP_MD *md_fetched[HASH_COUNT];
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
	int i;

	ERR_set_mark();
	for (i = 0; i < HASH_COUNT; i++)
		md_fetched[i] = EVP_MD_fetch(NULL, md_names[i], NULL);
	ERR_pop_to_mark();
}

const EVP_MD *crypto_ossl_md(enum crypto_hash h)
{
	if ((unsigned)h >= HASH_COUNT)
		return NULL;
	(void)pthread_once(&md_once, fetch_all);
	if (md_fetched[h] != NULL)
		return md_fetched[h];
	/* Without a provider that has it, the implicit-fetch handle still
	 * reports the error at use. */
	switch (h) {
	case HASH_SHA1:
		return EVP_sha1();
	case HASH_SHA224:
		return EVP_sha224();
	case HASH_SHA256:
		return EVP_sha256();
	case HASH_SHA384:
		return EVP_sha384();
	default:
		return EVP_sha512();
	}
}

size_t crypto_hash_len(enum crypto_hash h)
{
	static const size_t len[HASH_COUNT] = { 20, 28, 32, 48, 64 };

	return (unsigned)h < HASH_COUNT ? len[h] : 0;
}

CK_RV crypto_digest_new(enum crypto_hash h, crypto_digest **out)
{
	const EVP_MD *md = crypto_ossl_md(h);
	crypto_digest *d;
	CK_RV rv = CKR_OK;

	if (md == NULL)
		return CKR_MECHANISM_INVALID;
	d = port_calloc(1, sizeof(*d));
	if (d == NULL)
		return CKR_HOST_MEMORY;
	d->h = h;
	ERR_set_mark();
	d->ctx = EVP_MD_CTX_new();
	if (d->ctx == NULL)
		rv = CKR_HOST_MEMORY;
	else if (EVP_DigestInit_ex(d->ctx, md, NULL) != 1)
		rv = crypto_ossl_error();
	ERR_pop_to_mark();
	if (rv != CKR_OK) {
		crypto_digest_free(d);
		return rv;
	}
	*out = d;
	return CKR_OK;
}

CK_RV crypto_digest_update(crypto_digest *d, const void *data, size_t n)
{
	CK_RV rv = CKR_OK;

	if (d->done)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (n == 0)
		return CKR_OK;
	if (data == NULL)
		return CKR_ARGUMENTS_BAD;
	/* No error mark here or in final (unlike new and restart): on a
	 * context EVP_DigestInit accepted, OpenSSL 3's update and final of
	 * these digests queue no error (the provider functions return 0
	 * without one only when the provider is not running), and the mark
	 * pair cost a sixth of a 64-byte C_Digest. */
	if (EVP_DigestUpdate(d->ctx, data, n) != 1)
		rv = CKR_FUNCTION_FAILED;
	return rv;
}

CK_RV crypto_digest_final(crypto_digest *d, uint8_t *out)
{
	unsigned int len = 0;
	CK_RV rv = CKR_OK;

	if (d->done)
		return CKR_OPERATION_NOT_INITIALIZED;
	d->done = 1;
	if (EVP_DigestFinal_ex(d->ctx, out, &len) != 1 || len != crypto_hash_len(d->h))
		rv = CKR_FUNCTION_FAILED;
	return rv;
}

int crypto_digest_finished(const crypto_digest *d)
{
	return d->done;
}

CK_RV crypto_digest_restart(crypto_digest *d, enum crypto_hash h)
{
	const EVP_MD *md = crypto_ossl_md(h);
	CK_RV rv = CKR_OK;

	if (md == NULL)
		return CKR_MECHANISM_INVALID;
	ERR_set_mark();
	if (EVP_DigestInit_ex2(d->ctx, md, NULL) != 1)
		rv = crypto_ossl_error();
	ERR_pop_to_mark();
	if (rv != CKR_OK)
		return rv;
	d->h = h;
	d->done = 0;
	return CKR_OK;
}

void crypto_digest_free(crypto_digest *d)
{
	if (d == NULL)
		return;
	/* The provider's context free clears the hash state: it may be the
	 * state of a digest over secret data (C_DigestKey). */
	EVP_MD_CTX_free(d->ctx);
	port_free_secret(d, sizeof(*d));
}
