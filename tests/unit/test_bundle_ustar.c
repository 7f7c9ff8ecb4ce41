/* The trust bundle's tar reader and writer (hook/delivery/ustar.h): a round
 * trip, and hand-built hostile archives, each refused with a clear message
 * and nothing left behind in the destination. */
#include "testutil.h"
#include "hook/delivery/ustar.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

static char dir[256], dest[300];
static int destfd = -1;
static const struct og_ustar_limits lim = { .max_entries = 100, .max_file_bytes = 4096,
					    .max_total_bytes = 10000 };

/* An archive being built in memory. */
struct arc {
	char *data;
	size_t len;
	FILE *f;
	struct og_ustar_writer w;
};

static void arc_open(struct arc *a)
{
	memset(a, 0, sizeof *a);
	a->f = open_memstream(&a->data, &a->len);
	ck_assert_ptr_nonnull(a->f);
	a->w.out = a->f;
}

static void arc_close(struct arc *a)
{
	fclose(a->f);
	a->f = NULL;
}

static void arc_free(struct arc *a)
{
	free(a->data);
}

static unsigned sum(const unsigned char *h)
{
	unsigned s = 0;

	for (size_t i = 0; i < 512; i++)
		s += (i >= 148 && i < 156) ? ' ' : h[i];
	return s;
}

/* A raw header: name, type, size, link name, magic (6 bytes) + version. */
static void raw_header(struct arc *a, const char *name, char type, size_t size, const char *link,
		       const char *magic, const char *version)
{
	unsigned char h[512];

	memset(h, 0, sizeof h);
	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011zo", size);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257, magic, 6);
	memcpy(h + 263, version, 2);
	snprintf((char *)h + 148, 8, "%06o", sum(h));
	h[155] = ' ';
	fwrite(h, 1, 512, a->f);
}

static void raw_data(struct arc *a, const char *data, size_t len)
{
	static const char zeros[512];

	fwrite(data, 1, len, a->f);
	if (len % 512)
		fwrite(zeros, 1, 512 - len % 512, a->f);
}

static void raw_end(struct arc *a)
{
	static const char zeros[1024];

	fwrite(zeros, 1, sizeof zeros, a->f);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/og-ustar-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dest, sizeof dest, "%s/dest", dir);
	ck_assert_int_eq(mkdir(dest, 0700), 0);
	destfd = open(dest, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(destfd, 0);
}

