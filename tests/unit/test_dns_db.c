/* Unit tests of building the database: records into RRsets (sorted,
 * duplicates dropped, the lowest TTL) whatever their order in the file,
 * zone files read in pieces giving the same zone as the text in memory,
 * and the files that are not zone files. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "dns/dns_db.h"
#include "dns/dns_rr.h"
#include "dns/dns_wire.h"
#include "unit.h"

/* Records of one RRset written apart, out of order, twice; or together
 * (a run), in order or not. */
static const char zone[] =
	"$ORIGIN t.\n$TTL 300\n"
	"@ SOA ns admin 1 2 3 4 5\n"
	"@ NS ns\n"
	"a 60 A 10.0.0.2\n"
	"b A 10.0.0.7\n"
	"a TXT \"one\"\n"
	"c A 10.0.0.9\nc A 10.0.0.3\nc A 10.0.0.5\n"
	"a 100 A 10.0.0.1\n"
	"d 100 MX 20 mx.d\nd 50 MX 10 mx.d\nd MX 20 mx.d\n"
	"a AAAA 2001:db8::1\n"
	"a 600 A 10.0.0.2\n"
	"x.y.z A 10.0.0.4\n"
	"ns A 10.0.0.53\n"
	"a 30 TXT \"one\"\n"
	"a TXT \"a longer one\" \"in two\"\n"
	"e A 10.0.0.1\ne A 10.0.0.2\ne 20 A 10.0.0.3\n"
	"f A 10.0.0.1\nf 40 A 10.0.0.1\n";

static struct dns_db *
load(const char *text)
{
	const char *names[] = { "t.zone" }, *texts[] = { text };
	char err[256];
	struct dns_db *db = NULL;

	ck_assert_msg(dns_db_load_texts(names, texts, 1, &db, err,
					sizeof err) == 0, "%s", err);
	return db;
}

/* The RRset as "TTL rdata|rdata|...", or "-". */
static const char *
rrset(const struct dns_db *db, const char *name, uint16_t type)
{
	static struct buf out;
	uint8_t wire[DNS_NAME_MAX + 1], low[DNS_NAME_MAX + 1];
	const char *why;
	const struct dns_zone *z;
	const struct dns_node *nd;
	const struct dns_rrset *rs;

	if (out.max == 0)
		buf_init(&out, 1 << 20);
	buf_reset(&out);
	ck_assert_int_gt(dns_name_parse(name, strlen(name),
					(const uint8_t *)"", wire, &why), 0);
	z = dns_db_zone(db, wire);
	ck_assert_ptr_nonnull(z);
	size_t n = dns_name_lower(wire, low) - z->apex_len;
	nd = dns_zone_lookup(z, low, n);
	rs = nd ? dns_node_rrset(z, nd, type) : NULL;
	if (rs == NULL)
		return "-";
	buf_printf(&out, "%u ", rs->ttl);
	const uint8_t *p = z->rdata + rs->rdata;
	for (unsigned i = 0; i < rs->count; i++) {
		size_t len = dns_rdata_fixed(type);
		if (len == 0) {
			len = (size_t)p[0] << 8 | p[1];
			p += 2;
		}
		if (i)
			buf_append(&out, "|", 1);
		dns_rdata_format(type, p, len, &out);
		p += len;
	}
	buf_append(&out, "", 1);
	return (const char *)buf_data(&out);
}

