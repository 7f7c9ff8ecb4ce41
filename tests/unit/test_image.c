/* The image rules' readers and rules (verify/image): manifests and configs
 * checked against their digests before parsing, containers/storage records
 * in a graph root written here, and every rule's finding. */
#include "testutil.h"
#include "hook/base/fileio.h"
#include "hook/base/timeutil.h"
#include "verify/common/digest.h"
#include "verify/image/image_policy.h"
#include "verify/image/image_record.h"
#include "verify/image/image_rules.h"
#include "verify/image/image_store.h"
#include "verify/image/content_store.h"

#include <fcntl.h>
#include <sys/stat.h>

#define CFG_OCI "application/vnd.oci.image.config.v1+json"
#define L1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define L2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static void digest_of(const char *s, char out[OG_DIGEST_MAX])
{
	og_sha256_digest(s, strlen(s), out, OG_DIGEST_MAX);
}

static char *manifest_text(const char *config_digest, const char *extra)
{
	char *s = NULL;

	ck_assert_int_ge(asprintf(&s,
				  "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
				  "\"config\":{\"mediaType\":\"" CFG_OCI "\",\"digest\":\"%s\",\"size\":10},"
				  "\"layers\":[{\"mediaType\":\"x\",\"digest\":\"" L1 "\",\"size\":1000},"
				  "{\"mediaType\":\"x\",\"digest\":\"" L2 "\",\"size\":24}]%s}",
				  config_digest, extra),
			 0);
	return s;
}

/* Parse a manifest given as text, verified against its own digest: 0 or -1. */
static int manifest(const char *text, struct og_image_record *rec, og_error *e)
{
	char d[OG_DIGEST_MAX], cd[OG_DIGEST_MAX];

	digest_of(text, d);
	return og_image_manifest_parse(text, strlen(text), d, rec, cd, e);
}

static int config(const char *text, struct og_image_record *rec, og_error *e)
{
	char d[OG_DIGEST_MAX];

	digest_of(text, d);
	return og_image_config_parse(text, strlen(text), d, rec, e);
}

#define EXPECT_MANIFEST_ERROR(text, want)                                                   \
	do {                                                                                \
		struct og_image_record r_ = { 0 };                                          \
		og_error e_ = { 0 };                                                        \
		ck_assert_int_eq(manifest(text, &r_, &e_), -1);                             \
		ck_assert_msg(strstr(e_.msg, want) != NULL, "want \"%s\" in \"%s\"", want, e_.msg); \
		og_image_record_free(&r_);                                                  \
	} while (0)

#define EXPECT_CONFIG_ERROR(text, want)                                                     \
	do {                                                                                \
		struct og_image_record r_ = { 0 };                                          \
		og_error e_ = { 0 };                                                        \
		ck_assert_int_eq(config(text, &r_, &e_), -1);                               \
		ck_assert_msg(strstr(e_.msg, want) != NULL, "want \"%s\" in \"%s\"", want, e_.msg); \
		og_image_record_free(&r_);                                                  \
	} while (0)

