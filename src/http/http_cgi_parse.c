/* http_cgi_parse: a CGI script's response head (RFC 3875 section 6): the
 * CGI fields Content-Type, Location and Status, the other fields as they
 * are, each line ended by LF or CRLF. Bounded like a request head. */
#include <string.h>

#include "core/err.h"
#include "http_cgi.h"

void
http_cgi_head_init(struct http_cgi_head *h)
{
	memset(h, 0, sizeof *h);
}

/* tchar of RFC 9110 section 5.6.2 */
static int
is_tchar(unsigned char ch)
{
	if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z'))
		return 1;
	return ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static struct http_slice
trim(const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return (struct http_slice){ p, n };
}

/* Status: 3DIGIT [SP reason] (section 6.3.3), 200 to 599. */
static int
parse_status(struct http_cgi_head *h, struct http_slice v)
{
	if (v.n < 3 || (v.n > 3 && v.p[3] != ' '))
		return ERR_PARSE;
	int code = 0;
	for (int i = 0; i < 3; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return ERR_PARSE;
		code = code * 10 + (v.p[i] - '0');
	}
	if (code < 200 || code > 599)
		return ERR_PARSE;
	h->status = code;
	h->reason = v.n > 3 ? trim(v.p + 4, v.n - 4) :
		(struct http_slice){ v.p + 3, 0 };
	return 0;
}

static int
parse_length(struct http_cgi_head *h, struct http_slice v)
{
	uint64_t x = 0;

	if (v.n == 0 || v.n > 18)
		return ERR_PARSE;
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return ERR_PARSE;
		x = x * 10 + (uint64_t)(v.p[i] - '0');
	}
	h->has_length = 1;
	h->length = x;
	return 0;
}

/* One field line p[0..n) (its line end removed). */
static int
parse_field(struct http_cgi_head *h, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && is_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i == n || p[i] != ':')
		return ERR_PARSE;	/* no name, or a space before ':' */
	struct http_slice name = { p, i };
	for (size_t k = i + 1; k < n; k++) {
		unsigned char ch = (unsigned char)p[k];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return ERR_PARSE;
	}
	struct http_slice v = trim(p + i + 1, n - i - 1);
	if (http_slice_eqi(name, "status"))
		return h->status ? ERR_PARSE : parse_status(h, v);
	if (http_slice_eqi(name, "content-length"))
		return h->has_length ? ERR_PARSE : parse_length(h, v);
	struct http_slice *cgi = http_slice_eqi(name, "location") ?
		&h->location : http_slice_eqi(name, "content-type") ?
		&h->content_type : NULL;
	if (cgi) {
		if (cgi->p || v.n == 0)
			return ERR_PARSE;
		*cgi = v;
		return 0;
	}
	if (h->nfields == HTTP_CGI_MAX_FIELDS)
		return ERR_TOOBIG;
	h->fields[h->nfields++] = (struct http_header){ name, v };
	return 0;
}

ssize_t
http_cgi_parse_head(struct http_cgi_head *h, const char *p, size_t n)
{
	while (h->scan < n) {
		const char *line = p + h->scan;
		/* a line fed in pieces is searched once, not once a piece */
		size_t from = h->seen > h->scan ? h->seen : h->scan;
		const char *lf = memchr(p + from, '\n', n - from);
		if (lf == NULL) {
			h->seen = n;
			break;
		}
		size_t len = (size_t)(lf - line);
		size_t end = h->scan + len + 1;
		if (end > HTTP_CGI_MAX_HEAD)
			return ERR_TOOBIG;
		if (len && line[len - 1] == '\r')
			len--;
		if (memchr(line, '\r', len))
			return ERR_PARSE;	/* a bare CR */
		h->scan = end;
		if (len == 0) {
			if (!h->status && !h->location.p && !h->content_type.p)
				return ERR_PARSE;
			return (ssize_t)end;
		}
		if (line[0] == ' ' || line[0] == '\t')
			return ERR_PARSE;	/* obs-fold */
		int rc = parse_field(h, line, len);
		if (rc < 0)
			return rc;
	}
	return n - h->scan >= HTTP_CGI_MAX_HEAD ? ERR_TOOBIG : ERR_AGAIN;
}

int
http_cgi_is_hop(struct http_slice name)
{
	static const char *const hop[] = {
		"connection", "keep-alive", "transfer-encoding", "te",
		"trailer", "upgrade", "proxy-connection", "date", "server",
	};

	for (size_t i = 0; i < sizeof hop / sizeof *hop; i++)
		if (http_slice_eqi(name, hop[i]))
			return 1;
	return 0;
}
