/* http_parse: HTTP/1.x request and response heads and the chunked transfer
 * coding (RFC 9112 sections 2-7, RFC 9110 section 5). Strict where a lax
 * reading would let a request be smuggled past a proxy (RFC 9112 section
 * 6.3, 11.2): bare CR or LF, obs-fold, whitespace before a colon, doubtful
 * Content-Length or Transfer-Encoding are all errors. */
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "http_parse.h"

/* tchar (RFC 9110 section 5.6.2). */
static const uint8_t http_tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

static const char *const http_method_names[] = {
	[HTTP_M_GET] = "GET", [HTTP_M_HEAD] = "HEAD", [HTTP_M_POST] = "POST",
	[HTTP_M_PUT] = "PUT", [HTTP_M_DELETE] = "DELETE",
	[HTTP_M_CONNECT] = "CONNECT", [HTTP_M_OPTIONS] = "OPTIONS",
	[HTTP_M_TRACE] = "TRACE", [HTTP_M_PATCH] = "PATCH",
};

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* field-vchar, SP, HTAB and obs-text: everything but the other CTLs. */
static int
is_field_char(uint8_t c)
{
	return (c >= 0x20 && c != 0x7f) || c == '\t';
}

void
http_request_init(struct http_request *r)
{
	r->scan = 0;
}

void
http_response_init(struct http_response *r)
{
	r->scan = 0;
}

const char *
http_method_str(enum http_method m)
{
	if (m <= HTTP_M_UNKNOWN || m > HTTP_M_PATCH)
		return NULL;
	return http_method_names[m];
}

int
http_slice_eqi(struct http_slice s, const char *str)
{
	size_t n = strlen(str);

	return s.n == n && strncasecmp(s.p, str, n) == 0;
}

const struct http_header *
http_header_find(const struct http_header *h, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (http_slice_eqi(h[i].name, name))
			return &h[i];
	return NULL;
}

int
http_token_list_has(struct http_slice s, const char *tok)
{
	size_t i = 0;

	while (i < s.n) {
		while (i < s.n && (is_ows(s.p[i]) || s.p[i] == ','))
			i++;
		size_t b = i;
		while (i < s.n && s.p[i] != ',')
			i++;
		size_t e = i;
		while (e > b && is_ows(s.p[e - 1]))
			e--;
		struct http_slice t = { s.p + b, e - b };
		if (e > b && http_slice_eqi(t, tok))
			return 1;
	}
	return 0;
}

/* Leading empty lines before a start line are ignored (RFC 9112 section
 * 2.2); a few are enough for the CRLF some clients send after a body. */
static size_t
skip_empty_lines(const char *p, size_t n)
{
	size_t i = 0;

	while (i + 1 < n && i < 8 && p[i] == '\r' && p[i + 1] == '\n')
		i += 2;
	return i;
}

/* Finds the end of a head: scans lines from *scan, each of which must end
 * in CRLF (a bare LF is an error), and stops after the empty line. Enforces
 * the start-line and header-section limits on the way, so that a client
 * cannot make us buffer more than HTTP_MAX_HEAD. Returns the head length,
 * ERR_AGAIN, or an error with *status set. */
static ssize_t
head_scan(size_t *scan, const char *p, size_t n, size_t start,
	  size_t *line_len, int *status)
{
	size_t s = *scan < start ? start : *scan;

	for (;;) {
		const char *q = s < n ? memchr(p + s, '\n', n - s) : NULL;
		int first = s == start;
		if (q == NULL) {
			*scan = s;
			if (first && n - start > HTTP_MAX_LINE + 1) {
				*status = 414;
				return ERR_TOOBIG;
			}
			if (!first && n - start - *line_len > HTTP_MAX_FIELDS) {
				*status = 431;
				return ERR_TOOBIG;
			}
			return ERR_AGAIN;
		}
		size_t e = (size_t)(q - p);
		if (e == s || p[e - 1] != '\r') {
			*status = 400;
			return ERR_PARSE;
		}
		size_t len = e - 1 - s;
		if (first) {
			if (len > HTTP_MAX_LINE) {
				*status = 414;
				return ERR_TOOBIG;
			}
			*line_len = len;
		} else if (e + 1 - start - *line_len - 2 > HTTP_MAX_FIELDS) {
			*status = 431;
			return ERR_TOOBIG;
		} else if (len == 0) {
			*scan = e + 1;
			return (ssize_t)(e + 1);
		}
		s = e + 1;
	}
}

