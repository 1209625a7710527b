/*
 * General-purpose functions (PKCS#11 v2.40 section 5.4): C_Initialize,
 * C_Finalize, C_GetInfo, C_GetFunctionList, plus the PKCS#11 3.0 interface
 * discovery (C_GetInterfaceList, C_GetInterface: "PKCS 11" 3.0 and 2.40) and
 * every function before C_Initialize. fork() is in test_fork.c; the 3.0
 * function list and the functions 3.0 adds are in test_v30.c.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "harness.h"

/* The 68 entries of CK_FUNCTION_LIST after its version. */
#define ENTRY(name) #name, offsetof(CK_FUNCTION_LIST, name)
static const struct {
	const char *name;
	size_t offset;
} entries[] = {
	{ ENTRY(C_Initialize) },
	{ ENTRY(C_Finalize) },
	{ ENTRY(C_GetInfo) },
	{ ENTRY(C_GetFunctionList) },
	{ ENTRY(C_GetSlotList) },
	{ ENTRY(C_GetSlotInfo) },
	{ ENTRY(C_GetTokenInfo) },
	{ ENTRY(C_GetMechanismList) },
	{ ENTRY(C_GetMechanismInfo) },
	{ ENTRY(C_InitToken) },
	{ ENTRY(C_InitPIN) },
	{ ENTRY(C_SetPIN) },
	{ ENTRY(C_OpenSession) },
	{ ENTRY(C_CloseSession) },
	{ ENTRY(C_CloseAllSessions) },
	{ ENTRY(C_GetSessionInfo) },
	{ ENTRY(C_GetOperationState) },
	{ ENTRY(C_SetOperationState) },
	{ ENTRY(C_Login) },
	{ ENTRY(C_Logout) },
	{ ENTRY(C_CreateObject) },
	{ ENTRY(C_CopyObject) },
	{ ENTRY(C_DestroyObject) },
	{ ENTRY(C_GetObjectSize) },
	{ ENTRY(C_GetAttributeValue) },
	{ ENTRY(C_SetAttributeValue) },
	{ ENTRY(C_FindObjectsInit) },
	{ ENTRY(C_FindObjects) },
	{ ENTRY(C_FindObjectsFinal) },
	{ ENTRY(C_EncryptInit) },
	{ ENTRY(C_Encrypt) },
	{ ENTRY(C_EncryptUpdate) },
	{ ENTRY(C_EncryptFinal) },
	{ ENTRY(C_DecryptInit) },
	{ ENTRY(C_Decrypt) },
	{ ENTRY(C_DecryptUpdate) },
	{ ENTRY(C_DecryptFinal) },
	{ ENTRY(C_DigestInit) },
	{ ENTRY(C_Digest) },
	{ ENTRY(C_DigestUpdate) },
	{ ENTRY(C_DigestKey) },
	{ ENTRY(C_DigestFinal) },
	{ ENTRY(C_SignInit) },
	{ ENTRY(C_Sign) },
	{ ENTRY(C_SignUpdate) },
	{ ENTRY(C_SignFinal) },
	{ ENTRY(C_SignRecoverInit) },
	{ ENTRY(C_SignRecover) },
	{ ENTRY(C_VerifyInit) },
	{ ENTRY(C_Verify) },
	{ ENTRY(C_VerifyUpdate) },
	{ ENTRY(C_VerifyFinal) },
	{ ENTRY(C_VerifyRecoverInit) },
	{ ENTRY(C_VerifyRecover) },
	{ ENTRY(C_DigestEncryptUpdate) },
	{ ENTRY(C_DecryptDigestUpdate) },
	{ ENTRY(C_SignEncryptUpdate) },
	{ ENTRY(C_DecryptVerifyUpdate) },
	{ ENTRY(C_GenerateKey) },
	{ ENTRY(C_GenerateKeyPair) },
	{ ENTRY(C_WrapKey) },
	{ ENTRY(C_UnwrapKey) },
	{ ENTRY(C_DeriveKey) },
	{ ENTRY(C_SeedRandom) },
	{ ENTRY(C_GenerateRandom) },
	{ ENTRY(C_GetFunctionStatus) },
	{ ENTRY(C_CancelFunction) },
	{ ENTRY(C_WaitForSlotEvent) },
};
#undef ENTRY

