/*
 * The module lock on POSIX threads (IOT_MUTEX_PTHREAD, the host profile).
 *
 * PKCS#11 v2.40 section 5.4 (C_Initialize): with CKF_OS_LOCKING_OK the
 * library may use the OS primitives; with caller callbacks and without that
 * flag it must use the callbacks; with neither the application promises not
 * to share the library between threads. iotoken always locks here: pthread
 * mutexes unless the caller gave callbacks without CKF_OS_LOCKING_OK (when
 * it gave both, the OS primitives, which 5.4 allows).
 */
#include "port/port.h"

#if IOT_MUTEX == IOT_MUTEX_PTHREAD

#include <pthread.h>

struct port_mutex {
	pthread_mutex_t os;
	void *caller; /* the caller's mutex when callbacks are in use */
	int uses_caller;
};

static CK_C_INITIALIZE_ARGS callbacks; /* copied by value at configure time */
static int use_callbacks;

CK_RV port_locking_configure(const CK_C_INITIALIZE_ARGS *args)
{
	use_callbacks = 0;
	if (args == NULL || args->CreateMutex == NULL)
		return CKR_OK;
	callbacks = *args;
	if (!(args->flags & CKF_OS_LOCKING_OK))
		use_callbacks = 1;
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
	} else if (pthread_mutex_init(&m->os, NULL) != 0) {
		port_free(m);
		return CKR_CANT_LOCK;
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
	else
		pthread_mutex_destroy(&m->os);
	port_free(m);
}

void port_mutex_lock(port_mutex *m)
{
	if (m->uses_caller)
		(void)callbacks.LockMutex(m->caller);
	else
		pthread_mutex_lock(&m->os);
}

void port_mutex_unlock(port_mutex *m)
{
	if (m->uses_caller)
		(void)callbacks.UnlockMutex(m->caller);
	else
		pthread_mutex_unlock(&m->os);
}

/* Statically initialized: usable before C_Initialize, from any thread, with
 * nothing to create. One initializer per lock. */
_Static_assert(PORT_LOCKS == 3, "one PTHREAD_MUTEX_INITIALIZER per static lock");
static pthread_mutex_t static_locks[PORT_LOCKS] = { PTHREAD_MUTEX_INITIALIZER,
						    PTHREAD_MUTEX_INITIALIZER,
						    PTHREAD_MUTEX_INITIALIZER };

void port_static_lock(int which)
{
	pthread_mutex_lock(&static_locks[which]);
}

void port_static_unlock(int which)
{
	pthread_mutex_unlock(&static_locks[which]);
}

#endif
