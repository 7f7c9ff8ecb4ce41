/* The "runtime" policy section.
 *
 *   "runtime": {
 *     "preset": "restricted" | "hardened" | "baseline" | "none",
 *     "rules": {
 *       "<rule>": false | true | { "mode": "enforce"|"audit"|"off", <parameters> }
 *     }
 *   }
 *
 * Parameters: capabilities.allowed, seccomp.must_block, host-namespaces.required,
 * mounts.forbidden / mounts.allow_shared_propagation, masked-paths.required,
 * sysctls.allowed.  A rule given as an object without "mode" is enforced. */
#include "policy/runtime_policy.h"
#include "policy/capnames.h"
#include "hook/base/jsonutil.h"

#include <seccomp.h>
#include <string.h>

const char *const og_runtime_rule_names[RR_COUNT] = {
	"readonly-rootfs", "capabilities", "no-new-privileges", "seccomp", "privileged",
	"host-namespaces", "mounts", "user", "masked-paths", "sysctls",
};
const char *const og_runtime_rule_ids[RR_COUNT] = {
	"runtime.readonly-rootfs", "runtime.capabilities", "runtime.no-new-privileges",
	"runtime.seccomp", "runtime.privileged", "runtime.host-namespaces", "runtime.mounts",
	"runtime.user", "runtime.masked-paths", "runtime.sysctls",
};

/* PSS baseline: capabilities a container may add to the runtime's defaults. */
static const char *const baseline_caps[] = {
	"CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID",
	"CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT", NULL,
};
/* PSS restricted: drop ALL, add back at most NET_BIND_SERVICE. */
static const char *const restricted_caps[] = { "CAP_NET_BIND_SERVICE", NULL };
/* Syscalls a restricted seccomp profile must not allow unconditionally:
 * what every engine's RuntimeDefault profile (what PSS restricted asks pods
 * for) blocks for a container without the matching capability, so that each
 * engine's default passes.  containers-common's profile (Podman, CRI-O)
 * allows mount, umount2, unshare, setns and keyctl to everyone (the kernel
 * still refuses mount and unshare of most namespaces without CAP_SYS_ADMIN,
 * which runtime.capabilities refuses); containerd's and moby's do not.  Not
 * ptrace: every default allows it on kernels >= 4.8, where it cannot reach
 * beyond the container without CAP_SYS_PTRACE. */
static const char *const restricted_must_block[] = {
	"kexec_load", "init_module", "finit_module", "delete_module", "bpf", "open_by_handle_at",
	"add_key", "request_key", "userfaultfd", "perf_event_open", NULL,
};
/* The "hardened" preset: restricted, and the syscalls containers-common
 * allows too (README: containerd's and moby's defaults pass, Podman's and
 * CRI-O's do not). */
static const char *const hardened_must_block[] = {
	"kexec_load", "init_module", "finit_module", "delete_module", "bpf", "open_by_handle_at",
	"add_key", "request_key", "userfaultfd", "perf_event_open",
	"mount", "umount2", "unshare", "setns", "keyctl", NULL,
};
static const char *const default_namespaces[] = { "network", "pid", "ipc", "uts", NULL };
/* Host paths a container must not bind.  A path also forbids binding any of
 * its ancestors (a bind of /run exposes /run/containerd/containerd.sock). */
static const char *const default_forbidden_mounts[] = {
	"/", "/etc/**", "/proc/**", "/sys/**", "/boot/**", "/root/**", "/dev/**",
	"/lib/modules/**", "/usr/lib/modules/**", "/var/lib/kubelet", "/var/lib/containerd",
	"/var/lib/containers/storage", "/var/lib/docker",
	"/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock",
	"/run/docker.sock", "/var/run/docker.sock", "/run/crio/crio.sock",
	"/var/run/crio/crio.sock", "/run/podman/podman.sock", "/var/run/podman/podman.sock",
	"/run/dockershim.sock", NULL,
};
/* Paths every runtime masks by default (runc spec, containerd, Podman, CRI-O). */
static const char *const default_masked[] = {
	"/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware", NULL,
};
/* PSS baseline "safe" sysctls. */
static const char *const baseline_sysctls[] = {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
	"net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", NULL,
};

const char *og_preset_name(enum og_preset p)
{
	switch (p) {
	case OG_PRESET_NONE: return "none";
	case OG_PRESET_BASELINE: return "baseline";
	case OG_PRESET_RESTRICTED: return "restricted";
	case OG_PRESET_HARDENED: return "hardened";
	}
	return "?";
}

