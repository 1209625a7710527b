/* Encryption, decryption and MACs with the token's keys (see op.h). */
#include <string.h>

#include "core/keyobj.h"
#include "core/op.h"

#if OP_WITH_CIPHERS

/* The largest OAEP label taken (the parameter is copied). */
#define OAEP_MAX_LABEL 65536

/* CK_GCM_PARAMS without ulIvBits: the v2.40 header before its errata, which
 * clients built against it still pass (told apart by ulParameterLen). */
typedef struct gcm_params_short {
	CK_BYTE_PTR pIv;
	CK_ULONG ulIvLen;
	CK_BYTE_PTR pAAD;
	CK_ULONG ulAADLen;
	CK_ULONG ulTagBits;
} gcm_params_short;

/* o->params = a || b; the parameters the operation keeps. */
static CK_RV keep_params(op *o, const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen + blen == 0)
		return CKR_OK;
	o->params = port_malloc(alen + blen);
	if (o->params == NULL)
		return CKR_HOST_MEMORY;
	o->params_len = alen + blen;
	if (alen > 0)
		memcpy(o->params, a, alen);
	if (blen > 0)
		memcpy(o->params + alen, b, blen);
	return CKR_OK;
}

/* A copy of a secret key's value for the operation. */
static CK_RV keep_secret(op *o, const object *key)
{
	const obj_value *v = object_value(key, CKA_VALUE);

	if (v == NULL || v->value == NULL || v->len == 0)
		return CKR_KEY_HANDLE_INVALID;
	o->secret = port_malloc(v->len);
	if (o->secret == NULL)
		return CKR_HOST_MEMORY;
	memcpy(o->secret, v->value, v->len);
	o->secret_len = v->len;
	return CKR_OK;
}

static int no_param(const CK_MECHANISM *mech)
{
	return mech->pParameter == NULL && mech->ulParameterLen == 0;
}

/* CK_GCM_PARAMS (v2.40 mechanisms 2.10.6): IV, AAD, tag length in bits. */
static CK_RV gcm_params(op *o, const CK_MECHANISM *mech)
{
	const uint8_t *iv, *aad;
	CK_ULONG ivlen, aadlen, tagbits;

	if (mech->pParameter == NULL)
		return CKR_MECHANISM_PARAM_INVALID;
	if (mech->ulParameterLen == sizeof(CK_GCM_PARAMS)) {
		const CK_GCM_PARAMS *p = mech->pParameter;

		iv = p->pIv;
		ivlen = p->ulIvLen;
		aad = p->pAAD;
		aadlen = p->ulAADLen;
		tagbits = p->ulTagBits;
	} else if (mech->ulParameterLen == sizeof(gcm_params_short)) {
		const gcm_params_short *p = mech->pParameter;

		iv = p->pIv;
		ivlen = p->ulIvLen;
		aad = p->pAAD;
		aadlen = p->ulAADLen;
		tagbits = p->ulTagBits;
	} else {
		return CKR_MECHANISM_PARAM_INVALID;
	}
	if (iv == NULL || ivlen == 0 || ivlen > CRYPTO_GCM_MAX_IV || (aad == NULL && aadlen > 0) ||
	    aadlen > CRYPTO_GCM_MAX_AAD || tagbits % 8 != 0 || tagbits > 128)
		return CKR_MECHANISM_PARAM_INVALID;
	if (keep_params(o, iv, ivlen, aad, aadlen) != CKR_OK)
		return CKR_HOST_MEMORY;
	o->ap.iv = o->params;
	o->ap.iv_len = ivlen;
	o->ap.aad = aadlen > 0 ? o->params + ivlen : NULL;
	o->ap.aad_len = aadlen;
	o->ap.tag_len = tagbits / 8;
	return CKR_OK;
}