typedef CK_RV (*get_interface_list_fn)(CK_INTERFACE_PTR, CK_ULONG_PTR);
typedef CK_RV (*get_interface_fn)(CK_UTF8CHAR_PTR, CK_VERSION_PTR, CK_INTERFACE_PTR_PTR, CK_FLAGS);

static get_interface_list_fn get_interface_list(void)
{
	get_interface_list_fn fn;

	*(void **)&fn = dlsym(h_module, "C_GetInterfaceList");
	/* The device profile leaves the 3.0 interface out (IOT_WITH_V30). */
	if (h_device())
		assert_null(fn);
	else if (fn == NULL)
		fail_msg("C_GetInterfaceList is not exported");
	return fn;
}

static get_interface_fn get_interface(void)
{
	get_interface_fn fn;

	*(void **)&fn = dlsym(h_module, "C_GetInterface");
	if (h_device())
		assert_null(fn);
	else if (fn == NULL)
		fail_msg("C_GetInterface is not exported");
	return fn;
}

static void test_function_list(void **state)
{
	CK_C_GetFunctionList get_list;
	CK_FUNCTION_LIST_PTR list = NULL;
	int nulls = 0, total = 0;
	size_t i;

	(void)state;
	*(void **)&get_list = dlsym(h_module, "C_GetFunctionList");
	assert_non_null(get_list);
	assert_rv(get_list(NULL), CKR_ARGUMENTS_BAD);
	assert_ok(get_list(&list));
	assert_ptr_equal(list, p11);
	assert_int_equal(list->version.major, 2);
	assert_int_equal(list->version.minor, 40);
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		void (*fn)(void);

		memcpy(&fn, (const char *)list + entries[i].offset, sizeof(fn));
		if (fn == NULL) {
			print_error("%s is NULL\n", entries[i].name);
			nulls++;
		}
		total++;
	}
	/* The list holds exactly these: the version and 68 pointers. */
	assert_int_equal(sizeof(CK_FUNCTION_LIST),
			 offsetof(CK_FUNCTION_LIST, C_WaitForSlotEvent) + sizeof(void (*)(void)));
	assert_int_equal(total, 68);
	assert_int_equal(nulls, 0);
	/* The list's own entry gives the same list. */
	list = NULL;
	assert_ok(p11->C_GetFunctionList(&list));
	assert_ptr_equal(list, p11);
	assert_rv(p11->C_GetFunctionList(NULL), CKR_ARGUMENTS_BAD);
}

/* An interface "PKCS 11" whose function list has this version: the v2.40
 * one is C_GetFunctionList's; neither claims CKF_INTERFACE_FORK_SAFE, since
 * a forked child must call C_Initialize again (test_fork.c). */
static void check_interface(const CK_INTERFACE *in, CK_BYTE major, CK_BYTE minor)
{
	const CK_VERSION *v;

	assert_non_null(in);
	assert_non_null(in->pInterfaceName);
	assert_string_equal((const char *)in->pInterfaceName, "PKCS 11");
	v = in->pFunctionList;
	assert_non_null(v);
	assert_int_equal(v->major, major);
	assert_int_equal(v->minor, minor);
	if (major == 2)
		assert_ptr_equal(in->pFunctionList, p11);
	else
		assert_ptr_not_equal(in->pFunctionList, p11);
	assert_int_equal(in->flags, 0);
}

