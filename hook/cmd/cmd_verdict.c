/* `ocigate verdict import|vex import|show|ls|gc`: fill and inspect the scan
 * verdict cache the start-time check reads. */
#include "hook/base/cleanup.h"
#include "verify/common/crypto_util.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "verify/scan/scan_cache.h"
#include "verify/scan/scan_policy.h"
#include "verify/scan/scan_sign.h"
#include "hook/base/timeutil.h"
#include "verify/scan/verdict.h"
#include "verify/scan/verdict_import.h"
#include "verify/scan/vex.h"
#include "verify/common/digest.h"
#include "hook/cmd/commands.h"
#include "hook/cmd/dispatch.h"
#include "policy/policy.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CMD "ocigate verdict"

OG_DEFINE_CLEANUP(struct og_scan_policy, og_scan_policy_free)

struct common {
	const char *cache_dir;
	const char *policy;
	char dir[PATH_MAX];
};

static int err2(const char *sub, const og_error *e)
{
	fprintf(stderr, CMD " %s: %s\n", sub, e->msg);
	return 2;
}

/* --cache-dir wins; else the policy's scan.cache_dir; else the default. */
static int resolve_cache(struct common *c, const char *sub)
{
	og_cleanup(og_scan_policy_free) struct og_scan_policy *p = NULL;
	json_auto_t *doc = NULL;
	og_error e = { 0 };
	const char *policy = c->policy;

	if (c->cache_dir != NULL) {
		if (c->cache_dir[0] != '/') {
			char cwd[PATH_MAX];
			if (getcwd(cwd, sizeof cwd) == NULL ||
			    snprintf(c->dir, sizeof c->dir, "%s/%s", cwd, c->cache_dir) >= (int)sizeof c->dir) {
				fprintf(stderr, CMD " %s: --cache-dir: path too long\n", sub);
				return -1;
			}
		} else {
			snprintf(c->dir, sizeof c->dir, "%s", c->cache_dir);
		}
		return 0;
	}
	if (policy == NULL && access(OG_DEFAULT_POLICY, F_OK) == 0)
		policy = OG_DEFAULT_POLICY;
	if (policy == NULL) {
		snprintf(c->dir, sizeof c->dir, "%s", OG_SCAN_CACHE_DEFAULT);
		return 0;
	}
	doc = og_policy_read_document(policy, &e);
	if (doc == NULL || og_scan_policy_parse(json_object_get(doc, "scan"), "$.scan", &p, &e) < 0) {
		if (doc != NULL)
			og_wrap(&e, "policy %s", policy);
		err2(sub, &e);
		return -1;
	}
	snprintf(c->dir, sizeof c->dir, "%s", p->cache_dir);
	return 0;
}

static int open_cache(const struct common *c, int create, const char *sub)
{
	og_error e = { 0 };
	int fd;

	if (create && og_mkdir_p(c->dir, 0755, &e) < 0)
		return err2(sub, &e), -1;
	fd = og_scan_cache_open(c->dir, 0, 0, &e);
	if (fd < 0) {
		if (!create && e.errnum == ENOENT)
			return -2;
		return err2(sub, &e), -1;
	}
	return fd;
}

static void count(const struct og_verdict *v, size_t counts[OG_SEV_COUNT])
{
	memset(counts, 0, OG_SEV_COUNT * sizeof counts[0]);
	for (size_t i = 0; i < v->nfindings; i++)
		if (v->findings[i].status != OG_FIX_NOT_AFFECTED)
			counts[v->findings[i].severity]++;
}

static void print_counts(FILE *out, const struct og_verdict *v)
{
	size_t c[OG_SEV_COUNT];

	count(v, c);
	fprintf(out, "critical %zu, high %zu, medium %zu, low %zu, unknown %zu", c[OG_SEV_CRITICAL],
		c[OG_SEV_HIGH], c[OG_SEV_MEDIUM], c[OG_SEV_LOW], c[OG_SEV_UNKNOWN]);
}