static void teardown(void)
{
	char cmd[400];

	close(destfd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static size_t count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* Extract the archive from a file; the result, e filled. */
static int extract(const struct arc *a, const struct og_ustar_limits *l, struct og_ustar_stats *st, og_error *e)
{
	char path[320];
	int fd, rc;

	snprintf(path, sizeof path, "%s/in.tar", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, a->data, a->len), (ssize_t)a->len);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	rc = og_ustar_extract(fd, destfd, l, NULL, NULL, st, e);
	close(fd);
	return rc;
}

static int cb_count;
static int count_cb(void *ctx, const char *name, og_error *e)
{
	(void)ctx;
	(void)e;
	ck_assert_ptr_nonnull(name);
	cb_count++;
	return 0;
}

START_TEST(round_trip)
{
	struct arc a;
	struct og_ustar_stats st;
	og_error e = { 0 };
	char src[320], path[2000], buf[64], longname[300];
	struct stat sb;
	int fd;

	/* A tree on disk, archived by add_tree (sorted, prefixed). */
	snprintf(src, sizeof src, "%s/src", dir);
	snprintf(path, sizeof path, "mkdir -p %s/sha256/ab && printf hello > %s/sha256/ab/x.json && "
		 "printf '' > %s/empty && chmod 600 %s/empty", src, src, src, src);
	ck_assert_int_eq(system(path), 0);
	arc_open(&a);
	ck_assert_msg(og_ustar_add_file(&a.w, "top.json", "{}", 2, &e) == 0, "%s", e.msg);
	ck_assert_msg(og_ustar_add_tree(&a.w, src, "signatures", &e) == 0, "%s", e.msg);
	/* A name that needs ustar's prefix field. */
	memset(longname, 'a', 120);
	longname[120] = '\0';
	ck_assert_int_eq(og_ustar_add_dir(&a.w, longname, &e), 0);
	snprintf(path, sizeof path, "%s/%s", longname, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.json");
	ck_assert_msg(og_ustar_add_file(&a.w, path, "z", 1, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(og_ustar_finish(&a.w, &e), 0);
	arc_close(&a);
	ck_assert_uint_eq(a.len % 512, 0);
	ck_assert_uint_eq(a.w.written, a.len);
	{
		char p2[320];
		int fd2;

		snprintf(p2, sizeof p2, "%s/in.tar", dir);
		fd2 = open(p2, O_RDWR | O_CREAT | O_TRUNC, 0600);
		ck_assert_int_eq(write(fd2, a.data, a.len), (ssize_t)a.len);
		lseek(fd2, 0, SEEK_SET);
		cb_count = 0;
		ck_assert_msg(og_ustar_extract(fd2, destfd, &lim, count_cb, NULL, &st, &e) == 0, "%s", e.msg);
		close(fd2);
	}
	ck_assert_int_eq(cb_count, 4);
	ck_assert_uint_eq(st.files, 4);
	ck_assert_uint_eq(st.dirs, 4);
	ck_assert_uint_eq(st.bytes, 2 + 5 + 0 + 1);
	snprintf(path, sizeof path, "%s/signatures/sha256/ab/x.json", dest);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof buf), 5);
	close(fd);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0644);
	snprintf(path, sizeof path, "%s/signatures/empty", dest);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0644);	/* modes are ours, not the source's */
	snprintf(path, sizeof path, "%s/signatures/sha256", dest);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0755);
	snprintf(path, sizeof path, "%s/%s", dest, longname);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	arc_free(&a);
	/* A second extraction into a non-empty directory is refused. */
	arc_open(&a);
	og_ustar_finish(&a.w, &e);
	arc_close(&a);
	ck_assert_int_eq(extract(&a, &lim, &st, &e), -1);
	ck_assert_msg(strstr(e.msg, "not empty") != NULL, "%s", e.msg);
	arc_free(&a);
}
END_TEST

/* The writer refuses what the reader would. */
START_TEST(writer_refuses_links)
{
	struct arc a;
	og_error e = { 0 };
	char src[320], cmd[700];

	snprintf(src, sizeof src, "%s/src", dir);
	snprintf(cmd, sizeof cmd, "mkdir -p %s && ln -s /etc/passwd %s/link", src, src);
	ck_assert_int_eq(system(cmd), 0);
	arc_open(&a);
	ck_assert_int_eq(og_ustar_add_tree(&a.w, src, "", &e), -1);
	ck_assert_msg(strstr(e.msg, "link") != NULL, "%s", e.msg);
	arc_close(&a);
	arc_free(&a);
}
END_TEST

/* Each hostile archive: refused, the message names the problem, and the
 * destination is empty afterwards (entries before the bad one removed). */
enum kind { K_TYPE, K_NAME, K_RAW };
static const struct hostile {
	const char *what;
	char type;
	const char *name, *link, *magic, *version, *want;
} hostile[] = {
	{ "symlink", '2', "evil", "/etc/passwd", "ustar", "00", "a symbolic link" },
	{ "hard link", '1', "evil", "ok/file", "ustar", "00", "a hard link" },
	{ "char device", '3', "dev", NULL, "ustar", "00", "a character device" },
	{ "block device", '4', "dev", NULL, "ustar", "00", "a block device" },
	{ "fifo", '6', "fifo", NULL, "ustar", "00", "a fifo" },
	{ "pax header", 'x', "PaxHeaders/x", NULL, "ustar", "00", "pax extended header" },
	{ "pax global", 'g', "pax_global_header", NULL, "ustar", "00", "pax extended header" },
	{ "GNU long name", 'L', "././@LongLink", NULL, "ustar", "00", "GNU long name" },
	{ "dot-dot", '0', "../escape", NULL, "ustar", "00", "\"..\"" },
	{ "inner dot-dot", '0', "ok/../../escape", NULL, "ustar", "00", "\"..\"" },
	{ "absolute", '0', "/etc/evil", NULL, "ustar", "00", "absolute" },
	{ "empty component", '0', "ok//file2", NULL, "ustar", "00", "empty name component" },
	{ "dot", '0', "./file2", NULL, "ustar", "00", "\".\"" },
	{ "empty name", '0', "", NULL, "ustar", "00", "empty name" },
	{ "space in name", '0', "ok/a b", NULL, "ustar", "00", "printable ASCII" },
	{ "control char", '0', "ok/a\033b", NULL, "ustar", "00", "printable ASCII" },
	{ "too deep", '0', "a/b/c/d/e/f/g/h/i", NULL, "ustar", "00", "deeper than" },
	{ "parent missing", '0', "nodir/file", NULL, "ustar", "00", "not in the archive before it" },
	{ "under a file", '0', "ok/file/x", NULL, "ustar", "00", "not in the archive before it" },
	{ "duplicate file", '0', "ok/file", NULL, "ustar", "00", "listed twice" },
	{ "duplicate dir", '5', "ok/", NULL, "ustar", "00", "listed twice" },
	{ "GNU magic", '0', "ok/gnu", NULL, "ustar ", " \0", "not a POSIX ustar header" },
	{ "v7 header", '0', "ok/v7", NULL, "\0\0\0\0\0\0", "\0\0", "not a POSIX ustar header" },
	{ "linkname on a file", '0', "ok/f2", "target", "ustar", "00", "link name" },
};

