/* http_gw_cgi: CGI scripts as processes (RFC 3875 sections 7 and 9): one
 * per request, spawned with posix_spawn (the parent waits only for the
 * exec), in a process group of its own so that a kill reaches what it
 * started, in the script's directory, with no descriptor of ours but its
 * three pipes, and reaped through a pidfd in the worker's loop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "http_gw_int.h"

struct cgi_proc {
	pid_t pid;
	int pidfd;
	/* our ends of the script's stdin, stdout and stderr */
	int in, out, err;
	unsigned exited : 1;	/* reaped */
};

static void
fd_drop(struct loop *l, int *fd)
{
	if (*fd < 0)
		return;
	loop_forget_fd(l, *fd);
	close(*fd);
	*fd = -1;
}

static void
cgi_reap(struct http_gw *g, struct cgi_proc *p)
{
	int status;

	if (p->exited || waitpid(p->pid, &status, WNOHANG) <= 0)
		return;
	p->exited = 1;
	atomic_fetch_sub(&g->cfg->running, 1);
	fd_drop(g->gw->loop, &p->pidfd);
	if (WIFSIGNALED(status))
		log_info("cgi: %s: killed by signal %d", g->name,
			 WTERMSIG(status));
}

static void
cgi_on_fd(struct loop *l, int fd, int events, void *arg)
{
	struct http_gw *g = arg;
	struct cgi_proc *p = g->be;

	if (fd == p->err) {
		char b[4096];
		ssize_t n;
		while ((n = read(p->err, b, sizeof b)) > 0)
			http_gw_stderr(g, b, (size_t)n);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			fd_drop(l, &p->err);
		return;
	}
	if (fd == p->pidfd)
		cgi_reap(g, p);
	http_gw_run(g);
}

/* Pipes whose far end the child gets (blocking, inherited through dup2)
 * and whose near end stays here (non-blocking, close-on-exec). */
static int
cgi_pipe(int fds[2], int near_is_write)
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	int near = fds[near_is_write ? 1 : 0];
	fcntl(near, F_SETFL, fcntl(near, F_GETFL) | O_NONBLOCK);
	return 0;
}

static int
cgi_spawn(struct http_gw *g, struct cgi_proc *p, int in[2], int out[2],
	  int err[2])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	char *argv[] = { g->exe, NULL };

	posix_spawn_file_actions_init(&fa);
	if (g->spool_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, g->spool_fd, 0);
	else if (in[0] >= 0)
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
						 O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawn_file_actions_addchdir_np(&fa, g->cwd);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dfl);
	int sigs[] = { SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGQUIT };
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaddset(&dfl, sigs[i]);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
				 POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	if (g->spool_fd >= 0)
		lseek(g->spool_fd, 0, SEEK_SET);
	int rc = posix_spawn(&p->pid, g->exe, &fa, &at, argv, g->env.vars);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return -rc;
}

