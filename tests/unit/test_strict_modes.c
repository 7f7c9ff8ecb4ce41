/* StrictModes on a real directory tree: every directory on the way to a file
 * and the file itself, sticky directories above it, symbolic links on the
 * way, missing files.  The tests run as root, so ownership is varied with
 * chown to an unused uid and the expected owner passed explicitly. */
#include "testutil.h"
#include "hook/base/strict_modes.h"
#include "hook/base/strfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#define OTHER_UID 54321

static char top[64];

static void tree_setup(void)
{
	char p[256];
	int fd;

	og_bfmt(top, sizeof top, "/tmp/og-strict-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	og_bfmt(p, sizeof p, "%s/a", top);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	og_bfmt(p, sizeof p, "%s/a/b", top);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	og_bfmt(p, sizeof p, "%s/a/b/file", top);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(chmod(p, 0644), 0);
}

static void tree_teardown(void)
{
	char cmd[128];

	og_bfmt(cmd, sizeof cmd, "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *at(const char *rel)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	og_bfmt(p[i], sizeof p[i], "%s/%s", top, rel);
	return p[i];
}

/* og_strict_modes(top/rel) fails with a message holding want. */
#define EXPECT_REFUSED(rel, owner, want)                                                        \
	do {                                                                                    \
		struct stat st_;                                                                \
		og_error e_ = { 0 };                                                            \
		ck_assert_int_eq(og_strict_modes(at(rel), owner, &st_, &e_), -1);               \
		ck_assert_msg(strstr(e_.msg, want) != NULL, "\"%s\" lacks \"%s\"", e_.msg, want); \
	} while (0)

#define EXPECT_TRUSTED(rel, owner)                                                              \
	do {                                                                                    \
		struct stat st_;                                                                \
		og_error e_ = { 0 };                                                            \
		ck_assert_msg(og_strict_modes(at(rel), owner, &st_, &e_) == 0, "%s: %s", rel, e_.msg); \
	} while (0)

START_TEST(sound_tree_is_trusted)
{
	struct stat st, want;
	og_error e = { 0 };

	ck_assert_int_eq(og_strict_modes(at("a/b/file"), 0, &st, &e), 0);
	ck_assert_int_eq(stat(at("a/b/file"), &want), 0);
	ck_assert(st.st_ino == want.st_ino && st.st_dev == want.st_dev);
	EXPECT_TRUSTED("a/b", 0);
	EXPECT_TRUSTED("a//b/./file", 0);
	EXPECT_TRUSTED("a/b/../b/file", 0);
	/* "/" alone, and a relative path refused */
	ck_assert_int_eq(og_strict_modes("/", 0, &st, &e), 0);
	ck_assert_int_eq(og_strict_modes("tmp/x", 0, &st, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "not an absolute path"));
}
END_TEST

/* The file, its directory, any directory above: writable by others is refused. */
START_TEST(writable_on_the_way_is_refused)
{
	ck_assert_int_eq(chmod(at("a/b/file"), 0664), 0);
	EXPECT_REFUSED("a/b/file", 0, "a/b/file is group- or world-writable (mode 0664): refusing to trust it");
	ck_assert_int_eq(chmod(at("a/b/file"), 0644), 0);
	ck_assert_int_eq(chmod(at("a/b"), 0775), 0);
	EXPECT_REFUSED("a/b/file", 0, "a/b is group- or world-writable (mode 0775) and not sticky");
	ck_assert_int_eq(chmod(at("a/b"), 0755), 0);
	/* two levels up: the check does not stop at the file's directory */
	ck_assert_int_eq(chmod(at("a"), 0777), 0);
	EXPECT_REFUSED("a/b/file", 0, "/a is group- or world-writable (mode 0777) and not sticky");
	EXPECT_REFUSED("a/b", 0, "/a is group- or world-writable (mode 0777) and not sticky");
	/* sticky above the file is fine (as /tmp), sticky as the directory checked is not */
	ck_assert_int_eq(chmod(at("a"), 01777), 0);
	EXPECT_TRUSTED("a/b/file", 0);
	EXPECT_REFUSED("a", 0, "a is group- or world-writable (mode 1777): refusing to trust it");
}
END_TEST

START_TEST(owner_on_the_way)
{
	ck_assert_int_eq(chown(at("a"), OTHER_UID, 0), 0);
	EXPECT_REFUSED("a/b/file", 0, "/a is owned by uid 54321, not root");
	/* the expected owner may own the way and the file */
	EXPECT_TRUSTED("a/b/file", OTHER_UID);
	ck_assert_int_eq(chown(at("a/b/file"), OTHER_UID, 0), 0);
	EXPECT_TRUSTED("a/b/file", OTHER_UID);
	ck_assert_int_eq(chown(at("a"), 0, 0), 0);
	EXPECT_REFUSED("a/b/file", 0, "a/b/file is owned by uid 54321, not root");
	EXPECT_REFUSED("a/b/file", 1000, "a/b/file is owned by uid 54321, not root or uid 1000");
	/* a sticky directory owned by someone else: they can rename what is in it */
	ck_assert_int_eq(chown(at("a/b/file"), 0, 0), 0);
	ck_assert_int_eq(chown(at("a"), OTHER_UID, 0), 0);
	ck_assert_int_eq(chmod(at("a"), 01777), 0);
	EXPECT_REFUSED("a/b/file", 1000, "/a is owned by uid 54321");
}
END_TEST

START_TEST(symlinks_on_the_way)
{
	struct stat st, want;
	og_error e = { 0 };

	/* a relative link and an absolute one, as /var/run -> /run */
	ck_assert_int_eq(symlink("a/b", at("rel")), 0);
	ck_assert_int_eq(symlink(at("a"), at("abs")), 0);
	ck_assert_int_eq(og_strict_modes(at("rel/file"), 0, &st, &e), 0);
	ck_assert_int_eq(stat(at("a/b/file"), &want), 0);
	ck_assert(st.st_ino == want.st_ino);
	EXPECT_TRUSTED("abs/b/file", 0);
	/* what the link leads to is checked, named by its resolved path */
	ck_assert_int_eq(chmod(at("a/b"), 0777), 0);
	EXPECT_REFUSED("rel/file", 0, "/a/b is group- or world-writable (mode 0777) and not sticky");
	ck_assert_int_eq(chmod(at("a/b"), 0755), 0);
	/* a link someone else owns, and one in a directory others may write */
	ck_assert_int_eq(lchown(at("rel"), OTHER_UID, 0), 0);
	EXPECT_REFUSED("rel/file", 0, "/rel is owned by uid 54321, not root");
	ck_assert_int_eq(lchown(at("rel"), 0, 0), 0);
	ck_assert_int_eq(mkdir(at("open"), 0777), 0);
	ck_assert_int_eq(chmod(at("open"), 0777), 0);
	ck_assert_int_eq(symlink(at("a/b"), at("open/link")), 0);
	EXPECT_REFUSED("open/link/file", 0, "/open is group- or world-writable");
	/* a link that climbs out through a writable directory */
	ck_assert_int_eq(symlink("../open/link", at("a/up")), 0);
	EXPECT_REFUSED("a/up/file", 0, "/open is group- or world-writable");
	/* the last component is never followed; loops end */
	EXPECT_REFUSED("rel", 0, "rel: is a symbolic link");
	ck_assert_int_eq(symlink("loop2", at("loop1")), 0);
	ck_assert_int_eq(symlink("loop1", at("loop2")), 0);
	EXPECT_REFUSED("loop1/x", 0, "too many symbolic links");
}
END_TEST

START_TEST(missing_files)
{
	struct stat st;
	og_error e = { 0 };

	ck_assert_int_eq(og_strict_modes(at("a/b/none"), 0, &st, &e), -1);
	ck_assert_int_eq(e.errnum, ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "a/b/none"));
	/* a missing file below an untrustworthy directory: that is what is reported */
	ck_assert_int_eq(chmod(at("a"), 0777), 0);
	og_error_clear(&e);
	ck_assert_int_eq(og_strict_modes(at("a/b/none"), 0, &st, &e), -1);
	ck_assert_int_ne(e.errnum, ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "group- or world-writable"));
	/* a file where a directory should be */
	ck_assert_int_eq(chmod(at("a"), 0755), 0);
	EXPECT_REFUSED("a/b/file/x", 0, "Not a directory");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strict_modes");
	TCase *t = tcase_create("strict_modes");

	if (geteuid() != 0) {
		printf("SKIP strict_modes: chown needs root\n");
		return 0;
	}
	tcase_add_checked_fixture(t, tree_setup, tree_teardown);
	tcase_add_test(t, sound_tree_is_trusted);
	tcase_add_test(t, writable_on_the_way_is_refused);
	tcase_add_test(t, owner_on_the_way);
	tcase_add_test(t, symlinks_on_the_way);
	tcase_add_test(t, missing_files);
	suite_add_tcase(s, t);
	return tu_run(s);
}
