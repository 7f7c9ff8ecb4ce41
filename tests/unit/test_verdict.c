/* Scan report import: every real report in ../shared/fixtures/scanners and
 * the repo's own small ones; refused reports leave the cache untouched; the
 * verdict CLI (import, show, ls, gc). */
#include "test_scan_util.h"
#include "verify/scan/verdict_import.h"
#include "verify/common/reference.h"

#include <fcntl.h>

struct expect {
	const char *file, *scanner;
	size_t crit, high, med, low, unk;
	size_t ndigests;
	const char *digests[3];
	int scan_time_from_import;
};

/* Expected values computed independently of ocigate with jq (jq 1.6):
 *   trivy: jq -c '[.Results[]?.Vulnerabilities[]?.Severity] | group_by(.) | map({(.[0]): length}) | add'
 *          jq -c '[.Metadata.ImageID] + [(.Metadata.RepoDigests // [])[] | split("@")[1]]'
 *   grype: jq -c '[.matches[].vulnerability.severity] | group_by(.) | map({(.[0]): length}) | add'
 *          jq -c '[.source.target.imageID, .source.target.manifestDigest] + [.source.target.repoDigests[] | split("@")[1]]'
 * (grype-presenter-image-snapshot has descriptor.timestamp "" => import time). */
static const struct expect shared[] = {
	{ "trivy-alpine-39.json", "trivy", 2, 0, 4, 0, 0, 1,
	  { "sha256:055936d3920576da37aa9bc460d70c5f212028bda1c08c0879aedf03d7a66ea1" }, 0 },
	{ "trivy-centos-7.json", "trivy", 0, 0, 1, 2, 0, 1,
	  { "sha256:f1cb7c7d58b73eac859c395882eec49d50651244e342cd6c68a5c7809785f427" }, 0 },
	{ "trivy-debian-buster.json", "trivy", 1, 0, 0, 1, 0, 1,
	  { "sha256:c2c03a296d2329a4f3ab72a7bf38b78a8a80108204d326b0139d6af700e152d1" }, 0 },
	{ "trivy-docs-alpine-latest-with-repodigests.json", "trivy", 0, 0, 0, 2, 0, 2,
	  { "sha256:511a44083d3a23416fadc62847c45d14c25cbace86e7a72b2b350436978a0450",
	    "sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a" }, 0 },
	{ "trivy-fluentd-gems.json", "trivy", 1, 1, 0, 0, 0, 1,
	  { "sha256:5a992077baba51b97f27591a10d54d2f2723dc9c81a3fe419e261023f2554933" }, 0 },
	{ "grype-anchore-test-images-ghsa.json", "grype", 0, 0, 2, 0, 0, 3,
	  { "sha256:e1a0913e5e6eb346f15791e9627842ae80b14564f9c7a4f2e0910a9433673d8b",
	    "sha256:1212e7636ec0b1a7b90eb354e761e67163c2256de127036f086876e190631b43",
	    "sha256:10008791acbc5866de04108746a02a0c4029ce3a4400a9b3dad45d7f2245f9da" }, 0 },
	{ "grype-chainguard-ruby.json", "grype", 0, 3, 0, 0, 0, 3,
	  { "sha256:2f88265cfbc43ca35cd327347a9f59375b9f29ef998b8a54a882e31111266640",
	    "sha256:86abe662dfa3746038eea6b0db91092b0767d78b8b8938a343d614cd1579adc2",
	    "sha256:3c9afb4f188827ea1062ec3b8acea32893236a0d7df31e0498df93486cff0978" }, 0 },
	{ "grype-keycloak-21.0.2.json", "grype", 0, 0, 0, 6, 0, 3,
	  { "sha256:8cf8fd2be2ded92962d52adff75ad06a4c30f69c66facbdf223364c6c9e33b8c",
	    "sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e",
	    "sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50" }, 0 },
	{ "grype-presenter-image-snapshot.json", "grype", 1, 0, 0, 1, 0, 2,
	  { "sha256:ab5608d634db2716a297adbfa6a5dd5d8f8f5a7d0cab73649ea7fbb8c8da544f",
	    "sha256:ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5" }, 1 },
};

