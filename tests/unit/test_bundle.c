/* OCI state and bundle/config.json parsing: runc and crun variants, and
 * every kind of bad input the issue names. */
#include "testutil.h"
#include "hook/oci/oci_config.h"
#include "hook/oci/oci_state.h"
#include "hook/cmd/commands.h"

#include <fcntl.h>
#include <sys/stat.h>

static int state_ok(const char *text, struct og_oci_state *st, og_error *e)
{
	return og_oci_state_parse(text, strlen(text), st, e);
}

START_TEST(state_runc_and_crun)
{
	struct og_oci_state st;
	og_error e = { 0 };

	ck_assert_int_eq(state_ok("{\"ociVersion\":\"1.0.2-dev\",\"id\":\"c1\",\"status\":\"creating\","
				  "\"pid\":4242,\"bundle\":\"/run/b\",\"annotations\":{\"a\":\"b\"}}", &st, &e), 0);
	ck_assert_str_eq(st.id, "c1");
	ck_assert_int_eq(st.pid, 4242);
	ck_assert_ptr_nonnull(st.annotations);
	og_oci_state_free(&st);
	/* crun: extra root, status created, pid 0 */
	ck_assert_int_eq(state_ok("{\"ociVersion\":\"1.0\",\"id\":\"c2\",\"status\":\"created\",\"pid\":0,"
				  "\"bundle\":\"/run/b\",\"root\":\"/run/crun\"}", &st, &e), 0);
	ck_assert_int_eq(st.pid, 0);
	ck_assert_ptr_null(st.annotations);
	og_oci_state_free(&st);
}
END_TEST

static void state_bad(const char *text, const char *needle)
{
	struct og_oci_state st;
	og_error e = { 0 };

	ck_assert_msg(state_ok(text, &st, &e) == -1, "accepted %s", text);
	ck_assert_msg(strstr(e.msg, needle) != NULL, "\"%s\" lacks \"%s\"", e.msg, needle);
	og_oci_state_free(&st);
}

START_TEST(state_bad_input)
{
	char *big, *deep;
	struct og_oci_state st;
	og_error e = { 0 };

	state_bad("", "invalid JSON");
	state_bad("[]", "expected a JSON object");
	state_bad("{\"ociVersion\":\"1\",\"status\":\"creating\",\"bundle\":\"/b\"}", "state.id: missing");
	state_bad("{\"ociVersion\":\"1\",\"id\":7,\"status\":\"creating\",\"bundle\":\"/b\"}", "state.id: expected a string");
	state_bad("{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"creating\",\"bundle\":\"b\"}", "not an absolute path");
	state_bad("{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"creating\",\"bundle\":\"/b\",\"pid\":-1}", "out of range");
	state_bad("{\"ociVersion\":\"1\",\"id\":\"x\",\"id\":\"y\",\"status\":\"c\",\"bundle\":\"/b\"}", "duplicate");
	state_bad("{\"ociVersion\":\"1\",\"id\":\"\xff\",\"status\":\"c\",\"bundle\":\"/b\"}", "invalid JSON");
	state_bad("{\"ociVersion\":\"1\",\"id\":\"a\\u0000b\",\"status\":\"c\",\"bundle\":\"/b\"}", "invalid JSON");
	state_bad("{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"c\",\"bundle\":\"/b\",\"annotations\":{\"k\":1}}",
		  "state.annotations[\"k\"]: expected a string");
	/* deep nesting: the parser's depth limit, not the stack */
	deep = malloc(200001);
	memset(deep, '[', 100000);
	memset(deep + 100000, ']', 100000);
	deep[200000] = '\0';
	state_bad(deep, "invalid JSON");
	free(deep);
	big = malloc(OG_MAX_STATE_BYTES + 2);
	memset(big, ' ', OG_MAX_STATE_BYTES + 1);
	big[OG_MAX_STATE_BYTES + 1] = '\0';
	ck_assert_int_eq(og_oci_state_parse(big, OG_MAX_STATE_BYTES + 1, &st, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "larger than"));
	free(big);
}
END_TEST

