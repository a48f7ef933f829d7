/* http_encode: content codings of static files (RFC 9110 sections 8.4
 * and 12.5.3): which coding a client's Accept-Encoding picks, which media
 * types are worth compressing, gzip/brotli/zstd compression into a blob,
 * and each worker's bounded cache of compressed variants
 * (http_encode_cache.c), so that a hot file is compressed once.
 *
 *   http_accept_parse     Accept-Encoding to a q per coding (pure)
 *   http_accept_rank      the codings a client takes, best first (pure)
 *   http_encode_type_ok   is a Content-Type compressible (pure)
 *   http_encode_compress  one file's bytes in one coding, into a blob
 *   http_encode_new/_get  a worker's cache of variants */
#ifndef INETKIT_HTTP_ENCODE_H
#define INETKIT_HTTP_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "http_parse.h"
#include "http_reply.h"

enum http_coding {
	HTTP_CODING_IDENTITY,
	HTTP_CODING_GZIP,
	HTTP_CODING_BR,
	HTTP_CODING_ZSTD,
	HTTP_CODINGS,
};
#define HTTP_CODING_BIT(c) (1u << (c))
#define HTTP_CODING_ALL (HTTP_CODING_BIT(HTTP_CODING_GZIP) | \
			 HTTP_CODING_BIT(HTTP_CODING_BR) | \
			 HTTP_CODING_BIT(HTTP_CODING_ZSTD))

#define HTTP_ENCODE_LEVEL 6			/* --compress-level */
#define HTTP_ENCODE_MIN 256			/* --compress-min */
#define HTTP_ENCODE_MAX (1024 * 1024)		/* larger files: identity */
#define HTTP_ENCODE_CACHE (16 * 1024 * 1024)	/* --compress-cache */

/* What --compress and its companions set; shared, read-only. */
struct http_encode_config {
	unsigned codings;	/* HTTP_CODING_BIT()s made on the fly */
	int level;		/* 1-9: gzip level, brotli quality, zstd level */
	uint64_t min;		/* smaller files go out as they are */
	uint64_t max;		/* so do larger ones (HTTP_ENCODE_MAX) */
	uint64_t cache;		/* bytes of variants a worker keeps */
};

/* Sets the defaults: gzip, br and zstd, level 6, 256 bytes to 1 MiB,
 * a 16 MiB cache. */
void http_encode_config_init(struct http_encode_config *c);
/* Parses a --compress value: "off", or a comma list of gzip, br, zstd.
 * Returns 0 and sets *codings, or ERR_PARSE. */
int http_encode_codings_parse(const char *s, unsigned *codings);

/* An Accept-Encoding value: q in thousandths (0-1000) per coding and for
 * "*", or -1 where the client named none. Malformed members are
 * skipped. */
struct http_accept {
	int16_t q[HTTP_CODINGS];
	int16_t star;
};

/* Parses v (RFC 9110 section 12.5.3; "x-gzip" is gzip, section 8.4.1.3).
 * Never fails: what is not understood is left out. */
void http_accept_parse(struct http_slice v, struct http_accept *a);
/* The codings of mask (not identity) that a takes, best first, into
 * out[HTTP_CODINGS]: a higher q first, br before zstd before gzip on a
 * tie; none that the client likes less than identity. Returns the
 * count. */
int http_accept_rank(const struct http_accept *a, unsigned mask,
		     enum http_coding *out);
/* "gzip", "br", "zstd" (Content-Encoding), or NULL for identity. */
const char *http_coding_name(enum http_coding c);

/* True for the media types (a Content-Type, parameters allowed) that
 * compress well: text, scripts, JSON, XML, SVG, WebAssembly, fonts
 * without their own compression. */
int http_encode_type_ok(const char *type);

/* p[0..n) in coding c at level: a new blob (one reference), or NULL
 * without memory, on a library error, or when it would not be smaller. */
struct http_blob *http_encode_compress(enum http_coding c, int level,
				       const void *p, size_t n);

struct http_encode;
struct http_stats;
/* A worker's cache of variants over the shared cfg; stats (or NULL)
 * counts what it compressed and what it found. NULL without memory. */
struct http_encode *http_encode_new(const struct http_encode_config *cfg,
				    struct http_stats *stats);
void http_encode_free(struct http_encode *e);
const struct http_encode_config *http_encode_config(
	const struct http_encode *e);
/* The file st (open as fd; body, when not NULL, holds its bytes) in
 * coding c: from the cache, or read and compressed now and kept. The
 * caller owns the reference returned; NULL when it cannot be had
 * (memory, a short read, no gain), in which case identity goes out. */
struct http_blob *http_encode_get(struct http_encode *e, const struct stat *st,
				  int fd, const char *body, enum http_coding c);

#endif
