#include "hook/base/fileio.h"
#include "hook/base/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void og_buf_free(og_buf *b)
{
	if (b->mapped != 0)
		munmap(b->data, b->mapped);
	else
		free(b->data);
	b->data = NULL;
	b->len = 0;
	b->mapped = 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* og_read_fd with the expected size known (a regular file's st_size): one
 * buffer of that size, not a doubling series of copies.  The size is only a
 * hint; a file that grows meanwhile still reads to its end, up to max. */
static int read_fd_sized(int fd, size_t max, int timeout_ms, size_t expect, const char *what, og_buf *out,
			 og_error *e)
{
	og_cleanup_free char *data = NULL;
	size_t len = 0, cap = 0;
	long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;

	for (;;) {
		ssize_t n;

		if (timeout_ms > 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			long left = deadline - now_ms();
			int r;

			if (left <= 0)
				return og_fail(e, "%s: no end of input within %d ms", what, timeout_ms);
			r = poll(&p, 1, (int)left);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return og_fail_errno(e, errno, "%s: poll", what);
			if (r == 0)
				return og_fail(e, "%s: no end of input within %d ms", what, timeout_ms);
		}
		if (cap - len < 4096) {
			size_t ncap = cap ? cap * 2 : expect + 4096 > 8192 ? expect + 4096 : 8192;
			char *p;

			if (ncap > max + 2)
				ncap = max + 2;
			if (ncap <= len + 1)
				return og_fail(e, "%s: larger than the limit of %zu bytes", what, max);
			p = realloc(data, ncap);
			if (p == NULL)
				return og_fail_errno(e, ENOMEM, "%s", what);
			data = p;
			cap = ncap;
		}
		n = read(fd, data + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return og_fail_errno(e, errno, "%s: read", what);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return og_fail(e, "%s: larger than the limit of %zu bytes", what, max);
	}
	if (data == NULL) {
		data = malloc(1);
		if (data == NULL)
			return og_fail_errno(e, ENOMEM, "%s", what);
	}
	data[len] = '\0';
	*out = (og_buf){ .data = og_steal_pointer(&data), .len = len };	/* .mapped = 0: malloc'd */
	return 0;
}

int og_read_fd(int fd, size_t max, int timeout_ms, const char *what, og_buf *out, og_error *e)
{
	return read_fd_sized(fd, max, timeout_ms, 0, what, out, e);
}

int og_open_beneath(int dirfd, const char *path, int flags, og_error *e)
{
	/* openat2 refuses O_PATH combined with anything but CLOEXEC/DIRECTORY/NOFOLLOW. */
	int extra = (flags & O_PATH) ? O_CLOEXEC : O_CLOEXEC | O_NOCTTY;
	struct open_how how = {
		.flags = (unsigned long long)(flags | extra),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	if (fd < 0 && errno == ENOSYS) {
		/* Kernels before 5.6 (and valgrind): a single component, no link. */
		struct stat st;

		if (strchr(path, '/') != NULL || strcmp(path, "..") == 0)
			return og_fail(e, "%s: nested paths need openat2 (Linux >= 5.6)", path);
		if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			return og_fail(e, "%s: is or passes through a symbolic link", path);
		fd = openat(dirfd, path, flags | extra | O_NOFOLLOW);
	}
	if (fd < 0) {
		if (errno == ELOOP)
			return og_fail(e, "%s: is or passes through a symbolic link", path);
		if (errno == EXDEV)
			return og_fail(e, "%s: escapes its directory", path);
		return og_fail_errno(e, errno, "%s", path);
	}
	return (int)fd;
}

#define HUGE_PAGE ((size_t)2 << 20)

/* A large file is read into transparent huge pages: every hook run is a
 * fresh process, and there faulting in a 4 KiB page at a time costs more
 * than reading the file (1.6 MB: about 2 ms against 0.5 ms; populating the
 * small pages up front saves only half of that; docs/benchmarks.md).  With
 * THP's defrag setting at "madvise" (Debian's default) the kernel may compact
 * memory to find the huge page, and uses small pages when it cannot.  The
 * mapping is reserved for max bytes, so the file may grow up to max while it
 * is read; only what is read is touched. */
static int read_huge(int fd, size_t max, const char *name, og_buf *out, og_error *e)
{
	size_t cap = (max + 2 + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1), len = 0, head;
	char *raw, *data;

	raw = mmap(NULL, cap + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return og_fail_errno(e, errno, "%s: mmap", name);
	/* Keep exactly [data, data + cap), data aligned for huge pages. */
	data = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	head = (size_t)(data - raw);
	if (head > 0)
		munmap(raw, head);
	munmap(data + cap, HUGE_PAGE - head);
	(void)madvise(data, cap, MADV_HUGEPAGE);	/* a hint: without THP, small pages */
	for (;;) {
		ssize_t n = read(fd, data + len, cap - len - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			og_fail_errno(e, errno, "%s: read", name);
			break;
		}
		if (n == 0) {
			data[len] = '\0';
			*out = (og_buf){ .data = data, .len = len, .mapped = cap };
			return 0;
		}
		len += (size_t)n;
		if (len > max) {
			og_fail(e, "%s: larger than the limit of %zu bytes", name, max);
			break;
		}
	}
	munmap(data, cap);
	return -1;
}

static int read_regular(int fd, const char *name, size_t max, og_buf *out, og_error *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return og_fail_errno(e, errno, "%s: fstat", name);
	if (S_ISDIR(st.st_mode))
		return og_fail(e, "%s: is a directory, not a file", name);
	if (!S_ISREG(st.st_mode))
		return og_fail(e, "%s: not a regular file", name);
	if ((unsigned long long)st.st_size > max)
		return og_fail(e, "%s: %lld bytes, larger than the limit of %zu bytes", name,
			       (long long)st.st_size, max);
	if ((size_t)st.st_size >= OG_READ_HUGE_MIN)
		return read_huge(fd, max, name, out, e);
	return read_fd_sized(fd, max, 0, (size_t)st.st_size, name, out, e);
}

int og_open_store_dir(const char *root, const char *sub, og_error *e)
{
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char part[NAME_MAX + 1];
	const char *p = sub;

	if (fd < 0)
		return og_fail_errno(e, errno, "%s", root);
	/* One component at a time, so kernels (and valgrind) without openat2
	 * work too. */
	while (*p != '\0') {
		size_t n = strcspn(p, "/");
		int next;

		if (n == 0 || n > NAME_MAX) {
			close(fd);
			return og_fail(e, "%s: bad path below it: %s", root, sub);
		}
		memcpy(part, p, n);
		part[n] = '\0';
		next = og_open_beneath(fd, part, O_PATH | O_DIRECTORY, e);
		close(fd);
		if (next < 0)
			return og_wrap(e, "%s", root);
		fd = next;
		p += n + (p[n] == '/');
	}
	return fd;
}

int og_read_file_at(int dirfd, const char *path, size_t max, og_buf *out, og_error *e)
{
	og_cleanup_close int fd = og_open_beneath(dirfd, path, O_RDONLY | O_NONBLOCK, e);

	if (fd < 0)
		return -1;
	return read_regular(fd, path, max, out, e);
}

/* An administrator's file by absolute path: the last component must not be a symlink. */
static int open_admin_file(const char *path, og_error *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 && errno == ELOOP)
		return og_fail(e, "%s: is a symbolic link", path);
	if (fd < 0)
		return og_fail_errno(e, errno, "%s", path);
	return fd;
}

int og_read_file(const char *path, size_t max, og_buf *out, og_error *e)
{
	og_cleanup_close int fd = open_admin_file(path, e);

	if (fd < 0)
		return -1;
	return read_regular(fd, path, max, out, e);
}

int og_read_file_stat(const char *path, size_t max, og_buf *out, struct stat *st, og_error *e)
{
	og_cleanup_close int fd = open_admin_file(path, e);

	if (fd < 0 || read_regular(fd, path, max, out, e) < 0)
		return -1;
	/* After the last read: a write while reading shows in the times. */
	if (fstat(fd, st) < 0) {
		og_buf_free(out);
		return og_fail_errno(e, errno, "%s: fstat", path);
	}
	return 0;
}

/* Write data to a fresh temporary file beside name (its name in tmp). */
static int write_temp(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		      int durable, char tmp[NAME_MAX + 1], og_error *e)
{
	og_cleanup_close int fd = -1;
	const char *p = data;
	size_t off = 0;
	int n;

	n = snprintf(tmp, NAME_MAX + 1, ".%s.tmp.%ld", name, (long)getpid());
	if (n < 0 || n > NAME_MAX)
		return og_fail(e, "%s: name too long", name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return og_fail_errno(e, errno, "%s: create temporary file", name);
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int err = errno;
			unlinkat(dirfd, tmp, 0);
			return og_fail_errno(e, err, "%s: write", name);
		}
		off += (size_t)w;
	}
	if (fchmod(fd, mode) < 0 || (durable && fsync(fd) < 0)) {
		int err = errno;
		unlinkat(dirfd, tmp, 0);
		return og_fail_errno(e, err, "%s: sync", name);
	}
	return 0;
}

/* Rename the temporary file over name (removing it if that fails). */
static int rename_temp(int dirfd, const char *tmp, const char *name, int durable, og_error *e)
{
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int err = errno;
		unlinkat(dirfd, tmp, 0);
		return og_fail_errno(e, err, "%s: rename into place", name);
	}
	if (durable && fsync(dirfd) < 0)
		return og_fail_errno(e, errno, "%s: sync directory", name);
	return 0;
}

static int write_replace(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			 int durable, og_error *e)
{
	char tmp[NAME_MAX + 1];

	if (write_temp(dirfd, name, data, len, mode, durable, tmp, e) < 0)
		return -1;
	return rename_temp(dirfd, tmp, name, durable, e);
}

int og_write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			 og_error *e)
{
	return write_replace(dirfd, name, data, len, mode, 1, e);
}

int og_write_file_prepare(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			  char tmp[NAME_MAX + 1], og_error *e)
{
	return write_temp(dirfd, name, data, len, mode, 1, tmp, e);
}

int og_write_file_commit(int dirfd, const char *tmp, const char *name, og_error *e)
{
	return rename_temp(dirfd, tmp, name, 1, e);
}

int og_write_cache_file(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			og_error *e)
{
	return write_replace(dirfd, name, data, len, mode, 0, e);
}

int og_mkdir_p(const char *path, mode_t mode, og_error *e)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof buf)
		return og_fail(e, "%s: bad directory path", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return og_fail_errno(e, errno, "mkdir %s", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return og_fail_errno(e, errno, "mkdir %s", buf);
	return 0;
}
