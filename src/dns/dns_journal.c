/* dns_journal: differences found by walking each version and looking
 * every record up in the other (a hash lookup per name), so a reload of
 * a large zone costs two walks and no sorting. */
#include <errno.h>
#include <string.h>

#include "dns_journal.h"
#include "dns_serial.h"
#include "dns_xfr.h"

void
dns_journal_init(struct dns_journal *j, const uint8_t *apex,
		 size_t max_bytes)
{
	memset(j, 0, sizeof *j);
	dns_name_lower(apex, j->apex);
	j->max_bytes = max_bytes;
}

static void
drop_oldest(struct dns_journal *j)
{
	j->bytes -= buf_size(&j->d[0].list);
	buf_fini(&j->d[0].list);
	memmove(&j->d[0], &j->d[1], sizeof j->d[0] * (size_t)(j->n - 1));
	j->n--;
}

void
dns_journal_fini(struct dns_journal *j)
{
	while (j->n)
		drop_oldest(j);
}

/* Whether zone z holds the record r (same TTL, same rdata). */
static int
zone_has(const struct dns_zone *z, const struct dns_xfr_rec *r)
{
	size_t n = dns_name_len(r->owner) - z->apex_len;
	const struct dns_node *nd = dns_zone_lookup(z, r->owner, n);
	const struct dns_rrset *rs = nd ? dns_node_rrset(z, nd, r->type) :
		NULL;

	if (rs == NULL || rs->ttl != r->ttl)
		return 0;
	size_t fixed = dns_rdata_fixed(r->type);
	const uint8_t *p = z->rdata + rs->rdata;
	for (unsigned i = 0; i < rs->count; i++) {
		size_t len = fixed ? fixed : (size_t)(p[0] << 8 | p[1]);
		const uint8_t *rd = fixed ? p : p + 2;
		if (len == r->rdlen && memcmp(rd, r->rd, len) == 0)
			return 1;
		p = rd + len;
	}
	return 0;
}

/* Appends the records of a that b lacks, the SOA left out. */
static int
missing(const struct dns_zone *a, const struct dns_zone *b, struct buf *out)
{
	struct dns_xfr_src s;
	struct dns_xfr_rec r;
	int rc = 0;

	dns_xfr_src_zone(&s, a);
	dns_xfr_src_next(&s);	/* past the first SOA */
	while (rc == 0 && s.phase == 1 && dns_xfr_src_get(&s, &r)) {
		if (s.phase == 1 && !zone_has(b, &r))
			rc = dns_xfr_list_add(out, &r);
		dns_xfr_src_next(&s);
	}
	return rc;
}

static int
add_soa(struct buf *out, const struct dns_zone *z)
{
	struct dns_xfr_src s;
	struct dns_xfr_rec r;

	dns_xfr_src_zone(&s, z);
	dns_xfr_src_get(&s, &r);
	return dns_xfr_list_add(out, &r);
}

static uint32_t
zone_serial(const struct dns_zone *z)
{
	struct dns_xfr_src s;
	struct dns_xfr_rec r;

	dns_xfr_src_zone(&s, z);
	dns_xfr_src_get(&s, &r);
	return dns_soa_serial(r.rd, r.rdlen);
}

int
dns_journal_diff_zones(const struct dns_zone *old, const struct dns_zone *cur,
		       struct buf *out)
{
	int rc = add_soa(out, old);

	if (rc == 0)
		rc = missing(old, cur, out);
	if (rc == 0)
		rc = add_soa(out, cur);
	if (rc == 0)
		rc = missing(cur, old, out);
	return rc;
}

int
dns_journal_add(struct dns_journal *j, const struct dns_zone *old,
		const struct dns_zone *cur)
{
	struct dns_journal_diff d;

	d.from = zone_serial(old);
	d.to = zone_serial(cur);
	int rc;

	/* A difference is never larger than the journal may hold. */
	buf_init(&d.list, j->max_bytes);
	rc = dns_journal_diff_zones(old, cur, &d.list);
	/* A chain with a hole cannot serve anyone: start again. */
	if (rc < 0 || (j->n && j->d[j->n - 1].to != d.from)) {
		dns_journal_fini(j);
		if (rc < 0) {
			buf_fini(&d.list);
			return rc == ERR_TOOBIG ? 0 : rc;
		}
	}
	while (j->n && (j->n == DNS_JOURNAL_MAX ||
			j->bytes + buf_size(&d.list) > j->max_bytes))
		drop_oldest(j);
	j->d[j->n++] = d;
	j->bytes += buf_size(&d.list);
	return 0;
}

int
dns_journal_ixfr(const struct dns_journal *j, uint32_t from,
		 const struct dns_zone *cur, struct buf *out)
{
	int i = 0, rc;

	while (i < j->n && j->d[i].from != from)
		i++;
	if (i == j->n || j->d[j->n - 1].to != zone_serial(cur))
		return 0;
	rc = add_soa(out, cur);
	for (; i < j->n && rc == 0; i++)
		rc = buf_append(out, buf_data(&j->d[i].list),
				buf_size(&j->d[i].list));
	if (rc == 0)
		rc = add_soa(out, cur);
	return rc < 0 ? rc : 1;
}
