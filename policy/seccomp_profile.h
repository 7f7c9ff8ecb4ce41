/* What a seccomp profile allows, in the OCI form (config.json's
 * linux.seccomp, as the engine resolved it for the container) and in the
 * engines' own profile files (containers-common's seccomp.json), whose
 * rules may be conditional on the container's capabilities. */
#ifndef OCIGATE_SECCOMP_PROFILE_H
#define OCIGATE_SECCOMP_PROFILE_H

#include <jansson.h>
#include <stddef.h>

/* Where containers-common keeps the default profile of Podman and CRI-O. */
#define OG_CONTAINERS_SECCOMP_PROFILE "/usr/share/containers/seccomp.json"

/* 1 for SCMP_ACT_ALLOW and SCMP_ACT_LOG, the actions that let a call through. */
int og_seccomp_action_allows(const char *action);

/* Set allowed[k] for each syscall number nrs[k] (n of them, __NR_SCMP_ERROR
 * for an unknown name) that `syscalls` (the profile's array) allows
 * unconditionally: an allowing rule with no argument conditions.  With
 * engine_file (an engine's own profile file, never a container's config),
 * a rule that "includes" capabilities is left out too: the engine drops it
 * for a container without them.  In config.json that key means nothing to
 * the runtime, so there it must not hide a rule.  Each name in the profile
 * is resolved once with libseccomp, so an alias cannot slip past. */
void og_seccomp_mark_allowed(const json_t *syscalls, int engine_file, const int *nrs, size_t n,
			     unsigned char *allowed);

#endif
