/* workers: N threads with a loop each, stopped by SIGTERM/SIGINT.
 *
 * Signals are blocked in every thread and taken synchronously by the main
 * thread with sigwait, so no handler runs at an arbitrary point of a
 * worker: the main thread turns a signal into loop_stop_async() calls. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "workers.h"

struct worker {
	const struct workers_config *cfg;
	int index;
	struct loop *loop;
	pthread_t thread;
	int started;		/* thread created */
	int rc;			/* start's result */
	/* The main thread waits on this until start has run. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int ready;
};

static void *
worker_main(void *p)
{
	struct worker *w = p;

	w->rc = w->cfg->start(w->loop, w->index, w->cfg->arg);
	pthread_mutex_lock(&w->mu);
	w->ready = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (w->rc == 0)
		loop_run(w->loop);
	if (w->cfg->end)
		w->cfg->end(w->loop, w->index, w->cfg->arg);
	return NULL;
}

static void
stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
}

void
workers_block_signals(void)
{
	sigset_t set;

	stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int
worker_start(struct worker *w)
{
	w->loop = loop_new();
	if (w->loop == NULL)
		return -ENOMEM;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc != 0)
		return -rc;
	w->started = 1;
	pthread_mutex_lock(&w->mu);
	while (!w->ready)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	return w->rc;
}

static void
workers_stop_all(struct worker *ws, int n, int deadline_ms)
{
	for (int i = 0; i < n; i++)
		if (ws[i].started)
			loop_stop_async(ws[i].loop, deadline_ms);
	for (int i = 0; i < n; i++) {
		if (ws[i].started)
			pthread_join(ws[i].thread, NULL);
		if (ws[i].loop) {
			pthread_mutex_destroy(&ws[i].mu);
			pthread_cond_destroy(&ws[i].cv);
		}
		loop_free(ws[i].loop);
	}
}

/* Waits for SIGTERM or SIGINT, running the hup hook on each SIGHUP or
 * SIGUSR1 (what nginx reopens its logs on, and logrotate may send). */
static void
workers_wait(const struct workers_config *c, sigset_t *set)
{
	for (;;) {
		int sig;
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig != SIGHUP && sig != SIGUSR1) {
			notify_stopping();
			return;
		}
		if (c->hup) {
			notify_reloading();
			c->hup(c->arg);
			notify_ready("serving (reloaded)");
		}
	}
}

int
workers_run(const struct workers_config *c)
{
	sigset_t set;
	int rc = 0;

	workers_block_signals();
	stop_signals(&set);
	struct worker *ws = calloc((size_t)c->n, sizeof *ws);
	if (ws == NULL)
		return -ENOMEM;
	for (int i = 0; i < c->n && rc == 0; i++) {
		ws[i].cfg = c;
		ws[i].index = i;
		rc = worker_start(&ws[i]);
	}
	/* every listener is open and every loop watches it */
	if (rc == 0) {
		char status[64];
		snprintf(status, sizeof status, "serving, %d worker%s", c->n,
			 c->n == 1 ? "" : "s");
		notify_ready(status);
		workers_wait(c, &set);
	} else {
		log_error("worker start: %s", err_str(rc));
	}
	workers_stop_all(ws, c->n, c->stop_deadline_ms);
	free(ws);
	return rc;
}

int
workers_default_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}
