/* Shared by the `trust` and `sig` commands: build the trust policy from
 * --policy (default OG_DEFAULT_POLICY, only its "trust" section) and
 * the --store/--root-key/--threshold/--state-dir/--signatures-dir overrides. */
#ifndef OCIGATE_TRUST_CLI_H
#define OCIGATE_TRUST_CLI_H

#include "policy/policy.h"
#include "verify/trust/trust_policy.h"

#define OG_TRUST_CLI_LONGOPTS                                              \
	{ "policy", required_argument, NULL, 'P' },                        \
	{ "store", required_argument, NULL, 'S' },                         \
	{ "root-key", required_argument, NULL, 'R' },                      \
	{ "threshold", required_argument, NULL, 'T' },                     \
	{ "state-dir", required_argument, NULL, 'D' },                     \
	{ "signatures-dir", required_argument, NULL, 'G' }

#define OG_TRUST_CLI_USAGE                                                              \
	"  --policy FILE          policy to read the \"trust\" section from (default "   \
	OG_DEFAULT_POLICY ")\n"                                                          \
	"  --store FILE           trust store (overrides the policy)\n"                  \
	"  --root-key FILE        root public key (repeatable; overrides the policy)\n"  \
	"  --threshold N          root signatures required (overrides the policy)\n"     \
	"  --state-dir DIR        rollback state directory (overrides the policy)\n"     \
	"  --signatures-dir DIR   image signature directory (overrides the policy)\n"

struct og_trust_cli {
	const char *policy;
	struct og_trust_overrides o;
};

/* Handle one of the options above; 1 when it was one, 0 if not, -1 on error. */
int og_trust_cli_option(struct og_trust_cli *c, int opt, const char *arg, og_error *e);
int og_trust_cli_policy(const struct og_trust_cli *c, struct og_trust_policy **out, og_error *e);
/* The policy's "bundle" section, read as og_trust_cli_policy reads "trust"
 * (b->configured 0 when there is none, or no policy is read). */
int og_trust_cli_bundle(const struct og_trust_cli *c, struct og_bundle_policy *b, og_error *e);
/* The signature directory `sig add` and `sig fetch` file into: the
 * policy's, or --signatures-dir.  Refused when the policy has a "bundle"
 * section and no --signatures-dir: the hook reads only the bundle's. */
int og_trust_cli_filing_dir(const struct og_trust_cli *c, char *out, size_t size, og_error *e);

#endif
