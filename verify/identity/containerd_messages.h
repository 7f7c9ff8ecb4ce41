/* The few containerd API messages the image-identity client exchanges,
 * encoded and decoded with the minimal protobuf reader/writer.  Field
 * numbers are containerd's (api/services/containers/v1/containers.proto,
 * api/services/images/v1/images.proto, api/types/descriptor.proto). */
#ifndef OCIGATE_CONTAINERD_MESSAGES_H
#define OCIGATE_CONTAINERD_MESSAGES_H

#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"
#include "verify/common/image.h"

/* containerd identifiers (container ids, namespaces): alphanumerics joined by
 * single '.', '_' or '-', at most 76 characters (containerd's identifiers package). */
#define OG_CONTAINERD_ID_MAX 76
/* The CRI plugin's container extension: JSON {"Version":"v1","Metadata":{...,"ImageRef":...}}. */
#define OG_CONTAINERD_CRI_EXTENSION "io.cri-containerd.container.metadata"
/* The CRI metadata holds the container's CRI config; far below this in practice. */
#define OG_CONTAINERD_MAX_CRI_METADATA_BYTES (1024 * 1024)

struct og_containerd_container {
	char id[OG_CONTAINERD_ID_MAX + 1];
	char image[OG_REF_MAX];			/* may be "" */
	const uint8_t *cri_metadata;		/* the CRI extension's Any value (points into */
	size_t cri_metadata_len;		/* the decoded message), NULL when absent */
};

/* 1 when s is a valid containerd identifier, 0 otherwise. */
int og_containerd_valid_identifier(const char *s);

/* GetContainerRequest{id=1} / GetImageRequest{name=1} into buf[cap]. */
int og_containerd_encode_get_container(const char *id, void *buf, size_t cap, size_t *len, og_error *e);
int og_containerd_encode_get_image(const char *name, void *buf, size_t cap, size_t *len, og_error *e);

/* GetContainerResponse{Container container=1}: id, image and the CRI extension. */
int og_containerd_decode_get_container(const void *msg, size_t len, struct og_containerd_container *out,
				       og_error *e);

/* GetImageResponse{Image image=1}: the image's name and its target descriptor's
 * digest (validated; the target must be a manifest or an index). */
int og_containerd_decode_get_image(const void *msg, size_t len, char name_out[OG_REF_MAX],
				   char digest_out[OG_DIGEST_MAX], og_error *e);

/* ListImagesResponse{repeated Image images=1}: each image's name and target
 * digest (validated as in GetImageResponse), at most
 * OG_CONTAINERD_MAX_LIST_IMAGES; *out (free()) is NULL when there are none. */
#define OG_CONTAINERD_MAX_LIST_IMAGES 4096
struct og_containerd_image_ref {
	char name[OG_REF_MAX];
	char digest[OG_DIGEST_MAX];
};
int og_containerd_decode_list_images(const void *msg, size_t len, struct og_containerd_image_ref **out,
				     size_t *n, og_error *e);

/* The config digest ("ImageRef") from the CRI extension's JSON; when the
 * metadata names its container ID it must be container_id. */
int og_containerd_cri_image_ref(const uint8_t *json, size_t len, const char *container_id,
				char digest_out[OG_DIGEST_MAX], og_error *e);

#endif
