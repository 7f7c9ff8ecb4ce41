/* runtime.host-namespaces: the container must get its own network, pid,
 * ipc and uts namespaces.  A missing entry means "share the runtime's" (the
 * host's); an entry with a path joins an existing namespace, which on
 * Kubernetes is the pod sandbox's: it is the host's own exactly when device
 * and inode equal those of /proc/1/ns/<type>. */
#include "policy/runtime_rules.h"
#include "hook/base/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *proc_ns_name(const char *type)
{
	static const struct { const char *type, *proc; } map[] = {
		{ "network", "net" }, { "pid", "pid" }, { "ipc", "ipc" }, { "uts", "uts" },
		{ "mount", "mnt" }, { "user", "user" }, { "cgroup", "cgroup" }, { "time", "time" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].type, type) == 0)
			return map[i].proc;
	return NULL;
}

static int host_ns_stat(const char *type, struct stat *st)
{
	char path[64];
	const char *proc = proc_ns_name(type);

	if (proc == NULL)
		return -1;
	/* pid 1 is the host's init; when /proc/1 is hidden from us, our own
	 * namespaces are the runtime's, which are the host's for a node hook. */
	snprintf(path, sizeof path, "/proc/1/ns/%s", proc);
	if (stat(path, st) == 0)
		return 0;
	snprintf(path, sizeof path, "/proc/self/ns/%s", proc);
	return stat(path, st);
}

int og_rule_host_namespaces(const struct og_runtime_policy *rp, const struct og_oci_config *cfg,
			    const char *id, struct og_findings *r)
{
	for (size_t k = 0; k < rp->namespaces_required.n; k++) {
		const char *type = rp->namespaces_required.v[k];
		json_t *entry = NULL, *ns;
		size_t i;

		json_array_foreach(cfg->namespaces, i, ns)
			if (strcmp(json_string_value(json_object_get(ns, "type")), type) == 0)
				entry = ns;
		if (entry == NULL) {
			if (og_findings_add(r, id, "no %s namespace: the container shares the host's",
					  type) < 0)
				return -1;
			continue;
		}
		json_t *path = json_object_get(entry, "path");
		struct stat want, host;
		char safe[256];

		if (path == NULL || json_string_length(path) == 0)
			continue;	/* a new namespace */
		og_sanitize(json_string_value(path), safe, sizeof safe);
		if (stat(json_string_value(path), &want) < 0) {
			if (og_findings_add(r, id, "the %s namespace path \"%s\" cannot be checked",
					  type, safe) < 0)
				return -1;
			continue;
		}
		if (host_ns_stat(type, &host) < 0) {
			if (og_findings_add(r, id, "the host's %s namespace cannot be read to compare",
					  type) < 0)
				return -1;
			continue;
		}
		if (want.st_dev == host.st_dev && want.st_ino == host.st_ino &&
		    og_findings_add(r, id, "the %s namespace \"%s\" is the host's", type, safe) < 0)
			return -1;
	}
	return 0;
}