/* One field line "name:OWS value OWS" at p[0..n) (no CRLF). A line that
 * starts with whitespace is obs-fold, and whitespace between name and
 * colon is forbidden (RFC 9112 sections 5.1, 5.2): both are errors. */
static int
field_parse(const char *p, size_t n, struct http_header *h)
{
	size_t i = 0;

	while (i < n && http_tchar[(uint8_t)p[i]])
		i++;
	if (i == 0 || i == n || p[i] != ':')
		return ERR_PARSE;
	h->name.p = p;
	h->name.n = i;
	i++;
	while (i < n && is_ows(p[i]))
		i++;
	size_t b = i;
	for (; i < n; i++)
		if (!is_field_char((uint8_t)p[i]))
			return ERR_PARSE;
	while (i > b && is_ows(p[i - 1]))
		i--;
	h->value.p = p + b;
	h->value.n = i - b;
	return 0;
}

/* Splits the field lines of p[0..n) (each ending in CRLF, then the empty
 * line) into h. Returns the count, ERR_TOOBIG or ERR_PARSE. */
static ssize_t
fields_parse(const char *p, size_t n, struct http_header *h)
{
	size_t count = 0, i = 0;

	while (i + 2 <= n) {
		const char *q = memchr(p + i, '\n', n - i);
		size_t e = (size_t)(q - p) - 1;
		if (e == i)
			return (ssize_t)count;
		if (count == HTTP_MAX_HEADERS)
			return ERR_TOOBIG;
		if (field_parse(p + i, e - i, &h[count]) < 0)
			return ERR_PARSE;
		count++;
		i = e + 2;
	}
	return ERR_PARSE;
}

/* "HTTP/" DIGIT "." DIGIT (RFC 9112 section 2.3). Returns 10 * major +
 * minor, or -1. */
static int
version_parse(const char *p, size_t n)
{
	if (n != 8 || memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' ||
	    p[5] < '0' || p[5] > '9' || p[7] < '0' || p[7] > '9')
		return -1;
	return (p[5] - '0') * 10 + (p[7] - '0');
}

/* 1*DIGIT into a uint64_t. Returns 0 or ERR_PARSE (empty, a non-digit,
 * overflow). */
static int
length_parse(struct http_slice s, uint64_t *out)
{
	uint64_t v = 0;

	if (s.n == 0)
		return ERR_PARSE;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return ERR_PARSE;
		if (v > (UINT64_MAX - 9) / 10)
			return ERR_PARSE;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	*out = v;
	return 0;
}

static enum http_method
method_lookup(struct http_slice m)
{
	for (int i = HTTP_M_GET; i <= HTTP_M_PATCH; i++)
		if (m.n == strlen(http_method_names[i]) &&
		    memcmp(m.p, http_method_names[i], m.n) == 0)
			return (enum http_method)i;
	return HTTP_M_UNKNOWN;
}

/* True when the field name s (as long as lower) equals the lowercase
 * name lower, ignoring case. */
static int
name_is(struct http_slice s, const char *lower)
{
	/* tchars only: none but 'A'-'Z' turns into a letter or '-' */
	for (size_t i = 0; i < s.n; i++)
		if ((s.p[i] | 0x20) != lower[i])
			return 0;
	return 1;
}

/* uri-host [":" port] with the characters of RFC 3986 reg-name, IPv4 and
 * IP-literal: anything else (a slash, a backslash, "@") is refused, since
 * the host picks a directory. */
