/* cosign's registry layout as skopeo's dir: copies hold it
 * (hook/delivery/sig_fetch.c), built here from the real signatures of
 * ../shared/fixtures/cosign (A01 keyed, A05 keyless), and the child runner
 * the registry client starts skopeo with (hook/delivery/child.c). */
#include "testutil.h"
#include "hook/base/fileio.h"
#include "hook/base/strfmt.h"
#include "hook/delivery/child.h"
#include "hook/delivery/sig_fetch.h"
#include "verify/common/base64.h"
#include "verify/common/digest.h"
#include "verify/sig/cosign.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define A01 "A01-ci-cosign-valid-p256"
#define A05 "A05-ci-cosign-fulcio-rekor-valid-CERT"

static char dir[PATH_MAX];

static void fresh_dir(void)
{
	char cmd[PATH_MAX + 16];

	if (dir[0] != '\0') {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		ck_assert_int_eq(system(cmd), 0);
	}
	snprintf(dir, sizeof dir, "/tmp/ocigate-unit-sigdir.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void put(const char *name, const void *data, size_t len)
{
	char path[PATH_MAX + 80];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* A fixture's containers/image signature file: payload and annotations. */
static json_t *sigfile(const char *fixture, og_buf *payload)
{
	char path[PATH_MAX];
	og_buf raw = { 0 };
	og_error e = { 0 };
	json_t *doc;
	const char *b64, *start;
	unsigned char *p;

	og_bfmt(path, sizeof path, "%s/cosign/%s/original-signature-file.bin", tu_shared_fixtures(), fixture);
	ck_assert_msg(og_read_file(path, 1 << 20, &raw, &e) == 0, "%s", e.msg);
	start = memchr(raw.data, '{', raw.len);
	ck_assert_ptr_nonnull(start);
	doc = json_loadb(start, raw.len - (size_t)(start - raw.data), 0, NULL);
	ck_assert_ptr_nonnull(doc);
	b64 = json_string_value(json_object_get(doc, "payload"));
	ck_assert_int_eq(og_base64_decode(b64, strlen(b64), OG_B64_STRICT, "payload", &p, &payload->len, &e), 0);
	payload->data = (char *)p;
	og_buf_free(&raw);
	return doc;
}

/* A layer for payload (its blob written) with the annotations given. */
static json_t *layer(const og_buf *payload, json_t *ann, const char *media)
{
	char hex[65], digest[OG_DIGEST_MAX];

	og_sha256_hex(payload->data, payload->len, hex);
	snprintf(digest, sizeof digest, "sha256:%s", hex);
	put(hex, payload->data, payload->len);
	return json_pack("{s:s,s:I,s:s,s:O}", "mediaType", media ? media : OG_COSIGN_SIG_LAYER, "size",
			 (json_int_t)payload->len, "digest", digest, "annotations", ann);
}

static void write_manifest(json_t *layers)
{
	json_t *m = json_pack("{s:i,s:s,s:{s:s,s:i,s:s},s:o}", "schemaVersion", 2, "mediaType",
			      "application/vnd.oci.image.manifest.v1+json", "config", "mediaType",
			      "application/vnd.oci.image.config.v1+json", "size", 2, "digest",
			      "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "layers", layers);
	char *text = json_dumps(m, JSON_COMPACT);

	put("manifest.json", text, strlen(text));
	free(text);
	json_decref(m);
}

static int read_dir(struct og_sig_entry **v, size_t *n, og_error *e)
{
	return og_sig_dir_read(dir, v, n, e);
}

#define NEED_FIXTURES()                                                                         \
	do {                                                                                    \
		if (!tu_have_shared_fixtures()) {                                               \
			printf("SKIP %s: shared fixtures not found at %s\n", __func__, tu_shared_fixtures()); \
			return;                                                                 \
		}                                                                               \
	} while (0)

START_TEST(keyed_and_keyless_layers)
{
	og_buf p1 = { 0 }, p5 = { 0 };
	json_t *s1, *s5, *a1, *a5, *layers;
	struct og_sig_entry *v = NULL;
	size_t n = 0;
	og_error e = { 0 };
	unsigned char *sig;
	size_t slen;
	const char *b64;

	NEED_FIXTURES();
	fresh_dir();
	s1 = sigfile(A01, &p1);
	s5 = sigfile(A05, &p5);
	a1 = json_object_get(s1, "annotations");
	a5 = json_object_get(s5, "annotations");
	layers = json_pack("[o,o]", layer(&p1, a1, NULL), layer(&p5, a5, NULL));
	write_manifest(layers);
	ck_assert_msg(read_dir(&v, &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n, 2);
	/* payloads byte-exact, the repository hint from the payload */
	ck_assert_uint_eq(v[0].payload.len, p1.len);
	ck_assert_mem_eq(v[0].payload.data, p1.data, p1.len);
	ck_assert_str_eq(v[0].repository, "192.168.64.2:5000/cosign-signed-single-sample");
	/* the signature decoded from its annotation */
	b64 = json_string_value(json_object_get(a1, OG_COSIGN_ANN_SIGNATURE));
	ck_assert_int_eq(og_base64_decode(b64, strlen(b64), OG_B64_STRICT, "s", &sig, &slen, &e), 0);
	ck_assert_uint_eq(v[0].signature.len, slen);
	ck_assert_mem_eq(v[0].signature.data, sig, slen);
	free(sig);
	ck_assert_ptr_null(v[0].certificate.data);
	/* keyless annotations kept byte for byte */
	ck_assert_str_eq(v[1].certificate.data, json_string_value(json_object_get(a5, OG_COSIGN_ANN_CERTIFICATE)));
	ck_assert_str_eq(v[1].chain.data, json_string_value(json_object_get(a5, OG_COSIGN_ANN_CHAIN)));
	ck_assert_str_eq(v[1].rekor_bundle.data, json_string_value(json_object_get(a5, OG_COSIGN_ANN_BUNDLE)));
	ck_assert_ptr_null(v[1].rfc3161_timestamp.data);
	og_sig_entries_free(v, n);
	json_decref(s1);
	json_decref(s5);
	og_buf_free(&p1);
	og_buf_free(&p5);
}
END_TEST

/* One changed thing per case, each refused with its reason. */
static void expect_refused(json_t *layers, const char *why)
{
	struct og_sig_entry *v = NULL;
	size_t n = 0;
	og_error e = { 0 };

	write_manifest(layers);
	ck_assert_int_eq(read_dir(&v, &n, &e), -1);
	ck_assert_msg(strstr(e.msg, why) != NULL, "expected \"%s\" in: %s", why, e.msg);
	ck_assert_ptr_null(v);
}

START_TEST(refused_layers)
{
	og_buf p1 = { 0 };
	json_t *s1, *a1, *bad, *l;
	char hex[65];

	NEED_FIXTURES();
	fresh_dir();
	s1 = sigfile(A01, &p1);
	a1 = json_object_get(s1, "annotations");
	og_sha256_hex(p1.data, p1.len, hex);
	/* an unknown layer media type, after a good layer */
	expect_refused(json_pack("[o,o]", layer(&p1, a1, NULL), layer(&p1, a1, "application/vnd.example+json")),
		       "layers[1]: media type \"application/vnd.example+json\" is not a cosign simple-signing");
	/* no signature annotation */
	bad = json_object();
	expect_refused(json_pack("[o]", layer(&p1, bad, NULL)), OG_COSIGN_ANN_SIGNATURE);
	json_decref(bad);
	/* a signature that is not canonical base64 */
	bad = json_pack("{s:s}", OG_COSIGN_ANN_SIGNATURE, "not base64!");
	expect_refused(json_pack("[o]", layer(&p1, bad, NULL)), OG_COSIGN_ANN_SIGNATURE);
	json_decref(bad);
	/* a chain without a certificate */
	bad = json_deep_copy(a1);
	json_object_set_new(bad, OG_COSIGN_ANN_CHAIN, json_string("-----BEGIN CERTIFICATE-----\n"));
	expect_refused(json_pack("[o]", layer(&p1, bad, NULL)), "without a certificate");
	json_decref(bad);
	/* a declared size that is not the blob's */
	l = layer(&p1, a1, NULL);
	json_object_set_new(l, "size", json_integer((json_int_t)p1.len - 1));
	expect_refused(json_pack("[o]", l), "do not match the manifest's digest and size");
	/* a blob whose bytes changed */
	l = layer(&p1, a1, NULL);
	put(hex, "{}", 2);
	expect_refused(json_pack("[o]", l), "do not match");
	/* a payload larger than cosign's limit, declared */
	l = layer(&p1, a1, NULL);
	json_object_set_new(l, "size", json_integer(OG_MAX_COSIGN_PAYLOAD_BYTES + 1));
	expect_refused(json_pack("[o]", l), "more than the limit");
	/* a blob that is a symbolic link */
	l = layer(&p1, a1, NULL);
	{
		char path[PATH_MAX + 80];

		snprintf(path, sizeof path, "%s/%s", dir, hex);
		unlink(path);
		ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	}
	expect_refused(json_pack("[o]", l), "blob sha256:");
	/* more layers than an image's signatures are read */
	fresh_dir();
	l = json_array();
	for (int i = 0; i <= OG_SIG_FETCH_MAX_LAYERS; i++)
		json_array_append_new(l, layer(&p1, a1, NULL));
	expect_refused(l, "signature layers, more than");
	json_decref(s1);
	og_buf_free(&p1);
}
END_TEST

START_TEST(manifest_shapes)
{
	struct og_sig_layer *v = NULL;
	size_t n = 9;
	og_error e = { 0 };
	static const char idx[] = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
				  "\"manifests\":[]}";
	static const char empty[] = "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}";
	static const char dup[] = "{\"schemaVersion\":2,\"layers\":[],\"layers\":[]}";

	ck_assert_int_eq(og_sig_manifest_parse(idx, strlen(idx), &v, &n, &e), -1);
	ck_assert_msg(strstr(e.msg, "not an image manifest") != NULL, "%s", e.msg);
	og_error_clear(&e);
	ck_assert_int_eq(og_sig_manifest_parse(empty, strlen(empty), &v, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(og_sig_manifest_parse(dup, strlen(dup), &v, &n, &e), -1);
	ck_assert_int_eq(og_sig_manifest_parse("[]", 2, &v, &n, &e), -1);
}
END_TEST

START_TEST(referrers_index)
{
	char d[OG_SIG_FETCH_MAX_REFERRERS][OG_DIGEST_MAX];
	size_t n = 0;
	og_error e = { 0 };
	json_t *idx = json_pack(
		"{s:i,s:s,s:[{s:s,s:s,s:i,s:s},{s:s,s:s,s:i,s:s},{s:s,s:s,s:i}]}", "schemaVersion", 2, "mediaType",
		"application/vnd.oci.image.index.v1+json", "manifests", "mediaType",
		"application/vnd.oci.image.manifest.v1+json", "digest",
		"sha256:1111111111111111111111111111111111111111111111111111111111111111", "size", 10, "artifactType",
		"application/vnd.dev.sigstore.bundle.v0.3+json", "mediaType", "application/vnd.oci.image.manifest.v1+json",
		"digest", "sha256:2222222222222222222222222222222222222222222222222222222222222222", "size", 10,
		"artifactType", "application/spdx+json", "mediaType", "application/vnd.oci.image.manifest.v1+json", "digest",
		"sha256:3333333333333333333333333333333333333333333333333333333333333333", "size", 10);
	char *text = json_dumps(idx, JSON_COMPACT);

	ck_assert_msg(og_referrers_parse(text, strlen(text), d, OG_SIG_FETCH_MAX_REFERRERS, &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n, 1);	/* the SBOM and the untyped manifest are not bundles */
	ck_assert_str_eq(d[0], "sha256:1111111111111111111111111111111111111111111111111111111111111111");
	ck_assert_int_eq(og_referrers_parse(text, strlen(text), d, 0, &n, &e), -1);
	ck_assert_msg(strstr(e.msg, "more than 0 Sigstore bundles") != NULL, "%s", e.msg);
	free(text);
	json_decref(idx);
}
END_TEST

START_TEST(bundle_referrer_dir)
{
	char path[PATH_MAX], hex[65], digest[OG_DIGEST_MAX];
	og_buf b = { 0 }, got = { 0 };
	og_error e = { 0 };
	json_t *m;
	char *text;

	NEED_FIXTURES();
	fresh_dir();
	og_bfmt(path, sizeof path, "%s/cosign/B02-conf-bundle-v0.3-msgsig-publickey/bundle.json", tu_shared_fixtures());
	ck_assert_int_eq(og_read_file(path, 1 << 20, &b, &e), 0);
	og_sha256_hex(b.data, b.len, hex);
	snprintf(digest, sizeof digest, "sha256:%s", hex);
	put(hex, b.data, b.len);
	m = json_pack("{s:i,s:s,s:s,s:{s:s,s:i,s:s},s:[{s:s,s:I,s:s}]}", "schemaVersion", 2, "mediaType",
		      "application/vnd.oci.image.manifest.v1+json", "artifactType",
		      "application/vnd.dev.sigstore.bundle.v0.3+json", "config", "mediaType",
		      "application/vnd.oci.empty.v1+json", "size", 2, "digest",
		      "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "layers", "mediaType",
		      "application/vnd.dev.sigstore.bundle.v0.3+json", "size", (json_int_t)b.len, "digest", digest);
	text = json_dumps(m, JSON_COMPACT);
	put("manifest.json", text, strlen(text));
	ck_assert_msg(og_sig_bundle_dir_read(dir, &got, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(got.len, b.len);
	ck_assert_mem_eq(got.data, b.data, b.len);
	og_buf_free(&got);
	/* the bundle's bytes changed */
	put(hex, "{}", 2);
	ck_assert_int_eq(og_sig_bundle_dir_read(dir, &got, &e), -1);
	ck_assert_msg(strstr(e.msg, "do not match") != NULL, "%s", e.msg);
	free(text);
	json_decref(m);
	og_buf_free(&b);
}
END_TEST

/* ---------------------------------------------------------------- child runner */

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(child_output_and_status)
{
	char *echo[] = { "/bin/echo", "-n", "hello", NULL };
	char *ls[] = { "/bin/ls", "/nonexistent-ocigate-path", NULL };
	struct og_child_result r;
	char line[200];
	og_error e = { 0 };

	ck_assert_msg(og_child_run(echo, 100, 5000, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out.data, "hello");
	og_buf_free(&r.out);
	ck_assert_msg(og_child_run(ls, 100, 5000, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_ne(r.status, 0);
	og_child_last_line(&r, line, sizeof line);
	ck_assert_msg(strstr(line, "nonexistent-ocigate-path") != NULL, "%s", line);
	og_buf_free(&r.out);
	/* more output than allowed */
	ck_assert_int_eq(og_child_run(echo, 3, 5000, &r, &e), -1);
	ck_assert_msg(strstr(e.msg, "larger than the limit of 3 bytes") != NULL, "%s", e.msg);
	/* not an absolute path: never searched in PATH */
	echo[0] = "echo";
	ck_assert_int_eq(og_child_run(echo, 100, 5000, &r, &e), -1);
}
END_TEST

START_TEST(child_deadline_kills_the_group)
{
	char *sleep_[] = { "/bin/sleep", "30", NULL };
	struct og_child_result r;
	og_error e = { 0 };
	long t0 = ms_now();

	ck_assert_int_eq(og_child_run(sleep_, 100, 300, &r, &e), -1);
	ck_assert_int_eq(e.errnum, ETIMEDOUT);
	ck_assert_msg(strstr(e.msg, "no answer within 300 ms") != NULL, "%s", e.msg);
	ck_assert_int_lt(ms_now() - t0, 3000);
	/* reaped: no child left */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

/* What the registry client refuses before it starts skopeo. */
START_TEST(registry_refusals)
{
	struct og_registry_opts o = { .tls_verify = 1, .skopeo = "/nonexistent/ocigate-skopeo" };
	og_buf raw = { 0 };
	char d[OG_DIGEST_MAX];
	og_error e = { 0 };

	ck_assert_int_eq(og_registry_manifest(&o, "--help", &raw, d, &e), -1);
	ck_assert_msg(strstr(e.msg, "not an image reference") != NULL, "%s", e.msg);
	ck_assert_int_eq(og_registry_manifest(&o, "docker://x/y:1", &raw, d, &e), -1);
	ck_assert_msg(strstr(e.msg, "not an image reference") != NULL, "%s", e.msg);
	ck_assert_int_eq(og_registry_manifest(&o, "registry.example/app:1", &raw, d, &e), -1);
	ck_assert_msg(strstr(e.msg, "cannot run /nonexistent/ocigate-skopeo") != NULL, "%s", e.msg);
	fresh_dir();
	put("leftover", "x", 1);
	ck_assert_int_eq(og_registry_pull_dir(&o, "registry.example/app:1", dir, &e), -1);
	ck_assert_msg(strstr(e.msg, "not an empty directory") != NULL, "%s", e.msg);
	ck_assert_int_eq(og_registry_pull_dir(&o, "registry.example/app:1", "relative/dir", &e), -1);
	ck_assert_msg(strstr(e.msg, "absolute path") != NULL, "%s", e.msg);
	ck_assert_int_eq(og_registry_push_oci(&o, dir, "-x", "registry.example/app:1", &e), -1);
	ck_assert_msg(strstr(e.msg, "not a tag") != NULL, "%s", e.msg);
	ck_assert_int_eq(og_registry_push_oci(&o, "/tmp/a:b", "t", "registry.example/app:1", &e), -1);
	ck_assert_msg(strstr(e.msg, "without ':'") != NULL, "%s", e.msg);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sig_fetch");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, keyed_and_keyless_layers);
	tcase_add_test(tc, refused_layers);
	tcase_add_test(tc, manifest_shapes);
	tcase_add_test(tc, referrers_index);
	tcase_add_test(tc, bundle_referrer_dir);
	tcase_add_test(tc, child_output_and_status);
	tcase_add_test(tc, child_deadline_kills_the_group);
	tcase_add_test(tc, registry_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int rc = tu_run(suite());
	char cmd[PATH_MAX + 16];

	if (dir[0] != '\0') {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return rc;
}
