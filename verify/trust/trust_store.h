// The host's trust store: a JSON document signed by k of the n root keys the
// policy pins (detached signature file STORE.sig), with rollback protection
// (highest accepted version persisted under a state directory) and expiry.
//
// Store document (every key below is checked; unknown keys are errors):
//   {"version": 7,                          integer >= 1, must never go down
//    "expires": "2027-01-01T00:00:00Z",      RFC 3339; refused from then on
//    "keys": [{"name": "team-a",             optional label
//              "key": "-----BEGIN PUBLIC KEY-----\n...",  PEM SubjectPublicKeyInfo
//              "scopes": ["registry.example.com/team-a/*"],
//              "not_before": "...", "not_after": "..."}],  optional RFC 3339
//    "images": [{"digest": "sha256:...", "repository": "registry.example.com/x"}],
//    "revoked": {"keys": ["<keyid hex>"], "digests": ["sha256:..."]},
//    "bases": [{"repository": "docker.io/library/debian", "digest": "sha256:..."}],
//    "sigstore": {"roots": [...], "identities": [...]}}   optional, trust_sigstore.h
// "bases" (optional) lists the base images the image.base rule allows: a
// repository or scope pattern, and optionally the one digest allowed.
// A key id is the hex SHA-256 of the key's DER SubjectPublicKeyInfo.
// Scope patterns: "*" (any repository), "host/path" (exactly that
// repository) or "host/path/*" (anything below host/path/).
//
// Signature file STORE.sig:
//   {"signatures": [{"keyid": "<root keyid hex>", "sig": "<base64>"}]}
// each a signature over the exact bytes of STORE by one root key.
#ifndef OCIGATE_TRUST_STORE_H
#define OCIGATE_TRUST_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <openssl/evp.h>
#include "hook/base/error.h"
#include "hook/base/fileio.h"
#include "verify/common/image.h"
#include "verify/common/keys.h"
#include "verify/trust/trust_sigstore.h"
#include "verify/trust/trust_state.h"

#define OG_MAX_TRUST_STORE_BYTES (4 * 1024 * 1024)
#define OG_MAX_TRUST_SIG_BYTES 65536
#define OG_MAX_TRUST_SIGS 32
#define OG_MAX_STORE_KEYS 1024
#define OG_MAX_KEY_SCOPES 64

struct og_trust_store_config {
	const char *store_path;
	const char *const *root_keys;	/* PEM public key files */
	size_t nroot;
	int threshold;			/* k of nroot */
	const char *state_dir;		/* rollback state; NULL: no rollback check */
	int update_state;		/* persist a newer version once accepted */
	int keep_floor;			/* check the floor, never raise it: a store from a trust
					 * bundle generation (bundle_layout.h), whose replay the
					 * bundle floor refuses at `bundle pull`; raising it from a
					 * hook would refuse starts still reading the previous
					 * generation (test_bundle_stress.sh) */
};

/* Every string below points into the store's bytes (og_trust_store.raw),
 * decoded in place once the signature over them verified. */
struct og_trust_key {
	const char *name;		/* "" when unnamed */
	const char *pem;
	const char **scopes;
	size_t nscopes;
	int64_t not_before, not_after;	/* 0: unbounded */
	EVP_PKEY *pkey;			/* parsed lazily */
	char keyid[OG_KEYID_HEX];
	int state;			/* 0 unparsed, 1 ok, -1 unusable */
	char error[256];		/* why unusable */
};

struct og_trust_image {
	const char *digest, *repository;
};

struct og_trust_store {
	og_buf raw;			/* the signed document, parsed in place */
	int64_t version, expires;
	size_t nkeys, nimages, nrevoked_keys, nrevoked_digests;
	struct og_trust_key *keys;
	struct og_trust_image *images;		/* the allowlist */
	struct og_trust_image *bases;		/* allowed base images (digest may be NULL) */
	size_t nbases;
	const char **revoked_keys, **revoked_digests;
	size_t nsigned;			/* root keys whose signature verified */
	int64_t previous_version;	/* from the state file, 0 if none */
	/* While the store-signatures record holds, the store is one that was
	 * validated in full before, and the allowlist is not read entry by
	 * entry: [images_at, images_end) are its bytes, and the one digest a
	 * check asks for is looked up there (og_trust_allowlisted). */
	const char *images_at, *images_end;
	char allowlisted_repo[OG_REF_MAX];	/* that entry's repository */
	struct og_trust_sigstore sigstore;	/* keyless trusted roots and identities */
};

/* The root keys a signed document is checked with: at least threshold
 * distinct keys of root_keys (PEM public key files) must have signed it. */
struct og_trust_roots {
	const char *const *root_keys;
	size_t nroot;
	int threshold;
};

/* Verify detached root signatures (the STORE.sig format above, its bytes
 * sig/siglen, named sig_name in messages) over exactly the bytes of data.
 * *nsigned: the root keys whose signature verified.  Used for the trust
 * store and for the trust bundle's descriptor (bundle_descriptor.h). */
int og_trust_roots_verify(const struct og_trust_roots *r, const og_buf *data, const char *sig, size_t siglen,
			  const char *sig_name, size_t *nsigned, og_error *e);

/* Verify the signature file, then parse and check the store.  Every
 * refusal is -1 with the reason ("trust store PATH: expired at ...",
 * "... rolled back: version 3 is lower than the accepted version 5", ...).
 * With update_state, a version above the floor raises it (trust_state.h). */
int og_trust_store_load(const struct og_trust_store_config *c, struct og_trust_store **out, og_error *e);
/* StrictModes (hook/base/strict_modes.h) on what an acceptance rests on:
 * the store, its signature file, each root key and the rollback state.
 * og_trust_store_load checks them before it reads; the hook checks them
 * again before it believes a verification record (trust_cache.h). */
int og_trust_store_files_safe(const struct og_trust_store_config *c, og_error *e);
void og_trust_store_free(struct og_trust_store *s);

/* Parse key i if needed: 0 and *k, or -1 with the reason. */
int og_trust_store_key(struct og_trust_store *s, size_t i, EVP_PKEY **k, og_error *e);
/* Every key parses and is of an accepted type (keys.h); -1 naming the
 * first that is not and why (an RSA-1024 key verifies nothing).  For the
 * commands a store enters by. */
int og_trust_store_check_keys(struct og_trust_store *s, og_error *e);
/* Read and parse the store at path without its signatures (`trust sign`,
 * before there are any): what it lists, not whether it is trusted. */
int og_trust_store_parse_file(const char *path, struct og_trust_store **out, og_error *e);
int og_trust_scope_match(const char *pattern, const char *repo);
int og_trust_key_in_scope(const struct og_trust_key *k, const char *repo);
int og_trust_key_revoked(const struct og_trust_store *s, const char *keyid);
/* 1 when "bases" allows the normalised repository repo at digest ("" when
 * the image names none: only an entry without a digest allows it). */
int og_trust_base_allowed(const struct og_trust_store *s, const char *repo, const char *digest);
int og_trust_digest_revoked(const struct og_trust_store *s, const char *digest);
/* The allowlist entry's repository for digest, or NULL when not listed. */
const char *og_trust_allowlisted(struct og_trust_store *s, const char *digest);
void og_trust_store_describe(struct og_trust_store *s, FILE *out);

/* Add (or replace) the signature of `priv` over the store in STORE.sig. */
int og_trust_store_sign(const char *store_path, EVP_PKEY *priv, char keyid[OG_KEYID_HEX], og_error *e);

#endif
