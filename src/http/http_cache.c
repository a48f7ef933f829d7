/* http_cache: a worker's cache of open files. Each entry keeps a file's
 * descriptor, its stat, its validators (ETag, Last-Modified) and, for a
 * small file, its bytes, so that a hit costs no open, fstat or read.
 *
 * Freshness: an entry holds for the epoch in which it was checked. An
 * epoch ends with each loop iteration (clock_generation()) and whenever
 * the server calls http_cache_expire() because it is about to read bytes
 * that may have arrived after the iteration began (a connection accepted
 * in a loop, a second read). The first use in a later epoch stats the
 * path (one fstatat) and compares device, inode, size, mtime and ctime;
 * only a difference opens the file again (beneath the root, as on a
 * miss). So a change made on disk before a request was sent is always
 * seen, and under load one stat serves every request of an iteration.
 * The stat only ever confirms a file that was opened safely: a path that
 * now leads elsewhere (a symlink out of the root) differs and is opened
 * again, and refused. Files that do not exist are remembered the same way
 * (negative entries), so a missing precompressed sibling costs one stat.
 * Bounded: HTTP_CACHE_ENTRIES entries, least recently used out first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "http_cache.h"
#include "http_encode.h"
#include "http_mime.h"
#include "http_open.h"
#include "http_reply.h"

#define HTTP_CACHE_BUCKETS 2048	/* power of two, > HTTP_CACHE_ENTRIES */

struct http_cache {
	int n;
	uint64_t epoch;		/* entries checked in it hold */
	uint64_t loop_gen;	/* clock_generation() when it began */
	struct http_cache_entry *lru_first, *lru_last;
	struct http_cache_entry *buckets[HTTP_CACHE_BUCKETS];
};

struct http_cache *
http_cache_new(void)
{
	return calloc(1, sizeof(struct http_cache));
}

static uint32_t
cache_hash(const struct http_vhost *v, const char *path, size_t n)
{
	uint32_t h = 2166136261u ^ (uint32_t)((uintptr_t)v >> 4);

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)path[i]) * 16777619u;
	return h;
}

static void
lru_unlink(struct http_cache *c, struct http_cache_entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		c->lru_first = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		c->lru_last = e->lru_prev;
}

static void
lru_push(struct http_cache *c, struct http_cache_entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = c->lru_first;
	if (c->lru_first)
		c->lru_first->lru_prev = e;
	else
		c->lru_last = e;
	c->lru_first = e;
}

static void
entry_clear(struct http_cache_entry *e)
{
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	free(e->body);
	e->body = NULL;
}

static void
entry_del(struct http_cache *c, struct http_cache_entry *e)
{
	struct http_cache_entry **pp = &c->buckets[e->hash &
						   (HTTP_CACHE_BUCKETS - 1)];

	while (*pp != e)
		pp = &(*pp)->hash_next;
	*pp = e->hash_next;
	lru_unlink(c, e);
	entry_clear(e);
	free(e);
	c->n--;
}

void
http_cache_clear(struct http_cache *c)
{
	while (c->lru_first)
		entry_del(c, c->lru_first);
	c->epoch++;
}

void
http_cache_free(struct http_cache *c)
{
	if (c == NULL)
		return;
	http_cache_clear(c);
	free(c);
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
		a->st_size == b->st_size &&
		a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
		a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
		a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
		a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static size_t
put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return n;
}

/* The fields every plain 200 of this file carries, built once. */
static void
entry_head(struct http_cache_entry *e)
{
	size_t tn = strlen(e->type), n = 0;
	char *p = e->head;

	e->head_len = 0;
	if (tn + e->etag_len + 125 > HTTP_CACHE_HEAD)
		return;
	n += put_str(p + n, "Content-Type: ", 14);
	n += put_str(p + n, e->type, tn);
	n += put_str(p + n, "\r\nLast-Modified: ", 17);
	n += put_str(p + n, e->modified, 29);
	n += put_str(p + n, "\r\nETag: ", 8);
	n += put_str(p + n, e->etag, e->etag_len);
	n += put_str(p + n, "\r\nAccept-Ranges: bytes\r\n", 24);
	e->head_len = n;
	if (e->type_ok)
		put_str(p + n, "Vary: Accept-Encoding\r\n", 23);
}

/* Fills e from the open regular file fd (taken over) and its stat: the
 * validators, and the bytes of a small file (read after the stat, so a
 * change during the read shows at the next check). */
