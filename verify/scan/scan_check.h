/* The start-time check of scan verdicts (rules scan.verdict, scan.stale,
 * scan.severity) under the policy's "scan" section. */
#ifndef OCIGATE_SCAN_CHECK_H
#define OCIGATE_SCAN_CHECK_H

#include "hook/base/error.h"
#include "hook/base/findings.h"
#include "verify/common/image.h"
#include "verify/scan/scan_policy.h"
#include "verify/scan/verdict.h"

/* Adds scan.verdict / scan.stale / scan.severity findings; -1 only for an
 * operational failure (out of memory). */
int og_scan_check(const struct og_scan_policy *p, const struct og_image *img, struct og_findings *r,
		  og_error *e);

/* Load and verify (when required) the verdict for digest the way the check
 * does: 0 found, 1 absent, -1 untrustworthy or corrupt (reason in e). */
int og_scan_load_verdict(const struct og_scan_policy *p, int cachefd, const char *digest,
			 struct og_verdict *out, og_error *e);

#endif
