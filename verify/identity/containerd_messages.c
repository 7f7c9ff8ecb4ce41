#include "verify/identity/containerd_messages.h"
#include "hook/base/jsonutil.h"
#include "hook/base/log.h"
#include "verify/identity/protobuf.h"
#include "verify/common/digest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Field numbers (containerd api, v1 services). */
enum {
	GET_CONTAINER_REQUEST_ID = 1,
	GET_CONTAINER_RESPONSE_CONTAINER = 1,
	CONTAINER_ID = 1,
	CONTAINER_IMAGE = 3,
	CONTAINER_EXTENSIONS = 10,
	MAP_ENTRY_KEY = 1,
	MAP_ENTRY_VALUE = 2,
	ANY_TYPE_URL = 1,
	ANY_VALUE = 2,
	GET_IMAGE_REQUEST_NAME = 1,
	GET_IMAGE_RESPONSE_IMAGE = 1,
	LIST_IMAGES_RESPONSE_IMAGES = 1,
	IMAGE_NAME = 1,
	IMAGE_TARGET = 3,
	DESCRIPTOR_MEDIA_TYPE = 1,
	DESCRIPTOR_DIGEST = 2,
};

/* Media types an image's target may have: it names a manifest or an index. */
static const char *const target_media_types[] = {
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.docker.distribution.manifest.v2+json",
	NULL,
};

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int og_containerd_valid_identifier(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > OG_CONTAINERD_ID_MAX || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (is_alnum(s[i]))
			continue;
		if (strchr("._-", s[i]) == NULL || !is_alnum(s[i + 1]))
			return 0;	/* separators stand alone between alphanumerics */
	}
	return 1;
}

/* Printable ASCII only: names are logged and sent back to containerd. */
static int printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

static int encode_one_string(uint32_t field, const char *s, const char *what, void *buf, size_t cap,
			     size_t *len, og_error *e)
{
	struct og_pb_writer w;

	og_pb_writer_init(&w, buf, cap);
	og_pb_put_string(&w, field, s);
	if (og_pb_writer_check(&w, what, e) < 0)
		return -1;
	*len = w.len;
	return 0;
}

int og_containerd_encode_get_container(const char *id, void *buf, size_t cap, size_t *len, og_error *e)
{
	return encode_one_string(GET_CONTAINER_REQUEST_ID, id, "GetContainerRequest", buf, cap, len, e);
}

int og_containerd_encode_get_image(const char *name, void *buf, size_t cap, size_t *len, og_error *e)
{
	return encode_one_string(GET_IMAGE_REQUEST_NAME, name, "GetImageRequest", buf, cap, len, e);
}

/* One map<string, Any> entry of Container.extensions: remember the CRI one. */
static int decode_extension(const struct og_pb_reader *parent, const struct og_pb_field *entry,
			    struct og_containerd_container *out, og_error *e)
{
	static const char key_want[] = OG_CONTAINERD_CRI_EXTENSION;
	struct og_pb_reader r, any;
	struct og_pb_field f, value = { 0 };
	int rc, is_cri = 0, have_value = 0;

	if (og_pb_enter(parent, entry, &r, e) < 0)
		return -1;
	while ((rc = og_pb_next(&r, &f, e)) == 1) {
		if (f.number == MAP_ENTRY_KEY) {
			if (og_pb_expect(&f, OG_PB_LEN, "extension key", e) < 0)
				return -1;
			is_cri = f.len == sizeof key_want - 1 && memcmp(f.bytes, key_want, f.len) == 0;
		} else if (f.number == MAP_ENTRY_VALUE) {
			if (og_pb_expect(&f, OG_PB_LEN, "extension value", e) < 0)
				return -1;
			value = f;
			have_value = 1;
		}
	}
	if (rc < 0)
		return og_wrap(e, "extension");
	if (!is_cri)
		return 0;
	if (out->cri_metadata != NULL)
		return og_fail(e, "extension %s: appears twice", key_want);
	if (!have_value)
		return og_fail(e, "extension %s: no value", key_want);
	if (og_pb_enter(&r, &value, &any, e) < 0)
		return og_wrap(e, "extension %s", key_want);
	while ((rc = og_pb_next(&any, &f, e)) == 1) {
		if (f.number != ANY_VALUE)
			continue;
		if (og_pb_expect(&f, OG_PB_LEN, "Any.value", e) < 0)
			return og_wrap(e, "extension %s", key_want);
		if (out->cri_metadata != NULL)
			return og_fail(e, "extension %s: Any.value appears twice", key_want);
		/* An empty value still marks the extension present (and then fails as JSON). */
		out->cri_metadata = f.len > 0 ? f.bytes : (const uint8_t *)"";
		out->cri_metadata_len = f.len;
	}
	if (rc < 0)
		return og_wrap(e, "extension %s", key_want);
	if (out->cri_metadata == NULL)
		return og_fail(e, "extension %s: Any without a value", key_want);
	return 0;
}

