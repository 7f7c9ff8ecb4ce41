/* Shared helpers for the Check unit tests. */
#ifndef OCIGATE_TESTUTIL_H
#define OCIGATE_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reference fixtures from other projects live outside the repo; tests read
 * them from $OCIGATE_SHARED_FIXTURES (default ../shared/fixtures relative to
 * the source tree) and skip with a message where they are absent. */
static inline const char *tu_shared_fixtures(void)
{
	static char path[4096];
	const char *env = getenv("OCIGATE_SHARED_FIXTURES");
	const char *src = getenv("OCIGATE_SRC");

	if (env != NULL && *env != '\0')
		return env;
	snprintf(path, sizeof path, "%s/../shared/fixtures", src ? src : ".");
	return path;
}

static inline int tu_have_shared_fixtures(void)
{
	return access(tu_shared_fixtures(), R_OK | X_OK) == 0;
}

/* The repo's own fixtures. */
static inline const char *tu_repo_fixtures(void)
{
	static char path[4096];
	const char *src = getenv("OCIGATE_SRC");

	snprintf(path, sizeof path, "%s/tests/fixtures", src ? src : ".");
	return path;
}

/* Run a suite; the test binary's exit status is the number of failures. */
static inline int tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

#endif