static const struct option import_opts[] = {
	{ "format", required_argument, NULL, 'f' }, { "sign-key", required_argument, NULL, 'k' },
	{ "cache-dir", required_argument, NULL, 'C' }, { "policy", required_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
};

struct import_args {
	struct common c;
	enum og_scan_format fmt;
	const char *sign_key;
};

/* Returns -1 to go on with the reports from argv[optind], else the exit code. */
static int parse_import_args(int argc, char **argv, struct import_args *a)
{
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "f:k:C:P:h", import_opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (strcmp(optarg, "trivy") == 0)
				a->fmt = OG_SCAN_FORMAT_TRIVY;
			else if (strcmp(optarg, "grype") == 0)
				a->fmt = OG_SCAN_FORMAT_GRYPE;
			else if (strcmp(optarg, "auto") == 0)
				a->fmt = OG_SCAN_FORMAT_AUTO;
			else {
				fprintf(stderr, CMD " import: --format must be trivy, grype or auto\n");
				return 2;
			}
			break;
		case 'k': a->sign_key = optarg; break;
		case 'C': a->c.cache_dir = optarg; break;
		case 'P': a->c.policy = optarg; break;
		case 'h':
			printf("usage: ocigate verdict import [--format trivy|grype|auto] [--sign-key PRIV.pem]\n"
			       "         [--cache-dir DIR | --policy FILE] REPORT.json...\n"
			       "Import `trivy image -f json` or `grype -o json` reports into the verdict cache,\n"
			       "one file per image digest the report names. All reports are checked before any\n"
			       "is written; a refused report leaves the cache untouched.\n");
			return 0;
		default: return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, CMD " import: no report given (see --help)\n");
		return 2;
	}
	return -1;
}

/* Read and convert one report; nothing is written yet. */
static int import_report(const char *path, enum og_scan_format fmt, struct og_verdict *v,
			 og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };

	if (og_read_file(path, OG_MAX_SCAN_REPORT_BYTES, &b, e) < 0 ||
	    og_verdict_import(b.data, b.len, fmt, path, og_now(), v, e) < 0)
		return err2("import", e);
	return 0;
}

/* File one verdict under each digest it names, then print what was filed. */
static int write_verdict(int cfd, const char *path, const struct og_verdict *v, EVP_PKEY *key,
			 og_error *e)
{
	og_cleanup_free char *payload = NULL, *file = NULL;
	size_t plen = 0, flen = 0;
	char repo[120];

	payload = og_verdict_dump(v, &plen);
	if (payload == NULL) {
		fprintf(stderr, CMD " import: out of memory\n");
		return 2;
	}
	if (og_scan_envelope(payload, plen, key, &file, &flen, e) < 0)
		return err2("import", e);
	for (size_t d = 0; d < v->ndigests; d++)
		if (og_scan_cache_write(cfd, OG_CACHE_VERDICT, v->digests[d], file, flen, e) < 0)
			return err2("import", e);
	printf("%s: %s %s, %zu digest(s), %zu finding(s): ", path, v->scanner,
	       og_scan_clean(v->repository, repo, sizeof repo), v->ndigests, v->nfindings);
	print_counts(stdout, v);
	printf("%s%s\n", key ? ", signed" : "",
	       v->scan_time_from_import ? ", no scan time in report (import time used)" : "");
	return 0;
}

static int cmd_import(int argc, char **argv)
{
	struct import_args a = { .fmt = OG_SCAN_FORMAT_AUTO };
	og_cleanup(EVP_PKEY_free) EVP_PKEY *key = NULL;
	og_cleanup_close int cfd = -1;
	struct og_verdict *vs = NULL;
	og_error e = { 0 };
	int n, rc;

	rc = parse_import_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	rc = 0;
	if (resolve_cache(&a.c, "import") < 0)
		return 2;
	if (a.sign_key != NULL && og_scan_load_private_key(a.sign_key, &key, &e) < 0)
		return err2("import", &e);
	n = argc - optind;
	vs = calloc((size_t)n, sizeof *vs);
	if (vs == NULL)
		return fprintf(stderr, CMD " import: out of memory\n"), 2;
	/* Every report is checked before the first is written. */
	for (int i = 0; i < n && rc == 0; i++)
		rc = import_report(argv[optind + i], a.fmt, &vs[i], &e);
	if (rc == 0 && (cfd = open_cache(&a.c, 1, "import")) < 0)
		rc = 2;
	for (int i = 0; i < n && rc == 0; i++)
		rc = write_verdict(cfd, argv[optind + i], &vs[i], key, &e);
	for (int i = 0; i < n; i++)
		og_verdict_free(&vs[i]);
	free(vs);
	return rc;
}

