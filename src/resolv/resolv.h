/* resolv: the asynchronous stub resolver every client uses, on the
 * event loop (RFC 1034 section 5.3.1, RFC 1123 section 6.1.3).
 *
 * A name is looked up in this order: a numeric address is its own answer;
 * then the pinned names (curl's --resolve); then the hosts file; then the
 * cache; then the name servers, asked for AAAA and A at once over UDP
 * (EDNS0, a random ID, a connected socket so that only the server's
 * address can answer), with a timeout per wait, the next server when one
 * times out or fails (SERVFAIL, REFUSED, garbage), `attempts` rounds over
 * the list, TCP when a reply is truncated (RFC 7766 section 5), CNAME
 * chains followed across replies, and every reply checked for its ID,
 * question, QR bit and rcode (anything else is ignored). Once one type
 * has addresses the other gets RESOLV_GRACE_MS more, not the whole
 * timeout.
 *
 *   resolv_config_init / _system / _server / _pin   configuration
 *   resolv_new / resolv_free                        one resolver per loop
 *   resolv_lookup / resolv_cancel                   one lookup
 *   resolv_lookup_blocking                          for simple clients */
#ifndef INETKIT_RESOLV_H
#define INETKIT_RESOLV_H

#include "net/net_addr.h"
#include "resolv_conf.h"

struct loop;

#define RESOLV_MAX_PINS 16
#define RESOLV_MAX_ADDRS 32	/* addresses handed to a callback */
#define RESOLV_MAX_HOSTS (1 << 20)	/* hosts file bytes read */
#define RESOLV_MAX_CHAIN 16	/* CNAME links across replies */
#define RESOLV_GRACE_MS 250	/* the other family's wait, once one
					 * family has addresses (RFC 8305) */

struct resolv_pin {
	char name[256];		/* no trailing dot; compared without case */
	struct net_addr addr;
};

struct resolv_config {
	struct net_addr servers[RESOLV_MAX_SERVERS];	/* with port */
	int nservers;		/* 0: 127.0.0.1:53, as resolv.conf(5) says */
	int timeout_ms;		/* each wait for one server; default 2000 */
	int attempts;		/* rounds over the servers; default 2 */
	const char *hosts_path;	/* a hosts(5) file, or NULL for none */
	struct resolv_pin pins[RESOLV_MAX_PINS];
	int npins;
	int cache_max;		/* cached answers; default 512, 0: none */
	int no_edns;		/* ask without EDNS0 */
};

/* Defaults: no servers, no hosts file, no pins. */
void resolv_config_init(struct resolv_config *c);
/* Reads resolv_path (resolv.conf(5)) for servers, timeout and attempts,
 * and sets hosts_path. A missing resolv.conf is no error (the defaults
 * stand). Returns 0 or -errno for a file that exists but cannot be read. */
int resolv_config_system(struct resolv_config *c,
			 const char *resolv_path,
			 const char *hosts_path);
/* Adds a server (repeatable: tried in the order added). Returns 0 or
 * ERR_TOOBIG. */
int resolv_config_server(struct resolv_config *c,
			 const struct net_addr *server);
/* Pins name to addr (repeatable for several addresses). Returns 0,
 * ERR_TOOBIG (too many pins, name too long). */
int resolv_config_pin(struct resolv_config *c, const char *name,
		      const struct net_addr *addr);

struct resolv;
struct resolv_query;

/* The result of one lookup: status 0 and n >= 1 addresses (port 0) in the
 * order to try them (IPv6 and IPv4 interleaved, IPv6 first, RFC 8305
 * section 4), or a negative status and n == 0: ERR_NOTFOUND (no such name
 * or no address), ERR_TIMEOUT (no server answered), -EAGAIN (every server
 * failed), ERR_PARSE (not a valid host name). addrs is borrowed for the
 * call. The query is gone when fn runs; fn may start new lookups or free
 * the resolver. */
typedef void (*resolv_fn)(void *arg, int status,
			  const struct net_addr *addrs, int n);

/* A resolver on loop l, with a copy of c (the hosts file is read now).
 * Returns NULL when out of memory. */
struct resolv *resolv_new(struct loop *l,
			  const struct resolv_config *c);
/* Cancels every pending lookup (their callbacks are not called), closes
 * the sockets, frees the cache. */
void resolv_free(struct resolv *r);

/* Looks name up (text; a trailing dot is allowed; a numeric IPv4 or IPv6
 * address answers itself). fn(arg, ...) is called exactly once, always
 * from the loop, never from inside this call, unless the lookup is
 * cancelled. Returns a handle, valid until fn runs or the lookup is
 * cancelled, or NULL when out of memory. */
struct resolv_query *resolv_lookup(struct resolv *r, const char *name,
				   resolv_fn fn, void *arg);
/* Stops a lookup whose callback has not run yet; fn will not be called. */
void resolv_cancel(struct resolv_query *q);

/* A short static description of a lookup status ("no such host"). */
const char *resolv_strerror(int status);

/* Resolves name on a private loop and waits: for simple blocking
 * clients. Writes at most max addresses into out. Returns the count (>= 1)
 * or a status as resolv_fn receives it (or -ENOMEM). */
int resolv_lookup_blocking(const struct resolv_config *c,
			   const char *name, struct net_addr *out, int max);

#endif
