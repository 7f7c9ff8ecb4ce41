/* `ocigate containerd-spec`: the base runtime spec for containerd's CRI
 * plugin is containerd's default spec plus exactly the ocigate hook. */
#include "testutil.h"
#include "hook/cmd/commands.h"

#include <fcntl.h>
#include <jansson.h>
#include <sys/wait.h>

/* Run the command with stdout sent to a temp file; return its exit code and
 * the parsed output (NULL when it is not one valid JSON document). */
static int run_cmd(int argc, char **argv, json_t **out)
{
	char path[] = "/tmp/ocigate-ctrspec-XXXXXX";
	int fd = mkstemp(path), saved, rc;
	json_error_t jerr;

	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	rc = og_cmd_containerd_spec(argc, argv);
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	close(fd);
	*out = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	unlink(path);
	return rc;
}

static const json_t *only_hook(const json_t *spec)
{
	const json_t *hooks = json_object_get(spec, "hooks"), *cr;

	ck_assert_ptr_nonnull(hooks);
	ck_assert_int_eq(json_object_size(hooks), 1);
	cr = json_object_get(hooks, "createRuntime");
	ck_assert(json_is_array(cr));
	ck_assert_int_eq(json_array_size(cr), 1);
	return json_array_get(cr, 0);
}

static void assert_args(const json_t *hook, const char *const *want)
{
	const json_t *args = json_object_get(hook, "args");
	size_t n = 0;

	while (want[n])
		n++;
	ck_assert(json_is_array(args));
	ck_assert_int_eq(json_array_size(args), n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(json_string_value(json_array_get(args, i)), want[i]);
}

static int has_entry(const json_t *arr, const char *key, const char *value)
{
	size_t i;
	const json_t *v;

	json_array_foreach(arr, i, v)
		if (json_is_string(json_object_get(v, key)) &&
		    strcmp(json_string_value(json_object_get(v, key)), value) == 0)
			return 1;
	return 0;
}

START_TEST(default_spec_with_hook)
{
	char *argv[] = { "containerd-spec", NULL };
	static const char *const want[] = { "ocigate", "hook", "--stage", "createRuntime", NULL };
	json_auto_t *spec = NULL;
	const json_t *hook, *lnx, *ns, *mounts;

	ck_assert_int_eq(run_cmd(1, argv, &spec), 0);
	ck_assert_ptr_nonnull(spec);
	hook = only_hook(spec);
	ck_assert_str_eq(json_string_value(json_object_get(hook, "path")), "/usr/sbin/ocigate");
	assert_args(hook, want);

	ck_assert_str_eq(json_string_value(json_object_get(spec, "ociVersion")), "1.0.2-dev");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(spec, "root"), "path")),
			 "rootfs");
	lnx = json_object_get(spec, "linux");
	ns = json_object_get(lnx, "namespaces");
	ck_assert_int_eq(json_array_size(ns), 5);
	for (const char *const *t = (const char *const[]){ "pid", "ipc", "uts", "mount", "network", NULL };
	     *t; t++)
		ck_assert_msg(has_entry(ns, "type", *t), "namespace %s missing", *t);
	mounts = json_object_get(spec, "mounts");
	ck_assert_int_eq(json_array_size(mounts), 7);
	for (const char *const *d = (const char *const[]){ "/proc", "/dev", "/dev/pts", "/dev/shm",
							   "/dev/mqueue", "/sys", "/run", NULL };
	     *d; d++)
		ck_assert_msg(has_entry(mounts, "destination", *d), "mount %s missing", *d);
	ck_assert_int_eq(json_array_size(json_object_get(lnx, "maskedPaths")), 10);
	ck_assert_int_eq(json_array_size(json_object_get(lnx, "readonlyPaths")), 5);
	ck_assert(json_is_true(json_object_get(json_object_get(spec, "process"), "noNewPrivileges")));
}
END_TEST

