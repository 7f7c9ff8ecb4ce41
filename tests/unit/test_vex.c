/* OpenVEX: real documents from ../shared/fixtures/scanners and the repo's
 * own; suppression applies to the listed digest only, per package when the
 * statement names subcomponents; later statements win. */
#include "test_scan_util.h"
#include "verify/scan/vex.h"

#include <openssl/pem.h>

static void parse_file(const char *path, struct og_vex_doc *d, int expect_ok, const char *expect_msg)
{
	og_buf b = { 0 };
	og_error e = { 0 };

	ck_assert_msg(og_read_file(path, OG_MAX_VEX_DOC_BYTES, &b, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(og_vex_parse_openvex(b.data, b.len, path, d, &e), expect_ok ? 0 : -1);
	if (expect_msg)
		ck_assert_msg(strstr(e.msg, expect_msg) != NULL, "%s", e.msg);
	og_buf_free(&b);
}

/* Expected values from jq:
 *   jq -c '[.statements[] | {v: .vulnerability.name, p: [.products[]."@id"], s: .status}]' FILE
 * openvex-grype-oci-digest-not-affected: 5 statements, each for
 * pkg:oci/alpine@sha256%3A124c7d27...; 3 fixed + 2 not_affected;
 * openvex-grype-oci-digest-repository-url: 1 statement (fixed) for
 * pkg:oci/debian@sha256%3A124c7d27...?repository_url=...;
 * openvex-trivy-oci-not-affected (pkg:oci/debian) and openvex-trivy-project-oci
 * (pkg:oci/trivy?repository_url=..., 3 products x 7 statements) name no digest. */
#define ALPINE_DIGEST "sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126"

START_TEST(test_shared_openvex)
{
	struct og_vex_doc d = { 0 };

	SU_SKIP_WITHOUT_SHARED();
	parse_file(su_shared("openvex-grype-oci-digest-not-affected.json"), &d, 1, NULL);
	ck_assert_uint_eq(d.n, 5);
	for (size_t i = 0; i < d.n; i++) {
		ck_assert_str_eq(d.items[i].digest, ALPINE_DIGEST);
		ck_assert_str_eq(d.items[i].stmt.author, "The OpenVEX Project <openvex@openssf.org>");
		ck_assert_uint_eq(d.items[i].stmt.npackages, 2);	/* libssl3, libcrypto3 */
		ck_assert_str_eq(d.items[i].stmt.packages[0], "libssl3");
	}
	ck_assert_str_eq(d.items[3].stmt.id, "CVE-2023-3446");
	ck_assert_str_eq(d.items[3].stmt.status, "not_affected");
	ck_assert_str_eq(d.items[3].stmt.justification, "vulnerable_code_not_present");
	ck_assert_str_eq(d.items[0].stmt.status, "fixed");
	og_vex_doc_free(&d);

	parse_file(su_shared("openvex-grype-oci-digest-repository-url.json"), &d, 1, NULL);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.items[0].digest, ALPINE_DIGEST);
	ck_assert_str_eq(d.items[0].stmt.id, "CVE-2014-fake-1");
	og_vex_doc_free(&d);

	parse_file(su_shared("openvex-trivy-oci-not-affected.json"), &d, 0, "no statement names an image digest");
	parse_file(su_shared("openvex-trivy-project-oci.json"), &d, 0, "no statement names an image digest");
	parse_file(su_shared("cyclonedx-vex-trivy-not-affected.json"), &d, 0, "CycloneDX");
	/* The CLI refuses them too, leaving no cache behind. */
	ck_assert_int_eq(su_verdict("vex", su_shared("openvex-trivy-project-oci.json"), NULL), 2);
	ck_assert_int_eq(su_verdict("vex", su_shared("openvex-grype-oci-digest-not-affected.json"), NULL), 0);
}
END_TEST

START_TEST(test_product_digest)
{
	char out[72];

	ck_assert_int_eq(og_vex_product_digest("pkg:oci/app@sha256%3A" "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1?arch=amd64", out), 0);
	ck_assert_str_eq(out, T_ID);
	ck_assert_int_eq(og_vex_product_digest("pkg:oci/app@sha256%3a" "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", out), 0);
	ck_assert_int_eq(og_vex_product_digest("registry:5000/app@" T_ID, out), 0);
	ck_assert_int_eq(og_vex_product_digest(T_ID, out), 0);
	ck_assert_int_eq(og_vex_product_digest("pkg:oci/app", out), -1);
	ck_assert_int_eq(og_vex_product_digest("pkg:oci/app@sha256%3Azz", out), -1);
	ck_assert_int_eq(og_vex_product_digest("pkg:oci/app@sha256%3", out), -1);
	ck_assert_int_eq(og_vex_product_digest("pkg:apk/alpine/busybox@1.0", out), -1);
}
END_TEST

/* openvex-small: CVE-2099-0001 not_affected for T_ID (purl); CVE-2099-1002
 * (alias GHSA-aaaa-bbbb-cccc) not_affected for G_MAN, package zlib only;
 * CVE-2099-1001 under_investigation for G_MAN; CVE-2099-0002 for a product
 * with no digest (skipped). */
START_TEST(test_suppression_per_digest)
{
	struct og_scan_policy *p;
	struct og_findings r = { 0 };
	const struct og_finding *f;

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), su_repo("grype-small.json"), NULL), 0);
	ck_assert_int_eq(su_verdict("vex", su_repo("openvex-small.json"), NULL), 0);
	p = su_policy("{\"max\":{\"critical\":0}}");
	/* T_ID: its only critical (CVE-2099-0001) is not_affected => passes. */
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	/* T_REPO names the same image, but the VEX statement names T_ID only. */
	ck_assert_uint_eq(su_check(p, T_REPO, &r), 1);
	og_findings_free(&r);
	og_scan_policy_free(p);

	/* G_MAN: the high CVE-2099-1002 in zlib is suppressed; under_investigation suppresses nothing. */
	p = su_policy("{\"max\":{\"high\":0}}");
	ck_assert_uint_eq(su_check(p, G_MAN, &r), 0);
	ck_assert_uint_eq(su_check(p, G_IDX, &r), 1);	/* other digest of the same image: not suppressed */
	og_findings_free(&r);
	og_scan_policy_free(p);
	p = su_policy("{\"max\":{\"critical\":0,\"high\":0}}");
	ck_assert_uint_eq(su_check(p, G_MAN, &r), 1);
	f = su_find(&r, "scan.severity");
	ck_assert_msg(strstr(f->message, "1 critical (max 0)") && !strstr(f->message, "high (max"), "%s", f->message);
	ck_assert_msg(strstr(f->message, "1 suppressed by VEX, e.g. CVE-2099-1002 not_affected by Example Security Team"),
		      "%s", f->message);
	ck_assert_msg(strstr(f->message, "inline_mitigations_already_exist"), "%s", f->message);
	og_findings_free(&r);
	og_scan_policy_free(p);
	/* use_vex false: statements ignored. */
	p = su_policy("{\"use_vex\":false,\"max\":{\"high\":0}}");
	ck_assert_uint_eq(su_check(p, G_MAN, &r), 1);
	og_findings_free(&r);
	og_scan_policy_free(p);
	ck_assert_int_eq(su_verdict("show", G_MAN, NULL), 0);
}
END_TEST

