/* `bundle pull`: see bundle_pull.h and docs/trust-bundle.md. */
#include "hook/delivery/bundle_pull.h"
#include "hook/delivery/bundle_oci.h"
#include "hook/delivery/ustar.h"
#include "hook/base/array.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "hook/base/strict_modes.h"
#include "hook/base/timeutil.h"
#include "verify/common/digest.h"
#include "verify/common/reference.h"
#include "verify/trust/bundle_layout.h"
#include "verify/trust/trust_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INDEX_BYTES (1024 * 1024)
#define MAX_LAYERS 5
#define TMP_PREFIX ".tmp-"

struct mlayer {
	char title[32], digest[OG_DIGEST_MAX];
	int64_t size;
};

/* Relative names of regular files, for "what changed". */
struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int names_add(struct names *s, const char *name, og_error *e)
{
	void *p = og_array_reserve(s->v, &s->cap, s->n, sizeof *s->v);

	if (p == NULL)
		return og_fail_errno(e, ENOMEM, "inventory");
	s->v = p;
	if ((s->v[s->n] = strdup(name)) == NULL)
		return og_fail_errno(e, ENOMEM, "inventory");
	s->n++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Added and removed between two sorted lists. */
static void names_diff(struct names *old, struct names *new, size_t *added, size_t *removed)
{
	size_t i = 0, j = 0;

	if (old->n > 1)
		qsort(old->v, old->n, sizeof *old->v, cmp_names);
	if (new->n > 1)
		qsort(new->v, new->n, sizeof *new->v, cmp_names);
	*added = *removed = 0;
	while (i < old->n || j < new->n) {
		int c = i == old->n ? 1 : j == new->n ? -1 : strcmp(old->v[i], new->v[j]);

		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			(*removed)++;
			i++;
		} else {
			(*added)++;
			j++;
		}
	}
}

/* Every regular file below dfd, as prefix/name (a generation's, written by
 * a pull: only files and directories). */
static int walk_files(int dfd, const char *prefix, int depth, struct names *out, og_error *e)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int rc = 0;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return og_fail_errno(e, errno, "inventory %s", prefix);
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char name[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		og_bfmt(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "/" : "", de->d_name);
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode)) {
			rc = names_add(out, name, e);
		} else if (S_ISDIR(st.st_mode) && depth < OG_USTAR_MAX_DEPTH) {
			og_cleanup_close int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				rc = walk_files(sub, name, depth + 1, out, e);
		}
	}
	closedir(d);
	return rc;
}

/* Remove dir/name (a directory tree this code made). */
static void remove_tree(int dirfd, const char *name)
{
	og_error ignored = { 0 };
	og_cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	(void)og_ustar_empty_dir(fd, &ignored);
	(void)unlinkat(dirfd, name, AT_REMOVEDIR);
}

int og_bundle_current(int bundlefd, char gen[OG_BUNDLE_GEN_NAME_MAX], og_error *e)
{
	ssize_t n = readlinkat(bundlefd, OG_BUNDLE_CURRENT, gen, OG_BUNDLE_GEN_NAME_MAX - 1);

	if (n < 0)
		gen[0] = '\0';
	if (n < 0 && errno == ENOENT)
		return 1;
	if (n < 0)
		return og_fail_errno(e, errno, "%s", OG_BUNDLE_CURRENT);
	gen[n] = '\0';
	if (strncmp(gen, OG_BUNDLE_GEN_PREFIX, strlen(OG_BUNDLE_GEN_PREFIX)) != 0 || strchr(gen, '/') != NULL)
		return og_fail(e, "%s: not a generation (\"%.60s\")", OG_BUNDLE_CURRENT, gen);
	return 0;
}

static int64_t gen_version(const char *gen)
{
	const char *p = gen + strlen(OG_BUNDLE_GEN_PREFIX);
	char *end;
	long long v = strtoll(p, &end, 10);

	return end != p && *end == '-' && v > 0 ? (int64_t)v : 0;
}

/* ----------------------------------------------------------- the source */

