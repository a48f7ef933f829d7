/* cmd_check: `inetkit check`, what named-checkconf and named-checkzone
 * do for BIND: a configuration file or zone files read and validated,
 * nothing started. Exit 0 when valid, 2 with file:line messages when not. */
#include <string.h>

#include "cli.h"
#include "cli_config.h"
#include "dns/dns_load.h"
#include "dns/dns_rr.h"

static const char check_usage[] =
	"usage: inetkit check --config FILE\n"
	"       inetkit check --zone FILE... [--hosts FILE]\n"
	"  Validates without starting anything. --config reads a\n"
	"  configuration file as `inetkit serve --config` would (every key,\n"
	"  every root, every zone file); --zone loads zone files as\n"
	"  `inetkit serve dns` would and prints each zone's record count.\n"
	"  Exit status 0 when valid; 2 with FILE:LINE messages when not.\n";

#define CHECK_MAX_ZONES 64

static int
check_zones(const char *const *zones, int n, const char *hosts)
{
	struct dns_db *db;
	char err[1024];

	if (dns_load(zones, n, hosts, &db, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	for (int i = 0; i < db->nzones; i++) {
		char name[1024];
		if (dns_name_format(db->zones[i]->apex, name, sizeof name) < 0)
			snprintf(name, sizeof name, "?");
		printf("zone %s: loaded\n", name);
	}
	printf("%zu records: OK\n", db->nrecords);
	dns_db_free(db);
	return EXIT_OK;
}

int
cmd_check(int argc, char **argv)
{
	const char *zones[CHECK_MAX_ZONES], *hosts = NULL, *config = NULL;
	int nzones = 0;

	if (cli_wants_help(argc, argv, check_usage))
		return EXIT_OK;
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL)
			return cli_usage_error(check_usage, "check: '%s' without "
					       "a value", a);
		if (strcmp(a, "--config") == 0 && config == NULL)
			config = v;
		else if (strcmp(a, "--zone") == 0 && nzones < CHECK_MAX_ZONES)
			zones[nzones++] = v;
		else if (strcmp(a, "--hosts") == 0)
			hosts = v;
		else
			return cli_usage_error(check_usage, "check: unexpected "
					       "'%s'", a);
	}
	if ((config != NULL) == (nzones > 0))
		return cli_usage_error(check_usage, "check: give --config or "
				       "--zone");
	if (config)
		return hosts ? cli_usage_error(check_usage, "check: --hosts "
					       "goes with --zone") :
			cli_config_run(config, NULL, 0, NULL, CLI_CONFIG_CHECK);
	return check_zones(zones, nzones, hosts);
}