START_TEST(test_later_statement_wins)
{
	char path[512];
	struct og_scan_policy *p;
	struct og_findings r = { 0 };
	const char *withdraw =
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"author\":\"Example\",\"timestamp\":\"2026-02-01T00:00:00Z\","
		"\"statements\":[{\"vulnerability\":{\"name\":\"CVE-2099-0001\"},"
		"\"products\":[{\"@id\":\"" T_ID "\"}],\"status\":\"affected\"}]}";
	const char *older =
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"author\":\"Example\",\"timestamp\":\"2025-01-01T00:00:00Z\","
		"\"statements\":[{\"vulnerability\":{\"name\":\"CVE-2099-0001\"},"
		"\"products\":[{\"@id\":\"pkg:oci/app@sha256%3A" "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" "\"}],"
		"\"status\":\"not_affected\",\"justification\":\"component_not_present\"}]}";

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	ck_assert_int_eq(su_verdict("vex", su_repo("openvex-small.json"), NULL), 0);
	p = su_policy("{\"max\":{\"critical\":0}}");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	snprintf(path, sizeof path, "%s/withdraw.json", su_tmp);
	su_write(path, withdraw);
	ck_assert_int_eq(su_verdict("vex", path, NULL), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	og_findings_free(&r);
	/* An older statement does not override the newer "affected". */
	su_write(path, older);
	ck_assert_int_eq(su_verdict("vex", path, NULL), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	og_findings_free(&r);
	og_scan_policy_free(p);
}
END_TEST

START_TEST(test_bad_vex)
{
	char path[512];
	const char *bad[] = {
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"author\":\"a\",\"author\":\"b\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"statements\":[]}",
		"{\"@context\":\"https://example.org\",\"author\":\"a\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"statements\":[]}",
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"author\":\"a\",\"timestamp\":\"2026-01-01T00:00:00Z\","
		"\"statements\":[{\"vulnerability\":{\"name\":\"CVE-1\"},\"products\":[{\"@id\":\"" T_ID "\"}],\"status\":\"maybe\"}]}",
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"author\":\"a\",\"timestamp\":\"2026-01-01T00:00:00Z\","
		"\"statements\":[{\"vulnerability\":{\"name\":\"../CVE\"},\"products\":[{\"@id\":\"" T_ID "\"}],\"status\":\"fixed\"}]}",
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"author\":\"a\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"statements\":[",
	};

	snprintf(path, sizeof path, "%s/bad.json", su_tmp);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		su_write(path, bad[i]);
		ck_assert_int_eq(su_verdict("vex", path, NULL), 2);
	}
	{
		struct stat st;
		ck_assert_int_ne(stat(su_cache, &st), 0);
	}
}
END_TEST

START_TEST(test_signed_vex_required)
{
	struct og_scan_policy *p;
	struct og_findings r = { 0 };
	char priv[512], pub[512], pol[1100];
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	FILE *f;

	snprintf(priv, sizeof priv, "%s/k.pem", su_tmp);
	snprintf(pub, sizeof pub, "%s/k.pub.pem", su_tmp);
	f = fopen(priv, "w");
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	f = fopen(pub, "w");
	PEM_write_PUBKEY(f, k);
	fclose(f);
	EVP_PKEY_free(k);
	snprintf(pol, sizeof pol, "{\"require_signed\":true,\"signer_keys\":[\"%s\"],\"max\":{\"critical\":0}}", pub);
	p = su_policy(pol);
	ck_assert_int_eq(su_verdict("import", "--sign-key", priv, su_repo("trivy-small.json"), NULL), 0);
	/* Unsigned VEX with signatures required: not applied, and said so. */
	ck_assert_int_eq(su_verdict("vex", su_repo("openvex-small.json"), NULL), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 2);
	ck_assert_ptr_nonnull(su_find(&r, "scan.verdict"));
	ck_assert_ptr_nonnull(su_find(&r, "scan.severity"));
	og_findings_free(&r);
	ck_assert_int_eq(su_verdict("vex", "--sign-key", priv, su_repo("openvex-small.json"), NULL), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	og_scan_policy_free(p);
}
END_TEST

/* The cache form: a statement's package list survives load (all of it, in
 * any order for the merge), and a set that fails half-way (a non-string or
 * over-long package after earlier statements were copied) is refused
 * without leaking what was already copied (the suite runs under valgrind). */
#define SET_HEAD "{\"ocigate_vex\":1,\"digest\":\"" T_ID "\",\"statements\":["
#define SET_STMT(ts, pk) "{\"id\":\"CVE-1\",\"status\":\"not_affected\",\"justification\":\"j\"," \
	"\"author\":\"a\",\"timestamp\":\"" ts "\",\"packages\":" pk "}"
START_TEST(test_set_load_packages)
{
	struct og_vex_set set = { 0 };
	og_error e = { 0 };
	const char *good = SET_HEAD SET_STMT("2026-01-01T00:00:00Z", "[\"b\",\"a\"]") ","
			   SET_STMT("2026-02-01T00:00:00Z", "[\"a\",\"b\"]") "]}";
	const char *bad[] = {
		SET_HEAD SET_STMT("2026-01-01T00:00:00Z", "[\"b\"]") ","
		SET_STMT("2026-01-01T00:00:00Z", "[\"a\",5]") "]}",
		NULL,
	};
	char *long_pkg, *doc;
	size_t n = OG_MAX_VEX_TEXT_BYTES + 1;

	ck_assert_msg(og_vex_set_load(good, strlen(good), "t", T_ID, &set, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(set.n, 1);	/* same id, same packages: the newer replaced the older */
	ck_assert_uint_eq(set.items[0].npackages, 2);
	ck_assert_str_eq(set.items[0].packages[0], "a");
	ck_assert_str_eq(set.items[0].packages[1], "b");
	ck_assert_ptr_nonnull(og_vex_lookup(&set, "CVE-1", "b"));
	og_vex_set_free(&set);

	long_pkg = malloc(n + 1);
	ck_assert_ptr_nonnull(long_pkg);
	memset(long_pkg, 'p', n);
	long_pkg[n] = '\0';
	doc = malloc(strlen(good) + n + 64);
	ck_assert_ptr_nonnull(doc);
	sprintf(doc, SET_HEAD SET_STMT("2026-01-01T00:00:00Z", "[\"b\"]") ","
		SET_STMT("2026-01-01T00:00:00Z", "[\"a\",\"%s\"]") "]}", long_pkg);
	bad[1] = doc;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		og_error_clear(&e);
		ck_assert_int_eq(og_vex_set_load(bad[i], strlen(bad[i]), "t", T_ID, &set, &e), -1);
		ck_assert_msg(strstr(e.msg, "statements[1]") != NULL, "%s", e.msg);
		ck_assert_ptr_null(set.items);
	}
	free(doc);
	free(long_pkg);
}
END_TEST

/* One OpenVEX document: `status` for `id` on T_ID, dated `ts`. */
static void write_vex(const char *path, const char *id, const char *status, const char *ts)
{
	char doc[1024];

	snprintf(doc, sizeof doc,
		 "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"author\":\"Example\",\"timestamp\":\"%s\","
		 "\"statements\":[{\"vulnerability\":{\"name\":\"%s\"},\"products\":[{\"@id\":\"" T_ID "\"}],"
		 "\"status\":\"%s\"%s}]}",
		 ts, id, status,
		 strcmp(status, "not_affected") == 0 ? ",\"justification\":\"component_not_present\"" : "");
	su_write(path, doc);
}

static int import_vex_doc(int i, void *arg)
{
	(void)arg;
	return su_verdict("vex", su_nth("vex", i), NULL);
}

/* The VEX statements cached for digest. */
static void load_vex_set(const char *digest, struct og_vex_set *set)
{
	og_error e = { 0 };
	og_buf b = { 0 };
	int fd = og_scan_cache_open(su_cache, 0, 0, &e);

	ck_assert_msg(fd >= 0, "%s", e.msg);
	ck_assert_msg(og_scan_cache_read(fd, OG_CACHE_VEX, digest, 0, 0, OG_MAX_VEX_FILE_BYTES, &b, &e) == 0,
		      "no VEX for %s (%s)", digest, e.msg);
	close(fd);
	ck_assert_msg(og_vex_set_load(b.data, (size_t)(strchr(b.data, '\n') - b.data), "t", digest, set, &e) == 0,
		      "%s", e.msg);
	og_buf_free(&b);
}

/* Issue 17, defect 2: 20 imports of 20 documents for one digest at once all
 * land (without the writers' lock, 3 to 6 of them survived). */
START_TEST(test_parallel_vex_imports)
{
	struct og_vex_set set = { 0 };
	char id[32];

	for (int round = 0; round < 3; round++) {
		unlink(su_cache_file(T_ID, 1));
		for (int i = 0; i < 20; i++) {
			snprintf(id, sizeof id, "CVE-2099-%d", 5000 + 100 * round + i);
			write_vex(su_nth("vex", i), id, "not_affected", "2026-01-12T00:00:00Z");
		}
		ck_assert_int_eq(su_parallel(20, import_vex_doc, NULL), 0);
		load_vex_set(T_ID, &set);
		ck_assert_msg(set.n == 20, "round %d: %zu of 20 statements kept", round, set.n);
		og_vex_set_free(&set);
	}
}
END_TEST

/* A newer "affected" imported beside unrelated documents is never lost: the
 * image's critical CVE-2099-0001 (not_affected since openvex-small) counts
 * again.  Lost, the older not_affected kept the image allowed (fails open). */
START_TEST(test_parallel_affected_kept)
{
	struct og_scan_policy *p;
	struct og_findings r = { 0 };
	char id[32];

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	p = su_policy("{\"max\":{\"critical\":0}}");
	for (int round = 0; round < 5; round++) {
		struct og_vex_set set = { 0 };

		unlink(su_cache_file(T_ID, 1));
		ck_assert_int_eq(su_verdict("vex", su_repo("openvex-small.json"), NULL), 0);
		ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
		for (int i = 0; i < 10; i++) {
			snprintf(id, sizeof id, "CVE-2099-%d", 6000 + i);
			write_vex(su_nth("vex", i), id, "not_affected", "2026-01-12T00:00:00Z");
		}
		write_vex(su_nth("vex", 10), "CVE-2099-0001", "affected", "2026-02-01T00:00:00Z");
		ck_assert_int_eq(su_parallel(11, import_vex_doc, NULL), 0);
		load_vex_set(T_ID, &set);
		/* openvex-small's CVE-2099-0001, replaced, and the ten others */
		ck_assert_msg(set.n == 11, "round %d: %zu of 11 statements kept", round, set.n);
		ck_assert_str_eq(og_vex_lookup(&set, "CVE-2099-0001", "libfoo")->status, "affected");
		og_vex_set_free(&set);
		ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
		ck_assert_ptr_nonnull(su_find(&r, "scan.severity"));
		og_findings_free(&r);
	}
	og_scan_policy_free(p);
}
END_TEST

/* A scan report given to `vex import` is named for what it is, and a bad
 * document's error names the file, then the JSON path. */
START_TEST(test_wrong_document_named)
{
	struct og_vex_doc d = { 0 };
	char path[512];

	parse_file(su_repo("trivy-small.json"), &d, 0, "trivy-small.json: a Trivy report, not an OpenVEX document");
	parse_file(su_repo("grype-small.json"), &d, 0, "grype-small.json: a Grype report, not an OpenVEX document");
	snprintf(path, sizeof path, "%s/nostatus.json", su_tmp);
	su_write(path, "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"author\":\"a\",\"timestamp\":\"2026-01-01T00:00:00Z\","
		       "\"statements\":[{\"vulnerability\":{\"name\":\"CVE-1\"},\"products\":[{\"@id\":\"" T_ID "\"}]}]}");
	parse_file(path, &d, 0, "nostatus.json: $.statements[0].status: missing");
	su_write(path, "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"statements\":[]}");
	parse_file(path, &d, 0, "nostatus.json: $.author: missing");
}
END_TEST

/* A VEX file the hook could not read (over OG_MAX_VEX_FILE_BYTES) is refused
 * before anything is written: the cached statements stay as they were. */
START_TEST(test_oversized_vex_refused)
{
	struct og_vex_set set = { 0 };
	const char *err;
	char path[512];
	FILE *f;
	/* 4000 statements x 4 packages of 300 bytes: about 5 MiB cached, under
	 * the 8 MiB document limit. */
	const int nstmt = 4000;

	ck_assert_int_eq(su_verdict("vex", su_repo("openvex-small.json"), NULL), 0);
	snprintf(path, sizeof path, "%s/big-vex.json", su_tmp);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"author\":\"a\",\"timestamp\":\"2026-03-01T00:00:00Z\","
	      "\"statements\":[", f);
	for (int i = 0; i < nstmt; i++) {
		fprintf(f, "%s{\"vulnerability\":{\"name\":\"CVE-2099-%d\"},\"products\":[{\"@id\":\"" T_ID "\","
			"\"subcomponents\":[", i ? "," : "", 10000 + i);
		for (int k = 0; k < 4; k++)
			fprintf(f, "%s{\"@id\":\"pkg:apk/alpine/%c%0299d\"}", k ? "," : "", 'a' + k, i);
		fputs("]}],\"status\":\"not_affected\",\"justification\":\"component_not_present\"}", f);
	}
	fputs("]}", f);
	fclose(f);
	su_stderr_begin();
	ck_assert_int_eq(su_verdict("vex", path, NULL), 2);
	err = su_stderr_end();
	ck_assert_msg(strstr(err, "more than the 4194304 bytes the hook reads") != NULL, "%s", err);
	load_vex_set(T_ID, &set);
	ck_assert_uint_eq(set.n, 1);	/* openvex-small's one statement for T_ID */
	og_vex_set_free(&set);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vex");
	TCase *tc = tcase_create("vex");

	tcase_add_checked_fixture(tc, su_setup, su_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_shared_openvex);
	tcase_add_test(tc, test_product_digest);
	tcase_add_test(tc, test_suppression_per_digest);
	tcase_add_test(tc, test_later_statement_wins);
	tcase_add_test(tc, test_bad_vex);
	tcase_add_test(tc, test_signed_vex_required);
	tcase_add_test(tc, test_set_load_packages);
	tcase_add_test(tc, test_parallel_vex_imports);
	tcase_add_test(tc, test_parallel_affected_kept);
	tcase_add_test(tc, test_wrong_document_named);
	tcase_add_test(tc, test_oversized_vex_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
