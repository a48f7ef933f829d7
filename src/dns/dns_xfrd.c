/* dns_xfrd: the state zone transfer shares between the workers: keys,
 * who may transfer, whom to notify, the journals, and publishing a new
 * database when a reload or a transfer changes a zone (the atomic swap
 * SIGHUP uses; zones that did not change are shared, not copied). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/loop.h"
#include "dns_rr.h"
#include "dns_serial.h"
#include "dns_xfr.h"
#include "dns_xfrd.h"

void
dns_xfrd_init(struct dns_xfrd *x)
{
	memset(x, 0, sizeof *x);
	pthread_mutex_init(&x->lock, NULL);
	x->send_timeout_ms = DNS_XFRD_SEND_TIMEOUT_MS;
	x->wake_fd = -1;
}

int
dns_xfrd_add_key(struct dns_xfrd *x, const char *spec, const char **why)
{
	if (x->nkeys == DNS_XFRD_MAX) {
		*why = "too many keys";
		return ERR_PARSE;
	}
	if (dns_tsig_key_parse(spec, &x->keys[x->nkeys], why) < 0)
		return ERR_PARSE;
	x->nkeys++;
	return 0;
}

/* The index of the key named text, or -1. */
static int
key_index(const struct dns_xfrd *x, const char *text)
{
	uint8_t wire[DNS_NAME_MAX + 1];
	const char *why;

	if (dns_name_parse(text, strlen(text), (const uint8_t *)"", wire,
			   &why) < 0)
		return -1;
	for (int i = 0; i < x->nkeys; i++)
		if (dns_name_equal(x->keys[i].name, wire))
			return i;
	return -1;
}

int
dns_xfrd_add_acl(struct dns_xfrd *x, const char *spec, const char **why)
{
	struct dns_xfrd_acl *a = &x->acl[x->nacl];
	char ip[64];
	const char *slash = strchr(spec, '/');
	long prefix = -1;

	if (x->nacl == DNS_XFRD_MAX) {
		*why = "too many --allow-transfer";
		return ERR_PARSE;
	}
	if (strncmp(spec, "key:", 4) == 0) {
		a->key = key_index(x, spec + 4);
		*why = "no --tsig-key of that name (give --tsig-key first)";
		if (a->key < 0)
			return ERR_PARSE;
		x->nacl++;
		return 0;
	}
	size_t n = slash ? (size_t)(slash - spec) : strlen(spec);
	*why = "expected CIDR or key:NAME";
	if (n >= sizeof ip)
		return ERR_PARSE;
	memcpy(ip, spec, n);
	ip[n] = 0;
	a->key = -1;
	if (net_ip_parse(ip, &a->net) < 0)
		return ERR_PARSE;
	int max = net_addr_family(&a->net) == AF_INET ? 32 : 128;
	if (slash) {
		char *end;
		prefix = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || prefix < 0 || prefix > max)
			return ERR_PARSE;
	}
	a->prefix = prefix < 0 ? max : (int)prefix;
	x->nacl++;
	return 0;
}

/* "ADDR[:PORT][/KEYNAME]": the address (port 53 by default) and key. */
static int
addr_key(struct dns_xfrd *x, const char *spec, struct net_addr *a, int *key,
	 const char **why)
{
	char buf[128];
	const char *slash = strchr(spec, '/');
	size_t n = slash ? (size_t)(slash - spec) : strlen(spec);

	*key = -1;
	*why = "expected ADDR[:PORT][/KEYNAME]";
	if (n >= sizeof buf)
		return ERR_PARSE;
	memcpy(buf, spec, n);
	buf[n] = 0;
	if (net_ip_parse(buf, a) == 0)
		net_addr_set_port(a, 53);
	else if (net_addr_parse(buf, a) < 0 || net_addr_port(a) == 0)
		return ERR_PARSE;
	if (slash) {
		*key = key_index(x, slash + 1);
		*why = "no --tsig-key of that name (give --tsig-key first)";
		if (*key < 0)
			return ERR_PARSE;
	}
	return 0;
}

int
dns_xfrd_add_notify(struct dns_xfrd *x, const char *spec, const char **why)
{
	struct dns_xfrd_notify *t = &x->notify[x->nnotify];

	if (x->nnotify == DNS_XFRD_MAX) {
		*why = "too many --notify";
		return ERR_PARSE;
	}
	if (addr_key(x, spec, &t->addr, &t->key, why) < 0)
		return ERR_PARSE;
	x->nnotify++;
	return 0;
}

