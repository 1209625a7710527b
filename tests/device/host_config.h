/*
 * The device profile's host test build (IOTOKEN_PROFILE=device): the device
 * configuration with the limits of a host, so that the whole API suite runs
 * on it unchanged (it opens thousands of sessions, creates hundreds of
 * objects, uses P-521 and every hash). The mutex port is pthreads: the
 * suite's threaded tests need locking. PBKDF2 at the minimum, as the host
 * suite's configuration file sets it.
 */
#define IOT_MUTEX 1 /* IOT_MUTEX_PTHREAD */
#define IOT_MAX_SESSIONS 4096
#define IOT_MAX_OBJECTS 1000000
#define IOT_MAX_TEMPLATE 256
#define IOT_MAX_ATTR_VALUE 65536
#define IOT_PBKDF2_ITERATIONS 1000
#define IOT_WITH_P521 1
#define IOT_TEST_HOOKS 1
#define IOT_WITH_LOG 1