static const struct {
	const char *name;
	uint16_t type;
	const char *want;
} sets[] = {
	{ "a.t.", DNS_T_A, "60 10.0.0.1|10.0.0.2" },
	{ "a.t.", DNS_T_TXT, "30 \"one\"|\"a longer one\" \"in two\"" },
	{ "a.t.", DNS_T_AAAA, "300 2001:db8::1" },
	{ "a.t.", DNS_T_MX, "-" },
	{ "b.t.", DNS_T_A, "300 10.0.0.7" },
	{ "c.t.", DNS_T_A, "300 10.0.0.3|10.0.0.5|10.0.0.9" },
	{ "d.t.", DNS_T_MX, "50 10 mx.d.t.|20 mx.d.t." },
	{ "x.y.z.t.", DNS_T_A, "300 10.0.0.4" },
	{ "e.t.", DNS_T_A, "20 10.0.0.1|10.0.0.2|10.0.0.3" },
	{ "f.t.", DNS_T_A, "40 10.0.0.1" },
	{ "y.z.t.", DNS_T_A, "-" },
	{ "t.", DNS_T_NS, "300 ns.t." },
	{ "t.", DNS_T_SOA, "300 ns.t. admin.t. 1 2 3 4 5" },
};

START_TEST(rrsets_whatever_the_order)
{
	struct dns_db *db = load(zone);

	ck_assert_str_eq(rrset(db, sets[_i].name, sets[_i].type),
			 sets[_i].want);
	ck_assert_uint_eq(db->nrecords, 23);
	dns_db_free(db);
}
END_TEST

/* A name's RRsets follow type order; an empty non-terminal has none. */
START_TEST(node_rrsets_by_type)
{
	struct dns_db *db = load(zone);
	const struct dns_zone *z = db->zones[0];
	const struct dns_node *a = dns_zone_lookup(z, (const uint8_t *)"\1a", 2);
	const struct dns_node *yz =
		dns_zone_lookup(z, (const uint8_t *)"\1y\1z", 4);

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(dns_node_nrrset(a), 3);
	ck_assert_uint_eq(z->rrsets[a->rrset].type, DNS_T_A);
	ck_assert_uint_eq(z->rrsets[a->rrset + 1].type, DNS_T_TXT);
	ck_assert_uint_eq(z->rrsets[a->rrset + 2].type, DNS_T_AAAA);
	ck_assert_ptr_nonnull(yz);
	ck_assert_uint_eq(dns_node_nrrset(yz), 0);
	dns_db_free(db);
}
END_TEST

START_TEST(rrset_too_large)
{
	struct buf t;
	const char *names[] = { "big.zone" }, *texts[1];
	char err[256];
	struct dns_db *db;

	buf_init(&t, 4 << 20);
	buf_printf(&t, "$ORIGIN t.\n@ SOA a b 1 2 3 4 5\n");
	for (int i = 0; i < 65536; i++)
		buf_printf(&t, "x A 10.%d.%d.%d\n", i >> 16, (i >> 8) & 255,
			   i & 255);
	buf_append(&t, "", 1);
	texts[0] = (const char *)buf_data(&t);
	ck_assert_int_eq(dns_db_load_texts(names, texts, 1, &db, err,
					   sizeof err), ERR_TOOBIG);
	ck_assert_str_eq(err, "big.zone: zone t.: an RRset of more than 65535 "
			 "records");
	t.len -= 1 + strlen("x A 10.0.255.255\n");
	buf_append(&t, "", 1);
	texts[0] = (const char *)buf_data(&t);
	ck_assert_int_eq(dns_db_load_texts(names, texts, 1, &db, err,
					   sizeof err), 0);
	const struct dns_zone *z = db->zones[0];
	const struct dns_node *x = dns_zone_lookup(z, (const uint8_t *)"\1x",
						   2);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(dns_node_rrset(z, x, DNS_T_A)->count, 65535);
	dns_db_free(db);
	buf_fini(&t);
}
END_TEST

static char dir[] = "/tmp/inetkit-db-XXXXXX";

