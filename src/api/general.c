/* General-purpose functions (v2.40 section 5.4) and the v2.40 function list.
 * The interfaces (C_GetInterfaceList, C_GetInterface) are in v30.c. */
#include <stddef.h>
#include <string.h>

#include "api/api.h"
#include "crypto/crypto.h"
#include "port/device.h"

struct module module;

/* C_Initialize and C_Finalize hold PORT_LOCK_INIT: they may race in
 * applications where several libraries share the module (SECURITY.md
 * row 3). */

/* What a forked child abandons: the parent's state may be mid-change in
 * another thread, and its SQLite connections must not be used or closed in
 * the child. Kept reachable rather than freed; `used`, or the compiler drops
 * the never-read copy and the child's leak checkers (valgrind, LSan) report
 * the parent's memory as lost. */
#if !IOT_DEVICE
static struct module orphaned __attribute__((used));
#endif

/* Calls between the start of api_enter and the end of api_leave. C_Finalize
 * waits for them to leave before it frees the lock and the state they use: a
 * call that found the module live may still be waiting for the lock when
 * another thread finalizes (SECURITY.md row 6; tests/api/test_threads_stress.c
 * hung on the freed mutex before this). Calls arriving later see `initialized`
 * clear (both sides use sequentially consistent atomics, so one of them sees
 * the other) and read nothing else. */
static atomic_long inside;
#if !IOT_DEVICE
/* The fork generation `inside` counts for (under PORT_LOCK_INIT). */
static unsigned long inside_generation;
#endif

static int live(void)
{
	return atomic_load(&module.initialized) && module.fork_generation == port_fork_generation();
}

CK_RV api_enter(void)
{
	atomic_fetch_add(&inside, 1);
	if (!live()) {
		atomic_fetch_sub(&inside, 1);
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	port_mutex_lock(module.lock);
	return CKR_OK;
}

void api_leave(void)
{
	port_mutex_unlock(module.lock);
	atomic_fetch_sub(&inside, 1);
}

CK_RV api_enter_session(CK_SESSION_HANDLE h, session **out)
{
	CK_RV rv = api_enter();

	if (rv != CKR_OK)
		return rv;
	rv = session_get(h, out);
	if (rv != CKR_OK) {
		api_leave();
		return rv;
	}
	return CKR_OK;
}

void api_pad(CK_UTF8CHAR *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	memset(dst, ' ', n);
	memcpy(dst, src, len < n ? len : n);
}

static CK_RV check_init_args(const CK_C_INITIALIZE_ARGS *a)
{
	int given = (a->CreateMutex != NULL) + (a->DestroyMutex != NULL) + (a->LockMutex != NULL) +
		    (a->UnlockMutex != NULL);

	/* v2.40 5.4 C_Initialize: all four callbacks or none; pReserved must
	 * be NULL. */
	if (a->pReserved != NULL || (given != 0 && given != 4))
		return CKR_ARGUMENTS_BAD;
	return CKR_OK;
}

/* The device profile needs its port (iotoken_device_setup) before the
 * first C_Initialize: without one, CKR_GENERAL_ERROR. A host test build of
 * the profile makes a default one (src/port/device_host.c). */
static CK_RV device_ready(void)
{
#if IOT_DEVICE && IOT_DEVICE_HOST_PORT
	return port_device_host_default();
#elif IOT_DEVICE
	return port_device() != NULL ? CKR_OK : CKR_GENERAL_ERROR;
#else
	return CKR_OK;
#endif
}

#if IOT_DEVICE
int port_device_busy(void)
{
	return atomic_load(&module.initialized);
}
#endif

IOT_EXPORT CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	CK_C_INITIALIZE_ARGS args;
	CK_RV rv;

	memset(&args, 0, sizeof(args));
	if (pInitArgs != NULL) {
		/* Copied by value: the caller may free its structure. */
		memcpy(&args, pInitArgs, sizeof(args));
		rv = check_init_args(&args);
		if (rv != CKR_OK)
			return rv;
	}
	port_fork_setup();
	port_static_lock(PORT_LOCK_INIT);
	if (live()) {
		rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
		goto out;
	}
#if !IOT_DEVICE /* fork() exists only in the POSIX port */
	if (inside_generation != port_fork_generation()) {
		/* A forked child: threads of the parent that were inside a
		 * call (even one refused as not initialized) do not exist
		 * here, and C_Finalize must not wait for them. */
		atomic_store(&inside, 0);
		inside_generation = port_fork_generation();
	}
	if (atomic_load(&module.initialized)) {
		/* A forked child starting over. */
		orphaned = module;
		memset(&module, 0, sizeof(module));
		crypto_fork_reseed();
	}
#endif
	/* The device's port first: it gives the memory everything else needs. */
	rv = device_ready();
	if (rv == CKR_OK)
		rv = port_locking_configure(pInitArgs != NULL ? &args : NULL);
	if (rv == CKR_OK)
		rv = port_mutex_create(&module.lock);
	if (rv != CKR_OK)
		goto out;
	rv = config_load(&module.cfg);
	if (rv == CKR_OK)
		rv = slots_load();
	if (rv != CKR_OK) {
		slots_free();
		config_free(&module.cfg);
		port_mutex_destroy(module.lock);
		module.lock = NULL;
		goto out;
	}
	module.fork_generation = port_fork_generation();
	atomic_store(&module.initialized, 1);
out:
	port_static_unlock(PORT_LOCK_INIT);
	return rv;
}

