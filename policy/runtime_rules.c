#include "policy/runtime_rules.h"

static const og_runtime_rule_fn rules[RR_COUNT] = {
	[RR_READONLY_ROOTFS] = og_rule_readonly_rootfs,
	[RR_CAPABILITIES] = og_rule_capabilities,
	[RR_NO_NEW_PRIVILEGES] = og_rule_no_new_privileges,
	[RR_SECCOMP] = og_rule_seccomp,
	[RR_PRIVILEGED] = og_rule_privileged,
	[RR_HOST_NAMESPACES] = og_rule_host_namespaces,
	[RR_MOUNTS] = og_rule_mounts,
	[RR_USER] = og_rule_user,
	[RR_MASKED_PATHS] = og_rule_masked_paths,
	[RR_SYSCTLS] = og_rule_sysctls,
};

int og_check_runtime(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
		     struct og_findings *r)
{
	for (int i = 0; i < RR_COUNT; i++) {
		if (rp->mode[i] == OG_MODE_OFF)
			continue;
		if (rules[i](rp, cfg, og_runtime_rule_ids[i], r) < 0)
			return -1;
	}
	return 0;
}
