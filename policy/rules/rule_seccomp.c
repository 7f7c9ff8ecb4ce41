/* runtime.seccomp: a seccomp profile exists, denies by default, and does
 * not allow any must_block syscall unconditionally.  Names are resolved to
 * numbers with libseccomp, so an alias cannot slip past the list. */
#include "policy/runtime_rules.h"
#include "policy/seccomp_profile.h"
#include "hook/base/cleanup.h"
#include "hook/base/log.h"

#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_actions[] = {
	"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
	"SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
	NULL,
};

static int action_known(const char *a)
{
	for (const char *const *k = known_actions; *k; k++)
		if (strcmp(*k, a) == 0)
			return 1;
	return 0;
}

int og_rule_seccomp(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
		    const char *id, struct og_findings *r)
{
	og_cleanup_free int *nrs = NULL;
	og_cleanup_free unsigned char *allowed = NULL;
	json_t *def, *syscalls;
	const char *action;
	char safe[96];
	size_t i, n;
	json_t *rule;

	if (cfg->seccomp == NULL)
		return og_findings_add(r, id, "no seccomp profile (linux.seccomp is missing)");
	def = json_object_get(cfg->seccomp, "defaultAction");
	if (!json_is_string(def))
		return og_findings_add(r, id, "the seccomp profile has no defaultAction");
	action = json_string_value(def);
	og_sanitize(action, safe, sizeof safe);
	if (!action_known(action))
		return og_findings_add(r, id, "the seccomp defaultAction \"%s\" is unknown", safe);
	if (og_seccomp_action_allows(action))
		return og_findings_add(r, id, "the seccomp profile allows by default (%s)", safe);
	syscalls = json_object_get(cfg->seccomp, "syscalls");
	if (syscalls != NULL && !json_is_array(syscalls))
		return og_findings_add(r, id, "linux.seccomp.syscalls is not an array");
	json_array_foreach(syscalls, i, rule) {
		json_t *a = json_object_get(rule, "action");
		if (!json_is_object(rule) || !json_is_string(a) || !json_is_array(json_object_get(rule, "names")))
			return og_findings_add(r, id, "linux.seccomp.syscalls[%zu] is malformed", i);
		if (!action_known(json_string_value(a))) {
			og_sanitize(json_string_value(a), safe, sizeof safe);
			return og_findings_add(r, id, "linux.seccomp.syscalls[%zu]: unknown action \"%s\"",
					     i, safe);
		}
	}
	n = rp->seccomp_must_block.n;
	if (n == 0)
		return 0;
	nrs = calloc(n, sizeof *nrs);
	allowed = calloc(n, 1);
	if (nrs == NULL || allowed == NULL)
		return -1;
	for (size_t k = 0; k < n; k++)
		nrs[k] = seccomp_syscall_resolve_name(rp->seccomp_must_block.v[k]);
	og_seccomp_mark_allowed(syscalls, 0, nrs, n, allowed);
	for (size_t k = 0; k < n; k++)
		if (nrs[k] != __NR_SCMP_ERROR && allowed[k] &&
		    og_findings_add(r, id, "the seccomp profile allows %s unconditionally",
				  rp->seccomp_must_block.v[k]) < 0)
			return -1;
	return 0;
}
