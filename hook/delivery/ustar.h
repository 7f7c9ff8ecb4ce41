/* A minimal POSIX ustar writer, and a strict reader for hostile archives
 * (the trust bundle's layers, docs/trust-bundle.md).
 *
 * The writer makes what the reader accepts: directories before what they
 * hold, names relative and normalised, modes 0755/0644, owner 0, mtime 0,
 * no extension headers.
 *
 * The reader accepts only that: POSIX ustar headers ("ustar\0" "00") with a
 * valid checksum, of type regular file or directory (symbolic and hard
 * links, devices, fifos, pax and GNU extension headers are refused); names
 * relative, without empty, "." or ".." components, at most
 * OG_USTAR_MAX_NAME bytes and OG_USTAR_MAX_DEPTH components, of printable
 * ASCII; every parent listed (as a directory) before its contents; no name
 * twice; per-file size, entry count and total size within the limits; the
 * end-of-archive blocks present and nothing but zeros after them.  It writes
 * below a directory fd that must be empty, with openat/mkdirat, O_NOFOLLOW
 * and O_EXCL, modes set here (0644/0755, owned by the caller), and never
 * follows or reuses anything already there.  On any refusal the directory is
 * emptied again: nothing is left behind. */
#ifndef OCIGATE_USTAR_H
#define OCIGATE_USTAR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hook/base/error.h"

#define OG_USTAR_BLOCK 512
#define OG_USTAR_MAX_NAME 255		/* prefix (155) + "/" + name (100), less one */
#define OG_USTAR_MAX_DEPTH 8

struct og_ustar_limits {
	size_t max_entries;		/* files and directories */
	uint64_t max_file_bytes;	/* one file */
	uint64_t max_total_bytes;	/* all files */
};

struct og_ustar_stats {
	size_t files, dirs;
	uint64_t bytes;
};

/* Writer: entries go to out (buffered; the caller fflushes/fsyncs). */
struct og_ustar_writer {
	FILE *out;
	uint64_t written;
	size_t files;		/* regular files added */
};
int og_ustar_add_dir(struct og_ustar_writer *w, const char *name, og_error *e);
int og_ustar_add_file(struct og_ustar_writer *w, const char *name, const void *data, size_t len, og_error *e);
/* Every directory and regular file below the directory src (anything else
 * is refused), in name order, as prefix/... ("" for none); prefix itself
 * is added as a directory first when it is not "". */
int og_ustar_add_tree(struct og_ustar_writer *w, const char *src, const char *prefix, og_error *e);
/* The two zero blocks that end an archive. */
int og_ustar_finish(struct og_ustar_writer *w, og_error *e);

/* Reader: the archive read from fd (to its end), unpacked below destfd
 * (an empty directory).  file_cb, when not NULL, is called with the name
 * of each regular file written (for a caller's inventory). */
typedef int (*og_ustar_file_fn)(void *ctx, const char *name, og_error *e);
int og_ustar_extract(int fd, int destfd, const struct og_ustar_limits *lim, og_ustar_file_fn file_cb,
		     void *ctx, struct og_ustar_stats *st, og_error *e);

/* Remove everything below the directory dirfd (not dirfd itself), without
 * following symbolic links. */
int og_ustar_empty_dir(int dirfd, og_error *e);

#endif
