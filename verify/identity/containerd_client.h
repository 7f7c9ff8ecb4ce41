/* Image identity from containerd itself: a native gRPC client on the
 * containerd API socket (no `ctr` process, which costs ~40 ms per start). */
#ifndef OCIGATE_CONTAINERD_CLIENT_H
#define OCIGATE_CONTAINERD_CLIENT_H

#include <stddef.h>
#include "hook/base/error.h"
#include "verify/common/image.h"

#define OG_CONTAINERD_DEFAULT_SOCKET "/run/containerd/containerd.sock"
#define OG_CONTAINERD_DEFAULT_ROOT "/var/lib/containerd"
#define OG_CONTAINERD_DEFAULT_NAMESPACE "k8s.io"

/* Ask containerd for the image of container `container_id` in namespace `ns`
 * over the unix socket `socket_path`: Containers.Get, then the CRI plugin's
 * extension "io.cri-containerd.container.metadata" (JSON with "ImageRef", the
 * config digest: kind OG_DIGEST_CONFIG); when absent (a container not created
 * through CRI) the container's image name resolved with Images.Get to its
 * target digest (a manifest or index: kind OG_DIGEST_MANIFEST).  Bounded by
 * timeout_ms overall (connect, requests, responses); any failure returns -1
 * with the reason, never hangs.  name_out gets the image name (may be "").
 * target_out (may be NULL) gets the image record's target digest (manifest
 * or index; for a CRI container one more Images.Get on the same connection),
 * or "" when containerd does not say. */
int og_containerd_image(const char *socket_path, const char *ns, const char *container_id, int timeout_ms,
			char digest_out[OG_DIGEST_MAX], enum og_digest_kind *kind_out,
			char name_out[OG_REF_MAX], char target_out[OG_DIGEST_MAX], og_error *e);

/* Every image of namespace ns (Images.List, no filter): names and target
 * digests (manifest or index), at most OG_CONTAINERD_MAX_LIST_IMAGES; for
 * `ocigate sig fetch --local`, never on the hook path.  *out is free()d by
 * the caller. */
struct og_containerd_image_ref;
int og_containerd_list_images(const char *socket_path, const char *ns, int timeout_ms,
			      struct og_containerd_image_ref **out, size_t *n, og_error *e);

#endif