/* The parameter of an AES mechanism. */
static CK_RV aes_params(op *o, const CK_MECHANISM *mech)
{
	switch (o->m->family) {
	case MF_AES_CBC:
	case MF_AES_CBC_PAD:
		if (mech->pParameter == NULL || mech->ulParameterLen != CRYPTO_AES_BLOCK)
			return CKR_MECHANISM_PARAM_INVALID;
		if (keep_params(o, mech->pParameter, CRYPTO_AES_BLOCK, NULL, 0) != CKR_OK)
			return CKR_HOST_MEMORY;
		o->ap.iv = o->params;
		o->ap.iv_len = CRYPTO_AES_BLOCK;
		return CKR_OK;
	case MF_AES_CTR: {
		const CK_AES_CTR_PARAMS *p = mech->pParameter;

		if (p == NULL || mech->ulParameterLen != sizeof(*p) || p->ulCounterBits == 0 ||
		    p->ulCounterBits > 128)
			return CKR_MECHANISM_PARAM_INVALID;
		if (keep_params(o, p->cb, sizeof(p->cb), NULL, 0) != CKR_OK)
			return CKR_HOST_MEMORY;
		o->ap.iv = o->params;
		o->ap.iv_len = sizeof(p->cb);
		o->ap.ctr_bits = p->ulCounterBits;
		return CKR_OK;
	}
	case MF_AES_GCM:
		return gcm_params(o, mech);
	default:
		/* ECB; the key wraps with their default IVs only. */
		return no_param(mech) ? CKR_OK : CKR_MECHANISM_PARAM_INVALID;
	}
}

/* CK_RSA_PKCS_OAEP_PARAMS (v2.40 mechanisms 2.1.8). */
static CK_RV oaep_params(op *o, const CK_MECHANISM *mech)
{
	const CK_RSA_PKCS_OAEP_PARAMS *p = mech->pParameter;
	int hash, mgf;

	if (p == NULL || mech->ulParameterLen != sizeof(*p))
		return CKR_MECHANISM_PARAM_INVALID;
	hash = mech_hash_of(p->hashAlg);
	mgf = mech_mgf_of(p->mgf);
	if (hash < 0 || mgf < 0)
		return CKR_MECHANISM_PARAM_INVALID;
	/* The label's source: CKZ_DATA_SPECIFIED, or none at all for an
	 * empty label (clients pass 0 then). */
	if ((p->source != CKZ_DATA_SPECIFIED && (p->source != 0 || p->ulSourceDataLen != 0)) ||
	    (p->pSourceData == NULL && p->ulSourceDataLen > 0) ||
	    p->ulSourceDataLen > OAEP_MAX_LABEL)
		return CKR_MECHANISM_PARAM_INVALID;
	if (keep_params(o, p->pSourceData, p->ulSourceDataLen, NULL, 0) != CKR_OK)
		return CKR_HOST_MEMORY;
	o->oaep.hash = (enum crypto_hash)hash;
	o->oaep.mgf1 = (enum crypto_hash)mgf;
	o->oaep.label = o->params;
	o->oaep.label_len = o->params_len;
	if (crypto_oaep_max(o->key, o->oaep.hash) == 0)
		return CKR_KEY_SIZE_RANGE;
	return CKR_OK;
}

/* Class, type and usage of the key (v2.40 5.8: CKR_KEY_TYPE_INCONSISTENT,
 * CKR_KEY_FUNCTION_NOT_PERMITTED, then CKA_ALLOWED_MECHANISMS). */
static CK_RV check_cipher_key(const op *o, enum op_kind kind, const object *key)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;

	static const CK_ATTRIBUTE_TYPE usage[] = { [OP_ENCRYPT] = CKA_ENCRYPT,
						   [OP_DECRYPT] = CKA_DECRYPT,
						   [OP_WRAP] = CKA_WRAP,
						   [OP_UNWRAP] = CKA_UNWRAP };

	if (o->m->family == MF_RSA_OAEP) {
		cls = o->encrypt ? CKO_PUBLIC_KEY : CKO_PRIVATE_KEY;
		kt = CKK_RSA;
	}
	if (object_ulong(key, CKA_CLASS) != cls || object_ulong(key, CKA_KEY_TYPE) != kt)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (!object_bool(key, usage[kind]))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	if (!op_mech_allowed(key, o->m->type))
		return CKR_MECHANISM_INVALID;
	return CKR_OK;
}

