/* unit: what every unit-test binary shares: run a Check suite and turn its
 * result into the exit status scripts/run-unit.sh reads. */
#ifndef INETKIT_UNIT_H
#define INETKIT_UNIT_H

#include <check.h>
#include <stdlib.h>

/* Runs every test of s (forked, as Check does by default) and frees it.
 * Returns EXIT_SUCCESS or EXIT_FAILURE. */
static inline int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
