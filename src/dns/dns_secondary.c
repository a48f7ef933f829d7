/* dns_secondary: the secondary side of zone transfer, on worker 0's
 * loop. Each --secondary zone is refreshed from its primary as its SOA
 * says (RFC 1034 section 4.3.5: refresh, retry, expire), at once on a
 * NOTIFY (RFC 1996), by IXFR (RFC 1995) with AXFR (RFC 5936) when the
 * primary cannot. A transfer is read whole and checked before anything
 * changes; the new zone then replaces the old one in one swap, and its
 * copy is written to --zone-dir (a temporary file renamed over the old
 * one) in zone-file form, read back at the next start. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/loop.h"
#include "dns_answer.h"
#include "dns_load.h"
#include "dns_rr.h"
#include "dns_serial.h"
#include "dns_xfr.h"
#include "dns_xfrd.h"
#include "net/net_sock.h"

#define IDLE_MS (30 * 1000)	/* a primary silent this long: retry */
#define RETRY_FIRST_S 10	/* before the first SOA is known */
#define FRAME_MAX (2 + DNS_MAX_MSG)

/* A record of an IXFR answer, kept until the whole answer is in:
 * the op (enum dns_xfr_op) then the record in list form. */
struct dns_secondary {
	struct dns_xfrd *x;
	uint8_t apex[DNS_NAME_MAX + 1];
	char name[DNS_NAME_TEXT_MAX];
	struct net_addr primary;
	int key;
	struct loop *loop;
	struct loop_timer refresh, expire, idle;
	atomic_int dead;	/* no data to serve: SERVFAIL */
	atomic_int notified;	/* a NOTIFY came: refresh now */
	struct dns_zone *zone;	/* ours: a reference, or NULL */
	/* A transfer under way (fd >= 0). */
	int fd, sent;
	uint16_t qtype, id;
	struct buf in;
	struct dns_tsig_ctx ctx;
	int nmsg;
	struct dns_xfr_in parse;
	struct dns_db *build;	/* AXFR: the new zone, in a database */
	struct buf ops;		/* IXFR: the differences */
	const char *why;
};

int
dns_xfrd_add_secondary(struct dns_xfrd *x, const char *spec,
		       const char **why)
{
	const char *at = strchr(spec, '@');
	char zone[DNS_NAME_TEXT_MAX];
	struct dns_secondary *s;

	*why = "expected ZONE@ADDR[:PORT][/KEYNAME]";
	if (x->nsec == DNS_XFRD_MAX || at == NULL || at == spec ||
	    (size_t)(at - spec) >= sizeof zone)
		return ERR_PARSE;
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return ERR_PARSE;
	memcpy(zone, spec, (size_t)(at - spec));
	zone[at - spec] = 0;
	uint8_t wire[DNS_NAME_MAX + 1];
	if (dns_name_parse(zone, strlen(zone), (const uint8_t *)"", wire,
			   why) < 0 ||
	    dns_xfrd_add_notify(x, at + 1, why) < 0) {
		free(s);
		return ERR_PARSE;
	}
	/* Parsed as a notify target, then taken back. */
	x->nnotify--;
	s->primary = x->notify[x->nnotify].addr;
	s->key = x->notify[x->nnotify].key;
	dns_name_lower(wire, s->apex);
	dns_name_format(s->apex, s->name, sizeof s->name);
	s->x = x;
	s->fd = -1;
	atomic_init(&s->dead, 1);
	atomic_init(&s->notified, 0);
	x->sec[x->nsec++] = s;
	return 0;
}

int
dns_secondary_owns(const struct dns_xfrd *x, const uint8_t *apex)
{
	for (int i = 0; i < x->nsec; i++)
		if (dns_name_equal(x->sec[i]->apex, apex))
			return 1;
	return 0;
}

int
dns_secondary_dead(struct dns_xfrd *x, const uint8_t *name)
{
	for (int i = 0; i < x->nsec; i++)
		if (atomic_load(&x->sec[i]->dead) &&
		    dns_name_suffix(name, x->sec[i]->apex) >= 0)
			return 1;
	return 0;
}

/* Whether a (a peer) is the primary's address, whatever the port. */
static int
same_host(const struct sockaddr_storage *a, const struct net_addr *p)
{
	struct net_addr pa = { *a, sizeof *a };
	struct net_addr pp = *p;

	net_addr_set_port(&pa, 0);
	net_addr_set_port(&pp, 0);
	char x1[NET_ADDR_STRLEN], x2[NET_ADDR_STRLEN];
	net_addr_format(&pa, 0, x1, sizeof x1);
	net_addr_format(&pp, 0, x2, sizeof x2);
	const char *v4 = strncmp(x1, "::ffff:", 7) == 0 ? x1 + 7 : x1;
	return strcmp(x1, x2) == 0 || strcmp(v4, x2) == 0;
}

