/* Session operations (see op.h). */
#include <string.h>

#include "core/keyobj.h"
#include "core/op.h"
#include "crypto/crypto_ed.h"

/* Clears o but for its spare. */
void op_clear(op *o)
{
	crypto_digest *spare = o->spare;

	memset(o, 0, sizeof(*o));
	o->spare = spare;
}

void op_end(op *o)
{
	crypto_key_unref(o->key);
	crypto_digest_free(o->dg);
	port_free_secret(o->buf, o->len);
#if OP_WITH_CIPHERS
	crypto_aes_free(o->aes);
	crypto_mac_free(o->mac);
	port_free_secret(o->secret, o->secret_len);
	port_free_secret(o->params, o->params_len);
	port_wipe(o->pending, sizeof(o->pending));
#endif
	op_clear(o);
}

void op_done(op *o)
{
	/* A context whose final did not run may hold the state of secret
	 * input (C_DigestKey): that one is freed, which wipes it. */
	if (o->spare == NULL && o->dg != NULL && crypto_digest_finished(o->dg)) {
		o->spare = o->dg;
		o->dg = NULL;
	}
	op_end(o);
}

void op_free(op *o)
{
	op_end(o);
	crypto_digest_free(o->spare);
	o->spare = NULL;
}

void op_take(op *o, op *dst)
{
	*dst = *o;
	dst->spare = NULL;
	op_clear(o);
}

/* A digest context for hash h: the spare if there is one, else a new one. */
static CK_RV digest_start(op *o, int hash)
{
	CK_RV rv;

	if (o->spare == NULL)
		return crypto_digest_new((enum crypto_hash)hash, &o->dg);
	rv = crypto_digest_restart(o->spare, (enum crypto_hash)hash);
	if (rv != CKR_OK)
		return rv;
	o->dg = o->spare;
	o->spare = NULL;
	return CKR_OK;
}

enum crypto_sig op_sig_alg(const op *o)
{
	switch (o->m->family) {
	case MF_ECDSA:
		return SIG_ECDSA;
	case MF_RSA_PSS:
		return SIG_RSA_PSS;
	default:
		return SIG_RSA_PKCS1;
	}
}

static int mech_allowed(const object *key, CK_MECHANISM_TYPE type)
{
	const obj_value *v = object_value(key, CKA_ALLOWED_MECHANISMS);
	size_t i, n;

	/* An empty list allows every mechanism the key type supports. */
	if (v == NULL || v->len == 0)
		return 1;
	n = v->len / sizeof(CK_MECHANISM_TYPE);
	for (i = 0; i < n; i++) {
		CK_MECHANISM_TYPE t;

		memcpy(&t, v->value + i * sizeof(t), sizeof(t));
		if (t == type)
			return 1;
	}
	return 0;
}

/* CK_RSA_PKCS_PSS_PARAMS (v2.40 mechanisms 2.1.14): the hash and MGF must be
 * ones we have, a hashing mechanism's own hash, and the salt must fit. */
static CK_RV pss_params(op *o, const CK_MECHANISM *mech, size_t mod_bytes)
{
	const CK_RSA_PKCS_PSS_PARAMS *p = mech->pParameter;
	int hash, mgf;

	if (p == NULL || mech->ulParameterLen != sizeof(*p))
		return CKR_MECHANISM_PARAM_INVALID;
	hash = mech_hash_of(p->hashAlg);
	mgf = mech_mgf_of(p->mgf);
	if (hash < 0 || mgf < 0 || (o->m->hash != MECH_NO_HASH && hash != o->m->hash))
		return CKR_MECHANISM_PARAM_INVALID;
	if (p->sLen > mod_bytes || crypto_hash_len(hash) + p->sLen + 2 > mod_bytes)
		return CKR_MECHANISM_PARAM_INVALID;
	o->pss.hash = (enum crypto_hash)hash;
	o->pss.mgf1 = (enum crypto_hash)mgf;
	o->pss.salt_len = p->sLen;
	return CKR_OK;
}

size_t op_sig_len(const op *o)
{
#if OP_WITH_CIPHERS
	if (MF_IS_MAC(o->m->family))
		return o->mac_len;
#endif
	return crypto_sig_len(o->key);
}

