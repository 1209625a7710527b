/*
 * Reading the caller's private key and certificate with OpenSSL.
 *
 * Keys: PEM or DER; PKCS#8 (plain or encrypted), SEC1 (EC) or PKCS#1 (RSA),
 * including PEM with legacy "Proc-Type: 4,ENCRYPTED" encryption. One
 * OSSL_DECODER with no input type or structure tries them all. When it
 * fails, we tell a wrong passphrase (the input is encrypted:
 * CKR_PIN_INCORRECT) from input that is not a key (CKR_ARGUMENTS_BAD).
 */
#include <limits.h>
#include <string.h>

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "prov.h"

/* PEM callback: the passphrase, or failure when none was given (OpenSSL
 * would otherwise prompt on the terminal of a factory tool). */
static int passphrase_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pass = u;
	size_t len;

	(void)rwflag;
	if (pass == NULL || size <= 0)
		return -1;
	len = strlen(pass);
	if (len > (size_t)size)
		return -1;
	memcpy(buf, pass, len);
	return (int)len;
}

static int is_pem(const void *data, size_t len)
{
	return memmem(data, len, "-----BEGIN ", 11) != NULL;
}

/* Whether the input is an encrypted key: an EncryptedPrivateKeyInfo (PEM
 * or DER) or a legacy encrypted PEM. */
static int is_encrypted(const void *data, size_t len)
{
	const unsigned char *p = data;
	X509_SIG *sig;

	if (is_pem(data, len))
		return memmem(data, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----", 37) != NULL ||
		       memmem(data, len, "Proc-Type: 4,ENCRYPTED", 22) != NULL;
	if (len > LONG_MAX)
		return 0;
	sig = d2i_X509_SIG(NULL, &p, (long)len);
	X509_SIG_free(sig);
	return sig != NULL;
}

CK_RV prov_parse_key(const void *data, size_t len, const char *passphrase, EVP_PKEY **out)
{
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p = data;
	size_t left = len;
	int ok;

	*out = NULL;
	if (data == NULL || len == 0)
		return CKR_ARGUMENTS_BAD;
	/* Only key pairs: a public key or a certificate is not a private key. */
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, NULL, NULL, NULL, EVP_PKEY_KEYPAIR, NULL, NULL);
	if (dctx == NULL)
		return CKR_HOST_MEMORY;
	if (!OSSL_DECODER_CTX_set_pem_password_cb(dctx, passphrase_cb, (void *)passphrase)) {
		OSSL_DECODER_CTX_free(dctx);
		return CKR_HOST_MEMORY;
	}
	ok = OSSL_DECODER_from_data(dctx, &p, &left);
	OSSL_DECODER_CTX_free(dctx);
	/* The decoder's queue would otherwise pollute the caller's errors. */
	ERR_clear_error();
	if (!ok || pkey == NULL) {
		EVP_PKEY_free(pkey);
		return is_encrypted(data, len) ? CKR_PIN_INCORRECT : CKR_ARGUMENTS_BAD;
	}
	if (!EVP_PKEY_is_a(pkey, "EC") && !EVP_PKEY_is_a(pkey, "RSA")) {
		EVP_PKEY_free(pkey);
		return CKR_KEY_TYPE_INCONSISTENT;
	}
	*out = pkey;
	return CKR_OK;
}

CK_RV prov_parse_cert(const void *data, size_t len, X509 **out)
{
	X509 *cert = NULL;

	*out = NULL;
	if (data == NULL || len == 0 || len > INT_MAX)
		return CKR_ARGUMENTS_BAD;
	if (is_pem(data, len)) {
		BIO *bio = BIO_new_mem_buf(data, (int)len);

		if (bio == NULL)
			return CKR_HOST_MEMORY;
		cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = data;

		cert = d2i_X509(NULL, &p, (long)len);
		/* Trailing bytes mean it was not one DER certificate. */
		if (cert != NULL && p != (const unsigned char *)data + len) {
			X509_free(cert);
			cert = NULL;
		}
	}
	ERR_clear_error();
	if (cert == NULL)
		return CKR_ARGUMENTS_BAD;
	*out = cert;
	return CKR_OK;
}
