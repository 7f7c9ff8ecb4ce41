/* The policy's "bundle" section, the generation name a node's `current`
 * may name, reading `current`, and the freshness times. */
#include "testutil.h"
#include "policy/policy.h"
#include "policy/bundle_policy.h"
#include "verify/trust/bundle_generation.h"
#include "verify/trust/bundle_layout.h"
#include "hook/base/strfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#define TRUST "\"trust\": {\"root_keys\": [\"/etc/ocigate/root.pem\"]}"

static int parse(const char *text, struct og_policy *p, og_error *e)
{
	int r = og_policy_parse(text, strlen(text), p, e);

	if (r == 0)
		return 0;
	og_policy_free(p);
	return r;
}

#define EXPECT_POLICY_ERROR(text, needle)                                       \
	do {                                                                    \
		struct og_policy p_;                                            \
		og_error e_ = { 0 };                                            \
		ck_assert_int_eq(parse(text, &p_, &e_), -1);                    \
		ck_assert_msg(strstr(e_.msg, needle) != NULL, "\"%s\" lacks \"%s\"", e_.msg, needle); \
	} while (0)

START_TEST(section_parses)
{
	struct og_policy p;
	og_error e = { 0 };

	ck_assert_int_eq(parse("{\"version\": 1, " TRUST ", \"bundle\": {\"dir\": \"/srv/b\", \"max_age\": \"72h\","
			       " \"on_stale\": \"audit\", \"warn_before_expiry\": \"1d\"}}", &p, &e), 0);
	ck_assert_int_eq(p.bundle.configured, 1);
	ck_assert_str_eq(og_bundle_policy_dir(&p.bundle), "/srv/b");
	ck_assert_int_eq(p.bundle.max_age, 72 * 3600);
	ck_assert_int_eq(p.bundle.warn_before_expiry, 86400);
	ck_assert_int_eq(p.bundle.on_stale_audit, 1);
	/* on_stale audit: bundle.stale is logged, not denied; expired still denies */
	ck_assert_int_eq(og_policy_rule_mode(&p, OG_BUNDLE_RULE_STALE), OG_MODE_AUDIT);
	ck_assert_int_eq(og_policy_rule_mode(&p, OG_BUNDLE_RULE_EXPIRED), OG_MODE_ENFORCE);
	og_policy_free(&p);

	/* defaults: the default dir, no max age, deny */
	ck_assert_int_eq(parse("{\"version\": 1, " TRUST ", \"bundle\": {}}", &p, &e), 0);
	ck_assert_str_eq(og_bundle_policy_dir(&p.bundle), OG_BUNDLE_DIR_DEFAULT);
	ck_assert_int_eq(p.bundle.max_age, 0);
	ck_assert_int_eq(og_policy_rule_mode(&p, OG_BUNDLE_RULE_STALE), OG_MODE_ENFORCE);
	og_policy_free(&p);

	/* no section: not configured, and bundle pull still knows the dir */
	ck_assert_int_eq(parse("{\"version\": 1}", &p, &e), 0);
	ck_assert_int_eq(p.bundle.configured, 0);
	ck_assert_str_eq(og_bundle_policy_dir(&p.bundle), OG_BUNDLE_DIR_DEFAULT);
	og_policy_free(&p);

	/* the rule ids are known to "modes" */
	ck_assert_int_eq(parse("{\"version\": 1, " TRUST ", \"bundle\": {}, \"modes\": {\"bundle.*\": \"audit\"}}",
			       &p, &e), 0);
	ck_assert_int_eq(og_policy_rule_mode(&p, OG_BUNDLE_RULE_EXPIRED), OG_MODE_AUDIT);
	og_policy_free(&p);
}
END_TEST

