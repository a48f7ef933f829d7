/* dns_db_load: reading zone files (RFC 1035 section 5, through the
 * parser of dns_zone.c) and an /etc/hosts-style file into a new
 * database, and zone texts for tests. The files are read in pieces. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "dns_db.h"
#include "dns_rr.h"
#include "dns_zone.h"

/* Loading: the parser's callback. The first record makes the zone. */
struct load {
	struct dns_db *db;
	struct dns_zone *z;
	const char *file;
	size_t zcap;
	char why[2 * DNS_NAME_TEXT_MAX + 64];
};

static int
load_new_zone(struct load *ld, const struct dns_zone_rr *rr, const char **why)
{
	char text[DNS_NAME_TEXT_MAX];

	dns_name_format(rr->owner, text, sizeof text);
	if (rr->type != DNS_T_SOA) {
		*why = "the first record must be the zone's SOA";
		return ERR_PARSE;
	}
	for (int i = 0; i < ld->db->nzones; i++)
		if (dns_name_equal(ld->db->zones[i]->apex, rr->owner)) {
			snprintf(ld->why, sizeof ld->why,
				 "zone %s is loaded twice", text);
			*why = ld->why;
			return ERR_PARSE;
		}
	if ((size_t)ld->db->nzones == ld->zcap) {
		size_t c = ld->zcap ? ld->zcap * 2 : 4;
		void *q = realloc(ld->db->zones, c * sizeof *ld->db->zones);
		if (q == NULL)
			return -ENOMEM;
		ld->db->zones = q;
		ld->zcap = c;
	}
	ld->z = dns_db_zone_new(rr->owner, ld->file);
	if (ld->z == NULL)
		return -ENOMEM;
	ld->db->zones[ld->db->nzones++] = ld->z;
	return 0;
}

static int
load_rr(void *arg, const struct dns_zone_rr *rr, const char **why)
{
	struct load *ld = arg;
	char text[DNS_NAME_TEXT_MAX], apex[DNS_NAME_TEXT_MAX];

	if (ld->z == NULL) {
		int rc = load_new_zone(ld, rr, why);
		if (rc < 0)
			return rc;
	} else if (rr->type == DNS_T_SOA &&
		   dns_name_equal(rr->owner, ld->z->apex)) {
		*why = "a second SOA record";
		return ERR_PARSE;
	}
	if (dns_name_suffix(rr->owner, ld->z->apex) < 0) {
		dns_name_format(rr->owner, text, sizeof text);
		dns_name_format(ld->z->apex, apex, sizeof apex);
		snprintf(ld->why, sizeof ld->why, "%s is out of zone %s", text,
			 apex);
		*why = ld->why;
		return ERR_PARSE;
	}
	ld->db->nrecords++;
	return dns_db_zone_add(ld->z, rr->owner, rr->type, rr->ttl,
			       rr->rdata, rr->rdlen, why);
}

/* Files for the parser, read in pieces (see dns_zone.c on why not
 * mapped). Anything but a directory is read to its end: a regular file,
 * /dev/null (no SOA), a pipe. */
static int
load_open(const char *path, void **src)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if (S_ISDIR(st.st_mode))
		rc = -EISDIR;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	*src = (void *)(intptr_t)fd;
	return 0;
}

static ssize_t
load_read(void *src, char *buf, size_t n)
{
	ssize_t got;

	do
		got = read((int)(intptr_t)src, buf, n);
	while (got < 0 && errno == EINTR);
	return got < 0 ? -errno : got;
}

static void
load_close(void *src)
{
	close((int)(intptr_t)src);
}

static const struct dns_zone_io load_io = { load_open, load_read, load_close };

