/* http_limit: per-client connection counts and request rates; the model
 * is in http_limit.h. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http_limit.h"
#include "http_parse.h"
#include "http_path.h"

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
	/* buckets are the rule's, not its place in the list: a reload that
	 * keeps a rule keeps them, one that changes it starts them full */
	out->key = 14695981039346656037ull;
	for (const char *p = spec; *p; p++)
		out->key = (out->key ^ (unsigned char)*p) * 1099511628211ull;
	ratelimit_rule_init(&out->bucket, out->count, out->period_s,
			    out->burst, 0);
	return 0;
}

int
http_limits_init(struct http_limits *l, const uint64_t seed[2])
{
	l->seed[0] = seed[0];
	l->seed[1] = seed[1];
	l->conns = NULL;
	l->buckets.cells = NULL;
	return http_limits_tables(l, l->nrules > 0, l->max_conns_per_ip > 0);
}

int
http_limits_tables(struct http_limits *l, int rules, int conns)
{
	size_t n = (size_t)1 << HTTP_LIMIT_BITS;

	if (rules && l->buckets.cells == NULL &&
	    ratelimit_init(&l->buckets, HTTP_LIMIT_BITS) < 0)
		return -ENOMEM;
	if (!conns || l->conns)
		return 0;
	_Atomic uint32_t *t = malloc(n * sizeof *t);
	if (t == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		atomic_init(&t[i], 0);
	l->conns = t;
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

/* The keyed hash of the client: IPv4 address or IPv6 /64 (an IPv4-mapped
 * address is its IPv4 address). The table index is its top bits. */
static uint64_t
client_hash(const struct http_limits *l, const struct sockaddr *peer)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };
	uint64_t w = 0;
	uint32_t v4 = 0;

	if (peer->sa_family == AF_INET6) {
		const uint8_t *b = ((const struct sockaddr_in6 *)peer)->
			sin6_addr.s6_addr;
		if (memcmp(b, mapped, sizeof mapped) != 0) {
			memcpy(&w, b, 8);
			return ratelimit_mix(l->seed[0] ^ 6, w);
		}
		memcpy(&v4, b + 12, 4);
	} else if (peer->sa_family == AF_INET) {
		memcpy(&v4, &((const struct sockaddr_in *)peer)->sin_addr, 4);
	}
	return ratelimit_mix(l->seed[0] ^ 4, v4);
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
		if (r->plen > n || path[r->plen - 1] != r->path[r->plen - 1] ||
		    memcmp(path, r->path, r->plen) != 0)
			continue;
		if (r->plen < n && r->plen > 1 && path[r->plen] != '/')
			continue;
		if (best < 0 || r->plen > l->rules[best].plen)
			best = i;
	}
	return best;
}

/* True when the file layer's cleaning would leave path as it is: no
 * percent-encoding, no empty or dot segment. The common case, which then
 * skips a copy. */
static int
path_is_clean(const char *p, size_t n)
{
	if (n == 0 || p[0] != '/')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '%')
			return 0;
		if (p[i] == '/' && i + 1 < n && (p[i + 1] == '/' ||
						 p[i + 1] == '.'))
			return 0;
	}
	return 1;
}

int64_t
http_limits_request(struct http_limits *l, const struct sockaddr *peer,
		    const char *path, size_t n, int64_t now_ms)
{
	char clean[HTTP_MAX_LINE + 2];

	if (!path_is_clean(path, n)) {
		ssize_t len = http_path_clean(path, n, clean, sizeof clean);
		if (len < 0)
			return 0;
		path = clean;
		n = (size_t)len;
	}
	int i = rule_find(l, path, n);

	if (i < 0)
		return 0;
	uint64_t h = ratelimit_mix(client_hash(l, peer) ^ l->seed[1],
				   l->rules[i].key);
	int64_t ms = ratelimit_take(&l->buckets, h, &l->rules[i].bucket,
				    now_ms);
	return (ms + 999) / 1000;
}
