/* http_stats: per-worker counters summed on read, and the status page:
 * PATH is a small HTML view that polls PATH.json once a second and draws
 * requests per second itself (no external assets: it works offline). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "http_parse.h"
#include "http_reply.h"
#include "http_stats.h"

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct http_stats_page *
http_stats_page_new(const char *path, int nworkers)
{
	size_t n = strlen(path);
	struct http_stats_page *p;

	if (n < 2 || n >= HTTP_STATS_PATH_MAX - 8 || path[0] != '/' ||
	    nworkers < 1 || strpbrk(path, "?#%\" <>\\") != NULL)
		return NULL;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->slots = aligned_alloc(64, sizeof *p->slots * (size_t)nworkers);
	if (p->slots == NULL) {
		free(p);
		return NULL;
	}
	memset(p->slots, 0, sizeof *p->slots * (size_t)nworkers);
	memcpy(p->path, path, n + 1);
	p->path_len = n;
	p->nslots = nworkers;
	p->start_ms = mono_ms();
	return p;
}

void
http_stats_page_free(struct http_stats_page *p)
{
	if (p == NULL)
		return;
	free(p->slots);
	free(p);
}

int
http_stats_allow_add(struct http_stats_page *p, const char *cidr)
{
	char ip[64];
	const char *slash = strchr(cidr, '/');
	size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
	struct http_stats_allow *a;

	if (p->nallow == HTTP_STATS_MAX_ALLOW)
		return ERR_TOOBIG;
	if (n == 0 || n >= sizeof ip)
		return ERR_PARSE;
	memcpy(ip, cidr, n);
	ip[n] = '\0';
	a = &p->allow[p->nallow];
	if (net_ip_parse(ip, &a->net) < 0)
		return ERR_PARSE;
	int max = net_addr_family(&a->net) == AF_INET ? 32 : 128;
	a->prefix = max;
	if (slash) {
		char *end;
		long v = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || v < 0 || v > max)
			return ERR_PARSE;
		a->prefix = (int)v;
	}
	p->nallow++;
	return 0;
}

struct http_stats *
http_stats_claim(struct http_stats_page *p)
{
	int i = __atomic_fetch_add(&p->claimed, 1, __ATOMIC_RELAXED);

	return i < p->nslots ? &p->slots[i] : NULL;
}

int
http_stats_workers(const struct http_stats_page *p)
{
	int n = __atomic_load_n(&p->claimed, __ATOMIC_RELAXED);

	return n < p->nslots ? n : p->nslots;
}

void
http_stats_sum(const struct http_stats_page *p, struct http_stats *out)
{
	int n = http_stats_workers(p);

	memset(out, 0, sizeof *out);
	for (int i = 0; i < n; i++) {
		const uint64_t *s = (const uint64_t *)&p->slots[i];
		uint64_t *o = (uint64_t *)out;
		for (size_t k = 0; k < offsetof(struct http_stats, status) /
		     8 + 6; k++)
			o[k] += __atomic_load_n(&s[k], __ATOMIC_RELAXED);
	}
}

/* The address bytes of an IPv4, IPv6 or v4-mapped address: 4 or 16. */
static size_t
addr_bytes(const struct sockaddr *ss, const uint8_t **out)
{
	if (ss->sa_family == AF_INET) {
		*out = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
		return 4;
	}
	if (ss->sa_family != AF_INET6)
		return 0;
	const uint8_t *b = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };
	if (memcmp(b, mapped, 12) == 0) {
		*out = b + 12;
		return 4;
	}
	*out = b;
	return 16;
}

static int
prefix_match(const uint8_t *a, const uint8_t *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

static int
allowed(const struct http_stats_page *p, const struct sockaddr *peer,
	socklen_t len)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	const uint8_t *b, *nb;
	size_t n = len ? addr_bytes(peer, &b) : 0;

	if ((n == 4 && b[0] == 127) || (n == 16 && memcmp(b, lo6, 16) == 0))
		return 1;
	for (int i = 0; n && i < p->nallow; i++)
		if (addr_bytes((const struct sockaddr *)&p->allow[i].net.ss,
			       &nb) == n &&
		    prefix_match(b, nb, p->allow[i].prefix))
			return 1;
	return 0;
}

