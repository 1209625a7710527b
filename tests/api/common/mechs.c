/*
 * Helpers of the mechanism tests (see mechs.h).
 */
#include "mechs.h"
#include "keys.h"

/* 1.3.132.0.34, 1.3.132.0.35, 1.3.132.0.10 */
const unsigned char k_p384_oid[7] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
const unsigned char k_p521_oid[7] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };
const unsigned char k_secp256k1_oid[7] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a };

const h_curve h_curves[H_NCURVES] = {
	{ "P-256", k_p256_oid, sizeof(k_p256_oid), 32, 256 },
	{ "P-384", k_p384_oid, sizeof(k_p384_oid), 48, 384 },
	{ "P-521", k_p521_oid, sizeof(k_p521_oid), 66, 521 },
};

/* RFC 8017 section 9.2, note 1. */
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

const unsigned char *h_digest_info(CK_MECHANISM_TYPE hash, CK_ULONG *len)
{
	switch (hash) {
	case CKM_SHA_1:
		*len = sizeof(di_sha1);
		return di_sha1;
	case CKM_SHA224:
		*len = sizeof(di_sha224);
		return di_sha224;
	case CKM_SHA256:
		*len = sizeof(di_sha256);
		return di_sha256;
	case CKM_SHA384:
		*len = sizeof(di_sha384);
		return di_sha384;
	case CKM_SHA512:
		*len = sizeof(di_sha512);
		return di_sha512;
	default:
		fail_msg("no DigestInfo for mechanism 0x%lx", (unsigned long)hash);
		return NULL;
	}
}

CK_ULONG h_hash_len(CK_MECHANISM_TYPE hash)
{
	switch (hash) {
	case CKM_SHA_1:
		return 20;
	case CKM_SHA224:
		return 28;
	case CKM_SHA256:
		return 32;
	case CKM_SHA384:
		return 48;
	case CKM_SHA512:
		return 64;
	default:
		fail_msg("unknown hash mechanism 0x%lx", (unsigned long)hash);
		return 0;
	}
}

static void copy_into(h_tmpl *dst, const h_tmpl *src)
{
	CK_ULONG i;

	if (src == NULL)
		return;
	for (i = 0; i < src->n; i++)
		t_bytes(dst, src->a[i].type, src->a[i].pValue, src->a[i].ulValueLen);
}

CK_RV h_gen_pair_rv(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, const h_tmpl *pub,
		    const h_tmpl *priv, CK_OBJECT_HANDLE *hpub, CK_OBJECT_HANDLE *hpriv)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	h_tmpl a, b;

	t_init(&a);
	t_init(&b);
	copy_into(&a, pub);
	copy_into(&b, priv);
	*hpub = *hpriv = CK_INVALID_HANDLE;
	return p11->C_GenerateKeyPair(s, &m, a.a, a.n, b.a, b.n, hpub, hpriv);
}

static void gen_checked(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, const h_tmpl *pub,
			const h_tmpl *priv, CK_OBJECT_HANDLE *hpub, CK_OBJECT_HANDLE *hpriv)
{
	assert_ok(h_gen_pair_rv(s, mech, pub, priv, hpub, hpriv));
	assert_true(*hpub != CK_INVALID_HANDLE);
	assert_true(*hpriv != CK_INVALID_HANDLE);
	assert_true(*hpub != *hpriv);
}

void h_gen_ec(CK_SESSION_HANDLE s, const h_curve *c, CK_BBOOL token, CK_OBJECT_HANDLE *hpub,
	      CK_OBJECT_HANDLE *hpriv)
{
	h_tmpl pub_t, priv_t, *pub = &pub_t, *priv = &priv_t;

	t_init(pub);
	t_init(priv);
	t_bytes(pub, CKA_EC_PARAMS, c->oid, c->oid_len);
	t_bool(pub, CKA_TOKEN, token);
	t_bool(priv, CKA_TOKEN, token);
	gen_checked(s, CKM_EC_KEY_PAIR_GEN, pub, priv, hpub, hpriv);
}

