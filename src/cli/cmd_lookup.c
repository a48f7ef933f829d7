/* cmd_lookup: `inetkit lookup NAME [TYPE] [@ADDR[:PORT]] [--tcp]`, one
 * question to one name server, the reply printed the way dig prints it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "dns/dns_rr.h"
#include "dns/dns_wire.h"
#include "resolv/resolv_client.h"

static const char lookup_usage[] =
	"usage: inetkit lookup NAME [TYPE] [@ADDR[:PORT]] [--tcp]\n"
	"                      [--timeout SECONDS] [--norec] [--noedns]\n"
	"  Asks one name server (default: the first nameserver of\n"
	"  /etc/resolv.conf) for NAME's records of TYPE (default A) and\n"
	"  prints the reply like dig. Queries carry EDNS0 (1232 bytes) unless\n"
	"  --noedns; a truncated UDP reply is asked again over TCP. Each wait\n"
	"  lasts --timeout seconds (3), UDP is tried 3 times. Exit 1 when no\n"
	"  reply comes.\n";

struct lookup {
	const char *name;
	uint16_t type;
	struct net_addr server;
	struct resolv_client c;
};

static int
parse_server(const char *s, struct net_addr *out)
{
	if (net_ip_parse(s, out) == 0) {
		net_addr_set_port(out, 53);
		return 0;
	}
	return net_addr_parse(s, out);
}

/* The first nameserver line of /etc/resolv.conf, else 127.0.0.1. */
static void
default_server(struct net_addr *out)
{
	FILE *f = fopen("/etc/resolv.conf", "re");
	char line[512], addr[256];

	net_ip_parse("127.0.0.1", out);
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, " nameserver %255s", addr) == 1 &&
		    net_ip_parse(addr, out) == 0)
			break;
	if (f)
		fclose(f);
	net_addr_set_port(out, 53);
}

/* NAME, TYPE and @SERVER, in any order after the name. */
static int
lookup_positional(struct lookup *lk, const char *a, int *has_server,
		  int *has_type)
{
	int type = dns_type_parse(a, strlen(a));

	if (a[0] == '@' && !*has_server) {
		if (parse_server(a + 1, &lk->server) < 0)
			return cli_usage_error(lookup_usage, "bad server '%s'",
					       a);
		*has_server = 1;
	} else if (lk->name == NULL)
		lk->name = a;
	else if (!*has_type && type >= 0) {
		lk->type = (uint16_t)type;
		*has_type = 1;
	} else
		return cli_usage_error(lookup_usage, "lookup: unexpected '%s'",
				       a);
	return 0;
}

static int
lookup_args(struct lookup *lk, int argc, char **argv)
{
	int has_server = 0, has_type = 0, rc = 0;
	long v;

	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--tcp") == 0)
			lk->c.tcp = 1;
		else if (strcmp(a, "--norec") == 0)
			lk->c.rd = 0;
		else if (strcmp(a, "--noedns") == 0)
			lk->c.edns_size = 0;
		else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
			if (cli_parse_int(argv[++i], 1, 3600, &v) < 0)
				return cli_usage_error(lookup_usage,
					"bad --timeout '%s'", argv[i]);
			lk->c.timeout_ms = (int)v * 1000;
		} else if (a[0] == '-' && a[1])
			return cli_usage_error(lookup_usage,
				"lookup: unknown option '%s'", a);
		else
			rc = lookup_positional(lk, a, &has_server, &has_type);
	}
	if (rc != 0)
		return rc;
	if (lk->name == NULL)
		return cli_usage_error(lookup_usage, "lookup: which name?");
	if (!has_server)
		default_server(&lk->server);
	return 0;
}

static void
print_flags(uint16_t f)
{
	static const struct { uint16_t bit; const char *name; } flags[] = {
		{ DNS_F_QR, "qr" }, { DNS_F_AA, "aa" }, { DNS_F_TC, "tc" },
		{ DNS_F_RD, "rd" }, { DNS_F_RA, "ra" }, { DNS_F_AD, "ad" },
		{ DNS_F_CD, "cd" },
	};

	printf(";; flags:");
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (f & flags[i].bit)
			printf(" %s", flags[i].name);
}

/* One record in presentation format: owner TTL class type rdata. */
static int
print_rr(const uint8_t *msg, size_t len, const struct dns_rr *rr,
	 struct buf *text)
{
	static uint8_t rd[DNS_MAX_MSG];
	char owner[DNS_NAME_TEXT_MAX], tb[16], cb[16];
	int n = dns_rdata_expand(msg, len, rr, rd, sizeof rd);

	if (n < 0)
		return n;
	buf_reset(text);
	if (dns_rdata_format(rr->type, rd, (size_t)n, text) < 0 ||
	    buf_append(text, "", 1) < 0)
		return ERR_TOOBIG;
	dns_name_format(rr->name, owner, sizeof owner);
	printf("%s\t\t%u\t%s\t%s\t%s\n", owner, rr->ttl,
	       dns_class_name(rr->class, cb), dns_type_name(rr->type, tb),
	       (const char *)buf_data(text));
	return 0;
}

static int
print_sections(struct dns_cur *c, const struct dns_hdr *h, struct buf *text,
	       struct dns_edns *e)
{
	static const char *const names[] = { "ANSWER", "AUTHORITY",
					     "ADDITIONAL" };
	unsigned counts[3] = { h->ancount, h->nscount, h->arcount };
	struct dns_rr rr;

