#include "verify/trust/trust_cache.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/timeutil.h"
#include "verify/common/keys.h"
#include "verify/common/digest.h"
#include "hook/base/strfmt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_DIR "verified"
#define ROOTS_RECORD "store-signatures"	/* never 64 hex: no digest's record */
#define RECORD_MAX (OG_TRUST_CACHE_FP_MAX + 1024)
#define MAX_ENTRIES_FINGERPRINTED 64

static int append(char *fp, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append(char *fp, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(fp + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

/* Identity and change time of a file whose status is st. */
static int stat_text(char *fp, size_t size, size_t *len, const char *tag, const struct stat *st)
{
	return append(fp, size, len, " %s=%ju:%ju:%jd:%jd.%ld:%jd.%ld", tag, (uintmax_t)st->st_dev,
		      (uintmax_t)st->st_ino, (intmax_t)st->st_size, (intmax_t)st->st_mtim.tv_sec,
		      st->st_mtim.tv_nsec, (intmax_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

/* The same for a file by name; a missing file is recorded as such. */
static int stat_part(char *fp, size_t size, size_t *len, const char *tag, int dirfd,
		     const char *path)
{
	struct stat st;

	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return -1;
		return append(fp, size, len, " %s=-", tag);
	}
	return stat_text(fp, size, len, tag, &st);
}

void og_trust_cache_settings_hash(const char *const *parts, size_t n, char out[17])
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		for (const unsigned char *c = (const unsigned char *)parts[i]; *c; c++)
			h = (h ^ *c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;	/* separator */
	}
	og_bfmt(out, 17, "%016llx", (unsigned long long)h);
}

int og_trust_cache_fingerprint(const struct og_trust_cache_inputs *in, char *fp, size_t size)
{
	char path[4200];
	size_t len = 0;
	DIR *d;
	struct dirent *de;
	int count = 0;

	if (append(fp, size, &len, "v1 policy=%s image=%s(%s)", in->policy_fingerprint,
		   in->image_repository, in->image_name_from) < 0 ||
	    stat_part(fp, size, &len, "store", AT_FDCWD, in->store) < 0)
		return -1;
	og_bfmt(path, sizeof path, "%s.sig", in->store);
	if (stat_part(fp, size, &len, "storesig", AT_FDCWD, path) < 0)
		return -1;
	for (size_t i = 0; i < in->nroot; i++)
		if (stat_part(fp, size, &len, "root", AT_FDCWD, in->root_keys[i]) < 0)
			return -1;
	og_bfmt(path, sizeof path, "%s/trust-version", in->state_dir);
	if (stat_part(fp, size, &len, "state", AT_FDCWD, path) < 0)
		return -1;
	/* The signature entries for this digest, each one: an entry rewritten
	 * in place changes its own times, not its directory's. */
	og_bfmt(path, sizeof path, "%s/sha256/%s", in->signatures_dir, in->digest + 7);
	if (stat_part(fp, size, &len, "sigdir", AT_FDCWD, path) < 0)
		return -1;
	d = opendir(path);
	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (++count > MAX_ENTRIES_FINGERPRINTED ||
		    append(fp, size, &len, " %.80s", de->d_name) < 0 ||
		    stat_part(fp, size, &len, "e", dirfd(d), de->d_name) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

/* The cache directory, only when it is as trustworthy as the state it sits in. */
static int open_cache_dir(const char *state_dir, int create)
{
	og_cleanup_close int sfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd;
	struct stat st;

	if (sfd < 0)
		return -1;
	if (create && mkdirat(sfd, CACHE_DIR, 0700) < 0 && errno != EEXIST)
		return -1;
	fd = openat(sfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Record NAME in the cache directory: 1 and its text line when its
 * fingerprint line is fp and its until line has not passed; 0 otherwise. */
static int read_record(const char *state_dir, const char *name, const char *fp, char *text,
		       size_t tsize)
{
	og_cleanup_close int dfd = -1, fd = -1;
	og_cleanup_buf og_buf b = { 0 };
	og_error e = { 0 };
	struct stat st;
	char *nl1, *nl2, *end;
	long long until;

	if ((dfd = open_cache_dir(state_dir, 0)) < 0)
		return 0;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0)
		return 0;
	if (og_read_fd(fd, RECORD_MAX, 0, "verification record", &b, &e) < 0)
		return 0;
	/* fingerprint \n until \n text \n */
	nl1 = strchr(b.data, '\n');
	if (nl1 == NULL)
		return 0;
	*nl1 = '\0';
	if (strcmp(b.data, fp) != 0)
		return 0;
	nl2 = strchr(nl1 + 1, '\n');
	if (nl2 == NULL)
		return 0;
	*nl2 = '\0';
	errno = 0;
	until = strtoll(nl1 + 1, &end, 10);
	if (errno != 0 || *end != '\0' || until < 0 || (until != 0 && og_now() >= until))
		return 0;
	end = strchr(nl2 + 1, '\n');
	if (end != NULL)
		*end = '\0';
	og_bfmt(text, tsize, "%s", nl2 + 1);
	return 1;
}

static void write_record(const char *state_dir, const char *name, const char *fp, int64_t until,
			 const char *text)
{
	og_cleanup_close int dfd = -1;
	og_cleanup_free char *rec = NULL;
	char line[512];
	og_error e = { 0 };
	int n;

	if ((dfd = open_cache_dir(state_dir, 1)) < 0)
		return;
	/* The text is one printable line. */
	og_bfmt(line, sizeof line, "%s", text);
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	n = asprintf(&rec, "%s\n%lld\n%s\n", fp, (long long)until, line);
	if (n < 0)
		return;
	/* Not fsync'd: a record lost or emptied by a crash is a miss (the
	 * fingerprint line must match), which only means verifying again. */
	(void)og_write_cache_file(dfd, name, rec, (size_t)n, 0600, &e);
}

int og_trust_cache_lookup(const char *state_dir, const char *digest, const char *fp,
			  char *accepted, size_t asize)
{
	char text[512];

	if (!og_digest_valid(digest) || !read_record(state_dir, digest + 7, fp, text, sizeof text))
		return 0;
	og_bfmt(accepted, asize, "%s (verified before, inputs unchanged)", text);
	return 1;
}

void og_trust_cache_store(const char *state_dir, const char *digest, const char *fp, int64_t until,
			  const char *accepted)
{
	if (og_digest_valid(digest))
		write_record(state_dir, digest + 7, fp, until, accepted);
}

/* The store's signatures: keyed on the settings that decide them (store
 * path, threshold, root key paths) and the identity of every file they
 * were verified from, the store's as it was read. */
int og_trust_cache_roots_fingerprint(const char *store_path, int threshold, const char *const *root_keys,
				     size_t nroot, const struct stat *store, char *fp, size_t size)
{
	const char *parts[2 + OG_MAX_ROOT_KEYS];
	char path[4200], num[16], settings[17];
	size_t len = 0;

	if (nroot > OG_MAX_ROOT_KEYS)
		return -1;
	og_bfmt(num, sizeof num, "%d", threshold);
	parts[0] = store_path;
	parts[1] = num;
	for (size_t i = 0; i < nroot; i++)
		parts[2 + i] = root_keys[i];
	og_trust_cache_settings_hash(parts, 2 + nroot, settings);
	if (append(fp, size, &len, "v2 roots settings=%s", settings) < 0 ||
	    stat_text(fp, size, &len, "store", store) < 0)
		return -1;
	og_bfmt(path, sizeof path, "%s.sig", store_path);
	if (stat_part(fp, size, &len, "storesig", AT_FDCWD, path) < 0)
		return -1;
	for (size_t i = 0; i < nroot; i++)
		if (stat_part(fp, size, &len, "root", AT_FDCWD, root_keys[i]) < 0)
			return -1;
	return 0;
}

int og_trust_cache_roots_lookup(const char *state_dir, const char *fp, size_t *nsigned)
{
	return og_trust_cache_roots_lookup_named(state_dir, ROOTS_RECORD, fp, nsigned);
}

void og_trust_cache_roots_store(const char *state_dir, const char *fp, size_t nsigned)
{
	og_trust_cache_roots_store_named(state_dir, ROOTS_RECORD, fp, nsigned);
}

int og_trust_cache_roots_lookup_named(const char *state_dir, const char *name, const char *fp,
				      size_t *nsigned)
{
	char text[64], *end;
	unsigned long n;

	if (!read_record(state_dir, name, fp, text, sizeof text))
		return 0;
	errno = 0;
	n = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || n == 0 || n > OG_MAX_ROOT_KEYS)
		return 0;
	*nsigned = n;
	return 1;
}

void og_trust_cache_roots_store_named(const char *state_dir, const char *name, const char *fp, size_t nsigned)
{
	char text[32];

	og_bfmt(text, sizeof text, "%zu", nsigned);
	write_record(state_dir, name, fp, 0, text);
}