int
dns_secondary_notified(struct dns_xfrd *x, const uint8_t *apex,
		       const struct sockaddr_storage *from,
		       const struct dns_tsig_key *key)
{
	for (int i = 0; i < x->nsec; i++) {
		struct dns_secondary *s = x->sec[i];
		if (!dns_name_equal(s->apex, apex))
			continue;
		if (!same_host(from, &s->primary) ||
		    (s->key >= 0 && key != &x->keys[s->key]))
			return DNS_RCODE_REFUSED;
		atomic_store(&s->notified, 1);
		dns_xfrd_wake(x);
		return 0;
	}
	return DNS_RCODE_NOTAUTH;
}

static uint32_t
soa_field(const struct dns_zone *z, int i)
{
	const struct dns_rrset *rs = dns_zone_soa(z);
	const uint8_t *p = z->rdata + rs->rdata;

	return dns_soa_field(p + 2, (size_t)(p[0] << 8 | p[1]), i);
}

static void
xfer_end(struct dns_secondary *s)
{
	if (s->fd >= 0) {
		loop_del_fd(s->loop, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	loop_timer_del(s->loop, &s->idle);
	buf_fini(&s->in);
	buf_fini(&s->ops);
	if (s->ctx.mac)
		dns_tsig_ctx_fini(&s->ctx);
	dns_db_free(s->build);
	s->build = NULL;
}

/* After a failure: again after the SOA's retry. */
static void
fail(struct dns_secondary *s, const char *why)
{
	log_warn("dns: secondary %s: transfer from the primary failed: %s",
		 s->name, why);
	dns_xfrd_note(s->x, DNS_XFRD_REFRESH_FAILED);
	xfer_end(s);
	uint32_t r = s->zone ? soa_field(s->zone, 2) : RETRY_FIRST_S;
	loop_timer_set(s->loop, &s->refresh, (int64_t)(r ? r : 1) * 1000);
}

/* The copy in --zone-dir, in zone-file form: DIR/ZONE.zone. */
static void
save_path(const struct dns_secondary *s, char *out, size_t n)
{
	snprintf(out, n, "%s/%szone", s->x->zone_dir, s->name);
}

/* The rename itself reaches the disk only with its directory: without
 * this, a crash after the rename may bring back the old copy (or, on
 * some file systems, an empty file). */
static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int
save_zone(struct dns_secondary *s, const struct dns_zone *z)
{
	char path[4096], tmp[4200], text[DNS_NAME_TEXT_MAX], t[16];
	struct dns_xfr_src src;
	struct dns_xfr_rec r;
	struct buf rd;
	int rc = 0;

	if (s->x->zone_dir == NULL)
		return 0;
	save_path(s, path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (f == NULL)
		return -errno;
	buf_init(&rd, (size_t)1 << 20);
	fprintf(f, "; %s transferred from its primary; rewritten after "
		"each transfer\n", s->name);
	dns_xfr_src_zone(&src, z);
	/* The SOA once: the walk gives it last again. */
	while (rc == 0 && src.phase < 2 && dns_xfr_src_get(&src, &r)) {
		buf_reset(&rd);
		dns_name_format(r.owner, text, sizeof text);
		rc = dns_rdata_format(r.type, r.rd, r.rdlen, &rd);
		if (rc == 0 && src.phase < 2)
			fprintf(f, "%s %u IN %s %.*s\n", text, r.ttl,
				dns_type_name(r.type, t), (int)buf_size(&rd),
				(const char *)buf_data(&rd));
		dns_xfr_src_next(&src);
	}
	buf_fini(&rd);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -errno;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc == 0)
		rc = sync_dir(s->x->zone_dir);
	if (rc < 0) {
		unlink(tmp);
		log_warn("dns: secondary %s: cannot save %s: %s", s->name,
			 path, err_str(rc));
	}
	return rc;
}

/* The new zone is in: serve it, keep it, announce it. */
static void
installed(struct dns_secondary *s, struct dns_zone *z)
{
	if (dns_xfrd_install(s->x, s->apex, z) < 0) {
		dns_zone_unref(z);
		fail(s, "out of memory");
		return;
	}
	dns_zone_unref(s->zone);
	s->zone = z;
	atomic_store(&s->dead, 0);
	save_zone(s, z);
	dns_xfrd_note(s->x, DNS_XFRD_XFR_IN);
	log_info("dns: secondary %s: serial %u", s->name, soa_field(z, 0));
}

/* After a success: again after the SOA's refresh; expire from now. */
static void
refreshed(struct dns_secondary *s)
{
	xfer_end(s);
	dns_xfrd_note(s->x, DNS_XFRD_REFRESH_OK);
	uint32_t r = soa_field(s->zone, 1), e = soa_field(s->zone, 3);
	loop_timer_set(s->loop, &s->refresh, (int64_t)(r ? r : 1) * 1000);
	loop_timer_set(s->loop, &s->expire, (int64_t)(e ? e : 1) * 1000);
}

/* A zone alone in a database: built, then taken out of it. */
static struct dns_zone *
take_zone(struct dns_db *db, const char **why)
{
	static char err[256];

	if (dns_db_finish(db, err, sizeof err) < 0) {
		*why = err;
		return NULL;
	}
	/* Its answers' tails; without them, answers are written in full. */
	(void)dns_answer_prepare(db);
	struct dns_zone *z = db->zones[0];
	db->nzones = 0;
	return z;
}

static int
build_add(struct dns_secondary *s, const struct dns_xfr_rec *r)
{
	if (s->build == NULL) {
		s->build = calloc(1, sizeof *s->build);
		if (s->build)
			s->build->zones = malloc(sizeof *s->build->zones);
		if (s->build == NULL || s->build->zones == NULL)
			return -ENOMEM;
		s->build->zones[0] = dns_db_zone_new(s->apex, s->name);
		if (s->build->zones[0] == NULL)
			return -ENOMEM;
		s->build->nzones = 1;
	}
	s->build->nrecords++;
	return dns_db_zone_add(s->build->zones[0], r->owner, r->type, r->ttl,
			       r->rd, r->rdlen, &s->why);
}

static int
on_rr(void *arg, enum dns_xfr_op op, const struct dns_xfr_rec *r)
{
	struct dns_secondary *s = arg;
	uint8_t o = (uint8_t)op, low[DNS_NAME_MAX + 1];

	if (op == DNS_XFR_FULL)
		return build_add(s, r);
	struct dns_xfr_rec lr = *r;
	dns_name_lower(r->owner, low);
	lr.owner = low;
	int rc = buf_append(&s->ops, &o, 1);
	return rc ? rc : dns_xfr_list_add(&s->ops, &lr);
}

/* The deleted records of one difference, for lookups: offsets into the
 * ops list, in an open-addressing table. */
struct delset {
	const uint8_t *base;
	size_t *slot;
	size_t cap;
};

static uint32_t
rec_hash(const struct dns_xfr_rec *r)
{
	uint32_t h = 2166136261u;
	size_t n = dns_name_len(r->owner);

	for (size_t i = 0; i < n; i++)
		h = (h ^ r->owner[i]) * 16777619u;
	h = (h ^ r->type) * 16777619u;
	for (size_t i = 0; i < r->rdlen; i++)
		h = (h ^ r->rd[i]) * 16777619u;
	return h;
}

static int
rec_same(const struct dns_xfr_rec *a, const struct dns_xfr_rec *b)
{
	return a->type == b->type && a->rdlen == b->rdlen &&
		dns_name_equal(a->owner, b->owner) &&
		memcmp(a->rd, b->rd, a->rdlen) == 0;
}

static int
delset_has(const struct delset *d, const struct dns_xfr_rec *r)
{
	struct dns_xfr_rec o;

	if (d->cap == 0)
		return 0;
	for (size_t i = rec_hash(r) & (d->cap - 1); d->slot[i];
	     i = (i + 1) & (d->cap - 1)) {
		size_t pos = d->slot[i] - 1;
		dns_xfr_list_get(d->base, SIZE_MAX, &pos, &o);
		if (rec_same(&o, r))
			return 1;
	}
	return 0;
}

/* Applies one difference (ops[from..to): the deleted records, the new
 * SOA, the added records) to z. Returns the new zone or NULL. */
static struct dns_zone *
apply(struct dns_secondary *s, const struct dns_zone *z, size_t from,
      size_t to)
{
	const uint8_t *ops = buf_data(&s->ops);
	struct delset d = { ops, NULL, 16 };
	struct dns_xfr_rec r;
	size_t pos = from, adds = to, n = 0;
	int rc = 0;

	while (pos < to && ops[pos] == DNS_XFR_DEL) {
		pos++;
		dns_xfr_list_get(ops, to, &pos, &r);
		n++;
	}
	adds = pos;		/* at the new SOA */
	while (d.cap < 2 * n + 2)
		d.cap *= 2;
	d.slot = calloc(d.cap, sizeof *d.slot);
	if (d.slot == NULL)
		return NULL;
	for (pos = from; pos < adds;) {
		size_t at = ++pos;
		dns_xfr_list_get(ops, to, &pos, &r);
		size_t i = rec_hash(&r) & (d.cap - 1);
		while (d.slot[i])
			i = (i + 1) & (d.cap - 1);
		d.slot[i] = at + 1;
	}
	/* The new SOA and the additions, then what stays of the old. */
	for (pos = adds; pos < to && rc == 0;) {
		pos++;
		dns_xfr_list_get(ops, to, &pos, &r);
		rc = build_add(s, &r);
	}
	struct dns_xfr_src src;
	dns_xfr_src_zone(&src, z);
	dns_xfr_src_next(&src);
	while (rc == 0 && dns_xfr_src_get(&src, &r) && src.phase == 1) {
		if (!delset_has(&d, &r))
			rc = build_add(s, &r);
		dns_xfr_src_next(&src);
	}
	free(d.slot);
	if (rc < 0 || s->build == NULL)
		return NULL;
	struct dns_zone *nz = take_zone(s->build, &s->why);
	dns_db_free(s->build);
	s->build = NULL;
	return nz;
}

/* Every difference in turn, from our zone to the last. */
static struct dns_zone *
apply_all(struct dns_secondary *s)
{
	const uint8_t *ops = buf_data(&s->ops);
	size_t len = buf_size(&s->ops), pos = 0;
	struct dns_zone *z = s->zone;
	struct dns_xfr_rec r;

	dns_zone_ref(z);
	while (pos < len && z) {
		pos++;		/* the VERSION op and the old SOA */
		dns_xfr_list_get(ops, len, &pos, &r);
		size_t from = pos;
		while (pos < len && ops[pos] != DNS_XFR_VERSION) {
			pos++;
			dns_xfr_list_get(ops, len, &pos, &r);
		}
		struct dns_zone *nz = apply(s, z, from, pos);
		dns_zone_unref(z);
		z = nz;
	}
	return z;
}

/* The answer is complete and checked: install what it says. */
static void
complete(struct dns_secondary *s)
{
	struct dns_zone *z;

	if (s->parse.up_to_date) {
		refreshed(s);
		return;
	}
	s->why = "out of memory";
	z = s->parse.incremental ? apply_all(s) :
		s->build ? take_zone(s->build, &s->why) : NULL;
	if (z == NULL) {
		fail(s, s->why);
		return;
	}
	installed(s, z);
	if (s->zone == z)
		refreshed(s);
}

/* The query: IXFR with our SOA in the authority section (RFC 1995
 * section 3), or AXFR; framed for TCP, signed when keyed. */
static int
query(struct dns_secondary *s, uint8_t *msg, size_t max, size_t *len)
{
	struct dns_wr w;
	struct dns_hdr h = { 0, 0, 1, 0, 0, 0 };

	/* a random ID (RFC 5452 section 9.2); without entropy, the clock's
	 * low bits are still better than a fixed number */
	if (getrandom(&s->id, sizeof s->id, GRND_NONBLOCK) != sizeof s->id)
		s->id = (uint16_t)clock_mono_ms();
	h.id = s->id;
	s->parse.id = s->id;
	h.nscount = s->qtype == DNS_T_IXFR;
	dns_wr_init(&w, msg + 2, max - 2);
	dns_wr_hdr(&w, &h);
	dns_wr_name(&w, s->apex, 1);
	dns_wr_u16(&w, s->qtype);
	dns_wr_u16(&w, DNS_C_IN);
	if (s->qtype == DNS_T_IXFR) {
		struct dns_xfr_src src;
		struct dns_xfr_rec r;
		dns_xfr_src_zone(&src, s->zone);
		dns_xfr_src_get(&src, &r);
		dns_wr_rr(&w, r.owner, r.type, DNS_C_IN, r.ttl, r.rd, r.rdlen);
	}
	if (w.err)
		return ERR_TOOBIG;
	size_t n = w.len;
	if (s->key >= 0) {
		int rc = dns_tsig_ctx_init(&s->ctx, &s->x->keys[s->key]);
		if (rc == 0)
			rc = dns_tsig_sign(&s->ctx, msg + 2, &n, max - 2,
					   (uint64_t)time(NULL), 0, 0);
		if (rc < 0)
			return rc;
	}
	msg[0] = (uint8_t)(n >> 8);
	msg[1] = (uint8_t)n;
	*len = n + 2;
	return 0;
}

/* One message of the answer: its TSIG (every message signed, or up to
 * 99 unsigned between signed ones), then its records. */
static int
message(struct dns_secondary *s, const uint8_t *msg, size_t len)
{
	struct dns_tsig_rr t;
	int rc = 0;

	if (s->key >= 0) {
		rc = dns_tsig_find(msg, len, &t);
		s->why = "the answer is not signed";
		if (rc < 0 || (rc == 0 && s->nmsg == 0))
			return ERR_PARSE;
		if (rc == 0)
			rc = dns_tsig_skip(&s->ctx, msg, len);
		else if (t.error || !dns_name_equal(t.key,
						     s->x->keys[s->key].name))
			rc = ERR_PARSE;
		else
			rc = dns_tsig_verify(&s->ctx, msg, len, &t,
					     (uint64_t)time(NULL),
					     s->nmsg > 0) ? ERR_PARSE : 0;
		s->why = "bad TSIG on the answer";
		if (rc != 0)
			return ERR_PARSE;
	}
	s->nmsg++;
	return dns_xfr_in_msg(&s->parse, msg, len, &s->why);
}

static void start_transfer(struct dns_secondary *s, uint16_t qtype);

/* Reads whole frames. Returns 0 to wait, 1 when done (s settled). */
static int
read_frames(struct dns_secondary *s)
{
	for (;;) {
		while (buf_size(&s->in) >= 2) {
			const uint8_t *p = buf_data(&s->in);
			size_t n = (size_t)p[0] << 8 | p[1];
			if (buf_size(&s->in) < 2 + n)
				break;
			int rc = message(s, p + 2, n);
			buf_consume(&s->in, 2 + n);
			if (rc == 1) {
				complete(s);
				return 1;
			}
			if (rc == 0)
				continue;
			/* A primary without IXFR: ask for the whole zone. */
			if (s->qtype == DNS_T_IXFR &&
			    (s->parse.rcode == DNS_RCODE_NOTIMP ||
			     s->parse.rcode == DNS_RCODE_FORMERR ||
			     s->parse.rcode == DNS_RCODE_REFUSED)) {
				xfer_end(s);
				start_transfer(s, DNS_T_AXFR);
				return 1;
			}
			fail(s, s->why);
			return 1;
		}
		if (buf_reserve(&s->in, 16384) < 0) {
			fail(s, "a message larger than 64 KiB");
			return 1;
		}
		ssize_t got = read(s->fd, buf_tail(&s->in), buf_room(&s->in));
		if (got < 0 && errno == EAGAIN)
			return 0;
		if (got <= 0) {
			fail(s, "the connection closed before the last SOA");
			return 1;
		}
		buf_commit(&s->in, (size_t)got);
		loop_timer_set(s->loop, &s->idle, IDLE_MS);
	}
}

static void
on_conn(struct loop *l, int fd, int events, void *arg)
{
	struct dns_secondary *s = arg;
	uint8_t q[1024];
	size_t qlen;

	if (!s->sent) {
		if (!(events & (LOOP_WRITE | LOOP_HUP)))
			return;
		int rc = net_connect_result(fd);
		if (rc == 0)
			rc = query(s, q, sizeof q, &qlen);
		if (rc == 0 && send(fd, q, qlen, MSG_NOSIGNAL) != (ssize_t)qlen)
			rc = -EIO;
		if (rc < 0) {
			fail(s, err_str(rc));
			return;
		}
		s->sent = 1;
	}
	read_frames(s);
}

static void
on_idle(struct loop *l, void *arg)
{
	fail(arg, "the primary went silent");
}

static void
start_transfer(struct dns_secondary *s, uint16_t qtype)
{
	s->qtype = qtype;
	s->sent = s->nmsg = 0;
	buf_init(&s->in, FRAME_MAX + 16384);
	buf_init(&s->ops, (size_t)1 << 30);
	memset(&s->ctx, 0, sizeof s->ctx);
	uint32_t have = s->zone ? soa_field(s->zone, 0) : 0;
	dns_xfr_in_init(&s->parse, s->apex, 0, qtype, have);
	s->parse.rr = on_rr;
	s->parse.arg = s;
	s->fd = net_connect_start(&s->primary, SOCK_STREAM);
	if (s->fd < 0 || loop_add_fd(s->loop, s->fd, on_conn, s) < 0) {
		fail(s, s->fd < 0 ? err_str(s->fd) : "no memory");
		return;
	}
	/* The ID is known once the query is written; the parser checks
	 * it from the first message on. */
	loop_timer_set(s->loop, &s->idle, IDLE_MS);
}

static void
on_refresh(struct loop *l, void *arg)
{
	struct dns_secondary *s = arg;

	if (s->fd >= 0)
		return;
	start_transfer(s, s->zone ? DNS_T_IXFR : DNS_T_AXFR);
}

static void
on_expire(struct loop *l, void *arg)
{
	struct dns_secondary *s = arg;

	log_warn("dns: secondary %s: expired (no answer from the primary "
		 "within the SOA's expire): SERVFAIL until it answers",
		 s->name);
	atomic_store(&s->dead, 1);
	dns_xfrd_install(s->x, s->apex, NULL);
}

void
dns_secondary_wake(struct dns_xfrd *x)
{
	for (int i = 0; i < x->nsec; i++)
		if (atomic_exchange(&x->sec[i]->notified, 0))
			on_refresh(x->loop0, x->sec[i]);
}

int
dns_secondary_start(struct dns_xfrd *x, struct loop *l)
{
	for (int i = 0; i < x->nsec; i++) {
		struct dns_secondary *s = x->sec[i];
		s->loop = l;
		loop_timer_init(&s->refresh, on_refresh, s);
		loop_timer_init(&s->expire, on_expire, s);
		loop_timer_init(&s->idle, on_idle, s);
		loop_timer_set(l, &s->refresh, 0);
		if (s->zone)
			loop_timer_set(l, &s->expire,
				       (int64_t)soa_field(s->zone, 3) * 1000);
	}
	return 0;
}

void
dns_secondary_stop(struct dns_xfrd *x)
{
	for (int i = 0; i < x->nsec; i++) {
		struct dns_secondary *s = x->sec[i];
		if (s->loop == NULL)
			continue;
		xfer_end(s);
		loop_timer_del(s->loop, &s->refresh);
		loop_timer_del(s->loop, &s->expire);
		s->loop = NULL;
	}
}

void
dns_secondary_free(struct dns_xfrd *x)
{
	for (int i = 0; i < x->nsec; i++) {
		dns_zone_unref(x->sec[i]->zone);
		free(x->sec[i]);
	}
	x->nsec = 0;
}

/* At start, before the workers: the copies saved by an earlier run. */
int
dns_secondary_load_saved(struct dns_xfrd *x, struct dns_db *db)
{
	char path[4096], err[4200];

	for (int i = 0; x->zone_dir && i < x->nsec; i++) {
		struct dns_secondary *s = x->sec[i];
		const char *files[] = { path };
		struct dns_db *saved = NULL;
		save_path(s, path, sizeof path);
		/* A temporary copy left by a run killed while writing it:
		 * never complete, never read; removed so that nothing
		 * but the zone files stays. */
		snprintf(err, sizeof err, "%s.tmp", path);
		if (unlink(err) == 0)
			log_warn("dns: secondary %s: removed %s, left by a "
				 "run stopped while writing it", s->name, err);
		snprintf(err, sizeof err, "%s: another zone", path);
		if (access(path, F_OK) < 0)
			continue;
		if (dns_load(files, 1, NULL, &saved, err, sizeof err) < 0 ||
		    !dns_name_equal(saved->zones[0]->apex, s->apex)) {
			log_warn("dns: secondary %s: ignoring the saved copy: "
				 "%s", s->name, err);
			if (saved)
				dns_db_free(saved);
			continue;
		}
		void *p = realloc(db->zones, sizeof *db->zones *
				  (size_t)(db->nzones + 1));
		if (p == NULL) {
			dns_db_free(saved);
			return -ENOMEM;
		}
		db->zones = p;
		/* Two holders: db and s. */
		s->zone = saved->zones[0];
		dns_zone_ref(s->zone);
		dns_zone_ref(s->zone);
		db->zones[db->nzones++] = s->zone;
		db->nrecords += saved->nrecords;
		atomic_store(&s->dead, 0);
		dns_db_free(saved);
	}
	return 0;
}

const struct net_addr *
dns_secondary_primary(const struct dns_xfrd *x, int i)
{
	return &x->sec[i]->primary;
}
