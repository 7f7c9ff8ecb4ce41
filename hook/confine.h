/* Self-confinement of the hook process.  Called once everything that must
 * be connected or read from outside the policy's own files is in hand (the
 * syslog socket, the state, config.json's bytes, the engine's answer about
 * the image); what follows (parsing config.json, the rules, loading and
 * verifying the trust store and signatures, reading verdicts) runs confined:
 *
 *  - every capability dropped from every set (bounding, ambient, effective,
 *    permitted, inheritable) and no_new_privs set: the hook keeps only what
 *    uid 0 owning its own files gives;
 *  - Landlock, where the kernel has it: files can be opened only below the
 *    paths the policy names (read-only, and the state directory writable);
 *  - a seccomp filter (libseccomp) allowing only what evaluation, logging,
 *    the state and cache writes and exit need: no execve, no new sockets or
 *    connections, no ptrace, mount, namespaces, keyrings, bpf, processes or
 *    threads.  A forbidden call fails with EPERM, which the caller turns
 *    into a denial; it never allows.
 */
#ifndef OCIGATE_CONFINE_H
#define OCIGATE_CONFINE_H

#include <stddef.h>
#include "error.h"

#define OG_CONFINE_MAX_PATHS 48

struct og_confine_paths {
	const char *read[OG_CONFINE_MAX_PATHS];	/* files or directories, read-only */
	size_t nread;
	const char *write[4];			/* directories that may be written below */
	size_t nwrite;
};

/* Add a path (NULL and duplicates ignored); -1 when the table is full. */
int og_confine_add(struct og_confine_paths *p, const char *path, int writable);

/* Confine the process; -1 with the reason when any step fails (the caller
 * denies).  landlock_out (may be NULL) is set to 1 when Landlock applied. */
int og_confine(const struct og_confine_paths *p, int *landlock_out, og_error *e);

/* Drop every capability and set no_new_privs (the first step of og_confine). */
int og_drop_privileges(og_error *e);

#endif
