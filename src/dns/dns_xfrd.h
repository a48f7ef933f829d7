/* dns_xfrd: zone transfer on the name server's loops. The primary side
 * (who may transfer, TSIG on queries, AXFR/IXFR streams over TCP, IXFR
 * over UDP, NOTIFY out) and the secondary side (refresh, transfers in,
 * NOTIFY in, the copies saved in --zone-dir) share this state, which the
 * command fills before the workers start. dns_server calls the two hooks
 * for every query once a dns_xfrd is configured. */
#ifndef INETKIT_DNS_XFRD_H
#define INETKIT_DNS_XFRD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dns_journal.h"
#include "dns_server.h"
#include "dns_tsig.h"
#include "net/net_addr.h"

#define DNS_XFRD_MAX 32		/* keys, ACL entries, notify targets... */
#define DNS_XFRD_SEND_TIMEOUT_MS 30000
#define DNS_XFRD_NOTIFY_RETRY_MS 15000
#define DNS_XFRD_NOTIFY_TRIES 5

/* --allow-transfer: an address prefix, or a key (key >= 0). */
struct dns_xfrd_acl {
	int key;
	struct net_addr net;
	int prefix;
};

struct dns_xfrd_notify {
	struct net_addr addr;
	int key;		/* -1: unsigned */
};

struct dns_secondary;
struct dns_notifier;
struct loop;

/* What zone transfer did, for the status page: rare events, counted
 * with atomic adds by whichever thread sees them. */
enum dns_xfrd_count {
	DNS_XFRD_AXFR_OUT,	/* AXFR requests served (allowed) */
	DNS_XFRD_IXFR_OUT,	/* IXFR requests served, UDP or TCP */
	DNS_XFRD_NOTIFY_OUT,	/* NOTIFY messages sent (tries included) */
	DNS_XFRD_NOTIFY_IN,	/* NOTIFY messages received */
	DNS_XFRD_XFR_IN,	/* secondary zones installed from a transfer */
	DNS_XFRD_REFRESH_OK,	/* secondary refreshes that succeeded */
	DNS_XFRD_REFRESH_FAILED,
	DNS_XFRD_NCOUNTS
};

struct dns_xfrd {
	struct dns_tsig_key keys[DNS_XFRD_MAX];
	int nkeys;
	struct dns_xfrd_acl acl[DNS_XFRD_MAX];
	int nacl;
	struct dns_xfrd_notify notify[DNS_XFRD_MAX];
	int nnotify;
	struct dns_secondary *sec[DNS_XFRD_MAX];
	int nsec;
	const char *zone_dir;
	int send_timeout_ms;
	struct dns_served *served;
	/* Held to build and publish a database (reload, transfer in) and
	 * to read or change the journals. */
	pthread_mutex_t lock;
	struct dns_journal *journals;
	int njournals;
	/* Worker 0's: its loop runs the secondaries and the NOTIFY sender;
	 * other threads wake it through the eventfd. */
	struct loop *loop0;
	int wake_fd;
	struct dns_notifier *notifier;
	/* Zones whose serial changed, for the NOTIFY sender (lock held). */
	uint8_t (*changed)[DNS_NAME_MAX + 1];
	int nchanged;
	time_t (*now)(void);	/* seconds since 1970; tests may fake it */
	uint64_t counts[DNS_XFRD_NCOUNTS];
};

static inline void
dns_xfrd_note(struct dns_xfrd *x, enum dns_xfrd_count k)
{
	__atomic_fetch_add(&x->counts[k], 1, __ATOMIC_RELAXED);
}

/* Parses one flag's value into x; returns 0 or ERR_PARSE with *why. */
int dns_xfrd_add_key(struct dns_xfrd *x, const char *spec, const char **why);
int dns_xfrd_add_acl(struct dns_xfrd *x, const char *spec, const char **why);
int dns_xfrd_add_notify(struct dns_xfrd *x, const char *spec,
			const char **why);
/* ZONE@ADDR[:PORT][/KEYNAME] */
int dns_xfrd_add_secondary(struct dns_xfrd *x, const char *spec,
			   const char **why);
