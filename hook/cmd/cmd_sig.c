/* `ocigate sig add|ls|verify|sign`: feed and inspect the image signature
 * directory, and sign images cosign-compatibly without cosign. */
#include "hook/base/cleanup.h"
#include "verify/common/base64.h"
#include "verify/sig/cosign.h"
#include "verify/sig/cosign_keyless.h"
#include "verify/common/crypto_util.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "verify/common/keys.h"
#include "verify/sig/sig_claims.h"
#include "verify/sig/sig_store.h"
#include "verify/sig/sigstore.h"
#include "hook/cmd/commands.h"
#include "hook/cmd/dispatch.h"
#include "hook/cmd/trust_cli.h"
#include "verify/common/digest.h"
#include "hook/base/strfmt.h"
#include "verify/common/reference.h"
#include "hook/cmd/cmd_sig.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OG_MAX_SIG_FILE_BYTES 8192	/* a base64 signature file */

static const char usage_text[] =
		"usage: ocigate sig add (--payload FILE --signature FILE | --bundle FILE)\n"
	"                       [--manifest FILE [--index FILE]] [--repository REPO] [options]\n"
	"       ocigate sig add --payload FILE --signature FILE --certificate PEM [--chain PEM]\n"
	"                       [--rekor-bundle FILE] [--rfc3161-timestamp FILE] [...]\n"
	"       ocigate sig ls [options]\n"
	"       ocigate sig verify DIGEST [--image NAME] [options]\n"
	"       ocigate sig sign --key PRIVATE.pem --repository REPO --digest sha256:HEX\n"
	"                        [--payload-out FILE] [--signature-out FILE] [--add] [options]\n"
	"       ocigate sig add --from-dir DIR [--manifest FILE] [options]\n"
	"       ocigate sig fetch [--tls-verify=false] [--authfile F] [--cert-dir D] [--timeout DUR]\n"
	"                         [options] (REF... | --local)\n"
	"add: file a cosign simple-signing payload+signature, a Sigstore bundle or a DSSE\n"
	"     envelope (with the image manifest/index bytes, so a config digest can be\n"
	"     linked to the signed manifest) in the signature directory.  --repository\n"
	"     is an unsigned hint for a signature that names none; it decides nothing.\n"
	"     --certificate etc.: cosign's keyless registry form, the exact values of the\n"
	"     annotations dev.sigstore.cosign/certificate, /chain, /bundle, /rfc3161timestamp.\n"
	"ls: each entry's kind, the repositories its signed bytes name, and its\n"
	"     unsigned repository hint when that is not one of them.\n"
	"verify: check DIGEST as the hook does; exit 0 accepted, 1 refused.  --image: as\n"
	"     if the engine ran it as NAME (signatures are matched with that repository).\n"
	"sign: write a cosign-compatible payload and base64 signature (and/or --add it).\n"
	"add --from-dir: file every signature of a skopeo dir: copy of a cosign .sig tag.\n"
	"fetch: file the cosign signatures (.sig tag) and Sigstore bundle referrers of each\n"
	"     image REF (or, with --local, of every image the engines the policy names\n"
	"     hold, but for localhost/ names) from its registry, through skopeo; all of\n"
	"     one image or none of it.\n"
	"     Nothing fetched is trusted: the hook verifies it.\n"
	OG_TRUST_CLI_USAGE;

static int usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

static int fail(og_error *e, int rc)
{
	fprintf(stderr, "ocigate sig: %s\n", e->msg);
	return rc;
}


/* Read a base64 signature file: line breaks (cosign's recipe pipes the
 * signature through `base64`, which wraps at 76 columns) and trailing
 * spaces allowed, nothing else. */
static int read_sig_file(const char *path, og_buf *out, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	unsigned char *raw;

	if (og_read_file(path, OG_MAX_SIG_FILE_BYTES, &b, e) < 0)
		return -1;
	while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r' ||
			     b.data[b.len - 1] == ' '))
		b.len--;
	if (og_base64_decode(b.data, b.len, OG_B64_LINE_BREAKS, path, &raw, &out->len, e) < 0)
		return -1;
	out->data = (char *)raw;
	return 0;
}

