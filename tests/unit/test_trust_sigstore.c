/* The trust store's "sigstore" section (verify/trust/trust_sigstore.c):
 * trusted roots and keyless identities in a store signed by a root key made
 * here, loaded, listed and refused for each thing wrong with them (an
 * identity without an issuer, both or neither of san and san_regex, a root
 * that is not there or does not parse, a window without a start, a bad
 * scope or extension), at load and at `trust sign`. */
#include "testutil.h"
#include "hook/base/fileio.h"
#include "hook/base/strfmt.h"
#include "verify/common/base64.h"
#include "verify/trust/trust_sigstore.h"
#include "verify/trust/trust_store.h"

#include <fcntl.h>
#include <jansson.h>
#include <openssl/pem.h>

#define TRUSTED_ROOT                                                                                       \
	"{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\",\"tlogs\":[{\"baseUrl\":" \
	"\"https://rekor.test\",\"hashAlgorithm\":\"SHA2_256\",\"publicKey\":{\"rawBytes\":"                  \
	"\"MCowBQYDK2VwAyEAPn+AREHoBaZ7wgS1zBqpxmLSGnyhxXj4lFxSdWVB8o8=\",\"keyDetails\":\"PKIX_ED25519\","   \
	"\"validFor\":%s},\"logId\":{\"keyId\":"                                                            \
	"\"8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck=\"}}]}"

static char dir[64], store[128], rootpub[128];
static EVP_PKEY *root_key;

