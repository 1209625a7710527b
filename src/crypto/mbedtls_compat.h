/*
 * The one place where the mbedTLS crypto backend depends on an mbedTLS
 * version. Nothing outside src/crypto/mbedtls_*.c includes it.
 *
 * Built and tested: mbedTLS 2.28 (Debian 12's libmbedtls-dev). mbedTLS 3.6,
 * the current LTS, is not in Debian 12, so it has not been built here and
 * this header stops a 3.x build with #error rather than let untested code
 * pass for support. The backend keeps to calls that exist in both versions
 * with the same arguments (mbedtls_rsa_import/export/export_crt/complete/
 * public/private/gen_key/check_privkey, mbedtls_ecp_*, mbedtls_ecdsa_sign/
 * verify, mbedtls_gcm_crypt_and_tag/auth_decrypt, mbedtls_ctr_drbg_*,
 * mbedtls_hmac_drbg_seed_buf, mbedtls_md_hmac,
 * mbedtls_x509_crt_parse_der_with_ext_cb and the public raw fields of
 * mbedtls_x509_crt) and builds the RSA paddings itself, so the private key
 * only meets mbedtls_rsa_private. What a 3.6 port changes, all of it here:
 *   - the SHA functions lose their _ret suffix (mbedtls_sha256_starts
 *     returns int in 3.x): MBED_SHA*_ below;
 *   - mbedtls_rsa_init takes the context only (no padding, hash id);
 *   - mbedtls_pkcs5_pbkdf2_hmac (on an md context) is deprecated for
 *     mbedtls_pkcs5_pbkdf2_hmac_ext (on an md type): MBED_PBKDF2 below;
 *   - <mbedtls/config.h> becomes <mbedtls/build_info.h>;
 *   - with MBEDTLS_USE_PSA_CRYPTO, psa_crypto_init() must run before the
 *     first RSA, ECDSA or X.509 call;
 *   - 3.x's mbedtls_ecp_group members used here (G) stay public, and the
 *     X.509 fields read (raw, serial, issuer_raw, subject_raw) too; to be
 *     checked when the port is built.
 */
#ifndef IOTOKEN_CRYPTO_MBEDTLS_COMPAT_H
#define IOTOKEN_CRYPTO_MBEDTLS_COMPAT_H

#include <mbedtls/version.h>

#if MBEDTLS_VERSION_MAJOR != 2 || MBEDTLS_VERSION_MINOR < 28
#error "the iotoken mbedTLS backend is built and tested on mbedTLS 2.28 only (see src/crypto/mbedtls_compat.h)"
#endif

#include <mbedtls/config.h>

#if !defined(MBEDTLS_CTR_DRBG_C) || !defined(MBEDTLS_ENTROPY_C) || !defined(MBEDTLS_HMAC_DRBG_C)
#error "the iotoken mbedTLS backend needs MBEDTLS_CTR_DRBG_C, MBEDTLS_ENTROPY_C, MBEDTLS_HMAC_DRBG_C"
#endif
#if !defined(MBEDTLS_ECDSA_C) || !defined(MBEDTLS_RSA_C) || !defined(MBEDTLS_GCM_C) ||          \
	!defined(MBEDTLS_PKCS5_C) || !defined(MBEDTLS_X509_CRT_PARSE_C) ||                      \
	!defined(MBEDTLS_SHA1_C) || !defined(MBEDTLS_SHA256_C) || !defined(MBEDTLS_SHA512_C) || \
	!defined(MBEDTLS_GENPRIME)
#error "the iotoken mbedTLS backend needs ECDSA, RSA (GENPRIME), GCM, PKCS5, X509 parsing, SHA-1/256/512"
#endif

#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#define MBED_SHA1_STARTS(c) mbedtls_sha1_starts_ret(c)
#define MBED_SHA1_UPDATE(c, p, n) mbedtls_sha1_update_ret(c, p, n)
#define MBED_SHA1_FINISH(c, o) mbedtls_sha1_finish_ret(c, o)
#define MBED_SHA256_STARTS(c, is224) mbedtls_sha256_starts_ret(c, is224)
#define MBED_SHA256_UPDATE(c, p, n) mbedtls_sha256_update_ret(c, p, n)
#define MBED_SHA256_FINISH(c, o) mbedtls_sha256_finish_ret(c, o)
#define MBED_SHA256(p, n, o) mbedtls_sha256_ret(p, n, o, 0)
#define MBED_SHA512_STARTS(c, is384) mbedtls_sha512_starts_ret(c, is384)
#define MBED_SHA512_UPDATE(c, p, n) mbedtls_sha512_update_ret(c, p, n)
#define MBED_SHA512_FINISH(c, o) mbedtls_sha512_finish_ret(c, o)

