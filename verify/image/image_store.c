#include "verify/image/image_store.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/json_reader.h"
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
	og_cleanup_close int dirfd = -1;
	char file[NAME_MAX + 1];

	if (og_storage_big_data_file(key, file, sizeof file) < 0)
		return og_fail(e, "big-data key %.80s: no file name for it", key);
	/* One component at a time (no openat2 needed for nested paths). */
	dirfd = og_open_beneath(imagesfd, id, O_PATH | O_DIRECTORY, e);
	if (dirfd < 0 || og_read_file_at(dirfd, file, max, out, e) < 0)
		return og_wrap(e, "%s item \"%.80s\"", OG_STORAGE_IMAGES_DIR, key);
	return 0;
}

/* What the record of one image says (strings point into images.json's
 * bytes, decoded in place). */
struct image_entry {
	const char *digest;			/* the manifest's */
	const char *names[OG_IMAGE_MAX_NAMES];
	size_t nnames;
	const char *big_data[OG_IMAGE_MAX_NAMES * 2];
	size_t nbig;
};

/* An array of strings into out[max]. */
static int string_array(struct og_jr *r, const char *path, const char **out, size_t max, size_t *n)
{
	int m;

	*n = 0;
	if (og_jr_array(r, path) < 0)
		return -1;
	while ((m = og_jr_element(r)) == 1) {
		if (*n >= max)
			return og_jr_error(r, "too many entries");
		if (og_jr_string(r, path, &out[(*n)++], NULL) < 0)
			return -1;
	}
	return m;
}

/* One images.json entry: its id, and when it is `hex`, what we use of it.
 * The keys read are refused when repeated; the others are checked and
 * skipped (an entry has a dozen, and the record one entry per image). */
static int read_entry(struct og_jr *r, const char *hex, const char *path, int *match,
		      struct image_entry *out)
{
	enum { ID, DIGEST, NAMES, BIG, NKEYS };
	static const char *const keys[NKEYS] = { "id", "digest", "names", "big-data-names" };
	struct image_entry en = { 0 };
	const char *key, *id = NULL;
	unsigned seen = 0;
	int m, k, rc = 0;

	*match = 0;
	if (og_jr_object(r, path) < 0)
		return -1;
	while (rc == 0 && (m = og_jr_member(r, &key)) == 1) {
		for (k = 0; k < NKEYS && strcmp(key, keys[k]) != 0; k++)
			;
		if (k < NKEYS && (seen & 1u << k))
			return og_jr_error(r, "duplicate key");
		if (k < NKEYS)
			seen |= 1u << k;
		switch (k) {
		case ID: rc = og_jr_string(r, path, &id, NULL); break;
		case DIGEST: rc = og_jr_string(r, path, &en.digest, NULL); break;
		case NAMES: rc = string_array(r, path, en.names, OG_IMAGE_MAX_NAMES, &en.nnames); break;
		case BIG:
			rc = string_array(r, path, en.big_data, sizeof en.big_data / sizeof en.big_data[0], &en.nbig);
			break;
		default: rc = og_jr_skip(r); break;
		}
	}
	if (rc < 0 || m < 0)
		return -1;
	if (id == NULL)
		return og_fail(r->e, "%s.id: missing", path);
	if (strcmp(id, hex) == 0) {
		*match = 1;
		*out = en;
	}
	return 0;
}

/* The entry of image `hex` in images.json, read in place without a tree:
 * the record lists every image on the node. */
static int find_entry(og_buf *list, const char *hex, const char *what, struct image_entry *out, og_error *e)
{
	struct og_jr r;
	char path[64];
	size_t i = 0;
	int m, match, found = 0;

	og_jr_init(&r, list->data, list->len, what, e);
	if (og_jr_array(&r, "$") < 0)
		return og_wrap(e, "%s", what);
	while ((m = og_jr_element(&r)) == 1) {
		snprintf(path, sizeof path, "$[%zu]", i++);
		if (read_entry(&r, hex, path, &match, out) < 0)
			return og_wrap(e, "%s", what);
		if (match && found++)
			return og_fail(e, "%s: two records for image %s", what, hex);
	}
	if (m < 0 || og_jr_finish(&r) < 0)
		return og_wrap(e, "%s", what);
	if (!found)
		return og_fail(e, "%s: no record for image %s", what, hex);
	return 0;
}

/* The manifest's key: "manifest-<digest>" when the record holds it (it is
 * named by the digest the bytes must have), else "manifest". */
static const char *manifest_key(const struct image_entry *en, char *buf, size_t size)
{
	og_bfmt(buf, size, "manifest-%s", en->digest);
	for (size_t i = 0; i < en->nbig; i++)
		if (strcmp(en->big_data[i], buf) == 0)
			return buf;
	return "manifest";
}

int og_storage_image_record(const char *graphroot, const char *config_digest,
			    struct og_image_record *rec, og_error *e)
{
	og_cleanup_close int imagesfd = -1;
	og_cleanup_buf og_buf list = { 0 }, manifest = { 0 }, config = { 0 };
	struct image_entry en = { 0 };
	const char *hex, *mdigest;
	char what[PATH_MAX + 64], key[OG_DIGEST_MAX + 16], cd[OG_DIGEST_MAX];

	if (!og_digest_valid(config_digest))
		return og_fail(e, "containers/storage: image ID \"%.80s\" is not a sha256 digest", config_digest);
	hex = config_digest + 7;
	og_bfmt(what, sizeof what, "containers/storage %s/%s/%s", graphroot, OG_STORAGE_IMAGES_DIR,
		OG_STORAGE_IMAGES_FILE);
	imagesfd = og_open_store_dir(graphroot, OG_STORAGE_IMAGES_DIR, e);
	if (imagesfd < 0)
		return og_wrap(e, "containers/storage graph root");
	if (og_read_file_at(imagesfd, OG_STORAGE_IMAGES_FILE, OG_STORAGE_MAX_IMAGES_JSON_BYTES, &list, e) < 0)
		return og_wrap(e, "containers/storage %s/%s", graphroot, OG_STORAGE_IMAGES_DIR);
	if (find_entry(&list, hex, what, &en, e) < 0)
		return -1;
	mdigest = en.digest;
	if (mdigest == NULL)
		return og_fail(e, "%s: image %.12s: no digest", what, hex);
	for (size_t i = 0; i < en.nnames; i++)
		if (og_image_record_add_name(rec, en.names[i], e) < 0)
			return og_wrap(e, "%s: image %.12s", what, hex);
	if (!og_digest_valid(mdigest))
		return og_fail(e, "%s: image %.12s: digest is not a sha256 digest", what, hex);
	if (read_big_data(imagesfd, hex, manifest_key(&en, key, sizeof key),
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
