/* The cryptographic entry points' common flow (see ops.h). */
#include <string.h>

#include "api/ops.h"
#include "core/mech.h"
#include "crypto/crypto_ed.h"

CK_RV ops_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key, CK_RV bad_key,
	       CK_FLAGS usage)
{
	const mech_row *row;
	object *obj;
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	if (mech == NULL) {
		rv = CKR_ARGUMENTS_BAD;
	} else if (bad_key != CKR_OK && session_object(s, key, &obj) != CKR_OK) {
		rv = bad_key;
	} else {
		/* The operations this build does not have: recovery, the
		 * message-based functions, and in builds without issue 10's
		 * mechanisms (IOT_WITH_AES ... 0) encryption, wrapping,
		 * derivation and secret-key generation. No row offers them, so
		 * every mechanism is invalid here; a row added without its
		 * operation is refused, not pretended. */
		row = mech_find(mech->mechanism);
		rv = row != NULL && (mech_flags(row) & usage) ? CKR_FUNCTION_NOT_SUPPORTED
							      : CKR_MECHANISM_INVALID;
	}
	api_leave();
	return rv;
}

CK_RV ops_continue(CK_SESSION_HANDLE h)
{
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	api_leave();
	return CKR_OPERATION_NOT_INITIALIZED;
}

CK_RV api_enter_checked_args(CK_SESSION_HANDLE h)
{
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	api_leave();
	return CKR_ARGUMENTS_BAD;
}

static op *op_of(session *s, enum op_kind kind)
{
	switch (kind) {
	case OP_SIGN:
		return &s->sign;
	case OP_VERIFY:
		return &s->verify;
	default:
		return &s->digest;
	}
}

