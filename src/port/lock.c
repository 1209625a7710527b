/*
 * Locks. PKCS#11 v2.40 section 5.4 (C_Initialize): with CKF_OS_LOCKING_OK
 * the library may use the OS primitives; with caller callbacks and without
 * that flag it must use the callbacks; with neither the application promises
 * not to share the library between threads. iotoken always locks: OS mutexes
 * unless the caller gave callbacks without CKF_OS_LOCKING_OK.
 */
#include <pthread.h>

#include "port/port.h"

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
