/* http_stats: per-worker counters summed on read, and the status page:
 * PATH is an HTML view (http_stats_html.c) that polls PATH.json once a
 * second and draws its charts itself (no external assets: it works
 * offline); PATH/metrics gives the same counters to Prometheus
 * (http_stats_prom.c). */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "http_parse.h"
#include "http_reply.h"
#include "http_stats.h"
#include "http_stats_int.h"

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct http_stats_page *
http_stats_page_new(const char *path, int nworkers)
{
	size_t n = strlen(path);
	struct http_stats_page *p;

	if (n < 2 || n >= HTTP_STATS_PATH_MAX - 8 || path[0] != '/' ||
	    nworkers < 1 || strpbrk(path, "?#%\" <>\\") != NULL)
		return NULL;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->slots = aligned_alloc(64, sizeof *p->slots * (size_t)nworkers);
	if (p->slots == NULL) {
		free(p);
		return NULL;
	}
	memset(p->slots, 0, sizeof *p->slots * (size_t)nworkers);
	memcpy(p->path, path, n + 1);
	p->path_len = n;
	p->nslots = nworkers;
	p->start_ms = mono_ms();
	return p;
}

void
http_stats_page_free(struct http_stats_page *p)
{
	if (p == NULL)
		return;
	free(p->vhost_names);
	free(p->slots);
	free(p);
}

int
http_stats_allow_add(struct http_stats_page *p, const char *cidr)
{
	char ip[64];
	const char *slash = strchr(cidr, '/');
	size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
	struct http_stats_allow *a;

	if (p->nallow == HTTP_STATS_MAX_ALLOW)
		return ERR_TOOBIG;
	if (n == 0 || n >= sizeof ip)
		return ERR_PARSE;
	memcpy(ip, cidr, n);
	ip[n] = '\0';
	a = &p->allow[p->nallow];
	if (net_ip_parse(ip, &a->net) < 0)
		return ERR_PARSE;
	int max = net_addr_family(&a->net) == AF_INET ? 32 : 128;
	a->prefix = max;
	if (slash) {
		char *end;
		long v = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || v < 0 || v > max)
			return ERR_PARSE;
		a->prefix = (int)v;
	}
	p->nallow++;
	return 0;
}

/* The --vhost names of site, for the page. */
static void
page_site(struct http_stats_page *p, const struct http_site *site)
{
	int n = site->nvhosts < HTTP_MAX_VHOSTS ? site->nvhosts :
		HTTP_MAX_VHOSTS;

	if (n == 0)
		return;
	p->vhost_names = calloc((size_t)n, sizeof *p->vhost_names);
	if (p->vhost_names == NULL)
		return;
	for (int i = 0; i < n; i++)
		snprintf(p->vhost_names[i], sizeof *p->vhost_names, "%s",
			 site->vhosts[i].name);
	__atomic_store_n(&p->nvhosts, n, __ATOMIC_RELEASE);
}

struct http_stats *
http_stats_claim(struct http_stats_page *p, const struct http_site *site)
{
	int i = __atomic_fetch_add(&p->claimed, 1, __ATOMIC_RELAXED);

	if (i == 0 && site)
		page_site(p, site);
	return i < p->nslots ? &p->slots[i] : NULL;
}

int
http_stats_workers(const struct http_stats_page *p)
{
	int n = __atomic_load_n(&p->claimed, __ATOMIC_RELAXED);

	return n < p->nslots ? n : p->nslots;
}

void
http_stats_sum(const struct http_stats_page *p, struct http_stats *out)
{
	int n = http_stats_workers(p);

	memset(out, 0, sizeof *out);
	for (int i = 0; i < n; i++) {
		const uint64_t *s = (const uint64_t *)&p->slots[i];
		uint64_t *o = (uint64_t *)out;
		for (size_t k = 0; k < sizeof *out / 8; k++)
			o[k] += __atomic_load_n(&s[k], __ATOMIC_RELAXED);
	}
}

void
http_stats_sum_named(const struct http_stats_page *p, struct http_stats *out)
{
	int named = __atomic_load_n(&p->nvhosts, __ATOMIC_ACQUIRE);

	http_stats_sum(p, out);
	for (int i = named; i < HTTP_MAX_VHOSTS; i++) {
		out->vhost_requests[HTTP_STATS_VHOST_OTHER] +=
			out->vhost_requests[i];
		out->vhost_bytes[HTTP_STATS_VHOST_OTHER] += out->vhost_bytes[i];
		out->vhost_requests[i] = out->vhost_bytes[i] = 0;
	}
}

