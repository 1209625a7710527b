/*
 * The module lock on FreeRTOS (IOT_MUTEX_FREERTOS): kernel mutexes in the
 * token's own memory (xSemaphoreCreateMutexStatic), nothing from the
 * FreeRTOS heap. Needs configSUPPORT_STATIC_ALLOCATION and configUSE_MUTEXES
 * in FreeRTOSConfig.h. Task context only: FreeRTOS mutexes cannot be taken
 * in an interrupt, so no interrupt handler may call the token.
 *
 * PKCS#11 v2.40 section 5.4 (C_Initialize), as in the pthread port: with
 * CKF_OS_LOCKING_OK the library may use the OS primitives; with caller
 * callbacks and without that flag it must use the callbacks; with neither
 * the application promises not to share the library between tasks. The
 * token always locks: FreeRTOS mutexes unless the caller gave callbacks
 * without CKF_OS_LOCKING_OK (when it gave both, the FreeRTOS mutexes, which
 * 5.4 allows).
 *
 * The static locks are made at their first use, which may come before
 * vTaskStartScheduler (a firmware that sets up the token from main). Making
 * one is a kernel call, and FreeRTOS does not allow kernel calls inside
 * taskENTER_CRITICAL; so the first use makes it with the scheduler suspended
 * (vTaskSuspendAll), as the kernel's heap_4 sets itself up at its first
 * pvPortMalloc: no other task runs in between (on SMP builds no other core
 * enters a suspended region either), interrupts stay on, and making a mutex
 * never blocks or switches tasks, as a suspended scheduler requires. The
 * handle is published with release order after the mutex is complete, so a
 * task that reads it without suspending sees a finished mutex.
 */
#include "port/port.h"

#if IOT_MUTEX == IOT_MUTEX_FREERTOS

#include <stdatomic.h>

#include "FreeRTOS.h"
#include "semphr.h"
#include "task.h"

#if !configSUPPORT_STATIC_ALLOCATION || !configUSE_MUTEXES
#error "IOT_MUTEX_FREERTOS needs configSUPPORT_STATIC_ALLOCATION 1 and configUSE_MUTEXES 1"
#endif

struct port_mutex {
	StaticSemaphore_t storage; /* the kernel's mutex lives here */
	SemaphoreHandle_t os;
	void *caller; /* the caller's mutex when callbacks are in use */
	int uses_caller;
};

static CK_C_INITIALIZE_ARGS callbacks; /* copied by value at configure time */
static int use_callbacks;

/* portMAX_DELAY waits forever only with INCLUDE_vTaskSuspend 1; otherwise
 * it is the longest timeout, and the take is tried again. */
static void take(SemaphoreHandle_t h)
{
	while (xSemaphoreTake(h, portMAX_DELAY) != pdTRUE)
		;
}

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
	} else {
		m->os = xSemaphoreCreateMutexStatic(&m->storage);
		if (m->os == NULL) {
			port_free(m);
			return CKR_CANT_LOCK;
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
	else
		vSemaphoreDelete(m->os);
	port_free(m);
}

void port_mutex_lock(port_mutex *m)
{
	if (m->uses_caller)
		(void)callbacks.LockMutex(m->caller);
	else
		take(m->os);
}

void port_mutex_unlock(port_mutex *m)
{
	if (m->uses_caller)
		(void)callbacks.UnlockMutex(m->caller);
	else
		(void)xSemaphoreGive(m->os);
}

static StaticSemaphore_t static_storage[PORT_LOCKS];
static _Atomic(SemaphoreHandle_t) static_handles[PORT_LOCKS];

/* The static lock which, made at its first use (see the top of the file).
 * Never NULL: xSemaphoreCreateMutexStatic fails only without a buffer. */
static SemaphoreHandle_t static_mutex(int which)
{
	SemaphoreHandle_t h = atomic_load_explicit(&static_handles[which], memory_order_acquire);

	if (h != NULL)
		return h;
	vTaskSuspendAll();
	h = atomic_load_explicit(&static_handles[which], memory_order_relaxed);
	if (h == NULL) {
		h = xSemaphoreCreateMutexStatic(&static_storage[which]);
		atomic_store_explicit(&static_handles[which], h, memory_order_release);
	}
	(void)xTaskResumeAll();
	return h;
}

void port_static_lock(int which)
{
	take(static_mutex(which));
}

void port_static_unlock(int which)
{
	/* Made by the port_static_lock this pairs with. */
	(void)xSemaphoreGive(atomic_load_explicit(&static_handles[which], memory_order_acquire));
}

#endif
