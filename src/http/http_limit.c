/* http_limit: per-client connection counts and request rates; the model
 * is in http_limit.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http_limit.h"
#include "net/net_prefix.h"

int
http_limit_rule_parse(const char *spec, struct http_limit_rule *out)
{
	const char *eq = strrchr(spec, '=');
	char *end;

	memset(out, 0, sizeof *out);
	if (spec[0] != '/' || eq == NULL ||
	    (size_t)(eq - spec) >= HTTP_LIMIT_PATH)
		return ERR_PARSE;
	if (eq[1] < '1' || eq[1] > '9')
		return ERR_PARSE;
	unsigned long count = strtoul(eq + 1, &end, 10);
	if (count > RATELIMIT_RATE_MAX || end[0] != '/' ||
	    (end[1] != 's' && end[1] != 'm'))
		return ERR_PARSE;
	out->period_s = end[1] == 's' ? 1 : 60;
	out->burst = (uint32_t)((count + out->period_s - 1) / out->period_s);
	end += 2;
	if (*end == ':') {
		if (end[1] < '1' || end[1] > '9')
			return ERR_PARSE;
		unsigned long burst = strtoul(end + 1, &end, 10);
		if (burst > RATELIMIT_RATE_MAX)
			return ERR_PARSE;
		out->burst = (uint32_t)burst;
	}
	if (*end != '\0')
		return ERR_PARSE;
	out->plen = (size_t)(eq - spec);
	memcpy(out->path, spec, out->plen);
	/* "/api/" and "/api" both mean the segment "api" and below */
	while (out->plen > 1 && out->path[out->plen - 1] == '/')
		out->path[--out->plen] = '\0';
	out->count = (uint32_t)count;
	ratelimit_rule_init(&out->bucket, out->count, out->period_s,
			    out->burst, 0);
	return 0;
}

int
http_limits_init(struct http_limits *l, const uint64_t seed[2])
{
	size_t n = (size_t)1 << HTTP_LIMIT_BITS;

	l->seed[0] = seed[0];
	l->seed[1] = seed[1];
	l->conns = NULL;
	l->buckets.cells = NULL;
	if (l->nrules && ratelimit_init(&l->buckets, HTTP_LIMIT_BITS) < 0)
		return -ENOMEM;
	if (l->max_conns_per_ip == 0)
		return 0;
	l->conns = malloc(n * sizeof *l->conns);
	if (l->conns == NULL) {
		http_limits_fini(l);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		atomic_init(&l->conns[i], 0);

	return 0;
}

void
http_limits_fini(struct http_limits *l)
{
	if (l->buckets.cells)
		ratelimit_fini(&l->buckets);
	free((void *)l->conns);
	l->conns = NULL;
}

/* The keyed hash of the client: IPv4 address or IPv6 /64. */
static uint64_t
client_hash(const struct http_limits *l, const struct sockaddr *peer)
{
	struct net_prefix p;
	uint64_t w[2];

	if (net_prefix_of(peer, 32, 64, &p) < 0)
		memset(&p, 0, sizeof p);
	memcpy(w, p.bytes, sizeof w);
	return ratelimit_mix(ratelimit_mix(l->seed[0], w[0] ^ p.v6), w[1]);
}

int
http_limits_conn_open(struct http_limits *l, const struct sockaddr *peer)
{
	if (l->conns == NULL)
		return 0;
	_Atomic uint32_t *n = &l->conns[client_hash(l, peer) >>
					(64 - HTTP_LIMIT_BITS)];
	if (atomic_fetch_add_explicit(n, 1, memory_order_relaxed) <
	    l->max_conns_per_ip)
		return 0;
	atomic_fetch_sub_explicit(n, 1, memory_order_relaxed);
	return ERR_RANGE;
}

void
http_limits_conn_close(struct http_limits *l, const struct sockaddr *peer)
{
	if (l->conns == NULL)
		return;
	atomic_fetch_sub_explicit(&l->conns[client_hash(l, peer) >>
					    (64 - HTTP_LIMIT_BITS)], 1,
				  memory_order_relaxed);
}

/* The rule of the longest prefix of path, whole segments; -1 if none. */
static int
rule_find(const struct http_limits *l, const char *path, size_t n)
{
	int best = -1;

	for (int i = 0; i < l->nrules; i++) {
		const struct http_limit_rule *r = &l->rules[i];
		if (r->plen > n || memcmp(path, r->path, r->plen) != 0)
			continue;
		if (r->plen < n && r->plen > 1 && path[r->plen] != '/')
			continue;
		if (best < 0 || r->plen > l->rules[best].plen)
			best = i;
	}
	return best;
}

int64_t
http_limits_request(struct http_limits *l, const struct sockaddr *peer,
		    const char *path, size_t n, int64_t now_ms)
{
	int i = rule_find(l, path, n);

	if (i < 0)
		return 0;
	uint64_t h = ratelimit_mix(client_hash(l, peer) ^ l->seed[1],
				   (uint64_t)i);
	int64_t ms = ratelimit_take(&l->buckets, h, &l->rules[i].bucket,
				    now_ms);
	return (ms + 999) / 1000;
}
