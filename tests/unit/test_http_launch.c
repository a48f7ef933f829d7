/* Unit tests of the CGI launcher (src/http/http_launch.c): it refuses a
 * script or directory outside the --cgi directories, starts one inside
 * with the descriptors it was given and only the CGI variables (its own
 * PATH), kills a script's group on request
 * but nobody else, and exits when the server's end closes. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/http_gw.h"
#include "http/http_launch.h"
#include "unit.h"

static char dir[64];
static char *env[] = { "HTTP_GREETING=hello", "LD_PRELOAD=/nope.so",
	"BASH_ENV=/tmp/x", "PATH=/nowhere", "HTTP_PROXY=h:1", NULL };

static void
script(const char *name, const char *text)
{
	char p[128];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(p, 0755);
}

static void
setup(struct http_gw_config *c)
{
	snprintf(dir, sizeof dir, "/tmp/inetkit-launch-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	script("hi.sh", "#!/bin/sh\necho \"$HTTP_GREETING\" from \"$(pwd)\" "
	       "\"$LD_PRELOAD$BASH_ENV$HTTP_PROXY\"\"$PATH\"\n");
	script("sleep.sh", "#!/bin/sh\nexec sleep 30\n");
	http_gw_config_init(c);
	ck_assert_int_eq(http_gw_add_cgi(c, "/cgi-bin/", dir), 0);
	ck_assert_int_eq(http_launch_start(c), 0);
}

static void
teardown(struct http_gw_config *c)
{
	char cmd[128];
	http_gw_config_fini(c);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int
spawn(struct http_gw_config *c, const char *exe, const char *cwd,
      int out[2], pid_t *pid, int *pidfd)
{
	ck_assert_int_eq(pipe(out), 0);
	int fds[3] = { -1, out[1], out[1] };
	int rc = http_launch_spawn(c, exe, cwd, env, fds, pid, pidfd);
	close(out[1]);
	return rc;
}

START_TEST(test_refused)
{
	struct http_gw_config c;
	char p[256], cwd[128];
	int out[2], pidfd;
	pid_t pid;

	setup(&c);
	/* each path: "/..." as is, else after the directory */
	static const char *const bad[][2] = {
		{ "/bin/true", "" },
		{ "+/../../bin/true", "" },
		{ "+-x/hi.sh", "" },
		{ "+", "" },
		{ "+/hi.sh", "/" },
		{ "+/hi.sh", "+/.." },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *e = bad[i][0], *w = bad[i][1];
		snprintf(p, sizeof p, "%s%s", *e == '+' ? dir : "",
			 e + (*e == '+'));
		snprintf(cwd, sizeof cwd, "%s%s", *w != '/' ? dir : "",
			 w + (*w == '+'));
		ck_assert_int_eq(spawn(&c, p, cwd, out, &pid, &pidfd),
				 -EINVAL);
		close(out[0]);
	}
	teardown(&c);
}
END_TEST

START_TEST(test_runs)
{
	struct http_gw_config c;
	char p[128], b[256], want[256];
	int out[2], pidfd;
	pid_t pid;

	setup(&c);
	snprintf(p, sizeof p, "%s/hi.sh", dir);
	ck_assert_int_eq(spawn(&c, p, dir, out, &pid, &pidfd), 0);
	ck_assert_int_gt(pid, 0);
	ssize_t n = 0, k;
	while ((k = read(out[0], b + n, sizeof b - 1 - (size_t)n)) > 0)
		n += k;
	b[n] = '\0';
	/* only what a script should see, and the launcher's PATH */
	const char *path = getenv("PATH");
	snprintf(want, sizeof want, "hello from %s %s\n", dir,
		 path ? path : "/usr/local/bin:/usr/bin:/bin");
	ck_assert_str_eq(b, want);
	ck_assert_int_eq(http_launch_exited(pidfd, 5000), 1);
	close(out[0]);
	close(pidfd);
	teardown(&c);
}
END_TEST

START_TEST(test_kill)
{
	struct http_gw_config c;
	char p[128];
	int out[2], pidfd;
	pid_t pid;

	setup(&c);
	/* a process of ours, not the launcher's: never killed by it */
	pid_t mine = fork();
	if (mine == 0) {
		pause();
		_exit(0);
	}
	http_launch_kill(&c, mine);
	snprintf(p, sizeof p, "%s/sleep.sh", dir);
	ck_assert_int_eq(spawn(&c, p, dir, out, &pid, &pidfd), 0);
	/* the reply came after the kill request: it was handled */
	ck_assert_int_eq(waitpid(mine, NULL, WNOHANG), 0);
	kill(mine, SIGKILL);
	waitpid(mine, NULL, 0);
	ck_assert_int_eq(http_launch_exited(pidfd, 100), 0);
	http_launch_kill(&c, pid);
	ck_assert_int_eq(http_launch_exited(pidfd, 10000), 1);
	close(out[0]);
	close(pidfd);
	teardown(&c);
}
END_TEST

START_TEST(test_exits_with_the_server)
{
	struct http_gw_config c;
	int status;

	setup(&c);
	teardown(&c);
	/* the launcher is our only child: it ends when our end closes */
	pid_t pid = waitpid(-1, &status, 0);
	ck_assert_int_gt(pid, 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

static Suite *
launch_suite(void)
{
	Suite *s = suite_create("http_launch");
	TCase *t = tcase_create("core");

	tcase_set_timeout(t, 30);
	tcase_add_test(t, test_refused);
	tcase_add_test(t, test_runs);
	tcase_add_test(t, test_kill);
	tcase_add_test(t, test_exits_with_the_server);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return unit_run(launch_suite());
}
