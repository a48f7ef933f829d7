/* dns_load: the database a name server answers from. The zone files and
 * the hosts file are read and built into a database (dns_db_load), then
 * the database is prepared for the responder (dns_answer_prepare): the
 * loader sits above both, so the database never calls up into the
 * responder. */
#ifndef INETKIT_DNS_LOAD_H
#define INETKIT_DNS_LOAD_H

#include <stddef.h>

#include "dns_db.h"

/* Loads the zone files, then the /etc/hosts-style file (may be NULL),
 * into a new database ready to serve. On failure returns a negative code
 * and writes "file:line: message" (or "zone Z: message") into err. */
int dns_load(const char *const *zone_files, int nzones,
	     const char *hosts_file, struct dns_db **out, char *err,
	     size_t errsz);

#endif
