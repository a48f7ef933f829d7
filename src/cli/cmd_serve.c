/* cmd_serve: `inetkit serve SERVICE ...`, a table of the servers. */
#include <string.h>

#include "cli.h"
#include "cli_config.h"
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
	"       inetkit serve --config FILE [--workers N]\n"
	"       inetkit serve SERVICE --config FILE [OPTIONS]\n"
	"services: echo, daytime, time, http, dns\n"
	"'inetkit serve SERVICE --help' describes each. --config FILE\n"
	"starts the services of a YAML file whose keys are the options\n"
	"(see examples/inetkit.conf); options given beside it replace the\n"
	"file's. SIGHUP reads the file again.\n";

/* `serve [SERVICE] ... --config FILE ...`: the options without --config
 * FILE go beside the file. */
static int
serve_config(const char *only, int argc, char **argv)
{
	char *rest[argc + 2];
	const char *path = NULL;
	int n = 1;

	rest[0] = (char *)"serve";	/* cli_lockdown_args skips argv[0] */
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc && !path)
			path = argv[++i];
		else
			rest[n++] = argv[i];
	}
	rest[n] = NULL;
	if (path == NULL)
		return cli_usage_error(serve_usage, "serve: --config without "
				       "a file");
	/* --user, --no-sandbox, --sandbox-info, as every server takes */
	n = cli_lockdown_args(n, rest, serve_usage);
	if (n < 0)
		return -n;
	return cli_config_run(path, only, n - 1, rest + 1, CLI_CONFIG_SERVE);
}

static int
has_config(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--config") == 0)
			return 1;
	return 0;
}

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
	if (strcmp(argv[1], "--config") == 0)
		return serve_config(NULL, argc - 1, argv + 1);
	if (has_config(argc - 2, argv + 2) && !cli_wants_help(argc - 1,
							       argv + 1, ""))
		return serve_config(argv[1], argc - 2, argv + 2);
	for (size_t i = 0; i < sizeof servers / sizeof servers[0]; i++)
		if (strcmp(argv[1], servers[i].name) == 0)
			return servers[i].fn(argc - 1, argv + 1);
	return cli_usage_error(serve_usage, "serve: unknown service '%s'",
			       argv[1]);
}
