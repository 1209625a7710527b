/*
 * C_DeriveKey with CKM_ECDH1_DERIVE and CKM_ECDH1_COFACTOR_DERIVE (v2.40
 * mechanisms 2.3.9/2.3.10; the NIST curves have cofactor 1, so both are
 * plain ECDH): the shared secret through CKD_NULL or the ANSI X9.63 KDF
 * with a SHA hash, as a new secret key.
 */
#include <string.h>

#include "core/derive.h"
#include "core/keyobj.h"
#include "core/op.h"
#include "crypto/crypto_kex.h"

#if IOT_WITH_ECDH

/* The longest derived key (bytes). */
#define DERIVE_MAX 4096
/* The most shared data (CK_ECDH1_DERIVE_PARAMS.pSharedData) taken. */
#define SHARED_DATA_MAX 65536

static int kdf_hash(CK_ULONG kdf)
{
	switch (kdf) {
	case CKD_SHA1_KDF:
		return mech_hash_of(CKM_SHA_1);
	case CKD_SHA224_KDF:
		return mech_hash_of(CKM_SHA224);
	case CKD_SHA256_KDF:
		return mech_hash_of(CKM_SHA256);
	case CKD_SHA384_KDF:
		return mech_hash_of(CKM_SHA384);
	case CKD_SHA512_KDF:
		return mech_hash_of(CKM_SHA512);
	default:
		return -1;
	}
}

/* ANSI X9.63 (SEC 1 3.6.1): Hash(Z || counter || SharedInfo), counter a
 * 32-bit big-endian from 1, until len bytes. */
static CK_RV x963(enum crypto_hash h, const uint8_t *z, size_t zlen, const uint8_t *info,
		  size_t infolen, uint8_t *out, size_t len)
{
	uint8_t block[CRYPTO_MAX_HASH_LEN];
	size_t hl = crypto_hash_len(h), done = 0;
	uint32_t counter = 1;
	crypto_digest *d = NULL; /* left unset by a failed crypto_digest_new */
	CK_RV rv = crypto_digest_new(h, &d);

	while (rv == CKR_OK && done < len) {
		uint8_t c[4] = { (uint8_t)(counter >> 24), (uint8_t)(counter >> 16),
				 (uint8_t)(counter >> 8), (uint8_t)counter };
		size_t take = len - done < hl ? len - done : hl;

		rv = crypto_digest_restart(d, h);
		if (rv == CKR_OK)
			rv = crypto_digest_update(d, z, zlen);
		if (rv == CKR_OK)
			rv = crypto_digest_update(d, c, sizeof(c));
		if (rv == CKR_OK && infolen > 0)
			rv = crypto_digest_update(d, info, infolen);
		if (rv == CKR_OK)
			rv = crypto_digest_final(d, block);
		if (rv == CKR_OK)
			memcpy(out + done, block, take);
		done += take;
		counter++;
	}
	crypto_digest_free(d);
	port_wipe(block, sizeof(block));
	return rv;
}

/* The peer's point: raw 04||X||Y, or wrapped in a DER OCTET STRING as in
 * CKA_EC_POINT (v2.40 2.3.8 allows both; clients pass either). */
static CK_RV peer_point(const uint8_t *p, size_t n, size_t field, const uint8_t **pt, size_t *ptlen)
{
	const size_t raw = 1 + 2 * field;

	if (p == NULL || n == 0)
		return CKR_MECHANISM_PARAM_INVALID;
	if (n == raw && p[0] == 0x04) {
		*pt = p;
		*ptlen = n;
		return CKR_OK;
	}
	/* 04 L point, with L in short form (raw < 128) or 81 L. */
	if (raw < 128 && n == raw + 2 && p[0] == 0x04 && p[1] == raw) {
		*pt = p + 2;
		*ptlen = raw;
		return CKR_OK;
	}
	if (raw >= 128 && raw < 256 && n == raw + 3 && p[0] == 0x04 && p[1] == 0x81 &&
	    p[2] == raw) {
		*pt = p + 3;
		*ptlen = raw;
		return CKR_OK;
	}
	return CKR_MECHANISM_PARAM_INVALID;
}

static const CK_ATTRIBUTE *tmpl_find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

/* The derived key's length: CKA_VALUE_LEN if given, else what the key
 * type takes from the secret (an AES key the secret's length only if that
 * is an AES length). */
