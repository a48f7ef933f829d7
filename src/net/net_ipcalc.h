/* net_ipcalc: the subnet calculator behind `inetkit ipcalc`. Given an address
 * and a prefix (or an IPv4 mask) it works out the network, its range, its
 * size, the IPv4 class and what kind of address it is. Pure: no I/O. */
#ifndef INETKIT_IPCALC_H
#define INETKIT_IPCALC_H

#include <stdint.h>

#include "net/net_addr.h"

/* What an address is (RFC 6890 registries). An IPv4 address may carry
 * several flags; an IPv6 address carries exactly one, its type. */
enum net_ipcalc_flag {
	NET_IPCALC_PRIVATE = 1 << 0,	/* 10/8, 172.16/12, 192.168/16 */
	NET_IPCALC_LOOPBACK = 1 << 1,	/* 127/8, ::1 */
	NET_IPCALC_MULTICAST = 1 << 2,	/* 224/4, ff00::/8 */
	NET_IPCALC_LINKLOCAL = 1 << 3,	/* 169.254/16, fe80::/10 */
	NET_IPCALC_RESERVED = 1 << 4,	/* class E; IPv6 outside the others */
	NET_IPCALC_SHARED = 1 << 5,	/* 100.64/10, carrier-grade NAT */
	NET_IPCALC_DOC = 1 << 6,	/* TEST-NET-1/2/3, 2001:db8::/32 */
	NET_IPCALC_BROADCAST = 1 << 7,	/* 255.255.255.255 */
	NET_IPCALC_UNSPEC = 1 << 8,	/* 0.0.0.0, :: */
	NET_IPCALC_THISNET = 1 << 9,	/* 0/8 but 0.0.0.0 */
	NET_IPCALC_ULA = 1 << 10,	/* fc00::/7 */
	NET_IPCALC_V4MAPPED = 1 << 11,	/* ::ffff:0:0/96 */
	NET_IPCALC_GLOBAL = 1 << 12,	/* 2000::/3 but documentation */
};
#define NET_IPCALC_NFLAGS 13

struct net_ipcalc {
	int family;		/* AF_INET or AF_INET6 */
	int prefix;		/* 0..32 or 0..128 */
	int prefix_given;	/* 0: the classful or /128 default was used */
	struct net_addr addr;	/* as given (an IPv6 scope is kept) */
	struct net_addr mask;
	struct net_addr wildcard;	/* the mask inverted */
	struct net_addr network;	/* the first address of the prefix */
	struct net_addr last;		/* the last one (IPv4: broadcast) */
	struct net_addr hostmin, hostmax;	/* usable hosts, RFC 3021 */
	int has_broadcast;	/* IPv4 with a prefix of 30 or less */
	uint64_t hosts;		/* IPv4: usable host addresses */
	int count_log2;		/* addresses in the prefix: 2^count_log2 */
	unsigned flags;		/* enum net_ipcalc_flag bits */
	/* IPv4 only: */
	char cls;		/* 'A' to 'E' */
	int class_bits;		/* classful network-ID bits: 8/16/24, 0 D/E */
	char net_id[16];	/* classful network ID, "129.65"; "" for D/E */
	char host_id[16];	/* classful host ID, "24.50"; "" for D/E */
	char binary[36];	/* dotted binary of the address */
};

/* Parses "ADDR", "ADDR/PREFIX" or "ADDR/MASK", and mask (NULL or a
 * dotted IPv4 mask given apart), then fills out as net_ipcalc_compute.
 * Returns 0, ERR_PARSE or ERR_RANGE (prefix too long); *why then holds a
 * static description of what is wrong. */
int net_ipcalc_parse(const char *spec, const char *mask,
		     struct net_ipcalc *out, const char **why);
/* Fills out for address a and prefix (-1: the classful prefix of an
 * IPv4 class A, B or C address, else /32 or /128). Returns 0 or
 * ERR_RANGE when prefix is too long for the family. */
int net_ipcalc_compute(const struct net_addr *a, int prefix,
		       struct net_ipcalc *out);
/* The prefix length of a contiguous IPv4 mask (255.255.240.0 gives 20),
 * or ERR_PARSE when its one bits are not contiguous. */
int net_ipcalc_mask_prefix(const struct net_addr *mask);
/* The IPv4 class letter of a (host order) address. */
char net_ipcalc_class(uint32_t v4);
/* Flags of an address (enum net_ipcalc_flag bits). */
unsigned net_ipcalc_flags(const struct net_addr *a);
/* A short static name for one flag bit ("private", "link-local"). */
const char *net_ipcalc_flag_name(unsigned flag);

#endif
