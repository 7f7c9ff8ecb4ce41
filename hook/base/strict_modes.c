#include "hook/base/strict_modes.h"
#include "hook/base/strfmt.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

/* One entry on the way (last: the file itself, not a directory above it). */
static int check_entry(const char *path, const struct stat *st, uid_t owner, int last, og_error *e)
{
	if (st->st_uid != 0 && st->st_uid != owner) {
		if (owner == 0)
			return og_fail(e, "%s is owned by uid %u, not root: refusing to trust it", path,
				       (unsigned)st->st_uid);
		return og_fail(e, "%s is owned by uid %u, not root or uid %u: refusing to trust it", path,
			       (unsigned)st->st_uid, (unsigned)owner);
	}
	if (S_ISLNK(st->st_mode))
		return 0;	/* a link's own mode means nothing; its directory was checked */
	if (!last && !S_ISDIR(st->st_mode))
		return og_fail_errno(e, ENOTDIR, "%s", path);
	if ((st->st_mode & 022) == 0 || (!last && (st->st_mode & S_ISVTX)))
		return 0;
	return og_fail(e, "%s is group- or world-writable (mode %04o)%s: refusing to trust %s", path,
		       (unsigned)(st->st_mode & 07777), last ? "" : " and not sticky",
		       last ? "it" : "what is below it");
}

/* The next component of *todo (leading slashes skipped) into comp, *todo
 * moved past it: 1, or 0 when nothing is left, -1 for a name too long. */
static int next_component(const char **todo, char comp[NAME_MAX + 1], og_error *e)
{
	const char *s = *todo + strspn(*todo, "/");
	size_t n = strcspn(s, "/");

	if (n > NAME_MAX)
		return og_fail(e, "%.*s...: name too long", 64, s);
	memcpy(comp, s, n);
	comp[n] = '\0';
	*todo = s + n;
	return n > 0;
}

/* Replace the walk still to do by the link's target followed by the rest. */
static int splice_link(const char *path, const char *rest, char todo[PATH_MAX], og_error *e)
{
	char target[PATH_MAX], next[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof target - 1);
	int len;

	if (n < 0)
		return og_fail_errno(e, errno, "%s", path);
	target[n] = '\0';
	len = og_bfmt(next, sizeof next, "%s%s", target, rest);
	if (len < 0 || (size_t)len >= sizeof next)
		return og_fail(e, "%s: the resolved path is too long", path);
	memcpy(todo, next, (size_t)len + 1);
	return 0;
}

int og_strict_modes(const char *path, uid_t owner, struct stat *st, og_error *e)
{
	char done[PATH_MAX] = "";	/* the resolved way so far, all checked; "" is "/" */
	char todo[PATH_MAX], here[PATH_MAX], comp[NAME_MAX + 1];
	const char *walk;
	int links = 0, more, settled;	/* settled: *st is the last component's, checked */

	if (path == NULL || path[0] != '/')
		return og_fail(e, "%s: not an absolute path", path ? path : "(null)");
	if (strlen(path) >= sizeof todo)
		return og_fail(e, "%.64s...: path too long", path);
	memcpy(todo, path, strlen(path) + 1);
	if (lstat("/", st) < 0)
		return og_fail_errno(e, errno, "/");
	settled = todo[strspn(todo, "/")] == '\0';
	if (check_entry("/", st, owner, settled, e) < 0)
		return -1;
	for (walk = todo; (more = next_component(&walk, comp, e)) > 0;) {
		int last = walk[strspn(walk, "/")] == '\0';

		settled = 0;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			*(strrchr(done, '/') ? strrchr(done, '/') : done) = '\0';
			continue;
		}
		if (og_bfmt(here, sizeof here, "%s/%s", done, comp) >= (int)sizeof here)
			return og_fail(e, "%s/%s: path too long", done, comp);
		if (lstat(here, st) < 0)
			return og_fail_errno(e, errno, "%s", here);
		if (check_entry(here, st, owner, last, e) < 0)
			return -1;
		if (S_ISLNK(st->st_mode)) {
			if (last)
				return og_fail(e, "%s: is a symbolic link", here);
			if (++links > OG_STRICT_MAX_LINKS)
				return og_fail(e, "%s: too many symbolic links", path);
			/* An absolute target starts again from "/", which is checked. */
			if (splice_link(here, walk, todo, e) < 0)
				return -1;
			if (todo[0] == '/')
				done[0] = '\0';
			walk = todo;
			continue;
		}
		memcpy(done, here, strlen(here) + 1);
		settled = last;
	}
	if (more < 0)
		return -1;
	/* A path ending in "." or "..": the directory it names is the file. */
	if (!settled) {
		const char *d = done[0] ? done : "/";

		if (lstat(d, st) < 0)
			return og_fail_errno(e, errno, "%s", d);
		return check_entry(d, st, owner, 1, e);
	}
	return 0;
}
