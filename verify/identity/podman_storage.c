#include "verify/identity/podman_storage.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "hook/base/log.h"
#include "verify/common/digest.h"
#include "hook/base/strfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

/* The image name the engine recorded for the container: "image-name" in
 * the record's "metadata", itself a JSON document (Podman's and CRI-O's
 * RuntimeContainerMetadata).  No metadata or no name is "". */
static int metadata_image_name(const json_t *entry, const char *path, const char *what,
			       const char *container_id, char name_out[OG_REF_MAX], og_error *e)
{
	json_auto_t *meta = NULL;
	const char *text = NULL, *name = "";
	char mpath[64];

	name_out[0] = '\0';
	if (og_json_str(entry, "metadata", path, 0, &text, e) < 0)
		return og_wrap(e, "%s: container %s", what, container_id);
	if (text == NULL)
		return 0;
	og_bfmt(mpath, sizeof mpath, "%s.metadata", path);
	meta = og_json_parse(text, strlen(text), mpath, e);
	if (meta == NULL)
		return og_wrap(e, "%s: container %s", what, container_id);
	if (!json_is_object(meta))
		return og_fail(e, "%s: container %s: %s: expected an object, found %s", what, container_id,
			       mpath, og_json_type(meta));
	if (og_json_str(meta, "image-name", mpath, 0, &name, e) < 0)
		return og_wrap(e, "%s: container %s", what, container_id);
	if (strlen(name) >= OG_REF_MAX)
		return og_fail(e, "%s: container %s: %s.image-name: longer than %d bytes", what,
			       container_id, mpath, OG_REF_MAX - 1);
	memcpy(name_out, name, strlen(name) + 1);
	return 0;
}

int og_podman_image(const char *graphroot, const char *container_id, char digest_out[OG_DIGEST_MAX],
		    char name_out[OG_REF_MAX], og_error *e)
{
	og_cleanup_close int subfd = -1;
	og_cleanup_buf og_buf buf = { 0 };
	json_auto_t *root = NULL;
	const char *image = NULL, *id;
	char what[4200], path[64], safe[96];
	json_t *entry;
	size_t i;

	digest_out[0] = '\0';
	name_out[0] = '\0';
	if (!og_hex_valid(container_id, 64))
		return og_fail(e, "containers/storage: container id is not 64 lowercase hex digits");
	snprintf(what, sizeof what, "containers/storage %s/%s/%s", graphroot, OG_PODMAN_CONTAINERS_DIR,
		 OG_PODMAN_CONTAINERS_FILE);
	subfd = og_open_store_dir(graphroot, OG_PODMAN_CONTAINERS_DIR, e);
	if (subfd < 0)
		return og_wrap(e, "containers/storage graph root");
	if (og_read_file_at(subfd, OG_PODMAN_CONTAINERS_FILE, OG_PODMAN_MAX_CONTAINERS_JSON_BYTES, &buf,
			    e) < 0)
		return og_wrap(e, "containers/storage %s/%s", graphroot, OG_PODMAN_CONTAINERS_DIR);
	root = og_json_parse(buf.data, buf.len, what, e);
	if (root == NULL)
		return -1;
	if (!json_is_array(root))
		return og_fail(e, "%s: expected an array, found %s", what, og_json_type(root));
	json_array_foreach(root, i, entry) {
		snprintf(path, sizeof path, "[%zu]", i);
		if (og_json_str(entry, "id", path, 1, &id, e) < 0)
			return og_wrap(e, "%s", what);
		if (strcmp(id, container_id) != 0)
			continue;
		if (image != NULL)
			return og_fail(e, "%s: two records for container %s", what, container_id);
		if (og_json_str(entry, "image", path, 1, &image, e) < 0)
			return og_wrap(e, "%s: container %s", what, container_id);
		if (!og_hex_valid(image, 64)) {
			og_sanitize(image, safe, sizeof safe);
			return og_fail(e, "%s: container %s: image \"%s\" is not an image ID (64 lowercase hex)",
				       what, container_id, safe);
		}
		if (metadata_image_name(entry, path, what, container_id, name_out, e) < 0)
			return -1;
	}
	if (image == NULL) {
		og_fail(e, "%s: no record for container %s", what, container_id);
		return 1;	/* not one of this graph root's containers */
	}
	snprintf(digest_out, OG_DIGEST_MAX, "sha256:%s", image);
	return 0;
}
