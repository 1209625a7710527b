/*
 * The module lock, on every platform: the mutexes of the build's port
 * (lock_os.h: lock_pthread.c, lock_freertos.c, lock_none.c) or the
 * application's callbacks, as C_Initialize's arguments say (PKCS#11 v2.40
 * section 5.4; each port's file says how it reads the four cases).
 */
#include "port/lock_os.h"

struct port_mutex {
	void *caller; /* the caller's mutex when callbacks are in use */
	int uses_caller;
	os_mutex os;
};

static CK_C_INITIALIZE_ARGS callbacks; /* copied by value at configure time */
static int use_callbacks;

CK_RV port_locking_configure(const CK_C_INITIALIZE_ARGS *args)
{
	use_callbacks = 0;
	if (args != NULL && args->CreateMutex != NULL)
		callbacks = *args;
	return os_locking_configure(args, &use_callbacks);
}

CK_RV port_mutex_create(port_mutex **out)
{
	port_mutex *m = port_calloc(1, sizeof(*m));
	CK_RV rv;

	if (m == NULL)
		return CKR_HOST_MEMORY;
	if (use_callbacks) {
		m->uses_caller = 1;
		rv = callbacks.CreateMutex(&m->caller);
		if (rv != CKR_OK && rv != CKR_HOST_MEMORY)
			rv = CKR_CANT_LOCK;
	} else {
		rv = os_mutex_init(&m->os);
	}
	if (rv != CKR_OK) {
		port_free(m);
		return rv;
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
		os_mutex_destroy(&m->os);
	port_free(m);
}

void port_mutex_lock(port_mutex *m)
{
	if (m->uses_caller)
		(void)callbacks.LockMutex(m->caller);
	else
		os_mutex_lock(&m->os);
}

void port_mutex_unlock(port_mutex *m)
{
	if (m->uses_caller)
		(void)callbacks.UnlockMutex(m->caller);
	else
		os_mutex_unlock(&m->os);
}