	for (int s = 0; s < 3; s++) {
		int header = 0;
		for (unsigned i = 0; i < counts[s]; i++) {
			if (dns_rr_read(c, &rr) < 0)
				return ERR_PARSE;
			if (rr.type == DNS_T_OPT && s == 2) {
				dns_edns_from_rr(&rr, e);
				continue;
			}
			if (!header++)
				printf("\n;; %s SECTION:\n", names[s]);
			if (print_rr(c->p, c->len, &rr, text) < 0)
				return ERR_PARSE;
		}
	}
	return 0;
}

/* Reads the OPT record first, so the status can include its extended
 * rcode (RFC 6891 section 6.1.3). */
static void
find_edns(const uint8_t *msg, size_t len, const struct dns_hdr *h,
	  struct dns_edns *e)
{
	struct dns_cur c;
	struct dns_hdr skip;
	struct dns_question q;
	struct dns_rr rr;
	unsigned total = (unsigned)h->ancount + h->nscount + h->arcount;

	dns_cur_init(&c, msg, len);
	dns_hdr_read(&c, &skip);
	for (unsigned i = 0; i < h->qdcount; i++)
		dns_question_read(&c, &q);
	for (unsigned i = 0; i < total && !c.err; i++)
		if (dns_rr_read(&c, &rr) == 0 && rr.type == DNS_T_OPT)
			dns_edns_from_rr(&rr, e);
}

static int
print_reply(const struct lookup *lk, const uint8_t *msg, size_t len, int tcp)
{
	struct dns_cur c;
	struct dns_hdr h;
	struct dns_question q;
	struct dns_edns e = { 0 };
	struct buf text;
	char name[DNS_NAME_TEXT_MAX], b1[16], b2[16], addr[NET_ADDR_STRLEN];

	dns_cur_init(&c, msg, len);
	if (dns_hdr_read(&c, &h) < 0)
		return ERR_PARSE;
	find_edns(msg, len, &h, &e);
	int rcode = DNS_F_RCODE(h.flags) | (e.present ? e.ext_rcode << 4 : 0);
	printf("; <<>> inetkit lookup <<>> %s %s\n", lk->name,
	       dns_type_name(lk->type, b1));
	printf(";; ->>HEADER<<- opcode: %s, status: %s, id: %u\n",
	       dns_opcode_name(DNS_F_OPCODE(h.flags), b1),
	       dns_rcode_name(rcode, b2), h.id);
	print_flags(h.flags);
	printf("; QUERY: %u, ANSWER: %u, AUTHORITY: %u, ADDITIONAL: %u\n",
	       h.qdcount, h.ancount, h.nscount, h.arcount);
	if (e.present)
		printf("\n;; OPT PSEUDOSECTION:\n; EDNS: version: %u, flags:%s;"
		       " udp: %u\n", e.version,
		       e.flags & DNS_EDNS_DO ? " do" : "", e.udp_size);
	if (h.qdcount)
		printf("\n;; QUESTION SECTION:\n");
	for (unsigned i = 0; i < h.qdcount; i++) {
		if (dns_question_read(&c, &q) < 0)
			return ERR_PARSE;
		dns_name_format(q.name, name, sizeof name);
		printf(";%s\t\t%s\t%s\n", name, dns_class_name(q.class, b1),
		       dns_type_name(q.type, b2));
	}
	buf_init(&text, 1 << 20);
	int rc = print_sections(&c, &h, &text, &e);
	buf_fini(&text);
	net_addr_format(&lk->server, 0, addr, sizeof addr);
	printf("\n;; SERVER: %s#%u(%s)\n;; MSG SIZE  rcvd: %zu\n", addr,
	       net_addr_port(&lk->server), tcp ? "TCP" : "UDP", len);
	return rc;
}

int
cmd_lookup(int argc, char **argv)
{
	static uint8_t reply[DNS_MAX_MSG];
	struct lookup lk = { .type = DNS_T_A,
			     .c = { 3000, 2, 0, 1232, 1 } };
	uint8_t name[DNS_NAME_MAX + 1], q[DNS_MAX_UDP];
	char addr[NET_ADDR_STRLEN];
	const char *why;
	uint16_t id;
	int tcp;

	if (cli_wants_help(argc, argv, lookup_usage))
		return EXIT_OK;
	int rc = lookup_args(&lk, argc, argv);
	if (rc != 0)
		return rc;
	if (dns_name_parse(lk.name, strlen(lk.name), (const uint8_t *)"", name,
			   &why) < 0)
		return cli_usage_error(lookup_usage, "bad name '%s': %s",
				       lk.name, why);
	if (getrandom(&id, sizeof id, 0) != sizeof id)
		id = (uint16_t)rand();
	int qlen = resolv_query_build(&lk.c, id, name, lk.type, q, sizeof q);
	ssize_t n = qlen < 0 ? qlen :
		resolv_client_ask(&lk.c, &lk.server, q, (size_t)qlen, reply,
				  sizeof reply, &tcp);
	net_addr_format(&lk.server, 1, addr, sizeof addr);
	if (n < 0) {
		fprintf(stderr, "inetkit lookup: no answer from %s: %s\n", addr,
			err_str((int)n));
		return EXIT_FAIL;
	}
	if (print_reply(&lk, reply, (size_t)n, tcp) < 0) {
		fflush(stdout);
		fprintf(stderr, "inetkit lookup: malformed reply from %s\n",
			addr);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
