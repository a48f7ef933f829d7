/* cmd_crawl: `inetkit crawl URL`, the crawler and link checker. Turns the
 * options into a crawl_config, runs the engine (src/crawl/crawl.c), then
 * prints every page and every broken link with the pages that link to
 * it, and writes the JSON Lines report, the DOT graph and the HTML page
 * (each whole or not at all: a temporary file renamed). Exit 1 when a
 * link is broken, so that it can guard a site in CI. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "crawl/crawl.h"
#include "crawl/crawl_html.h"
#include "crawl/crawl_out.h"
#include "crawl/crawl_svg.h"

static const char crawl_usage[] =
	"usage: inetkit crawl URL [--dns ADDR:PORT] [--resolve NAME:ADDR]\n"
	"                     [--max-pages N] [--depth N] [--concurrency N]\n"
	"                     [--delay MS] [--timeout SECONDS] [--all-hosts]\n"
	"                     [--ignore-robots] [--parse-threads N]\n"
	"                     [--report FILE] [--graph FILE] [--html FILE]\n"
	"                     [--mirror DIR] [--cacert FILE] [-k] [-q]\n"
	"  Crawls the http or https site at URL and checks its links: pages,\n"
	"  style sheets, images (src and srcset), scripts and frames, honouring\n"
	"  <base>, robots.txt (product token \"inetkit\") and its Crawl-delay.\n"
	"  Only URL's host (and the one URL redirects to) is followed unless\n"
	"  --all-hosts, on its port, and on any port over the other of http\n"
	"  and https; links elsewhere are listed as skipped, never broken.\n"
	"  A 429 or 503 with Retry-After up to 60 s holds the host that\n"
	"  long and the page is fetched again (3 times at most) before it\n"
	"  counts as broken.\n"
	"  --cacert FILE    trust the CA certificates of FILE (PEM) too\n"
	"  -k, --insecure   do not verify https servers' certificates\n"
	"  --max-pages N    fetch at most N URLs (100000)\n"
	"  --depth N        follow links at most N deep (64)\n"
	"  --concurrency N  requests in flight, keep-alive connections (16)\n"
	"  --delay MS       least time between requests to one host (default:\n"
	"                   0 on a loopback address, 100 elsewhere)\n"
	"  --timeout S      connect, silence and response head (10)\n"
	"  Failover: connections spread over all of a host's addresses;\n"
	"  a request that fails before its answer goes to the next one, and\n"
	"  an address that failed is tried last for 10 s.\n"
	"  --parse-threads N  threads parsing HTML beside the loop (default:\n"
	"                   one per CPU when there are several; 0: none);\n"
	"                   pages under 4 KiB are parsed in the loop\n"
	"  --report FILE    one JSON object per URL (JSON Lines)\n"
	"  --graph FILE     the links as a Graphviz DOT digraph\n"
	"  --html FILE      the report as one self-contained HTML page: the\n"
	"                   summary, broken links with the pages linking\n"
	"                   to them, the pages as a tree, and the link graph\n"
	"                   as SVG when Graphviz's dot is on PATH (the first\n"
	"                   150 URLs; a note instead when dot is missing)\n"
	"  Reports are written to FILE.XXXXXX, then renamed to FILE.\n"
	"  --mirror DIR     save the answers under DIR/HOST[:PORT]/PATH\n"
	"  -q               print only broken links and the summary\n"
	"  Trap guards: URLs over 2048 bytes, over 16 query parameters or a\n"
	"  1024-byte query, paths over 32 segments or with one segment 4 times,\n"
	"  over 256 queries on one path. Exit 0 when no link is broken, 1 when\n"
	"  one is (4xx, 5xx, DNS failure, refused, timeout, TLS or certificate\n"
	"  failure), 2 usage.\n";

struct crawl_cli {
	struct crawl_config cfg;
	const char *report, *graph, *html;
	int quiet;
	int progress;		/* stderr is a terminal */
	int64_t last_progress;
};