START_TEST(test_shared_fixture)
{
	const struct expect *x = &shared[_i];

	SU_SKIP_WITHOUT_SHARED();
	ck_assert_int_eq(su_verdict("import", su_shared(x->file), NULL), 0);
	for (size_t d = 0; d < x->ndigests; d++) {
		struct og_verdict v = { 0 };
		size_t c[OG_SEV_COUNT];

		/* Every digest the report names finds the whole verdict. */
		su_load(x->digests[d], &v);
		ck_assert_uint_eq(v.ndigests, x->ndigests);
		for (size_t k = 0; k < x->ndigests; k++)
			ck_assert_msg(og_verdict_has_digest(&v, x->digests[k]), "%s: %s missing", x->file,
				      x->digests[k]);
		su_counts(&v, c);
		ck_assert_uint_eq(c[OG_SEV_CRITICAL], x->crit);
		ck_assert_uint_eq(c[OG_SEV_HIGH], x->high);
		ck_assert_uint_eq(c[OG_SEV_MEDIUM], x->med);
		ck_assert_uint_eq(c[OG_SEV_LOW], x->low);
		ck_assert_uint_eq(c[OG_SEV_UNKNOWN], x->unk);
		ck_assert_str_eq(v.scanner, x->scanner);
		ck_assert_int_eq(v.scan_time_from_import, x->scan_time_from_import);
		og_verdict_free(&v);
	}
}
END_TEST

START_TEST(test_shared_fixture_details)
{
	struct og_verdict v = { 0 };
	int64_t t;
	og_error e = { 0 };

	SU_SKIP_WITHOUT_SHARED();
	ck_assert_int_eq(su_verdict("import", su_shared("trivy-centos-7.json"),
				    su_shared("grype-keycloak-21.0.2.json"),
				    su_shared("trivy-docs-alpine-latest-with-repodigests.json"), NULL), 0);
	su_load("sha256:f1cb7c7d58b73eac859c395882eec49d50651244e342cd6c68a5c7809785f427", &v);
	/* CreatedAt 2021-08-25T12:20:30.000000005Z */
	ck_assert_int_eq(og_parse_rfc3339("2021-08-25T12:20:30Z", &t, &e), 0);
	ck_assert_int_eq(v.scanned_at, t);
	ck_assert_str_eq(v.scanner_version, "dev");
	ck_assert_str_eq(v.findings[0].id, "CVE-2019-18276");
	ck_assert_str_eq(v.findings[0].pkg, "bash");
	ck_assert_str_eq(v.findings[0].installed, "4.2.46-31.el7");
	ck_assert_str_eq(v.findings[0].fixed, "");
	ck_assert_int_eq(v.findings[0].status, OG_FIX_WONT_FIX);	/* will_not_fix */
	ck_assert_str_eq(v.findings[1].fixed, "1:1.0.2k-19.el7");
	ck_assert_int_eq(v.findings[1].status, OG_FIX_FIXED);
	ck_assert_str_eq(v.repository, "ghcr.io/aquasecurity/trivy-test-images");
	og_verdict_free(&v);

	su_load("sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50", &v);
	ck_assert_str_eq(v.repository, "keycloak/keycloak");
	ck_assert_str_eq(v.scanner_version, "0.66.0");
	ck_assert_int_eq(v.findings[0].status, OG_FIX_WONT_FIX);	/* wont-fix */
	ck_assert_int_eq(og_parse_rfc3339("2023-09-01T12:13:42Z", &t, &e), 0);
	ck_assert_int_eq(v.scanned_at, t);	/* 08:13:42.20194-04:00 */
	og_verdict_free(&v);

	su_load("sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a", &v);
	ck_assert_str_eq(v.repository, "alpine");
	ck_assert_str_eq(v.scanner_version, "");	/* the docs example has no Trivy block */
	og_verdict_free(&v);
}
END_TEST

START_TEST(test_repo_trivy)
{
	struct og_verdict v = { 0 };
	size_t c[OG_SEV_COUNT];
	int64_t t;
	og_error e = { 0 };

	ck_assert_int_eq(su_verdict("import", "--format", "trivy", su_repo("trivy-small.json"), NULL), 0);
	su_load(T_REPO, &v);
	ck_assert(og_verdict_has_digest(&v, T_ID));
	ck_assert_str_eq(v.repository, "registry.example:5000/team/app");
	su_counts(&v, c);
	ck_assert_uint_eq(c[OG_SEV_CRITICAL], 1);
	ck_assert_uint_eq(c[OG_SEV_HIGH], 1);
	ck_assert_uint_eq(c[OG_SEV_MEDIUM], 1);
	ck_assert_uint_eq(c[OG_SEV_LOW], 1);
	ck_assert_uint_eq(c[OG_SEV_UNKNOWN], 1);
	ck_assert_int_eq(v.findings[1].status, OG_FIX_NOT_FIXED);
	ck_assert_int_eq(v.findings[3].status, OG_FIX_WONT_FIX);
	ck_assert_str_eq(v.findings[4].id, "GHSA-xxxx-yyyy-zzzz");
	ck_assert_int_eq(v.findings[4].status, OG_FIX_FIXED);	/* no Status, a FixedVersion */
	ck_assert_int_eq(og_parse_rfc3339("2026-01-10T08:00:00Z", &t, &e), 0);
	ck_assert_int_eq(v.scanned_at, t);
	og_verdict_free(&v);
	su_load(T_ID, &v);
	og_verdict_free(&v);
}
END_TEST

