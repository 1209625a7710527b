/*
 * iot_tls_connect and the channel (include/iotoken/tls.h): the mbedTLS
 * client configuration, the handshake within a deadline, and the errors a
 * caller can act on.
 *
 * The configuration is strict on purpose: TLS 1.2 or later, the server's
 * certificate must verify against the caller's CA certificates and carry
 * the expected name (MBEDTLS_SSL_VERIFY_REQUIRED), no renegotiation.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/debug.h>
#include <mbedtls/net_sockets.h> /* MBEDTLS_ERR_NET_* only: the transport is ours */

#include "../tools/common/ckr_name.h"
#include "internal.h"

#define DEFAULT_TIMEOUT_MS 10000u

struct iot_tls {
	struct tls_token tok;
	struct tls_pk pk;
	mbedtls_x509_crt own_cert;
	mbedtls_x509_crt ca;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_config conf;
	mbedtls_ssl_context ssl;
	iot_tls_transport tr;
	bool tr_open;
	bool closed;
	unsigned timeout_ms;
	long long deadline; /* during the handshake: its end (ms), else 0 */
	void (*debug_cb)(void *ctx, const char *line);
	void *debug_ctx;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The wait allowed to one transport call: the timeout, or what is left of
 * the handshake's. */
static unsigned wait_ms(const struct iot_tls *t)
{
	long long left;

	if (t->deadline == 0)
		return t->timeout_ms;
	left = t->deadline - now_ms();
	return left <= 0 ? 0 : (unsigned)left;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct iot_tls *t = ctx;
	int r = t->tr.send(t->tr.ctx, buf, len, wait_ms(t));

	if (r > 0)
		return r;
	return r == IOT_TLS_ERR_TIMEOUT ? MBEDTLS_ERR_SSL_TIMEOUT : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len, uint32_t timeout)
{
	struct iot_tls *t = ctx;
	unsigned ms = wait_ms(t);
	int r;

	if (timeout != 0 && timeout < ms)
		ms = timeout;
	r = t->tr.recv(t->tr.ctx, buf, len, ms);
	if (r >= 0)
		return r; /* 0: end of stream, which mbedTLS reports as such */
	if (r == IOT_TLS_ERR_TIMEOUT)
		return MBEDTLS_ERR_SSL_TIMEOUT;
	return r == IOT_TLS_ERR_CLOSED ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
}

/* The token's random generator as an entropy source beside the platform's. */
static int token_entropy(void *ctx, unsigned char *out, size_t len, size_t *olen)
{
	struct iot_tls *t = ctx;

	if (tls_token_random(&t->tok, out, len) != CKR_OK)
		return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
	*olen = len;
	return 0;
}

static void debug_line(void *ctx, int level, const char *file, int line, const char *msg)
{
	struct iot_tls *t = ctx;
	char buf[512];

	(void)level;
	snprintf(buf, sizeof(buf), "%s:%d: %s", file, line, msg);
	t->debug_cb(t->debug_ctx, buf);
}

static void mbed_reason(int ret, char *buf, size_t len)
{
	mbedtls_strerror(ret, buf, len);
}

static int load_ca(struct iot_tls *t, const iot_tls_config *cfg, struct tls_err *e)
{
	char why[128];
	int ret;

	if (cfg->ca_file != NULL) {
		ret = mbedtls_x509_crt_parse_file(&t->ca, cfg->ca_file);
	} else {
		/* PEM must be NUL-terminated for mbedTLS, and the NUL counted. */
		unsigned char *copy = malloc(cfg->ca_len + 1);

		if (copy == NULL) {
			tls_errf(e, "out of memory");
			return IOT_TLS_ERR_MEMORY;
		}
		memcpy(copy, cfg->ca, cfg->ca_len);
		copy[cfg->ca_len] = '\0';
		ret = mbedtls_x509_crt_parse(&t->ca, copy, cfg->ca_len + 1);
		free(copy);
		/* DER is taken as is. */
		if (ret != 0 && (cfg->ca_len == 0 || cfg->ca[0] == 0x30))
			ret = mbedtls_x509_crt_parse_der(&t->ca, cfg->ca, cfg->ca_len);
	}
	/* Positive: that many certificates could not be parsed, others were. */
	if (ret < 0 || t->ca.version == 0) {
		mbed_reason(ret, why, sizeof(why));
		tls_errf(e, "CA certificates %s%s: %s", cfg->ca_file ? "in " : "(buffer)",
			 cfg->ca_file ? cfg->ca_file : "", ret < 0 ? why : "none parsable");
		return IOT_TLS_ERR_CA;
	}
	return IOT_TLS_OK;
}

/* The client's identity: certificate from the token, key in the token. */
static int load_identity(struct iot_tls *t, const iot_tls_config *cfg, struct tls_err *e)
{
	char why[128];
	int ret;

	ret = tls_token_find(&t->tok, cfg, e);
	if (ret != IOT_TLS_OK)
		return ret;
	ret = mbedtls_x509_crt_parse_der(&t->own_cert, t->tok.cert_der, t->tok.cert_len);
	if (ret != 0) {
		mbed_reason(ret, why, sizeof(why));
		tls_errf(e, "the certificate in the token does not parse: %s", why);
		return IOT_TLS_ERR_CERT;
	}
	ret = tls_pk_setup(&t->pk, &t->tok, &t->own_cert.pk, e);
	if (ret != IOT_TLS_OK)
		return ret;
	if (mbedtls_ssl_conf_own_cert(&t->conf, &t->own_cert, &t->pk.pk) != 0) {
		tls_errf(e, "out of memory");
		return IOT_TLS_ERR_MEMORY;
	}
	return IOT_TLS_OK;
}

static int setup(struct iot_tls *t, const iot_tls_config *cfg, struct tls_err *e)
{
	static const unsigned char pers[] = "iotoken-tls";
	unsigned char probe[16];
	int ret;

	ret = tls_token_open(&t->tok, cfg, e);
	if (ret != IOT_TLS_OK)
		return ret;
	ret = load_ca(t, cfg, e);
	if (ret != IOT_TLS_OK)
		return ret;
	if (mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
					MBEDTLS_SSL_TRANSPORT_STREAM,
					MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
		tls_errf(e, "mbedtls_ssl_config_defaults failed");
		return IOT_TLS_ERR_MEMORY;
	}
	if (cfg->key != NULL) {
		ret = load_identity(t, cfg, e);
		if (ret != IOT_TLS_OK)
			return ret;
	}
	/* A token that has a generator adds it to the platform's sources. */
	if (tls_token_random(&t->tok, probe, sizeof(probe)) == CKR_OK &&
	    mbedtls_entropy_add_source(&t->entropy, token_entropy, t, 32,
				       MBEDTLS_ENTROPY_SOURCE_STRONG) != 0) {
		tls_errf(e, "mbedtls_entropy_add_source failed");
		return IOT_TLS_ERR_MEMORY;
	}
	if (mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy, pers,
				  sizeof(pers) - 1) != 0) {
		tls_errf(e, "seeding the random generator failed");
		return IOT_TLS_ERR_TOKEN;
	}
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
	mbedtls_ssl_conf_read_timeout(&t->conf, t->timeout_ms);
	if (cfg->debug_cb != NULL) {
		mbedtls_ssl_conf_dbg(&t->conf, debug_line, t);
		mbedtls_debug_set_threshold(cfg->debug_level);
	}
	if (mbedtls_ssl_setup(&t->ssl, &t->conf) != 0 ||
	    mbedtls_ssl_set_hostname(&t->ssl, cfg->server_name ? cfg->server_name : cfg->host) !=
		    0) {
		tls_errf(e, "out of memory");
		return IOT_TLS_ERR_MEMORY;
	}
	return IOT_TLS_OK;
}

