/* The fields of an X.509 certificate that PKCS#11 keeps as attributes
 * (OpenSSL 3). */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto/openssl_key.h"

/* The DER of a Name. OpenSSL keeps the bytes it parsed and gives them
 * back unchanged, so CKA_SUBJECT matches the certificate byte for byte. */
static CK_RV name_der(const X509_NAME *name, uint8_t **out, size_t *len)
{
	unsigned char *p;
	int n = i2d_X509_NAME(name, NULL);

	if (n <= 0)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	*out = port_malloc((size_t)n);
	if (*out == NULL)
		return CKR_HOST_MEMORY;
	p = *out;
	if (i2d_X509_NAME(name, &p) != n)
		return crypto_ossl_error();
	*len = (size_t)n;
	return CKR_OK;
}

static CK_RV serial_der(const ASN1_INTEGER *serial, uint8_t **out, size_t *len)
{
	unsigned char *p;
	int n = i2d_ASN1_INTEGER(serial, NULL);

	if (n <= 0)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	*out = port_malloc((size_t)n);
	if (*out == NULL)
		return CKR_HOST_MEMORY;
	p = *out;
	if (i2d_ASN1_INTEGER(serial, &p) != n)
		return crypto_ossl_error();
	*len = (size_t)n;
	return CKR_OK;
}

CK_RV crypto_cert_parse(const uint8_t *der, size_t len, crypto_cert_fields *out)
{
	const unsigned char *p = der;
	X509 *x = NULL;
	CK_RV rv;

	memset(out, 0, sizeof(*out));
	if (der == NULL || len == 0 || len > LONG_MAX)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	ERR_set_mark();
	x = d2i_X509(NULL, &p, (long)len);
	/* CKA_VALUE holds one certificate: bytes after it mean the value is
	 * not what it claims to be. */
	if (x == NULL || p != der + len) {
		rv = crypto_ossl_error();
		if (rv != CKR_HOST_MEMORY)
			rv = CKR_ATTRIBUTE_VALUE_INVALID;
		goto out;
	}
	rv = name_der(X509_get_subject_name(x), &out->subject, &out->subject_len);
	if (rv == CKR_OK)
		rv = name_der(X509_get_issuer_name(x), &out->issuer, &out->issuer_len);
	if (rv == CKR_OK)
		rv = serial_der(X509_get0_serialNumber(x), &out->serial, &out->serial_len);
out:
	if (rv != CKR_OK)
		crypto_cert_fields_free(out);
	X509_free(x);
	ERR_pop_to_mark();
	return rv;
}

void crypto_cert_fields_free(crypto_cert_fields *f)
{
	if (f == NULL)
		return;
	port_free(f->subject);
	port_free(f->issuer);
	port_free(f->serial);
	memset(f, 0, sizeof(*f));
}