START_TEST(test_repo_grype)
{
	struct og_verdict v = { 0 };
	const char *d[] = { G_ID, G_MAN, G_IDX };
	int64_t t;
	og_error e = { 0 };

	ck_assert_int_eq(su_verdict("import", su_repo("grype-small.json"), NULL), 0);
	for (int i = 0; i < 3; i++) {
		size_t c[OG_SEV_COUNT];

		su_load(d[i], &v);
		ck_assert_uint_eq(v.ndigests, 3);
		su_counts(&v, c);
		ck_assert_uint_eq(c[OG_SEV_CRITICAL], 1);
		ck_assert_uint_eq(c[OG_SEV_HIGH], 1);
		ck_assert_uint_eq(c[OG_SEV_LOW], 1);	/* Negligible */
		ck_assert_uint_eq(c[OG_SEV_UNKNOWN], 1);
		ck_assert_str_eq(v.findings[0].fixed, "3.0.1, 2.9.9");
		ck_assert_int_eq(v.findings[1].status, OG_FIX_NOT_FIXED);
		ck_assert_int_eq(v.findings[2].status, OG_FIX_WONT_FIX);
		ck_assert_int_eq(v.findings[3].status, OG_FIX_UNKNOWN);
		ck_assert_str_eq(v.repository, "example.org/lib/tool");
		ck_assert_str_eq(v.scanner, "grype");
		ck_assert_int_eq(og_parse_rfc3339("2026-01-11T14:30:00Z", &t, &e), 0);
		ck_assert_int_eq(v.scanned_at, t);
		og_verdict_free(&v);
	}
}
END_TEST

static int cache_exists(void)
{
	struct stat st;
	return stat(su_cache, &st) == 0;
}

START_TEST(test_no_digest_refused)
{
	og_error e = { 0 };
	struct og_verdict v = { 0 };
	og_buf b = { 0 };

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-no-digest.json"), NULL), 2);
	ck_assert_int_eq(su_verdict("import", su_repo("grype-directory.json"), NULL), 2);
	ck_assert(!cache_exists());
	ck_assert_int_eq(og_read_file(su_repo("trivy-no-digest.json"), OG_MAX_SCAN_REPORT_BYTES, &b, &e), 0);
	ck_assert_int_eq(og_verdict_import(b.data, b.len, OG_SCAN_FORMAT_AUTO, "r", 1, &v, &e), -1);
	ck_assert_msg(strstr(e.msg, "names no image digest") != NULL, "%s", e.msg);
	og_buf_free(&b);
}
END_TEST

static char *slurp(const char *path, size_t *len)
{
	og_buf b = { 0 };
	og_error e = { 0 };
	ck_assert_msg(og_read_file(path, OG_MAX_VERDICT_BYTES, &b, &e) == 0, "%s", e.msg);
	*len = b.len;
	return b.data;
}

START_TEST(test_bad_reports_leave_cache)
{
	char path[400], *before, *after, *orig;
	size_t blen, alen, olen;
	int fd;

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	before = slurp(su_cache_file(T_ID, 0), &blen);
	orig = slurp(su_repo("trivy-small.json"), &olen);

	snprintf(path, sizeof path, "%s/bad.json", su_tmp);
	/* malformed */
	su_write(path, "{\"SchemaVersion\": 2, \"Results\": [}");
	ck_assert_int_eq(su_verdict("import", path, NULL), 2);
	/* truncated */
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, orig, olen / 2), (ssize_t)(olen / 2));
	close(fd);
	ck_assert_int_eq(su_verdict("import", path, NULL), 2);
	/* duplicate key (the same report with a second "ArtifactName") */
	{
		char *dup = malloc(olen + 64);
		const char *k = "\"ArtifactName\"";
		char *at = strstr(orig, k);
		size_t pre = (size_t)(at - orig);
		memcpy(dup, orig, pre);
		strcpy(dup + pre, "\"ArtifactName\": \"evil\",\n  ");
		strcat(dup, orig + pre);
		su_write(path, dup);
		free(dup);
		ck_assert_int_eq(su_verdict("import", path, NULL), 2);
	}
	/* a bad digest */
	su_write(path, "{\"SchemaVersion\":2,\"Metadata\":{\"ImageID\":\"sha256:../../etc/passwd\"}}");
	ck_assert_int_eq(su_verdict("import", path, NULL), 2);
	/* oversized: one byte over the limit (sparse) */
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(ftruncate(fd, (off_t)OG_MAX_SCAN_REPORT_BYTES + 1), 0);
	close(fd);
	ck_assert_int_eq(su_verdict("import", path, NULL), 2);
	/* a good report for the same digest followed by a bad one: nothing written */
	{
		char good[400];
		snprintf(good, sizeof good, "%s/good.json", su_tmp);
		char *mod = strdup(orig);
		char *crit = strstr(mod, "\"CRITICAL\"");
		memcpy(crit, "\"LOW\"     ", 10);
		su_write(good, mod);
		free(mod);
		su_write(path, "not json");
		ck_assert_int_eq(su_verdict("import", good, path, NULL), 2);
	}
	after = slurp(su_cache_file(T_ID, 0), &alen);
	ck_assert_uint_eq(alen, blen);
	ck_assert(memcmp(before, after, blen) == 0);
	free(before);
	free(after);
	free(orig);
}
END_TEST

