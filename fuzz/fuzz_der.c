/*
 * The DER and key-material decoders: CKA_EC_PARAMS to a curve
 * (crypto_ec_curve), CKA_EC_POINT (DER OCTET STRING or raw point) and EC
 * scalars, certificates' subject/issuer/serial (crypto_cert_parse) and the
 * import checks of EC and RSA key objects (object_create + keyobj_import, as
 * C_CreateObject runs them).
 *
 * Input: a selector byte, then the bytes for that decoder:
 *   0  EC params                       4  RSA public key: N, E
 *   1  EC public key: curve, point     5  RSA private key: N E D P Q DP DQ QINV
 *   2  EC private key: curve, scalar   6  EC public key: params, a fixed point
 *   3  certificate (crypto + object)   7  crypto_ec_public: curve, raw point
 * where "curve" is one byte and RSA parts are each a 16-bit length, then
 * that many bytes (length 0: absent).
 *
 * A key that imports must work: a private key's signature verifies with
 * the same key, and its public point is on the curve.
 */
#include <stdlib.h>
#include <string.h>

#include "core/keyobj.h"
#include "core/object.h"
#include "crypto/crypto.h"
#include "fuzz_common.h"
#include "fuzz_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static CK_OBJECT_CLASS c_pub = CKO_PUBLIC_KEY, c_priv = CKO_PRIVATE_KEY, c_cert = CKO_CERTIFICATE;
static CK_KEY_TYPE k_ec = CKK_EC, k_rsa = CKK_RSA;
static CK_CERTIFICATE_TYPE x509 = CKC_X_509;

static void check_key(object *obj)
{
	static const uint8_t hash[32] = "0123456789abcdef0123456789abcdef";
	uint8_t sig[1024];
	crypto_key *k = NULL;
	enum crypto_sig alg;
	CK_RV rv;

	if (keyobj_key(obj, &k) != CKR_OK)
		fz_die("an imported key has no backend key");
	if (crypto_key_is_private(k)) {
		alg = (obj->kind == KIND_PRIV_EC) ? SIG_ECDSA : SIG_RSA_PKCS1;
		if (crypto_sig_len(k) > sizeof(sig))
			fz_die("signature length %zu", crypto_sig_len(k));
		rv = crypto_sign(k, alg, NULL, hash, sizeof(hash), sig);
		if (rv != CKR_OK)
			fz_die("an imported private key does not sign: 0x%lx", (unsigned long)rv);
		rv = crypto_verify(k, alg, NULL, hash, sizeof(hash), sig, crypto_sig_len(k));
		if (rv != CKR_OK)
			fz_die("an imported key does not verify its own signature: 0x%lx",
			       (unsigned long)rv);
	} else {
		memset(sig, 0x5a, sizeof(sig));
		rv = crypto_verify(k, obj->kind == KIND_PUB_EC ? SIG_ECDSA : SIG_RSA_PKCS1, NULL,
				   hash, sizeof(hash), sig, crypto_sig_len(k));
		if (rv != CKR_SIGNATURE_INVALID)
			fz_die("a junk signature: 0x%lx", (unsigned long)rv);
	}
	crypto_key_unref(k);
}

/* C_CreateObject's part: the object, then the import checks. */
static void import(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	object *obj = NULL;
	CK_RV rv;

	if (object_create(t, n, 0, &obj) != CKR_OK)
		return;
	rv = keyobj_import(obj);
	fz_rv_sane(rv, "keyobj_import");
	if (rv == CKR_OK && obj->kind != KIND_CERT_X509)
		check_key(obj);
	object_free(obj);
}

static const uint8_t *curve_params(uint8_t b, size_t *len)
{
	return crypto_ec_params((enum crypto_curve)(b % CURVE_COUNT), len);
}

static void ec_params(const uint8_t *p, size_t n)
{
	enum crypto_curve c;
	const uint8_t *oid;
	size_t len;

	if (crypto_ec_curve(p, n, &c) != CKR_OK)
		return;
	oid = crypto_ec_params(c, &len);
	if (len != n || memcmp(oid, p, n) != 0)
		fz_die("crypto_ec_curve took other bytes for curve %d", (int)c);
}

