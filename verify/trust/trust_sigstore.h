// The trust store's "sigstore" section: Sigstore trusted roots and keyless
// identities, covered by the store's root signatures (so by its rollback
// and expiry protection).
//
//   "sigstore": {
//     "roots": [{"name": "public-good",
//                "trusted_root": "<base64 of a trusted_root.json>"}],
//     "identities": [{"name": "k8s-release",                 optional label
//                     "scopes": ["registry.k8s.io/*"],
//                     "san": "krel-trust@k8s-releng-prod.iam.gserviceaccount.com",
//                       (or "san_regex": POSIX ERE matching the whole SAN)
//                     "issuer": "https://accounts.google.com",   required
//                     "extensions": {"12": "https://github.com/..."},  optional,
//                       Fulcio 1.3.6.1.4.1.57264.1.N (9 to 22), exact
//                     "root": "public-good",                 optional: that root only
//                     "not_before": "...", "not_after": "..."}]}
//
// Revoked certificate identities are listed beside revoked keys, in the
// store's "revoked" object (parsed here for trust_store.c):
//
//   "revoked": {"identities": [{"san": "<certificate SAN, exact>",
//                               "issuer": "<OIDC issuer>"}]}   issuer optional:
//                                                               then every issuer
//
// A keyless signature whose certificate's SAN (and issuer) is revoked is
// refused, whichever identity entry would accept it.
//
// Unknown keys are errors; an identity without an issuer is refused, and so
// is one naming a root the section does not have.  A store checked in full
// (trust sign/verify, a store without a valid verification record) parses
// every trusted root; otherwise roots are parsed when first used.
//
// The hook verifies keyless signatures (Sigstore bundles and cosign's
// registry form) against this section: verify/trust/sig_keyless.h.
#ifndef OCIGATE_TRUST_SIGSTORE_H
#define OCIGATE_TRUST_SIGSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hook/base/error.h"
#include "hook/base/json_reader.h"
#include "verify/sig/keyless.h"
#include "verify/sig/trusted_root.h"

#define OG_MAX_STORE_ROOTS 8
#define OG_MAX_STORE_IDENTITIES 256
#define OG_MAX_IDENTITY_SCOPES 64

struct og_trust_root_entry {
	const char *name;
	const char *b64;			/* the trusted_root.json, base64 */
	struct og_trusted_root *root;		/* parsed lazily */
	int state;				/* 0 unparsed, 1 ok, -1 unusable */
	char error[256];
};

struct og_trust_identity {
	const char *name;			/* "" when unnamed */
	const char **scopes;
	size_t nscopes;
	const char *san, *san_regex;		/* exactly one */
	const char *issuer;
	const char *root;			/* NULL: any root of the section */
	size_t nextensions;
	struct og_keyless_extension extensions[OG_KEYLESS_MAX_EXTENSIONS];
	int64_t not_before, not_after;		/* 0: unbounded */
};

struct og_trust_revoked_identity {
	const char *san;
	const char *issuer;			/* NULL: any issuer */
};

struct og_trust_sigstore {
	size_t nroots, nidentities, nrevoked;
	struct og_trust_root_entry *roots;
	struct og_trust_identity *identities;
	struct og_trust_revoked_identity *revoked;	/* from $.revoked.identities */
};

/* Parse $.revoked.identities (the array) from r into s->revoked. */
int og_trust_revoked_identities_parse(struct og_jr *r, struct og_trust_sigstore *s, og_error *e);
/* The index of the revocation covering (san, issuer) plus one, or 0. */
size_t og_trust_identity_revoked(const struct og_trust_sigstore *s, const char *san, const char *issuer);
/* Parse the section's object from r (strings stay in r's buffer); with
 * check_roots, every trusted root is decoded and parsed now. */
int og_trust_sigstore_parse(struct og_jr *r, struct og_trust_sigstore *out, int check_roots, og_error *e);
/* `trust sign`'s check of a store document's sigstore section (every root
 * parsed, every identity checked); the rest of the document is left to
 * og_trust_store_load.  0 when there is no section or it is valid. */
int og_trust_sigstore_check_document(const char *data, size_t len, og_error *e);
/* Root i, parsed if needed: 0 and *root, or -1 with the reason. */
int og_trust_sigstore_root(struct og_trust_sigstore *s, size_t i, const struct og_trusted_root **root, og_error *e);
void og_trust_sigstore_free(struct og_trust_sigstore *s);
/* Roots (with their logs, CAs and validity) and identities, for `trust verify`. */
void og_trust_sigstore_describe(struct og_trust_sigstore *s, FILE *out);

#endif