int64_t
http_stats_uptime_ms(const struct http_stats_page *p)
{
	return mono_ms() - p->start_ms;
}

uint64_t
http_stats_lat_bound(unsigned i)
{
	if (i < 4)
		return i + 1;
	if (i >= HTTP_STATS_LAT_BUCKETS - 1)
		return UINT64_MAX;
	return (uint64_t)(4 + i % 4 + 1) << (i / 4 - 1);
}

uint64_t
http_stats_percentile(const struct http_stats *t, double q)
{
	uint64_t rank = (uint64_t)((double)t->lat_count * q + 0.999999);
	uint64_t seen = 0;

	if (t->lat_count == 0)
		return 0;
	for (unsigned i = 0; i < HTTP_STATS_LAT_BUCKETS - 1; i++) {
		seen += t->lat[i];
		if (seen >= rank)
			return http_stats_lat_bound(i);
	}
	return http_stats_lat_bound(HTTP_STATS_LAT_BUCKETS - 2);
}

int
http_stats_vhost(const struct http_site *site, const struct http_request *r,
		 int parsed)
{
	const struct http_vhost *v;

	if (!parsed || site == NULL)
		return HTTP_STATS_VHOST_OTHER;
	if (site->nvhosts == 0)		/* no Host to look at */
		return site->def.root_fd >= 0 ? HTTP_STATS_VHOST_DEFAULT :
			HTTP_STATS_VHOST_OTHER;
	v = http_site_find(site, r->host);
	if (v == NULL)
		return HTTP_STATS_VHOST_OTHER;
	if (v >= site->vhosts && v < site->vhosts + site->nvhosts)
		return (int)(v - site->vhosts);
	return HTTP_STATS_VHOST_DEFAULT;
}

const char *
http_stats_vhost_name(const struct http_stats_page *p, int i)
{
	if (i == HTTP_STATS_VHOST_DEFAULT)
		return "default";
	if (i == HTTP_STATS_VHOST_OTHER)
		return "other";
	return i < __atomic_load_n(&p->nvhosts, __ATOMIC_ACQUIRE) ?
		p->vhost_names[i] : NULL;
}

void
http_out_printf(struct http_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->n, o->size - o->n, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->n)
		o->err = 1;
	else
		o->n += (size_t)n;
}

void
http_out_extra(struct http_out *o, const struct http_stats_page *p,
	       enum http_stats_format fmt)
{
	int n;

	if (o->err || p->extra == NULL)
		return;
	n = p->extra(p->extra_arg, fmt, o->p + o->n, o->size - o->n);
	if (n < 0 || (size_t)n >= o->size - o->n)
		o->err = 1;
	else
		o->n += (size_t)n;
}

static void
json_u64s(struct http_out *o, const char *name, const uint64_t *v, int n)
{
	http_out_printf(o, "\"%s\":[", name);
	for (int i = 0; i < n; i++)
		http_out_printf(o, "%s%llu", i ? "," : "",
				(unsigned long long)v[i]);
	http_out_printf(o, "]");
}

/* The latency histogram up to its last bucket in use (le_us: each one's
 * exclusive upper bound, the last open one given twice the one before)
 * and the percentiles since the start. */
static void
json_latency(struct http_out *o, const struct http_stats *t)
{
	uint64_t le[HTTP_STATS_LAT_BUCKETS];
	int used = 0;

	for (int i = 0; i < HTTP_STATS_LAT_BUCKETS; i++) {
		le[i] = http_stats_lat_bound((unsigned)i);
		if (t->lat[i])
			used = i + 1;
	}
	le[HTTP_STATS_LAT_BUCKETS - 1] = 2 *
		http_stats_lat_bound(HTTP_STATS_LAT_BUCKETS - 2);
	http_out_printf(o, "\"latency\":{\"count\":%llu,\"sum_us\":%llu,"
			"\"p50_us\":%llu,\"p90_us\":%llu,\"p99_us\":%llu,",
			(unsigned long long)t->lat_count,
			(unsigned long long)t->lat_sum_us,
			(unsigned long long)http_stats_percentile(t, 0.5),
			(unsigned long long)http_stats_percentile(t, 0.9),
			(unsigned long long)http_stats_percentile(t, 0.99));
	json_u64s(o, "le_us", le, used);
	http_out_printf(o, ",");
	json_u64s(o, "buckets", t->lat, used);
	http_out_printf(o, "}");
}

