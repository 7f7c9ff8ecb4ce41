/* The policy's "trust" section and the image-trust check the hook runs.
 * Keys are documented at the top of trust_policy.c. */
#ifndef OCIGATE_TRUST_POLICY_H
#define OCIGATE_TRUST_POLICY_H

#include <stdio.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "hook/base/error.h"
#include "verify/common/image.h"
#include "hook/base/findings.h"

#define OG_DEFAULT_TRUST_STORE "/etc/ocigate/trust.json"
#define OG_DEFAULT_STATE_DIR "/var/lib/ocigate"
#define OG_DEFAULT_SIGNATURES_DIR "/var/lib/ocigate/signatures"
#define OG_DEFAULT_PREDICATE_TYPE "https://sigstore.dev/cosign/sign/v1"
#define OG_MAX_PREDICATE_TYPES 16

struct og_trust_policy;

int og_trust_policy_parse(const json_t *trust_section, const char *path, struct og_trust_policy **out,
			  og_error *e);
void og_trust_policy_free(struct og_trust_policy *p);
void og_trust_policy_describe(const struct og_trust_policy *p, FILE *out);
int og_trust_required(const struct og_trust_policy *p);
size_t og_trust_policy_nroot(const struct og_trust_policy *p);
/* `policy lint`: each root key loads and is of an accepted type (-1 naming
 * the first that is not: an RSA-1024 root would verify no store); a key
 * file that does not exist here is only a warning on `warn` (a policy may
 * be linted off the node). */
int og_trust_policy_check_root_keys(const struct og_trust_policy *p, FILE *warn, og_error *e);

/* Adds findings "image.identity", "trust.store", "trust.signature"; returns 0
 * after adding any, -1 only for an operational failure. */
/* Add the files and directories the trust check opens to the hook's
 * Landlock rules (hook/base/confine_paths.h), creating the state directory first
 * so that it can be allowed. */
struct og_confine_paths;
int og_trust_policy_prepare_confinement(const struct og_trust_policy *p, struct og_confine_paths *cp);

/* The verified trust store's keys that may sign scan verdicts: not revoked,
 * inside their validity window, Ed25519 or ECDSA P-256.  ctx is the
 * og_trust_policy; *keys is allocated, each key referenced. */
int og_trust_policy_verdict_keys(const void *ctx, EVP_PKEY ***keys, size_t *n, og_error *e);

/* image.base (verify/image/image_policy.h og_image_base_allowed_fn): 1 when
 * the root-verified trust store's "bases" allow the base `name` (a
 * reference) at `digest` ("" for none), 0 when not, -1 when the store
 * cannot be read.  ctx is the og_trust_policy. */
int og_trust_policy_base_allowed(const void *ctx, const char *name, const char *digest, og_error *e);

int og_trust_check(const struct og_trust_policy *p, const struct og_image *img, struct og_findings *r,
		   og_error *e);

/* For the CLI: override settings after parsing (NULL/0 leaves a setting). */
struct og_trust_overrides {
	const char *store, *signatures_dir, *state_dir;
	const char *root_keys[16];
	size_t nroot;
	int threshold;
};
int og_trust_policy_override(struct og_trust_policy *p, const struct og_trust_overrides *o, og_error *e);
/* The check with control over the node's state: update_state 1 (the hook)
 * believes and writes verification records and raises the rollback floor;
 * 0 (a dry run, an inspection) writes nothing and believes no record.
 * `accepted` (may be NULL) receives why the image was accepted. */
int og_trust_evaluate(const struct og_trust_policy *p, const struct og_image *img, int update_state,
		      struct og_findings *r, char *accepted, size_t accepted_size, og_error *e);
const char *og_trust_policy_signatures_dir(const struct og_trust_policy *p);
/* Take the trust store and the signatures from an installed bundle's
 * generation (policy/bundle_policy.h); nothing else changes. */
int og_trust_policy_use_bundle(struct og_trust_policy *p, const char *store, const char *signatures_dir,
			       og_error *e);
/* The store settings of a policy (borrowed strings). */
struct og_trust_store_config;
void og_trust_policy_store_config(const struct og_trust_policy *p, struct og_trust_store_config *c);

#endif
