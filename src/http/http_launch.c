/* http_launch: the CGI launcher process and the workers' requests to it
 * (see http_launch.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "http_cgi.h"
#include "http_launch.h"

enum { LAUNCH_SPAWN = 1, LAUNCH_KILL = 2 };

struct launch_req {
	uint32_t op;
	uint32_t seq;
	int32_t pid;		/* KILL */
	uint32_t nfds;		/* SPAWN: 2 (no stdin) or 3 */
	uint32_t nenv;
	/* then exe, cwd and nenv strings, each NUL-ended */
};

struct launch_rep {
	uint32_t seq;
	int32_t err;		/* 0 or an errno */
	int32_t pid;
};

static pthread_mutex_t launch_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t launch_seq;

/* Sends one message with descriptors (nfds may be 0). */
static int
msg_send(int sock, const void *p, size_t n, const int *fds, int nfds)
{
	union {
		char b[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)p, n };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > 0) {
		memset(&u, 0, sizeof u);
		m.msg_control = u.b;
		m.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	ssize_t k;
	do
		k = sendmsg(sock, &m, MSG_NOSIGNAL);
	while (k < 0 && errno == EINTR);
	return k < 0 ? -errno : 0;
}

/* Receives one message: its length, or 0 at the end, or -errno. Up to
 * three descriptors land in fds (the rest of fds -1); a truncated
 * message is refused (its descriptors closed). */
static ssize_t
msg_recv(int sock, void *p, size_t n, int fds[3])
{
	union {
		char b[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { p, n };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.b, .msg_controllen = sizeof u.b,
	};
	ssize_t k;

	for (int i = 0; i < 3; i++)
		fds[i] = -1;
	do
		k = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return -errno;
	int nf = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < cnt; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
				       sizeof fd);
				if (nf < 3)
					fds[nf++] = fd;
				else
					close(fd);
			}
		}
	if (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		for (int i = 0; i < 3; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return -EMSGSIZE;
	}
	return k;
}

/* ---- the launcher process ---- */

static const struct http_gw_config *launch_cfg;

/* path under one of the CGI directories, with no ".." component (the
 * server built it from the directory and a clean URL path). */