CK_RV ops_begin_sig(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key,
		    enum op_kind kind)
{
	object *obj;
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	if (mech == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (op_of(s, kind)->active)
		rv = CKR_OPERATION_ACTIVE;
	else if (session_object(s, key, &obj) != CKR_OK)
		rv = CKR_KEY_HANDLE_INVALID;
	else
		rv = op_begin_sig(op_of(s, kind), kind, mech, obj);
	api_leave();
	return rv;
}

CK_RV ops_begin_digest(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech)
{
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	if (mech == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (s->digest.active)
		rv = CKR_OPERATION_ACTIVE;
	else
		rv = op_begin_digest(&s->digest, mech);
	api_leave();
	return rv;
}

CK_RV ops_update(CK_SESSION_HANDLE h, enum op_kind kind, const uint8_t *part, CK_ULONG len)
{
	session *s;
	op *o;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	o = op_of(s, kind);
	if (!o->active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else {
		/* v2.40 5.11: "A call to C_SignUpdate which results in an error
		 * terminates the current signature operation." */
		rv = (part == NULL && len > 0) || api_impossible_len(part, len)
			     ? CKR_ARGUMENTS_BAD
			     : op_update(o, part, len);
		if (rv != CKR_OK)
			op_end(o);
	}
	api_leave();
	return rv;
}

/*
 * The two-call convention (v2.40 5.2): a NULL buffer asks the length, a
 * too-small one gets CKR_BUFFER_TOO_SMALL; both leave the operation active.
 * Every other outcome ends it. Returns 1 when the caller may produce the
 * output, else 0 with *rv set; the lock stays held either way.
 */
static int output_ready(op *o, int single, const void *data, CK_ULONG datalen, CK_BYTE_PTR out,
			CK_ULONG_PTR outlen, size_t need, CK_RV *rv)
{
	*rv = CKR_OK;
	if (outlen == NULL || (data == NULL && datalen > 0) || api_impossible_len(data, datalen)) {
		op_end(o);
		*rv = CKR_ARGUMENTS_BAD;
	} else if (single && o->multipart) {
		/* A single-part call after C_*Update: the multi-part
		 * operation goes on (SECURITY.md row 37). */
		*rv = CKR_OPERATION_ACTIVE;
	} else if (out == NULL) {
		*outlen = need;
	} else if (*outlen < need) {
		*outlen = need;
		*rv = CKR_BUFFER_TOO_SMALL;
	} else {
		return 1;
	}
	return 0;
}

/* output_ready, then the operation moved to *taken and the lock released
 * (returns 1), or the lock released with *rv set (returns 0). */
static int take_for_output(op *o, int single, const void *data, CK_ULONG datalen, CK_BYTE_PTR out,
			   CK_ULONG_PTR outlen, size_t need, op *taken, CK_RV *rv)
{
	int ready = output_ready(o, single, data, datalen, out, outlen, need, rv);

	if (ready)
		op_take(o, taken);
	api_leave();
	return ready;
}

#if OP_WITH_CIPHERS
/* The full MAC of what a MAC operation was given and data (its length is
 * crypto_mac_len: at most CRYPTO_MAX_HASH_LEN). */
static CK_RV mac_now(op *o, const uint8_t *data, size_t n, uint8_t mac[CRYPTO_MAX_HASH_LEN])
{
	CK_RV rv = n > 0 ? crypto_mac_update(o->mac, data, n) : CKR_OK;

	return rv == CKR_OK ? op_mac_final(o, mac) : rv;
}
#endif

static CK_RV sign_now(op *o, const uint8_t *data, size_t n, uint8_t *sig)
{
	uint8_t in[OP_MAX_RAW_INPUT];
	size_t inlen = 0;
	CK_RV rv;

#if IOT_WITH_ED25519
	if (o->m->family == MF_EDDSA) {
		const uint8_t *msg;
		size_t len;

		op_eddsa_message(o, data, n, &msg, &len);
		return crypto_ed25519_sign(o->key, msg, len, sig);
	}
#endif
#if OP_WITH_CIPHERS
	if (o->mac != NULL) {
		rv = mac_now(o, data, n, in);
		if (rv == CKR_OK)
			memcpy(sig, in, o->mac_len);
		port_wipe(in, CRYPTO_MAX_HASH_LEN);
		return rv;
	}
#endif

	rv = op_finish_input(o, data, n, in, &inlen);
	if (rv == CKR_OK)
		rv = crypto_sign(o->key, op_sig_alg(o), &o->pss, in, inlen, sig);
	port_wipe(in, sizeof(in));
	return rv;
}

CK_RV ops_sign(CK_SESSION_HANDLE h, const uint8_t *data, CK_ULONG n, int single, CK_BYTE_PTR sig,
	       CK_ULONG_PTR siglen)
{
	session *s;
	op taken;
	size_t need;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	if (!s->sign.active) {
		api_leave();
		return CKR_OPERATION_NOT_INITIALIZED;
	}
	need = op_sig_len(&s->sign);
	if (!take_for_output(&s->sign, single, data, n, sig, siglen, need, &taken, &rv))
		return rv;
	rv = sign_now(&taken, data, n, sig);
	op_end(&taken);
	if (rv == CKR_OK)
		*siglen = need;
	return rv;
}

CK_RV ops_verify(CK_SESSION_HANDLE h, const uint8_t *data, CK_ULONG n, int single,
		 const uint8_t *sig, CK_ULONG siglen)
{
	uint8_t in[OP_MAX_RAW_INPUT];
	size_t inlen = 0;
	session *s;
	op taken;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	if (!s->verify.active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else if ((data == NULL && n > 0) || (sig == NULL && siglen > 0) ||
		   api_impossible_len(data, n)) {
		op_end(&s->verify);
		rv = CKR_ARGUMENTS_BAD;
	} else if (api_impossible_len(sig, siglen)) {
		/* No signature is that long. The backends refuse a wrong length
		 * before reading the signature (crypto.h), but the module does
		 * not rely on that (found by the EVA proofs, verify/). */
		op_end(&s->verify);
		rv = CKR_SIGNATURE_LEN_RANGE;
	} else if (single && s->verify.multipart) {
		rv = CKR_OPERATION_ACTIVE;
	} else {
		op_take(&s->verify, &taken);
		api_leave();
#if OP_WITH_CIPHERS
		if (taken.mac != NULL) {
			/* v2.40 5.12: a MAC of the wrong length is
			 * CKR_SIGNATURE_LEN_RANGE; the comparison is in
			 * constant time. */
			rv = siglen != taken.mac_len ? CKR_SIGNATURE_LEN_RANGE
						     : mac_now(&taken, data, n, in);
			if (rv == CKR_OK && !port_ct_equal(in, sig, siglen))
				rv = CKR_SIGNATURE_INVALID;
			op_end(&taken);
			port_wipe(in, sizeof(in));
			return rv;
		}
#endif
#if IOT_WITH_ED25519
		if (taken.m->family == MF_EDDSA) {
			const uint8_t *msg;
			size_t len;

			op_eddsa_message(&taken, data, n, &msg, &len);
			rv = crypto_ed25519_verify(taken.key, msg, len, sig, siglen);
			op_end(&taken);
			return rv;
		}
#endif
		rv = op_finish_input(&taken, data, n, in, &inlen);
		if (rv == CKR_OK)
			rv = crypto_verify(taken.key, op_sig_alg(&taken), &taken.pss, in, inlen,
					   sig, siglen);
		op_end(&taken);
		port_wipe(in, sizeof(in));
		return rv;
	}
	api_leave();
	return rv;
}

/* Digests of at most this much input finish under the module lock: for
 * them the lock round trip of moving the operation out and the context
 * allocation it costs are most of the work, while hashing 1 KiB holds the
 * lock about a microsecond (a few without SHA instructions). */
#define DIGEST_IN_LOCK_MAX 1024

CK_RV ops_digest(CK_SESSION_HANDLE h, const uint8_t *data, CK_ULONG n, int single, CK_BYTE_PTR out,
		 CK_ULONG_PTR outlen)
{
	uint8_t md[OP_MAX_RAW_INPUT];
	size_t mdlen = 0, need;
	session *s;
	op taken;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	if (!s->digest.active) {
		api_leave();
		return CKR_OPERATION_NOT_INITIALIZED;
	}
	need = crypto_hash_len((enum crypto_hash)s->digest.m->hash);
	if (n <= DIGEST_IN_LOCK_MAX) {
		int ready = output_ready(&s->digest, single, data, n, out, outlen, need, &rv);

		if (ready) {
			rv = op_finish_input(&s->digest, data, n, md, &mdlen);
			op_done(&s->digest);
		}
		api_leave();
		if (!ready)
			return rv;
	} else {
		if (!take_for_output(&s->digest, single, data, n, out, outlen, need, &taken, &rv))
			return rv;
		rv = op_finish_input(&taken, data, n, md, &mdlen);
		op_end(&taken);
	}
	if (rv == CKR_OK) {
		memcpy(out, md, mdlen);
		*outlen = mdlen;
	}
	return rv;
}

CK_RV ops_digest_key(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key)
{
	const obj_value *v;
	object *obj;
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	if (!s->digest.active) {
		api_leave();
		return CKR_OPERATION_NOT_INITIALIZED;
	}
	if (session_object(s, key, &obj) != CKR_OK) {
		rv = CKR_KEY_HANDLE_INVALID;
	} else if (obj->kind != KIND_SECRET_GENERIC && obj->kind != KIND_SECRET_AES) {
		/* v2.40 5.10 C_DigestKey: only secret keys' values. */
		rv = CKR_KEY_INDIGESTIBLE;
	} else if (object_hidden(obj, object_rule(obj, CKA_VALUE))) {
		/* A sensitive value must not feed a digest the caller reads. */
		rv = CKR_KEY_INDIGESTIBLE;
	} else {
		v = object_value(obj, CKA_VALUE);
		rv = op_update(&s->digest, v->value, v->len);
	}
	if (rv != CKR_OK)
		op_end(&s->digest);
	api_leave();
	return rv;
}

/* The bits C_SessionCancel accepts: the flags of CK_MECHANISM_INFO (3.0
 * Table 8), which "should be assigned" to name the operations, except
 * CKF_EXTENSION ("MUST be false for this version"). Any other bit is a
 * caller error. */
#define CANCEL_FLAGS                                                                             \
	(CKF_HW | CKF_MESSAGE_ENCRYPT | CKF_MESSAGE_DECRYPT | CKF_MESSAGE_SIGN |                 \
	 CKF_MESSAGE_VERIFY | CKF_MULTI_MESSAGE | CKF_FIND_OBJECTS | CKF_ENCRYPT | CKF_DECRYPT | \
	 CKF_DIGEST | CKF_SIGN | CKF_SIGN_RECOVER | CKF_VERIFY | CKF_VERIFY_RECOVER |            \
	 CKF_GENERATE | CKF_GENERATE_KEY_PAIR | CKF_WRAP | CKF_UNWRAP | CKF_DERIVE)

#if IOT_WITH_V30
static void cancel_op(op *o)
{
	if (o->active)
		op_end(o);
}

CK_RV ops_cancel(CK_SESSION_HANDLE h, CK_FLAGS flags)
{
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	if (flags & ~(CK_FLAGS)CANCEL_FLAGS) {
		/* Checked before anything ends: a refused call changes nothing. */
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	/*
	 * 3.0 5.6.5: "If a flag is set for an operation that has not been
	 * initialized in the session, the operation flag will be ignored".
	 * A session has at most a search, a digest, a signature, a
	 * verification, an encryption and a decryption active (the only
	 * operations that last past their call);
	 * every other flag names an operation that is never active here, and
	 * no flags at all leave the session as it was. Each of the six ends
	 * as its own termination does, wiping what it held, so none "cannot be
	 * cancelled" (CKR_OPERATION_CANCEL_FAILED never applies); and iotoken
	 * makes no callbacks from which C_SessionCancel could be called.
	 * An operation a C_Sign or C_Verify of another thread has moved out of
	 * the session is no longer active in it and finishes.
	 */
	if (flags & CKF_FIND_OBJECTS)
		session_find_end(s);
	if (flags & CKF_DIGEST)
		cancel_op(&s->digest);
	if (flags & CKF_SIGN)
		cancel_op(&s->sign);
	if (flags & CKF_VERIFY)
		cancel_op(&s->verify);
#if OP_WITH_CIPHERS
	if (flags & CKF_ENCRYPT)
		cancel_op(&s->encrypt);
	if (flags & CKF_DECRYPT)
		cancel_op(&s->decrypt);
#endif
out:
	api_leave();
	return rv;
}
#endif