static int apply_preset(struct og_runtime_policy *rp, enum og_preset p)
{
	enum og_rule_mode on = OG_MODE_ENFORCE;
	int strict = p == OG_PRESET_RESTRICTED || p == OG_PRESET_HARDENED;
	const char *const *must_block = p == OG_PRESET_HARDENED ? hardened_must_block
				      : strict			  ? restricted_must_block
								  : (const char *const[]){ NULL };

	rp->preset = p;
	for (int r = 0; r < RR_COUNT; r++)
		rp->mode[r] = OG_MODE_OFF;
	if (p != OG_PRESET_NONE) {
		rp->mode[RR_CAPABILITIES] = on;
		rp->mode[RR_PRIVILEGED] = on;
		rp->mode[RR_HOST_NAMESPACES] = on;
		rp->mode[RR_MOUNTS] = on;
		rp->mode[RR_MASKED_PATHS] = on;
		rp->mode[RR_SYSCTLS] = on;
	}
	if (strict) {
		rp->mode[RR_READONLY_ROOTFS] = on;
		rp->mode[RR_NO_NEW_PRIVILEGES] = on;
		rp->mode[RR_SECCOMP] = on;
		rp->mode[RR_USER] = on;
	}
	rp->allow_shared_propagation = 0;
	if (og_strlist_set(&rp->caps_allowed, strict ? restricted_caps : baseline_caps) < 0 ||
	    og_strlist_set(&rp->seccomp_must_block, must_block) < 0 ||
	    og_strlist_set(&rp->namespaces_required, default_namespaces) < 0 ||
	    og_strlist_set(&rp->mounts_forbidden, default_forbidden_mounts) < 0 ||
	    og_strlist_set(&rp->masked_required, default_masked) < 0 ||
	    og_strlist_set(&rp->sysctls_allowed, baseline_sysctls) < 0)
		return -1;
	return 0;
}

static int check_caps(const struct og_strlist *l, const char *path, og_error *e)
{
	for (size_t i = 0; i < l->n; i++)
		if (!og_cap_name_valid(l->v[i]))
			return og_fail(e, "%s[%zu]: unknown capability name \"%s\"", path, i, l->v[i]);
	return 0;
}

static int check_syscalls(const struct og_strlist *l, const char *path, og_error *e)
{
	for (size_t i = 0; i < l->n; i++)
		if (seccomp_syscall_resolve_name(l->v[i]) == __NR_SCMP_ERROR)
			return og_fail(e, "%s[%zu]: unknown syscall name \"%s\"", path, i, l->v[i]);
	return 0;
}

static int check_namespaces(const struct og_strlist *l, const char *path, og_error *e)
{
	static const char *const known[] = { "network", "pid", "ipc", "uts", "mount", "user",
					     "cgroup", "time", NULL };
	for (size_t i = 0; i < l->n; i++) {
		const char *const *k = known;
		while (*k && strcmp(*k, l->v[i]) != 0)
			k++;
		if (*k == NULL)
			return og_fail(e, "%s[%zu]: unknown namespace type \"%s\"", path, i, l->v[i]);
	}
	return 0;
}

static int check_abs_paths(const struct og_strlist *l, const char *path, og_error *e)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i][0] != '/')
			return og_fail(e, "%s[%zu]: \"%s\" is not an absolute path", path, i, l->v[i]);
	return 0;
}

/* One parameter list of a rule: key in the rule object, target list, validator. */
static int list_param(json_t *obj, const char *key, const char *path, struct og_strlist *l,
		      int (*validate)(const struct og_strlist *, const char *, og_error *),
		      og_error *e)
{
	char p[128];
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	snprintf(p, sizeof p, "%s.%s", path, key);
	if (og_strlist_from_json(l, v, p, e) < 0)
		return -1;
	return validate ? validate(l, p, e) : 0;
}

static int parse_rule(struct og_runtime_policy *rp, int r, json_t *v, og_error *e)
{
	static const char *const params[RR_COUNT][3] = {
		[RR_CAPABILITIES] = { "allowed" },
		[RR_SECCOMP] = { "must_block" },
		[RR_HOST_NAMESPACES] = { "required" },
		[RR_MOUNTS] = { "forbidden", "allow_shared_propagation" },
		[RR_MASKED_PATHS] = { "required" },
		[RR_SYSCTLS] = { "allowed" },
	};
	const char *allowed[5] = { "mode" };
	const char *mode;
	char path[96];
	int n = 1;

	snprintf(path, sizeof path, "$.runtime.rules.%s", og_runtime_rule_names[r]);
	if (json_is_boolean(v)) {
		rp->mode[r] = json_is_true(v) ? OG_MODE_ENFORCE : OG_MODE_OFF;
		return 0;
	}
	if (!json_is_object(v))
		return og_fail(e, "%s: expected true, false or an object, found %s", path,
			       og_json_type(v));
	for (int i = 0; i < 3 && params[r][i]; i++)
		allowed[n++] = params[r][i];
	allowed[n] = NULL;
	if (og_json_only_keys(v, path, allowed, e) < 0)
		return -1;
	switch (og_json_str(v, "mode", path, 0, &mode, e)) {
	case -1:
		return -1;
	case 0:
		if (og_mode_parse(mode, &rp->mode[r]) < 0)
			return og_fail(e, "%s.mode: \"%s\" is not enforce, audit or off", path, mode);
		break;
	default:
		rp->mode[r] = OG_MODE_ENFORCE;
	}
	switch (r) {
	case RR_CAPABILITIES:
		return list_param(v, "allowed", path, &rp->caps_allowed, check_caps, e);
	case RR_SECCOMP:
		return list_param(v, "must_block", path, &rp->seccomp_must_block, check_syscalls, e);
	case RR_HOST_NAMESPACES:
		return list_param(v, "required", path, &rp->namespaces_required, check_namespaces, e);
	case RR_MOUNTS:
		if (og_json_bool(v, "allow_shared_propagation", path, 0,
				 &rp->allow_shared_propagation, e) < 0)
			return -1;
		return list_param(v, "forbidden", path, &rp->mounts_forbidden, check_abs_paths, e);
	case RR_MASKED_PATHS:
		return list_param(v, "required", path, &rp->masked_required, check_abs_paths, e);
	case RR_SYSCTLS:
		return list_param(v, "allowed", path, &rp->sysctls_allowed, NULL, e);
	}
	return 0;
}

