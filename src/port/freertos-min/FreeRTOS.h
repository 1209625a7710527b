/*
 * freertos-min: the smallest stand-in for the FreeRTOS kernel headers that
 * src/port/lock_freertos.c compiles against. Compile checks only (CI builds
 * the port with arm-none-eabi-gcc and -Isrc/port/freertos-min, no kernel
 * tree); a real firmware build uses the kernel's own headers and its
 * FreeRTOSConfig.h, and must not have this directory on its include path.
 *
 * Written from the FreeRTOS API reference (freertos.org: data types, the
 * semaphore and task-control API), not from the kernel's files. It declares
 * only what the port uses: the types, the constants and, in semphr.h and
 * task.h, the functions. The real kernel makes some of them macros over its
 * queue functions; the port only calls them, so either form compiles.
 * Sizes here (StaticSemaphore_t) describe no real port.
 */
#ifndef IOTOKEN_FREERTOS_MIN_FREERTOS_H
#define IOTOKEN_FREERTOS_MIN_FREERTOS_H

#include <stdint.h>

/* The port's natural integer types (32-bit ports: long). */
typedef long BaseType_t;
typedef unsigned long UBaseType_t;
/* Ticks, with 32-bit ticks (configTICK_TYPE_WIDTH_IN_BITS 32). */
typedef uint32_t TickType_t;

#define pdFALSE ((BaseType_t)0)
#define pdTRUE ((BaseType_t)1)

/* The longest block time: forever when INCLUDE_vTaskSuspend is 1. */
#define portMAX_DELAY ((TickType_t)0xffffffffUL)

/* FreeRTOSConfig.h settings the port requires. */
#define configSUPPORT_STATIC_ALLOCATION 1
#define configUSE_MUTEXES 1

/* The memory a statically created semaphore or mutex lives in; the kernel
 * defines its real layout, the application only provides the storage. */
typedef struct {
	void *opaque[20];
	uint8_t flags[4];
} StaticSemaphore_t;

#endif
