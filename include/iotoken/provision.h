/*
 * iotoken provisioning API: what a device's first boot or a factory tool
 * calls to give a PKCS#11 token its identity. It uses only the PKCS#11 API
 * (a CK_FUNCTION_LIST the caller loaded), so it works with any token.
 *
 * Conventions: every function returns CK_RV (CKR_OK or the most specific
 * PKCS#11 error; provisioning-specific failures use the codes documented per
 * function). The caller owns the session: it is opened R/W and logged in as
 * the user before these calls. Outputs are allocated with malloc and freed
 * by the caller with iot_prov_free. Nothing is half-imported: on any error
 * the objects a call created are destroyed again.
 */
#ifndef IOTOKEN_PROVISION_H
#define IOTOKEN_PROVISION_H

#include <stddef.h>

#include "iotoken/pkcs11.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which key pair to generate. */
typedef enum iot_prov_keytype {
	IOT_PROV_EC_P256,
	IOT_PROV_EC_P384,
	IOT_PROV_EC_P521,
	IOT_PROV_RSA_2048,
	IOT_PROV_RSA_3072,
	IOT_PROV_RSA_4096,
} iot_prov_keytype;

/* An identity: the private key, its public key and certificate share one
 * CKA_ID (the SHA-1 of the public key: EC point or RSA modulus) and carry
 * the labels given (NULL: key_label for all). */
typedef struct iot_prov_labels {
	const char *key_label;
	const char *cert_label; /* NULL: key_label */
} iot_prov_labels;

/*
 * Imports a private key (PEM or DER; PKCS#8, encrypted PKCS#8 with
 * passphrase, SEC1 or PKCS#1; EC or RSA) and, when cert is not NULL, its
 * certificate (PEM or DER). The key is stored sensitive and not extractable,
 * with its public key object beside it. A certificate whose public key is
 * not the key's is refused with CKR_TEMPLATE_INCONSISTENT before anything is
 * written. Unparsable input: CKR_ARGUMENTS_BAD; a wrong passphrase:
 * CKR_PIN_INCORRECT. On success *id (optional) receives the CKA_ID (malloc,
 * *id_len bytes).
 */
CK_RV iot_prov_import(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, const void *key,
		      size_t key_len, const char *passphrase, const void *cert, size_t cert_len,
		      const iot_prov_labels *labels, unsigned char **id, size_t *id_len);

/* Imports a certificate for a key already in the token (the one whose public
 * key it carries: CKR_KEY_HANDLE_INVALID if there is none), under that key's
 * CKA_ID. */
CK_RV iot_prov_import_cert(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, const void *cert,
			   size_t cert_len, const char *cert_label);

/* Generates a key pair in the token (private key sensitive, not extractable)
 * and returns a DER PKCS#10 request for subject (OpenSSL's "/CN=x/O=y" or
 * RFC 4514 "CN=x,O=y"), signed through C_Sign with that key (ECDSA with
 * SHA-256/384/512 by curve, RSA PKCS#1 v1.5 with SHA-256). With subject
 * NULL no request is made (csr_der and csr_len may then be NULL). */
CK_RV iot_prov_generate(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, iot_prov_keytype type,
			const iot_prov_labels *labels, const char *subject, unsigned char **csr_der,
			size_t *csr_len);

/* A DER CSR for a key already in the token, found by label. */
CK_RV iot_prov_csr(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, const char *key_label,
		   const char *subject, unsigned char **csr_der, size_t *csr_len);

/* The DER certificate stored under label. CKR_OBJECT_HANDLE_INVALID when
 * there is none. */
CK_RV iot_prov_read_cert(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, const char *label,
			 unsigned char **der, size_t *der_len);

/* Whether the token holds a private key labelled key_label and a certificate
 * for it (same CKA_ID, and the certificate's public key is the key's).
 * CKR_OK when provisioned; CKR_OBJECT_HANDLE_INVALID when the key or the
 * certificate is missing; CKR_TEMPLATE_INCONSISTENT when they do not match. */
CK_RV iot_prov_check(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, const char *key_label);

/* Splits a FreeRTOS credentials header (aws_clientcredential_keys.h style:
 * #define keyCLIENT_CERTIFICATE_PEM "-----BEGIN..." "\n" ... and
 * keyCLIENT_PRIVATE_KEY_PEM) into the PEM texts. Either may be absent
 * (NULL out). CKR_ARGUMENTS_BAD when neither is found. */
CK_RV iot_prov_parse_header(const char *text, size_t len, char **key_pem, char **cert_pem);

void iot_prov_free(void *p);

/* The name of a CK_RV ("CKR_PIN_INCORRECT"), for messages. */
const char *iot_prov_rv_name(CK_RV rv);

#ifdef __cplusplus
}
#endif

#endif
