/*
 * The flow of C_Encrypt* and C_Decrypt* (v2.40 5.8, 5.9) over op_cipher.c.
 * The work runs under the module lock: AES is fast, and an OAEP operation
 * (a few milliseconds at most) is not worth moving the operation out of the
 * session and back, which a call that ends CKR_BUFFER_TOO_SMALL would need.
 */
#include "api/ops.h"

#if OP_WITH_CIPHERS

static op *cipher_op(session *s, enum op_kind kind)
{
	return kind == OP_ENCRYPT ? &s->encrypt : &s->decrypt;
}

CK_RV ops_begin_cipher(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key,
		       enum op_kind kind)
{
	object *obj;
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	if (mech == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (cipher_op(s, kind)->active)
		rv = CKR_OPERATION_ACTIVE;
	else if (session_object(s, key, &obj) != CKR_OK)
		rv = CKR_KEY_HANDLE_INVALID;
	else
		rv = op_begin_cipher(cipher_op(s, kind), kind, mech, obj);
	api_leave();
	return rv;
}

/* One call of an active operation; the two-call convention of v2.40 5.2:
 * a NULL buffer asks the length and a short one gets CKR_BUFFER_TOO_SMALL,
 * both leaving the operation as it was; any other error ends it, and so
 * does success of a single-part call or a final. */
static CK_RV crypt_call(op *o, enum ops_call call, const uint8_t *in, size_t n, CK_BYTE_PTR out,
			CK_ULONG_PTR outlen)
{
	size_t need = 0, len = 0;
	int exact = 1;
	CK_RV rv = CKR_OK;

	switch (call) {
	case OPS_ONCE:
		if (o->multipart)
			return CKR_OPERATION_ACTIVE; /* SECURITY.md row 37 */
		op_cipher_need(o, n, &need, &exact);
		break;
	case OPS_UPDATE:
		rv = op_cipher_update_need(o, n, &need);
		break;
	default:
		rv = op_cipher_final_need(o, &need, &exact);
		break;
	}
	if (rv != CKR_OK)
		goto end;
	if (out == NULL) {
		*outlen = need;
		return CKR_OK;
	}
	if (exact && *outlen < need) {
		*outlen = need;
		return CKR_BUFFER_TOO_SMALL;
	}
	switch (call) {
	case OPS_ONCE:
		rv = op_cipher_once(o, in, n, out, *outlen, &len);
		break;
	case OPS_UPDATE:
		rv = op_cipher_update(o, in, n, out, &len);
		break;
	default:
		rv = op_cipher_final(o, out, *outlen, &len);
		break;
	}
	if (rv == CKR_BUFFER_TOO_SMALL) {
		*outlen = len;
		return rv;
	}
	if (rv == CKR_OK) {
		*outlen = len;
		if (call == OPS_UPDATE)
			return rv;
	}
end:
	op_end(o);
	return rv;
}

CK_RV ops_crypt(CK_SESSION_HANDLE h, enum op_kind kind, enum ops_call call, const uint8_t *in,
		CK_ULONG n, CK_BYTE_PTR out, CK_ULONG_PTR outlen)
{
	session *s;
	op *o;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	o = cipher_op(s, kind);
	if (!o->active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else if (outlen == NULL || (in == NULL && n > 0) || api_impossible_len(in, n) ||
		   (out != NULL && api_impossible_len(out, *outlen))) {
		op_end(o);
		rv = CKR_ARGUMENTS_BAD;
	} else {
		rv = crypt_call(o, call, in, n, out, outlen);
	}
	api_leave();
	return rv;
}

#else

CK_RV ops_begin_cipher(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key,
		       enum op_kind kind)
{
	return ops_init(h, mech, key, CKR_KEY_HANDLE_INVALID,
			kind == OP_ENCRYPT ? CKF_ENCRYPT : CKF_DECRYPT);
}

CK_RV ops_crypt(CK_SESSION_HANDLE h, enum op_kind kind, enum ops_call call, const uint8_t *in,
		CK_ULONG n, CK_BYTE_PTR out, CK_ULONG_PTR outlen)
{
	(void)kind;
	(void)call;
	(void)in;
	(void)n;
	(void)out;
	(void)outlen;
	return ops_continue(h);
}

#endif
