/* cmd_up: `inetkit up`, every service on loopback with the bundled
 * defaults, in one process on shared worker threads. */
#include <string.h>

#include "cli.h"
#include "core/workers.h"

static const char up_usage[] =
	"usage: inetkit up [--workers N]\n"
	"  Serves on 127.0.0.1: echo on 7007, daytime on 1313 and time on 3737\n"
	"  (TCP and UDP). Stop with Ctrl-C.\n";

static const struct {
	enum svc_kind kind;
	const char *listen;
} up_services[] = {
	{ SVC_ECHO, "127.0.0.1:7007" },
	{ SVC_DAYTIME, "127.0.0.1:1313" },
	{ SVC_TIME, "127.0.0.1:3737" },
};
#define UP_NSVC (sizeof up_services / sizeof up_services[0])

static void
up_print_tips(void)
{
	printf("\ninetkit is up. Try:\n"
	       "  inetkit echo 127.0.0.1:7007 hello\n"
	       "  inetkit daytime 127.0.0.1:1313\n"
	       "  inetkit time 127.0.0.1:3737 --udp\n"
	       "  inetkit ipcalc 129.65.24.50\n");
	fflush(stdout);
}

int
cmd_up(int argc, char **argv)
{
	struct cli_svc svcs[UP_NSVC];
	struct cli_engine engines[UP_NSVC];
	long workers = workers_default_count();
	int status = EXIT_OK;
	size_t n = 0;

	if (cli_wants_help(argc, argv, up_usage))
		return EXIT_OK;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
			if (cli_parse_int(argv[++i], 1, 256, &workers) < 0)
				return cli_usage_error(up_usage, "bad --workers '%s'",
						       argv[i]);
		} else {
			return cli_usage_error(up_usage, "up: unexpected '%s'",
					       argv[i]);
		}
	}
	workers_block_signals();
	for (; n < UP_NSVC; n++) {
		cli_svc_defaults(&svcs[n], up_services[n].kind);
		cli_listen_add(&svcs[n].listen, up_services[n].listen);
		if (cli_svc_setup(&svcs[n], (int)workers, &engines[n]) < 0) {
			status = EXIT_FAIL;
			n++;
			break;
		}
	}
	if (status == EXIT_OK) {
		up_print_tips();
		status = cli_run_engines(engines, (int)n, (int)workers);
	}
	for (size_t i = 0; i < n; i++)
		cli_svc_fini(&svcs[i]);
	return status;
}
