/* Image identity from containers/storage (Podman, and CRI-O hosts): the
 * container record in GRAPHROOT/overlay-containers/containers.json maps a
 * container ID to its image ID, the image's config digest. */
#ifndef OCIGATE_PODMAN_STORAGE_H
#define OCIGATE_PODMAN_STORAGE_H

#include "hook/base/error.h"
#include "verify/common/image.h"

#define OG_PODMAN_DEFAULT_GRAPHROOT "/var/lib/containers/storage"
/* The record lists every container on the host (~1 KiB each). */
#define OG_PODMAN_MAX_CONTAINERS_JSON_BYTES (16 * 1024 * 1024)
/* GRAPHROOT/<dir>/<file>: the overlay driver's container records. */
#define OG_PODMAN_CONTAINERS_DIR "overlay-containers"
#define OG_PODMAN_CONTAINERS_FILE "containers.json"

/* The config digest ("sha256:<hex>") of the image container `container_id`
 * (64 lowercase hex) was created from, and the image name the engine
 * recorded for it (metadata "image-name", "" when none).  The file is read
 * below a directory fd of `graphroot` without following links,
 * size-bounded, duplicate keys refused; two records for one ID, or
 * metadata that is not a JSON object, are errors.  Returns 0 with the
 * digest, 1 when the record has no such container (it is not one of this
 * graph root's), -1 on any other failure. */
int og_podman_image(const char *graphroot, const char *container_id, char digest_out[OG_DIGEST_MAX],
		    char name_out[OG_REF_MAX], og_error *e);

#endif
