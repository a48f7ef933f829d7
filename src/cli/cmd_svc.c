/* cmd_svc: `inetkit serve echo|daytime|time`, and the engine adapter that
 * `inetkit up` reuses to run the same services beside the others. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "services/svc.h"

static const char svc_usage[] =
	"usage: inetkit serve echo|daytime|time [--listen ADDR:PORT]...\n"
	"                     [--tcp|--udp] [--workers N] [--max-conns N]\n"
	"                     [--idle-timeout SECONDS]\n"
	"  echo (RFC 862), daytime (RFC 867) and time (RFC 868) over TCP and\n"
	"  UDP. Default listen: every address on the service's own port\n"
	"  (7, 13, 37). A UDP reply is never larger than its request with\n"
	"  its headers (time answers any datagram, the empty one of RFC 868\n"
	"  included), replies to one source address are limited to 20 a\n"
	"  second (bursts of 40), and datagrams from ports below 1024 are\n"
	"  ignored (loop guard).\n";

static void *
svc_start(struct cli_server *s, struct loop *l, int index, const int *tcp,
	  int ntcp, const int *udp, int nudp)
{
	return svc_worker_start(l, &((struct cli_svc *)s)->cfg, tcp, ntcp, udp,
				nudp);
}

static void
svc_free(void *worker)
{
	svc_worker_free(worker);
}

static int
svc_setup(struct cli_server *s, int nworkers)
{
	struct cli_svc *e = (struct cli_svc *)s;
	const char *name = svc_kind_name(e->cfg.kind);
	int rc = 0;

	/* TCP and UDP bind separately: with port 0 each gets its own port,
	 * and each has its own `listening` line. */
	struct cli_listen udp = e->listen;
	if (e->tcp)
		rc = cli_listen_bind(&e->listen, name, SOCK_STREAM, nworkers,
				     s->tcp_fds, NULL);
	if (e->udp && rc == 0)
		rc = cli_listen_bind(&udp, name, SOCK_DGRAM, nworkers,
				     s->udp_fds, NULL);
	s->ntcp = e->tcp ? e->listen.n : 0;
	s->nudp = e->udp ? udp.n : 0;
	/* The cap is per process; each worker holds its share. */
	e->cfg.max_conns = cli_server_share(e->cfg.max_conns, nworkers);
	return rc;
}

static void
svc_fini(struct cli_server *s)
{
}

static int
svc_parse_args(struct cli_server *s, int argc, char **argv, long *workers)
{
	struct cli_svc *e = (struct cli_svc *)s;
	long v;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--tcp") == 0) {
			e->udp = 0;
		} else if (strcmp(a, "--udp") == 0) {
			e->tcp = 0;
		} else if (strcmp(a, "--listen") == 0 && next) {
			if (cli_listen_add(&e->listen, next) < 0)
				return cli_usage_error(svc_usage, "bad --listen '%s'", next);
			i++;
		} else if (strcmp(a, "--workers") == 0 && next) {
			if (cli_parse_int(next, 1, 256, workers) < 0)
				return cli_usage_error(svc_usage, "bad --workers '%s'", next);
			i++;
		} else if (strcmp(a, "--max-conns") == 0 && next) {
			if (cli_parse_int(next, 1, 1000000, &v) < 0)
				return cli_usage_error(svc_usage, "bad --max-conns '%s'", next);
			e->cfg.max_conns = (int)v;
			i++;
		} else if (strcmp(a, "--idle-timeout") == 0 && next) {
			if (cli_parse_int(next, 1, 86400, &v) < 0)
				return cli_usage_error(svc_usage, "bad --idle-timeout '%s'", next);
			e->cfg.idle_timeout_ms = (int)v * 1000;
			i++;
		} else {
			return cli_usage_error(svc_usage, "serve %s: unexpected '%s'",
					       argv[0], a);
		}
	}
	if (!e->tcp && !e->udp)
		return cli_usage_error(svc_usage, "--tcp and --udp exclude each other");
	return 0;
}

static const struct cli_server_ops svc_ops = {
	svc_usage, svc_parse_args, svc_setup, svc_fini, svc_start, svc_free,
	NULL, NULL,
};

void
cli_svc_defaults(struct cli_svc *e, enum svc_kind kind)
{
	static const char *const ports[] = { ":7", ":13", ":37" };

	memset(e, 0, sizeof *e);
	cli_server_init(&e->srv, &svc_ops, &e->listen, ports[kind]);
	e->cfg.kind = kind;
	e->cfg.idle_timeout_ms = 60 * 1000;
	e->cfg.max_conns = 20000;
	e->cfg.echo_pending_max = 64 * 1024;
	e->tcp = e->udp = 1;
}

int
cmd_serve_svc(int argc, char **argv)
{
	struct cli_svc e;
	enum svc_kind kind;

	if (svc_kind_parse(argv[0], &kind) < 0)
		return cli_usage_error(svc_usage, "unknown service '%s'", argv[0]);
	cli_svc_defaults(&e, kind);
	return cli_serve(&e.srv, argc, argv);
}
