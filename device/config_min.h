/*
 * The smallest device profile measured by device/cross-build.sh: P-256
 * ECDSA and SHA-256 only, no certificate parsing (a certificate object
 * keeps its value as given; the template names its subject), one task
 * (no mutexes).
 */
#define IOT_MUTEX 0 /* IOT_MUTEX_NONE */
#define IOT_WITH_RSA 0
#define IOT_WITH_P384 0
#define IOT_WITH_P521 0
#define IOT_WITH_SHA1 0
#define IOT_WITH_SHA224 0
#define IOT_WITH_SHA384 0
#define IOT_WITH_CERT 0
