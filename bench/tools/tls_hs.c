/* tls_hs: TLS handshakes against a server for a number of seconds, one
 * connection after another, each with one HTTP/1.1 request (Connection:
 * close) read to the end. "new" offers no session, so every handshake is
 * a full one (wrk and h2load re-offer the last session); "resume" offers
 * the session of the first connection and counts how many were resumed.
 *   tls_hs HOST PORT SECONDS new|resume [PATH]
 * Prints "handshakes N resumed R failed F". */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dial(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One connection: handshake, request, reply to the end. Returns 1 when
 * resumed, 0 when full, -1 on failure; *keep gets the session if asked. */
static int
one(SSL_CTX *ctx, const char *host, int port, const char *req,
    SSL_SESSION *offer, SSL_SESSION **keep)
{
	char buf[16384];
	int fd = dial(host, port), rc = -1;
	SSL *ssl = fd >= 0 ? SSL_new(ctx) : NULL;

	if (ssl == NULL)
		goto out;
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, "localhost");
	if (offer)
		SSL_set_session(ssl, offer);
	if (SSL_connect(ssl) != 1 ||
	    SSL_write(ssl, req, (int)strlen(req)) <= 0)
		goto out;
	while (SSL_read(ssl, buf, sizeof buf) > 0)
		;
	rc = SSL_session_reused(ssl);
	if (keep)
		*keep = SSL_get1_session(ssl);
	SSL_shutdown(ssl);
out:
	ERR_clear_error();
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	return rc;
}

int
main(int argc, char **argv)
{
	char req[512];
	long n = 0, resumed = 0, failed = 0;
	SSL_SESSION *sess = NULL;

	if (argc < 5) {
		fprintf(stderr, "usage: tls_hs HOST PORT SECONDS new|resume "
			"[PATH]\n");
		return 2;
	}
	const char *host = argv[1];
	int port = atoi(argv[2]);
	double secs = atof(argv[3]);
	int resume = strcmp(argv[4], "resume") == 0;
	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: localhost\r\n"
		 "Connection: close\r\n\r\n", argc > 5 ? argv[5] : "/1k.html");
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
		return 1;
	/* no client-side cache: a session is offered only when we say so */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (resume && one(ctx, host, port, req, NULL, &sess) < 0) {
		fprintf(stderr, "tls_hs: first connection failed\n");
		return 1;
	}
	double end = now() + secs;
	while (now() < end) {
		int rc = one(ctx, host, port, req, sess, NULL);
		n += rc >= 0;
		resumed += rc == 1;
		failed += rc < 0;
	}
	printf("handshakes %ld resumed %ld failed %ld\n", n, resumed, failed);
	SSL_SESSION_free(sess);
	SSL_CTX_free(ctx);
	return 0;
}