void h_gen_rsa(CK_SESSION_HANDLE s, CK_ULONG bits, CK_BBOOL token, CK_OBJECT_HANDLE *hpub,
	       CK_OBJECT_HANDLE *hpriv)
{
	h_tmpl pub_t, priv_t, *pub = &pub_t, *priv = &priv_t;

	t_init(pub);
	t_init(priv);
	t_ulong(pub, CKA_MODULUS_BITS, bits);
	t_bool(pub, CKA_TOKEN, token);
	t_bool(priv, CKA_TOKEN, token);
	gen_checked(s, CKM_RSA_PKCS_KEY_PAIR_GEN, pub, priv, hpub, hpriv);
}

void h_import_rsa(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *hpub, CK_OBJECT_HANDLE *hpriv)
{
	h_tmpl tt, *t = &tt;

	t_init(t);
	k_rsa_public(t);
	*hpub = h_create(s, t);
	t_init(t);
	k_rsa_private(t, 1);
	*hpriv = h_create(s, t);
}

CK_ULONG h_sign(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE key, const void *data,
		CK_ULONG len, unsigned char *sig, CK_ULONG max)
{
	CK_ULONG n = max;

	assert_ok(p11->C_SignInit(s, m, key));
	assert_ok(p11->C_Sign(s, (CK_BYTE_PTR)data, len, sig, &n));
	assert_true(n <= max);
	return n;
}

CK_ULONG h_sign_parts(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE key, const void *data,
		      CK_ULONG len, CK_ULONG chunk, unsigned char *sig, CK_ULONG max)
{
	const unsigned char *p = data;
	CK_ULONG off, n = max;

	assert_ok(p11->C_SignInit(s, m, key));
	for (off = 0; off < len; off += chunk) {
		CK_ULONG part = len - off < chunk ? len - off : chunk;

		assert_ok(p11->C_SignUpdate(s, (CK_BYTE_PTR)p + off, part));
	}
	assert_ok(p11->C_SignFinal(s, sig, &n));
	assert_true(n <= max);
	return n;
}

CK_ULONG h_sign_round_trip(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, CK_OBJECT_HANDLE pub,
			   CK_OBJECT_HANDLE priv)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	unsigned char sig[1024];
	CK_ULONG n = h_sign(s, &m, priv, "message", 7, sig, sizeof(sig));

	assert_ok(h_verify_rv(s, &m, pub, "message", 7, sig, n));
	sig[n / 3] ^= 0x10;
	assert_rv(h_verify_rv(s, &m, pub, "message", 7, sig, n), CKR_SIGNATURE_INVALID);
	return n;
}

CK_RV h_verify_rv(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE key, const void *data,
		  CK_ULONG len, const void *sig, CK_ULONG siglen)
{
	assert_ok(p11->C_VerifyInit(s, m, key));
	return p11->C_Verify(s, (CK_BYTE_PTR)data, len, (CK_BYTE_PTR)sig, siglen);
}

CK_RV h_verify_parts_rv(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE key,
			const void *data, CK_ULONG len, CK_ULONG chunk, const void *sig,
			CK_ULONG siglen)
{
	const unsigned char *p = data;
	CK_ULONG off;

	assert_ok(p11->C_VerifyInit(s, m, key));
	for (off = 0; off < len; off += chunk) {
		CK_ULONG part = len - off < chunk ? len - off : chunk;

		assert_ok(p11->C_VerifyUpdate(s, (CK_BYTE_PTR)p + off, part));
	}
	return p11->C_VerifyFinal(s, (CK_BYTE_PTR)sig, siglen);
}

CK_ULONG h_digest(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, const void *data, CK_ULONG len,
		  unsigned char *out)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	CK_ULONG n = 64;

	assert_ok(p11->C_DigestInit(s, &m));
	assert_ok(p11->C_Digest(s, (CK_BYTE_PTR)data, len, out, &n));
	assert_int_equal(n, h_hash_len(mech));
	return n;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t h_unhex(const char *hex, unsigned char *out, size_t max)
{
	size_t len = strlen(hex), i;

	if (len % 2 != 0 || len / 2 > max)
		return (size_t)-1;
	for (i = 0; i < len / 2; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return (size_t)-1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return len / 2;
}

CK_ULONG h_point_der(const unsigned char *point, CK_ULONG len, unsigned char *out)
{
	CK_ULONG hdr = 0;

	out[hdr++] = 0x04;
	if (len >= 0x80)
		out[hdr++] = 0x81;
	out[hdr++] = (unsigned char)len;
	memcpy(out + hdr, point, len);
	return hdr + len;
}