static int vex_write(int cfd, const char *digest, const struct og_vex_doc *doc, EVP_PKEY *key,
		     og_error *e)
{
	og_cleanup_vex_set struct og_vex_set set = { 0 };
	og_cleanup_buf og_buf b = { 0 };
	og_cleanup_free char *payload = NULL, *file = NULL;
	size_t plen = 0, flen = 0;
	int r = og_scan_cache_read(cfd, OG_CACHE_VEX, digest, 0, 0, OG_MAX_VEX_FILE_BYTES, &b, e);

	if (r < 0)
		return -1;
	if (r == 0) {
		const char *sig;
		size_t sl;
		if (og_scan_split(b.data, b.len, &plen, &sig, &sl, e) < 0 ||
		    og_vex_set_load(b.data, plen, "existing VEX file", digest, &set, e) < 0)
			return og_wrap(e, "%s (remove it to start over)", digest);
	} else {
		snprintf(set.digest, sizeof set.digest, "%s", digest);
	}
	for (size_t i = 0; i < doc->n; i++)
		if (strcmp(doc->items[i].digest, digest) == 0 &&
		    og_vex_set_merge(&set, &doc->items[i].stmt, e) < 0)
			return -1;
	payload = og_vex_set_dump(&set, &plen);
	if (payload == NULL)
		return og_fail_errno(e, ENOMEM, "VEX");
	if (og_scan_envelope(payload, plen, key, &file, &flen, e) < 0)
		return -1;
	return og_scan_cache_write(cfd, OG_CACHE_VEX, digest, file, flen, e);
}

static const char vex_usage[] =
	"usage: ocigate verdict vex import [--sign-key PRIV.pem] [--cache-dir DIR | --policy FILE]\n"
	"         OPENVEX.json...\n"
	"Record OpenVEX statements whose product names an image digest (sha256:..,\n"
	"NAME@sha256:.., pkg:oci/NAME@sha256%3A..); not_affected and fixed suppress the\n"
	"vulnerability for that digest only. A later statement replaces an earlier one.\n";

static int cmd_vex_import(int argc, char **argv)
{
	struct common c = { 0 };
	const char *sign_key = NULL;
	og_cleanup(EVP_PKEY_free) EVP_PKEY *key = NULL;
	og_cleanup_close int cfd = -1;
	og_error e = { 0 };
	int opt, rc = 0;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "k:C:P:h", import_opts, NULL)) != -1) {
		switch (opt) {
		case 'k': sign_key = optarg; break;
		case 'C': c.cache_dir = optarg; break;
		case 'P': c.policy = optarg; break;
		case 'h': fputs(vex_usage, stdout); return 0;
		default: return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, CMD " vex import: no document given (see --help)\n");
		return 2;
	}
	if (resolve_cache(&c, "vex import") < 0)
		return 2;
	if (sign_key != NULL && og_scan_load_private_key(sign_key, &key, &e) < 0)
		return err2("vex import", &e);
	for (int i = optind; i < argc && rc == 0; i++) {
		og_cleanup_vex_doc struct og_vex_doc doc = { 0 };
		og_cleanup_buf og_buf b = { 0 };
		size_t ndig = 0;

		if (og_read_file(argv[i], OG_MAX_VEX_DOC_BYTES, &b, &e) < 0 ||
		    og_vex_parse_openvex(b.data, b.len, argv[i], &doc, &e) < 0)
			return err2("vex import", &e);
		if (cfd < 0 && (cfd = open_cache(&c, 1, "vex import")) < 0)
			return 2;
		for (size_t k = 0; k < doc.n; k++) {
			size_t j;
			for (j = 0; j < k && strcmp(doc.items[j].digest, doc.items[k].digest) != 0; j++)
				;
			if (j < k)
				continue;	/* digest already written */
			ndig++;
			if (vex_write(cfd, doc.items[k].digest, &doc, key, &e) < 0)
				return err2("vex import", &e);
		}
		printf("%s: %zu statement(s) for %zu digest(s)%s", argv[i], doc.n, ndig, key ? ", signed" : "");
		if (doc.skipped_products)
			printf("; %zu product(s) naming no digest skipped", doc.skipped_products);
		printf("\n");
	}
	return rc;
}

