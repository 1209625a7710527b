/*
 * freertos-min: the semaphore API lock_freertos.c uses (see FreeRTOS.h in
 * this directory: compile checks only; real builds use the kernel's
 * semphr.h). As with the kernel's header, FreeRTOS.h comes first.
 */
#ifndef IOTOKEN_FREERTOS_MIN_SEMPHR_H
#define IOTOKEN_FREERTOS_MIN_SEMPHR_H

#ifndef IOTOKEN_FREERTOS_MIN_FREERTOS_H
#error "include FreeRTOS.h before semphr.h"
#endif

/* A semaphore or mutex. */
typedef struct iotoken_freertos_min_queue *SemaphoreHandle_t;

/* A mutex (priority inheritance, not recursive) in pxMutexBuffer, which must
 * outlive it. NULL only when pxMutexBuffer is NULL. */
SemaphoreHandle_t xSemaphoreCreateMutexStatic(StaticSemaphore_t *pxMutexBuffer);

/* pdTRUE once taken; pdFALSE when xTicksToWait passed first. Not from an
 * interrupt. */
BaseType_t xSemaphoreTake(SemaphoreHandle_t xSemaphore, TickType_t xTicksToWait);

/* pdTRUE once given; a mutex is given by the task that took it. */
BaseType_t xSemaphoreGive(SemaphoreHandle_t xSemaphore);

/* Deletes it; a static one's buffer is the caller's again. No task may be
 * blocked on it. */
void vSemaphoreDelete(SemaphoreHandle_t xSemaphore);

#endif