/* Why the handshake ended with ret. */
static int handshake_error(struct iot_tls *t, int ret, struct tls_err *e)
{
	uint32_t flags = mbedtls_ssl_get_verify_result(&t->ssl);
	char why[256];

	if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags != 0 && flags != (uint32_t)-1) {
		int n = mbedtls_x509_crt_verify_info(why, sizeof(why), "", flags);

		/* One line: the reasons joined by "; ". */
		for (int i = 0; i < n && why[i] != '\0'; i++)
			if (why[i] == '\n')
				why[i] = (why[i + 1] != '\0') ? ';' : '\0';
		tls_errf(e, "the server's certificate did not verify: %s", why);
		return IOT_TLS_ERR_VERIFY;
	}
	if (t->tok.sign_rv != CKR_OK) {
		tls_errf(e, "the token did not sign the handshake (C_Sign): %s",
			 iot_ckr_name(t->tok.sign_rv));
		return IOT_TLS_ERR_SIGN;
	}
	if (ret == MBEDTLS_ERR_SSL_TIMEOUT) {
		tls_errf(e, "the handshake timed out after %u ms", t->timeout_ms);
		return IOT_TLS_ERR_TIMEOUT;
	}
	mbed_reason(ret, why, sizeof(why));
	/* A server that refuses the client's flight (no certificate, or one it
	 * does not accept) may close the connection before the client reads its
	 * alert: mbedTLS writes the flight one message at a time, so the next
	 * write fails (EPIPE) or the next read finds the end. Whether the alert
	 * or the closed socket is seen first is a race; both are the handshake
	 * failing, not the transport. */
	if ((ret == MBEDTLS_ERR_NET_SEND_FAILED || ret == MBEDTLS_ERR_NET_RECV_FAILED ||
	     ret == MBEDTLS_ERR_NET_CONN_RESET || ret == MBEDTLS_ERR_SSL_CONN_EOF) &&
	    TLS_SSL_STATE(&t->ssl) > MBEDTLS_SSL_SERVER_HELLO_DONE) {
		tls_errf(e, "the server closed the connection during the handshake (%s)%s", why,
			 t->pk.pk.pk_info == NULL ? "; it may require a client certificate" : "");
		return IOT_TLS_ERR_HANDSHAKE;
	}
	if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE)
		tls_errf(e, "the server ended the handshake with an alert (%s)%s", why,
			 t->pk.pk.pk_info == NULL ? "; it may require a client certificate" : "");
	else
		tls_errf(e, "the handshake failed: %s (-0x%04x)", why, (unsigned)-ret);
	return ret == MBEDTLS_ERR_NET_SEND_FAILED || ret == MBEDTLS_ERR_NET_RECV_FAILED ||
			       ret == MBEDTLS_ERR_NET_CONN_RESET || ret == MBEDTLS_ERR_SSL_CONN_EOF
		       ? IOT_TLS_ERR_IO
		       : IOT_TLS_ERR_HANDSHAKE;
}