struct source {
	int fd;			/* the layout or the copy (skopeo dir:) */
	int blobs;		/* where blobs are, by hex: the layout's blobs/sha256, or fd */
	og_buf manifest;
	char digest[OG_DIGEST_MAX];
	char dl[NAME_MAX + 1];	/* the copy's directory in the bundle dir, "" if none */
};

/* The layout's one bundle manifest (tagged OG_BUNDLE_LAYOUT_TAG, or the only one). */
static int layout_manifest(struct source *s, og_error *e)
{
	og_cleanup_buf og_buf ib = { 0 };
	json_auto_t *idx = NULL;
	json_t *ms, *m, *pick = NULL;
	const char *dg = NULL;
	char path[128], got[OG_DIGEST_MAX];
	size_t i;

	if (og_read_file_at(s->fd, "index.json", MAX_INDEX_BYTES, &ib, e) < 0)
		return og_wrap(e, "OCI layout");
	idx = og_json_parse(ib.data, ib.len, "index.json", e);
	if (idx == NULL || og_json_arr(idx, "manifests", "index.json", 1, &ms, e) < 0)
		return og_wrap(e, "OCI layout");
	json_array_foreach(ms, i, m) {
		const char *tag = json_string_value(json_object_get(json_object_get(m, "annotations"),
								    "org.opencontainers.image.ref.name"));
		if (json_array_size(ms) == 1 || (tag != NULL && strcmp(tag, OG_BUNDLE_LAYOUT_TAG) == 0))
			pick = m;
	}
	if (pick == NULL)
		return og_fail(e, "OCI layout: no manifest tagged \"%s\"", OG_BUNDLE_LAYOUT_TAG);
	if (!json_is_object(pick) || og_json_str(pick, "digest", "index.json manifest", 1, &dg, e) < 0)
		return og_wrap(e, "OCI layout");
	if (!og_digest_valid(dg))
		return og_fail(e, "OCI layout: index.json: not a sha256 digest");
	og_bundle_blob_name(dg, path, sizeof path);
	if (og_read_file_at(s->blobs, path, OG_REGISTRY_MAX_MANIFEST_BYTES, &s->manifest, e) < 0)
		return og_wrap(e, "OCI layout: manifest");
	og_sha256_digest(s->manifest.data, s->manifest.len, got, sizeof got);
	if (strcmp(got, dg) != 0)
		return og_fail(e, "OCI layout: manifest %s has digest %s", dg, got);
	og_bfmt(s->digest, sizeof s->digest, "%s", dg);
	return 0;
}

/* The manifest's layers, checked: our media types, titles known and once
 * each, sizes within the limits. */
