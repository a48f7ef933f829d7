/* cmd_version: `inetkit version [--verbose]`: the version, and for bug
 * reports the commit it was built from and what it was built with. */
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <string.h>
#include <yaml.h>
#include <zlib.h>

#include "cli.h"

/* Written by the Makefile at each link (build/obj/VARIANT/version.c). */
extern const char inetkit_commit[];
extern const char inetkit_variant[];

static const char version_usage[] =
	"usage: inetkit version [--verbose]\n"
	"  The version (as inetkit --version); --verbose adds the commit, the\n"
	"  compiler, the sanitizers and the libraries (TLS, YAML, zlib), for\n"
	"  bug reports.\n";

static const char *
sanitizers(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return "address, undefined";
#else
	return "none";
#endif
}

int
cmd_version(int argc, char **argv)
{
	int verbose = 0;

	if (cli_wants_help(argc, argv, version_usage))
		return EXIT_OK;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--verbose") != 0 &&
		    strcmp(argv[i], "-v") != 0)
			return cli_usage_error(version_usage, "version: "
					       "unexpected '%s'", argv[i]);
		verbose = 1;
	}
	printf("inetkit %s\n", INETKIT_VERSION);
	if (!verbose)
		return EXIT_OK;
	printf("commit: %s\n", inetkit_commit);
	printf("build: %s, %s\n", inetkit_variant, __VERSION__);
	printf("sanitizers: %s\n", sanitizers());
	printf("tls: %s (built with %s)\n", OpenSSL_version(OPENSSL_VERSION),
	       OPENSSL_VERSION_TEXT);
	printf("yaml: libyaml %s\n", yaml_get_version_string());
	printf("zlib: %s\n", zlibVersion());
	printf("sandbox: none built in\n");
	return EXIT_OK;
}
