/* The three one-field rules: read-only root, no_new_privs, non-root user. */
#include "policy/runtime_rules.h"

int og_rule_readonly_rootfs(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
			    const char *id, struct og_findings *r)
{
	(void)rp;
	if (cfg->root_readonly)
		return 0;
	return og_findings_add(r, id, "the root filesystem is writable (root.readonly is not true)");
}

int og_rule_no_new_privileges(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
			      const char *id, struct og_findings *r)
{
	(void)rp;
	if (cfg->has_process && cfg->no_new_privileges)
		return 0;
	return og_findings_add(r, id,
			     "the process may gain privileges (process.noNewPrivileges is not true)");
}

int og_rule_user(const struct og_runtime_policy *rp, const struct og_oci_config *cfg, const char *id,
		 struct og_findings *r)
{
	(void)rp;
	if (cfg->has_process && cfg->uid != 0)
		return 0;
	return og_findings_add(r, id, "the process runs as root (process.user.uid is 0)");
}
