/* `ocigate sig fetch` and `ocigate sig add --from-dir`: signatures from
 * where cosign puts them in a registry (hook/delivery/sig_fetch.h), filed
 * as `sig add` files them, all of one image or none. */
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"
#include "hook/cmd/cmd_sig.h"
#include "hook/cmd/commands.h"
#include "hook/cmd/trust_cli.h"
#include "hook/delivery/registry.h"
#include "hook/delivery/sig_fetch.h"
#include "policy/policy.h"
#include "verify/common/digest.h"
#include "verify/common/reference.h"
#include "verify/identity/containerd_client.h"
#include "verify/identity/grpc_client.h"
#include "verify/identity/containerd_messages.h"
#include "verify/identity/identity.h"
#include "verify/image/image_store.h"
#include "verify/sig/sig_store.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OG_FETCH_MAX_IMAGES 4096		/* images one run fetches for */
#define OG_FETCH_MAX_TIMEOUT_S 3600

/* One error line, prefixed with what (the image) unless the message
 * already starts with it. */
static int fail_line(const char *what, og_error *e)
{
	if (what != NULL && strncmp(e->msg, what, strlen(what)) == 0)
		what = NULL;
	fprintf(stderr, "ocigate sig: %s%s%s\n", what ? what : "", what ? ": " : "", e->msg);
	return -1;
}

/* One entry staged for filing: its text and the digests it goes under. */
struct staged {
	char *text;
	char list[OG_MAX_SIG_DIGESTS][OG_DIGEST_MAX];
	size_t n;
};

static void staged_free(struct staged *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i].text);
	free(v);
}

/* dir/sha256/<hex>/<id>.json */
static void entry_path(const char *dir, const char *digest, const char *id, char *out, size_t size)
{
	og_bfmt(out, size, "%s/sha256/%s/%s.json", dir, digest + 7, id);
}

/* Encode every entry and compute its digests; image (may be NULL) must be
 * among each entry's signed digests.  Nothing is written. */
static int stage(struct og_sig_entry *en, size_t n, const char *image, struct staged **out, og_error *e)
{
	struct staged *v = calloc(n ? n : 1, sizeof *v);

	if (v == NULL)
		return og_fail_errno(e, ENOMEM, "stage");
	for (size_t i = 0; i < n; i++) {
		int signs = image == NULL;

		if (og_sig_cli_entry_digests(&en[i], v[i].list, &v[i].n, e) < 0) {
			staged_free(v, n);
			return og_wrap(e, "signature %zu", i + 1);
		}
		for (size_t j = 0; j < v[i].n && !signs; j++)
			signs = strcmp(v[i].list[j], image) == 0;
		if (!signs) {
			staged_free(v, n);
			return og_fail(e, "signature %zu signs %s, not the image %s", i + 1, v[i].list[0], image);
		}
		v[i].text = og_sig_entry_encode(&en[i]);
		if (v[i].text == NULL) {
			staged_free(v, n);
			return og_fail_errno(e, ENOMEM, "encode");
		}
	}
	*out = v;
	return 0;
}

/* File every staged entry; on a failure remove the files this call created,
 * so the store holds all of them or what it held before. */
static int file_all(const char *dir, struct staged *v, size_t n, int verbose, og_error *e)
{
	struct made {
		size_t entry, digest;
	} *made = calloc(n * OG_MAX_SIG_DIGESTS + 1, sizeof *made);
	char (*ids)[OG_KEYID_HEX] = calloc(n + 1, OG_KEYID_HEX);
	char path[PATH_MAX];
	size_t nm = 0;
	int rc = 0;

	if (made == NULL || ids == NULL) {
		free(made);
		free(ids);
		return og_fail_errno(e, ENOMEM, "file");
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *ptrs[OG_MAX_SIG_DIGESTS];

		og_sha256_hex(v[i].text, strlen(v[i].text), ids[i]);
		for (size_t j = 0; j < v[i].n; j++) {
			ptrs[j] = v[i].list[j];
			entry_path(dir, v[i].list[j], ids[i], path, sizeof path);
			if (access(path, F_OK) != 0)
				made[nm++] = (struct made){ i, j };	/* new: removed if a later step fails */
		}
		if (og_sig_store_add(dir, v[i].text, ptrs, v[i].n, ids[i], e) < 0) {
			for (size_t k = 0; k < nm; k++) {
				entry_path(dir, v[made[k].entry].list[made[k].digest], ids[made[k].entry], path,
					   sizeof path);
				unlink(path);
			}
			rc = -1;
		}
	}
	for (size_t i = 0; rc == 0 && verbose && i < n; i++) {
		printf("added signature %.16s under", ids[i]);
		for (size_t j = 0; j < v[i].n; j++)
			printf(" %s", v[i].list[j]);
		printf("\n");
	}
	free(made);
	free(ids);
	return rc;
}

