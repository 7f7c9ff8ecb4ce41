/* Keyless signatures on the hook path: a certificate bundle filed with an
 * image is verified (verify/sig/keyless.c) against the trusted roots and
 * identities of the trust store's sigstore section (trust_sigstore.h).  An
 * identity applies when one of its scopes covers the entry's repository and
 * now is inside its window; it is tried with its root, or every root. */
#ifndef OCIGATE_SIG_KEYLESS_H
#define OCIGATE_SIG_KEYLESS_H

#include <stddef.h>
#include <stdint.h>
#include "hook/base/fileio.h"
#include "verify/common/image.h"
#include "verify/trust/trust_store.h"


#define OG_KEYLESS_KEYID_PREFIX "keyless:"	/* verdict keyid: "keyless:<identity index>" */

struct og_sig_keyless_result {
	size_t identity_index;		/* in the store's sigstore section */
	char identity[128];		/* the store identity's name */
	char san[OG_FULCIO_MAX_IDENTITY], issuer[OG_FULCIO_MAX_IDENTITY];
	int64_t log_index, signed_at;
	char predicate_type[256];	/* DSSE bundles: the statement's, verified */
};

#define OG_SIG_KEYLESS_REVOKED (-2)

/* 0 when the bundle verifies for signed_digest under an identity of the
 * store in scope of repository; OG_SIG_KEYLESS_REVOKED when it verifies
 * but its certificate identity is revoked ($.revoked.identities); -1 with
 * the reason otherwise. */
int og_sig_keyless_verify(struct og_trust_store *s, const og_buf *bundle, const char *repository,
			  const char *signed_digest, struct og_sig_keyless_result *r, og_error *e);

/* When an acceptance by the identity a verdict keyid names stops holding
 * (its not_after; 0 when unbounded or keyid is no keyless one). */
int64_t og_sig_keyless_valid_until(const struct og_trust_store *s, const char *keyid);

#endif
