/*
 * Inside the port layer: what lock.c (the module lock and the caller's
 * callbacks, common to every platform) needs from the build's mutex port,
 * lock_pthread.c, lock_freertos.c or lock_none.c (IOT_MUTEX,
 * iotoken/defaults.h). Each port also implements port_static_lock/unlock.
 * Not for code above src/port.
 */
#ifndef IOTOKEN_PORT_LOCK_OS_H
#define IOTOKEN_PORT_LOCK_OS_H

#include "port/port.h"

#if IOT_MUTEX == IOT_MUTEX_PTHREAD
#include <pthread.h>
typedef pthread_mutex_t os_mutex;
#elif IOT_MUTEX == IOT_MUTEX_FREERTOS
#include "FreeRTOS.h"
#include "semphr.h"
typedef struct os_mutex {
	StaticSemaphore_t storage; /* the kernel's mutex lives here */
	SemaphoreHandle_t handle;
} os_mutex;
#elif IOT_MUTEX == IOT_MUTEX_NONE
typedef struct os_mutex {
	char none;
} os_mutex;
#else
#error "IOT_MUTEX must be IOT_MUTEX_NONE, IOT_MUTEX_PTHREAD or IOT_MUTEX_FREERTOS"
#endif

/* C_Initialize's locking arguments (NULL: none), after lock.c kept a copy
 * of the callbacks: sets *use_callbacks when the caller's mutexes are to be
 * used instead of the port's (PKCS#11 v2.40 5.4; each port says how it
 * reads the four cases). CKR_CANT_LOCK when the port cannot lock as asked. */
CK_RV os_locking_configure(const CK_C_INITIALIZE_ARGS *args, int *use_callbacks) IOT_MUST_CHECK;

/* The port's own mutexes; os_mutex_init gives CKR_CANT_LOCK on failure. */
CK_RV os_mutex_init(os_mutex *m) IOT_MUST_CHECK;
void os_mutex_destroy(os_mutex *m);
void os_mutex_lock(os_mutex *m);
void os_mutex_unlock(os_mutex *m);

#endif