int
http_stats_json(const struct http_stats_page *p, char *out, size_t size)
{
	struct http_stats t;
	size_t n;
	int rc;

	http_stats_sum(p, &t);
	rc = snprintf(out, size, "{\"uptime_ms\":%lld,\"workers\":%d,"
		      "\"connections\":{\"open\":%llu,\"total\":%llu},"
		      "\"requests\":%llu,\"bytes\":%llu,\"status\":{\"1xx\":%llu,"
		      "\"2xx\":%llu,\"3xx\":%llu,\"4xx\":%llu,\"5xx\":%llu},"
		      "\"compress\":{\"made\":%llu,\"hits\":%llu},"
		      "\"per_worker\":[",
		      (long long)(mono_ms() - p->start_ms), http_stats_workers(p),
		      (unsigned long long)(t.accepted - t.closed),
		      (unsigned long long)t.accepted,
		      (unsigned long long)t.requests,
		      (unsigned long long)t.bytes,
		      (unsigned long long)t.status[1],
		      (unsigned long long)t.status[2],
		      (unsigned long long)t.status[3],
		      (unsigned long long)t.status[4],
		      (unsigned long long)t.status[5],
		      (unsigned long long)t.compressed,
		      (unsigned long long)t.compress_hits);
	if (rc < 0 || (size_t)rc >= size)
		return -1;
	n = (size_t)rc;
	for (int i = 0; i < http_stats_workers(p); i++) {
		const struct http_stats *s = &p->slots[i];
		uint64_t acc = __atomic_load_n(&s->accepted, __ATOMIC_RELAXED);
		uint64_t clo = __atomic_load_n(&s->closed, __ATOMIC_RELAXED);
		rc = snprintf(out + n, size - n, "%s{\"requests\":%llu,"
			      "\"open\":%llu}", i ? "," : "",
			      (unsigned long long)__atomic_load_n(&s->requests,
						      __ATOMIC_RELAXED),
			      (unsigned long long)(acc - clo));
		if (rc < 0 || (size_t)rc >= size - n)
			return -1;
		n += (size_t)rc;
	}
	if (p->extra && n + 2 < size) {
		out[n++] = ']';
		out[n++] = ',';
		rc = p->extra(p->extra_arg, out + n, size - n);
		if (rc < 0)
			return -1;
		n += (size_t)rc;
		rc = snprintf(out + n, size - n, "}");
	} else {
		rc = snprintf(out + n, size - n, "]}");
	}
	if (rc < 0 || (size_t)rc >= size - n)
		return -1;
	return (int)(n + (size_t)rc);
}

/* The view: numbers and a chart of requests per second, from PATH.json
 * each second; nothing fetched from elsewhere. */
