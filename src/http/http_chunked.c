/* http_chunked: incremental, in-place decoder of the chunked transfer
 * coding (RFC 9112 section 7.1). Bounded: a chunk size has at most 16 hex
 * digits, a size line HTTP_MAX_CHUNK_LINE bytes, the trailer section
 * HTTP_MAX_TRAILERS bytes; every line ends in CRLF. */
#include <string.h>

#include "core/err.h"
#include "core/hex.h"
#include "http_parse.h"

enum {
	CH_SIZE,	/* hex digits of chunk-size */
	CH_EXT,		/* after the size: BWS, chunk-ext, up to CR */
	CH_SIZE_LF,	/* LF of the size line */
	CH_DATA,	/* chunk-data */
	CH_DATA_CR,	/* CRLF after chunk-data */
	CH_DATA_LF,
	CH_TRAILER,	/* a trailer line, or the final empty line */
	CH_TRAILER_LF,
	CH_DONE,
};

void
http_chunked_init(struct http_chunked *c)
{
	memset(c, 0, sizeof *c);
	c->state = CH_SIZE;
}

/* One byte of a size line, the CRLF after data, or a trailer line. */
static int
chunked_step(struct http_chunked *c, char ch)
{
	int v;

	switch (c->state) {
	case CH_SIZE:
		v = hex_value((unsigned char)ch);
		if (v >= 0) {
			if (++c->digits > 16)
				return ERR_PARSE;
			c->left = c->left << 4 | (uint64_t)v;
			break;
		}
		if (c->digits == 0 || !(ch == ';' || ch == ' ' ||
					ch == '\t' || ch == '\r'))
			return ERR_PARSE;
		c->state = ch == '\r' ? CH_SIZE_LF : CH_EXT;
		break;
	case CH_EXT:
		if (ch == '\r')
			c->state = CH_SIZE_LF;
		else if ((uint8_t)ch < 0x20 && ch != '\t')
			return ERR_PARSE;
		break;
	case CH_SIZE_LF:
		if (ch != '\n')
			return ERR_PARSE;
		c->state = c->left ? CH_DATA : CH_TRAILER;
		c->line = 0;
		return 0;
	case CH_DATA_CR:
		if (ch != '\r')
			return ERR_PARSE;
		c->state = CH_DATA_LF;
		return 0;
	case CH_DATA_LF:
		if (ch != '\n')
			return ERR_PARSE;
		c->state = CH_SIZE;
		c->digits = 0;
		c->line = 0;
		return 0;
	case CH_TRAILER:
		if (++c->trailers > HTTP_MAX_TRAILERS)
			return ERR_TOOBIG;
		if (ch == '\r')
			c->state = CH_TRAILER_LF;
		else if ((uint8_t)ch < 0x20 && ch != '\t')
			return ERR_PARSE;
		else
			c->line++;
		return 0;
	case CH_TRAILER_LF:
		if (ch != '\n')
			return ERR_PARSE;
		c->state = c->line ? CH_TRAILER : CH_DONE;
		c->line = 0;
		return 0;
	}
	if (++c->line > HTTP_MAX_CHUNK_LINE)
		return ERR_TOOBIG;
	return 0;
}

ssize_t
http_chunked_decode(struct http_chunked *c, char *buf, size_t *len)
{
	size_t n = *len, i = 0, w = 0;

	while (i < n && c->state != CH_DONE) {
		if (c->state == CH_DATA) {
			size_t k = n - i;
			if (k > c->left)
				k = (size_t)c->left;
			memmove(buf + w, buf + i, k);
			w += k;
			i += k;
			c->left -= k;
			c->total += k;
			if (c->left == 0)
				c->state = CH_DATA_CR;
			continue;
		}
		int rc = chunked_step(c, buf[i++]);
		if (rc < 0)
			return rc;
	}
	*len = w;
	if (c->state != CH_DONE)
		return ERR_AGAIN;
	memmove(buf + w, buf + i, n - i);
	return (ssize_t)(n - i);
}
