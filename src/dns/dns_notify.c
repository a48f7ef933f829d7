/* dns_notify: NOTIFY out (RFC 1996). Each zone whose serial changed (at
 * load, reload or transfer in) is announced to every --notify target
 * over UDP, again every 15 s until the target answers, 5 times at most
 * (section 3.6); signed when the target has a key. Runs on worker 0. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/log.h"
#include "dns_xfr.h"
#include "dns_xfrd.h"
#include "net/net_sock.h"

struct job {
	struct dns_notifier *n;
	uint8_t apex[DNS_NAME_MAX + 1];
	int target, tries, fd;
	uint16_t id;
	struct loop_timer retry;
};

struct dns_notifier {
	struct dns_xfrd *x;
	struct loop *loop;
	int fds[DNS_XFRD_MAX];	/* one connected socket per target */
	struct job **jobs;
	int njobs;
};

static void
job_free(struct dns_notifier *n, int i)
{
	loop_timer_del(n->loop, &n->jobs[i]->retry);
	free(n->jobs[i]);
	n->jobs[i] = n->jobs[--n->njobs];
}

static void
job_send(struct job *j)
{
	struct dns_notifier *n = j->n;
	const struct dns_xfrd_notify *t = &n->x->notify[j->target];
	uint8_t msg[DNS_MAX_UDP + 512];
	struct dns_xfr_q q = { 0 };
	struct dns_tsig_ctx ctx;

	/* a random ID (RFC 5452 section 9.2); without entropy, the clock's
	 * low bits are still better than a fixed number */
	if (getrandom(&j->id, sizeof j->id, GRND_NONBLOCK) != sizeof j->id)
		j->id = (uint16_t)clock_mono_ms();
	q.id = j->id;
	memcpy(q.name, j->apex, dns_name_len(j->apex));
	q.type = DNS_T_SOA;
	q.class = DNS_C_IN;
	size_t len = dns_xfr_reply(&q, 0, 1, msg, sizeof msg);
	/* A request: QR clear, opcode NOTIFY, AA set (section 3.7). */
	msg[2] = (uint8_t)(DNS_OPCODE_NOTIFY << 3 | 0x04);
	msg[3] = 0;
	if (t->key >= 0) {
		if (dns_tsig_ctx_init(&ctx, &n->x->keys[t->key]) == 0)
			dns_tsig_sign(&ctx, msg, &len, sizeof msg,
				      (uint64_t)time(NULL), 0, 0);
		dns_tsig_ctx_fini(&ctx);
	}
	if (send(j->fd, msg, len, 0) < 0)
		log_error("dns: notify: %s", strerror(errno));
	else
		dns_xfrd_note(n->x, DNS_XFRD_NOTIFY_OUT);
	j->tries++;
	loop_timer_set(n->loop, &j->retry, DNS_XFRD_NOTIFY_RETRY_MS);
}

static void
on_retry(struct loop *l, void *arg)
{
	struct job *j = arg;
	struct dns_notifier *n = j->n;

	if (j->tries < DNS_XFRD_NOTIFY_TRIES) {
		job_send(j);
		return;
	}
	for (int i = 0; i < n->njobs; i++)
		if (n->jobs[i] == j) {
			job_free(n, i);
			return;
		}
}

/* A reply: the job of that target and ID is done. */
static void
on_reply(struct loop *l, int fd, int events, void *arg)
{
	struct dns_notifier *n = arg;
	uint8_t msg[DNS_MAX_MSG];
	ssize_t got;

	while ((got = recv(fd, msg, sizeof msg, 0)) >= 0) {
		if (got < DNS_HDR_SIZE || !(msg[2] & 0x80) ||
		    ((msg[2] >> 3) & 0xf) != DNS_OPCODE_NOTIFY)
			continue;
		uint16_t id = (uint16_t)(msg[0] << 8 | msg[1]);
		for (int i = 0; i < n->njobs; i++)
			if (n->jobs[i]->fd == fd && n->jobs[i]->id == id) {
				job_free(n, i);
				break;
			}
	}
}

static void
notify_zone(struct dns_notifier *n, const uint8_t *apex)
{
	for (int t = 0; t < n->x->nnotify; t++) {
		struct job *j = NULL;
		for (int i = 0; i < n->njobs && !j; i++)
			if (n->jobs[i]->target == t &&
			    dns_name_equal(n->jobs[i]->apex, apex))
				j = n->jobs[i];
		if (j == NULL) {
			void *p = realloc(n->jobs, sizeof *n->jobs *
					  (size_t)(n->njobs + 1));
			j = calloc(1, sizeof *j);
			if (p == NULL || j == NULL) {
				free(j);
				if (p)
					n->jobs = p;
				continue;
			}
			n->jobs = p;
			n->jobs[n->njobs++] = j;
			j->n = n;
			j->target = t;
			j->fd = n->fds[t];
			memcpy(j->apex, apex, dns_name_len(apex));
			loop_timer_init(&j->retry, on_retry, j);
		}
		j->tries = 0;
		job_send(j);
	}
}

void
dns_notifier_wake(struct dns_xfrd *x)
{
	struct dns_notifier *n = x->notifier;

	pthread_mutex_lock(&x->lock);
	uint8_t (*changed)[DNS_NAME_MAX + 1] = x->changed;
	int nchanged = x->nchanged;
	x->changed = NULL;
	x->nchanged = 0;
	pthread_mutex_unlock(&x->lock);
	for (int i = 0; n && i < nchanged; i++)
		notify_zone(n, changed[i]);
	free(changed);
}

int
dns_notifier_start(struct dns_xfrd *x, struct loop *l)
{
	struct dns_notifier *n;

	if (x->nnotify == 0)
		return 0;
	n = calloc(1, sizeof *n);
	if (n == NULL)
		return -ENOMEM;
	n->x = x;
	n->loop = l;
	x->notifier = n;
	for (int t = 0; t < x->nnotify; t++) {
		const struct net_addr *a = &x->notify[t].addr;
		n->fds[t] = socket(net_addr_family(a), SOCK_DGRAM |
				   SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (n->fds[t] < 0 ||
		    connect(n->fds[t], (const struct sockaddr *)&a->ss,
			    a->len) < 0 ||
		    loop_add_fd_read(l, n->fds[t], on_reply, n) < 0)
			return -errno;
	}
	return 0;
}

void
dns_notifier_free(struct dns_xfrd *x)
{
	struct dns_notifier *n = x->notifier;

	if (n == NULL)
		return;
	while (n->njobs)
		job_free(n, 0);
	free(n->jobs);
	for (int t = 0; t < x->nnotify; t++)
		if (n->fds[t] > 0) {
			loop_del_fd(n->loop, n->fds[t]);
			close(n->fds[t]);
		}
	free(n);
	x->notifier = NULL;
}
