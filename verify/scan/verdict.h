/* A scan verdict: what the hook needs from a Trivy or Grype report about one
 * image, evaluated once at import so the start-time check reads one small
 * file and parses it once.
 *
 * On disk (cache_dir/sha256/<2 hex>/<64 hex>.json) a verdict is one line of
 * compact JSON, optionally followed by one signature line (verdict_sign.h):
 *   {"ocigate_verdict":1,"digests":["sha256:..",..],"repository":"..",
 *    "scanner":"trivy","scanner_version":"..","scanned_at":"RFC3339",
 *    "scan_time_source":"report"|"import","imported_at":"RFC3339",
 *    "findings":[[id,package,installed,fixed,severity,fix_status],..]}
 * Findings are arrays rather than objects to keep files small. */
#ifndef OCIGATE_VERDICT_H
#define OCIGATE_VERDICT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"

#define OG_VERDICT_FORMAT 1
#define OG_MAX_VERDICT_BYTES (16u * 1024 * 1024)	/* one cache file */
#define OG_MAX_VERDICT_FINDINGS 100000
#define OG_MAX_VERDICT_DIGESTS 32
#define OG_MAX_VULN_ID_BYTES 128
#define OG_MAX_PKG_FIELD_BYTES 1024	/* package name, versions */
#define OG_MAX_REPOSITORY_BYTES 512
#define OG_MAX_SCANNER_FIELD_BYTES 128

enum og_severity {
	OG_SEV_UNKNOWN = 0,
	OG_SEV_LOW,
	OG_SEV_MEDIUM,
	OG_SEV_HIGH,
	OG_SEV_CRITICAL,
	OG_SEV_COUNT
};

enum og_fix_status {
	OG_FIX_UNKNOWN = 0,	/* scanner did not say */
	OG_FIX_FIXED,		/* a fixed version exists */
	OG_FIX_NOT_FIXED,	/* affected, no fix yet (or fix deferred) */
	OG_FIX_WONT_FIX,	/* vendor will not fix / end of life */
	OG_FIX_NOT_AFFECTED,	/* scanner itself says not affected: never counted */
	OG_FIX_COUNT
};

struct og_vuln_finding {
	char *id, *pkg, *installed, *fixed;
	enum og_severity severity;
	enum og_fix_status status;
};

struct og_verdict {
	char **digests;			/* validated "sha256:<64 hex>", no duplicates */
	size_t ndigests, capdigests;
	char *repository;		/* may be "" */
	char *scanner, *scanner_version;
	int64_t scanned_at, imported_at;
	int scan_time_from_import;	/* report had no usable scan time */
	struct og_vuln_finding *findings;
	size_t nfindings, capfindings;
};

void og_verdict_free(struct og_verdict *v);
#define og_cleanup_verdict __attribute__((cleanup(og_verdict_free)))

const char *og_severity_name(enum og_severity s);	/* "critical".."unknown" */
int og_severity_from_name(const char *s, enum og_severity *out);	/* policy/cache names */
/* A scanner's severity word, in any case: critical, high, medium, low,
 * negligible (Grype's, counted as low) or unknown; NULL (the report gave
 * none) is unknown.  Anything else is refused, naming the word and `path`
 * (its JSON path), rather than counted as unknown. */
int og_severity_from_report(const char *s, const char *path, enum og_severity *out, og_error *e);
const char *og_fix_status_name(enum og_fix_status s);	/* "fixed", "not-fixed", ... */

/* 1 when s is a vulnerability id we accept: 1..128 of [A-Za-z0-9._:+-]. */
int og_vuln_id_valid(const char *s);

/* Building a verdict (importers): copies strings, checks the limits. */
int og_verdict_add_digest(struct og_verdict *v, const char *digest, const char *path, og_error *e);
int og_verdict_add_finding(struct og_verdict *v, const char *id, const char *pkg,
			   const char *installed, const char *fixed, enum og_severity sev,
			   enum og_fix_status st, const char *path, og_error *e);
int og_verdict_set_str(char **field, const char *value, size_t max, const char *path, og_error *e);

/* Serialise as the one-line cache form (no trailing newline); NULL on ENOMEM. */
char *og_verdict_dump(const struct og_verdict *v, size_t *len);

/* Parse the cache form (strict: our own format, unknown keys are errors).
 * `what` names the file in errors. */
int og_verdict_load(const char *data, size_t len, const char *what, struct og_verdict *out,
		    og_error *e);

/* 1 when the verdict names digest. */
int og_verdict_has_digest(const struct og_verdict *v, const char *digest);

/* Copy s into out (size >= 4) keeping printable ASCII, other bytes as '?',
 * ending in "..." when cut: hostile report text is never printed raw. */
const char *og_scan_clean(const char *s, char *out, size_t size);

/* Report scan time: parse ts when it is a non-empty RFC 3339 time, else use
 * the import time and mark it so. */
int og_verdict_set_scan_time(struct og_verdict *v, const char *ts, const char *path, og_error *e);

#endif
