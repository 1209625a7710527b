/*
 * The PKCS#11 3.0 interface (3.0 base specification, sections 3.6, 5.4.5,
 * 5.4.6, 5.6.5, 5.6.9, 5.9, 5.11, 5.14, 5.16), through the public interface
 * only: the CK_FUNCTION_LIST_3_0 that C_GetInterface gives, calls made
 * through it, C_LoginUser, C_SessionCancel, the *Init functions' NULL
 * mechanism in the 3.0 list, and the message-based functions, which no
 * mechanism offers, in every state. The interface list itself is in
 * test_general.c.
 */
#include <dlfcn.h>
#include <stddef.h>

#include "harness.h"
#include "keys.h"
#include "mechs.h"

typedef CK_RV (*get_interface_fn)(CK_UTF8CHAR_PTR, CK_VERSION_PTR, CK_INTERFACE_PTR_PTR, CK_FLAGS);

/* The 3.0 list, as a client gets it (works before C_Initialize). */
static CK_FUNCTION_LIST_3_0_PTR list_3_0(void)
{
	get_interface_fn fn;
	CK_INTERFACE_PTR in = NULL;
	CK_VERSION v = { 3, 0 };

	*(void **)&fn = dlsym(h_module, "C_GetInterface");
	if (fn == NULL)
		fail_msg("C_GetInterface is not exported");
	assert_ok(fn((CK_UTF8CHAR_PTR) "PKCS 11", &v, &in, 0));
	return in->pFunctionList;
}

/* The entries of CK_FUNCTION_LIST_3_0; `shared` marks those that are the
 * v2.40 list's own function, the others differ because 3.0 changed them
 * (C_GetInfo's version, the *Init functions' NULL mechanism) or are new. */
#define V2(name, shared)                                               \
	{                                                              \
#name, offsetof(CK_FUNCTION_LIST_3_0, name), shared, 1 \
	}
#define V3(name)                                                  \
	{                                                         \
#name, offsetof(CK_FUNCTION_LIST_3_0, name), 0, 0 \
	}
static const struct {
	const char *name;
	size_t offset;
	int shared; /* the same pointer as in the v2.40 list */
	int v2;     /* an entry of the v2.40 list too */
} entries[] = {
	V2(C_Initialize, 1),
	V2(C_Finalize, 1),
	V2(C_GetInfo, 0),
	V2(C_GetFunctionList, 1),
	V2(C_GetSlotList, 1),
	V2(C_GetSlotInfo, 1),
	V2(C_GetTokenInfo, 1),
	V2(C_GetMechanismList, 1),
	V2(C_GetMechanismInfo, 1),
	V2(C_InitToken, 1),
	V2(C_InitPIN, 1),
	V2(C_SetPIN, 1),
	V2(C_OpenSession, 1),
	V2(C_CloseSession, 1),
	V2(C_CloseAllSessions, 1),
	V2(C_GetSessionInfo, 1),
	V2(C_GetOperationState, 1),
	V2(C_SetOperationState, 1),
	V2(C_Login, 1),
	V2(C_Logout, 1),
	V2(C_CreateObject, 1),
	V2(C_CopyObject, 1),
	V2(C_DestroyObject, 1),
	V2(C_GetObjectSize, 1),
	V2(C_GetAttributeValue, 1),
	V2(C_SetAttributeValue, 1),
	V2(C_FindObjectsInit, 1),
	V2(C_FindObjects, 1),
	V2(C_FindObjectsFinal, 1),
	V2(C_EncryptInit, 0),
	V2(C_Encrypt, 1),
	V2(C_EncryptUpdate, 1),
	V2(C_EncryptFinal, 1),
	V2(C_DecryptInit, 0),
	V2(C_Decrypt, 1),
	V2(C_DecryptUpdate, 1),
	V2(C_DecryptFinal, 1),
	V2(C_DigestInit, 0),
	V2(C_Digest, 1),
	V2(C_DigestUpdate, 1),
	V2(C_DigestKey, 1),
	V2(C_DigestFinal, 1),
	V2(C_SignInit, 0),
	V2(C_Sign, 1),
	V2(C_SignUpdate, 1),
	V2(C_SignFinal, 1),
	V2(C_SignRecoverInit, 0),
	V2(C_SignRecover, 1),
	V2(C_VerifyInit, 0),
	V2(C_Verify, 1),
	V2(C_VerifyUpdate, 1),
	V2(C_VerifyFinal, 1),
	V2(C_VerifyRecoverInit, 0),
	V2(C_VerifyRecover, 1),
	V2(C_DigestEncryptUpdate, 1),
	V2(C_DecryptDigestUpdate, 1),
	V2(C_SignEncryptUpdate, 1),
	V2(C_DecryptVerifyUpdate, 1),
	V2(C_GenerateKey, 1),
	V2(C_GenerateKeyPair, 1),
	V2(C_WrapKey, 1),
	V2(C_UnwrapKey, 1),
	V2(C_DeriveKey, 1),
	V2(C_SeedRandom, 1),
	V2(C_GenerateRandom, 1),
	V2(C_GetFunctionStatus, 1),
	V2(C_CancelFunction, 1),
	V2(C_WaitForSlotEvent, 1),
	V3(C_GetInterfaceList),
	V3(C_GetInterface),
	V3(C_LoginUser),
	V3(C_SessionCancel),
	V3(C_MessageEncryptInit),
	V3(C_EncryptMessage),
	V3(C_EncryptMessageBegin),
	V3(C_EncryptMessageNext),
	V3(C_MessageEncryptFinal),
	V3(C_MessageDecryptInit),
	V3(C_DecryptMessage),
	V3(C_DecryptMessageBegin),
	V3(C_DecryptMessageNext),
	V3(C_MessageDecryptFinal),
	V3(C_MessageSignInit),
	V3(C_SignMessage),
	V3(C_SignMessageBegin),
	V3(C_SignMessageNext),
	V3(C_MessageSignFinal),
	V3(C_MessageVerifyInit),
	V3(C_VerifyMessage),
	V3(C_VerifyMessageBegin),
	V3(C_VerifyMessageNext),
	V3(C_MessageVerifyFinal),
};
#undef V2
#undef V3

