/* net_addr: IPv4 and IPv6 addresses and the ADDR:PORT syntax of the command
 * line ("127.0.0.1:8080", "[::1]:8080", ":8080" for every address). Pure:
 * no name lookups, no I/O. */
#ifndef INETKIT_ADDR_H
#define INETKIT_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct net_addr {
	struct sockaddr_storage ss;
	socklen_t len;		/* 0 when unset */
};

/* Longest string net_addr_format writes, with its NUL. */
#define NET_ADDR_STRLEN 56

/* Parses a numeric IPv4 or IPv6 address (no port, no brackets) into out
 * with port 0. Returns 0 or ERR_PARSE. */
int net_ip_parse(const char *s, struct net_addr *out);
/* Parses "ADDR:PORT", "[V6]:PORT" or ":PORT" (the IPv6 wildcard, which
 * also accepts IPv4). Returns 0, ERR_PARSE, or ERR_RANGE for a bad port. */
int net_addr_parse(const char *s, struct net_addr *out);
/* Splits "HOST:PORT" / "[V6]:PORT" into host and port without resolving:
 * host is copied into host (hostsz bytes). Returns 0, ERR_PARSE, ERR_RANGE
 * or ERR_TOOBIG when the host does not fit. */
int net_hostport_split(const char *s, char *host, size_t hostsz,
		       uint16_t *port);
/* Writes "1.2.3.4:80" or "[::1]:80" (with_port) or the bare address into
 * out. Returns the length, or ERR_TOOBIG when size is too small. */
int net_addr_format(const struct net_addr *a, int with_port, char *out,
		    size_t size);
uint16_t net_addr_port(const struct net_addr *a);
void net_addr_set_port(struct net_addr *a, uint16_t port);
int net_addr_family(const struct net_addr *a);
/* True when both hold the same family, address and port. */
int net_addr_equal(const struct net_addr *a, const struct net_addr *b);

#endif
