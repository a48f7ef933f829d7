/* main: the `inetkit` command, a table of subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"


static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "up", cmd_up, "every service on loopback with the bundled site and zone" },
	{ "serve", cmd_serve, "run a server: http, dns, echo, daytime, time" },
	{ "get", cmd_get, "fetch a URL over HTTP/1.1, like curl or wget" },
	{ "crawl", cmd_crawl, "crawl a web site and check its links" },
	{ "lookup", cmd_lookup, "ask a name server, print the reply like dig" },
	{ "echo", cmd_echo, "echo client (RFC 862)" },
	{ "daytime", cmd_daytime, "daytime client (RFC 867)" },
	{ "time", cmd_time, "time client (RFC 868)" },
	{ "ipcalc", cmd_ipcalc, "address and subnet calculator" },
	{ "check", cmd_check, "validate a configuration file or zone files" },
	{ "version", cmd_version, "the version; --verbose: commit, libraries" },
};

static void
print_usage(FILE *f)
{
	fprintf(f, "usage: inetkit COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\n'inetkit COMMAND --help' describes each command.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("inetkit %s\n", INETKIT_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "inetkit: unknown command '%s'\n", argv[1]);
	print_usage(stderr);
	return EXIT_USAGE;
}
