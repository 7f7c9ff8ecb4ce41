/* Image identity from annotations, in policy order. */
#include "testutil.h"
#include "verify/identity/identity.h"
#include "hook/base/jsonutil.h"
#include "verify/common/reference.h"
#include "ref_grammar.h"

#define HEX "634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00"

static struct og_identity_policy *pol(const char *json)
{
	og_error e = { 0 };
	json_t *j = json ? og_json_parse(json, strlen(json), "t", &e) : NULL;
	struct og_identity_policy *p = NULL;

	ck_assert_msg(og_identity_policy_parse(j, "$.image", &p, &e) == 0, "%s", e.msg);
	json_decref(j);
	return p;
}

static struct og_image resolve(struct og_identity_policy *p, const char *ann)
{
	og_error e = { 0 };
	json_t *a = og_json_parse(ann, strlen(ann), "a", &e);
	struct og_image img;

	memset(&img, 0, sizeof img);
	struct og_identity_input in = { .annotations = a };

	ck_assert_int_eq(og_identity_resolve(p, &in, NULL, &img, &e), 0);
	json_decref(a);
	return img;
}

START_TEST(defaults_crio_and_containerd)
{
	struct og_identity_policy *p = pol(NULL);
	struct og_image img;

	img = resolve(p, "{\"io.kubernetes.cri-o.ImageRef\": \"" HEX "\"}");
	ck_assert_str_eq(img.digest, "sha256:" HEX);
	ck_assert_int_eq(img.kind, OG_DIGEST_CONFIG);
	img = resolve(p, "{\"io.kubernetes.cri.image-name\": \"registry.example.com/a/b@sha256:" HEX "\"}");
	ck_assert_str_eq(img.digest, "sha256:" HEX);
	ck_assert_int_eq(img.kind, OG_DIGEST_MANIFEST);
	ck_assert_str_eq(img.repository, "registry.example.com/a/b");
	ck_assert_str_eq(img.name_from, "annotation io.kubernetes.cri.image-name");
	/* tag only: a name to show, no digest, nothing to match */
	img = resolve(p, "{\"io.kubernetes.cri.image-name\": \"alpine:3.19\"}");
	ck_assert_str_eq(img.digest, "");
	ck_assert_str_eq(img.name, "alpine:3.19");
	ck_assert_str_eq(img.repository, "");
	/* config digest from CRI-O: the name is CRI-O's own ImageName, not the
	 * containerd annotation a pod could write on a CRI-O node */
	img = resolve(p, "{\"io.kubernetes.cri-o.ImageRef\": \"sha256:" HEX "\", \"io.kubernetes.cri.image-name\": \"quay.io/x/y:1\"}");
	ck_assert_int_eq(img.kind, OG_DIGEST_CONFIG);
	ck_assert_str_eq(img.name, "quay.io/x/y:1");	/* shown */
	ck_assert_str_eq(img.name_from, "");
	ck_assert_str_eq(img.repository, "");
	img = resolve(p, "{\"io.kubernetes.cri-o.ImageRef\": \"" HEX "\", \"io.kubernetes.cri.image-name\": \"quay.io/x/y:1\","
			 " \"io.kubernetes.cri-o.ImageName\": \"registry.example.com/team-b/app:1\"}");
	ck_assert_str_eq(img.name, "registry.example.com/team-b/app:1");
	ck_assert_str_eq(img.name_from, "annotation io.kubernetes.cri-o.ImageName");
	ck_assert_str_eq(img.repository, "registry.example.com/team-b/app");
	/* a recorded name that is not a reference: recorded, no repository */
	img = resolve(p, "{\"io.kubernetes.cri-o.ImageRef\": \"" HEX "\","
			 " \"io.kubernetes.cri-o.ImageName\": \"registry.example.com/team-a/../team-b/app:1\"}");
	ck_assert_str_eq(img.name_from, "annotation io.kubernetes.cri-o.ImageName");
	ck_assert_str_eq(img.repository, "");
	/* an image ID where a name would be is no name */
	img = resolve(p, "{\"io.kubernetes.cri-o.ImageRef\": \"" HEX "\", \"io.kubernetes.cri-o.ImageName\": \"" HEX "\"}");
	ck_assert_str_eq(img.name_from, "");
	og_identity_policy_free(p);
}
END_TEST