static int decode_container(const struct og_pb_reader *parent, const struct og_pb_field *cf,
			    struct og_containerd_container *out, og_error *e)
{
	struct og_pb_reader r;
	struct og_pb_field f;
	int rc, have_id = 0, have_image = 0;

	if (og_pb_enter(parent, cf, &r, e) < 0)
		return -1;
	while ((rc = og_pb_next(&r, &f, e)) == 1) {
		switch (f.number) {
		case CONTAINER_ID:
			if (have_id++)
				return og_fail(e, "Container.id appears twice");
			if (og_pb_string(&f, "Container.id", out->id, sizeof out->id, e) < 0)
				return -1;
			break;
		case CONTAINER_IMAGE:
			if (have_image++)
				return og_fail(e, "Container.image appears twice");
			if (og_pb_string(&f, "Container.image", out->image, sizeof out->image, e) < 0)
				return -1;
			if (!printable(out->image))
				return og_fail(e, "Container.image: not printable ASCII");
			break;
		case CONTAINER_EXTENSIONS:
			if (decode_extension(&r, &f, out, e) < 0)
				return og_wrap(e, "Container.extensions");
			break;
		default:
			break;	/* labels, runtime, spec, ...: not needed */
		}
	}
	if (rc < 0)
		return og_wrap(e, "Container");
	if (!have_id)
		return og_fail(e, "Container: no id");
	return 0;
}

int og_containerd_decode_get_container(const void *msg, size_t len, struct og_containerd_container *out,
				       og_error *e)
{
	struct og_pb_reader r;
	struct og_pb_field f;
	int rc, have = 0;

	memset(out, 0, sizeof *out);
	og_pb_reader_init(&r, msg, len);
	while ((rc = og_pb_next(&r, &f, e)) == 1) {
		if (f.number != GET_CONTAINER_RESPONSE_CONTAINER)
			continue;
		if (have++)
			return og_fail(e, "GetContainerResponse: container appears twice");
		if (decode_container(&r, &f, out, e) < 0)
			return og_wrap(e, "GetContainerResponse");
	}
	if (rc < 0)
		return og_wrap(e, "GetContainerResponse");
	if (!have)
		return og_fail(e, "GetContainerResponse: no container");
	return 0;
}

static int decode_descriptor(const struct og_pb_reader *parent, const struct og_pb_field *df,
			     char digest_out[OG_DIGEST_MAX], og_error *e)
{
	struct og_pb_reader r;
	struct og_pb_field f;
	char media[128] = "", digest[OG_DIGEST_MAX] = "", safe[160];
	int rc, have_media = 0, have_digest = 0;
	const char *const *m;

	if (og_pb_enter(parent, df, &r, e) < 0)
		return -1;
	while ((rc = og_pb_next(&r, &f, e)) == 1) {
		if (f.number == DESCRIPTOR_MEDIA_TYPE) {
			if (have_media++)
				return og_fail(e, "media_type appears twice");
			if (og_pb_string(&f, "media_type", media, sizeof media, e) < 0)
				return -1;
		} else if (f.number == DESCRIPTOR_DIGEST) {
			if (have_digest++)
				return og_fail(e, "digest appears twice");
			if (og_pb_string(&f, "digest", digest, sizeof digest, e) < 0)
				return -1;
		}
	}
	if (rc < 0)
		return -1;
	for (m = target_media_types; *m != NULL; m++)
		if (strcmp(*m, media) == 0)
			break;
	if (*m == NULL) {
		og_sanitize(media, safe, sizeof safe);
		return og_fail(e, "media type \"%s\" is not a manifest or an index", safe);
	}
	if (!og_digest_valid(digest)) {
		og_sanitize(digest, safe, sizeof safe);
		return og_fail(e, "digest \"%s\" is not sha256:<64 lowercase hex>", safe);
	}
	memcpy(digest_out, digest, strlen(digest) + 1);
	return 0;
}

/* One Image message (name, target) inside a response. */
static int decode_image(const struct og_pb_reader *parent, const struct og_pb_field *imf, const char *what,
			char name_out[OG_REF_MAX], char digest_out[OG_DIGEST_MAX], og_error *e)
{
	struct og_pb_reader img;
	struct og_pb_field f;
	int rc, have_name = 0, have_target = 0;

	name_out[0] = '\0';
	digest_out[0] = '\0';
	if (og_pb_enter(parent, imf, &img, e) < 0)
		return og_wrap(e, "%s", what);
	while ((rc = og_pb_next(&img, &f, e)) == 1) {
		if (f.number == IMAGE_NAME) {
			if (have_name++)
				return og_fail(e, "%s: Image.name appears twice", what);
			if (og_pb_string(&f, "Image.name", name_out, OG_REF_MAX, e) < 0)
				return og_wrap(e, "%s", what);
			if (!printable(name_out))
				return og_fail(e, "%s: Image.name: not printable ASCII", what);
		} else if (f.number == IMAGE_TARGET) {
			if (have_target++)
				return og_fail(e, "%s: Image.target appears twice", what);
			if (decode_descriptor(&img, &f, digest_out, e) < 0)
				return og_wrap(e, "%s: Image.target", what);
		}
	}
	if (rc < 0)
		return og_wrap(e, "%s: Image", what);
	if (!have_target)
		return og_fail(e, "%s: image has no target", what);
	return 0;
}

