/* Content-addressed verdict cache: fixed-depth paths from validated digests,
 * opened component by component without following links. */
#include "verify/scan/scan_cache.h"
#include "hook/base/cleanup.h"
#include "verify/common/digest.h"
#include "hook/base/strict_modes.h"
#include "verify/scan/verdict.h"
#include "verify/scan/vex.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

OG_DEFINE_CLEANUP(DIR, closedir)

static const char *kind_dir(enum og_cache_kind kind)
{
	return kind == OG_CACHE_VEX ? "vex/sha256" : "sha256";
}

static int check_trusted(int fd, const char *what, uid_t owner, og_error *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return og_fail_errno(e, errno, "%s: fstat", what);
	if (st.st_uid != owner)
		return og_fail(e, "%s is owned by uid %u, not %u: refusing to trust it", what,
			       (unsigned)st.st_uid, (unsigned)owner);
	if ((st.st_mode & 022) != 0)
		return og_fail(e, "%s is group- or world-writable (mode %04o): refusing to trust it", what,
			       (unsigned)(st.st_mode & 07777));
	return 0;
}

/* Every directory above the cache too (hook/base/strict_modes.h): a
 * cache below a directory others may write can be swapped by rename(2)
 * there.  And fd must be the directory that was checked. */
static int check_trusted_way(const char *dir, int fd, uid_t owner, og_error *e)
{
	struct stat way, st;

	if (og_strict_modes(dir, owner, &way, e) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return og_fail_errno(e, errno, "%s: fstat", dir);
	if (way.st_dev != st.st_dev || way.st_ino != st.st_ino)
		return og_fail(e, "%s was replaced while it was checked", dir);
	return 0;
}

int og_scan_cache_open(const char *dir, int strict, uid_t owner, og_error *e)
{
	og_cleanup_close int fd = -1;

	if (dir == NULL || dir[0] != '/')
		return og_fail(e, "verdict cache %s: must be an absolute path", dir ? dir : "(null)");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return og_fail(e, "verdict cache %s: not a directory (or a symbolic link)", dir);
		return og_fail_errno(e, errno, "verdict cache %s", dir);
	}
	if (strict && (check_trusted(fd, "verdict cache directory", owner, e) < 0 ||
		       check_trusted_way(dir, fd, owner, e) < 0))
		return og_wrap(e, "verdict cache %s", dir);
	return og_steal_fd(&fd);
}

/* Split "sha256:<hex>" into the shard ("ab") and file name ("<hex>.json"). */
static int names_for(const char *digest, char shard[3], char file[80], og_error *e)
{
	if (!og_digest_valid(digest))
		return og_fail(e, "not a sha256:<64 lowercase hex> digest");
	memcpy(shard, digest + 7, 2);
	shard[2] = '\0';
	snprintf(file, 80, "%s.json", digest + 7);
	return 0;
}

/* Open dir components of `rel` one at a time below fd (no links). Returns
 * fd, -1 error, -2 absent. */
static int open_dirs(int fd, const char *rel, int strict, uid_t owner, int create, og_error *e)
{
	char buf[64], what[80];
	og_cleanup_close int cur = -1;
	char *save = NULL, *comp;
	int parent = fd;
	size_t off = 0;

	snprintf(buf, sizeof buf, "%s", rel);
	for (comp = strtok_r(buf, "/", &save); comp != NULL; comp = strtok_r(NULL, "/", &save)) {
		int next;

		if (create && mkdirat(parent, comp, 0755) < 0 && errno != EEXIST)
			return og_fail_errno(e, errno, "mkdir %.*s%s", (int)off, rel, comp);
		next = openat(parent, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			if (errno == ENOENT)
				return -2;
			if (errno == ELOOP || errno == ENOTDIR)
				return og_fail(e, "%.*s%s: not a directory (or a symbolic link)", (int)off,
					       rel, comp);
			return og_fail_errno(e, errno, "%.*s%s", (int)off, rel, comp);
		}
		og_closep(&cur);
		cur = next;
		parent = cur;
		off = (size_t)(comp - buf) + strlen(comp) + 1;
		snprintf(what, sizeof what, "%.*s", (int)off - 1, rel);
		if (strict && check_trusted(cur, what, owner, e) < 0)
			return -1;
	}
	return og_steal_fd(&cur);
}

