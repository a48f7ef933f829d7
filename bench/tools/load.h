/* load.h: what the load generators (echo_load.c, http_load.c) share,
 * included by each: they are one C file apiece, built by the Makefile's
 * rule for bench/tools/%.c. */
#ifndef BENCH_LOAD_H
#define BENCH_LOAD_H

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

/* Thousands of connections need thousands of descriptors. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The numeric address host:port, or exit 2 with a message from prog. */
static struct addrinfo *
resolve_numeric(const char *prog, const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	int rc = getaddrinfo(host, port, &hints, &ai);

	if (rc != 0) {
		fprintf(stderr, "%s: %s:%s: %s\n", prog, host, port,
			gai_strerror(rc));
		exit(2);
	}
	return ai;
}

#endif
