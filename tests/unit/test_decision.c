/* From findings to decisions: per-rule modes, audit mode, exemptions. */
#include "testutil.h"
#include "hook/decision.h"
#include "hook/base/log.h"

static struct og_policy policy(const char *text)
{
	struct og_policy p;
	og_error e = { 0 };

	ck_assert_msg(og_policy_parse(text, strlen(text), &p, &e) == 0, "%s", e.msg);
	return p;
}

static enum og_result decide(const char *policy_text, json_t *ann, const char *image,
			      const char *rule1, const char *rule2, struct og_decision *d)
{
	struct og_policy p = policy(policy_text);
	struct og_container c;
	struct og_findings r = { 0 };

	og_container_init(&c, "c", "createRuntime");
	c.annotations = ann;

	snprintf(c.image.name, sizeof c.image.name, "%s", image);
	if (rule1)
		og_findings_add(&r, rule1, "first");
	if (rule2)
		og_findings_add(&r, rule2, "second");
	og_decide(&p, &c, &r, d);
	og_findings_free(&r);
	og_policy_free(&p);
	return d->result;
}

START_TEST(enforce_audit_off)
{
	struct og_decision d;

	ck_assert_int_eq(decide("{\"version\":1}", NULL, "", NULL, NULL, &d), OG_ALLOW);
	ck_assert_int_eq(decide("{\"version\":1}", NULL, "", "runtime.user", "runtime.seccomp", &d), OG_DENY);
	ck_assert_str_eq(d.rules, "runtime.user,runtime.seccomp");
	/* the same rule twice is listed once */
	ck_assert_int_eq(decide("{\"version\":1}", NULL, "", "runtime.user", "runtime.user", &d), OG_DENY);
	ck_assert_str_eq(d.rules, "runtime.user");
	ck_assert_int_eq(decide("{\"version\":1,\"mode\":\"audit\"}", NULL, "", "runtime.user", NULL, &d), OG_AUDIT);
	ck_assert_int_eq(decide("{\"version\":1,\"runtime\":{\"rules\":{\"user\":{\"mode\":\"audit\"}}}}",
				NULL, "", "runtime.user", NULL, &d), OG_AUDIT);
	ck_assert_int_eq(decide("{\"version\":1,\"runtime\":{\"rules\":{\"user\":{\"mode\":\"audit\"}}}}",
				NULL, "", "runtime.user", "runtime.seccomp", &d), OG_DENY);
	ck_assert_str_eq(d.rules, "runtime.user,runtime.seccomp");
	ck_assert_int_eq(decide("{\"version\":1,\"modes\":{\"trust.*\":\"audit\"}}", NULL, "",
				"trust.signature", NULL, &d), OG_AUDIT);
	ck_assert_int_eq(decide("{\"version\":1,\"modes\":{\"trust.*\":\"audit\",\"trust.signature\":\"enforce\"}}",
				NULL, "", "trust.signature", NULL, &d), OG_DENY);
}
END_TEST

START_TEST(exemptions)
{
	struct og_decision d;
	json_auto_t *sys = json_pack("{s:s,s:s}", "io.kubernetes.cri.sandbox-namespace", "kube-system",
				     "io.kubernetes.cri.container-name", "etcd");
	json_auto_t *app = json_pack("{s:s}", "io.kubernetes.cri.sandbox-namespace", "default");
	/* a pod writing a look-alike key it controls does not count */
	json_auto_t *forged = json_pack("{s:s}", "io.kubernetes.pod.namespace", "kube-system");
	const char *pol = "{\"version\":1,\"exemptions\":[{\"rules\":[\"runtime.readonly-rootfs\"],"
			  "\"namespaces\":[\"kube-system\"]},{\"rules\":[\"runtime.*\"],"
			  "\"images\":[\"registry.k8s.io/*\"]},{\"rules\":[\"runtime.user\"],"
			  "\"annotations\":{\"io.kubernetes.cri.container-name\":\"etc?\"}}]}";

	ck_assert_int_eq(decide(pol, sys, "", "runtime.readonly-rootfs", NULL, &d), OG_ALLOW);
	ck_assert_int_eq(decide(pol, sys, "", "runtime.readonly-rootfs", "runtime.seccomp", &d), OG_DENY);
	ck_assert_str_eq(d.rules, "runtime.seccomp");
	ck_assert_int_eq(decide(pol, app, "", "runtime.readonly-rootfs", NULL, &d), OG_DENY);
	ck_assert_int_eq(decide(pol, forged, "", "runtime.readonly-rootfs", NULL, &d), OG_DENY);
	ck_assert_int_eq(decide(pol, app, "registry.k8s.io/pause:3.9", "runtime.seccomp", NULL, &d), OG_ALLOW);
	ck_assert_int_eq(decide(pol, app, "registry.k8s.io/pause:3.9", "trust.signature", NULL, &d), OG_DENY);
	ck_assert_int_eq(decide(pol, app, "evil.example/registry.k8s.io/pause", "runtime.seccomp", NULL, &d), OG_DENY);
	ck_assert_int_eq(decide(pol, sys, "", "runtime.user", NULL, &d), OG_ALLOW);
	ck_assert_int_eq(decide(pol, app, "", "runtime.user", NULL, &d), OG_DENY);
}
END_TEST

START_TEST(errors_follow_on_error)
{
	struct og_policy deny = policy("{\"version\":1}");
	struct og_policy allow = policy("{\"version\":1,\"on_error\":\"allow\"}");
	struct og_decision d;

	og_decide_error(&deny, &d);
	ck_assert_int_eq(d.result, OG_DENY);
	og_decide_error(&allow, &d);
	ck_assert_int_eq(d.result, OG_ALLOW);
	og_decide_error(NULL, &d);	/* no policy: fail closed */
	ck_assert_int_eq(d.result, OG_DENY);
	og_policy_free(&deny);
	og_policy_free(&allow);
}
END_TEST

START_TEST(sanitize)
{
	char out[32];

	og_sanitize("plain id-1", out, sizeof out);
	ck_assert_str_eq(out, "plain id-1");
	og_sanitize("a\"b\\c\nd\x1b", out, sizeof out);
	ck_assert_str_eq(out, "a\\\"b\\\\c\\x0ad\\x1b");
	og_sanitize("\xc3\xa9", out, sizeof out);
	ck_assert_str_eq(out, "\\xc3\\xa9");
	og_sanitize("0123456789012345678901234567890123456789", out, sizeof out);
	ck_assert_int_lt(strlen(out), sizeof out);
	ck_assert_ptr_nonnull(strstr(out, "..."));
	og_sanitize(NULL, out, sizeof out);
	ck_assert_str_eq(out, "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("decision");
	TCase *t = tcase_create("decision");

	tcase_add_test(t, enforce_audit_off);
	tcase_add_test(t, exemptions);
	tcase_add_test(t, errors_follow_on_error);
	tcase_add_test(t, sanitize);
	suite_add_tcase(s, t);
	return tu_run(s);
}
