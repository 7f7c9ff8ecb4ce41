/* Runtime-configuration rules: each reads the typed config and adds findings
 * under its rule id.  A rule returns -1 only when it cannot record a finding
 * (out of memory), which the caller turns into a denial. */
#ifndef OCIGATE_RUNTIME_RULES_H
#define OCIGATE_RUNTIME_RULES_H

#include "hook/oci/oci_config.h"
#include "hook/base/findings.h"
#include "policy/runtime_policy.h"

typedef int (*og_runtime_rule_fn)(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
				  const char *id, struct og_findings *r);

int og_rule_readonly_rootfs(const struct og_runtime_policy *, const struct og_oci_config *, const char *, struct og_findings *);
int og_rule_no_new_privileges(const struct og_runtime_policy *, const struct og_oci_config *, const char *, struct og_findings *);
int og_rule_user(const struct og_runtime_policy *, const struct og_oci_config *, const char *, struct og_findings *);
int og_rule_capabilities(const struct og_runtime_policy *, const struct og_oci_config *, const char *, struct og_findings *);
int og_rule_seccomp(const struct og_runtime_policy *, const struct og_oci_config *, const char *, struct og_findings *);
int og_rule_privileged(const struct og_runtime_policy *, const struct og_oci_config *, const char *, struct og_findings *);
int og_rule_host_namespaces(const struct og_runtime_policy *, const struct og_oci_config *, const char *, struct og_findings *);
int og_rule_mounts(const struct og_runtime_policy *, const struct og_oci_config *, const char *, struct og_findings *);
int og_rule_masked_paths(const struct og_runtime_policy *, const struct og_oci_config *, const char *, struct og_findings *);
int og_rule_sysctls(const struct og_runtime_policy *, const struct og_oci_config *, const char *, struct og_findings *);

/* Run every rule that is not off. */
int og_check_runtime(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
		     struct og_findings *r);

#endif
