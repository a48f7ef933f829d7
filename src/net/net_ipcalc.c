/* net_ipcalc: prefixes, masks, ranges, IPv4 classes (RFC 791 section 3.2,
 * RFC 1112 for class E), /31 and /32 (RFC 3021) and special-purpose
 * addresses (RFC 6890, 1918, 6598, 5737, 3927, 4291, 4193, 3849). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "net/net_ipcalc.h"

/* Copies the address bytes of a (network order) into b; returns their
 * count (4 or 16) or ERR_PARSE for an unset address. */
static int
addr_bytes(const struct net_addr *a, uint8_t b[16])
{
	if (net_addr_family(a) == AF_INET) {
		memcpy(b, &((const struct sockaddr_in *)&a->ss)->sin_addr, 4);
		return 4;
	}
	if (net_addr_family(a) == AF_INET6) {
		memcpy(b, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
		       16);
		return 16;
	}
	return ERR_PARSE;
}

static void
addr_set(struct net_addr *a, int family, const uint8_t *b)
{
	memset(a, 0, sizeof *a);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, b, 4);
		a->len = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, b, 16);
		a->len = sizeof *sin6;
	}
}

static uint32_t
v4_value(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

char
net_ipcalc_class(uint32_t v4)
{
	unsigned top = v4 >> 24;

	if (top < 128)
		return 'A';
	if (top < 192)
		return 'B';
	if (top < 224)
		return 'C';
	if (top < 240)
		return 'D';
	return 'E';
}

/* Classful network-ID bits (RFC 791 section 3.2); D and E have none. */
static int
class_bits(char cls)
{
	switch (cls) {
	case 'A': return 8;
	case 'B': return 16;
	case 'C': return 24;
	}
	return 0;
}

/* True when the first bits of v (host order) match those of net. */
static int
in4(uint32_t v, uint32_t net, int bits)
{
	return (v >> (32 - bits)) == (net >> (32 - bits));
}

static unsigned
flags_v4(uint32_t v)
{
	unsigned f = 0;

	if (v == 0)
		f |= NET_IPCALC_UNSPEC;
	else if (in4(v, 0, 8))
		f |= NET_IPCALC_THISNET;	/* RFC 1122 section 3.2.1.3 */
	if (in4(v, 0x0a000000, 8) || in4(v, 0xac100000, 12) ||
	    in4(v, 0xc0a80000, 16))
		f |= NET_IPCALC_PRIVATE;
	if (in4(v, 0x64400000, 10))
		f |= NET_IPCALC_SHARED;
	if (in4(v, 0x7f000000, 8))
		f |= NET_IPCALC_LOOPBACK;
	if (in4(v, 0xa9fe0000, 16))
		f |= NET_IPCALC_LINKLOCAL;
	if (in4(v, 0xc0000200, 24) || in4(v, 0xc6336400, 24) ||
	    in4(v, 0xcb007100, 24))
		f |= NET_IPCALC_DOC;
	if (in4(v, 0xe0000000, 4))
		f |= NET_IPCALC_MULTICAST;
	if (v == 0xffffffff)
		f |= NET_IPCALC_BROADCAST;
	else if (in4(v, 0xf0000000, 4))
		f |= NET_IPCALC_RESERVED;
	return f;
}

/* True when the first bits of b match those of p (both 16 bytes). */
static int
in6(const uint8_t *b, const uint8_t *p, int bits)
{
	int whole = bits / 8, rest = bits % 8;

	if (memcmp(b, p, (size_t)whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((b[whole] ^ p[whole]) & (0xff << (8 - rest))) == 0;
}

/* The one type of an IPv6 address (RFC 4291 section 2.4, RFC 4193,
 * RFC 3849). */
static unsigned
flags_v6(const uint8_t *b)
{
	static const uint8_t zero[16];
	static const uint8_t one[16] = { [15] = 1 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t ll[16] = { 0xfe, 0x80 };
	static const uint8_t ula[16] = { 0xfc };
	static const uint8_t mc[16] = { 0xff };
	static const uint8_t doc[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const uint8_t global[16] = { 0x20 };

	if (in6(b, zero, 128))
		return NET_IPCALC_UNSPEC;
	if (in6(b, one, 128))
		return NET_IPCALC_LOOPBACK;
	if (in6(b, mapped, 96))
		return NET_IPCALC_V4MAPPED;
	if (in6(b, ll, 10))
		return NET_IPCALC_LINKLOCAL;
	if (in6(b, ula, 7))
		return NET_IPCALC_ULA;
	if (in6(b, mc, 8))
		return NET_IPCALC_MULTICAST;
	if (in6(b, doc, 32))
		return NET_IPCALC_DOC;
	if (in6(b, global, 3))
		return NET_IPCALC_GLOBAL;
	return NET_IPCALC_RESERVED;
}

unsigned
net_ipcalc_flags(const struct net_addr *a)
{
	uint8_t b[16];
	int n = addr_bytes(a, b);

	if (n == 4)
		return flags_v4(v4_value(b));
	if (n == 16)
		return flags_v6(b);
	return 0;
}

const char *
net_ipcalc_flag_name(unsigned flag)
{
	static const char *const names[NET_IPCALC_NFLAGS] = {
		"private", "loopback", "multicast", "link-local",
		"reserved", "shared (CGN)", "documentation", "broadcast",
		"unspecified", "this network", "unique-local",
		"IPv4-mapped", "global unicast",
	};

	for (int i = 0; i < NET_IPCALC_NFLAGS; i++)
		if (flag == 1u << i)
			return names[i];
	return "unknown";
}

int
net_ipcalc_mask_prefix(const struct net_addr *mask)
{
	uint8_t b[16];
	uint32_t inv;

	if (addr_bytes(mask, b) != 4)
		return ERR_PARSE;
	inv = ~v4_value(b);
	/* Contiguous when the zero bits form one run at the bottom. */
	if ((inv & (inv + 1)) != 0)
		return ERR_PARSE;
	return 32 - __builtin_popcount(inv);
}

/* Joins octets [from, to) of b with dots. */
static void
octets(char *out, size_t size, const uint8_t *b, int from, int to)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = from; i < to && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%u",
					i > from ? "." : "", b[i]);
}

/* Class, classful split and dotted binary of an IPv4 address. */
static void
v4_details(struct net_ipcalc *c, const uint8_t *b)
{
	char *p = c->binary;

	c->cls = net_ipcalc_class(v4_value(b));
	c->class_bits = class_bits(c->cls);
	if (c->class_bits) {
		octets(c->net_id, sizeof c->net_id, b, 0, c->class_bits / 8);
		octets(c->host_id, sizeof c->host_id, b, c->class_bits / 8,
		       4);
	}
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		for (int bit = 7; bit >= 0; bit--)
			*p++ = (char)('0' + ((b[i] >> bit) & 1));
	}
	*p = '\0';
}

/* Usable hosts of an IPv4 prefix: all but network and broadcast, both
 * addresses of a /31 (RFC 3021) and the one of a /32. */
static void
v4_hosts(struct net_ipcalc *c, const uint8_t *net, const uint8_t *last)
{
	uint8_t lo[4], hi[4];

	memcpy(lo, net, 4);
	memcpy(hi, last, 4);
	c->has_broadcast = c->prefix <= 30;
	if (c->has_broadcast) {
		lo[3] |= 1;
		hi[3] &= 0xfe;
		c->hosts = (UINT64_C(1) << (32 - c->prefix)) - 2;
	} else {
		c->hosts = c->prefix == 32 ? 1 : 2;
	}
	addr_set(&c->hostmin, AF_INET, lo);
	addr_set(&c->hostmax, AF_INET, hi);
}

static int
default_prefix(int n, const uint8_t *b)
{
	if (n == 4) {
		int bits = class_bits(net_ipcalc_class(v4_value(b)));

		return bits ? bits : 32;
	}
	return 128;
}

int
net_ipcalc_compute(const struct net_addr *a, int prefix,
		   struct net_ipcalc *out)
{
	uint8_t ip[16], m[16], w[16], net[16], last[16];
	int n;

	memset(out, 0, sizeof *out);
	n = addr_bytes(a, ip);
	if (n < 0)
		return n;
	if (prefix > n * 8)
		return ERR_RANGE;
	out->prefix_given = prefix >= 0;
	out->prefix = prefix >= 0 ? prefix : default_prefix(n, ip);
	out->family = net_addr_family(a);
	out->addr = *a;
	net_addr_set_port(&out->addr, 0);
	for (int i = 0; i < n; i++) {
		int bits = out->prefix - 8 * i;

		m[i] = bits >= 8 ? 0xff : bits <= 0 ? 0 :
		       (uint8_t)(0xff << (8 - bits));
		w[i] = (uint8_t)~m[i];
		net[i] = ip[i] & m[i];
		last[i] = ip[i] | w[i];
	}
	addr_set(&out->mask, out->family, m);
	addr_set(&out->wildcard, out->family, w);
	addr_set(&out->network, out->family, net);
	addr_set(&out->last, out->family, last);
	out->count_log2 = n * 8 - out->prefix;
	out->flags = net_ipcalc_flags(a);
	if (n == 16) {
		out->hostmin = out->network;
		out->hostmax = out->last;
		return 0;
	}
	v4_hosts(out, net, last);
	v4_details(out, ip);
	return 0;
}

/* A dotted IPv4 mask, given after '/' or apart. */
static int
parse_mask(const char *s, const struct net_addr *a, int *prefix,
	   const char **why)
{
	struct net_addr m;
	int rc;

	if (net_addr_family(a) != AF_INET) {
		*why = "a dotted mask applies to IPv4 only";
		return ERR_PARSE;
	}
	if (net_ip_parse(s, &m) < 0 || net_addr_family(&m) != AF_INET) {
		*why = "bad mask";
		return ERR_PARSE;
	}
	rc = net_ipcalc_mask_prefix(&m);
	if (rc < 0) {
		*why = "non-contiguous mask";
		return rc;
	}
	*prefix = rc;
	return 0;
}

/* What follows '/': a decimal prefix length or a dotted mask. */
static int
parse_prefix(const char *s, const struct net_addr *a, int *prefix,
	     const char **why)
{
	int max = net_addr_family(a) == AF_INET ? 32 : 128;
	long v = 0;

	if (strchr(s, '.'))
		return parse_mask(s, a, prefix, why);
	*why = "bad prefix length";
	if (*s == '\0')
		return ERR_PARSE;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return ERR_PARSE;
		if (v <= max)
			v = v * 10 + (*p - '0');
	}
	if (v > max) {
		*why = max == 32 ? "prefix length out of range (0-32)" :
				   "prefix length out of range (0-128)";
		return ERR_RANGE;
	}
	*prefix = (int)v;
	return 0;
}

int
net_ipcalc_parse(const char *spec, const char *mask,
		 struct net_ipcalc *out, const char **why)
{
	char host[INET6_ADDRSTRLEN + 16];
	const char *slash = strchr(spec, '/');
	size_t hl = slash ? (size_t)(slash - spec) : strlen(spec);
	struct net_addr a;
	int prefix = -1, rc = 0;

	*why = "bad address";
	if (hl >= sizeof host)
		return ERR_PARSE;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (net_ip_parse(host, &a) < 0)
		return ERR_PARSE;
	if (slash && mask) {
		*why = "both a prefix and a mask";
		return ERR_PARSE;
	}
	if (slash)
		rc = parse_prefix(slash + 1, &a, &prefix, why);
	else if (mask)
		rc = parse_mask(mask, &a, &prefix, why);
	if (rc < 0)
		return rc;
	*why = "";
	return net_ipcalc_compute(&a, prefix, out);
}
