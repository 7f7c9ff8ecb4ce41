/* The trust bundle's descriptor (verify/trust/bundle_descriptor.h): root
 * signatures over its exact bytes before it is parsed, the strict parse,
 * time checks; and the bundle floor kept beside the trust floor
 * (trust_state.h's *_file variants). */
#include "testutil.h"
#include "hook/base/fileio.h"
#include "hook/base/timeutil.h"
#include "verify/common/digest.h"
#include "verify/common/keys.h"
#include "verify/trust/bundle_descriptor.h"
#include "verify/trust/bundle_layout.h"
#include "verify/trust/trust_state.h"
#include "verify/trust/trust_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#define DT "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define DS "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static char dir[256], root1[300], root2[300], other[300], desc_path[300], statedir[300];
static EVP_PKEY *kroot1, *kroot2, *kother;

static const char good[] =
	"{\"type\": \"ocigate-bundle\", \"version\": 42,"
	" \"created\": \"2026-12-03T16:00:00Z\", \"expires\": \"2026-12-10T16:00:00Z\","
	" \"contents\": [{\"name\": \"trust.tar\", \"digest\": \"" DT "\", \"size\": 4096},"
	"  {\"name\": \"signatures.tar\", \"digest\": \"" DS "\", \"size\": 0}],"
	" \"summary\": {\"signatures\": 10000, \"verdicts\": 100000}}";

static void wfile(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void write_pub(const char *path, EVP_PKEY *k)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	PEM_write_PUBKEY(f, k);
	fclose(f);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/og-bdesc-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(root1, sizeof root1, "%s/root1.pem", dir);
	snprintf(root2, sizeof root2, "%s/root2.pem", dir);
	snprintf(other, sizeof other, "%s/other.pem", dir);
	snprintf(desc_path, sizeof desc_path, "%s/%s", dir, OG_BUNDLE_DESCRIPTOR);
	snprintf(statedir, sizeof statedir, "%s/state", dir);
	kroot1 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	kroot2 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	kother = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	write_pub(root1, kroot1);
	write_pub(root2, kroot2);
	write_pub(other, kother);
}