/* With --vhost: each one, the default root and "other", used or not;
 * without: those used. */
static void
json_vhosts(struct http_out *o, const struct http_stats_page *p,
	    const struct http_stats *t)
{
	int first = 1, named = __atomic_load_n(&p->nvhosts, __ATOMIC_ACQUIRE);

	http_out_printf(o, "\"vhosts\":[");
	for (int i = 0; i < HTTP_STATS_VHOSTS; i++) {
		const char *name = http_stats_vhost_name(p, i);
		if (name == NULL || (named == 0 && t->vhost_requests[i] == 0))
			continue;
		http_out_printf(o, "%s{\"name\":\"%s\",\"requests\":%llu,"
				"\"bytes\":%llu}", first ? "" : ",", name,
				(unsigned long long)t->vhost_requests[i],
				(unsigned long long)t->vhost_bytes[i]);
		first = 0;
	}
	http_out_printf(o, "]");
}

static void
json_per_worker(struct http_out *o, const struct http_stats_page *p)
{
	http_out_printf(o, "\"per_worker\":[");
	for (int i = 0; i < http_stats_workers(p); i++) {
		const struct http_stats *s = &p->slots[i];
		uint64_t acc = __atomic_load_n(&s->accepted, __ATOMIC_RELAXED);
		uint64_t clo = __atomic_load_n(&s->closed, __ATOMIC_RELAXED);
		uint64_t req = __atomic_load_n(&s->requests, __ATOMIC_RELAXED);
		http_out_printf(o, "%s{\"requests\":%llu,\"open\":%llu}",
				i ? "," : "", (unsigned long long)req,
				(unsigned long long)(acc - clo));
	}
	http_out_printf(o, "]");
}

int
http_stats_json(const struct http_stats_page *p, char *out, size_t size)
{
	struct http_out o = { out, 0, size, 0 };
	struct http_stats t;

	http_stats_sum_named(p, &t);
	http_out_printf(&o, "{\"uptime_ms\":%lld,\"workers\":%d,"
			"\"connections\":{\"open\":%llu,\"total\":%llu},"
			"\"requests\":%llu,\"bytes\":%llu,\"status\":{"
			"\"1xx\":%llu,\"2xx\":%llu,\"3xx\":%llu,"
			"\"4xx\":%llu,\"5xx\":%llu},",
			(long long)http_stats_uptime_ms(p),
			http_stats_workers(p),
			(unsigned long long)(t.accepted - t.closed),
			(unsigned long long)t.accepted,
			(unsigned long long)t.requests,
			(unsigned long long)t.bytes,
			(unsigned long long)t.status[1],
			(unsigned long long)t.status[2],
			(unsigned long long)t.status[3],
			(unsigned long long)t.status[4],
			(unsigned long long)t.status[5]);
	http_out_printf(&o, "\"limits\":{\"conns_refused_max_conns\":%llu,"
			"\"conns_refused_per_ip\":%llu,\"rate_limited\":%llu,"
			"\"log_lines_dropped\":%llu},",
			(unsigned long long)t.conns_full,
			(unsigned long long)t.conns_per_ip,
			(unsigned long long)t.rate_limited,
			(unsigned long long)t.log_dropped);
	http_out_printf(&o, "\"compress\":{\"made\":%llu,\"hits\":%llu},",
			(unsigned long long)t.compressed,
			(unsigned long long)t.compress_hits);
	json_latency(&o, &t);
	http_out_printf(&o, ",");
	json_vhosts(&o, p, &t);
	http_out_printf(&o, ",");
	json_per_worker(&o, p);
	http_out_printf(&o, "%s", p->extra ? "," : "");
	http_out_extra(&o, p, HTTP_STATS_JSON);
	http_out_printf(&o, "}");
	return o.err ? -1 : (int)o.n;
}