/* The source that applied and failed says why: the log's image.identity
 * finding quotes it (issue 17: "no image digest found" was all it said). */
START_TEST(failure_reasons)
{
	static const struct {
		const char *annotations, *why;
	} cases[] = {
		{ "{\"io.kubernetes.cri-o.ImageRef\": \"" "634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a0" "\"}",
		  "fewer than 64 hex digits" },
		{ "{\"io.kubernetes.cri-o.ImageRef\": \"" "634A8F35B5F16DCF4AAA0822ADC0B1964BB786FCA12F6831DE8DDC45E5986A00" "\"}",
		  "upper-case hex digits" },
		{ "{\"io.kubernetes.cri-o.ImageRef\": \"sha512:" HEX "\"}", "only sha256 digests" },
		{ "{\"io.kubernetes.cri-o.ImageRef\": \"SHA256:" HEX "\"}", "not spelled \"sha256\"" },
		{ "{\"io.kubernetes.cri.image-name\": \"a/b@sha256:" HEX "0\"}", "more than 64 hex digits" },
		{ "{\"io.kubernetes.cri.image-name\": \"a/../b@sha256:" HEX "\"}", "components of lowercase" },
		{ "{\"io.kubernetes.cri.image-name\": \"alpine:3.19\"}", "a tag only" },
	};
	struct og_identity_policy *p = pol(NULL);

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct og_image img = resolve(p, cases[i].annotations);

		ck_assert_str_eq(img.digest, "");
		ck_assert_msg(strstr(img.problem, cases[i].why) != NULL, "%s: \"%s\" lacks \"%s\"",
			      cases[i].annotations, img.problem, cases[i].why);
		ck_assert_msg(strstr(img.problem, "annotation io.kubernetes.cri") != NULL, "%s", img.problem);
	}
	og_identity_policy_free(p);
}
END_TEST

START_TEST(hostile_values_ignored)
{
	struct og_identity_policy *p = pol(NULL);
	struct og_image img;

	img = resolve(p, "{\"io.kubernetes.cri-o.ImageRef\": \"../../etc/passwd\"}");
	ck_assert_str_eq(img.digest, "");
	img = resolve(p, "{\"io.kubernetes.cri-o.ImageRef\": \"" HEX "0\"}");
	ck_assert_str_eq(img.digest, "");
	img = resolve(p, "{\"io.kubernetes.cri-o.ImageRef\": \"SHA256:" HEX "\"}");
	ck_assert_str_eq(img.digest, "");
	img = resolve(p, "{\"io.kubernetes.cri.image-name\": \"a/b@sha256:" HEX "x\"}");
	ck_assert_str_eq(img.digest, "");
	img = resolve(p, "{\"io.kubernetes.cri.image-name\": \"a b/c@sha256:" HEX "\"}");
	ck_assert_str_eq(img.digest, "");
	img = resolve(p, "{\"io.kubernetes.cri-o.ImageRef\": 5}");
	ck_assert_str_eq(img.digest, "");
	og_identity_policy_free(p);
}
END_TEST