static void wfile(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void setup(void)
{
	FILE *f;

	og_bfmt(dir, sizeof dir, "/tmp/og-trust-sigstore-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	og_bfmt(store, sizeof store, "%s/trust.json", dir);
	og_bfmt(rootpub, sizeof rootpub, "%s/root.pem", dir);
	root_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	f = fopen(rootpub, "w");
	ck_assert_ptr_nonnull(f);
	PEM_write_PUBKEY(f, root_key);
	fclose(f);
}

static void teardown(void)
{
	char cmd[128];

	EVP_PKEY_free(root_key);
	og_bfmt(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A trusted root's base64, its log key valid for `window` (JSON). */
static char *root_b64(const char *window)
{
	char doc[2048];
	char *b;

	og_bfmt(doc, sizeof doc, TRUSTED_ROOT, window);
	b = og_base64_encode(doc, strlen(doc));
	ck_assert_ptr_nonnull(b);
	return b;
}

/* Write a store with this sigstore section (JSON text) and sign it. */
static void write_store(const char *section)
{
	char text[8192], kid[OG_KEYID_HEX];
	og_error e = { 0 };
	char sig[160];

	og_bfmt(text, sizeof text, "{\"version\":1,\"expires\":\"2099-01-01T00:00:00Z\",\"keys\":[],\"sigstore\":%s}",
		section);
	og_bfmt(sig, sizeof sig, "%s.sig", store);
	unlink(sig);
	wfile(store, text);
	ck_assert_msg(og_trust_store_sign(store, root_key, kid, &e) == 0, "%s", e.msg);
}

static int load(struct og_trust_store **s, og_error *e)
{
	const char *roots[1] = { rootpub };
	struct og_trust_store_config c = { .store_path = store, .root_keys = roots, .nroot = 1, .threshold = 1 };

	*s = NULL;
	return og_trust_store_load(&c, s, e);
}

static void section(char *out, size_t size, const char *root, const char *identity)
{
	og_bfmt(out, size, "{\"roots\":[{\"name\":\"private\",\"trusted_root\":\"%s\"}],\"identities\":[%s]}", root,
		identity);
}

#define IDENTITY                                                                                          \
	"{\"name\":\"release\",\"scopes\":[\"registry.example.com/team-a/*\"],\"san\":"                       \
	"\"https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main\",\"issuer\":"          \
	"\"https://token.actions.githubusercontent.com\",\"extensions\":{\"14\":\"refs/heads/main\"},"        \
	"\"root\":\"private\",\"not_after\":\"2030-01-01T00:00:00Z\"}"

START_TEST(roots_and_identities_load_and_list)
{
	char *b = root_b64("{\"start\":\"2025-04-16T00:00:00Z\",\"end\":\"2030-01-01T00:00:00Z\"}");
	char sec[8192], *listing = NULL;
	size_t llen = 0;
	struct og_trust_store *s;
	const struct og_trusted_root *tr;
	og_error e = { 0 };
	FILE *f;

	section(sec, sizeof sec, b, IDENTITY ",{\"scopes\":[\"*\"],\"san_regex\":\"https://github.com/org/.*\","
				   "\"issuer\":\"https://token.actions.githubusercontent.com\"}");
	write_store(sec);
	ck_assert_msg(load(&s, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(s->sigstore.nroots, 1);
	ck_assert_uint_eq(s->sigstore.nidentities, 2);
	ck_assert_str_eq(s->sigstore.identities[0].issuer, "https://token.actions.githubusercontent.com");
	ck_assert_uint_eq(s->sigstore.identities[0].nextensions, 1);
	ck_assert_int_eq(s->sigstore.identities[0].extensions[0].n, 14);
	ck_assert_str_eq(s->sigstore.identities[0].extensions[0].value, "refs/heads/main");
	ck_assert_ptr_null(s->sigstore.identities[1].root);
	ck_assert_int_eq(og_trust_sigstore_root(&s->sigstore, 0, &tr, &e), 0);
	ck_assert_uint_eq(tr->ntlogs, 1);
	f = open_memstream(&listing, &llen);
	og_trust_store_describe(s, f);
	fclose(f);
	ck_assert_msg(strstr(listing, "sigstore trusted roots: 1\n  [0] private: 0 CA(s), 1 transparency log(s)") != NULL,
		      "%s", listing);
	ck_assert(strstr(listing, "log https://rekor.test\n        valid 2025-04-16T00:00:00Z .. 2030-01-01T00:00:00Z") != NULL);
	ck_assert(strstr(listing, "keyless identities: 2\n  [0] release root private") != NULL);
	ck_assert(strstr(listing, "extension 1.3.6.1.4.1.57264.1.14 = refs/heads/main") != NULL);
	ck_assert(strstr(listing, "san_regex https://github.com/org/.*") != NULL);
	free(listing);
	og_trust_store_free(s);
	free(b);
}
END_TEST

START_TEST(bad_sections_refused)
{
	char *good = root_b64("{\"start\":\"2025-04-16T00:00:00Z\"}");
	char *nostart = root_b64("{\"end\":\"2030-01-01T00:00:00Z\"}");
	static const struct {
		const char *identity, *why;
	} bad[] = {
		{ "{\"scopes\":[\"*\"],\"san\":\"x\"}", "issuer: missing (an identity without an OIDC issuer is refused)" },
		{ "{\"scopes\":[\"*\"],\"san\":\"x\",\"issuer\":\"\"}", "issuer: missing" },
		{ "{\"scopes\":[\"*\"],\"issuer\":\"i\"}", "needs exactly one of san and san_regex" },
		{ "{\"scopes\":[\"*\"],\"san\":\"x\",\"san_regex\":\"x\",\"issuer\":\"i\"}", "needs exactly one of san" },
		{ "{\"scopes\":[\"*\"],\"san_regex\":\"(a)\\\\\\\\1\",\"issuer\":\"i\"}", "back-references" },
		{ "{\"san\":\"x\",\"issuer\":\"i\"}", "scopes: missing" },
		{ "{\"scopes\":[\"Registry/*\"],\"san\":\"x\",\"issuer\":\"i\"}", "is not a repository" },
		{ "{\"scopes\":[\"*\"],\"san\":\"x\",\"issuer\":\"i\",\"root\":\"other\"}", "no trusted root named \"other\"" },
		{ "{\"scopes\":[\"*\"],\"san\":\"x\",\"issuer\":\"i\",\"extensions\":{\"8\":\"y\"}}", "from 9 to 22" },
		{ "{\"scopes\":[\"*\"],\"san\":\"x\",\"issuer\":\"i\",\"extensions\":{\"12\":1}}", "expected a string" },
		{ "{\"scopes\":[\"*\"],\"san\":\"x\",\"issuer\":\"i\",\"subject\":\"y\"}", "subject" },
		{ "{\"scopes\":[\"*\"],\"san\":\"x\",\"issuer\":\"i\",\"not_before\":\"2030-01-01T00:00:00Z\","
		  "\"not_after\":\"2029-01-01T00:00:00Z\"}", "not_after is not after not_before" },
	};
	char sec[8192];
	struct og_trust_store *s;
	og_error e = { 0 };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		section(sec, sizeof sec, good, bad[i].identity);
		write_store(sec);
		ck_assert_msg(load(&s, &e) == -1, "%zu: loaded", i);
		ck_assert_msg(strstr(e.msg, bad[i].why) != NULL, "%zu: %s", i, e.msg);
		/* `trust sign` checks the section before signing. */
		e.msg[0] = '\0';
		{
			og_buf b = { 0 };

			ck_assert_int_eq(og_read_file(store, 1 << 20, &b, &e), 0);
			ck_assert_int_eq(og_trust_sigstore_check_document(b.data, b.len, &e), -1);
			ck_assert_msg(strstr(e.msg, bad[i].why) != NULL, "%zu (sign): %s", i, e.msg);
			og_buf_free(&b);
		}
	}
	/* A trusted root whose log key window has no start, or that is not base64. */
	section(sec, sizeof sec, nostart, IDENTITY);
	write_store(sec);
	ck_assert_int_eq(load(&s, &e), -1);
	ck_assert_msg(strstr(e.msg, "$.sigstore.roots[0] (private)") != NULL &&
			      strstr(e.msg, "validFor.start: missing") != NULL, "%s", e.msg);
	section(sec, sizeof sec, "not base64!", IDENTITY);
	write_store(sec);
	ck_assert_int_eq(load(&s, &e), -1);
	ck_assert_msg(strstr(e.msg, "invalid base64") != NULL, "%s", e.msg);
	/* Identities without any root; two roots of one name. */
	write_store("{\"identities\":[" IDENTITY "]}");
	ck_assert_int_eq(load(&s, &e), -1);
	ck_assert_msg(strstr(e.msg, "no trusted root named") != NULL || strstr(e.msg, "without any trusted root"), "%s",
		      e.msg);
	og_bfmt(sec, sizeof sec, "{\"roots\":[{\"name\":\"a\",\"trusted_root\":\"%s\"},{\"name\":\"a\",\"trusted_root\":\"%s\"}]}",
		good, good);
	write_store(sec);
	ck_assert_int_eq(load(&s, &e), -1);
	ck_assert_msg(strstr(e.msg, "name \"a\" given twice") != NULL, "%s", e.msg);
	/* A store without the section, or with a valid one, passes the sign check. */
	ck_assert_int_eq(og_trust_sigstore_check_document("{\"version\":1}", 13, &e), 0);
	ck_assert_int_eq(og_trust_sigstore_check_document("not json", 8, &e), 0);
	free(good);
	free(nostart);
}
END_TEST

/* Write a whole store document (text) and sign it. */
static void write_doc(const char *text)
{
	char sig[160], kid[OG_KEYID_HEX];
	og_error e = { 0 };

	og_bfmt(sig, sizeof sig, "%s.sig", store);
	unlink(sig);
	wfile(store, text);
	ck_assert_msg(og_trust_store_sign(store, root_key, kid, &e) == 0, "%s", e.msg);
}

/* $.revoked.identities: loaded, listed, and refused when malformed. */
START_TEST(revoked_identities)
{
	char *b = root_b64("{\"start\":\"2025-04-16T00:00:00Z\"}");
	static const struct {
		const char *revoked, *why;
	} bad[] = {
		{ "[{\"issuer\":\"https://accounts.google.com\"}]", "$.revoked.identities[0].san: missing" },
		{ "[{\"san\":\"\"}]", "$.revoked.identities[0].san: missing, empty" },
		{ "[{\"san\":\"x\",\"issuer\":\"\"}]", "$.revoked.identities[0].issuer: empty" },
		{ "[{\"san\":\"x\",\"subject\":\"y\"}]", "subject" },
		{ "{\"san\":\"x\"}", "$.revoked.identities" },
	};
	char doc[8192], *listing = NULL;
	size_t llen = 0;
	struct og_trust_store *s;
	og_error e = { 0 };
	FILE *f;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		og_bfmt(doc, sizeof doc, "{\"version\":1,\"expires\":\"2099-01-01T00:00:00Z\",\"keys\":[],"
			"\"revoked\":{\"identities\":%s}}", bad[i].revoked);
		write_doc(doc);
		ck_assert_msg(load(&s, &e) == -1, "%zu: loaded", i);
		ck_assert_msg(strstr(e.msg, bad[i].why) != NULL, "%zu: %s", i, e.msg);
	}
	/* Before or after the sigstore section, with and without an issuer. */
	og_bfmt(doc, sizeof doc, "{\"version\":1,\"expires\":\"2099-01-01T00:00:00Z\",\"keys\":[],\"revoked\":"
		"{\"keys\":[],\"identities\":[{\"san\":\"a@example.com\",\"issuer\":\"https://accounts.google.com\"},"
		"{\"san\":\"b@example.com\"}]},\"sigstore\":{\"roots\":[{\"name\":\"private\",\"trusted_root\":"
		"\"%s\"}],\"identities\":[" IDENTITY "]}}", b);
	write_doc(doc);
	ck_assert_msg(load(&s, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(s->sigstore.nrevoked, 2);
	ck_assert_uint_eq(s->sigstore.nidentities, 1);
	ck_assert_uint_eq(og_trust_identity_revoked(&s->sigstore, "a@example.com", "https://accounts.google.com"), 1);
	ck_assert_uint_eq(og_trust_identity_revoked(&s->sigstore, "a@example.com", "https://github.com/login/oauth"), 0);
	ck_assert_uint_eq(og_trust_identity_revoked(&s->sigstore, "b@example.com", "https://any.example"), 2);
	ck_assert_uint_eq(og_trust_identity_revoked(&s->sigstore, "c@example.com", "https://accounts.google.com"), 0);
	f = open_memstream(&listing, &llen);
	og_trust_store_describe(s, f);
	fclose(f);
	ck_assert_msg(strstr(listing, "revoked identities: 2\n  san a@example.com issuer https://accounts.google.com\n"
				      "  san b@example.com issuer (any)\n") != NULL, "%s", listing);
	free(listing);
	og_trust_store_free(s);
	og_bfmt(doc, sizeof doc, "{\"version\":1,\"sigstore\":{\"roots\":[{\"name\":\"private\",\"trusted_root\":"
		"\"%s\"}],\"identities\":[" IDENTITY "]},\"expires\":\"2099-01-01T00:00:00Z\",\"keys\":[],"
		"\"revoked\":{\"identities\":[{\"san\":\"a@example.com\"}]}}", b);
	write_doc(doc);
	ck_assert_msg(load(&s, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(s->sigstore.nrevoked, 1);
	ck_assert_uint_eq(s->sigstore.nidentities, 1);
	og_trust_store_free(s);
	free(b);
}
END_TEST

/* README's worked example (the store pinning registry.k8s.io to the
 * Kubernetes release identity), read from README.md itself: the json block
 * after the k8s-example marker, its placeholder replaced by a trusted root. */
START_TEST(readme_k8s_example)
{
	const char *src = getenv("OCIGATE_SRC") ? getenv("OCIGATE_SRC") : ".";
	static const char marker[] = "<!-- k8s-example: tests/unit/test_trust_sigstore.c -->\n```json\n";
	static const char placeholder[] = "<base64 of trusted_root.json>";
	char path[4200], *b = root_b64("{\"start\":\"2025-04-16T00:00:00Z\"}"), *block, *end, *ph, *doc = NULL;
	og_buf readme = { 0 };
	struct og_trust_store *s = NULL;
	const struct og_trust_identity *id;
	og_error e = { 0 };

	og_bfmt(path, sizeof path, "%s/README.md", src);
	ck_assert_msg(og_read_file(path, 1 << 22, &readme, &e) == 0, "%s", e.msg);
	block = strstr(readme.data, marker);
	ck_assert_msg(block != NULL, "README.md: no k8s-example block");
	block += strlen(marker);
	end = strstr(block, "\n```\n");
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	ph = strstr(block, placeholder);
	ck_assert_msg(ph != NULL && strstr(ph + 1, placeholder) == NULL, "the example has not one placeholder");
	*ph = '\0';
	ck_assert_int_gt(asprintf(&doc, "%s%s%s", block, b, ph + strlen(placeholder)), 0);
	wfile(store, doc);
	ck_assert_msg(og_trust_sigstore_check_document(doc, strlen(doc), &e) == 0, "%s", e.msg);
	ck_assert_msg(og_trust_store_parse_file(store, &s, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(s->sigstore.nroots, 1);
	ck_assert_uint_eq(s->sigstore.nidentities, 1);
	id = &s->sigstore.identities[0];
	ck_assert_str_eq(id->san, "krel-trust@k8s-releng-prod.iam.gserviceaccount.com");
	ck_assert_str_eq(id->issuer, "https://accounts.google.com");
	ck_assert_str_eq(id->root, "public-good");
	ck_assert_uint_eq(id->nscopes, 1);
	ck_assert(og_trust_scope_match(id->scopes[0], "registry.k8s.io/kube-apiserver"));
	ck_assert(og_trust_scope_match(id->scopes[0], "registry.k8s.io/sig-storage/csi-provisioner"));
	ck_assert(!og_trust_scope_match(id->scopes[0], "docker.io/library/busybox"));
	ck_assert(!og_trust_scope_match(id->scopes[0], "registry.k8s.io.evil.example/kube-apiserver"));
	og_trust_store_free(s);
	free(doc);
	free(b);
	og_buf_free(&readme);
}
END_TEST

/* `trust sign` checks each CA chain's own signatures (the hook trusts the
 * chain's certificates as listed and verifies only the leaf's signature):
 * the production root passes; with a chain's two certificates swapped, or
 * a certificate of another chain put in, it is refused. */
START_TEST(ca_chains_checked_at_sign)
{
	char path[4200];
	og_buf raw = { 0 };
	og_error e = { 0 };
	json_t *doc, *certs = NULL, *cas;
	size_t i;
	char *text, *b64, *store_doc = NULL;

	og_bfmt(path, sizeof path, "%s/sigstore-conformance/trusted-roots/production-trusted_root.json",
		tu_shared_fixtures());
	if (access(path, R_OK) != 0) {
		printf("SKIP %s: %s not found (set OCIGATE_SHARED_FIXTURES)\n", __func__, path);
		return;
	}
	ck_assert_int_eq(og_read_file(path, 1 << 20, &raw, &e), 0);
	for (int round = 0; round < 2; round++) {
		doc = json_loadb(raw.data, raw.len, 0, NULL);
		ck_assert_ptr_nonnull(doc);
		cas = json_object_get(doc, "certificateAuthorities");
		json_array_foreach(cas, i, certs) {
			json_t *list = json_object_get(json_object_get(certs, "certChain"), "certificates");

			if (round == 1 && json_array_size(list) == 2) {
				json_t *first = json_incref(json_array_get(list, 0));

				json_array_remove(list, 0);
				json_array_append_new(list, first);
			}
		}
		text = json_dumps(doc, JSON_COMPACT);
		b64 = og_base64_encode(text, strlen(text));
		ck_assert_int_gt(asprintf(&store_doc, "{\"version\":1,\"expires\":\"2099-01-01T00:00:00Z\",\"keys\":[],"
				      "\"sigstore\":{\"roots\":[{\"name\":\"public-good\",\"trusted_root\":\"%s\"}]}}", b64), 0);
		e.msg[0] = '\0';
		if (round == 0) {
			ck_assert_msg(og_trust_sigstore_check_document(store_doc, strlen(store_doc), &e) == 0, "%s", e.msg);
		} else {
			ck_assert_int_eq(og_trust_sigstore_check_document(store_doc, strlen(store_doc), &e), -1);
			ck_assert_msg(strstr(e.msg, "$.sigstore.roots[0] (public-good): certificateAuthorities[1] "
						    "(https://fulcio.sigstore.dev): certificate 0 of the chain is not signed by "
						    "the next one") != NULL, "%s", e.msg);
		}
		free(store_doc);
		free(b64);
		free(text);
		json_decref(doc);
	}
	og_buf_free(&raw);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trust_sigstore");
	TCase *t = tcase_create("trust_sigstore");

	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, roots_and_identities_load_and_list);
	tcase_add_test(t, bad_sections_refused);
	tcase_add_test(t, revoked_identities);
	tcase_add_test(t, readme_k8s_example);
	tcase_add_test(t, ca_chains_checked_at_sign);
	suite_add_tcase(s, t);
	return tu_run(s);
}
