/* net_tls: one TLS connection on a non-blocking socket, by OpenSSL: the
 * verbs map OpenSSL's SSL_ERROR_ codes to the project's returns (-EAGAIN
 * with the direction to wait for, 0 at close_notify, ERR_CLOSED at an end
 * without it, -EPROTO) so that an engine drives TLS the way it drives a
 * socket. */
#include <errno.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/err.h"
#include "net_tls_int.h"

/* Maps a failed OpenSSL call (r <= 0) to a return; errno is the one the
 * call left. The error queue is emptied: OpenSSL requires an empty queue
 * before the next call on this thread. */
static ssize_t
tls_result(struct net_tls *t, int r)
{
	int sys = errno;
	int e = SSL_get_error(t->ssl, r);
	unsigned long code;

	/* a handshake may end inside a read that finds no data yet */
	if (!t->established && SSL_is_init_finished(t->ssl))
		t->established = 1;
	switch (e) {
	case SSL_ERROR_WANT_READ:
		t->wants = NET_TLS_WANT_READ;
		return -EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		t->wants = NET_TLS_WANT_WRITE;
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;	/* close_notify */
	case SSL_ERROR_SYSCALL:
		t->failed = 1;
		ERR_clear_error();
		/* no errno: the peer's FIN without close_notify */
		if (sys == 0) {
			t->why = "connection closed without close_notify";
			return ERR_CLOSED;
		}
		t->why = NULL;
		t->sys = sys;
		return -sys;
	default:
		t->failed = 1;
		code = ERR_peek_last_error();
		t->why = ERR_reason_error_string(code);
		if (t->why == NULL)
			t->why = "TLS failure";
		if (ERR_GET_LIB(code) == ERR_LIB_SSL &&
		    ERR_GET_REASON(code) == SSL_R_HTTP_REQUEST)
			t->plain_http = 1;
		/* a client's refusal of the certificate: the chain's reason
		 * ("certificate has expired") says more than OpenSSL's */
		if (ERR_GET_LIB(code) == ERR_LIB_SSL &&
		    ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
			t->verify_failed = 1;
			t->why = X509_verify_cert_error_string(
				SSL_get_verify_result(t->ssl));
		}
		ERR_clear_error();
		if (ERR_GET_LIB(code) == ERR_LIB_SSL &&
		    ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			return ERR_CLOSED;
		return -EPROTO;
	}
}

static struct net_tls *
tls_new(struct net_tls_server *s)
{
	struct net_tls *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->set = tls_set_acquire(s);
	t->ssl = SSL_new(t->set->def);
	if (t->ssl == NULL) {
		net_tls_free(t);
		return NULL;
	}
	SSL_set_accept_state(t->ssl);
	return t;
}

/* Watches the socket BIO's reads: one that returned less than asked
 * for (or nothing) found the socket empty (see net_tls_is_drained). */
static long
tls_bio_cb(BIO *b, int oper, const char *argp, size_t len, int argi,
	   long argl, int ret, size_t *processed)
{
	if (oper == (BIO_CB_READ | BIO_CB_RETURN)) {
		struct net_tls *t = (struct net_tls *)BIO_get_callback_arg(b);
		t->short_read = ret <= 0 || (processed && *processed < len);
	}
	return oper & BIO_CB_RETURN ? ret : 1;
}

/* Buffered writes: OpenSSL writes each record (at most 16 KiB of data)
 * to its write BIO at once; a socket BIO makes that one send(2) per
 * record. tls_out gathers them instead and sends them together, when
 * full or when flushed (net_tls_write flushes before it reports bytes as
 * written, OpenSSL after each handshake flight and alert). */

/* Sends what waits. Returns 1 (all sent), 0 (the socket is full) or
 * -errno (errno set, as OpenSSL's SSL_ERROR_SYSCALL expects). */
static int
out_flush(struct net_tls *t)
{
	struct tls_out *o = t->out;

	while (o && o->off < o->len) {
		ssize_t w = send(t->fd, o->p + o->off, o->len - o->off,
				 MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 :
			       -errno;
		o->off += (size_t)w;
	}
	/* idle keep-alive connections hold no buffer (as
	 * SSL_MODE_RELEASE_BUFFERS for OpenSSL's own) */
	free(o);
	t->out = NULL;
	return 1;
}

static int
out_write(BIO *b, const char *data, size_t n, size_t *written)
{
	struct net_tls *t = BIO_get_data(b);
	size_t sent = 0;
	int rc;

	BIO_clear_retry_flags(b);
	if (t->out == NULL && t->direct) {	/* one record: no copy */
		ssize_t w = send(t->fd, data, n, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return 0;	/* errno tells */
		if (w < 0) {
			BIO_set_retry_write(b);
			return 0;
		}
		sent = (size_t)w;
		if (sent == n) {
			*written = n;
			return 1;
		}
	}
	if (t->out && t->out->len + n - sent > TLS_OUT_MAX) {
		rc = out_flush(t);
		if (rc <= 0) {
			if (rc == 0)
				BIO_set_retry_write(b);
			return 0;
		}
	}
	if (t->out == NULL) {
		if (n - sent > TLS_OUT_MAX ||
		    (t->out = malloc(sizeof *t->out)) == NULL)
			return 0;	/* never: a record is smaller */
		t->out->off = t->out->len = 0;
	}
	memcpy(t->out->p + t->out->len, data + sent, n - sent);
	t->out->len += n - sent;
	*written = n;
	return 1;
}

static long
out_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct net_tls *t = BIO_get_data(b);
	int rc;

	switch (cmd) {
	case BIO_CTRL_FLUSH:
		BIO_clear_retry_flags(b);
		rc = out_flush(t);
		if (rc == 0)
			BIO_set_retry_write(b);
		return rc > 0;
	case BIO_CTRL_WPENDING:
		return t->out ? (long)(t->out->len - t->out->off) : 0;
	case BIO_CTRL_PENDING:
		return 0;
	default:
		return 0;	/* no kernel TLS, nothing else */
	}
}

static BIO_METHOD *tls_out_method;
static pthread_once_t tls_out_once = PTHREAD_ONCE_INIT;

static void
out_method_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
				     "inetkit tls out");

	if (m && BIO_meth_set_write_ex(m, out_write) &&
	    BIO_meth_set_ctrl(m, out_ctrl))
		tls_out_method = m;
}

