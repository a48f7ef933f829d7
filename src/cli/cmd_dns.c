/* cmd_dns: `inetkit serve dns`, and the engine adapter that `inetkit up`
 * reuses to run the name server beside the other services. */
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "core/workers.h"
#include "dns/dns_answer.h"
#include "dns/dns_server.h"
#include "dns/dns_xdp.h"

static const char dns_usage[] =
	"usage: inetkit serve dns --zone FILE... [--hosts FILE]\n"
	"                         [--listen ADDR:PORT]... [--workers N]\n"
	"                         [--max-conns N] [--idle-timeout SECONDS]\n"
	"                         [--edns-size BYTES] [--xdp IFACE[@PORT]]...\n"
	"  An authoritative name server for the zones in the zone files\n"
	"  (RFC 1035 format; the SOA record comes first) over UDP and TCP on\n"
	"  the same port. --hosts adds A/AAAA records from an /etc/hosts\n"
	"  file for names inside the zones, and PTR records where the reverse\n"
	"  zone is served. SIGHUP reloads every file; a bad file keeps the\n"
	"  old data. UDP replies fit the client's EDNS size up to --edns-size\n"
	"  (1232), 512 bytes without EDNS; TC=1 sends the client to TCP.\n"
	"  Default listen: every address, port 53. --xdp answers UDP queries\n"
	"  to PORT (53) arriving on IFACE through AF_XDP sockets, past the\n"
	"  kernel's UDP stack (needs CAP_NET_ADMIN and CAP_BPF, or root);\n"
	"  everything else on IFACE goes to the kernel and the sockets.\n";

static int
dns_engine_start(struct loop *l, int index, void *arg)
{
	struct cli_dns *e = arg;
	int n = e->listen.n;

	e->workers[index] = dns_worker_start(l, &e->served, index, &e->cfg,
					     e->tcp_fds + index * n, n,
					     e->udp_fds + index * n, n);
	if (e->workers[index] == NULL)
		return -1;
	if (e->nxdp == 0)
		return 0;
	e->xworkers[index] = dns_xdp_worker_start(l, &e->served, index,
						  e->nworkers, &e->cfg,
						  e->xdps, e->nxdp);
	return e->xworkers[index] ? 0 : -1;
}

static void
dns_engine_end(struct loop *l, int index, void *arg)
{
	struct cli_dns *e = arg;

	dns_worker_free(e->workers[index]);
	e->workers[index] = NULL;
	if (e->xworkers) {
		dns_xdp_worker_free(e->xworkers[index]);
		e->xworkers[index] = NULL;
	}
}

/* SIGHUP: build the new database aside while the workers keep serving
 * the old one, then swap. A bad file keeps the old data. */
static void
dns_engine_hup(void *arg)
{
	struct cli_dns *e = arg;
	struct dns_db *db;
	char err[1024];

	if (dns_db_load(e->zones, e->nzones, e->hosts, &db, err,
			sizeof err) < 0) {
		fprintf(stderr, "inetkit: dns: reload failed, keeping the old "
			"zones: %s\n", err);
		return;
	}
	dns_served_swap(&e->served, db);
	fprintf(stderr, "inetkit: dns: reloaded %d zone%s, %zu records\n",
		db->nzones, db->nzones == 1 ? "" : "s", db->nrecords);
}

/* Splits --xdp's IFACE[@PORT] (port 53 when absent). Returns 0 or -1. */
static int
xdp_arg(const char *v, char *ifname, size_t size, uint16_t *port)
{
	const char *at = strrchr(v, '@');
	size_t len = at ? (size_t)(at - v) : strlen(v);
	long p = 53;

	if (len == 0 || len >= size || (at && cli_parse_int(at + 1, 1, 65535,
							    &p) < 0))
		return -1;
	memcpy(ifname, v, len);
	ifname[len] = '\0';
	*port = (uint16_t)p;
	return 0;
}

/* The XDP program on each --xdp interface and its sockets, before any
 * listener (an error prints no listening line). Returns 0, -2 (no such
 * interface, missing privileges: exit 2) or -1. */
static int
dns_xdp_setup(struct cli_dns *e, int nworkers)
{
	char err[256], ifname[IF_NAMESIZE];
	uint16_t port;

	if (e->nxdp == 0)
		return 0;
	e->xdps = calloc((size_t)e->nxdp, sizeof *e->xdps);
	e->xworkers = calloc((size_t)nworkers, sizeof *e->xworkers);
	if (e->xdps == NULL || e->xworkers == NULL)
		return -1;
	for (int i = 0; i < e->nxdp; i++) {
		xdp_arg(e->xdp[i], ifname, sizeof ifname, &port);
		if (dns_xdp_open(&e->xdps[i], ifname, port, err,
				 sizeof err) < 0) {
			fprintf(stderr, "inetkit: dns: %s\n", err);
			return -2;
		}
	}
	return 0;
}

/* "listening dns xdp IFACE@PORT (native mode, 2 queues)": the mode is
 * the driver's, said at start. */
static void
dns_xdp_announce(const struct cli_dns *e)
{
	char ifname[IF_NAMESIZE];
	uint16_t port;

	for (int i = 0; i < e->nxdp; i++) {
		int n = dns_xdp_nqueues(e->xdps[i]);
		xdp_arg(e->xdp[i], ifname, sizeof ifname, &port);
		printf("listening dns xdp %s@%u (%s mode, %d queue%s)\n",
		       ifname, port, dns_xdp_mode(e->xdps[i]), n,
		       n == 1 ? "" : "s");
	}
	fflush(stdout);
}

