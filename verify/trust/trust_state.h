/* The rollback state: the highest trust store version this node has
 * accepted, in STATE_DIR/trust-version ("7\n"), the floor below which no
 * store is accepted again.
 *
 * It is trusted as the policy is, so it is checked as sshd checks key
 * files, on every read: the directory, every directory above it and the
 * file owned by root (or the running user) and not group- or world-writable
 * (hook/base/strict_modes.h).  A state that fails the check refuses every
 * store, naming the path and what is wrong.  The verification records in
 * STATE_DIR/verified (trust_cache.h) rest on the same check.
 *
 * Writers serialise on flock(2) of the state directory: the floor is read,
 * compared and written under the lock, so it only ever goes up, and
 * `trust install` holds the lock across its check, its swap and the
 * floor's update, so two installs cannot pass each other.
 *
 * The same rules hold for every floor kept in the state directory: the
 * trust bundle's (OG_BUNDLE_STATE_FILE, bundle_layout.h) is read, locked
 * and raised by the *_file variants, which take the file's name. */
#ifndef OCIGATE_TRUST_STATE_H
#define OCIGATE_TRUST_STATE_H

#include <stdint.h>
#include "hook/base/error.h"

#define OG_TRUST_STATE_FILE "trust-version"
#define OG_TRUST_MAX_VERSION ((int64_t)1 << 53)	/* exact in every JSON implementation */

/* StrictModes on the state directory and its file; either may be missing. */
int og_trust_state_check(const char *state_dir, og_error *e);
int og_trust_state_check_file(const char *state_dir, const char *file, og_error *e);
/* The check, then the floor: 0 when there is none yet. */
int og_trust_state_read(const char *state_dir, int64_t *version, og_error *e);
int og_trust_state_read_file(const char *state_dir, const char *file, int64_t *version, og_error *e);

/* The state directory, locked (created 0700 when missing), and the floor
 * read under the lock. */
struct og_trust_state_lock {
	const char *dir;
	const char *file;		/* the floor's file: OG_TRUST_STATE_FILE, ... */
	int dirfd;			/* holds the lock; -1 when not locked */
	int64_t version;		/* that file's floor */
};
int og_trust_state_lock(const char *state_dir, struct og_trust_state_lock *l, og_error *e);
int og_trust_state_lock_file(const char *state_dir, const char *file, struct og_trust_state_lock *l,
			     og_error *e);
/* Raise the floor to version (durably: fsync'd); a lower one is no change. */
int og_trust_state_record(struct og_trust_state_lock *l, int64_t version, og_error *e);
/* Another floor of the same locked directory (checked as the lock's own):
 * read it, and raise it (a lower version is no change).  One flock per
 * directory: a holder must not lock it again, it would wait for itself. */
int og_trust_state_floor_at(const struct og_trust_state_lock *l, const char *file, int64_t *version,
			    og_error *e);
int og_trust_state_record_file(struct og_trust_state_lock *l, const char *file, int64_t version,
			       og_error *e);
void og_trust_state_unlock(struct og_trust_state_lock *l);
#define og_cleanup_trust_state __attribute__((cleanup(og_trust_state_unlock)))

/* Lock, record, unlock: what a hook does when it first accepts a store
 * newer than the floor. */
int og_trust_state_raise(const char *state_dir, int64_t version, og_error *e);

#endif
