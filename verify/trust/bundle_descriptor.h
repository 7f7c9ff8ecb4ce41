/* The trust bundle's descriptor, bundle.json (docs/trust-bundle.md): the
 * one signed part of a bundle, naming every other layer by digest and size.
 *
 *   {"type": "ocigate-bundle",
 *    "version": 42,                       integer 1..2^53, never goes down
 *    "created": "2026-12-03T16:00:00Z",   RFC 3339
 *    "expires": "2026-12-10T16:00:00Z",   RFC 3339, after created
 *    "contents": [{"name": "trust.tar", "digest": "sha256:...", "size": 4096}, ...],
 *    "summary": {"signatures": 10000, "verdicts": 100000}}
 *
 * Every key is required; unknown and duplicate keys are errors.  The names
 * in "contents" are the layers OG_BUNDLE_LAYER_* below, each at most once;
 * trust.tar must be there.
 *
 * Its signatures, bundle.json.sig, are in the trust store's STORE.sig format
 * and are verified with the policy's root keys and threshold over the exact
 * bytes of bundle.json (og_trust_roots_verify) before a byte is parsed. */
#ifndef OCIGATE_BUNDLE_DESCRIPTOR_H
#define OCIGATE_BUNDLE_DESCRIPTOR_H

#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"
#include "hook/base/fileio.h"
#include "verify/common/image.h"
#include "verify/trust/trust_store.h"

#define OG_BUNDLE_TYPE "ocigate-bundle"
#define OG_BUNDLE_DESCRIPTOR_MAX (64 * 1024)	/* bundle.json */
#define OG_BUNDLE_MAX_CONTENTS 8
#define OG_BUNDLE_ID_HEX 12			/* the generation id: descriptor sha256 prefix */

/* The layers a descriptor may name (also their OCI title annotations). */
#define OG_BUNDLE_LAYER_TRUST "trust.tar"
#define OG_BUNDLE_LAYER_SIGNATURES "signatures.tar"
#define OG_BUNDLE_LAYER_VERDICTS "verdicts.tar"

struct og_bundle_content {
	char name[32];			/* one of OG_BUNDLE_LAYER_* */
	char digest[OG_DIGEST_MAX];	/* sha256:<64 hex> */
	int64_t size;			/* bytes, >= 0 */
};

struct og_bundle_descriptor {
	int64_t version, created, expires;
	struct og_bundle_content contents[OG_BUNDLE_MAX_CONTENTS];
	size_t ncontents;
	int64_t nsignatures, nverdicts;		/* "summary" */
	char id[OG_BUNDLE_ID_HEX + 1];		/* first 12 hex of sha256(bundle.json) */
	size_t nsigned;				/* root keys whose signature verified */
};

/* Parse descriptor bytes (no signature check: for `bundle create`, which
 * wrote them, and the fuzz target).  Fills every field but nsigned. */
int og_bundle_descriptor_parse(const char *data, size_t len, struct og_bundle_descriptor *d, og_error *e);

/* Verify the signatures sig over the exact bytes desc with the root keys
 * and threshold of r, then parse.  Nothing about time: see _check_time. */
int og_bundle_descriptor_verify(const struct og_trust_roots *r, const og_buf *desc, const og_buf *sig,
				struct og_bundle_descriptor *d, og_error *e);

/* Read bundle.json and bundle.json.sig from the generation directory dirfd
 * (bounded, nothing followed) and og_bundle_descriptor_verify them. */
int og_bundle_descriptor_load_at(int dirfd, const struct og_trust_roots *r, struct og_bundle_descriptor *d,
				 og_error *e);

/* Refuse a descriptor that has expired at `now` (or was created more than
 * OG_BUNDLE_CLOCK_SKEW in the future: a clock far behind, or a forgery). */
#define OG_BUNDLE_CLOCK_SKEW 300
int og_bundle_descriptor_check_time(const struct og_bundle_descriptor *d, int64_t now, og_error *e);

/* The content entry named name, or NULL. */
const struct og_bundle_content *og_bundle_descriptor_content(const struct og_bundle_descriptor *d,
							     const char *name);

/* The generation directory's name: "gen-<version>-<id>" (OG_BUNDLE_GEN_PREFIX). */
#define OG_BUNDLE_GEN_NAME_MAX 48
void og_bundle_generation_name(const struct og_bundle_descriptor *d, char out[OG_BUNDLE_GEN_NAME_MAX]);

#endif
