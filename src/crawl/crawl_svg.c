/* crawl_svg: `dot -Tsvg` as a bounded child. Its input and output are
 * pipes driven by one poll loop (writing all of the input first could
 * deadlock once dot fills its output pipe), with a deadline for the
 * whole run; the child is killed when the deadline passes or the output
 * grows past the cap. SIGPIPE is ignored while it runs, so a dot that
 * dies early gives EPIPE rather than killing the crawl. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "crawl/crawl_svg.h"

extern char **environ;

struct child {
	pid_t pid;
	int in, out;		/* our ends: dot's stdin, its stdout */
	const char *dot;
	size_t n, sent;
	struct buf *svg;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts prog with pipes on its stdin and stdout, stderr to /dev/null. */
static int
child_start(struct child *c, const char *prog)
{
	char *argv[] = { (char *)prog, (char *)"-Tsvg", NULL };
	posix_spawn_file_actions_t fa;
	int in[2], out[2], rc;

	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(out, O_CLOEXEC) < 0) {
		rc = -errno;
		close(in[0]);
		close(in[1]);
		return rc;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&c->pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (rc != 0) {
		close(in[1]);
		close(out[0]);
		return rc == ENOENT ? ERR_NOTFOUND : -rc;
	}
	c->in = in[1];
	c->out = out[0];
	fcntl(c->in, F_SETFL, O_NONBLOCK);
	fcntl(c->out, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Feeds input while dot takes it; closes its stdin at the end. */
static int
child_write(struct child *c)
{
	ssize_t w = write(c->in, c->dot + c->sent, c->n - c->sent);

	if (w < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	if (w > 0)
		c->sent += (size_t)w;
	if (c->sent == c->n) {
		close(c->in);
		c->in = -1;
	}
	return 0;
}

/* Takes what dot printed; 1 at the end of its output. */
static int
child_read(struct child *c)
{
	int rc = buf_reserve(c->svg, 64 * 1024);
	ssize_t r;

	if (rc == 0 && buf_size(c->svg) >= CRAWL_SVG_MAX)
		rc = ERR_TOOBIG;
	if (rc < 0)
		return rc == -ENOMEM ? rc : ERR_TOOBIG;
	r = read(c->out, buf_tail(c->svg), buf_room(c->svg));
	if (r < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	buf_commit(c->svg, (size_t)r);
	return r == 0;
}

/* Runs the pipes until dot's output ends or the deadline passes. */
static int
child_pump(struct child *c, int64_t deadline)
{
	int rc = 0;

	while (rc == 0) {
		struct pollfd p[2] = { { c->out, POLLIN, 0 },
				       { c->in, POLLOUT, 0 } };
		int64_t left = deadline - now_ms();

		if (left <= 0)
			return ERR_TIMEOUT;
		if (poll(p, c->in >= 0 ? 2 : 1, (int)left) < 0) {
			if (errno != EINTR)
				return -errno;
			continue;
		}
		if (c->in >= 0 && (p[1].revents & (POLLOUT | POLLERR)))
			rc = child_write(c);
		if (rc == 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			rc = child_read(c);
	}
	return rc < 0 ? rc : 0;
}

/* Waits for dot to exit until the deadline, then kills it. Returns its
 * exit status, or -1 when it was killed or failed. */
static int
child_reap(struct child *c, int64_t deadline, int kill_now)
{
	int st;

	while (!kill_now && now_ms() < deadline) {
		pid_t r = waitpid(c->pid, &st, WNOHANG);

		if (r == c->pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (r < 0 && errno != EINTR)
			return -1;
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
	kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	return -1;
}

/* True when an element named name (any case) starts at p (left bytes). */
static int
tag_at(const char *p, size_t left, const char *name)
{
	size_t k = strlen(name);

	return left >= k && strncasecmp(p, name, k) == 0;
}

/* Keeps the SVG element only, and refuses what could run script. */
static int
svg_check(struct buf *svg)
{
	const char *p = (const char *)buf_data(svg);
	const char *start = memmem(p, buf_size(svg), "<svg", 4);
	size_t n;

	if (!start)
		return ERR_PARSE;
	buf_consume(svg, (size_t)(start - p));
	p = (const char *)buf_data(svg);
	n = buf_size(svg);
	for (size_t i = 0; i < n; i++)
		if (p[i] == '<' && (tag_at(p + i + 1, n - i - 1, "script") ||
				    tag_at(p + i + 1, n - i - 1,
					   "foreignobject")))
			return ERR_PARSE;
	return 0;
}

int
crawl_svg_render(const char *prog, const void *dot, size_t n,
		 struct buf *svg, int timeout_ms)
{
	struct child c = { .in = -1, .out = -1, .dot = dot, .n = n,
			   .svg = svg };
	int64_t deadline = now_ms() + timeout_ms;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int rc, st;

	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	rc = child_start(&c, prog);
	if (rc == 0) {
		rc = child_pump(&c, deadline);
		st = child_reap(&c, deadline, rc < 0);
		if (rc == 0 && st != 0)
			rc = ERR_PARSE;
		if (c.in >= 0)
			close(c.in);
		close(c.out);
	}
	sigaction(SIGPIPE, &old, NULL);
	return rc ? rc : svg_check(svg);
}