START_TEST(test_format_mismatch)
{
	ck_assert_int_eq(su_verdict("import", "--format", "grype", su_repo("trivy-small.json"), NULL), 2);
	ck_assert_int_eq(su_verdict("import", "--format", "syft", su_repo("trivy-small.json"), NULL), 2);
	ck_assert_int_eq(su_verdict("import", su_repo("openvex-small.json"), NULL), 2);
	ck_assert(!cache_exists());
}
END_TEST

START_TEST(test_cli_show_ls_gc)
{
	struct stat st;
	og_error e = { 0 };

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), su_repo("grype-small.json"), NULL), 0);
	ck_assert_int_eq(su_verdict("show", T_ID, NULL), 0);
	ck_assert_int_eq(su_verdict("show", "--format", "json", G_MAN, NULL), 0);
	ck_assert_int_eq(su_verdict("show", "sha256:0000000000000000000000000000000000000000000000000000000000000000", NULL), 1);
	ck_assert_int_eq(su_verdict("show", "../../etc/passwd", NULL), 2);
	ck_assert_int_eq(su_verdict("ls", NULL), 0);
	ck_assert_int_eq(su_verdict("gc", NULL), 2);	/* --older-than required */
	/* trivy-small scanned 2026-01-10T08:00Z, grype-small 2026-01-11T14:30Z */
	ck_assert_int_eq(og_parse_rfc3339("2026-02-10T00:00:00Z", &og_now_override, &e), 0);
	ck_assert_int_eq(su_verdict("gc", "--older-than", "30d", NULL), 0);
	ck_assert_int_ne(stat(su_cache_file(T_ID, 0), &st), 0);
	ck_assert_int_ne(stat(su_cache_file(T_REPO, 0), &st), 0);
	ck_assert_int_eq(stat(su_cache_file(G_ID, 0), &st), 0);
	ck_assert_int_eq(su_verdict("show", T_ID, NULL), 1);
	ck_assert_int_eq(su_verdict("gc", "--older-than", "1d", NULL), 0);
	ck_assert_int_ne(stat(su_cache_file(G_IDX, 0), &st), 0);
}
END_TEST

START_TEST(test_verdict_roundtrip_strict)
{
	struct og_verdict v = { 0 }, w = { 0 };
	og_error e = { 0 };
	char *s;
	size_t len;

	v.imported_at = v.scanned_at = 1767225600;
	ck_assert_int_eq(og_verdict_add_digest(&v, T_ID, "t", &e), 0);
	ck_assert_int_eq(og_verdict_add_digest(&v, T_ID, "t", &e), 0);	/* deduplicated */
	ck_assert_int_eq(og_verdict_add_digest(&v, "sha256:ABC", "t", &e), -1);
	ck_assert_int_eq(og_verdict_add_finding(&v, "CVE-1-2", "p\nq", "1", "2", OG_SEV_HIGH,
						OG_FIX_FIXED, "t", &e), 0);
	ck_assert_int_eq(og_verdict_add_finding(&v, "CVE 1", "p", "1", "2", OG_SEV_HIGH, OG_FIX_FIXED,
						"t", &e), -1);
	ck_assert_int_eq(og_verdict_set_str(&v.scanner, "trivy", 10, "t", &e), 0);
	s = og_verdict_dump(&v, &len);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(memchr(s, '\n', len));
	ck_assert_int_eq(og_verdict_load(s, len, "t", &w, &e), 0);
	ck_assert_uint_eq(w.ndigests, 1);
	ck_assert_str_eq(w.findings[0].pkg, "p\nq");
	ck_assert_str_eq(w.repository, "");
	og_verdict_free(&w);
	free(s);
	og_verdict_free(&v);
	/* unknown keys, wrong types, unknown severity */
	{
		const char *bad[] = {
			"{\"ocigate_verdict\":1,\"digests\":[\"" T_ID "\"],\"repository\":\"\",\"scanner\":\"\","
			"\"scanner_version\":\"\",\"scanned_at\":\"2026-01-01T00:00:00Z\",\"scan_time_source\":\"report\","
			"\"imported_at\":\"2026-01-01T00:00:00Z\",\"findings\":[],\"extra\":1}",
			"{\"ocigate_verdict\":1,\"digests\":[\"" T_ID "\"],\"repository\":\"\",\"scanner\":\"\","
			"\"scanner_version\":\"\",\"scanned_at\":\"2026-01-01T00:00:00Z\",\"scan_time_source\":\"report\","
			"\"imported_at\":\"2026-01-01T00:00:00Z\",\"findings\":[[\"CVE-1\",\"p\",\"1\",\"2\",\"severe\",\"fixed\"]]}",
			"{\"ocigate_verdict\":2,\"digests\":[\"" T_ID "\"]}",
			/* failing after digests/strings were copied: released, not leaked */
			"{\"ocigate_verdict\":1,\"digests\":[\"" T_ID "\",5]}",
			"{\"ocigate_verdict\":1,\"digests\":[\"" T_ID "\"],\"repository\":\"r\",\"scanner\":\"s\","
			"\"scanner_version\":\"v\",\"scanned_at\":\"yesterday\",\"scan_time_source\":\"report\","
			"\"imported_at\":\"2026-01-01T00:00:00Z\",\"findings\":[]}",
			"{\"ocigate_verdict\":1,\"digests\":[]}",
		};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			ck_assert_int_eq(og_verdict_load(bad[i], strlen(bad[i]), "t", &w, &e), -1);
	}
}
END_TEST

