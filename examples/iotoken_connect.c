/*
 * iotoken-connect: a TLS client that authenticates with a key held in a
 * PKCS#11 token, through the TLS helper (include/iotoken/tls.h). It loads a
 * module, connects to HOST:PORT, sends a line and prints what comes back
 * (for `openssl s_server -rev`), or with --mqtt sends an MQTT CONNECT and
 * prints the broker's CONNACK.
 *
 *   iotoken-connect --ca ca.pem --key device --pin 1234 broker.example:8883
 *
 * Exit status: 0 success, 1 failure (the reason on stderr, starting with
 * the helper's error name), 2 usage.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotoken/tls.h"

#ifndef IOTOKEN_DEFAULT_MODULE
#define IOTOKEN_DEFAULT_MODULE "libiotoken.so"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iotoken-connect [options] HOST:PORT\n"
		"  --module PATH      PKCS#11 module (default: $IOTOKEN_MODULE, else %s)\n"
		"  --token LABEL      token label (default: from the key's URI, or the only token)\n"
		"  --slot ID          slot id instead of a token label\n"
		"  --pin PIN          user PIN (default: $IOTOKEN_PIN; none: no login)\n"
		"  --key NAME         private key: label or pkcs11: URI (none: no client certificate)\n"
		"  --cert NAME        certificate: label or pkcs11: URI (default: the key's CKA_ID)\n"
		"  --ca FILE          CA certificates for the server (PEM or DER), required\n"
		"  --ca-mem FILE      the same, read into memory first and passed as a buffer\n"
		"                     (as firmware with a built-in CA does)\n"
		"  --servername NAME  name the server's certificate must carry (default: HOST)\n"
		"  --timeout MS       bound for connect, handshake and each read (default 10000)\n"
		"  --send TEXT        the line to send (default: \"hello from iotoken\")\n"
		"  --mqtt CLIENT_ID   send an MQTT 3.1.1 CONNECT instead, print the CONNACK\n"
		"  --debug N          mbedTLS debug output level 0..4 on stderr\n",
		IOTOKEN_DEFAULT_MODULE);
}

static void debug_print(void *ctx, const char *line)
{
	(void)ctx;
	fputs(line, stderr);
}

static CK_FUNCTION_LIST_PTR load(const char *path, void **dl)
{
	CK_C_GetFunctionList get;
	CK_FUNCTION_LIST_PTR f = NULL;
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	CK_RV rv;

	*dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (*dl == NULL) {
		fprintf(stderr, "iotoken-connect: cannot load %s: %s\n", path, dlerror());
		return NULL;
	}
	*(void **)&get = dlsym(*dl, "C_GetFunctionList");
	if (get == NULL || get(&f) != CKR_OK) {
		fprintf(stderr, "iotoken-connect: %s is not a PKCS#11 module\n", path);
		return NULL;
	}
	rv = f->C_Initialize(&args);
	if (rv != CKR_OK) {
		fprintf(stderr, "iotoken-connect: C_Initialize: 0x%lx\n", (unsigned long)rv);
		return NULL;
	}
	return f;
}

/* Reads a whole (small) file into a malloc'ed buffer. */
static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < (1L << 20) &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) != NULL &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		*len = (size_t)n;
	fclose(f);
	return buf;
}

/* Reads until a newline, the end of the stream or the timeout. */
static int exchange_line(iot_tls *t, const char *text)
{
	char buf[4096];
	size_t got = 0;
	ssize_t r;

	if (iot_tls_send(t, text, strlen(text)) < 0 || iot_tls_send(t, "\n", 1) < 0) {
		fprintf(stderr, "iotoken-connect: sending failed\n");
		return 1;
	}
	while (got < sizeof(buf) - 1 && memchr(buf, '\n', got) == NULL) {
		r = iot_tls_recv(t, buf + got, sizeof(buf) - 1 - got);
		if (r == 0)
			break;
		if (r < 0) {
			fprintf(stderr, "iotoken-connect: receiving: %s\n",
				iot_tls_strerror((int)r));
			return 1;
		}
		got += (size_t)r;
	}
	buf[got] = '\0';
	printf("received: %s%s", buf, got > 0 && buf[got - 1] == '\n' ? "" : "\n");
	return got > 0 ? 0 : 1;
}

/* MQTT 3.1.1 (OASIS standard, sections 3.1 and 3.2): CONNECT with a clean
 * session and the client id, then the 4-byte CONNACK. */