/* The image manifest goes with each entry, so a config digest links to the
 * signed manifest as with `sig add --manifest`. */
static int attach_manifest(struct og_sig_entry *en, size_t n, const og_buf *man, og_error *e)
{
	for (size_t i = 0; i < n && man->data != NULL; i++) {
		en[i].manifest.data = malloc(man->len + 1);
		if (en[i].manifest.data == NULL)
			return og_fail_errno(e, ENOMEM, "manifest");
		memcpy(en[i].manifest.data, man->data, man->len + 1);
		en[i].manifest.len = man->len;
	}
	return 0;
}

int og_cmd_sig_add_from_dir(int argc, char **argv)
{
	static const struct option opts[] = { OG_TRUST_CLI_LONGOPTS,
					      { "from-dir", required_argument, NULL, 'f' },
					      { "manifest", required_argument, NULL, 'm' },
					      { NULL, 0, NULL, 0 } };
	struct og_trust_cli cli = { 0 };
	struct og_sig_entry *en = NULL;
	struct staged *st = NULL;
	const char *from = NULL, *manifest = NULL;
	og_cleanup_buf og_buf man = { 0 };
	char dir[PATH_MAX];
	size_t n = 0;
	og_error e = { 0 };
	int c, r, rc = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f') {
			from = optarg;
		} else if (c == 'm') {
			manifest = optarg;
		} else if ((r = og_trust_cli_option(&cli, c, optarg, &e)) <= 0) {
			if (r < 0)
				fail_line(NULL, &e);
			else
				fprintf(stderr, "ocigate sig: add --from-dir DIR [--manifest FILE] [options]\n");
			return 2;
		}
	}
	if (optind != argc || from == NULL) {
		fprintf(stderr, "ocigate sig: add --from-dir DIR [--manifest FILE] [options]\n");
		return 2;
	}
	if (og_trust_cli_filing_dir(&cli, dir, sizeof dir, &e) < 0 ||
	    (manifest != NULL && og_read_file(manifest, OG_MAX_MANIFEST_BYTES, &man, &e) < 0) ||
	    og_sig_dir_read(from, &en, &n, &e) < 0) {
		fail_line(NULL, &e);
		return 2;
	}
	if (n == 0) {
		fprintf(stderr, "ocigate sig: %s: the manifest lists no signatures\n", from);
		return 2;
	}
	if (attach_manifest(en, n, &man, &e) == 0 && stage(en, n, NULL, &st, &e) == 0 &&
	    file_all(dir, st, n, 1, &e) == 0)
		rc = 0;
	else
		fail_line(from, &e);
	staged_free(st, n);
	og_sig_entries_free(en, n);
	return rc;
}

/* ------------------------------------------------------------ sig fetch */

struct fetch_args {
	struct og_trust_cli cli;
	struct og_registry_opts ro;
	int local;
};

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Fetch and file one image; 0, or -1 with one error line printed. */
static int fetch_one(const struct fetch_args *a, const char *sigdir, const char *workdir, size_t k,
		     const char *ref)
{
	struct og_sig_fetched f;
	struct staged *st = NULL;
	char wd[PATH_MAX];
	og_error e = { 0 };
	int rc = -1;

	og_bfmt(wd, sizeof wd, "%s/%zu", workdir, k);
	if (mkdir(wd, 0700) < 0) {
		og_fail_errno(&e, errno, "%s", wd);
		return fail_line(ref, &e);
	}
	if (og_sig_fetch(&a->ro, ref, wd, &f, &e) < 0) {
		rm_tree(wd);
		return fail_line(ref, &e);
	}
	rm_tree(wd);
	if (attach_manifest(f.entries, f.n, &f.manifest, &e) < 0 || stage(f.entries, f.n, f.digest, &st, &e) < 0 ||
	    file_all(sigdir, st, f.n, 0, &e) < 0)
		goto out;
	printf("%s: %zu signature%s filed (%zu cosign, %zu bundle%s) for %s%s\n", ref, f.n, f.n == 1 ? "" : "s",
	       f.n - f.n_bundles, f.n_bundles, f.n_bundles == 1 ? "" : "s", f.digest,
	       f.no_manifest ? " (the registry has no manifest for it)" : "");
	rc = 0;
out:
	if (rc < 0)
		fail_line(ref, &e);
	staged_free(st, f.n);
	og_sig_fetched_free(&f);
	return rc;
}