IOT_EXPORT CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	token *t;
	CK_RV rv = CKR_OK;

	port_static_lock(PORT_LOCK_INIT);
	if (!live()) {
		rv = CKR_CRYPTOKI_NOT_INITIALIZED;
		goto out;
	}
	if (pReserved != NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	atomic_store(&module.initialized, 0);
	/* New calls are refused from here on; the ones already inside finish
	 * first (a long one: RSA key generation under the lock). */
	while (atomic_load(&inside) > 0)
		port_pause();
	port_mutex_lock(module.lock);
	for (t = module.tokens; t != NULL; t = t->next)
		session_close_all(t);
	/* Closing the tokens logs out and wipes every key and cached value. */
	slots_free();
	handle_table_free(&module.sessions);
	handle_table_free(&module.objects);
	config_free(&module.cfg);
	port_mutex_unlock(module.lock);
	port_mutex_destroy(module.lock);
	/* All but `initialized`, which late callers still read (a plain write
	 * over it would race with their atomic load). */
	_Static_assert(offsetof(struct module, initialized) == 0, "initialized comes first");
	memset((char *)&module + offsetof(struct module, fork_generation), 0,
	       sizeof(module) - offsetof(struct module, fork_generation));
out:
	port_static_unlock(PORT_LOCK_INIT);
	return rv;
}

CK_RV api_get_info(CK_INFO_PTR info, CK_VERSION version)
{
	CK_RV rv = api_enter();

	if (rv != CKR_OK)
		return rv;
	if (info == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	memset(info, 0, sizeof(*info));
	info->cryptokiVersion = version;
	api_pad(info->manufacturerID, sizeof(info->manufacturerID), "iotoken");
	info->flags = 0;
	api_pad(info->libraryDescription, sizeof(info->libraryDescription),
		"iotoken PKCS#11 software token");
	info->libraryVersion.major = 0;
	info->libraryVersion.minor = 1;
out:
	api_leave();
	return rv;
}

IOT_EXPORT CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	/* The exported symbol and the v2.40 list's entry: 2.40, what a v2.40
	 * client expects (v2.40 3.1: cryptokiVersion "should match the
	 * version of this specification"; the example of 5.4.3 C_GetInfo
	 * goes on only if major == 2). The 3.0 list has its own entry that
	 * reports 3.0 (src/api/v30.c). Literal numbers: a newer header's
	 * CRYPTOKI_VERSION_* would be 3.x. */
	CK_VERSION v = { 2, 40 };

	return api_get_info(pInfo, v);
}

/* 3.0 section 3.6: "The major and minor versions must be set to 0x02 and
 * 0x28 indicating a version 2.40 compatible structure." */