START_TEST(hostile_archives)
{
	int i = _i;
	const struct hostile *h = &hostile[i];
	struct arc a;
	struct og_ustar_stats st;
	og_error e = { 0 };

	/* A valid start (a directory and a file), then the hostile entry. */
	arc_open(&a);
	ck_assert_int_eq(og_ustar_add_dir(&a.w, "ok", &e), 0);
	ck_assert_int_eq(og_ustar_add_file(&a.w, "ok/file", "data", 4, &e), 0);
	raw_header(&a, h->name, h->type, h->type == '0' ? 3 : 0, h->link, h->magic, h->version);
	if (h->type == '0')
		raw_data(&a, "bad", 3);
	raw_end(&a);
	arc_close(&a);
	ck_assert_msg(extract(&a, &lim, &st, &e) == -1, "%s: accepted", h->what);
	ck_assert_msg(strstr(e.msg, h->want) != NULL, "%s: want \"%s\" in: %s", h->what, h->want, e.msg);
	ck_assert_msg(count_entries(dest) == 0, "%s: something left behind", h->what);
	arc_free(&a);
}
END_TEST

START_TEST(structure_refused)
{
	struct arc a;
	struct og_ustar_stats st;
	og_error e = { 0 };
	struct og_ustar_limits small = lim;
	char big[5000];

	/* Bad checksum: one byte of a valid header changed. */
	arc_open(&a);
	og_ustar_add_file(&a.w, "f", "x", 1, &e);
	og_ustar_finish(&a.w, &e);
	arc_close(&a);
	a.data[0] = 'g';
	ck_assert_int_eq(extract(&a, &lim, &st, &e), -1);
	ck_assert_msg(strstr(e.msg, "bad checksum") != NULL, "%s", e.msg);
	arc_free(&a);
	/* Truncated: no end blocks; ends inside a file. */
	arc_open(&a);
	og_ustar_add_file(&a.w, "f", "x", 1, &e);
	arc_close(&a);
	ck_assert_int_eq(extract(&a, &lim, &st, &e), -1);
	ck_assert_msg(strstr(e.msg, "without its end-of-archive") != NULL, "%s", e.msg);
	ck_assert_uint_eq(count_entries(dest), 0);
	arc_free(&a);
	arc_open(&a);
	raw_header(&a, "f", '0', 1000, NULL, "ustar", "00");
	raw_data(&a, "short", 5);
	arc_close(&a);
	ck_assert_int_eq(extract(&a, &lim, &st, &e), -1);
	ck_assert_msg(strstr(e.msg, "ends inside") != NULL, "%s", e.msg);
	ck_assert_uint_eq(count_entries(dest), 0);
	arc_free(&a);
	/* Data after the end; a lone zero block. */
	arc_open(&a);
	og_ustar_add_file(&a.w, "f", "x", 1, &e);
	og_ustar_finish(&a.w, &e);
	fwrite("junk", 1, 4, a.f);
	arc_close(&a);
	ck_assert_int_eq(extract(&a, &lim, &st, &e), -1);
	ck_assert_msg(strstr(e.msg, "after the end") != NULL, "%s", e.msg);
	ck_assert_uint_eq(count_entries(dest), 0);
	arc_free(&a);
	arc_open(&a);
	raw_data(&a, "", 0);
	{
		static const char zeros[512];
		fwrite(zeros, 1, 512, a.f);
		og_ustar_add_file(&a.w, "f", "x", 1, &e);
	}
	arc_close(&a);
	ck_assert_int_eq(extract(&a, &lim, &st, &e), -1);
	ck_assert_msg(strstr(e.msg, "lone zero block") != NULL, "%s", e.msg);
	arc_free(&a);
	/* Limits: one file too large, too many entries, too much in all. */
	memset(big, 'b', sizeof big);
	arc_open(&a);
	og_ustar_add_file(&a.w, "big", big, sizeof big, &e);
	og_ustar_finish(&a.w, &e);
	arc_close(&a);
	ck_assert_int_eq(extract(&a, &lim, &st, &e), -1);
	ck_assert_msg(strstr(e.msg, "more than the limit of 4096") != NULL, "%s", e.msg);
	arc_free(&a);
	arc_open(&a);
	for (int i = 0; i < 4; i++) {
		char n[16];

		snprintf(n, sizeof n, "f%d", i);
		og_ustar_add_file(&a.w, n, big, 3000, &e);
	}
	og_ustar_finish(&a.w, &e);
	arc_close(&a);
	ck_assert_int_eq(extract(&a, &lim, &st, &e), -1);
	ck_assert_msg(strstr(e.msg, "add up to more than") != NULL, "%s", e.msg);
	ck_assert_uint_eq(count_entries(dest), 0);
	small.max_entries = 3;
	ck_assert_int_eq(extract(&a, &small, &st, &e), -1);
	ck_assert_msg(strstr(e.msg, "more than 3 entries") != NULL, "%s", e.msg);
	ck_assert_uint_eq(count_entries(dest), 0);
	arc_free(&a);
	/* Base-256 size (GNU) is not octal. */
	arc_open(&a);
	raw_header(&a, "f", '0', 0, NULL, "ustar", "00");
	raw_end(&a);
	arc_close(&a);
	a.data[124] = (char)0x80;
	{
		unsigned char *h = (unsigned char *)a.data;
		snprintf((char *)h + 148, 8, "%06o", sum(h));
		h[155] = ' ';
	}
	ck_assert_int_eq(extract(&a, &lim, &st, &e), -1);
	ck_assert_msg(strstr(e.msg, "bad size") != NULL, "%s", e.msg);
	arc_free(&a);
}
END_TEST

