/* Does one stored signature entry vouch for an image digest?  Signature
 * first (over the exact payload bytes, or the DSSE PAE, or the prehashed
 * messageDigest), then what the signed bytes say: the key must not be
 * revoked, must be inside its validity window, its scopes must cover the
 * signed repository, and the signed digest must be the image digest,
 * directly or through the stored manifest (and index) chain. */
#ifndef OCIGATE_SIG_VERIFY_H
#define OCIGATE_SIG_VERIFY_H

#include <stddef.h>
#include "verify/sig/sig_store.h"
#include "verify/trust/trust_store.h"

enum og_sig_outcome {
	OG_SIG_NO_KEY = 0,	/* no trust-store key produced a valid signature */
	OG_SIG_BAD_SIGNATURE,	/* keys in scope tried, none verified */
	OG_SIG_MALFORMED,	/* entry or signed payload unusable */
	OG_SIG_UNSUPPORTED,	/* e.g. certificate bundles */
	OG_SIG_WRONG_DIGEST,
	OG_SIG_OUT_OF_SCOPE,
	OG_SIG_EXPIRED_KEY,
	OG_SIG_REVOKED_KEY,
	OG_SIG_ACCEPTED,
};

struct og_sig_verdict {
	enum og_sig_outcome outcome;
	char keyid[OG_KEYID_HEX];	/* key that verified, when one did */
	char repository[OG_REF_MAX];	/* signed repository, when known */
	char message[512];
};

struct og_sig_verify_opts {
	const char *const *predicate_types;	/* accepted in-toto predicate types */
	size_t npredicate_types;
	int all_keys;	/* also try keys out of scope of the entry's repository hint
			   (diagnosis on the failure path) */
};

/* Fills v; returns -1 only on an operational failure (out of memory). */
int og_sig_entry_verify(struct og_trust_store *s, const struct og_sig_entry *en, const char *digest,
			const struct og_sig_verify_opts *o, struct og_sig_verdict *v, og_error *e);
const char *og_sig_outcome_name(enum og_sig_outcome o);

#endif