static int add_digest(char list[][OG_DIGEST_MAX], size_t *n, const char *d)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(list[i], d) == 0)
			return 0;
	if (*n >= OG_MAX_SIG_DIGESTS || !og_digest_valid(d))
		return -1;
	og_bfmt(list[(*n)++], OG_DIGEST_MAX, "%s", d);
	return 0;
}

/* The digests a bundle signs, and the first repository it names into repo
 * (left as it is when it names none). */
static int bundle_digests(const og_buf *raw, char list[][OG_DIGEST_MAX], size_t *n, char *repo,
			  size_t rsize, og_error *e)
{
	og_cleanup_free struct og_sig_claims *c = NULL;
	struct og_bundle b;
	int r;

	if (og_bundle_parse(raw->data, raw->len, &b, e) < 0) {
		/* A certificate (keyless) bundle is filed too; the hook verifies it
		 * against the trust store's sigstore section. */
		json_auto_t *doc = NULL;

		if (strstr(e->msg, OG_CERT_BUNDLE_REFUSED) == NULL)
			return -1;
		og_error_clear(e);
		doc = og_json_parse(raw->data, raw->len, "bundle", e);
		if (doc == NULL || og_bundle_parse_doc(doc, 1, &b, e) < 0)
			return -1;
	}
	c = malloc(sizeof *c);
	r = c != NULL ? og_sig_claims_read(NULL, &b, c, e) : og_fail_errno(e, ENOMEM, "bundle");
	og_bundle_free(&b);
	if (r < 0)
		return -1;
	for (size_t i = 0; i < c->n; i++)
		if (add_digest(list, n, c->digest[i]) < 0)
			return og_fail(e, "the bundle signs more than %d digests", OG_MAX_SIG_DIGESTS);
	for (size_t i = 0; i < c->n; i++)
		if (c->repo[i][0] != '\0') {
			og_bfmt(repo, rsize, "%s", c->repo[i]);
			return 0;
		}
	printf("note: the bundle names no repository: a key's scope is checked against the name the "
	       "engine records for the image (--repository is an unsigned hint)\n");
	return 0;
}

/* File the manifest (and index) too, under the manifest and config digests. */
static int chain_digests(const struct og_sig_entry *en, char list[][OG_DIGEST_MAX], size_t *n,
			 og_error *e)
{
	char mdig[OG_DIGEST_MAX], idig[OG_DIGEST_MAX];
	json_auto_t *man = NULL;
	json_t *cfg;
	const char *cd;
	int signed_ok = 0;

	og_sha256_digest(en->manifest.data, en->manifest.len, mdig, OG_DIGEST_MAX);
	if (en->index.data != NULL) {
		json_auto_t *idx = og_json_parse(en->index.data, en->index.len, "index", e);
		json_t *list2, *m;
		size_t i;
		int listed = 0;

		og_sha256_digest(en->index.data, en->index.len, idig, OG_DIGEST_MAX);
		if (idx == NULL || og_json_arr(idx, "manifests", "index", 1, &list2, e) < 0)
			return -1;
		json_array_foreach(list2, i, m)
			listed |= json_is_object(m) && json_is_string(json_object_get(m, "digest")) &&
				  strcmp(json_string_value(json_object_get(m, "digest")), mdig) == 0;
		if (!listed)
			return og_fail(e, "the index does not list the manifest %s", mdig);
		for (size_t j = 0; j < *n; j++)
			signed_ok |= strcmp(list[j], idig) == 0;
		if (!signed_ok)
			return og_fail(e, "the index %s is not the signed digest", idig);
	} else {
		for (size_t j = 0; j < *n; j++)
			signed_ok |= strcmp(list[j], mdig) == 0;
		if (!signed_ok)
			return og_fail(e, "the manifest %s is not the signed digest", mdig);
	}
	man = og_json_parse(en->manifest.data, en->manifest.len, "manifest", e);
	if (man == NULL || og_json_obj(man, "config", "manifest", 1, &cfg, e) < 0 ||
	    og_json_str(cfg, "digest", "manifest.config", 1, &cd, e) < 0)
		return -1;
	if (add_digest(list, n, mdig) < 0 || add_digest(list, n, cd) < 0)
		return og_fail(e, "manifest.config.digest: expected sha256:<64 lowercase hex>");
	return 0;
}

