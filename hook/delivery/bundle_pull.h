/* `ocigate bundle pull` (node side): the seven steps of docs/trust-bundle.md,
 * from a registry (skopeo, registry.h) or an OCI image layout, into the
 * generation layout of verify/trust/bundle_layout.h.  Nothing is trusted
 * before it verifies, and any failure leaves the node as it was. */
#ifndef OCIGATE_BUNDLE_PULL_H
#define OCIGATE_BUNDLE_PULL_H

#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"
#include "hook/delivery/registry.h"
#include "verify/trust/bundle_descriptor.h"
#include "verify/trust/trust_store.h"

#define OG_BUNDLE_MANIFEST_DIGEST "manifest.digest"	/* in a generation: the manifest it came from */

struct og_bundle_pull_opts {
	const struct og_trust_store_config *trust;	/* roots, threshold, state_dir (store_path unused) */
	const char *bundle_dir;				/* absolute */
	const char *ref;				/* a registry reference, or NULL */
	const char *layout;				/* an OCI image layout directory, or NULL */
	const struct og_registry_opts *reg;
	uint64_t max_layer_bytes;			/* 0: OG_BUNDLE_MAX_LAYER_BYTES */
};

struct og_bundle_pull_result {
	int up_to_date;
	const char *step;			/* on failure: the step that failed */
	int64_t old_version, new_version;	/* 0: none */
	int64_t old_store_version, new_store_version;
	size_t sigs_added, sigs_removed, verdicts_added, verdicts_removed;
	char generation[OG_BUNDLE_GEN_NAME_MAX];
	char manifest_digest[OG_DIGEST_MAX];
};

int og_bundle_pull(const struct og_bundle_pull_opts *o, struct og_bundle_pull_result *r, og_error *e);

/* The generation `current` names in bundle_dir ("" and 1 when none). */
int og_bundle_current(int bundlefd, char gen[OG_BUNDLE_GEN_NAME_MAX], og_error *e);

#endif
