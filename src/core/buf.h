/* buf: a growable byte buffer with a hard maximum, and a read offset so
 * that a consumer can take bytes from the front without moving memory on
 * every call. Every buffer fed by the network has a max. */
#ifndef INETKIT_BUF_H
#define INETKIT_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *p;	/* storage; NULL until the first reserve */
	size_t off;	/* bytes before off were consumed */
	size_t len;	/* bytes in use, counted from p (so data is p+off..p+len) */
	size_t cap;	/* bytes allocated */
	size_t max;	/* cap never grows past this */
};

/* Sets up an empty buffer that may grow to max bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);
/* Frees the storage; the buffer is empty and reusable afterwards. */
void buf_fini(struct buf *b);

static inline uint8_t *buf_data(const struct buf *b) { return b->p + b->off; }
static inline size_t buf_size(const struct buf *b) { return b->len - b->off; }
static inline uint8_t *buf_tail(const struct buf *b) { return b->p + b->len; }
static inline size_t buf_room(const struct buf *b) { return b->cap - b->len; }

/* Makes room for n more bytes at the tail (compacting or growing as
 * needed). Returns 0, ERR_TOOBIG past max, or -ENOMEM. */
int buf_reserve(struct buf *b, size_t n);
/* Appends n bytes. Returns 0 or what buf_reserve returns. */
int buf_append(struct buf *b, const void *src, size_t n);
/* Appends a formatted string (no NUL kept). Returns 0, ERR_TOOBIG. */
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Marks n bytes at the tail as written (after filling buf_tail()). */
void buf_commit(struct buf *b, size_t n);
/* Drops n bytes from the front. Empties cheaply when all is consumed. */
void buf_consume(struct buf *b, size_t n);
/* Drops everything but keeps the storage. */
void buf_reset(struct buf *b);

#endif
