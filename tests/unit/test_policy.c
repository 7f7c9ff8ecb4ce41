/* Policy parsing and lint: every error names its JSON path. */
#include "testutil.h"
#include "policy/policy.h"

static const char *parse_error(const char *text)
{
	static og_error e;
	struct og_policy p;

	og_error_clear(&e);
	if (og_policy_parse(text, strlen(text), &p, &e) == 0) {
		og_policy_free(&p);
		return NULL;
	}
	og_policy_free(&p);
	return e.msg;
}

#define ASSERT_ERR(text, needle)                                                          \
	do {                                                                              \
		const char *m_ = parse_error(text);                                      \
		ck_assert_msg(m_ != NULL, "accepted: %s", text);                          \
		ck_assert_msg(strstr(m_, needle) != NULL, "error \"%s\" lacks \"%s\"", m_, needle); \
	} while (0)

START_TEST(valid_policies)
{
	struct og_policy p;
	og_error e = { 0 };
	const char *text =
		"{\"version\":1,\"mode\":\"audit\",\"on_error\":\"allow\",\"log\":{\"facility\":\"local3\"},"
		"\"timeout_ms\":500,\"runtime\":{\"preset\":\"baseline\",\"rules\":{\"user\":{\"mode\":\"audit\"},"
		"\"capabilities\":{\"allowed\":[\"CAP_CHOWN\"]}}},\"modes\":{\"runtime.mounts\":\"off\"},"
		"\"exemptions\":[{\"rules\":[\"runtime.*\"],\"namespaces\":[\"kube-system\"],\"reason\":\"x\"}]}";

	ck_assert_msg(og_policy_parse(text, strlen(text), &p, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(p.audit, 1);
	ck_assert_int_eq(p.on_error_allow, 1);
	ck_assert_int_eq(p.timeout_ms, 500);
	ck_assert_int_eq(p.runtime.preset, OG_PRESET_BASELINE);
	ck_assert_int_eq(p.runtime.mode[RR_USER], OG_MODE_AUDIT);
	ck_assert_int_eq(p.runtime.caps_allowed.n, 1);
	/* global audit turns enforce into audit; modes override */
	ck_assert_int_eq(og_policy_rule_mode(&p, "runtime.capabilities"), OG_MODE_AUDIT);
	ck_assert_int_eq(og_policy_rule_mode(&p, "runtime.mounts"), OG_MODE_OFF);
	ck_assert_int_eq(og_policy_rule_mode(&p, "runtime.readonly-rootfs"), OG_MODE_OFF);
	ck_assert_int_eq(p.exemptions.n, 1);
	og_policy_free(&p);
	ck_assert_ptr_null(parse_error("{\"version\":1}"));
	/* regression: a log section followed by no modes section (the shipped
	 * default policy) was parsed as modes through a stale lookup result */
	ck_assert_ptr_null(parse_error("{\"version\":1,\"log\":{\"facility\":\"auth\"}}"));
}
END_TEST

START_TEST(bad_policies)
{
	ASSERT_ERR("{}", "$.version: missing");
	ASSERT_ERR("{\"version\":2}", "$.version: 2 is out of range");
	ASSERT_ERR("{\"version\":\"1\"}", "$.version: expected an integer");
	ASSERT_ERR("{\"version\":1,\"colour\":1}", "$: unknown key \"colour\"");
	ASSERT_ERR("{\"version\":1,\"version\":1}", "duplicate");
	ASSERT_ERR("{\"version\":1,\"mode\":\"maybe\"}", "$.mode");
	ASSERT_ERR("{\"version\":1,\"on_error\":\"shrug\"}", "$.on_error");
	ASSERT_ERR("{\"version\":1,\"log\":{\"facility\":\"kern2\"}}", "$.log.facility");
	ASSERT_ERR("{\"version\":1,\"timeout_ms\":0}", "$.timeout_ms");
	ASSERT_ERR("{\"version\":1,\"runtime\":{\"preset\":\"lax\"}}", "$.runtime.preset");
	ASSERT_ERR("{\"version\":1,\"runtime\":{\"rules\":{\"readonly\":true}}}", "unknown rule \"readonly\"");
	ASSERT_ERR("{\"version\":1,\"runtime\":{\"rules\":{\"capabilities\":{\"allowed\":[\"CAP_FLY\"]}}}}",
		   "$.runtime.rules.capabilities.allowed[0]: unknown capability name \"CAP_FLY\"");
	ASSERT_ERR("{\"version\":1,\"runtime\":{\"rules\":{\"capabilities\":{\"allowed\":\"CAP_CHOWN\"}}}}",
		   "$.runtime.rules.capabilities.allowed: expected an array");
	ASSERT_ERR("{\"version\":1,\"runtime\":{\"rules\":{\"seccomp\":{\"must_block\":[\"ptrace\",\"nosuchcall\"]}}}}",
		   "must_block[1]: unknown syscall name \"nosuchcall\"");
	ASSERT_ERR("{\"version\":1,\"runtime\":{\"rules\":{\"user\":{\"mode\":\"sometimes\"}}}}",
		   "$.runtime.rules.user.mode");
	ASSERT_ERR("{\"version\":1,\"runtime\":{\"rules\":{\"user\":{\"allowed\":[]}}}}",
		   "$.runtime.rules.user: unknown key \"allowed\"");
	ASSERT_ERR("{\"version\":1,\"runtime\":{\"rules\":{\"mounts\":{\"forbidden\":[\"etc\"]}}}}",
		   "not an absolute path");
	ASSERT_ERR("{\"version\":1,\"runtime\":{\"rules\":{\"host-namespaces\":{\"required\":[\"net\"]}}}}",
		   "unknown namespace type");
	ASSERT_ERR("{\"version\":1,\"modes\":{\"runtime.nothing\":\"off\"}}", "matches no rule id");
	ASSERT_ERR("{\"version\":1,\"modes\":{\"runtime.user\":\"loud\"}}", "$.modes.runtime.user");
	ASSERT_ERR("{\"version\":1,\"exemptions\":[{\"rules\":[\"runtime.user\"]}]}", "needs at least one of");
	ASSERT_ERR("{\"version\":1,\"exemptions\":[{\"rules\":[],\"namespaces\":[\"a\"]}]}", "at least one rule");
	ASSERT_ERR("{\"version\":1,\"exemptions\":[{\"rules\":[\"x\"],\"annotations\":{\"team\":\"a\"}}]}",
		   "is not set by the engine");
	ASSERT_ERR("{\"version\":1,\"exemptions\":{}}", "$.exemptions: expected an array");
	ASSERT_ERR("[1]", "$: expected an object");
	ASSERT_ERR("{\"version\":1", "invalid JSON");
}
END_TEST

START_TEST(shipped_default_policy_is_valid)
{
	char path[8192];
	struct og_policy p;
	og_error e = { 0 };

	snprintf(path, sizeof path, "%s/packaging/policy.json", getenv("OCIGATE_SRC") ? getenv("OCIGATE_SRC") : ".");
	ck_assert_msg(og_policy_load(path, &p, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(p.audit, 1);	/* safe on a node without a trust store yet */
	ck_assert_int_eq(p.runtime.preset, OG_PRESET_BASELINE);
	og_policy_free(&p);
}
END_TEST

START_TEST(load_refuses_links_and_big_files)
{
	char dir[] = "/tmp/ocigate-policy-XXXXXX", path[256], link[256];
	struct og_policy p;
	og_error e = { 0 };
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/policy.json", dir);
	snprintf(link, sizeof link, "%s/link.json", dir);
	f = fopen(path, "w");
	fputs("{\"version\":1}", f);
	fclose(f);
	ck_assert_int_eq(og_policy_load(path, &p, &e), 0);
	og_policy_free(&p);
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(og_policy_load(link, &p, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "symbolic link"));
	f = fopen(path, "w");
	fputc('{', f);
	for (int i = 0; i < OG_MAX_POLICY_BYTES; i++)
		fputc(' ', f);
	fputc('}', f);
	fclose(f);
	ck_assert_int_eq(og_policy_load(path, &p, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "limit"));
	ck_assert_int_eq(og_policy_load(dir, &p, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "directory"));
	unlink(link);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* The image section holds identity sources and image rules; each keeps its
 * own keys, and the rules' modes reach the decision like runtime rules'. */
START_TEST(image_section)
{
	struct og_policy p;
	og_error e = { 0 };
	const char *text =
		"{\"version\":1,\"image\":{\"identity\":[{\"source\":\"podman\",\"graphroot\":\"/g\"}],"
		"\"user\":{\"mode\":\"audit\"},\"max_layers\":{\"max\":3},\"labels\":{\"required\":[\"a\"]}},"
		"\"modes\":{\"image.labels\":\"off\",\"image.max-*\":\"audit\"}}";

	ck_assert_msg(og_policy_parse(text, strlen(text), &p, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(og_policy_rule_mode(&p, "image.user"), OG_MODE_AUDIT);
	ck_assert_int_eq(og_policy_rule_mode(&p, "image.labels"), OG_MODE_OFF);
	ck_assert_int_eq(og_policy_rule_mode(&p, "image.max-layers"), OG_MODE_AUDIT);
	/* A rule the policy does not turn on stays off whatever "modes" says. */
	ck_assert_int_eq(og_policy_rule_mode(&p, "image.registries"), OG_MODE_OFF);
	og_policy_free(&p);
	ASSERT_ERR("{\"version\":1,\"image\":{\"registry\":{}}}", "$.image: unknown key \"registry\"");
	ASSERT_ERR("{\"version\":1,\"image\":[]}", "$.image: expected an object");
	ASSERT_ERR("{\"version\":1,\"image\":{\"identity\":[{\"source\":\"nope\"}]}}", "unknown identity source");
	ASSERT_ERR("{\"version\":1,\"image\":{\"max_size\":{\"max\":\"1XB\"}}}", "$.image.max_size");
	ASSERT_ERR("{\"version\":1,\"modes\":{\"image.nope\":\"off\"}}", "matches no rule id");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy");
	TCase *t = tcase_create("policy");

	tcase_add_test(t, valid_policies);
	tcase_add_test(t, image_section);
	tcase_add_test(t, bad_policies);
	tcase_add_test(t, shipped_default_policy_is_valid);
	tcase_add_test(t, load_refuses_links_and_big_files);
	suite_add_tcase(s, t);
	return tu_run(s);
}
