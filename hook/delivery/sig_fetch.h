/* Signatures where cosign puts them in a registry, read into signature
 * entries (verify/sig/sig_store.h) exactly as `ocigate sig add` files them.
 *
 * cosign's registry layout (cosign specs/SIGNATURE_SPEC.md): the image
 * digest sha256:<hex> has a tag `sha256-<hex>.sig` holding an image manifest
 * with one layer per signature, media type
 * application/vnd.dev.cosign.simplesigning.v1+json, whose blob is the
 * simple-signing payload and whose annotations carry the base64 signature
 * (dev.cosignproject.cosign/signature) and, for keyless signatures, the
 * certificate, chain, Rekor bundle and RFC 3161 timestamp.  cosign 3 writes
 * Sigstore bundles as OCI 1.1 referrers; on a registry without the
 * referrers API they are listed by the tag `sha256-<hex>` (an OCI index
 * whose manifests have artifactType application/vnd.dev.sigstore.bundle.*),
 * each with one layer, the bundle JSON.
 *
 * Nothing here verifies a signature: the hook does, from the store. */
#ifndef OCIGATE_SIG_FETCH_H
#define OCIGATE_SIG_FETCH_H

#include <stddef.h>
#include "hook/base/error.h"
#include "hook/base/fileio.h"
#include "hook/delivery/registry.h"
#include "verify/common/image.h"
#include "verify/sig/sig_store.h"

#define OG_COSIGN_SIG_LAYER "application/vnd.dev.cosign.simplesigning.v1+json"
#define OG_COSIGN_ANN_SIGNATURE "dev.cosignproject.cosign/signature"
#define OG_COSIGN_ANN_CERTIFICATE "dev.sigstore.cosign/certificate"
#define OG_COSIGN_ANN_CHAIN "dev.sigstore.cosign/chain"
#define OG_COSIGN_ANN_BUNDLE "dev.sigstore.cosign/bundle"
#define OG_COSIGN_ANN_TIMESTAMP "dev.sigstore.cosign/rfc3161timestamp"
#define OG_SIGSTORE_BUNDLE_TYPE_PREFIX "application/vnd.dev.sigstore.bundle"

#define OG_SIG_FETCH_MAX_LAYERS OG_MAX_SIG_ENTRIES	/* signatures in one .sig manifest */
#define OG_SIG_FETCH_MAX_REFERRERS 16			/* bundle referrers of one image */
#define OG_SIG_FETCH_MAX_BYTES (32 * 1024 * 1024)	/* all blobs of one image */

/* One signature layer as a .sig manifest declares it. */
struct og_sig_layer {
	char digest[OG_DIGEST_MAX];	/* of the payload blob */
	size_t size;
	og_buf signature;		/* decoded from base64 */
	og_buf certificate, chain, rekor_bundle, rfc3161_timestamp;	/* exact annotation bytes */
};

/* Parse the manifest of a .sig tag (untrusted bytes): an OCI or Docker v2
 * image manifest whose layers are all simple-signing layers with a
 * signature annotation; at most OG_SIG_FETCH_MAX_LAYERS, each payload at
 * most OG_MAX_COSIGN_PAYLOAD_BYTES.  Any other layer media type is refused
 * with its index and type named.  *out is NULL when there are no layers. */
int og_sig_manifest_parse(const char *data, size_t len, struct og_sig_layer **out, size_t *n,
			  og_error *e);
void og_sig_layers_free(struct og_sig_layer *v, size_t n);

/* A skopeo dir: copy of a .sig tag (manifest.json and blobs named by hex
 * digest) -> one entry per layer: payload (its sha256 and size checked
 * against the descriptor, its repository as the entry's hint), signature
 * and keyless fields.  Blobs are opened below dir without following links. */
int og_sig_dir_read(const char *dir, struct og_sig_entry **out, size_t *n, og_error *e);

/* The manifests of a referrers-tag index that are Sigstore bundles (their
 * artifactType, or their config media type, starts with
 * OG_SIGSTORE_BUNDLE_TYPE_PREFIX); other artifacts are skipped.  At most
 * max digests. */
int og_referrers_parse(const char *data, size_t len, char (*digests)[OG_DIGEST_MAX], size_t max,
		       size_t *n, og_error *e);

/* A dir: copy of one bundle referrer -> the bundle bytes (its only layer,
 * of a bundle media type, sha256 checked, at most OG_MAX_BUNDLE_BYTES). */
int og_sig_bundle_dir_read(const char *dir, og_buf *bundle, og_error *e);

/* Everything fetched for one image, staged in memory before anything is
 * filed. */
struct og_sig_fetched {
	char digest[OG_DIGEST_MAX];	/* the image's manifest (or index) digest */
	og_buf manifest;		/* the image manifest's bytes, when the registry has
					 * them and they are one manifest (links a config digest) */
	struct og_sig_entry *entries;	/* simple-signing entries, then bundles */
	size_t n, n_bundles;
	int no_manifest;		/* a digest reference whose manifest the registry lacks */
};

/* Fetch REF's signatures: resolve a tag to its digest (keeping the
 * manifest), copy `REPO:sha256-<hex>.sig` (absent: none) and the bundles
 * the referrers tag `REPO:sha256-<hex>` lists, each into a fresh
 * subdirectory of the empty directory workdir.  All or nothing: on any
 * error out is left empty. */
int og_sig_fetch(const struct og_registry_opts *o, const char *ref, const char *workdir,
		 struct og_sig_fetched *out, og_error *e);
void og_sig_fetched_free(struct og_sig_fetched *f);

#endif