static int file_entry(const char *dir, struct og_sig_entry *en, char list[][OG_DIGEST_MAX], size_t n,
		      og_error *e)
{
	const char *ptrs[OG_MAX_SIG_DIGESTS];
	og_cleanup_free char *text = og_sig_entry_encode(en);
	char id[OG_KEYID_HEX];

	if (text == NULL)
		return og_fail_errno(e, ENOMEM, "encode");
	for (size_t i = 0; i < n; i++)
		ptrs[i] = list[i];
	if (og_sig_store_add(dir, text, ptrs, n, id, e) < 0)
		return -1;
	printf("added signature %.16s under", id);
	for (size_t i = 0; i < n; i++)
		printf(" %s", list[i]);
	printf("\n");
	return 0;
}

/* Long-only options of sig add (no letter: the trust options use many). */
enum { OPT_CERT = 0x101, OPT_CHAIN, OPT_REKOR, OPT_TSR };

struct add_args {
	const char *payload, *sig, *bundle, *manifest, *index, *repo;
	const char *cert, *chain, *rekor, *tsr;	/* cosign's keyless registry form */
	struct og_trust_cli cli;
};

/* Returns -1 to go on, else the exit code. */
static int parse_add_args(int argc, char **argv, struct add_args *a)
{
	static const struct option opts[] = { OG_TRUST_CLI_LONGOPTS,
					      { "payload", required_argument, NULL, 'p' },
					      { "signature", required_argument, NULL, 's' },
					      { "bundle", required_argument, NULL, 'b' },
					      { "manifest", required_argument, NULL, 'm' },
					      { "index", required_argument, NULL, 'i' },
					      { "repository", required_argument, NULL, 'r' },
					      { "certificate", required_argument, NULL, OPT_CERT },
					      { "chain", required_argument, NULL, OPT_CHAIN },
					      { "rekor-bundle", required_argument, NULL, OPT_REKOR },
					      { "rfc3161-timestamp", required_argument, NULL, OPT_TSR },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	og_error e = { 0 };
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': a->payload = optarg; break;
		case 's': a->sig = optarg; break;
		case 'b': a->bundle = optarg; break;
		case 'm': a->manifest = optarg; break;
		case 'i': a->index = optarg; break;
		case 'r': a->repo = optarg; break;
		case OPT_CERT: a->cert = optarg; break;
		case OPT_CHAIN: a->chain = optarg; break;
		case OPT_REKOR: a->rekor = optarg; break;
		case OPT_TSR: a->tsr = optarg; break;
		case 'h': return usage(stdout, 0);
		default:
			r = og_trust_cli_option(&a->cli, c, optarg, &e);
			if (r < 0)
				return fail(&e, 2);
			if (r == 0)
				return usage(stderr, 2);
		}
	}
	if ((a->cert || a->chain || a->rekor || a->tsr) && a->payload == NULL) {
		fprintf(stderr, "ocigate sig: --certificate, --chain, --rekor-bundle and --rfc3161-timestamp go "
				"with --payload and --signature\n");
		return 2;
	}
	if ((a->chain || a->tsr) && a->cert == NULL) {
		fprintf(stderr, "ocigate sig: --chain and --rfc3161-timestamp need --certificate\n");
		return 2;
	}
	if (optind != argc || (a->bundle != NULL) == (a->payload != NULL || a->sig != NULL) ||
	    (a->payload != NULL) != (a->sig != NULL) || (a->index != NULL && a->manifest == NULL)) {
		fprintf(stderr, "ocigate sig: add needs --payload and --signature, or --bundle "
				"(and --index only with --manifest)\n");
		return 2;
	}
	return -1;
}

