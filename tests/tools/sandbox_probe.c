/* sandbox_probe: a test-only program that applies the servers' sandbox
 * (core/sandbox.h) with one readable folder, then does one forbidden (or
 * allowed) thing and prints what happened, as a compromised server would
 * try it. tests/e2e/test_sandbox.py runs it.
 *
 *   sandbox_probe [--off] ROOT open PATH      "ok" or "denied: ERRNO"
 *   sandbox_probe [--off] ROOT exec PATH      killed by SIGSYS if denied
 *   sandbox_probe [--off] ROOT fork           "ok" or "denied: ERRNO"
 *   sandbox_probe [--off] ROOT mount          (a call not on the list)
 *   sandbox_probe [--off] ROOT packet         socket(AF_PACKET)
 *   sandbox_probe [--off] ROOT unix PATH      connect to a UNIX socket
 *   sandbox_probe [--off] ROOT connect PORT   TCP to 127.0.0.1:PORT
 *   sandbox_probe [--off] ROOT write PATH     create a file
 *   sandbox_probe ROOT build                  "sanitizer" or "release"
 *                                             (sanitizer builds may fork)
 * --off skips the sandbox (the control: the same action succeeds). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sandbox.h"

static int
report(int rc)
{
	if (rc < 0)
		printf("denied: %s\n", strerror(errno));
	else
		printf("ok\n");
	return 0;
}

static int
probe(const char *what, const char *arg)
{
	if (strcmp(what, "open") == 0) {
		int fd = open(arg, O_RDONLY | O_CLOEXEC);
		char c;
		return report(fd < 0 ? -1 : (int)read(fd, &c, 1));
	}
	if (strcmp(what, "write") == 0)
		return report(open(arg, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	if (strcmp(what, "exec") == 0) {
		char *argv[] = { (char *)arg, (char *)"-c", (char *)"true", NULL };
		fflush(stdout);
		execv(arg, argv);
		return report(-1);
	}
	if (strcmp(what, "fork") == 0) {
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		if (p > 0)
			waitpid(p, NULL, 0);
		return report(p < 0 ? -1 : 0);
	}
	if (strcmp(what, "build") == 0) {
#if defined(__SANITIZE_ADDRESS__)
		printf("sanitizer\n");
#else
		printf("release\n");
#endif
		return 0;
	}
	if (strcmp(what, "mount") == 0)
		return report(mount("none", "/mnt", "tmpfs", 0, NULL));
	if (strcmp(what, "packet") == 0)
		return report(socket(AF_PACKET, SOCK_RAW, 0));
	if (strcmp(what, "unix") == 0) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		snprintf(a.sun_path, sizeof a.sun_path, "%s", arg);
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		return report(fd < 0 ? -1 : connect(fd, (struct sockaddr *)&a,
						    sizeof a));
	}
	if (strcmp(what, "connect") == 0) {
		struct sockaddr_in a = { .sin_family = AF_INET,
			.sin_port = htons((uint16_t)atoi(arg)) };
		inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		return report(fd < 0 ? -1 : connect(fd, (struct sockaddr *)&a,
						    sizeof a));
	}
	fprintf(stderr, "sandbox_probe: unknown action %s\n", what);
	return 2;
}

int
main(int argc, char **argv)
{
	int off = argc > 1 && strcmp(argv[1], "--off") == 0;
	struct sandbox sb;
	int landlock;

	argv += off;
	argc -= off;
	if (argc < 3) {
		fprintf(stderr, "usage: sandbox_probe [--off] ROOT ACTION [ARG]\n");
		return 2;
	}
	sandbox_init(&sb);
	if (sandbox_allow(&sb, argv[1], SANDBOX_READ) < 0) {
		perror(argv[1]);
		return 2;
	}
	if (!off && sandbox_apply(&sb, &landlock) < 0) {
		fprintf(stderr, "sandbox_probe: cannot apply\n");
		return 2;
	}
	sandbox_fini(&sb);
	int rc = probe(argv[2], argc > 3 ? argv[3] : "");
	fflush(stdout);
	return rc;
}
