/* crawl_robots: robots.txt after RFC 9309. Parses a file into the rules of
 * the group that applies to one product token (every group naming it,
 * merged, else every "*" group), and decides whether a path may be
 * fetched: the longest matching rule wins, "allow" on a tie; "*" matches
 * any run of octets and a final "$" anchors the end (section 2.2.3).
 * Pure: bytes in, no I/O. */
#ifndef INETKIT_CRAWL_ROBOTS_H
#define INETKIT_CRAWL_ROBOTS_H

#include <stddef.h>

/* Bytes of robots.txt parsed; the rest is ignored (section 2.5 asks for
 * at least 500 KiB). */
#define CRAWL_ROBOTS_MAX (512 * 1024)
/* Longest Crawl-delay honoured, in milliseconds. */
#define CRAWL_ROBOTS_DELAY_MAX 10000

struct crawl_robots_rule {
	unsigned off, len;	/* pattern in the arena, canonical form */
	unsigned allow : 1;
	unsigned anchored : 1;	/* the pattern ended with "$" */
};

struct crawl_robots {
	char *arena;		/* the patterns, one after another */
	size_t arena_len;
	struct crawl_robots_rule *rules;
	size_t nrules;
	int delay_ms;		/* Crawl-delay of the group, capped; -1: none */
	int disallow_all;	/* set by crawl_robots_deny_all */
};

/* An empty policy that allows everything (no robots.txt, or a 4xx). */
void crawl_robots_init(struct crawl_robots *r);
/* A policy that refuses everything but /robots.txt (RFC 9309 2.3.1.3,
 * 2.3.1.4: the file was unreachable or the server failed). */
void crawl_robots_deny_all(struct crawl_robots *r);
/* Frees what parse allocated; r is back to the init state. */
void crawl_robots_fini(struct crawl_robots *r);

/* Parses txt (n bytes; only the first CRAWL_ROBOTS_MAX are read) for the
 * product token agent ("inetkit"), replacing what r held. Unknown lines
 * and malformed lines are skipped, as the RFC asks. Returns the number of
 * rules kept, or -ENOMEM. */
int crawl_robots_parse(struct crawl_robots *r, const char *txt, size_t n,
		       const char *agent);

/* True when the path (with its query, from "/", n bytes) may be fetched.
 * "/robots.txt" is always allowed. */
int crawl_robots_allowed(const struct crawl_robots *r, const char *path,
			 size_t n);

#endif
