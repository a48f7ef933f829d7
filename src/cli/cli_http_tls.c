/* cli_http_tls: the TLS options of `inetkit serve http` (and of `up`):
 * --tls-listen, --cert, --key, --sni, --tls-min, --hsts,
 * --redirect-https, --tls-info; loading the certificates before anything
 * listens, and reloading them on SIGHUP. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"

/* --sni NAME=CERT:KEY, cut into the copy e keeps. Returns 0 or -1. */
static int
add_sni(struct cli_http *e, const char *spec)
{
	struct net_tls_server_config *t = &e->tls;

	if (t->ncerts >= NET_TLS_MAX_CERTS - 1 ||
	    e->nowned >= CLI_HTTP_TLS_OWNED)
		return -1;
	char *s = strdup(spec);
	if (s == NULL)
		return -1;
	e->owned[e->nowned++] = s;
	char *eq = strchr(s, '=');
	char *colon = eq ? strchr(eq + 1, ':') : NULL;
	if (eq == NULL || eq == s || colon == NULL || colon == eq + 1 ||
	    colon[1] == '\0' || eq - s > 253)
		return -1;
	*eq = *colon = '\0';
	t->certs[t->ncerts++] = (struct net_tls_cert){ s, eq + 1, colon + 1 };
	return 0;
}

int
cli_http_tls_option(struct cli_http *e, const char *a, const char *v,
		    const char *usage)
{
	long n;

	if (strcmp(a, "--tls-listen") == 0)
		return cli_listen_add(&e->tls_listen, v) < 0 ?
			cli_usage_error(usage, "bad --tls-listen '%s'", v) : 1;
	if (strcmp(a, "--cert") == 0 || strcmp(a, "--key") == 0) {
		const char **slot = a[2] == 'c' ? &e->cert : &e->key;
		*slot = v;
		return 1;
	}
	if (strcmp(a, "--sni") == 0)
		return add_sni(e, v) < 0 ?
			cli_usage_error(usage, "bad --sni '%s' (NAME=CERT:KEY)",
					v) : 1;
	if (strcmp(a, "--tls-min") == 0) {
		if (strcmp(v, "1.2") != 0 && strcmp(v, "1.3") != 0)
			return cli_usage_error(usage, "bad --tls-min '%s' (1.2 "
					       "or 1.3)", v);
		e->tls.min_version = v[2] == '3' ? 13 : 12;
		return 1;
	}
	if (strcmp(a, "--hsts") == 0) {
		if (cli_parse_int(v, 0, 1L << 30, &n) < 0)
			return cli_usage_error(usage, "bad --hsts '%s'", v);
		e->cfg.hsts_s = (int)n;
		return 1;
	}
	return 0;
}

int
cli_http_tls_flag(struct cli_http *e, const char *a)
{
	if (strcmp(a, "--redirect-https") == 0)
		e->cfg.redirect_https = 1;
	else if (strcmp(a, "--tls-info") == 0)
		e->tls_info = 1;
	else
		return 0;
	return 1;
}

int
cli_http_tls_check(const struct cli_http *e, const char *usage)
{
	int want = e->tls_listen.n > 0;

	if (want && (e->cert == NULL || e->key == NULL))
		return cli_usage_error(usage, "serve http: --tls-listen needs "
				       "--cert and --key");
	if (!want && (e->cert || e->key || e->tls.ncerts ||
		      e->cfg.redirect_https || e->cfg.hsts_s || e->tls_info))
		return cli_usage_error(usage, "serve http: TLS options need "
				       "--tls-listen");
	return 0;
}

int
cli_http_tls_load(struct cli_http *e)
{
	char err[NET_TLS_ERR_MAX];

	if (e->tls_listen.n == 0)
		return 0;
	struct net_tls_server_config c = e->tls;
	/* the default pair goes first: its key type decides nothing, but
	 * a name's pairs then follow in the order given */
	memmove(&c.certs[1], &c.certs[0], (size_t)c.ncerts * sizeof c.certs[0]);
	c.certs[0] = (struct net_tls_cert){ NULL, e->cert, e->key };
	c.ncerts++;
	if (net_tls_server_new(&c, &e->tls_srv, err, sizeof err) < 0) {
		fprintf(stderr, "inetkit: serve http: %s\n", err);
		return -1;
	}
	e->cfg.tls = e->tls_srv;
	return 0;
}

int
cli_http_tls_bind(struct cli_http *e, int nworkers)
{
	struct cli_server *s = &e->srv;
	int np = s->ntcp, nt;
	/* as cli_server_setup: room for the service manager's sockets */
	size_t n = (size_t)nworkers * CLI_MAX_LISTEN;

	if (e->tls_listen.n == 0)
		return 0;
	int *tls = calloc(n + 1, sizeof(int));
	int *all = calloc(2 * n + 1, sizeof(int));
	int rc = tls && all ? 0 : -ENOMEM;
	if (rc == 0)
		rc = cli_listen_bind(&e->tls_listen, "https", SOCK_STREAM,
				     nworkers, tls, http_tls_listener_prepare);
	nt = e->tls_listen.n;
	if (rc < 0) {
		free(tls);
		free(all);
		return rc;
	}
	/* each worker's plain listeners, then its TLS ones */
	for (int w = 0; w < nworkers; w++) {
		memcpy(all + w * (np + nt), s->tcp_fds + w * np,
		       (size_t)np * sizeof(int));
		memcpy(all + w * (np + nt) + np, tls + w * nt,
		       (size_t)nt * sizeof(int));
	}
	free(tls);
	free(s->tcp_fds);
	s->tcp_fds = all;
	s->ntcp = np + nt;
	e->cfg.https_port = net_addr_port(&e->tls_listen.addrs[0]);
	if (e->tls_info) {
		char line[512];
		net_tls_server_describe(e->tls_srv, line, sizeof line);
		printf("%s\n", line);
		fflush(stdout);
	}
	return 0;
}

void
cli_http_tls_hup(struct cli_http *e)
{
	char err[NET_TLS_ERR_MAX];

	if (e->tls_srv == NULL)
		return;
	if (net_tls_server_reload(e->tls_srv, err, sizeof err) < 0)
		fprintf(stderr, "inetkit: http: reload failed, keeping the "
			"old certificates: %s\n", err);
	else
		fprintf(stderr, "inetkit: http: certificates reloaded\n");
}

void
cli_http_tls_fini(struct cli_http *e)
{
	net_tls_server_free(e->tls_srv);
	e->tls_srv = NULL;
	e->cfg.tls = NULL;
	for (int i = 0; i < e->nowned; i++)
		free(e->owned[i]);
	e->nowned = 0;
}