static void ec_key(fz_in *in, int priv, int fixed_point)
{
	uint8_t der[2 + sizeof(fz_ec_point)];
	CK_ATTRIBUTE t[4];
	const uint8_t *params, *rest;
	size_t plen, rlen;

	if (fixed_point) {
		rest = fz_bytes(in, in->n, &rlen);
		params = rest, plen = rlen;
		der[0] = 0x04, der[1] = sizeof(fz_ec_point);
		memcpy(der + 2, fz_ec_point, sizeof(fz_ec_point));
		rest = der, rlen = sizeof(der);
	} else {
		params = curve_params(fz_u8(in), &plen);
		rest = fz_bytes(in, in->n, &rlen);
	}
	t[0] = (CK_ATTRIBUTE){ CKA_CLASS, priv ? &c_priv : &c_pub, sizeof(CK_OBJECT_CLASS) };
	t[1] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &k_ec, sizeof(k_ec) };
	t[2] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, fz_dup(params, plen), plen };
	t[3] = (CK_ATTRIBUTE){ priv ? CKA_VALUE : CKA_EC_POINT, fz_dup(rest, rlen), rlen };
	import(t, 4);
	free(t[2].pValue);
	free(t[3].pValue);
}

static void ec_raw(fz_in *in)
{
	enum crypto_curve c = (enum crypto_curve)(fz_u8(in) % CURVE_COUNT);
	crypto_key *k = NULL;
	uint8_t *pt;
	size_t len;

	pt = fz_dup(fz_bytes(in, in->n, &len), len);
	if (crypto_ec_public(c, pt, len, &k) == CKR_OK)
		crypto_key_unref(k);
	free(pt);
}

static void cert(const uint8_t *p, size_t n)
{
	crypto_cert_fields f;
	CK_ATTRIBUTE t[3] = {
		{ CKA_CLASS, &c_cert, sizeof(c_cert) },
		{ CKA_CERTIFICATE_TYPE, &x509, sizeof(x509) },
		{ CKA_VALUE, (void *)p, n },
	};

	if (crypto_cert_parse(p, n, &f) == CKR_OK) {
		if (f.subject_len == 0 || f.issuer_len == 0 || f.serial_len == 0)
			fz_die("a certificate with an empty subject, issuer or serial");
		crypto_cert_fields_free(&f);
	}
	import(t, 3);
}

static void rsa_key(fz_in *in, int priv)
{
	static const CK_ATTRIBUTE_TYPE types[RSA_PARTS] = {
		CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
		CKA_PRIME_2, CKA_EXPONENT_1,      CKA_EXPONENT_2,       CKA_COEFFICIENT,
	};
	CK_ATTRIBUTE t[2 + RSA_PARTS];
	CK_ULONG n = 0, i;
	int parts = priv ? RSA_PARTS : 2, k;

	t[n++] = (CK_ATTRIBUTE){ CKA_CLASS, priv ? &c_priv : &c_pub, sizeof(CK_OBJECT_CLASS) };
	t[n++] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &k_rsa, sizeof(k_rsa) };
	for (k = 0; k < parts; k++) {
		size_t len;
		const uint8_t *p = fz_bytes(in, fz_u16(in), &len);

		if (len > 0)
			t[n++] = (CK_ATTRIBUTE){ types[k], fz_dup(p, len), len };
	}
	import(t, n);
	for (i = 2; i < n; i++)
		free(t[i].pValue);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_in in = { data, size };
	uint8_t sel = fz_u8(&in);
	uint8_t *rest;

	switch (sel % 8) {
	case 0:
		rest = fz_dup(in.p, in.n);
		ec_params(rest, in.n);
		free(rest);
		break;
	case 1:
		ec_key(&in, 0, 0);
		break;
	case 2:
		ec_key(&in, 1, 0);
		break;
	case 3:
		rest = fz_dup(in.p, in.n);
		cert(rest, in.n);
		free(rest);
		break;
	case 4:
		rsa_key(&in, 0);
		break;
	case 5:
		rsa_key(&in, 1);
		break;
	case 6:
		ec_key(&in, 0, 1);
		break;
	default:
		ec_raw(&in);
		break;
	}
	return 0;
}
