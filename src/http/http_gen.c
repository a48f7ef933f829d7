/* http_gen: generations of the live settings, published by the main
 * thread and picked up by each worker at a safe point; the model is in
 * http_gen.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "http_cache.h"
#include "http_conn.h"
#include "http_gen.h"
#include "http_gw_int.h"

static void
gen_unref(struct http_gen *g)
{
	if (atomic_fetch_sub_explicit(&g->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (g->owns_site)
		http_site_fini(&g->site);
	free(g);
}

struct http_gens *
http_gens_new(const struct http_server_config *c, struct http_limits *base)
{
	struct http_gens *h = calloc(1, sizeof *h);
	struct http_gen *g = calloc(1, sizeof *g);

	if (h == NULL || g == NULL) {
		free(h);
		free(g);
		return NULL;
	}
	h->base = base;
	pthread_mutex_init(&h->lock, NULL);
	g->cfg = *c;
	http_site_init(&g->site);
	/* generation 0 reads c's site and base's settings; it can only
	 * need tables the base already has */
	if (http_gen_set_limits(h, g, base) < 0) {
		http_gens_free(h);
		free(g);
		return NULL;
	}
	g->cfg.limits = c->limits ? g->cfg.limits : NULL;
	atomic_init(&g->refs, 1);
	atomic_init(&h->cur, g);
	return h;
}

struct http_gen *
http_gen_new(struct http_gens *h)
{
	const struct http_gen *cur = atomic_load_explicit(&h->cur,
							  memory_order_relaxed);
	struct http_gen *g = calloc(1, sizeof *g);

	if (g == NULL)
		return NULL;
	g->cfg = cur->cfg;
	http_site_init(&g->site);
	g->limits = cur->limits;
	g->cfg.limits = cur->cfg.limits ? &g->limits : NULL;
	return g;
}

void
http_gen_set_site(struct http_gen *g, struct http_site *s)
{
	if (g->owns_site)
		http_site_fini(&g->site);
	g->site = *s;
	g->owns_site = 1;
	g->cfg.site = &g->site;
	http_site_init(s);
}

int
http_gen_set_limits(struct http_gens *h, struct http_gen *g,
		    const struct http_limits *l)
{
	struct http_limits *b = h->base;

	if (http_limits_tables(b, l->nrules > 0, l->max_conns_per_ip > 0) < 0)
		return -ENOMEM;
	g->limits = *l;
	g->limits.seed[0] = b->seed[0];
	g->limits.seed[1] = b->seed[1];
	g->limits.buckets = b->buckets;
	g->limits.conns = NULL;
	if (l->nrules == 0)
		g->limits.buckets.cells = NULL;
	/* no table without the limit: a count of 0 would refuse all */
	if (l->max_conns_per_ip)
		g->limits.conns = b->conns;
	g->cfg.limits = l->nrules || l->max_conns_per_ip ? &g->limits : NULL;
	return 0;
}

void
http_gen_discard(struct http_gen *g)
{
	if (g == NULL)
		return;
	atomic_store(&g->refs, 1);
	gen_unref(g);
}

void
http_gens_publish(struct http_gens *h, struct http_gen *g)
{
	pthread_mutex_lock(&h->lock);
	struct http_gen *old = atomic_load_explicit(&h->cur,
						    memory_order_relaxed);
	atomic_store_explicit(&g->refs, h->nworkers + 1, memory_order_relaxed);
	g->next = NULL;
	old->next = g;
	atomic_store_explicit(&h->cur, g, memory_order_release);
	pthread_mutex_unlock(&h->lock);
	gen_unref(old);		/* the hub's */
}

void
http_gens_free(struct http_gens *h)
{
	if (h == NULL)
		return;
	struct http_gen *g = atomic_load(&h->cur);
	if (g)
		gen_unref(g);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

struct http_gen *
http_gens_enter(struct http_gens *h)
{
	pthread_mutex_lock(&h->lock);
	struct http_gen *g = atomic_load_explicit(&h->cur,
						  memory_order_relaxed);
	atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
	h->nworkers++;
	pthread_mutex_unlock(&h->lock);
	return g;
}

/* g and the generations after it up to cur (excluded): the worker holds
 * a reference to each, and g->next is set before cur is published. */
static void
drop_until(struct http_gen *g, const struct http_gen *cur)
{
	while (g != cur) {
		struct http_gen *next = g->next;
		gen_unref(g);
		g = next;
	}
}

struct http_gen *
http_gens_move(struct http_gens *h, struct http_gen *g)
{
	struct http_gen *cur = atomic_load_explicit(&h->cur,
						    memory_order_acquire);

	drop_until(g, cur);
	return cur;
}

void
http_gens_leave(struct http_gens *h, struct http_gen *g)
{
	pthread_mutex_lock(&h->lock);
	struct http_gen *cur = atomic_load_explicit(&h->cur,
						    memory_order_acquire);
	drop_until(g, cur);
	gen_unref(cur);
	h->nworkers--;
	pthread_mutex_unlock(&h->lock);
}

/* The worker's safe point found a newer generation: its config becomes
 * that one's. What was keyed by the old roots goes: the file cache
 * (entries keyed by the vhost's address, which a later generation may
 * reuse) and the gateways' real paths of the roots. */
void
http_worker_regen(struct http_worker *w)
{
	w->gen = http_gens_move(w->gens, w->gen);
	w->cfg = w->gen->cfg;
	w->hsts[0] = '\0';
	if (w->cfg.tls && w->cfg.hsts_s > 0)
		snprintf(w->hsts, sizeof w->hsts,
			 "Strict-Transport-Security: max-age=%d\r\n",
			 w->cfg.hsts_s);
	http_cache_clear(w->cache);
	for (int i = 0; w->gw && i <= HTTP_MAX_VHOSTS; i++) {
		free(w->gw->roots[i]);
		w->gw->roots[i] = NULL;
	}
}
