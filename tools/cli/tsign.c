/*
 * Signatures through the token for X.509 structures (CSRs, certificates),
 * and distinguished names from the command line.
 *
 * EC keys: the digest is computed here and the token signs it with CKM_ECDSA
 * (which every EC token has; SoftHSMv2 2.6, for one, lacks CKM_ECDSA_SHA256).
 * The hash follows the curve: SHA-256 for P-256, SHA-384 for P-384, SHA-512
 * for P-521. RSA keys: CKM_SHA256_RSA_PKCS.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include <openssl/ec.h>
#include <openssl/objects.h>

int tsign_nid(EVP_PKEY *pub)
{
	int bits = EVP_PKEY_get_bits(pub);

	switch (EVP_PKEY_get_base_id(pub)) {
	case EVP_PKEY_EC:
		return bits <= 256   ? NID_ecdsa_with_SHA256
		       : bits <= 384 ? NID_ecdsa_with_SHA384
				     : NID_ecdsa_with_SHA512;
	case EVP_PKEY_RSA:
		return NID_sha256WithRSAEncryption;
	default:
		return NID_undef;
	}
}

static CK_RV sign(struct p11 *p, CK_OBJECT_HANDLE h, CK_MECHANISM *m, const unsigned char *in,
		  size_t in_len, unsigned char **out, size_t *out_len)
{
	CK_ULONG n = 0;
	unsigned char *buf;
	CK_RV rv;

	rv = p->f->C_SignInit(p->session, m, h);
	if (rv != CKR_OK)
		return rv;
	rv = p->f->C_Sign(p->session, (CK_BYTE_PTR)in, in_len, NULL, &n);
	if (rv != CKR_OK)
		return rv;
	if (n == 0 || n > 8192)
		return CKR_FUNCTION_FAILED;
	buf = malloc(n);
	if (!buf)
		return CKR_HOST_MEMORY;
	rv = p->f->C_Sign(p->session, (CK_BYTE_PTR)in, in_len, buf, &n);
	if (rv != CKR_OK) {
		free(buf);
		return rv;
	}
	*out = buf;
	*out_len = n;
	return CKR_OK;
}

CK_RV tsign_x509(struct p11 *p, CK_OBJECT_HANDLE h, EVP_PKEY *pub, const unsigned char *tbs,
		 size_t tbs_len, unsigned char **sig, size_t *sig_len, int *sig_nid)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char md[EVP_MAX_MD_SIZE], *raw = NULL;
	unsigned int mdlen = 0;
	size_t raw_len = 0;
	const EVP_MD *alg;
	bool ok;
	CK_RV rv;

	*sig_nid = tsign_nid(pub);
	if (*sig_nid == NID_sha256WithRSAEncryption)
		return sign(p, h, &m, tbs, tbs_len, sig, sig_len);
	if (*sig_nid == NID_undef)
		return CKR_KEY_TYPE_INCONSISTENT;
	alg = *sig_nid == NID_ecdsa_with_SHA256   ? EVP_sha256()
	      : *sig_nid == NID_ecdsa_with_SHA384 ? EVP_sha384()
						  : EVP_sha512();
	if (EVP_Digest(tbs, tbs_len, md, &mdlen, alg, NULL) != 1)
		return CKR_HOST_MEMORY;
	m.mechanism = CKM_ECDSA;
	rv = sign(p, h, &m, md, mdlen, &raw, &raw_len);
	if (rv != CKR_OK)
		return rv;
	ok = ecdsa_raw_to_der(raw, raw_len, sig, sig_len);
	free(raw);
	return ok ? CKR_OK : CKR_FUNCTION_FAILED;
}

bool ecdsa_raw_to_der(const unsigned char *raw, size_t len, unsigned char **der, size_t *der_len)
{
	ECDSA_SIG *s;
	BIGNUM *r, *ss;
	unsigned char *out = NULL;
	int n;

	if (len == 0 || len % 2 != 0 || len > 1024)
		return false;
	s = ECDSA_SIG_new();
	r = BN_bin2bn(raw, (int)(len / 2), NULL);
	ss = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
	if (!s || !r || !ss || ECDSA_SIG_set0(s, r, ss) != 1) {
		BN_free(r);
		BN_free(ss);
		ECDSA_SIG_free(s);
		return false;
	}
	n = i2d_ECDSA_SIG(s, &out);
	ECDSA_SIG_free(s);
	if (n <= 0)
		return false;
	*der = out;
	*der_len = (size_t)n;
	return true;
}

bool ecdsa_der_to_raw(const unsigned char *der, size_t len, size_t half, unsigned char **raw,
		      size_t *raw_len)
{
	const unsigned char *c = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &c, (long)len);
	unsigned char *out;
	bool ok;

	if (!s)
		return false;
	out = malloc(2 * half);
	ok = out && c == der + len &&
	     BN_bn2binpad(ECDSA_SIG_get0_r(s), out, (int)half) == (int)half &&
	     BN_bn2binpad(ECDSA_SIG_get0_s(s), out + half, (int)half) == (int)half;
	ECDSA_SIG_free(s);
	if (!ok) {
		free(out);
		return false;
	}
	*raw = out;
	*raw_len = 2 * half;
	return true;
}

/* Splits at unescaped sep, removing the escaping backslashes of "\<c>". */
static char *next_part(char **p, char sep)
{
	char *start = *p, *r = *p, *w = *p;

	if (!*r)
		return NULL;
	while (*r && *r != sep) {
		if (*r == '\\' && r[1])
			r++;
		*w++ = *r++;
	}
	if (*r)
		r++;
	*p = r;
	*w = '\0';
	return start;
}

X509_NAME *subject_parse(const char *text, char *err, size_t errlen)
{
	X509_NAME *name = X509_NAME_new();
	char *copy = strdup(text), *p, *part;
	bool slash = text[0] == '/';
	int count = 0;

	if (!name || !copy) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	p = copy + (slash ? 1 : 0);
	while ((part = next_part(&p, slash ? '/' : ',')) != NULL) {
		char *eq;

		while (*part == ' ')
			part++;
		eq = strchr(part, '=');
		if (!eq || eq == part || !eq[1]) {
			snprintf(err, errlen, "'%s' is not TYPE=value", part);
			goto bad;
		}
		*eq = '\0';
		/* RFC 4514 lists the most specific RDN first: prepend. */
		if (!X509_NAME_add_entry_by_txt(name, part, MBSTRING_UTF8,
						(const unsigned char *)eq + 1, -1, slash ? -1 : 0,
						0)) {
			snprintf(err, errlen, "unknown attribute type '%s' or bad value", part);
			goto bad;
		}
		count++;
	}
	if (count == 0) {
		snprintf(err, errlen, "empty subject");
		goto bad;
	}
	free(copy);
	return name;
bad:
	free(copy);
	X509_NAME_free(name);
	return NULL;
}
