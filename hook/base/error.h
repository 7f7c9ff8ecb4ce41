/* One error type for the whole program (after crun's libcrun_error_t).
 *
 * The failing function fills it with og_fail()/og_fail_errno(); each caller
 * on the way up prefixes context with og_wrap(), so the top level prints one
 * line such as "policy /etc/ocigate/policy.json: $.runtime.preset: unknown
 * preset \"x\"".  A fixed buffer: reporting an error never allocates. */
#ifndef OCIGATE_ERROR_H
#define OCIGATE_ERROR_H

#include <stdarg.h>

#define OG_ERROR_MAX 1024

typedef struct og_error {
	int errnum;		/* errno of the failing syscall, 0 otherwise */
	int set;		/* 1 once an error has been recorded */
	char msg[OG_ERROR_MAX];
} og_error;

/* Record an error; returns -1 so callers can `return og_fail(...)`. */
int og_fail(og_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, appending strerror(errnum): only for failures that came from a syscall. */
int og_fail_errno(og_error *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix "context: " to an error already recorded; returns -1. */
int og_wrap(og_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void og_error_clear(og_error *e);

#endif
