/* cli_lockdown: what every server does between binding and serving:
 * drop to --user, then restrict itself (core/sandbox.h) to what its
 * engines declared they need, unless --no-sandbox; --sandbox-info prints
 * that instead of serving. Order (as OpenBSD httpd): listeners bound,
 * logs open, files loaded; then setgroups, setgid, setuid; then Landlock
 * and seccomp; then the worker threads, which inherit all of it. */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/err.h"
#include "core/sandbox.h"

const char cli_lockdown_usage[] =
	"every server also takes:\n"
	"  --user NAME[:GROUP]  after binding (ports below 1024 too) and\n"
	"                       opening logs, drop to NAME (its group, or\n"
	"                       GROUP): setgroups, setgid, setuid\n"
	"  --no-sandbox         do not restrict the process after start-up\n"
	"  --sandbox-info       print what the sandbox allows, then exit\n"
	"  The sandbox (on by default): Landlock lets the server read only\n"
	"  its roots, zone folders, users files and certificate folders,\n"
	"  write only in --zone-dir, execute nothing; TCP bind refused and\n"
	"  TCP connect only where a feature needs it (primaries, FastCGI);\n"
	"  seccomp allows the system calls the engines make (others fail\n"
	"  with EPERM; execve and ptrace kill the process).\n"
	"  With --cgi, scripts are started by a launcher process forked\n"
	"  before the sandbox: they run with the plain rights of --user,\n"
	"  and the server itself still cannot exec anything.\n"
	"  Not covered: descriptors open before (listeners, logs) stay\n"
	"  usable; UDP (Landlock has no UDP rules).\n"
	"  Under systemd (inetkit-serve(8)): READY=1, RELOADING=1 and\n"
	"  STOPPING=1 go to $NOTIFY_SOCKET; sockets passed by LISTEN_FDS\n"
	"  (named http, https or tls, dns, echo, daytime, time, or at a\n"
	"  listener's address) are served instead of binding.\n";

static struct {
	const char *user;
	uid_t uid;
	gid_t gid;
	int no_sandbox;
	int info;
} lockdown;

/* NAME[:GROUP] to ids, looked up now (before the sandbox hides
 * /etc/passwd). Returns 0 or -1. */
static int
user_parse(const char *spec)
{
	char name[256];
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);

	if (n == 0 || n >= sizeof name || (colon && colon[1] == '\0'))
		return -1;
	memcpy(name, spec, n);
	name[n] = '\0';
	struct passwd *pw = getpwnam(name);
	if (pw == NULL)
		return -1;
	lockdown.uid = pw->pw_uid;
	lockdown.gid = pw->pw_gid;
	if (colon) {
		struct group *gr = getgrnam(colon + 1);
		if (gr == NULL)
			return -1;
		lockdown.gid = gr->gr_gid;
	}
	lockdown.user = spec;
	return 0;
}

int
cli_lockdown_args(int argc, char **argv, const char *usage)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--no-sandbox") == 0) {
			lockdown.no_sandbox = 1;
		} else if (strcmp(a, "--sandbox-info") == 0) {
			lockdown.info = 1;
		} else if (strcmp(a, "--user") == 0) {
			if (i + 1 >= argc || user_parse(argv[i + 1]) < 0)
				return -cli_usage_error(usage,
					"bad --user '%s'",
					i + 1 < argc ? argv[i + 1] : "");
			i++;
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	return out;
}

int
cli_sandbox_allow_dir(struct sandbox *sb, const char *file)
{
	char dir[PATH_MAX];
	char *real = realpath(file, NULL);
	int rc;

	snprintf(dir, sizeof dir, "%s", file);
	rc = sandbox_allow(sb, dirname(dir), SANDBOX_READ);
	if (rc == 0 && real) {
		snprintf(dir, sizeof dir, "%s", real);
		rc = sandbox_allow(sb, dirname(dir), SANDBOX_READ);
	}
	free(real);
	return rc;
}

/* setgroups first: after setuid it is no longer allowed. */
static int
drop_user(void)
{
	if (lockdown.user == NULL) {
		if (geteuid() == 0)
			fprintf(stderr, "inetkit: running as root: --user NAME "
				"drops to NAME after binding\n");
		return 0;
	}
	if (setgroups(1, &lockdown.gid) < 0 || setgid(lockdown.gid) < 0 ||
	    setuid(lockdown.uid) < 0) {
		fprintf(stderr, "inetkit: --user %s: %s\n", lockdown.user,
			strerror(errno));
		return -1;
	}
	/* no way back: a root that could regain it has not dropped */
	if (lockdown.uid != 0 && setuid(0) == 0) {
		fprintf(stderr, "inetkit: --user %s: could regain root\n",
			lockdown.user);
		return -1;
	}
	return 0;
}

