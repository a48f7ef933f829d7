/* buf: growable byte buffer with a hard maximum. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->off = b->len = b->cap = 0;
	b->max = max;
}

void
buf_fini(struct buf *b)
{
	free(b->p);
	buf_init(b, b->max);
}

int
buf_reserve(struct buf *b, size_t n)
{
	size_t used = b->len - b->off;

	if (b->cap - b->len >= n)
		return 0;
	if (n > b->max || used > b->max - n)
		return ERR_TOOBIG;
	/* Moving the unread bytes to the front is cheaper than growing. */
	if (b->off > 0 && b->cap - used >= n) {
		memmove(b->p, b->p + b->off, used);
		b->off = 0;
		b->len = used;
		return 0;
	}
	size_t want = b->cap ? b->cap : 256;
	while (want < used + n)
		want *= 2;
	if (want > b->max)
		want = b->max;
	uint8_t *p = malloc(want);
	if (p == NULL)
		return -ENOMEM;
	if (used)
		memcpy(p, b->p + b->off, used);
	free(b->p);
	b->p = p;
	b->off = 0;
	b->len = used;
	b->cap = want;
	return 0;
}

int
buf_append(struct buf *b, const void *src, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc < 0)
		return rc;
	if (n)
		memcpy(b->p + b->len, src, n);
	b->len += n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ERR_PARSE;
	if ((size_t)n < sizeof small)
		return buf_append(b, small, (size_t)n);
	int rc = buf_reserve(b, (size_t)n + 1);
	if (rc < 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
buf_commit(struct buf *b, size_t n)
{
	b->len += n;
}

void
buf_consume(struct buf *b, size_t n)
{
	b->off += n;
	if (b->off >= b->len)
		b->off = b->len = 0;
}

void
buf_reset(struct buf *b)
{
	b->off = b->len = 0;
}