int og_containerd_decode_get_image(const void *msg, size_t len, char name_out[OG_REF_MAX],
				   char digest_out[OG_DIGEST_MAX], og_error *e)
{
	struct og_pb_reader r;
	struct og_pb_field f;
	int rc, have_image = 0;

	name_out[0] = '\0';
	digest_out[0] = '\0';
	og_pb_reader_init(&r, msg, len);
	while ((rc = og_pb_next(&r, &f, e)) == 1) {
		if (f.number != GET_IMAGE_RESPONSE_IMAGE)
			continue;
		if (have_image++)
			return og_fail(e, "GetImageResponse: image appears twice");
		if (decode_image(&r, &f, "GetImageResponse", name_out, digest_out, e) < 0)
			return -1;
	}
	if (rc < 0)
		return og_wrap(e, "GetImageResponse");
	if (!have_image)
		return og_fail(e, "GetImageResponse: no image");
	return 0;
}

int og_containerd_decode_list_images(const void *msg, size_t len, struct og_containerd_image_ref **out,
				     size_t *n, og_error *e)
{
	struct og_pb_reader r;
	struct og_pb_field f;
	struct og_containerd_image_ref *v = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	og_pb_reader_init(&r, msg, len);
	while ((rc = og_pb_next(&r, &f, e)) == 1) {
		struct og_containerd_image_ref *nv;

		if (f.number != LIST_IMAGES_RESPONSE_IMAGES)
			continue;
		if (count >= OG_CONTAINERD_MAX_LIST_IMAGES) {
			free(v);
			return og_fail(e, "ListImagesResponse: more than %d images", OG_CONTAINERD_MAX_LIST_IMAGES);
		}
		nv = realloc(v, (count + 1) * sizeof *v);
		if (nv == NULL) {
			free(v);
			return og_fail_errno(e, ENOMEM, "ListImagesResponse");
		}
		v = nv;
		if (decode_image(&r, &f, "ListImagesResponse", v[count].name, v[count].digest, e) < 0) {
			free(v);
			return -1;
		}
		count++;
	}
	if (rc < 0) {
		free(v);
		return og_wrap(e, "ListImagesResponse");
	}
	*out = v;
	*n = count;
	return 0;
}

int og_containerd_cri_image_ref(const uint8_t *json, size_t len, const char *container_id,
				char digest_out[OG_DIGEST_MAX], og_error *e)
{
	static const char what[] = "CRI container metadata";
	json_auto_t *root = NULL;
	json_t *meta;
	const char *version, *ref, *id;
	char safe[160];
	int rc;

	if (len > OG_CONTAINERD_MAX_CRI_METADATA_BYTES)
		return og_fail(e, "%s: %zu bytes, larger than the limit of %d bytes", what, len,
			       OG_CONTAINERD_MAX_CRI_METADATA_BYTES);
	root = og_json_parse((const char *)json, len, what, e);
	if (root == NULL)
		return -1;
	if (og_json_str(root, "Version", what, 1, &version, e) < 0 ||
	    og_json_obj(root, "Metadata", what, 1, &meta, e) < 0)
		return -1;
	/* Only v1 is known; a later layout may move ImageRef: fail closed. */
	if (strcmp(version, "v1") != 0) {
		og_sanitize(version, safe, sizeof safe);
		return og_fail(e, "%s: unknown Version \"%s\" (expected \"v1\")", what, safe);
	}
	rc = og_json_str(meta, "ID", "CRI container metadata.Metadata", 0, &id, e);
	if (rc < 0)
		return -1;
	if (rc == 0 && strcmp(id, container_id) != 0) {
		og_sanitize(id, safe, sizeof safe);
		return og_fail(e, "%s: belongs to container \"%s\", not the one asked for", what, safe);
	}
	if (og_json_str(meta, "ImageRef", "CRI container metadata.Metadata", 1, &ref, e) < 0)
		return -1;
	if (!og_digest_valid(ref)) {
		og_sanitize(ref, safe, sizeof safe);
		return og_fail(e, "%s: ImageRef \"%s\" is not sha256:<64 lowercase hex>", what, safe);
	}
	memcpy(digest_out, ref, strlen(ref) + 1);
	return 0;
}
