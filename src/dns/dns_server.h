/* dns_server: the name server engine on one worker's loop: UDP with
 * recvmmsg/sendmmsg batches, TCP with 2-byte length framing (RFC 1035
 * section 4.2.2, RFC 7766), both through dns_answer. The database is
 * shared by every worker and swapped atomically on reload. */
#ifndef INETKIT_DNS_SERVER_H
#define INETKIT_DNS_SERVER_H

#include <stdatomic.h>

#include "dns_db.h"
#include "dns_rrl.h"

struct loop;
struct dns_rrl;
struct dns_xfrd;

/* UDP socket buffers asked: 2 MiB to receive, 1 MiB to send (NSD asks
 * 1 MiB each; the kernel doubles what it is asked for its bookkeeping).
 * The kernel's default 208 KiB holds some 200 small datagrams (each is
 * charged about 1 KiB on loopback): a burst or a flood fills it in
 * milliseconds, and from then on well-behaved queries are dropped with
 * the flood's. 4 MiB holds some 4,000, a few tens of milliseconds of
 * work: docs/BENCHMARKS.md, "Floods", measured 1 and 2 MiB. */
#define DNS_RCVBUF_DEFAULT (2 << 20)
#define DNS_SNDBUF_DEFAULT (1 << 20)
#define DNS_SOCKBUF_MAX (1 << 28)

struct dns_server_config {
	int idle_timeout_ms;	/* a TCP connection silent this long closes */
	int max_conns;		/* TCP connections per worker */
	int udp_max;		/* largest UDP reply, 512..65535 */
	int so_rcvbuf, so_sndbuf;	/* UDP buffers asked; 0: the default */
	struct dns_rrl *rrl;	/* UDP response rate limiting, or NULL */
	struct dns_xfrd *xfrd;	/* zone transfer, TSIG, NOTIFY; or NULL */
};

/* One worker's hazard slot: the database it is reading, or NULL. On its
 * own cache line so that workers never write a shared line. */
#define DNS_STATS_RCODES 7

struct dns_hazard {
	_Alignas(64) _Atomic(struct dns_db *) db;	/* a line per worker */
	/* the worker's counters, on the line it writes for each batch
	 * anyway; only it writes them, dns_served_stats sums them */
	uint64_t queries;		/* replies sent, UDP and TCP */
	uint64_t rcode[DNS_STATS_RCODES];	/* by RCODE; the last: others */
	/* UDP responses over the --rrl rate (socket and XDP paths):
	 * rrl.limited = rrl.slipped (sent with TC=1) + rrl.dropped */
	struct dns_rrl_stats rrl;
};

/* The counters of every worker, summed: replies by RCODE (NOERROR,
 * FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, then any other). */
struct dns_stats {
	uint64_t queries;
	uint64_t rcode[DNS_STATS_RCODES];
	uint64_t rrl_limited, rrl_slipped, rrl_dropped;
};

/* What every worker serves: the current database. */
struct dns_served {
	_Atomic(struct dns_db *) db;
	struct dns_hazard *slots;
	int nslots;
};

/* Takes ownership of db. Returns 0 or -ENOMEM. */
int dns_served_init(struct dns_served *s, struct dns_db *db, int nworkers);
/* Publishes db (taking ownership), waits until no worker still reads
 * the old one, and frees it. Call from one thread (the main one). */
void dns_served_swap(struct dns_served *s, struct dns_db *db);
/* Sums the workers' counters into out (lock-free reads). */
void dns_served_stats(const struct dns_served *s, struct dns_stats *out);
/* The two halves of dns_served_swap, for a caller that publishes under a
 * lock of its own but must not wait for the workers under it: publish
 * returns the old database, retire waits and frees it. */
struct dns_db *dns_served_publish(struct dns_served *s, struct dns_db *db);
void dns_served_retire(struct dns_served *s, struct dns_db *old);
/* Frees the database, once the workers have stopped. */
void dns_served_fini(struct dns_served *s);

/* Worker index's read of the database (a hazard pointer): announce it,
 * then check that it is still current. Leave before the next enter. */
static inline struct dns_db *
dns_served_enter(struct dns_served *s, int index)
{
	struct dns_db *db;

	do {
		db = atomic_load(&s->db);
		atomic_store(&s->slots[index].db, db);
	} while (db != atomic_load(&s->db));
	return db;
}

static inline void
dns_served_leave(struct dns_served *s, int index)
{
	atomic_store(&s->slots[index].db, NULL);
}

/* One reply (its wire bytes) counted by worker index: plain stores, the
 * worker being its slot's only writer. */
static inline void
dns_served_count(struct dns_served *s, int index, const uint8_t *reply)
{
	struct dns_hazard *h = &s->slots[index];
	unsigned rc = reply[3] & 0x0f;
	uint64_t *c = &h->rcode[rc < DNS_STATS_RCODES - 1 ? rc :
				DNS_STATS_RCODES - 1];

	__atomic_store_n(&h->queries, h->queries + 1, __ATOMIC_RELAXED);
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

/* Starts worker index's part: its TCP listeners and UDP sockets (taken
 * over, closed at the end). Returns NULL on failure. */
struct dns_worker;
struct dns_worker *dns_worker_start(struct loop *l, struct dns_served *s,
				    int index,
				    const struct dns_server_config *c,
				    const int *tcp_fds, int ntcp,
				    const int *udp_fds, int nudp);
/* Closes every socket and connection, after the loop ended. */
void dns_worker_free(struct dns_worker *w);

#endif
