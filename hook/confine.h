/* Self-confinement of the hook process, in two phases.
 *
 * og_confine(), once everything that must be connected or read from outside
 * the policy's own files is in hand (the syslog socket, the state,
 * config.json's bytes, the engine's answer about the image):
 *  - every capability dropped from every set (bounding, ambient, effective,
 *    permitted, inheritable) and no_new_privs set, except that effective and
 *    permitted keep CAP_SYS_PTRACE (comparing a sandbox process's namespace
 *    links with the host's takes ptrace access) and CAP_DAC_READ_SEARCH
 *    (resolving mount sources in directories uid 0 does not own);
 *  - a seccomp filter (compiled from seccomp_allowlist.h) allowing only what
 *    evaluation, logging, the state and cache writes and exit need: no
 *    execve, no new sockets or connections, no ptrace, mount, namespaces,
 *    keyrings, bpf, processes or threads.  A forbidden call fails with
 *    EPERM, which the caller turns into a denial; it never allows.
 * Parsing config.json and the runtime rules run in this phase.
 *
 * og_confine_finish(), before anything signed or scanned is read:
 *  - Landlock, where the kernel has it: files can be opened only below the
 *    paths the policy names (read-only; the state directory writable).  It
 *    also refuses ptrace access outside the domain, hence this phase;
 *  - the last two capabilities dropped, and every set checked empty.
 * Loading and verifying the trust store and signatures and reading verdicts
 * run fully confined. */
#ifndef OCIGATE_CONFINE_H
#define OCIGATE_CONFINE_H

#include <stddef.h>
#include "hook/base/confine_paths.h"
#include "hook/base/error.h"

/* Phase one; -1 with the reason when any step fails (the caller denies).
 * p's file rules are kept for phase two. */
int og_confine(const struct og_confine_paths *p, og_error *e);

/* Phase two; landlock_out (may be NULL) is set to 1 when Landlock applied. */
int og_confine_finish(int *landlock_out, og_error *e);

/* Drop every capability and set no_new_privs. */
int og_drop_privileges(og_error *e);

#endif
