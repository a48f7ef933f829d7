/* loop: one edge-triggered epoll event loop per thread, with timers.
 *
 * Descriptors are registered once for both directions (edge-triggered):
 * a handler must read or write until EAGAIN before it can expect another
 * event. Timers are intrusive (the caller owns struct loop_timer) and kept
 * in a binary heap, so tens of thousands armed cost O(log n) per change.
 *
 * A loop stops when loop_stop() is called from its thread, or when
 * loop_stop_async() is called from any thread: the stop hooks run in the
 * loop's thread (engines close their listeners and idle connections there),
 * then the loop runs on until no descriptor is left registered or the
 * deadline passes. */
#ifndef INETKIT_LOOP_H
#define INETKIT_LOOP_H

#include <stdint.h>

struct loop;

enum {
	LOOP_READ = 1,		/* readable, or a peer's EOF/error pending */
	LOOP_WRITE = 2,		/* writable */
	LOOP_HUP = 4,		/* hang-up or error on the descriptor */
	LOOP_RDHUP = 8,		/* the peer half-closed: its FIN is queued
				 * behind any unread data, and no further
				 * edge will announce it */
};

/* Called with the LOOP_ bits that are ready. */
typedef void (*loop_fd_fn)(struct loop *l, int fd, int events, void *arg);
typedef void (*loop_timer_fn)(struct loop *l, void *arg);
typedef void (*loop_hook_fn)(struct loop *l, void *arg);

struct loop_timer {
	int64_t when;		/* monotonic ms; owned by the loop */
	uint32_t slot;		/* heap index + 1; 0 when not armed */
	loop_timer_fn fn;
	void *arg;
};

/* A new loop. Returns NULL when the kernel refuses (no memory, no fds). */
struct loop *loop_new(void);
/* Frees the loop; descriptors still registered are not closed. */
void loop_free(struct loop *l);

/* Watches fd for reads and writes (edge-triggered). Returns 0 or -errno. */
int loop_add_fd(struct loop *l, int fd, loop_fd_fn fn, void *arg);
/* Same, but only for reading (listeners, datagram sockets). */
int loop_add_fd_read(struct loop *l, int fd, loop_fd_fn fn, void *arg);
/* Stops watching fd; pending events for it are dropped. Call before close. */
void loop_del_fd(struct loop *l, int fd);
/* Like loop_del_fd, for a descriptor the caller closes at once and never
 * duplicated: the close takes it out of epoll, so this makes no system
 * call. */
void loop_forget_fd(struct loop *l, int fd);
/* Stops watching and closes each of fds[0..n) that is not -1, then sets
 * it to -1 (a set of listeners or datagram sockets at stop). */
void loop_close_fds(struct loop *l, int *fds, int n);
/* Number of descriptors registered. */
unsigned loop_fd_count(const struct loop *l);

/* Sets up t to call fn(arg); not armed yet. */
void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *arg);
/* Arms (or re-arms) t to fire once, ms milliseconds from now. */
void loop_timer_set(struct loop *l, struct loop_timer *t, int64_t ms);
/* Disarms t; harmless when it is not armed. */
void loop_timer_del(struct loop *l, struct loop_timer *t);
static inline int loop_timer_is_armed(const struct loop_timer *t)
{
	return t->slot != 0;
}

/* Registers fn(arg) to run once, in the loop's thread, when a stop is
 * requested. At most LOOP_MAX_HOOKS hooks. Returns 0 or ERR_TOOBIG. */
#define LOOP_MAX_HOOKS 8
int loop_on_stop(struct loop *l, loop_hook_fn fn, void *arg);

/* Runs until stopped. Returns 0. */
int loop_run(struct loop *l);
/* From the loop's own thread: run the stop hooks and drain. */
void loop_stop(struct loop *l, int deadline_ms);
/* From any thread (and async-signal-safe): ask the loop to stop. */
void loop_stop_async(struct loop *l, int deadline_ms);
/* True once a stop was requested: engines stop accepting new work. */
int loop_is_stopping(const struct loop *l);

#endif
