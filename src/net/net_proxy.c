/* net_proxy: the PROXY protocol header, versions 1 (a text line) and 2 (a
 * binary block), as HAProxy's proxy-protocol.txt specifies, and CIDR
 * ranges. Every field is checked: a header that is not exactly right is
 * refused whole (the spec: the connection is then dropped). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "core/err.h"
#include "net/net_proxy.h"

static const uint8_t v2_sig[12] = {
	0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
};

/* Sets a to the IPv4 or IPv6 address at p with port (network order). */
static void
addr_set(struct net_addr *a, int family, const uint8_t *p, uint16_t port)
{
	memset(a, 0, sizeof *a);
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&a->ss;
		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, p, 4);
		s->sin_port = port;
		a->len = sizeof *s;
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a->ss;
		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, p, 16);
		s->sin6_port = port;
		a->len = sizeof *s;
	}
}

/* Version 2: the 16-byte block, then the addresses and TLVs (ignored). */
static ssize_t
parse_v2(const uint8_t *p, size_t n, struct net_proxy_info *out)
{
	size_t len, need;
	int cmd, fam, proto;
	uint16_t sport, dport;

	if (n < 16)
		return ERR_AGAIN;
	if ((p[12] >> 4) != 2)
		return ERR_PARSE;
	cmd = p[12] & 0x0F;
	fam = p[13] >> 4;
	proto = p[13] & 0x0F;
	len = (size_t)p[14] << 8 | p[15];
	if (cmd > 1 || fam > 3 || proto > 2 || 16 + len > NET_PROXY_V2_MAX)
		return ERR_PARSE;
	if (n < 16 + len)
		return ERR_AGAIN;
	memset(out, 0, sizeof *out);
	out->local = 1;
	/* LOCAL (a health check), UNSPEC, UNIX or datagrams: the
	 * connection's own addresses stand; the block is skipped. */
	if (cmd == 0 || proto != 1 || (fam != 1 && fam != 2))
		return (ssize_t)(16 + len);
	need = fam == 1 ? 12 : 36;
	if (len < need)
		return ERR_PARSE;
	p += 16;
	need = fam == 1 ? 4 : 16;
	memcpy(&sport, p + 2 * need, 2);
	memcpy(&dport, p + 2 * need + 2, 2);
	addr_set(&out->src, fam == 1 ? AF_INET : AF_INET6, p, sport);
	addr_set(&out->dst, fam == 1 ? AF_INET : AF_INET6, p + need, dport);
	out->local = 0;
	return (ssize_t)(16 + len);
}

/* The next space-terminated field of a v1 line: [*s, end) up to the next
 * space (or end when last), copied to buf. Returns 0 or ERR_PARSE. */
static int
v1_field(const char **s, const char *end, int last, char *buf, size_t size)
{
	const char *e = last ? end : memchr(*s, ' ', (size_t)(end - *s));
	size_t k;

	if (e == NULL || e == *s)
		return ERR_PARSE;
	k = (size_t)(e - *s);
	if (k >= size || memchr(*s, ' ', k))
		return ERR_PARSE;
	memcpy(buf, *s, k);
	buf[k] = '\0';
	*s = last ? e : e + 1;
	return 0;
}

/* A v1 port: 1 to 5 digits, no leading zero, at most 65535. */
static int
v1_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t k = strlen(s);

	if (k == 0 || k > 5 || (s[0] == '0' && k > 1))
		return ERR_PARSE;
	for (size_t i = 0; i < k; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ERR_PARSE;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return ERR_PARSE;
	*port = htons((uint16_t)v);
	return 0;
}

/* Version 1: "PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n", or
 * "PROXY UNKNOWN...\r\n"; at most 107 bytes. */
