/* The trust store and the image-trust check end to end: keys generated
 * here with OpenSSL, a store signed by k of n roots, signatures filed with
 * `ocigate sig`, and og_trust_check's findings for every forgery. */
#include "testutil.h"
#include "verify/trust/sig_keyless.h"
#include "verify/common/base64.h"
#include "verify/common/crypto_util.h"
#include "verify/sig/cosign.h"
#include "verify/sig/dsse.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "verify/common/keys.h"
#include "hook/base/findings.h"
#include "verify/sig/sig_store.h"
#include "hook/base/timeutil.h"
#include "verify/trust/trust_cache.h"
#include "hook/cmd/trust_cli.h"
#include "verify/trust/trust_policy.h"
#include "verify/trust/trust_store.h"
#include "verify/common/digest.h"
#include "hook/base/strfmt.h"
#include "verify/common/reference.h"
#include "hook/cmd/commands.h"
#include "verify/sig/sig_claims.h"
#include "verify/sig/sigstore.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define REPO "registry.example.com/team-a/app"

static char dir[256], store[300], sigdir[300], statedir[300];
static char root1[300], root2[300], signer_priv[300], other_priv[300];
static EVP_PKEY *kroot1, *kroot2, *ksigner, *kother;

static void wfile(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static char *pub_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *s;
	long n;

	PEM_write_bio_PUBKEY(b, k);
	n = BIO_get_mem_data(b, &p);
	s = strndup(p, (size_t)n);
	BIO_free(b);
	return s;
}

static void write_pub(const char *path, EVP_PKEY *k)
{
	char *s = pub_pem(k);

	wfile(path, s, strlen(s));
	free(s);
}

static void write_priv(const char *path, EVP_PKEY *k)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
}

static void keyid(EVP_PKEY *k, char out[OG_KEYID_HEX])
{
	og_error e = { 0 };

	ck_assert_int_eq(og_key_id(k, out, &e), 0);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/og-trust-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(store, sizeof store, "%s/trust.json", dir);
	snprintf(sigdir, sizeof sigdir, "%s/signatures", dir);
	snprintf(statedir, sizeof statedir, "%s/state", dir);
	snprintf(root1, sizeof root1, "%s/root1.pem", dir);
	snprintf(root2, sizeof root2, "%s/root2.pem", dir);
	snprintf(signer_priv, sizeof signer_priv, "%s/signer.key", dir);
	snprintf(other_priv, sizeof other_priv, "%s/other.key", dir);
	kroot1 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	kroot2 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ksigner = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	kother = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	write_pub(root1, kroot1);
	write_pub(root2, kroot2);
	write_priv(signer_priv, ksigner);
	write_priv(other_priv, kother);
	og_now_override = 0;
}

static void teardown(void)
{
	char cmd[400];

	EVP_PKEY_free(kroot1);
	EVP_PKEY_free(kroot2);
	EVP_PKEY_free(ksigner);
	EVP_PKEY_free(kother);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	og_now_override = 0;
}

/* Store with the signer (team-a) and the other key (team-b); `extra` is
 * merged in (images, revoked, keys override). */
static json_t *base_store(int64_t version, const char *expires)
{
	char *ps = pub_pem(ksigner), *po = pub_pem(kother);
	json_t *s = json_pack("{s:I,s:s,s:[{s:s,s:s,s:[s]},{s:s,s:s,s:[s]}]}", "version", (json_int_t)version,
			      "expires", expires, "keys", "name", "team-a", "key", ps, "scopes",
			      "registry.example.com/team-a/*", "name", "team-b", "key", po, "scopes",
			      "registry.example.com/team-b/*");
	free(ps);
	free(po);
	return s;
}

static void write_store_at(const char *path, json_t *s, int sign1, int sign2)
{
	char *text = json_dumps(s, JSON_INDENT(2));
	char sp[320], kid[OG_KEYID_HEX];
	og_error e = { 0 };

	snprintf(sp, sizeof sp, "%s.sig", path);
	unlink(sp);
	wfile(path, text, strlen(text));
	free(text);
	json_decref(s);
	if (sign1)
		ck_assert_msg(og_trust_store_sign(path, kroot1, kid, &e) == 0, "%s", e.msg);
	if (sign2)
		ck_assert_msg(og_trust_store_sign(path, kroot2, kid, &e) == 0, "%s", e.msg);
}

static void write_store(json_t *s, int sign1, int sign2)
{
	write_store_at(store, s, sign1, sign2);
}

static struct og_trust_policy *policy(int threshold, int both_roots)
{
	json_t *sec = json_pack("{s:b,s:s,s:[s],s:i,s:s,s:s}", "required", 1, "store", store, "root_keys",
				root1, "threshold", threshold, "state_dir", statedir, "signatures_dir", sigdir);
	struct og_trust_policy *p = NULL;
	og_error e = { 0 };

	if (both_roots)
		json_array_append_new(json_object_get(sec, "root_keys"), json_string(root2));
	ck_assert_msg(og_trust_policy_parse(sec, "$.trust", &p, &e) == 0, "%s", e.msg);
	json_decref(sec);
	return p;
}

/* The image digest as the hook would see it, with `name` (NULL: none) as
 * the engine's record of its name. */
static struct og_image image_named(const char *digest, const char *name)
{
	struct og_image img;
	char dg[OG_DIGEST_MAX];

	memset(&img, 0, sizeof img);
	snprintf(img.digest, sizeof img.digest, "%s", digest);
	img.kind = OG_DIGEST_MANIFEST;
	if (name != NULL) {
		snprintf(img.name, sizeof img.name, "%s", name);
		snprintf(img.name_from, sizeof img.name_from, "annotation io.kubernetes.cri-o.ImageName");
		if (og_ref_parse(name, img.repository, sizeof img.repository, dg, sizeof dg) < 0)
			img.repository[0] = '\0';
	}
	return img;
}

/* Run the check for an image the engine records as `name` (NULL: no name);
 * returns the number of findings, first one in rule/msg. */
static size_t check_as(struct og_trust_policy *p, const char *digest, const char *name, char *rule, char *msg)
{
	struct og_findings r = { 0 };
	struct og_image img = image_named(digest, name);
	og_error e = { 0 };
	size_t n;

	ck_assert_msg(og_trust_check(p, &img, &r, &e) == 0, "%s", e.msg);
	n = r.n;
	rule[0] = msg[0] = '\0';
	if (n > 0) {
		snprintf(rule, 64, "%s", r.items[0].rule);
		snprintf(msg, 2048, "%s", r.items[0].message);
	}
	og_findings_free(&r);
	return n;
}

static size_t check(struct og_trust_policy *p, const char *digest, char *rule, char *msg)
{
	return check_as(p, digest, NULL, rule, msg);
}

#define EXPECT_FINDING_AS(p, digest, name, want_rule, want_text)                              \
	do {                                                                                  \
		char rule_[64], msg_[2048];                                                   \
		ck_assert_uint_eq(check_as(p, digest, name, rule_, msg_), 1);                 \
		ck_assert_str_eq(rule_, want_rule);                                           \
		ck_assert_msg(strstr(msg_, want_text) != NULL, "finding \"%s\" lacks \"%s\"", \
			      msg_, want_text);                                               \
	} while (0)
#define EXPECT_FINDING(p, digest, want_rule, want_text) \
	EXPECT_FINDING_AS(p, digest, NULL, want_rule, want_text)

#define EXPECT_OK_AS(p, digest, name)                                                           \
	do {                                                                                    \
		char rule_[64], msg_[2048];                                                     \
		ck_assert_msg(check_as(p, digest, name, rule_, msg_) == 0, "%s: %s", rule_, msg_); \
	} while (0)
#define EXPECT_OK(p, digest) EXPECT_OK_AS(p, digest, NULL)

/* Run a command (og_cmd_sig, og_cmd_trust ...) on a NULL-terminated list. */
static int run_cmd(int (*cmd)(int, char **), const char *const *args)
{
	char *argv[40];
	int argc = 0;

	for (; args[argc] != NULL; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	return cmd(argc, argv);
}

static int run_sig(const char *const *args)
{
	return run_cmd(og_cmd_sig, args);
}

static int sign_image(const char *keyfile, const char *repo, const char *digest)
{
	const char *args[] = { "sig", "sign", "--key", keyfile, "--repository", repo, "--digest", digest,
			       "--add", "--signatures-dir", sigdir, "--store", store, "--root-key", root1,
			       NULL };
	return run_sig(args);
}

START_TEST(signed_image_accepted)
{
	struct og_trust_policy *p;
	og_buf b = { 0 };
	og_error e = { 0 };
	char path[400];

	write_store(base_store(5, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	EXPECT_OK(p, D1);
	/* the accepted version is recorded for rollback protection */
	snprintf(path, sizeof path, "%s/" OG_TRUST_STATE_FILE, statedir);
	ck_assert_int_eq(og_read_file(path, 64, &b, &e), 0);
	ck_assert_str_eq(b.data, "5\n");
	og_buf_free(&b);
	/* other digest: unsigned */
	EXPECT_FINDING(p, D2, "trust.signature", "unsigned");
	og_trust_policy_free(p);
}
END_TEST

/* The verification cache: the second start of the same image needs no
 * cryptography, and any change to an input, a weakened cache directory or
 * the passing of the store's expiry sends it back to full verification. */
static int accepted_via_cache_as(struct og_trust_policy *p, const char *digest, const char *name,
				 int *findings)
{
	struct og_findings r = { 0 };
	struct og_image img = image_named(digest, name);
	og_error e = { 0 };
	char why[600] = "";

	ck_assert_msg(og_trust_evaluate(p, &img, 1, &r, why, sizeof why, &e) == 0, "%s", e.msg);
	*findings = (int)r.n;
	og_findings_free(&r);
	return strstr(why, "verified before") != NULL;
}

static int accepted_via_cache(struct og_trust_policy *p, const char *digest, int *findings)
{
	return accepted_via_cache_as(p, digest, NULL, findings);
}

/* A signed D1 under a store of `version`, started until its acceptance is
 * served from a verification record. */
static struct og_trust_policy *warm_node(int64_t version)
{
	struct og_trust_policy *p;
	int n;

	write_store(base_store(version, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);	/* accepts the store, raises the floor */
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);	/* records the acceptance */
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 1);	/* served from the record */
	return p;
}

START_TEST(verification_cache)
{
	struct og_trust_policy *p;
	char path[600], cmd[700];
	int n;
	json_t *st;

	write_store(base_store(5, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	/* first: full, and the rollback state moves (version 5 recorded), so
	 * nothing is cached; second: full, recorded; third: from the record */
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 1);
	ck_assert_int_eq(n, 0);
	/* a revocation changes the store: full verification refuses */
	st = base_store(6, "2099-01-01T00:00:00Z");
	json_object_set_new(st, "revoked", json_pack("{s:[s]}", "digests", D1));
	write_store(st, 1, 0);
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);
	ck_assert_int_eq(n, 1);
	/* back to a clean store (a higher version), verified and recorded again */
	write_store(base_store(7, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);	/* state moved on the first: records now */
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 1);
	/* a signature entry touched in place invalidates it */
	snprintf(cmd, sizeof cmd, "touch %s/sha256/%s/*", sigdir, D1 + 7);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 1);
	/* a group-writable cache directory is not trusted */
	snprintf(path, sizeof path, "%s/verified", statedir);
	ck_assert_int_eq(chmod(path, 0770), 0);
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);
	ck_assert_int_eq(chmod(path, 0700), 0);
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 1);
	/* past the store's expiry the record is void and the store is refused */
	og_now_override = 4102444800 + 86400;	/* 2100-01-02 */
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);
	ck_assert_int_eq(n, 1);
	og_now_override = 0;
	og_trust_policy_free(p);
}
END_TEST

