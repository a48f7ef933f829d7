/* http_fcgi_wire: FastCGI records and name-value pairs (FastCGI
 * Specification sections 3.3, 3.4 and 5), pure. Lengths come from the
 * wire, so every one is checked against the bytes at hand. */
#include <string.h>

#include "core/err.h"
#include "http_fcgi.h"

ssize_t
http_fcgi_record_parse(struct http_fcgi_record *r, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	if (n < HTTP_FCGI_HEADER)
		return ERR_AGAIN;
	if (p[0] != 1)
		return ERR_PARSE;
	size_t clen = (size_t)p[4] << 8 | p[5];
	size_t total = HTTP_FCGI_HEADER + clen + p[6];
	if (n < total)
		return ERR_AGAIN;
	r->type = p[1];
	r->id = (uint16_t)(p[2] << 8 | p[3]);
	r->content = (struct http_slice){ (const char *)p + HTTP_FCGI_HEADER,
					  clen };
	return (ssize_t)total;
}

void
http_fcgi_header_format(void *out, int type, uint16_t id, uint16_t clen,
			uint8_t pad)
{
	uint8_t *p = out;

	p[0] = 1;
	p[1] = (uint8_t)type;
	p[2] = (uint8_t)(id >> 8);
	p[3] = (uint8_t)id;
	p[4] = (uint8_t)(clen >> 8);
	p[5] = (uint8_t)clen;
	p[6] = pad;
	p[7] = 0;
}

void
http_fcgi_begin_format(void *out, uint16_t id, int keep_conn)
{
	uint8_t *p = out;

	http_fcgi_header_format(p, HTTP_FCGI_BEGIN_REQUEST, id, 8, 0);
	memset(p + 8, 0, 8);
	p[9] = HTTP_FCGI_RESPONDER;
	p[10] = keep_conn ? 1 : 0;	/* FCGI_KEEP_CONN */
}

/* A length: one byte below 128, else four with the top bit set. */
static size_t
len_format(uint8_t *p, size_t v)
{
	if (v < 128) {
		p[0] = (uint8_t)v;
		return 1;
	}
	p[0] = (uint8_t)(v >> 24 | 0x80);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

ssize_t
http_fcgi_pair_format(void *out, size_t room, const char *name, size_t nn,
		      const char *value, size_t vn)
{
	uint8_t *p = out;
	size_t need = (nn < 128 ? 1 : 4) + (vn < 128 ? 1 : 4) + nn + vn;

	if (need > room || nn > 0x7fffffff || vn > 0x7fffffff)
		return ERR_TOOBIG;
	size_t at = len_format(p, nn);
	at += len_format(p + at, vn);
	memcpy(p + at, name, nn);
	memcpy(p + at + nn, value, vn);
	return (ssize_t)need;
}

static int
len_parse(const uint8_t *p, size_t n, size_t *at, size_t *v)
{
	if (*at >= n)
		return ERR_PARSE;
	if (p[*at] < 128) {
		*v = p[(*at)++];
		return 0;
	}
	if (n - *at < 4)
		return ERR_PARSE;
	*v = (size_t)(p[*at] & 0x7f) << 24 | (size_t)p[*at + 1] << 16 |
		(size_t)p[*at + 2] << 8 | p[*at + 3];
	*at += 4;
	return 0;
}

ssize_t
http_fcgi_pair_parse(const void *buf, size_t n, struct http_slice *name,
		     struct http_slice *value)
{
	const uint8_t *p = buf;
	size_t at = 0, nn, vn;

	if (len_parse(p, n, &at, &nn) < 0 || len_parse(p, n, &at, &vn) < 0)
		return ERR_PARSE;
	if (nn > n - at || vn > n - at - nn)
		return ERR_PARSE;
	*name = (struct http_slice){ (const char *)p + at, nn };
	*value = (struct http_slice){ (const char *)p + at + nn, vn };
	return (ssize_t)(at + nn + vn);
}

int
http_fcgi_end_parse(const struct http_fcgi_record *r, uint32_t *app,
		    int *proto)
{
	const uint8_t *p = (const uint8_t *)r->content.p;

	if (r->content.n < 8)
		return ERR_PARSE;
	*app = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
	*proto = p[4];
	return 0;
}