CK_FUNCTION_LIST api_functions_2_40 = {
	.version = { 2, 40 },
	.C_Initialize = C_Initialize,
	.C_Finalize = C_Finalize,
	.C_GetInfo = C_GetInfo,
	.C_GetFunctionList = C_GetFunctionList,
	.C_GetSlotList = C_GetSlotList,
	.C_GetSlotInfo = C_GetSlotInfo,
	.C_GetTokenInfo = C_GetTokenInfo,
	.C_GetMechanismList = C_GetMechanismList,
	.C_GetMechanismInfo = C_GetMechanismInfo,
	.C_InitToken = C_InitToken,
	.C_InitPIN = C_InitPIN,
	.C_SetPIN = C_SetPIN,
	.C_OpenSession = C_OpenSession,
	.C_CloseSession = C_CloseSession,
	.C_CloseAllSessions = C_CloseAllSessions,
	.C_GetSessionInfo = C_GetSessionInfo,
	.C_GetOperationState = C_GetOperationState,
	.C_SetOperationState = C_SetOperationState,
	.C_Login = C_Login,
	.C_Logout = C_Logout,
	.C_CreateObject = C_CreateObject,
	.C_CopyObject = C_CopyObject,
	.C_DestroyObject = C_DestroyObject,
	.C_GetObjectSize = C_GetObjectSize,
	.C_GetAttributeValue = C_GetAttributeValue,
	.C_SetAttributeValue = C_SetAttributeValue,
	.C_FindObjectsInit = C_FindObjectsInit,
	.C_FindObjects = C_FindObjects,
	.C_FindObjectsFinal = C_FindObjectsFinal,
	.C_EncryptInit = C_EncryptInit,
	.C_Encrypt = C_Encrypt,
	.C_EncryptUpdate = C_EncryptUpdate,
	.C_EncryptFinal = C_EncryptFinal,
	.C_DecryptInit = C_DecryptInit,
	.C_Decrypt = C_Decrypt,
	.C_DecryptUpdate = C_DecryptUpdate,
	.C_DecryptFinal = C_DecryptFinal,
	.C_DigestInit = C_DigestInit,
	.C_Digest = C_Digest,
	.C_DigestUpdate = C_DigestUpdate,
	.C_DigestKey = C_DigestKey,
	.C_DigestFinal = C_DigestFinal,
	.C_SignInit = C_SignInit,
	.C_Sign = C_Sign,
	.C_SignUpdate = C_SignUpdate,
	.C_SignFinal = C_SignFinal,
	.C_SignRecoverInit = C_SignRecoverInit,
	.C_SignRecover = C_SignRecover,
	.C_VerifyInit = C_VerifyInit,
	.C_Verify = C_Verify,
	.C_VerifyUpdate = C_VerifyUpdate,
	.C_VerifyFinal = C_VerifyFinal,
	.C_VerifyRecoverInit = C_VerifyRecoverInit,
	.C_VerifyRecover = C_VerifyRecover,
	.C_DigestEncryptUpdate = C_DigestEncryptUpdate,
	.C_DecryptDigestUpdate = C_DecryptDigestUpdate,
	.C_SignEncryptUpdate = C_SignEncryptUpdate,
	.C_DecryptVerifyUpdate = C_DecryptVerifyUpdate,
	.C_GenerateKey = C_GenerateKey,
	.C_GenerateKeyPair = C_GenerateKeyPair,
	.C_WrapKey = C_WrapKey,
	.C_UnwrapKey = C_UnwrapKey,
	.C_DeriveKey = C_DeriveKey,
	.C_SeedRandom = C_SeedRandom,
	.C_GenerateRandom = C_GenerateRandom,
	.C_GetFunctionStatus = C_GetFunctionStatus,
	.C_CancelFunction = C_CancelFunction,
	.C_WaitForSlotEvent = C_WaitForSlotEvent,
};

IOT_EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	/* Works before C_Initialize: it is how a client finds C_Initialize.
	 * Always the v2.40 list; the 3.0 one is had through C_GetInterface. */
	if (ppFunctionList == NULL)
		return CKR_ARGUMENTS_BAD;
	*ppFunctionList = &api_functions_2_40;
	return CKR_OK;
}
