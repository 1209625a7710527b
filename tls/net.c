/*
 * The default transport: a TCP connection over POSIX sockets, with every
 * wait bounded (non-blocking socket + poll). A device brings its own
 * iot_tls_transport instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct net {
	int fd;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long long left = deadline - now_ms();
		int r;

		if (left < 0)
			left = 0;
		r = poll(&p, 1, (int)(left > 0x7fffffff ? 0x7fffffff : left));
		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static int net_send(void *ctx, const unsigned char *buf, size_t len, unsigned timeout_ms)
{
	struct net *n = ctx;
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		ssize_t r = send(n->fd, buf, len, MSG_NOSIGNAL);

		if (r > 0)
			return (int)(r > 0x7fffffff ? 0x7fffffff : r);
		if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return IOT_TLS_ERR_IO;
		r = wait_fd(n->fd, POLLOUT, deadline);
		if (r == 0)
			return IOT_TLS_ERR_TIMEOUT;
		if (r < 0)
			return IOT_TLS_ERR_IO;
	}
}

static int net_recv(void *ctx, unsigned char *buf, size_t len, unsigned timeout_ms)
{
	struct net *n = ctx;
	long long deadline = now_ms() + timeout_ms;

	if (len > 0x7fffffff)
		len = 0x7fffffff;
	for (;;) {
		ssize_t r = recv(n->fd, buf, len, 0);

		if (r >= 0)
			return (int)r;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return errno == ECONNRESET ? IOT_TLS_ERR_CLOSED : IOT_TLS_ERR_IO;
		r = wait_fd(n->fd, POLLIN, deadline);
		if (r == 0)
			return IOT_TLS_ERR_TIMEOUT;
		if (r < 0)
			return IOT_TLS_ERR_IO;
	}
}

static void net_close(void *ctx)
{
	struct net *n = ctx;

	close(n->fd);
	free(n);
}

/* Connects one address within deadline: the socket, or -1 with *err set
 * (errno value, or ETIMEDOUT). */
static int connect_one(const struct addrinfo *ai, long long deadline, int *err)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return -1;
	}
	switch (wait_fd(fd, POLLOUT, deadline)) {
	case 1:
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
			return fd;
		*err = soerr ? soerr : errno;
		break;
	case 0:
		*err = ETIMEDOUT;
		break;
	default:
		*err = errno;
	}
	close(fd);
	return -1;
}

int tls_net_connect(iot_tls_transport *tr, const char *host, const char *port, unsigned timeout_ms,
		    struct tls_err *e)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	long long deadline = now_ms() + timeout_ms;
	struct net *n;
	int fd = -1, err = 0, r;

	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0) {
		tls_errf(e, "resolving %s port %s: %s", host, port, gai_strerror(r));
		return IOT_TLS_ERR_CONNECT;
	}
	for (const struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = connect_one(ai, deadline, &err);
	freeaddrinfo(res);
	if (fd < 0) {
		tls_errf(e, "connecting to %s port %s: %s", host, port,
			 err == ETIMEDOUT ? "timed out" : strerror(err));
		return err == ETIMEDOUT ? IOT_TLS_ERR_TIMEOUT : IOT_TLS_ERR_CONNECT;
	}
	n = malloc(sizeof(*n));
	if (n == NULL) {
		close(fd);
		tls_errf(e, "out of memory");
		return IOT_TLS_ERR_MEMORY;
	}
	n->fd = fd;
	*tr = (iot_tls_transport){
		.ctx = n, .send = net_send, .recv = net_recv, .close = net_close
	};
	return IOT_TLS_OK;
}
