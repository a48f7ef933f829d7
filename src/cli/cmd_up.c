/* cmd_up: `inetkit up`, every service on loopback with the bundled site
 * and zone, in one process whose worker threads run every engine. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_config.h"
#include "core/err.h"
#include "core/workers.h"
#include "net/net_tls_cert.h"

static const char up_usage[] =
	"usage: inetkit up [--dir DIR] [--workers N] [--port-offset N]\n"
	"                 [--user NAME[:GROUP]] [--no-sandbox] [--sandbox-info]\n"
	"       inetkit up --config FILE [--workers N]\n"
	"  Serves on loopback: the zone DIR/zones/example.test.zone on DNS\n"
	"  port 5300 (UDP and TCP), the site DIR/site on HTTP port 8080 (as\n"
	"  www.example.test and any other name, on 127.0.0.1 and ::1; the\n"
	"  programs of DIR/site/cgi-bin as CGI under /cgi-bin/), the same\n"
	"  site over HTTPS on port 8443, and echo on 7007, daytime on\n"
	"  1313 and time on 3737 (TCP and UDP). The web server's live status\n"
	"  page is http://127.0.0.1:8080/.status (and /.status.json).\n"
	"  DIR defaults to the examples/ folder of the source tree the binary\n"
	"  was built in. For HTTPS, the first run makes a local certificate\n"
	"  authority (ca.pem) and a certificate for www.example.test that it\n"
	"  signs, in $XDG_STATE_HOME/inetkit (else ~/.local/state/inetkit),\n"
	"  or DIR/state with --dir. --config FILE serves what the file says\n"
	"  instead (examples/inetkit.conf is this default, the certificate\n"
	"  made by a first `inetkit up`). Stop with Ctrl-C.\n"
	"  --port-offset N  add N to every port above (0 to 57000), so that\n"
	"                   two of them (two test runs) can run side by side\n";

#define UP_SITE_NAME "www.example.test"
#define UP_ZONE "example.test.zone"
#define UP_DNS_PORT 5300
#define UP_HTTP_PORT 8080
#define UP_HTTPS_PORT 8443
#define UP_ECHO_PORT 7007
#define UP_DAYTIME_PORT 1313
#define UP_TIME_PORT 3737
#define UP_PORT_OFFSET_MAX 57000	/* 8443 + 57000 < 65536 */
#define UP_STATUS "/.status"

static const struct {
	enum svc_kind kind;
	int port;
} up_services[] = {
	{ SVC_ECHO, UP_ECHO_PORT },
	{ SVC_DAYTIME, UP_DAYTIME_PORT },
	{ SVC_TIME, UP_TIME_PORT },
};

/* --port-offset: added to every port, in the listeners and the tips
 * (which `up --config` prints too, with the file's ports: offset 0). */
static int up_offset;

/* Listens on HOST:PORT+offset (HOST an address, "[::1]" for IPv6). */
static void
up_listen(struct cli_listen *ls, const char *host, int port)
{
	char spec[64];

	snprintf(spec, sizeof spec, "%s:%d", host, port + up_offset);
	cli_listen_add(ls, spec);
}
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
 * folder beside the build folder that holds the binary, or the one `make
 * install` put in PREFIX/share/inetkit. */
static int
up_find_dir(char *out, size_t size)
{
	static const char *const rel[] = { "/../examples", "/../../examples",
					   "/../share/inetkit/examples" };
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
		} else if (strcmp(a, "--port-offset") == 0 && next) {
			long off;

			if (cli_parse_int(next, 0, UP_PORT_OFFSET_MAX, &off) < 0)
				return cli_usage_error(up_usage, "up: bad "
						       "--port-offset '%s'", next);
			up_offset = (int)off;
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
	up_listen(&u->dns.listen, "127.0.0.1", UP_DNS_PORT);
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
	up_listen(&u->web.tls_listen, "127.0.0.1", UP_HTTPS_PORT);
	up_listen(&u->web.tls_listen, "[::1]", UP_HTTPS_PORT);
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
	up_listen(&u->web.listen, "127.0.0.1", UP_HTTP_PORT);
	/* www.example.test has an AAAA record too: be there when it is
	 * tried first. */
	up_listen(&u->web.listen, "[::1]", UP_HTTP_PORT);
	rc = up_setup_tls(u);
	if (rc != 0)
		return rc;
	/* the status page, for loopback clients, with the DNS counters */
	u->web.cfg.status = http_stats_page_new(UP_STATUS, workers);
	if (u->web.cfg.status == NULL)
		return EXIT_FAIL;
	cli_http_status_link_dns(&u->web, &u->dns);
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
		up_listen(&s->listen, "127.0.0.1", up_services[i].port);
		if (cli_server_setup(&s->srv, workers,
				     &u->engines[u->nengines]) < 0)
			return EXIT_FAIL;
		u->nengines++;
	}
	return 0;
}

