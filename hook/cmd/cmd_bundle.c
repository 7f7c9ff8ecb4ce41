/* `ocigate bundle create|push|pull|status`: the trust bundle
 * (docs/trust-bundle.md).  create and push run in CI; pull and status on
 * every node. */
#include "hook/base/cleanup.h"
#include "hook/base/log.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"
#include "hook/cmd/commands.h"
#include "hook/cmd/dispatch.h"
#include "hook/cmd/trust_cli.h"
#include "hook/delivery/bundle_create.h"
#include "hook/delivery/bundle_oci.h"
#include "hook/delivery/bundle_pull.h"
#include "hook/delivery/registry.h"
#include "hook/delivery/ustar.h"
#include "policy/bundle_policy.h"
#include "policy/policy.h"
#include "verify/trust/bundle_layout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define CMD "ocigate bundle"
#define MAX_KEYS 16
#define MAX_REPORTS 4096

/* Registry options shared by push and pull (the names skopeo uses). */
#define REG_LONGOPTS                                              \
	{ "tls-verify", required_argument, NULL, 'V' },           \
	{ "authfile", required_argument, NULL, 'A' },             \
	{ "cert-dir", required_argument, NULL, 'C' },             \
	{ "timeout", required_argument, NULL, 'O' }
#define REG_USAGE                                                                        \
	"  --tls-verify=false     plain HTTP or an unverified certificate\n"              \
	"  --authfile FILE        containers-auth.json(5) credentials\n"                   \
	"  --cert-dir DIR         containers-certs.d(5) style CA directory\n"              \
	"  --timeout DURATION     deadline of each registry operation (default 30s)\n"

static int reg_option(struct og_registry_opts *r, int c, const char *arg)
{
	char *end;
	long v;

	switch (c) {
	case 'V':
		if (strcmp(arg, "true") != 0 && strcmp(arg, "false") != 0) {
			fprintf(stderr, CMD ": --tls-verify: true or false\n");
			return -1;
		}
		r->tls_verify = strcmp(arg, "true") == 0;
		return 1;
	case 'A': r->authfile = arg; return 1;
	case 'C': r->cert_dir = arg; return 1;
	case 'O': {
		int64_t sec = 0;
		og_error e = { 0 };

		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno == 0 && *end == '\0')
			sec = v;
		else if (og_parse_duration(arg, &sec, &e) < 0)
			sec = 0;
		if (sec < 1 || sec > 3600) {
			fprintf(stderr, CMD ": --timeout: a duration (\"30s\", or seconds) from 1s to 1h\n");
			return -1;
		}
		r->timeout_ms = (int)sec * 1000;
		return 1;
	}
	default: return 0;
	}
}

static int absolute(const char *path, char out[PATH_MAX])
{
	if (path[0] == '/')
		return og_bfmt(out, PATH_MAX, "%s", path) < PATH_MAX ? 0 : -1;
	if (getcwd(out, PATH_MAX) == NULL)
		return -1;
	return og_bfmt(out + strlen(out), PATH_MAX - strlen(out), "/%s", path) < (int)(PATH_MAX - strlen(out)) ? 0 : -1;
}

/* ----------------------------------------------------------------- create */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* `verdict import --cache-dir CACHE REPORT...` for every *.json in dir:
 * the same code as on a node. */
static int import_reports(const char *dir, const char *cache)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *argv[MAX_REPORTS + 8];
	int argc = 0, nrep = 0, rc;

	if (d == NULL) {
		fprintf(stderr, CMD " create: --reports %s: %s\n", dir, strerror(errno));
		return 2;
	}
	argv[argc++] = (char *)"import";
	argv[argc++] = (char *)"--cache-dir";
	argv[argc++] = (char *)cache;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 || de->d_name[0] == '.')
			continue;
		if (nrep == MAX_REPORTS) {
			fprintf(stderr, CMD " create: --reports: more than %d reports\n", MAX_REPORTS);
			closedir(d);
			return 2;
		}
		if (asprintf(&argv[argc], "%s/%s", dir, de->d_name) < 0) {
			closedir(d);
			return 2;
		}
		argc++;
		nrep++;
	}
	closedir(d);
	if (nrep == 0) {
		fprintf(stderr, CMD " create: --reports %s: no *.json report\n", dir);
		return 2;
	}
	qsort(argv + 3, (size_t)nrep, sizeof *argv, cmp_str);
	argv[argc] = NULL;
	rc = og_cmd_verdict_import(argc, argv);
	for (int i = 3; i < argc; i++)
		free(argv[i]);
	return rc;
}

#define MAX_SIG_REFS 256