CK_RV op_begin_cipher(op *o, enum op_kind kind, const CK_MECHANISM *mech, object *key)
{
	static const CK_FLAGS flag[] = { [OP_ENCRYPT] = CKF_ENCRYPT,
					 [OP_DECRYPT] = CKF_DECRYPT,
					 [OP_WRAP] = CKF_WRAP,
					 [OP_UNWRAP] = CKF_UNWRAP };
	size_t size;
	CK_RV rv;

	op_clear(o);
	o->m = mech_find(mech->mechanism);
	if (o->m == NULL || !(mech_flags(o->m) & flag[kind]))
		return CKR_MECHANISM_INVALID;
	o->encrypt = kind == OP_ENCRYPT || kind == OP_WRAP;
	o->key_private = key->is_private;
	rv = check_cipher_key(o, kind, key);
	if (rv != CKR_OK)
		return rv;
	if (o->m->family == MF_RSA_OAEP) {
		rv = keyobj_key(key, &o->key);
		size = rv == CKR_OK ? crypto_key_bits(o->key) : 0;
	} else {
		rv = keep_secret(o, key);
		size = o->secret_len;
	}
	if (rv == CKR_OK && (size < o->m->min_key || size > o->m->max_key))
		rv = CKR_KEY_SIZE_RANGE;
	if (rv == CKR_OK)
		rv = o->m->family == MF_RSA_OAEP ? oaep_params(o, mech) : aes_params(o, mech);
	/* A context now: the parameters' shape is checked where the mode
	 * knows it (tag lengths, key sizes); single-part calls use it first. */
	if (rv == CKR_OK && MF_IS_AES_MODE(o->m->family))
		rv = crypto_aes_new((enum crypto_aes_mode)(o->m->family - MF_AES_ECB), o->encrypt,
				    o->secret, o->secret_len, &o->ap, &o->aes);
	if (rv != CKR_OK) {
		op_end(o);
		return rv;
	}
	o->active = 1;
	return CKR_OK;
}

/* The operation's AES context, a fresh one if the last was used up. */
static CK_RV aes_ctx(op *o)
{
	if (o->aes != NULL)
		return CKR_OK;
	return crypto_aes_new((enum crypto_aes_mode)(o->m->family - MF_AES_ECB), o->encrypt,
			      o->secret, o->secret_len, &o->ap, &o->aes);
}

void op_cipher_need(const op *o, size_t n, size_t *need, int *exact)
{
	size_t tag = o->ap.tag_len;

	*exact = 1;
	switch (o->m->family) {
	case MF_AES_CBC_PAD:
		if (o->encrypt) {
			*need = (n / CRYPTO_AES_BLOCK + 1) * CRYPTO_AES_BLOCK;
		} else {
			*need = n;
			*exact = 0;
		}
		break;
	case MF_AES_GCM:
		*need = o->encrypt ? n + tag : (n >= tag ? n - tag : 0);
		break;
	case MF_AES_KW:
	case MF_AES_KWP:
		if (o->encrypt) {
			*need = crypto_aes_wrap_len(o->m->family == MF_AES_KWP, n);
		} else {
			*need = n >= 8 ? n - 8 : 0;
			*exact = o->m->family == MF_AES_KW;
		}
		break;
	case MF_RSA_OAEP:
		*need = crypto_sig_len(o->key);
		*exact = o->encrypt;
		break;
	default: /* ECB, CBC, CTR */
		*need = n;
		break;
	}
}

