/* resolv_client: a blocking stub exchange, UDP then TCP on truncation
 * (RFC 1035 section 4.2, RFC 7766 section 5). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "dns/dns_wire.h"
#include "net/net_sock.h"
#include "resolv_client.h"

int
resolv_query_build(const struct resolv_client *c, uint16_t id,
		   const uint8_t *name, uint16_t type, uint8_t *out,
		   size_t size)
{
	struct dns_wr w;
	struct dns_hdr h = { id, c->rd ? DNS_F_RD : 0, 1, 0, 0,
			     c->edns_size ? 1 : 0 };

	dns_wr_init(&w, out, size);
	dns_wr_hdr(&w, &h);
	dns_wr_name(&w, name, 0);
	dns_wr_u16(&w, type);
	dns_wr_u16(&w, DNS_C_IN);
	if (c->edns_size)
		dns_wr_opt(&w, c->edns_size, 0, 0);
	return w.err ? w.err : (int)w.len;
}

static int
wait_fd(int fd, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int rc;

	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc == 0 ? ERR_TIMEOUT : 0;
}

/* Is r a reply to q: same id, QR set, same question (RFC 5452 4.1)? */
static int
is_reply(const uint8_t *q, size_t qlen, const uint8_t *r, size_t rlen)
{
	struct dns_cur cq, cr;
	struct dns_hdr hq, hr;
	struct dns_question a, b;

	dns_cur_init(&cq, q, qlen);
	dns_cur_init(&cr, r, rlen);
	if (dns_hdr_read(&cq, &hq) < 0 || dns_hdr_read(&cr, &hr) < 0 ||
	    hq.id != hr.id || !(hr.flags & DNS_F_QR))
		return 0;
	if (hr.qdcount == 0)	/* FORMERR and NOTIMP may drop it */
		return 1;
	if (dns_question_read(&cq, &a) < 0 || dns_question_read(&cr, &b) < 0)
		return 0;
	return a.type == b.type && a.class == b.class &&
	       dns_name_equal(a.name, b.name);
}

static ssize_t
ask_udp(const struct resolv_client *c, const struct net_addr *server,
	const uint8_t *q, size_t qlen, uint8_t *out, size_t size)
{
	int fd = socket(server->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t rc = ERR_TIMEOUT;

	if (fd < 0)
		return -errno;
	const struct sockaddr *sa = (const struct sockaddr *)&server->ss;
	if (connect(fd, sa, server->len) < 0) {
		rc = -errno;
		goto out;
	}
	for (int attempt = 0; attempt <= c->retries; attempt++) {
		if (send(fd, q, qlen, 0) < 0) {
			rc = -errno;
			goto out;
		}
		for (;;) {
			rc = wait_fd(fd, c->timeout_ms);
			if (rc < 0)
				break;
			ssize_t n = recv(fd, out, size, 0);
			if (n < 0) {
				rc = -errno;
				goto out;
			}
			/* Anything else is a stray or a forgery: wait on. */
			if (is_reply(q, qlen, out, (size_t)n)) {
				rc = n;
				goto out;
			}
		}
		if (rc != ERR_TIMEOUT)
			goto out;
	}
out:
	close(fd);
	return rc;
}

static ssize_t
read_full(int fd, uint8_t *p, size_t n, int timeout_ms)
{
	size_t got = 0;

	while (got < n) {
		int rc = wait_fd(fd, timeout_ms);
		if (rc < 0)
			return rc;
		ssize_t k = read(fd, p + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return ERR_CLOSED;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

static ssize_t
ask_tcp(const struct resolv_client *c, const struct net_addr *server,
	const uint8_t *q, size_t qlen, uint8_t *out, size_t size)
{
	uint8_t frame[2 + DNS_MAX_MSG], len[2];
	int fd = net_connect_timeout(server, SOCK_STREAM, c->timeout_ms);
	ssize_t rc;

	if (fd < 0)
		return fd;
	frame[0] = (uint8_t)(qlen >> 8);
	frame[1] = (uint8_t)qlen;
	memcpy(frame + 2, q, qlen);
	if (send(fd, frame, qlen + 2, MSG_NOSIGNAL) < 0) {
		rc = -errno;
		goto out;
	}
	rc = read_full(fd, len, 2, c->timeout_ms);
	if (rc < 0)
		goto out;
	size_t n = (size_t)len[0] << 8 | len[1];
	if (n > size) {
		rc = ERR_TOOBIG;
		goto out;
	}
	rc = read_full(fd, out, n, c->timeout_ms);
	if (rc >= 0 && !is_reply(q, qlen, out, n))
		rc = ERR_PARSE;
out:
	close(fd);
	return rc;
}

ssize_t
resolv_client_ask(const struct resolv_client *c, const struct net_addr *server,
		  const uint8_t *q, size_t qlen, uint8_t *out, size_t size,
		  int *over_tcp)
{
	*over_tcp = 0;
	if (!c->tcp) {
		ssize_t n = ask_udp(c, server, q, qlen, out, size);
		if (n < 0 || n < DNS_HDR_SIZE || !(out[2] & (DNS_F_TC >> 8)))
			return n;
	}
	*over_tcp = 1;
	return ask_tcp(c, server, q, qlen, out, size);
}
