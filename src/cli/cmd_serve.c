/* cmd_serve: `inetkit serve SERVICE ...`, a table of the servers. */
#include <string.h>

#include "cli.h"
#include "core/workers.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} servers[] = {
	{ "echo", cmd_serve_svc },
	{ "daytime", cmd_serve_svc },
	{ "time", cmd_serve_svc },
	{ "http", cmd_serve_http },
	{ "dns", cmd_serve_dns },
};

static const char serve_usage[] =
	"usage: inetkit serve SERVICE [OPTIONS]\n"
	"services: echo, daytime, time, http, dns\n"
	"'inetkit serve SERVICE --help' describes each.\n";

int
cmd_serve(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(serve_usage, "serve: which service?");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(serve_usage, stdout);
		return EXIT_OK;
	}
	/* Before any listener is announced: see workers_block_signals. */
	workers_block_signals();
	for (size_t i = 0; i < sizeof servers / sizeof servers[0]; i++)
		if (strcmp(argv[1], servers[i].name) == 0)
			return servers[i].fn(argc - 1, argv + 1);
	return cli_usage_error(serve_usage, "serve: unknown service '%s'",
			       argv[1]);
}