static int
path_allowed(const struct http_gw_config *c, const char *path, int exact_ok)
{
	if (strstr(path, "/../") || strstr(path, "/./") ||
	    (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
		return 0;
	for (int i = 0; i < c->nroutes; i++) {
		const struct http_gw_route *r = &c->routes[i];
		size_t n = r->dir ? strlen(r->dir) : 0;
		if (r->kind != HTTP_GW_CGI || n == 0 ||
		    strncmp(path, r->dir, n) != 0)
			continue;
		if ((path[n] == '/' && path[n + 1] != '\0') ||
		    (exact_ok && path[n] == '\0') || r->dir[n - 1] == '/')
			return 1;
	}
	return 0;
}

/* The meta-variables of RFC 3875 the server sets (http_cgi_env.c), and
 * HTTP_* (not HTTP_PROXY, httpoxy). Anything else a (compromised) server
 * might send, such as LD_PRELOAD, BASH_ENV or IFS, never reaches a
 * script; PATH and LANG are the launcher's own. */
static int
env_allowed(const char *v)
{
	static const char *const names[] = {
		"GATEWAY_INTERFACE", "SERVER_SOFTWARE", "SERVER_PROTOCOL",
		"REQUEST_METHOD", "REQUEST_URI", "SCRIPT_NAME",
		"SCRIPT_FILENAME", "DOCUMENT_ROOT", "PATH_INFO",
		"PATH_TRANSLATED", "QUERY_STRING", "SERVER_NAME",
		"SERVER_PORT", "SERVER_ADDR", "REMOTE_ADDR", "REMOTE_HOST",
		"REMOTE_PORT", "HTTPS", "AUTH_TYPE", "REMOTE_USER",
		"CONTENT_TYPE", "CONTENT_LENGTH",
	};
	const char *eq = strchr(v, '=');
	size_t n = eq ? (size_t)(eq - v) : 0;

	if (n > 5 && memcmp(v, "HTTP_", 5) == 0 &&
	    strncmp(v, "HTTP_PROXY=", 11) != 0) {
		for (size_t i = 5; i < n; i++)
			if (!((v[i] >= 'A' && v[i] <= 'Z') ||
			      (v[i] >= '0' && v[i] <= '9') || v[i] == '_'))
				return 0;
		return 1;
	}
	for (size_t i = 0; n && i < sizeof names / sizeof *names; i++)
		if (strlen(names[i]) == n && memcmp(v, names[i], n) == 0)
			return 1;
	return 0;
}

/* Keeps what env_allowed lets through, then adds PATH and LANG. */
static void
env_filter(char **env)
{
	static char path[4096], lang[256];
	const char *p = getenv("PATH"), *l = getenv("LANG");
	size_t k = 0;

	for (size_t i = 0; env[i]; i++)
		if (env_allowed(env[i]))
			env[k++] = env[i];
	snprintf(path, sizeof path, "PATH=%s",
		 p ? p : "/usr/local/bin:/usr/bin:/bin");
	env[k++] = path;
	if (l && snprintf(lang, sizeof lang, "LANG=%s", l) < (int)sizeof lang)
		env[k++] = lang;
	env[k] = NULL;
}

/* Splits a SPAWN request's strings: exe, cwd, then env (argv-like, in
 * env[0..nenv]). Returns 0 or -EINVAL. */
static int
req_parse(char *b, size_t n, uint32_t nenv, char **exe, char **cwd,
	  char **env)
{
	char *p = b, *end = b + n;
	char **out[2] = { exe, cwd };

	if (nenv > HTTP_CGI_ENV_VARS)
		return -EINVAL;
	for (uint32_t i = 0; i < 2 + nenv; i++) {
		char *z = memchr(p, '\0', (size_t)(end - p));
		if (z == NULL)
			return -EINVAL;
		if (i < 2)
			*out[i] = p;
		else
			env[i - 2] = p;
		p = z + 1;
	}
	env[nenv] = NULL;
	return p == end ? 0 : -EINVAL;
}

int
http_launch_check(const struct http_gw_config *c, char *b, size_t n,
		  const int fds[3], char **exe, char **cwd, char **env)
{
	struct launch_req q;
	int nfds = fds[0] < 0 ? 0 : fds[1] < 0 ? 1 : fds[2] < 0 ? 2 : 3;

	if (n < sizeof q)
		return -EINVAL;
	memcpy(&q, b, sizeof q);
	if (q.op != LAUNCH_SPAWN || q.nfds != (uint32_t)nfds || nfds < 2 ||
	    req_parse(b + sizeof q, n - sizeof q, q.nenv, exe, cwd, env) < 0 ||
	    !path_allowed(c, *exe, 0) || !path_allowed(c, *cwd, 1))
		return -EINVAL;
	env_filter(env);
	return 0;
}

static int
launch_spawn(char *exe, char *cwd, char **env, const int fds[3], int nfds,
	     pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	char *argv[] = { exe, NULL };

	posix_spawn_file_actions_init(&fa);
	if (nfds == 3)
		posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
						 O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[nfds - 2], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[nfds - 1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawn_file_actions_addchdir_np(&fa, cwd);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&dfl);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
				 POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	int rc = posix_spawn(pid, exe, &fa, &at, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return rc;
}

/* One SPAWN request: validated, spawned, answered. */
static void
launch_one(int sock, char *b, size_t n, int fds[3])
{
	static char *env[HTTP_LAUNCH_ENV];
	struct launch_req q;
	struct launch_rep r = { 0, EINVAL, -1 };
	char *exe, *cwd;
	int pidfd = -1;

	memcpy(&q, b, sizeof q);
	r.seq = q.seq;
	if (http_launch_check(launch_cfg, b, n, fds, &exe, &cwd, env) == 0) {
		pid_t pid;
		r.err = launch_spawn(exe, cwd, env, fds, fds[2] >= 0 ? 3 : 2,
				     &pid);
		if (r.err == 0) {
			pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
			r.pid = pid;
			if (pidfd < 0) {
				r.err = errno;
				kill(-pid, SIGKILL);
			}
		}
	} else {
		log_warn("cgi launcher: refused a request (not under --cgi)");
	}
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	msg_send(sock, &r, sizeof r, &pidfd, pidfd >= 0);
	if (pidfd >= 0)
		close(pidfd);
}

/* The group of pid is killed only while pid is our unreaped child: until
 * then its id cannot belong to anyone else. */
static void
launch_kill(pid_t pid)
{
	siginfo_t si;

	if (pid <= 0)
		return;
	si.si_pid = 0;
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
		kill(-pid, SIGKILL);
}

static void
launch_reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (WIFSIGNALED(status))
			log_info("cgi: process %d killed by signal %d",
				 (int)pid, WTERMSIG(status));
}

static void
on_child(int sig)
{
	(void)sig;
}

/* The launcher's life: its socket at 3, nothing else of the server's but
 * stdin, stdout and stderr (the logs). SIGCHLD is let in only while it
 * waits, so that no exit goes unnoticed. */
static _Noreturn void
launch_main(int sock)
{
	static char b[HTTP_LAUNCH_MAX_MSG];
	sigset_t block, wait;
	struct sigaction sa = { .sa_handler = on_child };

	if (dup2(sock, 3) < 0)
		_exit(1);
	syscall(SYS_close_range, 4U, ~0U, 0U);
	sock = 3;
	/* a Ctrl-C or a signal to the group stops the server, which kills
	 * its scripts through here: the launcher ends after it (EOF) */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &wait);
	sigdelset(&wait, SIGCHLD);
	for (;;) {
		struct pollfd p = { sock, POLLIN, 0 };
		int fds[3];
		launch_reap();
		if (ppoll(&p, 1, NULL, &wait) <= 0)
			continue;
		ssize_t n = msg_recv(sock, b, sizeof b, fds);
		if (n == 0 || (n < 0 && n != -EMSGSIZE && n != -EAGAIN))
			break;	/* the server is gone */
		struct launch_req q;
		if (n < (ssize_t)sizeof q) {
			for (int i = 0; i < 3; i++)
				if (fds[i] >= 0)
					close(fds[i]);
			continue;
		}
		memcpy(&q, b, sizeof q);
		if (q.op == LAUNCH_SPAWN) {
			launch_one(sock, b, (size_t)n, fds);
			continue;
		}
		for (int i = 0; i < 3; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		if (q.op == LAUNCH_KILL)
			launch_kill(q.pid);
	}
	/* no exit handlers: the memory is the server's (LeakSanitizer) */
	_exit(0);
}

int
http_launch_start(struct http_gw_config *c)
{
	int sv[2];
	struct timeval tv = { HTTP_LAUNCH_TIMEOUT_MS / 1000,
		(HTTP_LAUNCH_TIMEOUT_MS % 1000) * 1000 };
	int sz = 2 * HTTP_LAUNCH_MAX_MSG;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		close(sv[0]);
		close(sv[1]);
		return -err;
	}
	if (pid == 0) {
		launch_cfg = c;
		close(sv[0]);
		launch_main(sv[1]);
	}
	close(sv[1]);
	c->launcher = sv[0];
	return 0;
}

void
http_launch_stop(struct http_gw_config *c)
{
	if (c->launcher < 0)
		return;
	/* the launcher sees the end and exits */
	close(c->launcher);
	c->launcher = -1;
}

/* Asks the launcher for a kill; the caller holds the lock. */
static void
kill_locked(struct http_gw_config *c, pid_t pid)
{
	struct launch_req q = { LAUNCH_KILL, 0, pid, 0, 0 };

	msg_send(c->launcher, &q, sizeof q, NULL, 0);
}

void
http_launch_kill(struct http_gw_config *c, pid_t pid)
{
	if (c->launcher < 0)
		return;
	pthread_mutex_lock(&launch_lock);
	kill_locked(c, pid);
	pthread_mutex_unlock(&launch_lock);
}

static int
req_build(char *b, size_t cap, const char *exe, const char *cwd,
	  char *const env[], uint32_t *nenv)
{
	const char *head[2] = { exe, cwd };
	size_t len = sizeof(struct launch_req);

	*nenv = 0;
	for (size_t i = 0; i < 2 || env[i - 2]; i++) {
		const char *s = i < 2 ? head[i] : env[i - 2];
		size_t k = strlen(s) + 1;
		if (k > cap - len)
			return -E2BIG;
		memcpy(b + len, s, k);
		len += k;
		if (i >= 2)
			(*nenv)++;
	}
	return (int)len;
}

/* Waits for the reply of seq; a late reply of an earlier request (its
 * worker gave up) has its script killed. */
static int
reply_wait(struct http_gw_config *c, uint32_t seq, pid_t *pid, int *pidfd)
{
	for (;;) {
		struct launch_rep r;
		int fds[3];
		ssize_t n = msg_recv(c->launcher, &r, sizeof r, fds);
		if (n == 0)
			return -EPIPE;
		if (n < 0)
			return n == -EAGAIN ? -ETIMEDOUT : (int)n;
		if (n != sizeof r) {
			for (int i = 0; i < 3; i++)
				if (fds[i] >= 0)
					close(fds[i]);
			continue;
		}
		if (r.seq != seq || r.err != 0 || fds[0] < 0) {
			if (fds[0] >= 0)
				close(fds[0]);
			if (r.seq != seq) {
				if (r.err == 0)
					kill_locked(c, r.pid);
				continue;
			}
			return r.err ? -r.err : -EPROTO;
		}
		*pid = r.pid;
		*pidfd = fds[0];
		return 0;
	}
}

int
http_launch_spawn(struct http_gw_config *c, const char *exe,
		  const char *cwd, char *const env[], const int fds[3],
		  pid_t *pid, int *pidfd)
{
	static _Thread_local char b[HTTP_LAUNCH_MAX_MSG];
	struct launch_req q = { LAUNCH_SPAWN, 0, 0, fds[0] >= 0 ? 3 : 2, 0 };
	int len, rc;

	if (c->launcher < 0)
		return -ENOSYS;
	len = req_build(b, sizeof b, exe, cwd, env, &q.nenv);
	if (len < 0)
		return len;
	pthread_mutex_lock(&launch_lock);
	q.seq = ++launch_seq;
	memcpy(b, &q, sizeof q);
	rc = msg_send(c->launcher, b, (size_t)len, fds[0] >= 0 ? fds : fds + 1,
		      (int)q.nfds);
	if (rc == 0)
		rc = reply_wait(c, q.seq, pid, pidfd);
	pthread_mutex_unlock(&launch_lock);
	return rc;
}

int
http_launch_exited(int pidfd, int ms)
{
	struct pollfd p = { pidfd, POLLIN, 0 };

	return poll(&p, 1, ms) == 1;
}
