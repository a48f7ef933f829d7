/* crawl_robots: the Robots Exclusion Protocol (RFC 9309): groups by
 * product token (2.2.1), allow/disallow rules with "*" and "$" (2.2.2,
 * 2.2.3), longest match with allow winning ties (2.2.2), plus the common
 * Crawl-delay extension. Patterns are kept in the canonical form of a
 * normalised URL (src/url: unreserved octets decoded, escapes in upper
 * case) so that they compare octet by octet with a request target. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "crawl/crawl_robots.h"

/* Longest pattern kept (canonical bytes); longer rules are skipped. */
#define ROBOTS_PATTERN_MAX 2048

enum { GROUP_STAR = 1, GROUP_OURS = 2 };

struct parse_state {
	struct crawl_robots *r;
	const char *agent;
	size_t agent_len;
	int in_agents;		/* the previous record was a user-agent */
	int group;		/* GROUP_ bits of the group being read */
	int seen_ours;		/* some group named our product token */
	size_t rules_cap;
	int delay_star, delay_ours;
	unsigned *which;	/* per rule: GROUP_ bits it belongs to */
};

void
crawl_robots_init(struct crawl_robots *r)
{
	memset(r, 0, sizeof *r);
	r->delay_ms = -1;
}

void
crawl_robots_deny_all(struct crawl_robots *r)
{
	crawl_robots_fini(r);
	r->disallow_all = 1;
}

void
crawl_robots_fini(struct crawl_robots *r)
{
	free(r->arena);
	free(r->rules);
	crawl_robots_init(r);
}

static int
is_unreserved(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static size_t
put_escape(char *out, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";

	out[0] = '%';
	out[1] = hex[c >> 4];
	out[2] = hex[c & 15];
	return 3;
}

/* Writes the canonical form of the pattern v[0..n) to out (room for 3n
 * bytes); a final "$" sets *anchored instead. Returns the length. */
static size_t
canonical_pattern(const char *v, size_t n, char *out, int *anchored)
{
	size_t o = 0;

	*anchored = n > 0 && v[n - 1] == '$';
	if (*anchored)
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		int e = c == '%' ? hex_pct_byte(v + i, n - i) : -1;

		if (e >= 0) {
			c = (unsigned char)e;
			i += 2;
			if (is_unreserved(c))
				out[o++] = (char)c;
			else
				o += put_escape(out + o, c);
		} else if (c == '%' || c < 0x21 || c >= 0x7f) {
			o += put_escape(out + o, c);
		} else {
			out[o++] = (char)c;
		}
	}
	return o;
}

/* The product token at the start of a user-agent value ("inetkit" in
 * "inetkit/1.0"), section 2.2.1: letters, "_" and "-". */
static size_t
token_len(const char *v, size_t n)
{
	size_t i = 0;

	while (i < n && (isalpha((unsigned char)v[i]) || v[i] == '_' ||
			 v[i] == '-'))
		i++;
	return i;
}

static void
on_user_agent(struct parse_state *st, const char *v, size_t n)
{
	size_t t = token_len(v, n);

	if (!st->in_agents)
		st->group = 0;
	st->in_agents = 1;
	if (n >= 1 && v[0] == '*') {
		st->group |= GROUP_STAR;
	} else if (t > 0 && t == st->agent_len &&
		   strncasecmp(v, st->agent, t) == 0) {
		st->group |= GROUP_OURS;
		st->seen_ours = 1;
	}
}

static int
add_rule(struct parse_state *st, int allow, const char *v, size_t n)
{
	struct crawl_robots *r = st->r;
	struct crawl_robots_rule *rule;
	int anchored;
	size_t len;

	if (n == 0 || n > ROBOTS_PATTERN_MAX / 3)
		return 0;	/* "Disallow:" with no path allows all */
	if (r->nrules == st->rules_cap) {
		size_t cap = st->rules_cap ? st->rules_cap * 2 : 16;
		void *p = realloc(r->rules, cap * sizeof *r->rules);
		void *w = realloc(st->which, cap * sizeof *st->which);

		if (p)
			r->rules = p;
		if (w)
			st->which = w;
		if (!p || !w)
			return -ENOMEM;
		st->rules_cap = cap;
	}
	len = canonical_pattern(v, n, r->arena + r->arena_len, &anchored);
	rule = &r->rules[r->nrules];
	rule->off = (unsigned)r->arena_len;
	rule->len = (unsigned)len;
	rule->allow = allow != 0;
	rule->anchored = anchored != 0;
	st->which[r->nrules++] = (unsigned)st->group;
	r->arena_len += len;
	return 0;
}

/* "0.5" or "10" seconds, to milliseconds, capped. */
static int
parse_delay(const char *v, size_t n)
{
	long ms = 0, scale = 1000;
	size_t i = 0;

	if (n == 0 || !isdigit((unsigned char)v[0]))
		return -1;
	for (; i < n && isdigit((unsigned char)v[i]); i++)
		if (ms <= CRAWL_ROBOTS_DELAY_MAX)
			ms = ms * 10 + (v[i] - '0') * 1000;
	if (i < n && v[i] == '.')
		for (i++; i < n && isdigit((unsigned char)v[i]); i++)
			if ((scale /= 10) > 0)
				ms += (v[i] - '0') * scale;
	return ms > CRAWL_ROBOTS_DELAY_MAX ? CRAWL_ROBOTS_DELAY_MAX : (int)ms;
}