/* Forge the store-signatures record for the files as they are now: what
 * someone who can write the state directory could do. */
static void forge_roots_record(struct og_trust_policy *p)
{
	struct og_trust_store_config c;
	struct stat st;
	char fp[OG_TRUST_CACHE_FP_MAX];

	og_trust_policy_store_config(p, &c);
	ck_assert_int_eq(stat(store, &st), 0);
	ck_assert_int_eq(og_trust_cache_roots_fingerprint(c.store_path, c.threshold, c.root_keys, c.nroot, &st, fp, sizeof fp), 0);
	og_trust_cache_roots_store(statedir, fp, 1);
}

/* Digest number i, and a store allowlisting n of them for team-a plus any
 * `extra` entries (JSON text appended to the list as is). */
static void nth_digest(int i, char out[OG_DIGEST_MAX])
{
	og_sha256_digest(&i, sizeof i, out, OG_DIGEST_MAX);
}

static void write_allowlist_store(int n, const char *extra, const char *escape_from)
{
	json_t *s = base_store(5, "2099-01-01T00:00:00Z"), *images = json_array();
	char d[OG_DIGEST_MAX], repo[128], sp[320], *text, *at, *out;
	og_error e = { 0 };
	char kid[OG_KEYID_HEX];

	for (int i = 0; i < n; i++) {
		nth_digest(i, d);
		snprintf(repo, sizeof repo, "registry.example.com/team-a/app-%d", i);
		json_array_append_new(images, json_pack("{s:s,s:s}", "digest", d, "repository", repo));
	}
	json_object_set_new(s, "images", images);
	text = json_dumps(s, JSON_COMPACT | JSON_PRESERVE_ORDER);	/* images last */
	json_decref(s);
	/* extra entries go before the list's ']'; escape_from writes the first
	 * hex digit of that digest as \u00XX, legal JSON ocigate never writes */
	at = memrchr(text, ']', strlen(text));
	ck_assert_ptr_nonnull(at);
	at--;	/* the last entry's '}' */
	ck_assert_int_ge(asprintf(&out, "%.*s}%s%s", (int)(at - text), text, extra, at + 1), 0);
	if (escape_from != NULL) {
		char *hit = strstr(out, escape_from), *esc;

		ck_assert_ptr_nonnull(hit);
		hit += strlen("sha256:");
		ck_assert_int_ge(asprintf(&esc, "%.*s\\u00%02x%s", (int)(hit - out), out, *hit, hit + 1), 0);
		free(out);
		out = esc;
	}
	wfile(store, out, strlen(out));
	free(text);
	free(out);
	snprintf(sp, sizeof sp, "%s.sig", store);
	unlink(sp);
	ck_assert_msg(og_trust_store_sign(store, kroot1, kid, &e) == 0, "%s", e.msg);
}

/* While the store-signatures record holds (the store was checked in full
 * when it was made), a check reads only the allowlist entry it needs: a bad
 * entry elsewhere goes unread, the entry asked for is checked as strictly
 * as ever, and without the record every entry is checked again. */
START_TEST(validated_store_reads_one_entry)
{
	struct og_trust_policy *p = policy(1, 0);
	char d[OG_DIGEST_MAX], path[600];

	write_allowlist_store(300, ",{\"digest\":\"" D2 "\",\"repository\":\"registry.example.com/Team-B/x\"}",
			      NULL);
	nth_digest(0, d);
	EXPECT_FINDING(p, d, "trust.store", "$.images[300].repository: not a repository name");
	/* The record a full validation would leave (the refusal made none). */
	snprintf(path, sizeof path, "%s/verified", statedir);
	ck_assert(mkdir(statedir, 0700) == 0 || errno == EEXIST);
	ck_assert(mkdir(path, 0700) == 0 || errno == EEXIST);
	forge_roots_record(p);
	for (int i = 0; i < 300; i += 37) {
		nth_digest(i, d);
		EXPECT_OK(p, d);	/* allowlisted: no signature filed for any */
	}
	EXPECT_FINDING(p, D2, "trust.signature", "");	/* the bad entry allowlists nothing */
	EXPECT_FINDING(p, D1, "trust.signature", "");	/* not listed */
	snprintf(path, sizeof path, "%s/verified/store-signatures", statedir);
	ck_assert_int_eq(unlink(path), 0);
	nth_digest(1, d);
	EXPECT_FINDING(p, d, "trust.store", "$.images[300].repository: not a repository name");
	og_trust_policy_free(p);
}
END_TEST

/* A repository with an IPv6 host holds brackets, so the allowlist cannot
 * end at the first ']': under the record it is read strictly too (before
 * the fix, the store was refused as broken JSON once the record held). */
START_TEST(validated_store_with_ipv6_host)
{
	struct og_trust_policy *p = policy(1, 0);
	char d[OG_DIGEST_MAX];

	write_allowlist_store(20, ",{\"digest\":\"" D2 "\",\"repository\":\"[2001:db8::1]:5000/team-a/app\"}",
			      NULL);
	EXPECT_OK(p, D2);	/* strict, and the store-signatures record written */
	nth_digest(3, d);
	EXPECT_OK(p, d);	/* under the record */
	EXPECT_OK(p, D2);
	EXPECT_FINDING(p, D1, "trust.signature", "");
	og_trust_policy_free(p);
}
END_TEST

/* An entry padded with whitespace (legal JSON) is found under the record
 * as on the strict path, however long it is. */
START_TEST(validated_store_with_padded_entry)
{
	struct og_trust_policy *p = policy(1, 0);
	char extra[4200], d[OG_DIGEST_MAX];
	int n = snprintf(extra, sizeof extra, ",{\"digest\":\"%s\",", D2);

	memset(extra + n, ' ', 3000);
	snprintf(extra + n + 3000, sizeof extra - (size_t)n - 3000,
		 "\"repository\":\"registry.example.com/team-a/padded\"}");
	write_allowlist_store(20, extra, NULL);
	nth_digest(3, d);
	EXPECT_OK(p, d);	/* strict, and the store-signatures record written */
	EXPECT_OK(p, D2);	/* under the record */
	og_trust_policy_free(p);
}
END_TEST

/* An escape in the allowlist (legal JSON) sends the store down the strict
 * path even under the record: the decision is the same either way. */
START_TEST(validated_store_with_escapes)
{
	struct og_trust_policy *p = policy(1, 0);
	char d[OG_DIGEST_MAX], d5[OG_DIGEST_MAX];

	nth_digest(5, d5);
	write_allowlist_store(20, "", d5);
	EXPECT_OK(p, d5);	/* strict: the escape decodes to the digest */
	forge_roots_record(p);
	nth_digest(6, d);
	EXPECT_OK(p, d);
	EXPECT_OK(p, d5);	/* (an allowlisted image is never recorded: the store answers) */
	og_trust_policy_free(p);
}
END_TEST

/* The store-signatures record: an image not seen before, under a store whose
 * signatures were verified and whose files did not change, costs no store
 * signature check; anything else does. */