/* The address bytes of an IPv4, IPv6 or v4-mapped address: 4 or 16. */
static size_t
addr_bytes(const struct sockaddr *ss, const uint8_t **out)
{
	if (ss->sa_family == AF_INET) {
		*out = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
		return 4;
	}
	if (ss->sa_family != AF_INET6)
		return 0;
	const uint8_t *b = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };
	if (memcmp(b, mapped, 12) == 0) {
		*out = b + 12;
		return 4;
	}
	*out = b;
	return 16;
}

static int
prefix_match(const uint8_t *a, const uint8_t *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

static int
allowed(const struct http_stats_page *p, const struct sockaddr *peer,
	socklen_t len)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	const uint8_t *b, *nb;
	size_t n = len ? addr_bytes(peer, &b) : 0;

	if ((n == 4 && b[0] == 127) || (n == 16 && memcmp(b, lo6, 16) == 0))
		return 1;
	for (int i = 0; n && i < p->nallow; i++)
		if (addr_bytes((const struct sockaddr *)&p->allow[i].net.ss,
			       &nb) == n &&
		    prefix_match(b, nb, p->allow[i].prefix))
			return 1;
	return 0;
}

static void
reply_body(struct http_reply *rep, const struct http_request *r,
	   const char *type, const char *body, size_t n)
{
	int ka10 = r->version == 10 && r->keep_alive;

	buf_reset(rep->page);
	if (buf_append(rep->page, body, n) < 0) {
		http_reply_error(rep, 500, 0, ka10, NULL,
				 r->method == HTTP_M_HEAD);
		return;
	}
	http_reply_begin(rep, 200);
	rep->head_only = r->method == HTTP_M_HEAD;
	http_reply_header(rep, "Content-Type", type, strlen(type));
	http_reply_header(rep, "Cache-Control", "no-store", 8);
	rep->body_len = n;
	http_reply_end(rep, ka10);
	http_reply_seg(rep, HTTP_SEG_PAGE, rep->page->off, n);
}


/* Which of the page's documents path asks for, or -1. */
enum { DOC_HTML, DOC_JSON, DOC_METRICS };

static int
page_doc(const struct http_stats_page *p, const struct http_request *r)
{
	size_t extra = r->path.n - p->path_len;
	const char *tail = r->path.p + p->path_len;

	if (memcmp(r->path.p, p->path, p->path_len) != 0)
		return -1;
	if (extra == 0)
		return DOC_HTML;
	if (extra == 5 && memcmp(tail, ".json", 5) == 0)
		return DOC_JSON;
	if (extra == 8 && memcmp(tail, "/metrics", 8) == 0)
		return DOC_METRICS;
	return -1;
}

int
http_stats_respond(const struct http_stats_page *p,
		   const struct http_request *r,
		   const struct sockaddr *peer, socklen_t peer_len,
		   struct http_reply *rep)
{
	int ka10 = r->version == 10 && r->keep_alive, head = r->method ==
		HTTP_M_HEAD, doc, n;
	char *body;

	if (!http_stats_may_be_page(p, r) || (doc = page_doc(p, r)) < 0)
		return 0;
	if (!allowed(p, peer, peer_len)) {
		http_reply_error(rep, 403, 0, ka10, NULL, head);
		return 1;
	}
	if (r->method != HTTP_M_GET && !head) {
		http_reply_error(rep, 405, 0, ka10, "GET, HEAD", 0);
		return 1;
	}
	if (doc == DOC_HTML) {
		reply_body(rep, r, "text/html; charset=utf-8",
			   http_stats_html, http_stats_html_len);
		return 1;
	}
	body = malloc(HTTP_STATS_DOC_MAX);
	n = body == NULL ? -1 : doc == DOC_JSON ?
		http_stats_json(p, body, HTTP_STATS_DOC_MAX - 1) :
		http_stats_prometheus(p, body, HTTP_STATS_DOC_MAX);
	if (n < 0) {
		http_reply_error(rep, 500, 0, ka10, NULL, head);
	} else if (doc == DOC_JSON) {
		body[n++] = '\n';
		reply_body(rep, r, "application/json", body, (size_t)n);
	} else {
		/* the text format's own type, as Prometheus asks for it */
		reply_body(rep, r, "text/plain; version=0.0.4; charset=utf-8",
			   body, (size_t)n);
	}
	free(body);
	return 1;
}