int og_runtime_policy_parse(struct og_runtime_policy *rp, const json_t *section, og_error *e)
{
	static const char *const keys[] = { "preset", "rules", NULL };
	const char *preset = "restricted";
	enum og_preset p;
	json_t *rules = NULL;
	const char *name;
	json_t *v;

	if (section != NULL) {
		if (!json_is_object(section))
			return og_fail(e, "$.runtime: expected an object, found %s",
				       og_json_type(section));
		if (og_json_only_keys(section, "$.runtime", keys, e) < 0 ||
		    og_json_str(section, "preset", "$.runtime", 0, &preset, e) < 0 ||
		    og_json_obj(section, "rules", "$.runtime", 0, &rules, e) < 0)
			return -1;
	}
	if (strcmp(preset, "restricted") == 0)
		p = OG_PRESET_RESTRICTED;
	else if (strcmp(preset, "hardened") == 0)
		p = OG_PRESET_HARDENED;
	else if (strcmp(preset, "baseline") == 0)
		p = OG_PRESET_BASELINE;
	else if (strcmp(preset, "none") == 0)
		p = OG_PRESET_NONE;
	else
		return og_fail(e, "$.runtime.preset: \"%s\" is not restricted, hardened, baseline or none",
			       preset);
	if (apply_preset(rp, p) < 0)
		return og_fail(e, "$.runtime: out of memory");
	if (rules == NULL)
		return 0;
	json_object_foreach(rules, name, v) {
		int r;

		for (r = 0; r < RR_COUNT; r++)
			if (strcmp(og_runtime_rule_names[r], name) == 0)
				break;
		if (r == RR_COUNT)
			return og_fail(e, "$.runtime.rules: unknown rule \"%s\"", name);
		if (parse_rule(rp, r, v, e) < 0)
			return -1;
	}
	return 0;
}

void og_runtime_policy_free(struct og_runtime_policy *rp)
{
	og_strlist_clear(&rp->caps_allowed);
	og_strlist_clear(&rp->seccomp_must_block);
	og_strlist_clear(&rp->namespaces_required);
	og_strlist_clear(&rp->mounts_forbidden);
	og_strlist_clear(&rp->masked_required);
	og_strlist_clear(&rp->sysctls_allowed);
}

static void print_list(FILE *out, const char *label, const struct og_strlist *l)
{
	fprintf(out, "      %s:", label);
	if (l->n == 0)
		fprintf(out, " (none)");
	for (size_t i = 0; i < l->n; i++)
		fprintf(out, " %s", l->v[i]);
	fputc('\n', out);
}

void og_runtime_policy_describe(const struct og_runtime_policy *rp, FILE *out)
{
	fprintf(out, "runtime (preset %s):\n", og_preset_name(rp->preset));
	for (int r = 0; r < RR_COUNT; r++) {
		fprintf(out, "  %-28s %s\n", og_runtime_rule_ids[r], og_mode_name(rp->mode[r]));
		if (rp->mode[r] == OG_MODE_OFF)
			continue;
		switch (r) {
		case RR_CAPABILITIES: print_list(out, "allowed", &rp->caps_allowed); break;
		case RR_SECCOMP: print_list(out, "must_block", &rp->seccomp_must_block); break;
		case RR_HOST_NAMESPACES: print_list(out, "required", &rp->namespaces_required); break;
		case RR_MOUNTS:
			print_list(out, "forbidden", &rp->mounts_forbidden);
			fprintf(out, "      allow_shared_propagation: %s\n",
				rp->allow_shared_propagation ? "yes" : "no");
			break;
		case RR_MASKED_PATHS: print_list(out, "required", &rp->masked_required); break;
		case RR_SYSCTLS: print_list(out, "allowed", &rp->sysctls_allowed); break;
		}
	}
}
