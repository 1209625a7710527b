/*
 * The 13 entry points that only check their session (and, for some,
 * their arguments, mechanism and key handle) and then refuse, and
 * C_UnwrapKey on its refusal paths (its working paths: verify/wip/,
 * README.md "Not proved"); the 11 functions issue 10 made real besides are
 * proved by their own harnesses (cipher_*, C_GenerateKey, C_WrapKey,
 * C_DeriveKey). The refusals:
 * CKR_FUNCTION_NOT_SUPPORTED, CKR_MECHANISM_INVALID,
 * CKR_OPERATION_NOT_INITIALIZED, CKR_FUNCTION_NOT_PARALLEL, CKR_NO_EVENT.
 * One harness for all of them, one call under proof per path: which
 * function is called is a nondeterministic choice (verify_case_b, a
 * partition key), made after the setup, so every function starts from the
 * same state: an R/W session on slot 1 with an EC private key and a data
 * object (the key with a signature active, verify_case_g), and every stub
 * may fail from then on. Arguments:
 *   hSession     verify_session_handle;
 *   pMechanism   verify_mechanism over CKM_ECDSA, CKM_SHA256, CKM_AES_CBC,
 *                CKM_RSA_PKCS, CKM_EC_KEY_PAIR_GEN (or NULL);
 *   key handles  the key, the data object or invalid (verify_object_handle;
 *                the second handle of C_SetOperationState and C_WrapKey, never
 *                read, is the data object);
 *   buffers      NULL or a 1-byte buffer, with any length (these functions
 *                must not read or write them: a read beyond the byte is an
 *                alarm); length pointers NULL or a CK_ULONG of any value;
 *   templates    NULL or a 1-entry array, counts 0, 1, 257, ULONG_MAX;
 *   C_WaitForSlotEvent: flags any value, pSlot NULL or a slot id,
 *                pReserved NULL or not.
 */
#include <limits.h>

#include "setup.h"

enum {
	F_GET_OPERATION_STATE,
	F_SET_OPERATION_STATE,
	F_SIGN_RECOVER_INIT,
	F_SIGN_RECOVER,
	F_VERIFY_RECOVER_INIT,
	F_VERIFY_RECOVER,
	F_DIGEST_ENCRYPT_UPDATE,
	F_DECRYPT_DIGEST_UPDATE,
	F_SIGN_ENCRYPT_UPDATE,
	F_DECRYPT_VERIFY_UPDATE,
	F_UNWRAP_KEY,
	F_GET_FUNCTION_STATUS,
	F_CANCEL_FUNCTION,
	F_WAIT_FOR_SLOT_EVENT,
	F_COUNT
};

static CK_BYTE byte[1];
static CK_ULONG ulong_value;
static CK_ATTRIBUTE entry;

static CK_BYTE_PTR buffer(void)
{
	return Frama_C_nondet(0, 1) ? byte : NULL;
}

static CK_ULONG any_len(void)
{
	return Frama_C_unsigned_long_interval(0, ULONG_MAX);
}

static CK_ULONG_PTR len_ptr(void)
{
	ulong_value = any_len();
	return Frama_C_nondet(0, 1) ? &ulong_value : NULL;
}

static CK_ULONG count(void)
{
	static const CK_ULONG counts[] = { 0, 1, 257, ULONG_MAX };

	return counts[Frama_C_interval(0, 3)];
}

static CK_ATTRIBUTE_PTR tmpl(void)
{
	entry.type = CKA_LABEL;
	entry.pValue = byte;
	entry.ulValueLen = 1;
	return Frama_C_nondet(0, 1) ? &entry : NULL;
}

static CK_OBJECT_HANDLE_PTR handle_out(void)
{
	static CK_OBJECT_HANDLE h;

	return Frama_C_nondet(0, 1) ? &h : NULL;
}

/* The mechanism and key choices are drawn only on the paths of the
 * functions that take them (fewer partitions elsewhere). */
static CK_MECHANISM mech_value;
static CK_OBJECT_HANDLE objs[2];

static CK_MECHANISM_PTR mech(void)
{
	static const CK_MECHANISM_TYPE types[] = { CKM_ECDSA, CKM_SHA256, CKM_AES_CBC, CKM_RSA_PKCS,
						   CKM_EC_KEY_PAIR_GEN };

	return verify_mechanism(&verify_case_c, &mech_value, types, 5);
}

static CK_OBJECT_HANDLE key(void)
{
	return verify_object_handle(&verify_case_d, objs, 2);
}

int main(void)
{
	static CK_MECHANISM sign = { CKM_ECDSA, NULL, 0 };
	CK_SESSION_HANDLE s, h;
	CK_SLOT_ID slot;
	CK_RV rv;

	s = verify_open_session();
	objs[0] = verify_ec_private_key(s);
	objs[1] = verify_data_object(s, 0);
	verify_case_g = Frama_C_interval(0, 1);
	if (verify_case_g) {
		rv = C_SignInit(s, &sign, objs[0]);
		//@ assert setup_sign: rv == CKR_OK;
	}
	verify_setup = 0;

	h = verify_session_handle(s);
	verify_case_b = Frama_C_interval(0, F_COUNT - 1);
	switch (verify_case_b) {
	case F_GET_OPERATION_STATE:
		rv = C_GetOperationState(h, buffer(), len_ptr());
		break;
	case F_SET_OPERATION_STATE:
		rv = C_SetOperationState(h, buffer(), any_len(), key(), objs[1]);
		break;
	case F_SIGN_RECOVER_INIT:
		rv = C_SignRecoverInit(h, mech(), key());
		break;
	case F_SIGN_RECOVER:
		rv = C_SignRecover(h, buffer(), any_len(), buffer(), len_ptr());
		break;
	case F_VERIFY_RECOVER_INIT:
		rv = C_VerifyRecoverInit(h, mech(), key());
		break;
	case F_VERIFY_RECOVER:
		rv = C_VerifyRecover(h, buffer(), any_len(), buffer(), len_ptr());
		break;
	case F_DIGEST_ENCRYPT_UPDATE:
		rv = C_DigestEncryptUpdate(h, buffer(), any_len(), buffer(), len_ptr());
		break;
	case F_DECRYPT_DIGEST_UPDATE:
		rv = C_DecryptDigestUpdate(h, buffer(), any_len(), buffer(), len_ptr());
		break;
	case F_SIGN_ENCRYPT_UPDATE:
		rv = C_SignEncryptUpdate(h, buffer(), any_len(), buffer(), len_ptr());
		break;
	case F_DECRYPT_VERIFY_UPDATE:
		rv = C_DecryptVerifyUpdate(h, buffer(), any_len(), buffer(), len_ptr());
		break;
	case F_UNWRAP_KEY:
		rv = C_UnwrapKey(h, mech(), key(), buffer(), any_len(), tmpl(), count(),
				 handle_out());
		break;
	case F_GET_FUNCTION_STATUS:
		rv = C_GetFunctionStatus(h);
		break;
	case F_CANCEL_FUNCTION:
		rv = C_CancelFunction(h);
		break;
	default:
		rv = C_WaitForSlotEvent(any_len(), Frama_C_nondet(0, 1) ? &slot : NULL,
					Frama_C_nondet(0, 1) ? (CK_VOID_PTR)byte : NULL);
		break;
	}
	verify_done(rv);
	return 0;
}