START_TEST(manifest_good)
{
	char *m = manifest_text(L2, ",\"annotations\":{\"org.opencontainers.image.base.name\":\"debian:12\"}");
	char d[OG_DIGEST_MAX], cd[OG_DIGEST_MAX];
	struct og_image_record rec = { 0 };
	og_error e = { 0 };

	digest_of(m, d);
	ck_assert_msg(og_image_manifest_parse(m, strlen(m), d, &rec, cd, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(cd, L2);
	ck_assert_str_eq(rec.manifest_digest, d);
	ck_assert_uint_eq(rec.nlayers, 2);
	ck_assert_uint_eq(rec.layers_size, 1024);
	ck_assert_str_eq(json_string_value(json_object_get(rec.annotations, OG_ANNOTATION_BASE_NAME)), "debian:12");
	og_image_record_free(&rec);
	free(m);
}
END_TEST

START_TEST(manifest_digest_mismatch)
{
	char *m = manifest_text(L2, "");
	struct og_image_record rec = { 0 };
	char cd[OG_DIGEST_MAX];
	og_error e = { 0 };

	/* The bytes of another manifest under this digest: refused before parsing. */
	ck_assert_int_eq(og_image_manifest_parse(m, strlen(m), L1, &rec, cd, &e), -1);
	ck_assert_msg(strstr(e.msg, "bytes do not match the recorded digest " L1) != NULL, "%s", e.msg);
	ck_assert_int_eq(og_image_manifest_parse(m, strlen(m), "sha256:abc", &rec, cd, &e), -1);
	ck_assert_msg(strstr(e.msg, "not a sha256 digest") != NULL, "%s", e.msg);
	free(m);
}
END_TEST

START_TEST(manifest_bad_input)
{
	char *deep = calloc(1, 4096), *huge;
	size_t n = 0;

	EXPECT_MANIFEST_ERROR("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}",
			      "is an image index");
	EXPECT_MANIFEST_ERROR("{\"schemaVersion\":2,\"manifests\":[]}", "is an image index");
	EXPECT_MANIFEST_ERROR("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\"}",
			      "is an image index");
	EXPECT_MANIFEST_ERROR("{\"schemaVersion\":2,\"mediaType\":\"text/html\"}", "media type \"text/html\" is not an image manifest");
	EXPECT_MANIFEST_ERROR("{\"schemaVersion\":1,\"config\":{\"digest\":\"" L1 "\"},\"layers\":[]}", "schemaVersion 1 is not 2");
	EXPECT_MANIFEST_ERROR("{\"schemaVersion\":2,\"config\":{\"digest\":\"md5:x\"},\"layers\":[]}", "config.digest is not a sha256");
	EXPECT_MANIFEST_ERROR("{\"schemaVersion\":2,\"config\":{\"digest\":\"" L1 "\"},\"layers\":[{\"digest\":\"" L1 "\",\"size\":-1}]}",
			      "layers[0]");
	EXPECT_MANIFEST_ERROR("{\"schemaVersion\":2,\"config\":{\"digest\":\"" L1 "\"}}", "layers");
	EXPECT_MANIFEST_ERROR("{\"schemaVersion\":2,\"config\":{\"digest\":\"" L1 "\"},\"layers\":[],\"annotations\":{\"a\":1}}",
			      "annotations.a: expected a string");
	EXPECT_MANIFEST_ERROR("{\"schemaVersion\":2,\"schemaVersion\":2}", "duplicate");
	EXPECT_MANIFEST_ERROR("[1,2]", "expected an object");
	EXPECT_MANIFEST_ERROR("{\"schemaVersion\":2", "invalid JSON");
	/* Nesting past the reader's limit. */
	n += (size_t)snprintf(deep, 4096, "{\"schemaVersion\":2,\"x\":");
	for (int i = 0; i < 100; i++)
		deep[n++] = '[';
	for (int i = 0; i < 100; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	EXPECT_MANIFEST_ERROR(deep, "deep");
	free(deep);
	/* Past the size bound: refused by size, before hashing or parsing. */
	huge = malloc(OG_IMAGE_MAX_MANIFEST_BYTES + 2);
	memset(huge, ' ', OG_IMAGE_MAX_MANIFEST_BYTES + 1);
	huge[OG_IMAGE_MAX_MANIFEST_BYTES + 1] = '\0';
	EXPECT_MANIFEST_ERROR(huge, "4194305 bytes, more than the 4194304 it may have");
	free(huge);
}
END_TEST

START_TEST(config_fields)
{
	struct og_image_record rec = { 0 };
	og_error e = { 0 };

	ck_assert_msg(config("{\"created\":\"2023-01-04T10:00:00Z\",\"config\":{\"User\":\"1000:1000\","
			     "\"Labels\":{\"org.opencontainers.image.source\":\"https://x\"}}}",
			     &rec, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rec.created, 1672826400);
	ck_assert_str_eq(rec.user, "1000:1000");
	ck_assert_int_eq(rec.has_user, 1);
	ck_assert_ptr_nonnull(json_object_get(rec.labels, "org.opencontainers.image.source"));
	og_image_record_free(&rec);
	/* Docker writes null Labels; no config at all is an image with defaults. */
	ck_assert_msg(config("{\"config\":{\"Labels\":null}}", &rec, &e) == 0, "%s", e.msg);
	ck_assert_ptr_null(rec.labels);
	ck_assert_int_eq(rec.created, 0);
	ck_assert_str_eq(rec.created_text, "");
	og_image_record_free(&rec);
	ck_assert_msg(config("{}", &rec, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rec.has_user, 0);
	og_image_record_free(&rec);
}
END_TEST

/* Reproducible-build epochs are no build time: unknown, like a missing one. */
START_TEST(config_epochs_unknown)
{
	static const char *const unknown[] = { "1970-01-01T00:00:00Z", "1980-01-01T00:00:00Z", "1980-01-01T00:00:01Z",
					       "1970-01-01T00:00:00.000Z", "1980-01-01T23:59:59Z" };
	char text[128];

	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		struct og_image_record rec = { 0 };
		og_error e = { 0 };

		snprintf(text, sizeof text, "{\"created\":\"%s\"}", unknown[i]);
		ck_assert_msg(config(text, &rec, &e) == 0, "%s: %s", unknown[i], e.msg);
		ck_assert_msg(rec.created == 0, "%s counted as a build time", unknown[i]);
		ck_assert_str_eq(rec.created_text, unknown[i]);
		og_image_record_free(&rec);
	}
}
END_TEST

START_TEST(config_bad_input)
{
	char *huge;

	EXPECT_CONFIG_ERROR("{\"created\":\"yesterday\"}", ".created:");
	EXPECT_CONFIG_ERROR("{\"created\":5}", "created: expected a string");
	EXPECT_CONFIG_ERROR("{\"config\":{\"User\":0}}", "User: expected a string");
	EXPECT_CONFIG_ERROR("{\"config\":{\"Labels\":{\"a\":[]}}}", "Labels.a: expected a string");
	EXPECT_CONFIG_ERROR("{\"config\":[]}", "config: expected an object");
	EXPECT_CONFIG_ERROR("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}", "is not an image config");
	EXPECT_CONFIG_ERROR("{\"schemaVersion\":2,\"layers\":[]}", "not an image config");
	EXPECT_CONFIG_ERROR("{\"a\":1,\"a\":2}", "duplicate");
	huge = malloc(OG_IMAGE_MAX_CONFIG_BYTES + 2);
	memset(huge, ' ', OG_IMAGE_MAX_CONFIG_BYTES + 1);
	huge[OG_IMAGE_MAX_CONFIG_BYTES + 1] = '\0';
	EXPECT_CONFIG_ERROR(huge, "8388609 bytes, more than the 8388608 it may have");
	free(huge);
}
END_TEST

/* The file names containers/storage gives big-data items (as `podman load`
 * wrote them on this project's machines). */
START_TEST(big_data_names)
{
	char f[300];

	ck_assert_int_eq(og_storage_big_data_file("manifest", f, sizeof f), 0);
	ck_assert_str_eq(f, "manifest");
	ck_assert_int_eq(og_storage_big_data_file("sha256:bc6bc6159f4c2071245ba305c63925d00d8b049e855954e29b6a822b865c21c0",
						  f, sizeof f), 0);
	ck_assert_str_eq(f, "=c2hhMjU2OmJjNmJjNjE1OWY0YzIwNzEyNDViYTMwNWM2MzkyNWQwMGQ4YjA0OWU4NTU5NTRlMjliNmE4MjJiODY1YzIxYzA=");
	ck_assert_int_eq(og_storage_big_data_file("manifest-sha256:e60ab934b7878c0b9d7d2562ead5079f9b9949fea49c20486797b9dd357949f1",
						  f, sizeof f), 0);
	ck_assert_str_eq(f, "=bWFuaWZlc3Qtc2hhMjU2OmU2MGFiOTM0Yjc4NzhjMGI5ZDdkMjU2MmVhZDUwNzlmOWI5OTQ5ZmVhNDljMjA0ODY3OTdiOWRkMzU3OTQ5ZjE=");
}
END_TEST

/* ---- containers/storage: a graph root written here ---- */

static char graph[256];

static void wfile(const char *rel, const char *data)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof path, "%s/%s", graph, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

/* Store an image (config text, manifest for it) under its ID; the manifest
 * big-data file may be given other bytes than the recorded digest's. */
static void store_image(const char *cfg, const char *stored_manifest_override, char id_out[OG_DIGEST_MAX])
{
	char cd[OG_DIGEST_MAX], md[OG_DIGEST_MAX], f[300], rel[600], *m, *list;

	digest_of(cfg, cd);
	m = manifest_text(cd, "");
	digest_of(m, md);
	snprintf(rel, sizeof rel, "%s/overlay-images/%s", graph, cd + 7);
	ck_assert_int_eq(mkdir(rel, 0700), 0);
	snprintf(rel, sizeof rel, "manifest-%s", md);
	og_storage_big_data_file(rel, f, sizeof f);
	snprintf(rel, sizeof rel, "overlay-images/%s/%s", cd + 7, f);
	wfile(rel, stored_manifest_override ? stored_manifest_override : m);
	og_storage_big_data_file(cd, f, sizeof f);
	snprintf(rel, sizeof rel, "overlay-images/%s/%s", cd + 7, f);
	wfile(rel, cfg);
	ck_assert_int_ge(asprintf(&list,
				  "[{\"id\":\"%s\",\"digest\":\"%s\",\"names\":[\"localhost/app:1\",\"docker.io/library/app:2\"],"
				  "\"big-data-names\":[\"%s\",\"manifest-%s\",\"manifest\"]}]",
				  cd + 7, md, cd, md),
			 0);
	wfile("overlay-images/images.json", list);
	free(list);
	free(m);
	memcpy(id_out, cd, OG_DIGEST_MAX);
}

static void graph_setup(void)
{
	char d[300];

	snprintf(graph, sizeof graph, "/tmp/og-image-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(graph));
	snprintf(d, sizeof d, "%s/overlay-images", graph);
	ck_assert_int_eq(mkdir(d, 0700), 0);
}

static void graph_teardown(void)
{
	char cmd[400];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", graph);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(storage_record)
{
	struct og_image_record rec = { 0 };
	char id[OG_DIGEST_MAX];
	og_error e = { 0 };

	store_image("{\"created\":\"2026-01-01T00:00:00Z\",\"config\":{\"User\":\"app\"}}", NULL, id);
	ck_assert_msg(og_storage_image_record(graph, id, &rec, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(rec.nnames, 2);
	ck_assert_str_eq(rec.names[0], "localhost/app:1");
	ck_assert_str_eq(rec.config_digest, id);
	ck_assert_str_eq(rec.user, "app");
	ck_assert_uint_eq(rec.nlayers, 2);
	og_image_record_free(&rec);
	/* An image the store does not hold. */
	ck_assert_int_eq(og_storage_image_record(graph, L1, &rec, &e), -1);
	ck_assert_msg(strstr(e.msg, "no record for image") != NULL, "%s", e.msg);
	og_image_record_free(&rec);
}
END_TEST

START_TEST(storage_tampered_manifest)
{
	struct og_image_record rec = { 0 };
	char id[OG_DIGEST_MAX];
	og_error e = { 0 };

	store_image("{\"config\":{\"User\":\"app\"}}", "{\"schemaVersion\":2}", id);
	ck_assert_int_eq(og_storage_image_record(graph, id, &rec, &e), -1);
	ck_assert_msg(strstr(e.msg, "bytes do not match the recorded digest") != NULL, "%s", e.msg);
	og_image_record_free(&rec);
}
END_TEST

START_TEST(storage_tampered_config)
{
	struct og_image_record rec = { 0 };
	char id[OG_DIGEST_MAX], f[300], rel[600];
	og_error e = { 0 };

	store_image("{\"config\":{\"User\":\"app\"}}", NULL, id);
	og_storage_big_data_file(id, f, sizeof f);
	snprintf(rel, sizeof rel, "overlay-images/%s/%s", id + 7, f);
	wfile(rel, "{\"config\":{\"User\":\"root\"}}");
	ck_assert_int_eq(og_storage_image_record(graph, id, &rec, &e), -1);
	ck_assert_msg(strstr(e.msg, "config " ) != NULL && strstr(e.msg, "bytes do not match") != NULL, "%s", e.msg);
	og_image_record_free(&rec);
}
END_TEST

START_TEST(storage_symlink_refused)
{
	struct og_image_record rec = { 0 };
	char id[OG_DIGEST_MAX], a[600], b[600];
	og_error e = { 0 };

	store_image("{}", NULL, id);
	snprintf(a, sizeof a, "%s/overlay-images/images.json", graph);
	snprintf(b, sizeof b, "%s/images.json.real", graph);
	ck_assert_int_eq(rename(a, b), 0);
	ck_assert_int_eq(symlink(b, a), 0);
	ck_assert_int_eq(og_storage_image_record(graph, id, &rec, &e), -1);
	ck_assert_msg(strstr(e.msg, "images.json") != NULL, "%s", e.msg);
	og_image_record_free(&rec);
}
END_TEST

/* images.json is the engine's, but read as strictly as anything else. */
START_TEST(storage_bad_records)
{
	static const struct { const char *list, *want; } cases[] = {
		{ "{}", "$: expected an array, found object" },
		{ "[{\"id\":\"ID\",\"id\":\"ID\"}]", "duplicate key" },
		{ "[{\"id\":\"ID\",\"digest\":\"D\"},{\"id\":\"ID\",\"digest\":\"D\"}]", "two records for image" },
		{ "[{\"digest\":\"D\"}]", "$[0].id: missing" },
		{ "[{\"id\":\"ID\",\"digest\":\"D\",\"names\":[1]}]", "expected a string" },
		{ "[{\"id\":\"ID\"}]", "no digest" },
		{ "[{\"id\":\"ID\",\"digest\":\"sha256:0\"}]", "digest is not a sha256 digest" },
		{ "[{\"id\":\"ID\",\"digest\":\"D\",\"x\":[[[}]", "invalid JSON" },
		{ "[{\"id\":\"ID\",\"digest\":\"D\"}] x", "invalid JSON" },
	};
	struct og_image_record rec = { 0 };
	char id[OG_DIGEST_MAX], md[OG_DIGEST_MAX], *m;
	og_error e = { 0 };

	store_image("{}", NULL, id);
	m = manifest_text(id, "");
	digest_of(m, md);
	free(m);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char list[1024], *p;
		size_t o = 0;

		/* ID and D stand for the image's id and manifest digest. */
		for (const char *c = cases[i].list; *c && o < sizeof list - 100; c++) {
			if (c[0] == 'I' && c[1] == 'D') {
				o += (size_t)snprintf(list + o, sizeof list - o, "%s", id + 7);
				c++;
			} else if (c[0] == 'D' && c[1] == '\"') {
				o += (size_t)snprintf(list + o, sizeof list - o, "%s", md);
			} else {
				list[o++] = *c;
			}
		}
		list[o] = '\0';
		p = list;
		wfile("overlay-images/images.json", p);
		ck_assert_msg(og_storage_image_record(graph, id, &rec, &e) == -1, "accepted: %s", list);
		ck_assert_msg(strstr(e.msg, cases[i].want) != NULL, "%s: want \"%s\" in \"%s\"", list, cases[i].want, e.msg);
		og_image_record_free(&rec);
	}
}
END_TEST

/* ---- containerd's content store: blobs written here ---- */

static void put_blob(const char *text, char digest[OG_DIGEST_MAX])
{
	char rel[300];

	digest_of(text, digest);
	snprintf(rel, sizeof rel, "%s/%s", OG_CONTENT_BLOBS_DIR, digest + 7);
	wfile(rel, text);
}

static void content_setup(void)
{
	char d[600];

	graph_setup();
	snprintf(d, sizeof d, "mkdir -p '%s/%s'", graph, OG_CONTENT_BLOBS_DIR);
	ck_assert_int_eq(system(d), 0);
}

START_TEST(content_manifest_and_index)
{
	struct og_image_record rec = { 0 };
	char cd[OG_DIGEST_MAX], md[OG_DIGEST_MAX], idx[OG_DIGEST_MAX], *m, *index;
	og_error e = { 0 };

	put_blob("{\"config\":{\"User\":\"app\"}}", cd);
	m = manifest_text(cd, "");
	put_blob(m, md);
	/* The target is the manifest. */
	ck_assert_msg(og_content_image_record(graph, cd, md, "localhost/app:1", &rec, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(rec.user, "app");
	ck_assert_uint_eq(rec.nnames, 1);
	og_image_record_free(&rec);
	/* The target is an index: another platform's manifest (not in the
	 * store) is passed over, ours is found by its config. */
	ck_assert_int_ge(asprintf(&index, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
					  "\"manifests\":[{\"digest\":\"" L2 "\",\"size\":1},{\"digest\":\"%s\",\"size\":1}]}", md), 0);
	put_blob(index, idx);
	ck_assert_msg(og_content_image_record(graph, cd, idx, "", &rec, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(rec.manifest_digest, md);
	ck_assert_uint_eq(rec.nnames, 0);
	og_image_record_free(&rec);
	/* Another image's config: no manifest of the index names it. */
	ck_assert_int_eq(og_content_image_record(graph, L1, idx, "", &rec, &e), -1);
	ck_assert_msg(strstr(e.msg, "lists no manifest in the store for config " L1) != NULL, "%s", e.msg);
	og_image_record_free(&rec);
	ck_assert_int_eq(og_content_image_record(graph, L1, md, "", &rec, &e), -1);
	ck_assert_msg(strstr(e.msg, "names config") != NULL, "%s", e.msg);
	og_image_record_free(&rec);
	/* containerd named no target. */
	ck_assert_int_eq(og_content_image_record(graph, cd, "", "", &rec, &e), -1);
	ck_assert_msg(strstr(e.msg, "no image record target") != NULL, "%s", e.msg);
	og_image_record_free(&rec);
	free(index);
	free(m);
}
END_TEST

START_TEST(content_tampered_blob)
{
	struct og_image_record rec = { 0 };
	char cd[OG_DIGEST_MAX], md[OG_DIGEST_MAX], rel[300], *m;
	og_error e = { 0 };

	put_blob("{}", cd);
	m = manifest_text(cd, "");
	put_blob(m, md);
	snprintf(rel, sizeof rel, "%s/%s", OG_CONTENT_BLOBS_DIR, md + 7);
	wfile(rel, "{\"schemaVersion\":2}");
	ck_assert_int_eq(og_content_image_record(graph, cd, md, "", &rec, &e), -1);
	ck_assert_msg(strstr(e.msg, "bytes do not match the recorded digest") != NULL, "%s", e.msg);
	og_image_record_free(&rec);
	free(m);
}
END_TEST

/* ---- the rules ---- */

static struct og_image_policy *policy(const char *json)
{
	json_error_t je;
	json_t *sec = json_loads(json, 0, &je);
	struct og_image_policy *p = NULL;
	og_error e = { 0 };

	ck_assert_ptr_nonnull(sec);
	ck_assert_msg(og_image_policy_parse(sec, "$.image", &p, &e) == 0, "%s", e.msg);
	json_decref(sec);
	return p;
}

static void policy_error(const char *json, const char *want)
{
	json_t *sec = json_loads(json, 0, NULL);
	struct og_image_policy *p = NULL;
	og_error e = { 0 };

	ck_assert_ptr_nonnull(sec);
	ck_assert_int_eq(og_image_policy_parse(sec, "$.image", &p, &e), -1);
	ck_assert_msg(strstr(e.msg, want) != NULL, "want \"%s\" in \"%s\"", want, e.msg);
	json_decref(sec);
}

static void record(struct og_image_record *rec, const char *cfg, const char *annotations)
{
	char *m;
	og_error e = { 0 };

	memset(rec, 0, sizeof *rec);
	m = manifest_text(L1, annotations);
	ck_assert_msg(manifest(m, rec, &e) == 0, "%s", e.msg);
	ck_assert_msg(config(cfg, rec, &e) == 0, "%s", e.msg);
	free(m);
}

/* Run the rules; the findings' rule ids joined by ',' and the first message. */
static void run(const struct og_image_policy *p, const struct og_image_record *rec, int64_t uid, char *rules,
		char *msg)
{
	struct og_image_rules_input in = { .runtime_uid = uid, .now = 1700000000 }; /* 2023-11-14 */
	struct og_findings r = { 0 };
	og_error e = { 0 };

	ck_assert_msg(og_image_rules_check(p, rec, &in, &r, &e) == 0, "%s", e.msg);
	rules[0] = msg[0] = '\0';
	for (size_t i = 0; i < r.n; i++) {
		if (i > 0)
			strcat(rules, ",");
		strcat(rules, r.items[i].rule);
	}
	if (r.n > 0)
		snprintf(msg, 512, "%s", r.items[0].message);
	og_findings_free(&r);
}

START_TEST(rule_max_age)
{
	struct og_image_policy *p = policy("{\"max_age\":{\"max\":\"365d\"}}");
	struct og_image_record rec;
	char rules[256], msg[512];

	record(&rec, "{\"created\":\"2022-01-04T00:00:00Z\"}", "");
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "image.max-age");
	ck_assert_msg(strcmp(msg, "created 2022-01-04, 314 days over max_age 365d") == 0, "%s", msg);
	og_image_record_free(&rec);
	record(&rec, "{\"created\":\"2023-06-01T00:00:00Z\"}", "");
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "");
	og_image_record_free(&rec);
	/* Unknown: allowed by default ... */
	record(&rec, "{\"created\":\"1970-01-01T00:00:00Z\"}", "");
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "");
	og_image_policy_free(p);
	/* ... refused when the policy says so, naming the value. */
	p = policy("{\"max_age\":{\"max\":\"365d\",\"unknown\":\"deny\"}}");
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "image.max-age");
	ck_assert_msg(strstr(msg, "unknown (created \"1970-01-01T00:00:00Z\", a reproducible-build epoch)") != NULL, "%s", msg);
	og_image_record_free(&rec);
	record(&rec, "{}", "");
	run(p, &rec, 1000, rules, msg);
	ck_assert_msg(strstr(msg, "unknown (created absent)") != NULL, "%s", msg);
	og_image_record_free(&rec);
	og_image_policy_free(p);
}
END_TEST

START_TEST(rule_layers_and_size)
{
	struct og_image_policy *p = policy("{\"max_layers\":{\"max\":1},\"max_size\":{\"max\":\"1KiB\"}}");
	struct og_image_record rec;
	char rules[256], msg[512];

	record(&rec, "{}", "");	/* 2 layers, 1024 bytes */
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "image.max-layers");
	ck_assert_str_eq(msg, "2 layers, more than max_layers 1");
	og_image_policy_free(p);
	p = policy("{\"max_layers\":{\"max\":2},\"max_size\":{\"max\":1023}}");
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "image.max-size");
	ck_assert_msg(strstr(msg, "layers add up to 1024 bytes") != NULL && strstr(msg, "max_size 1023 bytes") != NULL, "%s", msg);
	og_image_record_free(&rec);
	og_image_policy_free(p);
}
END_TEST

START_TEST(rule_user)
{
	struct og_image_policy *p = policy("{\"user\":true}");
	struct og_image_record rec;
	char rules[256], msg[512];

	ck_assert(og_image_user_is_root(""));
	ck_assert(og_image_user_is_root("root"));
	ck_assert(og_image_user_is_root("0"));
	ck_assert(og_image_user_is_root("0:0"));
	ck_assert(og_image_user_is_root("root:wheel"));
	ck_assert(!og_image_user_is_root("1000"));
	ck_assert(!og_image_user_is_root("rooty"));
	ck_assert(!og_image_user_is_root("10"));
	record(&rec, "{\"config\":{\"User\":\"root\"}}", "");
	run(p, &rec, 0, rules, msg);
	ck_assert_str_eq(rules, "image.user");
	ck_assert_msg(strstr(msg, "config User \"root\"") != NULL, "%s", msg);
	/* The runtime config overrides it: the process does not run as root. */
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "");
	og_image_record_free(&rec);
	record(&rec, "{\"config\":{\"User\":\"1000\"}}", "");
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "");
	og_image_record_free(&rec);
	og_image_policy_free(p);
}
END_TEST

START_TEST(rule_labels)
{
	struct og_image_policy *p = policy("{\"labels\":{\"required\":[\"org.opencontainers.image.source\",\"team\"]}}");
	struct og_image_record rec;
	char rules[256], msg[512];

	/* A label in the config or an annotation in the manifest will do. */
	record(&rec, "{\"config\":{\"Labels\":{\"team\":\"a\"}}}",
	       ",\"annotations\":{\"org.opencontainers.image.source\":\"https://x\"}");
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "");
	og_image_record_free(&rec);
	record(&rec, "{\"config\":{\"Labels\":{\"team\":\"\"}}}", "");
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "image.labels,image.labels");
	ck_assert_msg(strstr(msg, "required label org.opencontainers.image.source is missing") != NULL, "%s", msg);
	og_image_record_free(&rec);
	og_image_policy_free(p);
}
END_TEST

START_TEST(rule_registries)
{
	struct og_image_policy *p = policy("{\"registries\":{\"allowed\":[\"docker.io/library/*\",\"localhost/team/*\"]}}");
	struct og_image_record rec;
	char rules[256], msg[512];
	og_error e = { 0 };

	record(&rec, "{}", "");
	/* No name at all: nothing vouches for it. */
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "image.registries");
	ck_assert_msg(strstr(msg, "holds no name") != NULL, "%s", msg);
	/* Short names are compared normalised. */
	ck_assert_int_eq(og_image_record_add_name(&rec, "busybox:1", &e), 0);
	ck_assert_int_eq(og_image_record_add_name(&rec, "localhost/team/app:1", &e), 0);
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "");
	/* Every name the engine holds is checked. */
	ck_assert_int_eq(og_image_record_add_name(&rec, "evil.example/team/app:1", &e), 0);
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "image.registries");
	ck_assert_msg(strstr(msg, "name \"evil.example/team/app:1\" is not in an allowed registry") != NULL, "%s", msg);
	og_image_record_free(&rec);
	og_image_policy_free(p);
}
END_TEST