static int parse_manifest(const og_buf *raw, uint64_t max_layer, struct mlayer *ls, size_t *n, og_error *e)
{
	json_auto_t *m = og_json_parse(raw->data, raw->len, "manifest", e);
	json_t *cfg, *layers, *l;
	const char *mt = NULL;
	uint64_t total = 0;
	size_t i;

	*n = 0;
	if (m == NULL)
		return -1;
	if (!json_is_object(m) || og_json_obj(m, "config", "manifest", 1, &cfg, e) < 0 ||
	    og_json_arr(m, "layers", "manifest", 1, &layers, e) < 0)
		return og_wrap(e, "not a bundle manifest");
	if (og_json_str(m, "mediaType", "manifest", 0, &mt, e) < 0 ||
	    (mt != NULL && strcmp(mt, OG_OCI_MANIFEST_MT) != 0))
		return og_fail(e, "manifest: media type \"%.80s\" is not %s", mt ? mt : "", OG_OCI_MANIFEST_MT);
	if (og_json_str(cfg, "mediaType", "manifest.config", 1, &mt, e) < 0)
		return -1;
	if (strcmp(mt, OG_BUNDLE_MT_CONFIG) != 0)
		return og_fail(e, "manifest.config: media type \"%.80s\": not a trust bundle (%s)", mt,
			       OG_BUNDLE_MT_CONFIG);
	if (json_array_size(layers) > MAX_LAYERS)
		return og_fail(e, "manifest: more than %d layers", MAX_LAYERS);
	json_array_foreach(layers, i, l) {
		char path[32];
		const char *title, *dg;
		struct mlayer *ml = &ls[*n];

		og_bfmt(path, sizeof path, "manifest.layers[%zu]", i);
		if (!json_is_object(l) || og_json_str(l, "digest", path, 1, &dg, e) < 0 ||
		    og_json_int(l, "size", path, 1, 0, INT64_MAX, &ml->size, e) < 0)
			return -1;
		if ((uint64_t)ml->size > max_layer)
			return og_fail(e, "%s: %" PRId64 " bytes, more than the limit of %" PRIu64, path, ml->size,
				       max_layer);
		title = json_string_value(json_object_get(json_object_get(l, "annotations"), OG_OCI_TITLE));
		if (title == NULL)
			return og_fail(e, "%s: no %s annotation", path, OG_OCI_TITLE);
		if (strcmp(title, OG_BUNDLE_DESCRIPTOR) != 0 && strcmp(title, OG_BUNDLE_DESCRIPTOR_SIG) != 0 &&
		    og_bundle_layer_dir(title) == NULL)
			return og_fail(e, "%s: unknown layer \"%.64s\"", path, title);
		for (size_t j = 0; j < *n; j++)
			if (strcmp(ls[j].title, title) == 0)
				return og_fail(e, "%s: layer \"%s\" twice", path, title);
		if (!og_digest_valid(dg))
			return og_fail(e, "%s.digest: not a sha256 digest", path);
		total += (uint64_t)ml->size;
		if (total > OG_BUNDLE_MAX_TOTAL_BYTES)
			return og_fail(e, "manifest: layers add up to more than the limit of %" PRIu64 " bytes",
				       OG_BUNDLE_MAX_TOTAL_BYTES);
		og_bfmt(ml->title, sizeof ml->title, "%s", title);
		og_bfmt(ml->digest, sizeof ml->digest, "%s", dg);
		(*n)++;
	}
	return 0;
}

static const struct mlayer *find_layer(const struct mlayer *ls, size_t n, const char *title)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ls[i].title, title) == 0)
			return &ls[i];
	return NULL;
}

/* Open a layer's blob and check its size and sha256 against digest/size. */
static int open_blob(const struct source *s, const char *title, const char *digest, int64_t size, og_error *e)
{
	char path[128], got[OG_DIGEST_MAX];
	struct stat st;
	uint64_t len;
	int fd;

	og_bundle_blob_name(digest, path, sizeof path);
	fd = og_open_beneath(s->blobs, path, O_RDONLY | O_CLOEXEC, e);
	if (fd < 0)
		return og_wrap(e, "layer %s", title);
	/* A blob is hashed, then read again to unpack: nobody else may be able
	 * to change it in between (the copy is in a 0700 directory of ours; a
	 * layout's blobs are checked here, its directories by StrictModes). */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022) != 0) {
		close(fd);
		return og_fail(e, "layer %s: blob %s is not a regular file only its owner (root) may write",
			       title, path);
	}
	if (og_bundle_fd_sha256(fd, got, &len, e) < 0) {
		close(fd);
		return og_wrap(e, "layer %s", title);
	}
	if (len != (uint64_t)size || strcmp(got, digest) != 0) {
		close(fd);
		return og_fail(e, "layer %s: %" PRIu64 " bytes with digest %s, expected %" PRId64 " bytes with %s",
			       title, len, got, size, digest);
	}
	return fd;
}

static int read_small_layer(const struct source *s, const struct mlayer *ls, size_t n, const char *title,
			    size_t max, og_buf *out, og_error *e)
{
	const struct mlayer *l = find_layer(ls, n, title);
	og_cleanup_close int fd = -1;

	if (l == NULL)
		return og_fail(e, "the manifest has no %s layer", title);
	if (l->size > (int64_t)max)
		return og_fail(e, "layer %s: larger than %zu bytes", title, max);
	fd = open_blob(s, title, l->digest, l->size, e);
	if (fd < 0)
		return -1;
	return og_read_fd(fd, max, 0, title, out, e);
}

/* ------------------------------------------------------------- the pull */