/* cosign's keyless registry form: the annotation values as they are,
 * checked now by converting them as the hook will (cosign_keyless.h). */
static int read_keyless_inputs(const struct add_args *a, struct og_sig_entry *en, og_error *e)
{
	og_cleanup_free char *bundle = NULL;
	char pd[OG_DIGEST_MAX];
	size_t len;

	if ((a->cert && og_read_file(a->cert, OG_MAX_SIG_CERT_BYTES, &en->certificate, e) < 0) ||
	    (a->chain && og_read_file(a->chain, OG_MAX_SIG_CERT_BYTES, &en->chain, e) < 0) ||
	    (a->rekor && og_read_file(a->rekor, OG_MAX_SIG_CERT_BYTES, &en->rekor_bundle, e) < 0) ||
	    (a->tsr && og_read_file(a->tsr, OG_MAX_SIG_CERT_BYTES, &en->rfc3161_timestamp, e) < 0))
		return -1;
	if (a->cert == NULL)
		return 0;
	return og_cosign_keyless_bundle(en, &bundle, &len, pd, e);
}

/* Read the signed material into en and list the digests it signs (plus the
 * manifest and config digests when the manifest is given). */
static int read_add_inputs(const struct add_args *a, struct og_sig_entry *en,
			   char list[][OG_DIGEST_MAX], size_t *n, og_error *e)
{
	if (a->payload != NULL) {
		struct og_cosign_payload cp;

		if (og_read_file(a->payload, OG_MAX_COSIGN_PAYLOAD_BYTES, &en->payload, e) < 0 ||
		    read_sig_file(a->sig, &en->signature, e) < 0 ||
		    og_cosign_payload_parse(en->payload.data, en->payload.len, &cp, e) < 0)
			return -1;
		add_digest(list, n, cp.digest);
		og_bfmt(en->repository, sizeof en->repository, "%s", cp.repository);
		if (read_keyless_inputs(a, en, e) < 0)
			return -1;
	} else {
		if (og_read_file(a->bundle, OG_MAX_BUNDLE_BYTES, &en->bundle, e) < 0 ||
		    bundle_digests(&en->bundle, list, n, en->repository, sizeof en->repository,
				   e) < 0)
			return -1;
	}
	if (a->manifest == NULL)
		return 0;
	if (og_read_file(a->manifest, OG_MAX_MANIFEST_BYTES, &en->manifest, e) < 0 ||
	    (a->index != NULL &&
	     og_read_file(a->index, OG_MAX_MANIFEST_BYTES, &en->index, e) < 0) ||
	    chain_digests(en, list, n, e) < 0)
		return -1;
	return 0;
}

/* File en in the signature directory the trust policy names. */
static int file_in_policy_dir(const struct og_trust_cli *cli, struct og_sig_entry *en,
			      char list[][OG_DIGEST_MAX], size_t n, og_error *e)
{
	char dir[PATH_MAX];

	if (og_trust_cli_filing_dir(cli, dir, sizeof dir, e) < 0)
		return -1;
	return file_entry(dir, en, list, n, e) < 0 ? -1 : 0;
}

static int cmd_add(int argc, char **argv)
{
	struct add_args a = { 0 };
	struct og_sig_entry en;
	char list[OG_MAX_SIG_DIGESTS][OG_DIGEST_MAX];
	size_t n = 0;
	og_error e = { 0 };
	int rc;

	memset(&en, 0, sizeof en);
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--from-dir") == 0 || strncmp(argv[i], "--from-dir=", 11) == 0)
			return og_cmd_sig_add_from_dir(argc, argv);
	rc = parse_add_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	if (a.repo != NULL && og_repo_normalize(a.repo, en.repository, sizeof en.repository) < 0) {
		fprintf(stderr, "ocigate sig: --repository: not a repository name\n");
		return 2;
	}
	rc = 2;
	if (read_add_inputs(&a, &en, list, &n, &e) == 0 &&
	    file_in_policy_dir(&a.cli, &en, list, n, &e) == 0)
		rc = 0;
	if (rc != 0)
		fail(&e, rc);
	og_sig_entry_free(&en);
	return rc;
}