/* Runs a whole AES operation on a fresh context into out (room enough). */
static CK_RV aes_once(op *o, const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	size_t a = 0, b = 0;
	CK_RV rv = aes_ctx(o);

	if (rv == CKR_OK && crypto_aes_update_len(o->aes, n) == SIZE_MAX)
		rv = o->encrypt ? CKR_DATA_LEN_RANGE : CKR_ENCRYPTED_DATA_LEN_RANGE;
	if (rv == CKR_OK)
		rv = crypto_aes_update(o->aes, in, n, out, &a);
	if (rv == CKR_OK)
		rv = crypto_aes_final(o->aes, out + a, &b);
	/* Used up either way: a later single-part call starts afresh. */
	crypto_aes_free(o->aes);
	o->aes = NULL;
	*outlen = a + b;
	return rv;
}

/* The operation into out, which has room for op_cipher_need bytes. */
static CK_RV cipher_run(op *o, const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	const int pad = o->m->family == MF_AES_KWP;

	switch (o->m->family) {
	case MF_AES_KW:
	case MF_AES_KWP:
		if (o->encrypt) {
			*outlen = crypto_aes_wrap_len(pad, n);
			return crypto_aes_wrap(pad, o->secret, o->secret_len, in, n, out);
		}
		return crypto_aes_unwrap(pad, o->secret, o->secret_len, in, n, out, outlen);
	case MF_RSA_OAEP:
		if (o->encrypt) {
			*outlen = crypto_sig_len(o->key);
			return crypto_oaep_encrypt(o->key, &o->oaep, in, n, out);
		}
		return crypto_oaep_decrypt(o->key, &o->oaep, in, n, out, outlen);
	default:
		return aes_once(o, in, n, out, outlen);
	}
}

CK_RV op_cipher_once(op *o, const uint8_t *in, size_t n, uint8_t *out, size_t room, size_t *outlen)
{
	size_t need, len = 0;
	uint8_t *tmp;
	int exact;
	CK_RV rv;

	op_cipher_need(o, n, &need, &exact);
	if (exact) {
		if (room < need) {
			*outlen = need;
			return CKR_BUFFER_TOO_SMALL;
		}
		return cipher_run(o, in, n, out, outlen);
	}
	/* The length is known once the padding is: decrypt apart first. The
	 * room crypto_aes_final may use after the whole blocks (15 bytes for
	 * CBC_PAD, crypto_sym.h) is there even for an input the backend
	 * then refuses (a partial last block). */
	tmp = port_malloc(need + CRYPTO_AES_BLOCK);
	if (tmp == NULL)
		return CKR_HOST_MEMORY;
	rv = cipher_run(o, in, n, tmp, &len);
	if (rv == CKR_OK && len > room) {
		*outlen = len;
		rv = CKR_BUFFER_TOO_SMALL;
	} else if (rv == CKR_OK) {
		if (len > 0)
			memcpy(out, tmp, len);
		*outlen = len;
	}
	port_free_secret(tmp, need + CRYPTO_AES_BLOCK);
	return rv;
}

CK_RV op_cipher_update_need(op *o, size_t n, size_t *need)
{
	CK_RV rv;

	/* The key wraps and OAEP are single-part mechanisms. */
	if (!MF_IS_AES_MODE(o->m->family))
		return CKR_MECHANISM_INVALID;
	/* A CBC_PAD final waits for a larger buffer: its context is spent
	 * (crypto_sym.h: not to be used after final; the backends answer
	 * CKR_OPERATION_NOT_INITIALIZED). */
	if (o->has_pending)
		return CKR_OPERATION_NOT_INITIALIZED;
	rv = aes_ctx(o);
	if (rv != CKR_OK)
		return rv;
	*need = crypto_aes_update_len(o->aes, n);
	if (*need == SIZE_MAX)
		return o->encrypt ? CKR_DATA_LEN_RANGE : CKR_ENCRYPTED_DATA_LEN_RANGE;
	return CKR_OK;
}