struct pull {
	const struct og_bundle_pull_opts *o;
	struct og_bundle_pull_result *r;
	int bundlefd;
	struct source src;
	struct mlayer layers[MAX_LAYERS];
	size_t nlayers;
	og_buf desc, sig;
	struct og_bundle_descriptor d;
	char tmp[NAME_MAX + 1];		/* the new generation, unpacked */
	int tmpfd;
	struct names new_sigs, new_verdicts;
};

static int fail_step(struct pull *p, const char *step, og_error *e)
{
	(void)e;
	p->r->step = step;
	return -1;
}

static int step_manifest(struct pull *p, og_error *e)
{
	const struct og_bundle_pull_opts *o = p->o;

	if (o->layout != NULL) {
		og_cleanup_close int b = -1;
		char blobs[PATH_MAX];
		struct stat st;

		/* Read in place: the layout must be as safe from others as the
		 * policy (StrictModes on it and every directory above). */
		if (og_bfmt(blobs, sizeof blobs, "%s/blobs/sha256", o->layout) >= (int)sizeof blobs)
			return og_fail(e, "%s: path too long", o->layout);
		if (og_strict_modes(blobs, geteuid(), &st, e) < 0)
			return og_wrap(e, "OCI layout");
		p->src.fd = open(o->layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (p->src.fd < 0)
			return og_fail_errno(e, errno, "%s", o->layout);
		/* One component at a time: no symbolic link followed, and no
		 * openat2 needed for a nested path. */
		b = openat(p->src.fd, "blobs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		p->src.blobs = b < 0 ? -1 : openat(b, "sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (p->src.blobs < 0)
			return og_fail_errno(e, errno, "%s: blobs/sha256", o->layout);
		return layout_manifest(&p->src, e);
	}
	return og_registry_manifest(o->reg, o->ref, &p->src.manifest, p->src.digest, e);
}

/* Is the manifest the one the installed generation came from? */
static int installed_same(struct pull *p)
{
	char gen[OG_BUNDLE_GEN_NAME_MAX];
	og_cleanup_buf og_buf b = { 0 };
	og_cleanup_close int gfd = -1;
	og_error ignored = { 0 };

	if (og_bundle_current(p->bundlefd, gen, &ignored) != 0)
		return 0;
	gfd = openat(p->bundlefd, gen, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (gfd < 0 || og_read_file_at(gfd, OG_BUNDLE_MANIFEST_DIGEST, OG_DIGEST_MAX, &b, &ignored) < 0)
		return 0;
	return b.len == strlen(p->src.digest) && memcmp(b.data, p->src.digest, b.len) == 0;
}

static int step_copy(struct pull *p, og_error *e)
{
	const struct og_bundle_pull_opts *o = p->o;
	char dir[PATH_MAX], name[OG_REF_MAX], pinned[OG_REF_MAX + OG_DIGEST_MAX + 2];

	if (parse_manifest(&p->src.manifest, o->max_layer_bytes ? o->max_layer_bytes : OG_BUNDLE_MAX_LAYER_BYTES,
			   p->layers, &p->nlayers, e) < 0)
		return -1;
	if (o->layout != NULL)
		return 0;
	og_bfmt(dir, sizeof dir, "%s/" TMP_PREFIX "dl-XXXXXX", o->bundle_dir);
	if (mkdtemp(dir) == NULL)
		return og_fail_errno(e, errno, "%s", dir);
	og_bfmt(p->src.dl, sizeof p->src.dl, "%s", strrchr(dir, '/') + 1);
	/* By digest: the copy is the manifest just checked, even if the tag moves. */
	og_ref_name(o->ref, name, sizeof name);
	og_bfmt(pinned, sizeof pinned, "%s@%s", name, p->src.digest);
	if (og_registry_pull_dir(o->reg, pinned, dir, e) < 0)
		return -1;
	p->src.fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (p->src.fd < 0)
		return og_fail_errno(e, errno, "%s", dir);
	p->src.blobs = dup(p->src.fd);
	if (p->src.blobs < 0)
		return og_fail_errno(e, errno, "%s", dir);
	return 0;
}

static int bundle_floor(struct pull *p, int64_t *floor, og_error *e)
{
	return og_trust_state_read_file(p->o->trust->state_dir, OG_BUNDLE_STATE_FILE, floor, e);
}

static int refuse_rollback(const struct og_bundle_descriptor *d, int64_t floor, og_error *e)
{
	if (d->version < floor)
		return og_fail(e, "rolled back: version %" PRId64 " is lower than the installed version %" PRId64,
			       d->version, floor);
	return 0;
}

static int step_descriptor(struct pull *p, og_error *e)
{
	const struct og_trust_store_config *c = p->o->trust;
	struct og_trust_roots roots = { c->root_keys, c->nroot, c->threshold };
	int64_t floor;

	if (read_small_layer(&p->src, p->layers, p->nlayers, OG_BUNDLE_DESCRIPTOR, OG_BUNDLE_DESCRIPTOR_MAX,
			     &p->desc, e) < 0 ||
	    read_small_layer(&p->src, p->layers, p->nlayers, OG_BUNDLE_DESCRIPTOR_SIG, OG_MAX_TRUST_SIG_BYTES,
			     &p->sig, e) < 0)
		return -1;
	/* The signatures over the raw bytes, then the parse (bundle_descriptor.h). */
	if (og_bundle_descriptor_verify(&roots, &p->desc, &p->sig, &p->d, e) < 0 ||
	    og_bundle_descriptor_check_time(&p->d, og_now(), e) < 0)
		return -1;
	if (bundle_floor(p, &floor, e) < 0)
		return -1;
	p->r->new_version = p->d.version;
	return refuse_rollback(&p->d, floor, e);
}

static int step_layers(struct pull *p, og_error *e)
{
	for (size_t i = 0; i < p->d.ncontents; i++) {
		const struct og_bundle_content *c = &p->d.contents[i];
		const struct mlayer *l = find_layer(p->layers, p->nlayers, c->name);
		int fd;

		if (l == NULL)
			return og_fail(e, "the descriptor names %s, the manifest has no such layer", c->name);
		if (strcmp(l->digest, c->digest) != 0 || l->size != c->size)
			return og_fail(e, "layer %s: the manifest says %s (%" PRId64 " bytes), the signed "
				       "descriptor %s (%" PRId64 " bytes)", c->name, l->digest, l->size, c->digest,
				       c->size);
		fd = open_blob(&p->src, c->name, c->digest, c->size, e);
		if (fd < 0)
			return -1;
		close(fd);
	}
	for (size_t i = 0; i < p->nlayers; i++)
		if (og_bundle_layer_dir(p->layers[i].title) != NULL &&
		    og_bundle_descriptor_content(&p->d, p->layers[i].title) == NULL)
			return og_fail(e, "layer %s is not named by the signed descriptor", p->layers[i].title);
	return 0;
}

static int collect_cb(void *ctx, const char *name, og_error *e)
{
	return names_add(ctx, name, e);
}

static int unpack_layer(struct pull *p, const char *layer, og_error *e)
{
	static const struct og_ustar_limits lim = { .max_entries = OG_BUNDLE_MAX_TAR_ENTRIES,
						    .max_file_bytes = OG_BUNDLE_MAX_TAR_FILE_BYTES,
						    .max_total_bytes = OG_BUNDLE_MAX_TOTAL_BYTES };
	const struct og_bundle_content *c = og_bundle_descriptor_content(&p->d, layer);
	const char *dir = og_bundle_layer_dir(layer);
	struct names *inv = strcmp(layer, OG_BUNDLE_LAYER_SIGNATURES) == 0 ? &p->new_sigs
			    : strcmp(layer, OG_BUNDLE_LAYER_VERDICTS) == 0 ? &p->new_verdicts : NULL;
	og_cleanup_close int dfd = -1, fd = -1;
	struct og_ustar_stats st;

	if (mkdirat(p->tmpfd, dir, 0755) < 0 ||
	    (dfd = openat(p->tmpfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fchmod(dfd, 0755) < 0)
		return og_fail_errno(e, errno, "%s", dir);
	if (c == NULL)
		return 0;	/* an empty directory: the hook finds nothing there */
	fd = open_blob(&p->src, layer, c->digest, c->size, e);
	if (fd < 0)
		return -1;
	if (og_ustar_extract(fd, dfd, &lim, inv ? collect_cb : NULL, inv, &st, e) < 0)
		return og_wrap(e, "%s", layer);
	return 0;
}

static int step_unpack(struct pull *p, og_error *e)
{
	char dir[PATH_MAX];

	og_bfmt(dir, sizeof dir, "%s/" TMP_PREFIX "XXXXXX", p->o->bundle_dir);
	if (mkdtemp(dir) == NULL)
		return og_fail_errno(e, errno, "%s", dir);
	og_bfmt(p->tmp, sizeof p->tmp, "%s", strrchr(dir, '/') + 1);
	p->tmpfd = openat(p->bundlefd, p->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (p->tmpfd < 0)
		return og_fail_errno(e, errno, "%s", dir);
	if (og_write_file_atomic(p->tmpfd, OG_BUNDLE_DESCRIPTOR, p->desc.data, p->desc.len, 0644, e) < 0 ||
	    og_write_file_atomic(p->tmpfd, OG_BUNDLE_DESCRIPTOR_SIG, p->sig.data, p->sig.len, 0644, e) < 0)
		return -1;
	return unpack_layer(p, OG_BUNDLE_LAYER_TRUST, e) < 0 || unpack_layer(p, OG_BUNDLE_LAYER_SIGNATURES, e) < 0 ||
			       unpack_layer(p, OG_BUNDLE_LAYER_VERDICTS, e) < 0
		       ? -1
		       : 0;
}

/* The trust store inside, as the hook would read it: roots, threshold,
 * expiry, the trust rollback floor (nothing raised yet). */
static int step_trust_store(struct pull *p, og_error *e)
{
	struct og_trust_store_config c = *p->o->trust;
	struct og_trust_store *s = NULL;
	char path[PATH_MAX];

	og_bfmt(path, sizeof path, "%s/%s/%s", p->o->bundle_dir, p->tmp, OG_BUNDLE_TRUST_STORE);
	c.store_path = path;
	c.update_state = 0;
	if (og_trust_store_load(&c, &s, e) < 0 || og_trust_store_check_keys(s, e) < 0) {
		og_trust_store_free(s);
		return -1;
	}
	p->r->new_store_version = s->version;
	og_trust_store_free(s);
	return 0;
}

/* What the installed generation holds, for the log line. */
static void describe_old(struct pull *p, struct names *sigs, struct names *verdicts)
{
	char gen[OG_BUNDLE_GEN_NAME_MAX], path[PATH_MAX];
	og_error ignored = { 0 };
	og_cleanup_close int gfd = -1, sfd = -1, vfd = -1;
	struct og_trust_store *s = NULL;

	if (og_bundle_current(p->bundlefd, gen, &ignored) != 0)
		return;
	p->r->old_version = gen_version(gen);
	gfd = openat(p->bundlefd, gen, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (gfd < 0)
		return;
	if ((sfd = openat(gfd, OG_BUNDLE_SIGNATURES, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
		(void)walk_files(sfd, "", 0, sigs, &ignored);
	if ((vfd = openat(gfd, OG_BUNDLE_VERDICTS, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
		(void)walk_files(vfd, "", 0, verdicts, &ignored);
	og_bfmt(path, sizeof path, "%s/%s/%s", p->o->bundle_dir, gen, OG_BUNDLE_TRUST_STORE);
	if (og_trust_store_parse_file(path, &s, &ignored) == 0) {
		p->r->old_store_version = s->version;
		og_trust_store_free(s);
	}
}

/* Keep the newest OG_BUNDLE_GEN_KEEP generations (and always `current`);
 * remove older ones, and what a pull that died left behind. */
static void prune(struct pull *p, const char *current)
{
	DIR *d;
	struct dirent *de;
	struct {
		char name[OG_BUNDLE_GEN_NAME_MAX];
		int64_t v;
	} gens[64];
	size_t n = 0;
	int fd = openat(p->bundlefd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0 && strcmp(de->d_name, p->tmp) != 0 &&
		    strcmp(de->d_name, p->src.dl) != 0)
			remove_tree(p->bundlefd, de->d_name);
		else if (strncmp(de->d_name, OG_BUNDLE_GEN_PREFIX, strlen(OG_BUNDLE_GEN_PREFIX)) == 0 &&
			 strlen(de->d_name) < OG_BUNDLE_GEN_NAME_MAX && n < sizeof gens / sizeof gens[0]) {
			og_bfmt(gens[n].name, sizeof gens[n].name, "%s", de->d_name);
			gens[n++].v = gen_version(de->d_name);
		}
	}
	closedir(d);
	/* Newest first (selection: a handful of entries). */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (gens[j].v > gens[i].v) {
				char t[OG_BUNDLE_GEN_NAME_MAX];
				int64_t tv = gens[i].v;

				memcpy(t, gens[i].name, sizeof t);
				memcpy(gens[i].name, gens[j].name, sizeof t);
				memcpy(gens[j].name, t, sizeof t);
				gens[i].v = gens[j].v;
				gens[j].v = tv;
			}
	for (size_t i = OG_BUNDLE_GEN_KEEP; i < n; i++)
		if (strcmp(gens[i].name, current) != 0)
			remove_tree(p->bundlefd, gens[i].name);
}

/* Under the state lock: the floor again, then rename the generation into
 * place, swap `current`, sync, raise the floors. */
static int step_publish(struct pull *p, og_error *e)
{
	og_cleanup_trust_state struct og_trust_state_lock l = { .dirfd = -1 };
	char gen[OG_BUNDLE_GEN_NAME_MAX], link_tmp[NAME_MAX + 1];

	if (og_trust_state_lock_file(p->o->trust->state_dir, OG_BUNDLE_STATE_FILE, &l, e) < 0 ||
	    refuse_rollback(&p->d, l.version, e) < 0)
		return -1;
	if (og_write_file_atomic(p->tmpfd, OG_BUNDLE_MANIFEST_DIGEST, p->src.digest, strlen(p->src.digest), 0644,
				 e) < 0)
		return -1;
	if (fchmod(p->tmpfd, 0755) < 0 || syncfs(p->tmpfd) < 0)
		return og_fail_errno(e, errno, "sync");
	og_bundle_generation_name(&p->d, gen);
	if (renameat(p->bundlefd, p->tmp, p->bundlefd, gen) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY)
			return og_fail_errno(e, errno, "%s", gen);
		/* The same descriptor (same bytes, same signed digests) was
		 * installed before: its generation is never changed, reuse it. */
		remove_tree(p->bundlefd, p->tmp);
	}
	p->tmp[0] = '\0';
	og_bfmt(link_tmp, sizeof link_tmp, TMP_PREFIX "current-%d", (int)getpid());
	(void)unlinkat(p->bundlefd, link_tmp, 0);
	if (symlinkat(gen, p->bundlefd, link_tmp) < 0)
		return og_fail_errno(e, errno, "%s", link_tmp);
	if (renameat(p->bundlefd, link_tmp, p->bundlefd, OG_BUNDLE_CURRENT) < 0) {
		int err = errno;

		(void)unlinkat(p->bundlefd, link_tmp, 0);
		return og_fail_errno(e, err, "%s", OG_BUNDLE_CURRENT);
	}
	if (fsync(p->bundlefd) < 0)
		return og_fail_errno(e, errno, "sync the bundle directory");
	og_bfmt(p->r->generation, sizeof p->r->generation, "%s", gen);
	/* The generation first, then the bundle floor, as `trust install` does.
	 * The trust store's own floor is not raised here: a hook that read
	 * `current` just before the swap still reads the previous generation's
	 * store, and would refuse it as rolled back (test_bundle_stress.sh saw
	 * 4 of 220 starts refused so); the hook raises it when it accepts the
	 * newer store, and a replayed older bundle is refused by the bundle
	 * floor before it is unpacked. */
	if (og_trust_state_record(&l, p->d.version, e) < 0)
		return og_wrap(e, "installed, but the bundle floor not raised (the next pull raises it)");
	prune(p, gen);
	return 0;
}

static int open_bundle_dir(const char *dir, og_error *e)
{
	struct stat st;
	int fd;

	if (dir == NULL || dir[0] != '/')
		return og_fail(e, "bundle directory \"%s\": an absolute path is needed", dir ? dir : "");
	if (og_mkdir_p(dir, 0755, e) < 0)
		return og_wrap(e, "bundle directory");
	/* The hook trusts what is there: StrictModes, as for the policy. */
	if (og_strict_modes(dir, geteuid(), &st, e) < 0)
		return og_wrap(e, "bundle directory");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return og_fail_errno(e, errno, "bundle directory %s", dir);
	/* One pull at a time: a second waits here. */
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			close(fd);
			return og_fail_errno(e, errno, "bundle directory %s: lock", dir);
		}
	return fd;
}

static int run(struct pull *p, og_error *e)
{
	struct names old_sigs = { 0 }, old_verdicts = { 0 };

	if (step_manifest(p, e) < 0)
		return fail_step(p, "1 manifest", e);
	og_bfmt(p->r->manifest_digest, sizeof p->r->manifest_digest, "%s", p->src.digest);
	if (installed_same(p)) {
		char gen[OG_BUNDLE_GEN_NAME_MAX];

		p->r->up_to_date = 1;
		if (og_bundle_current(p->bundlefd, gen, e) == 0) {
			p->r->new_version = p->r->old_version = gen_version(gen);
			og_bfmt(p->r->generation, sizeof p->r->generation, "%s", gen);
		}
		return 0;
	}
	if (step_copy(p, e) < 0)
		return fail_step(p, "2 copy", e);
	if (step_descriptor(p, e) < 0)
		return fail_step(p, "3 descriptor", e);
	if (step_layers(p, e) < 0)
		return fail_step(p, "4 layers", e);
	if (step_unpack(p, e) < 0)
		return fail_step(p, "5 unpack", e);
	if (step_trust_store(p, e) < 0)
		return fail_step(p, "6 trust store", e);
	describe_old(p, &old_sigs, &old_verdicts);
	names_diff(&old_sigs, &p->new_sigs, &p->r->sigs_added, &p->r->sigs_removed);
	names_diff(&old_verdicts, &p->new_verdicts, &p->r->verdicts_added, &p->r->verdicts_removed);
	names_free(&old_sigs);
	names_free(&old_verdicts);
	if (step_publish(p, e) < 0)
		return fail_step(p, "7 publish", e);
	return 0;
}

int og_bundle_pull(const struct og_bundle_pull_opts *o, struct og_bundle_pull_result *r, og_error *e)
{
	struct pull p = { .o = o, .r = r, .bundlefd = -1, .src = { .fd = -1, .blobs = -1 }, .tmpfd = -1 };
	int rc;

	memset(r, 0, sizeof *r);
	if ((o->ref == NULL) == (o->layout == NULL))
		return og_fail(e, "a registry reference or an OCI layout, one of them");
	if (o->trust->state_dir == NULL)
		return og_fail(e, "no trust.state_dir: the bundle's rollback floor needs one");
	p.bundlefd = open_bundle_dir(o->bundle_dir, e);
	if (p.bundlefd < 0) {
		r->step = "0 bundle directory";
		return -1;
	}
	rc = run(&p, e);
	/* Nothing left behind: the unpacked tree (unless published) and the copy. */
	og_closep(&p.tmpfd);
	og_closep(&p.src.fd);
	og_closep(&p.src.blobs);
	if (p.tmp[0] != '\0')
		remove_tree(p.bundlefd, p.tmp);
	if (p.src.dl[0] != '\0')
		remove_tree(p.bundlefd, p.src.dl);
	og_buf_free(&p.src.manifest);
	og_buf_free(&p.desc);
	og_buf_free(&p.sig);
	names_free(&p.new_sigs);
	names_free(&p.new_verdicts);
	close(p.bundlefd);
	return rc;
}
