/*
 * The pthread mutex port (IOT_MUTEX_PTHREAD, the host profile), under lock.c.
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

#include "port/lock_os.h"

/* 5.4: with callbacks and without CKF_OS_LOCKING_OK the callbacks, in every
 * other case pthread mutexes (also when the caller promised one thread). */
CK_RV os_locking_configure(const CK_C_INITIALIZE_ARGS *args, int *use_callbacks)
{
	*use_callbacks =
		args != NULL && args->CreateMutex != NULL && !(args->flags & CKF_OS_LOCKING_OK);
	return CKR_OK;
}

CK_RV os_mutex_init(os_mutex *m)
{
	return pthread_mutex_init(m, NULL) == 0 ? CKR_OK : CKR_CANT_LOCK;
}

void os_mutex_destroy(os_mutex *m)
{
	pthread_mutex_destroy(m);
}

void os_mutex_lock(os_mutex *m)
{
	pthread_mutex_lock(m);
}

void os_mutex_unlock(os_mutex *m)
{
	pthread_mutex_unlock(m);
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
