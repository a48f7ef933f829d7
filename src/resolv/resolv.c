/* resolv: the stub resolver's lookups: local answers (numeric
 * addresses, pins, the hosts file), the cache, and two resolv_stub questions
 * (AAAA and A) whose answers are merged in the order a client should try
 * them (RFC 8305 section 4). Configuration from resolv.conf(5). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "dns/dns_rr.h"
#include "resolv.h"
#include "resolv_cache.h"
#include "resolv_stub.h"

#define RESOLVE_DEFAULT_TIMEOUT 2000
#define RESOLVE_DEFAULT_ATTEMPTS 2
#define RESOLVE_DEFAULT_CACHE 512

struct resolv {
	struct loop *l;
	struct resolv_config cfg;
	char *hosts;		/* the hosts file's text, or NULL */
	size_t hosts_len;
	struct resolv_cache cache;
	struct resolv_query *queries;	/* pending, doubly linked */
};

/* One lookup: AAAA in part 0, A in part 1. */
struct resolv_query_part {
	struct resolv_stub stub;
	uint16_t type;
	int done, status, chain;
	uint32_t ttl;		/* smallest TTL along the chain */
	struct net_addr addrs[RESOLV_CACHE_MAX_ADDRS];
	int naddrs;
};

struct resolv_query {
	struct resolv *r;
	struct resolv_query *prev, *next;
	char text[DNS_NAME_MAX + 1];	/* the name as given, no final dot */
	uint8_t name[DNS_NAME_MAX + 1];	/* wire form */
	resolv_fn fn;
	void *arg;
	struct loop_timer kick;		/* 0 ms: start or deliver; then the
					 * grace left to the other family */
	int local;			/* answered without the servers */
	int grace;			/* kick now ends the grace period */
	int status;
	struct net_addr addrs[RESOLV_MAX_ADDRS];
	int naddrs;
	struct resolv_query_part part[2];
};

void
resolv_config_init(struct resolv_config *c)
{
	memset(c, 0, sizeof *c);
	c->timeout_ms = RESOLVE_DEFAULT_TIMEOUT;
	c->attempts = RESOLVE_DEFAULT_ATTEMPTS;
	c->cache_max = RESOLVE_DEFAULT_CACHE;
}

