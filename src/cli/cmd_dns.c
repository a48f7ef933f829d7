/* cmd_dns: `inetkit serve dns`, and the engine adapter that `inetkit up`
 * reuses to run the name server beside the other services. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "cli.h"
#include "core/err.h"
#include "core/sandbox.h"
#include "dns/dns_answer.h"
#include "dns/dns_load.h"
#include "dns/dns_server.h"
#include "dns/dns_xdp.h"
#include "net/net_sock.h"

static const char dns_usage[] =
	"usage: inetkit serve dns --zone FILE... [--hosts FILE]\n"
	"                         [--listen ADDR:PORT]... [--workers N]\n"
	"                         [--max-conns N] [--idle-timeout SECONDS]\n"
	"                         [--edns-size BYTES] [--xdp IFACE[@PORT]]...\n"
	"                         [--so-rcvbuf BYTES] [--so-sndbuf BYTES]\n"
	"                         [--rrl RATE] [--rrl-slip N]\n"
	"                         [--rrl-window SECONDS] [--rrl-exempt CIDR]...\n"
	"                         [--tsig-key [ALG:]NAME:SECRET]...\n"
	"                         [--allow-transfer CIDR|key:NAME]...\n"
	"                         [--notify ADDR[:PORT][/KEY]]...\n"
	"                         [--secondary ZONE@ADDR[:PORT][/KEY]]...\n"
	"                         [--zone-dir DIR]\n"
	"  An authoritative name server for the zones in the zone files\n"
	"  (RFC 1035 format; the SOA record comes first) over UDP and TCP on\n"
	"  the same port. --hosts adds A/AAAA records from an /etc/hosts\n"
	"  file for names inside the zones, and PTR records where the reverse\n"
	"  zone is served. SIGHUP reloads every file; a bad file keeps the\n"
	"  old data. UDP replies fit the client's EDNS size up to --edns-size\n"
	"  (1232), 512 bytes without EDNS; TC=1 sends the client to TCP.\n"
	"  Default listen: every address, port 53. --so-rcvbuf and\n"
	"  --so-sndbuf size the UDP sockets' buffers (2 MiB and 1 MiB; 0:\n"
	"  the kernel's default): a deep queue rides out bursts and floods.\n"
	"  --xdp answers UDP queries to PORT (53) arriving on IFACE through\n"
	"  AF_XDP sockets, past the kernel's UDP stack (needs CAP_NET_ADMIN\n"
	"  and CAP_BPF, or root); everything else on IFACE goes to the\n"
	"  kernel and the sockets.\n"
	"  --rrl RATE limits UDP responses to RATE a second per client\n"
	"  network (/24, IPv6 /56) and kind of answer (one name and type;\n"
	"  NXDOMAIN per zone; errors), against reflection attacks; off (0)\n"
	"  by default. Every --rrl-slip Nth limited response (2; 0 never)\n"
	"  goes out truncated so a real client retries over TCP, the others\n"
	"  are dropped; TCP is never limited. A network over the rate stays\n"
	"  limited until its average over --rrl-window seconds (15) is under\n"
	"  it. --rrl-exempt CIDR (up to 32) is never limited, on the sockets\n"
	"  and through --xdp alike.\n"

	"  Zone transfer: --allow-transfer lets an address prefix or the\n"
	"  holders of a key take AXFR/IXFR (default: nobody); --tsig-key\n"
	"  (dig -y form; hmac-sha256, hmac-sha512, hmac-sha1) signs and\n"
	"  checks; --notify tells a secondary of every new serial;\n"
	"  --secondary serves ZONE as a copy of that primary (kept in\n"
	"  --zone-dir, refreshed as its SOA says and on NOTIFY).\n";

/* A worker's part: its sockets, and its AF_XDP queues with --xdp. */
struct dns_part {
	struct dns_worker *sock;
	struct dns_xdp_worker *xdp;
};

static void
dns_free(void *worker)
{
	struct dns_part *p = worker;

	if (p == NULL)
		return;
	dns_worker_free(p->sock);
	dns_xdp_worker_free(p->xdp);
	free(p);
}