START_TEST(order_and_kinds)
{
	struct og_identity_policy *p = pol("{\"identity\": [{\"annotation\": \"m\", \"kind\": \"manifest\"},"
					   "{\"source\": \"annotation\", \"annotation\": \"c\", \"kind\": \"config\"}]}");
	struct og_image img;
	char out[1024];
	FILE *f;

	img = resolve(p, "{\"c\": \"" HEX "\", \"m\": \"sha256:" HEX "\"}");
	ck_assert_int_eq(img.kind, OG_DIGEST_MANIFEST);
	ck_assert_ptr_nonnull(strstr(img.source, "m"));
	img = resolve(p, "{\"m\": \"" HEX "\"}");	/* manifest needs the prefix */
	ck_assert_str_eq(img.digest, "");
	f = fmemopen(out, sizeof out, "w");
	og_identity_policy_describe(p, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "annotation c (config)"));
	og_identity_policy_free(p);
}
END_TEST

START_TEST(policy_errors)
{
	static const char *bad[] = {
		"{\"identity\": [{\"annotation\": \"a\", \"kind\": \"tag\"}]}",
		"{\"identity\": [{\"annotation\": \"a\"}]}",
		"{\"identity\": [{\"annotation\": \"a\", \"kind\": \"config\", \"x\": 1}]}",
		"{\"identity\": [{\"source\": \"containerd\", \"kind\": \"config\"}]}",
		"{\"identity\": {}}",
		"{\"other\": []}",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		og_error e = { 0 };
		json_t *j = og_json_parse(bad[i], strlen(bad[i]), "t", &e);
		struct og_identity_policy *p = NULL;

		ck_assert_msg(og_identity_policy_parse(j, "$.image", &p, &e) < 0, "accepted %s", bad[i]);
		ck_assert_ptr_nonnull(strstr(e.msg, "$.image"));
		json_decref(j);
	}
}
END_TEST

START_TEST(reference_parsing)
{
	char repo[OG_REF_MAX], dg[OG_DIGEST_MAX];

	ck_assert_int_eq(og_ref_parse("localhost:5000/app:v1", repo, sizeof repo, dg, sizeof dg), 0);
	ck_assert_str_eq(repo, "localhost:5000/app");
	ck_assert_int_eq(og_ref_parse("library/busybox", repo, sizeof repo, dg, sizeof dg), 0);
	ck_assert_str_eq(repo, "docker.io/library/busybox");
	ck_assert_int_eq(og_ref_parse("index.docker.io/x/y", repo, sizeof repo, dg, sizeof dg), 0);
	ck_assert_str_eq(repo, "docker.io/x/y");
	ck_assert_int_ne(og_ref_parse("Registry.io/UPPER/x", repo, sizeof repo, dg, sizeof dg), 0);
	ck_assert_int_ne(og_ref_parse("a//b", repo, sizeof repo, dg, sizeof dg), 0);
	/* regression (fuzz_refs): a Docker Hub namespace is lowercase too;
	 * a registry host may have case */
	ck_assert_int_ne(og_ref_parse("ABC/b", repo, sizeof repo, dg, sizeof dg), 0);
	ck_assert_int_eq(og_ref_parse("Registry.io/lower/x", repo, sizeof repo, dg, sizeof dg), 0);
	ck_assert_int_ne(og_ref_parse("", repo, sizeof repo, dg, sizeof dg), 0);
	/* a tag starts with a letter, a digit or '_', and has at most 128 characters */
	ck_assert_int_eq(og_ref_parse("reg.io/a:_1.x-Y", repo, sizeof repo, dg, sizeof dg), 0);
	ck_assert_int_ne(og_ref_parse("reg.io/a:.1", repo, sizeof repo, dg, sizeof dg), 0);
	ck_assert_int_ne(og_ref_parse("reg.io/a:-1", repo, sizeof repo, dg, sizeof dg), 0);
	ck_assert_int_ne(og_ref_parse("reg.io/a:", repo, sizeof repo, dg, sizeof dg), 0);
	ck_assert_int_ne(og_ref_parse("reg.io/team-a/../team-b/app:1", repo, sizeof repo, dg, sizeof dg), 0);
}
END_TEST