static const char page_html[] =
	"<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
	"<title>inetkit status</title><style>"
	"body{font:15px system-ui,sans-serif;margin:2em;color:#222}"
	"h1{font-size:1.4em}table{border-collapse:collapse;margin:1em 0}"
	"td,th{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:"
	"right}th{text-align:left;font-weight:normal;color:#555}"
	"canvas{border:1px solid #ccc}.err{color:#b00}</style></head><body>"
	"<h1>inetkit status</h1><p id=up></p>"
	"<canvas id=c width=600 height=140></canvas>"
	"<p><small>requests per second, last two minutes</small></p>"
	"<table id=t></table><table id=w></table><script>\n"
	"var hist=[],last=null,url=location.pathname+'.json';\n"
	"function row(k,v){return '<tr><th>'+k+'</th><td>'+v+'</td></tr>'}\n"
	"function draw(){var c=document.getElementById('c'),g=c.getContext"
	"('2d'),m=Math.max(1,...hist);g.clearRect(0,0,c.width,c.height);"
	"g.strokeStyle='#2563eb';g.lineWidth=2;g.beginPath();hist.forEach("
	"function(v,i){var x=c.width-(hist.length-1-i)*5,y=c.height-4-v/m*"
	"(c.height-20);i?g.lineTo(x,y):g.moveTo(x,y)});g.stroke();"
	"g.fillStyle='#555';g.fillText('max '+m.toFixed(1)+'/s',6,12)}\n"
	"function show(s){var r=last?(s.requests-last.requests)*1000/Math.max"
	"(1,s.uptime_ms-last.uptime_ms):0;last=s;hist.push(r);if(hist.length"
	">120)hist.shift();draw();document.getElementById('up').textContent="
	"'up '+Math.round(s.uptime_ms/1000)+' s, '+s.workers+' workers';"
	"var h=row('requests per second',r.toFixed(1))+row('requests',"
	"s.requests)+row('bytes sent',s.bytes)+row('connections open',"
	"s.connections.open)+row('connections total',s.connections.total);"
	"for(var k in s.status)h+=row(k,s.status[k]);if(s.dns){h+=row("
	"'dns queries',s.dns.queries);for(var k in s.dns.rcode)h+=row("
	"'dns '+k,s.dns.rcode[k])}document.getElementById('t').innerHTML=h;"
	"document.getElementById('w').innerHTML='<tr><th>worker</th><th>"
	"requests</th><th>open</th></tr>'+s.per_worker.map(function(w,i){"
	"return '<tr><td>'+i+'</td><td>'+w.requests+'</td><td>'+w.open+"
	"'</td></tr>'}).join('')}\n"
	"function poll(){fetch(url,{cache:'no-store'}).then(function(r){"
	"return r.json()}).then(show).catch(function(e){document."
	"getElementById('up').innerHTML='<span class=err>'+e+'</span>'})}\n"
	"poll();setInterval(poll,1000);\n</script></body></html>\n";

static void
reply_body(struct http_reply *rep, const struct http_request *r,
	   const char *type, const char *body, size_t n)
{
	int ka10 = r->version == 10 && r->keep_alive;

	buf_reset(rep->page);
	if (buf_append(rep->page, body, n) < 0) {
		http_reply_error(rep, 500, 0, ka10, NULL,
				 r->method == HTTP_M_HEAD);
		return;
	}
	http_reply_begin(rep, 200);
	rep->head_only = r->method == HTTP_M_HEAD;
	http_reply_header(rep, "Content-Type", type, strlen(type));
	http_reply_header(rep, "Cache-Control", "no-store", 8);
	rep->body_len = n;
	http_reply_end(rep, ka10);
	http_reply_seg(rep, HTTP_SEG_PAGE, rep->page->off, n);
}

int
http_stats_respond(const struct http_stats_page *p,
		   const struct http_request *r,
		   const struct sockaddr *peer, socklen_t peer_len,
		   struct http_reply *rep)
{
	int json;
	char body[16384];

	if (!http_stats_may_be_page(p, r))
		return 0;
	if (r->path.n == p->path_len)
		json = 0;
	else if (r->path.n == p->path_len + 5 &&
		 memcmp(r->path.p + p->path_len, ".json", 5) == 0)
		json = 1;
	else
		return 0;
	if (memcmp(r->path.p, p->path, p->path_len) != 0)
		return 0;
	if (!allowed(p, peer, peer_len)) {
		http_reply_error(rep, 403, 0, r->version == 10 && r->keep_alive,
				 NULL, r->method == HTTP_M_HEAD);
		return 1;
	}
	if (r->method != HTTP_M_GET && r->method != HTTP_M_HEAD) {
		http_reply_error(rep, 405, 0, r->version == 10 && r->keep_alive,
				 "GET, HEAD", 0);
		return 1;
	}
	if (!json) {
		reply_body(rep, r, "text/html; charset=utf-8", page_html,
			   sizeof page_html - 1);
		return 1;
	}
	int n = http_stats_json(p, body, sizeof body - 1);
	if (n < 0) {
		http_reply_error(rep, 500, 0, r->version == 10 && r->keep_alive,
				 NULL, r->method == HTTP_M_HEAD);
		return 1;
	}
	body[n++] = '\n';
	reply_body(rep, r, "application/json", body, (size_t)n);
	return 1;
}