static int bases_answer;
static int fake_bases(const void *ctx, const char *name, const char *digest, og_error *e)
{
	(void)ctx;
	(void)digest;
	if (bases_answer < 0)
		return og_fail(e, "trust store: unreadable");
	return strcmp(name, "debian:12") == 0 ? bases_answer : 0;
}

START_TEST(rule_base)
{
	struct og_image_policy *p = policy("{\"base\":{\"missing\":\"deny\"}}");
	struct og_image_record rec;
	struct og_image_rules_input in = { .runtime_uid = 1000, .now = 1700000000 };
	struct og_findings r = { 0 };
	char rules[256], msg[512];
	og_error e = { 0 };

	record(&rec, "{}", "");
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "image.base");
	ck_assert_msg(strstr(msg, "names no base image") != NULL, "%s", msg);
	og_image_record_free(&rec);
	record(&rec, "{}", ",\"annotations\":{\"org.opencontainers.image.base.name\":\"debian:12\"}");
	/* No trust store to ask: refused, saying so. */
	run(p, &rec, 1000, rules, msg);
	ck_assert_msg(strstr(msg, "no trust store lists allowed bases") != NULL, "%s", msg);
	p->base_allowed = fake_bases;
	bases_answer = 1;
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "");
	bases_answer = 0;
	run(p, &rec, 1000, rules, msg);
	ck_assert_msg(strstr(msg, "base \"debian:12\" is not an allowed base") != NULL, "%s", msg);
	/* The store cannot be read: an operational error, not a pass. */
	bases_answer = -1;
	ck_assert_int_eq(og_image_rules_check(p, &rec, &in, &r, &e), -1);
	ck_assert_msg(strstr(e.msg, "image.base: trust store: unreadable") != NULL, "%s", e.msg);
	og_findings_free(&r);
	og_image_record_free(&rec);
	og_image_policy_free(p);
	/* A missing annotation may be allowed. */
	p = policy("{\"base\":{\"missing\":\"allow\"}}");
	record(&rec, "{}", "");
	run(p, &rec, 1000, rules, msg);
	ck_assert_str_eq(rules, "");
	og_image_record_free(&rec);
	og_image_policy_free(p);
}
END_TEST

