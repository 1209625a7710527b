/*
 * The FreeRTOS mutex port (IOT_MUTEX_FREERTOS), under lock.c: kernel mutexes in the
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

#include "port/lock_os.h"
#include "task.h"

#if !configSUPPORT_STATIC_ALLOCATION || !configUSE_MUTEXES
#error "IOT_MUTEX_FREERTOS needs configSUPPORT_STATIC_ALLOCATION 1 and configUSE_MUTEXES 1"
#endif

/* portMAX_DELAY waits forever only with INCLUDE_vTaskSuspend 1; otherwise
 * it is the longest timeout, and the take is tried again. */
static void take(SemaphoreHandle_t h)
{
	while (xSemaphoreTake(h, portMAX_DELAY) != pdTRUE)
		;
}

/* As the pthread port: the callbacks only when given without
 * CKF_OS_LOCKING_OK, FreeRTOS mutexes in every other case. */
CK_RV os_locking_configure(const CK_C_INITIALIZE_ARGS *args, int *use_callbacks)
{
	*use_callbacks =
		args != NULL && args->CreateMutex != NULL && !(args->flags & CKF_OS_LOCKING_OK);
	return CKR_OK;
}

CK_RV os_mutex_init(os_mutex *m)
{
	m->handle = xSemaphoreCreateMutexStatic(&m->storage);
	return m->handle != NULL ? CKR_OK : CKR_CANT_LOCK;
}

void os_mutex_destroy(os_mutex *m)
{
	vSemaphoreDelete(m->handle);
}

void os_mutex_lock(os_mutex *m)
{
	take(m->handle);
}

void os_mutex_unlock(os_mutex *m)
{
	(void)xSemaphoreGive(m->handle);
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
