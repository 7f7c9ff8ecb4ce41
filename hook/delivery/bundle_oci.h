/* The trust bundle as an OCI artifact (docs/trust-bundle.md): the media
 * types `bundle create` writes and `bundle pull` accepts, the limits a pull
 * applies, and the helpers both sides share. */
#ifndef OCIGATE_BUNDLE_OCI_H
#define OCIGATE_BUNDLE_OCI_H

#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"
#include "hook/delivery/ustar.h"
#include "verify/common/image.h"

/* Chosen so that skopeo 1.9 (containers/image) copies them unchanged with
 * --preserve-digests, in and out of registries and OCI layouts. */
#define OG_OCI_MANIFEST_MT "application/vnd.oci.image.manifest.v1+json"
#define OG_OCI_TITLE "org.opencontainers.image.title"
#define OG_BUNDLE_MT_CONFIG "application/vnd.ocigate.bundle.config.v1+json"	/* the bytes "{}" */
#define OG_BUNDLE_MT_DESCRIPTOR "application/vnd.ocigate.bundle.descriptor.v1+json"
#define OG_BUNDLE_MT_SIGNATURES "application/vnd.ocigate.bundle.signatures.v1+json"
#define OG_BUNDLE_MT_TAR "application/vnd.ocigate.bundle.layer.v1.tar"
#define OG_BUNDLE_LAYOUT_TAG "bundle"	/* the one image in a layout `bundle create` writes */

/* Limits of a pull (docs/trust-bundle.md "Limits"). */
#define OG_BUNDLE_MAX_LAYER_BYTES ((uint64_t)1 << 30)		/* one layer, 1 GiB */
#define OG_BUNDLE_MAX_TOTAL_BYTES ((uint64_t)2 << 30)		/* all layers, 2 GiB */
#define OG_BUNDLE_MAX_TAR_ENTRIES 1000000			/* files and directories per tar */
#define OG_BUNDLE_MAX_TAR_FILE_BYTES ((uint64_t)8 << 20)	/* one file inside a tar */

/* The directory of a generation a layer unpacks into ("trust", ...), or
 * NULL for a name that is not a tar layer. */
const char *og_bundle_layer_dir(const char *layer);

/* sha256 and size of the open file fd, read from its start to its end. */
int og_bundle_fd_sha256(int fd, char digest[OG_DIGEST_MAX], uint64_t *size, og_error *e);

/* A blob's file name in an OCI layout's blobs/sha256 or a skopeo dir:
 * copy: the digest's hex (digest must be valid). */
void og_bundle_blob_name(const char *digest, char *out, size_t size);

#endif
