/* Does one stored signature entry vouch for an image digest?  Signature
 * first (over the exact payload bytes, or the DSSE PAE, or the prehashed
 * messageDigest), then what the signed bytes say: the key must not be
 * revoked, must be inside its validity window, its scopes must cover the
 * signed repository, the signed digest must be the image digest, directly
 * or through the stored manifest (and index) chain, and the signed
 * repository must be the one of the image's name in the engine's record
 * (containers-policy.json's matchRepoDigestOrExact, for a digest).  A
 * signature that names no repository (a messageSignature, an in-toto
 * subject without a name) has its key's scope checked against the engine's
 * repository, or, when the engine records no name, is good only for a key
 * scoped "*".  The entry's "repository" is an unsigned hint: it orders the
 * keys tried and decides nothing. */
#ifndef OCIGATE_SIG_VERIFY_H
#define OCIGATE_SIG_VERIFY_H

#include <stddef.h>
#include "verify/sig/sig_store.h"
#include "verify/trust/trust_store.h"

/* In the order of how much they say: across keys and entries the last
 * one reached is reported. */
enum og_sig_outcome {
	OG_SIG_NO_KEY = 0,	/* no trust-store key produced a valid signature */
	OG_SIG_BAD_SIGNATURE,	/* keys in scope tried, none verified */
	OG_SIG_MALFORMED,	/* entry or signed payload unusable */
	OG_SIG_UNSUPPORTED,	/* e.g. certificate bundles */
	OG_SIG_PREDICATE_REFUSED,	/* an in-toto predicate type the policy does not accept */
	OG_SIG_WRONG_DIGEST,
	OG_SIG_OUT_OF_SCOPE,
	OG_SIG_OTHER_REPOSITORY,	/* signed for a repository the engine does not run it as */
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
	/* The image's name in the engine's record, where it came from and its
	 * repository (og_image's name, name_from, repository): "" when the
	 * engine records none. */
	const char *image_name, *image_name_from, *image_repository;
	int match_repository;	/* a signed repository must be image_repository */
};

/* Fills v; returns -1 only on an operational failure (out of memory). */
int og_sig_entry_verify(struct og_trust_store *s, const struct og_sig_entry *en, const char *digest,
			const struct og_sig_verify_opts *o, struct og_sig_verdict *v, og_error *e);
const char *og_sig_outcome_name(enum og_sig_outcome o);

#endif
