/* resolv_conf: the two files a stub resolver reads, as pure functions
 * over their text: resolv.conf(5) (nameserver lines and the timeout and
 * attempts options) and hosts(5) (address, canonical name, aliases).
 * No I/O: the caller reads the files. */
#ifndef INETKIT_RESOLV_CONF_H
#define INETKIT_RESOLV_CONF_H

#include <stddef.h>

#include "net/net_addr.h"

#define RESOLV_MAX_SERVERS 8	/* nameserver lines kept */
#define RESOLV_MAX_LINE 1024	/* longer lines are skipped */
#define RESOLV_PORT 53

struct resolv_conf {
	struct net_addr servers[RESOLV_MAX_SERVERS];	/* port 53 */
	int nservers;
	int timeout_ms;		/* options timeout:N, 0 when absent */
	int attempts;		/* options attempts:N, 0 when absent */
};

/* Parses resolv.conf text text[0..n). Lines it does not understand
 * (search, domain, sortlist, unknown options, bad addresses, comments
 * after '#' or ';') are skipped, as the C library does. timeout is
 * capped at 30 s and attempts at 5 (resolv.conf(5)). Returns the number
 * of servers found (0 is valid: the caller picks a default). */
int resolv_conf_parse(const char *text, size_t n,
		      struct resolv_conf *out);

/* Finds name (a host name without a trailing dot, case-insensitive) in
 * hosts text text[0..n), as a canonical name or an alias, and writes the
 * addresses of the lines that name it into out (at most max, in file
 * order, duplicates dropped, port 0). Returns the count: 0 when the name
 * is absent. Lines longer than RESOLV_MAX_LINE are skipped. */
int resolv_hosts_find(const char *text, size_t n, const char *name,
		      struct net_addr *out, int max);

#endif
