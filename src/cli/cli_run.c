/* cli_run: several engines on the same worker threads, so that one
 * process (`inetkit up`, `serve --config`) serves many protocols on each
 * worker's loop. */
#include <stdlib.h>
#include <sys/resource.h>

#include "cli.h"
#include "cli_activate.h"
#include "core/err.h"
#include "core/notify.h"
#include "core/workers.h"

#define CLI_STOP_DEADLINE_MS 5000

struct cli_run {
	const struct cli_engine *engines;
	int n;
};

static int
run_start(struct loop *l, int index, void *arg)
{
	struct cli_run *r = arg;

	for (int i = 0; i < r->n; i++) {
		int rc = r->engines[i].start(l, index, r->engines[i].arg);
		if (rc < 0) {
			/* Undo the engines that did start on this worker. */
			while (--i >= 0)
				if (r->engines[i].end)
					r->engines[i].end(l, index, r->engines[i].arg);
			return rc;
		}
	}
	return 0;
}

static void
run_end(struct loop *l, int index, void *arg)
{
	struct cli_run *r = arg;

	for (int i = 0; i < r->n; i++)
		if (r->engines[i].end)
			r->engines[i].end(l, index, r->engines[i].arg);
}

static void
run_hup(void *arg)
{
	struct cli_run *r = arg;

	for (int i = 0; i < r->n; i++)
		if (r->engines[i].hup)
			r->engines[i].hup(r->engines[i].arg);
}

/* Servers hold a descriptor per client: take every one the system allows
 * this process rather than fail at the soft limit (often 1024). */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
cli_run_engines(const struct cli_engine *engines, int n, int nworkers)
{
	struct cli_run r = { engines, n };
	struct workers_config c = {
		.n = nworkers,
		.stop_deadline_ms = CLI_STOP_DEADLINE_MS,
		.start = run_start,
		.end = run_end,
		.hup = run_hup,
		.arg = &r,
	};

	raise_fd_limit();
	/* a socket nobody took is a unit that does not fit the servers */
	int rc = cli_activate_check();
	if (rc != 0)
		return rc;
	/* before the sandbox, which forbids a new AF_UNIX socket */
	notify_open();
	rc = cli_lockdown(engines, n);
	if (rc != 0)
		return rc < 0 ? EXIT_OK : rc;
	rc = workers_run(&c);
	if (rc < 0) {
		fprintf(stderr, "inetkit: cannot start: %s\n", err_str(rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
