/* cli_tls_client: the https options that get and crawl share: --cacert
 * FILE (more trust anchors, checked before anything starts) and
 * -k/--insecure (no verification, said on stderr). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
cli_tls_client_option(struct net_tls_client_config *c, const char *opt,
		      const char *val)
{
	if (strcmp(opt, "--cacert") == 0 && val) {
		c->cafile = val;
		return 1;
	}
	if (strcmp(opt, "-k") == 0 || strcmp(opt, "--insecure") == 0) {
		c->insecure = 1;
		return 2;
	}
	return 0;
}

int
cli_tls_client_finish(const struct net_tls_client_config *c, const char *cmd)
{
	char err[NET_TLS_ERR_MAX];

	if (c->cafile && net_tls_cafile_check(c->cafile, err, sizeof err) < 0) {
		fprintf(stderr, "inetkit %s: --cacert %s\n", cmd, err);
		return EXIT_USAGE;
	}
	if (c->insecure)
		fprintf(stderr, "inetkit %s: warning: --insecure: the "
			"certificates of https servers are not verified\n",
			cmd);
	return 0;
}