/* The read side a socket BIO watched for short reads; the write side
 * tls_out when the server buffers, else the same socket BIO. */
static int
tls_set_socket(struct net_tls_server *s, struct net_tls *t, int fd)
{
	BIO *r = BIO_new_socket(fd, BIO_NOCLOSE), *w = NULL;

	if (s->buffered) {
		pthread_once(&tls_out_once, out_method_init);
		w = tls_out_method ? BIO_new(tls_out_method) : NULL;
		if (w == NULL) {
			BIO_free(r);
			return -1;
		}
		BIO_set_data(w, t);
		BIO_set_init(w, 1);
		t->fd = fd;
	}
	if (r == NULL) {
		BIO_free(w);
		return -1;
	}
	BIO_set_callback_arg(r, (char *)t);
	BIO_set_callback_ex(r, tls_bio_cb);
	SSL_set_bio(t->ssl, r, w ? w : r);
	return 0;
}

struct net_tls *
net_tls_accept(struct net_tls_server *s, int fd)
{
	struct net_tls *t = tls_new(s);

	if (t && tls_set_socket(s, t, fd) < 0) {
		ERR_clear_error();
		net_tls_free(t);
		return NULL;
	}
	return t;
}

struct net_tls *
net_tls_accept_bio(struct net_tls_server *s, struct bio_st *bio)
{
	struct net_tls *t = tls_new(s);

	if (t == NULL) {
		BIO_free(bio);
		return NULL;
	}
	SSL_set_bio(t->ssl, bio, bio);
	return t;
}

void
net_tls_free(struct net_tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	tls_set_release(t->set);
	free(t->out);
	free(t);
}

int
net_tls_handshake(struct net_tls *t)
{
	int r = SSL_do_handshake(t->ssl);

	if (r == 1) {
		t->established = 1;
		return 0;
	}
	ssize_t rc = tls_result(t, r);
	return rc == 0 || rc == ERR_CLOSED ? -ECONNRESET : (int)rc;
}

ssize_t
net_tls_read(struct net_tls *t, void *p, size_t n)
{
	size_t got;
	int r;

	errno = 0;
	r = SSL_read_ex(t->ssl, p, n, &got);
	/* what a read made OpenSSL write (an alert, a key update) goes out
	 * now, as a socket BIO would have sent it */
	if (t->out && t->taken == 0)
		(void)out_flush(t);
	if (r == 1) {
		t->established = 1;
		return (ssize_t)got;
	}
	return tls_result(t, r);
}

