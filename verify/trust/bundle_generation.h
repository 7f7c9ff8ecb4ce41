/* The hook's side of an installed trust bundle (bundle_layout.h): which
 * generation is in force, and how fresh it is.  BUNDLE_DIR/current is read
 * once per start; every file of the decision is then taken from that
 * generation directory, which is never changed once published, so a start
 * during an update sees the old set or the new one, never a mix. */
#ifndef OCIGATE_BUNDLE_GENERATION_H
#define OCIGATE_BUNDLE_GENERATION_H

#include <limits.h>
#include <stdint.h>
#include "hook/base/error.h"
#include "verify/trust/bundle_descriptor.h"

struct og_bundle_generation {
	char dir[PATH_MAX];			/* the bundle directory */
	char name[OG_BUNDLE_GEN_NAME_MAX];	/* what current names */
	char path[PATH_MAX];			/* dir/name */
	char store[PATH_MAX];			/* path/trust/store.json */
	char signatures[PATH_MAX];		/* path/signatures */
	char verdicts[PATH_MAX];		/* path/verdicts */
	uint64_t version;			/* from the name, checked against the descriptor */
	int64_t created, expires;		/* from the verified descriptor */
	int verified;				/* 1 once the descriptor verified */
};

/* 0 and the version when `name` is exactly "gen-<version>-<12 lowercase
 * hex>" (version 1.., no leading zero); -1 naming what is wrong otherwise. */
int og_bundle_gen_name_parse(const char *name, uint64_t *version, og_error *e);

/* StrictModes on `dir` (owned by root or the caller, not writable by
 * others), open it without following a link, read `current` once (a
 * symbolic link whose target must be a plain generation name) and check
 * that generation is a directory.  -1 with "bundle: none installed in DIR"
 * when there is no directory or no current, or naming what else is wrong. */
int og_bundle_generation_resolve(const char *dir, struct og_bundle_generation *g, og_error *e);

/* Verify the generation's bundle.json against bundle.json.sig with the
 * root keys and threshold of c (bundle_descriptor.h), check that it is the
 * descriptor the generation's name says (version and id), and fill created
 * and expires.  -1 naming what is wrong.  With c->update_state (the hook)
 * and c->state_dir, the verification cache (trust_cache.h) holds a record
 * OG_BUNDLE_CACHE_RECORD of the root signatures, keyed on the descriptor's
 * path (so its generation), the threshold, the root key paths and the
 * identity of the descriptor, its signature file and each root key: while
 * those stay the same (and pass StrictModes), a start parses the
 * descriptor without verifying its signatures again. */
#define OG_BUNDLE_CACHE_RECORD "bundle-signatures"
struct og_trust_store_config;
int og_bundle_generation_verify(struct og_bundle_generation *g, const struct og_trust_store_config *c,
				og_error *e);

/* Freshness at `now` of a bundle created at `created` that expires at
 * `expires`: a set of the flags below.  max_age 0 (no limit) never makes
 * it stale; warn_before 0 never warns. */
#define OG_BUNDLE_EXPIRED 1	/* now >= expires */
#define OG_BUNDLE_STALE 2	/* now > created + max_age */
#define OG_BUNDLE_EXPIRING 4	/* expires - warn_before <= now < expires */
int og_bundle_freshness(int64_t now, int64_t created, int64_t expires, int64_t max_age,
			int64_t warn_before);

#endif
