/* `ocigate verdict import` and `ocigate verdict vex import`: fill the verdict
 * cache.  Both check every input and build every file before they replace
 * any, hold the cache's writer lock across read-compare-write, and refuse a
 * file the hook could not read. */
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/timeutil.h"
#include "verify/common/crypto_util.h"
#include "verify/scan/scan_cache.h"
#include "verify/scan/scan_sign.h"
#include "verify/scan/verdict.h"
#include "verify/scan/verdict_import.h"
#include "verify/scan/vex.h"
#include "hook/cmd/commands.h"
#include "hook/cmd/dispatch.h"
#include "hook/cmd/verdict_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD OG_VERDICT_CMD

static const struct option import_opts[] = {
	{ "format", required_argument, NULL, 'f' }, { "sign-key", required_argument, NULL, 'k' },
	{ "cache-dir", required_argument, NULL, 'C' }, { "policy", required_argument, NULL, 'P' },
	{ "force", no_argument, NULL, 'F' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
};

static const struct option vex_opts[] = {
	{ "sign-key", required_argument, NULL, 'k' }, { "cache-dir", required_argument, NULL, 'C' },
	{ "policy", required_argument, NULL, 'P' }, { "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct import_args {
	struct og_verdict_cli c;
	enum og_scan_format fmt;
	const char *sign_key;
	int force;
};

/* One report, checked, and the cache file it becomes. */
struct report {
	const char *path;
	struct og_verdict v;
	char *file;
	size_t len;
};

/* Returns -1 to go on with the reports from argv[optind], else the exit code. */
static int parse_import_args(int argc, char **argv, struct import_args *a)
{
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "f:k:C:P:Fh", import_opts, NULL)) != -1) {
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
		case 'F': a->force = 1; break;
		case 'h':
			printf("usage: ocigate verdict import [--format trivy|grype|auto] [--sign-key PRIV.pem]\n"
			       "         [--force] [--cache-dir DIR | --policy FILE] REPORT.json...\n"
			       "Import `trivy image -f json` or `grype -o json` reports into the verdict cache,\n"
			       "one file per image digest the report names. All reports are checked before any\n"
			       "is written; a refused report leaves the cache untouched. A report scanned\n"
			       "before the verdict it would replace is refused unless --force.\n");
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

/* Read and convert one report into its cache file; nothing is written yet. */
static int prepare_report(struct report *r, enum og_scan_format fmt, EVP_PKEY *key, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	og_cleanup_free char *payload = NULL;
	size_t plen = 0;

	if (og_read_file(r->path, OG_MAX_SCAN_REPORT_BYTES, &b, e) < 0 ||
	    og_verdict_import(b.data, b.len, fmt, r->path, og_now(), &r->v, e) < 0)
		return -1;
	payload = og_verdict_dump(&r->v, &plen);
	if (payload == NULL)
		return og_fail_errno(e, ENOMEM, "%s", r->path);
	if (og_scan_envelope(payload, plen, key, &r->file, &r->len, e) < 0)
		return og_wrap(e, "%s", r->path);
	if (og_scan_cache_fits(OG_CACHE_VERDICT, r->len, e) < 0)
		return og_wrap(e, "%s: its verdict (%zu findings)", r->path, r->v.nfindings);
	return 0;
}

static int refuse_older(const struct report *r, const char *digest, const struct og_verdict *newer,
			const char *where, og_error *e)
{
	char scanned[32], newer_scanned[32];

	og_format_rfc3339(r->v.scanned_at, scanned, sizeof scanned);
	og_format_rfc3339(newer->scanned_at, newer_scanned, sizeof newer_scanned);
	return og_fail(e, "%s: scanned %s, before the verdict for %s %s (scanned %s): an older scan "
		       "does not replace a newer one (--force replaces it)",
		       r->path, scanned, digest, where, newer_scanned);
}

/* Refuse report i when a verdict it would replace (in the cache, or from an
 * earlier report of this command) comes from a later scan.  Only report
 * times compare: an import time says nothing of when the scan ran. */
static int check_not_older(int cfd, const struct og_verdict_cli *c, const struct report *rs, size_t i,
			   og_error *e)
{
	const struct og_verdict *v = &rs[i].v;
	char where[PATH_MAX + 64];

	if (v->scan_time_from_import)
		return 0;
	for (size_t d = 0; d < v->ndigests; d++) {
		og_cleanup_verdict struct og_verdict old = { 0 };
		og_error unreadable = { 0 };	/* then nothing to compare: it is replaced */

		for (size_t j = 0; j < i; j++) {
			const struct og_verdict *w = &rs[j].v;
			if (!w->scan_time_from_import && w->scanned_at > v->scanned_at &&
			    og_verdict_has_digest(w, v->digests[d])) {
				snprintf(where, sizeof where, "from %s", rs[j].path);
				return refuse_older(&rs[i], v->digests[d], w, where, e);
			}
		}
		if (og_verdict_cli_read(cfd, v->digests[d], &old, NULL, &unreadable) == 0 &&
		    !old.scan_time_from_import && old.scanned_at > v->scanned_at) {
			snprintf(where, sizeof where, "in %s", c->dir);
			return refuse_older(&rs[i], v->digests[d], &old, where, e);
		}
	}
	return 0;
}

/* File report r under each digest it names, then say what was filed. */
static int write_report(int cfd, const struct og_verdict_cli *c, const struct report *r, int is_signed,
			og_error *e)
{
	const struct og_verdict *v = &r->v;
	char repo[120], scanner[60];

	for (size_t d = 0; d < v->ndigests; d++)
		if (og_scan_cache_write(cfd, OG_CACHE_VERDICT, v->digests[d], r->file, r->len, e) < 0)
			return og_wrap(e, "verdict cache %s", c->dir);
	printf("%s: %s %s, %zu digest(s), %zu finding(s): ", r->path,
	       og_scan_clean(v->scanner, scanner, sizeof scanner),
	       og_scan_clean(v->repository, repo, sizeof repo), v->ndigests, v->nfindings);
	og_verdict_cli_print_counts(stdout, v);
	printf("%s%s\n", is_signed ? ", signed" : "",
	       v->scan_time_from_import ? ", no scan time in report (import time used)" : "");
	return 0;
}

/* Check and build every file, then lock, compare scan times, write. */
static int import_all(const struct import_args *a, struct report *rs, size_t n, EVP_PKEY *key,
		      og_error *e)
{
	og_cleanup_close int cfd = -1;
	int warned = 0;

	for (size_t i = 0; i < n; i++)
		if (prepare_report(&rs[i], a->fmt, key, e) < 0)
			return og_verdict_cli_err("import", e);
	cfd = og_verdict_cli_open(&a->c, 1, 1, "import");
	if (cfd < 0)
		return 2;
	for (size_t i = 0; i < n && !a->force; i++)
		if (check_not_older(cfd, &a->c, rs, i, e) < 0)
			return og_verdict_cli_err("import", e);
	for (size_t i = 0; i < n; i++)
		if (write_report(cfd, &a->c, &rs[i], key != NULL, e) < 0)
			return og_verdict_cli_err("import", e);
	for (size_t i = 0; i < n && !warned; i++)
		for (size_t d = 0; d < rs[i].v.ndigests && !warned; d++)
			warned = og_verdict_cli_warn_untrusted(&a->c, OG_CACHE_VERDICT, rs[i].v.digests[d],
							       "import");
	return 0;
}

int og_cmd_verdict_import(int argc, char **argv)
{
	struct import_args a = { .fmt = OG_SCAN_FORMAT_AUTO };
	og_cleanup(EVP_PKEY_free) EVP_PKEY *key = NULL;
	struct report *rs;
	og_error e = { 0 };
	size_t n;
	int rc;

	rc = parse_import_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	if (og_verdict_cli_resolve(&a.c, "import", 1) < 0)
		return 2;
	if (a.sign_key != NULL && og_scan_load_private_key(a.sign_key, &key, &e) < 0)
		return og_verdict_cli_err("import", &e);
	n = (size_t)(argc - optind);
	rs = calloc(n, sizeof *rs);
	if (rs == NULL)
		return fprintf(stderr, CMD " import: out of memory\n"), 2;
	for (size_t i = 0; i < n; i++)
		rs[i].path = argv[optind + (int)i];
	rc = import_all(&a, rs, n, key, &e);
	for (size_t i = 0; i < n; i++) {
		og_verdict_free(&rs[i].v);
		free(rs[i].file);
	}
	free(rs);
	return rc;
}

/* ---------------------------------------------------------------- VEX */

/* One digest's VEX file after the merge, ready to write. */
struct vex_file {
	const char *digest;	/* in one of the documents */
	char *file;
	size_t len;
};

/* The digest's statements: those cached, then every document's, merged in
 * order (a later statement replaces an earlier one), as the file to write. */
static int merge_digest(int cfd, const struct og_verdict_cli *c, const struct og_vex_doc *docs,
			size_t ndocs, EVP_PKEY *key, struct vex_file *out, og_error *e)
{
	og_cleanup_vex_set struct og_vex_set set = { 0 };
	og_cleanup_buf og_buf b = { 0 };
	og_cleanup_free char *payload = NULL;
	size_t plen = 0;
	int r = og_scan_cache_read(cfd, OG_CACHE_VEX, out->digest, 0, 0, OG_MAX_VEX_FILE_BYTES, &b, e);

	if (r < 0)
		return og_wrap(e, "verdict cache %s: VEX for %s (remove it to start over)", c->dir,
			       out->digest);
	if (r == 0) {
		const char *sig;
		size_t sl;
		if (og_scan_split(b.data, b.len, &plen, &sig, &sl, e) < 0 ||
		    og_vex_set_load(b.data, plen, "existing VEX file", out->digest, &set, e) < 0)
			return og_wrap(e, "verdict cache %s: %s (remove it to start over)", c->dir,
				       out->digest);
	} else {
		snprintf(set.digest, sizeof set.digest, "%s", out->digest);
	}
	for (size_t d = 0; d < ndocs; d++)
		for (size_t i = 0; i < docs[d].n; i++)
			if (strcmp(docs[d].items[i].digest, out->digest) == 0 &&
			    og_vex_set_merge(&set, &docs[d].items[i].stmt, e) < 0)
				return -1;
	payload = og_vex_set_dump(&set, &plen);
	if (payload == NULL)
		return og_fail_errno(e, ENOMEM, "VEX");
	if (og_scan_envelope(payload, plen, key, &out->file, &out->len, e) < 0)
		return -1;
	if (og_scan_cache_fits(OG_CACHE_VEX, out->len, e) < 0)
		return og_wrap(e, "the VEX file for %s (%zu statements)", out->digest, set.n);
	return 0;
}

/* The distinct digests the documents name, in order of first mention. */
static int collect_digests(const struct og_vex_doc *docs, size_t ndocs, struct vex_file **out,
			   size_t *n, og_error *e)
{
	size_t cap = 0;

	for (size_t d = 0; d < ndocs; d++)
		cap += docs[d].n;
	*out = calloc(cap ? cap : 1, sizeof **out);
	if (*out == NULL)
		return og_fail_errno(e, ENOMEM, "VEX");
	for (size_t d = 0; d < ndocs; d++)
		for (size_t i = 0; i < docs[d].n; i++) {
			size_t k;
			for (k = 0; k < *n && strcmp((*out)[k].digest, docs[d].items[i].digest) != 0; k++)
				;
			if (k == *n)
				(*out)[(*n)++].digest = docs[d].items[i].digest;
		}
	return 0;
}

/* "DOC: N statement(s) for M digest(s)" for each document. */
static void print_vex_summary(const char *const *paths, const struct og_vex_doc *docs, size_t ndocs,
			      int is_signed)
{
	for (size_t d = 0; d < ndocs; d++) {
		size_t ndig = 0;

		for (size_t k = 0; k < docs[d].n; k++) {
			size_t j;
			for (j = 0; j < k && strcmp(docs[d].items[j].digest, docs[d].items[k].digest) != 0; j++)
				;
			ndig += j == k;
		}
		printf("%s: %zu statement(s) for %zu digest(s)%s", paths[d], docs[d].n, ndig,
		       is_signed ? ", signed" : "");
		if (docs[d].skipped_products)
			printf("; %zu product(s) naming no digest skipped", docs[d].skipped_products);
		printf("\n");
	}
}

/* Lock, merge every digest's statements into its file, then write them all. */
static int vex_write_all(const struct og_verdict_cli *c, const struct og_vex_doc *docs, size_t ndocs,
			 EVP_PKEY *key, og_error *e)
{
	og_cleanup_close int cfd = -1;
	struct vex_file *files = NULL;
	size_t n = 0;
	int rc = 2;

	cfd = og_verdict_cli_open(c, 1, 1, "vex import");
	if (cfd < 0)
		return 2;
	if (collect_digests(docs, ndocs, &files, &n, e) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (merge_digest(cfd, c, docs, ndocs, key, &files[i], e) < 0)
			goto out;
	for (size_t i = 0; i < n; i++)
		if (og_scan_cache_write(cfd, OG_CACHE_VEX, files[i].digest, files[i].file, files[i].len, e) < 0) {
			og_wrap(e, "verdict cache %s", c->dir);
			goto out;
		}
	for (size_t i = 0; i < n && !og_verdict_cli_warn_untrusted(c, OG_CACHE_VEX, files[i].digest,
								      "vex import"); i++)
		;
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(files[i].file);
	free(files);
	return rc == 0 ? 0 : og_verdict_cli_err("vex import", e);
}

static const char vex_usage[] =
	"usage: ocigate verdict vex import [--sign-key PRIV.pem] [--cache-dir DIR | --policy FILE]\n"
	"         OPENVEX.json...\n"
	"Record OpenVEX statements whose product names an image digest (sha256:..,\n"
	"NAME@sha256:.., pkg:oci/NAME@sha256%3A..); not_affected and fixed suppress the\n"
	"vulnerability for that digest only. A later statement replaces an earlier one.\n"
	"All documents are checked before any statement is written.\n";

static int cmd_vex_import(int argc, char **argv)
{
	struct og_verdict_cli c = { 0 };
	const char *sign_key = NULL;
	og_cleanup(EVP_PKEY_free) EVP_PKEY *key = NULL;
	struct og_vex_doc *docs;
	og_error e = { 0 };
	int opt, rc = 0;
	size_t n;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "k:C:P:h", vex_opts, NULL)) != -1) {
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
	if (og_verdict_cli_resolve(&c, "vex import", 1) < 0)
		return 2;
	if (sign_key != NULL && og_scan_load_private_key(sign_key, &key, &e) < 0)
		return og_verdict_cli_err("vex import", &e);
	n = (size_t)(argc - optind);
	docs = calloc(n, sizeof *docs);
	if (docs == NULL)
		return fprintf(stderr, CMD " vex import: out of memory\n"), 2;
	for (size_t i = 0; i < n && rc == 0; i++) {
		og_cleanup_buf og_buf b = { 0 };
		const char *path = argv[optind + (int)i];

		if (og_read_file(path, OG_MAX_VEX_DOC_BYTES, &b, &e) < 0 ||
		    og_vex_parse_openvex(b.data, b.len, path, &docs[i], &e) < 0)
			rc = og_verdict_cli_err("vex import", &e);
	}
	if (rc == 0)
		rc = vex_write_all(&c, docs, n, key, &e);
	if (rc == 0)
		print_vex_summary((const char *const *)argv + optind, docs, n, key != NULL);
	for (size_t i = 0; i < n; i++)
		og_vex_doc_free(&docs[i]);
	free(docs);
	return rc;
}

int og_cmd_verdict_vex(int argc, char **argv)
{
	static const struct og_command subcommands[] = {
		{ "import", cmd_vex_import, NULL },
		{ NULL, NULL, NULL },
	};

	return og_dispatch(CMD " vex", vex_usage, subcommands, argc, argv);
}