/* Whether address a lies in the prefix. */
static int
in_prefix(const struct sockaddr_storage *a, const struct dns_xfrd_acl *p)
{
	const uint8_t *x, *y;
	int fam = a->ss_family;
	uint8_t mapped[16];

	if (fam == AF_INET6 && net_addr_family(&p->net) == AF_INET) {
		const uint8_t *v6 = ((const struct sockaddr_in6 *)a)->
			sin6_addr.s6_addr;
		if (memcmp(v6, "\0\0\0\0\0\0\0\0\0\0\377\377", 12) != 0)
			return 0;
		memcpy(mapped, v6 + 12, 4);
		x = mapped;
		fam = AF_INET;
	} else if (fam == AF_INET)
		x = (const uint8_t *)&((const struct sockaddr_in *)a)->sin_addr;
	else
		x = ((const struct sockaddr_in6 *)a)->sin6_addr.s6_addr;
	if (fam != net_addr_family(&p->net))
		return 0;
	y = fam == AF_INET ?
		(const uint8_t *)&((const struct sockaddr_in *)&p->net.ss)->
		sin_addr :
		((const struct sockaddr_in6 *)&p->net.ss)->sin6_addr.s6_addr;
	int bits = p->prefix, i = 0;
	for (; bits >= 8; bits -= 8, i++)
		if (x[i] != y[i])
			return 0;
	return bits == 0 || ((x[i] ^ y[i]) & (0xff << (8 - bits))) == 0;
}

int
dns_xfrd_allowed(const struct dns_xfrd *x,
		 const struct sockaddr_storage *peer,
		 const struct dns_tsig_key *key)
{
	for (int i = 0; i < x->nacl; i++) {
		const struct dns_xfrd_acl *a = &x->acl[i];
		if (a->key >= 0 ? key == &x->keys[a->key] :
		    in_prefix(peer, a))
			return 1;
	}
	return 0;
}

struct dns_journal *
dns_xfrd_journal(struct dns_xfrd *x, const uint8_t *apex, int create)
{
	for (int i = 0; i < x->njournals; i++)
		if (dns_name_equal(x->journals[i].apex, apex))
			return &x->journals[i];
	if (!create)
		return NULL;
	void *p = realloc(x->journals, sizeof *x->journals *
			  (size_t)(x->njournals + 1));
	if (p == NULL)
		return NULL;
	x->journals = p;
	struct dns_journal *j = &x->journals[x->njournals++];
	/* About as much as the zone itself at most, never below 1 MiB. */
	dns_journal_init(j, apex, (size_t)16 << 20);
	return j;
}

static uint32_t
zone_serial(const struct dns_zone *z)
{
	const struct dns_rrset *rs = dns_zone_soa(z);
	const uint8_t *p = z->rdata + rs->rdata;

	return dns_soa_serial(p + 2, (size_t)(p[0] << 8 | p[1]));
}

/* Lock held: a change of serial from old (may be NULL) to cur goes into
 * the journal and the NOTIFY queue. */
static void
changed(struct dns_xfrd *x, const struct dns_zone *old,
	const struct dns_zone *cur)
{
	if (old && zone_serial(old) == zone_serial(cur))
		return;
	if (old && dns_serial_cmp(zone_serial(cur), zone_serial(old)) > 0) {
		struct dns_journal *j = dns_xfrd_journal(x, cur->apex, 1);
		if (j)
			dns_journal_add(j, old, cur);
	}
	if (x->nnotify == 0)
		return;
	for (int i = 0; i < x->nchanged; i++)
		if (dns_name_equal(x->changed[i], cur->apex))
			return;
	void *p = realloc(x->changed, sizeof *x->changed *
			  (size_t)(x->nchanged + 1));
	if (p == NULL)
		return;
	x->changed = p;
	memcpy(x->changed[x->nchanged++], cur->apex, cur->apex_len);
}

static const struct dns_zone *
find(const struct dns_db *db, const uint8_t *apex)
{
	for (int i = 0; i < db->nzones; i++)
		if (dns_name_equal(db->zones[i]->apex, apex))
			return db->zones[i];
	return NULL;
}

void
dns_xfrd_wake(struct dns_xfrd *x)
{
	uint64_t one = 1;

	if (x->wake_fd >= 0 && write(x->wake_fd, &one, sizeof one) < 0)
		return;	/* the counter is full: a wake-up is pending */
}