static int parse_timeout(const char *s, int *ms, og_error *e)
{
	int64_t sec;

	if (og_parse_duration(s, &sec, e) < 0)
		return og_wrap(e, "--timeout");
	if (sec > OG_FETCH_MAX_TIMEOUT_S)
		return og_fail(e, "--timeout: at most %ds", OG_FETCH_MAX_TIMEOUT_S);
	*ms = (int)sec * 1000;
	return 0;
}

/* Returns -1 to go on, else the exit code. */
static int parse_fetch_args(int argc, char **argv, struct fetch_args *a)
{
	static const struct option opts[] = { OG_TRUST_CLI_LONGOPTS,
					      { "tls-verify", required_argument, NULL, 't' },
					      { "authfile", required_argument, NULL, 'a' },
					      { "cert-dir", required_argument, NULL, 'c' },
					      { "timeout", required_argument, NULL, 'o' },
					      { "local", no_argument, NULL, 'l' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	og_error e = { 0 };
	int c, r;

	a->ro.tls_verify = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (strcmp(optarg, "true") != 0 && strcmp(optarg, "false") != 0) {
				fprintf(stderr, "ocigate sig: --tls-verify: true or false\n");
				return 2;
			}
			a->ro.tls_verify = strcmp(optarg, "true") == 0;
			break;
		case 'a': a->ro.authfile = optarg; break;
		case 'c': a->ro.cert_dir = optarg; break;
		case 'l': a->local = 1; break;
		case 'o':
			if (parse_timeout(optarg, &a->ro.timeout_ms, &e) < 0) {
				fail_line(NULL, &e);
				return 2;
			}
			break;
		case 'h':
			fputs("usage: ocigate sig fetch [--tls-verify=false] [--authfile F] [--cert-dir D]\n"
			      "                         [--timeout DUR] [options] (REF... | --local)\n", stdout);
			return 0;
		default:
			r = og_trust_cli_option(&a->cli, c, optarg, &e);
			if (r < 0) {
				fail_line(NULL, &e);
				return 2;
			}
			if (r == 0)
				return 2;
		}
	}
	if (a->local == (optind < argc)) {
		fprintf(stderr, "ocigate sig: fetch needs image references or --local (not both)\n");
		return 2;
	}
	return -1;
}

/* ------------------------------------------------- the engines' images */

struct ref_list {
	char (*v)[OG_REF_MAX];
	size_t n;
};

/* Images the engine made or imported itself ("localhost/name", Podman's and
 * the tests' convention) come from no registry: nothing to fetch. */
static int local_only(const char *name)
{
	return strncmp(name, "localhost/", 10) == 0;
}

static int ref_add(struct ref_list *l, const char *name, const char *digest, og_error *e)
{
	char (*nv)[OG_REF_MAX];
	char base[OG_REF_MAX], ref[OG_REF_MAX];

	if (strlen(name) >= OG_REF_MAX)
		return og_fail(e, "%.60s...: a reference longer than %d bytes", name, OG_REF_MAX - 1);
	og_ref_name(name, base, sizeof base);
	if (digest == NULL)
		og_bfmt(ref, sizeof ref, "%s", name);
	else if ((size_t)og_bfmt(ref, sizeof ref, "%s@%s", base, digest) >= sizeof ref)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], ref) == 0)
			return 0;
	if (l->n >= OG_FETCH_MAX_IMAGES)
		return og_fail(e, "more than %d images", OG_FETCH_MAX_IMAGES);
	nv = realloc(l->v, (l->n + 1) * sizeof *nv);
	if (nv == NULL)
		return og_fail_errno(e, ENOMEM, "images");
	l->v = nv;
	og_bfmt(l->v[l->n++], OG_REF_MAX, "%s", ref);
	return 0;
}

/* containers/storage's images.json: each image's names (one fetch per
 * repository) with its manifest digest. */
static int storage_images(const char *graphroot, struct ref_list *l, og_error *e)
{
	og_cleanup_close int root = -1;
	og_cleanup_buf og_buf b = { 0 };
	json_auto_t *doc = NULL;
	json_t *img, *names, *nm;
	size_t i, j;

	root = open(graphroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 && errno == ENOENT)
		return 0;
	if (root < 0)
		return og_fail_errno(e, errno, "graph root %s", graphroot);
	if (og_read_file_at(root, OG_STORAGE_IMAGES_DIR "/" OG_STORAGE_IMAGES_FILE, OG_STORAGE_MAX_IMAGES_JSON_BYTES,
			    &b, e) < 0) {
		if (e->errnum == ENOENT) {
			og_error_clear(e);
			return 0;
		}
		return og_wrap(e, "%s", graphroot);
	}
	doc = og_json_parse(b.data, b.len, OG_STORAGE_IMAGES_FILE, e);
	if (doc == NULL)
		return og_wrap(e, "%s", graphroot);
	if (!json_is_array(doc))
		return og_fail(e, "%s/%s/%s: not an array", graphroot, OG_STORAGE_IMAGES_DIR, OG_STORAGE_IMAGES_FILE);
	json_array_foreach(doc, i, img) {
		const char *dg = json_string_value(json_object_get(img, "digest"));

		names = json_object_get(img, "names");
		if (dg == NULL || !og_digest_valid(dg) || !json_is_array(names))
			continue;	/* no manifest digest or no name: nothing to fetch by */
		json_array_foreach(names, j, nm) {
			char repo[OG_REF_MAX], d2[OG_DIGEST_MAX];
			const char *s = json_string_value(nm);

			if (s == NULL || local_only(s) || og_ref_parse(s, repo, sizeof repo, d2, sizeof d2) < 0)
				continue;
			if (ref_add(l, s, dg, e) < 0)
				return -1;
		}
	}
	return 0;
}

