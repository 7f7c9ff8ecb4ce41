/* The start-time check: thresholds after suppressions, stale verdicts,
 * exceptions before and after `until`, StrictModes, signed verdicts and
 * tamper detection, and concurrent rewrites seen whole by readers. */
#include "test_scan_util.h"
#include "verify/common/crypto_util.h"
#include "verify/scan/scan_sign.h"
#include "verify/scan/verdict_import.h"
#include "verify/scan/vex.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <sys/wait.h>

static void set_now(const char *ts)
{
	og_error e = { 0 };
	ck_assert_int_eq(og_parse_rfc3339(ts, &og_now_override, &e), 0);
}

/* trivy-small (T_ID): critical 1 (fixed), high 1 (affected, no fix), medium 1,
 * low 1 (will_not_fix), unknown 1; scanned 2026-01-10T08:00:00Z. */
START_TEST(test_thresholds)
{
	struct og_scan_policy *p;
	struct og_findings r = { 0 };
	const struct og_finding *f;

	set_now("2026-01-11T00:00:00Z");
	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);

	p = su_policy("{\"required\":true,\"max\":{\"critical\":0,\"high\":0}}");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	f = su_find(&r, "scan.severity");
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(strstr(f->message, "1 critical (max 0), 1 high (max 0)") != NULL, "%s", f->message);
	ck_assert_msg(strstr(f->message, "CVE-2099-0001, CVE-2099-0002") != NULL, "%s", f->message);
	ck_assert_ptr_null(strstr(f->message, "CVE-2099-0003"));	/* medium is unlimited */
	og_findings_free(&r);
	og_scan_policy_free(p);

	/* Same verdict under the repo digest. */
	p = su_policy("{\"max\":{\"critical\":1,\"high\":1,\"medium\":1,\"low\":1,\"unknown\":1}}");
	ck_assert_uint_eq(su_check(p, T_REPO, &r), 0);
	og_scan_policy_free(p);
	p = su_policy("{\"max\":{\"unknown\":0}}");
	ck_assert_uint_eq(su_check(p, T_REPO, &r), 1);
	ck_assert_msg(strstr(r.items[0].message, "1 unknown (max 0)") != NULL, "%s", r.items[0].message);
	og_findings_free(&r);
	og_scan_policy_free(p);

	/* ignore_unfixed: the affected high and the will_not_fix low no longer count. */
	p = su_policy("{\"ignore_unfixed\":true,\"max\":{\"high\":0,\"low\":0}}");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	og_scan_policy_free(p);
	p = su_policy("{\"ignore_unfixed\":true,\"max\":{\"critical\":0}}");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	og_findings_free(&r);
	og_scan_policy_free(p);
}
END_TEST

