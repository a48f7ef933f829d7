/* cmd_up: `inetkit up`, every service on loopback with the bundled site
 * and zone, in one process whose worker threads run every engine. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/err.h"
#include "core/workers.h"
#include "net/net_tls_cert.h"

static const char up_usage[] =
	"usage: inetkit up [--dir DIR] [--workers N] [--user NAME[:GROUP]]\n"
	"                 [--no-sandbox] [--sandbox-info]\n"
	"  Serves on loopback: the zone DIR/zones/example.test.zone on DNS\n"
	"  port 5300 (UDP and TCP), the site DIR/site on HTTP port 8080 (as\n"
	"  www.example.test and any other name, on 127.0.0.1 and ::1; the\n"
	"  programs of DIR/site/cgi-bin as CGI under /cgi-bin/), the same\n"
	"  site over HTTPS on port 8443, and echo on 7007, daytime on\n"
	"  1313 and time on 3737 (TCP and UDP).\n"
	"  DIR defaults to the examples/ folder of the source tree the binary\n"
	"  was built in. For HTTPS, the first run makes a local certificate\n"
	"  authority (ca.pem) and a certificate for www.example.test that it\n"
	"  signs, in $XDG_STATE_HOME/inetkit (else ~/.local/state/inetkit),\n"
	"  or DIR/state with --dir. Stop with Ctrl-C.\n";

#define UP_SITE_NAME "www.example.test"
#define UP_ZONE "example.test.zone"
#define UP_DNS_LISTEN "127.0.0.1:5300"
#define UP_HTTPS_PORT "8443"

static const struct {
	enum svc_kind kind;
	const char *listen;
} up_services[] = {
	{ SVC_ECHO, "127.0.0.1:7007" },
	{ SVC_DAYTIME, "127.0.0.1:1313" },
	{ SVC_TIME, "127.0.0.1:3737" },
};
#define UP_NSVC (sizeof up_services / sizeof up_services[0])

struct up {
	char dir[PATH_MAX];
	int dir_given;
	char state[PATH_MAX];		/* the local CA and the certificate */
	char cert[PATH_MAX + 64], key[PATH_MAX + 64];
	int ca_made;
	char zone[PATH_MAX + 32];
	struct cli_dns dns;
	struct cli_http web;
	struct cli_svc svcs[UP_NSVC];
	struct cli_engine engines[UP_NSVC + 2];
	int nengines, nsvcs, dns_ready, web_ready;
};

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ./examples when run from the source tree (make run); else the examples
 * folder beside the build folder that holds the binary. */
static int
up_find_dir(char *out, size_t size)
{
	static const char *const rel[] = { "/../examples", "/../../examples" };
	char exe[PATH_MAX];

	if (is_dir("examples/site"))
		return snprintf(out, size, "examples") < (int)size ? 0 : -1;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		char site[PATH_MAX + 32];
		snprintf(out, size, "%s%s", exe, rel[i]);
		snprintf(site, sizeof site, "%s/site", out);
		if (is_dir(site))
			return 0;
	}
	return -1;
}

static int
up_parse(struct up *u, int argc, char **argv, long *workers)
{
	const char *dir = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--workers") == 0 && next) {
			if (cli_parse_int(next, 1, 256, workers) < 0)
				return cli_usage_error(up_usage, "up: bad --workers '%s'", next);
			i++;
		} else if (strcmp(a, "--dir") == 0 && next) {
			dir = next;
			i++;
		} else {
			return cli_usage_error(up_usage, "up: unexpected '%s'", a);
		}
	}
	if (dir && snprintf(u->dir, sizeof u->dir, "%s", dir) >= (int)sizeof u->dir)
		return cli_usage_error(up_usage, "up: --dir too long");
	u->dir_given = dir != NULL;
	if (!dir && up_find_dir(u->dir, sizeof u->dir) < 0) {
		fprintf(stderr, "inetkit: up: no examples folder found: use --dir\n");
		return EXIT_USAGE;
	}
	return 0;
}

/* A bad zone file is a configuration error (exit 2), like a bad --dir. */
static int
up_setup_dns(struct up *u, int workers)
{
	snprintf(u->zone, sizeof u->zone, "%s/zones/" UP_ZONE, u->dir);
	cli_dns_defaults(&u->dns);
	u->dns_ready = 1;
	u->dns.zones[u->dns.nzones++] = u->zone;
	cli_listen_add(&u->dns.listen, UP_DNS_LISTEN);
	int rc = cli_server_setup(&u->dns.srv, workers,
				  &u->engines[u->nengines]);
	if (rc < 0)
		return cli_server_status(rc);
	u->nengines++;
	return 0;
}

/* mkdir -p for the state folder (mode 0700: it holds keys). */
static int
mkdir_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0700);
		*p = '/';
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* The state folder: DIR/state with --dir, else $XDG_STATE_HOME/inetkit
 * (XDG Base Directory), else ~/.local/state/inetkit. */
static int
up_state_dir(struct up *u)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (u->dir_given)
		n = snprintf(u->state, sizeof u->state, "%s/state", u->dir);
	else if (xdg && xdg[0] == '/')
		n = snprintf(u->state, sizeof u->state, "%s/inetkit", xdg);
	else if (home && home[0] == '/')
		n = snprintf(u->state, sizeof u->state,
			     "%s/.local/state/inetkit", home);
	else
		return -1;
	return n < (int)sizeof u->state ? mkdir_parents(u->state) : -1;
}