/* One zone file, or one text (file NULL: text[0..len) named name). */
static int
load_zone(struct load *ld, const char *name, const char *text, size_t len,
	  char *err, size_t errsz)
{
	struct dns_zone_opts o = { NULL, load_rr, ld, NULL };
	void *src;
	int rc;

	ld->z = NULL;
	ld->file = name;
	if (text)
		rc = dns_zone_parse(name, text, len, &o, err, errsz);
	else {
		o.io = &load_io;
		rc = load_open(name, &src);
		if (rc < 0) {
			snprintf(err, errsz, "%s: %s", name, err_str(rc));
			return rc;
		}
		rc = dns_zone_parse_src(name, src, &o, err, errsz);
		load_close(src);
	}
	if (rc == 0 && ld->z == NULL) {
		snprintf(err, errsz, "%s:1: no SOA record", name);
		rc = ERR_PARSE;
	}
	return rc;
}

int
dns_db_read_file(const char *path, char **text, size_t *len)
{
	void *src;
	char *p = NULL, *q;
	size_t got = 0, cap = 0;
	ssize_t n = 1;
	int rc = load_open(path, &src);

	if (rc < 0)
		return rc;
	while (n > 0) {
		if (cap - got < 4096) {
			cap = cap ? cap * 2 : 65536;
			q = realloc(p, cap);
			if (q == NULL) {
				n = -ENOMEM;
				break;
			}
			p = q;
		}
		n = load_read(src, p + got, cap - got - 1);
		got += n > 0 ? (size_t)n : 0;
	}
	load_close(src);
	if (n < 0) {
		free(p);
		return (int)n;
	}
	*text = p;
	*len = got;
	return 0;
}

/* The reverse name of a 4- or 16-byte address (RFC 1035 section 3.5,
 * RFC 3596 section 2.5), in wire form. */
static void
reverse_name(const uint8_t *a, size_t alen, uint8_t *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = alen; i-- > 0;) {
		if (alen == 4) {
			int k = snprintf((char *)out + o + 1, 4, "%u", a[i]);
			out[o] = (uint8_t)k;
			o += (size_t)k + 1;
			continue;
		}
		out[o++] = 1;
		out[o++] = (uint8_t)hex[a[i] & 15];
		out[o++] = 1;
		out[o++] = (uint8_t)hex[a[i] >> 4];
	}
	const char *tail = alen == 4 ? "\7in-addr\4arpa" : "\3ip6\4arpa";
	memcpy(out + o, tail, strlen(tail) + 1);
}

/* Adds a record from the hosts file when a zone being built holds the
 * name; a name outside every zone is not ours to serve. */
static int
hosts_add(struct dns_db *db, const uint8_t *name, uint16_t type,
	  const uint8_t *rd, uint16_t rdlen, const char **why)
{
	struct dns_zone *z = (struct dns_zone *)dns_db_zone(db, name);

	if (z == NULL)
		return 0;
	db->nrecords++;
	return dns_db_zone_add(z, name, type, dns_db_zone_ttl(z), rd, rdlen,
			       why);
}

/* One line: ADDRESS NAME [ALIAS...] # comment. */
static int
hosts_line(struct dns_db *db, char *line, const char **why)
{
	uint8_t a[16], name[DNS_NAME_MAX + 1], first[DNS_NAME_MAX + 1];
	uint8_t rev[DNS_NAME_MAX + 1];
	char *save = NULL, *tok;
	int alen, rc = 0, n;

	*strchrnul(line, '#') = 0;
	tok = strtok_r(line, " \t\r", &save);
	if (tok == NULL)
		return 0;
	alen = inet_pton(AF_INET, tok, a) == 1 ? 4 :
		inet_pton(AF_INET6, tok, a) == 1 ? 16 : 0;
	if (alen == 0) {
		*why = "bad address";
		return ERR_PARSE;
	}
	first[0] = 0;
	while (rc == 0 && (tok = strtok_r(NULL, " \t\r", &save)) != NULL) {
		n = dns_name_parse(tok, strlen(tok), (const uint8_t *)"", name,
				   why);
		if (n < 0)
			return n;
		if (first[0] == 0)
			memcpy(first, name, (size_t)n);
		rc = hosts_add(db, name, alen == 4 ? DNS_T_A : DNS_T_AAAA, a,
			       (uint16_t)alen, why);
	}
	if (rc < 0 || first[0] == 0)
		return rc;
	reverse_name(a, (size_t)alen, rev);
	return hosts_add(db, rev, DNS_T_PTR, first,
			 (uint16_t)dns_name_len(first), why);
}