int op_mech_allowed(const object *key, CK_MECHANISM_TYPE type)
{
	return mech_allowed(key, type);
}

static CK_RV check_key(const op *o, enum op_kind kind, object *key)
{
	CK_OBJECT_CLASS want = kind == OP_SIGN ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = o->m->family == MF_ECDSA   ? CKK_EC
			 : o->m->family == MF_EDDSA ? CKK_EC_EDWARDS
						    : CKK_RSA;

#if OP_WITH_CIPHERS
	if (MF_IS_MAC(o->m->family)) {
		want = CKO_SECRET_KEY;
		kt = o->m->family == MF_HMAC || o->m->family == MF_HMAC_GENERAL ? CKK_GENERIC_SECRET
										: CKK_AES;
	}
#endif

	if (object_ulong(key, CKA_CLASS) != want || object_ulong(key, CKA_KEY_TYPE) != kt)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (!object_bool(key, kind == OP_SIGN ? CKA_SIGN : CKA_VERIFY))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	if (!mech_allowed(key, o->m->type))
		return CKR_MECHANISM_INVALID;
	return CKR_OK;
}

static size_t key_size_bits(const crypto_key *k, const object *key)
{
	enum crypto_curve c;

	if (object_ulong(key, CKA_KEY_TYPE) == CKK_EC && crypto_key_curve(k, &c) == CKR_OK)
		return crypto_ec_bits(c);
	if (object_ulong(key, CKA_KEY_TYPE) == CKK_EC_EDWARDS)
		return 255; /* the field's bits, as CKM_EC_EDWARDS_KEY_PAIR_GEN counts */
	return crypto_key_bits(k);
}

#if IOT_WITH_ED25519
/* CK_EDDSA_PARAMS (3.0 mechanisms 2.3.14), optional: Ed25519 is PureEdDSA
 * without a context here, so only phFlag FALSE and no context data. */
typedef struct eddsa_params_3_0 {
	CK_BBOOL phFlag;
	CK_ULONG ulContextDataLen;
	CK_BYTE_PTR pContextData;
} eddsa_params_3_0;

static CK_RV eddsa_params(const CK_MECHANISM *mech)
{
	const eddsa_params_3_0 *p = mech->pParameter;

	if (p == NULL && mech->ulParameterLen == 0)
		return CKR_OK;
	if (p == NULL || mech->ulParameterLen != sizeof(*p) || p->phFlag != CK_FALSE ||
	    p->ulContextDataLen != 0)
		return CKR_MECHANISM_PARAM_INVALID;
	return CKR_OK;
}

void op_eddsa_message(const op *o, const uint8_t *data, size_t n, const uint8_t **msg, size_t *len)
{
	*msg = o->multipart ? o->buf : data;
	*len = o->multipart ? o->len : n;
}
#endif

CK_RV op_begin_sig(op *o, enum op_kind kind, const CK_MECHANISM *mech, object *key)
{
	CK_FLAGS need = kind == OP_SIGN ? CKF_SIGN : CKF_VERIFY;
	size_t bits;
	CK_RV rv;

	op_clear(o);
	o->m = mech_find(mech->mechanism);
	if (o->m == NULL || !(mech_flags(o->m) & need))
		return CKR_MECHANISM_INVALID;
	o->key_private = key->is_private;
	rv = check_key(o, kind, key);
#if OP_WITH_CIPHERS
	if (rv == CKR_OK && MF_IS_MAC(o->m->family)) {
		rv = op_begin_mac(o, mech, key);
		if (rv != CKR_OK)
			goto fail;
		o->active = 1;
		return CKR_OK;
	}
#endif
	if (rv == CKR_OK)
		rv = keyobj_key(key, &o->key);
	if (rv != CKR_OK)
		goto fail;
	bits = key_size_bits(o->key, key);
	if (bits < o->m->min_key || bits > o->m->max_key) {
		rv = CKR_KEY_SIZE_RANGE;
		goto fail;
	}
	if (o->m->family == MF_RSA_PSS)
		rv = pss_params(o, mech, crypto_sig_len(o->key));
#if IOT_WITH_ED25519
	else if (o->m->family == MF_EDDSA)
		rv = eddsa_params(mech);
#endif
	else if (mech->pParameter != NULL || mech->ulParameterLen != 0)
		rv = CKR_MECHANISM_PARAM_INVALID;
	if (rv == CKR_OK && o->m->hash != MECH_NO_HASH)
		rv = digest_start(o, o->m->hash);
	if (rv != CKR_OK)
		goto fail;
	o->active = 1;
	return CKR_OK;
fail:
	op_end(o);
	return rv;
}

