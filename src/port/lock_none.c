/*
 * The module lock without an OS (IOT_MUTEX_NONE): bare metal with one task,
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

struct port_mutex {
	void *caller; /* the caller's mutex when callbacks are in use */
	int uses_caller;
};

static CK_C_INITIALIZE_ARGS callbacks; /* copied by value at configure time */
static int use_callbacks;
/* The caller's mutexes behind PORT_LOCK_ALLOC and PORT_LOCK_RNG; only
 * changed in port_locking_configure, when no other thread is in the token. */
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

CK_RV port_locking_configure(const CK_C_INITIALIZE_ARGS *args)
{
	/* Those of the previous C_Initialize, with its callbacks. */
	static_callers_release();
	use_callbacks = 0;
	if (args == NULL)
		return CKR_OK;
	if (args->CreateMutex != NULL) {
		CK_RV rv;

		callbacks = *args;
		rv = static_callers_create();
		if (rv != CKR_OK)
			return rv;
		use_callbacks = 1;
		return CKR_OK;
	}
	if (args->flags & CKF_OS_LOCKING_OK)
		return CKR_CANT_LOCK;
	return CKR_OK;
}

CK_RV port_mutex_create(port_mutex **out)
{
	port_mutex *m = port_calloc(1, sizeof(*m));

	if (m == NULL)
		return CKR_HOST_MEMORY;
	if (use_callbacks) {
		CK_RV rv = callbacks.CreateMutex(&m->caller);

		m->uses_caller = 1;

		if (rv != CKR_OK) {
			port_free(m);
			return rv == CKR_HOST_MEMORY ? rv : CKR_CANT_LOCK;
		}
	}
	*out = m;
	return CKR_OK;
}

void port_mutex_destroy(port_mutex *m)
{
	if (m == NULL)
		return;
	if (m->uses_caller)
		(void)callbacks.DestroyMutex(m->caller);
	port_free(m);
}

void port_mutex_lock(port_mutex *m)
{
	if (m->uses_caller)
		(void)callbacks.LockMutex(m->caller);
}

void port_mutex_unlock(port_mutex *m)
{
	if (m->uses_caller)
		(void)callbacks.UnlockMutex(m->caller);
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