/* The trust options, and --image NAME when `image` is given. */
static int simple_cmd(int argc, char **argv, int want_args, struct og_trust_policy **p, const char **image)
{
	static const struct option opts[] = { OG_TRUST_CLI_LONGOPTS,
					      { "image", required_argument, NULL, 'i' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct og_trust_cli cli = { 0 };
	og_error e = { 0 };
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return usage(stdout, 0) - 1;
		if (c == 'i' && image != NULL) {
			*image = optarg;
			continue;
		}
		if (c == 'i')
			return usage(stderr, 2);
		r = og_trust_cli_option(&cli, c, optarg, &e);
		if (r < 0)
			return fail(&e, 2);
		if (r == 0)
			return usage(stderr, 2);
	}
	if (argc - optind != want_args)
		return usage(stderr, 2);
	if (og_trust_cli_policy(&cli, p, &e) < 0)
		return fail(&e, 2);
	return 0;
}

static int cmd_ls(int argc, char **argv)
{
	struct og_trust_policy *p = NULL;
	og_error e = { 0 };
	int r = simple_cmd(argc, argv, 0, &p, NULL);

	if (r != 0)
		return r < 0 ? 0 : r;
	r = og_sig_store_list(og_trust_policy_signatures_dir(p), stdout, &e);
	og_trust_policy_free(p);
	return r < 0 ? fail(&e, 2) : 0;
}

static int cmd_verify(int argc, char **argv)
{
	struct og_trust_policy *p = NULL;
	struct og_findings rep = { 0 };
	struct og_image img;
	char accepted[600] = "", dg[OG_DIGEST_MAX];
	og_error e = { 0 };
	const char *image = NULL;
	int r = simple_cmd(argc, argv, 1, &p, &image);

	if (r != 0)
		return r < 0 ? 0 : r;
	memset(&img, 0, sizeof img);
	if (!og_digest_valid(argv[optind])) {
		og_trust_policy_free(p);
		fprintf(stderr, "ocigate sig: DIGEST must be sha256:<64 lowercase hex>\n");
		return 2;
	}
	og_bfmt(img.digest, sizeof img.digest, "%s", argv[optind]);
	img.kind = OG_DIGEST_MANIFEST;
	/* As if the engine recorded that name, which signatures are matched with. */
	if (image != NULL) {
		if (og_ref_parse(image, img.repository, sizeof img.repository, dg, sizeof dg) < 0) {
			og_trust_policy_free(p);
			fprintf(stderr, "ocigate sig: --image: not an image reference: %s\n", og_ref_problem(image));
			return 2;
		}
		og_bfmt(img.name, sizeof img.name, "%s", image);
		og_bfmt(img.name_from, sizeof img.name_from, "--image");
	}
	r = og_trust_evaluate(p, &img, 0, &rep, accepted, sizeof accepted, &e);
	og_trust_policy_free(p);
	if (r < 0) {
		og_findings_free(&rep);
		return fail(&e, 2);
	}
	if (rep.n == 0) {
		printf("%s: accepted: %s\n", img.digest, accepted);
		return 0;
	}
	for (size_t i = 0; i < rep.n; i++)
		printf("%s: refused: %s: %s\n", img.digest, rep.items[i].rule, rep.items[i].message);
	og_findings_free(&rep);
	return 1;
}

static int write_out(const char *path, const void *data, size_t len, og_error *e)
{
	og_cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	const char *p = data;

	if (fd < 0)
		return og_fail_errno(e, errno, "%s", path);
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return og_fail_errno(e, errno, "%s", path);
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = { OG_TRUST_CLI_LONGOPTS,
					      { "key", required_argument, NULL, 'k' },
					      { "repository", required_argument, NULL, 'r' },
					      { "digest", required_argument, NULL, 'd' },
					      { "payload-out", required_argument, NULL, 'p' },
					      { "signature-out", required_argument, NULL, 's' },
					      { "add", no_argument, NULL, 'a' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *key = NULL, *repo = NULL, *digest = NULL, *pout = NULL, *sout = NULL;
	struct og_trust_cli cli = { 0 };
	og_cleanup(EVP_PKEY_free) EVP_PKEY *k = NULL;
	og_cleanup_free char *payload = NULL, *b64 = NULL;
	og_cleanup_free unsigned char *sig = NULL;
	size_t plen, slen;
	og_error e = { 0 };
	int c, r, add = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'r': repo = optarg; break;
		case 'd': digest = optarg; break;
		case 'p': pout = optarg; break;
		case 's': sout = optarg; break;
		case 'a': add = 1; break;
		case 'h': return usage(stdout, 0);
		default:
			r = og_trust_cli_option(&cli, c, optarg, &e);
			if (r < 0)
				return fail(&e, 2);
			if (r == 0)
				return usage(stderr, 2);
		}
	}
	if (optind != argc || !key || !repo || !digest || (!pout && !sout && !add)) {
		fprintf(stderr, "ocigate sig: sign needs --key, --repository, --digest and at least one "
				"of --payload-out, --signature-out, --add\n");
		return 2;
	}
	if (og_cosign_payload_build(repo, digest, &payload, &plen, &e) < 0 ||
	    og_key_load_private(key, &k, &e) < 0 || og_key_sign(k, payload, plen, &sig, &slen, &e) < 0)
		return fail(&e, 2);
	b64 = og_base64_encode(sig, slen);
	if (b64 == NULL)
		return 2;
	if ((pout && write_out(pout, payload, plen, &e) < 0) ||
	    (sout && write_out(sout, b64, strlen(b64), &e) < 0))
		return fail(&e, 2);
	if (add) {
		struct og_sig_entry en;
		struct og_cosign_payload cp;
		char list[1][OG_DIGEST_MAX];

		memset(&en, 0, sizeof en);
		if (og_cosign_payload_parse(payload, plen, &cp, &e) < 0)
			return fail(&e, 2);
		og_bfmt(list[0], OG_DIGEST_MAX, "%s", digest);
		og_bfmt(en.repository, sizeof en.repository, "%s", cp.repository);
		en.payload.data = payload;
		en.payload.len = plen;
		en.signature.data = (char *)sig;
		en.signature.len = slen;
		if (file_in_policy_dir(&cli, &en, list, 1, &e) < 0)
			return fail(&e, 2);
	}
	return 0;
}

/* The digests `sig add` files an entry under (for sig fetch and --from-dir). */
int og_sig_cli_entry_digests(struct og_sig_entry *en, char list[][OG_DIGEST_MAX], size_t *n, og_error *e)
{
	*n = 0;
	if (en->payload.data != NULL) {
		struct og_cosign_payload cp;

		if (og_cosign_payload_parse(en->payload.data, en->payload.len, &cp, e) < 0)
			return -1;
		add_digest(list, n, cp.digest);
	} else if (bundle_digests(&en->bundle, list, n, en->repository, sizeof en->repository, e) < 0) {
		return -1;
	}
	return en->manifest.data != NULL ? chain_digests(en, list, n, e) : 0;
}

static const struct og_command subcommands[] = {
	{ "add", cmd_add, NULL },
	{ "ls", cmd_ls, NULL },
	{ "verify", cmd_verify, NULL },
	{ "sign", cmd_sign, NULL },
	{ "fetch", og_cmd_sig_fetch, NULL },
	{ NULL, NULL, NULL },
};

int og_cmd_sig(int argc, char **argv)
{
	if (og_crypto_init() < 0) {
		fprintf(stderr, "ocigate sig: OpenSSL initialisation failed\n");
		return 2;
	}
	return og_dispatch("ocigate sig", usage_text, subcommands, argc, argv);
}