/* Something planted in the destination is never followed: the reader
 * refuses a non-empty destination outright. */
START_TEST(planted_symlink_not_followed)
{
	struct arc a;
	struct og_ustar_stats st;
	og_error e = { 0 };
	char link[900], target[400];
	struct stat sb;

	snprintf(target, sizeof target, "%s/outside", dir);
	ck_assert_int_eq(mkdir(target, 0700), 0);
	snprintf(link, sizeof link, "%s/ok", dest);
	ck_assert_int_eq(symlink(target, link), 0);
	arc_open(&a);
	og_ustar_add_dir(&a.w, "ok", &e);
	og_ustar_add_file(&a.w, "ok/file", "x", 1, &e);
	og_ustar_finish(&a.w, &e);
	arc_close(&a);
	ck_assert_int_eq(extract(&a, &lim, &st, &e), -1);
	snprintf(link, sizeof link, "%s/file", target);
	ck_assert_int_eq(lstat(link, &sb), -1);
	arc_free(&a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bundle_ustar");
	TCase *t = tcase_create("ustar");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, round_trip);
	tcase_add_test(t, writer_refuses_links);
	tcase_add_loop_test(t, hostile_archives, 0, (int)(sizeof hostile / sizeof hostile[0]));
	tcase_add_test(t, structure_refused);
	tcase_add_test(t, planted_symlink_not_followed);
	suite_add_tcase(s, t);
	return tu_run(s);
}