static int
on_record(struct parse_state *st, const char *k, size_t kn, const char *v,
	  size_t vn)
{
	if (kn == 10 && strncasecmp(k, "user-agent", kn) == 0) {
		on_user_agent(st, v, vn);
		return 0;
	}
	if (kn == 5 && strncasecmp(k, "allow", kn) == 0) {
		st->in_agents = 0;
		return st->group ? add_rule(st, 1, v, vn) : 0;
	}
	if (kn == 8 && strncasecmp(k, "disallow", kn) == 0) {
		st->in_agents = 0;
		return st->group ? add_rule(st, 0, v, vn) : 0;
	}
	if (kn == 11 && strncasecmp(k, "crawl-delay", kn) == 0) {
		int d = parse_delay(v, vn);

		st->in_agents = 0;
		if (d >= 0 && (st->group & GROUP_OURS))
			st->delay_ours = d;
		if (d >= 0 && (st->group & GROUP_STAR))
			st->delay_star = d;
	}
	return 0;	/* sitemap and unknown records belong to no group */
}

static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*p)[*n - 1]))
		(*n)--;
}

/* One line without its end: strips the comment, splits "key: value". */
static int
on_line(struct parse_state *st, const char *line, size_t n)
{
	const char *hash = memchr(line, '#', n);
	const char *colon, *v;
	size_t kn, vn;

	if (hash)
		n = (size_t)(hash - line);
	colon = memchr(line, ':', n);
	if (!colon)
		return 0;
	kn = (size_t)(colon - line);
	v = colon + 1;
	vn = n - kn - 1;
	trim(&line, &kn);
	trim(&v, &vn);
	return on_record(st, line, kn, v, vn);
}

/* Keeps the rules of the group that applies: ours if any group named us,
 * else the "*" groups (section 2.2.1). */
static void
select_rules(struct parse_state *st)
{
	struct crawl_robots *r = st->r;
	unsigned want = st->seen_ours ? GROUP_OURS : GROUP_STAR;
	size_t kept = 0;

	for (size_t i = 0; i < r->nrules; i++)
		if (st->which[i] & want)
			r->rules[kept++] = r->rules[i];
	r->nrules = kept;
	r->delay_ms = st->seen_ours ? st->delay_ours : st->delay_star;
}

int
crawl_robots_parse(struct crawl_robots *r, const char *txt, size_t n,
		   const char *agent)
{
	struct parse_state st = { .r = r, .agent = agent,
				  .agent_len = strlen(agent),
				  .delay_star = -1, .delay_ours = -1 };
	size_t start = 0;
	int rc = 0;

	crawl_robots_fini(r);
	if (n > CRAWL_ROBOTS_MAX)
		n = CRAWL_ROBOTS_MAX;
	r->arena = malloc(3 * n + 1);
	if (!r->arena)
		return -ENOMEM;
	for (size_t i = 0; i <= n && rc == 0; i++) {
		if (i < n && txt[i] != '\n' && txt[i] != '\r')
			continue;
		rc = on_line(&st, txt + start, i - start);
		start = i + 1;
	}
	if (rc == 0)
		select_rules(&st);
	free(st.which);
	if (rc < 0) {
		crawl_robots_fini(r);
		return rc;
	}
	return (int)r->nrules;
}

/* Does pattern p (with "*" wildcards) match all of s (anchored) or a
 * prefix of s? A greedy matcher with one backtracking point: O(pn * sn)
 * at worst, never exponential. */
static int
pattern_match(const char *p, size_t pn, const char *s, size_t sn,
	      int anchored)
{
	size_t i = 0, j = 0, star = SIZE_MAX, mark = 0;

	while (j < sn) {
		if (i < pn && p[i] == '*') {
			star = i++;
			mark = j;
		} else if (i < pn && p[i] == s[j]) {
			i++;
			j++;
		} else if (i == pn && !anchored) {
			return 1;
		} else if (star != SIZE_MAX) {
			i = star + 1;
			j = ++mark;
		} else {
			return 0;
		}
	}
	while (i < pn && p[i] == '*')
		i++;
	return i == pn;
}

int
crawl_robots_allowed(const struct crawl_robots *r, const char *path,
		     size_t n)
{
	size_t best = 0;
	int found = 0, allow = 1;

	if (n == 11 && memcmp(path, "/robots.txt", 11) == 0)
		return 1;
	if (r->disallow_all)
		return 0;
	for (size_t i = 0; i < r->nrules; i++) {
		const struct crawl_robots_rule *rule = &r->rules[i];
		size_t spec = rule->len + rule->anchored;

		if (found && spec < best)
			continue;
		if (!pattern_match(r->arena + rule->off, rule->len, path, n,
				   rule->anchored))
			continue;
		if (!found || spec > best)
			allow = rule->allow;
		else
			allow |= rule->allow;	/* a tie: allow wins */
		found = 1;
		best = spec;
	}
	return allow;
}
