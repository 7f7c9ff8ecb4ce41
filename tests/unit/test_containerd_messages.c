/* containerd API messages (encode/decode) with hand-built protobuf bytes,
 * the CRI metadata extension and the bundle-path namespace parser. */
#include "testutil.h"
#include "verify/identity/containerd_client.h"
#include "verify/identity/containerd_messages.h"
#include "verify/identity/protobuf.h"
#include "verify/common/digest.h"
#include "verify/identity/containerd_bundle.h"

#define D1 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D2 "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define CRI_JSON "{\"Version\":\"v1\",\"Metadata\":{\"ID\":\"c1\",\"Name\":\"x\",\"ImageRef\":\"" D1 "\"}}"

struct msg {
	uint8_t b[4096];
	size_t n;
};

/* Any{type_url=1, value=2} */
static void any(struct msg *out, const char *type_url, const char *value)
{
	struct og_pb_writer w;

	og_pb_writer_init(&w, out->b, sizeof out->b);
	og_pb_put_string(&w, 1, type_url);
	og_pb_put_string(&w, 2, value);
	ck_assert(!w.overflow);
	out->n = w.len;
}

/* map<string, Any> entry {key=1, value=2} */
static void ext_entry(struct msg *out, const char *key, const char *json)
{
	struct msg a;
	struct og_pb_writer w;

	any(&a, "github.com/containerd/cri/pkg/store/container/Metadata", json);
	og_pb_writer_init(&w, out->b, sizeof out->b);
	og_pb_put_string(&w, 1, key);
	og_pb_put_bytes(&w, 2, a.b, a.n);
	ck_assert(!w.overflow);
	out->n = w.len;
}

/* GetContainerResponse{container=1 Container{id=1, labels=2, image=3, spec=5, extensions=10...}} */
static void container_response(struct msg *out, const char *id, const char *image, const struct msg *ext1,
			       const struct msg *ext2)
{
	struct msg c, label, spec;
	struct og_pb_writer w;

	og_pb_writer_init(&w, label.b, sizeof label.b);
	og_pb_put_string(&w, 1, "io.cri-containerd.kind");
	og_pb_put_string(&w, 2, "container");
	label.n = w.len;
	any(&spec, "types.containerd.io/opencontainers/runtime-spec/1/Spec", "{\"ociVersion\":\"1.0.2\"}");

	og_pb_writer_init(&w, c.b, sizeof c.b);
	if (id != NULL)
		og_pb_put_string(&w, 1, id);
	og_pb_put_bytes(&w, 2, label.b, label.n);
	if (image != NULL)
		og_pb_put_string(&w, 3, image);
	og_pb_put_bytes(&w, 5, spec.b, spec.n);
	og_pb_put_string(&w, 6, "overlayfs");
	if (ext1 != NULL)
		og_pb_put_bytes(&w, 10, ext1->b, ext1->n);
	if (ext2 != NULL)
		og_pb_put_bytes(&w, 10, ext2->b, ext2->n);
	og_pb_put_string(&w, 11, "");
	ck_assert(!w.overflow);
	c.n = w.len;
	og_pb_writer_init(&w, out->b, sizeof out->b);
	og_pb_put_bytes(&w, 1, c.b, c.n);
	ck_assert(!w.overflow);
	out->n = w.len;
}