static int
load_hosts(struct dns_db *db, const char *file, char *text, size_t len,
	     char *err, size_t errsz)
{
	unsigned ln = 0;
	char *p = text, *end = text + len;
	const char *why = NULL;

	*end = 0;
	while (p < end) {
		char *nl = strchrnul(p, '\n');
		*nl = 0;
		ln++;
		int rc = hosts_line(db, p, &why);
		if (rc < 0) {
			snprintf(err, errsz, "%s:%u: %s", file, ln, why);
			return rc;
		}
		p = nl + 1;
	}
	return 0;
}

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25	/* Linux 6.1; older kernels say EINVAL */
#endif
#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Asks the kernel to back the 2 MiB-aligned part of an array with huge
 * pages, now (MADV_COLLAPSE): in a large zone each lookup of a random
 * name otherwise pays a TLB miss per array it touches. Not the ends: a
 * huge page there would hold memory the zone does not use. Best effort:
 * errors (kernels before 6.1) are ignored. */
static void
huge_collapse(const void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t e = ((uintptr_t)p + len) & ~(HUGE_PAGE - 1);

	if (e > a)
		(void)madvise((void *)a, e - a, MADV_COLLAPSE);
}

static void
db_collapse(struct dns_db *db)
{
	for (int i = 0; i < db->nzones; i++) {
		const struct dns_zone *z = db->zones[i];
		huge_collapse(z->hash, sizeof *z->hash * z->hash_cap);
		huge_collapse(z->nodes, sizeof *z->nodes * (z->nnodes + 1));
		huge_collapse(z->names, z->names_len);
		huge_collapse(z->rrsets, sizeof *z->rrsets * z->nrrsets);
		huge_collapse(z->rdata, z->rdata_len);
	}
}

static int
load_begin(struct load *ld)
{
	ld->db = calloc(1, sizeof *ld->db);
	return ld->db ? 0 : -ENOMEM;
}

/* Finishes a load that ended with rc: the database to *out, or freed. */
static int
load_end(struct load *ld, int rc, struct dns_db **out, char *err,
	 size_t errsz)
{
	if (rc == 0)
		rc = dns_db_finish(ld->db, err, errsz);
	if (rc < 0) {
		dns_db_free(ld->db);
		return rc;
	}
	*out = ld->db;
	return 0;
}

int
dns_db_load(const char *const *zone_files, int nzones, const char *hosts_file,
	    struct dns_db **out, char *err, size_t errsz)
{
	struct load ld = { 0 };
	int rc = load_begin(&ld);

	for (int i = 0; i < nzones + (hosts_file != NULL) && rc == 0; i++) {
		const char *path = i < nzones ? zone_files[i] : hosts_file;
		char *text;
		size_t len;
		if (i < nzones) {
			rc = load_zone(&ld, path, NULL, 0, err, errsz);
			continue;
		}
		rc = dns_db_read_file(path, &text, &len);
		if (rc < 0) {
			snprintf(err, errsz, "%s: %s", path, err_str(rc));
			break;
		}
		rc = load_hosts(ld.db, path, text, len, err, errsz);
		free(text);
	}
	rc = load_end(&ld, rc, out, err, errsz);
	if (rc == 0) {
		/* The build freed more than it keeps: give it back. */
		malloc_trim(0);
		db_collapse(*out);
	}
	return rc;
}

int
dns_db_load_texts(const char *const *names, const char *const *texts, int n,
		  struct dns_db **out, char *err, size_t errsz)
{
	struct load ld = { 0 };
	int rc = load_begin(&ld);

	for (int i = 0; i < n && rc == 0; i++)
		rc = load_zone(&ld, names[i], texts[i], strlen(texts[i]), err,
			       errsz);
	return load_end(&ld, rc, out, err, errsz);
}
