#include "verify/trust/trust_state.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/strfmt.h"
#include "hook/base/strict_modes.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_FILE_MAX 64

/* StrictModes on path, which must be of type want if it exists. */
static int check_part(const char *path, mode_t want, og_error *e)
{
	struct stat st;

	if (og_strict_modes(path, geteuid(), &st, e) < 0) {
		if (e->errnum != ENOENT)
			return og_wrap(e, "rollback state");
		og_error_clear(e);
		return 0;
	}
	if ((st.st_mode & S_IFMT) != want)
		return og_fail(e, "rollback state %s: not a %s", path,
			       want == S_IFDIR ? "directory" : "regular file");
	return 0;
}

int og_trust_state_check(const char *state_dir, og_error *e)
{
	return og_trust_state_check_file(state_dir, OG_TRUST_STATE_FILE, e);
}

int og_trust_state_check_file(const char *state_dir, const char *file, og_error *e)
{
	char path[PATH_MAX];

	if (og_bfmt(path, sizeof path, "%s/%s", state_dir, file) >= (int)sizeof path)
		return og_fail(e, "rollback state %s: path too long", state_dir);
	return check_part(state_dir, S_IFDIR, e) < 0 ? -1 : check_part(path, S_IFREG, e);
}

static int parse_version(const og_buf *b, int64_t *out)
{
	int64_t v = 0;
	size_t i = 0;

	for (; i < b->len && b->data[i] >= '0' && b->data[i] <= '9'; i++) {
		v = v * 10 + (b->data[i] - '0');
		if (v > OG_TRUST_MAX_VERSION)
			return -1;
	}
	if (i == 0 || (i < b->len && !(b->data[i] == '\n' && i + 1 == b->len)))
		return -1;
	*out = v;
	return 0;
}

/* The floor `file` in the state directory dfd (checked): 0 when there is none. */
static int read_floor(int dfd, const char *state_dir, const char *file, int64_t *version, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	og_error re = { 0 };

	*version = 0;
	if (og_read_file_at(dfd, file, STATE_FILE_MAX, &b, &re) < 0) {
		if (re.errnum == ENOENT)
			return 0;
		return og_fail(e, "state file %s/%s: %s", state_dir, file, re.msg);
	}
	if (parse_version(&b, version) < 0)
		return og_fail(e, "state file %s/%s: not a version number", state_dir, file);
	return 0;
}

static int open_state_dir(const char *state_dir)
{
	return open(state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int og_trust_state_read(const char *state_dir, int64_t *version, og_error *e)
{
	return og_trust_state_read_file(state_dir, OG_TRUST_STATE_FILE, version, e);
}

int og_trust_state_read_file(const char *state_dir, const char *file, int64_t *version, og_error *e)
{
	og_cleanup_close int dfd = -1;

	*version = 0;
	if (og_trust_state_check_file(state_dir, file, e) < 0)
		return -1;
	dfd = open_state_dir(state_dir);
	if (dfd < 0 && errno == ENOENT)
		return 0;
	if (dfd < 0)
		return og_fail_errno(e, errno, "state directory %s", state_dir);
	return read_floor(dfd, state_dir, file, version, e);
}

int og_trust_state_lock(const char *state_dir, struct og_trust_state_lock *l, og_error *e)
{
	return og_trust_state_lock_file(state_dir, OG_TRUST_STATE_FILE, l, e);
}

int og_trust_state_lock_file(const char *state_dir, const char *file, struct og_trust_state_lock *l,
			     og_error *e)
{
	og_cleanup_close int dfd = -1;

	*l = (struct og_trust_state_lock){ .dir = state_dir, .file = file, .dirfd = -1 };
	/* Checked before it is created: no state made below a directory others may write. */
	if (og_trust_state_check_file(state_dir, file, e) < 0)
		return -1;
	dfd = open_state_dir(state_dir);
	if (dfd < 0 && errno == ENOENT) {
		if (og_mkdir_p(state_dir, 0700, e) < 0)
			return og_wrap(e, "state directory");
		if (og_trust_state_check_file(state_dir, file, e) < 0)
			return -1;
		dfd = open_state_dir(state_dir);
	}
	if (dfd < 0)
		return og_fail_errno(e, errno, "state directory %s", state_dir);
	while (flock(dfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return og_fail_errno(e, errno, "rollback state %s: lock", state_dir);
	if (read_floor(dfd, state_dir, file, &l->version, e) < 0)
		return -1;
	l->dirfd = og_steal_fd(&dfd);
	return 0;
}

static int write_floor(struct og_trust_state_lock *l, const char *file, int64_t version, og_error *e)
{
	char text[32];
	int n;

	n = og_bfmt(text, sizeof text, "%" PRId64 "\n", version);
	if (og_write_file_atomic(l->dirfd, file, text, (size_t)n, 0600, e) < 0)
		return og_wrap(e, "cannot record the accepted version in %s/%s", l->dir, file);
	return 0;
}

int og_trust_state_record(struct og_trust_state_lock *l, int64_t version, og_error *e)
{
	if (version <= l->version)
		return 0;
	if (write_floor(l, l->file, version, e) < 0)
		return -1;
	l->version = version;
	return 0;
}

int og_trust_state_floor_at(const struct og_trust_state_lock *l, const char *file, int64_t *version,
			    og_error *e)
{
	*version = 0;
	if (l->dirfd < 0)
		return og_fail(e, "rollback state %s: not locked", l->dir);
	if (og_trust_state_check_file(l->dir, file, e) < 0)
		return -1;
	return read_floor(l->dirfd, l->dir, file, version, e);
}

int og_trust_state_record_file(struct og_trust_state_lock *l, const char *file, int64_t version,
			       og_error *e)
{
	int64_t floor;

	if (strcmp(file, l->file) == 0)
		return og_trust_state_record(l, version, e);
	if (og_trust_state_floor_at(l, file, &floor, e) < 0)
		return -1;
	return version <= floor ? 0 : write_floor(l, file, version, e);
}

void og_trust_state_unlock(struct og_trust_state_lock *l)
{
	og_closep(&l->dirfd);	/* closing the last descriptor releases the flock */
	l->dirfd = -1;
}

int og_trust_state_raise(const char *state_dir, int64_t version, og_error *e)
{
	og_cleanup_trust_state struct og_trust_state_lock l = { .dirfd = -1 };

	if (og_trust_state_lock(state_dir, &l, e) < 0)
		return -1;
	return og_trust_state_record(&l, version, e);
}
