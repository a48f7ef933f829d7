/* http_stats_prom: the status page's counters at PATH/metrics, in the
 * Prometheus text exposition format 0.0.4: HELP and TYPE before each
 * family, the conventional names (_total counters, a _seconds
 * histogram with cumulative le buckets, _sum and _count). */
#include <stdio.h>

#include "http_stats.h"
#include "http_stats_int.h"

/* The histogram's le bounds: 2^k us for k in [FIRST, LAST], from 16 us
 * to 33.5 s; each is a bucket boundary of the finer histogram kept, so
 * the cumulative counts are exact. */
#define PROM_LE_FIRST 4
#define PROM_LE_LAST 25

static void
family(struct http_out *o, const char *name, const char *type,
       const char *help)
{
	http_out_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
			type);
}

static void
one(struct http_out *o, const char *name, const char *type, const char *help,
    unsigned long long v)
{
	family(o, name, type, help);
	http_out_printf(o, "%s %llu\n", name, v);
}

static void
latency(struct http_out *o, const struct http_stats *t)
{
	const char *n = "inetkit_http_request_duration_seconds";
	uint64_t below = 0;
	unsigned i = 0;

	family(o, n, "histogram", "Time from a request's head read to its "
	       "reply's last byte queued (replies sent whole), as seen by the "
	       "server loop.");
	for (int k = PROM_LE_FIRST; k <= PROM_LE_LAST; k++) {
		/* bucket 4(k-1) is the first at or above 2^k us */
		for (; i < 4u * (unsigned)(k - 1); i++)
			below += t->lat[i];
		/* 2^k us in seconds, exactly */
		http_out_printf(o, "%s_bucket{le=\"%llu.%06llu\"} %llu\n", n,
				(1ull << k) / 1000000, (1ull << k) % 1000000,
				(unsigned long long)below);
	}
	http_out_printf(o, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n"
			"%s_count %llu\n", n, (unsigned long long)t->lat_count,
			n, (double)t->lat_sum_us / 1e6, n,
			(unsigned long long)t->lat_count);
}

static void
vhosts(struct http_out *o, const struct http_stats_page *p,
       const struct http_stats *t, int bytes)
{
	const char *n = bytes ? "inetkit_http_vhost_response_bytes_total" :
		"inetkit_http_vhost_requests_total";

	family(o, n, "counter", bytes ? "Body bytes of the replies, by "
	       "virtual host (default: the --root; other: none matched)." :
	       "Replies sent, by virtual host (default: the --root; other: "
	       "none matched).");
	for (int i = 0; i < HTTP_STATS_VHOSTS; i++) {
		const char *name = http_stats_vhost_name(p, i);
		if (name == NULL)
			continue;
		/* names are host names: no quote, backslash or newline */
		http_out_printf(o, "%s{vhost=\"%s\"} %llu\n", n, name,
				(unsigned long long)(bytes ? t->vhost_bytes[i] :
						     t->vhost_requests[i]));
	}
}

int
http_stats_prometheus(const struct http_stats_page *p, char *out,
		      size_t size)
{
	struct http_out o = { out, 0, size, 0 };
	struct http_stats t;
	const char *n;

	http_stats_sum_named(p, &t);
	one(&o, "inetkit_http_uptime_seconds", "gauge", "Seconds since the "
	    "server started.", (unsigned long long)http_stats_uptime_ms(p) /
	    1000);
	one(&o, "inetkit_http_workers", "gauge", "Worker threads serving.",
	    (unsigned long long)http_stats_workers(p));
	one(&o, "inetkit_http_connections_accepted_total", "counter",
	    "Connections accepted.", t.accepted);
	one(&o, "inetkit_http_connections_open", "gauge", "Connections open "
	    "now.", t.accepted - t.closed);
	n = "inetkit_http_requests_total";
	family(&o, n, "counter", "Replies sent, by status class.");
	for (int c = 1; c <= 5; c++)
		http_out_printf(&o, "%s{code=\"%dxx\"} %llu\n", n, c,
				(unsigned long long)t.status[c]);
	one(&o, "inetkit_http_response_bytes_total", "counter", "Body bytes of "
	    "the replies.", t.bytes);
	n = "inetkit_http_compress_total";
	family(&o, n, "counter", "Compressed variants of files (--compress): "
	       "made, or found in the cache.");
	http_out_printf(&o, "%s{result=\"made\"} %llu\n%s{result=\"hit\"} "
			"%llu\n", n, (unsigned long long)t.compressed, n,
			(unsigned long long)t.compress_hits);
	latency(&o, &t);
	vhosts(&o, p, &t, 0);
	vhosts(&o, p, &t, 1);
	n = "inetkit_http_connections_refused_total";
	family(&o, n, "counter", "Connections refused: the worker at "
	       "--max-conns, or the client at --max-conns-per-ip.");
	http_out_printf(&o, "%s{reason=\"max_conns\"} %llu\n"
			"%s{reason=\"max_conns_per_ip\"} %llu\n", n,
			(unsigned long long)t.conns_full, n,
			(unsigned long long)t.conns_per_ip);
	one(&o, "inetkit_http_rate_limited_total", "counter", "Requests "
	    "answered 429 by --rate.", t.rate_limited);
	one(&o, "inetkit_http_log_lines_dropped_total", "counter", "Access "
	    "log lines lost because the file could not take them.",
	    t.log_dropped);
	http_out_extra(&o, p, HTTP_STATS_PROMETHEUS);
	return o.err ? -1 : (int)o.n;
}