/* Buffered writes: the done bytes are taken; they count as written once
 * their records are out, else on the retry (with the same bytes) that
 * sends them. */
static ssize_t
write_flush(struct net_tls *t, size_t done)
{
	int rc = out_flush(t);

	if (rc > 0)
		return (ssize_t)done;
	if (rc < 0) {
		t->failed = 1;
		t->why = NULL;
		t->sys = -rc;
		return rc;
	}
	t->taken = done;
	t->wants = NET_TLS_WANT_WRITE;
	return -EAGAIN;
}

ssize_t
net_tls_write(struct net_tls *t, const void *p, size_t n)
{
	size_t put, done = 0;

	if (t->taken) {		/* the retry of a write still in tls_out */
		done = t->taken;
		t->taken = 0;
		return write_flush(t, done);
	}
	/* one record goes straight to the socket; more gather in tls_out */
	t->direct = n <= SSL3_RT_MAX_PLAIN_LENGTH;
	/* OpenSSL returns after each record (partial-write mode): go on
	 * until all is taken or the socket is full */
	while (done < n) {
		errno = 0;
		if (SSL_write_ex(t->ssl, (const char *)p + done, n - done,
				 &put) == 1) {
			done += put;
			continue;
		}
		ssize_t rc = tls_result(t, 0);
		if (rc == -EAGAIN && done)
			break;		/* the rest on the next call */
		t->direct = 0;
		/* a write never ends the stream cleanly */
		return rc == 0 ? ERR_CLOSED : rc;
	}
	t->direct = 0;
	return t->out ? write_flush(t, done) : (ssize_t)done;
}

ssize_t
net_tls_sendfile(struct net_tls *t, int fd, off_t off, size_t n)
{
	errno = 0;
	ossl_ssize_t r = SSL_sendfile(t->ssl, fd, off, n, 0);

	if (r > 0)
		return (ssize_t)r;
	ssize_t rc = tls_result(t, (int)r);
	return rc == 0 ? ERR_CLOSED : rc;
}

int
net_tls_wants(const struct net_tls *t)
{
	return t->wants;
}

int
net_tls_shutdown(struct net_tls *t)
{
	if (!t->established || t->failed || t->closed)
		return 0;
	errno = 0;
	int r = SSL_shutdown(t->ssl);
	if (r >= 0) {
		t->closed = 1;
		/* the alert may wait in tls_out */
		return t->out && out_flush(t) == 0 ? -EAGAIN : 0;
	}
	ssize_t rc = tls_result(t, r);
	if (rc == -EAGAIN)
		return -EAGAIN;
	t->closed = 1;	/* the peer is gone: nothing more to send */
	return 0;
}

int
net_tls_is_established(const struct net_tls *t)
{
	return t->established;
}

int
net_tls_is_drained(const struct net_tls *t)
{
	return t->short_read && !SSL_has_pending(t->ssl);
}

int
net_tls_is_plain_http(const struct net_tls *t)
{
	return t->plain_http;
}

int
net_tls_is_ktls_send(const struct net_tls *t)
{
	return t->established && BIO_get_ktls_send(SSL_get_wbio(t->ssl));
}

int
net_tls_is_resumed(const struct net_tls *t)
{
	return t->established && SSL_session_reused(t->ssl);
}

const char *
net_tls_version(const struct net_tls *t)
{
	return t->established ? SSL_get_version(t->ssl) : "-";
}

const char *
net_tls_cipher(const struct net_tls *t)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);

	return t->established && c ? SSL_CIPHER_get_name(c) : "-";
}

void
net_tls_alpn(const struct net_tls *t, char *out, size_t n)
{
	const unsigned char *p = NULL;
	unsigned len = 0;

	SSL_get0_alpn_selected(t->ssl, &p, &len);
	if (n == 0)
		return;
	if (len >= n)
		len = (unsigned)n - 1;
	if (len)
		memcpy(out, p, len);
	out[len] = '\0';
}

const char *
net_tls_error(struct net_tls *t)
{
	if (t->why)
		return t->why;
	return t->sys ? strerror(t->sys) : "no error";
}