START_TEST(section_errors)
{
	EXPECT_POLICY_ERROR("{\"version\": 1, " TRUST ", \"bundle\": []}", "$.bundle: expected an object");
	EXPECT_POLICY_ERROR("{\"version\": 1, " TRUST ", \"bundle\": {\"dirr\": \"/x\"}}", "dirr");
	EXPECT_POLICY_ERROR("{\"version\": 1, " TRUST ", \"bundle\": {\"dir\": \"rel/x\"}}",
			    "$.bundle.dir: expected an absolute path");
	EXPECT_POLICY_ERROR("{\"version\": 1, " TRUST ", \"bundle\": {\"dir\": 7}}", "dir");
	EXPECT_POLICY_ERROR("{\"version\": 1, " TRUST ", \"bundle\": {\"max_age\": \"3 days\"}}", "$.bundle.max_age");
	EXPECT_POLICY_ERROR("{\"version\": 1, " TRUST ", \"bundle\": {\"warn_before_expiry\": \"-1h\"}}",
			    "$.bundle.warn_before_expiry");
	EXPECT_POLICY_ERROR("{\"version\": 1, " TRUST ", \"bundle\": {\"on_stale\": \"allow\"}}",
			    "$.bundle.on_stale: \"allow\" is not deny or audit");
	/* the bundle owns these paths: naming both is an error naming both */
	EXPECT_POLICY_ERROR("{\"version\": 1, \"trust\": {\"root_keys\": [\"/r.pem\"], \"store\": \"/t.json\"},"
			    " \"bundle\": {}}", "$.trust.store and $.bundle");
	EXPECT_POLICY_ERROR("{\"version\": 1, \"trust\": {\"root_keys\": [\"/r.pem\"], \"signatures_dir\": \"/s\"},"
			    " \"bundle\": {}}", "$.trust.signatures_dir and $.bundle");
	EXPECT_POLICY_ERROR("{\"version\": 1, " TRUST ", \"scan\": {\"cache_dir\": \"/v\"}, \"bundle\": {}}",
			    "$.scan.cache_dir and $.bundle");
	/* the descriptor is verified with the trust section's roots */
	EXPECT_POLICY_ERROR("{\"version\": 1, \"bundle\": {}}", "$.trust.root_keys");
	EXPECT_POLICY_ERROR("{\"version\": 1, \"trust\": {\"required\": false}, \"bundle\": {}}",
			    "$.trust.root_keys");
	EXPECT_POLICY_ERROR("{\"version\": 1, " TRUST ", \"bundle\": {}, \"bundle\": {}}", "uplicate");
}
END_TEST

