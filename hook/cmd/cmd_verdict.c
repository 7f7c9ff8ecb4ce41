/* `ocigate verdict show|ls|gc` and the `verdict` group's dispatch (import
 * and vex import are cmd_verdict_import.c): inspect and prune the scan
 * verdict cache the start-time check reads. */
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "hook/base/timeutil.h"
#include "verify/common/digest.h"
#include "verify/scan/scan_cache.h"
#include "verify/scan/scan_sign.h"
#include "verify/scan/verdict.h"
#include "verify/scan/vex.h"
#include "hook/cmd/commands.h"
#include "hook/cmd/dispatch.h"
#include "hook/cmd/verdict_cli.h"
#include "policy/policy.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CMD OG_VERDICT_CMD

static const struct option show_opts[] = {
	{ "format", required_argument, NULL, 'f' }, { "cache-dir", required_argument, NULL, 'C' },
	{ "policy", required_argument, NULL, 'P' }, { "older-than", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
};

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
	og_verdict_cli_print_counts(stdout, v);
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
static int parse_show_args(int argc, char **argv, struct og_verdict_cli *c, int *json, const char **digest)
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
static int read_vex(int cfd, const char *dir, const char *digest, struct og_vex_set *vex, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	const char *sig;
	size_t plen, sl;
	int r = og_scan_cache_read(cfd, OG_CACHE_VEX, digest, 0, 0, OG_MAX_VEX_FILE_BYTES, &b, e);

	if (r == 0 && og_scan_split(b.data, b.len, &plen, &sig, &sl, e) == 0 &&
	    og_vex_set_load(b.data, plen, "VEX", digest, vex, e) == 0)
		return 1;
	if (r != 1)
		fprintf(stderr, CMD " show: VEX for %s in %s unreadable: %s\n", digest, dir, e->msg);
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
	struct og_verdict_cli c = { 0 };
	og_cleanup_verdict struct og_verdict v = { 0 };
	og_cleanup_vex_set struct og_vex_set vex = { 0 };
	og_cleanup_close int cfd = -1;
	og_error e = { 0 };
	int json = 0, is_signed = 0, r, have_vex;
	const char *digest = NULL;

	r = parse_show_args(argc, argv, &c, &json, &digest);
	if (r >= 0)
		return r;
	if (og_verdict_cli_resolve(&c, "show", 0) < 0)
		return 2;
	cfd = og_verdict_cli_open(&c, 0, 0, "show");
	if (cfd == -2) {
		fprintf(stderr, CMD " show: no verdict for %s (no cache at %s)\n", digest, c.dir);
		return 1;
	}
	if (cfd < 0)
		return 2;
	r = og_verdict_cli_read(cfd, digest, &v, &is_signed, &e);
	if (r < 0)
		return og_wrap(&e, "verdict cache %s", c.dir), og_verdict_cli_err("show", &e);
	if (r == 1) {
		fprintf(stderr, CMD " show: no verdict for %s in %s\n", digest, c.dir);
		return 1;
	}
	have_vex = read_vex(cfd, c.dir, digest, &vex, &e);
	if (json)
		return show_json(&v, is_signed, have_vex ? &vex : NULL, &e);
	show_text(&v, is_signed, have_vex ? &vex : NULL);
	return 0;
}

struct walk {
	int cfd;
	const char *dir;
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
	if (og_verdict_cli_read(w->cfd, digest, &v, NULL, &e) != 0) {
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
			fprintf(stderr, CMD " gc: verdict cache %s: %s\n", w->dir, e.msg);
			return -1;
		}
		w->removed++;
		printf("removed %s (scanned %s)\n", digest, when);
		return 0;
	}
	printf("%s  %s  %s %s  %s%s  ", digest,
	       og_scan_clean(v.repository[0] ? v.repository : "-", repo, sizeof repo),
	       og_scan_clean(v.scanner, sc, sizeof sc), og_scan_clean(v.scanner_version, ver, sizeof ver), when,
	       v.scan_time_from_import ? " (import time: the report had none)" : "");
	og_verdict_cli_print_counts(stdout, &v);
	printf("\n");
	return 0;
}

static int cmd_walk(int argc, char **argv, int gc)
{
	const char *sub = gc ? "gc" : "ls";
	struct og_verdict_cli c = { 0 };
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
				return gc ? og_verdict_cli_err(sub, &e) : 2;
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
	if (og_verdict_cli_resolve(&c, sub, gc) < 0)
		return 2;
	w.dir = c.dir;
	w.cfd = og_verdict_cli_open(&c, 0, gc, sub);	/* gc writes: it takes the writers' lock */
	if (w.cfd == -2)
		return 0;	/* no cache: nothing to list or remove */
	if (w.cfd < 0)
		return 2;
	w.cutoff = og_now() - older;
	rc = og_scan_cache_foreach(w.cfd, OG_CACHE_VERDICT, walk_one, &w, &e);
	close(w.cfd);
	if (rc < 0)
		return e.set ? og_verdict_cli_err(sub, &e) : 2;
	if (gc)
		printf("%zu verdict file(s) removed of %zu\n", w.removed, w.n);
	if (w.bad)
		fprintf(stderr, CMD " %s: %zu unreadable verdict file(s)\n", sub, w.bad);
	return 0;
}

static const char usage_text[] =
	"usage: ocigate verdict import [--format trivy|grype|auto] [--sign-key KEY] [--force] REPORT...\n"
	"       ocigate verdict vex import [--sign-key KEY] OPENVEX...\n"
	"       ocigate verdict show [--format text|json] DIGEST\n"
	"       ocigate verdict ls\n"
	"       ocigate verdict gc --older-than DUR\n"
	"Every command takes --cache-dir DIR or --policy FILE (its scan.cache_dir;\n"
	"default " OG_DEFAULT_POLICY ", else " OG_SCAN_CACHE_DEFAULT ").\n";

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
		{ "import", og_cmd_verdict_import, NULL },
		{ "vex", og_cmd_verdict_vex, NULL },
		{ "show", cmd_show, NULL },
		{ "ls", cmd_ls, NULL },
		{ "gc", cmd_gc, NULL },
		{ NULL, NULL, NULL },
	};

	return og_dispatch(CMD, usage_text, subcommands, argc, argv);
}