static int open_shard(int cachefd, enum og_cache_kind kind, const char *shard, int strict,
		      uid_t owner, int create, og_error *e)
{
	char rel[32];

	snprintf(rel, sizeof rel, "%s/%s", kind_dir(kind), shard);
	return open_dirs(cachefd, rel, strict, owner, create, e);
}

/* Open the regular file for digest (what: its path in the cache, for
 * messages): 0 open (*fd, *st), 1 absent, -1 error. */
static int open_file(int cachefd, enum og_cache_kind kind, const char *digest, int strict,
		     uid_t owner, int *fd, struct stat *st, char what[128], og_error *e)
{
	char shard[3], file[80];
	og_cleanup_close int dfd = -1, f = -1;

	if (names_for(digest, shard, file, e) < 0)
		return -1;
	dfd = open_shard(cachefd, kind, shard, strict, owner, 0, e);
	if (dfd == -2)
		return 1;
	if (dfd < 0)
		return -1;
	snprintf(what, 128, "%s/%s/%s", kind_dir(kind), shard, file);
	f = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (f < 0) {
		if (errno == ENOENT)
			return 1;
		if (errno == ELOOP)
			return og_fail(e, "%s: is a symbolic link", what);
		return og_fail_errno(e, errno, "%s", what);
	}
	if (fstat(f, st) < 0)
		return og_fail_errno(e, errno, "%s: fstat", what);
	if (!S_ISREG(st->st_mode))
		return og_fail(e, "%s: not a regular file", what);
	if (strict && check_trusted(f, what, owner, e) < 0)
		return -1;
	*fd = og_steal_fd(&f);
	return 0;
}

int og_scan_cache_read(int cachefd, enum og_cache_kind kind, const char *digest, int strict,
		       uid_t owner, size_t max, og_buf *out, og_error *e)
{
	char what[128];
	og_cleanup_close int fd = -1;
	struct stat st;
	int r = open_file(cachefd, kind, digest, strict, owner, &fd, &st, what, e);

	if (r != 0)
		return r;
	if ((unsigned long long)st.st_size > max) {
		og_fail(e, "%s: %lld bytes, larger than the limit of %zu bytes", what,
			(long long)st.st_size, max);
		e->errnum = EFBIG;
		return -1;
	}
	return og_read_fd(fd, max, 0, what, out, e) < 0 ? -1 : 0;
}

int og_scan_cache_trusted(int cachefd, enum og_cache_kind kind, const char *digest, uid_t owner,
			  og_error *e)
{
	char what[128];
	og_cleanup_close int fd = -1;
	struct stat st;

	return open_file(cachefd, kind, digest, 1, owner, &fd, &st, what, e);
}

int og_scan_cache_fits(enum og_cache_kind kind, size_t len, og_error *e)
{
	size_t max = kind == OG_CACHE_VEX ? OG_MAX_VEX_FILE_BYTES : OG_MAX_VERDICT_BYTES;

	if (len <= max)
		return 0;
	og_fail(e, "%zu bytes, more than the %zu bytes the hook reads for one %s file", len, max,
		kind == OG_CACHE_VEX ? "VEX" : "verdict");
	e->errnum = EFBIG;
	return -1;
}

