/* loop: an edge-triggered epoll loop with a binary-heap timer queue and a
 * cross-thread stop signal (an eventfd). One loop per thread. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "log.h"
#include "loop.h"

#define LOOP_BATCH 256

/* The handler of one descriptor. gen changes whenever the slot is freed,
 * so an event already fetched for a closed (and maybe reused) descriptor
 * is recognised as stale and dropped. */
struct loop_slot {
	loop_fd_fn fn;
	void *arg;
	uint32_t gen;
	uint8_t used;
};

struct loop {
	int epfd;
	int wakefd;		/* eventfd: loop_stop_async writes here */
	struct loop_slot *slots;
	size_t nslots;
	unsigned nfds;		/* registered descriptors, wakefd excluded */

	struct loop_timer **heap;
	size_t nheap, capheap;

	struct { loop_hook_fn fn; void *arg; } hooks[LOOP_MAX_HOOKS];
	int nhooks;

	int stopping;		/* stop requested: hooks ran, draining */
	int done;		/* leave loop_run now */
	int64_t deadline;	/* when draining must end (monotonic ms) */
	_Atomic int async_deadline_ms;	/* set by loop_stop_async, any thread */
};

struct loop *
loop_new(void)
{
	struct loop *l = calloc(1, sizeof *l);

	if (l == NULL)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->epfd < 0 || l->wakefd < 0)
		goto fail;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wakefd, &ev) < 0)
		goto fail;
	clock_update();
	return l;
fail:
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->wakefd >= 0)
		close(l->wakefd);
	free(l);
	return NULL;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	close(l->wakefd);
	free(l->slots);
	free(l->heap);
	free(l);
}

static int
loop_slot_grow(struct loop *l, int fd)
{
	size_t n = l->nslots ? l->nslots : 64;

	while (n <= (size_t)fd)
		n *= 2;
	struct loop_slot *s = realloc(l->slots, n * sizeof *s);
	if (s == NULL)
		return -ENOMEM;
	memset(s + l->nslots, 0, (n - l->nslots) * sizeof *s);
	l->slots = s;
	l->nslots = n;
	return 0;
}

static int
loop_add(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *arg)
{
	if (fd < 0)
		return -EBADF;
	if ((size_t)fd >= l->nslots && loop_slot_grow(l, fd) < 0)
		return -ENOMEM;
	struct loop_slot *s = &l->slots[fd];
	struct epoll_event ev = {
		.events = events | EPOLLET,
		.data.u64 = (uint64_t)s->gen << 32 | (uint32_t)fd,
	};
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	s->fn = fn;
	s->arg = arg;
	s->used = 1;
	l->nfds++;
	return 0;
}

int
loop_add_fd(struct loop *l, int fd, loop_fd_fn fn, void *arg)
{
	return loop_add(l, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP, fn, arg);
}

int
loop_add_fd_read(struct loop *l, int fd, loop_fd_fn fn, void *arg)
{
	return loop_add(l, fd, EPOLLIN, fn, arg);
}

void
loop_del_fd(struct loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nslots || !l->slots[fd].used)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->slots[fd].used = 0;
	l->slots[fd].gen++;
	l->nfds--;
}

void
loop_forget_fd(struct loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nslots || !l->slots[fd].used)
		return;
	l->slots[fd].used = 0;
	l->slots[fd].gen++;
	l->nfds--;
}

void
loop_close_fds(struct loop *l, int *fds, int n)
{
	for (int i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		loop_del_fd(l, fds[i]);
		close(fds[i]);
		fds[i] = -1;
	}
}

unsigned
loop_fd_count(const struct loop *l)
{
	return l->nfds;
}

/* Timer heap: a min-heap on `when`; each timer remembers its index. */

static void
heap_place(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->slot = (uint32_t)i + 1;
}

static void
heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (l->heap[parent]->when <= t->when)
			break;
		heap_place(l, i, l->heap[parent]);
		i = parent;
	}
	heap_place(l, i, t);
}

static void
heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->when < l->heap[c]->when)
			c++;
		if (t->when <= l->heap[c]->when)
			break;
		heap_place(l, i, l->heap[c]);
		i = c;
	}
	heap_place(l, i, t);
}

void
loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *arg)
{
	t->when = 0;
	t->slot = 0;
	t->fn = fn;
	t->arg = arg;
}

void
loop_timer_del(struct loop *l, struct loop_timer *t)
{
	if (t->slot == 0)
		return;
	size_t i = t->slot - 1;
	struct loop_timer *last = l->heap[--l->nheap];
	t->slot = 0;
	if (last == t)
		return;
	heap_place(l, i, last);
	heap_down(l, i);
	heap_up(l, last->slot - 1);
}

