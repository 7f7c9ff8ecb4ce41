/* Helpers shared by the scan verdict tests (test_verdict.c, test_scan.c,
 * test_vex.c): temporary caches, running the CLI, running the check. */
#ifndef OCIGATE_TEST_SCAN_UTIL_H
#define OCIGATE_TEST_SCAN_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "testutil.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "hook/base/findings.h"
#include "verify/scan/scan_cache.h"
#include "verify/scan/scan_policy.h"
#include "hook/base/timeutil.h"
#include "verify/scan/verdict.h"
#include "hook/cmd/commands.h"
#include "verify/scan/scan_check.h"

/* Digests of the repo's own fixtures (tests/fixtures/scanners). */
#define T_ID "sha256:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
#define T_REPO "sha256:a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2"
#define G_ID "sha256:b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"
#define G_MAN "sha256:b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
#define G_IDX "sha256:b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3"

static char su_tmp[256], su_cache[300];

static inline int su_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

static inline void su_setup(void)
{
	snprintf(su_tmp, sizeof su_tmp, "/tmp/ocigate-scan-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(su_tmp));
	chmod(su_tmp, 0755);
	snprintf(su_cache, sizeof su_cache, "%s/cache", su_tmp);
	og_now_override = 0;
}

static inline void su_teardown(void)
{
	nftw(su_tmp, su_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline const char *su_repo(const char *name)
{
	static char p[4][4200];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%.4095s/scanners/%.80s", tu_repo_fixtures(), name);
	return p[i];
}

static inline const char *su_shared(const char *name)
{
	static char p[4][4200];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%.4095s/scanners/%.80s", tu_shared_fixtures(), name);
	return p[i];
}

#define SU_SKIP_WITHOUT_SHARED()                                                              \
	do {                                                                                  \
		if (!tu_have_shared_fixtures()) {                                             \
			printf("SKIP %s: shared fixtures not found at %s\n", __func__,        \
			       tu_shared_fixtures());                                         \
			return;                                                               \
		}                                                                             \
	} while (0)

/* Run `ocigate verdict ARGS... ` with --cache-dir su_cache inserted after the
 * subcommand words (NULL-terminated list). */
static inline int su_verdict(const char *first, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	const char *a;

	argv[argc++] = (char *)"verdict";
	argv[argc++] = (char *)first;
	if (strcmp(first, "vex") == 0)
		argv[argc++] = (char *)"import";
	argv[argc++] = (char *)"--cache-dir";
	argv[argc++] = su_cache;
	va_start(ap, first);
	while ((a = va_arg(ap, const char *)) != NULL && argc < 31)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	return og_cmd_verdict(argc, argv);
}

/* A policy from a JSON "scan" section, cache dir forced to su_cache, owner
 * the test's own uid. */
static inline struct og_scan_policy *su_policy(const char *scan_json)
{
	struct og_scan_policy *p = NULL;
	og_error e = { 0 };
	json_t *j = og_json_parse(scan_json, strlen(scan_json), "test policy", &e);

	ck_assert_msg(j != NULL, "%s", e.msg);
	ck_assert_msg(og_scan_policy_parse(j, "test", &p, &e) == 0, "%s", e.msg);
	json_decref(j);
	snprintf(p->cache_dir, sizeof p->cache_dir, "%s", su_cache);
	p->owner_uid = getuid();
	return p;
}

/* Run the check on digest; returns the number of findings; rules joined. */
static inline size_t su_check(const struct og_scan_policy *p, const char *digest, struct og_findings *r)
{
	struct og_image img = { 0 };
	og_error e = { 0 };

	snprintf(img.name, sizeof img.name, "example/app:1");
	snprintf(img.digest, sizeof img.digest, "%s", digest);
	img.kind = OG_DIGEST_CONFIG;
	ck_assert_msg(og_scan_check(p, &img, r, &e) == 0, "%s", e.msg);
	return r->n;
}

static inline const struct og_finding *su_find(const struct og_findings *r, const char *rule)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->items[i].rule, rule) == 0)
			return &r->items[i];
	return NULL;
}

/* Load the cached verdict for digest (no trust checks: inspection). */
static inline void su_load(const char *digest, struct og_verdict *v)
{
	og_error e = { 0 };
	og_buf b = { 0 };
	int fd = og_scan_cache_open(su_cache, 0, 0, &e);
	int r;

	ck_assert_msg(fd >= 0, "%s", e.msg);
	r = og_scan_cache_read(fd, OG_CACHE_VERDICT, digest, 0, 0, OG_MAX_VERDICT_BYTES, &b, &e);
	close(fd);
	ck_assert_msg(r == 0, "no verdict for %s (%s)", digest, e.msg);
	ck_assert_msg(og_verdict_load(b.data, (size_t)(strchr(b.data, '\n') - b.data), digest, v, &e) == 0,
		      "%s", e.msg);
	og_buf_free(&b);
}

static inline void su_counts(const struct og_verdict *v, size_t c[OG_SEV_COUNT])
{
	memset(c, 0, OG_SEV_COUNT * sizeof c[0]);
	for (size_t i = 0; i < v->nfindings; i++)
		c[v->findings[i].severity]++;
}

static inline void su_write(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	fclose(f);
}

/* su_tmp/STEM-NN.json: the i-th input of a parallel test. */
static inline const char *su_nth(const char *stem, int i)
{
	static char path[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%.40s-%02d.json", su_tmp, stem, i);
	return path[k];
}

/* Run fn(0..n-1, arg) in n child processes released at the same moment (all
 * block on a pipe the parent then closes), stdout and stderr on /dev/null:
 * writers racing for real.  Returns how many children failed. */
static inline int su_parallel(int n, int (*fn)(int i, void *arg), void *arg)
{
	pid_t pids[64];
	int gate[2], failed = 0;

	ck_assert_int_le(n, 64);
	ck_assert_int_eq(pipe(gate), 0);
	fflush(NULL);
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			int null = open("/dev/null", O_WRONLY);
			char c;

			close(gate[1]);
			dup2(null, 1);
			dup2(null, 2);
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(fn(i, arg) == 0 ? 0 : 1);
		}
	}
	close(gate[0]);
	close(gate[1]);	/* go */
	for (int i = 0; i < n; i++) {
		int st;
		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	}
	return failed;
}

/* What the CLI says on stderr: su_stderr_begin() before, su_stderr_end()
 * after (the text, in a static buffer). */
static int su_saved_stderr = -1;

static inline void su_stderr_begin(void)
{
	char path[400];
	int fd;

	snprintf(path, sizeof path, "%s/stderr.txt", su_tmp);
	fflush(stderr);
	su_saved_stderr = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, 2);
	close(fd);
}

static inline const char *su_stderr_end(void)
{
	static char text[8192];
	char path[400];
	ssize_t n;
	int fd;

	fflush(stderr);
	dup2(su_saved_stderr, 2);
	close(su_saved_stderr);
	snprintf(path, sizeof path, "%s/stderr.txt", su_tmp);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, text, sizeof text - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return text;
}

/* Path of the cache file for digest. */
static inline const char *su_cache_file(const char *digest, int vex)
{
	static char p[512];
	snprintf(p, sizeof p, "%s/%s/%.2s/%s.json", su_cache, vex ? "vex/sha256" : "sha256", digest + 7,
		 digest + 7);
	return p;
}

#endif
