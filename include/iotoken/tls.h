/*
 * iotoken TLS helper: a TLS client (mbedTLS) that authenticates with a
 * private key held in a PKCS#11 token. When the handshake needs the
 * client's signature (CertificateVerify) the helper calls C_SignInit and
 * C_Sign in the token: CKM_ECDSA for EC keys (the r||s result is encoded as
 * the DER that TLS carries), CKM_RSA_PKCS over a DigestInfo for RSA keys.
 * The private key never leaves the token.
 *
 * The helper uses only the CK_FUNCTION_LIST it is given, so it works with
 * any module (iotoken's, SoftHSM2, a hardware token). The caller loads the
 * module and calls C_Initialize before iot_tls_connect, and C_Finalize
 * after the last iot_tls_close: the helper never initializes or finalizes
 * the module. Each connection has its own PKCS#11 session.
 *
 * Conventions: functions that can fail return IOT_TLS_OK (0) or a negative
 * iot_tls_err; iot_tls_connect also writes a one-line explanation into the
 * caller's buffer (the PKCS#11 call and CKR_* name, or mbedTLS's reason).
 * Strings are NUL-terminated UTF-8. Nothing is left allocated or open after
 * a failed call, and iot_tls_close releases everything of a connection.
 * A channel is used by one thread at a time.
 */
#ifndef IOTOKEN_TLS_H
#define IOTOKEN_TLS_H

#include <stddef.h>
#include <sys/types.h>

#include "iotoken/pkcs11.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum iot_tls_err {
	IOT_TLS_OK = 0,
	IOT_TLS_ERR_ARGS = -1,         /* a bad configuration or argument */
	IOT_TLS_ERR_MEMORY = -2,       /* out of memory */
	IOT_TLS_ERR_TOKEN = -3,        /* token or slot not found, or a PKCS#11 call failed */
	IOT_TLS_ERR_PIN = -4,          /* PIN incorrect, locked, expired or invalid */
	IOT_TLS_ERR_KEY = -5,          /* no such private key, or more than one, or unusable */
	IOT_TLS_ERR_CERT = -6,         /* no such certificate, or not parsable */
	IOT_TLS_ERR_KEY_MISMATCH = -7, /* the certificate does not carry the key's public key */
	IOT_TLS_ERR_CA = -8,           /* the CA certificates could not be loaded */
	IOT_TLS_ERR_CONNECT = -9,      /* name resolution or TCP connection failed */
	IOT_TLS_ERR_TIMEOUT = -10,     /* the peer did not answer in time */
	IOT_TLS_ERR_HANDSHAKE = -11,   /* the TLS handshake failed (alert, protocol error) */
	IOT_TLS_ERR_VERIFY = -12,      /* the server's certificate or name did not verify */
	IOT_TLS_ERR_SIGN = -13,        /* the token refused to sign during the handshake */
	IOT_TLS_ERR_IO = -14,          /* sending or receiving failed */
	IOT_TLS_ERR_CLOSED = -15,      /* the peer closed the connection */
} iot_tls_err;

/* The transport under TLS when the caller brings its own (a device's socket
 * layer). send/recv return the bytes moved (> 0), 0 only from recv at end of
 * stream, IOT_TLS_ERR_TIMEOUT when timeout_ms passed without progress, or
 * another negative iot_tls_err. close is called once, by iot_tls_close or a
 * failed iot_tls_connect. */
typedef struct iot_tls_transport {
	void *ctx;
	int (*send)(void *ctx, const unsigned char *buf, size_t len, unsigned timeout_ms);
	int (*recv)(void *ctx, unsigned char *buf, size_t len, unsigned timeout_ms);
	void (*close)(void *ctx);
} iot_tls_transport;

typedef struct iot_tls_config {
	/* The module's function list, after C_Initialize. Required. */
	CK_FUNCTION_LIST_PTR p11;

	/* Which token: slot_id when use_slot_id is set; else the token whose
	 * label is token_label; else the token named by a token= attribute in
	 * the key's or certificate's pkcs11: URI; else the only token present. */
	CK_SLOT_ID slot_id;
	int use_slot_id;
	const char *token_label;

	/* The user PIN (NULL: no C_Login, for tokens already logged in or keys
	 * that are not private objects). Not kept after iot_tls_connect. */
	const char *pin;

	/* The private key and certificate: an RFC 7512 pkcs11: URI (path
	 * attributes token, object, id, type, manufacturer, model, serial) or a
	 * label. key NULL: no client certificate is sent (anonymous client).
	 * cert NULL: the certificate with the private key's CKA_ID. */
	const char *key;
	const char *cert;

	/* Trust anchors for the server's certificate: a PEM or DER file, or a
	 * buffer (PEM or DER; PEM need not be NUL-terminated). Required: the
	 * helper never connects without verifying the server. */
	const char *ca_file;
	const unsigned char *ca;
	size_t ca_len;

	/* The name the server's certificate must carry (subjectAltName dNSName
	 * or CN). NULL: host. */
	const char *server_name;

	/* Where to connect (TCP, POSIX sockets): host name or address, and port
	 * ("8883"). Ignored when transport is given. */
	const char *host;
	const char *port;
	const iot_tls_transport *transport;

	/* Bound for the TCP connect, for the whole handshake, and for each
	 * iot_tls_send/iot_tls_recv without progress. 0: 10 000 ms. */
	unsigned timeout_ms;

	/* mbedTLS debug output (0 none .. 4 verbose) through debug_cb, if set. */
	int debug_level;
	void (*debug_cb)(void *ctx, const char *line);
	void *debug_ctx;
} iot_tls_config;

typedef struct iot_tls iot_tls;

/* Opens a session, logs in, finds the key and certificate (checking that
 * they belong together), connects and completes the TLS handshake with the
 * server verified. On success *out is the channel. err (optional, errlen
 * bytes) receives the reason of a failure. */
int iot_tls_connect(const iot_tls_config *cfg, iot_tls **out, char *err, size_t errlen);

/* Sends all len bytes (returns len) or fails. */
ssize_t iot_tls_send(iot_tls *t, const void *buf, size_t len);

/* Receives up to len bytes: returns how many (> 0), 0 when the peer closed
 * the connection cleanly, or a negative iot_tls_err (IOT_TLS_ERR_TIMEOUT
 * when nothing arrived within the timeout; the channel stays usable). */
ssize_t iot_tls_recv(iot_tls *t, void *buf, size_t len);

/* Sends close_notify (best effort), closes the transport and the PKCS#11
 * session and frees everything. NULL is allowed. The helper never calls
 * C_Logout: the login state belongs to the application and ends with its
 * last session (PKCS#11 v2.40 section 5.6). */
void iot_tls_close(iot_tls *t);

/* The negotiated protocol and ciphersuite ("TLSv1.2", "TLS-ECDHE-..."). */
const char *iot_tls_version(const iot_tls *t);
const char *iot_tls_ciphersuite(const iot_tls *t);

/* The name of an iot_tls_err ("IOT_TLS_ERR_PIN"), or "IOT_TLS_ERR_?" */
const char *iot_tls_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