/* How to type this binary: "inetkit" when PATH finds it (a link to it
 * counts), else its path
 * (relative when under the working directory: "build/inetkit"). */
static void
up_self(char *out, size_t size)
{
	char exe[PATH_MAX], cwd[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	const char *path = getenv("PATH");

	snprintf(out, size, "inetkit");
	if (n <= 0)
		return;
	exe[n] = '\0';
	for (const char *p = path; p && *p; p += strcspn(p, ":") + (p[strcspn(p,
	     ":")] == ':')) {
		char cand[PATH_MAX], real[PATH_MAX];
		int len = (int)strcspn(p, ":");
		snprintf(cand, sizeof cand, "%.*s/inetkit", len, p);
		if (access(cand, X_OK) != 0)
			continue;
		if (realpath(cand, real) && strcmp(real, exe) == 0)
			return;
		break;	/* PATH would find another inetkit first */
	}
	size_t clen = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
	if (clen > 0 && strncmp(exe, cwd, clen) == 0 && exe[clen] == '/')
		snprintf(out, size, "%s", exe + clen + 1);
	else
		snprintf(out, size, "%s", exe);
}

void
cli_up_tips(const char *tls_state)
{
	int dns = UP_DNS_PORT + up_offset, http = UP_HTTP_PORT + up_offset;
	int https = UP_HTTPS_PORT + up_offset;
	char me[PATH_MAX];

	up_self(me, sizeof me);
	printf("\ninetkit is up. Try:\n"
	       "  %s echo 127.0.0.1:%d hello\n"
	       "  %s daytime 127.0.0.1:%d\n"
	       "  %s time 127.0.0.1:%d --udp\n",
	       me, UP_ECHO_PORT + up_offset, me, UP_DAYTIME_PORT + up_offset,
	       me, UP_TIME_PORT + up_offset);
	printf("  %s lookup " UP_SITE_NAME " @127.0.0.1:%d\n"
	       "  %s get http://" UP_SITE_NAME ":%d/ --dns 127.0.0.1:%d\n"
	       "  %s crawl http://" UP_SITE_NAME ":%d/ --dns 127.0.0.1:%d"
	       "   (finds the broken link)\n"
	       "  %s ipcalc 129.65.24.50\n"
	       "  curl http://127.0.0.1:%d" UP_STATUS ".json   (open "
	       UP_STATUS " in a browser)\n", me, dns, me, http, dns, me, http,
	       dns, me, http);
	if (tls_state)
		printf("  %s get https://" UP_SITE_NAME ":%d/ --cacert "
		       "%s/ca.pem --dns 127.0.0.1:%d\n"
		       "  curl --cacert %s/ca.pem --resolve " UP_SITE_NAME
		       ":%d:127.0.0.1 https://" UP_SITE_NAME ":%d/\n", me,
		       https, tls_state, dns, tls_state, https, https);
	fflush(stdout);
}

static void
up_print_tips(const struct up *u)
{
	if (u->ca_made)
		printf("\nmade a local certificate authority for https: "
		       "%s/ca.pem\n", u->state);
	cli_up_tips(u->state);
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
	if (argc >= 3 && strcmp(argv[1], "--config") == 0) {
		workers_block_signals();
		return cli_config_run(argv[2], NULL, argc - 3, argv + 3,
				      CLI_CONFIG_UP);
	}
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