static void test_interface_list(void **state)
{
	get_interface_list_fn fn = get_interface_list();
	CK_INTERFACE list[4], zero;
	CK_ULONG n = 99;
	int pass;

	if (fn == NULL) /* the device profile (asserted by get_interface_list) */
		return;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	/* Before C_Initialize (pass 0) and after it (pass 1). */
	for (pass = 0; pass < 2; pass++) {
		/* No list: the count, whatever *pulCount held. */
		n = 99;
		assert_ok(fn(NULL, &n));
		assert_int_equal(n, 2);
		n = 0;
		assert_ok(fn(NULL, &n));
		assert_int_equal(n, 2);
		/* Too small: the count, and nothing written. */
		memset(list, 0, sizeof(list));
		n = 0;
		assert_rv(fn(list, &n), CKR_BUFFER_TOO_SMALL);
		assert_int_equal(n, 2);
		n = 1;
		assert_rv(fn(list, &n), CKR_BUFFER_TOO_SMALL);
		assert_int_equal(n, 2);
		assert_memory_equal(&list[0], &zero, sizeof(zero));
		/* Exactly big enough, and bigger: 3.0 first (the default), then
		 * 2.40; nothing past them is touched. */
		n = 2;
		assert_ok(fn(list, &n));
		assert_int_equal(n, 2);
		check_interface(&list[0], 3, 0);
		check_interface(&list[1], 2, 40);
		memset(list, 0, sizeof(list));
		n = 4;
		assert_ok(fn(list, &n));
		assert_int_equal(n, 2);
		check_interface(&list[0], 3, 0);
		check_interface(&list[1], 2, 40);
		assert_memory_equal(&list[2], &zero, sizeof(zero));
		assert_rv(fn(list, NULL), CKR_ARGUMENTS_BAD);
		assert_rv(fn(NULL, NULL), CKR_ARGUMENTS_BAD);
		if (pass == 0)
			h_initialize();
	}
}