START_TEST(repository_normalisation)
{
	static const struct {
		const char *in, *out;	/* out NULL: refused */
	} cases[] = {
		{ "alpine", "docker.io/library/alpine" },
		{ "docker.io/alpine", "docker.io/library/alpine" },
		{ "index.docker.io/alpine", "docker.io/library/alpine" },
		{ "index.docker.io/x/y", "docker.io/x/y" },
		{ "docker.io/x/y", "docker.io/x/y" },
		{ "team/app", "docker.io/team/app" },
		{ "localhost/app", "localhost/app" },
		{ "localhost:5000/a/b", "localhost:5000/a/b" },
		{ "Registry.io/lower/x", "Registry.io/lower/x" },
		{ "Docker.io/x", "Docker.io/x" },
		{ "quay.io/a_b/c-d.e", "quay.io/a_b/c-d.e" },
		{ "ABC/b", NULL }, { "Alpine", NULL }, { "a:1", NULL }, { "a//b", NULL },
		{ "/a", NULL }, { "a/", NULL }, { "", NULL }, { "host.io/A", NULL },
		{ "host.io/a:1", NULL }, { "a b", NULL }, { "a/\xc3\xa9", NULL },
		/* path components: lowercase letters and digits joined by one '.',
		 * one '_', "__" or a run of '-' (issue 17: ".." passed team-a/\*) */
		{ "registry.example.com/team-a/../team-b/app", NULL }, { "reg.io/./app", NULL },
		{ "reg.io/-x", NULL }, { "reg.io/a..b", NULL }, { "reg.io/a._b", NULL },
		{ "reg.io/a___b", NULL }, { "reg.io/x-", NULL }, { "reg.io/_x", NULL }, { ".", NULL },
		{ "reg.io/a__b", "reg.io/a__b" }, { "reg.io/a---b", "reg.io/a---b" },
		{ "reg.io/a.b_c-d", "reg.io/a.b_c-d" },
		/* domains: host name components, an IPv6 address, an optional port */
		{ "-reg.io/a", NULL }, { "reg-.io/a", NULL }, { "reg..io/a", NULL }, { "reg.io:/a", NULL },
		{ "reg.io:50x/a", NULL }, { "reg_1.io/a", NULL }, { "[::1]/a", "[::1]/a" },
		{ "[::1]:5000/a", "[::1]:5000/a" }, { "[]/a", NULL }, { "[::g]/a", NULL },
		{ "re-g.io:5000/a", "re-g.io:5000/a" }, { "REG.IO/a", "REG.IO/a" },
		/* an image ID is not a name */
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL },
	};
	char out[OG_REF_MAX], big[OG_REF_MAX + 8];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int r = og_repo_normalize(cases[i].in, out, sizeof out);

		ck_assert_msg((r == 0) == (cases[i].out != NULL), "%s: %d", cases[i].in, r);
		ck_assert_int_eq(og_repo_valid(cases[i].in), cases[i].out != NULL);
		if (cases[i].out != NULL)
			ck_assert_str_eq(out, cases[i].out);
	}
	/* The normalised name is at most 255 characters: 237 plus
	 * "docker.io/library/" is 255. */
	memset(big, 'a', sizeof big);
	big[237] = '\0';
	ck_assert_int_eq(og_repo_valid(big), 1);
	ck_assert_int_eq(og_repo_normalize(big, out, sizeof out), 0);
	ck_assert_uint_eq(strlen(out), 255);
	ck_assert_int_ne(og_repo_normalize(big, out, 100), 0);
	big[237] = 'a';
	big[238] = '\0';
	ck_assert_int_eq(og_repo_valid(big), 0);
	ck_assert_int_ne(og_repo_normalize(big, out, sizeof out), 0);
}
END_TEST

/* og_repo_valid and og_repo_normalize against the grammar as regular
 * expressions (ref_grammar.h): names of every length up to 70, the first
 * '/' anywhere, separators doubled and at the edges. */
