/* dns_rr: presentation format of names and rdata (RFC 1035 section 5.1,
 * RFC 3596 AAAA, RFC 2782 SRV, RFC 8659 CAA, RFC 3597 unknown types). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/hex.h"
#include "dns_rr.h"
#include "dns_wire.h"

static const struct {
	uint16_t type;
	const char *name;
} dns_types[] = {
	{ DNS_T_A, "A" }, { DNS_T_NS, "NS" }, { DNS_T_CNAME, "CNAME" },
	{ DNS_T_SOA, "SOA" }, { DNS_T_PTR, "PTR" }, { DNS_T_HINFO, "HINFO" },
	{ DNS_T_MX, "MX" }, { DNS_T_TXT, "TXT" }, { DNS_T_AAAA, "AAAA" },
	{ DNS_T_SRV, "SRV" }, { 35, "NAPTR" }, { DNS_T_OPT, "OPT" },
	{ DNS_T_DS, "DS" }, { 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" },
	{ 52, "TLSA" }, { 64, "SVCB" }, { 65, "HTTPS" },
	{ DNS_T_IXFR, "IXFR" }, { DNS_T_AXFR, "AXFR" }, { DNS_T_ANY, "ANY" },
	{ DNS_T_CAA, "CAA" },
};

static const char *const dns_rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
};

/* Parses digits only into *out, at most max. */
static int
parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20)
		return ERR_PARSE;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ERR_PARSE;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max)
			return ERR_RANGE;
	}
	*out = v;
	return 0;
}

static int
parse_prefixed(const char *s, size_t n, const char *prefix, uint64_t *out)
{
	size_t pl = strlen(prefix);

	if (n <= pl || strncasecmp(s, prefix, pl) != 0)
		return ERR_PARSE;
	return parse_uint(s + pl, n - pl, 65535, out);
}

int
dns_type_parse(const char *s, size_t n)
{
	uint64_t v;

	for (size_t i = 0; i < sizeof dns_types / sizeof dns_types[0]; i++)
		if (strlen(dns_types[i].name) == n &&
		    strncasecmp(dns_types[i].name, s, n) == 0)
			return dns_types[i].type;
	if (parse_prefixed(s, n, "TYPE", &v) == 0)
		return (int)v;
	return ERR_PARSE;
}

const char *
dns_type_name(uint16_t type, char *buf)
{
	for (size_t i = 0; i < sizeof dns_types / sizeof dns_types[0]; i++)
		if (dns_types[i].type == type)
			return dns_types[i].name;
	snprintf(buf, 16, "TYPE%u", type);
	return buf;
}

int
dns_class_parse(const char *s, size_t n)
{
	uint64_t v;

	if (n == 2 && strncasecmp(s, "IN", 2) == 0)
		return DNS_C_IN;
	if (n == 2 && strncasecmp(s, "CH", 2) == 0)
		return DNS_C_CH;
	if (n == 2 && strncasecmp(s, "HS", 2) == 0)
		return DNS_C_HS;
	if (parse_prefixed(s, n, "CLASS", &v) == 0)
		return (int)v;
	return ERR_PARSE;
}

const char *
dns_class_name(uint16_t class, char *buf)
{
	switch (class) {
	case DNS_C_IN: return "IN";
	case DNS_C_CH: return "CH";
	case DNS_C_HS: return "HS";
	case DNS_C_ANY: return "ANY";
	}
	snprintf(buf, 16, "CLASS%u", class);
	return buf;
}

const char *
dns_rcode_name(int rcode, char *buf)
{
	if (rcode >= 0 && rcode < (int)(sizeof dns_rcodes / sizeof *dns_rcodes))
		return dns_rcodes[rcode];
	if (rcode == DNS_RCODE_BADVERS)
		return "BADVERS";
	snprintf(buf, 16, "RCODE%d", rcode);
	return buf;
}

