#include "policy/seccomp_profile.h"

#include <seccomp.h>
#include <string.h>

int og_seccomp_action_allows(const char *action)
{
	return strcmp(action, "SCMP_ACT_ALLOW") == 0 || strcmp(action, "SCMP_ACT_LOG") == 0;
}

/* An engine's file may make a rule depend on capabilities the container
 * holds ("includes": {"caps": [...]}). */
static int needs_caps(const json_t *rule)
{
	const json_t *caps = json_object_get(json_object_get(rule, "includes"), "caps");

	return json_is_array(caps) && json_array_size(caps) > 0;
}

void og_seccomp_mark_allowed(const json_t *syscalls, int engine_file, const int *nrs, size_t n,
			     unsigned char *allowed)
{
	size_t i;
	json_t *rule;

	json_array_foreach(syscalls, i, rule) {
		json_t *names = json_object_get(rule, "names");
		json_t *action = json_object_get(rule, "action");
		json_t *args = json_object_get(rule, "args");
		size_t j;
		json_t *name;

		if (!json_is_string(action) || !og_seccomp_action_allows(json_string_value(action)))
			continue;
		if ((json_is_array(args) && json_array_size(args) > 0) || (engine_file && needs_caps(rule)))
			continue;
		json_array_foreach(names, j, name) {
			int nr = json_is_string(name) ? seccomp_syscall_resolve_name(json_string_value(name))
						      : __NR_SCMP_ERROR;

			for (size_t k = 0; nr != __NR_SCMP_ERROR && k < n; k++)
				if (nrs[k] == nr)
					allowed[k] = 1;
		}
	}
}
