/*
 * The full device profile measured by device/cross-build.sh: every
 * mechanism of the device profile (P-256/384/521 ECDSA, RSA 2048-4096
 * PKCS#1 v1.5 and PSS with key generation, SHA-1 and SHA-2, X.509
 * certificate objects), FreeRTOS mutexes, the defaults' limits.
 */
#define IOT_MUTEX 2 /* IOT_MUTEX_FREERTOS */