const char *
dns_opcode_name(int opcode, char *buf)
{
	static const char *const names[] = { "QUERY", "IQUERY", "STATUS",
					     NULL, "NOTIFY", "UPDATE" };

	if (opcode >= 0 && opcode < 6 && names[opcode])
		return names[opcode];
	snprintf(buf, 16, "OPCODE%d", opcode);
	return buf;
}

static int
ttl_unit(char c)
{
	switch (c | 0x20) {
	case 's': return 1;
	case 'm': return 60;
	case 'h': return 3600;
	case 'd': return 86400;
	case 'w': return 604800;
	}
	return 0;
}

int
dns_ttl_parse(const char *s, size_t n, uint32_t *out)
{
	uint64_t total = 0, v = 0;
	int digits = 0;

	if (n == 0)
		return ERR_PARSE;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (uint64_t)(s[i] - '0');
			if (++digits > 10)
				return ERR_RANGE;
			continue;
		}
		if (!digits || !ttl_unit(s[i]))
			return ERR_PARSE;
		total += v * (uint64_t)ttl_unit(s[i]);
		v = 0;
		digits = 0;
	}
	total += v;
	if (total > 0x7fffffff)
		return ERR_RANGE;
	*out = (uint32_t)total;
	return 0;
}

/* Decodes one character at s[*i], a \X or \DDD escape included. */
static int
decode_char(const char *s, size_t n, size_t *i, uint8_t *ch)
{
	if (s[*i] != '\\') {
		*ch = (uint8_t)s[(*i)++];
		return 0;
	}
	if (*i + 1 >= n)
		return ERR_PARSE;
	if (s[*i + 1] >= '0' && s[*i + 1] <= '9') {
		uint64_t v;
		if (*i + 4 > n || parse_uint(s + *i + 1, 3, 255, &v) < 0)
			return ERR_PARSE;
		*ch = (uint8_t)v;
		*i += 4;
		return 0;
	}
	*ch = (uint8_t)s[*i + 1];
	*i += 2;
	return 0;
}

static int
name_fail(const char **why, const char *msg, int rc)
{
	*why = msg;
	return rc;
}

static int
name_finish(uint8_t *tmp, size_t o, size_t lab, int absolute,
	    const uint8_t *origin, uint8_t *out, const char **why)
{
	if (!absolute) {
		if (o - lab - 1 == 0)
			return name_fail(why, "empty label", ERR_PARSE);
		if (origin == NULL)
			return name_fail(why, "relative name with no origin",
					 ERR_PARSE);
		tmp[lab] = (uint8_t)(o - lab - 1);
		size_t ol = dns_name_len(origin);
		if (o + ol > DNS_NAME_MAX)
			return name_fail(why, "name longer than 255 bytes",
					 ERR_TOOBIG);
		memcpy(tmp + o, origin, ol);
		o += ol;
	}
	memcpy(out, tmp, o);
	return (int)o;
}

int
dns_name_parse(const char *s, size_t n, const uint8_t *origin, uint8_t *out,
	       const char **why)
{
	uint8_t tmp[DNS_NAME_MAX + 1];
	size_t o = 1, lab = 0, i = 0;
	int absolute = 0;

	if (n == 1 && s[0] == '@') {
		if (origin == NULL)
			return name_fail(why, "@ with no origin", ERR_PARSE);
		size_t ol = dns_name_len(origin);
		memcpy(out, origin, ol);
		return (int)ol;
	}
	if (n == 1 && s[0] == '.') {
		out[0] = 0;
		return 1;
	}
	tmp[0] = 0;
	while (i < n) {
		uint8_t ch;
		if (s[i] == '.') {
			if (o - lab - 1 == 0)
				return name_fail(why, "empty label", ERR_PARSE);
			tmp[lab] = (uint8_t)(o - lab - 1);
			lab = o;
			tmp[o++] = 0;
			absolute = ++i == n;
			continue;
		}
		if (decode_char(s, n, &i, &ch) < 0)
			return name_fail(why, "bad escape", ERR_PARSE);
		if (o - lab - 1 >= DNS_LABEL_MAX)
			return name_fail(why, "label longer than 63 bytes",
					 ERR_TOOBIG);
		if (o >= DNS_NAME_MAX - 1)
			return name_fail(why, "name longer than 255 bytes",
					 ERR_TOOBIG);
		tmp[o++] = ch;
	}
	return name_finish(tmp, o, lab, absolute, origin, out, why);
}