static const struct option show_opts[] = {
	{ "format", required_argument, NULL, 'f' }, { "cache-dir", required_argument, NULL, 'C' },
	{ "policy", required_argument, NULL, 'P' }, { "older-than", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
};

/* Read a verdict without the start-time trust checks (inspection only). */
static int read_verdict(int cfd, const char *digest, struct og_verdict *v, int *signed_, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	const char *sig;
	size_t plen, sl;
	int r = og_scan_cache_read(cfd, OG_CACHE_VERDICT, digest, 0, 0, OG_MAX_VERDICT_BYTES, &b, e);

	if (r != 0)
		return r;
	if (og_scan_split(b.data, b.len, &plen, &sig, &sl, e) < 0 ||
	    og_verdict_load(b.data, plen, digest, v, e) < 0)
		return -1;
	if (signed_)
		*signed_ = sig != NULL;
	return 0;
}

static void show_text(const struct og_verdict *v, int is_signed, const struct og_vex_set *vex)
{
	char buf[OG_MAX_PKG_FIELD_BYTES + 4], b2[OG_MAX_PKG_FIELD_BYTES + 4], b3[200], when[32];

	for (size_t i = 0; i < v->ndigests; i++)
		printf("digest:     %s\n", v->digests[i]);
	printf("repository: %s\n", og_scan_clean(v->repository, buf, sizeof buf));
	printf("scanner:    %s %s\n", og_scan_clean(v->scanner, buf, sizeof buf),
	       og_scan_clean(v->scanner_version, b2, sizeof b2));
	og_format_rfc3339(v->scanned_at, when, sizeof when);
	printf("scanned at: %s%s\n", when, v->scan_time_from_import ? " (import time: report had none)" : "");
	og_format_rfc3339(v->imported_at, when, sizeof when);
	printf("imported:   %s\nsigned:     %s\ncounts:     ", when, is_signed ? "yes" : "no");
	print_counts(stdout, v);
	printf("\n");
	for (size_t i = 0; i < v->nfindings; i++) {
		const struct og_vuln_finding *f = &v->findings[i];
		printf("  %-8s %-20s %s %s", og_severity_name(f->severity), f->id,
		       og_scan_clean(f->pkg, buf, sizeof buf), og_scan_clean(f->installed, b2, sizeof b2));
		printf(" fixed: %s (%s)\n", f->fixed[0] ? og_scan_clean(f->fixed, buf, sizeof buf) : "-",
		       og_fix_status_name(f->status));
	}
	for (size_t i = 0; vex && i < vex->n; i++) {
		const struct og_vex_stmt *s = &vex->items[i];
		printf("  vex: %s %s by %s: %s", s->id, s->status, og_scan_clean(s->author, b3, sizeof b3),
		       og_scan_clean(s->justification, buf, sizeof buf));
		for (size_t k = 0; k < s->npackages; k++)
			printf("%s%s", k ? ", " : " (packages: ", og_scan_clean(s->packages[k], b2, sizeof b2));
		printf("%s\n", s->npackages ? ")" : "");
	}
}

/* Returns -1 to go on with *digest, else the exit code. */
static int parse_show_args(int argc, char **argv, struct common *c, int *json, const char **digest)
{
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "f:C:P:h", show_opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				*json = 1;
			else if (strcmp(optarg, "text") != 0)
				return fprintf(stderr, CMD " show: --format must be text or json\n"), 2;
			break;
		case 'C': c->cache_dir = optarg; break;
		case 'P': c->policy = optarg; break;
		case 'h':
			printf("usage: ocigate verdict show [--format text|json] [--cache-dir DIR | --policy FILE] DIGEST\n"
			       "Print the cached verdict (and VEX statements) for an image digest; exit 1 if none.\n");
			return 0;
		default: return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, CMD " show: expected one DIGEST (see --help)\n");
		return 2;
	}
	*digest = argv[optind];
	if (!og_digest_valid(*digest)) {
		fprintf(stderr, CMD " show: not a sha256:<64 lowercase hex> digest\n");
		return 2;
	}
	return -1;
}

