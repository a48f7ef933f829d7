/* cli_server: what the three server adapters (dns, http, services) share:
 * the sockets and the worker of every worker thread, starting and ending
 * the workers, and the opening of `inetkit serve NAME`. */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"
#include "core/err.h"
#include "core/workers.h"

static int
server_start(struct loop *l, int index, void *arg)
{
	struct cli_server *s = arg;

	s->workers[index] = s->ops->start(s, l, index,
					  s->tcp_fds + index * s->ntcp, s->ntcp,
					  s->udp_fds + index * s->nudp,
					  s->nudp);
	return s->workers[index] ? 0 : -1;
}

static void
server_end(struct loop *l, int index, void *arg)
{
	struct cli_server *s = arg;

	s->ops->free(s->workers[index]);
	s->workers[index] = NULL;
}

static void
server_hup(void *arg)
{
	struct cli_server *s = arg;

	s->ops->hup(s);
}

static int
server_sandbox(void *arg, struct sandbox *sb)
{
	struct cli_server *s = arg;

	return s->ops->sandbox(s, sb);
}

void
cli_server_init(struct cli_server *s, const struct cli_server_ops *ops,
		struct cli_listen *listen, const char *listen_default)
{
	*s = (struct cli_server){ .ops = ops, .listen = listen,
				  .listen_default = listen_default };
}

int
cli_server_setup(struct cli_server *s, int nworkers, struct cli_engine *out)
{
	/* room for as many sockets as the service manager may hand over */
	size_t n = (size_t)nworkers * CLI_MAX_LISTEN;

	s->tcp_fds = calloc(n + 1, sizeof(int));
	s->udp_fds = calloc(n + 1, sizeof(int));
	s->workers = calloc((size_t)nworkers, sizeof *s->workers);
	if (s->tcp_fds == NULL || s->udp_fds == NULL || s->workers == NULL)
		return -ENOMEM;
	int rc = s->ops->setup(s, nworkers);
	if (rc < 0)
		return rc;
	s->nworkers = nworkers;
	*out = (struct cli_engine){ server_start, server_end,
				    s->ops->hup ? server_hup : NULL, s,
				    s->ops->sandbox ? server_sandbox : NULL };
	return 0;
}

int
cli_server_status(int rc)
{
	return rc == ERR_PARSE ? EXIT_USAGE : EXIT_FAIL;
}

void
cli_server_fini(struct cli_server *s)
{
	s->ops->fini(s);
	free(s->tcp_fds);
	free(s->udp_fds);
	free(s->workers);
	s->tcp_fds = s->udp_fds = NULL;
	s->workers = NULL;
}

int
cli_server_share(int total, int nworkers)
{
	return (total + nworkers - 1) / nworkers;
}

static int
serve_run(struct cli_server *s, int argc, char **argv)
{
	long workers = workers_default_count();
	struct cli_engine engine;

	argc = cli_lockdown_args(argc, argv, s->ops->usage);
	if (argc < 0)
		return -argc;
	int rc = s->ops->parse(s, argc, argv, &workers);

	if (rc != 0)
		return rc;
	if (s->listen->n == 0 && s->listen_default)
		cli_listen_add(s->listen, s->listen_default);
	rc = cli_server_setup(s, (int)workers, &engine);
	if (rc < 0)
		return cli_server_status(rc);
	return cli_run_engines(&engine, 1, (int)workers);
}

int
cli_serve(struct cli_server *s, int argc, char **argv)
{
	int rc = EXIT_OK;

	if (!cli_wants_help(argc, argv, s->ops->usage))
		rc = serve_run(s, argc, argv);
	else
		fputs(cli_lockdown_usage, stdout);
	cli_server_fini(s);
	return rc;
}