static void test_get_interface(void **state)
{
	get_interface_fn fn = get_interface();
	get_interface_list_fn list_fn = get_interface_list();
	CK_INTERFACE_PTR in = NULL, first;
	CK_INTERFACE list[2];
	CK_ULONG n = 2;

	if (fn == NULL || list_fn == NULL) /* the device profile */
		return;
	CK_VERSION v240 = { 2, 40 }, v300 = { 3, 0 }, v200 = { 2, 0 }, v301 = { 3, 1 },
		   v320 = { 3, 20 };
	CK_UTF8CHAR_PTR pkcs11 = (CK_UTF8CHAR_PTR) "PKCS 11";
	int pass;

	(void)state;
	assert_ok(list_fn(list, &n));
	for (pass = 0; pass < 2; pass++) {
		/* No name, no version: the default, 3.0. */
		in = NULL;
		assert_ok(fn(NULL, NULL, &in, 0));
		check_interface(in, 3, 0);
		first = in;
		in = NULL;
		assert_ok(fn(pkcs11, NULL, &in, 0));
		assert_ptr_equal(in, first);
		/* The same lists C_GetInterfaceList gives. */
		assert_ptr_equal(first->pFunctionList, list[0].pFunctionList);
		/* A version picks its list. */
		in = NULL;
		assert_ok(fn(pkcs11, &v300, &in, 0));
		check_interface(in, 3, 0);
		in = NULL;
		assert_ok(fn(NULL, &v300, &in, 0));
		check_interface(in, 3, 0);
		in = NULL;
		assert_ok(fn(pkcs11, &v240, &in, 0));
		check_interface(in, 2, 40);
		assert_ptr_equal(in->pFunctionList, list[1].pFunctionList);
		in = NULL;
		assert_ok(fn(NULL, &v240, &in, 0));
		check_interface(in, 2, 40);
		/* Names and versions it does not have. */
		in = NULL;
		assert_rv(fn((CK_UTF8CHAR_PTR) "Vendor iotoken", NULL, &in, 0), CKR_ARGUMENTS_BAD);
		assert_rv(fn((CK_UTF8CHAR_PTR) "PKCS 1", NULL, &in, 0), CKR_ARGUMENTS_BAD);
		assert_rv(fn((CK_UTF8CHAR_PTR) "PKCS 11 ", NULL, &in, 0), CKR_ARGUMENTS_BAD);
		assert_rv(fn((CK_UTF8CHAR_PTR) "pkcs 11", NULL, &in, 0), CKR_ARGUMENTS_BAD);
		assert_rv(fn((CK_UTF8CHAR_PTR) "", NULL, &in, 0), CKR_ARGUMENTS_BAD);
		assert_rv(fn((CK_UTF8CHAR_PTR) "Vendor iotoken", &v300, &in, 0), CKR_ARGUMENTS_BAD);
		assert_rv(fn(pkcs11, &v200, &in, 0), CKR_ARGUMENTS_BAD);
		assert_rv(fn(pkcs11, &v301, &in, 0), CKR_ARGUMENTS_BAD);
		assert_rv(fn(NULL, &v320, &in, 0), CKR_ARGUMENTS_BAD);
		/* Flags must all be present: neither interface is fork safe, and
		 * no other interface flag exists. */
		assert_rv(fn(NULL, NULL, &in, CKF_INTERFACE_FORK_SAFE), CKR_ARGUMENTS_BAD);
		assert_rv(fn(pkcs11, NULL, &in, CKF_INTERFACE_FORK_SAFE), CKR_ARGUMENTS_BAD);
		assert_rv(fn(pkcs11, &v300, &in, CKF_INTERFACE_FORK_SAFE), CKR_ARGUMENTS_BAD);
		assert_rv(fn(pkcs11, &v240, &in, CKF_INTERFACE_FORK_SAFE), CKR_ARGUMENTS_BAD);
		assert_rv(fn(NULL, NULL, &in, 2), CKR_ARGUMENTS_BAD);
		assert_rv(fn(NULL, NULL, &in, ~(CK_FLAGS)0), CKR_ARGUMENTS_BAD);
		/* A refused call points the result at no interface (an empty
		 * name, no list), not at one it refused nor at garbage: OpenSC
		 * 0.23's pkcs11-spy reads it whatever the result. */
		assert_non_null(in);
		assert_string_equal((const char *)in->pInterfaceName, "");
		assert_null(in->pFunctionList);
		assert_int_equal(in->flags, 0);
		in = (CK_INTERFACE_PTR)&list[0];
		assert_rv(fn(NULL, &v200, &in, 0), CKR_ARGUMENTS_BAD);
		assert_ptr_not_equal(in, &list[0]);
		assert_string_equal((const char *)in->pInterfaceName, "");
		assert_rv(fn(NULL, NULL, NULL, 0), CKR_ARGUMENTS_BAD);
		assert_rv(fn(pkcs11, &v300, NULL, 0), CKR_ARGUMENTS_BAD);
		if (pass == 0)
			h_initialize();
	}
}

/* Every function but C_GetFunctionList, with garbage or NULL arguments: the
 * initialization check comes before any argument is read. */
