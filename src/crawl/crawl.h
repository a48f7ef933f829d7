/* crawl: the crawler and link checker. One event loop runs up to
 * `concurrency` fetches at once through the fetch engine (src/fetch: each
 * host resolved once, connections kept alive and reused per host); the
 * crawler keeps the frontier, politeness and the results. Each host's
 * robots.txt (RFC 9309) is fetched before its pages; requests to one host
 * start at least delay_ms apart (or the host's Crawl-delay). HTML answers
 * (text/html, application/xhtml+xml) are parsed for links
 * (src/html/html_links, on helper threads: src/crawl/crawl_parse), which
 * go into the frontier (src/crawl/crawl_frontier); a redirect's Location
 * counts as a link of its page. With a mirror directory every successful
 * answer is saved as crawl_out_mirror_path names it. The frontier holds
 * the results. */
#ifndef INETKIT_CRAWL_H
#define INETKIT_CRAWL_H

#include <stdint.h>

#include "crawl/crawl_frontier.h"
#include "net/net_tls.h"
#include "resolv/resolv.h"

/* The product token matched against robots.txt groups, and the start of
 * the User-Agent field. */
#define CRAWL_AGENT "inetkit"
/* Body bytes read per answer; more is ERR_TOOBIG for that page. */
#define CRAWL_MAX_BODY (256u * 1024 * 1024)
#define CRAWL_MAX_CONCURRENCY 1024

struct crawl_progress {
	size_t done;		/* answers (or failures) recorded */
	size_t queued;		/* nodes queued so far (done included) */
	size_t broken;
	unsigned active;	/* requests in flight */
	int64_t elapsed_ms;
};

typedef void (*crawl_progress_fn)(void *arg, const struct crawl_progress *p);

struct crawl_config {
	const char *start_url;	/* absolute http or https URL */
	struct crawl_limits lim;
	int concurrency;	/* requests in flight at most; default 16 */
	/* Least time between two request starts to one host; -1 (the
	 * default): 0 for a host on a loopback address, 100 ms otherwise.
	 * A robots.txt Crawl-delay raises it. */
	int delay_ms;
	int timeout_ms;		/* connect, silence and head; default 10000 */
	int robots;		/* honour robots.txt; default 1 */
	/* Threads that parse HTML beside the loop; 0: parse in the loop;
	 * -1 (the default): one per CPU when there are several, else 0.
	 * Pages under 4 KiB are parsed in the loop all the same. */
	int parse_threads;
	const char *mirror_dir;	/* save answers under it, or NULL */
	struct resolv_config dns;
	struct net_tls_client_config tls;	/* https: --cacert, -k */
	crawl_progress_fn progress;	/* after each answer, or NULL */
	void *progress_arg;
};

/* Defaults as above; dns as resolv_config_init leaves it. */
void crawl_config_default(struct crawl_config *c);

/* Crawls from c->start_url until the frontier is exhausted, filling f
 * (which the caller set up with crawl_frontier_init and c->lim, and
 * finishes with crawl_frontier_fini). Returns 0 when the crawl ran (see
 * the nodes for what it found), ERR_PARSE or ERR_UNSUPPORTED for a start
 * URL that is not an absolute http or https URL, -errno when the mirror directory
 * cannot be opened, or -ENOMEM. */
int crawl_run(const struct crawl_config *c, struct crawl_frontier *f);

/* Counts of what f holds after a crawl. */
struct crawl_totals {
	size_t fetched, broken, skipped, html;
	uint64_t bytes;
};
void crawl_totals(const struct crawl_frontier *f, struct crawl_totals *t);

#endif