static int handshake(struct iot_tls *t, struct tls_err *e)
{
	int ret;

	t->deadline = now_ms() + t->timeout_ms;
	do {
		ret = mbedtls_ssl_handshake(&t->ssl);
	} while ((ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) &&
		 now_ms() < t->deadline);
	t->deadline = 0;
	if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
		ret = MBEDTLS_ERR_SSL_TIMEOUT;
	return ret == 0 ? IOT_TLS_OK : handshake_error(t, ret, e);
}

static void release(struct iot_tls *t)
{
	mbedtls_ssl_free(&t->ssl);
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->entropy);
	tls_pk_free(&t->pk);
	mbedtls_x509_crt_free(&t->own_cert);
	mbedtls_x509_crt_free(&t->ca);
	if (t->tr_open)
		t->tr.close(t->tr.ctx);
	tls_token_close(&t->tok);
	mbedtls_platform_zeroize(t, sizeof(*t));
	free(t);
}

static bool config_ok(const iot_tls_config *cfg, struct tls_err *e)
{
	const char *why = NULL;

	if (cfg->p11 == NULL)
		why = "no PKCS#11 function list (p11)";
	else if (cfg->ca_file == NULL && (cfg->ca == NULL || cfg->ca_len == 0))
		why = "no CA certificates (ca_file or ca): the server must be verified";
	else if (cfg->transport == NULL && (cfg->host == NULL || cfg->port == NULL))
		why = "no host and port (or transport)";
	else if (cfg->server_name == NULL && cfg->host == NULL)
		why = "no server_name to verify the server against";
	else if (cfg->transport != NULL &&
		 (cfg->transport->send == NULL || cfg->transport->recv == NULL ||
		  cfg->transport->close == NULL))
		why = "a transport needs send, recv and close";
	else if (cfg->key == NULL && cfg->cert != NULL)
		why = "a certificate without a key";
	if (why != NULL)
		tls_errf(e, "%s", why);
	return why == NULL;
}