/* containerd's image records in the policy's namespace (default k8s.io):
 * each name with its target digest (a manifest or an index).  No socket:
 * no containerd on this node, nothing to list. */
static int containerd_images(const char *sock, const char *ns, int timeout_ms, struct ref_list *l, og_error *e)
{
	struct og_containerd_image_ref *v = NULL;
	size_t n = 0;
	int r = 0;

	if (access(sock, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (timeout_ms <= 0 || timeout_ms > OG_GRPC_MAX_TIMEOUT_MS)
		timeout_ms = OG_GRPC_MAX_TIMEOUT_MS;
	if (og_containerd_list_images(sock, ns[0] ? ns : OG_CONTAINERD_DEFAULT_NAMESPACE, timeout_ms, &v, &n, e) < 0)
		return og_wrap(e, "%s", sock);
	for (size_t i = 0; i < n && r == 0; i++) {
		char repo[OG_REF_MAX], dg[OG_DIGEST_MAX];

		/* The CRI plugin also records each image under its ID ("sha256:..."). */
		if (strncmp(v[i].name, "sha256:", 7) == 0 || local_only(v[i].name) ||
		    og_ref_parse(v[i].name, repo, sizeof repo, dg, sizeof dg) < 0)
			continue;
		r = ref_add(l, v[i].name, v[i].digest, e);
	}
	free(v);
	return r;
}

static int local_images(const struct fetch_args *a, struct ref_list *l, og_error *e)
{
	const char *path = a->cli.policy ? a->cli.policy : OG_DEFAULT_POLICY;
	json_auto_t *doc = og_policy_read_document(path, e);
	struct og_identity_policy *ip = NULL;
	const char *gr, *sock, *ns = "";
	int r = 0;

	if (doc == NULL)
		return -1;
	if (og_identity_policy_parse(json_object_get(doc, "image"), "$.image", &ip, e) < 0)
		return og_wrap(e, "policy %s", path);
	gr = og_identity_policy_graphroot(ip);
	sock = og_identity_policy_containerd_socket(ip, &ns);
	if (gr != NULL)
		r = storage_images(gr, l, e);
	if (r == 0 && sock != NULL)
		r = containerd_images(sock, ns, a->ro.timeout_ms, l, e);
	og_identity_policy_free(ip);
	return r;
}

int og_cmd_sig_fetch(int argc, char **argv)
{
	struct fetch_args a;
	struct ref_list refs = { 0 };
	char sigdir[PATH_MAX], workdir[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	og_error e = { 0 };
	size_t failed = 0;
	int rc;

	memset(&a, 0, sizeof a);
	rc = parse_fetch_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	if (og_trust_cli_filing_dir(&a.cli, sigdir, sizeof sigdir, &e) < 0 ||
	    (a.local && local_images(&a, &refs, &e) < 0)) {
		free(refs.v);
		fail_line(NULL, &e);
		return 2;
	}
	for (int i = optind; !a.local && i < argc; i++)
		if (ref_add(&refs, argv[i], NULL, &e) < 0) {
			free(refs.v);
			fail_line(NULL, &e);
			return 2;
		}
	og_bfmt(workdir, sizeof workdir, "%s/ocigate-fetch.XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(workdir) == NULL) {
		og_fail_errno(&e, errno, "%s", workdir);
		free(refs.v);
		fail_line(NULL, &e);
		return 2;
	}
	if (a.local && refs.n == 0)
		printf("no images with a registry name and a manifest digest (localhost/ images are local)\n");
	for (size_t i = 0; i < refs.n; i++)
		if (fetch_one(&a, sigdir, workdir, i, refs.v[i]) < 0)
			failed++;
	rm_tree(workdir);
	free(refs.v);
	return failed ? 1 : 0;
}
