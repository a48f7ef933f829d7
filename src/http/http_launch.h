/* http_launch: the CGI launcher, a small process forked by the server
 * during start-up (after binding, opening logs and dropping to --user,
 * before the sandbox), as OpenBSD's slowcgi sits beside httpd. Landlock
 * domains and seccomp filters are inherited, so a script started by the
 * sandboxed server could exec nothing; the launcher, outside the sandbox,
 * starts scripts with the plain rights of --user and the server still
 * cannot exec anything.
 *
 * The workers talk to it over one SOCK_SEQPACKET socketpair: a request is
 * one message (the script, its directory and environment, bounded; its
 * stdin, stdout and stderr passed with SCM_RIGHTS); the reply is the pid
 * and a pidfd, or an errno. The launcher refuses a script or directory
 * not under a --cgi DIR. Signals from the sandbox cannot reach processes
 * outside it (Landlock scoping), so a kill is a message too: the launcher
 * kills the script's process group while the script is its unreaped child
 * (the group's id cannot have been reused). It reaps its children and
 * exits when the server's end closes. */
#ifndef INETKIT_HTTP_LAUNCH_H
#define INETKIT_HTTP_LAUNCH_H

#include <sys/types.h>

#include "http_cgi.h"
#include "http_gw.h"

/* The largest request (a script's environment is HTTP_CGI_ENV_SIZE). */
#define HTTP_LAUNCH_MAX_MSG (64 * 1024)
/* How long a worker waits for the launcher's reply (it spawns at once:
 * the wait is that of posix_spawn, which the worker did itself before). */
#define HTTP_LAUNCH_TIMEOUT_MS 5000

/* Forks the launcher for c's CGI routes; c->launcher is the server's end.
 * Returns 0 or -errno. */
int http_launch_start(struct http_gw_config *c);
/* Ends the server's side (the launcher then exits). */
void http_launch_stop(struct http_gw_config *c);
/* Starts exe in cwd with env (NULL-ended) and fds[0..2] as its stdin,
 * stdout and stderr (fds[0] -1: /dev/null). Sets *pid and *pidfd.
 * Blocks until the reply. Returns 0 or -errno. */
int http_launch_spawn(struct http_gw_config *c, const char *exe,
		      const char *cwd, char *const env[], const int fds[3],
		      pid_t *pid, int *pidfd);
/* Asks for SIGKILL to pid's process group. */
void http_launch_kill(struct http_gw_config *c, pid_t pid);
/* The launcher's check of a request b[0..n) (with its descriptors):
 * the script and its directory under a CGI route of c (no ".."), the
 * strings NUL-ended and counted, env (HTTP_LAUNCH_ENV entries) filled and
 * filtered to the CGI variables plus the launcher's PATH and LANG. Points
 * into b. Returns 0 or -EINVAL. */
#define HTTP_LAUNCH_ENV (HTTP_CGI_ENV_VARS + 3)
int http_launch_check(const struct http_gw_config *c, char *b, size_t n,
		      const int fds[3], char **exe, char **cwd, char **env);
/* 1 when the process of pidfd has exited; waits up to ms for it. */
int http_launch_exited(int pidfd, int ms);

#endif