START_TEST(repository_valid_reference)
{
	static const char alphabet[] = "abzAZ09-_./:[]\x80";
	struct rg_oracle o;
	char in[80], want[OG_REF_MAX], got[OG_REF_MAX];
	unsigned seed = 11;

	ck_assert_int_eq(rg_init(&o), 0);
	for (int i = 0; i < 300000; i++) {
		size_t len = (size_t)(rand_r(&seed) % 71);

		for (size_t k = 0; k < len; k++) {
			int r = rand_r(&seed) % 43;

			/* mostly lowercase, so that long valid names occur */
			in[k] = (char)(r < 28 ? 'a' + r % 26 : alphabet[r - 28]);
		}
		in[len] = '\0';
		ck_assert_msg(og_repo_valid(in) == rg_repo(&o, in, want, sizeof want), "%s", in);
		if (og_repo_normalize(in, got, sizeof got) == 0)
			ck_assert_str_eq(got, want);
	}
	rg_free(&o);
}
END_TEST

/* og_ref_parse against the grammar: tags and digests too. */
START_TEST(reference_parse_reference)
{
	static const char *const parts[] = { "a", "b0", "-", ".", "_", "__", "/", ":", "Z", "reg.io",
					     "localhost", ":5000", "@sha256:", "@sha512:", "0123456789abcdef",
					     "0123456789abcdef0123456789abcdef0123456789abcdef", "[::1]", ".." };
	struct rg_oracle o;
	char in[160], want[OG_REF_MAX], got[OG_REF_MAX], dg[OG_DIGEST_MAX];
	unsigned seed = 5;

	ck_assert_int_eq(rg_init(&o), 0);
	for (int i = 0; i < 200000; i++) {
		size_t n = (size_t)(rand_r(&seed) % 9), len = 0;

		in[0] = '\0';
		for (size_t k = 0; k < n; k++) {
			const char *p = parts[rand_r(&seed) % (sizeof parts / sizeof parts[0])];

			if (len + strlen(p) >= sizeof in)
				break;
			memcpy(in + len, p, strlen(p) + 1);
			len += strlen(p);
		}
		ck_assert_msg((og_ref_parse(in, got, sizeof got, dg, sizeof dg) == 0) ==
				      rg_ref(&o, in, want, sizeof want), "%s", in);
		if (og_ref_parse(in, got, sizeof got, dg, sizeof dg) == 0)
			ck_assert_str_eq(got, want);
	}
	rg_free(&o);
}
END_TEST

/* og_repo_valid is og_repo_normalize without the output, on any input. */
START_TEST(repository_valid_agrees)
{
	static const char alphabet[] = "abAZ09-_./: \x80";
	static const char *const prefixes[] = { "", "docker.io/", "index.docker.io/", "localhost/",
						"localhost:5000/", "a.b/", "ABC/" };
	char in[64], out[OG_REF_MAX];
	unsigned seed = 7;

	for (int i = 0; i < 200000; i++) {
		size_t len = strlen(prefixes[i % 7]);
		size_t extra = (size_t)(rand_r(&seed) % 16);

		memcpy(in, prefixes[i % 7], len);
		for (size_t k = 0; k < extra; k++)
			in[len++] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
		in[len] = '\0';
		ck_assert_msg(og_repo_valid(in) == (og_repo_normalize(in, out, sizeof out) == 0), "%s", in);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("identity");
	TCase *t = tcase_create("identity");

	tcase_add_test(t, defaults_crio_and_containerd);
	tcase_add_test(t, hostile_values_ignored);
	tcase_add_test(t, failure_reasons);
	tcase_add_test(t, order_and_kinds);
	tcase_add_test(t, policy_errors);
	tcase_add_test(t, reference_parsing);
	tcase_add_test(t, repository_normalisation);
	tcase_add_test(t, repository_valid_agrees);
	tcase_add_test(t, repository_valid_reference);
	tcase_add_test(t, reference_parse_reference);
	suite_add_tcase(s, t);
	return tu_run(s);
}
