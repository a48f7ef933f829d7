/* dns_load: dns_db_load, then dns_answer_prepare. */
#include <stdio.h>

#include "core/err.h"
#include "dns_answer.h"
#include "dns_load.h"

int
dns_load(const char *const *zone_files, int nzones, const char *hosts_file,
	 struct dns_db **out, char *err, size_t errsz)
{
	int rc = dns_db_load(zone_files, nzones, hosts_file, out, err, errsz);

	if (rc < 0)
		return rc;
	rc = dns_answer_prepare(*out);
	if (rc < 0) {
		snprintf(err, errsz, "zones: %s", err_str(rc));
		dns_db_free(*out);
		*out = NULL;
	}
	return rc;
}
