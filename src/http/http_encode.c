/* http_encode: choosing a content coding by Accept-Encoding (RFC 9110
 * section 12.5.3), the compressible media types, and compression with
 * zlib (gzip, RFC 1952), libbrotli (br, RFC 7932) and libzstd (zstd,
 * RFC 8878). The parser is pure: bytes in, a q per coding out. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include "core/err.h"
#include "http_encode.h"

static const char *const coding_names[HTTP_CODINGS] = {
	NULL, "gzip", "br", "zstd",
};

void
http_encode_config_init(struct http_encode_config *c)
{
	c->codings = HTTP_CODING_ALL;
	c->level = HTTP_ENCODE_LEVEL;
	c->min = HTTP_ENCODE_MIN;
	c->max = HTTP_ENCODE_MAX;
	c->cache = HTTP_ENCODE_CACHE;
}

const char *
http_coding_name(enum http_coding c)
{
	return (unsigned)c < HTTP_CODINGS ? coding_names[c] : NULL;
}

int
http_encode_codings_parse(const char *s, unsigned *codings)
{
	unsigned m = 0;

	if (strcmp(s, "off") == 0) {
		*codings = 0;
		return 0;
	}
	while (*s) {
		size_t n = strcspn(s, ",");
		int c = HTTP_CODING_GZIP;
		while (c < HTTP_CODINGS && (strlen(coding_names[c]) != n ||
					    strncmp(s, coding_names[c], n) != 0))
			c++;
		if (c == HTTP_CODINGS)
			return ERR_PARSE;
		m |= HTTP_CODING_BIT(c);
		s += n;
		if (*s == ',' && *++s == '\0')
			return ERR_PARSE;
	}
	if (m == 0)
		return ERR_PARSE;
	*codings = m;
	return 0;
}

/* tchar of RFC 9110 section 5.6.2 */
static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static size_t
skip_ows(struct http_slice v, size_t i)
{
	while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
		i++;
	return i;
}

static size_t
skip_token(struct http_slice v, size_t i)
{
	while (i < v.n && is_tchar((unsigned char)v.p[i]))
		i++;
	return i;
}

/* A quoted-string from v.p[i] == '"': the index after it, or v.n + 1
 * when it does not end. */
static size_t
skip_quoted(struct http_slice v, size_t i)
{
	for (i++; i < v.n; i++) {
		if (v.p[i] == '\\')
			i++;
		else if (v.p[i] == '"')
			return i + 1;
	}
	return v.n + 1;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), RFC 9110
 * section 12.4.2: thousandths, or -1. */
