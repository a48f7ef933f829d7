/* ratelimit_race: what sharing one rate-limit table between workers costs,
 * against one table per worker. Two threads (one per CPU) take tokens as
 * fast as they can for a while, in four settings: one thread alone; two
 * threads on one shared table hitting the same bucket (a flood from one
 * client spread over two workers: the worst case of sharing, the bucket's
 * cache line bouncing between the cores); two threads on a shared table
 * hitting random buckets (many clients); two threads with a table each
 * (per-worker tables). Prints nanoseconds per take, Markdown. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/ratelimit.h"

#define TAKES 20000000

struct job {
	struct ratelimit *t;
	int same;		/* 1: one bucket; 0: random buckets */
	uint64_t seed;		/* each thread its own clients */
	pthread_barrier_t *go;	/* the threads start together */
	double ns;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
run(void *arg)
{
	struct job *j = arg;
	struct ratelimit_rule r;
	uint64_t h = 0x9e3779b97f4a7c15ull, granted = 0;

	ratelimit_rule_init(&r, RATELIMIT_RATE_MAX, 1, 1000, 1);
	pthread_barrier_wait(j->go);
	double t0 = now_s();
	for (int i = 0; i < TAKES; i++) {
		if (!j->same)
			h = ratelimit_mix(h, (uint64_t)i ^ j->seed);
		granted += ratelimit_take(j->t, h, &r, 1000 + i / 100000) == 0;
	}
	j->ns = (now_s() - t0) * 1e9 / TAKES;
	if (granted == 0)
		fprintf(stderr, "ratelimit_race: nothing granted\n");
	return NULL;
}

/* Runs n threads on the tables t[0..n) (the same pointer to share). */
static double
race(struct ratelimit **t, int n, int same)
{
	pthread_t th[2];
	pthread_barrier_t go;
	struct job j[2];
	double ns = 0;

	for (int i = 0; i < 2; i++) {	/* every race starts full */
		if (i == 1 && t[1] == t[0])
			break;
		ratelimit_fini(t[i]);
		if (ratelimit_init(t[i], 18) < 0)
			exit(1);
	}
	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		j[i] = (struct job){ t[i], same, (uint64_t)i << 32, &go, 0 };
		pthread_create(&th[i], NULL, run, &j[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		ns += j[i].ns / n;
	}
	pthread_barrier_destroy(&go);
	return ns;
}

int
main(void)
{
	struct ratelimit a, b;
	struct ratelimit *one[2] = { &a, &a }, *two[2] = { &a, &b };

	if (ratelimit_init(&a, 18) < 0 || ratelimit_init(&b, 18) < 0)
		return 1;
	printf("| setting | ns per take |\n|---|---:|\n");
	printf("| one thread, one bucket | %.1f |\n", race(one, 1, 1));
	printf("| one thread, random buckets | %.1f |\n", race(one, 1, 0));
	printf("| two threads, shared table, same bucket | %.1f |\n",
	       race(one, 2, 1));
	printf("| two threads, shared table, random buckets | %.1f |\n",
	       race(one, 2, 0));
	printf("| two threads, a table each, same bucket | %.1f |\n",
	       race(two, 2, 1));
	printf("| two threads, a table each, random buckets | %.1f |\n",
	       race(two, 2, 0));
	ratelimit_fini(&a);
	ratelimit_fini(&b);
	return 0;
}