/* `sig fetch --signatures-dir DIR [registry options] REF...`: H2's fetch,
 * filing as `sig add` does, into the directory the bundle takes. */
static int fetch_signatures(const char *dir, char *const *refs, int nrefs, char *const *regargs, int nreg)
{
	char *argv[MAX_SIG_REFS + 16];
	int argc = 0;

	argv[argc++] = (char *)"fetch";
	argv[argc++] = (char *)"--signatures-dir";
	argv[argc++] = (char *)dir;
	for (int i = 0; i < nreg; i++)
		argv[argc++] = regargs[i];
	for (int i = 0; i < nrefs; i++)
		argv[argc++] = refs[i];
	argv[argc] = NULL;
	return og_cmd_sig_fetch(argc, argv);
}

static void remove_dir(const char *path)
{
	og_cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	og_error ignored = { 0 };

	if (fd >= 0)
		(void)og_ustar_empty_dir(fd, &ignored);
	rmdir(path);
}

static int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },	   { "version", required_argument, NULL, 'v' },
		{ "expires", required_argument, NULL, 'e' },	   { "key", required_argument, NULL, 'k' },
		{ "trust-store", required_argument, NULL, 't' },  { "signatures-dir", required_argument, NULL, 's' },
		{ "verdicts-dir", required_argument, NULL, 'd' }, { "reports", required_argument, NULL, 'r' },
		{ "signatures-of", required_argument, NULL, 'S' }, REG_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },		   { NULL, 0, NULL, 0 },
	};
	const char *keys[MAX_KEYS], *reports = NULL;
	char *refs[MAX_SIG_REFS], *regargs[8], sigtmp[] = "/tmp/ocigate-bundle-sigs-XXXXXX";
	int nrefs = 0, nreg = 0;
	struct og_bundle_create_opts o = { .keys = keys };
	struct og_bundle_descriptor d;
	og_error e = { 0 };
	char tmp[] = "/tmp/ocigate-bundle-XXXXXX", cache[64] = "", *end;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o.out = optarg; break;
		case 'v':
			errno = 0;
			o.version = strtoll(optarg, &end, 10);
			if (errno || *end || o.version < 1) {
				fprintf(stderr, CMD " create: --version: a positive integer\n");
				return 2;
			}
			break;
		case 'e':
			if (og_parse_duration(optarg, &o.lifetime, &e) < 0) {
				fprintf(stderr, CMD " create: --expires: %s\n", e.msg);
				return 2;
			}
			break;
		case 'k':
			if (o.nkeys == MAX_KEYS) {
				fprintf(stderr, CMD " create: more than %d --key\n", MAX_KEYS);
				return 2;
			}
			keys[o.nkeys++] = optarg;
			break;
		case 't': o.trust_store = optarg; break;
		case 's': o.signatures_dir = optarg; break;
		case 'd': o.verdicts_dir = optarg; break;
		case 'r': reports = optarg; break;
		case 'S':
			if (nrefs == MAX_SIG_REFS) {
				fprintf(stderr, CMD " create: more than %d --signatures-of\n", MAX_SIG_REFS);
				return 2;
			}
			refs[nrefs++] = optarg;
			break;
		case 'V': case 'A': case 'C': case 'O':
			if (nreg + 2 > (int)(sizeof regargs / sizeof regargs[0]))
				return 2;
			regargs[nreg++] = (char *)(c == 'V' ? "--tls-verify" : c == 'A' ? "--authfile"
						   : c == 'C' ? "--cert-dir" : "--timeout");
			regargs[nreg++] = optarg;
			break;
		case 'h':
			printf("usage: " CMD " create --out LAYOUT_DIR --version N --expires DURATION\n"
			       "         --key ROOT_PRIV.pem [--key ...] --trust-store STORE\n"
			       "         [--signatures-dir DIR] [--signatures-of REF ...] [registry options]\n"
			       "         [--verdicts-dir DIR | --reports DIR]\n"
			       "Build a trust bundle as an OCI image layout (tag \"" OG_BUNDLE_LAYOUT_TAG "\"): the trust\n"
			       "store (STORE and STORE.sig), the signature directory and the verdict cache as\n"
			       "tars, and the descriptor naming them, signed by each --key.  --signatures-of\n"
			       "fetches REF's cosign signatures into the signature directory first, as `sig\n"
			       "fetch` does; --reports imports every Trivy/Grype *.json report in DIR as\n"
			       "`verdict import` does.\n" REG_USAGE);
			return 0;
		default: return 2;
		}
	}
	if (optind != argc || o.out == NULL || o.version == 0 || o.lifetime == 0 || o.trust_store == NULL) {
		fprintf(stderr, CMD " create: --out, --version, --expires, --key and --trust-store are needed\n");
		return 2;
	}
	if (reports != NULL && o.verdicts_dir != NULL) {
		fprintf(stderr, CMD " create: --reports and --verdicts-dir: one or the other\n");
		return 2;
	}
	o.created = og_now();
	if (nrefs > 0) {
		if (o.signatures_dir == NULL) {
			if (mkdtemp(sigtmp) == NULL) {
				fprintf(stderr, CMD " create: %s: %s\n", sigtmp, strerror(errno));
				return 2;
			}
			o.signatures_dir = sigtmp;
		}
		rc = fetch_signatures(o.signatures_dir, refs, nrefs, regargs, nreg);
		if (rc != 0) {
			if (o.signatures_dir == sigtmp)
				remove_dir(sigtmp);
			return rc;
		}
	}
	if (reports != NULL) {
		if (mkdtemp(tmp) == NULL) {
			fprintf(stderr, CMD " create: %s: %s\n", tmp, strerror(errno));
			return 2;
		}
		og_bfmt(cache, sizeof cache, "%s/verdicts", tmp);
		rc = import_reports(reports, cache);
		if (rc != 0) {
			remove_dir(tmp);
			return rc;
		}
		o.verdicts_dir = cache;
	}
	rc = og_bundle_create(&o, &d, &e);
	if (reports != NULL)
		remove_dir(tmp);
	if (o.signatures_dir == sigtmp)
		remove_dir(sigtmp);
	if (rc < 0) {
		fprintf(stderr, CMD " create: %s\n", e.msg);
		return 1;
	}
	printf("bundle version %" PRId64 " (%s): %" PRId64 " signatures, %" PRId64 " verdicts, written to %s\n",
	       d.version, d.id, d.nsignatures, d.nverdicts, o.out);
	return 0;
}

