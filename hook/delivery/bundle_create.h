/* `ocigate bundle create` (CI side): build a trust bundle as an OCI image
 * layout (docs/trust-bundle.md): the tars, the descriptor naming them by
 * digest, its root signatures, the manifest and index. */
#ifndef OCIGATE_BUNDLE_CREATE_H
#define OCIGATE_BUNDLE_CREATE_H

#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"
#include "verify/trust/bundle_descriptor.h"

struct og_bundle_create_opts {
	const char *out;		/* the layout directory: made, or an empty one */
	int64_t version;		/* 1..OG_TRUST_MAX_VERSION */
	int64_t created;		/* now */
	int64_t lifetime;		/* seconds until it expires */
	const char *const *keys;	/* root private keys (PEM), each signs the descriptor */
	size_t nkeys;
	const char *trust_store;	/* STORE, with STORE.sig beside it */
	const char *signatures_dir;	/* NULL: an empty signatures.tar */
	const char *verdicts_dir;	/* NULL: an empty verdicts.tar */
};

/* Build the layout; *d is the descriptor written (its id, counts). */
int og_bundle_create(const struct og_bundle_create_opts *o, struct og_bundle_descriptor *d, og_error *e);

#endif