CK_RV op_begin_digest(op *o, const CK_MECHANISM *mech)
{
	CK_RV rv;

	op_clear(o);
	o->m = mech_find(mech->mechanism);
	if (o->m == NULL || !(mech_flags(o->m) & CKF_DIGEST))
		return CKR_MECHANISM_INVALID;
	if (mech->pParameter != NULL || mech->ulParameterLen != 0)
		return CKR_MECHANISM_PARAM_INVALID;
	rv = digest_start(o, o->m->hash);
	if (rv != CKR_OK) {
		op_end(o);
		return rv;
	}
	o->active = 1;
	return CKR_OK;
}

CK_RV op_update(op *o, const uint8_t *data, size_t n)
{
	uint8_t *grown;

	o->multipart = 1;
	if (o->dg != NULL)
		return crypto_digest_update(o->dg, data, n);
#if OP_WITH_CIPHERS
	if (o->mac != NULL)
		return crypto_mac_update(o->mac, data, n);
#endif
	if (n > (o->m->family == MF_EDDSA ? OP_MAX_EDDSA_INPUT : OP_MAX_RAW_INPUT) - o->len)
		return CKR_DATA_LEN_RANGE;
	if (n == 0)
		return CKR_OK;
	grown = port_malloc(o->len + n);
	if (grown == NULL)
		return CKR_HOST_MEMORY;
	if (o->len > 0)
		memcpy(grown, o->buf, o->len);
	memcpy(grown + o->len, data, n);
	port_free_secret(o->buf, o->len);
	o->buf = grown;
	o->len += n;
	return CKR_OK;
}

/* The DER DigestInfo header for each hash (RFC 8017 section 9.2 note 1):
 * what CKM_SHA*_RSA_PKCS put before the hash they sign. */
static const uint8_t *digest_info_prefix(enum crypto_hash h, size_t *len)
{
	static const uint8_t sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
					0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 };
	/* SHA-2: 30 L 30 0d 06 09 <2.16.840.1.101.3.4.2.n> 05 00 04 hashlen */
	static const uint8_t sha2[4][19] = {
		{ 0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		  0x02, 0x04, 0x05, 0x00, 0x04, 0x1c },
		{ 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		  0x02, 0x01, 0x05, 0x00, 0x04, 0x20 },
		{ 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		  0x02, 0x02, 0x05, 0x00, 0x04, 0x30 },
		{ 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		  0x02, 0x03, 0x05, 0x00, 0x04, 0x40 },
	};

	switch (h) {
	case HASH_SHA1:
		*len = sizeof(sha1);
		return sha1;
	case HASH_SHA224:
		*len = 19;
		return sha2[0];
	case HASH_SHA256:
		*len = 19;
		return sha2[1];
	case HASH_SHA384:
		*len = 19;
		return sha2[2];
	default:
		*len = 19;
		return sha2[3];
	}
}

CK_RV op_finish_input(op *o, const uint8_t *data, size_t n, uint8_t *out, size_t *outlen)
{
	size_t pre = 0;
	CK_RV rv;

	if (o->dg != NULL) {
		if (n > 0) {
			rv = crypto_digest_update(o->dg, data, n);
			if (rv != CKR_OK)
				return rv;
		}
		/* PKCS#1 v1.5 signs the DigestInfo, not the bare hash. */
		if (o->m->family == MF_RSA_PKCS) {
			const uint8_t *p = digest_info_prefix((enum crypto_hash)o->m->hash, &pre);

			memcpy(out, p, pre);
		}
		*outlen = pre + crypto_hash_len((enum crypto_hash)o->m->hash);
		return crypto_digest_final(o->dg, out + pre);
	}
	if (o->multipart) {
		data = o->buf;
		n = o->len;
	}
	if (n > OP_MAX_RAW_INPUT)
		return CKR_DATA_LEN_RANGE;
	if (n > 0)
		memcpy(out, data, n);
	*outlen = n;
	return CKR_OK;
}
