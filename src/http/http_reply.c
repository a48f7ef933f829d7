/* http_reply: response heads built with memcpy into a fixed buffer (no
 * printf on the request path), and the small error responses (RFC 9110
 * section 15, RFC 9112 section 4). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/dec.h"
#include "core/err.h"
#include "http_reply.h"

static const struct {
	int status;
	const char *text;
} http_statuses[] = {
	{ 100, "Continue" }, { 200, "OK" }, { 204, "No Content" },
	{ 206, "Partial Content" }, { 301, "Moved Permanently" },
	{ 302, "Found" }, { 303, "See Other" }, { 304, "Not Modified" },
	{ 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" },
	{ 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
	{ 412, "Precondition Failed" }, { 413, "Content Too Large" },
	{ 414, "URI Too Long" }, { 416, "Range Not Satisfiable" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
};

const char *
http_status_text(int status)
{
	for (size_t i = 0; i < sizeof http_statuses / sizeof *http_statuses;
	     i++)
		if (http_statuses[i].status == status)
			return http_statuses[i].text;
	return "Unknown";
}

struct http_blob *
http_blob_new(size_t len)
{
	struct http_blob *b = malloc(sizeof *b + len);

	if (b) {
		b->refs = 1;
		b->len = len;
	}
	return b;
}

struct http_blob *
http_blob_shrink(struct http_blob *b, size_t len)
{
	struct http_blob *s = realloc(b, sizeof *b + len);

	if (s == NULL)
		s = b;
	s->len = len;
	return s;
}

/* Drops what the reply holds besides its buffers. */
static void
reply_release(struct http_reply *rep)
{
	if (rep->fd >= 0)
		close(rep->fd);
	rep->fd = -1;
	http_blob_put(rep->blob);
	rep->blob = NULL;
}

void
http_reply_init(struct http_reply *rep, char *out, struct buf *page)
{
	/* not the segments: http_reply_begin sets them up */
	rep->status = 0;
	rep->out_len = 0;
	rep->overflow = 0;
	rep->nsegs = 0;
	rep->body_len = 0;
	rep->close = 0;
	rep->head_only = 0;
	rep->fd = -1;
	rep->blob = NULL;
	rep->extra = NULL;
	rep->out = out;
	rep->page = page;
}

void
http_reply_fini(struct http_reply *rep)
{
	reply_release(rep);
	rep->nsegs = 0;
	rep->out_len = 0;
}

void
http_reply_raw(struct http_reply *rep, const void *p, size_t n)
{
	if (rep->overflow || n > HTTP_OUT_SIZE - rep->out_len) {
		rep->overflow = 1;
		return;
	}
	memcpy(rep->out + rep->out_len, p, n);
	rep->out_len += n;
}

static void
reply_str(struct http_reply *rep, const char *s)
{
	http_reply_raw(rep, s, strlen(s));
}

static void
reply_u64(struct http_reply *rep, uint64_t v)
{
	char d[DEC_U64_MAX];
	size_t n = dec_u64(d + sizeof d, v);

	http_reply_raw(rep, d + sizeof d - n, n);
}

void
http_reply_begin(struct http_reply *rep, int status)
{
	reply_release(rep);
	rep->status = status;
	rep->out_len = 0;
	rep->overflow = 0;
	rep->nsegs = 1;
	rep->segs[0] = (struct http_seg){ HTTP_SEG_OUT, 0, 0 };
	rep->body_len = 0;
	rep->head_only = 0;
	reply_str(rep, "HTTP/1.1 ");
	reply_u64(rep, (uint64_t)status);
	http_reply_raw(rep, " ", 1);
	reply_str(rep, http_status_text(status));
	reply_str(rep, "\r\nServer: inetkit\r\nDate: ");
	http_reply_raw(rep, clock_http_date(), 29);
	http_reply_raw(rep, "\r\n", 2);
}