/* The local CA and the site's certificate, made on first run. */
static int
up_setup_tls(struct up *u)
{
	char err[PATH_MAX + 256];

	if (up_state_dir(u) < 0) {
		fprintf(stderr, "inetkit: up: no state folder for the TLS "
			"certificates (%s): set XDG_STATE_HOME or use --dir\n",
			u->state[0] ? u->state : "HOME unset");
		return EXIT_USAGE;
	}
	if (net_tls_local_ca(u->state, UP_SITE_NAME, &u->ca_made, err,
			     sizeof err) < 0) {
		fprintf(stderr, "inetkit: up: %s\n", err);
		return EXIT_USAGE;
	}
	snprintf(u->cert, sizeof u->cert, "%s/" UP_SITE_NAME ".pem", u->state);
	snprintf(u->key, sizeof u->key, "%s/" UP_SITE_NAME ".key", u->state);
	u->web.cert = u->cert;
	u->web.key = u->key;
	cli_listen_add(&u->web.tls_listen, "127.0.0.1:" UP_HTTPS_PORT);
	cli_listen_add(&u->web.tls_listen, "[::1]:" UP_HTTPS_PORT);
	return 0;
}

static int
up_setup_web(struct up *u, int workers)
{
	char site[PATH_MAX + 16];
	int rc;

	snprintf(site, sizeof site, "%s/site", u->dir);
	cli_http_defaults(&u->web);
	u->web_ready = 1;
	rc = http_site_add(&u->web.site, UP_SITE_NAME, site);
	if (rc == 0)
		rc = http_site_add(&u->web.site, NULL, site);
	if (rc < 0) {
		fprintf(stderr, "inetkit: up: %s: %s\n", site, err_str(rc));
		return EXIT_USAGE;
	}
	/* the example programs: cgi-bin/counter */
	snprintf(site, sizeof site, "%s/site/cgi-bin", u->dir);
	if (is_dir(site) && http_gw_add_cgi(&u->web.gw, "/cgi-bin/", site) < 0)
		fprintf(stderr, "inetkit: up: %s: cannot serve\n", site);
	cli_listen_add(&u->web.listen, "127.0.0.1:8080");
	/* www.example.test has an AAAA record too: be there when it is
	 * tried first. */
	cli_listen_add(&u->web.listen, "[::1]:8080");
	rc = up_setup_tls(u);
	if (rc != 0)
		return rc;
	rc = cli_server_setup(&u->web.srv, workers, &u->engines[u->nengines]);
	if (rc < 0)
		return cli_server_status(rc);
	u->nengines++;
	return 0;
}

static int
up_setup_services(struct up *u, int workers)
{
	for (size_t i = 0; i < UP_NSVC; i++) {
		struct cli_svc *s = &u->svcs[u->nsvcs++];
		cli_svc_defaults(s, up_services[i].kind);
		cli_listen_add(&s->listen, up_services[i].listen);
		if (cli_server_setup(&s->srv, workers,
				     &u->engines[u->nengines]) < 0)
			return EXIT_FAIL;
		u->nengines++;
	}
	return 0;
}

static void
up_print_tips(const struct up *u)
{
	if (u->ca_made)
		printf("\nmade a local certificate authority for https: "
		       "%s/ca.pem\n", u->state);
	printf("\ninetkit is up. Try:\n"
	       "  inetkit echo 127.0.0.1:7007 hello\n"
	       "  inetkit daytime 127.0.0.1:1313\n"
	       "  inetkit time 127.0.0.1:3737 --udp\n"
	       "  inetkit lookup " UP_SITE_NAME " @" UP_DNS_LISTEN "\n"
	       "  inetkit get http://" UP_SITE_NAME ":8080/ --dns "
	       UP_DNS_LISTEN "\n"
	       "  inetkit crawl http://" UP_SITE_NAME ":8080/ --dns "
	       UP_DNS_LISTEN "   (finds the broken link)\n"
	       "  inetkit ipcalc 129.65.24.50\n");
	printf("  inetkit get https://" UP_SITE_NAME ":" UP_HTTPS_PORT "/ "
	       "--cacert %s/ca.pem --dns " UP_DNS_LISTEN "\n"
	       "  curl --cacert %s/ca.pem --resolve " UP_SITE_NAME ":"
	       UP_HTTPS_PORT ":127.0.0.1 https://" UP_SITE_NAME ":"
	       UP_HTTPS_PORT "/\n", u->state, u->state);
	fflush(stdout);
}

static void
up_fini(struct up *u)
{
	if (u->dns_ready)
		cli_server_fini(&u->dns.srv);
	if (u->web_ready)
		cli_server_fini(&u->web.srv);
	for (int i = 0; i < u->nsvcs; i++)
		cli_server_fini(&u->svcs[i].srv);
}

int
cmd_up(int argc, char **argv)
{
	static struct up u;
	long workers = workers_default_count();

	if (cli_wants_help(argc, argv, up_usage)) {
		fputs(cli_lockdown_usage, stdout);
		return EXIT_OK;
	}
	argc = cli_lockdown_args(argc, argv, up_usage);
	if (argc < 0)
		return -argc;
	int status = up_parse(&u, argc, argv, &workers);
	if (status != 0)
		return status;
	workers_block_signals();
	status = up_setup_dns(&u, (int)workers);
	if (status == 0)
		status = up_setup_web(&u, (int)workers);
	if (status == 0)
		status = up_setup_services(&u, (int)workers);
	if (status == 0) {
		up_print_tips(&u);
		status = cli_run_engines(u.engines, u.nengines, (int)workers);
	}
	up_fini(&u);
	return status;
}
