/* Unit tests of src/http/http_gen.c: generations published by one thread
 * and stepped through by workers; each freed once no worker holds it
 * (ASan and its leak checker watch the frees); the limits' tables shared
 * and grown on demand. */
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "core/err.h"
#include "http/http_gen.h"
#include "http/http_server.h"
#include "unit.h"

static const uint64_t seed[2] = { 5, 6 };

static struct http_gens *
hub_new(struct http_server_config *c, struct http_limits *base)
{
	memset(base, 0, sizeof *base);
	http_server_config_init(c);
	ck_assert_int_eq(http_limits_init(base, seed), 0);
	struct http_gens *h = http_gens_new(c, base);
	ck_assert_ptr_nonnull(h);
	return h;
}

static struct http_gen *
gen_with_root(struct http_gens *h, int autoindex)
{
	struct http_site s;
	struct http_gen *g = http_gen_new(h);

	ck_assert_ptr_nonnull(g);
	http_site_init(&s);
	ck_assert_int_eq(http_site_add(&s, NULL, "/"), 0);
	s.autoindex = autoindex;
	http_gen_set_site(g, &s);
	ck_assert_int_eq(s.def.root_fd, -1);	/* moved */
	return g;
}

START_TEST(test_workers_step_past)
{
	struct http_server_config c;
	struct http_limits base;
	struct http_gens *h = hub_new(&c, &base);
	struct http_gen *w1 = http_gens_enter(h), *w2 = http_gens_enter(h);

	ck_assert_ptr_eq(w1, w2);
	ck_assert(!http_gens_moved(h, w1));
	struct http_gen *g1 = gen_with_root(h, 1);
	http_gens_publish(h, g1);
	struct http_gen *g2 = gen_with_root(h, 0);
	http_gens_publish(h, g2);
	ck_assert(http_gens_moved(h, w1));
	/* g1: one reference per worker, the hub's went to g2 */
	ck_assert_int_eq(atomic_load(&g1->refs), 2);
	w1 = http_gens_move(h, w1);
	ck_assert_ptr_eq(w1, g2);
	ck_assert_int_eq(atomic_load(&g1->refs), 1);
	ck_assert_int_eq(w1->cfg.site->autoindex, 0);
	ck_assert_ptr_eq(w1->cfg.site, &g2->site);
	/* w2 steps over g1 (never read) to g2; g1 is freed here */
	w2 = http_gens_move(h, w2);
	ck_assert_ptr_eq(w2, g2);
	ck_assert_int_eq(atomic_load(&g2->refs), 3);
	http_gens_leave(h, w1);
	/* a worker that leaves holding an old one drops the later ones */
	http_gens_publish(h, gen_with_root(h, 1));
	http_gens_leave(h, w2);
	http_gens_free(h);
	http_limits_fini(&base);
}
END_TEST

START_TEST(test_limits_tables_shared)
{
	struct http_server_config c;
	struct http_limits base, l;
	struct http_gens *h = hub_new(&c, &base);
	struct sockaddr_in a = { .sin_family = AF_INET };

	ck_assert_ptr_null(base.conns);
	ck_assert_ptr_null(atomic_load(&h->cur)->cfg.limits);
	memset(&l, 0, sizeof l);
	l.max_conns_per_ip = 1;
	struct http_gen *g = gen_with_root(h, 0);
	ck_assert_int_eq(http_gen_set_limits(h, g, &l), 0);
	ck_assert_ptr_nonnull(base.conns);	/* grown for it */
	ck_assert_ptr_eq(g->cfg.limits, &g->limits);
	ck_assert_ptr_eq(g->limits.conns, base.conns);
	ck_assert_int_eq(http_limits_conn_open(g->cfg.limits,
					       (struct sockaddr *)&a), 0);
	ck_assert_int_eq(http_limits_conn_open(g->cfg.limits,
					       (struct sockaddr *)&a), ERR_RANGE);
	http_gens_publish(h, g);
	/* rules alone: no count table, or every connection would be over */
	ck_assert_int_eq(http_limit_rule_parse("/=5/s", &l.rules[0]), 0);
	l.nrules = 1;
	l.max_conns_per_ip = 0;
	g = gen_with_root(h, 0);
	ck_assert_int_eq(http_gen_set_limits(h, g, &l), 0);
	ck_assert_ptr_null(g->limits.conns);
	ck_assert_ptr_nonnull(g->limits.buckets.cells);
	http_gens_publish(h, g);
	/* the connection counted before is released in the same table */
	http_limits_conn_close(&base, (struct sockaddr *)&a);
	l.max_conns_per_ip = 1;
	l.nrules = 0;
	g = gen_with_root(h, 0);
	ck_assert_int_eq(http_gen_set_limits(h, g, &l), 0);
	ck_assert_int_eq(http_limits_conn_open(g->cfg.limits,
					       (struct sockaddr *)&a), 0);
	http_gen_discard(g);
	memset(&l, 0, sizeof l);
	g = gen_with_root(h, 0);
	ck_assert_int_eq(http_gen_set_limits(h, g, &l), 0);
	ck_assert_ptr_null(g->cfg.limits);
	http_gens_publish(h, g);
	http_gens_free(h);
	http_limits_fini(&base);
}
END_TEST

struct racer {
	struct http_gens *h;
	atomic_int *stop;
	long moves;
	long sink;
};

/* A worker: steps to each generation it sees and reads it, as a request
 * does, until told to stop. */
static void *
racer_run(void *arg)
{
	struct racer *r = arg;
	struct http_gen *g = http_gens_enter(r->h);

	while (!atomic_load(r->stop)) {
		if (http_gens_moved(r->h, g)) {
			g = http_gens_move(r->h, g);
			r->moves++;
		}
		r->sink += g->cfg.site->def.root_fd;	/* read it */
	}
	http_gens_leave(r->h, g);
	return NULL;
}

START_TEST(test_storm_with_workers)
{
	struct http_server_config c;
	struct http_limits base;
	struct http_gens *h = hub_new(&c, &base);
	struct http_site s0;
	atomic_int stop = 0;
	struct racer r[3];
	pthread_t t[3];

	http_site_init(&s0);
	c.site = &s0;
	http_gens_free(h);
	h = http_gens_new(&c, &base);
	for (int i = 0; i < 3; i++) {
		r[i] = (struct racer){ h, &stop, 0, 0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, racer_run, &r[i]),
				 0);
	}
	for (int i = 0; i < 2000; i++)
		http_gens_publish(h, gen_with_root(h, i & 1));
	atomic_store(&stop, 1);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	http_gens_free(h);
	http_limits_fini(&base);
}
END_TEST

static Suite *
gen_suite(void)
{
	Suite *s = suite_create("http_gen");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_workers_step_past);
	tcase_add_test(tc, test_limits_tables_shared);
	tcase_add_test(tc, test_storm_with_workers);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(gen_suite());
}
