#include "verify/image/content_store.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "verify/common/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

/* Read blob `digest` (validated: it names a file) below the blobs dir. */
static int read_blob(int blobsfd, const char *digest, size_t max, og_buf *out, og_error *e)
{
	if (!og_digest_valid(digest))
		return og_fail(e, "blob \"%.80s\" is not a sha256 digest", digest);
	if (og_read_file_at(blobsfd, digest + 7, max, out, e) < 0)
		return og_wrap(e, "blob %s", digest);
	return 0;
}

/* The manifest `digest` when its config is config_digest: 1 (rec filled),
 * 0 when it is another platform's, -1 on error. */
static int try_manifest(int blobsfd, const char *digest, const char *config_digest, struct og_image_record *rec,
			og_error *e)
{
	og_cleanup_buf og_buf m = { 0 };
	struct og_image_record tmp = { 0 };
	char cd[OG_DIGEST_MAX];

	if (read_blob(blobsfd, digest, OG_IMAGE_MAX_MANIFEST_BYTES, &m, e) < 0 ||
	    og_image_manifest_parse(m.data, m.len, digest, &tmp, cd, e) < 0) {
		og_image_record_free(&tmp);
		return -1;
	}
	if (strcmp(cd, config_digest) != 0) {
		og_image_record_free(&tmp);
		return 0;
	}
	og_image_record_free(rec);
	*rec = tmp;
	return 1;
}

int og_content_image_record(const char *root, const char *config_digest, const char *target,
			    const char *name, struct og_image_record *rec, og_error *e)
{
	og_cleanup_close int blobsfd = -1;
	og_cleanup_buf og_buf t = { 0 }, config = { 0 };
	char manifests[OG_IMAGE_MAX_INDEX_MANIFESTS][OG_DIGEST_MAX];
	size_t n = 0;
	int found = 0;

	if (!og_digest_valid(config_digest) || !og_digest_valid(target))
		return og_fail(e, "containerd content store: no image record target for %.80s (containerd named none)",
			       config_digest);
	blobsfd = og_open_store_dir(root, OG_CONTENT_BLOBS_DIR, e);
	if (blobsfd < 0)
		return og_wrap(e, "containerd content store");
	if (read_blob(blobsfd, target, OG_IMAGE_MAX_MANIFEST_BYTES, &t, e) < 0)
		return og_wrap(e, "containerd content store %s", root);
	if (og_image_looks_like_index(t.data, t.len)) {
		if (og_image_index_parse(t.data, t.len, target, manifests, &n, e) < 0)
			return og_wrap(e, "containerd content store %s", root);
		/* Only the platforms pulled are in the store: a missing blob is
		 * another platform's, not an error. */
		for (size_t i = 0; i < n && !found; i++) {
			og_error me = { 0 };
			int r = try_manifest(blobsfd, manifests[i], config_digest, rec, &me);

			if (r < 0 && me.errnum != ENOENT) {
				memcpy(e, &me, sizeof me);
				return og_wrap(e, "containerd content store %s: index %s", root, target);
			}
			found = r > 0;
		}
		if (!found)
			return og_fail(e, "containerd content store %s: index %s lists no manifest in the store for config %s",
				       root, target, config_digest);
	} else {
		char cd[OG_DIGEST_MAX];

		if (og_image_manifest_parse(t.data, t.len, target, rec, cd, e) < 0)
			return og_wrap(e, "containerd content store %s", root);
		if (strcmp(cd, config_digest) != 0)
			return og_fail(e, "containerd content store %s: manifest %s names config %s, not the container's %s",
				       root, target, cd, config_digest);
	}
	if (read_blob(blobsfd, config_digest, OG_IMAGE_MAX_CONFIG_BYTES, &config, e) < 0 ||
	    og_image_config_parse(config.data, config.len, config_digest, rec, e) < 0)
		return og_wrap(e, "containerd content store %s", root);
	if (name[0] != '\0' && og_image_record_add_name(rec, name, e) < 0)
		return -1;
	return 0;
}