/* Appends one label byte in presentation form. */
static int
put_label_char(uint8_t ch, char *out, size_t outsz, size_t *o)
{
	char tmp[5];
	size_t k;

	if (ch <= ' ' || ch >= 0x7f)
		k = (size_t)snprintf(tmp, sizeof tmp, "\\%03u", ch);
	else if (strchr(".\\\"();@$", ch)) {
		tmp[0] = '\\';
		tmp[1] = (char)ch;
		k = 2;
	} else {
		tmp[0] = (char)ch;
		k = 1;
	}
	if (outsz - *o <= k)
		return ERR_TOOBIG;
	memcpy(out + *o, tmp, k);
	*o += k;
	return 0;
}

int
dns_name_format(const uint8_t *name, char *out, size_t outsz)
{
	size_t o = 0, n = 0;

	if (outsz < 2)
		return ERR_TOOBIG;
	if (name[0] == 0) {
		memcpy(out, ".", 2);
		return 1;
	}
	while (name[n]) {
		size_t l = name[n++];
		for (size_t i = 0; i < l; i++)
			if (put_label_char(name[n++], out, outsz, &o) < 0)
				return ERR_TOOBIG;
		if (outsz - o < 2)
			return ERR_TOOBIG;
		out[o++] = '.';
	}
	out[o] = 0;
	return (int)o;
}

/* The rdata parser's state: tokens in, wire bytes out. */
struct rp {
	const struct dns_tok *t;
	int ntok, i;
	uint8_t *out;
	size_t outsz, n;
	const uint8_t *origin;
	const char *why;
	int rc;
};

static int
rp_fail(struct rp *r, const char *why, int rc)
{
	if (r->rc == 0) {
		r->why = why;
		r->rc = rc;
	}
	return rc;
}

static const struct dns_tok *
rp_next(struct rp *r)
{
	if (r->rc)
		return NULL;
	if (r->i >= r->ntok) {
		rp_fail(r, "missing rdata field", ERR_PARSE);
		return NULL;
	}
	return &r->t[r->i++];
}

static void
rp_put(struct rp *r, const void *p, size_t n)
{
	if (r->rc)
		return;
	if (r->outsz - r->n < n) {
		rp_fail(r, "rdata longer than 65535 bytes", ERR_TOOBIG);
		return;
	}
	memcpy(r->out + r->n, p, n);
	r->n += n;
}

static void
rp_uint(struct rp *r, int bytes, int ttl_style)
{
	const struct dns_tok *t = rp_next(r);
	uint64_t v = 0;
	uint32_t v32;
	int rc;

	if (t == NULL)
		return;
	if (ttl_style) {
		rc = dns_ttl_parse(t->p, t->n, &v32);
		v = v32;
	} else
		rc = parse_uint(t->p, t->n, bytes == 4 ? 0xffffffffu :
				bytes == 2 ? 0xffff : 0xff, &v);
	if (rc < 0) {
		rp_fail(r, rc == ERR_RANGE ? "number out of range" :
			"bad number", rc);
		return;
	}
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };
	rp_put(r, b + 4 - bytes, (size_t)bytes);
}