int iot_tls_connect(const iot_tls_config *cfg, iot_tls **out, char *err, size_t errlen)
{
	struct tls_err e = { err, errlen };
	struct iot_tls *t;
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || cfg == NULL) {
		tls_errf(&e, "no configuration or output");
		return IOT_TLS_ERR_ARGS;
	}
	*out = NULL;
	if (!config_ok(cfg, &e))
		return IOT_TLS_ERR_ARGS;
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		tls_errf(&e, "out of memory");
		return IOT_TLS_ERR_MEMORY;
	}
	t->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
	t->debug_cb = cfg->debug_cb;
	t->debug_ctx = cfg->debug_ctx;
	t->tok.sign_rv = CKR_OK;
	mbedtls_x509_crt_init(&t->own_cert);
	mbedtls_x509_crt_init(&t->ca);
	mbedtls_pk_init(&t->pk.pk);
	mbedtls_entropy_init(&t->entropy);
	mbedtls_ctr_drbg_init(&t->drbg);
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_ssl_init(&t->ssl);

	ret = setup(t, cfg, &e);
	if (ret == IOT_TLS_OK) {
		if (cfg->transport != NULL)
			t->tr = *cfg->transport;
		else
			ret = tls_net_connect(&t->tr, cfg->host, cfg->port, t->timeout_ms, &e);
	}
	if (ret == IOT_TLS_OK) {
		t->tr_open = true;
		mbedtls_ssl_set_bio(&t->ssl, t, bio_send, NULL, bio_recv);
		ret = handshake(t, &e);
	}
	if (ret != IOT_TLS_OK) {
		release(t);
		return ret;
	}
	*out = t;
	return IOT_TLS_OK;
}

ssize_t iot_tls_send(iot_tls *t, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t done = 0;

	if (t == NULL || (buf == NULL && len > 0) || len > SSIZE_MAX)
		return IOT_TLS_ERR_ARGS;
	if (t->closed)
		return IOT_TLS_ERR_CLOSED;
	while (done < len) {
		int r = mbedtls_ssl_write(&t->ssl, p + done, len - done);

		if (r > 0)
			done += (size_t)r;
		else if (r == MBEDTLS_ERR_SSL_TIMEOUT)
			return IOT_TLS_ERR_TIMEOUT;
		else if (r != MBEDTLS_ERR_SSL_WANT_READ && r != MBEDTLS_ERR_SSL_WANT_WRITE)
			return IOT_TLS_ERR_IO;
	}
	return (ssize_t)len;
}

ssize_t iot_tls_recv(iot_tls *t, void *buf, size_t len)
{
	if (t == NULL || buf == NULL || len == 0)
		return IOT_TLS_ERR_ARGS;
	if (t->closed)
		return 0;
	for (;;) {
		int r = mbedtls_ssl_read(&t->ssl, buf, len);

		if (r > 0)
			return r;
		switch (r) {
		case MBEDTLS_ERR_SSL_WANT_READ:
		case MBEDTLS_ERR_SSL_WANT_WRITE:
			continue;
		case 0:
		case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
			t->closed = true;
			return 0;
		case MBEDTLS_ERR_SSL_TIMEOUT:
			return IOT_TLS_ERR_TIMEOUT;
		case MBEDTLS_ERR_NET_CONN_RESET:
		case MBEDTLS_ERR_SSL_CONN_EOF:
			/* Closed without close_notify: the data may be truncated. */
			t->closed = true;
			return IOT_TLS_ERR_CLOSED;
		default:
			return IOT_TLS_ERR_IO;
		}
	}
}

void iot_tls_close(iot_tls *t)
{
	if (t == NULL)
		return;
	if (!t->closed) {
		/* Best effort, bounded: a peer that does not read does not hold us. */
		t->deadline = now_ms() + (t->timeout_ms < 1000 ? t->timeout_ms : 1000);
		mbedtls_ssl_close_notify(&t->ssl);
	}
	release(t);
}

const char *iot_tls_version(const iot_tls *t)
{
	return t ? mbedtls_ssl_get_version(&t->ssl) : "";
}

const char *iot_tls_ciphersuite(const iot_tls *t)
{
	return t ? mbedtls_ssl_get_ciphersuite(&t->ssl) : "";
}

const char *iot_tls_strerror(int err)
{
	static const char *const names[] = {
		"IOT_TLS_OK",          "IOT_TLS_ERR_ARGS",         "IOT_TLS_ERR_MEMORY",
		"IOT_TLS_ERR_TOKEN",   "IOT_TLS_ERR_PIN",          "IOT_TLS_ERR_KEY",
		"IOT_TLS_ERR_CERT",    "IOT_TLS_ERR_KEY_MISMATCH", "IOT_TLS_ERR_CA",
		"IOT_TLS_ERR_CONNECT", "IOT_TLS_ERR_TIMEOUT",      "IOT_TLS_ERR_HANDSHAKE",
		"IOT_TLS_ERR_VERIFY",  "IOT_TLS_ERR_SIGN",         "IOT_TLS_ERR_IO",
		"IOT_TLS_ERR_CLOSED",
	};

	if (err > 0 || -err >= (int)(sizeof(names) / sizeof(names[0])))
		return "IOT_TLS_ERR_?";
	return names[-err];
}
