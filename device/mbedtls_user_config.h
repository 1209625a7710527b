/*
 * device/cross-build.sh compiles our mbedTLS backend against Debian's
 * mbedTLS 2.28 headers, whose configuration is a Linux one. This file (as
 * MBEDTLS_USER_CONFIG_FILE, read at the end of mbedtls/config.h) turns it
 * into what a microcontroller's configuration has: no POSIX threading, no
 * file system or sockets, and mbedTLS's allocations through
 * mbedtls_platform_set_calloc_free, which the token points at its arena.
 */
#undef MBEDTLS_THREADING_C
#undef MBEDTLS_THREADING_PTHREAD
#undef MBEDTLS_FS_IO
#undef MBEDTLS_NET_C
#undef MBEDTLS_TIMING_C
#undef MBEDTLS_HAVE_TIME_DATE
#undef MBEDTLS_HAVEGE_C
#undef MBEDTLS_PSA_ITS_FILE_C
#undef MBEDTLS_PSA_CRYPTO_STORAGE_C
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_PLATFORM_MEMORY