#define N_ENTRIES (sizeof(entries) / sizeof(entries[0]))

static void (*entry_of(const void *list, size_t offset))(void)
{
	void (*fn)(void);

	memcpy(&fn, (const char *)list + offset, sizeof(fn));
	return fn;
}

static void test_list_entries(void **state)
{
	CK_FUNCTION_LIST_3_0_PTR f = list_3_0();
	size_t i, v2 = 0;

	(void)state;
	assert_int_equal(f->version.major, 3);
	assert_int_equal(f->version.minor, 0);
	/* The version and 92 pointers, in the order of 3.0 section 3.6: the
	 * v2.40 list's 68 first, at the same offsets. */
	assert_int_equal(N_ENTRIES, 92);
	assert_int_equal(sizeof(CK_FUNCTION_LIST_3_0),
			 offsetof(CK_FUNCTION_LIST_3_0, C_MessageVerifyFinal) +
				 sizeof(void (*)(void)));
	assert_int_equal(offsetof(CK_FUNCTION_LIST_3_0, C_WaitForSlotEvent),
			 offsetof(CK_FUNCTION_LIST, C_WaitForSlotEvent));
	for (i = 0; i < N_ENTRIES; i++) {
		void (*fn)(void) = entry_of(f, entries[i].offset);
		void (*sym)(void);

		if (fn == NULL)
			fail_msg("%s is NULL in the 3.0 list", entries[i].name);
		if (i > 0)
			assert_true(entries[i].offset > entries[i - 1].offset);
		if (entries[i].v2) {
			v2++;
			if (entries[i].shared)
				assert_true(fn == entry_of(p11, entries[i].offset));
			else if (fn == entry_of(p11, entries[i].offset))
				fail_msg("%s of the 3.0 list is the v2.40 one", entries[i].name);
		} else {
			/* A new function: the exported symbol itself. */
			*(void **)&sym = dlsym(h_module, entries[i].name);
			if (sym == NULL || sym != fn)
				fail_msg("%s: list entry and exported symbol differ",
					 entries[i].name);
		}
	}
	assert_int_equal(v2, 68);
	/* The list's C_GetFunctionList gives the v2.40 list. */
	{
		CK_FUNCTION_LIST_PTR l = NULL;

		assert_ok(f->C_GetFunctionList(&l));
		assert_ptr_equal(l, p11);
	}
}

/* 3.0 section 3.6: the 3.0 list's version "should match the value of
 * cryptokiVersion returned in the CK_INFO structure"; the v2.40 list and
 * the exported symbol report 2.40. */
