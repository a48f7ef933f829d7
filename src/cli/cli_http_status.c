/* cli_http_status: --status PATH and --status-allow CIDR of `serve http`:
 * the status page (http/http_stats.h), made while the arguments are read
 * and handed to every worker through the server's config. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/err.h"
#include "dns/dns_xfrd.h"

#define CLI_STATUS_MAX_WORKERS 256	/* --workers' maximum */

int
cli_http_status_option(struct cli_http *e, const char *a, const char *v,
		       const char *usage)
{
	if (strcmp(a, "--status") == 0) {
		if (e->cfg.status)
			return cli_usage_error(usage, "--status given twice");
		e->cfg.status = http_stats_page_new(v, CLI_STATUS_MAX_WORKERS);
		if (e->cfg.status == NULL)
			return cli_usage_error(usage, "bad --status '%s' (a path "
					       "such as /.status)", v);
		for (int i = 0; i < e->nstatus_allow; i++)
			if (http_stats_allow_add(e->cfg.status,
						 e->status_allow[i]) < 0)
				return cli_usage_error(usage, "bad --status-allow "
						       "'%s'", e->status_allow[i]);
		return 1;
	}
	if (strcmp(a, "--status-allow") != 0)
		return 0;
	if (e->nstatus_allow == HTTP_STATS_MAX_ALLOW)
		return cli_usage_error(usage, "too many --status-allow");
	e->status_allow[e->nstatus_allow++] = v;
	if (e->cfg.status && http_stats_allow_add(e->cfg.status, v) < 0)
		return cli_usage_error(usage, "bad --status-allow '%s'", v);
	return 1;
}

int
cli_http_status_check(const struct cli_http *e, const char *usage)
{
	if (e->nstatus_allow && e->cfg.status == NULL)
		return cli_usage_error(usage, "--status-allow needs --status");
	/* a CIDR given before --status was checked when --status came */
	return 0;
}

void
cli_http_status_fini(struct cli_http *e)
{
	http_stats_page_free(e->cfg.status);
	e->cfg.status = NULL;
}

static const char *const rcode_names[DNS_STATS_RCODES] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"other",
};

/* The zone transfer counters (dns_xfrd.h), by their names. */
static const char *const xfr_names[DNS_XFRD_NCOUNTS] = {
	"axfr_out", "ixfr_out", "notify_out", "notify_in", "xfr_in",
	"refresh_ok", "refresh_failed",
};

/* A small appender: each call adds to out[*n..size), -1 once full. */
static int
put(char *out, size_t size, int *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
put(char *out, size_t size, int *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n < 0)
		return -1;
	va_start(ap, fmt);
	k = vsnprintf(out + *n, size - (size_t)*n, fmt, ap);
	va_end(ap);
	*n = k < 0 || (size_t)k >= size - (size_t)*n ? -1 : *n + k;
	return *n;
}

static uint64_t
xfr_count(const struct cli_dns *d, int k)
{
	return d->xfrd_on ? __atomic_load_n(&d->xfrd.counts[k],
					    __ATOMIC_RELAXED) : 0;
}

static int
dns_json(const struct cli_dns *d, const struct dns_stats *t, char *out,
	 size_t size)
{
	int n = 0;

	put(out, size, &n, "\"dns\":{\"queries\":%llu,\"rcode\":{",
	    (unsigned long long)t->queries);
	for (int k = 0; k < DNS_STATS_RCODES; k++)
		put(out, size, &n, "%s\"%s\":%llu", k ? "," : "",
		    rcode_names[k], (unsigned long long)t->rcode[k]);
	put(out, size, &n, "},\"rrl\":{\"limited\":%llu,\"slipped\":%llu,"
	    "\"dropped\":%llu},\"xfr\":{",
	    (unsigned long long)t->rrl_limited,
	    (unsigned long long)t->rrl_slipped,
	    (unsigned long long)t->rrl_dropped);
	for (int k = 0; k < DNS_XFRD_NCOUNTS; k++)
		put(out, size, &n, "%s\"%s\":%llu", k ? "," : "", xfr_names[k],
		    (unsigned long long)xfr_count(d, k));
	return put(out, size, &n, "}}");
}

static int
dns_prometheus(const struct cli_dns *d, const struct dns_stats *t, char *out,
	       size_t size)
{
	int n = 0;

	put(out, size, &n, "# HELP inetkit_dns_queries_total Queries answered "
	    "(replies sent, UDP and TCP).\n# TYPE inetkit_dns_queries_total "
	    "counter\ninetkit_dns_queries_total %llu\n"
	    "# HELP inetkit_dns_responses_total Replies sent, by RCODE.\n"
	    "# TYPE inetkit_dns_responses_total counter\n",
	    (unsigned long long)t->queries);
	for (int k = 0; k < DNS_STATS_RCODES; k++)
		put(out, size, &n, "inetkit_dns_responses_total{rcode=\"%s\"} "
		    "%llu\n", rcode_names[k], (unsigned long long)t->rcode[k]);
	put(out, size, &n, "# HELP inetkit_dns_rrl_responses_total UDP "
	    "responses over the --rrl rate: limited, and of those slipped "
	    "(sent truncated) or dropped.\n# TYPE "
	    "inetkit_dns_rrl_responses_total counter\n"
	    "inetkit_dns_rrl_responses_total{action=\"limited\"} %llu\n"
	    "inetkit_dns_rrl_responses_total{action=\"slipped\"} %llu\n"
	    "inetkit_dns_rrl_responses_total{action=\"dropped\"} %llu\n"
	    "# HELP inetkit_dns_xfr_events_total Zone transfer events: "
	    "transfers served, NOTIFY sent and received, zones transferred "
	    "in, secondary refreshes.\n# TYPE inetkit_dns_xfr_events_total "
	    "counter\n",
	    (unsigned long long)t->rrl_limited,
	    (unsigned long long)t->rrl_slipped,
	    (unsigned long long)t->rrl_dropped);
	for (int k = 0; k < DNS_XFRD_NCOUNTS; k++)
		put(out, size, &n, "inetkit_dns_xfr_events_total{event=\"%s\"} "
		    "%llu\n", xfr_names[k],
		    (unsigned long long)xfr_count(d, k));
	return n;
}

/* The name server's counters on the page (http_stats_extra_fn). */
static int
dns_extra(void *arg, enum http_stats_format fmt, char *out, size_t size)
{
	const struct cli_dns *d = arg;
	struct dns_stats t;

	dns_served_stats(&d->served, &t);
	return fmt == HTTP_STATS_JSON ? dns_json(d, &t, out, size) :
		dns_prometheus(d, &t, out, size);
}

void
cli_http_status_link_dns(struct cli_http *e, struct cli_dns *d)
{
	if (e->cfg.status == NULL)
		return;
	e->cfg.status->extra = dns_extra;
	e->cfg.status->extra_arg = d;
}