static void
entry_fill(struct http_cache_entry *e, int fd, const struct stat *st)
{
	entry_clear(e);
	e->fd = fd;
	e->err = 0;
	e->st = *st;
	e->etag_len = http_open_etag(st, e->etag);
	clock_format_http_date(st->st_mtim.tv_sec, e->modified);
	entry_head(e);
	size_t size = (size_t)st->st_size;
	if (size == 0 || size > HTTP_SMALL_BODY)
		return;
	e->body = malloc(size);
	if (e->body && pread(fd, e->body, size, 0) != (ssize_t)size) {
		free(e->body);
		e->body = NULL;
	}
}

/* Opens e's path and brings e up to date. Returns 0 for a regular file,
 * HTTP_CACHE_NOT_FILE or -errno; e->err holds a cacheable error. */
static int
entry_check(const struct http_cache *c, const struct http_vhost *v,
	    struct http_cache_entry *e)
{
	struct stat st;
	int fd = http_open(v->root_fd, e->path + 1);

	e->gen = c->epoch;
	if (fd < 0) {
		entry_clear(e);
		e->err = fd;
		return fd;
	}
	int rc = fstat(fd, &st) < 0 ? -errno :
		!S_ISREG(st.st_mode) ? HTTP_CACHE_NOT_FILE : 0;
	if (rc != 0) {
		close(fd);
		entry_clear(e);
		e->err = rc;
		return rc;
	}
	if (e->fd >= 0 && same_file(&e->st, &st)) {
		close(fd);
		return 0;
	}
	entry_fill(e, fd, &st);
	return 0;
}

/* True when e, checked in an earlier iteration, still describes what
 * the path leads to (the stat follows symlinks, as the open did). */
static int
entry_still_valid(const struct http_vhost *v, const struct http_cache_entry *e)
{
	struct stat st;

	if (fstatat(v->root_fd, e->path + 1, &st, 0) < 0)
		return e->fd < 0 && -errno == e->err;
	return e->fd >= 0 && same_file(&e->st, &st);
}

/* Only "no such file" is worth remembering; anything else is rare. */
static int
err_is_cached(int err)
{
	return err == -ENOENT || err == -ENOTDIR;
}

static struct http_cache_entry *
entry_find(struct http_cache *c, const struct http_vhost *v, uint32_t h,
	   const char *path, size_t n)
{
	struct http_cache_entry *e = c->buckets[h & (HTTP_CACHE_BUCKETS - 1)];

	for (; e; e = e->hash_next)
		if (e->hash == h && e->v == v && e->path_len == n &&
		    memcmp(e->path, path, n) == 0)
			return e;
	return NULL;
}

static struct http_cache_entry *
entry_new(struct http_cache *c, const struct http_vhost *v, uint32_t h,
	  const char *path, size_t n)
{
	struct http_cache_entry *e;

	if (c->n == HTTP_CACHE_ENTRIES)
		entry_del(c, c->lru_last);
	e = calloc(1, sizeof *e);
	if (e == NULL)
		return NULL;
	e->v = v;
	e->hash = h;
	e->fd = -1;
	e->path_len = n;
	memcpy(e->path, path, n);
	e->path[n] = '\0';
	e->type = http_mime_type(path, n);
	e->type_ok = http_encode_type_ok(e->type) != 0;
	e->hash_next = c->buckets[h & (HTTP_CACHE_BUCKETS - 1)];
	c->buckets[h & (HTTP_CACHE_BUCKETS - 1)] = e;
	lru_push(c, e);
	c->n++;
	return e;
}

void
http_cache_expire(struct http_cache *c)
{
	c->epoch++;
}

int
http_cache_get(struct http_cache *c, const struct http_vhost *v,
	       const char *path, size_t n, const struct http_cache_entry **out)
{
	uint32_t h = cache_hash(v, path, n);
	struct http_cache_entry *e;
	uint64_t gen;
	int rc;

	*out = NULL;
	if (n >= HTTP_CACHE_PATH)
		return HTTP_CACHE_UNCACHED;
	if (clock_generation() != c->loop_gen) {
		c->loop_gen = clock_generation();
		c->epoch++;
	}
	gen = c->epoch;
	e = entry_find(c, v, h, path, n);
	if (e && e->gen != gen && entry_still_valid(v, e))
		e->gen = gen;
	if (e && e->gen == gen) {
		if (e != c->lru_first) {
			lru_unlink(c, e);
			lru_push(c, e);
		}
		*out = e->fd >= 0 ? e : NULL;
		return e->fd >= 0 ? 0 : e->err;
	}
	if (e == NULL) {
		e = entry_new(c, v, h, path, n);
		if (e == NULL)
			return HTTP_CACHE_UNCACHED;
	}
	rc = entry_check(c, v, e);
	if (rc == 0)
		*out = e;
	else if (!err_is_cached(rc))
		entry_del(c, e);
	return rc;
}
