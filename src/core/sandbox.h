/* sandbox: what a server may still do once it has started, enforced by
 * the kernel (the Linux counterpart of OpenBSD's unveil and pledge).
 *
 *   Landlock   the files: read only the listed paths (roots, zones,
 *              users files, certificates), write only the listed ones
 *              (logs, a zone directory), execute only the listed ones
 *              (none unless a feature asks); TCP bind refused, TCP
 *              connect only to listed ports; no signals or abstract
 *              UNIX sockets outside the process.
 *   seccomp    the system calls the engines use (libseccomp): others fail
 *              with EPERM; execve, execveat and ptrace kill the process;
 *              new sockets of the inet and inet6 families only.
 *
 * Applied by the main thread before the worker threads start, so that
 * every thread inherits it; it cannot be widened afterwards. A kernel
 * without Landlock leaves that part off (sandbox_apply says so). */
#ifndef INETKIT_SANDBOX_H
#define INETKIT_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#define SANDBOX_MAX_PATHS 128
#define SANDBOX_MAX_PORTS 16

enum sandbox_access {
	SANDBOX_READ,		/* open files, list directories beneath */
	SANDBOX_WRITE,		/* READ, and create, write, rename, delete */
	SANDBOX_EXEC,		/* READ, and execute */
};

struct sandbox {
	struct {
		char *path;
		enum sandbox_access access;
	} paths[SANDBOX_MAX_PATHS];
	int npaths;
	uint16_t connect_ports[SANDBOX_MAX_PORTS];	/* TCP connect */
	int nports;
	unsigned connect_any : 1;	/* TCP connect to any port */
	unsigned exec : 1;		/* keep execve (a CGI launcher) */
	unsigned unix_sockets : 1;	/* AF_UNIX sockets (FastCGI) */
	/* Set by a feature that cannot work sandboxed (yet): says why the
	 * sandbox stays off. A program started by the server inherits the
	 * filter and the rules, so scripts need a launcher forked before
	 * the sandbox (see README); until one exists, CGI sets this. */
	const char *off_reason;
};

void sandbox_init(struct sandbox *sb);
void sandbox_fini(struct sandbox *sb);
/* Allows access beneath path (a file or a directory; made absolute).
 * A path given twice keeps the wider access. Returns 0, -errno or
 * ERR_TOOBIG. */
int sandbox_allow(struct sandbox *sb, const char *path,
		  enum sandbox_access access);
/* Allows TCP connect to port (0: any). Returns 0 or ERR_TOOBIG. */
int sandbox_allow_connect(struct sandbox *sb, uint16_t port);

/* The Landlock ABI version of the running kernel, 0 without Landlock. */
int sandbox_landlock_abi(void);
/* The system calls allowed (names), NULL-ended. */
const char *const *sandbox_syscalls(void);
/* The name of an access. */
const char *sandbox_access_name(enum sandbox_access a);

/* In two steps, so that the paths are opened with the rights of the
 * start (a root-only folder) and the process is restricted after it
 * dropped them (setuid is not on the seccomp list). prepare sets
 * no_new_privs and builds the Landlock rules: *ruleset is their
 * descriptor, or -1 when the kernel lacks Landlock. enforce restricts the
 * calling thread (and every thread it creates later) and closes the
 * ruleset. Both return 0 or -errno. */
int sandbox_prepare(const struct sandbox *sb, int *ruleset);
int sandbox_enforce(const struct sandbox *sb, int ruleset);
/* Both at once; *landlock tells whether Landlock is on. */
int sandbox_apply(const struct sandbox *sb, int *landlock);

#endif
