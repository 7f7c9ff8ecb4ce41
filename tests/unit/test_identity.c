/* Image identity from annotations, in policy order. */
#include "testutil.h"
#include "verify/identity/identity.h"
#include "hook/base/jsonutil.h"
#include "verify/common/reference.h"

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
	/* tag only: a name, no digest */
	img = resolve(p, "{\"io.kubernetes.cri.image-name\": \"alpine:3.19\"}");
	ck_assert_str_eq(img.digest, "");
	ck_assert_str_eq(img.repository, "docker.io/library/alpine");
	/* config digest from CRI-O, name from the reference */
	img = resolve(p, "{\"io.kubernetes.cri-o.ImageRef\": \"sha256:" HEX "\", \"io.kubernetes.cri.image-name\": \"quay.io/x/y:1\"}");
	ck_assert_int_eq(img.kind, OG_DIGEST_CONFIG);
	ck_assert_str_eq(img.repository, "quay.io/x/y");
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
	};
	char out[OG_REF_MAX], big[OG_REF_MAX + 8];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int r = og_repo_normalize(cases[i].in, out, sizeof out);

		ck_assert_msg((r == 0) == (cases[i].out != NULL), "%s: %d", cases[i].in, r);
		ck_assert_int_eq(og_repo_valid(cases[i].in), cases[i].out != NULL);
		if (cases[i].out != NULL)
			ck_assert_str_eq(out, cases[i].out);
	}
	/* The normalised name must fit: 493 bytes plus "docker.io/library/" is 511. */
	memset(big, 'a', sizeof big);
	big[493] = '\0';
	ck_assert_int_eq(og_repo_valid(big), 1);
	ck_assert_int_eq(og_repo_normalize(big, out, sizeof out), 0);
	ck_assert_int_ne(og_repo_normalize(big, out, 100), 0);
	big[493] = 'a';
	big[494] = '\0';
	ck_assert_int_eq(og_repo_valid(big), 0);
	ck_assert_int_ne(og_repo_normalize(big, out, sizeof out), 0);
}
END_TEST

/* The rules og_repo_valid applies, one character at a time (names shorter
 * than 100 bytes: the length limit never applies). */
static int repo_reference(const char *s)
{
	size_t len = strlen(s), h;
	const char *slash = strchr(s, '/');
	int upper = 0, colon = 0, dot = 0;

	if (len == 0 || s[0] == '/' || s[len - 1] == '/' || strstr(s, "//") != NULL)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("-_./:", s[i]) != NULL))
			return 0;
	h = slash != NULL ? (size_t)(slash - s) : len;
	for (size_t i = h; i < len; i++)
		if ((s[i] >= 'A' && s[i] <= 'Z') || s[i] == ':')
			return 0;	/* the path is lowercase, without a port */
	for (size_t i = 0; i < h; i++) {
		upper |= s[i] >= 'A' && s[i] <= 'Z';
		colon |= s[i] == ':';
		dot |= s[i] == '.';
	}
	if (slash == NULL)
		return !upper && !colon;	/* a Docker Hub library name */
	if (dot || colon || (h == 9 && strncmp(s, "localhost", 9) == 0))
		return 1;			/* a registry host: any case, a port */
	return !upper;				/* a Docker Hub namespace */
}

/* og_repo_valid against the rules above: names of every length up to 70,
 * the first '/' anywhere. */
START_TEST(repository_valid_reference)
{
	static const char alphabet[] = "abzAZ09-_./:\x80";
	char in[80];
	unsigned seed = 11;

	for (int i = 0; i < 300000; i++) {
		size_t len = (size_t)(rand_r(&seed) % 71);

		for (size_t k = 0; k < len; k++) {
			int r = rand_r(&seed) % 41;

			/* mostly lowercase, so that long valid names occur */
			in[k] = (char)(r < 28 ? 'a' + r % 26 : alphabet[r - 28]);
		}
		in[len] = '\0';
		ck_assert_msg(og_repo_valid(in) == repo_reference(in), "%s", in);
	}
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
	tcase_add_test(t, order_and_kinds);
	tcase_add_test(t, policy_errors);
	tcase_add_test(t, reference_parsing);
	tcase_add_test(t, repository_normalisation);
	tcase_add_test(t, repository_valid_agrees);
	tcase_add_test(t, repository_valid_reference);
	suite_add_tcase(s, t);
	return tu_run(s);
}