void dns_xfrd_init(struct dns_xfrd *x);
/* Before the workers start: loads the saved copies of the secondary
 * zones into db (which the caller then publishes). Returns 0 or -errno. */
int dns_xfrd_setup(struct dns_xfrd *x, struct dns_db *db);
/* Publishes a database loaded from the files (SIGHUP): the secondary
 * zones come over from the current one, journals and NOTIFY follow the
 * serials that changed. Takes ownership of db. */
void dns_xfrd_publish_reload(struct dns_xfrd *x, struct dns_db *db);
/* On worker 0's loop, after dns_worker_start: the secondaries' timers
 * and the NOTIFY sender. Returns 0 or -errno. */
int dns_xfrd_start(struct dns_xfrd *x, struct loop *l);
/* After the workers ended. */
void dns_xfrd_fini(struct dns_xfrd *x);

/* The hooks. UDP: returns the reply's length in out, 0 to let the
 * ordinary answer go, or DNS_XFRD_DROP. TCP: returns 0 (not ours), 1
 * (reply of *outlen bytes in out) or 2 (the hook took the descriptor
 * over: the caller forgets it without closing it). db is the database
 * the worker holds for this query. */
#define DNS_XFRD_DROP ((size_t)-1)
size_t dns_xfrd_udp(struct dns_xfrd *x, const struct dns_db *db,
		    const struct sockaddr_storage *from, const uint8_t *q,
		    size_t qlen, uint8_t *out, size_t outsz);
int dns_xfrd_tcp(struct dns_xfrd *x, struct loop *l, int fd,
		 const struct dns_db *db, const uint8_t *q, size_t qlen,
		 uint8_t *out, size_t outsz, size_t *outlen);

/* Internal, between dns_xfrd.c, dns_xfr_out.c and dns_secondary.c. */
/* Replaces (or adds; z NULL: removes) the zone of apex in the served
 * database, records the difference in the journal and queues NOTIFY.
 * Lock not held. Takes a reference to z. Returns 0 or -ENOMEM. */
int dns_xfrd_install(struct dns_xfrd *x, const uint8_t *apex,
		     struct dns_zone *z);
/* Wakes worker 0's loop: NOTIFY to send, refreshes to start. */
void dns_xfrd_wake(struct dns_xfrd *x);
/* The journal of apex, created when create (lock held), or NULL. */
struct dns_journal *dns_xfrd_journal(struct dns_xfrd *x,
				     const uint8_t *apex, int create);
/* A NOTIFY for apex from `from` (key: the verified key or NULL): 0
 * accepted (refresh queued), else the rcode to answer. Any thread. */
int dns_secondary_notified(struct dns_xfrd *x, const uint8_t *apex,
			   const struct sockaddr_storage *from,
			   const struct dns_tsig_key *key);
/* 1 when name falls in a secondary zone we cannot serve (expired, or
 * never transferred): its queries get SERVFAIL. */
int dns_secondary_dead(struct dns_xfrd *x, const uint8_t *name);
/* 1 when apex is one of the secondary zones. */
int dns_secondary_owns(const struct dns_xfrd *x, const uint8_t *apex);
/* The primary of x->sec[i] (for the sandbox: TCP connect to its port). */
const struct net_addr *dns_secondary_primary(const struct dns_xfrd *x,
					     int i);
int dns_secondary_start(struct dns_xfrd *x, struct loop *l);
void dns_secondary_wake(struct dns_xfrd *x);
void dns_secondary_stop(struct dns_xfrd *x);	/* worker 0, at stop */
void dns_secondary_free(struct dns_xfrd *x);	/* once workers ended */
int dns_secondary_load_saved(struct dns_xfrd *x, struct dns_db *db);
int dns_notifier_start(struct dns_xfrd *x, struct loop *l);
void dns_notifier_wake(struct dns_xfrd *x);
void dns_notifier_free(struct dns_xfrd *x);
/* Whether peer (or key) may transfer. */
int dns_xfrd_allowed(const struct dns_xfrd *x,
		     const struct sockaddr_storage *peer,
		     const struct dns_tsig_key *key);

#endif
