/*
 * The mutex port without an OS (IOT_MUTEX_NONE), under lock.c: bare metal with one task,
 * or a scheduler the token has no port for, whose application gives its own
 * mutex callbacks.
 *
 * PKCS#11 v2.40 section 5.4 (C_Initialize) names four cases:
 *   flag not set, no callbacks: "the application won't be accessing the
 *     Cryptoki library from multiple threads simultaneously" - nothing is
 *     locked;
 *   flag not set, callbacks: "the library needs to use the supplied function
 *     pointers for mutex-handling" - used;
 *   flag set, callbacks: "the library needs to use either the native
 *     operating system primitives or the supplied function pointers" - there
 *     are no native primitives here, so the callbacks;
 *   flag set, no callbacks: "the library needs to use the native operating
 *     system primitives to ensure safe multi-threaded access. If the library
 *     is unable to do this, C_Initialize should return with the value
 *     CKR_CANT_LOCK."
 * The last case returns CKR_CANT_LOCK rather than running unlocked. The
 * application has just said that it will call from several threads at once;
 * a token that went on without a lock would let two calls change the session
 * and object tables, the allocator and the DRBG at the same time, and nothing
 * would tell the integrator. CKR_CANT_LOCK says so at the first C_Initialize:
 * a one-task firmware passes NULL (or flags 0), a multi-task one gives
 * callbacks or builds with IOT_MUTEX_FREERTOS.
 *
 * The static locks: PORT_LOCK_ALLOC and PORT_LOCK_RNG must lock whenever the
 * application is multi-threaded, because signatures are computed outside the
 * module lock (src/api/ops.c) and allocate and draw random numbers there.
 * With callbacks they are two of the caller's mutexes, made when
 * C_Initialize configures the locking and replaced at the next one;
 * without callbacks (one task) they do nothing. PORT_LOCK_INIT does nothing:
 * C_Initialize takes it before it has the callbacks, which arrive in its own
 * arguments, so it could not lock and unlock the same mutex; the application
 * calls C_Initialize and C_Finalize while no other thread uses the token
 * (5.4: C_Finalize's behaviour is undefined otherwise).
 */
#include "port/port.h"

#if IOT_MUTEX == IOT_MUTEX_NONE

#include "port/lock_os.h"

/* The caller's callbacks (a copy of C_Initialize's) and, made with them,
 * the caller's mutexes behind PORT_LOCK_ALLOC and PORT_LOCK_RNG; only
 * changed in os_locking_configure, when no other thread is in the token. */
static CK_C_INITIALIZE_ARGS callbacks;
static void *static_caller[PORT_LOCKS];
static int static_callers_live;

static void static_callers_release(void)
{
	int i;

	if (!static_callers_live)
		return;
	static_callers_live = 0;
	for (i = 0; i < PORT_LOCKS; i++)
		if (i != PORT_LOCK_INIT)
			(void)callbacks.DestroyMutex(static_caller[i]);
}

static CK_RV static_callers_create(void)
{
	CK_RV rv = CKR_OK;
	int i;

	for (i = 0; i < PORT_LOCKS; i++) {
		if (i == PORT_LOCK_INIT)
			continue;
		rv = callbacks.CreateMutex(&static_caller[i]);
		if (rv != CKR_OK)
			break;
	}
	if (rv == CKR_OK) {
		static_callers_live = 1;
		return CKR_OK;
	}
	/* static_caller[i] failed: destroy the ones made before it. */
	while (--i >= 0)
		if (i != PORT_LOCK_INIT)
			(void)callbacks.DestroyMutex(static_caller[i]);
	return rv == CKR_HOST_MEMORY ? rv : CKR_CANT_LOCK;
}

CK_RV os_locking_configure(const CK_C_INITIALIZE_ARGS *args, int *use_callbacks)
{
	CK_RV rv;

	/* Those of the previous C_Initialize, with its callbacks. */
	static_callers_release();
	*use_callbacks = 0;
	if (args == NULL)
		return CKR_OK;
	if (args->CreateMutex == NULL)
		return (args->flags & CKF_OS_LOCKING_OK) ? CKR_CANT_LOCK : CKR_OK;
	callbacks = *args;
	rv = static_callers_create();
	if (rv == CKR_OK)
		*use_callbacks = 1;
	return rv;
}

/* No OS mutexes: lock.c asks for them only when there are no callbacks,
 * that is with one task, where nothing needs locking. */
CK_RV os_mutex_init(os_mutex *m)
{
	(void)m;
	return CKR_OK;
}

void os_mutex_destroy(os_mutex *m)
{
	(void)m;
}

void os_mutex_lock(os_mutex *m)
{
	(void)m;
}

void os_mutex_unlock(os_mutex *m)
{
	(void)m;
}

void port_static_lock(int which)
{
	if (static_callers_live && which != PORT_LOCK_INIT)
		(void)callbacks.LockMutex(static_caller[which]);
}

void port_static_unlock(int which)
{
	if (static_callers_live && which != PORT_LOCK_INIT)
		(void)callbacks.UnlockMutex(static_caller[which]);
}

#endif