START_TEST(test_missing_verdict)
{
	struct og_scan_policy *p;
	struct og_findings r = { 0 };
	struct og_image img = { 0 };
	og_error e = { 0 };

	/* No cache at all. */
	p = su_policy("{\"required\":true}");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_ptr_nonnull(su_find(&r, "scan.verdict"));
	og_findings_free(&r);
	ck_assert_int_eq(su_verdict("import", su_repo("grype-small.json"), NULL), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_msg(strstr(r.items[0].message, "no scan verdict") != NULL, "%s", r.items[0].message);
	og_findings_free(&r);
	/* Grype: the index (repo) digest and the platform manifest digest both find it. */
	ck_assert_uint_eq(su_check(p, G_IDX, &r), 0);
	ck_assert_uint_eq(su_check(p, G_MAN, &r), 0);
	ck_assert_uint_eq(su_check(p, G_ID, &r), 0);
	/* An image without a digest. */
	snprintf(img.name, sizeof img.name, "busybox:latest");
	ck_assert_int_eq(og_scan_check(p, &img, &r, &e), 0);
	ck_assert_uint_eq(r.n, 1);
	og_findings_free(&r);
	og_scan_policy_free(p);

	/* Not required: a missing verdict is fine. */
	p = su_policy("{\"required\":false,\"max\":{\"critical\":0}}");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	ck_assert_uint_eq(su_check(p, G_MAN, &r), 1);	/* but an existing one is enforced */
	og_findings_free(&r);
	og_scan_policy_free(p);
	/* No section at all: nothing checked. */
	{
		struct og_scan_policy *q = NULL;
		ck_assert_int_eq(og_scan_policy_parse(NULL, "t", &q, &e), 0);
		ck_assert_uint_eq(su_check(q, T_ID, &r), 0);
		og_scan_policy_free(q);
	}
}
END_TEST

START_TEST(test_stale)
{
	struct og_scan_policy *p;
	struct og_findings r = { 0 };

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	p = su_policy("{\"required\":true,\"max_age\":\"7d\"}");
	set_now("2026-01-17T07:59:00Z");	/* 6d 23h 59m after the scan */
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	set_now("2026-01-17T08:00:01Z");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_ptr_nonnull(su_find(&r, "scan.stale"));
	ck_assert_msg(strstr(r.items[0].message, "is 7 days old (2026-01-10T08:00:00Z by trivy), "
				"older than max_age 7d") != NULL, "%s", r.items[0].message);
	og_findings_free(&r);
	set_now("2031-04-01T00:00:00Z");	/* staleness in days, not "46224h" */
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_msg(strstr(r.items[0].message, "is 1906 days old") != NULL, "%s", r.items[0].message);
	og_findings_free(&r);
	set_now("2026-01-09T00:00:00Z");	/* scan time a day in the future */
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_ptr_nonnull(su_find(&r, "scan.stale"));
	og_findings_free(&r);
	og_scan_policy_free(p);
}
END_TEST

START_TEST(test_exceptions)
{
	struct og_scan_policy *p;
	struct og_findings r = { 0 };
	const char *pol = "{\"max\":{\"critical\":0},\"exceptions\":["
			  "{\"id\":\"CVE-2099-0001\",\"until\":\"2026-03-31\",\"reason\":\"patched build pending\"}]}";

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	p = su_policy(pol);
	set_now("2026-03-31T23:59:59Z");	/* a bare date is valid through that day */
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	set_now("2026-04-01T00:00:00Z");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_msg(strstr(r.items[0].message, "exception for CVE-2099-0001 expired 2026-03-31") != NULL,
		      "%s", r.items[0].message);
	og_findings_free(&r);
	og_scan_policy_free(p);
}
END_TEST

START_TEST(test_policy_errors)
{
	const char *bad[] = {
		"{\"maximum\":{}}",
		"{\"max\":{\"severe\":0}}",
		"{\"max\":{\"critical\":-2}}",
		"{\"max_age\":\"7 days\"}",
		"{\"require_scan_time\":\"yes\"}",
		"{\"cache_dir\":\"relative/dir\"}",
		"{\"exceptions\":[{\"id\":\"CVE-1\",\"reason\":\"r\"}]}",
		"{\"exceptions\":[{\"id\":\"CVE-1\",\"until\":\"2026-01-01\",\"reason\":\"\"}]}",
		"{\"exceptions\":[{\"id\":\"CVE 1\",\"until\":\"2026-01-01\",\"reason\":\"r\"}]}",
		"{\"exceptions\":[{\"id\":\"CVE-1\",\"until\":\"soon\",\"reason\":\"r\"}]}",
		"{\"require_signed\":true}",
		"{\"signer_keys\":[\"/nonexistent/key.pem\"]}",
		"[]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct og_scan_policy *p = NULL;
		og_error e = { 0 };
		json_t *j = json_loads(bad[i], 0, NULL);
		ck_assert_int_eq(og_scan_policy_parse(j, "/etc/ocigate/policy.json", &p, &e), -1);
		ck_assert_msg(strstr(e.msg, "scan") != NULL, "%s", e.msg);
		json_decref(j);
	}
	{
		struct og_scan_policy *p = su_policy("{\"required\":true,\"max_age\":\"24h\",\"max\":{\"critical\":0},"
						     "\"exceptions\":[{\"id\":\"CVE-1\",\"until\":\"2020-01-01\",\"reason\":\"r\"}]}");
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		og_scan_policy_describe(p, m);
		fclose(m);
		ck_assert_msg(strstr(buf, "critical=0") && strstr(buf, "EXPIRED") && strstr(buf, "24h"), "%s", buf);
		free(buf);
		og_scan_policy_free(p);
	}
}
END_TEST

START_TEST(test_strict_modes)
{
	struct og_scan_policy *p;
	struct og_findings r = { 0 };
	char shard[512];

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	p = su_policy("{\"required\":true}");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);

	chmod(su_cache_file(T_ID, 0), 0666);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_msg(strstr(r.items[0].message, "group- or world-writable") != NULL, "%s", r.items[0].message);
	ck_assert_str_eq(r.items[0].rule, "scan.verdict");
	og_findings_free(&r);
	chmod(su_cache_file(T_ID, 0), 0644);

	snprintf(shard, sizeof shard, "%s/sha256/a1", su_cache);
	chmod(shard, 0775);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	og_findings_free(&r);
	chmod(shard, 0755);
	chmod(su_cache, 0757);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	og_findings_free(&r);
	chmod(su_cache, 0755);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);

	p->owner_uid = getuid() + 1000;	/* not owned by the expected owner */
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_msg(strstr(r.items[0].message, "owned by uid") != NULL, "%s", r.items[0].message);
	og_findings_free(&r);
	p->owner_uid = getuid();

	/* A symlinked verdict is refused, and a verdict copied under another
	 * digest's name does not vouch for that digest. */
	{
		char other[512], target[512];
		snprintf(target, sizeof target, "%s", su_cache_file(T_ID, 0));
		snprintf(other, sizeof other, "%s", su_cache_file(G_ID, 0));
		*strrchr(other, '/') = '\0';
		mkdir(other, 0755);
		ck_assert_int_eq(symlink(target, su_cache_file(G_ID, 0)), 0);
		ck_assert_uint_eq(su_check(p, G_ID, &r), 1);
		og_findings_free(&r);
		unlink(su_cache_file(G_ID, 0));
		ck_assert_int_eq(link(target, su_cache_file(G_ID, 0)), 0);
		ck_assert_uint_eq(su_check(p, G_ID, &r), 1);
		ck_assert_msg(strstr(r.items[0].message, "does not name") != NULL, "%s", r.items[0].message);
		og_findings_free(&r);
	}
	/* Corrupt file: a finding, not a crash or an operational error. */
	su_write(su_cache_file(T_ID, 0), "{\"ocigate_verdict\":1,\n");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_str_eq(r.items[0].rule, "scan.verdict");
	og_findings_free(&r);
	og_scan_policy_free(p);
}
END_TEST