int og_scan_cache_lock(int cachefd, const char *dir, og_error *e)
{
	const struct timespec pause = { 0, 10 * 1000 * 1000 };
	int waited_ms = 0;

	/* Polled rather than blocking, so a writer that hangs holding the lock
	 * costs the next one a bounded wait and a clear error. */
	while (flock(cachefd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return og_fail_errno(e, errno, "verdict cache %s: lock", dir);
		if (waited_ms >= OG_SCAN_CACHE_LOCK_WAIT_MS)
			return og_fail(e, "verdict cache %s: another import or gc has held it for %d s; "
				       "try again when it is done", dir, OG_SCAN_CACHE_LOCK_WAIT_MS / 1000);
		nanosleep(&pause, NULL);
		waited_ms += 10;
	}
	return 0;
}

int og_scan_cache_write(int cachefd, enum og_cache_kind kind, const char *digest,
			const void *data, size_t len, og_error *e)
{
	char shard[3], file[80];
	og_cleanup_close int dfd = -1;

	if (names_for(digest, shard, file, e) < 0 || og_scan_cache_fits(kind, len, e) < 0)
		return -1;
	dfd = open_shard(cachefd, kind, shard, 0, 0, 1, e);
	if (dfd == -2)
		return og_fail(e, "%s/%s: vanished while being created", kind_dir(kind), shard);
	if (dfd < 0)
		return -1;
	if (og_write_file_atomic(dfd, file, data, len, 0644, e) < 0)
		return og_wrap(e, "%s/%s", kind_dir(kind), shard);
	return 0;
}

int og_scan_cache_remove(int cachefd, enum og_cache_kind kind, const char *digest, og_error *e)
{
	char shard[3], file[80];
	og_cleanup_close int dfd = -1;

	if (names_for(digest, shard, file, e) < 0)
		return -1;
	dfd = open_shard(cachefd, kind, shard, 0, 0, 0, e);
	if (dfd == -2)
		return 1;
	if (dfd < 0)
		return -1;
	if (unlinkat(dfd, file, 0) < 0) {
		if (errno == ENOENT)
			return 1;
		return og_fail_errno(e, errno, "%s/%s/%s", kind_dir(kind), shard, file);
	}
	return 0;
}

/* n hex digits, then the end of the name or a '.' (file suffix). */
static int is_hex(const char *s, size_t n)
{
	return strnlen(s, n) == n && og_hex_prefix_valid(s, n) && (s[n] == '\0' || s[n] == '.');
}

int og_scan_cache_foreach(int cachefd, enum og_cache_kind kind, og_scan_cache_fn fn, void *arg,
			  og_error *e)
{
	og_cleanup(closedir) DIR *top = NULL;
	og_cleanup_close int tfd = open_dirs(cachefd, kind_dir(kind), 0, 0, 0, e);
	struct dirent *de;

	if (tfd == -2)
		return 0;
	if (tfd < 0)
		return -1;
	top = fdopendir(tfd);
	if (top == NULL)
		return og_fail_errno(e, errno, "%s", kind_dir(kind));
	og_steal_fd(&tfd);
	while ((de = readdir(top)) != NULL) {
		og_cleanup(closedir) DIR *sub = NULL;
		og_cleanup_close int sfd = -1;
		struct dirent *f;

		if (strlen(de->d_name) != 2 || !is_hex(de->d_name, 2))
			continue;
		sfd = openat(dirfd(top), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sfd < 0)
			continue;
		sub = fdopendir(sfd);
		if (sub == NULL)
			return og_fail_errno(e, errno, "%s/%s", kind_dir(kind), de->d_name);
		og_steal_fd(&sfd);
		while ((f = readdir(sub)) != NULL) {
			char digest[8 + 64];

			if (strlen(f->d_name) != 69 || !is_hex(f->d_name, 64) ||
			    strcmp(f->d_name + 64, ".json") != 0 || memcmp(f->d_name, de->d_name, 2) != 0)
				continue;
			snprintf(digest, sizeof digest, "sha256:%.64s", f->d_name);
			if (fn(digest, arg) < 0)
				return -1;
		}
	}
	return 0;
}