/* Reads a whole small file (at most max bytes) into a malloc'd buffer. */
static int
read_small_file(const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	char *p;

	if (fd < 0)
		return -errno;
	p = malloc(max);
	if (p == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (n < max) {
		ssize_t r = read(fd, p + n, max - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = p;
	*len = n;
	return 0;
}

int
resolv_config_system(struct resolv_config *c,
		     const char *resolv_path, const char *hosts_path)
{
	struct resolv_conf rc;
	char *text;
	size_t len;

	c->hosts_path = hosts_path;
	int err = read_small_file(resolv_path, 65536, &text, &len);
	if (err == -ENOENT)
		return 0;
	if (err < 0)
		return err;
	resolv_conf_parse(text, len, &rc);
	free(text);
	for (int i = 0; i < rc.nservers; i++)
		resolv_config_server(c, &rc.servers[i]);
	if (rc.timeout_ms)
		c->timeout_ms = rc.timeout_ms;
	if (rc.attempts)
		c->attempts = rc.attempts;
	return 0;
}

int
resolv_config_server(struct resolv_config *c,
		     const struct net_addr *server)
{
	if (c->nservers == RESOLV_MAX_SERVERS)
		return ERR_TOOBIG;
	c->servers[c->nservers++] = *server;
	return 0;
}

int
resolv_config_pin(struct resolv_config *c, const char *name,
		  const struct net_addr *addr)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (c->npins == RESOLV_MAX_PINS || n >= sizeof c->pins[0].name)
		return ERR_TOOBIG;
	struct resolv_pin *p = &c->pins[c->npins++];
	memcpy(p->name, name, n);
	p->name[n] = '\0';
	p->addr = *addr;
	net_addr_set_port(&p->addr, 0);
	return 0;
}

struct resolv *
resolv_new(struct loop *l, const struct resolv_config *c)
{
	struct resolv *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->l = l;
	r->cfg = *c;
	if (r->cfg.timeout_ms <= 0)
		r->cfg.timeout_ms = RESOLVE_DEFAULT_TIMEOUT;
	if (r->cfg.attempts <= 0)
		r->cfg.attempts = RESOLVE_DEFAULT_ATTEMPTS;
	if (c->hosts_path &&
	    read_small_file(c->hosts_path, RESOLV_MAX_HOSTS, &r->hosts,
			    &r->hosts_len) < 0)
		r->hosts = NULL;
	r->cfg.hosts_path = NULL;	/* the text is ours now */
	if (resolv_cache_init(&r->cache, c->cache_max) < 0) {
		free(r->hosts);
		free(r);
		return NULL;
	}
	return r;
}

static void
query_unlink(struct resolv_query *q)
{
	struct resolv *r = q->r;

	if (q->prev)
		q->prev->next = q->next;
	else
		r->queries = q->next;
	if (q->next)
		q->next->prev = q->prev;
}

void
resolv_cancel(struct resolv_query *q)
{
	query_unlink(q);
	loop_timer_del(q->r->l, &q->kick);
	for (int i = 0; i < 2; i++)
		resolv_stub_stop(&q->part[i].stub);
	free(q);
}

void
resolv_free(struct resolv *r)
{
	if (r == NULL)
		return;
	while (r->queries)
		resolv_cancel(r->queries);
	resolv_cache_fini(&r->cache);
	free(r->hosts);
	free(r);
}

const char *
resolv_strerror(int status)
{
	switch (status) {
	case 0:
		return "ok";
	case ERR_NOTFOUND:
		return "no such host";
	case ERR_TIMEOUT:
		return "no answer from the name servers";
	case -EAGAIN:
		return "the name servers failed to answer";
	case ERR_PARSE:
		return "bad host name";
	default:
		return err_str(status);
	}
}

/* Hands the result to the caller: the query is freed first, so that the
 * callback may do anything, the resolver's free included. */
static void
query_deliver(struct resolv_query *q)
{
	struct net_addr addrs[RESOLV_MAX_ADDRS];
	int n = q->naddrs, status = q->status;
	resolv_fn fn = q->fn;
	void *arg = q->arg;

	memcpy(addrs, q->addrs, (size_t)n * sizeof addrs[0]);
	resolv_cancel(q);
	fn(arg, status, addrs, n);
}

/* Interleaves AAAA and A answers, IPv6 first (RFC 8305 section 4). */
static void
query_merge(struct resolv_query *q)
{
	const struct resolv_query_part *v6 = &q->part[0], *v4 = &q->part[1];
	int i = 0, j = 0;

	q->naddrs = 0;
	while ((i < v6->naddrs || j < v4->naddrs) &&
	       q->naddrs < RESOLV_MAX_ADDRS) {
		if (i < v6->naddrs)
			q->addrs[q->naddrs++] = v6->addrs[i++];
		if (j < v4->naddrs && q->naddrs < RESOLV_MAX_ADDRS)
			q->addrs[q->naddrs++] = v4->addrs[j++];
	}
	if (q->naddrs > 0)
		q->status = 0;
	else if (v6->status == ERR_NOTFOUND || v4->status == ERR_NOTFOUND)
		q->status = ERR_NOTFOUND;
	else
		q->status = v4->status < 0 ? v4->status : v6->status;
	if (q->naddrs == 0 && q->status == 0)
		q->status = ERR_NOTFOUND;
}

/* A part has its final answer: cache it under the name asked. */
static void
part_end(struct resolv_query *q, struct resolv_query_part *p, int status)
{
	struct resolv *r = q->r;
	const struct resolv_reply_info *in = &p->stub.info;

	p->done = 1;
	p->status = status;
	if (status == 0) {
		p->naddrs = in->naddrs;
		memcpy(p->addrs, in->addrs, (size_t)in->naddrs * sizeof *p->addrs);
		enum resolv_cache_kind kind =
			in->kind == RESOLV_REPLY_NXDOMAIN ?
			RESOLV_CACHE_NXDOMAIN : RESOLV_CACHE_ADDRS;
		uint32_t ttl = p->ttl < in->ttl ? p->ttl : in->ttl;
		resolv_cache_put(&r->cache, q->name, p->type, kind, p->addrs,
				 p->naddrs, ttl, clock_mono_ms());
		if (in->kind == RESOLV_REPLY_NXDOMAIN ||
		    in->kind == RESOLV_REPLY_NODATA)
			p->status = ERR_NOTFOUND;
	}
	if (q->part[0].done && q->part[1].done) {
		query_merge(q);
		query_deliver(q);
		return;
	}
	/* RFC 8305 section 3: addresses of one family are not held back
	 * long for a server slow to answer (or deaf to) the other type. */
	if (p->naddrs > 0) {
		q->grace = 1;
		loop_timer_set(r->l, &q->kick, RESOLV_GRACE_MS);
	}
}

static void
part_on_stub(struct resolv_stub *s, void *arg)
{
	struct resolv_query *q = arg;
	struct resolv_query_part *p = s == &q->part[0].stub ? &q->part[0] :
							    &q->part[1];

	if (s->status == 0 && s->info.kind == RESOLV_REPLY_CNAME) {
		uint8_t target[DNS_NAME_MAX + 1];
		p->chain += s->info.cnames;
		if (s->info.ttl < p->ttl)
			p->ttl = s->info.ttl;
		if (p->chain > RESOLV_MAX_CHAIN) {
			part_end(q, p, ERR_NOTFOUND);
			return;
		}
		memcpy(target, s->info.target, dns_name_len(s->info.target));
		resolv_stub_start(s, target, p->type, part_on_stub, q);
		return;
	}
	part_end(q, p, s->status);
}

/* Takes what the cache holds for each type; a part answered so is done
 * and asks no server. Returns 1 when both parts were answered. */
static int
query_from_cache(struct resolv_query *q)
{
	for (int i = 0; i < 2; i++) {
		struct resolv_query_part *p = &q->part[i];
		const struct resolv_cache_entry *e = resolv_cache_get(
			&q->r->cache, q->name, p->type, clock_mono_ms());
		if (e == NULL)
			continue;
		p->done = 1;
		p->naddrs = e->naddrs;
		memcpy(p->addrs, e->addrs, (size_t)e->naddrs * sizeof *p->addrs);
		p->status = e->naddrs > 0 ? 0 : ERR_NOTFOUND;
	}
	if (!q->part[0].done || !q->part[1].done)
		return 0;
	query_merge(q);
	return 1;
}

/* Numeric addresses, pins and the hosts file. Returns 1 when answered. */
static int
query_local(struct resolv_query *q)
{
	struct resolv *r = q->r;

	q->naddrs = 0;
	if (net_ip_parse(q->text, &q->addrs[0]) == 0) {
		q->naddrs = 1;
		return 1;
	}
	for (int i = 0; i < r->cfg.npins; i++)
		if (strcasecmp(r->cfg.pins[i].name, q->text) == 0 &&
		    q->naddrs < RESOLV_MAX_ADDRS)
			q->addrs[q->naddrs++] = r->cfg.pins[i].addr;
	if (q->naddrs == 0 && r->hosts)
		q->naddrs = resolv_hosts_find(r->hosts, r->hosts_len, q->text,
					      q->addrs, RESOLV_MAX_ADDRS);
	return q->naddrs > 0;
}

static void
query_on_kick(struct loop *l, void *arg)
{
	struct resolv_query *q = arg;

	if (q->local) {
		query_deliver(q);
		return;
	}
	if (q->grace) {
		for (int i = 0; i < 2; i++) {
			struct resolv_query_part *p = &q->part[i];
			if (p->done)
				continue;
			resolv_stub_stop(&p->stub);
			p->done = 1;
			p->status = ERR_TIMEOUT;
		}
		query_merge(q);
		query_deliver(q);
		return;
	}
	for (int i = 0; i < 2; i++)
		if (!q->part[i].done)
			resolv_stub_start(&q->part[i].stub, q->name,
					  q->part[i].type, part_on_stub, q);
}

/* Fills q->text and q->name from name; ERR_PARSE for a bad one. */
static int
query_name(struct resolv_query *q, const char *name)
{
	static const uint8_t root[1] = { 0 };
	size_t n = strlen(name);
	const char *why;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n >= sizeof q->text)
		return ERR_PARSE;
	memcpy(q->text, name, n);
	q->text[n] = '\0';
	if (net_ip_parse(q->text, &q->addrs[0]) == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '\\' || (unsigned char)name[i] <= ' ')
			return ERR_PARSE;
	if (dns_name_parse(name, strlen(name), root, q->name, &why) < 0)
		return ERR_PARSE;
	return 0;
}

struct resolv_query *
resolv_lookup(struct resolv *r, const char *name, resolv_fn fn,
	      void *arg)
{
	struct resolv_query *q = calloc(1, sizeof *q);

	if (q == NULL)
		return NULL;
	q->r = r;
	q->fn = fn;
	q->arg = arg;
	loop_timer_init(&q->kick, query_on_kick, q);
	q->part[0].type = DNS_T_AAAA;
	q->part[1].type = DNS_T_A;
	for (int i = 0; i < 2; i++) {
		resolv_stub_init(&q->part[i].stub, r->l, &r->cfg);
		q->part[i].ttl = UINT32_MAX;
	}
	q->next = r->queries;
	if (r->queries)
		r->queries->prev = q;
	r->queries = q;
	q->status = query_name(q, name);
	q->local = q->status < 0 || query_local(q) || query_from_cache(q);
	loop_timer_set(r->l, &q->kick, 0);
	return q;
}

struct blocking_result {
	struct loop *l;
	int status, n, max;
	struct net_addr *out;
};

static void
blocking_done(void *arg, int status, const struct net_addr *addrs, int n)
{
	struct blocking_result *b = arg;

	b->status = status;
	b->n = n < b->max ? n : b->max;
	memcpy(b->out, addrs, (size_t)b->n * sizeof *addrs);
	loop_stop(b->l, 0);
}

int
resolv_lookup_blocking(const struct resolv_config *c, const char *name,
		       struct net_addr *out, int max)
{
	struct blocking_result b = { .status = -ENOMEM, .out = out, .max = max };
	struct resolv *r = NULL;

	b.l = loop_new();
	if (b.l != NULL)
		r = resolv_new(b.l, c);
	if (r != NULL && resolv_lookup(r, name, blocking_done, &b) != NULL)
		loop_run(b.l);
	resolv_free(r);
	loop_free(b.l);
	return b.status < 0 ? b.status : b.n;
}