START_TEST(store_signatures_record)
{
	struct og_trust_policy *p, *p2;
	struct og_trust_store_config c;
	struct og_trust_store *s = NULL;
	og_buf b = { 0 };
	og_error e = { 0 };
	char path[600], vdir[600], sigfile[320];

	write_store(base_store(5, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	EXPECT_OK(p, D1);
	snprintf(path, sizeof path, "%s/verified/store-signatures", statedir);
	snprintf(vdir, sizeof vdir, "%s/verified", statedir);
	ck_assert_int_eq(og_read_file(path, 8192, &b, &e), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "v2 roots settings="));
	og_buf_free(&b);
	/* A store no root signed, with a record forged for it: believed, as the
	 * record is as trusted as the directory it is in ... */
	write_store(base_store(6, "2099-01-01T00:00:00Z"), 0, 0);
	EXPECT_FINDING(p, D1, "trust.store", "signature file");
	forge_roots_record(p);
	EXPECT_OK(p, D1);
	/* ... and void once any input changes: the store, */
	ck_assert_int_eq(utimensat(AT_FDCWD, store, NULL, 0), 0);
	EXPECT_FINDING(p, D1, "trust.store", "signature file");
	/* its signature file, */
	forge_roots_record(p);
	EXPECT_OK(p, D1);
	snprintf(sigfile, sizeof sigfile, "%s.sig", store);
	wfile(sigfile, "{\"signatures\": []}", 18);
	EXPECT_FINDING(p, D1, "trust.store", "signed by 0 of the required 1");
	ck_assert_int_eq(unlink(sigfile), 0);
	/* a root key, */
	forge_roots_record(p);
	EXPECT_OK(p, D1);
	ck_assert_int_eq(utimensat(AT_FDCWD, root1, NULL, 0), 0);
	EXPECT_FINDING(p, D1, "trust.store", "signature file");
	/* the root keys or the threshold the policy names, */
	forge_roots_record(p);
	EXPECT_OK(p, D1);
	p2 = policy(2, 1);
	EXPECT_FINDING(p2, D1, "trust.store", "signature file");
	og_trust_policy_free(p2);
	/* or the cache directory's soundness. */
	ck_assert_int_eq(chmod(vdir, 0770), 0);
	EXPECT_FINDING(p, D1, "trust.store", "signature file");
	ck_assert_int_eq(chmod(vdir, 0700), 0);
	EXPECT_OK(p, D1);
	/* Checks from the command line (no state updates) never use it ... */
	og_trust_policy_store_config(p, &c);
	c.update_state = 0;
	ck_assert_int_eq(og_trust_store_load(&c, &s, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "signature file"));
	/* ... nor write it. */
	write_store(base_store(7, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(unlink(path), 0);
	og_error_clear(&e);
	ck_assert_msg(og_trust_store_load(&c, &s, &e) == 0, "%s", e.msg);
	og_trust_store_free(s);
	ck_assert_int_eq(access(path, F_OK), -1);
	og_trust_policy_free(p);
}
END_TEST

/* `ocigate check` on a bundle whose image is D1, under a policy with this
 * test's trust environment; its exit code. */
static int run_check(void)
{
	char bundle[320], rootfs[340], pol[320], cfg[400], *text;
	json_t *doc;
	int rc;

	snprintf(bundle, sizeof bundle, "%s/bundle", dir);
	snprintf(rootfs, sizeof rootfs, "%s/rootfs", bundle);
	(void)mkdir(bundle, 0755);
	(void)mkdir(rootfs, 0755);
	snprintf(cfg, sizeof cfg, "%s/config.json", bundle);
	doc = json_pack("{s:{s:s},s:{s:{s:i}},s:{s:s}}", "root", "path", "rootfs", "process", "user", "uid", 0,
			"annotations", "io.kubernetes.cri-o.ImageRef", D1 + 7);
	text = json_dumps(doc, 0);
	wfile(cfg, text, strlen(text));
	free(text);
	json_decref(doc);
	snprintf(pol, sizeof pol, "%s/policy.json", dir);
	doc = json_pack("{s:i,s:{s:s},s:{s:[{s:s,s:s}]},s:{s:s,s:[s],s:s,s:s}}", "version", 1, "runtime", "preset",
			"none", "image", "identity", "annotation", "io.kubernetes.cri-o.ImageRef", "kind", "config",
			"trust", "store", store, "root_keys", root1, "state_dir", statedir, "signatures_dir", sigdir);
	text = json_dumps(doc, 0);
	wfile(pol, text, strlen(text));
	free(text);
	json_decref(doc);
	{
		char *argv[] = { "check", "--bundle", bundle, "--policy", pol, NULL };

		rc = og_cmd_check(5, argv);
	}
	fflush(stdout);
	return rc;
}

/* Every file below the state directory, with identity, size and times. */
static char *state_listing(void)
{
	char cmd[400], *out = NULL;
	size_t size = 0;
	FILE *f, *m = open_memstream(&out, &size);

	snprintf(cmd, sizeof cmd, "find '%s' -printf '%%p %%i %%s %%T@ %%C@\\n' 2>&1 | sort", statedir);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	for (int ch; (ch = fgetc(f)) != EOF;)
		fputc(ch, m);
	pclose(f);
	fclose(m);
	return out;
}

/* A verification record for digest, forged for the inputs as they are now
 * (what only someone who can write the state directory could do). */
static void forge_record(const char *digest)
{
	const char *roots[] = { root1 };
	char path[400], pfp[17], fp[OG_TRUST_CACHE_FP_MAX];
	struct og_trust_cache_inputs in = { .policy_fingerprint = pfp, .store = store, .state_dir = statedir,
					    .signatures_dir = sigdir, .root_keys = roots, .nroot = 1,
					    .digest = digest, .image_repository = "", .image_name_from = "" };
	og_buf b = { 0 };
	og_error e = { 0 };
	const char *at;

	/* the policy's part is the one in the real record */
	snprintf(path, sizeof path, "%s/verified/%s", statedir, digest + 7);
	ck_assert_msg(og_read_file(path, 8192, &b, &e) == 0, "%s", e.msg);
	at = strstr(b.data, "policy=");
	ck_assert_ptr_nonnull(at);
	snprintf(pfp, sizeof pfp, "%.16s", at + 7);
	og_buf_free(&b);
	ck_assert_int_eq(og_trust_cache_fingerprint(&in, fp, sizeof fp), 0);
	og_trust_cache_store(statedir, digest, fp, 0, "forged");
}

/* The dry run changes nothing on the node and believes no record. */
START_TEST(check_is_a_dry_run)
{
	struct og_trust_policy *p;
	char *before, *after, cmd[400];
	int n;

	write_store(base_store(5, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	/* a node whose hook never ran: check allows, and creates no state */
	ck_assert_int_eq(run_check(), 0);
	ck_assert_int_eq(access(statedir, F_OK), -1);
	/* a node with state and a warm record: check leaves it as it was */
	p = warm_node(5);
	write_store(base_store(6, "2099-01-01T00:00:00Z"), 1, 0);	/* a version above the floor */
	before = state_listing();
	ck_assert_int_eq(run_check(), 0);
	after = state_listing();
	ck_assert_str_eq(before, after);
	free(after);
	/* the signature gone, and a record forged that still vouches for it: the
	 * hook believes the record (it trusts the state directory), check does not */
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);	/* the hook records version 6 */
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 0);	/* and the acceptance */
	snprintf(cmd, sizeof cmd, "rm -rf '%s/sha256/%s'", sigdir, D1 + 7);
	ck_assert_int_eq(system(cmd), 0);
	forge_record(D1);
	ck_assert_int_eq(accepted_via_cache(p, D1, &n), 1);
	free(before);
	before = state_listing();
	ck_assert_int_eq(run_check(), 1);
	after = state_listing();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	og_trust_policy_free(p);
}
END_TEST

START_TEST(no_digest_identity)
{
	struct og_trust_policy *p;

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	p = policy(1, 0);
	EXPECT_FINDING(p, "", "image.identity", "no image digest");
	og_trust_policy_free(p);
}
END_TEST

START_TEST(not_required)
{
	struct og_trust_policy *p = NULL;
	og_error e = { 0 };
	char rule[64], msg[2048];

	ck_assert_int_eq(og_trust_policy_parse(NULL, "$.trust", &p, &e), 0);
	ck_assert_int_eq(og_trust_required(p), 0);
	ck_assert_uint_eq(check(p, "", rule, msg), 0);
	og_trust_policy_free(p);
}
END_TEST

/* A valid signature filed under the wrong digest: payload for another digest. */
START_TEST(payload_for_other_digest)
{
	struct og_trust_policy *p;
	char from[400], to[400], cmd[900];

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D2), 0);
	snprintf(from, sizeof from, "%s/sha256/%s", sigdir, D2 + 7);
	snprintf(to, sizeof to, "%s/sha256/%s", sigdir, D1 + 7);
	snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", from, to);
	ck_assert_int_eq(system(cmd), 0);
	p = policy(1, 0);
	EXPECT_FINDING(p, D1, "trust.signature", "wrong digest");
	EXPECT_OK(p, D2);
	og_trust_policy_free(p);
}
END_TEST

START_TEST(key_out_of_scope)
{
	struct og_trust_policy *p;

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	/* team-b's key signs a team-a image */
	ck_assert_int_eq(sign_image(other_priv, REPO, D1), 0);
	p = policy(1, 0);
	EXPECT_FINDING(p, D1, "trust.signature", "out-of-scope");
	og_trust_policy_free(p);
}
END_TEST

START_TEST(key_not_in_store)
{
	struct og_trust_policy *p;
	json_t *s = base_store(1, "2099-01-01T00:00:00Z");

	json_array_remove(json_object_get(s, "keys"), 0);
	write_store(s, 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	EXPECT_FINDING(p, D1, "trust.signature", "no trusted key");
	og_trust_policy_free(p);
}
END_TEST

START_TEST(revoked_key)
{
	struct og_trust_policy *p;
	json_t *s = base_store(1, "2099-01-01T00:00:00Z");
	char kid[OG_KEYID_HEX];

	keyid(ksigner, kid);
	json_object_set_new(s, "revoked", json_pack("{s:[s]}", "keys", kid));
	write_store(s, 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	EXPECT_FINDING(p, D1, "trust.signature", "revoked key");
	og_trust_policy_free(p);
}
END_TEST

START_TEST(revoked_digest_beats_allowlist_and_signature)
{
	struct og_trust_policy *p;
	json_t *s = base_store(1, "2099-01-01T00:00:00Z");

	json_object_set_new(s, "images", json_pack("[{s:s,s:s},{s:s,s:s}]", "digest", D1, "repository", REPO,
						   "digest", D2, "repository", REPO));
	json_object_set_new(s, "revoked", json_pack("{s:[s]}", "digests", D1));
	write_store(s, 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	EXPECT_FINDING(p, D1, "trust.signature", "revoked");
	EXPECT_OK(p, D2);	/* allowlisted, unsigned */
	og_trust_policy_free(p);
}
END_TEST

START_TEST(expired_key_window)
{
	struct og_trust_policy *p;
	json_t *s = base_store(1, "2099-01-01T00:00:00Z");

	json_object_set_new(json_array_get(json_object_get(s, "keys"), 0), "not_after",
			    json_string("2020-01-01T00:00:00Z"));
	write_store(s, 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	EXPECT_FINDING(p, D1, "trust.signature", "expired key");
	og_trust_policy_free(p);
}
END_TEST

START_TEST(expired_store)
{
	struct og_trust_policy *p;

	write_store(base_store(1, "2030-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	EXPECT_OK(p, D1);
	og_now_override = 1893456000 + 1;	/* 2030-01-01T00:00:01Z */
	EXPECT_FINDING(p, D1, "trust.store", "expired at 2030-01-01T00:00:00Z");
	og_trust_policy_free(p);
}
END_TEST

START_TEST(rollback_refused)
{
	struct og_trust_policy *p;

	write_store(base_store(5, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	EXPECT_OK(p, D1);
	/* an older, validly signed store is refused */
	write_store(base_store(3, "2099-01-01T00:00:00Z"), 1, 0);
	EXPECT_FINDING(p, D1, "trust.store", "rolled back: version 3 is lower than the accepted version 5");
	write_store(base_store(6, "2099-01-01T00:00:00Z"), 1, 0);
	EXPECT_OK(p, D1);
	write_store(base_store(5, "2099-01-01T00:00:00Z"), 1, 0);
	EXPECT_FINDING(p, D1, "trust.store", "rolled back");
	og_trust_policy_free(p);
}
END_TEST

/* The rollback state is as trusted as the policy: checked on every read,
 * and before a verification record under it is believed. */
START_TEST(rollback_state_checked)
{
	struct og_trust_policy *p;
	struct og_trust_store_config c;
	struct og_trust_store *s = NULL;
	og_error e = { 0 };
	char version[320], want[1024];

	p = warm_node(5);
	snprintf(version, sizeof version, "%s/" OG_TRUST_STATE_FILE, statedir);
	/* the directory, with the record in it still matching */
	ck_assert_int_eq(chmod(statedir, 0777), 0);
	snprintf(want, sizeof want, "rollback state: %s is group- or world-writable (mode 0777)", statedir);
	EXPECT_FINDING(p, D1, "trust.store", want);
	/* a check from the command line refuses it the same */
	og_trust_policy_store_config(p, &c);
	c.update_state = 0;
	ck_assert_int_eq(og_trust_store_load(&c, &s, &e), -1);
	ck_assert_msg(strstr(e.msg, want) != NULL, "%s", e.msg);
	ck_assert_int_eq(chmod(statedir, 0700), 0);
	/* the file */
	ck_assert_int_eq(chmod(version, 0666), 0);
	snprintf(want, sizeof want, "rollback state: %s is group- or world-writable (mode 0666)", version);
	EXPECT_FINDING(p, D1, "trust.store", want);
	ck_assert_int_eq(chmod(version, 0600), 0);
	ck_assert_int_eq(chown(version, 54321, 0), 0);
	EXPECT_FINDING(p, D1, "trust.store", "is owned by uid 54321, not root");
	ck_assert_int_eq(chown(version, 0, 0), 0);
	/* a link where the file should be */
	ck_assert_int_eq(rename(version, store), 0);
	ck_assert_int_eq(symlink(store, version), 0);
	EXPECT_FINDING(p, D1, "trust.store", "is a symbolic link");
	ck_assert_int_eq(unlink(version), 0);
	ck_assert_int_eq(rename(store, version), 0);
	write_store(base_store(5, "2099-01-01T00:00:00Z"), 1, 0);
	EXPECT_OK(p, D1);
	og_trust_policy_free(p);
}
END_TEST

/* StrictModes on the store, its signature file and the root keys, and on
 * every directory above them, before a record is believed. */
START_TEST(trust_files_checked_up_to_root)
{
	struct og_trust_policy *p;
	char sp[320], want[1024];

	p = warm_node(1);
	/* the directory holding them all, world-writable: anything in it can be swapped */
	ck_assert_int_eq(chmod(dir, 0777), 0);
	snprintf(want, sizeof want, "trust store %s: %s is group- or world-writable (mode 0777) and not sticky",
		 store, dir);
	EXPECT_FINDING(p, D1, "trust.store", want);
	/* sticky above them, as /tmp, is sound */
	ck_assert_int_eq(chmod(dir, 01777), 0);
	EXPECT_OK(p, D1);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	/* each file */
	ck_assert_int_eq(chmod(store, 0664), 0);
	snprintf(want, sizeof want, "trust store %s: %s is group- or world-writable (mode 0664)", store, store);
	EXPECT_FINDING(p, D1, "trust.store", want);
	ck_assert_int_eq(chmod(store, 0644), 0);
	snprintf(sp, sizeof sp, "%s.sig", store);
	ck_assert_int_eq(chmod(sp, 0646), 0);
	snprintf(want, sizeof want, "signature file: %s is group- or world-writable (mode 0646)", sp);
	EXPECT_FINDING(p, D1, "trust.store", want);
	ck_assert_int_eq(chmod(sp, 0644), 0);
	ck_assert_int_eq(chown(root1, 54321, 0), 0);
	snprintf(want, sizeof want, "root key: %s is owned by uid 54321, not root", root1);
	EXPECT_FINDING(p, D1, "trust.store", want);
	ck_assert_int_eq(chown(root1, 0, 0), 0);
	EXPECT_OK(p, D1);
	og_trust_policy_free(p);
}
END_TEST

static int install_store(const char *path)
{
	const char *args[] = { "trust", "install", "--store", store, "--root-key", root1, "--state-dir",
			       statedir, "--signatures-dir", sigdir, path, NULL };
	return run_cmd(og_cmd_trust, args);
}

/* The installed store's version, as `trust verify` reads it. */
static int64_t installed_version(struct og_trust_policy *p)
{
	struct og_trust_store_config c;
	struct og_trust_store *s = NULL;
	og_error e = { 0 };
	int64_t v;

	og_trust_policy_store_config(p, &c);
	c.update_state = 0;
	ck_assert_msg(og_trust_store_load(&c, &s, &e) == 0, "%s", e.msg);
	v = s->version;
	og_trust_store_free(s);
	return v;
}

static void expect_floor(const char *want)
{
	char path[320];
	og_buf b = { 0 };
	og_error e = { 0 };

	snprintf(path, sizeof path, "%s/" OG_TRUST_STATE_FILE, statedir);
	ck_assert_msg(og_read_file(path, 64, &b, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(b.data, want);
	og_buf_free(&b);
}

/* `trust install` raises the floor with the swap: an older, validly signed
 * store installed next is refused, with no hook run in between. */
START_TEST(install_raises_the_floor)
{
	struct og_trust_policy *p = policy(1, 0);
	char v8[320], v9[320];

	snprintf(v8, sizeof v8, "%s/v8.json", dir);
	snprintf(v9, sizeof v9, "%s/v9.json", dir);
	write_store_at(v8, base_store(8, "2099-01-01T00:00:00Z"), 1, 0);
	write_store_at(v9, base_store(9, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(install_store(v9), 0);
	expect_floor("9\n");
	ck_assert_int_eq(install_store(v8), 1);
	ck_assert_int_eq(installed_version(p), 9);
	expect_floor("9\n");
	/* the same version again is no rollback */
	ck_assert_int_eq(install_store(v9), 0);
	ck_assert_int_eq(installed_version(p), 9);
	og_trust_policy_free(p);
}
END_TEST

/* Installs racing each other: whichever order they run in, the newer store
 * ends up installed and the floor at its version. */
START_TEST(concurrent_installs)
{
	struct og_trust_policy *p = policy(1, 0);
	char v[2][320], cmd[400];

	for (int i = 0; i < 2; i++) {
		snprintf(v[i], sizeof v[i], "%s/v%d.json", dir, 8 + i);
		write_store_at(v[i], base_store(8 + i, "2099-01-01T00:00:00Z"), 1, 0);
	}
	for (int round = 0; round < 20; round++) {
		pid_t pid[2];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", statedir);
		ck_assert_int_eq(system(cmd), 0);
		write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
		for (int i = 0; i < 2; i++) {
			pid[i] = fork();
			ck_assert_int_ge(pid[i], 0);
			if (pid[i] == 0)
				_exit(install_store(v[(i + round) % 2]));
		}
		for (int i = 0; i < 2; i++)
			ck_assert_int_eq(waitpid(pid[i], NULL, 0), pid[i]);
		ck_assert_int_eq(installed_version(p), 9);
		expect_floor("9\n");
	}
	og_trust_policy_free(p);
}
END_TEST

START_TEST(threshold)
{
	struct og_trust_policy *p;

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(2, 1);
	EXPECT_FINDING(p, D1, "trust.store", "signed by 1 of the required 2 root keys");
	write_store(base_store(2, "2099-01-01T00:00:00Z"), 1, 1);
	EXPECT_OK(p, D1);
	og_trust_policy_free(p);
	/* a store signed by a key that is not a root counts for nothing */
	write_store(base_store(3, "2099-01-01T00:00:00Z"), 0, 1);
	p = policy(1, 0);
	EXPECT_FINDING(p, D1, "trust.store", "signed by 0 of the required 1");
	og_trust_policy_free(p);
}
END_TEST

START_TEST(store_tampering)
{
	struct og_trust_policy *p;
	og_buf b = { 0 };
	og_error e = { 0 };
	char sp[320];

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	/* flipped byte in the store */
	ck_assert_int_eq(og_read_file(store, 1 << 20, &b, &e), 0);
	b.data[10] ^= 1;
	wfile(store, b.data, b.len);
	EXPECT_FINDING(p, D1, "trust.store", "bad signature by root key");
	b.data[10] ^= 1;
	/* truncated store */
	wfile(store, b.data, b.len - 5);
	EXPECT_FINDING(p, D1, "trust.store", "bad signature by root key");
	wfile(store, b.data, b.len);
	EXPECT_OK(p, D1);
	og_buf_free(&b);
	/* flipped byte in the signature file's signature */
	snprintf(sp, sizeof sp, "%s.sig", store);
	ck_assert_int_eq(og_read_file(sp, 1 << 20, &b, &e), 0);
	{
		char *s = strstr(b.data, "\"sig\": \"");
		ck_assert_ptr_nonnull(s);
		s[20] = s[20] == 'A' ? 'B' : 'A';
	}
	wfile(sp, b.data, b.len);
	EXPECT_FINDING(p, D1, "trust.store", "signed by 0 of the required 1");
	/* truncated signature file */
	wfile(sp, b.data, b.len / 2);
	EXPECT_FINDING(p, D1, "trust.store", "signature file");
	unlink(sp);
	EXPECT_FINDING(p, D1, "trust.store", "signature file");
	og_buf_free(&b);
	og_trust_policy_free(p);
}
END_TEST

START_TEST(store_oversized_and_duplicates)
{
	struct og_trust_policy *p;
	char *big = malloc(OG_MAX_TRUST_STORE_BYTES + 2);
	char kid[OG_KEYID_HEX];
	og_error e = { 0 };
	const char *dup = "{\"version\": 1, \"version\": 9, \"expires\": \"2099-01-01T00:00:00Z\"}";

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	p = policy(1, 0);
	memset(big, ' ', OG_MAX_TRUST_STORE_BYTES + 1);
	big[0] = '{';
	big[OG_MAX_TRUST_STORE_BYTES] = '}';
	wfile(store, big, OG_MAX_TRUST_STORE_BYTES + 1);
	free(big);
	EXPECT_FINDING(p, D1, "trust.store", "larger than the limit");
	/* duplicate keys, validly signed: refused when parsed */
	wfile(store, dup, strlen(dup));
	ck_assert_int_eq(og_trust_store_sign(store, kroot1, kid, &e), 0);
	EXPECT_FINDING(p, D1, "trust.store", "duplicate");
	/* unknown key in a validly signed store */
	{
		json_t *s = base_store(1, "2099-01-01T00:00:00Z");
		json_object_set_new(s, "extra", json_true());
		write_store(s, 1, 0);
	}
	EXPECT_FINDING(p, D1, "trust.store", "unknown key \"extra\"");
	og_trust_policy_free(p);
}
END_TEST

/* A bad allowlist entry is named by its index, whatever its digit count. */
START_TEST(store_bad_entry_index)
{
	static const size_t bad[] = { 0, 9, 10, 99, 100, 1000, 1234 };
	struct og_trust_policy *p;

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	p = policy(1, 0);
	for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
		json_t *s = base_store(1, "2099-01-01T00:00:00Z"), *images = json_array();
		char want[64];

		for (size_t i = 0; i <= bad[b]; i++)
			json_array_append_new(images, json_pack("{s:s,s:s}", "digest", i == bad[b] ? "sha256:X" : D2,
								"repository", "registry.example.com/x"));
		json_object_set_new(s, "images", images);
		write_store(s, 1, 0);
		snprintf(want, sizeof want, "$.images[%zu].digest: expected sha256:", bad[b]);
		EXPECT_FINDING(p, D1, "trust.store", want);
	}
	og_trust_policy_free(p);
}
END_TEST

/* "bases" (image.base): a repository or scope, optionally one digest;
 * read from the root-verified store, validated like the rest of it. */
START_TEST(store_bases)
{
	struct og_trust_policy *p;
	json_t *s = base_store(1, "2099-01-01T00:00:00Z");
	og_error e = { 0 };

	json_object_set_new(s, "bases", json_pack("[{s:s,s:s},{s:s}]", "repository", "docker.io/library/debian",
						  "digest", D1, "repository", "registry.example.com/bases/*"));
	write_store(s, 1, 0);
	p = policy(1, 0);
	ck_assert_int_eq(og_trust_policy_base_allowed(p, "debian:12", D1, &e), 1);
	ck_assert_int_eq(og_trust_policy_base_allowed(p, "docker.io/library/debian:12", D2, &e), 0);
	ck_assert_int_eq(og_trust_policy_base_allowed(p, "docker.io/library/debian@" D1, "", &e), 1);
	ck_assert_int_eq(og_trust_policy_base_allowed(p, "docker.io/library/debian@" D1, D2, &e), 0);
	ck_assert_int_eq(og_trust_policy_base_allowed(p, "docker.io/library/debian", "", &e), 0);
	ck_assert_int_eq(og_trust_policy_base_allowed(p, "registry.example.com/bases/ubi:9", "", &e), 1);
	ck_assert_int_eq(og_trust_policy_base_allowed(p, "registry.example.com/other/ubi:9", "", &e), 0);
	ck_assert_int_eq(og_trust_policy_base_allowed(p, "Not A Reference", "", &e), 0);

	/* A bad entry refuses the whole store, naming it. */
	s = base_store(1, "2099-01-01T00:00:00Z");
	json_object_set_new(s, "bases", json_pack("[{s:s,s:s}]", "repository", "docker.io/library/debian", "digest",
						  "sha256:X"));
	write_store(s, 1, 0);
	ck_assert_int_eq(og_trust_policy_base_allowed(p, "debian:12", D1, &e), -1);
	ck_assert_msg(strstr(e.msg, "$.bases[0].digest: expected sha256:") != NULL, "%s", e.msg);
	s = base_store(1, "2099-01-01T00:00:00Z");
	json_object_set_new(s, "bases", json_pack("[{s:s}]", "digest", D1));
	write_store(s, 1, 0);
	ck_assert_int_eq(og_trust_policy_base_allowed(p, "debian:12", D1, &e), -1);
	ck_assert_msg(strstr(e.msg, "$.bases[0].repository: missing") != NULL, "%s", e.msg);
	/* Unsigned: refused like any store. */
	s = base_store(1, "2099-01-01T00:00:00Z");
	json_object_set_new(s, "bases", json_pack("[{s:s}]", "repository", "docker.io/library/debian"));
	write_store(s, 0, 0);
	ck_assert_int_eq(og_trust_policy_base_allowed(p, "debian:12", "", &e), -1);
	og_trust_policy_free(p);
}
END_TEST

/* Keys of a type we refuse never verify anything. */
START_TEST(store_wrong_key_types)
{
	struct og_trust_policy *p;
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *k521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	char *ps = pub_pem(small), *p5 = pub_pem(k521);
	char smallp[320], k521p[320], out[16384];
	json_t *s = json_pack("{s:i,s:s,s:[{s:s,s:[s]},{s:s,s:[s]}]}", "version", 1, "expires",
			      "2099-01-01T00:00:00Z", "keys", "key", ps, "scopes", "*", "key", p5, "scopes", "*");
	FILE *f;

	write_store(s, 1, 0);
	snprintf(smallp, sizeof smallp, "%s/small.key", dir);
	snprintf(k521p, sizeof k521p, "%s/p521.key", dir);
	write_priv(smallp, small);
	write_priv(k521p, k521);
	/* our own signing refuses them too */
	ck_assert_int_eq(sign_image(smallp, REPO, D1), 2);
	ck_assert_int_eq(sign_image(k521p, REPO, D1), 2);
	p = policy(1, 0);
	EXPECT_FINDING(p, D1, "trust.signature", "unsigned");
	/* and trust verify lists them as unusable */
	f = fmemopen(out, sizeof out, "w");
	{
		struct og_trust_store_config c = { store, (const char *const[]){ root1 }, 1, 1, NULL, 0, 0 };
		struct og_trust_store *ts = NULL;
		og_error e = { 0 };

		ck_assert_int_eq(og_trust_store_load(&c, &ts, &e), 0);
		og_trust_store_describe(ts, f);
		og_trust_store_free(ts);
	}
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "at least 2048 bits"));
	ck_assert_ptr_nonnull(strstr(out, "unsupported key type"));
	free(ps);
	free(p5);
	EVP_PKEY_free(small);
	EVP_PKEY_free(k521);
	og_trust_policy_free(p);
}
END_TEST

/* File an entry by hand (forgeries the CLI would not produce). */
static void put_entry(struct og_sig_entry *en, const char *digest)
{
	char *text = og_sig_entry_encode(en);
	const char *ds[] = { digest };
	char id[OG_KEYID_HEX];
	og_error e = { 0 };

	ck_assert_ptr_nonnull(text);
	ck_assert_msg(og_sig_store_add(sigdir, text, ds, 1, id, &e) == 0, "%s", e.msg);
	free(text);
}

static void sign_buf(EVP_PKEY *k, const char *msg, size_t len, og_buf *sig)
{
	unsigned char *s;
	og_error e = { 0 };

	ck_assert_int_eq(og_key_sign(k, msg, len, &s, &sig->len, &e), 0);
	sig->data = (char *)s;
}

/* Issue 17: an RSA-1024 key entered the store without a word and `check`
 * then said only that no key verifies.  Where a key enters, the reason is
 * named: the refusal of a signature by it, `trust install`, `trust sign`'s
 * check of what it signs (a warning), `policy lint` for a root key. */
START_TEST(rsa1024_named_where_it_enters)
{
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	char *ps = pub_pem(small), smallp[320], newstore[320], newsig[320], *payload;
	json_t *st = json_pack("{s:i,s:s,s:[{s:s,s:s,s:[s]}]}", "version", 1, "expires", "2099-01-01T00:00:00Z",
			       "keys", "name", "ci-old", "key", ps, "scopes", "registry.example.com/team-a/*");
	struct og_trust_store *ts = NULL;
	struct og_trust_policy *p;
	struct og_sig_entry en;
	og_error e = { 0 };
	size_t plen;

	write_store(st, 1, 0);
	/* a signature by it: refused, and the refusal says why the key cannot vouch */
	memset(&en, 0, sizeof en);
	ck_assert_int_eq(og_cosign_payload_build(REPO, D1, &payload, &plen, &e), 0);
	en.payload.data = payload;
	en.payload.len = plen;
	sign_buf(small, payload, plen, &en.signature);
	put_entry(&en, D1);
	free(en.signature.data);
	free(payload);
	p = policy(1, 0);
	EXPECT_FINDING(p, D1, "trust.signature",
		       "unusable store key: trust store keys[0]: RSA key of 1024 bits refused: at least 2048 bits required");
	og_trust_policy_free(p);
	/* what trust sign warns about and trust install refuses */
	ck_assert_msg(og_trust_store_parse_file(store, &ts, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(og_trust_store_check_keys(ts, &e), -1);
	ck_assert_msg(strstr(e.msg, "keys[0]: RSA key of 1024 bits refused: at least 2048 bits required (key \"ci-old\")"),
		      "%s", e.msg);
	og_trust_store_free(ts);
	snprintf(newstore, sizeof newstore, "%s/new.json", dir);
	snprintf(newsig, sizeof newsig, "%s/new.json.sig", dir);
	ck_assert_int_eq(rename(store, newstore), 0);
	snprintf(smallp, sizeof smallp, "%s.sig", store);
	ck_assert_int_eq(rename(smallp, newsig), 0);
	{
		const char *install[] = { "trust", "install", "--store", store, "--root-key", root1, "--state-dir",
					  statedir, newstore, NULL };
		ck_assert_int_eq(og_cmd_trust(9, (char **)install), 1);
		ck_assert_int_eq(access(store, F_OK), -1);	/* nothing installed */
	}
	/* policy lint: a root key of a refused type is an error, a missing one a warning */
	snprintf(smallp, sizeof smallp, "%s/small.pem", dir);
	write_pub(smallp, small);
	{
		json_t *sec = json_pack("{s:b,s:[s,s]}", "required", 1, "root_keys", root1, smallp);
		char warn[512] = "";
		FILE *f = fmemopen(warn, sizeof warn, "w");

		ck_assert_int_eq(og_trust_policy_parse(sec, "$.trust", &p, &e), 0);
		ck_assert_int_eq(og_trust_policy_check_root_keys(p, f, &e), -1);
		ck_assert_msg(strstr(e.msg, "trust.root_keys[1]: ") && strstr(e.msg, "RSA key of 1024 bits refused"),
			      "%s", e.msg);
		og_trust_policy_free(p);
		json_decref(sec);
		sec = json_pack("{s:b,s:[s,s]}", "required", 1, "root_keys", root1, "/nonexistent/root.pem");
		ck_assert_int_eq(og_trust_policy_parse(sec, "$.trust", &p, &e), 0);
		ck_assert_int_eq(og_trust_policy_check_root_keys(p, f, &e), 0);
		fclose(f);
		ck_assert_msg(strstr(warn, "warning: trust.root_keys[1]: ") != NULL, "%s", warn);
		og_trust_policy_free(p);
		json_decref(sec);
	}
	free(ps);
	EVP_PKEY_free(small);
}
END_TEST

START_TEST(entry_forgeries)
{
	struct og_trust_policy *p;
	struct og_sig_entry en;
	char payload[1024];
	const char *dup_payload;

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	p = policy(1, 0);
	/* flipped signature byte */
	memset(&en, 0, sizeof en);
	snprintf(payload, sizeof payload,
		 "{\"critical\":{\"identity\":{\"docker-reference\":\"%s\"},\"image\":{\"docker-manifest-digest\":\"%s\"},"
		 "\"type\":\"cosign container image signature\"},\"optional\":null}", REPO, D1);
	en.payload.data = payload;
	en.payload.len = strlen(payload);
	snprintf(en.repository, sizeof en.repository, "%s", REPO);
	sign_buf(ksigner, payload, strlen(payload), &en.signature);
	en.signature.data[en.signature.len / 2] ^= 1;
	put_entry(&en, D1);
	EXPECT_FINDING(p, D1, "trust.signature", "bad signature");
	en.signature.data[en.signature.len / 2] ^= 1;
	/* flipped payload byte (inside the repository name) */
	payload[50] ^= 1;
	put_entry(&en, D1);
	EXPECT_FINDING(p, D1, "trust.signature", "bad signature");
	payload[50] ^= 1;
	free(en.signature.data);
	/* duplicate keys in a validly signed payload */
	dup_payload = "{\"critical\":{\"identity\":{\"docker-reference\":\"" REPO "\"},\"image\":{\"docker-manifest-digest\":\"" D2
		      "\",\"docker-manifest-digest\":\"" D2 "\"},\"type\":\"cosign container image signature\"},\"optional\":null}";
	en.payload.data = (char *)dup_payload;
	en.payload.len = strlen(dup_payload);
	sign_buf(ksigner, dup_payload, strlen(dup_payload), &en.signature);
	put_entry(&en, D2);
	EXPECT_FINDING(p, D2, "trust.signature", "duplicate");
	free(en.signature.data);
	/* a wrong repository hint does not stop a valid signature (hint is only a shortcut) */
	snprintf(en.repository, sizeof en.repository, "registry.example.com/team-b/x");
	en.payload.data = payload;
	en.payload.len = strlen(payload);
	{
		char path[400], cmd[500];
		snprintf(path, sizeof path, "%s/sha256/%s", sigdir, D1 + 7);
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
		ck_assert_int_eq(system(cmd), 0);
	}
	sign_buf(ksigner, payload, strlen(payload), &en.signature);
	put_entry(&en, D1);
	EXPECT_OK(p, D1);
	free(en.signature.data);
	og_trust_policy_free(p);
}
END_TEST

static void sha256_of(const char *data, size_t len, char out[OG_DIGEST_MAX])
{
	unsigned char md[32];
	char hex[65];

	SHA256((const unsigned char *)data, len, md);
	og_hex_encode(md, 32, hex);
	og_bfmt(out, OG_DIGEST_MAX, "sha256:%s", hex);
}

/* Config digest -> signed manifest -> (signed index) chain. */
START_TEST(manifest_and_index_chain)
{
	struct og_trust_policy *p;
	char manifest[512], index[512], mdig[OG_DIGEST_MAX], idig[OG_DIGEST_MAX];
	char mpath[320], ipath[320], ppath[320], spath[320];
	const char *config = D1;

	snprintf(manifest, sizeof manifest,
		 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":1},"
		 "\"layers\":[]}", config);
	sha256_of(manifest, strlen(manifest), mdig);
	snprintf(index, sizeof index,
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"digest\":\"%s\",\"size\":%zu}]}", mdig, strlen(manifest));
	sha256_of(index, strlen(index), idig);
	snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
	snprintf(ipath, sizeof ipath, "%s/index.json", dir);
	snprintf(ppath, sizeof ppath, "%s/payload.json", dir);
	snprintf(spath, sizeof spath, "%s/sig.b64", dir);
	wfile(mpath, manifest, strlen(manifest));
	wfile(ipath, index, strlen(index));
	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	p = policy(1, 0);
	{
		/* sign the manifest digest, file it with the manifest */
		const char *sign[] = { "sig", "sign", "--key", signer_priv, "--repository", REPO, "--digest", mdig,
				       "--payload-out", ppath, "--signature-out", spath, NULL };
		const char *add[] = { "sig", "add", "--payload", ppath, "--signature", spath, "--manifest", mpath,
				      "--signatures-dir", sigdir, "--store", store, "--root-key", root1, NULL };
		ck_assert_int_eq(run_sig(sign), 0);
		ck_assert_int_eq(run_sig(add), 0);
	}
	EXPECT_OK(p, config);
	EXPECT_OK(p, mdig);
	/* the index was not signed: filing it with the manifest signature is refused */
	{
		const char *add[] = { "sig", "add", "--payload", ppath, "--signature", spath, "--manifest", mpath,
				      "--index", ipath, "--signatures-dir", sigdir, "--store", store,
				      "--root-key", root1, NULL };
		ck_assert_int_eq(run_sig(add), 2);
	}
	/* a flipped manifest byte breaks the chain */
	{
		struct og_sig_entry en;
		og_error e = { 0 };

		memset(&en, 0, sizeof en);
		ck_assert_int_eq(og_read_file(ppath, 65536, &en.payload, &e), 0);
		{
			og_cleanup_buf og_buf t = { 0 };
			unsigned char *raw;
			ck_assert_int_eq(og_read_file(spath, 8192, &t, &e), 0);
			ck_assert_int_eq(og_base64_decode(t.data, t.len, 0, "s", &raw, &en.signature.len, &e), 0);
			en.signature.data = (char *)raw;
		}
		en.manifest.data = strdup(manifest);
		en.manifest.len = strlen(manifest);
		en.manifest.data[3] ^= 1;
		put_entry(&en, D2);
		EXPECT_FINDING(p, D2, "trust.signature", "wrong digest");
		og_sig_entry_free(&en);
	}
	/* sign the index instead: config accepted through index -> manifest */
	{
		const char *sign[] = { "sig", "sign", "--key", signer_priv, "--repository", REPO, "--digest", idig,
				       "--payload-out", ppath, "--signature-out", spath, NULL };
		const char *add[] = { "sig", "add", "--payload", ppath, "--signature", spath, "--manifest", mpath,
				      "--index", ipath, "--signatures-dir", sigdir, "--store", store,
				      "--root-key", root1, NULL };
		char cmd[400];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", sigdir);
		ck_assert_int_eq(system(cmd), 0);
		ck_assert_int_eq(run_sig(sign), 0);
		ck_assert_int_eq(run_sig(add), 0);
	}
	EXPECT_OK(p, config);
	EXPECT_OK(p, mdig);
	EXPECT_OK(p, idig);
	og_trust_policy_free(p);
}
END_TEST

/* A DSSE envelope with a cosign-3 style in-toto statement whose subject
 * is `name` (NULL: no name), to file with sig add --bundle. */
static void dsse_entry_named(const char *ptype, const char *name, const char *subject_digest, const char *path)
{
	char stmt[1024], subject[300], *b64p, *b64s, *env;
	unsigned char *pae;
	size_t plen;
	og_buf sig = { 0 };
	og_error e = { 0 };

	if (name != NULL)
		snprintf(subject, sizeof subject, "\"name\":\"%s\",", name);
	else
		subject[0] = '\0';
	snprintf(stmt, sizeof stmt,
		 "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{%s\"digest\":"
		 "{\"sha256\":\"%s\"}}],\"predicateType\":\"%s\",\"predicate\":{}}", subject, subject_digest + 7, ptype);
	ck_assert_int_eq(og_dsse_pae(OG_INTOTO_PAYLOAD_TYPE, (unsigned char *)stmt, strlen(stmt), &pae, &plen, &e), 0);
	sign_buf(ksigner, (char *)pae, plen, &sig);
	b64p = og_base64_encode(stmt, strlen(stmt));
	b64s = og_base64_encode(sig.data, sig.len);
	ck_assert_int_ge(asprintf(&env, "{\"payloadType\":\"%s\",\"payload\":\"%s\",\"signatures\":[{\"keyid\":\"\",\"sig\":\"%s\"}]}",
				  OG_INTOTO_PAYLOAD_TYPE, b64p, b64s), 0);
	wfile(path, env, strlen(env));
	free(env);
	free(b64p);
	free(b64s);
	free(pae);
	og_buf_free(&sig);
}

#define REPO_B "registry.example.com/team-b/app"

/* A Sigstore bundle v0.3 with a messageSignature by k over digest: it signs
 * the digest alone and names no repository. */
static void message_bundle(EVP_PKEY *k, const char *digest, const char *path)
{
	unsigned char md[32], sig[256];
	size_t slen = sizeof sig;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
	char *b64d, *b64s, *doc;

	for (size_t i = 0; i < 32; i++)
		sscanf(digest + 7 + 2 * i, "%2hhx", &md[i]);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(EVP_PKEY_sign_init(c), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()), 1);
	ck_assert_int_eq(EVP_PKEY_sign(c, sig, &slen, md, 32), 1);
	EVP_PKEY_CTX_free(c);
	b64d = og_base64_encode(md, 32);
	b64s = og_base64_encode(sig, slen);
	ck_assert_int_ge(asprintf(&doc, "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
				  "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"k\"}},\"messageSignature\":"
				  "{\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":\"%s\"},\"signature\":\"%s\"}}",
				  b64d, b64s), 0);
	wfile(path, doc, strlen(doc));
	free(doc);
	free(b64d);
	free(b64s);
}

/* File a bundle with sig add, the given unsigned --repository hint (NULL: none). */
static void add_bundle(const char *path, const char *hint)
{
	const char *with[] = { "sig", "add", "--bundle", path, "--repository", hint, "--signatures-dir", sigdir,
			       "--store", store, "--root-key", root1, NULL };
	const char *without[] = { "sig", "add", "--bundle", path, "--signatures-dir", sigdir, "--store", store,
				  "--root-key", root1, NULL };

	ck_assert_int_eq(run_sig(hint ? with : without), 0);
}

static void clear_signatures(void)
{
	char cmd[400];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", sigdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* File a statement of type ptype for digest, its subject `name` (NULL: no
 * name), with sig add and the --repository hint (NULL: none). */
static void file_statement(const char *ptype, const char *name, const char *digest, const char *hint)
{
	char path[320];

	snprintf(path, sizeof path, "%s/env.json", dir);
	dsse_entry_named(ptype, name, digest, path);
	add_bundle(path, hint);
}

START_TEST(dsse_statement_accepted)
{
	struct og_trust_policy *p;

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	p = policy(1, 0);
	file_statement(OG_DEFAULT_PREDICATE_TYPE, REPO, D1, NULL);
	EXPECT_OK(p, D1);
	/* a predicate type the policy does not accept */
	file_statement("https://slsa.dev/provenance/v0.2", REPO, D2, NULL);
	/* labelled as what it is, not as a malformed signature */
	EXPECT_FINDING(p, D2, "trust.signature", "refused predicate type (1 signature checked): signed by key");
	EXPECT_FINDING(p, D2, "trust.signature", "https://slsa.dev/provenance/v0.2 is not accepted");
	og_trust_policy_free(p);
}
END_TEST

/* The files of a cosign fixture (../shared/fixtures/cosign/NAME). */
struct cosign_fixture {
	char dir[4200], pub[4300], payload[4300], signature[4300], manifest[4300];
};

/* 0 (with a SKIP line for test) when the shared fixtures are absent. */
static int cosign_fixture(const char *test, const char *name, struct cosign_fixture *fx)
{
	if (!tu_have_shared_fixtures()) {
		printf("SKIP %s: shared fixtures not found at %s\n", test, tu_shared_fixtures());
		return 0;
	}
	og_bfmt(fx->dir, sizeof fx->dir, "%s/cosign/%s", tu_shared_fixtures(), name);
	og_bfmt(fx->pub, sizeof fx->pub, "%s/pub.pem", fx->dir);
	og_bfmt(fx->payload, sizeof fx->payload, "%s/payload.json", fx->dir);
	og_bfmt(fx->signature, sizeof fx->signature, "%s/signature.b64", fx->dir);
	og_bfmt(fx->manifest, sizeof fx->manifest, "%s/manifest.json", fx->dir);
	return 1;
}

/* A store trusting key `pem` for `scope`, the fixture's signature filed
 * with its manifest; the policy for them. */
static struct og_trust_policy *fixture_filed(const struct cosign_fixture *fx, const char *pem, const char *scope)
{
	const char *add[] = { "sig", "add", "--payload", fx->payload, "--signature", fx->signature,
			      "--manifest", fx->manifest, "--signatures-dir", sigdir, "--store", store,
			      "--root-key", root1, NULL };

	write_store(json_pack("{s:i,s:s,s:[{s:s,s:[s]}]}", "version", 1, "expires", "2099-01-01T00:00:00Z", "keys",
			      "key", pem, "scopes", scope), 1, 0);
	ck_assert_int_eq(run_sig(add), 0);
	return policy(1, 0);
}

/* Real cosign output through the whole pipeline: A01 (config digest via its
 * manifest) accepted, N03 (modified manifest) refused. */
START_TEST(cosign_fixture_pipeline)
{
	struct cosign_fixture a01, other;
	char fxd[4096];
	struct og_trust_policy *p;
	og_buf key = { 0 };
	og_error e = { 0 };

	if (!cosign_fixture("cosign_fixture_pipeline", "A01-ci-cosign-valid-p256", &a01))
		return;
	og_bfmt(fxd, sizeof fxd, "%s/cosign", tu_shared_fixtures());
	ck_assert_int_eq(og_read_file(a01.pub, 16384, &key, &e), 0);
	p = fixture_filed(&a01, key.data, "192.168.64.2:5000/*");
	og_buf_free(&key);
	{
		/* config digest of A01's manifest */
		og_buf m = { 0 };
		json_t *doc;
		const char *cfg;

		ck_assert_int_eq(og_read_file(a01.manifest, 1 << 20, &m, &e), 0);
		doc = og_json_parse(m.data, m.len, "m", &e);
		cfg = json_string_value(json_object_get(json_object_get(doc, "config"), "digest"));
		EXPECT_OK(p, cfg);
		json_decref(doc);
		og_buf_free(&m);
	}
	EXPECT_OK(p, "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00");
	/* N03: sig add refuses a manifest that is not the signed digest */
	cosign_fixture("cosign_fixture_pipeline", "N03-ci-cosign-modified-manifest", &other);
	{
		const char *add[] = { "sig", "add", "--payload", other.payload, "--signature", other.signature,
				      "--manifest", other.manifest, "--signatures-dir", sigdir, "--store", store,
				      "--root-key", root1, NULL };
		ck_assert_int_eq(run_sig(add), 2);
	}
	/* N01: signed by an unknown key */
	cosign_fixture("cosign_fixture_pipeline", "N01-ci-unknown-cosign-key", &other);
	{
		char cmd[600];
		const char *add[] = { "sig", "add", "--payload", other.payload, "--signature", other.signature,
				      "--signatures-dir", sigdir, "--store", store, "--root-key", root1, NULL };

		og_bfmt(cmd, sizeof cmd, "rm -rf '%s'", sigdir);
		ck_assert_int_eq(system(cmd), 0);
		ck_assert_int_eq(run_sig(add), 0);
	}
	EXPECT_FINDING(p, "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00",
		       "trust.signature", "bad signature");
	/* a certificate bundle is filed by sig add, and refused as unsupported by a
	 * store without keyless identities (trust_sigstore.h) */
	{
		char b[4400];
		struct og_sig_claims *claims = calloc(1, sizeof *claims);
		struct og_bundle bundle;
		json_t *doc;
		const char *add[] = { "sig", "add", "--bundle", b, "--repository", REPO, "--signatures-dir", sigdir,
				      "--store", store, "--root-key", root1, NULL };
		og_buf raw = { 0 };
		og_error be = { 0 };

		og_bfmt(b, sizeof b, "%s/BC01-conf-bundle-v0.3-dsse-intoto-CERT/bundle.json", fxd);
		ck_assert_int_eq(run_sig(add), 0);
		ck_assert_int_eq(og_read_file(b, 1 << 20, &raw, &be), 0);
		/* the digest it signs, read as the hook reads a keyless bundle's claims */
		doc = og_json_parse(raw.data, raw.len, "bundle", &be);
		ck_assert_msg(doc != NULL && og_bundle_parse_doc(doc, 1, &bundle, &be) == 0, "%s", be.msg);
		ck_assert_msg(og_sig_claims_read(NULL, &bundle, claims, &be) == 0, "%s", be.msg);
		ck_assert_uint_ge(claims->n, 1);
		og_bundle_free(&bundle);
		json_decref(doc);
		og_buf_free(&raw);
		EXPECT_FINDING(p, claims->digest[0], "trust.signature", "certificate bundles not supported");
		free(claims);
	}
	og_trust_policy_free(p);
}
END_TEST

/* cosign's own recipe (`openssl dgst -sign ... | base64 > sig.b64`) wraps
 * the signature at 76 columns; A06 is containers/image's fixture of such a
 * file (RSA-4096, its key in a certificate): `sig add` files it and the
 * hook accepts the image with that key in the store. */
START_TEST(line_wrapped_signature_file)
{
	struct cosign_fixture a06;
	char path[4400];
	struct og_trust_policy *p;
	EVP_PKEY *k;
	X509 *cert;
	FILE *f;
	char *pem;

	if (!cosign_fixture("line_wrapped_signature_file", "A06-ci-cosign-pki-valid-RSA4096-CERT", &a06))
		return;
	og_bfmt(path, sizeof path, "%s/cert.pem", a06.dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(cert);
	k = X509_get0_pubkey(cert);
	pem = pub_pem(k);
	X509_free(cert);
	p = fixture_filed(&a06, pem, "localhost:5000/test");
	free(pem);
	EXPECT_OK(p, "sha256:253c890b744fe3efa923b68e3a1be07bd007eb44ba29da1e7deb1d4c53b3e212");
	og_trust_policy_free(p);
}
END_TEST

/* Issue 17, defect 3: a messageSignature names no repository, so the
 * unsigned --repository of sig add decided which scope it was checked
 * against.  The same bundle bytes now get the same decision whatever the
 * hint: the scope is checked against the repository of the name the
 * engine records, and with no name only a key scoped "*" vouches. */
START_TEST(unnamed_signature_scope_rests_on_the_engine)
{
	static const char *const hints[] = { REPO, REPO_B, NULL };
	struct og_trust_policy *p;
	char path[320];
	json_t *st;

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	p = policy(1, 0);
	snprintf(path, sizeof path, "%s/msg.json", dir);
	message_bundle(ksigner, D1, path);	/* team-a's key */
	for (size_t h = 0; h < 3; h++) {
		clear_signatures();
		add_bundle(path, hints[h]);
		EXPECT_OK_AS(p, D1, REPO ":1");
		EXPECT_FINDING_AS(p, D1, REPO_B ":1", "trust.signature",
				  "whose scopes do not cover " REPO_B ", the repository of the engine's image name");
		EXPECT_FINDING(p, D1, "trust.signature", "the engine records no image name: only a key scoped \"*\"");
	}
	og_trust_policy_free(p);
	/* a key scoped "*" vouches for it without a name */
	st = base_store(2, "2099-01-01T00:00:00Z");
	json_array_set_new(json_object_get(json_array_get(json_object_get(st, "keys"), 0), "scopes"), 0,
			   json_string("*"));
	write_store(st, 1, 0);
	p = policy(1, 0);
	EXPECT_OK(p, D1);
	EXPECT_OK_AS(p, D1, REPO_B ":1");
	og_trust_policy_free(p);
}
END_TEST

/* The same for an in-toto subject without a name. */
START_TEST(unnamed_subject_scope_rests_on_the_engine)
{
	struct og_trust_policy *p;
	char path[320];

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	p = policy(1, 0);
	file_statement(OG_DEFAULT_PREDICATE_TYPE, NULL, D1, REPO);
	EXPECT_OK_AS(p, D1, REPO ":1");
	EXPECT_FINDING_AS(p, D1, REPO_B ":1", "trust.signature", "do not cover " REPO_B);
	EXPECT_FINDING(p, D1, "trust.signature", "out-of-scope key");
	/* a subject name that is not an image reference vouches for nothing */
	clear_signatures();
	snprintf(path, sizeof path, "%s/env.json", dir);
	dsse_entry_named(OG_DEFAULT_PREDICATE_TYPE, "registry.example.com/team-a/../team-b/app", D1, path);
	{
		const char *add[] = { "sig", "add", "--bundle", path, "--signatures-dir", sigdir, "--store", store,
				      "--root-key", root1, NULL };
		ck_assert_int_eq(run_sig(add), 2);
	}
	og_trust_policy_free(p);
}
END_TEST

/* Issue 17, defect 4: a digest signed by team-a's key for team-a/app was
 * allowed for a container the engine runs as team-b/app.  As
 * matchRepoDigestOrExact does, the signed repository must be the engine's
 * (any tag); trust.match_repository: false relaxes it. */
START_TEST(signed_repository_matches_the_engine)
{
	struct og_trust_policy *p, *relaxed;
	json_t *sec, *st;
	og_error e = { 0 };

	st = base_store(1, "2099-01-01T00:00:00Z");
	json_object_set_new(st, "images", json_pack("[{s:s,s:s}]", "digest", D2, "repository", REPO));
	write_store(st, 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	EXPECT_OK(p, D1);
	EXPECT_OK_AS(p, D1, REPO ":1");
	EXPECT_OK_AS(p, D1, REPO "@" D1);
	EXPECT_FINDING_AS(p, D1, REPO_B ":1", "trust.signature",
			  "signed for another repository (1 signature checked): signed by key");
	EXPECT_FINDING_AS(p, D1, REPO_B ":1", "trust.signature",
			  "for " REPO ", but the engine runs the image as " REPO_B ":1 (annotation io.kubernetes.cri-o.ImageName)");
	EXPECT_FINDING_AS(p, D1, "registry.example.com/team-a/app2:1", "trust.signature", "another repository");
	/* the allowlist binds a repository too */
	EXPECT_OK_AS(p, D2, REPO ":7");
	EXPECT_FINDING_AS(p, D2, REPO_B ":1", "trust.signature",
			  "allowlisted in the trust store for " REPO ", but the engine runs the image as " REPO_B ":1");
	/* a name the engine records that is not a reference cannot be matched: refused */
	EXPECT_FINDING_AS(p, D1, "registry.example.com/team-a/../team-b/app:1", "trust.signature",
			  "is not an image reference");
	/* a DSSE subject names its repository the same way; a lying hint changes nothing */
	clear_signatures();
	file_statement(OG_DEFAULT_PREDICATE_TYPE, REPO, D2, REPO_B);
	EXPECT_FINDING_AS(p, D2, REPO_B ":1", "trust.signature", "another repository");
	/* relaxed: any repository in the key's scopes */
	sec = json_pack("{s:b,s:s,s:[s],s:s,s:s,s:b}", "required", 1, "store", store, "root_keys", root1,
			"state_dir", statedir, "signatures_dir", sigdir, "match_repository", 0);
	ck_assert_msg(og_trust_policy_parse(sec, "$.trust", &relaxed, &e) == 0, "%s", e.msg);
	json_decref(sec);
	EXPECT_OK_AS(relaxed, D2, REPO_B ":1");
	clear_signatures();
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	EXPECT_OK_AS(relaxed, D1, REPO_B ":1");
	og_trust_policy_free(relaxed);
	og_trust_policy_free(p);
}
END_TEST

/* `sig ls` shows what the signed bytes name (issue 17: a DSSE entry showed
 * the unsigned --repository instead of its subject) and marks a hint that
 * is not signed as such. */
START_TEST(sig_ls_shows_signed_names)
{
	char path[320], out[8192] = "";
	og_error e = { 0 };
	FILE *f;

	file_statement(OG_DEFAULT_PREDICATE_TYPE, REPO, D1, REPO_B);
	snprintf(path, sizeof path, "%s/msg.json", dir);
	message_bundle(ksigner, D2, path);
	add_bundle(path, REPO_B);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D2), 0);
	f = fmemopen(out, sizeof out, "w");
	ck_assert_int_eq(og_sig_store_list(sigdir, f, &e), 0);
	fclose(f);
	ck_assert_msg(strstr(out, D1 " ") && strstr(out, " dsse " REPO "\n"), "%s", out);
	ck_assert_msg(strstr(out, " message-signature - (unsigned repository hint: " REPO_B ")\n"), "%s", out);
	ck_assert_msg(strstr(out, " simple-signing " REPO "\n"), "%s", out);
	ck_assert_msg(strstr(out, " dsse " REPO " (") == NULL, "%s", out);
}
END_TEST

/* Issue 17, defect 11: the verification record is keyed on the engine's
 * image name too; an acceptance under one name must not serve another. */
START_TEST(verification_record_keyed_on_the_name)
{
	struct og_trust_policy *p;
	int n;

	write_store(base_store(1, "2099-01-01T00:00:00Z"), 1, 0);
	ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
	p = policy(1, 0);
	ck_assert_int_eq(accepted_via_cache_as(p, D1, REPO ":1", &n), 0);	/* moves the rollback state */
	ck_assert_int_eq(accepted_via_cache_as(p, D1, REPO ":1", &n), 0);	/* records */
	ck_assert_int_eq(accepted_via_cache_as(p, D1, REPO ":1", &n), 1);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(accepted_via_cache_as(p, D1, REPO_B ":1", &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(accepted_via_cache_as(p, D1, NULL, &n), 0);	/* no name: verified again */
	ck_assert_int_eq(n, 0);
	og_trust_policy_free(p);
}
END_TEST

START_TEST(policy_errors)
{
	static const char *bad[] = {
		"{\"required\": true, \"root_keys\": [\"/r.pem\"], \"bogus\": 1}",
		"{\"required\": true}",
		"{\"required\": true, \"root_keys\": [\"/r.pem\"], \"threshold\": 2}",
		"{\"required\": true, \"root_keys\": [\"/r.pem\"], \"threshold\": 0}",
		"{\"required\": true, \"root_keys\": [\"relative.pem\"]}",
		"{\"required\": true, \"root_keys\": [\"/r.pem\"], \"store\": \"trust.json\"}",
		"{\"required\": true, \"root_keys\": [\"/r.pem\"], \"rekor_keys\": [\"/rekor.pem\"]}",
		"{\"required\": true, \"root_keys\": [\"/r.pem\"], \"predicate_types\": []}",
		"[]",
	};
	char out[4096];
	FILE *f;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		og_error e = { 0 };
		json_t *j = og_json_parse(bad[i], strlen(bad[i]), "t", &e);
		struct og_trust_policy *p = NULL;

		ck_assert_ptr_nonnull(j);
		ck_assert_msg(og_trust_policy_parse(j, "$.trust", &p, &e) < 0, "accepted: %s", bad[i]);
		ck_assert_ptr_nonnull(strstr(e.msg, "$.trust"));
		json_decref(j);
	}
	{
		og_error e = { 0 };
		const char *good = "{\"root_keys\": [\"/a.pem\", \"/b.pem\"], \"threshold\": 2, \"rekor_keys\": []}";
		json_t *j = og_json_parse(good, strlen(good), "t", &e);
		struct og_trust_policy *p = NULL;

		ck_assert_int_eq(og_trust_policy_parse(j, "$.trust", &p, &e), 0);
		ck_assert_int_eq(og_trust_required(p), 1);
		f = fmemopen(out, sizeof out, "w");
		og_trust_policy_describe(p, f);
		fclose(f);
		ck_assert_ptr_nonnull(strstr(out, "2 of 2"));
		ck_assert_ptr_nonnull(strstr(out, OG_DEFAULT_PREDICATE_TYPE));
		og_trust_policy_free(p);
		json_decref(j);
	}
}
END_TEST

START_TEST(trust_cli)
{
	char kpath[320];
	const char *verify[] = { "trust", "verify", "--store", store, "--root-key", root1, "--state-dir", statedir, NULL };
	const char *sign[] = { "trust", "sign", "--key", kpath, store, NULL };

	snprintf(kpath, sizeof kpath, "%s/root1.key", dir);
	write_priv(kpath, kroot1);
	write_store(base_store(1, "2099-01-01T00:00:00Z"), 0, 0);
	ck_assert_int_eq(og_cmd_trust(5, (char **)sign), 0);
	ck_assert_int_eq(og_cmd_trust(8, (char **)verify), 0);
	og_now_override = 4102444800 + 10;	/* after 2100-01-01 */
	ck_assert_int_eq(og_cmd_trust(8, (char **)verify), 1);
	og_now_override = 0;
	ck_assert_int_eq(og_cmd_trust(2, (char *[]){ "trust", "bogus", NULL }), 2);
	{
		const char *sv[] = { "sig", "verify", D1, "--store", store, "--root-key", root1, "--signatures-dir",
				     sigdir, "--state-dir", statedir, NULL };
		ck_assert_int_eq(run_sig(sv), 1);
		ck_assert_int_eq(sign_image(signer_priv, REPO, D1), 0);
		ck_assert_int_eq(run_sig(sv), 0);
	}
	{
		/* --image: as if the engine ran the image under that name */
		const char *as_a[] = { "sig", "verify", D1, "--image", REPO ":1", "--store", store, "--root-key", root1,
				       "--signatures-dir", sigdir, "--state-dir", statedir, NULL };
		const char *as_b[] = { "sig", "verify", D1, "--image", REPO_B ":1", "--store", store, "--root-key",
				       root1, "--signatures-dir", sigdir, "--state-dir", statedir, NULL };
		const char *bad[] = { "sig", "verify", D1, "--image", "a/../b", "--store", store, "--root-key", root1,
				      "--signatures-dir", sigdir, "--state-dir", statedir, NULL };
		const char *ls_image[] = { "sig", "ls", "--image", REPO, "--signatures-dir", sigdir, NULL };

		ck_assert_int_eq(run_sig(as_a), 0);
		ck_assert_int_eq(run_sig(as_b), 1);
		ck_assert_int_eq(run_sig(bad), 2);
		ck_assert_int_eq(run_sig(ls_image), 2);
	}
	{
		const char *ls[] = { "sig", "ls", "--signatures-dir", sigdir, "--store", store, "--root-key", root1, NULL };
		ck_assert_int_eq(run_sig(ls), 0);
	}
}
END_TEST

START_TEST(scope_matching)
{
	ck_assert(og_trust_scope_match("registry.example.com/team-a/*", "registry.example.com/team-a/app"));
	ck_assert(og_trust_scope_match("registry.example.com/team-a/*", "registry.example.com/team-a/x/y"));
	ck_assert(!og_trust_scope_match("registry.example.com/team-a/*", "registry.example.com/team-ab/x"));
	ck_assert(!og_trust_scope_match("registry.example.com/team-a/*", "registry.example.com/team-a"));
	ck_assert(og_trust_scope_match("registry.example.com/team-a/app", "registry.example.com/team-a/app"));
	ck_assert(!og_trust_scope_match("registry.example.com/team-a/app", "registry.example.com/team-a/app2"));
	ck_assert(og_trust_scope_match("*", "docker.io/library/alpine"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trust");
	TCase *t = tcase_create("trust");

	tcase_set_timeout(t, 120);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, signed_image_accepted);
	tcase_add_test(t, store_bases);
	tcase_add_test(t, verification_cache);
	tcase_add_test(t, validated_store_reads_one_entry);
	tcase_add_test(t, validated_store_with_escapes);
	tcase_add_test(t, validated_store_with_ipv6_host);
	tcase_add_test(t, validated_store_with_padded_entry);
	tcase_add_test(t, store_signatures_record);
	tcase_add_test(t, check_is_a_dry_run);
	tcase_add_test(t, no_digest_identity);
	tcase_add_test(t, not_required);
	tcase_add_test(t, payload_for_other_digest);
	tcase_add_test(t, key_out_of_scope);
	tcase_add_test(t, key_not_in_store);
	tcase_add_test(t, revoked_key);
	tcase_add_test(t, revoked_digest_beats_allowlist_and_signature);
	tcase_add_test(t, expired_key_window);
	tcase_add_test(t, expired_store);
	tcase_add_test(t, rollback_refused);
	tcase_add_test(t, rollback_state_checked);
	tcase_add_test(t, trust_files_checked_up_to_root);
	tcase_add_test(t, install_raises_the_floor);
	tcase_add_test(t, concurrent_installs);
	tcase_add_test(t, threshold);
	tcase_add_test(t, store_tampering);
	tcase_add_test(t, store_oversized_and_duplicates);
	tcase_add_test(t, store_bad_entry_index);
	tcase_add_test(t, store_wrong_key_types);
	tcase_add_test(t, rsa1024_named_where_it_enters);
	tcase_add_test(t, entry_forgeries);
	tcase_add_test(t, manifest_and_index_chain);
	tcase_add_test(t, dsse_statement_accepted);
	tcase_add_test(t, cosign_fixture_pipeline);
	tcase_add_test(t, line_wrapped_signature_file);
	tcase_add_test(t, unnamed_signature_scope_rests_on_the_engine);
	tcase_add_test(t, unnamed_subject_scope_rests_on_the_engine);
	tcase_add_test(t, signed_repository_matches_the_engine);
	tcase_add_test(t, verification_record_keyed_on_the_name);
	tcase_add_test(t, sig_ls_shows_signed_names);
	tcase_add_test(t, policy_errors);
	tcase_add_test(t, trust_cli);
	tcase_add_test(t, scope_matching);
	suite_add_tcase(s, t);
	return tu_run(s);
}