START_TEST(generation_names)
{
	static const char *const bad[] = {
		"", "gen-", "gen-1", "gen-1-", "gen-1-1a2b3c4d5e6", "gen-1-1a2b3c4d5e6f0", "gen-01-1a2b3c4d5e6f",
		"gen-0-1a2b3c4d5e6f", "gen-1-1A2B3C4D5E6F", "gen-1-1a2b3c4d5e6g", "gen--1-1a2b3c4d5e6f",
		"gen-1_1a2b3c4d5e6f", "Gen-1-1a2b3c4d5e6f", "../gen-1-1a2b3c4d5e6f", "gen-1-1a2b3c4d5e6f/",
		"/tmp/x", "gen-1-1a2b3c4d5e6f/..", "gen-99999999999999999999-1a2b3c4d5e6f", " gen-1-1a2b3c4d5e6f",
		"gen-+1-1a2b3c4d5e6f", NULL,
	};
	uint64_t v = 0;
	og_error e = { 0 };

	ck_assert_int_eq(og_bundle_gen_name_parse("gen-1-1a2b3c4d5e6f", &v, &e), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(og_bundle_gen_name_parse("gen-42-000000000000", &v, &e), 0);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(og_bundle_gen_name_parse("gen-9007199254740993-abcdefabcdef", &v, &e), 0);
	ck_assert_uint_eq(v, 9007199254740993ULL);
	for (size_t i = 0; bad[i]; i++) {
		og_error_clear(&e);
		ck_assert_msg(og_bundle_gen_name_parse(bad[i], &v, &e) == -1, "accepted \"%s\"", bad[i]);
		ck_assert_ptr_nonnull(strstr(e.msg, "generation"));
	}
}
END_TEST

static char top[64];

static const char *at(const char *rel)
{
	static char p[256];

	og_bfmt(p, sizeof p, "%s/%s", top, rel);
	return p;
}

static void dir_setup(void)
{
	og_bfmt(top, sizeof top, "/tmp/og-bundle-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	ck_assert_int_eq(chmod(top, 0755), 0);
	ck_assert_int_eq(mkdir(at("b"), 0755), 0);
	ck_assert_int_eq(mkdir(at("b/gen-3-0123456789ab"), 0755), 0);
}

static void dir_teardown(void)
{
	char cmd[128];

	og_bfmt(cmd, sizeof cmd, "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

#define EXPECT_UNRESOLVED(needle)                                                        \
	do {                                                                             \
		og_error e_ = { 0 };                                                     \
		ck_assert_int_eq(og_bundle_generation_resolve(at("b"), &g, &e_), -1);    \
		ck_assert_msg(strstr(e_.msg, needle) != NULL, "\"%s\" lacks \"%s\"", e_.msg, needle); \
	} while (0)

START_TEST(reading_current)
{
	struct og_bundle_generation g;
	og_error e = { 0 };

	EXPECT_UNRESOLVED("bundle: none installed in");
	ck_assert_int_eq(symlink("gen-3-0123456789ab", at("b/current")), 0);
	ck_assert_int_eq(og_bundle_generation_resolve(at("b"), &g, &e), 0);
	ck_assert_str_eq(g.name, "gen-3-0123456789ab");
	ck_assert_uint_eq(g.version, 3);
	ck_assert_str_eq(g.path, at("b/gen-3-0123456789ab"));
	ck_assert_str_eq(g.store, at("b/gen-3-0123456789ab/" OG_BUNDLE_TRUST_STORE));
	ck_assert_str_eq(g.signatures, at("b/gen-3-0123456789ab/" OG_BUNDLE_SIGNATURES));
	ck_assert_str_eq(g.verdicts, at("b/gen-3-0123456789ab/" OG_BUNDLE_VERDICTS));

	/* a link leading anywhere but a plain generation name */
	ck_assert_int_eq(unlink(at("b/current")), 0);
	ck_assert_int_eq(symlink("/tmp/x", at("b/current")), 0);
	EXPECT_UNRESOLVED("current -> \"/tmp/x\": not a generation name");
	ck_assert_int_eq(unlink(at("b/current")), 0);
	ck_assert_int_eq(symlink("../gen-3-0123456789ab", at("b/current")), 0);
	EXPECT_UNRESOLVED("not a generation name");
	ck_assert_int_eq(unlink(at("b/current")), 0);
	ck_assert_int_eq(symlink("gen-3-0123456789ab/trust", at("b/current")), 0);
	EXPECT_UNRESOLVED("not a generation name");
	/* a valid name that is not there, or is a link itself */
	ck_assert_int_eq(unlink(at("b/current")), 0);
	ck_assert_int_eq(symlink("gen-4-0123456789ab", at("b/current")), 0);
	EXPECT_UNRESOLVED("No such file");
	ck_assert_int_eq(symlink("/tmp", at("b/gen-4-0123456789ab")), 0);
	EXPECT_UNRESOLVED("gen-4-0123456789ab");
	/* current that is a directory, not a link */
	ck_assert_int_eq(unlink(at("b/current")), 0);
	ck_assert_int_eq(mkdir(at("b/current"), 0755), 0);
	EXPECT_UNRESOLVED("is not a symbolic link");
	ck_assert_int_eq(rmdir(at("b/current")), 0);
	ck_assert_int_eq(symlink("gen-3-0123456789ab", at("b/current")), 0);
	/* StrictModes: a bundle dir others may write is not trusted */
	ck_assert_int_eq(chmod(at("b"), 0777), 0);
	EXPECT_UNRESOLVED("writable");
	ck_assert_int_eq(chmod(at("b"), 0755), 0);
	/* the bundle dir itself a link: not followed */
	{
		char from[256];

		og_bfmt(from, sizeof from, "%s", at("b"));
		ck_assert_int_eq(rename(from, at("real")), 0);
	}
	ck_assert_int_eq(symlink("real", at("b")), 0);
	EXPECT_UNRESOLVED("bundle");
	/* no bundle dir at all */
	ck_assert_int_eq(unlink(at("b")), 0);
	EXPECT_UNRESOLVED("bundle: none installed in");
}
END_TEST

START_TEST(freshness_times)
{
	const int64_t c = 1000000, x = c + 7 * 86400, day = 86400;

	ck_assert_int_eq(og_bundle_freshness(c, c, x, 3 * day, day), 0);
	/* expiry: at expires exactly, and after */
	ck_assert_int_eq(og_bundle_freshness(x - 1, c, x, 0, 0), 0);
	ck_assert_int_eq(og_bundle_freshness(x, c, x, 0, 0), OG_BUNDLE_EXPIRED);
	ck_assert_int_eq(og_bundle_freshness(x + 1, c, x, 0, 0) & OG_BUNDLE_EXPIRED, OG_BUNDLE_EXPIRED);
	/* max age: stale strictly after created + max_age; 0 is no limit */
	ck_assert_int_eq(og_bundle_freshness(c + 3 * day, c, x, 3 * day, 0), 0);
	ck_assert_int_eq(og_bundle_freshness(c + 3 * day + 1, c, x, 3 * day, 0), OG_BUNDLE_STALE);
	ck_assert_int_eq(og_bundle_freshness(x - 1, c, x, 0, 0), 0);
	/* warning window: from expires - warn_before up to expires */
	ck_assert_int_eq(og_bundle_freshness(x - day - 1, c, x, 0, day), 0);
	ck_assert_int_eq(og_bundle_freshness(x - day, c, x, 0, day), OG_BUNDLE_EXPIRING);
	ck_assert_int_eq(og_bundle_freshness(x - 1, c, x, 0, day), OG_BUNDLE_EXPIRING);
	ck_assert_int_eq(og_bundle_freshness(x, c, x, 0, day), OG_BUNDLE_EXPIRED);
	/* all at once: stale and expiring */
	ck_assert_int_eq(og_bundle_freshness(x - 1, c, x, day, day), OG_BUNDLE_STALE | OG_BUNDLE_EXPIRING);
	ck_assert_int_eq(og_bundle_freshness(x + 1, c, x, day, day), OG_BUNDLE_STALE | OG_BUNDLE_EXPIRED);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bundle_policy");
	TCase *t = tcase_create("policy");
	TCase *d = tcase_create("current");

	tcase_add_test(t, section_parses);
	tcase_add_test(t, section_errors);
	tcase_add_test(t, generation_names);
	tcase_add_test(t, freshness_times);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(d, dir_setup, dir_teardown);
	tcase_add_test(d, reading_current);
	suite_add_tcase(s, d);
	return tu_run(s);
}