static void
rp_addr(struct rp *r, int af)
{
	const struct dns_tok *t = rp_next(r);
	char text[64];
	uint8_t a[16];

	if (t == NULL)
		return;
	if (t->n >= sizeof text) {
		rp_fail(r, af == AF_INET ? "bad IPv4 address" :
			"bad IPv6 address", ERR_PARSE);
		return;
	}
	memcpy(text, t->p, t->n);
	text[t->n] = 0;
	if (inet_pton(af, text, a) != 1) {
		rp_fail(r, af == AF_INET ? "bad IPv4 address" :
			"bad IPv6 address", ERR_PARSE);
		return;
	}
	rp_put(r, a, af == AF_INET ? 4 : 16);
}

static void
rp_name(struct rp *r)
{
	const struct dns_tok *t = rp_next(r);
	uint8_t name[DNS_NAME_MAX + 1];
	const char *why;

	if (t == NULL)
		return;
	int n = dns_name_parse(t->p, t->n, r->origin, name, &why);
	if (n < 0) {
		rp_fail(r, why, n);
		return;
	}
	rp_put(r, name, (size_t)n);
}

/* Decodes a token's escapes into out; returns the length, -1 when it
 * does not fit, -2 for a bad escape. */
static int
tok_decode(const struct dns_tok *t, uint8_t *out, size_t outsz)
{
	size_t i = 0, o = 0;
	uint8_t ch;

	while (i < t->n) {
		if (decode_char(t->p, t->n, &i, &ch) < 0)
			return -2;
		if (o >= outsz)
			return -1;
		out[o++] = ch;
	}
	return (int)o;
}

/* A character string (RFC 1035 section 3.3): with a length byte, or, for
 * a CAA value, the rest of the rdata. */
static void
rp_string(struct rp *r, int prefix_len)
{
	const struct dns_tok *t = rp_next(r);
	uint8_t s[DNS_MAX_MSG];

	if (t == NULL)
		return;
	int n = tok_decode(t, s, prefix_len ? 255 : sizeof s);
	if (n == -2) {
		rp_fail(r, "bad escape", ERR_PARSE);
		return;
	}
	if (n < 0) {
		rp_fail(r, "character string longer than 255 bytes",
			ERR_TOOBIG);
		return;
	}
	if (prefix_len) {
		uint8_t l = (uint8_t)n;
		rp_put(r, &l, 1);
	}
	rp_put(r, s, (size_t)n);
}

/* RFC 3597 section 5: \# LENGTH HEX... */
static void
rp_generic(struct rp *r)
{
	uint64_t want;
	const struct dns_tok *t = rp_next(r);

	if (t == NULL || parse_uint(t->p, t->n, 65535, &want) < 0) {
		rp_fail(r, "bad \\# length", ERR_PARSE);
		return;
	}
	size_t start = r->n;
	while (r->i < r->ntok && r->rc == 0) {
		t = &r->t[r->i++];
		if (t->n % 2) {
			rp_fail(r, "bad hex in \\# rdata", ERR_PARSE);
			return;
		}
		for (size_t k = 0; k < t->n; k += 2) {
			int hi = hex_value((unsigned char)t->p[k]);
			int lo = hex_value((unsigned char)t->p[k + 1]);
			if (hi < 0 || lo < 0) {
				rp_fail(r, "bad hex in \\# rdata", ERR_PARSE);
				return;
			}
			uint8_t b = (uint8_t)(hi << 4 | lo);
			rp_put(r, &b, 1);
		}
	}
	if (r->rc == 0 && r->n - start != want)
		rp_fail(r, "\\# length does not match the data", ERR_PARSE);
}

static void
rp_caa(struct rp *r)
{
	const struct dns_tok *t;

	rp_uint(r, 1, 0);
	t = rp_next(r);
	if (t == NULL)
		return;
	if (t->n == 0 || t->n > 255 || t->quoted) {
		rp_fail(r, "bad CAA tag", ERR_PARSE);
		return;
	}
	for (size_t i = 0; i < t->n; i++)
		if (!((t->p[i] | 0x20) >= 'a' && (t->p[i] | 0x20) <= 'z') &&
		    !(t->p[i] >= '0' && t->p[i] <= '9')) {
			rp_fail(r, "bad CAA tag", ERR_PARSE);
			return;
		}
	uint8_t l = (uint8_t)t->n;
	rp_put(r, &l, 1);
	rp_put(r, t->p, t->n);
	rp_string(r, 0);
}