/* An option with a numeric value in [min, max]. */
static int
num_opt(const char *opt, const char *val, long min, long max, long *out)
{
	if (val == NULL || cli_parse_int(val, min, max, out) < 0)
		return cli_usage_error(crawl_usage, "crawl: bad %s '%s'", opt,
				       val ? val : "");
	return 0;
}

/* Options with a value; returns 1 when opt was one, 0 if not, or 2. */
static int
value_opt(struct crawl_cli *c, const char *opt, const char *val)
{
	struct crawl_config *cfg = &c->cfg;
	long v;
	int ms;

	if (strcmp(opt, "--max-pages") == 0) {
		if (num_opt(opt, val, 1, 100000000, &v))
			return EXIT_USAGE;
		cfg->lim.max_pages = (size_t)v;
		if (cfg->lim.max_nodes < cfg->lim.max_pages * 10)
			cfg->lim.max_nodes = cfg->lim.max_pages * 10;
	} else if (strcmp(opt, "--depth") == 0) {
		if (num_opt(opt, val, 0, 100000, &v))
			return EXIT_USAGE;
		cfg->lim.max_depth = (int)v;
	} else if (strcmp(opt, "--concurrency") == 0) {
		if (num_opt(opt, val, 1, CRAWL_MAX_CONCURRENCY, &v))
			return EXIT_USAGE;
		cfg->concurrency = (int)v;
	} else if (strcmp(opt, "--delay") == 0) {
		if (num_opt(opt, val, 0, 600000, &v))
			return EXIT_USAGE;
		cfg->delay_ms = (int)v;
	} else if (strcmp(opt, "--parse-threads") == 0) {
		if (num_opt(opt, val, 0, 64, &v))
			return EXIT_USAGE;
		cfg->parse_threads = (int)v;
	} else if (strcmp(opt, "--timeout") == 0) {
		if (val == NULL || cli_parse_seconds(val, &ms) < 0)
			return cli_usage_error(crawl_usage, "crawl: bad "
					       "--timeout '%s'", val ? val : "");
		cfg->timeout_ms = ms;
	} else if (strcmp(opt, "--report") == 0 && val) {
		c->report = val;
	} else if (strcmp(opt, "--graph") == 0 && val) {
		c->graph = val;
	} else if (strcmp(opt, "--html") == 0 && val) {
		c->html = val;
	} else if (strcmp(opt, "--mirror") == 0 && val) {
		cfg->mirror_dir = val;
	} else {
		return 0;
	}
	return 1;
}

static int
crawl_args(struct crawl_cli *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int took = cli_resolver_option(&c->cfg.dns, a, val, crawl_usage,
					       "crawl");

		if (took == 0)
			took = cli_tls_client_option(&c->cfg.tls, a, val);
		if (took == 2)
			continue;
		if (took == 0)
			took = value_opt(c, a, val);
		if (took == EXIT_USAGE)
			return EXIT_USAGE;
		if (took == 1) {
			i++;
		} else if (strcmp(a, "--all-hosts") == 0) {
			c->cfg.lim.all_hosts = 1;
		} else if (strcmp(a, "--ignore-robots") == 0) {
			c->cfg.robots = 0;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			c->quiet = 1;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error(crawl_usage, "crawl: unknown "
					       "option '%s'", a);
		} else if (c->cfg.start_url == NULL) {
			c->cfg.start_url = a;
		} else {
			return cli_usage_error(crawl_usage, "crawl: unexpected "
					       "'%s'", a);
		}
	}
	if (c->cfg.start_url == NULL)
		return cli_usage_error(crawl_usage, "crawl: which URL?");
	return 0;
}

/* The live progress line on a terminal, redrawn at most ten times a
 * second. */
static void
on_progress(void *arg, const struct crawl_progress *p)
{
	struct crawl_cli *c = arg;
	double secs = (double)p->elapsed_ms / 1000.0;

	if (p->elapsed_ms - c->last_progress < 100 && p->active > 0)
		return;
	c->last_progress = p->elapsed_ms;
	fprintf(stderr, "\r\033[Kcrawl: %zu done, %zu queued, %zu broken, "
		"%u in flight, %.0f pages/s", p->done, p->queued, p->broken,
		p->active, secs > 0 ? (double)p->done / secs : 0.0);
	fflush(stderr);
}