static void
close_pair(int fds[2])
{
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Registers our ends and the pidfd with the loop. */
static int
cgi_watch(struct http_gw *g, struct cgi_proc *p)
{
	struct loop *l = g->gw->loop;
	long fd = syscall(SYS_pidfd_open, p->pid, 0);

	if (fd < 0)
		return -errno;
	p->pidfd = (int)fd;
	if (loop_add_fd_read(l, p->pidfd, cgi_on_fd, g) < 0 ||
	    loop_add_fd_read(l, p->err, cgi_on_fd, g) < 0 ||
	    loop_add_fd(l, p->out, cgi_on_fd, g) < 0 ||
	    (p->in >= 0 && loop_add_fd(l, p->in, cgi_on_fd, g) < 0))
		return -ENOMEM;
	return 0;
}

static void cgi_stop(struct http_gw *g, int kill_all);

static int
cgi_start(struct http_gw *g)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	struct cgi_proc *p;
	int rc;

	if (atomic_fetch_add(&g->cfg->running, 1) >= g->cfg->max_cgi) {
		atomic_fetch_sub(&g->cfg->running, 1);
		log_warn("cgi: %s: %d scripts run already (--cgi-max)",
			 g->name, g->cfg->max_cgi);
		return -EAGAIN;
	}
	p = calloc(1, sizeof *p);
	rc = p ? 0 : -ENOMEM;
	if (rc == 0 && g->body && g->spool_fd < 0)
		rc = cgi_pipe(in, 1);
	if (rc == 0)
		rc = cgi_pipe(out, 0);
	if (rc == 0)
		rc = cgi_pipe(err, 0);
	if (rc == 0)
		rc = cgi_spawn(g, p, in, out, err);
	if (rc < 0) {
		atomic_fetch_sub(&g->cfg->running, 1);
		close_pair(in);
		close_pair(out);
		close_pair(err);
		free(p);
		return rc;
	}
	p->in = in[1];
	p->out = out[0];
	p->err = err[0];
	p->pidfd = -1;
	if (in[0] >= 0)
		close(in[0]);
	close(out[1]);
	close(err[1]);
	g->be = p;
	if (g->spool_fd >= 0 || !g->body)
		g->body_out = 1;
	rc = cgi_watch(g, p);
	if (rc < 0)
		cgi_stop(g, 1);
	return rc;
}

static ssize_t
cgi_write_body(struct http_gw *g, const char *b, size_t n)
{
	struct cgi_proc *p = g->be;
	ssize_t k = write(p->in, b, n);

	if (k >= 0)
		return k;
	if (errno == EAGAIN || errno == EINTR)
		return -EAGAIN;
	/* EPIPE: the script closed its input */
	fd_drop(g->gw->loop, &p->in);
	return -errno;
}

static ssize_t
cgi_write_spool(struct http_gw *g)
{
	return 0;	/* the spool is the script's stdin itself */
}

static void
cgi_end_body(struct http_gw *g)
{
	struct cgi_proc *p = g->be;

	fd_drop(g->gw->loop, &p->in);
}

static ssize_t
cgi_read_out(struct http_gw *g, char *b, size_t n)
{
	struct cgi_proc *p = g->be;
	ssize_t k = read(p->out, b, n);

	if (k >= 0)
		return k;
	if (errno != EAGAIN && errno != EINTR)
		return -errno;
	/* the script exited: what it wrote is all in the pipe, so an empty
	 * pipe is the end even if a child of its holds the other end */
	cgi_reap(g, p);
	return p->exited ? 0 : -EAGAIN;
}

static void
cgi_stop(struct http_gw *g, int kill_all)
{
	struct cgi_proc *p = g->be;
	struct loop *l = g->gw->loop;

	if (p == NULL)
		return;
	g->be = NULL;
	/* The group is killed only while its leader is not reaped: until
	 * then its pid, the group's id, cannot be taken by a new process
	 * (another worker's script would be killed in its place). A script
	 * whose reply is complete may still be on its way out, or tidying
	 * up: it has until the timeout (http_gw_orphan). */
	if (kill_all && !p->exited)
		kill(-p->pid, SIGKILL);
	if (!p->exited)
		cgi_reap(g, p);
	fd_drop(l, &p->in);
	fd_drop(l, &p->out);
	if (p->err >= 0) {
		/* the last words of a script that is gone */
		char b[4096];
		ssize_t n;
		while ((n = read(p->err, b, sizeof b)) > 0)
			http_gw_stderr(g, b, (size_t)n);
	}
	fd_drop(l, &p->err);
	if (!p->exited && p->pidfd >= 0) {
		/* the descriptor stays open: it leaves epoll for real, to
		 * come back with the orphan's handler */
		loop_del_fd(l, p->pidfd);
		http_gw_orphan(g->gw, p->pid, p->pidfd, kill_all);
	} else if (!p->exited) {
		kill(-p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		atomic_fetch_sub(&g->cfg->running, 1);
	}
	free(p);
}

const struct http_gw_ops http_gw_cgi_ops = {
	cgi_start, cgi_write_body, cgi_write_spool, cgi_end_body,
	cgi_read_out, cgi_stop,
};
