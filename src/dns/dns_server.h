/* dns_server: the name server engine on one worker's loop: UDP with
 * recvmmsg/sendmmsg batches, TCP with 2-byte length framing (RFC 1035
 * section 4.2.2, RFC 7766), both through dns_answer. The database is
 * shared by every worker and swapped atomically on reload. */
#ifndef INETKIT_DNS_SERVER_H
#define INETKIT_DNS_SERVER_H

#include <stdatomic.h>

#include "dns_db.h"

struct loop;
struct dns_rrl;
struct dns_xfrd;

struct dns_server_config {
	int idle_timeout_ms;	/* a TCP connection silent this long closes */
	int max_conns;		/* TCP connections per worker */
	int udp_max;		/* largest UDP reply, 512..65535 */
	struct dns_rrl *rrl;	/* UDP response rate limiting, or NULL */
	struct dns_xfrd *xfrd;	/* zone transfer, TSIG, NOTIFY; or NULL */
};

/* One worker's hazard slot: the database it is reading, or NULL. On its
 * own cache line so that workers never write a shared line. */
struct dns_hazard {
	_Atomic(struct dns_db *) db;
	char pad[64 - sizeof(void *)];
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