/* Writes b to f when it holds more than limit bytes (or always, with
 * limit 0). Returns 0 or -1 on a write error. */
static int
flush_buf(struct buf *b, FILE *f, size_t limit)
{
	int rc = 0;

	if (buf_size(b) > limit) {
		if (fwrite(buf_data(b), 1, buf_size(b), f) != buf_size(b))
			rc = -1;
		buf_reset(b);
	}
	return rc;
}

/* An output written whole or not at all: FILE.XXXXXX in FILE's folder,
 * renamed over FILE once complete, so a reader (a web server publishing
 * the report) never sees half of one. A symbolic link is followed (the
 * file it names is replaced, the link stays). A FILE that exists and is
 * no regular file (/dev/null, a FIFO, a terminal) is written in place:
 * a rename would replace the device with a file. */
struct out_file {
	FILE *f;
	int direct;			/* written in place, no rename */
	char target[PATH_MAX];		/* what the rename replaces */
	char tmp[PATH_MAX + 8];
};

/* Where the symbolic link path points (the file need not exist yet): its
 * real path, or its content taken from the link's folder. */
static int
link_target(const char *path, char *out, size_t size)
{
	char to[PATH_MAX];
	const char *slash = strrchr(path, '/');
	ssize_t n;

	if (realpath(path, out))
		return 0;
	n = readlink(path, to, sizeof to - 1);
	if (n <= 0)
		return -1;
	to[n] = '\0';
	if (to[0] == '/' || !slash)
		n = snprintf(out, size, "%s", to);
	else
		n = snprintf(out, size, "%.*s/%s", (int)(slash - path), path,
			     to);
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

static int
out_open(struct out_file *o, const char *path)
{
	mode_t um = umask(0);
	struct stat st;
	int fd;

	umask(um);
	o->direct = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
	if (o->direct)
		return (o->f = fopen(path, "we")) ? 0 : -1;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (link_target(path, o->target, sizeof o->target) < 0)
			return -1;
	} else if (snprintf(o->target, sizeof o->target, "%s", path) >=
		   (int)sizeof o->target) {
		return -1;
	}
	snprintf(o->tmp, sizeof o->tmp, "%s.XXXXXX", o->target);
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	(void)fchmod(fd, 0666 & ~um);	/* as fopen would have made it */
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

/* Closes o: renamed over its target when rc is 0, removed otherwise. */
static int
out_close(struct out_file *o, int rc)
{
	if (fclose(o->f) != 0)
		rc = -1;
	if (o->direct)
		return rc;
	if (rc == 0 && rename(o->tmp, o->target) != 0)
		rc = -1;
	if (rc != 0)
		unlink(o->tmp);
	return rc;
}

static int
write_report(const struct crawl_frontier *f, const char *path)
{
	struct out_file out;
	struct buf b;
	int rc = 0;

	if (out_open(&out, path) < 0)
		return -1;
	buf_init(&b, 1 << 24);
	for (uint32_t i = 0; i < f->nnodes && rc == 0; i++) {
		if (crawl_out_json_node(&b, f, i) < 0)
			rc = -1;
		else
			rc = flush_buf(&b, out.f, 1 << 16);
	}
	if (rc == 0)
		rc = flush_buf(&b, out.f, 0);
	buf_fini(&b);
	return out_close(&out, rc);
}

static int
write_graph(const struct crawl_frontier *f, const char *path)
{
	struct out_file out;
	struct buf b;
	int rc;

	if (out_open(&out, path) < 0)
		return -1;
	buf_init(&b, 1 << 24);
	rc = crawl_out_dot_begin(&b);
	for (uint32_t i = 0; i < f->nnodes && rc == 0; i++) {
		rc = crawl_out_dot_node(&b, &f->nodes[i]);
		rc = rc ? rc : flush_buf(&b, out.f, 1 << 16);
	}
	for (size_t i = 0; i < f->nedges && rc == 0; i++) {
		rc = crawl_out_dot_edge(&b, f, &f->edges[i]);
		rc = rc ? rc : flush_buf(&b, out.f, 1 << 16);
	}
	rc = rc ? rc : crawl_out_dot_end(&b);
	rc = rc ? rc : flush_buf(&b, out.f, 0);
	buf_fini(&b);
	return out_close(&out, rc ? -1 : 0);
}

static int
html_sink(void *arg, const void *p, size_t n)
{
	return fwrite(p, 1, n, arg) == n ? 0 : -EIO;
}

/* The page's link graph: SVG drawn by dot, or a note saying why not. */
static void
html_graph(const struct crawl_frontier *f, struct crawl_html_page *pg,
	   struct buf *svg)
{
	struct buf dot;
	int rc;

	buf_init(&dot, 1 << 22);
	rc = crawl_html_graph_dot(&dot, f, &pg->graph_nodes);
	if (rc == 0)
		rc = crawl_svg_render(CRAWL_SVG_PROG, buf_data(&dot),
				      buf_size(&dot), svg,
				      CRAWL_SVG_TIMEOUT_MS);
	buf_fini(&dot);
	if (rc == 0) {
		pg->svg = (const char *)buf_data(svg);
		pg->svg_len = buf_size(svg);
		return;
	}
	pg->graph_note = rc == ERR_NOTFOUND ? "The link graph is left out: "
		"Graphviz's dot was not found on PATH (Debian package "
		"graphviz)." : rc == ERR_TIMEOUT ? "The link graph is left "
		"out: dot did not finish in time." : rc == ERR_TOOBIG ?
		"The link graph is left out: it was too big." :
		"The link graph is left out: dot failed.";
	fprintf(stderr, "inetkit: crawl: %s\n", pg->graph_note);
}

static int
write_html(const struct crawl_frontier *f, const char *path,
	   const char *start, int64_t ms)
{
	struct crawl_html_page pg = { .start_url = start, .ms = ms,
				      .generated = time(NULL) };
	struct out_file out;
	struct buf svg, b;
	int rc;

	buf_init(&svg, CRAWL_SVG_MAX + (64 << 10));
	html_graph(f, &pg, &svg);
	if (out_open(&out, path) < 0) {
		buf_fini(&svg);
		return -1;
	}
	buf_init(&b, 1 << 24);
	rc = crawl_html_write(f, &pg, &b, html_sink, out.f);
	buf_fini(&b);
	buf_fini(&svg);
	return out_close(&out, rc ? -1 : 0);
}

/* Skipped URLs counted by reason, on one line. */
static void
print_skipped(const struct crawl_frontier *f)
{
	size_t count[CRAWL_SKIP_VARIANTS + 1] = { 0 }, total = 0;
	const char *sep = " (";

	for (size_t i = 0; i < f->nnodes; i++)
		if (f->nodes[i].skip != CRAWL_SKIP_NONE &&
		    f->nodes[i].skip <= CRAWL_SKIP_VARIANTS) {
			count[f->nodes[i].skip]++;
			total++;
		}
	printf("skipped: %zu", total);
	for (int k = 1; k <= CRAWL_SKIP_VARIANTS; k++) {
		if (!count[k])
			continue;
		printf("%s%s %zu", sep, crawl_skip_str((enum crawl_skip)k),
		       count[k]);
		sep = ", ";
	}
	printf("%s\n", total ? ")" : "");
}

/* The slowest request, the cost of a host that died under the crawl (its
 * timeout, then the retry elsewhere). */
static void
print_slowest(const struct crawl_frontier *f)
{
	const struct crawl_node *slow = NULL;

	for (uint32_t i = 0; i < f->nnodes; i++)
		if (f->nodes[i].state == CRAWL_DONE &&
		    (!slow || f->nodes[i].us > slow->us))
			slow = &f->nodes[i];
	if (slow)
		printf("slowest: %.1f ms  %s\n", slow->us / 1000.0, slow->url);
}

static void
print_results(const struct crawl_cli *c, const struct crawl_frontier *f,
	      int64_t ms)
{
	struct crawl_totals t;
	struct buf b;

	crawl_totals(f, &t);
	buf_init(&b, 1 << 24);
	for (uint32_t i = 0; i < f->nnodes && !c->quiet; i++) {
		if (f->nodes[i].state != CRAWL_DONE)
			continue;
		crawl_out_page_line(&b, &f->nodes[i]);
		flush_buf(&b, stdout, 1 << 16);
	}
	flush_buf(&b, stdout, 0);
	printf("\nbroken links: %zu\n", t.broken);
	for (uint32_t i = 0; i < f->nnodes; i++) {
		if (!crawl_node_is_broken(&f->nodes[i]))
			continue;
		crawl_out_broken(&b, f, i);
		flush_buf(&b, stdout, 1 << 16);
	}
	flush_buf(&b, stdout, 0);
	buf_fini(&b);
	print_skipped(f);
	print_slowest(f);
	printf("crawled %zu URLs (%llu bytes) in %lld ms: %.1f pages/s, "
	       "%zu broken\n", t.fetched, (unsigned long long)t.bytes,
	       (long long)ms, ms > 0 ? (double)t.fetched * 1000.0 /
	       (double)ms : (double)t.fetched, t.broken);
}

/* The summary, the report and the graph; returns the exit status. */
static int
outputs(const struct crawl_cli *c, struct crawl_frontier *f, int64_t ms)
{
	struct crawl_totals t;
	int rc = EXIT_OK;

	crawl_frontier_sort_edges(f);
	print_results(c, f, ms);
	fflush(stdout);
	if (c->report && write_report(f, c->report) < 0) {
		fprintf(stderr, "inetkit: crawl: cannot write %s\n", c->report);
		rc = EXIT_FAIL;
	}
	if (c->graph && write_graph(f, c->graph) < 0) {
		fprintf(stderr, "inetkit: crawl: cannot write %s\n", c->graph);
		rc = EXIT_FAIL;
	}
	if (c->html && write_html(f, c->html, c->cfg.start_url, ms) < 0) {
		fprintf(stderr, "inetkit: crawl: cannot write %s\n", c->html);
		rc = EXIT_FAIL;
	}
	crawl_totals(f, &t);
	return t.broken > 0 ? EXIT_FAIL : rc;
}

int
cmd_crawl(int argc, char **argv)
{
	struct crawl_cli c = { 0 };
	struct crawl_frontier f;
	int64_t t0;
	int rc;

	if (cli_wants_help(argc, argv, crawl_usage))
		return EXIT_OK;
	crawl_config_default(&c.cfg);
	cli_resolver_init(&c.cfg.dns);
	rc = crawl_args(&c, argc, argv);
	if (rc == 0)
		rc = cli_tls_client_finish(&c.cfg.tls, "crawl");
	if (rc)
		return rc;
	if (cli_resolver_finish(&c.cfg.dns) < 0) {
		fprintf(stderr, "inetkit: crawl: cannot read resolv.conf\n");
		return EXIT_FAIL;
	}
	c.progress = isatty(STDERR_FILENO);
	if (c.progress) {
		c.cfg.progress = on_progress;
		c.cfg.progress_arg = &c;
	}
	if (crawl_frontier_init(&f, &c.cfg.lim) < 0)
		return EXIT_FAIL;
	clock_update();
	t0 = clock_mono_ms();
	rc = crawl_run(&c.cfg, &f);
	if (c.progress)
		fprintf(stderr, "\r\033[K");
	if (rc == ERR_PARSE || rc == ERR_UNSUPPORTED) {
		crawl_frontier_fini(&f);
		return cli_usage_error(crawl_usage, "crawl: '%s' is not an "
				       "http:// or https:// URL",
				       c.cfg.start_url);
	}
	if (rc < 0) {
		fprintf(stderr, "inetkit: crawl: %s\n", err_str(rc));
		crawl_frontier_fini(&f);
		return EXIT_FAIL;
	}
	clock_update();
	rc = outputs(&c, &f, clock_mono_ms() - t0);
	crawl_frontier_fini(&f);
	return rc;
}
