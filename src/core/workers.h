/* workers: share-nothing worker threads, one loop each, and the signal
 * handling that stops them (SIGTERM, SIGINT) or reloads (SIGHUP). */
#ifndef INETKIT_WORKERS_H
#define INETKIT_WORKERS_H

struct loop;

/* Sets up worker number index on its own loop (register listeners, ...).
 * Runs in the worker's thread. Returns 0 or a negative code to abort. */
typedef int (*workers_start_fn)(struct loop *l, int index, void *arg);
/* Tears down what start set up, after the loop ended; may be NULL. */
typedef void (*workers_end_fn)(struct loop *l, int index, void *arg);
/* Runs in the main thread on SIGHUP; may be NULL. */
typedef void (*workers_hup_fn)(void *arg);

struct workers_config {
	int n;			/* number of threads, >= 1 */
	int stop_deadline_ms;	/* how long in-flight work may take on stop */
	workers_start_fn start;
	workers_end_fn end;
	workers_hup_fn hup;
	void *arg;
};

/* Blocks SIGTERM/SIGINT/SIGHUP (and ignores SIGPIPE) in every thread,
 * starts c->n workers and waits for a signal. On SIGTERM/SIGINT it asks
 * every loop to stop within the deadline and joins them. Returns 0, or the
 * first start error (after stopping the workers that did start). */
int workers_run(const struct workers_config *c);

/* Blocks SIGTERM/SIGINT/SIGHUP in the calling thread (and the threads it
 * starts later) and ignores SIGPIPE. A server calls it before it announces
 * its listeners, so that a signal sent right after is not lost or fatal. */
void workers_block_signals(void);

/* Number of online CPUs (at least 1): the default worker count. */
int workers_default_count(void);

#endif
