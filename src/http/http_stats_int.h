/* http_stats_int: what the status page's three files share (the
 * counters and access in http_stats.c, the Prometheus format in
 * http_stats_prom.c, the HTML view in http_stats_html.c). Private to
 * src/http. */
#ifndef INETKIT_HTTP_STATS_INT_H
#define INETKIT_HTTP_STATS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "http_stats.h"

#define HTTP_STATS_DOC_MAX (64 * 1024)	/* PATH.json, PATH/metrics */

/* A document being written into p[0..size): err once it did not fit. */
struct http_out {
	char *p;
	size_t n, size;
	int err;
};

void http_out_printf(struct http_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The other server's counters (p->extra), when there is one. */
void http_out_extra(struct http_out *o, const struct http_stats_page *p,
		    enum http_stats_format fmt);

/* http_stats_sum, with the counts of vhosts the page has no name for
 * (added by a reload after the start) under "other". */
void http_stats_sum_named(const struct http_stats_page *p,
			  struct http_stats *out);
/* Milliseconds since the page was made. */
int64_t http_stats_uptime_ms(const struct http_stats_page *p);
/* The name of the counters of vhost index i, or NULL for none. */
const char *http_stats_vhost_name(const struct http_stats_page *p, int i);
/* The upper bound (us) of the bucket that holds the q-th quantile of the
 * latencies in t (0 when there are none). */
uint64_t http_stats_percentile(const struct http_stats *t, double q);

/* The HTML view. */
extern const char http_stats_html[];
extern const size_t http_stats_html_len;

#endif
