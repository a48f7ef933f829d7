/* cmd_svc: `inetkit serve echo|daytime|time`, and the engine adapter that
 * `inetkit up` reuses to run the same services beside the others. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "core/workers.h"
#include "services/svc.h"

static const char svc_usage[] =
	"usage: inetkit serve echo|daytime|time [--listen ADDR:PORT]...\n"
	"                     [--tcp|--udp] [--workers N] [--max-conns N]\n"
	"                     [--idle-timeout SECONDS]\n"
	"  echo (RFC 862), daytime (RFC 867) and time (RFC 868) over TCP and\n"
	"  UDP. Default listen: every address on the service's own port\n"
	"  (7, 13, 37). A UDP reply is never larger than its request, and\n"
	"  datagrams from ports below 1024 are ignored (loop guard).\n";

static int
svc_engine_start(struct loop *l, int index, void *arg)
{
	struct cli_svc *e = arg;
	int ntcp = e->tcp ? e->listen.n : 0, nudp = e->udp ? e->listen.n : 0;

	e->workers[index] = svc_worker_start(l, &e->cfg,
					     e->tcp_fds + index * ntcp, ntcp,
					     e->udp_fds + index * nudp, nudp);
	return e->workers[index] ? 0 : -1;
}

static void
svc_engine_end(struct loop *l, int index, void *arg)
{
	struct cli_svc *e = arg;

	svc_worker_free(e->workers[index]);
	e->workers[index] = NULL;
}

int
cli_svc_setup(struct cli_svc *e, int nworkers, struct cli_engine *out)
{
	const char *name = svc_kind_name(e->cfg.kind);
	size_t n = (size_t)(nworkers * e->listen.n);

	e->tcp_fds = calloc(n + 1, sizeof(int));
	e->udp_fds = calloc(n + 1, sizeof(int));
	e->workers = calloc((size_t)nworkers, sizeof *e->workers);
	if (e->tcp_fds == NULL || e->udp_fds == NULL || e->workers == NULL)
		return -1;
	/* TCP and UDP bind separately: with port 0 each gets its own port,
	 * and each has its own `listening` line. */
	struct cli_listen udp = e->listen;
	if (e->tcp && cli_listen_bind(&e->listen, name, SOCK_STREAM,
				      nworkers, e->tcp_fds, NULL) < 0)
		return -1;
	if (e->udp && cli_listen_bind(&udp, name, SOCK_DGRAM, nworkers,
				      e->udp_fds, NULL) < 0)
		return -1;
	e->nworkers = nworkers;
	/* The cap is per process; each worker holds its share. */
	e->cfg.max_conns = (e->cfg.max_conns + nworkers - 1) / nworkers;
	*out = (struct cli_engine){ svc_engine_start, svc_engine_end, NULL, e };
	return 0;
}

void
cli_svc_fini(struct cli_svc *e)
{
	free(e->tcp_fds);
	free(e->udp_fds);
	free(e->workers);
}

void
cli_svc_defaults(struct cli_svc *e, enum svc_kind kind)
{
	memset(e, 0, sizeof *e);
	e->cfg.kind = kind;
	e->cfg.idle_timeout_ms = 60 * 1000;
	e->cfg.max_conns = 20000;
	e->cfg.echo_pending_max = 64 * 1024;
	e->tcp = e->udp = 1;
}

static int
svc_parse_args(struct cli_svc *e, int argc, char **argv, long *workers)
{
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

int
cmd_serve_svc(int argc, char **argv)
{
	static const char *const ports[] = { ":7", ":13", ":37" };
	struct cli_svc e;
	struct cli_engine engine;
	enum svc_kind kind;
	long workers = workers_default_count();

	if (cli_wants_help(argc, argv, svc_usage))
		return EXIT_OK;
	if (svc_kind_parse(argv[0], &kind) < 0)
		return cli_usage_error(svc_usage, "unknown service '%s'", argv[0]);
	cli_svc_defaults(&e, kind);
	int rc = svc_parse_args(&e, argc, argv, &workers);
	if (rc != 0)
		return rc;
	if (e.listen.n == 0)
		cli_listen_add(&e.listen, ports[kind]);
	if (cli_svc_setup(&e, (int)workers, &engine) < 0) {
		cli_svc_fini(&e);
		return EXIT_FAIL;
	}
	rc = cli_run_engines(&engine, 1, (int)workers);
	cli_svc_fini(&e);
	return rc;
}
