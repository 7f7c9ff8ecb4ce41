/* ustar writer and strict reader: see ustar.h. */
#include "hook/delivery/ustar.h"
#include "hook/base/cleanup.h"
#include "hook/base/strfmt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Field offsets and sizes of a POSIX ustar header. */
enum {
	H_NAME = 0, H_MODE = 100, H_UID = 108, H_GID = 116, H_SIZE = 124, H_MTIME = 136, H_CHKSUM = 148,
	H_TYPE = 156, H_LINKNAME = 157, H_MAGIC = 257, H_VERSION = 263, H_UNAME = 265, H_GNAME = 297,
	H_DEVMAJOR = 329, H_DEVMINOR = 337, H_PREFIX = 345
};
#define COPY_CHUNK 65536

static unsigned header_sum(const unsigned char *h)
{
	unsigned sum = 0;

	for (size_t i = 0; i < OG_USTAR_BLOCK; i++)
		sum += (i >= H_CHKSUM && i < H_CHKSUM + 8) ? ' ' : h[i];
	return sum;
}

static void put_octal(unsigned char *h, size_t off, size_t width, uint64_t v)
{
	char tmp[24];

	og_bfmt(tmp, sizeof tmp, "%0*" PRIo64, (int)(width - 1), v);
	memcpy(h + off, tmp, width - 1);
	h[off + width - 1] = '\0';
}

/* Split name into the header's prefix and name fields. */
static int put_name(unsigned char *h, const char *name, og_error *e)
{
	size_t len = strlen(name);
	const char *cut;

	if (len == 0 || len > OG_USTAR_MAX_NAME)
		return og_fail(e, "tar: name \"%.64s\": empty or longer than %d bytes", name, OG_USTAR_MAX_NAME);
	if (len <= 100) {
		memcpy(h + H_NAME, name, len);
		return 0;
	}
	/* The last '/' that leaves at most 100 bytes after it and 155 before. */
	for (cut = name + len - 1; cut > name; cut--)
		if (*cut == '/' && (size_t)(name + len - cut - 1) <= 100 && (size_t)(cut - name) <= 155)
			break;
	if (cut == name || (size_t)(name + len - cut - 1) > 100)
		return og_fail(e, "tar: name \"%.64s...\" cannot be split into ustar's fields", name);
	memcpy(h + H_PREFIX, name, (size_t)(cut - name));
	memcpy(h + H_NAME, cut + 1, (size_t)(name + len - cut - 1));
	return 0;
}

static int write_header(struct og_ustar_writer *w, const char *name, char type, uint64_t size, og_error *e)
{
	unsigned char h[OG_USTAR_BLOCK];

	memset(h, 0, sizeof h);
	if (put_name(h, name, e) < 0)
		return -1;
	put_octal(h, H_MODE, 8, type == '5' ? 0755 : 0644);
	put_octal(h, H_UID, 8, 0);
	put_octal(h, H_GID, 8, 0);
	put_octal(h, H_SIZE, 12, size);
	put_octal(h, H_MTIME, 12, 0);
	h[H_TYPE] = (unsigned char)type;
	memcpy(h + H_MAGIC, "ustar", 6);
	memcpy(h + H_VERSION, "00", 2);
	memcpy(h + H_UNAME, "root", 4);
	memcpy(h + H_GNAME, "root", 4);
	put_octal(h, H_CHKSUM, 7, header_sum(h));
	h[H_CHKSUM + 7] = ' ';
	if (fwrite(h, 1, sizeof h, w->out) != sizeof h)
		return og_fail_errno(e, errno, "tar: write");
	w->written += sizeof h;
	return 0;
}

static int write_padding(struct og_ustar_writer *w, uint64_t len, og_error *e)
{
	static const unsigned char zeros[OG_USTAR_BLOCK];
	size_t pad = (size_t)((OG_USTAR_BLOCK - len % OG_USTAR_BLOCK) % OG_USTAR_BLOCK);

	if (pad > 0 && fwrite(zeros, 1, pad, w->out) != pad)
		return og_fail_errno(e, errno, "tar: write");
	w->written += pad;
	return 0;
}