START_TEST(hook_and_policy_options)
{
	char *argv[] = { "containerd-spec", "--hook", "/opt/og/ocigate", "--policy",
			 "/etc/ocigate/strict.json", NULL };
	static const char *const want[] = { "ocigate", "hook", "--stage", "createRuntime",
					    "--policy", "/etc/ocigate/strict.json", NULL };
	json_auto_t *spec = NULL;
	const json_t *hook;

	ck_assert_int_eq(run_cmd(5, argv, &spec), 0);
	ck_assert_ptr_nonnull(spec);
	hook = only_hook(spec);
	ck_assert_str_eq(json_string_value(json_object_get(hook, "path")), "/opt/og/ocigate");
	assert_args(hook, want);
}
END_TEST

/* The runtime runs hooks from the bundle directory: relative paths would
 * point into it, so they are usage errors, as are stray arguments. */
START_TEST(bad_usage)
{
	char *rel_policy[] = { "containerd-spec", "--policy", "policy.json", NULL };
	char *rel_hook[] = { "containerd-spec", "--hook", "ocigate", NULL };
	char *ctl_hook[] = { "containerd-spec", "--hook", "/usr/sbin/oci\ngate", NULL };
	char *extra[] = { "containerd-spec", "extra", NULL };
	char *unknown[] = { "containerd-spec", "--stage", "prestart", NULL };
	json_t *out = NULL;
	int err = open("/dev/null", O_WRONLY), saved = dup(STDERR_FILENO);

	ck_assert_int_ge(err, 0);
	dup2(err, STDERR_FILENO); /* keep the expected usage messages out of the test log */
	ck_assert_int_eq(run_cmd(3, rel_policy, &out), 2);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(run_cmd(3, rel_hook, &out), 2);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(run_cmd(3, ctl_hook, &out), 2);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(run_cmd(2, extra, &out), 2);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(run_cmd(3, unknown, &out), 2);
	ck_assert_ptr_null(out);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(err);
}
END_TEST

/* Where containerd's ctr is installed, the embedded spec must still be what
 * it prints (ctr oci spec needs no daemon); a containerd upgrade that
 * changes its default shows up here. */
START_TEST(matches_ctr_oci_spec)
{
	char *argv[] = { "containerd-spec", NULL };
	char path[] = "/tmp/ocigate-ctr-XXXXXX";
	json_auto_t *spec = NULL, *ctr = NULL;
	json_error_t jerr;
	char cmd[256], version[128] = "";
	FILE *v;
	int fd, status;

	if (access("/usr/bin/ctr", X_OK) != 0) {
		printf("test_containerd_spec: ctr not installed, not comparing with `ctr oci spec`\n");
		return;
	}
	/* `ctr --version`, not `ctr version`: the latter waits for a daemon */
	v = popen("/usr/bin/ctr --version 2>/dev/null | sed -n 's/^ctr [^ ]* //p'", "r");
	ck_assert_ptr_nonnull(v);
	if (fgets(version, sizeof version, v) == NULL)
		version[0] = '\0';
	pclose(v);
	version[strcspn(version, "\n")] = '\0';
	if (strncmp(version, "1.6.", 4) != 0) {
		printf("test_containerd_spec: ctr is not containerd 1.6 (%s), not comparing\n", version);
		return;
	}
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(cmd, sizeof cmd, "/usr/bin/ctr oci spec > %s 2>/dev/null", path);
	status = system(cmd);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ctr = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	unlink(path);
	ck_assert_ptr_nonnull(ctr);

	ck_assert_int_eq(run_cmd(1, argv, &spec), 0);
	ck_assert_ptr_nonnull(spec);
	ck_assert_int_eq(json_object_del(spec, "hooks"), 0);
	ck_assert_msg(json_equal(spec, ctr), "embedded spec differs from `ctr oci spec`");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("containerd_spec");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, default_spec_with_hook);
	tcase_add_test(tc, hook_and_policy_options);
	tcase_add_test(tc, bad_usage);
	tcase_add_test(tc, matches_ctr_oci_spec);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