static ssize_t
parse_v1(const char *p, size_t n, struct net_proxy_info *out)
{
	size_t lim = n < NET_PROXY_V1_MAX ? n : NET_PROXY_V1_MAX;
	const char *cr = NULL, *s, *end;
	char f[5][48];
	uint8_t a[2][16];
	uint16_t port[2];
	int family;

	for (size_t i = 0; i + 1 < lim; i++)
		if (p[i] == '\r') {
			if (p[i + 1] != '\n')
				return ERR_PARSE;
			cr = p + i;
			break;
		}
	if (cr == NULL)
		return n < NET_PROXY_V1_MAX ? ERR_AGAIN : ERR_PARSE;
	memset(out, 0, sizeof *out);
	s = p + 6;
	end = cr;
	if ((size_t)(end - s) >= 7 && memcmp(s, "UNKNOWN", 7) == 0 &&
	    (end - s == 7 || s[7] == ' ')) {
		out->local = 1;
		return cr + 2 - p;
	}
	if (end - s < 5 || memcmp(s, "TCP", 3) != 0 ||
	    (s[3] != '4' && s[3] != '6') || s[4] != ' ')
		return ERR_PARSE;
	family = s[3] == '4' ? AF_INET : AF_INET6;
	s += 5;
	for (int i = 0; i < 4; i++)
		if (v1_field(&s, end, i == 3, f[i], sizeof f[i]) < 0)
			return ERR_PARSE;
	for (int i = 0; i < 2; i++)
		if (inet_pton(family, f[i], a[i]) != 1 ||
		    v1_port(f[2 + i], &port[i]) < 0)
			return ERR_PARSE;
	addr_set(&out->src, family, a[0], port[0]);
	addr_set(&out->dst, family, a[1], port[1]);
	return cr + 2 - p;
}

ssize_t
net_proxy_parse(const void *buf, size_t n, struct net_proxy_info *out)
{
	const uint8_t *p = buf;
	size_t k;

	k = n < sizeof v2_sig ? n : sizeof v2_sig;
	if (memcmp(p, v2_sig, k) == 0)
		return n < sizeof v2_sig ? ERR_AGAIN : parse_v2(p, n, out);
	k = n < 6 ? n : 6;
	if (memcmp(p, "PROXY ", k) == 0)
		return n < 6 ? ERR_AGAIN : parse_v1(buf, n, out);
	return ERR_PARSE;
}

int
net_cidr_parse(const char *s, struct net_cidr *out)
{
	char host[64];
	const char *slash = strchr(s, '/');
	size_t k = slash ? (size_t)(slash - s) : strlen(s);
	int max;
	long prefix;

	if (k == 0 || k >= sizeof host)
		return ERR_PARSE;
	memcpy(host, s, k);
	host[k] = '\0';
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, host, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, host, out->addr) == 1)
		out->family = AF_INET6;
	else
		return ERR_PARSE;
	max = out->family == AF_INET ? 32 : 128;
	prefix = max;
	if (slash) {
		const char *d = slash + 1;
		size_t nd = strlen(d);
		if (nd == 0 || nd > 3 || (d[0] == '0' && nd > 1))
			return ERR_PARSE;
		prefix = 0;
		for (size_t i = 0; i < nd; i++) {
			if (d[i] < '0' || d[i] > '9')
				return ERR_PARSE;
			prefix = prefix * 10 + (d[i] - '0');
		}
		if (prefix > max)
			return ERR_PARSE;
	}
	out->prefix = (int)prefix;
	for (int b = out->prefix; b < max; b++)
		out->addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	return 0;
}

/* True when the first bits of a and b are equal. */
static int
prefix_equal(const uint8_t *a, const uint8_t *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)bytes) != 0)
		return 0;
	return rest == 0 ||
	       ((a[bytes] ^ b[bytes]) & (uint8_t)(0xFF00 >> rest)) == 0;
}

int
net_cidr_match(const struct net_cidr *nets, int n, const struct net_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xFF, 0xFF };
	const uint8_t *v4 = NULL, *v6 = NULL;

	if (a->ss.ss_family == AF_INET) {
		v4 = (const uint8_t *)
		     &((const struct sockaddr_in *)&a->ss)->sin_addr;
	} else if (a->ss.ss_family == AF_INET6) {
		v6 = ((const struct sockaddr_in6 *)&a->ss)->sin6_addr.s6_addr;
		if (memcmp(v6, mapped, 12) == 0)
			v4 = v6 + 12;
	}
	for (int i = 0; i < n; i++) {
		if (nets[i].family == AF_INET && v4 &&
		    prefix_equal(nets[i].addr, v4, nets[i].prefix))
			return 1;
		if (nets[i].family == AF_INET6 && v6 &&
		    prefix_equal(nets[i].addr, v6, nets[i].prefix))
			return 1;
	}
	return 0;
}