static void write_key(EVP_PKEY *k, const char *path, int priv)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(priv ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) : PEM_write_PUBKEY(f, k), 1);
	fclose(f);
}

static void make_keys(const char *name, EVP_PKEY *k)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s.pem", su_tmp, name);
	write_key(k, path, 1);
	snprintf(path, sizeof path, "%s/%s.pub.pem", su_tmp, name);
	write_key(k, path, 0);
	EVP_PKEY_free(k);
}

static void signed_case(const char *alg)
{
	char priv[512], other[512], pol[1200];
	struct og_scan_policy *p;
	struct og_findings r = { 0 };
	og_buf b = { 0 };
	og_error e = { 0 };

	make_keys("signer", strcmp(alg, "ed25519") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
						      : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
	make_keys("other", EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
	snprintf(priv, sizeof priv, "%s/signer.pem", su_tmp);
	snprintf(other, sizeof other, "%s/other.pem", su_tmp);
	snprintf(pol, sizeof pol, "{\"required\":true,\"require_signed\":true,\"signer_keys\":[\"%s/signer.pub.pem\"]}",
		 su_tmp);
	p = su_policy(pol);

	/* Unsigned: refused. */
	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_msg(strstr(r.items[0].message, "not signed") != NULL, "%s", r.items[0].message);
	og_findings_free(&r);
	/* Signed by another key: refused. */
	ck_assert_int_eq(su_verdict("import", "--sign-key", other, su_repo("trivy-small.json"), NULL), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	og_findings_free(&r);
	/* Signed by the listed key: accepted under both digests. */
	ck_assert_int_eq(su_verdict("import", "--sign-key", priv, su_repo("trivy-small.json"), NULL), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	ck_assert_uint_eq(su_check(p, T_REPO, &r), 0);
	/* Tampered: one byte of the payload changed (a finding's severity). */
	ck_assert_int_eq(og_read_file(su_cache_file(T_ID, 0), OG_MAX_VERDICT_BYTES, &b, &e), 0);
	{
		char *crit = strstr(b.data, "\"critical\"");
		ck_assert_ptr_nonnull(crit);
		memcpy(crit, "\"criticaL\"", 10);
		su_write(su_cache_file(T_ID, 0), b.data);
	}
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_msg(strstr(r.items[0].message, "does not verify") != NULL, "%s", r.items[0].message);
	og_findings_free(&r);
	/* Signature line removed from a signed file, or garbage appended. */
	*strchr(b.data, '\n') = '\0';
	su_write(su_cache_file(T_ID, 0), b.data);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	og_findings_free(&r);
	og_buf_free(&b);
	og_scan_policy_free(p);
}

/* StrictModes does not stop at the cache directory: a cache inside a
 * world-writable, non-sticky directory can be swapped by rename there. */
START_TEST(test_strict_modes_above_the_cache)
{
	struct og_scan_policy *p;
	struct og_findings r = { 0 };
	char want[600], via[400];

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	p = su_policy("{\"required\":true}");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	ck_assert_int_eq(chmod(su_tmp, 0777), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	snprintf(want, sizeof want, "%s is group- or world-writable (mode 0777) and not sticky", su_tmp);
	ck_assert_msg(strstr(r.items[0].message, want) != NULL, "%s", r.items[0].message);
	ck_assert_str_eq(r.items[0].rule, "scan.verdict");
	og_findings_free(&r);
	/* sticky above the cache is fine (as /tmp) */
	ck_assert_int_eq(chmod(su_tmp, 01777), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	/* reached through a link, what it leads to is checked */
	ck_assert_int_eq(chmod(su_tmp, 0755), 0);
	snprintf(via, sizeof via, "%s/via", su_tmp);
	ck_assert_int_eq(symlink(".", via), 0);
	snprintf(p->cache_dir, sizeof p->cache_dir, "%s/cache", via);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	ck_assert_int_eq(chmod(su_tmp, 0775), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_msg(strstr(r.items[0].message, "group- or world-writable (mode 0775)") != NULL, "%s",
		      r.items[0].message);
	og_findings_free(&r);
	ck_assert_int_eq(chmod(su_tmp, 0755), 0);
	og_scan_policy_free(p);
}
END_TEST

START_TEST(test_signed_ed25519)
{
	signed_case("ed25519");
}
END_TEST

START_TEST(test_signed_p256)
{
	signed_case("p256");
}
END_TEST

START_TEST(test_sign_key_types)
{
	EVP_PKEY *k;
	og_error e = { 0 };
	char path[512];

	snprintf(path, sizeof path, "%s/rsa.pem", su_tmp);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	write_key(k, path, 0);
	EVP_PKEY_free(k);
	ck_assert_int_eq(og_scan_load_public_key(path, &k, &e), -1);
	ck_assert_msg(strstr(e.msg, "not accepted") != NULL, "%s", e.msg);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	write_key(k, path, 1);
	EVP_PKEY_free(k);
	ck_assert_int_eq(og_scan_load_private_key(path, &k, &e), -1);
	ck_assert_msg(strstr(e.msg, "only P-256") != NULL, "%s", e.msg);
	ck_assert_int_eq(su_verdict("import", "--sign-key", path, su_repo("trivy-small.json"), NULL), 2);
}
END_TEST

/* Two versions of one verdict (same digest): A has 1 critical, B 2 high.
 * Writers alternate imports; readers check that every read is whole. */
static void make_variant(const char *path, const char *sev1, const char *sev2)
{
	char doc[1024];
	snprintf(doc, sizeof doc,
		 "{\"SchemaVersion\":2,\"CreatedAt\":\"2026-01-10T00:00:00Z\",\"Metadata\":{\"ImageID\":\"%s\"},"
		 "\"Results\":[{\"Target\":\"t\",\"Vulnerabilities\":["
		 "{\"VulnerabilityID\":\"CVE-2099-1\",\"PkgName\":\"a\",\"Severity\":\"%s\"},"
		 "{\"VulnerabilityID\":\"CVE-2099-2\",\"PkgName\":\"b\",\"Severity\":\"%s\"}]}]}",
		 T_ID, sev1, sev2);
	su_write(path, doc);
}

START_TEST(test_concurrent_rewrites)
{
	char a[512], b[512];
	pid_t pids[6];
	int status, nreaders = 4, nwriters = 2;

	snprintf(a, sizeof a, "%s/a.json", su_tmp);
	snprintf(b, sizeof b, "%s/b.json", su_tmp);
	make_variant(a, "CRITICAL", "LOW");	/* A: 1 critical, 1 low */
	make_variant(b, "HIGH", "HIGH");	/* B: 2 high */
	ck_assert_int_eq(su_verdict("import", a, NULL), 0);
	for (int w = 0; w < nwriters; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			for (int i = 0; i < 150; i++)
				if (su_verdict("import", (i + w) % 2 ? a : b, NULL) != 0)
					_exit(1);
			_exit(0);
		}
	}
	for (int rd = 0; rd < nreaders; rd++) {
		pids[nwriters + rd] = fork();
		if (pids[nwriters + rd] == 0) {
			struct og_scan_policy *p = su_policy("{\"required\":true,\"max\":{\"critical\":0,\"high\":0,\"low\":0}}");
			size_t seen_a = 0, seen_b = 0;
			for (int i = 0; i < 1500; i++) {
				struct og_findings r = { 0 };
				if (su_check(p, T_ID, &r) != 1 || strcmp(r.items[0].rule, "scan.severity") != 0)
					_exit(2);
				if (strstr(r.items[0].message, "1 critical (max 0), 1 low (max 0)") != NULL)
					seen_a++;
				else if (strstr(r.items[0].message, "2 high (max 0)") != NULL &&
					 strstr(r.items[0].message, "critical") == NULL)
					seen_b++;
				else
					_exit(3);
				og_findings_free(&r);
			}
			og_scan_policy_free(p);
			_exit(seen_a + seen_b == 1500 ? 0 : 4);
		}
	}
	for (int i = 0; i < nwriters + nreaders; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d: status %d", i, status);
	}
}
END_TEST

/* A report without a scan time takes the import time; with
 * require_scan_time such a verdict is stale whatever its age. */
START_TEST(test_require_scan_time)
{
	struct og_scan_policy *p, *q;
	struct og_findings r = { 0 };
	char path[512];
	og_buf b = { 0 };
	og_error e = { 0 };

	ck_assert_int_eq(og_read_file(su_repo("trivy-small.json"), OG_MAX_SCAN_REPORT_BYTES, &b, &e), 0);
	snprintf(path, sizeof path, "%s/undated.json", su_tmp);
	{
		char *at = strstr(b.data, "\"CreatedAt\"");
		ck_assert_ptr_nonnull(at);
		memcpy(at, "\"CreatedBy\"", 11);	/* Trivy's key no longer there */
	}
	su_write(path, b.data);
	og_buf_free(&b);
	set_now("2026-01-10T08:00:00Z");
	ck_assert_int_eq(su_verdict("import", path, NULL), 0);
	p = su_policy("{\"required\":true,\"max_age\":\"7d\"}");
	q = su_policy("{\"required\":true,\"max_age\":\"7d\",\"require_scan_time\":true}");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);	/* import time: fresh */
	ck_assert_uint_eq(su_check(q, T_ID, &r), 1);
	ck_assert_ptr_nonnull(su_find(&r, "scan.stale"));
	ck_assert_msg(strstr(r.items[0].message, "has no scan time (the report gave none; imported "
				"2026-01-10T08:00:00Z) and the policy requires one (require_scan_time)") != NULL,
		      "%s", r.items[0].message);
	og_findings_free(&r);
	/* A dated report satisfies it. */
	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	ck_assert_uint_eq(su_check(q, T_ID, &r), 0);
	og_scan_policy_free(p);
	og_scan_policy_free(q);
}
END_TEST

/* Issue 17, defect 6: a cache file over the reader's limit is reported as too
 * large, not as untrustworthy. */
START_TEST(test_oversized_file_named)
{
	struct og_scan_policy *p;
	struct og_findings r = { 0 };

	ck_assert_int_eq(su_verdict("import", su_repo("trivy-small.json"), NULL), 0);
	ck_assert_int_eq(su_verdict("vex", su_repo("openvex-small.json"), NULL), 0);
	p = su_policy("{\"required\":true}");
	ck_assert_uint_eq(su_check(p, T_ID, &r), 0);
	ck_assert_int_eq(truncate(su_cache_file(T_ID, 1), (off_t)OG_MAX_VEX_FILE_BYTES + 1), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_str_eq(r.items[0].rule, "scan.verdict");
	ck_assert_msg(strstr(r.items[0].message, "VEX file for image example/app:1 (" T_ID ") in ") &&
		      strstr(r.items[0].message, " is too large to read (its statements not applied): vex/sha256/a1/") &&
		      strstr(r.items[0].message, "4194305 bytes, larger than the limit of 4194304 bytes"),
		      "%s", r.items[0].message);
	og_findings_free(&r);
	ck_assert_int_eq(truncate(su_cache_file(T_ID, 0), (off_t)OG_MAX_VERDICT_BYTES + 1), 0);
	ck_assert_uint_eq(su_check(p, T_ID, &r), 1);
	ck_assert_msg(strstr(r.items[0].message, " is too large to read: sha256/a1/") &&
		      !strstr(r.items[0].message, "cannot be trusted"), "%s", r.items[0].message);
	og_findings_free(&r);
	og_scan_policy_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("check");

	tcase_add_checked_fixture(tc, su_setup, su_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_thresholds);
	tcase_add_test(tc, test_missing_verdict);
	tcase_add_test(tc, test_stale);
	tcase_add_test(tc, test_exceptions);
	tcase_add_test(tc, test_policy_errors);
	tcase_add_test(tc, test_strict_modes);
	tcase_add_test(tc, test_strict_modes_above_the_cache);
	tcase_add_test(tc, test_signed_ed25519);
	tcase_add_test(tc, test_signed_p256);
	tcase_add_test(tc, test_sign_key_types);
	tcase_add_test(tc, test_concurrent_rewrites);
	tcase_add_test(tc, test_require_scan_time);
	tcase_add_test(tc, test_oversized_file_named);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
