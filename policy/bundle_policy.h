/* The policy's "bundle" section: the trust store, the signatures and the
 * verdict cache come from the trust bundle installed on the node
 * (docs/trust-bundle.md, verify/trust/bundle_layout.h) rather than from
 * paths of their own.
 *
 *   "bundle": {
 *     "dir": "/var/lib/ocigate/bundle",   where `bundle pull` installs (absolute)
 *     "max_age": "72h",                   created + max_age past => bundle.stale
 *                                         (s|m|h|d|w; default: no limit)
 *     "on_stale": "deny",                 or "audit": bundle.stale is only logged
 *     "warn_before_expiry": "24h"         a syslog warning this close to expires
 *   }
 * With a bundle section, trust.store, trust.signatures_dir and
 * scan.cache_dir are errors (the bundle owns them); trust.root_keys,
 * trust.threshold and trust.state_dir stay in "trust" and verify the
 * bundle's descriptor too.  Unknown keys are errors. */
#ifndef OCIGATE_BUNDLE_POLICY_H
#define OCIGATE_BUNDLE_POLICY_H

#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include "hook/base/error.h"
#include "hook/base/findings.h"
#include "verify/trust/bundle_generation.h"

#define OG_BUNDLE_RULE_EXPIRED "bundle.expired"
#define OG_BUNDLE_RULE_STALE "bundle.stale"

struct og_bundle_policy {
	int configured;			/* a "bundle" section was present */
	char dir[PATH_MAX];
	int64_t max_age;		/* seconds; 0 = no limit */
	char max_age_text[32];
	int on_stale_audit;		/* 1: bundle.stale is logged, never denies */
	int64_t warn_before_expiry;	/* seconds; 0 = no warning */
	char warn_text[32];
	/* Filled by og_bundle_policy_resolve: the generation in force. */
	int resolved;
	struct og_bundle_generation gen;
	/* Filled by og_bundle_policy_check: OG_BUNDLE_EXPIRED | _STALE | _EXPIRING. */
	int freshness;
};

/* Parse the "bundle" section of the whole policy document `doc` (it also
 * checks that "trust" and "scan" leave the bundle's paths alone). */
int og_bundle_policy_parse(const json_t *doc, struct og_bundle_policy *b, og_error *e);
void og_bundle_policy_describe(const struct og_bundle_policy *b, FILE *out);

/* For check and trust verify: "trust bundle: DIR/GEN (version N)", and a
 * second line when it expires within warn_before_expiry. */
void og_bundle_policy_print_generation(const struct og_bundle_policy *b, FILE *out);

/* Where bundles are installed: the section's "dir", or the default when the
 * policy has no bundle section (`bundle pull` reads it from here). */
const char *og_bundle_policy_dir(const struct og_bundle_policy *b);

/* Read the generation in force (BUNDLE_DIR/current, once) and point the
 * trust and scan sections at its files.  Nothing without a bundle section;
 * -1 when no usable generation is installed (the start is refused). */
struct og_trust_policy;
struct og_scan_policy;
int og_bundle_policy_resolve(struct og_bundle_policy *b, struct og_trust_policy *trust,
			     struct og_scan_policy *scan, og_error *e);
/* Then, confined: verify the generation's descriptor with the trust
 * section's root keys and threshold (-1 when it does not verify or does
 * not match the generation's name) and judge its freshness at `now`: a
 * bundle.expired or bundle.stale finding in r; b->freshness says which,
 * and whether it expires within warn_before_expiry.  update_state 1 (the
 * hook) logs that warning to syslog and believes and writes the
 * verification record (bundle_generation.h); 0 (a dry run, which prints
 * instead) logs nothing, verifies the signatures every time and writes
 * nothing. */
int og_bundle_policy_check(struct og_bundle_policy *b, const struct og_trust_policy *trust, int64_t now,
			   int update_state, struct og_findings *r, og_error *e);

#endif