/* ------------------------------------------------------------------- push */

static int cmd_push(int argc, char **argv)
{
	static const struct option opts[] = { REG_LONGOPTS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	struct og_registry_opts r = { .tls_verify = 1 };
	char layout[PATH_MAX];
	og_error e = { 0 };
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: " CMD " push [options] LAYOUT_DIR REF\n"
			       "Push the bundle `bundle create` wrote to REF, manifest unchanged.\n" REG_USAGE);
			return 0;
		}
		if (reg_option(&r, c, optarg) <= 0)
			return 2;
	}
	if (optind + 2 != argc) {
		fprintf(stderr, CMD " push: LAYOUT_DIR and REF are needed\n");
		return 2;
	}
	if (absolute(argv[optind], layout) < 0 ||
	    og_registry_push_oci(&r, layout, OG_BUNDLE_LAYOUT_TAG, argv[optind + 1], &e) < 0) {
		fprintf(stderr, CMD " push: %s\n", e.msg[0] ? e.msg : "path too long");
		return 1;
	}
	printf("pushed %s to %s\n", argv[optind], argv[optind + 1]);
	return 0;
}

/* ------------------------------------------------------------------- pull */

struct node_opts {
	struct og_trust_cli trust;
	uint64_t max_layer;
	const char *bundle_dir;		/* --bundle-dir, or NULL: the policy's bundle.dir */
	char dir[PATH_MAX];
	struct og_registry_opts reg;
	const char *layout;
};

#define NODE_LONGOPTS                                             \
	OG_TRUST_CLI_LONGOPTS, REG_LONGOPTS,                      \
	{ "bundle-dir", required_argument, NULL, 'B' },           \
	{ "from-layout", required_argument, NULL, 'L' },          \
	{ "max-layer-bytes", required_argument, NULL, 'M' },      \
	{ "help", no_argument, NULL, 'h' },                       \
	{ NULL, 0, NULL, 0 }
#define NODE_USAGE                                                                         \
	"  --bundle-dir DIR       where bundles are installed (default: the policy's bundle.dir,\n" \
	"                         else " OG_BUNDLE_DIR_DEFAULT ")\n"                       \
	"  --max-layer-bytes N    refuse a layer larger than N bytes (default 1 GiB)\n"      \
	OG_TRUST_CLI_USAGE

/* --bundle-dir, else the policy's "bundle" section's dir (its default
 * without one), as the hook reads it; n->dir. */
