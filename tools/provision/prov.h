/*
 * Internals of the provisioning library (include/iotoken/provision.h): the
 * PKCS#11 object helpers, the OpenSSL key and certificate helpers and the
 * subject parser the public functions are made of. Everything here talks to
 * the token only through the caller's CK_FUNCTION_LIST.
 */
#ifndef IOTOKEN_PROV_H
#define IOTOKEN_PROV_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "iotoken/provision.h"

#define PROV_MUST_CHECK __attribute__((warn_unused_result))

/* The CKA_ID of an identity: SHA-1 of the public key. */
#define PROV_ID_LEN 20

/* objects.c */

/* All objects matching the template, up to max (*found set to the number
 * found, which may be 0). */
CK_RV prov_find(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl, CK_ULONG n,
		CK_OBJECT_HANDLE *out, CK_ULONG max, CK_ULONG *found) PROV_MUST_CHECK;
/* The first object of class with this label; CKR_OBJECT_HANDLE_INVALID if none. */
CK_RV prov_find_label(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls,
		      const char *label, CK_OBJECT_HANDLE *out) PROV_MUST_CHECK;
/* One attribute read with the usual two calls (length, then value) into a
 * new buffer of *len bytes (at least one byte allocated, so never NULL on
 * success). The caller frees it (prov_wipe_free when it may be secret). */
CK_RV prov_get_attr(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj,
		    CK_ATTRIBUTE_TYPE type, unsigned char **val, CK_ULONG *len) PROV_MUST_CHECK;
CK_RV prov_get_ulong(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj,
		     CK_ATTRIBUTE_TYPE type, CK_ULONG *v) PROV_MUST_CHECK;
/* Rollback: destroys the n objects (results ignored: the first error is
 * what the caller reports). */
void prov_destroy(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, const CK_OBJECT_HANDLE *objs,
		  size_t n);
void prov_wipe_free(void *p, size_t len);

/* keys.c: OpenSSL side of keys and certificates. */

/* CKA_ID of a public key (EC: SHA-1 of the uncompressed point 04||X||Y; RSA:
 * SHA-1 of the modulus). */
CK_RV prov_key_id(const EVP_PKEY *pkey, unsigned char id[PROV_ID_LEN]) PROV_MUST_CHECK;
/* The uncompressed EC point 04||X||Y of an EC key (new buffer). */
CK_RV prov_ec_point(const EVP_PKEY *pkey, unsigned char **point, size_t *len) PROV_MUST_CHECK;
/* The DER OID of the key's named curve (CKA_EC_PARAMS), new buffer;
 * CKR_CURVE_NOT_SUPPORTED for explicit or unknown curves. */
CK_RV prov_ec_params(const EVP_PKEY *pkey, unsigned char **der, size_t *len) PROV_MUST_CHECK;
/* A big-endian BIGNUM parameter of pkey (new buffer, minimal length unless
 * pad > 0, then exactly pad bytes). */
CK_RV prov_bn_param(const EVP_PKEY *pkey, const char *name, size_t pad, unsigned char **out,
		    size_t *len) PROV_MUST_CHECK;
/* A private key, PEM or DER, any of the formats of iot_prov_import. */
CK_RV prov_parse_key(const void *data, size_t len, const char *passphrase,
		     EVP_PKEY **out) PROV_MUST_CHECK;
/* A certificate, PEM or DER. */
CK_RV prov_parse_cert(const void *data, size_t len, X509 **out) PROV_MUST_CHECK;
/* Creates the certificate object (DER of cert) with this label and id. */
CK_RV prov_store_cert(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, X509 *cert, const char *label,
		      const unsigned char *id, size_t id_len,
		      CK_OBJECT_HANDLE *obj) PROV_MUST_CHECK;

/* pubkey.c: the public key of a private key object in the token: its
 * CKA_PUBLIC_KEY_INFO, its RSA modulus and exponent, or the public key
 * object with its CKA_ID. */
CK_RV prov_token_pubkey(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE priv,
			EVP_PKEY **out) PROV_MUST_CHECK;

/* subject.c: "/CN=x/O=y" (OpenSSL) or RFC 4514 "CN=x,O=y" to an X509_NAME. */
CK_RV prov_parse_subject(const char *subject, X509_NAME **out) PROV_MUST_CHECK;

/* csr.c: the CSR of a private key object, signed through C_Sign. */
CK_RV prov_make_csr(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE priv,
		    const char *subject, unsigned char **csr_der, size_t *csr_len) PROV_MUST_CHECK;

#endif
