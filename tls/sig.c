/*
 * The encodings between what a PKCS#11 token signs and what TLS carries:
 * CKM_ECDSA returns r || s (PKCS#11 v2.40 curr. mech. section 2.3.1: "the
 * signature octets correspond to the concatenation of the ECDSA values r
 * and s, both represented as an octet string of equal length of at most
 * nLen"), TLS wants the DER Ecdsa-Sig-Value of RFC 5480; CKM_RSA_PKCS signs
 * what it is given, so the DigestInfo of RFC 8017 section 9.2 is built here.
 */
#include <string.h>

#include "internal.h"

/* Writes one DER INTEGER of the unsigned big-endian v[0..n) at out[*o]. */
static bool put_integer(const unsigned char *v, size_t n, unsigned char *out, size_t cap, size_t *o)
{
	size_t pad, len;

	while (n > 1 && v[0] == 0) {
		v++;
		n--;
	}
	pad = (v[0] & 0x80) ? 1 : 0;
	len = n + pad;
	if (len > 127 || cap - *o < 2 + len)
		return false;
	out[(*o)++] = 0x02;
	out[(*o)++] = (unsigned char)len;
	if (pad)
		out[(*o)++] = 0x00;
	memcpy(out + *o, v, n);
	*o += n;
	return true;
}

bool tls_ecdsa_rs_to_der(const unsigned char *rs, size_t rs_len, unsigned char *out,
			 size_t out_size, size_t *out_len)
{
	/* The largest curve is P-521: halves of 66 bytes, so the content (two
	 * INTEGERs of at most 2 + 67 bytes) fits a one-byte long-form length. */
	unsigned char body[2 * (2 + 127)];
	size_t half = rs_len / 2, blen = 0, o = 0;

	if (rs_len == 0 || rs_len % 2 != 0 || half > 66)
		return false;
	if (!put_integer(rs, half, body, sizeof(body), &blen) ||
	    !put_integer(rs + half, half, body, sizeof(body), &blen))
		return false;
	if (out_size < blen + (blen > 127 ? 3 : 2))
		return false;
	out[o++] = 0x30;
	if (blen > 127)
		out[o++] = 0x81;
	out[o++] = (unsigned char)blen;
	memcpy(out + o, body, blen);
	*out_len = o + blen;
	return true;
}

/* DER of DigestInfo ::= SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING }
 * up to the hash itself (RFC 8017 section 9.2, note 1). */
static const unsigned char di_sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
					 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 };
static const unsigned char di_sha224[] = { 0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60,
					   0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					   0x04, 0x05, 0x00, 0x04, 0x1c };
static const unsigned char di_sha256[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
					   0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					   0x01, 0x05, 0x00, 0x04, 0x20 };
static const unsigned char di_sha384[] = { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60,
					   0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					   0x02, 0x05, 0x00, 0x04, 0x30 };
static const unsigned char di_sha512[] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60,
					   0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					   0x03, 0x05, 0x00, 0x04, 0x40 };

bool tls_digest_info(mbedtls_md_type_t md, const unsigned char *hash, size_t hash_len,
		     unsigned char *out, size_t out_size, size_t *out_len)
{
	const unsigned char *prefix;
	size_t plen;

	switch (md) {
	case MBEDTLS_MD_SHA1:
		prefix = di_sha1, plen = sizeof(di_sha1);
		break;
	case MBEDTLS_MD_SHA224:
		prefix = di_sha224, plen = sizeof(di_sha224);
		break;
	case MBEDTLS_MD_SHA256:
		prefix = di_sha256, plen = sizeof(di_sha256);
		break;
	case MBEDTLS_MD_SHA384:
		prefix = di_sha384, plen = sizeof(di_sha384);
		break;
	case MBEDTLS_MD_SHA512:
		prefix = di_sha512, plen = sizeof(di_sha512);
		break;
	default:
		return false;
	}
	/* The prefix's last byte is the hash length. */
	if (hash_len != prefix[plen - 1] || out_size < plen + hash_len)
		return false;
	memcpy(out, prefix, plen);
	memcpy(out + plen, hash, hash_len);
	*out_len = plen + hash_len;
	return true;
}