static char bundle[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", bundle, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	char path[256];

	snprintf(bundle, sizeof bundle, "/tmp/ocigate-bundle-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(bundle));
	snprintf(path, sizeof path, "%s/rootfs", bundle);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", bundle);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *load_error(void)
{
	static og_error e;
	struct og_oci_config c;
	int r;

	og_error_clear(&e);
	r = og_oci_bundle_load(bundle, &c, &e);
	og_oci_config_free(&c);
	return r == 0 ? NULL : e.msg;
}

#define LOAD_ERR(needle)                                                                  \
	do {                                                                              \
		const char *m_ = load_error();                                            \
		ck_assert_msg(m_ != NULL, "bundle accepted");                             \
		ck_assert_msg(strstr(m_, needle) != NULL, "\"%s\" lacks \"%s\"", m_, needle); \
	} while (0)

START_TEST(bundle_good)
{
	write_file("config.json", "{\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
		   "\"process\":{\"user\":{\"uid\":5},\"noNewPrivileges\":true}}");
	ck_assert_ptr_null(load_error());
}
END_TEST

START_TEST(bundle_bad)
{
	char path[256];
	FILE *f;

	LOAD_ERR("config.json");	/* missing */
	write_file("config.json", "{\"root\":{\"path\":\"rootfs\",\"readonly\":true,\"readonly\":false}}");
	LOAD_ERR("duplicate");
	write_file("config.json", "{\"root\":{\"path\":\"rootfs\",\"readonly\":\"yes\"}}");
	LOAD_ERR("config.root.readonly: expected a boolean");
	write_file("config.json", "{\"process\":{}}");
	LOAD_ERR("config.root: missing");
	write_file("config.json", "{\"root\":{\"path\":\"rootfs\"},\"process\":{\"capabilities\":{\"bounding\":\"CAP_X\"}}}");
	LOAD_ERR("config.process.capabilities.bounding: expected an array");
	write_file("config.json", "{\"root\":{\"path\":\"rootfs\"},\"process\":{\"capabilities\":{\"bounding\":[1]}}}");
	LOAD_ERR("config.process.capabilities.bounding[0]: expected a string");
	write_file("config.json", "{\"root\":{\"path\":\"rootfs\"},\"process\":{\"user\":{\"uid\":-1}}}");
	LOAD_ERR("out of range");
	write_file("config.json", "{\"root\":{\"path\":\"rootfs\"},\"mounts\":[{\"source\":\"/etc\"}]}");
	LOAD_ERR("config.mounts[0].destination: missing");
	write_file("config.json", "{\"root\":{\"path\":\"r\xc3\"}}");
	LOAD_ERR("invalid JSON");
	/* root.path escaping the bundle, through .. or a link, or the host root */
	write_file("config.json", "{\"root\":{\"path\":\"../../etc\"}}");
	LOAD_ERR("config.root.path");
	snprintf(path, sizeof path, "%s/linkroot", bundle);
	ck_assert_int_eq(symlink("/", path), 0);
	write_file("config.json", "{\"root\":{\"path\":\"linkroot\"}}");
	LOAD_ERR("symbolic link");
	write_file("config.json", "{\"root\":{\"path\":\"/\"}}");
	LOAD_ERR("host's root filesystem");
	/* config.json a symlink, a directory, too big */
	snprintf(path, sizeof path, "%s/config.json", bundle);
	unlink(path);
	write_file("real.json", "{\"root\":{\"path\":\"rootfs\",\"readonly\":true}}");
	ck_assert_int_eq(symlink("real.json", path), 0);
	LOAD_ERR("symbolic link");
	unlink(path);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	LOAD_ERR("directory");
	rmdir(path);
	f = fopen(path, "w");
	for (int i = 0; i <= OG_MAX_CONFIG_BYTES; i++)
		fputc(' ', f);
	fclose(f);
	LOAD_ERR("limit");
	/* a FIFO must not block the hook */
	unlink(path);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	LOAD_ERR("not a regular file");
}
END_TEST

START_TEST(bundle_path_checks)
{
	struct og_oci_config c;
	og_error e = { 0 };

	ck_assert_int_eq(og_oci_bundle_load("relative/bundle", &c, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "not an absolute path"));
	ck_assert_int_eq(og_oci_bundle_load("/nonexistent/bundle", &c, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "No such file"));
}
END_TEST

/* `ocigate check --bundle` takes a relative path from the current
 * directory and makes it absolute, as the hook's bundle always is. */
START_TEST(check_relative_bundle)
{
	char out[256], cwd[4096], *rel = strrchr(bundle, '/') + 1;
	char pol[128] = "", text[4096] = "";
	int saved, fd, rc;
	ssize_t n;

	write_file("config.json", "{\"root\":{\"path\":\"rootfs\"}}");
	write_file("policy.json", "{\"version\":1,\"runtime\":{\"preset\":\"none\"}}");
	snprintf(pol, sizeof pol, "%s/policy.json", bundle);
	snprintf(out, sizeof out, "%s/out.txt", bundle);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	ck_assert_int_eq(chdir("/tmp"), 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, STDOUT_FILENO);
	{
		char *argv[] = { "check", "--bundle", rel, "--policy", pol, NULL };

		rc = og_cmd_check(5, argv);
	}
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	ck_assert_int_eq(rc, 0);
	fd = open(out, O_RDONLY);
	n = read(fd, text, sizeof text - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	snprintf(out, sizeof out, "bundle: %s\n", bundle);
	ck_assert_msg(strstr(text, out) != NULL, "%s", text);
	/* one that does not exist: a usage error naming it */
	{
		char *argv[] = { "check", "--bundle", "no-such-bundle", "--policy", pol, NULL };

		ck_assert_int_eq(og_cmd_check(5, argv), 2);
	}
	ck_assert_int_eq(chdir(cwd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("state and bundle");
	TCase *t = tcase_create("state");
	TCase *b = tcase_create("bundle");

	tcase_add_test(t, state_runc_and_crun);
	tcase_add_test(t, state_bad_input);
	tcase_add_checked_fixture(b, setup, teardown);
	tcase_add_test(b, bundle_good);
	tcase_add_test(b, bundle_bad);
	tcase_add_test(b, bundle_path_checks);
	tcase_add_test(b, check_relative_bundle);
	suite_add_tcase(s, t);
	suite_add_tcase(s, b);
	return tu_run(s);
}
