#include "verify/identity/containerd_client.h"
#include "hook/base/cleanup.h"
#include "verify/identity/containerd_messages.h"
#include "hook/base/fileio.h"
#include "verify/identity/grpc_client.h"
#include "hook/base/log.h"

#include <string.h>

/* Requests carry one identifier or image name: far below this. */
#define REQUEST_BUF_BYTES (OG_REF_MAX + 16)

OG_DEFINE_CLEANUP(struct og_grpc_conn, og_grpc_close)

static int image_target(struct og_grpc_conn *c, const struct og_grpc_meta *meta, const char *name,
			char digest_out[OG_DIGEST_MAX], og_error *e)
{
	uint8_t req[REQUEST_BUF_BYTES];
	og_cleanup_buf og_buf resp = { 0 };
	char got[OG_REF_MAX];
	size_t len;
	int status;

	if (og_containerd_encode_get_image(name, req, sizeof req, &len, e) < 0)
		return -1;
	if (og_grpc_unary(c, "/containerd.services.images.v1.Images/Get", meta, 1, req, len, &resp, &status,
			  e) < 0)
		return -1;
	if (og_containerd_decode_get_image(resp.data, resp.len, got, digest_out, e) < 0)
		return -1;
	if (strcmp(got, name) != 0)
		return og_fail(e, "Images.Get answered for another image");
	return 0;
}

int og_containerd_image(const char *socket_path, const char *ns, const char *container_id, int timeout_ms,
			char digest_out[OG_DIGEST_MAX], enum og_digest_kind *kind_out,
			char name_out[OG_REF_MAX], char target_out[OG_DIGEST_MAX], og_error *e)
{
	og_cleanup(og_grpc_close) struct og_grpc_conn *c = NULL;
	og_cleanup_buf og_buf resp = { 0 };
	struct og_containerd_container ct;
	struct og_grpc_meta meta = { "containerd-namespace", ns };
	uint8_t req[REQUEST_BUF_BYTES];
	char digest[OG_DIGEST_MAX], safe[OG_REF_MAX + 32];
	size_t len;
	int status;

	digest_out[0] = '\0';
	*kind_out = OG_DIGEST_NONE;
	name_out[0] = '\0';
	if (target_out != NULL)
		target_out[0] = '\0';
	if (!og_containerd_valid_identifier(ns))
		return og_fail(e, "containerd: namespace is not a valid containerd identifier");
	if (!og_containerd_valid_identifier(container_id))
		return og_fail(e, "containerd: container id is not a valid containerd identifier");
	if (og_grpc_connect(socket_path, timeout_ms, &c, e) < 0)
		return og_wrap(e, "containerd");
	if (og_containerd_encode_get_container(container_id, req, sizeof req, &len, e) < 0)
		return og_wrap(e, "containerd");
	if (og_grpc_unary(c, "/containerd.services.containers.v1.Containers/Get", &meta, 1, req, len, &resp,
			  &status, e) < 0) {
		if (status == OG_GRPC_NOT_FOUND)
			return og_wrap(e, "containerd: container %s not found in namespace %s", container_id, ns);
		return og_wrap(e, "containerd: container %s in namespace %s", container_id, ns);
	}
	if (og_containerd_decode_get_container(resp.data, resp.len, &ct, e) < 0)
		return og_wrap(e, "containerd: container %s", container_id);
	if (strcmp(ct.id, container_id) != 0)
		return og_fail(e, "containerd: Containers.Get for %s answered for another container",
			       container_id);

	if (ct.cri_metadata != NULL) {
		if (og_containerd_cri_image_ref(ct.cri_metadata, ct.cri_metadata_len, container_id, digest,
						e) < 0)
			return og_wrap(e, "containerd: container %s", container_id);
		*kind_out = OG_DIGEST_CONFIG;
		/* The image record's target (a manifest or an index), for the
		 * image rules; not knowing it leaves the identity as it is. */
		if (target_out != NULL && ct.image[0] != '\0') {
			og_error te = { 0 };

			if (image_target(c, &meta, ct.image, target_out, &te) < 0)
				target_out[0] = '\0';
		}
	} else {
		/* Not created through CRI: the image record's target is what it runs. */
		if (ct.image[0] == '\0')
			return og_fail(e, "containerd: container %s has no CRI metadata and no image",
				       container_id);
		if (image_target(c, &meta, ct.image, digest, e) < 0) {
			og_sanitize(ct.image, safe, sizeof safe);
			return og_wrap(e, "containerd: container %s: image \"%s\"", container_id, safe);
		}
		*kind_out = OG_DIGEST_MANIFEST;
		if (target_out != NULL)
			memcpy(target_out, digest, strlen(digest) + 1);
	}
	memcpy(digest_out, digest, strlen(digest) + 1);
	memcpy(name_out, ct.image, strlen(ct.image) + 1);
	return 0;
}

int og_containerd_list_images(const char *socket_path, const char *ns, int timeout_ms,
			      struct og_containerd_image_ref **out, size_t *n, og_error *e)
{
	og_cleanup(og_grpc_close) struct og_grpc_conn *c = NULL;
	og_cleanup_buf og_buf resp = { 0 };
	struct og_grpc_meta meta = { "containerd-namespace", ns };
	int status;

	*out = NULL;
	*n = 0;
	if (!og_containerd_valid_identifier(ns))
		return og_fail(e, "containerd: namespace is not a valid containerd identifier");
	if (og_grpc_connect(socket_path, timeout_ms, &c, e) < 0)
		return og_wrap(e, "containerd");
	/* ListImagesRequest{} (no filters): an empty message. */
	if (og_grpc_unary(c, "/containerd.services.images.v1.Images/List", &meta, 1, "", 0, &resp, &status, e) < 0)
		return og_wrap(e, "containerd: Images.List in namespace %s", ns);
	if (og_containerd_decode_list_images(resp.data, resp.len, out, n, e) < 0)
		return og_wrap(e, "containerd");
	return 0;
}
