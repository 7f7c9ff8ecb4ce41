/* `bundle create` and `bundle pull --from-layout` through the library
 * (hook/delivery/bundle_create.h, bundle_pull.h): a round trip, up to date,
 * newer versions and pruning, rollback and a non-root signer refused with
 * the step named and nothing left behind.  The registry path and hostile
 * layers are tests/e2e/test_bundle.sh's. */
#include "testutil.h"
#include "hook/delivery/bundle_create.h"
#include "hook/delivery/bundle_pull.h"
#include "verify/trust/bundle_layout.h"
#include "verify/trust/trust_state.h"
#include "verify/trust/trust_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

static char dir[256], store[300], rootpub[300], rootpriv[300], roguepriv[300], sigs[300], state[300],
	bdir[300];

static void wfile(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void write_keys(EVP_PKEY *k, const char *priv, const char *pub)
{
	FILE *f = fopen(priv, "w");

	ck_assert_ptr_nonnull(f);
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	if (pub != NULL) {
		f = fopen(pub, "w");
		ck_assert_ptr_nonnull(f);
		PEM_write_PUBKEY(f, k);
		fclose(f);
	}
}

static void setup(void)
{
	EVP_PKEY *root = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *rogue = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char kid[OG_KEYID_HEX], p[400];
	og_error e = { 0 };

	snprintf(dir, sizeof dir, "/tmp/og-bpull-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(store, sizeof store, "%s/store.json", dir);
	snprintf(rootpub, sizeof rootpub, "%s/root.pub", dir);
	snprintf(rootpriv, sizeof rootpriv, "%s/root.pem", dir);
	snprintf(roguepriv, sizeof roguepriv, "%s/rogue.pem", dir);
	snprintf(sigs, sizeof sigs, "%s/sigs", dir);
	snprintf(state, sizeof state, "%s/state", dir);
	snprintf(bdir, sizeof bdir, "%s/bundle", dir);
	write_keys(root, rootpriv, rootpub);
	write_keys(rogue, roguepriv, NULL);
	wfile(store, "{\"version\": 1, \"expires\": \"2099-01-01T00:00:00Z\", \"keys\": []}");
	ck_assert_msg(og_trust_store_sign(store, root, kid, &e) == 0, "%s", e.msg);
	EVP_PKEY_free(root);
	EVP_PKEY_free(rogue);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	snprintf(p, sizeof p, "%s/sha256/ab", sigs);
	ck_assert_int_eq(mkdir(sigs, 0700), 0);
	snprintf(p, sizeof p, "%s/sha256", sigs);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/sha256/ab", sigs);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/sha256/ab/entry.json", sigs);
	wfile(p, "{}");
}

static void teardown(void)
{
	char cmd[400];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void make_layout(int64_t version, const char *key, char out[320])
{
	const char *keys[] = { key };
	struct og_bundle_create_opts o = { .out = out, .version = version, .created = time(NULL) - 10,
					   .lifetime = 3600, .keys = keys, .nkeys = 1, .trust_store = store,
					   .signatures_dir = sigs };
	struct og_bundle_descriptor d;
	og_error e = { 0 };

	snprintf(out, 320, "%s/layout-%lld-%s", dir, (long long)version, key == rootpriv ? "root" : "rogue");
	ck_assert_msg(og_bundle_create(&o, &d, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(d.version, version);
	ck_assert_int_eq(d.nsignatures, 1);
}

static int pull(const char *layout, struct og_bundle_pull_result *r, og_error *e)
{
	const char *roots[] = { rootpub };
	struct og_trust_store_config c = { .root_keys = roots, .nroot = 1, .threshold = 1, .state_dir = state };
	struct og_bundle_pull_opts o = { .trust = &c, .bundle_dir = bdir, .layout = layout };

	return og_bundle_pull(&o, r, e);
}

/* Entries of the bundle directory: generations, and anything temporary. */
static void count(size_t *gens, size_t *tmps)
{
	DIR *d = opendir(bdir);
	struct dirent *de;

	*gens = *tmps = 0;
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		*gens += strncmp(de->d_name, "gen-", 4) == 0;
		*tmps += strncmp(de->d_name, ".tmp-", 5) == 0;
	}
	closedir(d);
}

START_TEST(round_trip_and_updates)
{
	char l[6][320], link[64], path[400];
	struct og_bundle_pull_result r;
	og_error e = { 0 };
	size_t gens, tmps;
	int64_t v;
	ssize_t n;
	struct stat st;

	for (int i = 1; i <= 5; i++)
		make_layout(i, rootpriv, l[i]);
	ck_assert_msg(pull(l[1], &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.up_to_date, 0);
	ck_assert_int_eq(r.new_version, 1);
	ck_assert_int_eq(r.old_version, 0);
	ck_assert_uint_eq(r.sigs_added, 1);
	ck_assert_int_eq(r.new_store_version, 1);
	snprintf(path, sizeof path, "%s/%s", bdir, OG_BUNDLE_CURRENT);
	n = readlink(path, link, sizeof link - 1);
	ck_assert_int_gt(n, 0);
	link[n] = '\0';
	ck_assert_str_eq(link, r.generation);
	snprintf(path, sizeof path, "%s/current/%s", bdir, OG_BUNDLE_TRUST_STORE);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	snprintf(path, sizeof path, "%s/current/signatures/sha256/ab/entry.json", bdir);
	ck_assert_int_eq(stat(path, &st), 0);
	snprintf(path, sizeof path, "%s/current/verdicts", bdir);
	ck_assert_int_eq(stat(path, &st), 0);	/* empty, but there */
	/* Unchanged: up to date, nothing done. */
	ck_assert_msg(pull(l[1], &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.up_to_date, 1);
	ck_assert_int_eq(r.new_version, 1);
	/* Newer versions: the newest OG_BUNDLE_GEN_KEEP generations stay. */
	for (int i = 2; i <= 5; i++) {
		ck_assert_msg(pull(l[i], &r, &e) == 0, "v%d: %s", i, e.msg);
		ck_assert_int_eq(r.old_version, i - 1);
		ck_assert_int_eq(r.new_version, i);
	}
	count(&gens, &tmps);
	ck_assert_uint_eq(gens, OG_BUNDLE_GEN_KEEP);
	ck_assert_uint_eq(tmps, 0);
	ck_assert_int_eq(og_trust_state_read_file(state, OG_BUNDLE_STATE_FILE, &v, &e), 0);
	ck_assert_int_eq(v, 5);
	/* The trust store's floor is left to the hook (bundle_pull.c step_publish). */
	ck_assert_int_eq(og_trust_state_read(state, &v, &e), 0);
	ck_assert_int_eq(v, 0);
}
END_TEST

START_TEST(refusals_change_nothing)
{
	char l2[320], l3[320], rogue[320], link[64], path[400];
	struct og_bundle_pull_result r;
	og_error e = { 0 };
	size_t gens, tmps;
	ssize_t n;

	make_layout(2, rootpriv, l2);
	make_layout(3, rootpriv, l3);
	make_layout(4, roguepriv, rogue);
	ck_assert_msg(pull(l3, &r, &e) == 0, "%s", e.msg);
	/* Rolled back. */
	ck_assert_int_eq(pull(l2, &r, &e), -1);
	ck_assert_str_eq(r.step, "3 descriptor");
	ck_assert_msg(strstr(e.msg, "rolled back: version 2 is lower than the installed version 3") != NULL, "%s",
		      e.msg);
	/* Signed by a key that is not a root. */
	og_error_clear(&e);
	ck_assert_int_eq(pull(rogue, &r, &e), -1);
	ck_assert_str_eq(r.step, "3 descriptor");
	ck_assert_msg(strstr(e.msg, "signed by 0 of the required 1 root keys") != NULL, "%s", e.msg);
	/* A layout others may write: its blobs could change between their
	 * check and their unpacking. */
	{
		char l4[320], cmd[700];

		make_layout(4, rootpriv, l4);
		snprintf(cmd, sizeof cmd, "chmod g+w '%s'/blobs/sha256/*", l4);
		ck_assert_int_eq(system(cmd), 0);
		og_error_clear(&e);
		ck_assert_int_eq(pull(l4, &r, &e), -1);
		ck_assert_msg(strstr(e.msg, "only its owner (root) may write") != NULL, "%s", e.msg);
		snprintf(cmd, sizeof cmd, "chmod g-w '%s'/blobs/sha256/* && chmod g+w '%s'/blobs", l4, l4);
		ck_assert_int_eq(system(cmd), 0);
		og_error_clear(&e);
		ck_assert_int_eq(pull(l4, &r, &e), -1);
		ck_assert_str_eq(r.step, "1 manifest");
		ck_assert_msg(strstr(e.msg, "writable") != NULL, "%s", e.msg);
	}
	/* Not a layout. */
	og_error_clear(&e);
	ck_assert_int_eq(pull(dir, &r, &e), -1);
	ck_assert_str_eq(r.step, "1 manifest");
	count(&gens, &tmps);
	ck_assert_uint_eq(gens, 1);
	ck_assert_uint_eq(tmps, 0);
	snprintf(path, sizeof path, "%s/%s", bdir, OG_BUNDLE_CURRENT);
	n = readlink(path, link, sizeof link - 1);
	ck_assert_int_gt(n, 0);
	link[n] = '\0';
	ck_assert_int_eq(strncmp(link, "gen-3-", 6), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bundle_pull");
	TCase *t = tcase_create("pull");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, round_trip_and_updates);
	tcase_add_test(t, refusals_change_nothing);
	suite_add_tcase(s, t);
	return tu_run(s);
}