START_TEST(test_ref_name)
{
	char out[128];

	og_ref_name("registry:5000/a/b:tag@sha256:abc", out, sizeof out);
	ck_assert_str_eq(out, "registry:5000/a/b");
	og_ref_name("registry:5000/a/b", out, sizeof out);
	ck_assert_str_eq(out, "registry:5000/a/b");
	og_ref_name("alpine:latest", out, sizeof out);
	ck_assert_str_eq(out, "alpine");
	og_ref_name("", out, sizeof out);
	ck_assert_str_eq(out, "");
}
END_TEST

/* A Trivy report for digest, scanned at created (NULL: no CreatedAt), with
 * vulns (the body of a JSON array of findings). */
static void write_trivy(const char *path, const char *digest, const char *created, const char *vulns)
{
	char doc[4096], when[80] = "";

	if (created != NULL)
		snprintf(when, sizeof when, "\"CreatedAt\":\"%s\",", created);
	snprintf(doc, sizeof doc,
		 "{\"SchemaVersion\":2,%s\"ArtifactName\":\"example.org/app:1\",\"Metadata\":{\"ImageID\":\"%s\"},"
		 "\"Results\":[{\"Target\":\"t\",\"Vulnerabilities\":[%s]}]}",
		 when, digest, vulns);
	su_write(path, doc);
}

#define VULN(id, sev) "{\"VulnerabilityID\":\"" id "\",\"PkgName\":\"p\",\"Severity\":\"" sev "\"}"
#define GRYPE_HEAD "{\"source\":{\"type\":\"image\",\"target\":{\"imageID\":\"" G_ID "\"}},"

static int import_text(const char *text, struct og_verdict *v, og_error *e)
{
	return og_verdict_import(text, strlen(text), OG_SCAN_FORMAT_AUTO, "r.json", 1767225600, v, e);
}

/* Issue 17, defect 7: severities are matched in any case, for Trivy and
 * Grype; a word that is none of them is refused with its JSON path, never
 * counted as unknown (max.unknown is unlimited by default, so a "Critical"
 * counted as unknown passed a {critical: 0} policy). */
