/* http_log: the access log in Combined Log Format (Apache's "combined",
 * which nginx also writes), buffered per worker thread: no lock, one
 * write(2) per buffer. Bytes from the network are escaped (\xHH), so a
 * request cannot forge a log line. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "http_server.h"

#define HTTP_LOG_FIELD_MAX 1024	/* request line, referer or agent */

static void
log_raw(struct http_log *g, const char *p, size_t n)
{
	if (n > HTTP_LOG_BUF - g->len)
		http_log_flush(g);
	if (n > HTTP_LOG_BUF - g->len)
		n = HTTP_LOG_BUF - g->len;
	memcpy(g->buf + g->len, p, n);
	g->len += n;
}

static void
log_escaped(struct http_log *g, struct http_slice s)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[HTTP_LOG_FIELD_MAX * 4];
	size_t w = 0, n = s.n < HTTP_LOG_FIELD_MAX ? s.n : HTTP_LOG_FIELD_MAX;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			tmp[w++] = '\\';
			tmp[w++] = 'x';
			tmp[w++] = hex[c >> 4];
			tmp[w++] = hex[c & 15];
		} else {
			tmp[w++] = (char)c;
		}
	}
	log_raw(g, tmp, w);
}

static void
log_quoted(struct http_log *g, const struct http_slice *s)
{
	log_raw(g, "\"", 1);
	if (s && s->n)
		log_escaped(g, *s);
	else
		log_raw(g, "-", 1);
	log_raw(g, "\"", 1);
}

static void
log_number(struct http_log *g, int64_t v)
{
	char d[24];
	int i = sizeof d;
	uint64_t u = (uint64_t)v;

	do {
		d[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	log_raw(g, d + i, sizeof d - (size_t)i);
}

/* The "[day/Mon/year:hh:mm:ss +0000]" stamp, rebuilt once a second. */
static void
log_stamp(struct http_log *g)
{
	time_t now = clock_wall();

	if (now != g->stamp_for) {
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(g->stamp, sizeof g->stamp, "%d/%b/%Y:%H:%M:%S +0000",
			 &tm);
		g->stamp_for = now;
	}
	log_raw(g, g->stamp, strlen(g->stamp));
}

void
http_log_add(struct http_log *g, const char *host, struct http_slice request,
	     int status, int64_t bytes, const struct http_slice *referer,
	     const struct http_slice *agent, const char *tls_version,
	     const char *tls_cipher)
{
	/* one entry stays whole within a buffer, so lines never split */
	if (HTTP_LOG_BUF - g->len < 3 * HTTP_LOG_FIELD_MAX * 4 + 256)
		http_log_flush(g);
	log_raw(g, host, strlen(host));
	log_raw(g, " - - [", 6);
	log_stamp(g);
	log_raw(g, "] ", 2);
	log_quoted(g, &request);
	log_raw(g, " ", 1);
	log_number(g, status);
	log_raw(g, " ", 1);
	if (bytes < 0)
		log_raw(g, "-", 1);
	else
		log_number(g, bytes);
	log_raw(g, " ", 1);
	log_quoted(g, referer);
	log_raw(g, " ", 1);
	log_quoted(g, agent);
	if (tls_version && tls_cipher) {
		/* OpenSSL's names: no byte to escape */
		log_raw(g, " ", 1);
		log_raw(g, tls_version, strlen(tls_version));
		log_raw(g, " ", 1);
		log_raw(g, tls_cipher, strlen(tls_cipher));
	}
	log_raw(g, "\n", 1);
}

/* Lines that start in buf[off..len): what a failed write loses. */
static uint64_t
lines_in(const struct http_log *g, size_t off)
{
	uint64_t n = 0;

	for (const char *p = g->buf + off, *end = g->buf + g->len;
	     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		n++;
	return n;
}

void
http_log_flush(struct http_log *g)
{
	size_t off = 0;
	int err = 0;

	while (off < g->len && g->fd >= 0) {
		ssize_t n = write(g->fd, g->buf + off, g->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : ENOSPC;
			break;	/* a full disk loses log lines, not service */
		}
		off += (size_t)n;
	}
	if (err && !g->failing)
		log_warn("http: access log: %s: dropping lines until a "
			 "write succeeds", strerror(err));
	if (err) {
		size_t lost = lines_in(g, off);
		g->dropped += lost;
		g->dropped_total += lost;
	}
	else if (g->failing && off > 0)
		log_warn("http: access log: written again; %llu lines were "
			 "dropped", (unsigned long long)g->dropped);
	if (!err && off > 0)
		g->dropped = 0;
	g->failing = err != 0 ? 1 : off > 0 ? 0 : g->failing;
	g->len = 0;
}
