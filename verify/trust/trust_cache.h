/* The verification cache: a record that image digest D was accepted under
 * exactly the current trust inputs, so that the common case (the same images
 * starting again and again) needs no cryptography and no key parsing.
 *
 * Records live in STATE_DIR/verified/<64 hex>, beside the rollback state and
 * under the same trust: root-owned, not group- or world-writable (checked on
 * every read; a directory that fails the check is ignored, never trusted).
 * A record holds a fingerprint of every input of the decision (the trust
 * part of the policy; the repository of the image name the engine records;
 * device, inode, size, mtime and ctime of the store, its signature file,
 * each root key, the rollback state and every signature entry for D) and
 * the time it stops being valid (the store's expiry or the
 * accepting key's not_after, whichever is first).  Any change to any input
 * changes the fingerprint, and the next start verifies in full.  Only
 * acceptances are recorded: a refusal is always re-derived.
 *
 * One more record, STATE_DIR/verified/store-signatures, says that the trust
 * store's root signatures met the threshold: a fingerprint of the settings
 * that decide it and of the identity of the store (as fstat(2) gave it after
 * the store's bytes were read), its signature file and each root key.  An
 * image the node has not seen before then costs its own signature, not the
 * store's too.  It is written only once the whole store was accepted, every
 * allowlist entry checked, so while it holds the hook reads only the
 * allowlist entry it needs (trust_store.c skip_images).  The store is still
 * read, its other members parsed, and its expiry and the rollback state
 * checked, at every start that reads it. */
#ifndef OCIGATE_TRUST_CACHE_H
#define OCIGATE_TRUST_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>


#define OG_TRUST_CACHE_FP_MAX 4096

struct og_trust_cache_inputs {
	const char *policy_fingerprint;	/* the trust section's settings */
	const char *store, *state_dir, *signatures_dir;
	const char *const *root_keys;
	size_t nroot;
	const char *digest;		/* "sha256:<64 hex>" */
	/* The repository of the image's name in the engine's record and where
	 * it came from ("" when none): a decision for one name is not one
	 * for another. */
	const char *image_repository, *image_name_from;
};

/* A hash (16 hex) of settings strings, in order: a change of policy must
 * not reuse a verification made under the old one. */
void og_trust_cache_settings_hash(const char *const *parts, size_t n, char out[17]);

/* Build the fingerprint; -1 when an input cannot be examined (no caching). */
int og_trust_cache_fingerprint(const struct og_trust_cache_inputs *in, char *fp, size_t size);
/* 1 and the acceptance text when a valid record matches fp; 0 otherwise. */
int og_trust_cache_lookup(const char *state_dir, const char *digest, const char *fp,
			  char *accepted, size_t asize);
/* Record an acceptance valid until `until` (0: no expiry); failures are
 * ignored: the cache only ever saves work. */
void og_trust_cache_store(const char *state_dir, const char *digest, const char *fp, int64_t until,
			  const char *accepted);

/* The store-signatures record: its fingerprint for the settings that decide
 * the store's signatures (store path, threshold, root key files) and the
 * store's status `store`; 1 and the number of root signatures that verified
 * when a record matches; record one (failures ignored). */
int og_trust_cache_roots_fingerprint(const char *store_path, int threshold, const char *const *root_keys,
				     size_t nroot, const struct stat *store, char *fp, size_t size);
int og_trust_cache_roots_lookup(const char *state_dir, const char *fp, size_t *nsigned);
void og_trust_cache_roots_store(const char *state_dir, const char *fp, size_t nsigned);
/* The same for another document root-signed in the STORE.sig way (the
 * trust bundle's descriptor), under its own record name (never 64 hex). */
int og_trust_cache_roots_lookup_named(const char *state_dir, const char *name, const char *fp,
				      size_t *nsigned);
void og_trust_cache_roots_store_named(const char *state_dir, const char *name, const char *fp, size_t nsigned);

#endif