static void test_before_initialize(void **state)
{
	const CK_RV ni = CKR_CRYPTOKI_NOT_INITIALIZED;
	const CK_SESSION_HANDLE s = 0x1234;
	const CK_OBJECT_HANDLE o = 0x5678;
	CK_MECHANISM_PTR m = NULL;
	CK_BYTE_PTR b = NULL;
	CK_ULONG_PTR l = NULL;
	CK_ATTRIBUTE_PTR t = NULL;
	CK_OBJECT_HANDLE_PTR po = NULL;
	get_interface_list_fn gil = get_interface_list();
	get_interface_fn gi = get_interface();
	CK_INTERFACE_PTR in = NULL;
	CK_ULONG n = 0;

	(void)state;
	assert_rv(p11->C_Finalize(NULL), ni);
	assert_rv(p11->C_GetInfo(NULL), ni);
	assert_rv(p11->C_GetSlotList(CK_TRUE, NULL, NULL), ni);
	assert_rv(p11->C_GetSlotInfo(0, NULL), ni);
	assert_rv(p11->C_GetTokenInfo(0, NULL), ni);
	assert_rv(p11->C_GetMechanismList(0, NULL, NULL), ni);
	assert_rv(p11->C_GetMechanismInfo(0, CKM_ECDSA, NULL), ni);
	assert_rv(p11->C_InitToken(0, NULL, 8, NULL), ni);
	assert_rv(p11->C_InitPIN(s, NULL, 4), ni);
	assert_rv(p11->C_SetPIN(s, NULL, 4, NULL, 4), ni);
	assert_rv(p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, NULL), ni);
	assert_rv(p11->C_CloseSession(s), ni);
	assert_rv(p11->C_CloseAllSessions(0), ni);
	assert_rv(p11->C_GetSessionInfo(s, NULL), ni);
	assert_rv(p11->C_GetOperationState(s, b, l), ni);
	assert_rv(p11->C_SetOperationState(s, b, 16, o, o), ni);
	assert_rv(p11->C_Login(s, CKU_USER, NULL, 4), ni);
	assert_rv(p11->C_Logout(s), ni);
	assert_rv(p11->C_CreateObject(s, t, 3, po), ni);
	assert_rv(p11->C_CopyObject(s, o, t, 3, po), ni);
	assert_rv(p11->C_DestroyObject(s, o), ni);
	assert_rv(p11->C_GetObjectSize(s, o, l), ni);
	assert_rv(p11->C_GetAttributeValue(s, o, t, 3), ni);
	assert_rv(p11->C_SetAttributeValue(s, o, t, 3), ni);
	assert_rv(p11->C_FindObjectsInit(s, t, 3), ni);
	assert_rv(p11->C_FindObjects(s, po, 4, l), ni);
	assert_rv(p11->C_FindObjectsFinal(s), ni);
	assert_rv(p11->C_EncryptInit(s, m, o), ni);
	assert_rv(p11->C_Encrypt(s, b, 16, b, l), ni);
	assert_rv(p11->C_EncryptUpdate(s, b, 16, b, l), ni);
	assert_rv(p11->C_EncryptFinal(s, b, l), ni);
	assert_rv(p11->C_DecryptInit(s, m, o), ni);
	assert_rv(p11->C_Decrypt(s, b, 16, b, l), ni);
	assert_rv(p11->C_DecryptUpdate(s, b, 16, b, l), ni);
	assert_rv(p11->C_DecryptFinal(s, b, l), ni);
	assert_rv(p11->C_DigestInit(s, m), ni);
	assert_rv(p11->C_Digest(s, b, 16, b, l), ni);
	assert_rv(p11->C_DigestUpdate(s, b, 16), ni);
	assert_rv(p11->C_DigestKey(s, o), ni);
	assert_rv(p11->C_DigestFinal(s, b, l), ni);
	assert_rv(p11->C_SignInit(s, m, o), ni);
	assert_rv(p11->C_Sign(s, b, 16, b, l), ni);
	assert_rv(p11->C_SignUpdate(s, b, 16), ni);
	assert_rv(p11->C_SignFinal(s, b, l), ni);
	assert_rv(p11->C_SignRecoverInit(s, m, o), ni);
	assert_rv(p11->C_SignRecover(s, b, 16, b, l), ni);
	assert_rv(p11->C_VerifyInit(s, m, o), ni);
	assert_rv(p11->C_Verify(s, b, 16, b, 16), ni);
	assert_rv(p11->C_VerifyUpdate(s, b, 16), ni);
	assert_rv(p11->C_VerifyFinal(s, b, 16), ni);
	assert_rv(p11->C_VerifyRecoverInit(s, m, o), ni);
	assert_rv(p11->C_VerifyRecover(s, b, 16, b, l), ni);
	assert_rv(p11->C_DigestEncryptUpdate(s, b, 16, b, l), ni);
	assert_rv(p11->C_DecryptDigestUpdate(s, b, 16, b, l), ni);
	assert_rv(p11->C_SignEncryptUpdate(s, b, 16, b, l), ni);
	assert_rv(p11->C_DecryptVerifyUpdate(s, b, 16, b, l), ni);
	assert_rv(p11->C_GenerateKey(s, m, t, 3, po), ni);
	assert_rv(p11->C_GenerateKeyPair(s, m, t, 3, t, 3, po, po), ni);
	assert_rv(p11->C_WrapKey(s, m, o, o, b, l), ni);
	assert_rv(p11->C_UnwrapKey(s, m, o, b, 16, t, 3, po), ni);
	assert_rv(p11->C_DeriveKey(s, m, o, t, 3, po), ni);
	assert_rv(p11->C_SeedRandom(s, b, 16), ni);
	assert_rv(p11->C_GenerateRandom(s, b, 16), ni);
	assert_rv(p11->C_GetFunctionStatus(s), ni);
	assert_rv(p11->C_CancelFunction(s), ni);
	assert_rv(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL), ni);
	assert_rv(p11->C_WaitForSlotEvent(0, NULL, NULL), ni);
	/* Discovery works before C_Initialize. */
	if (gil != NULL && gi != NULL) {
		assert_ok(gil(NULL, &n));
		assert_ok(gi(NULL, NULL, &in, 0));
	}
	/* ... and the library is still not initialized. */
	assert_rv(p11->C_GetInfo(NULL), ni);
}