#define MBED_RSA_INIT(ctx) mbedtls_rsa_init(ctx, MBEDTLS_RSA_PKCS_V15, 0)

/* PBKDF2 on an HMAC context of md (set up by the caller). */
#define MBED_PBKDF2(mdctx, pw, pwlen, salt, saltlen, iter, outlen, out) \
	mbedtls_pkcs5_pbkdf2_hmac(mdctx, pw, pwlen, salt, saltlen, iter, (uint32_t)(outlen), out)

#include <mbedtls/gcm.h>
#include <mbedtls/rsa.h>

/*
 * Where mbedTLS 2.28 and 3.x differ for OAEP: 3.x drops the mode argument
 * (MBEDTLS_RSA_PUBLIC / MBEDTLS_RSA_PRIVATE) of the two OAEP functions, and
 * its mbedtls_rsa_set_padding returns int (2.28's returns nothing).
 */
#if MBEDTLS_VERSION_MAJOR >= 3
#define MBED_RSA_SET_OAEP(ctx, md) mbedtls_rsa_set_padding(ctx, MBEDTLS_RSA_PKCS_V21, md)
#define MBED_RSA_OAEP_ENCRYPT(ctx, rng, label, llen, n, in, out) \
	mbedtls_rsa_rsaes_oaep_encrypt(ctx, rng, NULL, label, llen, n, in, out)
#define MBED_RSA_OAEP_DECRYPT(ctx, rng, label, llen, olen, in, out, max) \
	mbedtls_rsa_rsaes_oaep_decrypt(ctx, rng, NULL, label, llen, olen, in, out, max)
#else
#define MBED_RSA_SET_OAEP(ctx, md) \
	(mbedtls_rsa_set_padding(ctx, MBEDTLS_RSA_PKCS_V21, (int)(md)), 0)
#define MBED_RSA_OAEP_ENCRYPT(ctx, rng, label, llen, n, in, out) \
	mbedtls_rsa_rsaes_oaep_encrypt(ctx, rng, NULL, MBEDTLS_RSA_PUBLIC, label, llen, n, in, out)
#define MBED_RSA_OAEP_DECRYPT(ctx, rng, label, llen, olen, in, out, max)                           \
	mbedtls_rsa_rsaes_oaep_decrypt(ctx, rng, NULL, MBEDTLS_RSA_PRIVATE, label, llen, olen, in, \
				       out, max)
#endif

/*
 * GCM's multi-part calls differ between mbedTLS 2.28 and 3.x (3.x: the
 * additional data by mbedtls_gcm_update_ad, output sizes in update and
 * finish).
 * The 3.x side has not been built (see the top of this header).
 */
#if MBEDTLS_VERSION_MAJOR >= 3
static inline int mbed_gcm_starts(mbedtls_gcm_context *g, int mode, const uint8_t *iv,
				  size_t iv_len, const uint8_t *aad, size_t aad_len)
{
	int ret = mbedtls_gcm_starts(g, mode, iv, iv_len);

	return ret != 0 ? ret : mbedtls_gcm_update_ad(g, aad, aad_len);
}
static inline int mbed_gcm_update(mbedtls_gcm_context *g, const uint8_t *in, size_t n, uint8_t *out)
{
	size_t olen;

	return mbedtls_gcm_update(g, in, n, out, n, &olen);
}
static inline int mbed_gcm_finish(mbedtls_gcm_context *g, uint8_t *tag, size_t tag_len)
{
	size_t olen;

	return mbedtls_gcm_finish(g, NULL, 0, &olen, tag, tag_len);
}
#define MBED_GCM_STARTS mbed_gcm_starts
#define MBED_GCM_UPDATE mbed_gcm_update
#define MBED_GCM_FINISH mbed_gcm_finish
#else
/* 2.28: every update but the last a multiple of 16 bytes. */
#define MBED_GCM_STARTS(g, mode, iv, iv_len, aad, aad_len) \
	mbedtls_gcm_starts(g, mode, iv, iv_len, aad, aad_len)
#define MBED_GCM_UPDATE(g, in, n, out) mbedtls_gcm_update(g, n, in, out)
#define MBED_GCM_FINISH(g, tag, tag_len) mbedtls_gcm_finish(g, tag, tag_len)
#endif

#endif
