/* http_send: the sending half of the HTTP server engine. A reply is a list
 * of segments (http_reply.h): the head and small bodies in memory leave
 * together in one write; a file follows by sendfile, or copied through
 * the worker's buffer (enum http_sendfile); over TLS through http_tls.c.
 * A reply the connection
 * closes after is corked, so that the FIN leaves in its last segment. */
#include <errno.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "http_conn.h"

#define HTTP_SENDFILE_MAX (256 * 1024)	/* bytes per sendfile call */

/* Sends memory segments from c->x->seg on with one sendmsg; MSG_MORE when a
 * file follows, so that the head leaves with the file's first bytes. */
static ssize_t
send_memory(struct http_conn *c)
{
	struct http_reply *rep = &c->x->rep;
	struct iovec iov[HTTP_MAX_SEGS];
	int n = 0, more = 0;

	for (int i = c->x->seg; i < rep->nsegs; i++) {
		const struct http_seg *s = &rep->segs[i];
		if (s->kind == HTTP_SEG_FILE) {
			more = 1;
			break;
		}
		const char *base = s->kind == HTTP_SEG_OUT ? rep->out :
			s->kind == HTTP_SEG_BLOB ? (const char *)rep->blob->data :
			(const char *)rep->page->p;
		uint64_t skip = i == c->x->seg ? c->x->seg_done : 0;
		iov[n].iov_base = (char *)base + s->off + skip;
		iov[n].iov_len = (size_t)(s->len - skip);
		n++;
	}
	/* a reply we close after leaves corked: the close or shutdown that
	 * follows pushes it, with the FIN in the same segment */
	more |= rep->close;
	if (c->tls)	/* one segment at a time: SSL_write has no writev */
		return http_tls_send(c, iov[0].iov_base, iov[0].iov_len);
	if (n == 1)	/* the common case: head and body together */
		return send(c->fd, iov[0].iov_base, iov[0].iov_len,
			    MSG_NOSIGNAL | (more ? MSG_MORE : 0));
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
	return sendmsg(c->fd, &m, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
}

/* Sends the next bytes of file segment s: by sendfile, or through the
 * worker's copy buffer (see enum http_sendfile). A copy the socket takes
 * only in part is read again from the file next time. */
static ssize_t
send_file(struct http_conn *c, const struct http_seg *s)
{
	off_t off = (off_t)(s->off + c->x->seg_done);
	uint64_t left = s->len - c->x->seg_done;

	if (c->tls)
		return http_tls_send_file(c, c->x->rep.fd, off, left);
	if (c->w->cfg.sendfile == HTTP_SENDFILE_ON)
		return sendfile(c->fd, c->x->rep.fd, &off,
				left < HTTP_SENDFILE_MAX ? (size_t)left :
				HTTP_SENDFILE_MAX);
	if (c->w->copy == NULL) {
		c->w->copy = malloc(HTTP_COPY_SIZE);
		if (c->w->copy == NULL) {
			errno = ENOMEM;
			return -1;
		}
	}
	ssize_t r = pread(c->x->rep.fd, c->w->copy, left < HTTP_COPY_SIZE ?
			  (size_t)left : HTTP_COPY_SIZE, off);
	if (r <= 0)
		return r;
	return send(c->fd, c->w->copy, (size_t)r, MSG_NOSIGNAL);
}

/* Advances the send position by k bytes. */
static void
sent(struct http_conn *c, uint64_t k)
{
	while (k > 0 && c->x->seg < c->x->rep.nsegs) {
		uint64_t left = c->x->rep.segs[c->x->seg].len - c->x->seg_done;
		uint64_t take = k < left ? k : left;
		c->x->seg_done += take;
		k -= take;
		if (c->x->seg_done == c->x->rep.segs[c->x->seg].len) {
			c->x->seg++;
			c->x->seg_done = 0;
		}
	}
}

ssize_t
http_send_next(struct http_conn *c)
{
	const struct http_seg *s = &c->x->rep.segs[c->x->seg];
	ssize_t n = s->kind == HTTP_SEG_FILE ? send_file(c, s) :
		send_memory(c);

	if (n > 0)
		sent(c, (uint64_t)n);
	return n;
}
