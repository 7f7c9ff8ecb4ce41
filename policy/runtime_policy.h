/* The "runtime" policy section: which runtime-configuration rules apply and
 * with which parameters, starting from a preset after the Kubernetes Pod
 * Security Standards and overridden rule by rule. */
#ifndef OCIGATE_RUNTIME_POLICY_H
#define OCIGATE_RUNTIME_POLICY_H

#include <jansson.h>
#include <stdio.h>
#include "hook/base/error.h"
#include "hook/base/findings.h"
#include "policy/strlist.h"

enum og_preset { OG_PRESET_NONE, OG_PRESET_BASELINE, OG_PRESET_RESTRICTED, OG_PRESET_HARDENED };

enum og_runtime_rule {
	RR_READONLY_ROOTFS, RR_CAPABILITIES, RR_NO_NEW_PRIVILEGES, RR_SECCOMP, RR_PRIVILEGED,
	RR_HOST_NAMESPACES, RR_MOUNTS, RR_USER, RR_MASKED_PATHS, RR_SYSCTLS, RR_COUNT
};

/* Rule names as written in the policy ("readonly-rootfs") and as rule ids
 * in logs, exemptions and `check` output ("runtime.readonly-rootfs"). */
extern const char *const og_runtime_rule_names[RR_COUNT];
extern const char *const og_runtime_rule_ids[RR_COUNT];

struct og_runtime_policy {
	enum og_preset preset;
	enum og_rule_mode mode[RR_COUNT];
	struct og_strlist caps_allowed;		/* "CAP_..." names */
	struct og_strlist seccomp_must_block;	/* syscall names */
	struct og_strlist namespaces_required;	/* "network", "pid", "ipc", "uts" ... */
	struct og_strlist mounts_forbidden;	/* host paths; a trailing "**" component adds the subtree */
	int allow_shared_propagation;
	struct og_strlist masked_required;	/* paths that must be in maskedPaths */
	struct og_strlist sysctls_allowed;	/* sysctl names */
};

/* Parse the section (NULL: the restricted preset). */
int og_runtime_policy_parse(struct og_runtime_policy *rp, const json_t *section, og_error *e);
void og_runtime_policy_free(struct og_runtime_policy *rp);
void og_runtime_policy_describe(const struct og_runtime_policy *rp, FILE *out);
const char *og_preset_name(enum og_preset p);

#endif