static void
rp_typed(struct rp *r, uint16_t type)
{
	switch (type) {
	case DNS_T_A: rp_addr(r, AF_INET); break;
	case DNS_T_AAAA: rp_addr(r, AF_INET6); break;
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: rp_name(r); break;
	case DNS_T_MX: rp_uint(r, 2, 0); rp_name(r); break;
	case DNS_T_SOA:
		rp_name(r);
		rp_name(r);
		rp_uint(r, 4, 0);
		for (int k = 0; k < 4; k++)
			rp_uint(r, 4, 1);
		break;
	case DNS_T_TXT:
		do
			rp_string(r, 1);
		while (r->i < r->ntok && r->rc == 0);
		break;
	case DNS_T_SRV:
		for (int k = 0; k < 3; k++)
			rp_uint(r, 2, 0);
		rp_name(r);
		break;
	case DNS_T_CAA: rp_caa(r); break;
	default:
		rp_fail(r, "this type needs the \\# rdata form", ERR_PARSE);
	}
}

int
dns_rdata_parse(uint16_t type, const struct dns_tok *t, int ntok,
		const uint8_t *origin, uint8_t *out, size_t outsz,
		const char **why)
{
	struct rp r = { t, ntok, 0, out, outsz, 0, origin, NULL, 0 };

	if (ntok > 0 && !t[0].quoted && t[0].n == 2 &&
	    memcmp(t[0].p, "\\#", 2) == 0) {
		r.i = 1;
		rp_generic(&r);
	} else
		rp_typed(&r, type);
	if (r.rc == 0 && r.i < r.ntok)
		rp_fail(&r, "too many rdata fields", ERR_PARSE);
	if (r.rc) {
		*why = r.why;
		return r.rc;
	}
	return (int)r.n;
}

/* Length of the uncompressed name at rd[0..len), or -1 when malformed. */
static int
rd_name_len(const uint8_t *rd, size_t len)
{
	size_t n = 0;

	for (;;) {
		if (n >= len || rd[n] > DNS_LABEL_MAX)
			return -1;
		if (rd[n] == 0)
			return n + 1 > DNS_NAME_MAX ? -1 : (int)n + 1;
		n += (size_t)rd[n] + 1;
	}
}

/* The formatter's state: rdata in, text out; a bad shape sets bad. */
struct rf {
	const uint8_t *rd;
	size_t len, pos;
	struct buf *out;
	int fields, bad, rc;
};

static void
rf_text(struct rf *f, const char *s, size_t n)
{
	if (f->rc == 0 && buf_append(f->out, s, n) < 0)
		f->rc = ERR_TOOBIG;
}

/* A space before every field but the first. */
static void
rf_sep(struct rf *f)
{
	if (f->fields++ > 0)
		rf_text(f, " ", 1);
}

static void
rf_uint(struct rf *f, int bytes)
{
	char tmp[16];
	uint32_t v = 0;

	if (f->bad || f->len - f->pos < (size_t)bytes) {
		f->bad = 1;
		return;
	}
	for (int i = 0; i < bytes; i++)
		v = v << 8 | f->rd[f->pos + (size_t)i];
	f->pos += (size_t)bytes;
	rf_sep(f);
	rf_text(f, tmp, (size_t)snprintf(tmp, sizeof tmp, "%u", v));
}

static void
rf_name(struct rf *f)
{
	char text[DNS_NAME_TEXT_MAX];
	int n;

	if (f->bad)
		return;
	n = rd_name_len(f->rd + f->pos, f->len - f->pos);
	if (n < 0) {
		f->bad = 1;
		return;
	}
	int k = dns_name_format(f->rd + f->pos, text, sizeof text);
	f->pos += (size_t)n;
	rf_sep(f);
	rf_text(f, text, (size_t)k);
}