static int node_bundle_dir(struct node_opts *n, og_error *e)
{
	const char *path = n->trust.policy ? n->trust.policy : OG_DEFAULT_POLICY;
	struct og_bundle_policy b;
	json_auto_t *doc = NULL;

	if (n->bundle_dir != NULL) {
		og_bfmt(n->dir, sizeof n->dir, "%s", n->bundle_dir);
		return 0;
	}
	if (n->trust.policy == NULL && access(path, F_OK) != 0) {
		og_bfmt(n->dir, sizeof n->dir, "%s", OG_BUNDLE_DIR_DEFAULT);
		return 0;
	}
	if ((doc = og_policy_read_document(path, e)) == NULL || og_bundle_policy_parse(doc, &b, e) < 0)
		return og_wrap(e, "policy %s", path);
	og_bfmt(n->dir, sizeof n->dir, "%s", og_bundle_policy_dir(&b));
	return 0;
}

/* 1 handled, 0 help printed, -1 error. */
static int node_option(struct node_opts *n, int c, const char *arg)
{
	og_error e = { 0 };
	int k;

	if (c == 'B') {
		n->bundle_dir = arg;
		return 1;
	}
	if (c == 'L') {
		n->layout = arg;
		return 1;
	}
	if (c == 'M') {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(arg, &end, 10);
		if (errno || *end || v < 1 || v > OG_BUNDLE_MAX_LAYER_BYTES) {
			fprintf(stderr, CMD ": --max-layer-bytes: 1 to %" PRIu64 "\n", OG_BUNDLE_MAX_LAYER_BYTES);
			return -1;
		}
		n->max_layer = v;
		return 1;
	}
	if ((k = reg_option(&n->reg, c, arg)) != 0)
		return k;
	if ((k = og_trust_cli_option(&n->trust, c, arg, &e)) < 0)
		fprintf(stderr, CMD ": %s\n", e.msg);
	return k == 0 ? -1 : k;
}

static void log_failure(const char *what, const char *step, const char *msg)
{
	char safe[OG_ERROR_MAX];

	og_sanitize(msg, safe, sizeof safe);
	og_log(LOG_ERR, "bundle %s: not installed, nothing changed (step %s): %s", what, step ? step : "?", safe);
	fprintf(stderr, CMD " pull: %s: not installed, nothing changed (step %s): %s\n", what, step ? step : "?",
		msg);
}

static int cmd_pull(int argc, char **argv)
{
	static const struct option opts[] = { NODE_LONGOPTS };
	struct node_opts n = { .reg = { .tls_verify = 1 } };
	struct og_trust_policy *p = NULL;
	struct og_trust_store_config tc;
	struct og_bundle_pull_opts po;
	struct og_bundle_pull_result r;
	char layout[PATH_MAX], safe_ref[256];
	const char *what;
	og_error e = { 0 };
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: " CMD " pull [options] REF\n"
			       "       " CMD " pull [options] --from-layout LAYOUT_DIR\n"
			       "Fetch, verify and install a trust bundle (docs/trust-bundle.md): its root\n"
			       "signatures and threshold, expiry, rollback floor, layer digests, a strict\n"
			       "unpack, the trust store inside; then publish it as BUNDLE_DIR/current.\n"
			       "Exit 0 installed or up to date, 1 refused (nothing changed), 2 usage.\n"
			       NODE_USAGE REG_USAGE);
			return 0;
		}
		if (node_option(&n, c, optarg) < 0)
			return 2;
	}
	if ((n.layout == NULL) == (optind + 1 != argc) || (n.layout != NULL && optind != argc)) {
		fprintf(stderr, CMD " pull: one REF, or --from-layout DIR\n");
		return 2;
	}
	if (n.layout != NULL && absolute(n.layout, layout) < 0) {
		fprintf(stderr, CMD " pull: %s: path too long\n", n.layout);
		return 2;
	}
	what = n.layout != NULL ? n.layout : argv[optind];
	og_sanitize(what, safe_ref, sizeof safe_ref);
	og_log_open(LOG_AUTH);
	if (og_trust_cli_policy(&n.trust, &p, &e) < 0 || node_bundle_dir(&n, &e) < 0) {
		og_trust_policy_free(p);
		log_failure(safe_ref, "0 policy", e.msg);
		return 1;
	}
	og_trust_policy_store_config(p, &tc);
	po = (struct og_bundle_pull_opts){ .trust = &tc, .bundle_dir = n.dir,
					   .ref = n.layout ? NULL : argv[optind], .layout = n.layout ? layout : NULL,
					   .reg = &n.reg, .max_layer_bytes = n.max_layer };
	n.reg.max_blob_bytes = (size_t)(n.max_layer ? n.max_layer : OG_BUNDLE_MAX_LAYER_BYTES);
	n.reg.max_total_bytes = (size_t)OG_BUNDLE_MAX_TOTAL_BYTES;
	rc = og_bundle_pull(&po, &r, &e);
	og_trust_policy_free(p);
	if (rc < 0) {
		log_failure(safe_ref, r.step, e.msg);
		return 1;
	}
	if (r.up_to_date) {
		printf("bundle %s: up to date (version %" PRId64 ")\n", what, r.new_version);
		return 0;
	}
	og_log(LOG_INFO,
	       "bundle %s: installed version %" PRId64 " (was %" PRId64 ") as %s: signatures +%zu -%zu, "
	       "verdicts +%zu -%zu, trust store version %" PRId64 " (was %" PRId64 "), manifest %s",
	       safe_ref, r.new_version, r.old_version, r.generation, r.sigs_added, r.sigs_removed, r.verdicts_added,
	       r.verdicts_removed, r.new_store_version, r.old_store_version, r.manifest_digest);
	printf("bundle %s: installed version %" PRId64 " (was %" PRId64 ") as %s: signatures +%zu -%zu, "
	       "verdicts +%zu -%zu, trust store version %" PRId64 " (was %" PRId64 ")\n",
	       what, r.new_version, r.old_version, r.generation, r.sigs_added, r.sigs_removed, r.verdicts_added,
	       r.verdicts_removed, r.new_store_version, r.old_store_version);
	return 0;
}

