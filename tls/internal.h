/*
 * Internals of the TLS helper (include/iotoken/tls.h). Files by subject:
 * uri.c (pkcs11: URIs and labels), token.c (the PKCS#11 side: slot, session,
 * login, objects), sig.c (encodings TLS needs around C_Sign), pk.c (the
 * mbedTLS private-key context that signs through the token), net.c (POSIX
 * TCP with timeouts), tls.c (configuration, handshake, channel).
 */
#ifndef IOTOKEN_TLS_INTERNAL_H
#define IOTOKEN_TLS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "iotoken/tls.h"

/* ---- uri.c ---- */

/* What names an object: an RFC 7512 URI's path attributes, or a label. */
struct tls_objspec {
	char token[33];  /* token= (empty: any) */
	char manuf[33];  /* manufacturer= */
	char model[17];  /* model= */
	char serial[17]; /* serial= */
	char label[129]; /* object= or the plain label (empty: any) */
	unsigned char id[64];
	size_t id_len; /* id= (0: any) */
	bool has_class;
	CK_OBJECT_CLASS cls; /* type= */
	bool seen[7];        /* which attributes a URI gave (uri.c) */
};

/* Parses a pkcs11: URI, or takes text as a label. Query attributes (such as
 * pin-value) and unknown path attributes are refused. false: err says why. */
bool tls_objspec_parse(const char *text, struct tls_objspec *spec, char *err, size_t errlen);

/* ---- token.c ---- */

struct tls_token {
	CK_FUNCTION_LIST_PTR p11;
	CK_SESSION_HANDLE session;
	bool open;
	CK_OBJECT_HANDLE key;
	CK_KEY_TYPE key_type;
	unsigned char *cert_der;
	size_t cert_len;
	CK_RV sign_rv; /* of the last signature the handshake asked for */
};

/* The error message buffer every step fills on failure. */
struct tls_err {
	char *buf;
	size_t len;
};
void tls_errf(struct tls_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Selects the slot, opens a session and logs in with cfg->pin. */
int tls_token_open(struct tls_token *tok, const iot_tls_config *cfg, struct tls_err *e);

/* Finds the private key (cfg->key) and its certificate (cfg->cert, or the
 * one with the key's CKA_ID), reads the certificate's DER. */
int tls_token_find(struct tls_token *tok, const iot_tls_config *cfg, struct tls_err *e);

/* Reads attribute type of object into a malloc'ed buffer (*len bytes).
 * CKR_* of C_GetAttributeValue on failure. */
CK_RV tls_token_attr(struct tls_token *tok, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
		     unsigned char **val, size_t *len);

/* C_SignInit + C_Sign with the private key; *sig_len: in the buffer size, out
 * the signature length. */
CK_RV tls_token_sign(struct tls_token *tok, CK_MECHANISM_TYPE mech, const unsigned char *in,
		     size_t in_len, unsigned char *sig, size_t *sig_len);

/* Random bytes from the token (C_GenerateRandom). */
CK_RV tls_token_random(struct tls_token *tok, unsigned char *buf, size_t len);

void tls_token_close(struct tls_token *tok);

/* ---- sig.c ---- */

/* Encodes a PKCS#11 ECDSA signature (r || s, each half of rs_len) as the
 * DER SEQUENCE { INTEGER r, INTEGER s } of RFC 5480. false if rs_len is odd
 * or zero or out is too small (out_size). */
bool tls_ecdsa_rs_to_der(const unsigned char *rs, size_t rs_len, unsigned char *out,
			 size_t out_size, size_t *out_len);

/* Writes the DER DigestInfo of RFC 8017 section 9.2 for a hash made with md
 * (SHA-1, SHA-224, SHA-256, SHA-384, SHA-512). false if md is another or the
 * hash length does not match it or out is too small. */
bool tls_digest_info(mbedtls_md_type_t md, const unsigned char *hash, size_t hash_len,
		     unsigned char *out, size_t out_size, size_t *out_len);

/* ---- pk.c ---- */

/* The mbedTLS private-key context of a connection: a copy of the
 * certificate's public key whose signing calls the token. */
struct tls_pk {
	mbedtls_pk_context pk;
	mbedtls_pk_info_t ec_info; /* EC: the EC key type with our sign function */
	struct tls_token *tok;
	size_t rsa_len; /* RSA: the modulus length in bytes */
};

/* Sets up pk->pk for the token's key and the certificate's public key
 * (cert_pk). Checks that the two belong together first. */
int tls_pk_setup(struct tls_pk *pk, struct tls_token *tok, mbedtls_pk_context *cert_pk,
		 struct tls_err *e);
void tls_pk_free(struct tls_pk *pk);

/* ---- net.c ---- */

/* A transport over a TCP connection to host:port, made within timeout_ms. */
int tls_net_connect(iot_tls_transport *tr, const char *host, const char *port, unsigned timeout_ms,
		    struct tls_err *e);

#endif
