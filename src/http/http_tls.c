/* http_tls: the HTTP server's TLS seam. What a connection from a TLS
 * listener does differently from a plain one, in one place: read and send
 * through net_tls, file bodies by SSL_sendfile (kernel TLS) or copied
 * through the worker's buffer, close_notify before the close, a failed
 * handshake logged at most once per source per second, and plain HTTP
 * sent to the TLS port answered with a 400 in clear text (as nginx does).
 * Also the plain listeners' 301 to https (--redirect-https). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "http_conn.h"

/* A negative net_tls return as read(2)/send(2) say it: -1 and errno. */
static ssize_t
as_syscall(ssize_t rc)
{
	if (rc >= 0)
		return rc;
	errno = rc == -EAGAIN ? EAGAIN : rc > -ERR_BASE ? (int)-rc : EPIPE;
	return -1;
}

ssize_t
http_tls_read(struct http_conn *c, void *p, size_t n)
{
	return as_syscall(net_tls_read(c->tls, p, n));
}

ssize_t
http_tls_send(struct http_conn *c, const void *p, size_t n)
{
	ssize_t rc = net_tls_write(c->tls, p, n);

	return rc == 0 ? as_syscall(ERR_CLOSED) : as_syscall(rc);
}

/* Says once per worker which way file bodies go over TLS (the kernel of
 * these machines has no kernel TLS: the copy is what runs). */
static void
log_file_path(struct http_worker *w, int ktls)
{
	if (w->tls_file_logged)
		return;
	w->tls_file_logged = 1;
	log_debug("http: tls: file bodies %s", ktls ?
		  "by SSL_sendfile (kernel TLS)" :
		  "read into a buffer and sent by SSL_write (no kernel TLS)");
}

ssize_t
http_tls_send_file(struct http_conn *c, int fd, off_t off, uint64_t left)
{
	struct http_worker *w = c->w;
	int ktls = net_tls_is_ktls_send(c->tls);

	log_file_path(w, ktls);
	if (ktls)
		return as_syscall(net_tls_sendfile(c->tls, fd, off,
			left < HTTP_TLS_SENDFILE_MAX ? (size_t)left :
			HTTP_TLS_SENDFILE_MAX));
	if (w->copy == NULL) {
		w->copy = malloc(HTTP_COPY_SIZE);
		if (w->copy == NULL) {
			errno = ENOMEM;
			return -1;
		}
	}
	/* after a short send the bytes are read again from where it
	 * stopped: the same bytes, as OpenSSL wants for a record left half
	 * sent */
	ssize_t r = pread(fd, w->copy, left < HTTP_COPY_SIZE ? (size_t)left :
			  HTTP_COPY_SIZE, off);
	if (r <= 0)
		return r;
	return http_tls_send(c, w->copy, (size_t)r);
}

/* The peer's address as text, for the log. */
static void
peer_text(const struct http_conn *c, char *out, size_t n)
{
	struct net_addr peer = { .len = c->peer_len };

	memcpy(&peer.ss, &c->peer, c->peer_len);
	if (net_addr_format(&peer, 0, out, n) < 0)
		snprintf(out, n, "-");
}

void
http_tls_failed(struct http_conn *c)
{
	static const char plain[] = "HTTP/1.1 400 Bad Request\r\n"
		"Server: inetkit\r\nContent-Type: text/plain\r\n"
		"Content-Length: 48\r\nConnection: close\r\n\r\n"
		"The plain HTTP request was sent to HTTPS port.\r\n";
	char host[NET_ADDR_STRLEN];

	if (net_tls_is_established(c->tls))
		return;
	if (net_tls_is_plain_http(c->tls))
		(void)send(c->fd, plain, sizeof plain - 1, MSG_NOSIGNAL);
	peer_text(c, host, sizeof host);
	if (net_tls_server_may_log(c->w->cfg.tls, host))
		log_warn("http: tls: %s: handshake failed: %s", host,
			 net_tls_error(c->tls));
}

void
http_tls_close_notify(struct http_conn *c)
{
	(void)net_tls_shutdown(c->tls);
}

void
http_tls_end(struct http_conn *c)
{
	(void)net_tls_shutdown(c->tls);
	net_tls_free(c->tls);
	c->tls = NULL;
}

/* The host of a Host value, without its port ("[::1]:8080" -> "[::1]"). */
static struct http_slice
host_only(struct http_slice h)
{
	size_t n = h.n;

	if (n && h.p[0] == '[') {
		const char *end = memchr(h.p, ']', n);
		return (struct http_slice){ h.p, end ? (size_t)(end - h.p) + 1 : n };
	}
	const char *colon = memchr(h.p, ':', n);
	return (struct http_slice){ h.p, colon ? (size_t)(colon - h.p) : n };
}

void
http_tls_redirect(struct http_conn *c)
{
	struct http_reply *rep = &c->x->rep;
	const struct http_request *r = &c->x->req;
	struct http_slice host = host_only(r->host);
	char port[16] = "";

	if (host.n == 0) {	/* HTTP/1.0 with no Host: nowhere to send */
		http_file_respond(c->w->cfg.site, r, &c->x->sc, rep);
		return;
	}
	if (c->w->cfg.https_port != 443)
		snprintf(port, sizeof port, ":%d", c->w->cfg.https_port);
	/* RFC 9110 section 15.4.2: the same resource, on https */
	http_reply_begin(rep, 301);
	http_reply_raw(rep, "Location: https://", 18);
	http_reply_raw(rep, host.p, host.n);
	http_reply_raw(rep, port, strlen(port));
	http_reply_raw(rep, r->path.p, r->path.n);
	if (r->query.n) {
		http_reply_raw(rep, "?", 1);
		http_reply_raw(rep, r->query.p, r->query.n);
	}
	http_reply_raw(rep, "\r\n", 2);
	rep->head_only = r->method == HTTP_M_HEAD;
	http_reply_error_finish(rep, r->version == 10 && r->keep_alive);
}