/* ----------------------------------------------------------------- status */

static int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = { NODE_LONGOPTS };
	struct node_opts n = { .reg = { .tls_verify = 1 } };
	struct og_trust_policy *p = NULL;
	struct og_trust_store_config tc;
	struct og_bundle_descriptor d;
	struct og_trust_roots roots;
	char gen[OG_BUNDLE_GEN_NAME_MAX], created[32], expires[32];
	og_cleanup_close int bfd = -1, gfd = -1;
	og_cleanup_buf og_buf md = { 0 };
	og_error e = { 0 }, ignored = { 0 };
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: " CMD " status [options]\n"
			       "The installed bundle: generation, version, created, expires (its root\n"
			       "signatures verified with the policy's keys).\n" NODE_USAGE);
			return 0;
		}
		if (node_option(&n, c, optarg) < 0)
			return 2;
	}
	if (optind != argc) {
		fprintf(stderr, CMD " status: no arguments expected\n");
		return 2;
	}
	if (node_bundle_dir(&n, &e) < 0) {
		fprintf(stderr, CMD " status: %s\n", e.msg);
		return 1;
	}
	bfd = open(n.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0 || og_bundle_current(bfd, gen, &e) != 0) {
		fprintf(stderr, CMD " status: %s: no bundle installed%s%s\n", n.dir, e.msg[0] ? ": " : "", e.msg);
		return 1;
	}
	if (og_trust_cli_policy(&n.trust, &p, &e) < 0) {
		fprintf(stderr, CMD " status: %s\n", e.msg);
		return 1;
	}
	og_trust_policy_store_config(p, &tc);
	roots = (struct og_trust_roots){ tc.root_keys, tc.nroot, tc.threshold };
	gfd = openat(bfd, gen, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	rc = gfd < 0 ? og_fail_errno(&e, errno, "%s", gen) : og_bundle_descriptor_load_at(gfd, &roots, &d, &e);
	og_trust_policy_free(p);
	if (rc < 0) {
		fprintf(stderr, CMD " status: %s/%s: %s\n", n.dir, gen, e.msg);
		return 1;
	}
	og_format_rfc3339(d.created, created, sizeof created);
	og_format_rfc3339(d.expires, expires, sizeof expires);
	(void)og_read_file_at(gfd, OG_BUNDLE_MANIFEST_DIGEST, OG_DIGEST_MAX, &md, &ignored);
	printf("generation: %s\nversion: %" PRId64 "\ncreated: %s\nexpires: %s%s\nsigned by %zu root key(s)\n"
	       "signatures: %" PRId64 "\nverdicts: %" PRId64 "\nmanifest: %s\n",
	       gen, d.version, created, expires, og_now() >= d.expires ? " (EXPIRED)" : "", d.nsigned,
	       d.nsignatures, d.nverdicts, md.data ? md.data : "(unknown)");
	return 0;
}

int og_cmd_bundle(int argc, char **argv)
{
	static const struct og_command subcommands[] = {
		{ "create", cmd_create, "build a signed trust bundle as an OCI layout (CI)" },
		{ "push", cmd_push, "push a bundle layout to a registry (CI)" },
		{ "pull", cmd_pull, "fetch, verify and install a bundle (node)" },
		{ "status", cmd_status, "show the installed bundle (node)" },
		{ NULL, NULL, NULL },
	};

	return og_dispatch("ocigate bundle", NULL, subcommands, argc, argv);
}
