/* crawl_parse: a small pool of parser threads for the crawler. Each job
 * is independent (html_links_extract is pure), so the threads share
 * nothing but the two queues. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/loop.h"
#include "crawl/crawl_parse.h"
#include "html/html_links.h"

/* The parsers' niceness (setpriority(2) applies per thread on Linux). */
#define PARSE_NICE 10

/* Bytes of link text a job may return: every link at the longest. */
#define LINKS_MAX ((size_t)HTML_LINKS_MAX * 2048)

struct crawl_parse_pool {
	struct loop *loop;
	crawl_parse_done_fn done;
	void *arg;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct crawl_parse_job *todo, *todo_tail;
	struct crawl_parse_job *finished;	/* newest first */
	int stop;
	int idle;		/* threads waiting for a job */
	int efd;
	int n;
	pthread_t threads[];
};

int
crawl_parse_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return 1;
	n = CPU_COUNT(&set);
	return n > 0 ? n : 1;
}

struct crawl_parse_job *
crawl_parse_job_new(uint32_t id, const char *url, size_t url_len,
		    struct buf *doc)
{
	struct crawl_parse_job *job = calloc(1, sizeof *job);

	if (!job)
		return NULL;
	job->id = id;
	job->url = url;
	job->url_len = url_len;
	job->doc = *doc;
	buf_init(doc, doc->max);
	buf_init(&job->links, LINKS_MAX);
	return job;
}

void
crawl_parse_job_free(struct crawl_parse_job *job)
{
	buf_fini(&job->doc);
	buf_fini(&job->links);
	free(job);
}

static int
collect(void *arg, const struct html_link *l)
{
	struct crawl_parse_job *job = arg;

	if (!l->url)
		return 0;	/* not a URI reference even after repair */
	return buf_append(&job->links, l->url, l->url_len + 1);
}

void
crawl_parse_run(struct crawl_parse_job *job)
{
	job->rc = html_links_extract((const char *)buf_data(&job->doc),
				     buf_size(&job->doc), job->url,
				     job->url_len, collect, job);
	buf_fini(&job->doc);
}

static void *
worker(void *arg)
{
	struct crawl_parse_pool *p = arg;
	const uint64_t one = 1;

	/* Parsing can wait; the loop's next request (and a server on the
	 * same machine) cannot: the parsers yield the CPU to them. */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), PARSE_NICE) < 0)
		errno = 0;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct crawl_parse_job *job;

		while (!p->todo && !p->stop) {
			p->idle++;
			pthread_cond_wait(&p->wake, &p->lock);
			p->idle--;
		}
		if (p->stop)
			break;
		job = p->todo;
		p->todo = job->next;
		if (!p->todo)
			p->todo_tail = NULL;
		pthread_mutex_unlock(&p->lock);
		crawl_parse_run(job);
		pthread_mutex_lock(&p->lock);
		job->next = p->finished;
		p->finished = job;
		/* One wake-up per batch: the loop takes the whole list. */
		if (!job->next && write(p->efd, &one, sizeof one) < 0 &&
		    errno != EAGAIN)
			break;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* The eventfd is readable: hand every finished job back, oldest first. */
static void
on_finished(struct loop *l, int fd, int events, void *arg)
{
	struct crawl_parse_pool *p = arg;
	struct crawl_parse_job *list, *rev = NULL;
	uint64_t count;

	while (read(fd, &count, sizeof count) > 0)
		;
	pthread_mutex_lock(&p->lock);
	list = p->finished;
	p->finished = NULL;
	pthread_mutex_unlock(&p->lock);
	while (list) {
		struct crawl_parse_job *next = list->next;

		list->next = rev;
		rev = list;
		list = next;
	}
	while (rev) {
		struct crawl_parse_job *next = rev->next;

		p->done(p->arg, rev);
		rev = next;
	}
}

void
crawl_parse_submit(struct crawl_parse_pool *p, struct crawl_parse_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->todo_tail)
		p->todo_tail->next = job;
	else
		p->todo = job;
	p->todo_tail = job;
	if (p->idle > 0)
		pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

static void
free_list(struct crawl_parse_job *j)
{
	while (j) {
		struct crawl_parse_job *next = j->next;

		crawl_parse_job_free(j);
		j = next;
	}
}

struct crawl_parse_pool *
crawl_parse_pool_new(struct loop *l, int n, crawl_parse_done_fn done,
		     void *arg)
{
	struct crawl_parse_pool *p = calloc(1, sizeof *p +
					    (size_t)n * sizeof(pthread_t));

	if (!p)
		return NULL;
	p->loop = l;
	p->done = done;
	p->arg = arg;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->efd < 0 || loop_add_fd_read(l, p->efd, on_finished, p) < 0) {
		crawl_parse_pool_free(p);
		return NULL;
	}
	for (; p->n < n; p->n++)
		if (pthread_create(&p->threads[p->n], NULL, worker, p) != 0)
			break;
	if (p->n == 0) {
		crawl_parse_pool_free(p);
		return NULL;
	}
	return p;
}

void
crawl_parse_pool_free(struct crawl_parse_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->n; i++)
		pthread_join(p->threads[i], NULL);
	if (p->efd >= 0) {
		loop_del_fd(p->loop, p->efd);
		close(p->efd);
	}
	free_list(p->todo);
	free_list(p->finished);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	free(p);
}
