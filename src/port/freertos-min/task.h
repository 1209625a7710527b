/*
 * freertos-min: the scheduler control lock_freertos.c and pause.c use (see FreeRTOS.h
 * in this directory: compile checks only; real builds use the kernel's
 * task.h). As with the kernel's header, FreeRTOS.h comes first.
 */
#ifndef IOTOKEN_FREERTOS_MIN_TASK_H
#define IOTOKEN_FREERTOS_MIN_TASK_H

#ifndef IOTOKEN_FREERTOS_MIN_FREERTOS_H
#error "include FreeRTOS.h before task.h"
#endif

/* Suspends the scheduler: no other task runs until xTaskResumeAll (on SMP
 * builds, none enters a suspended region at the same time); interrupts stay
 * enabled. Calls nest. API functions that can block or switch tasks must not
 * be called in between. */
void vTaskSuspendAll(void);

/* Ends a vTaskSuspendAll; pdTRUE if it switched to another task. */
BaseType_t xTaskResumeAll(void);

/* Blocks the calling task for the given number of ticks (pause.c). */
void vTaskDelay(const TickType_t xTicksToDelay);

#endif
