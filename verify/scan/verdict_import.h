/* Turning scanner reports into verdicts: `trivy image -f json` (schema 2)
 * and `grype -o json` output.  Reports are hostile input: bounded, parsed
 * with duplicate keys rejected, every field type- and length-checked.  A
 * report that names no image digest is refused (it cannot be looked up). */
#ifndef OCIGATE_VERDICT_IMPORT_H
#define OCIGATE_VERDICT_IMPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"
#include "verify/scan/verdict.h"

#define OG_MAX_SCAN_REPORT_BYTES (64u * 1024 * 1024)

enum og_scan_format { OG_SCAN_FORMAT_AUTO = 0, OG_SCAN_FORMAT_TRIVY, OG_SCAN_FORMAT_GRYPE };

/* What a scanner or VEX document is, from its top-level keys, so that a file
 * given to the wrong command is named for what it is. */
enum og_scan_doc_kind {
	OG_SCAN_DOC_UNKNOWN = 0,
	OG_SCAN_DOC_TRIVY,
	OG_SCAN_DOC_GRYPE,
	OG_SCAN_DOC_OPENVEX,
	OG_SCAN_DOC_CYCLONEDX,
};
enum og_scan_doc_kind og_scan_doc_kind(const json_t *root);
const char *og_scan_doc_kind_name(enum og_scan_doc_kind kind);	/* "a Trivy report", ... */

/* Parse report bytes into a verdict; `what` names the report in errors and
 * `now` is the import time (used as scan time when the report has none). */
int og_verdict_import(const char *data, size_t len, enum og_scan_format fmt, const char *what,
		      int64_t now, struct og_verdict *out, og_error *e);

#endif