int og_ustar_add_dir(struct og_ustar_writer *w, const char *name, og_error *e)
{
	char dir[OG_USTAR_MAX_NAME + 2];

	if (og_bfmt(dir, sizeof dir, "%s/", name) >= (int)sizeof dir - 1)
		return og_fail(e, "tar: name \"%.64s\": longer than %d bytes", name, OG_USTAR_MAX_NAME);
	return write_header(w, dir, '5', 0, e);
}

int og_ustar_add_file(struct og_ustar_writer *w, const char *name, const void *data, size_t len, og_error *e)
{
	if (write_header(w, name, '0', len, e) < 0)
		return -1;
	if (len > 0 && fwrite(data, 1, len, w->out) != len)
		return og_fail_errno(e, errno, "tar: write");
	w->written += len;
	w->files++;
	return write_padding(w, len, e);
}

/* Copy the regular file fd (size bytes) as name. */
static int add_file_fd(struct og_ustar_writer *w, const char *name, int fd, uint64_t size, og_error *e)
{
	char buf[COPY_CHUNK];
	uint64_t left = size;

	if (write_header(w, name, '0', size, e) < 0)
		return -1;
	while (left > 0) {
		ssize_t n = read(fd, buf, left < sizeof buf ? (size_t)left : sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return og_fail_errno(e, errno, "tar: read %s", name);
		if (n == 0)
			return og_fail(e, "tar: %s shrank while it was read", name);
		if (fwrite(buf, 1, (size_t)n, w->out) != (size_t)n)
			return og_fail_errno(e, errno, "tar: write");
		left -= (uint64_t)n;
	}
	w->written += size;
	w->files++;
	return write_padding(w, size, e);
}

static int add_tree_at(struct og_ustar_writer *w, int dfd, const char *prefix, int depth, og_error *e)
{
	struct dirent **list = NULL;
	int n, rc = 0;
	og_cleanup_close int lfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (depth > OG_USTAR_MAX_DEPTH)
		return og_fail(e, "tar: %s: deeper than %d directories", prefix, OG_USTAR_MAX_DEPTH);
	if (lfd < 0 || (d = fdopendir(og_steal_fd(&lfd))) == NULL)
		return og_fail_errno(e, errno, "tar: %s", prefix[0] ? prefix : ".");
	closedir(d);
	/* scandirat sorts: the same tree always makes the same bytes. */
	n = scandirat(dfd, ".", &list, NULL, alphasort);
	if (n < 0)
		return og_fail_errno(e, errno, "tar: %s", prefix[0] ? prefix : ".");
	for (int i = 0; i < n; i++) {
		const char *nm = list[i]->d_name;
		char name[OG_USTAR_MAX_NAME + 2];
		struct stat st;
		og_cleanup_close int fd = -1;

		if (rc < 0 || strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
			continue;
		if (og_bfmt(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "/" : "", nm) >= (int)sizeof name - 1) {
			rc = og_fail(e, "tar: %s/%s: name longer than %d bytes", prefix, nm, OG_USTAR_MAX_NAME);
			continue;
		}
		fd = openat(dfd, nm, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 || fstat(fd, &st) < 0) {
			rc = og_fail_errno(e, errno, "tar: %s (only files and directories are archived)", name);
			continue;
		}
		if (S_ISDIR(st.st_mode))
			rc = og_ustar_add_dir(w, name, e) < 0 ? -1 : add_tree_at(w, fd, name, depth + 1, e);
		else if (S_ISREG(st.st_mode))
			rc = add_file_fd(w, name, fd, (uint64_t)st.st_size, e);
		else
			rc = og_fail(e, "tar: %s: not a regular file or directory", name);
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return rc;
}

int og_ustar_add_tree(struct og_ustar_writer *w, const char *src, const char *prefix, og_error *e)
{
	og_cleanup_close int dfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dfd < 0)
		return og_fail_errno(e, errno, "tar: %s", src);
	if (prefix[0] != '\0' && og_ustar_add_dir(w, prefix, e) < 0)
		return -1;
	return add_tree_at(w, dfd, prefix, prefix[0] != '\0', e);
}

int og_ustar_finish(struct og_ustar_writer *w, og_error *e)
{
	static const unsigned char zeros[2 * OG_USTAR_BLOCK];

	if (fwrite(zeros, 1, sizeof zeros, w->out) != sizeof zeros)
		return og_fail_errno(e, errno, "tar: write");
	w->written += sizeof zeros;
	return 0;
}

/* ------------------------------------------------------------------ reader */

/* Read exactly n bytes unless the input ends: the count read. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* An octal field: digits, then NULs or spaces to its end (leading spaces
 * allowed); base-256 and anything else refused. */
static int parse_octal(const unsigned char *f, size_t width, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;
	int digits = 0;

	while (i < width && f[i] == ' ')
		i++;
	for (; i < width && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
		if (v > (UINT64_MAX >> 3))
			return -1;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	if (digits == 0)
		return -1;
	for (; i < width; i++)
		if (f[i] != '\0' && f[i] != ' ')
			return -1;
	*out = v;
	return 0;
}

static int all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* The entry's name from prefix and name, checked; a directory's one
 * trailing '/' is removed.  Names are for messages too: printable only. */
static int entry_name(const unsigned char *h, int is_dir, char out[OG_USTAR_MAX_NAME + 1], og_error *e)
{
	size_t nlen = strnlen((const char *)h + H_NAME, 100), plen = strnlen((const char *)h + H_PREFIX, 155);
	size_t len = 0, depth = 1;
	const char *p, *c;

	if (plen > 0) {
		memcpy(out, h + H_PREFIX, plen);
		out[plen] = '/';
		len = plen + 1;
	}
	memcpy(out + len, h + H_NAME, nlen);
	len += nlen;
	out[len] = '\0';
	if (is_dir && len > 0 && out[len - 1] == '/')
		out[--len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (out[i] < 0x21 || out[i] > 0x7e || out[i] == '\\') {
			out[i] = '\0';
			return og_fail(e, "tar entry \"%s...\": a name of printable ASCII without spaces is expected",
				       out);
		}
	if (len == 0)
		return og_fail(e, "tar entry with an empty name");
	if (len > OG_USTAR_MAX_NAME)
		return og_fail(e, "tar entry \"%.64s...\": name longer than %d bytes", out, OG_USTAR_MAX_NAME);
	if (out[0] == '/')
		return og_fail(e, "tar entry \"%s\": absolute name", out);
	for (p = out;; p = c + 1) {
		size_t clen;

		c = strchr(p, '/');
		clen = c ? (size_t)(c - p) : strlen(p);
		if (clen == 0)
			return og_fail(e, "tar entry \"%s\": empty name component", out);
		if ((clen == 1 && p[0] == '.') || (clen == 2 && p[0] == '.' && p[1] == '.'))
			return og_fail(e, "tar entry \"%s\": \".\" or \"..\" in the name", out);
		if (c == NULL)
			break;
		if (++depth > OG_USTAR_MAX_DEPTH)
			return og_fail(e, "tar entry \"%s\": deeper than %d components", out, OG_USTAR_MAX_DEPTH);
	}
	return 0;
}

static const char *type_name(unsigned char t)
{
	switch (t) {
	case '1': return "a hard link";
	case '2': return "a symbolic link";
	case '3': return "a character device";
	case '4': return "a block device";
	case '6': return "a fifo";
	case '7': return "a contiguous file";
	case 'x': case 'g': return "a pax extended header";
	case 'L': case 'K': return "a GNU long name header";
	default: return "an unknown entry type";
	}
}

/* The header's fields, checked: type '0'/'5', size. */
static int check_header(const unsigned char *h, uint64_t offset, char *type, uint64_t *size, og_error *e)
{
	uint64_t sum, mode;

	if (parse_octal(h + H_CHKSUM, 8, &sum) < 0 || sum != header_sum(h))
		return og_fail(e, "tar header at byte %" PRIu64 ": bad checksum", offset);
	if (memcmp(h + H_MAGIC, "ustar", 6) != 0 || memcmp(h + H_VERSION, "00", 2) != 0)
		return og_fail(e, "tar header at byte %" PRIu64 ": not a POSIX ustar header", offset);
	*type = (char)(h[H_TYPE] == '\0' ? '0' : h[H_TYPE]);
	if (*type != '0' && *type != '5')
		return og_fail(e, "tar header at byte %" PRIu64 " (\"%.100s\"): %s, only regular files and "
			       "directories are accepted", offset, (const char *)h + H_NAME, type_name(h[H_TYPE]));
	if (parse_octal(h + H_SIZE, 12, size) < 0 || parse_octal(h + H_MODE, 8, &mode) < 0)
		return og_fail(e, "tar header at byte %" PRIu64 ": bad size or mode field", offset);
	if (*type == '5' && *size != 0)
		return og_fail(e, "tar header at byte %" PRIu64 ": a directory with a size", offset);
	if (h[H_LINKNAME] != '\0')
		return og_fail(e, "tar header at byte %" PRIu64 ": a link name on a %s", offset,
			       *type == '5' ? "directory" : "regular file");
	return 0;
}

/* The directory holding name's last component, opened below destfd without
 * following anything: every component was made by this extraction.  A
 * one-entry cache holds the last parent (entries come directory by
 * directory). */
struct parent_cache {
	char path[OG_USTAR_MAX_NAME + 1];
	int fd;
};

static int open_parent(int destfd, struct parent_cache *pc, const char *name, const char **base, og_error *e)
{
	const char *slash = strrchr(name, '/');
	size_t plen = slash ? (size_t)(slash - name) : 0;
	char part[OG_USTAR_MAX_NAME + 1];
	int fd;

	*base = slash ? slash + 1 : name;
	if (plen == 0)
		return destfd;
	if (pc->fd >= 0 && strlen(pc->path) == plen && memcmp(pc->path, name, plen) == 0)
		return pc->fd;
	memcpy(part, name, plen);
	part[plen] = '\0';
	fd = dup(destfd);
	for (char *p = part, *next; fd >= 0 && p != NULL; p = next) {
		int sub;

		next = strchr(p, '/');
		if (next != NULL)
			*next++ = '\0';
		sub = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = sub;
	}
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return og_fail(e, "tar entry \"%s\": its directory is not in the archive before it", name);
		return og_fail_errno(e, errno, "tar entry \"%s\"", name);
	}
	og_closep(&pc->fd);
	memcpy(pc->path, name, plen);
	pc->path[plen] = '\0';
	pc->fd = fd;
	return fd;
}

static int copy_out(int in, int out, const char *name, uint64_t size, og_error *e)
{
	char buf[COPY_CHUNK];
	uint64_t left = size;

	while (left > 0) {
		size_t want = left < sizeof buf ? (size_t)left : sizeof buf;
		ssize_t n = read_full(in, buf, want);

		if (n < 0)
			return og_fail_errno(e, errno, "tar: read");
		if ((size_t)n < want)
			return og_fail(e, "tar entry \"%s\": the archive ends inside it", name);
		for (size_t off = 0; off < (size_t)n;) {
			ssize_t w = write(out, buf + off, (size_t)n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return og_fail_errno(e, errno, "tar entry \"%s\": write", name);
			off += (size_t)w;
		}
		left -= (uint64_t)n;
	}
	return 0;
}

static int skip_padding(int in, uint64_t size, og_error *e)
{
	unsigned char pad[OG_USTAR_BLOCK];
	size_t n = (size_t)((OG_USTAR_BLOCK - size % OG_USTAR_BLOCK) % OG_USTAR_BLOCK);

	if (n > 0 && read_full(in, pad, n) != (ssize_t)n)
		return og_fail(e, "tar: the archive ends inside a file's padding");
	return 0;
}

static int make_entry(int in, int destfd, struct parent_cache *pc, const char *name, char type, uint64_t size,
		      og_error *e)
{
	const char *base;
	int pfd = open_parent(destfd, pc, name, &base, e);
	og_cleanup_close int fd = -1;

	if (pfd < 0)
		return -1;
	if (type == '5') {
		if (mkdirat(pfd, base, 0700) < 0)
			return errno == EEXIST ? og_fail(e, "tar entry \"%s\": listed twice", name)
					       : og_fail_errno(e, errno, "tar entry \"%s\"", name);
		fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fchmod(fd, 0755) < 0)
			return og_fail_errno(e, errno, "tar entry \"%s\"", name);
		return 0;
	}
	fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? og_fail(e, "tar entry \"%s\": listed twice", name)
				       : og_fail_errno(e, errno, "tar entry \"%s\"", name);
	if (copy_out(in, fd, name, size, e) < 0 || skip_padding(in, size, e) < 0)
		return -1;
	if (fchmod(fd, 0644) < 0)
		return og_fail_errno(e, errno, "tar entry \"%s\"", name);
	return 0;
}

static int dir_is_empty(int dirfd, og_error *e)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return og_fail_errno(e, errno, "tar: destination");
	}
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n == 0 ? 0 : og_fail(e, "tar: the destination directory is not empty");
}

/* After the end blocks: nothing but zeros. */
static int check_trailer(int in, og_error *e)
{
	unsigned char buf[COPY_CHUNK];
	ssize_t n;

	while ((n = read_full(in, buf, sizeof buf)) > 0)
		if (!all_zero(buf, (size_t)n))
			return og_fail(e, "tar: data after the end of the archive");
	return n < 0 ? og_fail_errno(e, errno, "tar: read") : 0;
}

static int extract(int in, int destfd, const struct og_ustar_limits *lim, og_ustar_file_fn file_cb, void *ctx,
		   struct og_ustar_stats *st, og_error *e)
{
	struct parent_cache pc = { .fd = -1 };
	unsigned char h[OG_USTAR_BLOCK];
	uint64_t offset = 0;
	int rc = -1;

	for (;;) {
		char name[OG_USTAR_MAX_NAME + 1], type = 0;
		uint64_t size = 0;
		ssize_t n = read_full(in, h, sizeof h);

		if (n < 0) {
			og_fail_errno(e, errno, "tar: read");
			break;
		}
		if (n < (ssize_t)sizeof h) {
			og_fail(e, "tar: the archive ends without its end-of-archive blocks");
			break;
		}
		if (all_zero(h, sizeof h)) {
			if (read_full(in, h, sizeof h) != (ssize_t)sizeof h || !all_zero(h, sizeof h)) {
				og_fail(e, "tar: a lone zero block at byte %" PRIu64 " (the end needs two)", offset);
				break;
			}
			rc = check_trailer(in, e);
			break;
		}
		if (check_header(h, offset, &type, &size, e) < 0 || entry_name(h, type == '5', name, e) < 0)
			break;
		if (st->files + st->dirs >= lim->max_entries) {
			og_fail(e, "tar: more than %zu entries", lim->max_entries);
			break;
		}
		if (size > lim->max_file_bytes) {
			og_fail(e, "tar entry \"%s\": %" PRIu64 " bytes, more than the limit of %" PRIu64, name, size,
				lim->max_file_bytes);
			break;
		}
		if (st->bytes + size > lim->max_total_bytes) {
			og_fail(e, "tar: the files add up to more than the limit of %" PRIu64 " bytes",
				lim->max_total_bytes);
			break;
		}
		if (make_entry(in, destfd, &pc, name, type, size, e) < 0)
			break;
		if (type == '5') {
			st->dirs++;
		} else {
			st->files++;
			st->bytes += size;
			if (file_cb != NULL && file_cb(ctx, name, e) < 0)
				break;
		}
		offset += OG_USTAR_BLOCK + (size + OG_USTAR_BLOCK - 1) / OG_USTAR_BLOCK * OG_USTAR_BLOCK;
	}
	og_closep(&pc.fd);
	return rc;
}

int og_ustar_extract(int fd, int destfd, const struct og_ustar_limits *lim, og_ustar_file_fn file_cb,
		     void *ctx, struct og_ustar_stats *st, og_error *e)
{
	og_error ignored = { 0 };

	memset(st, 0, sizeof *st);
	if (dir_is_empty(destfd, e) < 0)
		return -1;
	if (extract(fd, destfd, lim, file_cb, ctx, st, e) == 0)
		return 0;
	(void)og_ustar_empty_dir(destfd, &ignored);
	return -1;
}

int og_ustar_empty_dir(int dirfd, og_error *e)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return og_fail_errno(e, errno, "remove");
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = og_fail_errno(e, errno, "remove %s", de->d_name);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			og_cleanup_close int sub = openat(dirfd, de->d_name,
							  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0 || og_ustar_empty_dir(sub, e) < 0 || unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0)
				rc = og_fail_errno(e, errno, "remove %s", de->d_name);
		} else if (unlinkat(dirfd, de->d_name, 0) < 0) {
			rc = og_fail_errno(e, errno, "remove %s", de->d_name);
		}
	}
	closedir(d);
	return rc;
}
