/* notify: sd_notify(3) without libsystemd. The socket is connected once,
 * before the sandbox: seccomp then refuses socket(AF_UNIX) and, from
 * Landlock ABI 6 on, connecting to an abstract name outside the domain,
 * but a datagram socket already connected to its peer may still send. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "notify.h"

/* A blocked manager must not hold a stop or a reload for long. */
#define NOTIFY_SEND_TIMEOUT_S 2

static int notify_fd = -1;

int
notify_addr_parse(const char *s, struct sockaddr_un *out, socklen_t *len)
{
	size_t n = strlen(s);

	if (n < 2 && (n == 0 || s[0] == '@'))
		return ERR_PARSE;
	if (s[0] != '/' && s[0] != '@')
		return ERR_UNSUPPORTED;
	if (n > sizeof out->sun_path - (s[0] == '/'))
		return ERR_PARSE;
	memset(out, 0, sizeof *out);
	out->sun_family = AF_UNIX;
	memcpy(out->sun_path, s, n);
	if (s[0] == '@')
		out->sun_path[0] = '\0';	/* the abstract namespace */
	/* a path counts its NUL, an abstract name only its bytes */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
			   (s[0] == '/'));
	return 0;
}

static int
notify_connect(const struct sockaddr_un *a, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { NOTIFY_SEND_TIMEOUT_S, 0 };

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0 ||
	    connect(fd, (const struct sockaddr *)a, len) < 0) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int
notify_open(void)
{
	const char *env = getenv("NOTIFY_SOCKET");
	struct sockaddr_un a;
	socklen_t len;

	if (env == NULL || notify_fd >= 0)
		return notify_fd >= 0;
	int rc = notify_addr_parse(env, &a, &len);
	unsetenv("NOTIFY_SOCKET");	/* env is gone from here on */
	if (rc == 0)
		rc = notify_connect(&a, len);
	if (rc < 0) {
		log_error("NOTIFY_SOCKET: %s", err_str(rc));
		return rc;
	}
	notify_fd = rc;
	return 1;
}

int
notify_send(const char *msg)
{
	if (notify_fd < 0)
		return 0;
	if (send(notify_fd, msg, strlen(msg), MSG_NOSIGNAL) < 0) {
		int rc = -errno;
		log_warn("NOTIFY_SOCKET: %s", err_str(rc));
		return rc;
	}
	return 0;
}

void
notify_ready(const char *status)
{
	char msg[512];

	snprintf(msg, sizeof msg, "READY=1\nSTATUS=%s\nMAINPID=%ld", status,
		 (long)getpid());
	notify_send(msg);
}

/* systemd (from v253) takes RELOADING=1 only with the time the reload
 * began on CLOCK_MONOTONIC, so that it can order it against its own
 * request (sd_notify(3)). */
void
notify_reloading(void)
{
	struct timespec ts;
	char msg[128];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof msg, "RELOADING=1\nSTATUS=reloading\n"
		 "MONOTONIC_USEC=%llu", (unsigned long long)ts.tv_sec *
		 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	notify_send(msg);
}

void
notify_stopping(void)
{
	notify_send("STOPPING=1\nSTATUS=stopping");
}

void
notify_close(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
}
