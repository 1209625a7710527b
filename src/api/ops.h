/*
 * The shape shared by the cryptographic entry points: an *Init resolves the
 * session, the key and the mechanism; the other calls of an operation find
 * it active or answer CKR_OPERATION_NOT_INITIALIZED.
 */
#ifndef IOTOKEN_OPS_H
#define IOTOKEN_OPS_H

#include "api/api.h"

#define OP_NO_KEY ((CK_OBJECT_HANDLE)0)

/* An *Init call: checks in the order session, arguments, key handle
 * (bad_key: CKR_KEY_HANDLE_INVALID, or CKR_WRAPPING_KEY_HANDLE_INVALID /
 * CKR_UNWRAPPING_KEY_HANDLE_INVALID as v2.40 gives for those keys; CKR_OK
 * for a call without a key), mechanism (CKR_MECHANISM_INVALID unless the
 * table offers it with the usage flag). */
CK_RV ops_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key, CK_RV bad_key,
	       CK_FLAGS usage) IOT_MUST_CHECK;

/* A call that continues an operation of a kind no mechanism can start yet. */
CK_RV ops_continue(CK_SESSION_HANDLE h) IOT_MUST_CHECK;

/* The session is checked first (and initialization before it); then the
 * caller's bad arguments are reported. */
CK_RV api_enter_checked_args(CK_SESSION_HANDLE h) IOT_MUST_CHECK;

/* Sign, verify and digest: the flows behind the C_* functions of those
 * chapters (single is 1 for C_Sign/C_Verify/C_Digest, 0 for *Final). */
CK_RV ops_begin_sig(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key,
		    enum op_kind kind) IOT_MUST_CHECK;
CK_RV ops_begin_digest(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech) IOT_MUST_CHECK;
CK_RV ops_update(CK_SESSION_HANDLE h, enum op_kind kind, const uint8_t *part,
		 CK_ULONG len) IOT_MUST_CHECK;
CK_RV ops_sign(CK_SESSION_HANDLE h, const uint8_t *data, CK_ULONG n, int single, CK_BYTE_PTR sig,
	       CK_ULONG_PTR siglen) IOT_MUST_CHECK;
CK_RV ops_verify(CK_SESSION_HANDLE h, const uint8_t *data, CK_ULONG n, int single,
		 const uint8_t *sig, CK_ULONG siglen) IOT_MUST_CHECK;
CK_RV ops_digest(CK_SESSION_HANDLE h, const uint8_t *data, CK_ULONG n, int single, CK_BYTE_PTR out,
		 CK_ULONG_PTR outlen) IOT_MUST_CHECK;
CK_RV ops_digest_key(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key) IOT_MUST_CHECK;

/* Encryption and decryption (kind OP_ENCRYPT or OP_DECRYPT): the *Init,
 * then each call as single-part, update or final. */
enum ops_call { OPS_ONCE, OPS_UPDATE, OPS_FINAL };
CK_RV ops_begin_cipher(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key,
		       enum op_kind kind) IOT_MUST_CHECK;
CK_RV ops_crypt(CK_SESSION_HANDLE h, enum op_kind kind, enum ops_call call, const uint8_t *in,
		CK_ULONG n, CK_BYTE_PTR out, CK_ULONG_PTR outlen) IOT_MUST_CHECK;

/* C_SessionCancel (PKCS#11 3.0 5.6.5): ends the session's active operations
 * that flags names (CK_MECHANISM_INFO flags; CKF_FIND_OBJECTS for a search).
 * The 3.0 list's *Init with a NULL mechanism is this with one flag. */
#if IOT_WITH_V30
CK_RV ops_cancel(CK_SESSION_HANDLE h, CK_FLAGS flags) IOT_MUST_CHECK;
#endif

#endif
