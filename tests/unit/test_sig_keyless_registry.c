/* cosign's registry form of a keyless signature (payload, signature and the
 * layer annotations dev.sigstore.cosign/certificate, /chain, /bundle) of a
 * real image: ../shared/fixtures/cosign/A05-ci-cosign-fulcio-rekor-valid-CERT,
 * a Fulcio certificate for mitr@redhat.com (GitHub OAuth) logged in the
 * public Rekor in January 2023, checked against the production trusted root
 * of ../shared/fixtures/sigstore-conformance.  Filed by `ocigate sig add` and
 * judged by `ocigate sig verify DIGEST` (the hook's code): accepted with the
 * right identity; refused with a wrong SAN, a wrong issuer, an identity not
 * in scope, a revoked identity, a flipped byte in the SET, the signature or
 * the certificate, a payload for another digest, no Rekor bundle.  Mutated
 * entries are written with the library (so that `sig add`'s own check does
 * not hide the hook's). */
#include "testutil.h"
#include "hook/base/fileio.h"
#include "hook/base/strfmt.h"
#include "verify/common/base64.h"
#include "verify/common/keys.h"
#include "verify/sig/cosign_keyless.h"
#include "verify/sig/sig_store.h"
#include "verify/trust/trust_store.h"

#include <fcntl.h>
#include <openssl/pem.h>

#define DIGEST "sha256:0489474da8ea22426ece86ace6c1c0026ab2fd3cdfbbd62b7e94650266c37d9a"
#define OTHER "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define REPO "192.168.64.2:5000/cosign-signed/fulcio-rekor-1"
#define SAN "mitr@redhat.com"
#define ISSUER "https://github.com/login/oauth"
#define IDENTITY(scope, san, issuer)                                                                      \
	"{\"name\":\"mitr\",\"scopes\":[\"" scope "\"],\"san\":\"" san "\",\"issuer\":\"" issuer "\"}"
#define GOOD IDENTITY("192.168.64.2:5000/cosign-signed/*", SAN, ISSUER)

static char dir[64], fx[4096], root_file[4200];
static int have;