START_TEST(test_severity_spelling)
{
	struct og_verdict v = { 0 };
	struct og_scan_policy *p;
	struct og_findings r = { 0 };
	og_error e = { 0 };
	size_t c[OG_SEV_COUNT];
	char path[512];
	const char *grype = GRYPE_HEAD "\"matches\":["
		"{\"vulnerability\":{\"id\":\"CVE-1\",\"severity\":\"CRITICAL\"},\"artifact\":{}},"
		"{\"vulnerability\":{\"id\":\"CVE-2\",\"severity\":\"negligible\"},\"artifact\":{}},"
		"{\"vulnerability\":{\"id\":\"CVE-3\"},\"artifact\":{}}]}";

	snprintf(path, sizeof path, "%s/mixed.json", su_tmp);
	write_trivy(path, T_ID, "2026-01-10T00:00:00Z",
		    VULN("CVE-1", "Critical") "," VULN("CVE-2", "high") "," VULN("CVE-3", "Medium") ","
		    VULN("CVE-4", "lOw") "," VULN("CVE-5", "Unknown"));
	ck_assert_int_eq(su_verdict("import", path, NULL), 0);
	su_load(T_ID, &v);
	su_counts(&v, c);
	for (int s = 0; s < OG_SEV_COUNT; s++)
		ck_assert_msg(c[s] == 1, "%s: %zu", og_severity_name((enum og_severity)s), c[s]);
	og_verdict_free(&v);
	p = su_policy("{\"max\":{\"critical\":0}}");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_msg(strstr(r.items[0].message, "1 critical (max 0)") != NULL, "%s", r.items[0].message);
	og_findings_free(&r);
	og_scan_policy_free(p);

	ck_assert_msg(import_text(grype, &v, &e) == 0, "%s", e.msg);
	su_counts(&v, c);
	ck_assert_uint_eq(c[OG_SEV_CRITICAL], 1);
	ck_assert_uint_eq(c[OG_SEV_LOW], 1);		/* negligible */
	ck_assert_uint_eq(c[OG_SEV_UNKNOWN], 1);	/* no severity given */
	og_verdict_free(&v);

	write_trivy(path, T_ID, "2026-01-11T00:00:00Z", VULN("CVE-1", "HIGH") "," VULN("CVE-2", "Critcal"));
	ck_assert_int_eq(su_verdict("import", path, NULL), 2);
	{
		og_buf b = { 0 };
		ck_assert_int_eq(og_read_file(path, OG_MAX_SCAN_REPORT_BYTES, &b, &e), 0);
		ck_assert_int_eq(og_verdict_import(b.data, b.len, OG_SCAN_FORMAT_AUTO, "r.json", 1, &v, &e), -1);
		ck_assert_msg(strstr(e.msg, "r.json: $.Results[0].Vulnerabilities[1].Severity: \"Critcal\" is not a severity") != NULL,
			      "%s", e.msg);
		og_buf_free(&b);
	}
	su_load(T_ID, &v);	/* the refused report replaced nothing */
	ck_assert_str_eq(v.findings[0].id, "CVE-1");
	ck_assert_int_eq(v.findings[0].severity, OG_SEV_CRITICAL);
	og_verdict_free(&v);
	ck_assert_int_eq(import_text(GRYPE_HEAD "\"matches\":[{\"vulnerability\":{\"id\":\"CVE-1\",\"severity\":\"Severe\"},"
				     "\"artifact\":{}}]}", &v, &e), -1);
	ck_assert_msg(strstr(e.msg, "r.json: $.matches[0].vulnerability.severity: \"Severe\"") != NULL, "%s", e.msg);
}
END_TEST

/* Errors name the file, then the JSON path ("trivy.json: $.source: missing",
 * not "trivy.json.source: missing"). */
START_TEST(test_error_paths)
{
	struct og_verdict v = { 0 };
	og_error e = { 0 };
	const char *trivy_digest = "{\"SchemaVersion\":2,\"Results\":[],\"Metadata\":{\"RepoDigests\":[\"a@sha256:1\"]}}";

	ck_assert_int_eq(og_verdict_import("{\"matches\":[]}", 14, OG_SCAN_FORMAT_GRYPE, "trivy.json", 1, &v, &e), -1);
	ck_assert_str_eq(e.msg, "trivy.json: $.source: missing");
	ck_assert_int_eq(import_text("{\"SchemaVersion\":2,\"Results\":[{\"Vulnerabilities\":[{}]}]}", &v, &e), -1);
	ck_assert_str_eq(e.msg, "r.json: $.Results[0].Vulnerabilities[0].VulnerabilityID: missing");
	ck_assert_int_eq(import_text(trivy_digest, &v, &e), -1);
	ck_assert_msg(strstr(e.msg, "r.json: $.Metadata.RepoDigests[0]: \"sha256:1\" is not") != NULL, "%s", e.msg);
	ck_assert_int_eq(import_text(GRYPE_HEAD "\"matches\":[{\"vulnerability\":{}}]}", &v, &e), -1);
	ck_assert_str_eq(e.msg, "r.json: $.matches[0].artifact: missing");
}
END_TEST

/* Issue 17, defect 6: a report whose verdict the hook could not read (over
 * OG_MAX_VERDICT_BYTES) is refused, and the good verdict stays.  The report
 * is made here: 6000 findings with 1000-byte package fields, an 18 MB
 * verdict from a 19 MB report (under the 64 MiB report limit). */