static int
qvalue(const char *p, size_t n)
{
	int q, scale = 100;

	if (n == 0 || n > 5 || (p[0] != '0' && p[0] != '1') ||
	    (n > 1 && p[1] != '.'))
		return -1;
	q = (p[0] - '0') * 1000;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		q += (p[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* The parameters after a coding, from v.p[i]: sets *q (1000 when there
 * is no "q"). Returns the index of the ',' or end that closes the
 * member, or v.n + 1 when it is malformed (*q is then -1). */
static size_t
member_params(struct http_slice v, size_t i, int *q)
{
	*q = 1000;
	for (i = skip_ows(v, i); i < v.n && v.p[i] == ';';
	     i = skip_ows(v, i)) {
		size_t b = skip_ows(v, i + 1), e = skip_token(v, b);
		if (e == b || e >= v.n || v.p[e] != '=')
			break;
		size_t vb = e + 1, ve = vb < v.n && v.p[vb] == '"' ?
			skip_quoted(v, vb) : skip_token(v, vb);
		if (ve > v.n || ve == vb)
			break;
		if (e - b == 1 && (v.p[b] | 0x20) == 'q' &&
		    (*q = qvalue(v.p + vb, ve - vb)) < 0)
			break;
		i = ve;
	}
	if (i < v.n && v.p[i] != ',') {
		*q = -1;
		return v.n + 1;
	}
	return i;
}

/* Which coding a token names: 0..HTTP_CODINGS-1, HTTP_CODINGS for "*",
 * or -1 for a coding we do not make (deflate, compress...). */
static int
coding_of(struct http_slice t)
{
	if (t.n == 1 && t.p[0] == '*')
		return HTTP_CODINGS;
	if (http_slice_eqi(t, "identity"))
		return HTTP_CODING_IDENTITY;
	if (http_slice_eqi(t, "x-gzip"))
		return HTTP_CODING_GZIP;
	for (int c = HTTP_CODING_GZIP; c < HTTP_CODINGS; c++)
		if (http_slice_eqi(t, coding_names[c]))
			return c;
	return -1;
}

void
http_accept_parse(struct http_slice v, struct http_accept *a)
{
	size_t i = 0;

	for (int c = 0; c < HTTP_CODINGS; c++)
		a->q[c] = -1;
	a->star = -1;
	while (i < v.n) {
		while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t' ||
				   v.p[i] == ','))
			i++;
		size_t b = i;
		i = skip_token(v, i);
		struct http_slice t = { v.p + b, i - b };
		int q, c = coding_of(t);
		size_t end = member_params(v, i, &q);
		if (end > v.n) {	/* malformed: on to the next comma */
			const char *comma = memchr(v.p + i, ',', v.n - i);
			i = comma ? (size_t)(comma - v.p) + 1 : v.n;
			continue;
		}
		i = end;
		/* the first mention of a coding counts */
		int16_t *slot = c == HTTP_CODINGS ? &a->star : c >= 0 ?
			&a->q[c] : NULL;
		if (t.n && slot && *slot < 0)
			*slot = (int16_t)q;
	}
}

/* The q a coding gets: its own, else that of "*", else 0 (a coding) or
 * "acceptable, but last" (identity, section 12.5.3). */
static int
effective_q(const struct http_accept *a, enum http_coding c)
{
	if (a->q[c] >= 0)
		return a->q[c];
	return a->star >= 0 ? a->star : 0;
}

int
http_accept_rank(const struct http_accept *a, unsigned mask,
		 enum http_coding *out)
{
	static const enum http_coding pref[] = {
		HTTP_CODING_BR, HTTP_CODING_ZSTD, HTTP_CODING_GZIP,
	};
	int qid = effective_q(a, HTTP_CODING_IDENTITY), qs[HTTP_CODINGS];
	int n = 0;

	for (size_t k = 0; k < sizeof pref / sizeof *pref; k++) {
		enum http_coding c = pref[k];
		int q = effective_q(a, c);
		if (!(mask & HTTP_CODING_BIT(c)) || q == 0 || q < qid)
			continue;
		/* insertion, stable: equal q keep the order of pref */
		int j = n++;
		for (; j > 0 && qs[j - 1] < q; j--) {
			qs[j] = qs[j - 1];
			out[j] = out[j - 1];
		}
		qs[j] = q;
		out[j] = c;
	}
	return n;
}

/* Types whose bytes are already compressed (images, audio, video,
 * woff) are not in the list; nginx's gzip_types names text/html only,
 * this is what its common configurations add. */
int
http_encode_type_ok(const char *type)
{
	static const char *const types[] = {
		"application/javascript", "application/x-javascript",
		"application/json", "application/xml", "application/wasm",
		"application/vnd.ms-fontobject", "application/x-font-ttf",
		"image/svg+xml", "image/x-icon", "image/vnd.microsoft.icon",
		"image/bmp", "font/ttf", "font/otf",
	};
	size_t n;

	/* the common case first, without a call */
	if (type[0] == 't' && type[1] == 'e' && type[2] == 'x' &&
	    type[3] == 't' && type[4] == '/')
		return 1;
	n = strcspn(type, "; ");
	if (n > 5 && (strncmp(type + n - 5, "+json", 5) == 0 ||
		      strncmp(type + n - 4, "+xml", 4) == 0))
		return 1;
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (strlen(types[i]) == n && strncasecmp(type, types[i], n) == 0)
			return 1;
	return 0;
}

static size_t
gzip_make(int level, const void *p, size_t n, struct http_blob **bp)
{
	z_stream z;
	size_t len = 0;

	memset(&z, 0, sizeof z);
	/* windowBits 15 + 16: a gzip header and trailer (RFC 1952) */
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	size_t bound = deflateBound(&z, (uLong)n);
	*bp = http_blob_new(bound);
	if (*bp) {
		z.next_in = (Bytef *)(uintptr_t)p;
		z.avail_in = (uInt)n;
		z.next_out = (*bp)->data;
		z.avail_out = (uInt)bound;
		if (deflate(&z, Z_FINISH) == Z_STREAM_END)
			len = (size_t)z.total_out;
	}
	deflateEnd(&z);
	return len;
}

static size_t
br_make(int level, const void *p, size_t n, struct http_blob **bp)
{
	size_t bound = BrotliEncoderMaxCompressedSize(n), len = bound;

	if (bound == 0 || (*bp = http_blob_new(bound)) == NULL)
		return 0;
	/* the text mode tunes the context model for UTF-8 */
	if (!BrotliEncoderCompress(level, BROTLI_DEFAULT_WINDOW,
				   BROTLI_MODE_TEXT, n, p, &len, (*bp)->data))
		return 0;
	return len;
}

static size_t
zstd_make(int level, const void *p, size_t n, struct http_blob **bp)
{
	size_t bound = ZSTD_compressBound(n);

	if (ZSTD_isError(bound) || (*bp = http_blob_new(bound)) == NULL)
		return 0;
	size_t len = ZSTD_compress((*bp)->data, bound, p, n, level);
	return ZSTD_isError(len) ? 0 : len;
}

struct http_blob *
http_encode_compress(enum http_coding c, int level, const void *p, size_t n)
{
	struct http_blob *b = NULL;
	size_t len = c == HTTP_CODING_GZIP ? gzip_make(level, p, n, &b) :
		c == HTTP_CODING_BR ? br_make(level, p, n, &b) :
		c == HTTP_CODING_ZSTD ? zstd_make(level, p, n, &b) : 0;

	if (len == 0 || len >= n) {
		http_blob_put(b);
		return NULL;
	}
	return http_blob_shrink(b, len);
}