static void
rf_addr(struct rf *f, int af)
{
	char text[INET6_ADDRSTRLEN];
	size_t n = af == AF_INET ? 4 : 16;

	if (f->len != n) {
		f->bad = 1;
		return;
	}
	inet_ntop(af, f->rd, text, sizeof text);
	f->pos = n;
	rf_sep(f);
	rf_text(f, text, strlen(text));
}

/* A quoted character string of the next n bytes. */
static void
rf_quoted(struct rf *f, size_t n)
{
	char tmp[8];

	if (f->bad || f->len - f->pos < n) {
		f->bad = 1;
		return;
	}
	rf_sep(f);
	rf_text(f, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = f->rd[f->pos + i];
		size_t k;
		if (ch < ' ' || ch >= 0x7f)
			k = (size_t)snprintf(tmp, sizeof tmp, "\\%03u", ch);
		else if (ch == '"' || ch == '\\')
			k = (size_t)snprintf(tmp, sizeof tmp, "\\%c", ch);
		else {
			tmp[0] = (char)ch;
			k = 1;
		}
		rf_text(f, tmp, k);
	}
	rf_text(f, "\"", 1);
	f->pos += n;
}

/* TXT: one or more length-prefixed strings. */
static void
rf_strings(struct rf *f)
{
	if (f->len == 0)
		f->bad = 1;
	while (f->pos < f->len && !f->bad) {
		size_t n = f->rd[f->pos++];
		rf_quoted(f, n);
	}
}

/* CAA (RFC 8659 section 4.1.1): flags, tag, quoted value. */
static void
rf_caa(struct rf *f)
{
	rf_uint(f, 1);
	if (f->bad || f->pos >= f->len || f->rd[f->pos] == 0 ||
	    f->len - f->pos - 1 < f->rd[f->pos]) {
		f->bad = 1;
		return;
	}
	size_t n = f->rd[f->pos++];
	rf_sep(f);
	rf_text(f, (const char *)f->rd + f->pos, n);
	f->pos += n;
	rf_quoted(f, f->len - f->pos);
}

static void
rf_typed(struct rf *f, uint16_t type)
{
	switch (type) {
	case DNS_T_A: rf_addr(f, AF_INET); break;
	case DNS_T_AAAA: rf_addr(f, AF_INET6); break;
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: rf_name(f); break;
	case DNS_T_MX: rf_uint(f, 2); rf_name(f); break;
	case DNS_T_SOA:
		rf_name(f);
		rf_name(f);
		for (int k = 0; k < 5; k++)
			rf_uint(f, 4);
		break;
	case DNS_T_TXT: rf_strings(f); break;
	case DNS_T_SRV:
		for (int k = 0; k < 3; k++)
			rf_uint(f, 2);
		rf_name(f);
		break;
	case DNS_T_CAA: rf_caa(f); break;
	default: f->bad = 1;
	}
}

/* RFC 3597 section 5: \# LENGTH HEX. */
static int
rf_generic(const uint8_t *rd, size_t len, struct buf *out)
{
	static const char hex[] = "0123456789abcdef";

	if (buf_printf(out, "\\# %zu%s", len, len ? " " : "") < 0)
		return ERR_TOOBIG;
	for (size_t i = 0; i < len; i++) {
		char b[2] = { hex[rd[i] >> 4], hex[rd[i] & 15] };
		if (buf_append(out, b, 2) < 0)
			return ERR_TOOBIG;
	}
	return 0;
}

int
dns_rdata_format(uint16_t type, const uint8_t *rd, size_t len,
		 struct buf *out)
{
	size_t start = out->len;
	struct rf f = { rd, len, 0, out, 0, 0, 0 };

	rf_typed(&f, type);
	if (f.rc)
		return f.rc;
	if (!f.bad && f.pos == len)
		return 0;
	out->len = start;
	return rf_generic(rd, len, out);
}
