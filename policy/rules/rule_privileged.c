/* runtime.privileged: the signature of a "privileged" container as engines
 * build it: every capability in the bounding set, or the kernel interfaces
 * left open (no masked paths, no read-only paths, /sys mounted read-write). */
#include "policy/runtime_rules.h"
#include "policy/capnames.h"

#include <string.h>

static int has_option(json_t *mount, const char *opt)
{
	size_t i;
	json_t *o;

	json_array_foreach(json_object_get(mount, "options"), i, o)
		if (strcmp(json_string_value(o), opt) == 0)
			return 1;
	return 0;
}

static int sys_writable(const struct og_oci_config *cfg)
{
	size_t i;
	json_t *m;

	json_array_foreach(cfg->mounts, i, m) {
		json_t *dst = json_object_get(m, "destination");
		if (strcmp(json_string_value(dst), "/sys") == 0 && !has_option(m, "ro"))
			return 1;
	}
	return 0;
}

int og_rule_privileged(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
		       const char *id, struct og_findings *r)
{
	size_t nbound = 0, i;
	json_t *v;
	int all_caps, unmasked;

	(void)rp;
	json_array_foreach(cfg->caps[CAPSET_BOUNDING], i, v)
		if (og_cap_name_valid(json_string_value(v)))
			nbound++;
	all_caps = nbound >= (size_t)og_cap_count();
	unmasked = json_array_size(cfg->masked_paths) == 0 &&
		   json_array_size(cfg->readonly_paths) == 0 && sys_writable(cfg);
	if (all_caps && og_findings_add(r, id,
				      "the container is privileged: its bounding set holds all %d capabilities",
				      og_cap_count()) < 0)
		return -1;
	if (unmasked && og_findings_add(r, id,
				      "the container is privileged: no masked or read-only paths and /sys is writable") < 0)
		return -1;
	return 0;
}