static int
host_char_is_valid(uint8_t c)
{
	if (((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	switch (c) {
	case '-': case '.': case '_': case '~': case '!': case '$': case '&':
	case '\'': case '(': case ')': case '*': case '+': case ',': case ';':
	case '=': case ':': case '[': case ']': case '%':
		return 1;
	}
	return 0;
}

static int
host_is_valid(struct http_slice h)
{
	for (size_t i = 0; i < h.n; i++)
		if (!host_char_is_valid((uint8_t)h.p[i]))
			return 0;
	return 1;
}

/* Splits the request target into path and query, and the authority of the
 * absolute form into host (RFC 9112 section 3.2). */
static int
target_split(struct http_request *r)
{
	const char *t = r->target.p;
	size_t n = r->target.n, i = 0;

	if (n > 7 && (strncasecmp(t, "http://", 7) == 0 ||
		      (n > 8 && strncasecmp(t, "https://", 8) == 0))) {
		i = t[4] == ':' ? 7 : 8;
		size_t b = i;
		while (i < n && t[i] != '/' && t[i] != '?')
			i++;
		r->host.p = t + b;
		r->host.n = i - b;
		if (i == b || memchr(t + b, '@', i - b) || !host_is_valid(r->host))
			return ERR_PARSE;
		r->absolute_form = 1;
	} else if (t[0] != '/') {
		/* asterisk-form for OPTIONS, authority-form for CONNECT */
		if (!(n == 1 && t[0] == '*' && r->method == HTTP_M_OPTIONS) &&
		    r->method != HTTP_M_CONNECT)
			return ERR_PARSE;
		r->path = r->target;
		r->query.p = t + n;
		r->query.n = 0;
		return 0;
	}
	size_t b = i;
	while (i < n && t[i] != '?' && t[i] != '#')
		i++;
	r->path.p = b < n ? t + b : "/";
	r->path.n = b < n ? i - b : 1;
	if (r->path.p[0] != '/')
		r->path = (struct http_slice){ "/", 1 };
	size_t qb = i < n && t[i] == '?' ? i + 1 : i;
	size_t qe = qb;
	while (qe < n && t[qe] != '#')
		qe++;
	r->query.p = t + qb;
	r->query.n = qe - qb;
	return 0;
}

/* METHOD SP target SP HTTP-version. */
static int
request_line_parse(struct http_request *r, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && http_tchar[(uint8_t)p[i]])
		i++;
	if (i == 0 || i == n || p[i] != ' ')
		return 400;
	r->method_name.p = p;
	r->method_name.n = i;
	r->method = method_lookup(r->method_name);
	size_t b = ++i;
	while (i < n && (uint8_t)p[i] > 0x20 && p[i] != 0x7f)
		i++;
	if (i == b || i == n || p[i] != ' ')
		return 400;
	r->target.p = p + b;
	r->target.n = i - b;
	int v = version_parse(p + i + 1, n - i - 1);
	if (v < 0)
		return 400;
	if (v < 10 || v >= 20)
		return 505;
	r->version = v == 10 ? 10 : 11;
	return target_split(r) < 0 ? 400 : 0;
}

/* The fields that decide framing and connection handling (RFC 9112
 * sections 6.1-6.3, 9.3, RFC 9110 sections 7.2, 10.1.1). */
static int
request_fields_apply(struct http_request *r)
{
	int hosts = 0, lengths = 0, codings = 0, close = 0, keep = 0;
	struct http_slice host = { "", 0 };

	for (size_t i = 0; i < r->nheaders; i++) {
		const struct http_header *h = &r->headers[i];
		/* the length picks the one name to compare with */
		switch (h->name.n) {
		case 4:
			if (name_is(h->name, "host")) {
				hosts++;
				host = h->value;
			}
			break;
		case 14:
			if (name_is(h->name, "content-length") &&
			    (++lengths > 1 ||
			     length_parse(h->value, &r->content_length) < 0))
				return ERR_PARSE;
			break;
		case 17:
			if (name_is(h->name, "transfer-encoding") &&
			    (++codings > 1 ||
			     !http_slice_eqi(h->value, "chunked")))
				return ERR_PARSE;
			break;
		case 10:
			if (name_is(h->name, "connection")) {
				close |= http_token_list_has(h->value, "close");
				keep |= http_token_list_has(h->value,
							    "keep-alive");
			}
			break;
		case 6:
			if (name_is(h->name, "expect"))
				r->expect_continue =
					http_slice_eqi(h->value, "100-continue");
			break;
		}
	}
	if (hosts > 1 || (hosts == 0 && r->version == 11) ||
	    (lengths && codings) || (codings && r->version == 10))
		return ERR_PARSE;
	if (hosts && !host_is_valid(host))
		return ERR_PARSE;
	if (!r->absolute_form)
		r->host = host;
	r->framing = codings ? HTTP_BODY_CHUNKED :
		lengths && r->content_length ? HTTP_BODY_LENGTH :
		HTTP_BODY_NONE;
	r->keep_alive = !close && (r->version == 11 || keep);
	return 0;
}

ssize_t
http_parse_request(struct http_request *r, const char *p, size_t n)
{
	size_t start = skip_empty_lines(p, n);
	size_t scan = r->scan;
	ssize_t len;

	if (scan == 0)
		r->line_len = 0;
	r->status = 0;
	len = head_scan(&scan, p, n, start, &r->line_len, &r->status);
	r->scan = scan;
	if (len < 0)
		return len;
	r->head_len = (size_t)len;
	r->content_length = 0;
	r->keep_alive = r->expect_continue = r->absolute_form = 0;
	r->host.p = NULL;
	r->host.n = 0;
	r->status = request_line_parse(r, p + start, r->line_len);
	if (r->status != 0)
		return ERR_PARSE;
	size_t fb = start + r->line_len + 2;
	ssize_t nh = fields_parse(p + fb, (size_t)len - fb, r->headers);
	if (nh < 0) {
		r->status = nh == ERR_TOOBIG ? 431 : 400;
		return nh;
	}
	r->nheaders = (size_t)nh;
	if (request_fields_apply(r) < 0) {
		r->status = 400;
		return ERR_PARSE;
	}
	return len;
}

/* HTTP-version SP 3DIGIT SP reason-phrase (RFC 9112 section 4); a missing
 * SP before an empty reason is tolerated, as clients must be lenient. */
static int
status_line_parse(struct http_response *r, const char *p, size_t n)
{
	if (n < 12 || p[8] != ' ')
		return ERR_PARSE;
	int v = version_parse(p, 8);
	if (v < 10 || v >= 20)
		return ERR_PARSE;
	r->version = v == 10 ? 10 : 11;
	for (int i = 9; i < 12; i++)
		if (p[i] < '0' || p[i] > '9')
			return ERR_PARSE;
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (r->status < 100 || (n > 12 && p[12] != ' '))
		return ERR_PARSE;
	r->reason.p = p + (n > 12 ? 13 : 12);
	r->reason.n = n > 12 ? n - 13 : 0;
	for (size_t i = 0; i < r->reason.n; i++)
		if (!is_field_char((uint8_t)r->reason.p[i]))
			return ERR_PARSE;
	return 0;
}

/* RFC 9112 section 6.3, in its order. */
static int
response_fields_apply(struct http_response *r, enum http_method m)
{
	int lengths = 0, chunked = 0, coded = 0, close = 0, keep = 0;
	uint64_t v;

	for (size_t i = 0; i < r->nheaders; i++) {
		const struct http_header *h = &r->headers[i];
		if (http_slice_eqi(h->name, "content-length")) {
			if (length_parse(h->value, &v) < 0 ||
			    (lengths++ && v != r->content_length))
				return ERR_PARSE;
			r->content_length = v;
		} else if (http_slice_eqi(h->name, "transfer-encoding")) {
			coded = 1;
			/* chunked must be the final coding */
			struct http_slice t = h->value;
			const char *c = t.n ? memrchr(t.p, ',', t.n) : NULL;
			if (c) {
				t.n -= (size_t)(c + 1 - t.p);
				t.p = c + 1;
				while (t.n && is_ows(*t.p)) {
					t.p++;
					t.n--;
				}
			}
			chunked = http_slice_eqi(t, "chunked");
		} else if (http_slice_eqi(h->name, "connection")) {
			close |= http_token_list_has(h->value, "close");
			keep |= http_token_list_has(h->value, "keep-alive");
		}
	}
	if (m == HTTP_M_HEAD || r->status < 200 || r->status == 204 ||
	    r->status == 304)
		r->framing = HTTP_BODY_NONE;
	else if (coded)
		r->framing = chunked ? HTTP_BODY_CHUNKED : HTTP_BODY_CLOSE;
	else if (lengths)
		r->framing = r->content_length ? HTTP_BODY_LENGTH :
			HTTP_BODY_NONE;
	else
		r->framing = HTTP_BODY_CLOSE;
	r->keep_alive = !close && (r->version == 11 || keep) &&
		r->framing != HTTP_BODY_CLOSE;
	return 0;
}

ssize_t
http_parse_response(struct http_response *r, const char *p, size_t n,
		    enum http_method req_method)
{
	size_t scan = r->scan;
	int status = 0;
	ssize_t len;

	/* The status line's length survives between calls: a resumed scan
	 * starts after it. */
	if (scan == 0)
		r->line_len = 0;
	len = head_scan(&scan, p, n, 0, &r->line_len, &status);
	r->scan = scan;
	if (len < 0)
		return len;
	size_t line = r->line_len;
	r->head_len = (size_t)len;
	r->content_length = 0;
	if (status_line_parse(r, p, line) < 0)
		return ERR_PARSE;
	ssize_t nh = fields_parse(p + line + 2, (size_t)len - line - 2,
				  r->headers);
	if (nh < 0)
		return nh;
	r->nheaders = (size_t)nh;
	if (response_fields_apply(r, req_method) < 0)
		return ERR_PARSE;
	return len;
}
