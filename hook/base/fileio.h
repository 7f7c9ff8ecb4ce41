/* Bounded, link-refusing file access.  Every read of outside input names a
 * maximum size and fails clearly past it; files are opened without following
 * symbolic links, and files inside a bundle or a store are opened relative to
 * a directory fd so a path can never climb out of it. */
#ifndef OCIGATE_FILEIO_H
#define OCIGATE_FILEIO_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "hook/base/error.h"

typedef struct og_buf {
	char *data;		/* len bytes, followed by a NUL (not counted) */
	size_t len;
	size_t mapped;		/* 0: malloc'd; else the length of data's mapping */
} og_buf;

/* Regular files this large are read into huge pages (fileio.c read_huge). */
#define OG_READ_HUGE_MIN ((size_t)1 << 20)

void og_buf_free(og_buf *b);
#define og_cleanup_buf __attribute__((cleanup(og_buf_free)))

/* Read fd to EOF, at most max bytes; `what` names the input in errors.
 * timeout_ms > 0 bounds the wait for data (stdin that never closes). */
int og_read_fd(int fd, size_t max, int timeout_ms, const char *what, og_buf *out, og_error *e);

/* Open `path` below dirfd: no symlinks anywhere in it, no "..", no absolute
 * path (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS). */
int og_open_beneath(int dirfd, const char *path, int flags, og_error *e);

/* A directory `sub` below `root`, as an O_PATH fd: root is the
 * administrator's choice (an absolute path, opened as given), and below it
 * nothing is followed (og_open_beneath).  -1 with the reason naming both. */
int og_open_store_dir(const char *root, const char *sub, og_error *e);

/* Read a regular file below dirfd (as og_open_beneath), at most max bytes. */
int og_read_file_at(int dirfd, const char *path, size_t max, og_buf *out, og_error *e);

/* Read a regular file named by an absolute path chosen by the administrator;
 * the last component must not be a symlink. */
int og_read_file(const char *path, size_t max, og_buf *out, og_error *e);

/* og_read_file, and the file's status as fstat(2) gives it after the last
 * read: a record keyed on the file's identity can tell whether the bytes read
 * are the ones it describes. */
int og_read_file_stat(const char *path, size_t max, og_buf *out, struct stat *st, og_error *e);

/* Replace dir/name atomically: temp file, fsync, rename, fsync dir.  A reader
 * sees the whole old file or the whole new one, never a torn one. */
int og_write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			 og_error *e);

/* The same without the two fsyncs (about 1.3 ms of a cold check here), for
 * caches whose loss only costs recomputing them: after a crash the file may
 * be the old one, the new one, or empty, and readers treat anything they
 * cannot match as a miss. */
int og_write_cache_file(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			og_error *e);

/* og_write_file_atomic in two steps, for a caller that must act between
 * the new bytes being durable and their rename into place (`trust install`
 * raises the rollback floor there): prepare writes and syncs a temporary
 * file beside name and puts its name in tmp; commit renames it over name
 * and syncs the directory.  A caller that gives up in between unlinks tmp. */
int og_write_file_prepare(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			  char tmp[NAME_MAX + 1], og_error *e);
int og_write_file_commit(int dirfd, const char *tmp, const char *name, og_error *e);

/* Create a directory (and its parents) with `mode` if it is missing. */
int og_mkdir_p(const char *path, mode_t mode, og_error *e);

#endif