START_TEST(test_oversized_verdict_refused)
{
	char path[512], field[1001];
	char *before, *after;
	size_t blen, alen;
	const char *err;
	FILE *f;

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	before = slurp(su_cache_file(T_ID, 0), &blen);
	memset(field, 'x', sizeof field - 1);
	field[sizeof field - 1] = '\0';
	snprintf(path, sizeof path, "%s/big.json", su_tmp);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"SchemaVersion\":2,\"CreatedAt\":\"2026-02-01T00:00:00Z\",\"Metadata\":{\"ImageID\":\"%s\"},"
		"\"Results\":[{\"Target\":\"t\",\"Vulnerabilities\":[", T_ID);
	for (int i = 0; i < 6000; i++)
		fprintf(f, "%s{\"VulnerabilityID\":\"CVE-2099-%d\",\"PkgName\":\"%s\",\"InstalledVersion\":\"%s\","
			"\"FixedVersion\":\"%s\",\"Severity\":\"LOW\"}", i ? "," : "", 10000 + i, field, field, field);
	fputs("]}]}", f);
	fclose(f);
	su_stderr_begin();
	ck_assert_int_eq(su_verdict("import", path, NULL), 2);
	err = su_stderr_end();
	ck_assert_msg(strstr(err, "big.json: its verdict (6000 findings): ") != NULL &&
		      strstr(err, "more than the 16777216 bytes the hook reads") != NULL, "%s", err);
	after = slurp(su_cache_file(T_ID, 0), &alen);
	ck_assert_uint_eq(alen, blen);
	ck_assert(memcmp(before, after, blen) == 0);
	free(before);
	free(after);
}
END_TEST

/* An older report after a newer one is refused (the cache, or an earlier
 * report of the same command, has a later scan), unless --force. */
START_TEST(test_older_report_refused)
{
	struct og_verdict v = { 0 };
	char older[512], undated[512], *before, *after;
	size_t blen, alen;
	int64_t t;
	og_error e = { 0 };

	snprintf(older, sizeof older, "%s/older.json", su_tmp);
	snprintf(undated, sizeof undated, "%s/undated.json", su_tmp);
	write_trivy(older, T_ID, "2026-01-01T00:00:00Z", VULN("CVE-1", "LOW"));
	write_trivy(undated, T_ID, NULL, VULN("CVE-2", "LOW"));

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);	/* 2026-01-10 */
	before = slurp(su_cache_file(T_ID, 0), &blen);
	ck_assert_int_eq(su_verdict("import", older, NULL), 2);
	after = slurp(su_cache_file(T_ID, 0), &alen);
	ck_assert(alen == blen && memcmp(before, after, blen) == 0);
	free(after);
	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);	/* the same scan again */
	ck_assert_int_eq(su_verdict("import", "--force", older, NULL), 0);
	su_load(T_ID, &v);
	ck_assert_int_eq(og_parse_rfc3339("2026-01-01T00:00:00Z", &t, &e), 0);
	ck_assert_int_eq(v.scanned_at, t);
	og_verdict_free(&v);
	/* Within one command: the older report after the newer one. */
	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), older, NULL), 2);
	su_load(T_ID, &v);
	ck_assert_int_eq(v.scanned_at, t);	/* nothing written */
	og_verdict_free(&v);
	/* A report without a scan time cannot be compared: it replaces, and
	 * says so; so does a dated report after it. */
	ck_assert_int_eq(su_verdict("import", undated, NULL), 0);
	su_load(T_ID, &v);
	ck_assert_int_eq(v.scan_time_from_import, 1);
	og_verdict_free(&v);
	ck_assert_int_eq(su_verdict("import", older, NULL), 0);
	free(before);
}
END_TEST

static int import_report(int i, void *arg)
{
	(void)arg;
	return su_verdict("import", su_nth("report", i), NULL);
}

/* Issue 17, defect 2: imports of one digest at once; whatever the order, the
 * newest scan is the one left (the writers' lock around read-compare-write). */
START_TEST(test_parallel_imports_newest_wins)
{
	struct og_verdict v = { 0 };
	og_error e = { 0 };
	char when[64];	/* room for any int: the -O1 build checks */
	int64_t newest;

	for (int round = 0; round < 2; round++) {
		unlink(su_cache_file(T_ID, 0));
		for (int i = 0; i < 20; i++) {
			snprintf(when, sizeof when, "2026-01-%02dT00:00:%02dZ", 10 + round, i);
			write_trivy(su_nth("report", i), T_ID, when, VULN("CVE-1", "LOW"));
		}
		ck_assert_int_lt(su_parallel(20, import_report, NULL), 20);
		su_load(T_ID, &v);
		ck_assert_int_eq(og_parse_rfc3339(when, &newest, &e), 0);
		ck_assert_msg(v.scanned_at == newest, "round %d: the verdict left is not the newest scan", round);
		og_verdict_free(&v);
	}
}
END_TEST

#define GC_DIGESTS 30

static const char *gc_digest(int i)
{
	static char d[GC_DIGESTS][72];

	snprintf(d[i], sizeof d[i], "sha256:%064x", 0x5000 + i);
	return d[i];
}

/* Child 0 runs gc; child i >= 1 imports a fresh report for gc_digest(i - 1). */
static int gc_or_import(int i, void *arg)
{
	(void)arg;
	if (i == 0)
		return su_verdict("gc", "--older-than", "30d", NULL);
	return import_report(i - 1, NULL);
}