static CK_RV derived_len(const CK_ATTRIBUTE *t, CK_ULONG n, size_t zlen, int kdf, size_t *out)
{
	const CK_ATTRIBUTE *a = tmpl_find(t, n, CKA_VALUE_LEN);
	const CK_ATTRIBUTE *kt = tmpl_find(t, n, CKA_KEY_TYPE);
	int aes = kt != NULL && kt->pValue != NULL && kt->ulValueLen == sizeof(CK_ULONG) &&
		  *(const CK_ULONG *)kt->pValue == CKK_AES;
	CK_ULONG len = zlen;

	if (a != NULL) {
		if (a->pValue == NULL || a->ulValueLen != sizeof(CK_ULONG))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		memcpy(&len, a->pValue, sizeof(len));
		if (len == 0 || len > DERIVE_MAX || (!kdf && len > zlen))
			return CKR_TEMPLATE_INCONSISTENT;
	}
	if (aes && len != 16 && len != 24 && len != 32)
		return a != NULL ? CKR_TEMPLATE_INCONSISTENT : CKR_TEMPLATE_INCOMPLETE;
	*out = len;
	return CKR_OK;
}

static CK_RV check_base(const mech_row *m, const object *base)
{
	if (object_ulong(base, CKA_CLASS) != CKO_PRIVATE_KEY ||
	    object_ulong(base, CKA_KEY_TYPE) != CKK_EC)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (!object_bool(base, CKA_DERIVE))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	if (!op_mech_allowed(base, m->type))
		return CKR_MECHANISM_INVALID;
	return CKR_OK;
}

CK_RV derive_key(const CK_MECHANISM *mech, object *base, const CK_ATTRIBUTE *t, CK_ULONG n,
		 unsigned flags, object **out)
{
	const mech_row *m = mech_find(mech->mechanism);
	const CK_ECDH1_DERIVE_PARAMS *p = mech->pParameter;
	uint8_t z[66], value[DERIVE_MAX];
	const uint8_t *pt = NULL;
	size_t ptlen = 0, field, len = 0;
	enum crypto_curve c;
	crypto_key *key = NULL;
	int hash = -1;
	CK_RV rv;

	if (m == NULL || !(mech_flags(m) & CKF_DERIVE))
		return CKR_MECHANISM_INVALID;
	rv = check_base(m, base);
	if (rv == CKR_OK)
		rv = keyobj_key(base, &key);
	if (rv == CKR_OK)
		rv = crypto_key_curve(key, &c);
	if (rv != CKR_OK)
		goto out;
	field = crypto_ec_size(c);
	if (crypto_ec_bits(c) < m->min_key || crypto_ec_bits(c) > m->max_key) {
		rv = CKR_KEY_SIZE_RANGE;
		goto out;
	}
	rv = CKR_MECHANISM_PARAM_INVALID;
	if (p == NULL || mech->ulParameterLen != sizeof(*p))
		goto out;
	if (p->kdf != CKD_NULL) {
		hash = kdf_hash(p->kdf);
		if (hash < 0)
			goto out;
	}
	/* Shared data goes into a KDF; CKD_NULL takes none (2.3.8). */
	if ((p->kdf == CKD_NULL && p->ulSharedDataLen > 0) ||
	    (p->pSharedData == NULL && p->ulSharedDataLen > 0) ||
	    p->ulSharedDataLen > SHARED_DATA_MAX)
		goto out;
	rv = peer_point(p->pPublicData, p->ulPublicDataLen, field, &pt, &ptlen);
	if (rv != CKR_OK)
		goto out;
	rv = derived_len(t, n, field, hash >= 0, &len);
	if (rv != CKR_OK)
		goto out;
	/* A point off the curve, at infinity, or of another curve is the
	 * caller's parameter: refused before any secret is computed with it
	 * (invalid-curve attacks). */
	rv = crypto_ecdh(key, pt, ptlen, z);
	if (rv == CKR_ATTRIBUTE_VALUE_INVALID)
		rv = CKR_MECHANISM_PARAM_INVALID;
	if (rv != CKR_OK)
		goto out;
	if (hash >= 0)
		rv = x963((enum crypto_hash)hash, z, field, p->pSharedData, p->ulSharedDataLen,
			  value, len);
	else
		/* "The truncation removes bytes from the leading end." */
		memcpy(value, z + field - len, len);
	if (rv == CKR_OK)
		rv = keyobj_secret_object(t, n, value, len, base, 1, flags, out);
out:
	crypto_key_unref(key);
	port_wipe(z, sizeof(z));
	port_wipe(value, sizeof(value));
	return rv;
}

#endif
