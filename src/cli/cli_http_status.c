/* cli_http_status: --status PATH and --status-allow CIDR of `serve http`:
 * the status page (http/http_stats.h), made while the arguments are read
 * and handed to every worker through the server's config. */
#include <string.h>

#include "cli.h"
#include "core/err.h"

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

/* The name server's counters as members of the page's JSON. */
static int
dns_json(void *arg, char *out, size_t size)
{
	static const char *const names[DNS_STATS_RCODES] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "other",
	};
	struct dns_stats t;
	size_t n;
	int rc;

	dns_served_stats(arg, &t);
	rc = snprintf(out, size, "\"dns\":{\"queries\":%llu,\"rcode\":{",
		      (unsigned long long)t.queries);
	for (int k = 0; rc >= 0 && (size_t)rc < size && k < DNS_STATS_RCODES;
	     k++) {
		n = (size_t)rc;
		int m = snprintf(out + n, size - n, "%s\"%s\":%llu", k ? "," : "",
				 names[k], (unsigned long long)t.rcode[k]);
		rc = m < 0 ? -1 : rc + m;
	}
	if (rc < 0 || (size_t)rc + 3 > size)
		return -1;
	memcpy(out + rc, "}}", 3);
	return rc + 2;
}

void
cli_http_status_link_dns(struct cli_http *e, struct cli_dns *d)
{
	if (e->cfg.status == NULL)
		return;
	e->cfg.status->extra = dns_json;
	e->cfg.status->extra_arg = &d->served;
}