START_TEST(policy_errors_and_modes)
{
	struct og_image_policy *p;
	enum og_rule_mode m = OG_MODE_ENFORCE;

	policy_error("{\"registries\":true}", "$.image.registries: needs its parameters");
	policy_error("{\"registries\":{\"allowed\":[]}}", "$.image.registries.allowed: 1 to 64 entries");
	policy_error("{\"max_age\":{\"max\":\"ten days\"}}", "$.image.max_age.max");
	policy_error("{\"max_age\":{\"max\":\"10d\",\"unknown\":\"maybe\"}}", "unknown: \"maybe\" is not allow or deny");
	policy_error("{\"max_size\":{\"max\":\"2 parsecs\"}}", "unknown unit");
	policy_error("{\"max_size\":{\"max\":\"99999999999999999999GiB\"}}", "out of range");
	policy_error("{\"max_layers\":{\"max\":0}}", "max_layers");
	policy_error("{\"user\":{\"mode\":\"sometimes\"}}", "mode: \"sometimes\" is not enforce, audit or off");
	policy_error("{\"labels\":{\"required\":[\"a\"],\"extra\":1}}", "extra");
	p = policy("{\"user\":{\"mode\":\"audit\"},\"labels\":false}");
	ck_assert_int_eq(p->configured, 1);
	ck_assert_int_eq(og_image_policy_rule_mode(p, "image.user", &m), 1);
	ck_assert_int_eq(m, OG_MODE_AUDIT);
	ck_assert_int_eq(og_image_policy_rule_mode(p, "image.labels", &m), 1);
	ck_assert_int_eq(m, OG_MODE_OFF);
	ck_assert_int_eq(og_image_policy_rule_mode(p, "runtime.user", &m), 0);
	og_image_policy_free(p);
	p = policy("{\"labels\":false}");
	ck_assert_int_eq(p->configured, 0);
	og_image_policy_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("image");
	TCase *t = tcase_create("records");
	TCase *st = tcase_create("storage");
	TCase *rt = tcase_create("rules");
	TCase *ct = tcase_create("content");

	tcase_add_test(t, manifest_good);
	tcase_add_test(t, manifest_digest_mismatch);
	tcase_add_test(t, manifest_bad_input);
	tcase_add_test(t, config_fields);
	tcase_add_test(t, config_epochs_unknown);
	tcase_add_test(t, config_bad_input);
	tcase_add_test(t, big_data_names);
	tcase_add_checked_fixture(st, graph_setup, graph_teardown);
	tcase_add_test(st, storage_record);
	tcase_add_test(st, storage_tampered_manifest);
	tcase_add_test(st, storage_tampered_config);
	tcase_add_test(st, storage_symlink_refused);
	tcase_add_test(st, storage_bad_records);
	tcase_add_test(ct, content_manifest_and_index);
	tcase_add_test(ct, content_tampered_blob);
	tcase_add_checked_fixture(ct, content_setup, graph_teardown);
	suite_add_tcase(s, ct);
	tcase_add_test(rt, rule_max_age);
	tcase_add_test(rt, rule_layers_and_size);
	tcase_add_test(rt, rule_user);
	tcase_add_test(rt, rule_labels);
	tcase_add_test(rt, rule_registries);
	tcase_add_test(rt, rule_base);
	tcase_add_test(rt, policy_errors_and_modes);
	suite_add_tcase(s, t);
	suite_add_tcase(s, st);
	suite_add_tcase(s, rt);
	return tu_run(s);
}