void
http_reply_header(struct http_reply *rep, const char *name, const char *value,
		  size_t n)
{
	reply_str(rep, name);
	http_reply_raw(rep, ": ", 2);
	http_reply_raw(rep, value, n);
	http_reply_raw(rep, "\r\n", 2);
}

void
http_reply_header_u64(struct http_reply *rep, const char *name, uint64_t v)
{
	reply_str(rep, name);
	http_reply_raw(rep, ": ", 2);
	reply_u64(rep, v);
	http_reply_raw(rep, "\r\n", 2);
}

int
http_reply_end(struct http_reply *rep, int keep_alive_10)
{
	/* on a 304 it is the length a 200 would have (RFC 9110 section 8.6) */
	http_reply_header_u64(rep, "Content-Length", rep->body_len);
	if (rep->extra)
		reply_str(rep, rep->extra);
	if (rep->close)
		reply_str(rep, "Connection: close\r\n");
	else if (keep_alive_10)
		reply_str(rep, "Connection: keep-alive\r\n");
	http_reply_raw(rep, "\r\n", 2);
	if (rep->overflow) {
		/* a head longer than the buffer: answer 500 and close rather
		 * than send part of it */
		rep->close = 1;
		http_reply_begin(rep, 500);
		rep->nsegs = 1;
		static const char tail[] = "Content-Length: 0\r\n"
			"Connection: close\r\n\r\n";
		http_reply_raw(rep, tail, sizeof tail - 1);
		rep->body_len = 0;
		rep->head_only = 1;
		rep->segs[0] = (struct http_seg){ HTTP_SEG_OUT, 0, rep->out_len };
		return ERR_TOOBIG;
	}
	rep->segs[0] = (struct http_seg){ HTTP_SEG_OUT, 0, rep->out_len };
	return 0;
}

void
http_reply_seg(struct http_reply *rep, enum http_seg_kind kind, uint64_t off,
	       uint64_t len)
{
	if (len == 0 || rep->head_only)
		return;
	struct http_seg *last = rep->nsegs ? &rep->segs[rep->nsegs - 1] : NULL;
	/* bytes that follow the previous segment in the same store join it */
	if (last && last->kind == kind && last->off + last->len == off) {
		last->len += len;
		return;
	}
	if (rep->nsegs < HTTP_MAX_SEGS)
		rep->segs[rep->nsegs++] = (struct http_seg){ kind, off, len };
}

void
http_reply_error_finish(struct http_reply *rep, int keep_alive_10)
{
	static const char *const parts[] = { "<html><head><title>", NULL,
		"</title></head><body><h1>", NULL, "</h1></body></html>\n" };
	char line[64], body[192];
	size_t ln = 0, n = 0;
	int status = rep->status;
	const char *text = http_status_text(status);

	/* "404 Not Found" in the title and the heading */
	line[ln++] = (char)('0' + status / 100);
	line[ln++] = (char)('0' + status / 10 % 10);
	line[ln++] = (char)('0' + status % 10);
	line[ln++] = ' ';
	memcpy(line + ln, text, strlen(text));
	ln += strlen(text);
	for (size_t i = 0; i < 5; i++) {
		const char *s = parts[i] ? parts[i] : line;
		size_t sn = parts[i] ? strlen(s) : ln;
		memcpy(body + n, s, sn);
		n += sn;
	}
	reply_str(rep, "Content-Type: text/html; charset=utf-8\r\n");
	rep->body_len = n;
	http_reply_end(rep, keep_alive_10);
	size_t at = rep->out_len;
	if (rep->head_only)
		return;
	http_reply_raw(rep, body, n);
	http_reply_seg(rep, HTTP_SEG_OUT, at, n);
}

void
http_reply_error(struct http_reply *rep, int status, int close,
		 int keep_alive_10, const char *allow, int head_only)
{
	http_reply_begin(rep, status);
	rep->close |= close;
	rep->head_only = head_only;
	if (allow)
		http_reply_header(rep, "Allow", allow, strlen(allow));
	http_reply_error_finish(rep, keep_alive_10);
}
