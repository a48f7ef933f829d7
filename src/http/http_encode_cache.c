/* http_encode_cache: a worker's cache of compressed variants, keyed by
 * the file's identity (device, inode, size, mtime) and the coding, so a
 * hot file is compressed once per worker. One per worker, no lock: the
 * worker alone reads and writes it. Bounded in bytes; the least recently
 * used variants go first. A file that changes gets a new key; its old
 * variants age out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_encode.h"
#include "http_stats.h"

#define ENCODE_BUCKETS 4096	/* a power of two */

struct variant {
	struct variant *hash_next, *lru_prev, *lru_next;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	enum http_coding coding;
	uint32_t hash;
	struct http_blob *blob;	/* NULL: compressing gained nothing */
};

struct http_encode {
	const struct http_encode_config *cfg;
	struct http_stats *stats;
	struct variant *lru_first, *lru_last;
	uint64_t bytes;		/* what the variants cost, blobs included */
	struct variant *buckets[ENCODE_BUCKETS];
};

struct http_encode *
http_encode_new(const struct http_encode_config *cfg, struct http_stats *stats)
{
	struct http_encode *e = calloc(1, sizeof *e);

	if (e) {
		e->cfg = cfg;
		e->stats = stats;
	}
	return e;
}

const struct http_encode_config *
http_encode_config(const struct http_encode *e)
{
	return e->cfg;
}

static uint64_t
variant_cost(const struct variant *v)
{
	return sizeof *v + (v->blob ? sizeof *v->blob + v->blob->len : 0);
}

static uint32_t
variant_hash(const struct stat *st, enum http_coding c)
{
	/* FNV-1a over the fields of the key */
	uint64_t k[5] = { (uint64_t)st->st_dev, (uint64_t)st->st_ino,
		(uint64_t)st->st_size, (uint64_t)st->st_mtim.tv_sec,
		(uint64_t)st->st_mtim.tv_nsec ^ ((uint64_t)c << 32) };
	const unsigned char *p = (const unsigned char *)k;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof k; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void
lru_unlink(struct http_encode *e, struct variant *v)
{
	if (v->lru_prev)
		v->lru_prev->lru_next = v->lru_next;
	else
		e->lru_first = v->lru_next;
	if (v->lru_next)
		v->lru_next->lru_prev = v->lru_prev;
	else
		e->lru_last = v->lru_prev;
}

static void
lru_push(struct http_encode *e, struct variant *v)
{
	v->lru_prev = NULL;
	v->lru_next = e->lru_first;
	if (e->lru_first)
		e->lru_first->lru_prev = v;
	e->lru_first = v;
	if (e->lru_last == NULL)
		e->lru_last = v;
}

/* Drops v; replies still sending its blob keep their reference. */
static void
variant_del(struct http_encode *e, struct variant *v)
{
	struct variant **pp = &e->buckets[v->hash & (ENCODE_BUCKETS - 1)];

	while (*pp != v)
		pp = &(*pp)->hash_next;
	*pp = v->hash_next;
	lru_unlink(e, v);
	e->bytes -= variant_cost(v);
	http_blob_put(v->blob);
	free(v);
}

void
http_encode_free(struct http_encode *e)
{
	if (e == NULL)
		return;
	while (e->lru_first)
		variant_del(e, e->lru_first);
	free(e);
}

static struct variant *
variant_find(struct http_encode *e, const struct stat *st, enum http_coding c,
	     uint32_t h)
{
	struct variant *v = e->buckets[h & (ENCODE_BUCKETS - 1)];

	for (; v; v = v->hash_next)
		if (v->hash == h && v->coding == c && v->ino == st->st_ino &&
		    v->dev == st->st_dev && v->size == st->st_size &&
		    v->mtime.tv_sec == st->st_mtim.tv_sec &&
		    v->mtime.tv_nsec == st->st_mtim.tv_nsec)
			return v;
	return NULL;
}

/* Keeps blob (a reference of its own) for st in coding c, making room by
 * dropping the least recently used; nothing when it would not fit. */
static void
variant_add(struct http_encode *e, const struct stat *st, enum http_coding c,
	    uint32_t h, struct http_blob *blob)
{
	struct variant *v = calloc(1, sizeof *v);

	if (v == NULL)
		return;
	v->blob = blob;
	uint64_t cost = variant_cost(v);
	if (cost > e->cfg->cache) {
		free(v);
		return;
	}
	while (e->bytes + cost > e->cfg->cache)
		variant_del(e, e->lru_last);
	if (blob)
		blob->refs++;
	v->dev = st->st_dev;
	v->ino = st->st_ino;
	v->size = st->st_size;
	v->mtime = st->st_mtim;
	v->coding = c;
	v->hash = h;
	v->hash_next = e->buckets[h & (ENCODE_BUCKETS - 1)];
	e->buckets[h & (ENCODE_BUCKETS - 1)] = v;
	lru_push(e, v);
	e->bytes += cost;
}

/* The whole file into a new buffer, or NULL (memory, a short read: the
 * file changed under us). */
static char *
file_read(int fd, size_t size)
{
	char *p = malloc(size);
	size_t got = 0;

	while (p && got < size) {
		ssize_t k = pread(fd, p + got, size - got, (off_t)got);
		if (k <= 0 && !(k < 0 && errno == EINTR)) {
			free(p);
			return NULL;
		}
		got += k > 0 ? (size_t)k : 0;
	}
	return p;
}

struct http_blob *
http_encode_get(struct http_encode *e, const struct stat *st, int fd,
		const char *body, enum http_coding c)
{
	uint32_t h = variant_hash(st, c);
	struct variant *v = variant_find(e, st, c, h);
	size_t size = (size_t)st->st_size;

	if (v) {
		if (v != e->lru_first) {
			lru_unlink(e, v);
			lru_push(e, v);
		}
		if (e->stats)
			http_stats_add(&e->stats->compress_hits, 1);
		if (v->blob)
			v->blob->refs++;
		return v->blob;
	}
	const char *p = body;
	char *copy = NULL;
	if (p == NULL && (p = copy = file_read(fd, size)) == NULL)
		return NULL;
	struct http_blob *b = http_encode_compress(c, e->cfg->level, p, size);
	free(copy);
	if (e->stats)
		http_stats_add(&e->stats->compressed, 1);
	variant_add(e, st, c, h, b);
	return b;
}