START_TEST(identifiers)
{
	ck_assert(og_containerd_valid_identifier("k8s.io"));
	ck_assert(og_containerd_valid_identifier("default"));
	ck_assert(og_containerd_valid_identifier("a-b_c.d9"));
	ck_assert(!og_containerd_valid_identifier(""));
	ck_assert(!og_containerd_valid_identifier("-a"));
	ck_assert(!og_containerd_valid_identifier("a-"));
	ck_assert(!og_containerd_valid_identifier("a..b"));
	ck_assert(!og_containerd_valid_identifier("a/b"));
	ck_assert(!og_containerd_valid_identifier(".."));
	ck_assert(!og_containerd_valid_identifier("a\nb"));
	ck_assert(og_containerd_valid_identifier(
		"a234567890123456789012345678901234567890123456789012345678901234567890123456"));
	ck_assert(!og_containerd_valid_identifier(
		"a2345678901234567890123456789012345678901234567890123456789012345678901234567"));
	ck_assert(og_digest_valid(D1));
	ck_assert(!og_digest_valid("sha256:0123"));
	ck_assert(!og_digest_valid(
		"sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
	ck_assert(!og_digest_valid(
		"sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
}
END_TEST

START_TEST(encode_requests)
{
	uint8_t buf[64];
	size_t n;
	og_error e = { 0 };
	static const uint8_t want[] = { 0x0a, 0x02, 'c', '1' };

	ck_assert_int_eq(og_containerd_encode_get_container("c1", buf, sizeof buf, &n, &e), 0);
	ck_assert_uint_eq(n, sizeof want);
	ck_assert_mem_eq(buf, want, n);
	ck_assert_int_eq(og_containerd_encode_get_image("docker.io/library/busybox:1", buf, sizeof buf, &n,
							&e), 0);
	ck_assert_uint_eq(n, 2 + 27);
	ck_assert_int_eq(og_containerd_encode_get_image("x", buf, 2, &n, &e), -1);
}
END_TEST

START_TEST(decode_container_with_cri_extension)
{
	struct msg other, cri, resp;
	struct og_containerd_container ct;
	char digest[OG_DIGEST_MAX];
	og_error e = { 0 };

	ext_entry(&other, "some.other.extension", "{}");
	ext_entry(&cri, OG_CONTAINERD_CRI_EXTENSION, CRI_JSON);
	container_response(&resp, "c1", "docker.io/library/busybox:1", &other, &cri);
	ck_assert_int_eq(og_containerd_decode_get_container(resp.b, resp.n, &ct, &e), 0);
	ck_assert_str_eq(ct.id, "c1");
	ck_assert_str_eq(ct.image, "docker.io/library/busybox:1");
	ck_assert_ptr_nonnull(ct.cri_metadata);
	ck_assert_uint_eq(ct.cri_metadata_len, strlen(CRI_JSON));
	ck_assert_int_eq(og_containerd_cri_image_ref(ct.cri_metadata, ct.cri_metadata_len, "c1", digest, &e), 0);
	ck_assert_str_eq(digest, D1);
}
END_TEST

START_TEST(decode_container_without_extension)
{
	struct msg other, resp;
	struct og_containerd_container ct;
	og_error e = { 0 };

	ext_entry(&other, "io.cri-containerd.container.metadata.x", CRI_JSON);	/* near miss */
	container_response(&resp, "plain", "localhost/bb:1", &other, NULL);
	ck_assert_int_eq(og_containerd_decode_get_container(resp.b, resp.n, &ct, &e), 0);
	ck_assert_str_eq(ct.id, "plain");
	ck_assert_str_eq(ct.image, "localhost/bb:1");
	ck_assert_ptr_null(ct.cri_metadata);
}
END_TEST

START_TEST(decode_container_rejects)
{
	struct msg cri, resp;
	struct og_containerd_container ct;
	og_error e = { 0 };

	/* The CRI extension twice: ambiguous. */
	ext_entry(&cri, OG_CONTAINERD_CRI_EXTENSION, CRI_JSON);
	container_response(&resp, "c1", "img", &cri, &cri);
	ck_assert_int_eq(og_containerd_decode_get_container(resp.b, resp.n, &ct, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "twice"));
	/* No id. */
	container_response(&resp, NULL, "img", NULL, NULL);
	ck_assert_int_eq(og_containerd_decode_get_container(resp.b, resp.n, &ct, &e), -1);
	/* An image name with a control character. */
	container_response(&resp, "c1", "img\x01", NULL, NULL);
	ck_assert_int_eq(og_containerd_decode_get_container(resp.b, resp.n, &ct, &e), -1);
	/* Every truncation of a valid response fails or yields no container. */
	container_response(&resp, "c1", "img", &cri, NULL);
	for (size_t n = 0; n < resp.n; n++) {
		og_error_clear(&e);
		ck_assert_msg(og_containerd_decode_get_container(resp.b, n, &ct, &e) == -1,
			      "truncated to %zu accepted", n);
	}
	/* Empty message: no container. */
	ck_assert_int_eq(og_containerd_decode_get_container(resp.b, 0, &ct, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "no container"));
}
END_TEST

START_TEST(decode_container_long_id)
{
	char id[200];
	struct msg resp;
	struct og_containerd_container ct;
	og_error e = { 0 };

	memset(id, 'a', sizeof id - 1);
	id[sizeof id - 1] = '\0';
	container_response(&resp, id, "img", NULL, NULL);
	ck_assert_int_eq(og_containerd_decode_get_container(resp.b, resp.n, &ct, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "Container.id"));
}
END_TEST

static void image_response(struct msg *out, const char *name, const char *media, const char *digest)
{
	struct msg desc, img;
	struct og_pb_writer w;

	og_pb_writer_init(&w, desc.b, sizeof desc.b);
	og_pb_put_string(&w, 1, media);
	og_pb_put_string(&w, 2, digest);
	og_pb_put_uint(&w, 3, 528);
	desc.n = w.len;
	og_pb_writer_init(&w, img.b, sizeof img.b);
	og_pb_put_string(&w, 1, name);
	og_pb_put_bytes(&w, 3, desc.b, desc.n);
	og_pb_put_bytes(&w, 7, "\x08\x01", 2);	/* created_at Timestamp, skipped */
	img.n = w.len;
	og_pb_writer_init(&w, out->b, sizeof out->b);
	og_pb_put_bytes(&w, 1, img.b, img.n);
	ck_assert(!w.overflow);
	out->n = w.len;
}

START_TEST(decode_image)
{
	struct msg resp;
	char name[OG_REF_MAX], digest[OG_DIGEST_MAX];
	og_error e = { 0 };

	image_response(&resp, "localhost/bb:1", "application/vnd.oci.image.manifest.v1+json", D2);
	ck_assert_int_eq(og_containerd_decode_get_image(resp.b, resp.n, name, digest, &e), 0);
	ck_assert_str_eq(name, "localhost/bb:1");
	ck_assert_str_eq(digest, D2);
	image_response(&resp, "x", "application/vnd.docker.distribution.manifest.list.v2+json", D2);
	ck_assert_int_eq(og_containerd_decode_get_image(resp.b, resp.n, name, digest, &e), 0);

	image_response(&resp, "x", "application/vnd.oci.image.config.v1+json", D2);
	ck_assert_int_eq(og_containerd_decode_get_image(resp.b, resp.n, name, digest, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "media type"));
	image_response(&resp, "x", "application/vnd.oci.image.manifest.v1+json", "sha256:../../etc");
	ck_assert_int_eq(og_containerd_decode_get_image(resp.b, resp.n, name, digest, &e), -1);
	ck_assert_str_eq(digest, "");
	ck_assert_int_eq(og_containerd_decode_get_image(resp.b, 0, name, digest, &e), -1);
}
END_TEST

/* ListImagesResponse: repeated field 1, each an Image as in GetImageResponse. */
START_TEST(decode_list_images)
{
	struct msg a, b, list;
	struct og_containerd_image_ref *v = NULL;
	size_t n = 9;
	og_error e = { 0 };

	image_response(&a, "127.0.0.1:5000/app:1", "application/vnd.oci.image.manifest.v1+json", D1);
	image_response(&b, "localhost/bb:1", "application/vnd.oci.image.index.v1+json", D2);
	memcpy(list.b, a.b, a.n);
	memcpy(list.b + a.n, b.b, b.n);
	list.n = a.n + b.n;
	ck_assert_msg(og_containerd_decode_list_images(list.b, list.n, &v, &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].name, "127.0.0.1:5000/app:1");
	ck_assert_str_eq(v[0].digest, D1);
	ck_assert_str_eq(v[1].name, "localhost/bb:1");
	ck_assert_str_eq(v[1].digest, D2);
	free(v);
	/* no images */
	ck_assert_int_eq(og_containerd_decode_list_images(list.b, 0, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v);
	/* one bad image spoils the list */
	image_response(&b, "x", "application/vnd.oci.image.config.v1+json", D2);
	memcpy(list.b + a.n, b.b, b.n);
	list.n = a.n + b.n;
	ck_assert_int_eq(og_containerd_decode_list_images(list.b, list.n, &v, &n, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "ListImagesResponse"));
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(cri_metadata)
{
	char d[OG_DIGEST_MAX];
	og_error e = { 0 };
	const char *bad[] = {
		"",
		"{\"Version\":\"v2\",\"Metadata\":{\"ImageRef\":\"" D1 "\"}}",
		"{\"Version\":\"v1\"}",
		"{\"Version\":\"v1\",\"Metadata\":{}}",
		"{\"Version\":\"v1\",\"Metadata\":{\"ImageRef\":\"busybox:latest\"}}",
		"{\"Version\":\"v1\",\"Metadata\":{\"ImageRef\":\"" D1 "\",\"ImageRef\":\"" D2 "\"}}",
		"{\"Version\":\"v1\",\"Metadata\":{\"ID\":\"other\",\"ImageRef\":\"" D1 "\"}}",
		"{\"Version\":\"v1\",\"Metadata\":{\"ImageRef\":\"" D1 "\"}} trailing",
	};

	ck_assert_int_eq(og_containerd_cri_image_ref((const uint8_t *)CRI_JSON, strlen(CRI_JSON), "c1", d, &e), 0);
	ck_assert_str_eq(d, D1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		og_error_clear(&e);
		ck_assert_msg(og_containerd_cri_image_ref((const uint8_t *)bad[i], strlen(bad[i]), "c1", d,
							  &e) == -1, "case %zu accepted", i);
	}
}
END_TEST

START_TEST(namespace_from_bundle)
{
	char ns[80];
	og_error e = { 0 };
	const char *bad[] = {
		"",
		"relative/io.containerd.runtime.v2.task/k8s.io/abc",
		"/run/containerd/io.containerd.runtime.v2.task/abc",
		"/run/containerd/io.containerd.runtime.v2.task/../abc",
		"/run/containerd/io.containerd.runtime.v2.task/k8s.io/../abc",
		"/run/containerd/io.containerd.runtime.v2.task//abc",
		"/run/containerd/other/k8s.io/abc",
		"/var/lib/containers/storage/overlay-containers/abc/userdata",
		"/run/containerd/io.containerd.runtime.v2.task/bad ns/abc",
		"/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs",
	};

	ck_assert_int_eq(og_containerd_namespace_from_bundle(
				 "/run/containerd/io.containerd.runtime.v2.task/k8s.io/0123abcd", ns, sizeof ns, &e), 0);
	ck_assert_str_eq(ns, "k8s.io");
	ck_assert_int_eq(og_containerd_namespace_from_bundle(
				 "/tmp/x/state/io.containerd.runtime.v2.task/default/og-test/", ns, sizeof ns, &e), 0);
	ck_assert_str_eq(ns, "default");
	ck_assert_int_eq(og_containerd_namespace_from_bundle(
				 "/run/containerd/io.containerd.runtime.v1.linux/moby/abc", ns, sizeof ns, &e), 0);
	ck_assert_str_eq(ns, "moby");
	ck_assert_int_eq(og_containerd_namespace_from_bundle(
				 "/io.containerd.runtime.v2.task/k8s.io/abc", ns, sizeof ns, &e), 0);
	ck_assert_int_eq(og_containerd_namespace_from_bundle(
				 "/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc", ns, 6, &e), -1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		og_error_clear(&e);
		ck_assert_msg(og_containerd_namespace_from_bundle(bad[i], ns, sizeof ns, &e) == -1,
			      "accepted %s", bad[i]);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("containerd_messages");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, identifiers);
	tcase_add_test(tc, encode_requests);
	tcase_add_test(tc, decode_container_with_cri_extension);
	tcase_add_test(tc, decode_container_without_extension);
	tcase_add_test(tc, decode_container_rejects);
	tcase_add_test(tc, decode_container_long_id);
	tcase_add_test(tc, decode_image);
	tcase_add_test(tc, decode_list_images);
	tcase_add_test(tc, cri_metadata);
	tcase_add_test(tc, namespace_from_bundle);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
