/*
 * The one place where the TLS helper depends on an mbedTLS version.
 *
 * Built and tested: mbedTLS 2.28 (Debian 12's libmbedtls-dev). mbedTLS 3.6,
 * the current LTS, is not in Debian 12, so it has not been built here and
 * this header stops a 3.x build with #error rather than let untested code
 * pass for support. What a 3.6 port changes, all of it in this header and
 * pk.c:
 *   - mbedtls_pk_info_t is defined in the library's private pk_wrap.h (the
 *     device build puts mbedTLS's library/ on the include path) instead of
 *     the installed pk_internal.h, and its functions take the
 *     mbedtls_pk_context itself (3.6) instead of its pk_ctx, with an extra
 *     sig_size argument for signing: TLS_SIGN_FUNC_ARGS below;
 *   - with MBEDTLS_USE_PSA_CRYPTO an EC public key lives in the context's
 *     pub_raw rather than in an mbedtls_ecp_keypair: pk.c's copy of the
 *     certificate's key (tls_pk_setup) takes the context as a whole;
 *   - the RSA-alt sign and decrypt callbacks lose their "mode" argument:
 *     TLS_RSA_ALT_*_ARGS below;
 *   - struct members are private (MBEDTLS_PRIVATE) and the ECP key's group
 *     and point are read through mbedtls_ecp_export.
 */
#ifndef IOTOKEN_TLS_COMPAT_H
#define IOTOKEN_TLS_COMPAT_H

#include <mbedtls/version.h>

#if MBEDTLS_VERSION_MAJOR != 2 || MBEDTLS_VERSION_MINOR < 28
#error "the iotoken TLS helper is built and tested on mbedTLS 2.28 only (see tls/compat.h)"
#endif

#include <mbedtls/config.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/pk_internal.h> /* mbedtls_pk_info_t, installed in 2.28 */
#include <mbedtls/rsa.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#if !defined(MBEDTLS_PK_RSA_ALT_SUPPORT)
#error "the iotoken TLS helper needs MBEDTLS_PK_RSA_ALT_SUPPORT for RSA keys"
#endif
#if !defined(MBEDTLS_ECDSA_C) || !defined(MBEDTLS_X509_CRT_PARSE_C) || !defined(MBEDTLS_SSL_CLI_C)
#error "the iotoken TLS helper needs MBEDTLS_ECDSA_C, MBEDTLS_X509_CRT_PARSE_C, MBEDTLS_SSL_CLI_C"
#endif

/* How far the handshake got (a public member in 2.28). */
#define TLS_SSL_STATE(ssl) ((ssl)->state)

/* mbedtls_pk_info_t's sign function. */
#define TLS_SIGN_FUNC_ARGS                                                               \
	void *ctx, mbedtls_md_type_t md_alg, const unsigned char *hash, size_t hash_len, \
		unsigned char *sig, size_t *sig_len,                                     \
		int (*f_rng)(void *, unsigned char *, size_t), void *p_rng

/* The RSA-alt callbacks of mbedtls_pk_setup_rsa_alt. */
#define TLS_RSA_ALT_SIGN_ARGS                                                               \
	void *ctx, int (*f_rng)(void *, unsigned char *, size_t), void *p_rng, int mode,    \
		mbedtls_md_type_t md_alg, unsigned int hash_len, const unsigned char *hash, \
		unsigned char *sig
#define TLS_RSA_ALT_SIGN_MODE_OK (mode == MBEDTLS_RSA_PRIVATE)
#define TLS_RSA_ALT_DECRYPT_ARGS                                                              \
	void *ctx, int mode, size_t *olen, const unsigned char *input, unsigned char *output, \
		size_t output_max_len

#endif