static void teardown(void)
{
	char cmd[400];

	EVP_PKEY_free(kroot1);
	EVP_PKEY_free(kroot2);
	EVP_PKEY_free(kother);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Write text as bundle.json and sign it with the given keys (bundle.json.sig). */
static void write_signed(const char *text, EVP_PKEY *k1, EVP_PKEY *k2)
{
	char sig[320], kid[OG_KEYID_HEX];
	og_error e = { 0 };

	snprintf(sig, sizeof sig, "%s.sig", desc_path);
	unlink(sig);
	wfile(desc_path, text, strlen(text));
	if (k1 != NULL)
		ck_assert_msg(og_trust_store_sign(desc_path, k1, kid, &e) == 0, "%s", e.msg);
	if (k2 != NULL)
		ck_assert_msg(og_trust_store_sign(desc_path, k2, kid, &e) == 0, "%s", e.msg);
}

static int load(int threshold, int both, struct og_bundle_descriptor *d, og_error *e)
{
	const char *keys[] = { root1, root2 };
	struct og_trust_roots r = { keys, both ? 2 : 1, threshold };
	int dfd = open(dir, O_RDONLY | O_DIRECTORY), rc;

	ck_assert_int_ge(dfd, 0);
	rc = og_bundle_descriptor_load_at(dfd, &r, d, e);
	close(dfd);
	return rc;
}

START_TEST(signed_descriptor_loads)
{
	struct og_bundle_descriptor d;
	og_error e = { 0 };
	char hex[65], gen[OG_BUNDLE_GEN_NAME_MAX];
	int64_t t;

	write_signed(good, kroot1, kroot2);
	ck_assert_msg(load(2, 1, &d, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(d.version, 42);
	ck_assert_int_eq(og_parse_rfc3339("2026-12-03T16:00:00Z", &t, &e), 0);
	ck_assert_int_eq(d.created, t);
	ck_assert_int_eq(d.expires, t + 7 * 86400);
	ck_assert_uint_eq(d.ncontents, 2);
	ck_assert_str_eq(d.contents[0].name, "trust.tar");
	ck_assert_str_eq(d.contents[0].digest, DT);
	ck_assert_int_eq(d.contents[0].size, 4096);
	ck_assert_ptr_nonnull(og_bundle_descriptor_content(&d, "signatures.tar"));
	ck_assert_ptr_null(og_bundle_descriptor_content(&d, "verdicts.tar"));
	ck_assert_int_eq(d.nsignatures, 10000);
	ck_assert_int_eq(d.nverdicts, 100000);
	ck_assert_uint_eq(d.nsigned, 2);
	og_sha256_hex(good, strlen(good), hex);
	ck_assert_int_eq(strncmp(d.id, hex, 12), 0);
	ck_assert_uint_eq(strlen(d.id), 12);
	og_bundle_generation_name(&d, gen);
	ck_assert_int_eq(strncmp(gen, "gen-42-", 7), 0);
	ck_assert_str_eq(gen + 7, d.id);
	/* One of two roots is enough at threshold 1. */
	write_signed(good, kroot2, NULL);
	ck_assert_msg(load(1, 1, &d, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(d.nsigned, 1);
}
END_TEST

START_TEST(signatures_refused)
{
	struct og_bundle_descriptor d;
	og_error e = { 0 };
	char sig[320], *tampered;

	/* Below the threshold. */
	write_signed(good, kroot1, NULL);
	ck_assert_int_eq(load(2, 1, &d, &e), -1);
	ck_assert_msg(strstr(e.msg, "signed by 1 of the required 2 root keys") != NULL, "%s", e.msg);
	ck_assert_int_eq(d.version, 0);
	/* Re-signed by a key that is not a root. */
	og_error_clear(&e);
	write_signed(good, kother, NULL);
	ck_assert_int_eq(load(1, 1, &d, &e), -1);
	ck_assert_msg(strstr(e.msg, "signed by 0 of the required 1") != NULL, "%s", e.msg);
	/* One byte changed after signing: whitespace is bytes too. */
	og_error_clear(&e);
	write_signed(good, kroot1, kroot2);
	tampered = strdup(good);
	tampered[strlen(tampered) - 1] = ' ';
	wfile(desc_path, tampered, strlen(tampered));
	free(tampered);
	ck_assert_int_eq(load(1, 1, &d, &e), -1);
	ck_assert_msg(strstr(e.msg, "bad signature by root key") != NULL, "%s", e.msg);
	/* A signature file that is not one, missing, or with duplicate keys. */
	og_error_clear(&e);
	snprintf(sig, sizeof sig, "%s.sig", desc_path);
	wfile(sig, "{\"signatures\": [], \"signatures\": []}", 36);
	ck_assert_int_eq(load(1, 1, &d, &e), -1);
	ck_assert_msg(strstr(e.msg, "duplicate") != NULL, "%s", e.msg);
	og_error_clear(&e);
	unlink(sig);
	ck_assert_int_eq(load(1, 1, &d, &e), -1);
	ck_assert_msg(strstr(e.msg, OG_BUNDLE_DESCRIPTOR_SIG) != NULL, "%s", e.msg);
	/* A descriptor that is a symlink is not followed. */
	og_error_clear(&e);
	write_signed(good, kroot1, NULL);
	{
		char real[320];

		snprintf(real, sizeof real, "%s/real.json", dir);
		ck_assert_int_eq(rename(desc_path, real), 0);
		ck_assert_int_eq(symlink(real, desc_path), 0);
	}
	ck_assert_int_eq(load(1, 1, &d, &e), -1);
}
END_TEST

/* Each malformed descriptor, signed by both roots so only the parse can
 * refuse it, fails naming what is wrong. */
START_TEST(parse_refusals)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "[]", "expected an object" },
		{ "{\"type\": \"ocigate-bundle\", \"type\": \"x\"}", "duplicate" },
		{ "{\"type\": \"other\", \"version\": 1}", "$.type" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 1, \"created\": \"2026-12-03T16:00:00Z\","
		  " \"expires\": \"2026-12-10T16:00:00Z\", \"contents\": [], \"summary\":"
		  " {\"signatures\": 0, \"verdicts\": 0}, \"extra\": 1}", "extra" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 0, \"created\": \"2026-12-03T16:00:00Z\","
		  " \"expires\": \"2026-12-10T16:00:00Z\", \"contents\": [], \"summary\":"
		  " {\"signatures\": 0, \"verdicts\": 0}}", "$.version" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 1, \"created\": \"2026-12-10T16:00:00Z\","
		  " \"expires\": \"2026-12-03T16:00:00Z\", \"contents\": [], \"summary\":"
		  " {\"signatures\": 0, \"verdicts\": 0}}", "not after" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 1, \"created\": \"yesterday\","
		  " \"expires\": \"2026-12-03T16:00:00Z\", \"contents\": [], \"summary\":"
		  " {\"signatures\": 0, \"verdicts\": 0}}", "$.created" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 1, \"created\": \"2026-12-03T16:00:00Z\","
		  " \"expires\": \"2026-12-10T16:00:00Z\", \"contents\": [], \"summary\":"
		  " {\"signatures\": 0, \"verdicts\": 0}}", "no trust.tar" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 1, \"created\": \"2026-12-03T16:00:00Z\","
		  " \"expires\": \"2026-12-10T16:00:00Z\", \"contents\": [{\"name\": \"../x\", \"digest\": \"" DT "\","
		  " \"size\": 1}], \"summary\": {\"signatures\": 0, \"verdicts\": 0}}", "is not trust.tar" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 1, \"created\": \"2026-12-03T16:00:00Z\","
		  " \"expires\": \"2026-12-10T16:00:00Z\", \"contents\": [{\"name\": \"trust.tar\", \"digest\": \"" DT "\","
		  " \"size\": 1}, {\"name\": \"trust.tar\", \"digest\": \"" DS "\", \"size\": 1}],"
		  " \"summary\": {\"signatures\": 0, \"verdicts\": 0}}", "listed twice" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 1, \"created\": \"2026-12-03T16:00:00Z\","
		  " \"expires\": \"2026-12-10T16:00:00Z\", \"contents\": [{\"name\": \"trust.tar\", \"digest\": \"sha256:12\","
		  " \"size\": 1}], \"summary\": {\"signatures\": 0, \"verdicts\": 0}}", ".digest" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 1, \"created\": \"2026-12-03T16:00:00Z\","
		  " \"expires\": \"2026-12-10T16:00:00Z\", \"contents\": [{\"name\": \"trust.tar\", \"digest\": \"" DT "\","
		  " \"size\": -1}], \"summary\": {\"signatures\": 0, \"verdicts\": 0}}", ".size" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 1, \"created\": \"2026-12-03T16:00:00Z\","
		  " \"expires\": \"2026-12-10T16:00:00Z\", \"contents\": [{\"name\": \"trust.tar\", \"digest\": \"" DT "\","
		  " \"size\": 1, \"mode\": 1}], \"summary\": {\"signatures\": 0, \"verdicts\": 0}}", "mode" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 1, \"created\": \"2026-12-03T16:00:00Z\","
		  " \"expires\": \"2026-12-10T16:00:00Z\", \"contents\": [{\"name\": \"trust.tar\", \"digest\": \"" DT "\","
		  " \"size\": 1}], \"summary\": {\"signatures\": 0}}", "verdicts" },
		{ "{\"type\": \"ocigate-bundle\", \"version\": 1, \"created\": \"2026-12-03T16:00:00Z\","
		  " \"expires\": \"2026-12-10T16:00:00Z\", \"contents\": [{\"name\": \"trust.tar\", \"digest\": \"" DT "\","
		  " \"size\": 1}]}", "summary" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct og_bundle_descriptor d;
		og_error e = { 0 };

		write_signed(cases[i].text, kroot1, kroot2);
		ck_assert_msg(load(2, 1, &d, &e) == -1, "case %zu accepted", i);
		ck_assert_msg(strstr(e.msg, cases[i].want) != NULL, "case %zu: want \"%s\" in: %s", i,
			      cases[i].want, e.msg);
		ck_assert_msg(strstr(e.msg, "bundle descriptor") != NULL, "case %zu: %s", i, e.msg);
	}
}
END_TEST

START_TEST(size_bounded)
{
	struct og_bundle_descriptor d;
	og_error e = { 0 };
	size_t n = OG_BUNDLE_DESCRIPTOR_MAX + 1;
	char *big = malloc(n + 1);

	memset(big, ' ', n);
	memcpy(big, good, strlen(good));
	big[n] = '\0';
	ck_assert_int_eq(og_bundle_descriptor_parse(big, n, &d, &e), -1);
	ck_assert_msg(strstr(e.msg, "larger than") != NULL, "%s", e.msg);
	/* Signed and on disk: refused by the bounded read, before any key. */
	og_error_clear(&e);
	wfile(desc_path, big, n);
	free(big);
	ck_assert_int_eq(load(1, 1, &d, &e), -1);
	ck_assert_msg(strstr(e.msg, "bundle descriptor") != NULL, "%s", e.msg);
}
END_TEST

START_TEST(time_checks)
{
	struct og_bundle_descriptor d;
	og_error e = { 0 };

	ck_assert_int_eq(og_bundle_descriptor_parse(good, strlen(good), &d, &e), 0);
	ck_assert_int_eq(og_bundle_descriptor_check_time(&d, d.created + 60, &e), 0);
	ck_assert_int_eq(og_bundle_descriptor_check_time(&d, d.expires, &e), -1);
	ck_assert_msg(strstr(e.msg, "expired at 2026-12-10T16:00:00Z") != NULL, "%s", e.msg);
	og_error_clear(&e);
	ck_assert_int_eq(og_bundle_descriptor_check_time(&d, d.created - OG_BUNDLE_CLOCK_SKEW - 1, &e), -1);
	ck_assert_msg(strstr(e.msg, "in the future") != NULL, "%s", e.msg);
}
END_TEST

START_TEST(roots_config_refused)
{
	og_buf data = { .data = (char *)good, .len = strlen(good) };
	const char *keys[] = { root1 };
	struct og_trust_roots none = { keys, 0, 1 }, zero = { keys, 1, 0 };
	size_t n;
	og_error e = { 0 };

	ck_assert_int_eq(og_trust_roots_verify(&none, &data, "{}", 2, "x.sig", &n, &e), -1);
	ck_assert_msg(strstr(e.msg, "no root keys") != NULL, "%s", e.msg);
	og_error_clear(&e);
	ck_assert_int_eq(og_trust_roots_verify(&zero, &data, "{\"signatures\": []}", 18, "x.sig", &n, &e), -1);
	ck_assert_msg(strstr(e.msg, "threshold") != NULL, "%s", e.msg);
}
END_TEST

/* The bundle floor beside the trust floor: same directory, same lock,
 * each only goes up, neither moves the other. */
START_TEST(bundle_floor)
{
	struct og_trust_state_lock l = { .dirfd = -1 };
	int64_t v;
	og_error e = { 0 };
	char path[400];

	ck_assert_int_eq(og_trust_state_read_file(statedir, OG_BUNDLE_STATE_FILE, &v, &e), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_msg(og_trust_state_lock_file(statedir, OG_BUNDLE_STATE_FILE, &l, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(l.version, 0);
	ck_assert_int_eq(og_trust_state_record(&l, 7, &e), 0);
	ck_assert_int_eq(og_trust_state_record(&l, 5, &e), 0);	/* lower: no change */
	ck_assert_int_eq(og_trust_state_record_file(&l, OG_TRUST_STATE_FILE, 3, &e), 0);
	ck_assert_int_eq(og_trust_state_record_file(&l, OG_TRUST_STATE_FILE, 2, &e), 0);
	ck_assert_int_eq(og_trust_state_floor_at(&l, OG_TRUST_STATE_FILE, &v, &e), 0);
	ck_assert_int_eq(v, 3);
	og_trust_state_unlock(&l);
	ck_assert_int_eq(og_trust_state_read_file(statedir, OG_BUNDLE_STATE_FILE, &v, &e), 0);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(og_trust_state_read(statedir, &v, &e), 0);
	ck_assert_int_eq(v, 3);
	/* The trust floor's lock sees the bundle floor through floor_at. */
	ck_assert_int_eq(og_trust_state_lock(statedir, &l, &e), 0);
	ck_assert_int_eq(l.version, 3);
	ck_assert_int_eq(og_trust_state_floor_at(&l, OG_BUNDLE_STATE_FILE, &v, &e), 0);
	ck_assert_int_eq(v, 7);
	og_trust_state_unlock(&l);
	ck_assert_int_eq(og_trust_state_floor_at(&l, OG_BUNDLE_STATE_FILE, &v, &e), -1);
	/* StrictModes: a group-writable bundle floor is refused, naming it. */
	og_error_clear(&e);
	snprintf(path, sizeof path, "%s/%s", statedir, OG_BUNDLE_STATE_FILE);
	ck_assert_int_eq(chmod(path, 0620), 0);
	ck_assert_int_eq(og_trust_state_read_file(statedir, OG_BUNDLE_STATE_FILE, &v, &e), -1);
	ck_assert_msg(strstr(e.msg, OG_BUNDLE_STATE_FILE) != NULL, "%s", e.msg);
	/* Garbage in it is not a floor of 0. */
	og_error_clear(&e);
	ck_assert_int_eq(chmod(path, 0600), 0);
	wfile(path, "x\n", 2);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(og_trust_state_lock_file(statedir, OG_BUNDLE_STATE_FILE, &l, &e), -1);
	ck_assert_msg(strstr(e.msg, "not a version number") != NULL, "%s", e.msg);
	og_trust_state_unlock(&l);
}
END_TEST

/* A store from a bundle generation (keep_floor): its version is checked
 * against the trust floor but never raises it, so a start still reading
 * the previous generation is not refused as a rollback. */
START_TEST(bundle_store_keeps_floor)
{
	static const char doc[] = "{\"version\": 5, \"expires\": \"2099-01-01T00:00:00Z\", \"keys\": []}";
	const char *keys[] = { root1 };
	char store[320], kid[OG_KEYID_HEX];
	struct og_trust_store_config c = { .store_path = store, .root_keys = keys, .nroot = 1, .threshold = 1,
					   .state_dir = statedir, .update_state = 1, .keep_floor = 1 };
	struct og_trust_store *s = NULL;
	int64_t v;
	og_error e = { 0 };

	snprintf(store, sizeof store, "%s/store.json", dir);
	wfile(store, doc, strlen(doc));
	ck_assert_int_eq(og_trust_store_sign(store, kroot1, kid, &e), 0);
	ck_assert_int_eq(og_trust_state_raise(statedir, 4, &e), 0);
	ck_assert_msg(og_trust_store_load(&c, &s, &e) == 0, "%s", e.msg);
	og_trust_store_free(s);
	ck_assert_int_eq(og_trust_state_read(statedir, &v, &e), 0);
	ck_assert_int_eq(v, 4);
	/* Still a floor: below it is refused. */
	ck_assert_int_eq(og_trust_state_raise(statedir, 6, &e), 0);
	ck_assert_int_eq(og_trust_store_load(&c, &s, &e), -1);
	ck_assert_msg(strstr(e.msg, "rolled back") != NULL, "%s", e.msg);
	/* Without keep_floor (a store of its own), acceptance raises it. */
	og_error_clear(&e);
	ck_assert_int_eq(og_trust_state_raise(statedir, 6, &e), 0);
	c.keep_floor = 0;
	wfile(store, "{\"version\": 7, \"expires\": \"2099-01-01T00:00:00Z\", \"keys\": []}", 61);
	unlink(desc_path);
	{
		char sig[330];

		snprintf(sig, sizeof sig, "%s.sig", store);
		unlink(sig);
	}
	ck_assert_int_eq(og_trust_store_sign(store, kroot1, kid, &e), 0);
	ck_assert_msg(og_trust_store_load(&c, &s, &e) == 0, "%s", e.msg);
	og_trust_store_free(s);
	ck_assert_int_eq(og_trust_state_read(statedir, &v, &e), 0);
	ck_assert_int_eq(v, 7);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bundle_descriptor");
	TCase *t = tcase_create("descriptor");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, signed_descriptor_loads);
	tcase_add_test(t, signatures_refused);
	tcase_add_test(t, parse_refusals);
	tcase_add_test(t, size_bounded);
	tcase_add_test(t, time_checks);
	tcase_add_test(t, roots_config_refused);
	tcase_add_test(t, bundle_floor);
	tcase_add_test(t, bundle_store_keeps_floor);
	suite_add_tcase(s, t);
	return tu_run(s);
}