/* The VEX statements for digest, if any: 1 when loaded into *vex. An
 * unreadable file is reported but does not stop the verdict being shown. */
static int read_vex(int cfd, const char *digest, struct og_vex_set *vex, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	const char *sig;
	size_t plen, sl;
	int r = og_scan_cache_read(cfd, OG_CACHE_VEX, digest, 0, 0, OG_MAX_VEX_FILE_BYTES, &b, e);

	if (r == 0 && og_scan_split(b.data, b.len, &plen, &sig, &sl, e) == 0 &&
	    og_vex_set_load(b.data, plen, "VEX", digest, vex, e) == 0)
		return 1;
	if (r != 1)
		fprintf(stderr, CMD " show: VEX for %s unreadable: %s\n", digest, e->msg);
	return 0;
}

static int show_json(const struct og_verdict *v, int is_signed, const struct og_vex_set *vex,
		     og_error *e)
{
	og_cleanup_free char *payload = NULL;
	json_auto_t *o = NULL;
	size_t plen = 0;
	char *s;

	payload = og_verdict_dump(v, &plen);
	o = payload ? og_json_parse(payload, plen, "verdict", e) : NULL;
	if (o == NULL)
		return fprintf(stderr, CMD " show: %s\n", payload ? e->msg : "out of memory"), 2;
	json_object_set_new(o, "signed", json_boolean(is_signed));
	if (vex != NULL) {
		og_cleanup_free char *vp = og_vex_set_dump(vex, &plen);
		json_t *vo = vp ? og_json_parse(vp, plen, "VEX", e) : NULL;
		if (vo != NULL)
			json_object_set_new(o, "vex",
					    json_incref(json_object_get(vo, "statements")));
		json_decref(vo);
	}
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	if (s == NULL)
		return fprintf(stderr, CMD " show: out of memory\n"), 2;
	printf("%s\n", s);
	free(s);
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	struct common c = { 0 };
	og_cleanup_verdict struct og_verdict v = { 0 };
	og_cleanup_vex_set struct og_vex_set vex = { 0 };
	og_cleanup_close int cfd = -1;
	og_error e = { 0 };
	int json = 0, is_signed = 0, r, have_vex;
	const char *digest = NULL;

	r = parse_show_args(argc, argv, &c, &json, &digest);
	if (r >= 0)
		return r;
	if (resolve_cache(&c, "show") < 0)
		return 2;
	cfd = open_cache(&c, 0, "show");
	if (cfd == -2) {
		fprintf(stderr, CMD " show: no verdict for %s (no cache at %s)\n", digest, c.dir);
		return 1;
	}
	if (cfd < 0)
		return 2;
	r = read_verdict(cfd, digest, &v, &is_signed, &e);
	if (r < 0)
		return err2("show", &e);
	if (r == 1) {
		fprintf(stderr, CMD " show: no verdict for %s in %s\n", digest, c.dir);
		return 1;
	}
	have_vex = read_vex(cfd, digest, &vex, &e);
	if (json)
		return show_json(&v, is_signed, have_vex ? &vex : NULL, &e);
	show_text(&v, is_signed, have_vex ? &vex : NULL);
	return 0;
}

struct walk {
	int cfd;
	int64_t cutoff;		/* gc: remove verdicts scanned before this */
	size_t n, removed, bad;
	int gc;
};

static int walk_one(const char *digest, void *arg)
{
	struct walk *w = arg;
	og_cleanup_verdict struct og_verdict v = { 0 };
	og_error e = { 0 };
	char repo[120], when[32], sc[60], ver[60];

	w->n++;
	if (read_verdict(w->cfd, digest, &v, NULL, &e) != 0) {
		w->bad++;
		if (!w->gc)
			printf("%s  (unreadable: %s)\n", digest, og_scan_clean(e.msg, repo, sizeof repo));
		return 0;
	}
	og_format_rfc3339(v.scanned_at, when, sizeof when);
	if (w->gc) {
		if (v.scanned_at >= w->cutoff)
			return 0;
		if (og_scan_cache_remove(w->cfd, OG_CACHE_VERDICT, digest, &e) < 0) {
			fprintf(stderr, CMD " gc: %s\n", e.msg);
			return -1;
		}
		w->removed++;
		printf("removed %s (scanned %s)\n", digest, when);
		return 0;
	}
	printf("%s  %s  %s %s  %s  ", digest, og_scan_clean(v.repository[0] ? v.repository : "-", repo, sizeof repo),
	       og_scan_clean(v.scanner, sc, sizeof sc), og_scan_clean(v.scanner_version, ver, sizeof ver), when);
	print_counts(stdout, &v);
	printf("\n");
	return 0;
}

