/*
 * Build-time configuration of the token: the profile, the limits and the
 * mechanisms compiled in. Every value has a default here; a port overrides
 * any of them in its own header, named at build time with
 * -DIOTOKEN_USER_CONFIG='"my_iotoken_config.h"' (CMake: IOTOKEN_USER_CONFIG),
 * which is included first. Only #define lines belong in that header.
 *
 * Two profiles (CMake IOTOKEN_PROFILE):
 *   host    (IOT_DEVICE 0) the Linux/BSD module: SQLite and files stores,
 *           configuration file, slots per token directory, pthreads, fork
 *           detection, the OpenSSL or mbedTLS backend.
 *   device  (IOT_DEVICE 1) microcontrollers: one slot, the files store over
 *           the port's file PAL, mbedTLS, every allocation from the arena
 *           the port gives (iotoken/device.h), no configuration file, no
 *           environment, no stdio.
 */
#ifndef IOTOKEN_DEFAULTS_H
#define IOTOKEN_DEFAULTS_H

#ifdef IOTOKEN_USER_CONFIG
#include IOTOKEN_USER_CONFIG
#endif

#ifndef IOT_DEVICE
#define IOT_DEVICE 0
#endif

/* ---- Platform --------------------------------------------------------- */

/* The module lock (src/port/lock_*.c). */
#define IOT_MUTEX_NONE 0     /* bare metal, one task: no locking at all */
#define IOT_MUTEX_PTHREAD 1  /* POSIX threads (and the caller's callbacks) */
#define IOT_MUTEX_FREERTOS 2 /* FreeRTOS mutexes, statically allocated */
#ifndef IOT_MUTEX
#if IOT_DEVICE
#define IOT_MUTEX IOT_MUTEX_NONE
#else
#define IOT_MUTEX IOT_MUTEX_PTHREAD
#endif
#endif

/* Allocation from one caller-given static arena (src/port/alloc_static.c)
 * instead of the C library's heap. */
#ifndef IOT_STATIC_ARENA
#define IOT_STATIC_ARENA IOT_DEVICE
#endif

/* The SQLite store backend (hosts only). */
#ifndef IOT_WITH_SQLITE
#define IOT_WITH_SQLITE (!IOT_DEVICE)
#endif

/* Test hooks in the allocator (failure injection, secret scans). */
#ifndef IOT_TEST_HOOKS
#define IOT_TEST_HOOKS (!IOT_DEVICE)
#endif

/* Messages on stderr (IOTOKEN_DEBUG, configuration errors). */
#ifndef IOT_WITH_LOG
#define IOT_WITH_LOG (!IOT_DEVICE)
#endif

/* ---- Limits ----------------------------------------------------------- */

/* Slots (tokens). The device profile has exactly one. */
#ifndef IOT_MAX_SLOTS
#define IOT_MAX_SLOTS (IOT_DEVICE ? 1 : 64)
#endif
/* Open sessions over all slots (CKR_SESSION_COUNT beyond). */
#ifndef IOT_MAX_SESSIONS
#define IOT_MAX_SESSIONS (IOT_DEVICE ? 4 : 4096)
#endif
/* Objects in one token, session objects included (CKR_DEVICE_MEMORY beyond). */
#ifndef IOT_MAX_OBJECTS
#define IOT_MAX_OBJECTS (IOT_DEVICE ? 16 : 1000000)
#endif
/* Attributes in one template (CKR_TEMPLATE_INCONSISTENT beyond). */
#ifndef IOT_MAX_TEMPLATE
#define IOT_MAX_TEMPLATE (IOT_DEVICE ? 48 : 256)
#endif
/* Bytes of one attribute value (CKR_ATTRIBUTE_VALUE_INVALID beyond). */
#ifndef IOT_MAX_ATTR_VALUE
#define IOT_MAX_ATTR_VALUE (IOT_DEVICE ? 4096 : 65536)
#endif
/* PBKDF2-HMAC-SHA256 iterations for PINs of tokens created from now on. */
#ifndef IOT_PBKDF2_ITERATIONS
#define IOT_PBKDF2_ITERATIONS (IOT_DEVICE ? 10000 : 600000)
#endif
/* Failed logins before a PIN locks. */
#ifndef IOT_MAX_LOGIN_FAILURES
#define IOT_MAX_LOGIN_FAILURES 10
#endif