CK_RV op_cipher_update(op *o, const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	o->multipart = 1;
	return crypto_aes_update(o->aes, in, n, out, outlen);
}

CK_RV op_cipher_final_need(op *o, size_t *need, int *exact)
{
	CK_RV rv;

	*exact = 1;
	*need = 0;
	if (o->has_pending) {
		*need = o->pending_len;
		return CKR_OK;
	}
	if (!MF_IS_AES_MODE(o->m->family))
		return CKR_MECHANISM_INVALID;
	rv = aes_ctx(o);
	if (rv != CKR_OK)
		return rv;
	*need = crypto_aes_final_len(o->aes);
	*exact = !(o->m->family == MF_AES_CBC_PAD && !o->encrypt);
	return CKR_OK;
}

CK_RV op_cipher_final(op *o, uint8_t *out, size_t room, size_t *outlen)
{
	size_t len = 0;
	CK_RV rv;

	if (!MF_IS_AES_MODE(o->m->family))
		return CKR_MECHANISM_INVALID;
	rv = aes_ctx(o);
	if (rv != CKR_OK)
		return rv;
	if (!o->has_pending && o->m->family == MF_AES_CBC_PAD && !o->encrypt) {
		/* The last block is decrypted once; its plaintext waits here
		 * for a buffer large enough. */
		rv = crypto_aes_final(o->aes, o->pending, &len);
		if (rv != CKR_OK)
			return rv;
		o->pending_len = len;
		o->has_pending = 1;
	}
	if (o->has_pending) {
		*outlen = o->pending_len;
		if (room < o->pending_len)
			return CKR_BUFFER_TOO_SMALL;
		if (o->pending_len > 0)
			memcpy(out, o->pending, o->pending_len);
		return CKR_OK;
	}
	if (room < crypto_aes_final_len(o->aes)) {
		*outlen = crypto_aes_final_len(o->aes);
		return CKR_BUFFER_TOO_SMALL;
	}
	return crypto_aes_final(o->aes, out, outlen);
}

CK_RV op_begin_mac(op *o, const CK_MECHANISM *mech, object *key)
{
	const int hmac = o->m->family == MF_HMAC || o->m->family == MF_HMAC_GENERAL;
	const int general = o->m->family == MF_HMAC_GENERAL || o->m->family == MF_CMAC_GENERAL;
	size_t full;
	CK_RV rv;

	o->key_private = key->is_private;
	rv = keep_secret(o, key);
	if (rv != CKR_OK)
		return rv;
	if (o->secret_len < o->m->min_key || o->secret_len > o->m->max_key)
		return CKR_KEY_SIZE_RANGE;
	full = hmac ? crypto_hash_len((enum crypto_hash)o->m->hash) : CRYPTO_AES_BLOCK;
	o->mac_len = full;
	if (general) {
		/* CK_MAC_GENERAL_PARAMS: the MAC's length in bytes, 1 to the
		 * full length (a zero-length MAC proves nothing). */
		CK_ULONG len;

		if (mech->pParameter == NULL || mech->ulParameterLen != sizeof(CK_ULONG))
			return CKR_MECHANISM_PARAM_INVALID;
		memcpy(&len, mech->pParameter, sizeof(len));
		if (len == 0 || len > full)
			return CKR_MECHANISM_PARAM_INVALID;
		o->mac_len = len;
	} else if (!no_param(mech)) {
		return CKR_MECHANISM_PARAM_INVALID;
	}
	rv = crypto_mac_new(hmac ? MAC_HMAC : MAC_CMAC,
			    hmac ? (enum crypto_hash)o->m->hash : HASH_SHA256, o->secret,
			    o->secret_len, &o->mac);
	/* The context has its own copy. */
	port_free_secret(o->secret, o->secret_len);
	o->secret = NULL;
	o->secret_len = 0;
	return rv;
}

CK_RV op_mac_final(op *o, uint8_t *out)
{
	return crypto_mac_final(o->mac, out);
}

#endif