static int cmd_walk(int argc, char **argv, int gc)
{
	const char *sub = gc ? "gc" : "ls";
	struct common c = { 0 };
	struct walk w = { .gc = gc };
	og_error e = { 0 };
	int64_t older = 0;
	int opt, rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "C:P:o:h", show_opts, NULL)) != -1) {
		switch (opt) {
		case 'C': c.cache_dir = optarg; break;
		case 'P': c.policy = optarg; break;
		case 'o':
			if (!gc || og_parse_duration(optarg, &older, &e) < 0)
				return gc ? err2(sub, &e) : 2;
			break;
		case 'h':
			if (gc)
				printf("usage: ocigate verdict gc --older-than DUR [--cache-dir DIR | --policy FILE]\n"
				       "Remove verdicts whose scan time is older than DUR (e.g. 30d).\n");
			else
				printf("usage: ocigate verdict ls [--cache-dir DIR | --policy FILE]\n"
				       "List cached verdicts: digest, repository, scanner, scan time, counts.\n");
			return 0;
		default: return 2;
		}
	}
	if (optind != argc || (gc && older == 0)) {
		fprintf(stderr, CMD " %s: %s (see --help)\n", sub,
			gc && older == 0 ? "--older-than DUR is required" : "unexpected argument");
		return 2;
	}
	if (resolve_cache(&c, sub) < 0)
		return 2;
	w.cfd = open_cache(&c, 0, sub);
	if (w.cfd == -2)
		return 0;	/* no cache: nothing to list or remove */
	if (w.cfd < 0)
		return 2;
	w.cutoff = og_now() - older;
	rc = og_scan_cache_foreach(w.cfd, OG_CACHE_VERDICT, walk_one, &w, &e);
	close(w.cfd);
	if (rc < 0)
		return e.set ? err2(sub, &e) : 2;
	if (gc)
		printf("%zu verdict file(s) removed of %zu\n", w.removed, w.n);
	if (w.bad)
		fprintf(stderr, CMD " %s: %zu unreadable verdict file(s)\n", sub, w.bad);
	return 0;
}

static const char usage_text[] =
	"usage: ocigate verdict import [--format trivy|grype|auto] [--sign-key KEY] REPORT...\n"
	"       ocigate verdict vex import [--sign-key KEY] OPENVEX...\n"
	"       ocigate verdict show [--format text|json] DIGEST\n"
	"       ocigate verdict ls\n"
	"       ocigate verdict gc --older-than DUR\n"
	"Every command takes --cache-dir DIR or --policy FILE (its scan.cache_dir;\n"
	"default " OG_DEFAULT_POLICY ", else " OG_SCAN_CACHE_DEFAULT ").\n";

static int cmd_vex(int argc, char **argv)
{
	static const struct og_command subcommands[] = {
		{ "import", cmd_vex_import, NULL },
		{ NULL, NULL, NULL },
	};

	return og_dispatch(CMD " vex", vex_usage, subcommands, argc, argv);
}

static int cmd_ls(int argc, char **argv)
{
	return cmd_walk(argc, argv, 0);
}

static int cmd_gc(int argc, char **argv)
{
	return cmd_walk(argc, argv, 1);
}

int og_cmd_verdict(int argc, char **argv)
{
	static const struct og_command subcommands[] = {
		{ "import", cmd_import, NULL },
		{ "vex", cmd_vex, NULL },
		{ "show", cmd_show, NULL },
		{ "ls", cmd_ls, NULL },
		{ "gc", cmd_gc, NULL },
		{ NULL, NULL, NULL },
	};

	return og_dispatch(CMD, usage_text, subcommands, argc, argv);
}
