/* Every runtime rule, pass and fail. */
#include "rulehelp.h"
#include "hook/confine.h"
#include "policy/seccomp_profile.h"

#include <seccomp.h>
#include <sys/wait.h>

#define PROC(c) json_object_get((c), "process")
#define LINUX(c) json_object_get((c), "linux")

START_TEST(hardened_config_passes_restricted)
{
	json_auto_t *c = rh_hardened();
	struct og_findings r = { 0 };
	int n = rh_run(RESTRICTED, c, NULL, &r);

	for (size_t i = 0; i < r.n; i++)
		fprintf(stderr, "unexpected: %s: %s\n", r.items[i].rule, r.items[i].message);
	og_findings_free(&r);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(readonly_rootfs)
{
	json_auto_t *c = rh_hardened();

	json_object_set_new(json_object_get(c, "root"), "readonly", json_false());
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.readonly-rootfs", NULL), 1);
	json_object_del(json_object_get(c, "root"), "readonly");
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.readonly-rootfs", NULL), 1);
	/* baseline does not require it */
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.readonly-rootfs", NULL), 0);
}
END_TEST

START_TEST(capabilities)
{
	json_auto_t *c = rh_hardened();
	json_t *caps = json_object_get(PROC(c), "capabilities");
	struct og_findings r = { 0 };

	json_array_append_new(json_object_get(caps, "bounding"), json_string("CAP_NET_BIND_SERVICE"));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.capabilities", NULL), 0);
	json_array_append_new(json_object_get(caps, "bounding"), json_string("CAP_SYS_ADMIN"));
	json_array_append_new(json_object_get(caps, "effective"), json_string("CAP_SYS_ADMIN"));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.capabilities", &r), 1);
	ck_assert_ptr_nonnull(strstr(rh_msg(&r, "runtime.capabilities"), "CAP_SYS_ADMIN"));
	ck_assert_ptr_nonnull(strstr(rh_msg(&r, "runtime.capabilities"), "bounding,effective"));
	og_findings_free(&r);
	/* CHOWN is allowed by baseline, not by restricted */
	json_array_clear(json_object_get(caps, "bounding"));
	json_array_clear(json_object_get(caps, "effective"));
	json_array_append_new(json_object_get(caps, "ambient"), json_string("CAP_CHOWN"));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.capabilities", NULL), 1);
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.capabilities", NULL), 0);
	/* a name libcap does not know is a violation, not a skip */
	json_array_append_new(json_object_get(caps, "permitted"), json_string("CAP_BOGUS"));
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.capabilities", &r), 1);
	ck_assert_ptr_nonnull(strstr(rh_msg(&r, "runtime.capabilities"), "unknown capability"));
	og_findings_free(&r);
	json_array_clear(json_object_get(caps, "permitted"));
	json_array_append_new(json_object_get(caps, "permitted"), json_string("cap_chown"));
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.capabilities", NULL), 1);
	/* a custom allowed list */
	ck_assert_int_eq(rh_run("{\"version\":1,\"runtime\":{\"preset\":\"restricted\",\"rules\":"
				"{\"capabilities\":{\"allowed\":[\"CAP_CHOWN\"]}}}}", c,
				"runtime.capabilities", NULL), 1);	/* cap_chown still wrong */
}
END_TEST

START_TEST(no_new_privileges)
{
	json_auto_t *c = rh_hardened();

	json_object_set_new(PROC(c), "noNewPrivileges", json_false());
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.no-new-privileges", NULL), 1);
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.no-new-privileges", NULL), 0);
}
END_TEST

START_TEST(seccomp)
{
	json_auto_t *c = rh_hardened();
	json_t *sc = json_object_get(LINUX(c), "seccomp");
	json_t *rules = json_object_get(sc, "syscalls");
	struct og_findings r = { 0 };

	/* conditional clone is fine; unconditional bpf is not */
	json_array_append_new(rules, json_pack("{s:[s],s:s}", "names", "bpf", "action", "SCMP_ACT_ALLOW"));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.seccomp", &r), 1);
	ck_assert_ptr_nonnull(strstr(rh_msg(&r, "runtime.seccomp"), "bpf"));
	og_findings_free(&r);
	/* every must_block syscall a rule allows is named; a rule with argument
	 * conditions does not count (the hardened preset's list has mount and
	 * keyctl) */
	json_array_append_new(rules, json_pack("{s:[s,s],s:s}", "names", "mount", "keyctl", "action",
					       "SCMP_ACT_LOG"));
	json_array_append_new(rules, json_pack("{s:[s],s:s,s:[{s:i,s:i,s:s}]}", "names", "unshare", "action",
					       "SCMP_ACT_ALLOW", "args", "index", 0, "value", 0, "op",
					       "SCMP_CMP_EQ"));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.seccomp", NULL), 1);
	ck_assert_int_eq(rh_run(HARDENED, c, "runtime.seccomp", &r), 3);
	{
		/* in the order of the preset's must_block list */
		static const char *const want[] = { "allows bpf ", "allows mount ", "allows keyctl " };
		size_t k = 0;

		for (size_t i = 0; i < r.n; i++)
			if (strcmp(r.items[i].rule, "runtime.seccomp") == 0) {
				ck_assert_msg(strstr(r.items[i].message, want[k]) != NULL, "%s", r.items[i].message);
				k++;
			}
	}
	og_findings_free(&r);
	json_array_remove(rules, json_array_size(rules) - 1);
	json_array_remove(rules, json_array_size(rules) - 1);
	/* ptrace is allowed by the engines' RuntimeDefault profiles: not in the
	 * preset's list, but a node can ask for it */
	json_array_remove(rules, json_array_size(rules) - 1);
	json_array_append_new(rules, json_pack("{s:[s],s:s}", "names", "ptrace", "action", "SCMP_ACT_ALLOW"));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.seccomp", NULL), 0);
	ck_assert_int_eq(rh_run("{\"version\":1,\"runtime\":{\"rules\":{\"seccomp\":{\"must_block\":[\"ptrace\"]}}}}",
				c, "runtime.seccomp", NULL), 1);
	/* a must_block list from the policy, names validated */
	json_array_remove(rules, json_array_size(rules) - 1);
	ck_assert_int_eq(rh_run("{\"version\":1,\"runtime\":{\"rules\":{\"seccomp\":{\"must_block\":[\"read\"]}}}}",
				c, "runtime.seccomp", NULL), 1);
	/* allow-by-default profile */
	json_object_set_new(sc, "defaultAction", json_string("SCMP_ACT_LOG"));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.seccomp", NULL), 1);
	json_object_set_new(sc, "defaultAction", json_string("SCMP_ACT_WHATEVER"));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.seccomp", &r), 1);
	ck_assert_ptr_nonnull(strstr(rh_msg(&r, "runtime.seccomp"), "unknown"));
	og_findings_free(&r);
	json_object_set_new(sc, "defaultAction", json_string("SCMP_ACT_KILL_PROCESS"));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.seccomp", NULL), 0);
	json_object_del(LINUX(c), "seccomp");
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.seccomp", NULL), 1);
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.seccomp", NULL), 0);
}
END_TEST

/* Each engine's RuntimeDefault, as it reaches config.json for a container
 * without capabilities: containers-common's (Podman, CRI-O) allows mount,
 * umount2, unshare, setns and keyctl; containerd's and moby's none of the
 * hardened list.  restricted accepts both, hardened only the second. */
START_TEST(engine_defaults)
{
	json_auto_t *c = rh_hardened();
	json_t *rules = json_object_get(json_object_get(LINUX(c), "seccomp"), "syscalls");
	struct og_findings r = { 0 };

	json_array_append_new(rules, json_pack("{s:[s,s,s,s,s],s:s}", "names", "keyctl", "mount", "setns",
					       "umount2", "unshare", "action", "SCMP_ACT_ALLOW"));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.seccomp", NULL), 0);
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.seccomp", NULL), 0);
	ck_assert_int_eq(rh_run(HARDENED, c, "runtime.seccomp", &r), 5);
	og_findings_free(&r);
	json_array_remove(rules, json_array_size(rules) - 1);
	ck_assert_int_eq(rh_run(HARDENED, c, "runtime.seccomp", NULL), 0);
	/* what every default blocks stays in restricted */
	json_array_append_new(rules, json_pack("{s:[s],s:s}", "names", "add_key", "action", "SCMP_ACT_ALLOW"));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.seccomp", NULL), 1);
}
END_TEST

/* An engine's profile file makes rules conditional on capabilities
 * ("includes"); in config.json the key means nothing to the runtime, so a
 * pod author cannot hide an allowed syscall behind it. */
START_TEST(seccomp_includes_only_in_engine_files)
{
	json_auto_t *rules = json_pack("[{s:[s],s:s,s:{s:[s]}}]", "names", "bpf", "action", "SCMP_ACT_ALLOW",
				       "includes", "caps", "CAP_SYS_ADMIN");
	json_auto_t *c = rh_hardened();
	int nr = seccomp_syscall_resolve_name("bpf");
	unsigned char allowed = 0;

	og_seccomp_mark_allowed(rules, 1, &nr, 1, &allowed);
	ck_assert_int_eq(allowed, 0);
	og_seccomp_mark_allowed(rules, 0, &nr, 1, &allowed);
	ck_assert_int_eq(allowed, 1);
	json_array_extend(json_object_get(json_object_get(LINUX(c), "seccomp"), "syscalls"), rules);
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.seccomp", NULL), 1);
}
END_TEST

START_TEST(privileged)
{
	json_auto_t *c = rh_hardened();
	json_t *b = json_object_get(json_object_get(PROC(c), "capabilities"), "bounding");
	struct og_findings r = { 0 };

	for (int i = 0; i <= 40; i++) {
		char *name = cap_to_name((cap_value_t)i);
		char upper[64];
		snprintf(upper, sizeof upper, "%s", name);
		for (char *p = upper; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		cap_free(name);
		if (strncmp(upper, "CAP_", 4) == 0)
			json_array_append_new(b, json_string(upper));
	}
	ck_assert_int_ge(rh_run(BASELINE, c, "runtime.privileged", &r), 1);
	ck_assert_ptr_nonnull(strstr(rh_msg(&r, "runtime.privileged"), "privileged"));
	og_findings_free(&r);
	json_array_clear(b);
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.privileged", NULL), 0);
	/* no masked or read-only paths and a writable /sys */
	json_array_clear(json_object_get(LINUX(c), "maskedPaths"));
	json_array_clear(json_object_get(LINUX(c), "readonlyPaths"));
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.privileged", NULL), 0);
	json_array_remove(json_object_get(json_array_get(json_object_get(c, "mounts"), 2), "options"), 3);
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.privileged", NULL), 1);
}
END_TEST

START_TEST(host_namespaces)
{
	json_auto_t *c = rh_hardened();
	json_t *ns = json_object_get(LINUX(c), "namespaces");
	struct og_findings r = { 0 };

	/* network entry missing: shares the host's */
	json_array_remove(ns, 1);
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.host-namespaces", &r), 1);
	ck_assert_ptr_nonnull(strstr(rh_msg(&r, "runtime.host-namespaces"), "network"));
	og_findings_free(&r);
	/* a path that is the host's (ours: the test runs in the host's namespaces
	 * or in one it shares with its parent, as the hook does) */
	json_array_append_new(ns, json_pack("{s:s,s:s}", "type", "network", "path", "/proc/self/ns/net"));
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.host-namespaces", NULL), 1);
	/* a path that cannot be checked */
	json_array_remove(ns, json_array_size(ns) - 1);
	json_array_append_new(ns, json_pack("{s:s,s:s}", "type", "network", "path", "/nonexistent/ns"));
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.host-namespaces", NULL), 1);
	/* the configured list is what is required */
	ck_assert_int_eq(rh_run("{\"version\":1,\"runtime\":{\"preset\":\"baseline\",\"rules\":"
				"{\"host-namespaces\":{\"required\":[\"pid\"]}}}}", c,
				"runtime.host-namespaces", NULL), 0);
}
END_TEST

static int mount_hits(const char *policy, const char *source, const char *opt)
{
	json_auto_t *c = rh_hardened();
	json_t *m = json_pack("{s:s,s:s,s:s,s:[s]}", "destination", "/data", "type", "bind", "source",
			      source, "options", opt ? opt : "rbind");

	json_array_append_new(json_object_get(c, "mounts"), m);
	return rh_run(policy, c, "runtime.mounts", NULL);
}

START_TEST(mounts)
{
	/* the engine's own binds pass (the fixture has containerd's hosts bind) */
	ck_assert_int_eq(mount_hits(BASELINE, "/var/lib/kubelet/pods/x/volumes/cm", NULL), 0);
	ck_assert_int_eq(mount_hits(BASELINE, "/srv/data", NULL), 0);
	/* exact, below a subtree, ancestors, lexical tricks */
	ck_assert_int_eq(mount_hits(BASELINE, "/", NULL), 1);
	ck_assert_int_eq(mount_hits(BASELINE, "/etc", NULL), 1);
	ck_assert_int_eq(mount_hits(BASELINE, "/etc/kubernetes/pki", NULL), 1);
	ck_assert_int_eq(mount_hits(BASELINE, "/run", NULL), 1);	/* exposes containerd.sock */
	ck_assert_int_eq(mount_hits(BASELINE, "/run/containerd/containerd.sock", NULL), 1);
	ck_assert_int_eq(mount_hits(BASELINE, "/var/lib", NULL), 1);
	ck_assert_int_eq(mount_hits(BASELINE, "/srv/../etc", NULL), 1);
	ck_assert_int_eq(mount_hits(BASELINE, "//etc//", NULL), 1);
	ck_assert_int_eq(mount_hits(BASELINE, "/dev/sda1", NULL), 1);
	/* a symlink on the host to a forbidden path */
	unlink("/tmp/ocigate-test-link-etc");
	ck_assert_int_eq(symlink("/etc", "/tmp/ocigate-test-link-etc"), 0);
	ck_assert_int_eq(mount_hits(BASELINE, "/tmp/ocigate-test-link-etc", NULL), 1);
	unlink("/tmp/ocigate-test-link-etc");
	/* a link in a directory only its owner may search: the confined hook
	 * (uid 0, no capabilities) cannot resolve it, the runtime would */
	if (geteuid() != 0) {
		fprintf(stderr, "mounts: skipping the unsearchable-directory case (needs root to set up)\n");
	} else {
		pid_t pid;
		int status;

		ck_assert_int_eq(system("rm -rf /tmp/ocigate-test-locked && mkdir -p /tmp/ocigate-test-locked/d && "
					"ln -s /etc /tmp/ocigate-test-locked/d/link && chown -R 65534 /tmp/ocigate-test-locked/d && "
					"chmod 0700 /tmp/ocigate-test-locked/d"), 0);
		ck_assert_int_eq(mount_hits(BASELINE, "/tmp/ocigate-test-locked/d/link", NULL), 1);	/* with caps: resolved */
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			og_error e = { 0 };
			if (og_drop_privileges(&e) < 0)
				_exit(99);
			_exit(mount_hits(BASELINE, "/tmp/ocigate-test-locked/d/link", NULL));
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_int_eq(WEXITSTATUS(status), 1);
		ck_assert_int_eq(system("rm -rf /tmp/ocigate-test-locked"), 0);
	}
	/* /var/lib/containerd is forbidden itself, but not below it */
	ck_assert_int_eq(mount_hits(BASELINE, "/var/lib/containerd", NULL), 1);
	/* shared propagation */
	ck_assert_int_eq(mount_hits(BASELINE, "/srv/data", "rshared"), 1);
	ck_assert_int_eq(mount_hits("{\"version\":1,\"runtime\":{\"preset\":\"baseline\",\"rules\":"
				    "{\"mounts\":{\"allow_shared_propagation\":true}}}}", "/srv/data", "rshared"), 0);
	/* a custom list replaces the default */
	ck_assert_int_eq(mount_hits("{\"version\":1,\"runtime\":{\"preset\":\"baseline\",\"rules\":"
				    "{\"mounts\":{\"forbidden\":[\"/srv/**\"]}}}}", "/srv/data", NULL), 1);
	ck_assert_int_eq(mount_hits("{\"version\":1,\"runtime\":{\"preset\":\"baseline\",\"rules\":"
				    "{\"mounts\":{\"forbidden\":[\"/srv\"]}}}}", "/srv/data", NULL), 0);
}
END_TEST

START_TEST(rootfs_propagation)
{
	json_auto_t *c = rh_hardened();

	json_object_set_new(LINUX(c), "rootfsPropagation", json_string("rshared"));
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.mounts", NULL), 1);
}
END_TEST

START_TEST(user)
{
	json_auto_t *c = rh_hardened();

	json_object_set_new(json_object_get(PROC(c), "user"), "uid", json_integer(0));
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.user", NULL), 1);
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.user", NULL), 0);
	json_object_del(json_object_get(PROC(c), "user"), "uid");
	ck_assert_int_eq(rh_run(RESTRICTED, c, "runtime.user", NULL), 1);
}
END_TEST

START_TEST(masked_paths_and_sysctls)
{
	json_auto_t *c = rh_hardened();

	json_array_remove(json_object_get(LINUX(c), "maskedPaths"), 2);	/* /proc/kcore */
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.masked-paths", NULL), 1);
	json_object_set_new(LINUX(c), "sysctl",
			    json_pack("{s:s,s:s}", "net.ipv4.tcp_syncookies", "1", "kernel.msgmax", "65536"));
	ck_assert_int_eq(rh_run(BASELINE, c, "runtime.sysctls", NULL), 1);
}
END_TEST

START_TEST(preset_none_and_off)
{
	json_auto_t *c = rh_hardened();

	json_object_set_new(json_object_get(c, "root"), "readonly", json_false());
	json_object_del(LINUX(c), "seccomp");
	ck_assert_int_eq(rh_run("{\"version\":1,\"runtime\":{\"preset\":\"none\"}}", c, NULL, NULL), 0);
	ck_assert_int_eq(rh_run("{\"version\":1,\"runtime\":{\"rules\":{\"readonly-rootfs\":false,"
				"\"seccomp\":{\"mode\":\"off\"}}}}", c, NULL, NULL), 0);
	ck_assert_int_eq(rh_run("{\"version\":1,\"runtime\":{\"preset\":\"none\",\"rules\":"
				"{\"readonly-rootfs\":true}}}", c, NULL, NULL), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runtime rules");
	TCase *t = tcase_create("rules");

	tcase_add_test(t, hardened_config_passes_restricted);
	tcase_add_test(t, readonly_rootfs);
	tcase_add_test(t, capabilities);
	tcase_add_test(t, no_new_privileges);
	tcase_add_test(t, seccomp);
	tcase_add_test(t, engine_defaults);
	tcase_add_test(t, seccomp_includes_only_in_engine_files);
	tcase_add_test(t, privileged);
	tcase_add_test(t, host_namespaces);
	tcase_add_test(t, mounts);
	tcase_add_test(t, rootfs_propagation);
	tcase_add_test(t, user);
	tcase_add_test(t, masked_paths_and_sysctls);
	tcase_add_test(t, preset_none_and_off);
	suite_add_tcase(s, t);
	return tu_run(s);
}
