/* The fields of an X.509 certificate that PKCS#11 keeps as attributes
 * (mbedTLS). */
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/x509_crt.h>

#include "crypto/mbedtls_key.h"

#if IOT_WITH_CERT

static CK_RV dup_bytes(const uint8_t *p, size_t n, uint8_t **out, size_t *len)
{
	if (n == 0)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	*out = port_memdup(p, n);
	if (*out == NULL)
		return CKR_HOST_MEMORY;
	*len = n;
	return CKR_OK;
}

/*
 * mbedTLS keeps the serial number's content octets; PKCS#11 stores the DER
 * of the INTEGER (v2.40 4.6.3, CKA_SERIAL_NUMBER: "DER-encoding of the
 * certificate serial number"), so tag and length are put back. The content
 * must be a minimal two's complement encoding (X.690 8.3.2: "the bits of
 * the first octet and bit 8 of the second octet shall not all be ones;
 * shall not all be zero"), as OpenSSL's decoder also demands: the bytes
 * are then the certificate's own, byte for byte.
 */
static CK_RV serial_der(const mbedtls_x509_buf *serial, uint8_t **out, size_t *len)
{
	const uint8_t *p = serial->p;
	size_t n = serial->len, hdr;
	uint8_t lenbuf[3];

	if (serial->tag != MBEDTLS_ASN1_INTEGER || n == 0 || n > 0xffff)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (n > 1 && ((p[0] == 0x00 && !(p[1] & 0x80)) || (p[0] == 0xff && (p[1] & 0x80))))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	hdr = 1 + crypto_mbed_der_len(lenbuf, n);
	*out = port_malloc(hdr + n);
	if (*out == NULL)
		return CKR_HOST_MEMORY;
	(*out)[0] = MBEDTLS_ASN1_INTEGER;
	memcpy(*out + 1, lenbuf, hdr - 1);
	memcpy(*out + hdr, p, n);
	*len = hdr + n;
	return CKR_OK;
}

/*
 * A certificate object is stored, not verified (v2.40 4.6: the token does
 * not check certificates): an extension mbedTLS does not know, critical or
 * not, is the relying party's business, as with the OpenSSL backend's
 * d2i_X509. A public key or signature algorithm mbedTLS 2.28 does not know
 * (Ed25519, Ed448, DSA, ...) still makes it refuse the certificate: such
 * certificates are CKR_ATTRIBUTE_VALUE_INVALID with this backend.
 */
static int any_extension(void *ctx, mbedtls_x509_crt const *crt, mbedtls_x509_buf const *oid,
			 int critical, const unsigned char *p, const unsigned char *end)
{
	(void)ctx;
	(void)crt;
	(void)oid;
	(void)critical;
	(void)p;
	(void)end;
	return 0;
}

CK_RV crypto_cert_parse(const uint8_t *der, size_t len, crypto_cert_fields *out)
{
	mbedtls_x509_crt crt;
	CK_RV rv;
	int ret;

	memset(out, 0, sizeof(*out));
	if (der == NULL || len == 0)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	mbedtls_x509_crt_init(&crt);
	/* Without a copy: crt lives only in this call. */
	ret = mbedtls_x509_crt_parse_der_with_ext_cb(&crt, der, len, 0, any_extension, NULL);
	if (ret != 0) {
		rv = crypto_mbed_error(ret);
		if (rv != CKR_HOST_MEMORY)
			rv = CKR_ATTRIBUTE_VALUE_INVALID;
		goto out;
	}
	/* CKA_VALUE holds one certificate: bytes after it mean the value is
	 * not what it claims to be. mbedTLS parses the outer SEQUENCE and
	 * ignores what follows it. */
	if (crt.raw.len != len) {
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
		goto out;
	}
	/* subject_raw and issuer_raw are the Names as they are in the
	 * certificate, tag and length included: CKA_SUBJECT matches it byte
	 * for byte. */
	rv = dup_bytes(crt.subject_raw.p, crt.subject_raw.len, &out->subject, &out->subject_len);
	if (rv == CKR_OK)
		rv = dup_bytes(crt.issuer_raw.p, crt.issuer_raw.len, &out->issuer,
			       &out->issuer_len);
	if (rv == CKR_OK)
		rv = serial_der(&crt.serial, &out->serial, &out->serial_len);
out:
	if (rv != CKR_OK)
		crypto_cert_fields_free(out);
	mbedtls_x509_crt_free(&crt);
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
#endif
