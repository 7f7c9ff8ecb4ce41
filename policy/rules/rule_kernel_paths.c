/* runtime.masked-paths and runtime.sysctls: the kernel interfaces a
 * container can reach through /proc and /sys, after PSS baseline
 * ("procMount: Default" and the safe sysctl set). */
#include "policy/runtime_rules.h"
#include "hook/base/log.h"

#include <string.h>

static int in_array(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

int og_rule_masked_paths(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
			 const char *id, struct og_findings *r)
{
	for (size_t k = 0; k < rp->masked_required.n; k++) {
		const char *p = rp->masked_required.v[k];

		if (!in_array(cfg->masked_paths, p) &&
		    og_findings_add(r, id, "%s is not masked (missing from linux.maskedPaths)", p) < 0)
			return -1;
	}
	return 0;
}

int og_rule_sysctls(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
		    const char *id, struct og_findings *r)
{
	const char *key;
	json_t *v;

	json_object_foreach(cfg->sysctl, key, v) {
		char safe[128];

		if (og_strlist_contains(&rp->sysctls_allowed, key))
			continue;
		og_sanitize(key, safe, sizeof safe);
		if (og_findings_add(r, id, "sysctl \"%s\" is not in the allowed set", safe) < 0)
			return -1;
	}
	return 0;
}
