/* net_acceptor: accept loops with a retry on descriptor exhaustion. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net_acceptor.h"
#include "core/err.h"
#include "core/log.h"

#define ACCEPTOR_RETRY_MS 100

static void
accept_from(struct net_acceptor *a, int lfd)
{
	for (;;) {
		struct net_addr peer;
		peer.len = sizeof peer.ss;
		int fd = accept4(lfd, (struct sockaddr *)&peer.ss, &peer.len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			a->fn(a->arg, fd, &peer);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE) {
			/* said once per shortage, not once per retry */
			if (a->starved++ == 0)
				log_warn("%s: accept: %s: new clients wait "
					 "until descriptors are freed",
					 a->name, strerror(errno));
			loop_timer_set(a->loop, &a->retry, ACCEPTOR_RETRY_MS);
		} else if (errno == EAGAIN && a->starved) {
			/* the shortage ends when no client waits any more */
			log_warn("%s: every waiting client accepted, after %llu "
				 "retries", a->name, a->starved);
			a->starved = 0;
		}
		return;
	}
}

static void
on_listener(struct loop *l, int fd, int events, void *arg)
{
	accept_from(arg, fd);
}

static void
on_retry(struct loop *l, void *arg)
{
	struct net_acceptor *a = arg;

	for (int i = 0; i < a->nfds; i++)
		if (a->fds[i] >= 0)
			accept_from(a, a->fds[i]);
}

int
net_acceptor_start(struct net_acceptor *a, struct loop *l, const int *fds,
		   int n, const char *name, net_accept_fn fn, void *arg)
{
	int rc = 0;

	a->loop = l;
	a->name = name;
	a->fn = fn;
	a->arg = arg;
	a->starved = 0;
	a->nfds = n < NET_ACCEPTOR_MAX ? n : NET_ACCEPTOR_MAX;
	memcpy(a->fds, fds, sizeof(int) * (size_t)a->nfds);
	loop_timer_init(&a->retry, on_retry, a);
	for (int i = a->nfds; i < n; i++)
		close(fds[i]);
	if (n > NET_ACCEPTOR_MAX)
		return ERR_TOOBIG;
	for (int i = 0; i < a->nfds && rc == 0; i++)
		rc = loop_add_fd_read(l, a->fds[i], on_listener, a);
	return rc;
}

void
net_acceptor_close(struct net_acceptor *a)
{
	if (a->loop == NULL)
		return;
	loop_close_fds(a->loop, a->fds, a->nfds);
	loop_timer_del(a->loop, &a->retry);
}