static void *
dns_start(struct cli_server *s, struct loop *l, int index, const int *tcp,
	  int ntcp, const int *udp, int nudp)
{
	struct cli_dns *e = (struct cli_dns *)s;
	struct dns_part *p = calloc(1, sizeof *p);

	if (p == NULL)
		return NULL;
	p->sock = dns_worker_start(l, &e->served, index, &e->cfg, tcp, ntcp,
				   udp, nudp);
	if (p->sock && e->nxdp)
		p->xdp = dns_xdp_worker_start(l, &e->served, index,
					      s->nworkers, &e->cfg, e->xdps,
					      e->nxdp);
	/* Worker 0 also runs the secondaries and the NOTIFY sender. */
	if (p->sock == NULL || (e->nxdp && p->xdp == NULL) ||
	    (index == 0 && e->xfrd_on && dns_xfrd_start(&e->xfrd, l) < 0)) {
		dns_free(p);
		return NULL;
	}
	return p;
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
 * listener (an error prints no listening line). Returns 0, ERR_PARSE (no
 * such interface, missing privileges: printed, exit 2) or -ENOMEM. */
static int
dns_xdp_setup(struct cli_dns *e)
{
	char err[256], ifname[IF_NAMESIZE];
	uint16_t port;

	if (e->nxdp == 0)
		return 0;
	e->xdps = calloc((size_t)e->nxdp, sizeof *e->xdps);
	if (e->xdps == NULL)
		return -ENOMEM;
	for (int i = 0; i < e->nxdp; i++) {
		xdp_arg(e->xdp[i], ifname, sizeof ifname, &port);
		if (dns_xdp_open(&e->xdps[i], ifname, port, err,
				 sizeof err) < 0) {
			fprintf(stderr, "inetkit: dns: %s\n", err);
			return ERR_PARSE;
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

/* SIGHUP: build the new database aside while the workers keep serving
 * the old one, then swap. A bad file keeps the old data. */
static void
dns_hup(struct cli_server *s)
{
	struct cli_dns *e = (struct cli_dns *)s;
	struct dns_db *db;
	char err[1024];

	if (dns_load(e->zones, e->nzones, e->hosts, &db, err,
		     sizeof err) < 0) {
		fprintf(stderr, "inetkit: dns: reload failed, keeping the old "
			"zones: %s\n", err);
		return;
	}
	size_t nrec = db->nrecords;
	int nz = db->nzones;
	if (e->xfrd_on)
		dns_xfrd_publish_reload(&e->xfrd, db);
	else
		dns_served_swap(&e->served, db);
	fprintf(stderr, "inetkit: dns: reloaded %d zone%s, %zu records\n",
		nz, nz == 1 ? "" : "s", nrec);
}

/* Under the sandbox: SIGHUP reads the zones again, with their
 * $INCLUDEs: the folders of the zone files, and the hosts file. */
static int
dns_sandbox(struct cli_server *s, struct sandbox *sb)
{
	struct cli_dns *e = (struct cli_dns *)s;
	int rc = 0;

	for (int i = 0; rc == 0 && i < e->nzones; i++)
		rc = cli_sandbox_allow_dir(sb, e->zones[i]);
	if (rc == 0 && e->hosts)
		rc = sandbox_allow(sb, e->hosts, SANDBOX_READ);
	/* zone transfer in: the copies and journals in --zone-dir, a TCP
	 * connection to each primary (NOTIFY goes out over UDP) */
	if (rc == 0 && e->xfrd.zone_dir)
		rc = sandbox_allow(sb, e->xfrd.zone_dir, SANDBOX_WRITE);
	for (int i = 0; rc == 0 && i < e->xfrd.nsec; i++)
		rc = sandbox_allow_connect(sb, net_addr_port(
			dns_secondary_primary(&e->xfrd, i)));
	return rc;
}

/* The rate limiting table, shared by the workers, keyed at random. */
static int
dns_rrl_setup(struct cli_dns *e)
{
	uint64_t seed[2];

	if (e->rrl_cfg.rate == 0)
		return 0;
	if (getrandom(seed, sizeof seed, 0) != sizeof seed)
		return -errno;
	if (dns_rrl_init(&e->rrl, &e->rrl_cfg, seed) < 0)
		return -ENOMEM;
	e->cfg.rrl = &e->rrl;
	return 0;
}

static int
dns_setup(struct cli_server *s, int nworkers)
{
	struct cli_dns *e = (struct cli_dns *)s;
	struct dns_db *db;
	char err[1024];

	if (dns_load(e->zones, e->nzones, e->hosts, &db, err,
		     sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return ERR_PARSE;
	}
	if (e->xfrd_on && dns_xfrd_setup(&e->xfrd, db) < 0) {
		dns_db_free(db);
		return -ENOMEM;
	}
	if (dns_served_init(&e->served, db, nworkers) < 0) {
		dns_db_free(db);
		return -ENOMEM;
	}
	int rc = dns_rrl_setup(e);
	if (rc < 0)
		return rc;
	rc = dns_xdp_setup(e);
	if (rc < 0)
		return rc;
	/* TCP and UDP on the same port, so that a client retrying over TCP
	 * after a truncated reply finds the same server (RFC 7766). */
	rc = cli_listen_bind_pair(&e->listen, "dns", nworkers, s->tcp_fds,
				  s->udp_fds);
	if (rc < 0)
		return rc;
	dns_xdp_announce(e);
	s->ntcp = s->nudp = e->listen.n;
	for (int i = 0; i < e->listen.n * nworkers; i++) {
		(void)net_set_buffer(s->udp_fds[i], 0, e->cfg.so_rcvbuf);
		(void)net_set_buffer(s->udp_fds[i], 1, e->cfg.so_sndbuf);
	}
	e->xfrd.served = &e->served;
	/* A transfer's reader that takes nothing for that long is dropped. */
	e->xfrd.send_timeout_ms = e->cfg.idle_timeout_ms;
	e->cfg.xfrd = e->xfrd_on ? &e->xfrd : NULL;
	e->cfg.max_conns = cli_server_share(e->cfg.max_conns, nworkers);
	return 0;
}

static void
dns_fini(struct cli_server *s)
{
	struct cli_dns *e = (struct cli_dns *)s;

	if (e->served.slots)
		dns_served_fini(&e->served);
	if (e->cfg.rrl)
		dns_rrl_fini(e->cfg.rrl);
	e->cfg.rrl = NULL;
	dns_xfrd_fini(&e->xfrd);
	for (int i = 0; e->xdps && i < e->nxdp; i++)
		dns_xdp_close(e->xdps[i]);
	free(e->xdps);
	e->xdps = NULL;
}

/* Numeric options: name, range, where the value goes. */
static int
dns_number_arg(struct cli_dns *e, const char *a, const char *v,
	       long *workers)
{
	long conns = e->cfg.max_conns, edns = e->cfg.udp_max;
	long idle = e->cfg.idle_timeout_ms / 1000;
	long rcvbuf = e->cfg.so_rcvbuf, sndbuf = e->cfg.so_sndbuf;
	struct dns_rrl_config *r = &e->rrl_cfg;
	long rate = r->rate, slip = r->slip, window = r->window;
	const struct {
		const char *name;
		long min, max, *dst;
	} nums[] = {
		{ "--workers", 1, 256, workers },
		{ "--max-conns", 1, 1000000, &conns },
		{ "--edns-size", 512, 65535, &edns },
		{ "--idle-timeout", 1, 86400, &idle },
		{ "--so-rcvbuf", 0, DNS_SOCKBUF_MAX, &rcvbuf },
		{ "--so-sndbuf", 0, DNS_SOCKBUF_MAX, &sndbuf },
		{ "--rrl", 0, DNS_RRL_RATE_MAX, &rate },
		{ "--rrl-slip", 0, 100, &slip },
		{ "--rrl-window", 1, DNS_RRL_WINDOW_MAX, &window },
	};

	for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
		if (strcmp(a, nums[k].name) != 0)
			continue;
		if (cli_parse_int(v, nums[k].min, nums[k].max, nums[k].dst) < 0)
			return cli_usage_error(dns_usage, "bad %s '%s'", a, v);
		e->cfg.max_conns = (int)conns;
		e->cfg.udp_max = (int)edns;
		e->cfg.idle_timeout_ms = (int)idle * 1000;
		e->cfg.so_rcvbuf = (int)rcvbuf;
		e->cfg.so_sndbuf = (int)sndbuf;
		r->rate = (uint32_t)rate;
		r->slip = (uint32_t)slip;
		r->window = (uint32_t)window;
		return 0;
	}
	return cli_usage_error(dns_usage, "serve dns: unexpected '%s'", a);
}

/* The zone transfer options. Returns 1 when a is not one of them. */
static int
dns_xfrd_arg(struct cli_dns *e, const char *a, const char *v)
{
	static const struct {
		const char *name;
		int (*add)(struct dns_xfrd *, const char *, const char **);
	} opts[] = {
		{ "--tsig-key", dns_xfrd_add_key },
		{ "--allow-transfer", dns_xfrd_add_acl },
		{ "--notify", dns_xfrd_add_notify },
		{ "--secondary", dns_xfrd_add_secondary },
	};
	const char *why = "";

	if (strcmp(a, "--zone-dir") == 0) {
		e->xfrd.zone_dir = v;
		return 0;
	}
	for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
		if (strcmp(a, opts[k].name) != 0)
			continue;
		if (opts[k].add(&e->xfrd, v, &why) < 0)
			return cli_usage_error(dns_usage, "bad %s '%s': %s",
					       a, v, why);
		e->xfrd_on = 1;
		return 0;
	}
	return 1;
}

static int
dns_parse_args(struct cli_server *s, int argc, char **argv, long *workers)
{
	struct cli_dns *e = (struct cli_dns *)s;

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
		} else if (strcmp(a, "--rrl-exempt") == 0) {
			struct dns_rrl_config *r = &e->rrl_cfg;
			if (r->nexempt >= DNS_RRL_EXEMPT_MAX ||
			    net_prefix_parse(v, &r->exempt[r->nexempt]) < 0)
				return cli_usage_error(dns_usage, "bad or too "
						       "many --rrl-exempt "
						       "'%s'", v);
			r->nexempt++;
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
		} else if ((rc = dns_xfrd_arg(e, a, v)) == 1)
			rc = dns_number_arg(e, a, v, workers);
		if (rc != 0)
			return rc;
	}
	if (e->nzones == 0 && e->xfrd.nsec == 0)
		return cli_usage_error(dns_usage, "serve dns: no --zone");
	if (e->xfrd.nsec && e->xfrd.zone_dir == NULL)
		return cli_usage_error(dns_usage, "serve dns: --secondary "
				       "needs --zone-dir");
	return 0;
}

static const struct cli_server_ops dns_ops = {
	dns_usage, dns_parse_args, dns_setup, dns_fini, dns_start,
	dns_free, dns_hup, dns_sandbox,
};

void
cli_dns_defaults(struct cli_dns *e)
{
	memset(e, 0, sizeof *e);
	cli_server_init(&e->srv, &dns_ops, &e->listen, ":53");
	e->cfg.idle_timeout_ms = 10 * 1000;
	e->cfg.max_conns = 10000;
	e->cfg.udp_max = DNS_EDNS_UDP_MAX;
	e->cfg.so_rcvbuf = DNS_RCVBUF_DEFAULT;
	e->cfg.so_sndbuf = DNS_SNDBUF_DEFAULT;
	dns_rrl_config_defaults(&e->rrl_cfg);
	dns_xfrd_init(&e->xfrd);
}

int
cmd_serve_dns(int argc, char **argv)
{
	struct cli_dns e;

	cli_dns_defaults(&e);
	return cli_serve(&e.srv, argc, argv);
}
