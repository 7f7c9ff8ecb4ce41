/* Shared by the `verdict` commands (cmd_verdict.c: show, ls, gc and the
 * dispatch; cmd_verdict_import.c: import, vex import): which cache, opening
 * it (writers lock it), reading its files without the hook's trust checks,
 * and warning when the hook would refuse what a writer filed. */
#ifndef OCIGATE_VERDICT_CLI_H
#define OCIGATE_VERDICT_CLI_H

#include <limits.h>
#include <stdio.h>
#include "hook/base/error.h"
#include "verify/scan/scan_cache.h"
#include "verify/scan/verdict.h"

#define OG_VERDICT_CMD "ocigate verdict"

struct og_verdict_cli {
	const char *cache_dir;	/* --cache-dir */
	const char *policy;	/* --policy */
	char dir[PATH_MAX];	/* the cache, resolved */
};

/* Print "ocigate verdict SUB: <message>"; returns 2 (the exit code). */
int og_verdict_cli_err(const char *sub, const og_error *e);

/* --cache-dir wins; else the policy's scan.cache_dir; else the default.
 * With a "bundle" section the verdicts are the installed bundle's: read
 * from its generation, never written (writes says which the command does).
 * 0, or -1 with the reason printed. */
int og_verdict_cli_resolve(struct og_verdict_cli *c, const char *sub, int writes);

/* Open the cache: an fd; -2 when it does not exist and create is 0; -1 with
 * the reason printed.  With lock (every writer), the fd holds the writers'
 * lock (og_scan_cache_lock) until it is closed. */
int og_verdict_cli_open(const struct og_verdict_cli *c, int create, int lock, const char *sub);

/* Read a verdict without the start-time trust checks (inspection, and the
 * scan-time comparison of an import): 0, 1 absent, -1 error. */
int og_verdict_cli_read(int cfd, const char *digest, struct og_verdict *v, int *is_signed,
			og_error *e);

/* "critical N, high N, medium N, low N, unknown N" (not_affected excluded). */
void og_verdict_cli_print_counts(FILE *out, const struct og_verdict *v);

/* After a write: warn when the hook's checks (owner root, not group- or
 * world-writable, no links) refuse the cache or the file for digest; 1 when
 * it warned (callers warn once). */
int og_verdict_cli_warn_untrusted(const struct og_verdict_cli *c, enum og_cache_kind kind,
				  const char *digest, const char *sub);

#endif
