/* The engine's record of an image in containerd's content store:
 *   ROOT/io.containerd.content.v1.content/blobs/sha256/<hex>
 * holds every manifest, index and config by digest.  containerd's CRI record
 * names the container's config digest and its image name; the image's
 * target (Images.Get, asked before the hook confines itself) is a manifest
 * or an index.  From an index, the manifest is the one the store holds
 * whose config is the container's.  Each blob is opened below the blobs
 * directory without following links, bounded, and checked against its
 * digest before it is parsed (image_record.h). */
#ifndef OCIGATE_CONTENT_STORE_H
#define OCIGATE_CONTENT_STORE_H

#include "hook/base/error.h"
#include "verify/image/image_record.h"

#define OG_CONTENT_BLOBS_DIR "io.containerd.content.v1.content/blobs/sha256"

/* Fill rec with the image whose config digest is `config_digest`, reached
 * from `target` (the image record's manifest or index digest) below
 * containerd's `root`; `name` (may be "") is the name containerd holds for
 * it.  0, or -1 with the reason. */
int og_content_image_record(const char *root, const char *config_digest, const char *target,
			    const char *name, struct og_image_record *rec, og_error *e);

#endif