static void
print_helpers(const struct sandbox *sb)
{
	for (int i = 0; i < sb->nhelpers; i++)
		printf("%s\n", sb->helpers[i].info);
}

static void
print_info(const struct sandbox *sb)
{
	int abi = sandbox_landlock_abi();

	printf("user: %s\n", lockdown.user ? lockdown.user :
	       "unchanged (no --user)");
	if (lockdown.no_sandbox || sb->off_reason) {
		printf("sandbox: off (%s)\n", lockdown.no_sandbox ?
		       "--no-sandbox" : sb->off_reason);
		print_helpers(sb);
		return;
	}
	print_helpers(sb);
	if (abi > 0)
		printf("landlock: on (ABI %d)\n", abi);
	else
		printf("landlock: off (the kernel lacks it)\n");
	for (int i = 0; i < sb->npaths; i++)
		printf("  %-5s %s\n", sandbox_access_name(sb->paths[i].access),
		       sb->paths[i].path);
	printf("  tcp bind: none\n  tcp connect: ");
	if (sb->connect_any || abi < 4)
		printf("any port\n");
	else if (sb->nports == 0)
		printf("none\n");
	for (int i = 0; !sb->connect_any && abi >= 4 && i < sb->nports; i++)
		printf("%u%s", sb->connect_ports[i],
		       i + 1 < sb->nports ? " " : "\n");
	printf("  everything else: denied\n");
	printf("seccomp: on; execve, execveat and ptrace kill the process;\n"
	       "  socket (inet, inet6), ioctl (fionbio, fionread, tcgets,\n"
	       "  tiocgwinsz, fioclex, fionclex, tiocoutq), clone (threads),\n"
	       "  prctl (set name) and:\n ");
	const char *const *names = sandbox_syscalls();
	size_t col = 1;
	for (size_t i = 0; names[i]; i++) {
		if (col + strlen(names[i]) + 1 > 78) {
			printf("\n ");
			col = 1;
		}
		col += (size_t)printf(" %s", names[i]);
	}
	printf("\n  everything else: EPERM\n");
	fflush(stdout);
}

/* The sandbox's rules are built before the drop (the paths may be
 * readable by root only) and enforced after it. Returns 0 or -1. */
static int
drop_and_apply(const struct sandbox *sb)
{
	int ruleset = -1, rc = 0;

	if (sb->off_reason && !lockdown.no_sandbox) {
		fprintf(stderr, "inetkit: sandbox: off: %s\n", sb->off_reason);
		lockdown.no_sandbox = 1;
	}

	if (!lockdown.no_sandbox)
		rc = sandbox_prepare(sb, &ruleset);
	if (rc == 0 && drop_user() < 0) {
		if (ruleset >= 0)
			close(ruleset);
		return -1;
	}
	/* with --user's rights, outside the sandbox */
	if (rc == 0 && (rc = sandbox_fork_helpers(sb)) < 0 && ruleset >= 0)
		close(ruleset);
	if (rc == 0 && !lockdown.no_sandbox)
		rc = sandbox_enforce(sb, ruleset);
	if (rc < 0) {
		fprintf(stderr, "inetkit: sandbox: %s\n", err_str(rc));
		return -1;
	}
	if (!lockdown.no_sandbox)
		fprintf(stderr, "inetkit: sandbox: %s, seccomp on "
			"(--sandbox-info lists what is allowed)\n",
			ruleset >= 0 ? "landlock on" :
			"landlock off (the kernel lacks it)");
	return 0;
}

int
cli_lockdown(const struct cli_engine *engines, int n)
{
	struct sandbox sb;
	int rc = EXIT_OK, err;

	sandbox_init(&sb);
	for (int i = 0; i < n && rc == EXIT_OK; i++)
		if (engines[i].sandbox &&
		    (err = engines[i].sandbox(engines[i].arg, &sb)) < 0) {
			fprintf(stderr, "inetkit: sandbox: a path the server "
				"needs: %s\n", err_str(err));
			rc = EXIT_FAIL;
		}
	if (rc == EXIT_OK && lockdown.info) {
		print_info(&sb);
		rc = -1;	/* done: no serving */
	} else if (rc == EXIT_OK && drop_and_apply(&sb) < 0) {
		rc = EXIT_FAIL;
	}
	sandbox_fini(&sb);
	return rc;
}