void
loop_timer_set(struct loop *l, struct loop_timer *t, int64_t ms)
{
	int64_t when = clock_mono_ms() + (ms > 0 ? ms : 0);

	if (t->slot) {
		/* Re-arming to a later time is the common case (idle timers
		 * pushed back on activity): sift in place. */
		t->when = when;
		heap_down(l, t->slot - 1);
		heap_up(l, t->slot - 1);
		return;
	}
	if (l->nheap == l->capheap) {
		size_t n = l->capheap ? l->capheap * 2 : 64;
		struct loop_timer **h = realloc(l->heap, n * sizeof *h);
		if (h == NULL) {
			/* Cannot arm: fire at once rather than never. */
			log_error("loop: no memory for a timer");
			t->fn(l, t->arg);
			return;
		}
		l->heap = h;
		l->capheap = n;
	}
	t->when = when;
	heap_place(l, l->nheap++, t);
	heap_up(l, l->nheap - 1);
}

static void
loop_run_timers(struct loop *l)
{
	int64_t now = clock_mono_ms();

	while (l->nheap > 0 && l->heap[0]->when <= now) {
		struct loop_timer *t = l->heap[0];
		loop_timer_del(l, t);
		t->fn(l, t->arg);
	}
}

static int
loop_next_timeout(const struct loop *l)
{
	int64_t now = clock_mono_ms(), next;

	if (l->nheap == 0 && !l->stopping)
		return -1;
	next = l->nheap > 0 ? l->heap[0]->when - now : INT64_MAX;
	if (l->stopping && l->deadline - now < next)
		next = l->deadline - now;
	if (next < 0)
		return 0;
	return next > 60000 ? 60000 : (int)next;
}

int
loop_on_stop(struct loop *l, loop_hook_fn fn, void *arg)
{
	if (l->nhooks == LOOP_MAX_HOOKS)
		return ERR_TOOBIG;
	l->hooks[l->nhooks].fn = fn;
	l->hooks[l->nhooks].arg = arg;
	l->nhooks++;
	return 0;
}

void
loop_stop(struct loop *l, int deadline_ms)
{
	if (l->stopping)
		return;
	l->stopping = 1;
	l->deadline = clock_mono_ms() + deadline_ms;
	for (int i = 0; i < l->nhooks; i++)
		l->hooks[i].fn(l, l->hooks[i].arg);
}

void
loop_stop_async(struct loop *l, int deadline_ms)
{
	uint64_t one = 1;

	l->async_deadline_ms = deadline_ms;
	if (write(l->wakefd, &one, sizeof one) < 0) {
		/* The counter is already non-zero: a wake-up is pending. */
	}
}

int
loop_is_stopping(const struct loop *l)
{
	return l->stopping;
}

static void
loop_dispatch(struct loop *l, const struct epoll_event *ev)
{
	if (ev->data.u64 == UINT64_MAX) {
		uint64_t n;
		while (read(l->wakefd, &n, sizeof n) > 0)
			;
		loop_stop(l, l->async_deadline_ms);
		return;
	}
	int fd = (int)(uint32_t)ev->data.u64;
	uint32_t gen = (uint32_t)(ev->data.u64 >> 32);
	struct loop_slot *s = &l->slots[fd];
	if (!s->used || s->gen != gen)
		return;
	int bits = 0;
	if (ev->events & (EPOLLIN | EPOLLRDHUP))
		bits |= LOOP_READ;
	if (ev->events & EPOLLRDHUP)
		bits |= LOOP_RDHUP;
	if (ev->events & EPOLLOUT)
		bits |= LOOP_WRITE;
	if (ev->events & (EPOLLHUP | EPOLLERR))
		bits |= LOOP_HUP | LOOP_READ;
	s->fn(l, fd, bits, s->arg);
}

int
loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_BATCH];

	while (!l->done) {
		int n = epoll_wait(l->epfd, evs, LOOP_BATCH,
				   loop_next_timeout(l));
		if (n < 0 && errno != EINTR) {
			log_error("loop: epoll_wait: %s", strerror(errno));
			return -errno;
		}
		clock_update();
		for (int i = 0; i < n; i++)
			loop_dispatch(l, &evs[i]);
		loop_run_timers(l);
		if (l->stopping && (l->nfds == 0 ||
				    clock_mono_ms() >= l->deadline))
			l->done = 1;
	}
	return 0;
}
