/* http_cache: a worker's cache of open files: descriptor, stat,
 * validators and the bytes of small files. An entry is good for the epoch
 * that checked it (a loop iteration, or less: http_cache_expire); the
 * first use in a later one compares a fresh stat of the path. One per
 * worker, not shared. */
#ifndef INETKIT_HTTP_CACHE_H
#define INETKIT_HTTP_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "http_open.h"
#include "http_site.h"

#define HTTP_CACHE_ENTRIES 1024		/* least recently used out first */
#define HTTP_CACHE_PATH 256		/* longer paths are not cached */
#define HTTP_CACHE_HEAD 256		/* prebuilt reply fields */
#define HTTP_CACHE_NOT_FILE 1		/* exists, not a regular file */
#define HTTP_CACHE_UNCACHED 2		/* not cached: open it yourself */

struct http_cache_entry {
	struct http_cache_entry *hash_next, *lru_prev, *lru_next;
	const struct http_vhost *v;
	uint32_t hash;
	uint64_t gen;		/* the cache's epoch at the last check */
	int fd;			/* -1 in a negative entry */
	int err;		/* negative entry: -ENOENT or -ENOTDIR */
	struct stat st;
	char *body;		/* the whole file when small, else NULL */
	const char *type;	/* Content-Type, from the name */
	unsigned type_ok : 1;	/* compressible (http_encode_type_ok) */
	char etag[HTTP_ETAG_MAX];
	size_t etag_len;
	char modified[32];	/* Last-Modified */
	/* the fields of a plain 200, from Content-Type to Accept-Ranges;
	 * "Vary: Accept-Encoding\r\n" follows them when type_ok */
	char head[HTTP_CACHE_HEAD];
	size_t head_len;	/* 0 when they did not fit */
	size_t path_len;
	char path[HTTP_CACHE_PATH];	/* clean, starting with '/' */
};

struct http_cache;
/* An empty cache. NULL when out of memory. */
struct http_cache *http_cache_new(void);
/* Closes every descriptor and frees the cache. */
void http_cache_free(struct http_cache *c);
/* Ends the current epoch: entries are checked against the disk again at
 * their next use. Call before reading bytes that may have been sent after
 * the loop iteration began. */
void http_cache_expire(struct http_cache *c);
/* Drops every entry (the roots changed: a reload). */
void http_cache_clear(struct http_cache *c);
/* The regular file at the clean path p[0..n) beneath v: 0 with *out (owned
 * by the cache, valid until the next call), HTTP_CACHE_NOT_FILE for a
 * directory or other non-file, HTTP_CACHE_UNCACHED when the path is too
 * long or memory is short, or -errno when it cannot be opened. */
int http_cache_get(struct http_cache *c, const struct http_vhost *v,
		   const char *p, size_t n, const struct http_cache_entry **out);

#endif