void
cli_dns_defaults(struct cli_dns *e)
{
	memset(e, 0, sizeof *e);
	e->cfg.idle_timeout_ms = 10 * 1000;
	e->cfg.max_conns = 10000;
	e->cfg.udp_max = DNS_EDNS_UDP_MAX;
}

int
cli_dns_setup(struct cli_dns *e, int nworkers, struct cli_engine *out)
{
	struct dns_db *db;
	char err[1024];
	size_t n = (size_t)(nworkers * e->listen.n);

	if (dns_db_load(e->zones, e->nzones, e->hosts, &db, err,
			sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -2;
	}
	if (dns_served_init(&e->served, db, nworkers) < 0) {
		dns_db_free(db);
		return -1;
	}
	e->tcp_fds = calloc(n + 1, sizeof(int));
	e->udp_fds = calloc(n + 1, sizeof(int));
	e->workers = calloc((size_t)nworkers, sizeof *e->workers);
	if (e->tcp_fds == NULL || e->udp_fds == NULL || e->workers == NULL)
		return -1;
	int rc = dns_xdp_setup(e, nworkers);
	if (rc < 0)
		return rc;
	/* TCP and UDP on the same port, so that a client retrying over TCP
	 * after a truncated reply finds the same server (RFC 7766). */
	if (cli_listen_bind_pair(&e->listen, "dns", nworkers, e->tcp_fds,
				 e->udp_fds) < 0)
		return -1;
	e->nworkers = nworkers;
	dns_xdp_announce(e);
	e->cfg.max_conns = (e->cfg.max_conns + nworkers - 1) / nworkers;
	*out = (struct cli_engine){ dns_engine_start, dns_engine_end,
				    dns_engine_hup, e };
	return 0;
}

void
cli_dns_fini(struct cli_dns *e)
{
	if (e->served.slots)
		dns_served_fini(&e->served);
	for (int i = 0; e->xdps && i < e->nxdp; i++)
		dns_xdp_close(e->xdps[i]);
	free(e->xdps);
	free(e->xworkers);
	free(e->tcp_fds);
	free(e->udp_fds);
	free(e->workers);
}

/* Numeric options: name, range, where the value goes. */
static int
dns_number_arg(struct cli_dns *e, const char *a, const char *v,
	       long *workers)
{
	long conns = e->cfg.max_conns, edns = e->cfg.udp_max;
	long idle = e->cfg.idle_timeout_ms / 1000;
	const struct {
		const char *name;
		long min, max, *dst;
	} nums[] = {
		{ "--workers", 1, 256, workers },
		{ "--max-conns", 1, 1000000, &conns },
		{ "--edns-size", 512, 65535, &edns },
		{ "--idle-timeout", 1, 86400, &idle },
	};

	for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
		if (strcmp(a, nums[k].name) != 0)
			continue;
		if (cli_parse_int(v, nums[k].min, nums[k].max, nums[k].dst) < 0)
			return cli_usage_error(dns_usage, "bad %s '%s'", a, v);
		e->cfg.max_conns = (int)conns;
		e->cfg.udp_max = (int)edns;
		e->cfg.idle_timeout_ms = (int)idle * 1000;
		return 0;
	}
	return cli_usage_error(dns_usage, "serve dns: unexpected '%s'", a);
}

static int
dns_parse_args(struct cli_dns *e, int argc, char **argv, long *workers)
{
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;
		if (v == NULL)
			return cli_usage_error(dns_usage, "serve dns: '%s' "
					       "without a value", a);
		if (strcmp(a, "--zone") == 0) {
			if (e->nzones >= CLI_MAX_ZONES)
				return cli_usage_error(dns_usage,
						       "too many --zone");
			e->zones[e->nzones++] = v;
		} else if (strcmp(a, "--xdp") == 0) {
			char ifname[IF_NAMESIZE];
			uint16_t port;
			if (xdp_arg(v, ifname, sizeof ifname, &port) < 0)
				return cli_usage_error(dns_usage,
						       "bad --xdp '%s'", v);
			if (e->nxdp >= CLI_MAX_XDP)
				return cli_usage_error(dns_usage,
						       "too many --xdp");
			e->xdp[e->nxdp++] = v;
		} else if (strcmp(a, "--hosts") == 0) {
			e->hosts = v;
		} else if (strcmp(a, "--listen") == 0) {
			if (cli_listen_add(&e->listen, v) < 0)
				return cli_usage_error(dns_usage,
						       "bad --listen '%s'", v);
		} else
			rc = dns_number_arg(e, a, v, workers);
		if (rc != 0)
			return rc;
	}
	if (e->nzones == 0)
		return cli_usage_error(dns_usage, "serve dns: no --zone");
	return 0;
}

int
cmd_serve_dns(int argc, char **argv)
{
	struct cli_dns e;
	struct cli_engine engine;
	long workers = workers_default_count();

	if (cli_wants_help(argc, argv, dns_usage))
		return EXIT_OK;
	cli_dns_defaults(&e);
	int rc = dns_parse_args(&e, argc, argv, &workers);
	if (rc != 0)
		return rc;
	if (e.listen.n == 0)
		cli_listen_add(&e.listen, ":53");
	rc = cli_dns_setup(&e, (int)workers, &engine);
	if (rc < 0) {
		cli_dns_fini(&e);
		return rc == -2 ? EXIT_USAGE : EXIT_FAIL;
	}
	rc = cli_run_engines(&engine, 1, (int)workers);
	cli_dns_fini(&e);
	return rc;
}