static int exchange_mqtt(iot_tls *t, const char *client_id)
{
	unsigned char pkt[2 + 10 + 2 + 100], ack[4];
	size_t idlen = strlen(client_id), n = 0, got = 0;
	static const char *const codes[] = {
		"accepted",           "unacceptable protocol version", "identifier rejected",
		"server unavailable", "bad user name or password",     "not authorized"
	};

	if (idlen == 0 || idlen > 100) {
		fprintf(stderr, "iotoken-connect: --mqtt: client id of 1 to 100 bytes\n");
		return 2;
	}
	pkt[n++] = 0x10;
	pkt[n++] = (unsigned char)(10 + 2 + idlen);
	memcpy(pkt + n, "\x00\x04MQTT\x04\x02\x00\x3c", 10);
	n += 10;
	pkt[n++] = 0;
	pkt[n++] = (unsigned char)idlen;
	memcpy(pkt + n, client_id, idlen);
	n += idlen;
	if (iot_tls_send(t, pkt, n) < 0) {
		fprintf(stderr, "iotoken-connect: sending CONNECT failed\n");
		return 1;
	}
	while (got < sizeof(ack)) {
		ssize_t r = iot_tls_recv(t, ack + got, sizeof(ack) - got);

		if (r <= 0) {
			fprintf(stderr, "iotoken-connect: no CONNACK: %s\n",
				r == 0 ? "connection closed" : iot_tls_strerror((int)r));
			return 1;
		}
		got += (size_t)r;
	}
	if (ack[0] != 0x20 || ack[1] != 2) {
		fprintf(stderr, "iotoken-connect: not a CONNACK: %02x %02x\n", ack[0], ack[1]);
		return 1;
	}
	printf("CONNACK: return code %u (%s)\n", ack[3], ack[3] < 6 ? codes[ack[3]] : "unknown");
	iot_tls_send(t, "\xe0\x00", 2); /* DISCONNECT */
	return ack[3] == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	iot_tls_config cfg = { 0 };
	const char *module = getenv("IOTOKEN_MODULE"), *text = "hello from iotoken";
	const char *mqtt = NULL, *target = NULL, *ca_mem = NULL;
	unsigned char *ca_buf = NULL;
	char host[256], err[512];
	CK_FUNCTION_LIST_PTR f;
	iot_tls *t = NULL;
	void *dl = NULL;
	char *colon;
	int ret, status;

	if (module == NULL || module[0] == '\0')
		module = IOTOKEN_DEFAULT_MODULE;
	cfg.pin = getenv("IOTOKEN_PIN");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (a[0] != '-') {
			if (target != NULL) {
				usage(stderr);
				return 2;
			}
			target = a;
			continue;
		}
		if (v == NULL) {
			fprintf(stderr, "iotoken-connect: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (strcmp(a, "--module") == 0)
			module = v;
		else if (strcmp(a, "--token") == 0)
			cfg.token_label = v;
		else if (strcmp(a, "--slot") == 0)
			cfg.slot_id = strtoul(v, NULL, 0), cfg.use_slot_id = 1;
		else if (strcmp(a, "--pin") == 0)
			cfg.pin = v;
		else if (strcmp(a, "--key") == 0)
			cfg.key = v;
		else if (strcmp(a, "--cert") == 0)
			cfg.cert = v;
		else if (strcmp(a, "--ca") == 0)
			cfg.ca_file = v;
		else if (strcmp(a, "--ca-mem") == 0)
			ca_mem = v;
		else if (strcmp(a, "--servername") == 0)
			cfg.server_name = v;
		else if (strcmp(a, "--timeout") == 0)
			cfg.timeout_ms = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(a, "--send") == 0)
			text = v;
		else if (strcmp(a, "--mqtt") == 0)
			mqtt = v;
		else if (strcmp(a, "--debug") == 0)
			cfg.debug_level = atoi(v), cfg.debug_cb = debug_print;
		else {
			fprintf(stderr, "iotoken-connect: unknown option %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	colon = target ? strrchr(target, ':') : NULL;
	if (colon == NULL || colon == target || (size_t)(colon - target) >= sizeof(host) ||
	    colon[1] == '\0' || (cfg.ca_file == NULL) == (ca_mem == NULL)) {
		usage(stderr);
		return 2;
	}
	if (ca_mem != NULL) {
		ca_buf = read_file(ca_mem, &cfg.ca_len);
		if (ca_buf == NULL) {
			fprintf(stderr, "iotoken-connect: cannot read %s\n", ca_mem);
			return 1;
		}
		cfg.ca = ca_buf;
	}
	memcpy(host, target, (size_t)(colon - target));
	host[colon - target] = '\0';
	cfg.host = host;
	cfg.port = colon + 1;

	f = load(module, &dl);
	if (f == NULL) {
		if (dl != NULL)
			dlclose(dl);
		free(ca_buf);
		return 1;
	}
	cfg.p11 = f;
	ret = iot_tls_connect(&cfg, &t, err, sizeof(err));
	if (ret != IOT_TLS_OK) {
		fprintf(stderr, "iotoken-connect: %s: %s\n", iot_tls_strerror(ret), err);
		status = 1;
	} else {
		printf("connected to %s:%s: %s, %s; server certificate verified (%s)\n", host,
		       cfg.port, iot_tls_version(t), iot_tls_ciphersuite(t),
		       cfg.server_name ? cfg.server_name : host);
		fflush(stdout);
		status = mqtt ? exchange_mqtt(t, mqtt) : exchange_line(t, text);
		iot_tls_close(t);
	}
	f->C_Finalize(NULL);
	dlclose(dl);
	free(ca_buf);
	return status;
}