static void setup(void)
{
	og_bfmt(fx, sizeof fx, "%s/cosign/A05-ci-cosign-fulcio-rekor-valid-CERT", tu_shared_fixtures());
	og_bfmt(root_file, sizeof root_file, "%s/sigstore-conformance/trusted-roots/production-trusted_root.json",
		tu_shared_fixtures());
	have = access(fx, R_OK) == 0 && access(root_file, R_OK) == 0 && getenv("OCIGATE_BIN") != NULL;
	og_bfmt(dir, sizeof dir, "/tmp/og-keyless-registry-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	og_bfmt(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#define SKIP_WITHOUT_FIXTURES()                                                                           \
	do {                                                                                              \
		if (!have) {                                                                              \
			printf("SKIP %s: %s or the production trusted root not found, or OCIGATE_BIN unset " \
			       "(set OCIGATE_SHARED_FIXTURES)\n", __func__, fx);                          \
			return;                                                                           \
		}                                                                                         \
	} while (0)

static void wfile(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void fixture(const char *name, og_buf *out)
{
	char p[4400];
	og_error e = { 0 };

	og_bfmt(p, sizeof p, "%s/%s", fx, name);
	ck_assert_msg(og_read_file(p, 1 << 20, out, &e) == 0, "%s", e.msg);
}

/* A store signed by a root key made here: the production trusted root, the
 * identities (JSON list items) and, when given, $.revoked (JSON object). */
static void write_store(const char *identities, const char *revoked)
{
	og_buf root = { 0 };
	og_error e = { 0 };
	char p[128], kid[OG_KEYID_HEX], *text = NULL, *b64;
	EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	FILE *f;

	ck_assert_msg(og_read_file(root_file, 1 << 20, &root, &e) == 0, "%s", e.msg);
	b64 = og_base64_encode(root.data, root.len);
	ck_assert_int_gt(asprintf(&text,
				  "{\"version\":1,\"expires\":\"2099-01-01T00:00:00Z\",\"keys\":[],%s%s%s\"sigstore\":"
				  "{\"roots\":[{\"name\":\"public-good\",\"trusted_root\":\"%s\"}],\"identities\":[%s]}}",
				  revoked ? "\"revoked\":" : "", revoked ? revoked : "", revoked ? "," : "", b64,
				  identities), 0);
	og_bfmt(p, sizeof p, "%s/trust.json", dir);
	wfile(p, text, strlen(text));
	ck_assert_msg(og_trust_store_sign(p, rk, kid, &e) == 0, "%s", e.msg);
	og_bfmt(p, sizeof p, "%s/root.pem", dir);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	PEM_write_PUBKEY(f, rk);
	fclose(f);
	EVP_PKEY_free(rk);
	free(text);
	free(b64);
	og_buf_free(&root);
}

/* Run `ocigate sig SUBCOMMAND` with the test's trust options; its output
 * (stdout and stderr) into out, its exit status returned. */
static int run(const char *args, char *out, size_t size)
{
	char cmd[8192];
	FILE *p;
	size_t n;
	int st;

	og_bfmt(cmd, sizeof cmd,
		"'%s' sig %s --store %s/trust.json --root-key %s/root.pem --state-dir %s/state "
		"--signatures-dir %s/sigs 2>&1",
		getenv("OCIGATE_BIN"), args, dir, dir, dir, dir);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* The fixture's entry, every field as cosign stored it. */
static void entry(struct og_sig_entry *en)
{
	og_buf sig64 = { 0 };
	og_error e = { 0 };
	unsigned char *raw;

	memset(en, 0, sizeof *en);
	fixture("payload.json", &en->payload);
	fixture("cert.pem", &en->certificate);
	fixture("chain.pem", &en->chain);
	fixture("rekor-bundle.json", &en->rekor_bundle);
	fixture("signature.b64", &sig64);
	while (sig64.len > 0 && (sig64.data[sig64.len - 1] == '\n' || sig64.data[sig64.len - 1] == '\r'))
		sig64.len--;
	ck_assert_msg(og_base64_decode(sig64.data, sig64.len, 0, "signature", &raw, &en->signature.len, &e) == 0,
		      "%s", e.msg);
	en->signature.data = (char *)raw;
	og_buf_free(&sig64);
}

/* File en under digest with the library, as `sig add` would, as the only
 * entry of the signature directory. */
static void file_entry(const struct og_sig_entry *en, const char *digest)
{
	const char *digests[1] = { digest };
	char sigs[128], cmd[160], id[OG_KEYID_HEX], *text = og_sig_entry_encode(en);
	og_error e = { 0 };

	ck_assert_ptr_nonnull(text);
	og_bfmt(sigs, sizeof sigs, "%s/sigs", dir);
	og_bfmt(cmd, sizeof cmd, "rm -rf '%s'", sigs);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(og_sig_store_add(sigs, text, digests, 1, id, &e) == 0, "%s", e.msg);
	free(text);
}

/* `sig verify DIGEST --image REPO@DIGEST`: the exit status, out the line. */
static int verify(const char *digest, char *out, size_t size)
{
	char args[512];

	og_bfmt(args, sizeof args, "verify --image %s@%s %s", REPO, digest, digest);
	return run(args, out, size);
}

static void flip(og_buf *b, size_t at)
{
	ck_assert_uint_lt(at, b->len);
	b->data[at] = b->data[at] == 'A' ? 'B' : 'A';
}

/* en filed under digest must be refused by `sig verify` for why. */
static void expect_refused(const struct og_sig_entry *en, const char *digest, const char *why)
{
	char out[4096];

	file_entry(en, digest);
	ck_assert_msg(verify(digest, out, sizeof out) == 1, "accepted: %s", out);
	ck_assert_msg(strstr(out, "refused: trust.signature") != NULL && strstr(out, why) != NULL,
		      "refused, but not for \"%s\": %s", why, out);
}

START_TEST(added_and_accepted)
{
	char args[6000], out[4096];

	SKIP_WITHOUT_FIXTURES();
	write_store(GOOD, NULL);
	og_bfmt(args, sizeof args,
		"add --payload %s/payload.json --signature %s/signature.b64 --certificate %s/cert.pem "
		"--chain %s/chain.pem --rekor-bundle %s/rekor-bundle.json", fx, fx, fx, fx, fx);
	ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
	ck_assert_msg(strstr(out, "added signature") && strstr(out, DIGEST), "%s", out);
	ck_assert_int_eq(run("ls", out, sizeof out), 0);
	ck_assert_msg(strstr(out, " simple-signing+certificate " REPO) != NULL, "%s", out);
	ck_assert_msg(verify(DIGEST, out, sizeof out) == 0, "%s", out);
	ck_assert_msg(strstr(out, "accepted: signed keyless by " SAN " (issuer " ISSUER
				  ", identity mitr, log index 11605770, at 2023-01-20T20:51:33Z) for " REPO) != NULL,
		      "%s", out);
	/* Without --image: the payload's docker-reference is what is in scope. */
	og_bfmt(args, sizeof args, "verify %s", DIGEST);
	ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
	/* Another image is not vouched for by it. */
	ck_assert_msg(verify(OTHER, out, sizeof out) == 1, "%s", out);
}
END_TEST

START_TEST(add_refuses_what_the_hook_cannot_convert)
{
	char args[6000], out[4096];

	SKIP_WITHOUT_FIXTURES();
	write_store(GOOD, NULL);
	/* No Rekor bundle: no signing time, no log entry. */
	og_bfmt(args, sizeof args,
		"add --payload %s/payload.json --signature %s/signature.b64 --certificate %s/cert.pem", fx, fx, fx);
	ck_assert_int_eq(run(args, out, sizeof out), 2);
	ck_assert_msg(strstr(out, "no Rekor bundle") != NULL, "%s", out);
	/* A certificate that is not one. */
	og_bfmt(args, sizeof args,
		"add --payload %s/payload.json --signature %s/signature.b64 --certificate %s/payload.json "
		"--rekor-bundle %s/rekor-bundle.json", fx, fx, fx, fx);
	ck_assert_int_eq(run(args, out, sizeof out), 2);
	ck_assert_msg(strstr(out, "certificate: no PEM certificate") != NULL, "%s", out);
	/* The annotations without the payload they sign. */
	og_bfmt(args, sizeof args, "add --bundle %s/payload.json --certificate %s/cert.pem", fx, fx);
	ck_assert_int_eq(run(args, out, sizeof out), 2);
	ck_assert_msg(strstr(out, "go with --payload") != NULL, "%s", out);
	og_bfmt(args, sizeof args, "ls");
	ck_assert_int_eq(run(args, out, sizeof out), 0);
	ck_assert_msg(strstr(out, DIGEST) == NULL, "filed anyway: %s", out);
}
END_TEST

START_TEST(wrong_identity_issuer_or_scope)
{
	struct og_sig_entry en;

	SKIP_WITHOUT_FIXTURES();
	entry(&en);
	write_store(IDENTITY("192.168.64.2:5000/cosign-signed/*", "someone@redhat.com", ISSUER), NULL);
	expect_refused(&en, DIGEST, "identity: certificate SAN mitr@redhat.com is not someone@redhat.com");
	teardown();
	setup();
	write_store(IDENTITY("192.168.64.2:5000/cosign-signed/*", SAN, "https://accounts.google.com"), NULL);
	expect_refused(&en, DIGEST, "identity: certificate issuer https://github.com/login/oauth is not");
	teardown();
	setup();
	write_store(IDENTITY("registry.example.com/*", SAN, ISSUER), NULL);
	expect_refused(&en, DIGEST, "no keyless identity of the trust store covers " REPO);
	og_sig_entry_free(&en);
}
END_TEST

START_TEST(revoked_identity)
{
	struct og_sig_entry en;
	char out[4096];

	SKIP_WITHOUT_FIXTURES();
	entry(&en);
	write_store(GOOD, "{\"identities\":[{\"san\":\"" SAN "\",\"issuer\":\"" ISSUER "\"}]}");
	expect_refused(&en, DIGEST, "revoked key (1 signature checked): revoked identity: certificate SAN mitr@redhat.com (issuer "
				    "https://github.com/login/oauth) is revoked in the trust store "
				    "($.revoked.identities[0])");
	teardown();
	setup();
	/* Without an issuer: the SAN from every issuer. */
	write_store(GOOD, "{\"identities\":[{\"san\":\"" SAN "\"}]}");
	expect_refused(&en, DIGEST, "revoked identity: certificate SAN mitr@redhat.com");
	teardown();
	setup();
	/* Another issuer's mitr@redhat.com is not this one. */
	write_store(GOOD, "{\"identities\":[{\"san\":\"" SAN "\",\"issuer\":\"https://accounts.google.com\"}]}");
	file_entry(&en, DIGEST);
	ck_assert_msg(verify(DIGEST, out, sizeof out) == 0, "%s", out);
	og_sig_entry_free(&en);
}
END_TEST

START_TEST(flipped_bytes_refused)
{
	struct og_sig_entry en;
	char *p;

	SKIP_WITHOUT_FIXTURES();
	write_store(GOOD, NULL);
	/* The SET: a byte of its base64 in the middle. */
	entry(&en);
	p = strstr(en.rekor_bundle.data, "\"SignedEntryTimestamp\":\"");
	ck_assert_ptr_nonnull(p);
	flip(&en.rekor_bundle, (size_t)(p - en.rekor_bundle.data) + 24 + 30);
	expect_refused(&en, DIGEST, "signed entry timestamp: does not verify with the key of log "
				    "https://rekor.sigstore.dev");
	og_sig_entry_free(&en);
	/* The signature over the payload. */
	entry(&en);
	en.signature.data[en.signature.len - 5] ^= 0x01;
	expect_refused(&en, DIGEST, "signature: does not verify with the bundle's certificate");
	og_sig_entry_free(&en);
	/* The certificate: a byte of the CA's signature over it (still a
	 * certificate, no longer the one Fulcio issued and Rekor logged). */
	entry(&en);
	p = strstr(en.certificate.data, "-----END");
	ck_assert_ptr_nonnull(p);
	flip(&en.certificate, (size_t)(p - en.certificate.data) - 10);
	expect_refused(&en, DIGEST, "tlog entry: the logged certificate or key is not the bundle's");
	og_sig_entry_free(&en);
	/* The integrated time: the SET no longer covers it. */
	entry(&en);
	p = strstr(en.rekor_bundle.data, "\"integratedTime\":1674247893");
	ck_assert_ptr_nonnull(p);
	p[strlen("\"integratedTime\":1674247893") - 1] = '4';
	expect_refused(&en, DIGEST, "signed entry timestamp: does not verify");
	og_sig_entry_free(&en);
}
END_TEST

START_TEST(payload_for_another_digest)
{
	struct og_sig_entry en;
	char *p;

	SKIP_WITHOUT_FIXTURES();
	write_store(GOOD, NULL);
	/* The payload rewritten to name another image: its signature fails. */
	entry(&en);
	p = strstr(en.payload.data, "sha256:0489");
	ck_assert_ptr_nonnull(p);
	memcpy(p, OTHER, strlen(OTHER));
	expect_refused(&en, OTHER, "signature: does not verify with the bundle's certificate");
	og_sig_entry_free(&en);
	/* The genuine payload filed under another image: wrong digest. */
	entry(&en);
	expect_refused(&en, OTHER, "wrong digest: signed digest " DIGEST " is not the image digest " OTHER);
	og_sig_entry_free(&en);
}
END_TEST

/* A timestamp that is no RFC 3161 token: the hook refuses the entry at the
 * timestamp check (the Rekor entry alone would have verified). */
START_TEST(bad_timestamp_refused)
{
	struct og_sig_entry en;

	SKIP_WITHOUT_FIXTURES();
	write_store(GOOD, NULL);
	entry(&en);
	en.rfc3161_timestamp.data = strdup("{\"SignedRFC3161Timestamp\":\"MAA=\"}");
	en.rfc3161_timestamp.len = strlen(en.rfc3161_timestamp.data);
	expect_refused(&en, DIGEST, "timestamp: ");
	og_sig_entry_free(&en);
}
END_TEST

START_TEST(no_signing_time_refused)
{
	struct og_sig_entry en;
	char *text = NULL, pd[OG_DIGEST_MAX];
	size_t len;
	og_error e = { 0 };

	SKIP_WITHOUT_FIXTURES();
	write_store(GOOD, NULL);
	entry(&en);
	og_buf_free(&en.rekor_bundle);
	expect_refused(&en, DIGEST, "keyless entry: no Rekor bundle (annotation dev.sigstore.cosign/bundle) and "
				    "no RFC 3161 timestamp");
	ck_assert_int_eq(og_cosign_keyless_bundle(&en, &text, &len, pd, &e), -1);
	ck_assert_ptr_null(text);
	og_sig_entry_free(&en);
}
END_TEST

/* The conversion itself: a v0.1 bundle whose message digest is the
 * payload's sha256, with the leaf only and the Rekor entry as logged. */
START_TEST(conversion_shape)
{
	struct og_sig_entry en;
	char *text = NULL, pd[OG_DIGEST_MAX];
	size_t len;
	og_error e = { 0 };

	SKIP_WITHOUT_FIXTURES();
	entry(&en);
	ck_assert_msg(og_cosign_keyless_bundle(&en, &text, &len, pd, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(pd, "sha256:2dcf9e65b95efb54d936085b0b4519b22fb2e9ab47312ded0ec0fa45384701ed");
	ck_assert(strstr(text, "\"mediaType\":\"" OG_COSIGN_BUNDLE_MEDIA_TYPE "\"") != NULL);
	ck_assert(strstr(text, "\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"}") != NULL);
	ck_assert(strstr(text, "\"logIndex\":\"11605770\"") != NULL);
	ck_assert(strstr(text, "\"integratedTime\":\"1674247893\"") != NULL);
	ck_assert(strstr(text, "\"certificates\":[{\"rawBytes\":\"") != NULL);
	free(text);
	/* cosign's timestamp annotation becomes the bundle's RFC 3161 entry; one
	 * that is not that JSON is refused. */
	en.rfc3161_timestamp.data = strdup("{\"SignedRFC3161Timestamp\":\"MAA=\"}");
	en.rfc3161_timestamp.len = strlen(en.rfc3161_timestamp.data);
	ck_assert_msg(og_cosign_keyless_bundle(&en, &text, &len, pd, &e) == 0, "%s", e.msg);
	ck_assert_msg(strstr(text, "\"timestampVerificationData\":{\"rfc3161Timestamps\":[{\"signedTimestamp\":\"MAA=\"}]}")
		      != NULL, "%s", text);
	free(text);
	text = NULL;
	og_buf_free(&en.rfc3161_timestamp);
	en.rfc3161_timestamp.data = strdup("{\"signedTimestamp\":\"MAA=\"}");
	en.rfc3161_timestamp.len = strlen(en.rfc3161_timestamp.data);
	ck_assert_int_eq(og_cosign_keyless_bundle(&en, &text, &len, pd, &e), -1);
	ck_assert_ptr_null(text);
	ck_assert_msg(strstr(e.msg, "SignedRFC3161Timestamp") != NULL, "%s", e.msg);
	og_buf_free(&en.rfc3161_timestamp);
	/* A chain of garbage is refused, not ignored. */
	og_buf_free(&en.chain);
	en.chain.data = strdup("not PEM");
	en.chain.len = 7;
	ck_assert_int_eq(og_cosign_keyless_bundle(&en, &text, &len, pd, &e), -1);
	ck_assert_msg(strstr(e.msg, "chain: no PEM certificate") != NULL, "%s", e.msg);
	og_sig_entry_free(&en);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sig_keyless_registry");
	TCase *tc = tcase_create("registry form");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, added_and_accepted);
	tcase_add_test(tc, add_refuses_what_the_hook_cannot_convert);
	tcase_add_test(tc, wrong_identity_issuer_or_scope);
	tcase_add_test(tc, revoked_identity);
	tcase_add_test(tc, flipped_bytes_refused);
	tcase_add_test(tc, payload_for_another_digest);
	tcase_add_test(tc, no_signing_time_refused);
	tcase_add_test(tc, bad_timestamp_refused);
	tcase_add_test(tc, conversion_shape);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
