/* crawl_parse: link extraction (src/html/html_links) on helper threads, so
 * that parsing HTML, the costliest step of a crawl, runs beside the event
 * loop on the other CPUs instead of stalling it. Jobs go to the threads
 * through a locked queue; finished jobs come back through another and an
 * eventfd that the loop watches, and are handed to the caller in the
 * loop's thread. */
#ifndef INETKIT_CRAWL_PARSE_H
#define INETKIT_CRAWL_PARSE_H

#include <stdint.h>

#include "core/buf.h"

struct loop;

struct crawl_parse_job {
	struct crawl_parse_job *next;
	uint32_t id;		/* the caller's: which page */
	const char *url;	/* the page's URL; must live until done */
	size_t url_len;
	struct buf doc;		/* the document, owned by the job */
	/* Out: the links resolved and normalised, each NUL-terminated, one
	 * after the other, and what html_links_extract returned. */
	struct buf links;
	int rc;
};

typedef void (*crawl_parse_done_fn)(void *arg, struct crawl_parse_job *job);

struct crawl_parse_pool;

/* Starts n threads (n >= 1) whose finished jobs are handed to done(arg,
 * job) in l's thread; done owns the job then (crawl_parse_job_free).
 * Returns NULL when out of memory or threads. */
struct crawl_parse_pool *crawl_parse_pool_new(struct loop *l, int n,
					      crawl_parse_done_fn done,
					      void *arg);
/* Stops and joins the threads; jobs not handed back are freed. */
void crawl_parse_pool_free(struct crawl_parse_pool *p);

/* A job for page id at url whose document is moved out of *doc (which is
 * left empty, with the same maximum). NULL when out of memory. */
struct crawl_parse_job *crawl_parse_job_new(uint32_t id, const char *url,
					    size_t url_len, struct buf *doc);
void crawl_parse_job_free(struct crawl_parse_job *job);
/* Queues a job; done is called for it later. */
void crawl_parse_submit(struct crawl_parse_pool *p,
			struct crawl_parse_job *job);
/* Extracts the links of job now, in the calling thread. */
void crawl_parse_run(struct crawl_parse_job *job);

/* CPUs this process may run on (sched_getaffinity), at least 1. */
int crawl_parse_cpus(void);

#endif
