/* The on-disk verdict cache, content-addressed by image digest:
 *   CACHE/sha256/<first 2 hex>/<64 hex>.json        verdicts
 *   CACHE/vex/sha256/<first 2 hex>/<64 hex>.json    VEX statements per digest
 * A lookup opens a fixed path derived from a validated digest: its cost does
 * not depend on how many verdicts the cache holds (no directory scans on the
 * start path).  Every component is opened with O_NOFOLLOW relative to its
 * parent; with `strict`, each directory and the file must be owned by the
 * expected uid and not group- or world-writable, and every directory above
 * the cache owned by root or that uid and not group- or world-writable
 * unless sticky (sshd StrictModes, hook/base/strict_modes.h). */
#ifndef OCIGATE_SCAN_CACHE_H
#define OCIGATE_SCAN_CACHE_H

#include <stddef.h>
#include <sys/types.h>
#include "hook/base/error.h"
#include "hook/base/fileio.h"

#define OG_SCAN_CACHE_DEFAULT "/var/lib/ocigate/verdicts"
#define OG_SCAN_CACHE_OWNER 0			/* the hook trusts a cache only root writes */
#define OG_SCAN_CACHE_LOCK_WAIT_MS 60000	/* a writer waits this long for another */

enum og_cache_kind { OG_CACHE_VERDICT = 0, OG_CACHE_VEX };

/* Open the cache directory.  Returns an fd, or -1 (e->errnum ENOENT when
 * it does not exist). */
int og_scan_cache_open(const char *dir, int strict, uid_t owner, og_error *e);

/* Read the file for digest: 0 found (out filled), 1 absent, -1 error
 * (untrusted, unreadable; larger than max: e->errnum EFBIG). */
int og_scan_cache_read(int cachefd, enum og_cache_kind kind, const char *digest, int strict,
		       uid_t owner, size_t max, og_buf *out, og_error *e);

/* The start-time read's checks on the file for digest, without reading it:
 * 0 trusted, 1 absent, -1 refused (why in e).  For writers' warnings. */
int og_scan_cache_trusted(int cachefd, enum og_cache_kind kind, const char *digest, uid_t owner,
			  og_error *e);

/* The most bytes a reader takes for one file of kind (OG_MAX_VERDICT_BYTES,
 * OG_MAX_VEX_FILE_BYTES): 0 when len fits, else -1 (e->errnum EFBIG).  A
 * writer checks every file before it replaces any: what the hook cannot read
 * must never replace what it can. */
int og_scan_cache_fits(enum og_cache_kind kind, size_t len, og_error *e);

/* Serialise the writers of one cache (import, vex import, gc): an exclusive
 * flock(2) on the cache directory, held until cachefd is closed, waited for
 * at most OG_SCAN_CACHE_LOCK_WAIT_MS.  Without it two read-merge-writes of one
 * VEX file lose statements, and gc can remove a verdict imported after it
 * looked.  Readers (the hook, show, ls) never lock: every file is replaced by
 * rename, so they see the whole old file or the whole new one. */
int og_scan_cache_lock(int cachefd, const char *dir, og_error *e);

/* Replace the file for digest atomically, creating directories (0755) and
 * the file (0644); refused when og_scan_cache_fits refuses it. */
int og_scan_cache_write(int cachefd, enum og_cache_kind kind, const char *digest,
			const void *data, size_t len, og_error *e);

/* Remove the file for digest; 0 removed, 1 absent, -1 error. */
int og_scan_cache_remove(int cachefd, enum og_cache_kind kind, const char *digest, og_error *e);

/* Call fn for every well-named file of kind (for ls/gc: scans directories,
 * never used on the start path).  fn returning < 0 stops the walk. */
typedef int (*og_scan_cache_fn)(const char *digest, void *arg);
int og_scan_cache_foreach(int cachefd, enum og_cache_kind kind, og_scan_cache_fn fn, void *arg,
			  og_error *e);

#endif
