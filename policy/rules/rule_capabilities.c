/* runtime.capabilities: every capability in every set is allowed by the
 * policy.  A name libcap does not know is a violation: the runtime might
 * map it to something we cannot see, and a typo must not pass silently. */
#include "policy/runtime_rules.h"
#include "policy/capnames.h"
#include "hook/base/log.h"

#include <string.h>

int og_rule_capabilities(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
			 const char *id, struct og_findings *r)
{
	/* Report each offending name once, listing the sets that hold it. */
	for (int s = 0; s < CAPSET_COUNT; s++) {
		size_t i;
		json_t *v;

		if (cfg->caps[s] == NULL)
			continue;
		json_array_foreach(cfg->caps[s], i, v) {
			const char *name = json_string_value(v);
			char sets[96] = "", safe[128];
			int seen_before = 0;

			if (og_cap_name_valid(name) && og_strlist_contains(&rp->caps_allowed, name))
				continue;
			for (int t = 0; t < s && !seen_before; t++) {
				size_t j;
				json_t *w;
				json_array_foreach(cfg->caps[t], j, w)
					if (cfg->caps[t] && strcmp(json_string_value(w), name) == 0)
						seen_before = 1;
			}
			if (seen_before)
				continue;
			for (int t = s; t < CAPSET_COUNT; t++) {
				size_t j;
				json_t *w;
				if (cfg->caps[t] == NULL)
					continue;
				json_array_foreach(cfg->caps[t], j, w) {
					if (strcmp(json_string_value(w), name) != 0)
						continue;
					if (sets[0])
						strncat(sets, ",", sizeof sets - strlen(sets) - 1);
					strncat(sets, og_oci_cap_set_names[t], sizeof sets - strlen(sets) - 1);
					break;
				}
			}
			og_sanitize(name, safe, sizeof safe);
			if (!og_cap_name_valid(name)) {
				if (og_findings_add(r, id, "unknown capability name \"%s\" in %s", safe,
						  sets) < 0)
					return -1;
			} else if (og_findings_add(r, id, "capability %s is granted (%s) but not allowed",
						 safe, sets) < 0) {
				return -1;
			}
		}
	}
	return 0;
}