/* Issue 17, defect 2: gc beside imports never removes a verdict imported
 * after it looked (it read the old one, then unlinked the new one). */
START_TEST(test_gc_beside_imports)
{
	char *vulns = malloc(3000 * 96);
	size_t off = 0;
	og_error e = { 0 };

	ck_assert_ptr_nonnull(vulns);
	/* Old verdicts with many findings: gc takes a while over each. */
	for (int k = 0; k < 3000; k++)
		off += (size_t)snprintf(vulns + off, 96, "%s" VULN("CVE-2099-%d", "LOW"), k ? "," : "", k);
	ck_assert_int_eq(og_parse_rfc3339("2026-01-11T00:00:00Z", &og_now_override, &e), 0);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < GC_DIGESTS; i++) {
			char *doc = malloc(off + 512);
			ck_assert_ptr_nonnull(doc);
			snprintf(doc, off + 512,
				 "{\"SchemaVersion\":2,\"CreatedAt\":\"2020-01-01T00:00:00Z\",\"Metadata\":{\"ImageID\":\"%s\"},"
				 "\"Results\":[{\"Target\":\"t\",\"Vulnerabilities\":[%s]}]}", gc_digest(i), vulns);
			su_write(su_nth("report", i), doc);
			free(doc);
			ck_assert_int_eq(su_verdict("import", "--force", su_nth("report", i), NULL), 0);
			write_trivy(su_nth("report", i), gc_digest(i), "2026-01-10T00:00:00Z", VULN("CVE-1", "LOW"));
		}
		ck_assert_int_eq(su_parallel(GC_DIGESTS + 1, gc_or_import, NULL), 0);
		for (int i = 0; i < GC_DIGESTS; i++) {
			struct stat st;
			ck_assert_msg(stat(su_cache_file(gc_digest(i), 0), &st) == 0,
				      "round %d: gc removed the verdict imported beside it for %s", round, gc_digest(i));
		}
	}
	free(vulns);
}
END_TEST

/* The import warns when the hook would refuse the cache it wrote to. */
START_TEST(test_untrusted_cache_warned)
{
	const char *err;

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	chmod(su_cache, 0777);
	su_stderr_begin();
	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	ck_assert_int_eq(su_verdict("vex", su_repo("openvex-small.json"), NULL), 0);
	err = su_stderr_end();
	ck_assert_msg(strstr(err, "import: warning: the hook will refuse what was written: verdict cache ") &&
		      strstr(err, "vex import: warning: the hook will refuse") &&
		      strstr(err, "group- or world-writable (mode 0777)"), "%s", err);
	chmod(su_cache, 0755);
	if (getuid() == OG_SCAN_CACHE_OWNER) {
		su_stderr_begin();
		ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
		err = su_stderr_end();
		ck_assert_msg(strstr(err, "warning") == NULL, "%s", err);
	}
}
END_TEST

/* A symbolic link in the cache is refused naming the cache. */
START_TEST(test_symlink_names_cache)
{
	char moved[512];
	const char *err;

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	snprintf(moved, sizeof moved, "%s/moved.json", su_tmp);
	ck_assert_int_eq(rename(su_cache_file(T_ID, 0), moved), 0);
	ck_assert_int_eq(symlink(moved, su_cache_file(T_ID, 0)), 0);
	su_stderr_begin();
	ck_assert_int_eq(su_verdict("show", T_ID, NULL), 2);
	err = su_stderr_end();
	ck_assert_msg(strstr(err, su_cache) != NULL && strstr(err, "symbolic link") != NULL, "%s", err);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("import");

	tcase_add_checked_fixture(tc, su_setup, su_teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_loop_test(tc, test_shared_fixture, 0, (int)(sizeof shared / sizeof shared[0]));
	tcase_add_test(tc, test_shared_fixture_details);
	tcase_add_test(tc, test_repo_trivy);
	tcase_add_test(tc, test_repo_grype);
	tcase_add_test(tc, test_no_digest_refused);
	tcase_add_test(tc, test_bad_reports_leave_cache);
	tcase_add_test(tc, test_format_mismatch);
	tcase_add_test(tc, test_cli_show_ls_gc);
	tcase_add_test(tc, test_verdict_roundtrip_strict);
	tcase_add_test(tc, test_ref_name);
	tcase_add_test(tc, test_severity_spelling);
	tcase_add_test(tc, test_error_paths);
	tcase_add_test(tc, test_oversized_verdict_refused);
	tcase_add_test(tc, test_older_report_refused);
	tcase_add_test(tc, test_parallel_imports_newest_wins);
	tcase_add_test(tc, test_gc_beside_imports);
	tcase_add_test(tc, test_untrusted_cache_warned);
	tcase_add_test(tc, test_symlink_names_cache);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
