/* cmd_ipcalc: `inetkit ipcalc ADDR[/PREFIX | MASK]`, a table of what
 * net_ipcalc works out for an IPv4 or IPv6 address, in the manner of the
 * classic ipcalc. */
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "net/net_ipcalc.h"

static const char ipcalc_usage[] =
	"usage: inetkit ipcalc ADDR[/PREFIX]\n"
	"       inetkit ipcalc ADDR/MASK | ADDR MASK\n"
	"  Shows the network an IPv4 or IPv6 address belongs to: class and\n"
	"  classful split, mask, network, broadcast, host range and count,\n"
	"  and what kind of address it is. MASK is a dotted IPv4 mask.\n"
	"  Without a prefix, IPv4 uses its classful mask and IPv6 /128.\n"
	"  Examples: inetkit ipcalc 129.65.24.50\n"
	"            inetkit ipcalc 10.1.2.3 255.255.0.0\n"
	"            inetkit ipcalc 2001:db8::1/48\n";

static void
row(const char *label, const char *value)
{
	printf("%-12s%s\n", label, value);
}

static void
row_addr(const char *label, const struct net_addr *a, const char *suffix)
{
	char text[NET_ADDR_STRLEN];

	net_addr_format(a, 0, text, sizeof text);
	printf("%-12s%s%s\n", label, text, suffix);
}

static void
print_flags(unsigned flags)
{
	int first = 1;

	printf("%-12s", "Flags:");
	for (int i = 0; i < NET_IPCALC_NFLAGS; i++) {
		if (!(flags & (1u << i)))
			continue;
		printf("%s%s", first ? "" : ", ",
		       net_ipcalc_flag_name(1u << i));
		first = 0;
	}
	printf("%s\n", first ? "none" : "");
}

static void
print_v4(const struct net_ipcalc *c)
{
	char cls[2] = { c->cls, '\0' };
	char netmask[NET_ADDR_STRLEN + 24], suffix[16];

	row_addr("Address:", &c->addr, "");
	row("Binary:", c->binary);
	row("Class:", cls);
	row("Network ID:", c->class_bits ? c->net_id : "none (class D/E)");
	row("Host ID:", c->class_bits ? c->host_id : "none (class D/E)");
	net_addr_format(&c->mask, 0, netmask, NET_ADDR_STRLEN);
	snprintf(netmask + strlen(netmask), 24, " = %d%s", c->prefix,
		 c->prefix_given ? "" :
		 c->class_bits ? " (classful)" : " (default)");
	row("Netmask:", netmask);
	row_addr("Wildcard:", &c->wildcard, "");
	snprintf(suffix, sizeof suffix, "/%d", c->prefix);
	row_addr("Network:", &c->network, suffix);
	if (c->has_broadcast)
		row_addr("Broadcast:", &c->last, "");
	else
		row("Broadcast:", c->prefix == 31 ?
		    "none (RFC 3021 point-to-point)" : "none (host route)");
	row_addr("HostMin:", &c->hostmin, "");
	row_addr("HostMax:", &c->hostmax, "");
	printf("%-12s%llu\n", "Hosts:", (unsigned long long)c->hosts);
	print_flags(c->flags);
}

static void
print_v6(const struct net_ipcalc *c)
{
	char suffix[32];

	row_addr("Address:", &c->addr, "");
	snprintf(suffix, sizeof suffix, " = %d%s", c->prefix,
		 c->prefix_given ? "" : " (default)");
	row_addr("Netmask:", &c->mask, suffix);
	snprintf(suffix, sizeof suffix, "/%d", c->prefix);
	row_addr("Network:", &c->network, suffix);
	row_addr("First:", &c->network, "");
	row_addr("Last:", &c->last, "");
	if (c->count_log2 < 64)
		printf("%-12s2^%d = %llu\n", "Addresses:", c->count_log2,
		       1ULL << c->count_log2);
	else
		printf("%-12s2^%d\n", "Addresses:", c->count_log2);
	row("Type:", net_ipcalc_flag_name(c->flags));
}

int
cmd_ipcalc(int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL };
	int npos = 0;
	struct net_ipcalc c;
	const char *why;

	if (cli_wants_help(argc, argv, ipcalc_usage))
		return EXIT_OK;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			return cli_usage_error(ipcalc_usage,
					       "ipcalc: unknown option '%s'",
					       argv[i]);
		if (npos == 2)
			return cli_usage_error(ipcalc_usage,
					       "ipcalc: unexpected '%s'",
					       argv[i]);
		pos[npos++] = argv[i];
	}
	if (npos == 0)
		return cli_usage_error(ipcalc_usage, "ipcalc: which address?");
	/* a bad value is one line, as in the usual tools; usage is for
	 * wrong arguments */
	if (net_ipcalc_parse(pos[0], pos[1], &c, &why) < 0)
		return cli_value_error("ipcalc: %s in '%s%s%s'", why, pos[0],
				       pos[1] ? " " : "", pos[1] ? pos[1] : "");
	if (c.family == AF_INET)
		print_v4(&c);
	else
		print_v6(&c);
	return EXIT_OK;
}
