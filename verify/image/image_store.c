#include "verify/image/image_store.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "verify/common/base64.h"
#include "verify/common/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>

int og_storage_big_data_file(const char *key, char *out, size_t size)
{
	og_cleanup_free char *b64 = NULL;
	const char *k;

	for (k = key; *k; k++)
		if (*k != '.' && !(*k >= '0' && *k <= '9') && !(*k >= 'a' && *k <= 'z'))
			break;
	if (*k == '\0')
		return og_bfmt(out, size, "%s", key) < (int)size ? 0 : -1;
	b64 = og_base64_encode(key, strlen(key));
	if (b64 == NULL || strlen(b64) + 2 > size || strlen(b64) + 1 > NAME_MAX)
		return -1;
	og_bfmt(out, size, "=%s", b64);
	return 0;
}

static int read_big_data(int imagesfd, const char *id, const char *key, size_t max, og_buf *out,
			 og_error *e)
{
	char file[NAME_MAX + 1], path[NAME_MAX + 80];

	if (og_storage_big_data_file(key, file, sizeof file) < 0)
		return og_fail(e, "big-data key %.80s: no file name for it", key);
	og_bfmt(path, sizeof path, "%s/%s", id, file);
	if (og_read_file_at(imagesfd, path, max, out, e) < 0)
		return og_wrap(e, "%s item \"%.80s\"", OG_STORAGE_IMAGES_DIR, key);
	return 0;
}

/* The entry of image `hex` in images.json; borrowed from root. */
static int find_entry(const json_t *root, const char *hex, const char *what, json_t **out, og_error *e)
{
	json_t *entry;
	const char *id;
	char path[64];
	size_t i;

	*out = NULL;
	if (!json_is_array(root))
		return og_fail(e, "%s: expected an array, found %s", what, og_json_type(root));
	json_array_foreach(root, i, entry) {
		og_bfmt(path, sizeof path, "%s[%zu]", what, i);
		if (!json_is_object(entry))
			return og_fail(e, "%s: expected an object, found %s", path, og_json_type(entry));
		if (og_json_str(entry, "id", path, 1, &id, e) < 0)
			return -1;
		if (strcmp(id, hex) != 0)
			continue;
		if (*out != NULL)
			return og_fail(e, "%s: two records for image %s", what, hex);
		*out = entry;
	}
	if (*out == NULL)
		return og_fail(e, "%s: no record for image %s", what, hex);
	return 0;
}

/* The manifest's key: "manifest-<digest>" when the record holds it (it is
 * named by the digest the bytes must have), else "manifest". */
static const char *manifest_key(const json_t *entry, const char *digest, char *buf, size_t size)
{
	json_t *names = json_object_get(entry, "big-data-names"), *n;
	size_t i;

	og_bfmt(buf, size, "manifest-%s", digest);
	json_array_foreach(names, i, n)
		if (json_is_string(n) && strcmp(json_string_value(n), buf) == 0)
			return buf;
	return "manifest";
}

static int names_read(const json_t *entry, const char *path, struct og_image_record *rec, og_error *e)
{
	json_t *names = NULL, *n;
	size_t i;

	if (og_json_arr(entry, "names", path, 0, &names, e) < 0)
		return -1;
	json_array_foreach(names, i, n) {
		if (!json_is_string(n))
			return og_fail(e, "%s.names[%zu]: expected a string, found %s", path, i, og_json_type(n));
		if (og_image_record_add_name(rec, json_string_value(n), e) < 0)
			return og_wrap(e, "%s.names", path);
	}
	return 0;
}

int og_storage_image_record(const char *graphroot, const char *config_digest,
			    struct og_image_record *rec, og_error *e)
{
	og_cleanup_close int rootfd = -1;
	og_cleanup_close int imagesfd = -1;
	og_cleanup_buf og_buf list = { 0 }, manifest = { 0 }, config = { 0 };
	json_auto_t *root = NULL;
	json_t *entry;
	const char *hex, *mdigest;
	char what[PATH_MAX + 64], key[OG_DIGEST_MAX + 16], path[96], cd[OG_DIGEST_MAX];

	if (!og_digest_valid(config_digest))
		return og_fail(e, "containers/storage: image ID \"%.80s\" is not a sha256 digest", config_digest);
	hex = config_digest + 7;
	og_bfmt(what, sizeof what, "containers/storage %s/%s/%s", graphroot, OG_STORAGE_IMAGES_DIR,
		OG_STORAGE_IMAGES_FILE);
	/* The graph root is the administrator's choice; below it nothing is followed. */
	rootfd = open(graphroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return og_fail_errno(e, errno, "containers/storage graph root %s", graphroot);
	imagesfd = og_open_beneath(rootfd, OG_STORAGE_IMAGES_DIR, O_PATH | O_DIRECTORY, e);
	if (imagesfd < 0)
		return og_wrap(e, "containers/storage %s", graphroot);
	if (og_read_file_at(imagesfd, OG_STORAGE_IMAGES_FILE, OG_STORAGE_MAX_IMAGES_JSON_BYTES, &list, e) < 0)
		return og_wrap(e, "containers/storage %s/%s", graphroot, OG_STORAGE_IMAGES_DIR);
	root = og_json_parse(list.data, list.len, what, e);
	if (root == NULL || find_entry(root, hex, what, &entry, e) < 0)
		return -1;
	og_bfmt(path, sizeof path, "image %.12s", hex);
	if (og_json_str(entry, "digest", path, 1, &mdigest, e) < 0 || names_read(entry, path, rec, e) < 0)
		return og_wrap(e, "%s", what);
	if (!og_digest_valid(mdigest))
		return og_fail(e, "%s: image %.12s: digest is not a sha256 digest", what, hex);
	if (read_big_data(imagesfd, hex, manifest_key(entry, mdigest, key, sizeof key),
			  OG_IMAGE_MAX_MANIFEST_BYTES, &manifest, e) < 0 ||
	    og_image_manifest_parse(manifest.data, manifest.len, mdigest, rec, cd, e) < 0)
		return og_wrap(e, "containers/storage %s: image %.12s", graphroot, hex);
	if (strcmp(cd, config_digest) != 0)
		return og_fail(e, "containers/storage %s: image %.12s: its manifest %s names config %s, not the image's",
			       graphroot, hex, mdigest, cd);
	if (read_big_data(imagesfd, hex, config_digest, OG_IMAGE_MAX_CONFIG_BYTES, &config, e) < 0 ||
	    og_image_config_parse(config.data, config.len, config_digest, rec, e) < 0)
		return og_wrap(e, "containers/storage %s: image %.12s", graphroot, hex);
	return 0;
}