/* ---- Mechanisms ------------------------------------------------------- */
/* P-256 ECDSA and SHA-256 are always in. The smallest device build sets
 * every one of these to 0. */
#ifndef IOT_WITH_RSA /* RSA keys, PKCS#1 v1.5 and PSS */
#define IOT_WITH_RSA 1
#endif
#ifndef IOT_WITH_RSA_KEYGEN /* RSA key generation in the token */
#define IOT_WITH_RSA_KEYGEN IOT_WITH_RSA
#endif
#if IOT_WITH_RSA_KEYGEN && !IOT_WITH_RSA
#error "IOT_WITH_RSA_KEYGEN needs IOT_WITH_RSA"
#endif
#ifndef IOT_WITH_P384
#define IOT_WITH_P384 1
#endif
#ifndef IOT_WITH_P521
#define IOT_WITH_P521 1
#endif
#ifndef IOT_WITH_SHA1 /* SHA-1 digests and SHA-1 signatures */
#define IOT_WITH_SHA1 1
#endif
#ifndef IOT_WITH_SHA224
#define IOT_WITH_SHA224 1
#endif
#ifndef IOT_WITH_SHA384 /* SHA-384 and SHA-512 (one code path in both backends) */
#define IOT_WITH_SHA384 1
#endif
#ifndef IOT_WITH_CERT /* X.509 certificate objects: CKA_SUBJECT etc. from CKA_VALUE */
#define IOT_WITH_CERT 1
#endif

/* Mechanisms beyond signing (issue 10): on hosts by default; a device opts
 * in (each costs flash: the size table of docs/porting.md is without them). */
#ifndef IOT_WITH_AES /* AES keys: ECB, CBC, CBC_PAD, CTR, GCM, KEY_WRAP(_PAD), CMAC */
#define IOT_WITH_AES (!IOT_DEVICE)
#endif
#ifndef IOT_WITH_HMAC /* generic secret keys and the SHA HMACs */
#define IOT_WITH_HMAC (!IOT_DEVICE)
#endif
#ifndef IOT_WITH_OAEP /* RSA-OAEP encryption, decryption, wrapping */
#define IOT_WITH_OAEP (IOT_WITH_RSA && !IOT_DEVICE)
#endif
#ifndef IOT_WITH_ECDH /* CKM_ECDH1_DERIVE and CKM_ECDH1_COFACTOR_DERIVE */
#define IOT_WITH_ECDH (!IOT_DEVICE)
#endif
#ifndef IOT_WITH_ED25519 /* Ed25519 keys and CKM_EDDSA: OpenSSL only (mbedTLS 2.28 has none) */
#if defined(IOTOKEN_CRYPTO_MBEDTLS)
#define IOT_WITH_ED25519 0
#else
#define IOT_WITH_ED25519 (!IOT_DEVICE)
#endif
#endif
#ifndef IOT_WITH_P224 /* P-224 keys and ECDSA */
#define IOT_WITH_P224 (!IOT_DEVICE)
#endif

/* The object index (src/core/index.c): C_FindObjectsInit by CKA_CLASS, CKA_ID
 * or CKA_LABEL costs the size of the answer instead of a walk over every
 * object. Worth it for thousands of objects; a device holding IOT_MAX_OBJECTS
 * (16) walks them as fast, and saves the flash (about 0.7 KB) and the three
 * index nodes in every object's RAM. */
#ifndef IOT_WITH_INDEX
#define IOT_WITH_INDEX (!IOT_DEVICE)
#endif

/* The PKCS#11 3.0 interface (C_GetInterfaceList, C_GetInterface and the 3.0
 * function list): for clients that load the module and discover it. A
 * device's firmware links the token and calls C_GetFunctionList (v2.40),
 * so the device profile leaves it out (about 0.9 KB of flash). */
#ifndef IOT_WITH_V30
#define IOT_WITH_V30 (!IOT_DEVICE)
#endif

#if IOT_DEVICE && IOT_WITH_SQLITE
#error "the device profile has no SQLite store"
#endif
#if IOT_MAX_SLOTS < 1 || IOT_MAX_SESSIONS < 1 || IOT_MAX_OBJECTS < 1
#error "IOT_MAX_SLOTS, IOT_MAX_SESSIONS and IOT_MAX_OBJECTS must be at least 1"
#endif

#endif
