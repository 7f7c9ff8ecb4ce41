/* containers/storage container records (Podman, CRI-O): hand-written
 * fixtures in tests/fixtures/podman/<case>/overlay-containers/containers.json. */
#include "testutil.h"
#include "verify/identity/podman_storage.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#define C1 "3f1e4b2a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"
#define C2 "aa11bb22cc33dd44ee55ff6600778899aa11bb22cc33dd44ee55ff6600778899"
#define I1 "9b1f2e3d4c5b6a79881726354453627180f9e8d7c6b5a4938271605f4e3d2c1b"
#define I2 "0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000f0e0"

static const char *root(const char *name)
{
	static char path[PATH_MAX + 256];

	snprintf(path, sizeof path, "%s/podman/%s", tu_repo_fixtures(), name);
	return path;
}

static char last_name[OG_REF_MAX];	/* the image name of the last lookup */

static int image_of(const char *fixture, const char *id, char *digest, og_error *e)
{
	return og_podman_image(root(fixture), id, digest, last_name, e);
}

START_TEST(good_records)
{
	char d[OG_DIGEST_MAX];
	og_error e = { 0 };

	ck_assert_msg(image_of("good", C1, d, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(d, "sha256:" I1);
	ck_assert_str_eq(last_name, "localhost/bb:1");	/* the engine's metadata.image-name */
	ck_assert_msg(image_of("good", C2, d, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(d, "sha256:" I2);
	ck_assert_str_eq(last_name, "localhost/db:2");
	/* a record without metadata names no image */
	ck_assert_msg(image_of("no-metadata", C1, d, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(last_name, "");
}
END_TEST

START_TEST(unknown_container)
{
	char d[OG_DIGEST_MAX];
	og_error e = { 0 };

	ck_assert_int_eq(image_of("good", "0000000000000000000000000000000000000000000000000000000000000000", d,
				  &e), 1);
	ck_assert_ptr_nonnull(strstr(e.msg, "no record"));
	ck_assert_str_eq(d, "");
}
END_TEST

START_TEST(bad_container_id_argument)
{
	char d[OG_DIGEST_MAX];
	og_error e = { 0 };

	ck_assert_int_eq(image_of("good", "web", d, &e), -1);
	ck_assert_int_eq(image_of("good", "3F1E4B2A9C8D7E6F5A4B3C2D1E0F9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F", d, &e),
			 -1);
}
END_TEST

START_TEST(refused_fixtures)
{
	static const struct { const char *fixture, *needle; } cases[] = {
		{ "duplicate-key", "duplicate" },
		{ "duplicate-record", "two records" },
		{ "malformed", "invalid JSON" },
		{ "not-array", "expected an array" },
		{ "bad-image", "not an image ID" },
		{ "no-image", "not an image ID" },
		{ "id-not-string", "[0].id" },
		{ "missing-dir", "graph root" },
		{ "bad-metadata", "[0].metadata: expected an object" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char d[OG_DIGEST_MAX];
		og_error e = { 0 };

		ck_assert_msg(image_of(cases[i].fixture, C1, d, &e) == -1, "%s accepted", cases[i].fixture);
		ck_assert_msg(strstr(e.msg, cases[i].needle) != NULL, "%s: %s", cases[i].fixture, e.msg);
		ck_assert_str_eq(d, "");
	}
}
END_TEST

/* A temporary graph root holding overlay-containers/ for the cases that need
 * links or sizes no repo fixture should carry. */
static void make_root(char *tmpl)
{
	char p[PATH_MAX];

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(p, sizeof p, "%s/overlay-containers", tmpl);
	ck_assert_int_eq(mkdir(p, 0700), 0);
}

START_TEST(symlinked_file_refused)
{
	char dir[] = "/tmp/og-podman-XXXXXX", link[PATH_MAX], target[PATH_MAX + 512], d[OG_DIGEST_MAX];
	og_error e = { 0 };

	make_root(dir);
	snprintf(target, sizeof target, "%s/overlay-containers/containers.json", root("good"));
	snprintf(link, sizeof link, "%s/overlay-containers/containers.json", dir);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(og_podman_image(dir, C1, d, last_name, &e), -1);
	ck_assert_msg(strstr(e.msg, "symbolic link") != NULL, "%s", e.msg);
	unlink(link);
	snprintf(link, sizeof link, "%s/overlay-containers", dir);
	rmdir(link);
	/* A symlinked directory inside the graph root is refused too. */
	snprintf(target, sizeof target, "%s/overlay-containers", root("good"));
	ck_assert_int_eq(symlink(target, link), 0);
	og_error_clear(&e);
	ck_assert_int_eq(og_podman_image(dir, C1, d, last_name, &e), -1);
	/* openat2 says "symbolic link"; the O_NOFOLLOW|O_DIRECTORY fallback (no openat2) ENOTDIR. */
	ck_assert_msg(strstr(e.msg, "symbolic link") != NULL || strstr(e.msg, "Not a directory") != NULL,
		      "%s", e.msg);
	unlink(link);
	rmdir(dir);
}
END_TEST

START_TEST(oversized_refused)
{
	char dir[] = "/tmp/og-podman-XXXXXX", file[PATH_MAX], sub[PATH_MAX], d[OG_DIGEST_MAX];
	og_error e = { 0 };
	int fd;

	make_root(dir);
	snprintf(file, sizeof file, "%s/overlay-containers/containers.json", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)OG_PODMAN_MAX_CONTAINERS_JSON_BYTES + 1), 0);	/* sparse */
	close(fd);
	ck_assert_int_eq(og_podman_image(dir, C1, d, last_name, &e), -1);
	ck_assert_msg(strstr(e.msg, "limit") != NULL, "%s", e.msg);
	unlink(file);
	snprintf(sub, sizeof sub, "%s/overlay-containers", dir);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

START_TEST(fifo_refused)
{
	char dir[] = "/tmp/og-podman-XXXXXX", file[PATH_MAX], sub[PATH_MAX], d[OG_DIGEST_MAX];
	og_error e = { 0 };

	make_root(dir);
	snprintf(file, sizeof file, "%s/overlay-containers/containers.json", dir);
	ck_assert_int_eq(mkfifo(file, 0600), 0);
	ck_assert_int_eq(og_podman_image(dir, C1, d, last_name, &e), -1);	/* must not block on the FIFO */
	ck_assert_msg(strstr(e.msg, "not a regular file") != NULL, "%s", e.msg);
	unlink(file);
	snprintf(sub, sizeof sub, "%s/overlay-containers", dir);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("podman_storage");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, good_records);
	tcase_add_test(tc, unknown_container);
	tcase_add_test(tc, bad_container_id_argument);
	tcase_add_test(tc, refused_fixtures);
	tcase_add_test(tc, symlinked_file_refused);
	tcase_add_test(tc, oversized_refused);
	tcase_add_test(tc, fifo_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