static void test_initialize_null(void **state)
{
	CK_INFO info;

	(void)state;
	assert_ok(p11->C_Initialize(NULL));
	assert_ok(p11->C_GetInfo(&info));
	assert_rv(p11->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	/* The failed second call left the library working. */
	assert_ok(p11->C_GetInfo(&info));
}

static void test_initialize_os_locking(void **state)
{
	CK_C_INITIALIZE_ARGS args;
	CK_INFO info;

	(void)state;
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	assert_ok(p11->C_Initialize(&args));
	assert_ok(p11->C_GetInfo(&info));
	assert_rv(p11->C_Initialize(&args), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	h_finalize();

	args.flags = CKF_OS_LOCKING_OK | CKF_LIBRARY_CANT_CREATE_OS_THREADS;
	assert_ok(p11->C_Initialize(&args));
	assert_ok(p11->C_GetInfo(&info));
	h_finalize();

	args.flags = CKF_LIBRARY_CANT_CREATE_OS_THREADS;
	assert_ok(p11->C_Initialize(&args));
	assert_ok(p11->C_GetInfo(&info));
	h_finalize();

	/* Flags 0, no callbacks: single-threaded application. */
	args.flags = 0;
	assert_ok(p11->C_Initialize(&args));
	assert_ok(p11->C_GetInfo(&info));
}

/* Mutex callbacks that count their use. */
static atomic_long n_create, n_destroy, n_lock, n_unlock, n_bad;

static CK_RV cb_create(CK_VOID_PTR_PTR out)
{
	pthread_mutex_t *m;

	if (out == NULL)
		return CKR_ARGUMENTS_BAD;
	m = malloc(sizeof(*m));
	if (m == NULL)
		return CKR_HOST_MEMORY;
	pthread_mutex_init(m, NULL);
	*out = m;
	n_create++;
	return CKR_OK;
}

static CK_RV cb_destroy(CK_VOID_PTR mutex)
{
	if (mutex == NULL)
		return CKR_MUTEX_BAD;
	pthread_mutex_destroy(mutex);
	free(mutex);
	n_destroy++;
	return CKR_OK;
}

static CK_RV cb_lock(CK_VOID_PTR mutex)
{
	if (mutex == NULL)
		return CKR_MUTEX_BAD;
	pthread_mutex_lock(mutex);
	n_lock++;
	return CKR_OK;
}

static CK_RV cb_unlock(CK_VOID_PTR mutex)
{
	if (mutex == NULL)
		return CKR_MUTEX_BAD;
	n_unlock++;
	pthread_mutex_unlock(mutex);
	return CKR_OK;
}

static CK_RV cb_bad_create(CK_VOID_PTR_PTR out)
{
	(void)out;
	n_bad++;
	return CKR_GENERAL_ERROR;
}

static CK_RV cb_bad(CK_VOID_PTR mutex)
{
	(void)mutex;
	n_bad++;
	return CKR_GENERAL_ERROR;
}

static void counters_reset(void)
{
	n_create = n_destroy = n_lock = n_unlock = n_bad = 0;
}

static void callback_args(CK_C_INITIALIZE_ARGS *args, CK_FLAGS flags)
{
	memset(args, 0, sizeof(*args));
	args->CreateMutex = cb_create;
	args->DestroyMutex = cb_destroy;
	args->LockMutex = cb_lock;
	args->UnlockMutex = cb_unlock;
	args->flags = flags;
}

/* Some calls that must take the module's locks. */
static void exercise(void)
{
	CK_SLOT_ID slots[8], slot;
	CK_ULONG n = 8;
	CK_SESSION_HANDLE s;
	CK_INFO info;

	assert_ok(p11->C_GetInfo(&info));
	assert_ok(p11->C_GetSlotList(CK_TRUE, slots, &n));
	slot = h_init_token(H_LABEL);
	h_init_user_pin(slot);
	s = h_open(slot, 1);
	h_login(s, CKU_USER);
	(void)h_data(s, "locked", CK_FALSE, CK_TRUE);
	assert_ok(p11->C_CloseSession(s));
}

static void test_initialize_callbacks(void **state)
{
	CK_C_INITIALIZE_ARGS args;

	(void)state;
	counters_reset();
	callback_args(&args, 0);
	assert_ok(p11->C_Initialize(&args));
	/* The arguments are copied: later changes to them have no effect. */
	args.CreateMutex = cb_bad_create;
	args.DestroyMutex = cb_bad;
	args.LockMutex = cb_bad;
	args.UnlockMutex = cb_bad;
	exercise();
	h_finalize();
	/* Without CKF_OS_LOCKING_OK the module must lock with the callbacks. */
	assert_true(n_create > 0);
	assert_true(n_lock > 0);
	assert_int_equal(n_lock, n_unlock);
	assert_int_equal(n_destroy, n_create);
	assert_int_equal(n_bad, 0);

	/* With CKF_OS_LOCKING_OK as well, either kind of lock is fine, but the
	 * callbacks, if used, are used in balance. */
	counters_reset();
	callback_args(&args, CKF_OS_LOCKING_OK);
	assert_ok(p11->C_Initialize(&args));
	exercise();
	h_finalize();
	assert_int_equal(n_lock, n_unlock);
	assert_int_equal(n_destroy, n_create);

	counters_reset();
	callback_args(&args, CKF_OS_LOCKING_OK | CKF_LIBRARY_CANT_CREATE_OS_THREADS);
	assert_ok(p11->C_Initialize(&args));
	exercise();
}

static void test_initialize_partial_callbacks(void **state)
{
	CK_C_INITIALIZE_ARGS args;
	CK_INFO info;
	unsigned mask;

	(void)state;
	/* Every proper non-empty subset of the four callbacks. */
	for (mask = 1; mask < 15; mask++) {
		callback_args(&args, 0);
		if (!(mask & 1))
			args.CreateMutex = NULL;
		if (!(mask & 2))
			args.DestroyMutex = NULL;
		if (!(mask & 4))
			args.LockMutex = NULL;
		if (!(mask & 8))
			args.UnlockMutex = NULL;
		assert_rv(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
		args.flags = CKF_OS_LOCKING_OK;
		assert_rv(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
		assert_rv(p11->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	}
}

static void test_initialize_reserved(void **state)
{
	CK_C_INITIALIZE_ARGS args;
	CK_INFO info;
	int dummy = 0;

	(void)state;
	memset(&args, 0, sizeof(args));
	args.pReserved = &dummy;
	assert_rv(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	args.flags = CKF_OS_LOCKING_OK;
	assert_rv(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	assert_rv(p11->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	args.pReserved = NULL;
	assert_ok(p11->C_Initialize(&args));
}

static void test_finalize(void **state)
{
	CK_INFO info;
	int dummy = 0;
	CK_ULONG n;

	(void)state;
	h_initialize();
	assert_rv(p11->C_Finalize(&dummy), CKR_ARGUMENTS_BAD);
	/* Still initialized after the refused call. */
	assert_ok(p11->C_GetInfo(&info));
	assert_ok(p11->C_Finalize(NULL));
	assert_rv(p11->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_rv(p11->C_GetSlotList(CK_TRUE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_rv(p11->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	/* And it can be initialized again. */
	h_initialize();
	assert_ok(p11->C_GetInfo(&info));
}

static void test_finalize_closes_sessions(void **state)
{
	CK_SESSION_HANDLE rw, ro, s;
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;

	(void)state;
	rw = h_open(h_slot, 1);
	ro = h_open(h_slot, 0);
	h_login(rw, CKU_USER);
	assert_int_equal(h_state(ro), CKS_RO_USER_FUNCTIONS);
	h_finalize();
	assert_rv(p11->C_GetSessionInfo(rw, &si), CKR_CRYPTOKI_NOT_INITIALIZED);
	h_initialize();
	assert_rv(p11->C_GetSessionInfo(rw, &si), CKR_SESSION_HANDLE_INVALID);
	assert_rv(p11->C_GetSessionInfo(ro, &si), CKR_SESSION_HANDLE_INVALID);
	assert_rv(p11->C_CloseSession(rw), CKR_SESSION_HANDLE_INVALID);
	h_token_info(h_slot, &ti);
	assert_int_equal(ti.ulSessionCount, 0);
	assert_int_equal(ti.ulRwSessionCount, 0);
	/* Logged out: a new session is public. */
	s = h_open(h_slot, 1);
	assert_int_equal(h_state(s), CKS_RW_PUBLIC_SESSION);
	assert_rv(p11->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
}

static int blank_padded(const CK_UTF8CHAR *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i] < 0x20 || f[i] == 0x7f)
			return 0;
	}
	return 1;
}

static void test_get_info(void **state)
{
	CK_INFO info;

	(void)state;
	memset(&info, 0xA5, sizeof(info));
	assert_ok(p11->C_GetInfo(&info));
	assert_int_equal(info.cryptokiVersion.major, 2);
	assert_int_equal(info.cryptokiVersion.minor, 40);
	assert_memory_equal(info.manufacturerID, "iotoken", 7);
	assert_true(blank_padded(info.manufacturerID, sizeof(info.manufacturerID)));
	assert_true(h_padded_eq(info.manufacturerID, sizeof(info.manufacturerID), "iotoken"));
	assert_int_equal(info.flags, 0);
	assert_true(blank_padded(info.libraryDescription, sizeof(info.libraryDescription)));
	assert_true(info.libraryDescription[0] != ' ');
	assert_int_not_equal(info.libraryVersion.major, 0xA5);
	assert_int_not_equal(info.libraryVersion.minor, 0xA5);
	assert_rv(p11->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_function_list, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_interface_list, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_get_interface, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_before_initialize, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_initialize_null, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_initialize_os_locking, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_initialize_callbacks, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_initialize_partial_callbacks, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_initialize_reserved, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_finalize, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_finalize_closes_sessions, h_setup_token,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_get_info, h_setup_init, h_teardown),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
