#include "verify/image/image_record.h"
#include "hook/base/jsonutil.h"
#include "hook/base/log.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"
#include "verify/common/digest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"

/* Reproducible builds stamp these instead of a real time (SOURCE_DATE_EPOCH
 * 0, and the zip/tar epoch some tools use): they say nothing about age. */
#define EPOCH_1980 315532800	/* 1980-01-01T00:00:00Z */

int og_image_digest_check(const char *data, size_t len, const char *digest, const char *what,
			  og_error *e)
{
	char got[OG_DIGEST_MAX];

	if (!og_digest_valid(digest))
		return og_fail(e, "%s: the recorded digest is not a sha256 digest", what);
	og_sha256_digest(data, len, got, sizeof got);
	if (strcmp(got, digest) != 0)
		return og_fail(e, "%s: bytes do not match the recorded digest %s (sha256 of the %zu bytes is %s)",
			       what, digest, len, got[7] ? got : "unavailable");
	return 0;
}

/* The bounded, digest-checked, strictly parsed JSON object both readers
 * start from: nothing is parsed before the bytes are known to be the ones
 * the engine recorded. */
static json_t *verified_object(const char *data, size_t len, const char *digest, size_t max,
			       const char *what, og_error *e)
{
	json_t *doc;

	if (len > max) {
		og_fail(e, "%s: %zu bytes, more than the %zu it may have", what, len, max);
		return NULL;
	}
	if (og_image_digest_check(data, len, digest, what, e) < 0)
		return NULL;
	doc = og_json_parse(data, len, what, e);
	if (doc != NULL && !json_is_object(doc)) {
		og_fail(e, "%s: expected an object, found %s", what, og_json_type(doc));
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* An object whose members are all strings, or absent/null; *out referenced. */
static int string_map(const json_t *obj, const char *key, const char *what, json_t **out, og_error *e)
{
	json_t *m = json_object_get(obj, key), *v;
	const char *k;
	char safe[96];

	*out = NULL;
	if (m == NULL || json_is_null(m))
		return 0;
	if (!json_is_object(m))
		return og_fail(e, "%s.%s: expected an object, found %s", what, key, og_json_type(m));
	json_object_foreach(m, k, v)
		if (!json_is_string(v)) {
			og_sanitize(k, safe, sizeof safe);
			return og_fail(e, "%s.%s.%s: expected a string, found %s", what, key, safe,
				       og_json_type(v));
		}
	*out = json_incref(m);
	return 0;
}

static int media_type_check(const json_t *doc, const char *what, og_error *e)
{
	const char *mt = NULL;
	char safe[96];

	if (og_json_str(doc, "mediaType", what, 0, &mt, e) < 0)
		return -1;
	if (mt != NULL && (strcmp(mt, MEDIA_OCI_INDEX) == 0 || strcmp(mt, MEDIA_DOCKER_LIST) == 0))
		return og_fail(e, "%s: is an image index (%s), not a manifest", what, mt);
	if (mt == NULL && json_object_get(doc, "manifests") != NULL)
		return og_fail(e, "%s: is an image index (it has \"manifests\"), not a manifest", what);
	if (mt != NULL && strcmp(mt, MEDIA_OCI_MANIFEST) != 0 && strcmp(mt, MEDIA_DOCKER_MANIFEST) != 0) {
		og_sanitize(mt, safe, sizeof safe);
		return og_fail(e, "%s: media type \"%s\" is not an image manifest", what, safe);
	}
	return 0;
}

static int layers_parse(const json_t *doc, const char *what, struct og_image_record *rec, og_error *e)
{
	json_t *layers = NULL, *l;
	char path[200];
	size_t i;

	if (og_json_arr(doc, "layers", what, 1, &layers, e) < 0)
		return -1;
	json_array_foreach(layers, i, l) {
		const char *d;
		int64_t size;

		og_bfmt(path, sizeof path, "%s.layers[%zu]", what, i);
		if (!json_is_object(l))
			return og_fail(e, "%s: expected an object, found %s", path, og_json_type(l));
		if (og_json_str(l, "digest", path, 1, &d, e) < 0 ||
		    og_json_int(l, "size", path, 1, 0, INT64_MAX, &size, e) < 0)
			return -1;
		if ((uint64_t)size > UINT64_MAX - rec->layers_size)
			return og_fail(e, "%s.size: the layer sizes add up past 2^64", path);
		rec->layers_size += (uint64_t)size;
	}
	rec->nlayers = json_array_size(layers);
	return 0;
}

int og_image_manifest_parse(const char *data, size_t len, const char *digest,
			    struct og_image_record *rec, char config_out[OG_DIGEST_MAX], og_error *e)
{
	json_auto_t *doc = NULL;
	json_t *config = NULL;
	const char *cd;
	int64_t schema;
	char what[120];

	og_bfmt(what, sizeof what, "manifest %.71s", digest);
	config_out[0] = '\0';
	doc = verified_object(data, len, digest, OG_IMAGE_MAX_MANIFEST_BYTES, what, e);
	if (doc == NULL)
		return -1;
	if (media_type_check(doc, what, e) < 0 ||
	    og_json_int(doc, "schemaVersion", what, 1, 0, INT64_MAX, &schema, e) < 0)
		return -1;
	if (schema != 2)
		return og_fail(e, "%s: schemaVersion %lld is not 2", what, (long long)schema);
	if (og_json_obj(doc, "config", what, 1, &config, e) < 0 ||
	    og_json_str(config, "digest", "config", 1, &cd, e) < 0)
		return og_wrap(e, "%s", what);
	if (!og_digest_valid(cd))
		return og_fail(e, "%s: config.digest is not a sha256 digest", what);
	if (layers_parse(doc, what, rec, e) < 0 || string_map(doc, "annotations", what, &rec->annotations, e) < 0)
		return -1;
	og_bfmt(rec->manifest_digest, sizeof rec->manifest_digest, "%s", digest);
	og_bfmt(config_out, OG_DIGEST_MAX, "%s", cd);
	return 0;
}

int og_image_looks_like_index(const char *data, size_t len)
{
	return memmem(data, len, MEDIA_OCI_INDEX, strlen(MEDIA_OCI_INDEX)) != NULL ||
	       memmem(data, len, MEDIA_DOCKER_LIST, strlen(MEDIA_DOCKER_LIST)) != NULL ||
	       memmem(data, len, "\"manifests\"", 11) != NULL;
}

int og_image_index_parse(const char *data, size_t len, const char *digest,
			 char out[][OG_DIGEST_MAX], size_t *n, og_error *e)
{
	json_auto_t *doc = NULL;
	json_t *list = NULL, *m;
	const char *mt = NULL, *d;
	char what[120], path[160];
	size_t i;

	*n = 0;
	og_bfmt(what, sizeof what, "index %.71s", digest);
	doc = verified_object(data, len, digest, OG_IMAGE_MAX_MANIFEST_BYTES, what, e);
	if (doc == NULL)
		return -1;
	if (og_json_str(doc, "mediaType", what, 0, &mt, e) < 0 || og_json_arr(doc, "manifests", what, 1, &list, e) < 0)
		return -1;
	if (mt != NULL && strcmp(mt, MEDIA_OCI_INDEX) != 0 && strcmp(mt, MEDIA_DOCKER_LIST) != 0)
		return og_fail(e, "%s: media type \"%.64s\" is not an image index", what, mt);
	if (json_array_size(list) > OG_IMAGE_MAX_INDEX_MANIFESTS)
		return og_fail(e, "%s: %zu manifests, more than the %d looked through", what, json_array_size(list),
			       OG_IMAGE_MAX_INDEX_MANIFESTS);
	json_array_foreach(list, i, m) {
		og_bfmt(path, sizeof path, "%s.manifests[%zu]", what, i);
		if (!json_is_object(m))
			return og_fail(e, "%s: expected an object, found %s", path, og_json_type(m));
		if (og_json_str(m, "digest", path, 1, &d, e) < 0)
			return -1;
		if (!og_digest_valid(d))
			return og_fail(e, "%s.digest: not a sha256 digest", path);
		og_bfmt(out[(*n)++], OG_DIGEST_MAX, "%s", d);
	}
	return 0;
}

static int created_parse(const json_t *doc, const char *what, struct og_image_record *rec, og_error *e)
{
	const char *created = NULL;
	int64_t t;
	og_error le = { 0 };

	rec->created = 0;
	rec->created_text[0] = '\0';
	if (og_json_str(doc, "created", what, 0, &created, e) < 0)
		return -1;
	if (created == NULL)
		return 0;
	og_bfmt(rec->created_text, sizeof rec->created_text, "%s", created);
	if (og_parse_rfc3339(created, &t, &le) < 0)
		return og_fail(e, "%s.created: %s", what, le.msg);
	/* The epochs of reproducible builds (any time on those days) are not a
	 * build time, nor is a date before them. */
	if (t >= EPOCH_1980 + 86400 || (t >= 86400 && t < EPOCH_1980))
		rec->created = t;
	return 0;
}

int og_image_config_parse(const char *data, size_t len, const char *digest,
			  struct og_image_record *rec, og_error *e)
{
	json_auto_t *doc = NULL;
	json_t *cfg = NULL;
	const char *mt = NULL, *user = NULL;
	char what[120], safe[96];

	og_bfmt(what, sizeof what, "config %.71s", digest);
	doc = verified_object(data, len, digest, OG_IMAGE_MAX_CONFIG_BYTES, what, e);
	if (doc == NULL)
		return -1;
	/* A config carries no media type of its own; one that does names itself. */
	if (og_json_str(doc, "mediaType", what, 0, &mt, e) < 0)
		return -1;
	if (mt != NULL && strcmp(mt, MEDIA_OCI_CONFIG) != 0 && strcmp(mt, MEDIA_DOCKER_CONFIG) != 0) {
		og_sanitize(mt, safe, sizeof safe);
		return og_fail(e, "%s: media type \"%s\" is not an image config", what, safe);
	}
	if (json_object_get(doc, "schemaVersion") != NULL)
		return og_fail(e, "%s: has a schemaVersion: a manifest or index, not an image config", what);
	if (created_parse(doc, what, rec, e) < 0)
		return -1;
	cfg = json_object_get(doc, "config");
	if (cfg != NULL && !json_is_null(cfg)) {
		char cpath[140];

		og_bfmt(cpath, sizeof cpath, "%s.config", what);
		if (!json_is_object(cfg))
			return og_fail(e, "%s: expected an object, found %s", cpath, og_json_type(cfg));
		if (og_json_str(cfg, "User", cpath, 0, &user, e) < 0 ||
		    string_map(cfg, "Labels", cpath, &rec->labels, e) < 0)
			return -1;
	}
	rec->has_user = user != NULL && user[0] != '\0';
	og_bfmt(rec->user, sizeof rec->user, "%s", user != NULL ? user : "");
	og_bfmt(rec->config_digest, sizeof rec->config_digest, "%s", digest);
	return 0;
}

int og_image_record_add_name(struct og_image_record *rec, const char *name, og_error *e)
{
	if (rec->nnames >= OG_IMAGE_MAX_NAMES)
		return og_fail(e, "more than %d names for one image", OG_IMAGE_MAX_NAMES);
	rec->names[rec->nnames] = strdup(name);
	if (rec->names[rec->nnames] == NULL)
		return og_fail_errno(e, ENOMEM, "image names");
	rec->nnames++;
	return 0;
}

void og_image_record_free(struct og_image_record *rec)
{
	json_decref(rec->annotations);
	json_decref(rec->labels);
	for (size_t i = 0; i < rec->nnames; i++)
		free(rec->names[i]);
	memset(rec, 0, sizeof *rec);
}