static void test_get_info_versions(void **state)
{
	CK_FUNCTION_LIST_3_0_PTR f = list_3_0();
	CK_C_GetInfo exported;
	CK_INFO a, b;

	(void)state;
	*(void **)&exported = dlsym(h_module, "C_GetInfo");
	assert_non_null(exported);
	assert_rv(f->C_GetInfo(&a), CKR_CRYPTOKI_NOT_INITIALIZED);
	h_initialize();
	memset(&a, 0xA5, sizeof(a));
	assert_ok(f->C_GetInfo(&a));
	assert_int_equal(a.cryptokiVersion.major, 3);
	assert_int_equal(a.cryptokiVersion.minor, 0);
	assert_ok(p11->C_GetInfo(&b));
	assert_int_equal(b.cryptokiVersion.major, 2);
	assert_int_equal(b.cryptokiVersion.minor, 40);
	/* All else the same. */
	b.cryptokiVersion = a.cryptokiVersion;
	assert_memory_equal(&a, &b, sizeof(a));
	memset(&b, 0, sizeof(b));
	assert_ok(exported(&b));
	assert_int_equal(b.cryptokiVersion.major, 2);
	assert_int_equal(b.cryptokiVersion.minor, 40);
	assert_rv(f->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
}

static CK_SESSION_HANDLE s;
static CK_OBJECT_HANDLE pub, priv;
static const unsigned char msg[] = "message signed through the PKCS#11 3.0 function list";

static int setup_keys(void **state)
{
	h_setup_token(state);
	s = h_open(h_slot, 1);
	h_login(s, CKU_USER);
	h_gen_ec(s, &h_curves[0], CK_FALSE, &pub, &priv);
	return 0;
}

/* A whole session life through the 3.0 list: sign there, verify through
 * the v2.40 list, and the other way round. */
static void test_calls_through_list(void **state)
{
	CK_FUNCTION_LIST_3_0_PTR f = list_3_0();
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_SESSION_HANDLE s3;
	CK_SESSION_INFO si;
	unsigned char sig[128];
	CK_ULONG n;

	(void)state;
	assert_ok(f->C_OpenSession(h_slot, CKF_SERIAL_SESSION, NULL, NULL, &s3));
	assert_ok(f->C_GetSessionInfo(s3, &si));
	/* The user logged in through s (one login per application). */
	assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
	assert_ok(f->C_SignInit(s3, &m, priv));
	n = 0;
	assert_ok(f->C_Sign(s3, (CK_BYTE_PTR)msg, sizeof(msg), NULL, &n));
	assert_int_equal(n, 64);
	n = sizeof(sig);
	assert_ok(f->C_Sign(s3, (CK_BYTE_PTR)msg, sizeof(msg), sig, &n));
	assert_int_equal(n, 64);
	assert_ok(h_verify_rv(s, &m, pub, msg, sizeof(msg), sig, n));
	/* Multi-part through the 3.0 list, verified there. */
	assert_ok(f->C_SignInit(s3, &m, priv));
	assert_ok(f->C_SignUpdate(s3, (CK_BYTE_PTR)msg, 10));
	assert_ok(f->C_SignUpdate(s3, (CK_BYTE_PTR)msg + 10, sizeof(msg) - 10));
	n = sizeof(sig);
	assert_ok(f->C_SignFinal(s3, sig, &n));
	assert_ok(f->C_VerifyInit(s3, &m, pub));
	assert_ok(f->C_Verify(s3, (CK_BYTE_PTR)msg, sizeof(msg), sig, n));
	sig[5] ^= 1;
	assert_ok(f->C_VerifyInit(s3, &m, pub));
	assert_rv(f->C_Verify(s3, (CK_BYTE_PTR)msg, sizeof(msg), sig, n), CKR_SIGNATURE_INVALID);
	assert_ok(f->C_CloseSession(s3));
	assert_ok(f->C_Logout(s));
	assert_ok(f->C_Finalize(NULL));
	assert_rv(f->C_GetSessionInfo(s, &si), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_ok(f->C_Initialize(NULL));
}

/* --- C_LoginUser (5.6.9) ------------------------------------------------ */

static CK_RV login_user(CK_SESSION_HANDLE h, CK_USER_TYPE who, const char *pin, const char *name,
			CK_ULONG namelen)
{
	CK_FUNCTION_LIST_3_0_PTR f = list_3_0();

	return f->C_LoginUser(h, who, (CK_UTF8CHAR_PTR)pin, pin != NULL ? strlen(pin) : 0,
			      (CK_UTF8CHAR_PTR)name, namelen);
}

static void test_login_user(void **state)
{
	CK_SESSION_HANDLE rw = h_open(h_slot, 1), ro;
	int i;

	(void)state;
	/* No user name (NULL, or empty): the token's user, as C_Login. */
	assert_ok(login_user(rw, CKU_USER, H_USER_PIN, NULL, 0));
	assert_int_equal(h_state(rw), CKS_RW_USER_FUNCTIONS);
	assert_rv(login_user(rw, CKU_USER, H_USER_PIN, NULL, 0), CKR_USER_ALREADY_LOGGED_IN);
	assert_rv(login_user(rw, CKU_SO, H_SO_PIN, NULL, 0), CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
	assert_ok(p11->C_Logout(rw));
	assert_ok(login_user(rw, CKU_USER, H_USER_PIN, "", 0));
	assert_int_equal(h_state(rw), CKS_RW_USER_FUNCTIONS);
	assert_ok(p11->C_Logout(rw));
	/* The SO, and the SO refused while a read-only session exists. */
	assert_ok(login_user(rw, CKU_SO, H_SO_PIN, NULL, 0));
	assert_int_equal(h_state(rw), CKS_RW_SO_FUNCTIONS);
	assert_ok(p11->C_Logout(rw));
	ro = h_open(h_slot, 0);
	assert_rv(login_user(rw, CKU_SO, H_SO_PIN, NULL, 0), CKR_SESSION_READ_ONLY_EXISTS);
	assert_ok(p11->C_CloseSession(ro));
	/* A wrong PIN counts as with C_Login. */
	assert_rv(login_user(rw, CKU_USER, "9999", NULL, 0), CKR_PIN_INCORRECT);
	assert_flag_set(h_token_flags(h_slot), CKF_USER_PIN_COUNT_LOW);
	assert_ok(login_user(rw, CKU_USER, H_USER_PIN, NULL, 0));
	assert_flag_clear(h_token_flags(h_slot), CKF_USER_PIN_COUNT_LOW);
	assert_ok(p11->C_Logout(rw));
	/* A user name names nobody: refused before the PIN is tried, so
	 * neither a right nor a wrong PIN logs in or costs an attempt, more
	 * times than the lockout allows. */
	for (i = 0; i < 12; i++) {
		assert_rv(login_user(rw, CKU_USER, H_USER_PIN, "alice", 5), CKR_ARGUMENTS_BAD);
		assert_rv(login_user(rw, CKU_USER, "9999", "alice", 5), CKR_ARGUMENTS_BAD);
		assert_rv(login_user(rw, CKU_SO, H_SO_PIN, "admin", 5), CKR_ARGUMENTS_BAD);
	}
	assert_int_equal(h_state(rw), CKS_RW_PUBLIC_SESSION);
	assert_flag_clear(h_token_flags(h_slot), CKF_USER_PIN_COUNT_LOW);
	assert_flag_clear(h_token_flags(h_slot), CKF_SO_PIN_COUNT_LOW);
	/* A length without a name, and a name with its terminator counted. */
	assert_rv(login_user(rw, CKU_USER, H_USER_PIN, NULL, 4), CKR_ARGUMENTS_BAD);
	assert_rv(login_user(rw, CKU_USER, H_USER_PIN, "", 1), CKR_ARGUMENTS_BAD);
	/* The rest of C_Login's checks. */
	assert_rv(login_user(rw, CKU_USER, NULL, NULL, 0), CKR_ARGUMENTS_BAD);
	assert_rv(login_user(rw, CKU_CONTEXT_SPECIFIC, H_USER_PIN, NULL, 0),
		  CKR_OPERATION_NOT_INITIALIZED);
	assert_rv(login_user(rw, 7, H_USER_PIN, NULL, 0), CKR_USER_TYPE_INVALID);
	assert_rv(login_user(0, CKU_USER, H_USER_PIN, NULL, 0), CKR_SESSION_HANDLE_INVALID);
	assert_rv(login_user(rw + 1000, CKU_USER, H_USER_PIN, NULL, 0), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(h_state(rw), CKS_RW_PUBLIC_SESSION);
	/* And it still logs in. */
	assert_ok(login_user(rw, CKU_USER, H_USER_PIN, NULL, 0));
	assert_ok(p11->C_CloseSession(rw));
	assert_rv(login_user(rw, CKU_USER, H_USER_PIN, NULL, 0), CKR_SESSION_HANDLE_INVALID);
	h_finalize();
	assert_rv(login_user(rw, CKU_USER, H_USER_PIN, NULL, 0), CKR_CRYPTOKI_NOT_INITIALIZED);
}

/* --- C_SessionCancel (5.6.5) -------------------------------------------- */

static CK_RV cancel(CK_SESSION_HANDLE h, CK_FLAGS flags)
{
	return list_3_0()->C_SessionCancel(h, flags);
}

static void sign_init(CK_SESSION_HANDLE h)
{
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };

	assert_ok(p11->C_SignInit(h, &m, priv));
}

static void verify_init(CK_SESSION_HANDLE h)
{
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };

	assert_ok(p11->C_VerifyInit(h, &m, pub));
}

static void digest_init(CK_SESSION_HANDLE h)
{
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };

	assert_ok(p11->C_DigestInit(h, &m));
}

static void find_init(CK_SESSION_HANDLE h)
{
	assert_ok(p11->C_FindObjectsInit(h, NULL, 0));
}

static void assert_sign_active(CK_SESSION_HANDLE h, int active)
{
	unsigned char sig[128];
	CK_ULONG n = sizeof(sig);

	if (active) {
		assert_ok(p11->C_Sign(h, (CK_BYTE_PTR)msg, sizeof(msg), sig, &n));
	} else {
		assert_rv(p11->C_Sign(h, (CK_BYTE_PTR)msg, sizeof(msg), sig, &n),
			  CKR_OPERATION_NOT_INITIALIZED);
		assert_rv(p11->C_SignUpdate(h, (CK_BYTE_PTR)msg, 4), CKR_OPERATION_NOT_INITIALIZED);
		assert_rv(p11->C_SignFinal(h, sig, &n), CKR_OPERATION_NOT_INITIALIZED);
	}
}

static void assert_verify_active(CK_SESSION_HANDLE h, int active)
{
	unsigned char sig[64] = { 0 };

	if (active) {
		assert_rv(p11->C_Verify(h, (CK_BYTE_PTR)msg, sizeof(msg), sig, sizeof(sig)),
			  CKR_SIGNATURE_INVALID);
	} else {
		assert_rv(p11->C_Verify(h, (CK_BYTE_PTR)msg, sizeof(msg), sig, sizeof(sig)),
			  CKR_OPERATION_NOT_INITIALIZED);
		assert_rv(p11->C_VerifyFinal(h, sig, sizeof(sig)), CKR_OPERATION_NOT_INITIALIZED);
	}
}

/* SHA-256("abc"), FIPS 180-2 B.1. */
static const unsigned char sha256_abc[32] = {
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
	0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
	0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

static void assert_digest_active(CK_SESSION_HANDLE h, int active)
{
	unsigned char md[32];
	CK_ULONG n = sizeof(md);

	if (active) {
		assert_ok(p11->C_Digest(h, (CK_BYTE_PTR) "abc", 3, md, &n));
		assert_memory_equal(md, sha256_abc, 32);
	} else {
		assert_rv(p11->C_Digest(h, (CK_BYTE_PTR) "abc", 3, md, &n),
			  CKR_OPERATION_NOT_INITIALIZED);
		assert_rv(p11->C_DigestUpdate(h, (CK_BYTE_PTR) "abc", 3),
			  CKR_OPERATION_NOT_INITIALIZED);
		assert_rv(p11->C_DigestFinal(h, md, &n), CKR_OPERATION_NOT_INITIALIZED);
	}
}

static void assert_find_active(CK_SESSION_HANDLE h, int active)
{
	CK_OBJECT_HANDLE found[8];
	CK_ULONG n;

	if (active) {
		assert_ok(p11->C_FindObjects(h, found, 8, &n));
		assert_ok(p11->C_FindObjectsFinal(h));
	} else {
		assert_rv(p11->C_FindObjects(h, found, 8, &n), CKR_OPERATION_NOT_INITIALIZED);
		assert_rv(p11->C_FindObjectsFinal(h), CKR_OPERATION_NOT_INITIALIZED);
	}
}

static void test_cancel_each(void **state)
{
	(void)state;
	/* A single-part signature; then the next one starts afresh. */
	sign_init(s);
	assert_ok(cancel(s, CKF_SIGN));
	assert_sign_active(s, 0);
	sign_init(s);
	assert_sign_active(s, 1);
	/* A multi-part signature with data in it. */
	sign_init(s);
	assert_ok(p11->C_SignUpdate(s, (CK_BYTE_PTR)msg, 10));
	assert_ok(cancel(s, CKF_SIGN));
	assert_sign_active(s, 0);
	/* A multi-part digest: the next one does not see the cancelled data. */
	digest_init(s);
	assert_ok(p11->C_DigestUpdate(s, (CK_BYTE_PTR) "xyz", 3));
	assert_ok(cancel(s, CKF_DIGEST));
	assert_digest_active(s, 0);
	digest_init(s);
	assert_digest_active(s, 1);
	/* A verification. */
	verify_init(s);
	assert_ok(p11->C_VerifyUpdate(s, (CK_BYTE_PTR)msg, 10));
	assert_ok(cancel(s, CKF_VERIFY));
	assert_verify_active(s, 0);
	verify_init(s);
	assert_verify_active(s, 1);
	/* An object search, before and after it returned something. */
	find_init(s);
	assert_ok(cancel(s, CKF_FIND_OBJECTS));
	assert_find_active(s, 0);
	find_init(s);
	{
		CK_OBJECT_HANDLE one;
		CK_ULONG n;

		assert_ok(p11->C_FindObjects(s, &one, 1, &n));
		assert_int_equal(n, 1);
	}
	assert_ok(cancel(s, CKF_FIND_OBJECTS));
	assert_find_active(s, 0);
	find_init(s);
	assert_find_active(s, 1);
}

/* Only the named operations end; flags of operations not active are
 * ignored (5.6.5), and so are 0 and the flags of operations iotoken never
 * has. */
static void test_cancel_selective(void **state)
{
	CK_SESSION_HANDLE other = h_open(h_slot, 0);

	(void)state;
	sign_init(s);
	verify_init(s);
	digest_init(s);
	find_init(s);
	sign_init(other);
	assert_ok(cancel(s, 0));
	assert_ok(cancel(s, CKF_ENCRYPT | CKF_DECRYPT | CKF_SIGN_RECOVER | CKF_VERIFY_RECOVER));
	assert_ok(cancel(s, CKF_MESSAGE_ENCRYPT | CKF_MESSAGE_DECRYPT | CKF_MESSAGE_SIGN |
				    CKF_MESSAGE_VERIFY | CKF_MULTI_MESSAGE));
	assert_ok(cancel(s, CKF_HW | CKF_GENERATE | CKF_GENERATE_KEY_PAIR | CKF_WRAP | CKF_UNWRAP |
				    CKF_DERIVE));
	assert_ok(cancel(s, CKF_DIGEST));
	assert_digest_active(s, 0);
	/* The others go on, in this session and in the other. */
	assert_find_active(s, 1);
	assert_verify_active(s, 1);
	assert_sign_active(s, 1);
	assert_sign_active(other, 1);
	/* Several at once; a second cancel of the same is no error. */
	sign_init(s);
	verify_init(s);
	digest_init(s);
	find_init(s);
	sign_init(other);
	assert_ok(cancel(s, CKF_SIGN | CKF_VERIFY | CKF_DIGEST | CKF_FIND_OBJECTS));
	assert_ok(cancel(s, CKF_SIGN | CKF_VERIFY | CKF_DIGEST | CKF_FIND_OBJECTS));
	assert_sign_active(s, 0);
	assert_verify_active(s, 0);
	assert_digest_active(s, 0);
	assert_find_active(s, 0);
	assert_sign_active(other, 1);
	assert_ok(p11->C_CloseSession(other));
}

static void test_cancel_errors(void **state)
{
	static const CK_FLAGS bad[] = { CKF_EXTENSION, 0x80, 0x00100000, 0x40000000,
					CKF_SIGN | 0x80 };
	size_t i;

	(void)state;
	/* Bits that are no CK_MECHANISM_INFO flag: refused, and nothing ends. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sign_init(s);
		assert_rv(cancel(s, bad[i]), CKR_ARGUMENTS_BAD);
		assert_sign_active(s, 1);
	}
	/* Session checks first. */
	assert_rv(cancel(0, CKF_SIGN), CKR_SESSION_HANDLE_INVALID);
	assert_rv(cancel(s + 1000, CKF_SIGN), CKR_SESSION_HANDLE_INVALID);
	assert_rv(cancel(0, CKF_EXTENSION), CKR_SESSION_HANDLE_INVALID);
	{
		CK_SESSION_HANDLE gone = h_open(h_slot, 0);

		assert_ok(p11->C_CloseSession(gone));
		assert_rv(cancel(gone, CKF_SIGN), CKR_SESSION_HANDLE_INVALID);
	}
	h_finalize();
	assert_rv(cancel(s, CKF_SIGN), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_rv(cancel(s, 0), CKR_CRYPTOKI_NOT_INITIALIZED);
}

/* 3.0: "C_SignInit can be called with pMechanism set to NULL_PTR to
 * terminate an active signature operation", and the same for the other
 * *Init functions; in the 3.0 list only; the v2.40 list keeps
 * CKR_ARGUMENTS_BAD. */
static void test_init_null_mechanism(void **state)
{
	CK_FUNCTION_LIST_3_0_PTR f = list_3_0();

	(void)state;
	sign_init(s);
	assert_rv(p11->C_SignInit(s, NULL, priv), CKR_ARGUMENTS_BAD);
	assert_sign_active(s, 1);
	sign_init(s);
	assert_ok(f->C_SignInit(s, NULL, priv));
	assert_sign_active(s, 0);
	assert_ok(f->C_SignInit(s, NULL, 0));

	verify_init(s);
	assert_rv(p11->C_VerifyInit(s, NULL, pub), CKR_ARGUMENTS_BAD);
	assert_verify_active(s, 1);
	verify_init(s);
	assert_ok(f->C_VerifyInit(s, NULL, 0));
	assert_verify_active(s, 0);

	digest_init(s);
	assert_rv(p11->C_DigestInit(s, NULL), CKR_ARGUMENTS_BAD);
	assert_digest_active(s, 1);
	digest_init(s);
	assert_ok(f->C_DigestInit(s, NULL));
	assert_digest_active(s, 0);

	/* Only the named operation ends. */
	sign_init(s);
	digest_init(s);
	assert_ok(f->C_VerifyInit(s, NULL, 0));
	assert_ok(f->C_DigestInit(s, NULL));
	assert_sign_active(s, 1);

	/* Operations that are never active: nothing to end. */
	assert_ok(f->C_EncryptInit(s, NULL, 0));
	assert_ok(f->C_DecryptInit(s, NULL, 0));
	assert_ok(f->C_SignRecoverInit(s, NULL, 0));
	assert_ok(f->C_VerifyRecoverInit(s, NULL, 0));
	assert_rv(p11->C_EncryptInit(s, NULL, priv), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_SignRecoverInit(s, NULL, priv), CKR_ARGUMENTS_BAD);

	/* With a mechanism the 3.0 entries are the v2.40 functions. */
	{
		CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 }, aes = { CKM_AES_CBC, NULL, 0 };

		assert_ok(f->C_SignInit(s, &m, priv));
		assert_rv(f->C_SignInit(s, &m, priv), CKR_OPERATION_ACTIVE);
		assert_ok(f->C_SignInit(s, NULL, 0));
		/* AES-CBC with an EC key: the wrong key type, or on the device
		 * profile (no AES) a mechanism it does not have. */
		assert_rv(f->C_EncryptInit(s, &aes, priv),
			  h_device() ? CKR_MECHANISM_INVALID : CKR_KEY_TYPE_INCONSISTENT);
		assert_rv(f->C_SignRecoverInit(s, &m, 0), CKR_KEY_HANDLE_INVALID);
	}

	/* Session checks first. */
	assert_rv(f->C_SignInit(0, NULL, 0), CKR_SESSION_HANDLE_INVALID);
	assert_rv(f->C_DigestInit(s + 1000, NULL), CKR_SESSION_HANDLE_INVALID);
	assert_rv(f->C_EncryptInit(0, NULL, 0), CKR_SESSION_HANDLE_INVALID);
	h_finalize();
	assert_rv(f->C_VerifyInit(s, NULL, 0), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_rv(f->C_DecryptInit(s, NULL, 0), CKR_CRYPTOKI_NOT_INITIALIZED);
}

/* --- Message-based functions (5.9, 5.11, 5.14, 5.16) --------------------- */

/* Every continuing call (all but the four *Init) on session h. */
static void message_calls(CK_FUNCTION_LIST_3_0_PTR f, CK_SESSION_HANDLE h, CK_RV want)
{
	unsigned char iv[12] = { 0 }, ad[16] = { 0 }, in[32] = { 0 }, out[64];
	CK_ULONG n;

	n = sizeof(out);
	assert_rv(f->C_EncryptMessage(h, iv, sizeof(iv), ad, sizeof(ad), in, sizeof(in), out, &n),
		  want);
	assert_rv(f->C_EncryptMessage(h, NULL, 0, NULL, 0, NULL, 0, NULL, NULL), want);
	assert_rv(f->C_EncryptMessageBegin(h, iv, sizeof(iv), ad, sizeof(ad)), want);
	n = sizeof(out);
	assert_rv(f->C_EncryptMessageNext(h, iv, sizeof(iv), in, sizeof(in), out, &n, 0), want);
	assert_rv(f->C_EncryptMessageNext(h, iv, sizeof(iv), in, sizeof(in), out, &n,
					  CKF_END_OF_MESSAGE),
		  want);
	assert_rv(f->C_MessageEncryptFinal(h), want);

	n = sizeof(out);
	assert_rv(f->C_DecryptMessage(h, iv, sizeof(iv), ad, sizeof(ad), in, sizeof(in), out, &n),
		  want);
	assert_rv(f->C_DecryptMessageBegin(h, iv, sizeof(iv), NULL, 0), want);
	n = sizeof(out);
	assert_rv(f->C_DecryptMessageNext(h, iv, sizeof(iv), in, sizeof(in), out, &n,
					  CKF_END_OF_MESSAGE),
		  want);
	assert_rv(f->C_MessageDecryptFinal(h), want);

	n = sizeof(out);
	assert_rv(f->C_SignMessage(h, NULL, 0, in, sizeof(in), out, &n), want);
	assert_rv(f->C_SignMessage(h, NULL, 0, in, sizeof(in), NULL, &n), want);
	assert_rv(f->C_SignMessageBegin(h, NULL, 0), want);
	assert_rv(f->C_SignMessageNext(h, NULL, 0, in, sizeof(in), NULL, NULL), want);
	n = sizeof(out);
	assert_rv(f->C_SignMessageNext(h, NULL, 0, in, sizeof(in), out, &n), want);
	assert_rv(f->C_MessageSignFinal(h), want);

	assert_rv(f->C_VerifyMessage(h, NULL, 0, in, sizeof(in), out, 64), want);
	assert_rv(f->C_VerifyMessageBegin(h, NULL, 0), want);
	assert_rv(f->C_VerifyMessageNext(h, NULL, 0, in, sizeof(in), NULL, 0), want);
	assert_rv(f->C_VerifyMessageNext(h, NULL, 0, in, sizeof(in), out, 64), want);
	assert_rv(f->C_MessageVerifyFinal(h), want);
}

static void message_inits(CK_FUNCTION_LIST_3_0_PTR f, CK_SESSION_HANDLE h, CK_MECHANISM_PTR m,
			  CK_OBJECT_HANDLE key, CK_RV want)
{
	assert_rv(f->C_MessageEncryptInit(h, m, key), want);
	assert_rv(f->C_MessageDecryptInit(h, m, key), want);
	assert_rv(f->C_MessageSignInit(h, m, key), want);
	assert_rv(f->C_MessageVerifyInit(h, m, key), want);
}

static void test_message_not_initialized(void **state)
{
	CK_FUNCTION_LIST_3_0_PTR f = list_3_0();
	CK_MECHANISM m = { CKM_AES_GCM, NULL, 0 };
	const CK_RV ni = CKR_CRYPTOKI_NOT_INITIALIZED;

	(void)state;
	/* Before C_Initialize: the check comes before any argument is read. */
	message_inits(f, 0x1234, &m, 0x5678, ni);
	message_inits(f, 0x1234, NULL, 0, ni);
	message_calls(f, 0x1234, ni);
	assert_rv(f->C_LoginUser(0x1234, CKU_USER, NULL, 4, NULL, 4), ni);
	assert_rv(f->C_SessionCancel(0x1234, ~(CK_FLAGS)0), ni);
	/* And after C_Finalize. */
	h_initialize();
	h_finalize();
	message_inits(f, 1, &m, 1, ni);
	message_calls(f, 1, ni);
}

static void test_message_bad_session(void **state)
{
	CK_FUNCTION_LIST_3_0_PTR f = list_3_0();
	CK_MECHANISM m = { CKM_AES_GCM, NULL, 0 };
	CK_SESSION_HANDLE gone = h_open(h_slot, 0);

	(void)state;
	assert_ok(p11->C_CloseSession(gone));
	message_inits(f, 0, &m, priv, CKR_SESSION_HANDLE_INVALID);
	message_inits(f, s + 1000, NULL, 0, CKR_SESSION_HANDLE_INVALID);
	message_inits(f, gone, &m, priv, CKR_SESSION_HANDLE_INVALID);
	message_calls(f, 0, CKR_SESSION_HANDLE_INVALID);
	message_calls(f, gone, CKR_SESSION_HANDLE_INVALID);
}

static void test_message_valid_session(void **state)
{
	CK_FUNCTION_LIST_3_0_PTR f = list_3_0();
	CK_MECHANISM gcm = { CKM_AES_GCM, NULL, 0 }, ecdsa = { CKM_ECDSA, NULL, 0 },
		     vendor = { CKM_VENDOR_DEFINED | 0x1234, NULL, 0 };
	CK_SESSION_HANDLE ro = h_open(h_slot, 0);

	(void)state;
	/* No process is ever started: every continuing call says so, before
	 * and after the *Init calls, in R/W and R/O sessions. */
	message_calls(f, s, CKR_OPERATION_NOT_INITIALIZED);
	/* Mechanisms the token has for other functions, and unknown ones:
	 * none is offered for the message-based functions. */
	message_inits(f, s, &ecdsa, priv, CKR_MECHANISM_INVALID);
	message_inits(f, s, &ecdsa, pub, CKR_MECHANISM_INVALID);
	message_inits(f, s, &gcm, priv, CKR_MECHANISM_INVALID);
	message_inits(f, ro, &vendor, pub, CKR_MECHANISM_INVALID);
	/* The key handle is checked before the mechanism. */
	message_inits(f, s, &ecdsa, 0, CKR_KEY_HANDLE_INVALID);
	message_inits(f, s, &gcm, priv + 1000, CKR_KEY_HANDLE_INVALID);
	/* A NULL mechanism ends C_MessageEncryptInit's process (5.9.1), of
	 * which there is none; for the other three it is a bad argument. */
	assert_ok(f->C_MessageEncryptInit(s, NULL, 0));
	assert_ok(f->C_MessageEncryptInit(s, NULL, priv));
	assert_rv(f->C_MessageDecryptInit(s, NULL, priv), CKR_ARGUMENTS_BAD);
	assert_rv(f->C_MessageSignInit(s, NULL, priv), CKR_ARGUMENTS_BAD);
	assert_rv(f->C_MessageVerifyInit(s, NULL, pub), CKR_ARGUMENTS_BAD);
	message_calls(f, s, CKR_OPERATION_NOT_INITIALIZED);
	message_calls(f, ro, CKR_OPERATION_NOT_INITIALIZED);
	/* Nothing of that touched the session's own operations. */
	sign_init(s);
	message_inits(f, s, &ecdsa, priv, CKR_MECHANISM_INVALID);
	message_calls(f, s, CKR_OPERATION_NOT_INITIALIZED);
	assert_sign_active(s, 1);
	/* Logged out, the private key is invisible: an invalid key handle. */
	assert_ok(p11->C_Logout(s));
	message_inits(f, s, &ecdsa, priv, CKR_KEY_HANDLE_INVALID);
	message_inits(f, s, &ecdsa, pub, CKR_MECHANISM_INVALID);
	assert_ok(p11->C_CloseSession(ro));
}

/* No mechanism claims a message-based function (3.0 Table 8 flags). */
static void test_no_message_mechanisms(void **state)
{
	CK_MECHANISM_TYPE mechs[64];
	CK_MECHANISM_INFO info;
	CK_ULONG n = 64, i;

	(void)state;
	assert_ok(p11->C_GetMechanismList(h_slot, mechs, &n));
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		assert_ok(p11->C_GetMechanismInfo(h_slot, mechs[i], &info));
		assert_flag_clear(info.flags, CKF_MESSAGE_ENCRYPT | CKF_MESSAGE_DECRYPT |
						      CKF_MESSAGE_SIGN | CKF_MESSAGE_VERIFY |
						      CKF_MULTI_MESSAGE | CKF_FIND_OBJECTS);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_entries, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_get_info_versions, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_calls_through_list, setup_keys, h_teardown),
		cmocka_unit_test_setup_teardown(test_login_user, h_setup_token, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_each, setup_keys, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_selective, setup_keys, h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_errors, setup_keys, h_teardown),
		cmocka_unit_test_setup_teardown(test_init_null_mechanism, setup_keys, h_teardown),
		cmocka_unit_test_setup_teardown(test_message_not_initialized, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_message_bad_session, setup_keys, h_teardown),
		cmocka_unit_test_setup_teardown(test_message_valid_session, setup_keys, h_teardown),
		cmocka_unit_test_setup_teardown(test_no_message_mechanisms, h_setup_token,
						h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