int
dns_xfrd_install(struct dns_xfrd *x, const uint8_t *apex, struct dns_zone *z)
{
	pthread_mutex_lock(&x->lock);
	const struct dns_db *cur = atomic_load(&x->served->db);
	struct dns_db *db = calloc(1, sizeof *db);
	int n = 0;

	if (db)
		db->zones = calloc((size_t)cur->nzones + 1, sizeof *db->zones);
	if (db == NULL || db->zones == NULL) {
		free(db);
		pthread_mutex_unlock(&x->lock);
		return -ENOMEM;
	}
	for (int i = 0; i < cur->nzones; i++) {
		if (dns_name_equal(cur->zones[i]->apex, apex))
			continue;
		db->zones[n++] = cur->zones[i];
		dns_zone_ref(cur->zones[i]);
	}
	if (z) {
		db->zones[n++] = z;
		dns_zone_ref(z);
		changed(x, find(cur, apex), z);
	}
	db->nzones = n;
	db->nrecords = cur->nrecords;
	/* Workers take the lock (IXFR) while they hold a database: wait for
	 * them to leave the old one only once it is released. */
	struct dns_db *old = dns_served_publish(x->served, db);
	pthread_mutex_unlock(&x->lock);
	dns_served_retire(x->served, old);
	dns_xfrd_wake(x);
	return 0;
}

void
dns_xfrd_publish_reload(struct dns_xfrd *x, struct dns_db *db)
{
	pthread_mutex_lock(&x->lock);
	const struct dns_db *cur = atomic_load(&x->served->db);
	/* The secondary zones are not in the files: carry them over. */
	void *p = realloc(db->zones, sizeof *db->zones *
			  (size_t)(db->nzones + cur->nzones));
	if (p)
		db->zones = p;
	for (int i = 0; p && i < cur->nzones; i++) {
		if (find(db, cur->zones[i]->apex) ||
		    !dns_secondary_owns(x, cur->zones[i]->apex))
			continue;
		db->zones[db->nzones++] = cur->zones[i];
		dns_zone_ref(cur->zones[i]);
	}
	for (int i = 0; i < db->nzones; i++)
		changed(x, find(cur, db->zones[i]->apex), db->zones[i]);
	struct dns_db *old = dns_served_publish(x->served, db);
	pthread_mutex_unlock(&x->lock);
	dns_served_retire(x->served, old);
	dns_xfrd_wake(x);
}

static void
on_wake(struct loop *l, int fd, int events, void *arg)
{
	struct dns_xfrd *x = arg;
	uint64_t v;

	while (read(fd, &v, sizeof v) > 0)
		;
	dns_notifier_wake(x);
	dns_secondary_wake(x);
}

static void xfrd_on_stop(struct loop *l, void *arg);

int
dns_xfrd_start(struct dns_xfrd *x, struct loop *l)
{
	x->loop0 = l;
	x->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (x->wake_fd < 0)
		return -errno;
	int rc = loop_add_fd_read(l, x->wake_fd, on_wake, x);
	if (rc == 0)
		rc = loop_on_stop(l, xfrd_on_stop, x);
	if (rc == 0)
		rc = dns_notifier_start(x, l);
	if (rc == 0)
		rc = dns_secondary_start(x, l);
	if (rc == 0) {
		/* At load: every zone's serial is news to the targets. */
		pthread_mutex_lock(&x->lock);
		const struct dns_db *cur = atomic_load(&x->served->db);
		for (int i = 0; i < cur->nzones; i++)
			changed(x, NULL, cur->zones[i]);
		pthread_mutex_unlock(&x->lock);
		dns_xfrd_wake(x);
	}
	return rc;
}

/* Worker 0 stops: what it runs for transfers goes, so that its loop
 * can end. */
static void
xfrd_on_stop(struct loop *l, void *arg)
{
	struct dns_xfrd *x = arg;

	dns_notifier_free(x);
	dns_secondary_stop(x);
	if (x->wake_fd >= 0) {
		loop_del_fd(x->loop0, x->wake_fd);
		close(x->wake_fd);
		x->wake_fd = -1;
	}
}

int
dns_xfrd_setup(struct dns_xfrd *x, struct dns_db *db)
{
	return dns_secondary_load_saved(x, db);
}

void
dns_xfrd_fini(struct dns_xfrd *x)
{
	dns_secondary_free(x);
	for (int i = 0; i < x->njournals; i++)
		dns_journal_fini(&x->journals[i]);
	free(x->journals);
	free(x->changed);
	pthread_mutex_destroy(&x->lock);
}
