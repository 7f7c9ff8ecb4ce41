/* The policy's "scan" section (the check itself is scan_check.h).  Keys are
 * documented at the top of scan_policy.c. */
#ifndef OCIGATE_SCAN_POLICY_H
#define OCIGATE_SCAN_POLICY_H

#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "hook/base/error.h"
#include "verify/common/image.h"
#include "hook/base/findings.h"
#include "verify/scan/verdict.h"

#define OG_MAX_SCAN_EXCEPTIONS 1000
#define OG_MAX_SCAN_SIGNER_KEYS 16
#define OG_MAX_SCAN_REASON_BYTES 512
#define OG_SCAN_FUTURE_SLACK 300	/* seconds of clock skew tolerated on scan times */

struct og_scan_exception {
	char id[OG_MAX_VULN_ID_BYTES + 1];
	int64_t until;			/* valid while now < until */
	char until_text[40];
	char *reason;
};

/* Defined here (not opaque) so unit tests can set owner_uid. */
struct og_scan_policy {
	int configured;			/* a "scan" section was present */
	int required;			/* no verdict => scan.verdict */
	char cache_dir[PATH_MAX];
	int64_t max_age;		/* seconds; 0 = no limit */
	char max_age_text[32];
	int require_scan_time;		/* no scan time in the report => scan.stale */
	int64_t max[OG_SEV_COUNT];	/* per severity; -1 = unlimited */
	int ignore_unfixed;
	int use_vex;
	struct og_scan_exception *exceptions;
	size_t nexceptions;
	int require_signed;
	EVP_PKEY **keys;
	char **key_paths;
	size_t nkeys;
	uid_t owner_uid;		/* expected owner of the cache (StrictModes); 0 */
	/* "signers": "trust_store": the verified trust store's usable keys sign
	 * verdicts too.  The policy wires the source in (policy_sections.c);
	 * the keys are fetched once, on the first signed file. */
	int signers_from_trust_store;
	int (*trust_keys)(const void *ctx, EVP_PKEY ***keys, size_t *n, og_error *e);
	const void *trust_keys_ctx;
	EVP_PKEY **store_keys;
	size_t nstore_keys;
	int store_keys_loaded;
};

int og_scan_policy_parse(const json_t *scan_section, const char *path, struct og_scan_policy **out,
			 og_error *e);
void og_scan_policy_free(struct og_scan_policy *p);
void og_scan_policy_describe(const struct og_scan_policy *p, FILE *out);

#endif