static void
put(const char *name, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* A zone over several pieces of the reader (256 KiB), with an entry in
 * parentheses and a quoted string cut at their ends, some records in an
 * $INCLUDE: the same arrays as from the text in memory. */
START_TEST(file_in_pieces_same_as_text)
{
	struct buf t, inc;
	struct dns_db *a, *b;
	const char *names[] = { "t.zone" }, *texts[1];
	char path[256], err[256];
	const char *files[] = { path };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	buf_init(&t, 8 << 20);
	buf_init(&inc, 1 << 20);
	buf_printf(&t, "$ORIGIN t.\n$TTL 60\n@ SOA ns admin ( 1 2\n 3 4 5 )\n");
	buf_printf(&inc, "inc A 10.9.9.9\n");
	for (int i = 0; t.len < 3 * 256 * 1024; i++)
		buf_printf(&t, "h%d A 10.0.%d.%d\nh%d TXT \"text %d\" (\n"
			   " \"more\" ) ; c\n", i, (i >> 8) & 255, i & 255,
			   i % 777, i);
	size_t len = t.len;
	buf_printf(&t, "$INCLUDE part.inc\n");
	put("z.zone", (const char *)buf_data(&t), t.len);
	put("part.inc", (const char *)buf_data(&inc), inc.len);
	snprintf(path, sizeof path, "%s/z.zone", dir);
	ck_assert_msg(dns_db_load(files, 1, NULL, &a, err, sizeof err) == 0,
		      "%s", err);
	t.len = len;
	buf_printf(&t, "inc A 10.9.9.9\n");
	buf_append(&t, "", 1);
	texts[0] = (const char *)buf_data(&t);
	ck_assert_msg(dns_db_load_texts(names, texts, 1, &b, err,
					sizeof err) == 0, "%s", err);
	const struct dns_zone *x = a->zones[0], *y = b->zones[0];
	ck_assert_uint_eq(a->nrecords, b->nrecords);
	ck_assert_uint_eq(x->nnodes, y->nnodes);
	ck_assert_uint_eq(x->nrrsets, y->nrrsets);
	ck_assert_uint_eq(x->names_len, y->names_len);
	ck_assert_uint_eq(x->rdata_len, y->rdata_len);
	ck_assert(memcmp(x->names, y->names, x->names_len) == 0);
	ck_assert(memcmp(x->rdata, y->rdata, x->rdata_len) == 0);
	ck_assert(memcmp(x->rrsets, y->rrsets,
			 x->nrrsets * sizeof *x->rrsets) == 0);
	ck_assert(memcmp(x->nodes, y->nodes,
			 (x->nnodes + 1) * sizeof *x->nodes) == 0);
	const char *want = "60 \"text 700\" \"more\"|\"text 1477\" \"more\"|"
		"\"text 2254\" \"more\"|";
	ck_assert(strncmp(rrset(a, "h700.t.", DNS_T_TXT), want,
			  strlen(want)) == 0);
	ck_assert_str_eq(rrset(a, "inc.t.", DNS_T_A), "60 10.9.9.9");
	dns_db_free(a);
	dns_db_free(b);
	unlink(path);
	snprintf(path, sizeof path, "%s/part.inc", dir);
	unlink(path);
	rmdir(dir);
	buf_fini(&t);
	buf_fini(&inc);
}
END_TEST

/* Anything but a directory is read to its end. */
START_TEST(not_zone_files)
{
	const char *files[1];
	struct dns_db *db;
	char err[256];

	files[0] = "/dev/null";
	ck_assert_int_eq(dns_db_load(files, 1, NULL, &db, err, sizeof err),
			 ERR_PARSE);
	ck_assert_str_eq(err, "/dev/null:1: no SOA record");
	files[0] = "/";
	ck_assert_int_eq(dns_db_load(files, 1, NULL, &db, err, sizeof err),
			 -EISDIR);
	ck_assert_str_eq(err, "/: Is a directory");
	files[0] = "/nonexistent/z.zone";
	ck_assert_int_eq(dns_db_load(files, 1, NULL, &db, err, sizeof err),
			 -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/z.zone: No such file or "
			 "directory");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dns_db");
	TCase *tc = tcase_create("db");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, rrsets_whatever_the_order, 0,
			    sizeof sets / sizeof sets[0]);
	tcase_add_test(tc, node_rrsets_by_type);
	tcase_add_test(tc, rrset_too_large);
	tcase_add_test(tc, file_in_pieces_same_as_text);
	tcase_add_test(tc, not_zone_files);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
