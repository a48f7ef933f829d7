/* http_gen: generations of the web server's live settings, so that a
 * reload (SIGHUP of `serve --config`) changes roots, vhosts, limits and
 * timeouts while the workers serve, without a lock on the request path
 * and without freeing what a worker may still read.
 *
 * A generation is a whole struct http_server_config whose site and limits
 * point into the generation itself. The main thread builds one aside and
 * publishes it with one atomic store; each worker compares the published
 * pointer with its own at a safe point (the start of each request, and
 * once a second when idle) and, when they differ, copies the new config
 * into its own. Nothing of a request outlives the request's answer in a
 * generation (a reply owns its file), so a worker that moved on no longer
 * reads the old one.
 *
 * Freeing: a generation is published holding one reference for each
 * worker and one for the hub. A worker that moves from A to D drops its
 * references to A and to every generation published between (B, C: it
 * never read them; A->next links them), and the last reference dropped,
 * in whichever thread, frees the generation. A published generation can
 * therefore not be freed before each worker has stepped past it.
 *
 *   http_gens_new      the hub, with generation 0 made of a config
 *   http_gen_new       a generation to fill: a copy of the current one
 *   http_gen_set_site  moves a site into it
 *   http_gen_set_limits  the limits' settings; tables shared (see below)
 *   http_gens_publish  makes it current for every worker
 *   http_gen_discard   one never published
 *   http_gens_free     after the workers
 *   http_gens_enter / _move / _leave  the worker's side */
#ifndef INETKIT_HTTP_GEN_H
#define INETKIT_HTTP_GEN_H

#include <pthread.h>
#include <stdatomic.h>

#include "http_limit.h"
#include "http_server.h"
#include "http_site.h"

struct http_gen {
	_Atomic int refs;
	struct http_gen *next;		/* the one published after it */
	struct http_server_config cfg;	/* site, limits: below, or NULL */
	struct http_site site;		/* owned when owns_site */
	int owns_site;
	struct http_limits limits;	/* settings; the base's tables */
};

/* The limits' tables (connection counts, request buckets) are the base's,
 * shared by every generation and kept until the end: a connection counted
 * under one generation is released in the same table under any other,
 * and a client's buckets survive a reload that leaves its rule alone. */
struct http_gens {
	_Atomic(struct http_gen *) cur;
	struct http_limits *base;
	pthread_mutex_t lock;		/* workers entering, leaving; publish */
	int nworkers;			/* workers holding references */
};

/* The hub, its generation 0 a copy of c (whose site is used, not owned)
 * with the limits of base (c->limits set: used). base must be seeded and
 * live until http_gens_free. Returns NULL when out of memory. */
struct http_gens *http_gens_new(const struct http_server_config *c,
				struct http_limits *base);
/* A generation like the current one, to change before publishing. NULL
 * when out of memory. Main thread. */
struct http_gen *http_gen_new(struct http_gens *h);
/* Moves s into g (s is left empty); g's config points at it. */
void http_gen_set_site(struct http_gen *g, struct http_site *s);
/* g's limits: l's settings (max_conns_per_ip, rules) over the base's
 * tables, allocated in the base now when a setting needs one the base
 * lacks. None set: no limits. Returns 0 or -ENOMEM. */
int http_gen_set_limits(struct http_gens *h, struct http_gen *g,
			const struct http_limits *l);
void http_gen_discard(struct http_gen *g);
/* Makes g the current generation (taking it); the old one is freed once
 * every worker has moved past it. Main thread. */
void http_gens_publish(struct http_gens *h, struct http_gen *g);
/* After every worker left: frees the last generation and the hub. */
void http_gens_free(struct http_gens *h);

/* A worker's side: enter takes the current generation (at start); move
 * takes the current one in place of g (dropping g and those between);
 * leave drops g and those after it (at the end). */
struct http_gen *http_gens_enter(struct http_gens *h);
struct http_gen *http_gens_move(struct http_gens *h, struct http_gen *g);
void http_gens_leave(struct http_gens *h, struct http_gen *g);
static inline int
http_gens_moved(struct http_gens *h, const struct http_gen *g)
{
	return atomic_load_explicit(&h->cur, memory_order_acquire) != g;
}

#endif
