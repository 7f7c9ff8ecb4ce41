/* cosign's registry layout read into signature entries: see sig_fetch.h. */
#include "hook/delivery/sig_fetch.h"
#include "hook/base/cleanup.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "verify/common/base64.h"
#include "verify/common/digest.h"
#include "verify/common/reference.h"
#include "verify/sig/cosign.h"
#include "verify/sig/sigstore.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OG_MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OG_MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define OG_MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"

void og_sig_layers_free(struct og_sig_layer *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		og_buf_free(&v[i].signature);
		og_buf_free(&v[i].certificate);
		og_buf_free(&v[i].chain);
		og_buf_free(&v[i].rekor_bundle);
		og_buf_free(&v[i].rfc3161_timestamp);
	}
	free(v);
}

/* A copy of an annotation's exact bytes, when present (a string, at most max). */
static int ann_bytes(const json_t *ann, const char *key, const char *path, size_t max, og_buf *out,
		     og_error *e)
{
	const char *s = NULL;
	size_t len;
	int r = og_json_str(ann, key, path, 0, &s, e);

	if (r != 0)
		return r < 0 ? -1 : 0;
	len = json_string_length(json_object_get(ann, key));
	if (len == 0 || len > max)
		return og_fail(e, "%s.\"%s\": %zu bytes, expected 1 to %zu", path, key, len, max);
	out->data = malloc(len + 1);
	if (out->data == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	memcpy(out->data, s, len);
	out->data[len] = '\0';
	out->len = len;
	return 0;
}

/* A descriptor's digest and size; the size at most max. */
static int descriptor(const json_t *d, const char *path, size_t max, char digest[OG_DIGEST_MAX],
		      size_t *size, og_error *e)
{
	const char *dg;
	int64_t sz;

	if (!json_is_object(d))
		return og_fail(e, "%s: not an object", path);
	if (og_json_str(d, "digest", path, 1, &dg, e) < 0 ||
	    og_json_int(d, "size", path, 1, 0, INT64_MAX, &sz, e) < 0)
		return -1;
	if (!og_digest_valid(dg))
		return og_fail(e, "%s.digest: %s", path, og_digest_problem(dg));
	if ((uint64_t)sz > max)
		return og_fail(e, "%s: %lld bytes, more than the limit of %zu", path, (long long)sz, max);
	og_bfmt(digest, OG_DIGEST_MAX, "%s", dg);
	*size = (size_t)sz;
	return 0;
}

/* An image manifest (OCI or Docker v2), with its layers array. */
static int image_manifest(const json_t *m, const char *what, json_t **layers, og_error *e)
{
	const char *mt = NULL;
	int64_t sv = 0;

	if (!json_is_object(m))
		return og_fail(e, "%s: not a JSON object", what);
	if (og_json_int(m, "schemaVersion", what, 1, 2, 2, &sv, e) < 0 ||
	    og_json_str(m, "mediaType", what, 0, &mt, e) < 0)
		return -1;
	if (mt != NULL && strcmp(mt, OG_MEDIA_OCI_MANIFEST) != 0 && strcmp(mt, OG_MEDIA_DOCKER_MANIFEST) != 0)
		return og_fail(e, "%s: media type \"%.100s\" is not an image manifest", what, mt);
	if (json_object_get(m, "manifests") != NULL)
		return og_fail(e, "%s: an index, not a manifest", what);
	return og_json_arr(m, "layers", what, 1, layers, e);
}

static int parse_layer(const json_t *l, size_t i, struct og_sig_layer *out, og_error *e)
{
	char path[64];
	const char *mt, *sig;
	json_t *ann;
	unsigned char *raw;

	og_bfmt(path, sizeof path, "manifest.layers[%zu]", i);
	if (descriptor(l, path, OG_MAX_COSIGN_PAYLOAD_BYTES, out->digest, &out->size, e) < 0 ||
	    og_json_str(l, "mediaType", path, 1, &mt, e) < 0)
		return -1;
	if (strcmp(mt, OG_COSIGN_SIG_LAYER) != 0)
		return og_fail(e, "%s: media type \"%.100s\" is not a cosign simple-signing signature (%s)",
			       path, mt, OG_COSIGN_SIG_LAYER);
	if (og_json_obj(l, "annotations", path, 1, &ann, e) < 0 ||
	    og_json_str(ann, OG_COSIGN_ANN_SIGNATURE, path, 1, &sig, e) < 0)
		return og_wrap(e, "no signature annotation (%s)", OG_COSIGN_ANN_SIGNATURE);
	if (strlen(sig) > 4 * OG_MAX_SIG_CERT_BYTES)
		return og_fail(e, "%s: the signature annotation is too long", path);
	if (og_base64_decode(sig, strlen(sig), OG_B64_STRICT, OG_COSIGN_ANN_SIGNATURE, &raw,
			     &out->signature.len, e) < 0)
		return og_wrap(e, "%s", path);
	out->signature.data = (char *)raw;
	if (out->signature.len == 0)
		return og_fail(e, "%s: empty signature", path);
	if (ann_bytes(ann, OG_COSIGN_ANN_CERTIFICATE, path, OG_MAX_SIG_CERT_BYTES, &out->certificate, e) < 0 ||
	    ann_bytes(ann, OG_COSIGN_ANN_CHAIN, path, OG_MAX_SIG_CERT_BYTES, &out->chain, e) < 0 ||
	    ann_bytes(ann, OG_COSIGN_ANN_BUNDLE, path, OG_MAX_SIG_CERT_BYTES, &out->rekor_bundle, e) < 0 ||
	    ann_bytes(ann, OG_COSIGN_ANN_TIMESTAMP, path, OG_MAX_SIG_CERT_BYTES, &out->rfc3161_timestamp,
		      e) < 0)
		return -1;
	if (out->certificate.data == NULL && (out->chain.data != NULL || out->rfc3161_timestamp.data != NULL))
		return og_fail(e, "%s: a chain or timestamp annotation without a certificate", path);
	return 0;
}

int og_sig_manifest_parse(const char *data, size_t len, struct og_sig_layer **out, size_t *n,
			  og_error *e)
{
	json_auto_t *m = NULL;
	json_t *layers, *l;
	struct og_sig_layer *v;
	size_t i, count;

	*out = NULL;
	*n = 0;
	if (len > OG_MAX_MANIFEST_BYTES)
		return og_fail(e, "manifest: larger than %d bytes", OG_MAX_MANIFEST_BYTES);
	m = og_json_parse(data, len, "manifest", e);
	if (m == NULL || image_manifest(m, "manifest", &layers, e) < 0)
		return -1;
	count = json_array_size(layers);
	if (count > OG_SIG_FETCH_MAX_LAYERS)
		return og_fail(e, "manifest: %zu signature layers, more than %d", count,
			       OG_SIG_FETCH_MAX_LAYERS);
	if (count == 0)
		return 0;
	v = calloc(count, sizeof *v);
	if (v == NULL)
		return og_fail_errno(e, ENOMEM, "manifest");
	json_array_foreach(layers, i, l) {
		if (parse_layer(l, i, &v[i], e) < 0) {
			og_sig_layers_free(v, count);
			return -1;
		}
	}
	*out = v;
	*n = count;
	return 0;
}

/* Read the blob digest (descriptor size `size`) of a dir: copy and check it. */
static int read_blob(int dfd, const char *digest, size_t size, size_t max, og_buf *out, og_error *e)
{
	char hex[65];

	if (og_read_file_at(dfd, digest + 7, max, out, e) < 0)
		return og_wrap(e, "blob %s", digest);
	og_sha256_hex(out->data, out->len, hex);
	if (out->len != size || strcmp(hex, digest + 7) != 0) {
		og_buf_free(out);
		return og_fail(e, "blob %s: its bytes do not match the manifest's digest and size", digest);
	}
	return 0;
}

static int open_dir(const char *dir, og_error *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return og_fail_errno(e, errno, "%s", dir);
	return fd;
}

static void steal_buf(og_buf *to, og_buf *from)
{
	*to = *from;
	memset(from, 0, sizeof *from);
}

int og_sig_dir_read(const char *dir, struct og_sig_entry **out, size_t *n, og_error *e)
{
	og_cleanup_close int dfd = -1;
	og_cleanup_buf og_buf man = { 0 };
	struct og_sig_layer *layers = NULL;
	struct og_sig_entry *v;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	dfd = open_dir(dir, e);
	if (dfd < 0)
		return -1;
	if (og_read_file_at(dfd, "manifest.json", OG_MAX_MANIFEST_BYTES, &man, e) < 0 ||
	    og_sig_manifest_parse(man.data, man.len, &layers, &count, e) < 0)
		return og_wrap(e, "%s", dir);
	if (count == 0)
		return 0;
	v = calloc(count, sizeof *v);
	if (v == NULL) {
		og_sig_layers_free(layers, count);
		return og_fail_errno(e, ENOMEM, "%s", dir);
	}
	for (size_t i = 0; i < count; i++) {
		struct og_cosign_payload cp;

		if (read_blob(dfd, layers[i].digest, layers[i].size, OG_MAX_COSIGN_PAYLOAD_BYTES, &v[i].payload,
			      e) < 0 ||
		    og_cosign_payload_parse(v[i].payload.data, v[i].payload.len, &cp, e) < 0) {
			og_wrap(e, "%s: layer %zu", dir, i);
			og_sig_layers_free(layers, count);
			og_sig_entries_free(v, count);
			return -1;
		}
		og_bfmt(v[i].repository, sizeof v[i].repository, "%s", cp.repository);
		steal_buf(&v[i].signature, &layers[i].signature);
		steal_buf(&v[i].certificate, &layers[i].certificate);
		steal_buf(&v[i].chain, &layers[i].chain);
		steal_buf(&v[i].rekor_bundle, &layers[i].rekor_bundle);
		steal_buf(&v[i].rfc3161_timestamp, &layers[i].rfc3161_timestamp);
	}
	og_sig_layers_free(layers, count);
	*out = v;
	*n = count;
	return 0;
}

static int is_bundle_type(const char *t)
{
	return t != NULL && strncmp(t, OG_SIGSTORE_BUNDLE_TYPE_PREFIX, strlen(OG_SIGSTORE_BUNDLE_TYPE_PREFIX)) == 0;
}

int og_referrers_parse(const char *data, size_t len, char (*digests)[OG_DIGEST_MAX], size_t max,
		       size_t *n, og_error *e)
{
	json_auto_t *idx = og_json_parse(data, len, "referrers index", e);
	json_t *list, *m;
	const char *mt = NULL;
	size_t i;

	*n = 0;
	if (idx == NULL)
		return -1;
	if (!json_is_object(idx))
		return og_fail(e, "referrers index: not a JSON object");
	if (og_json_str(idx, "mediaType", "referrers index", 0, &mt, e) < 0 ||
	    og_json_arr(idx, "manifests", "referrers index", 1, &list, e) < 0)
		return -1;
	if (mt != NULL && strcmp(mt, OG_MEDIA_OCI_INDEX) != 0)
		return og_fail(e, "referrers index: media type \"%.100s\" is not an OCI index", mt);
	json_array_foreach(list, i, m) {
		char path[64], dg[OG_DIGEST_MAX];
		const char *at = NULL;
		size_t sz;

		og_bfmt(path, sizeof path, "referrers index.manifests[%zu]", i);
		if (descriptor(m, path, OG_MAX_MANIFEST_BYTES, dg, &sz, e) < 0 ||
		    og_json_str(m, "artifactType", path, 0, &at, e) < 0)
			return -1;
		if (!is_bundle_type(at))
			continue;
		if (*n >= max)
			return og_fail(e, "referrers index: more than %zu Sigstore bundles", max);
		og_bfmt(digests[(*n)++], OG_DIGEST_MAX, "%s", dg);
	}
	return 0;
}

int og_sig_bundle_dir_read(const char *dir, og_buf *bundle, og_error *e)
{
	og_cleanup_close int dfd = -1;
	og_cleanup_buf og_buf man = { 0 };
	json_auto_t *m = NULL;
	json_t *layers, *l;
	const char *mt;
	char dg[OG_DIGEST_MAX];
	size_t sz;

	dfd = open_dir(dir, e);
	if (dfd < 0)
		return -1;
	if (og_read_file_at(dfd, "manifest.json", OG_MAX_MANIFEST_BYTES, &man, e) < 0)
		return og_wrap(e, "%s", dir);
	m = og_json_parse(man.data, man.len, "bundle referrer", e);
	if (m == NULL || image_manifest(m, "bundle referrer", &layers, e) < 0)
		return -1;
	if (json_array_size(layers) != 1)
		return og_fail(e, "bundle referrer: %zu layers, expected 1", json_array_size(layers));
	l = json_array_get(layers, 0);
	if (descriptor(l, "bundle referrer.layers[0]", OG_MAX_BUNDLE_BYTES, dg, &sz, e) < 0 ||
	    og_json_str(l, "mediaType", "bundle referrer.layers[0]", 1, &mt, e) < 0)
		return -1;
	if (!is_bundle_type(mt))
		return og_fail(e, "bundle referrer.layers[0]: media type \"%.100s\" is not a Sigstore bundle", mt);
	return read_blob(dfd, dg, sz, OG_MAX_BUNDLE_BYTES, bundle, e) < 0 ? og_wrap(e, "%s", dir) : 0;
}

void og_sig_fetched_free(struct og_sig_fetched *f)
{
	og_buf_free(&f->manifest);
	og_sig_entries_free(f->entries, f->n);
	memset(f, 0, sizeof *f);
}

static int subdir(const char *workdir, const char *name, char *out, size_t size, og_error *e)
{
	if ((size_t)og_bfmt(out, size, "%s/%s", workdir, name) >= size)
		return og_fail(e, "%s: path too long", workdir);
	if (mkdir(out, 0700) < 0)
		return og_fail_errno(e, errno, "%s", out);
	return 0;
}

/* Append n entries to f->entries. */
static int append_entries(struct og_sig_fetched *f, struct og_sig_entry *v, size_t n, og_error *e)
{
	struct og_sig_entry *nv;

	if (n == 0)
		return 0;
	nv = realloc(f->entries, (f->n + n) * sizeof *nv);
	if (nv == NULL)
		return og_fail_errno(e, ENOMEM, "entries");
	memcpy(nv + f->n, v, n * sizeof *v);
	f->entries = nv;
	f->n += n;
	return 0;
}

static int fetch_sig_tag(const struct og_registry_opts *o, const char *name, const char *workdir,
			 struct og_sig_fetched *f, og_error *e)
{
	char ref[OG_REF_MAX + 80], dir[PATH_MAX];
	struct og_sig_entry *v = NULL;
	size_t n = 0;

	og_bfmt(ref, sizeof ref, "%s:sha256-%s.sig", name, f->digest + 7);
	if (subdir(workdir, "sig", dir, sizeof dir, e) < 0)
		return -1;
	if (og_registry_pull_dir(o, ref, dir, e) < 0) {
		if (e->errnum != ENOENT)
			return -1;
		og_error_clear(e);
		return 0;	/* no .sig tag: no signatures */
	}
	if (og_sig_dir_read(dir, &v, &n, e) < 0)
		return og_wrap(e, "%s", ref);
	for (size_t i = 0; i < n; i++) {
		struct og_cosign_payload cp;

		/* Only signatures of this image: a .sig tag must not file entries
		 * under other digests (nor crowd out their signatures). */
		if (og_cosign_payload_parse(v[i].payload.data, v[i].payload.len, &cp, e) < 0 ||
		    strcmp(cp.digest, f->digest) != 0) {
			if (!e->set)
				og_fail(e, "%s: layer %zu signs %s, not this image", ref, i, cp.digest);
			og_sig_entries_free(v, n);
			return -1;
		}
	}
	if (append_entries(f, v, n, e) < 0) {
		og_sig_entries_free(v, n);
		return -1;
	}
	free(v);
	return 0;
}

static int fetch_referrers(const struct og_registry_opts *o, const char *name, const char *workdir,
			   struct og_sig_fetched *f, og_error *e)
{
	char ref[OG_REF_MAX + 80], idig[OG_DIGEST_MAX];
	char digests[OG_SIG_FETCH_MAX_REFERRERS][OG_DIGEST_MAX];
	og_cleanup_buf og_buf idx = { 0 };
	size_t n = 0;

	og_bfmt(ref, sizeof ref, "%s:sha256-%s", name, f->digest + 7);
	if (og_registry_manifest(o, ref, &idx, idig, e) < 0) {
		if (e->errnum != ENOENT)
			return -1;
		og_error_clear(e);
		return 0;	/* no referrers tag: no bundles */
	}
	if (og_referrers_parse(idx.data, idx.len, digests, OG_SIG_FETCH_MAX_REFERRERS, &n, e) < 0)
		return og_wrap(e, "%s", ref);
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX], sub[32], mref[OG_REF_MAX + 80];
		struct og_sig_entry en;

		memset(&en, 0, sizeof en);
		og_bfmt(sub, sizeof sub, "referrer-%zu", i);
		og_bfmt(mref, sizeof mref, "%s@%s", name, digests[i]);
		if (subdir(workdir, sub, dir, sizeof dir, e) < 0 || og_registry_pull_dir(o, mref, dir, e) < 0 ||
		    og_sig_bundle_dir_read(dir, &en.bundle, e) < 0)
			return og_wrap(e, "%s", ref);
		if (append_entries(f, &en, 1, e) < 0) {
			og_sig_entry_free(&en);
			return -1;
		}
		f->n_bundles++;
	}
	return 0;
}

int og_sig_fetch(const struct og_registry_opts *o, const char *ref, const char *workdir,
		 struct og_sig_fetched *out, og_error *e)
{
	struct og_registry_opts lim = *o;
	char repo[OG_REF_MAX], want[OG_DIGEST_MAX], name[OG_REF_MAX];
	og_cleanup_buf og_buf raw = { 0 };
	struct og_sig_fetched f;

	memset(out, 0, sizeof *out);
	memset(&f, 0, sizeof f);
	if (og_ref_parse(ref, repo, sizeof repo, want, sizeof want) < 0)
		return og_fail(e, "%s: not an image reference (%s)", ref, og_ref_problem(ref));
	og_ref_name(ref, name, sizeof name);
	/* Signature artifacts are small: tighter limits than the caller's when
	 * those are looser. */
	if (lim.max_blob_bytes == 0 || lim.max_blob_bytes > OG_MAX_BUNDLE_BYTES)
		lim.max_blob_bytes = OG_MAX_BUNDLE_BYTES;
	if (lim.max_total_bytes == 0 || lim.max_total_bytes > OG_SIG_FETCH_MAX_BYTES)
		lim.max_total_bytes = OG_SIG_FETCH_MAX_BYTES;
	if (og_registry_manifest(&lim, ref, &raw, f.digest, e) < 0) {
		if (want[0] == '\0' || e->errnum != ENOENT)
			return -1;
		/* A digest reference names what to look for even when the
		 * registry no longer has the image itself. */
		og_error_clear(e);
		og_bfmt(f.digest, sizeof f.digest, "%s", want);
		f.no_manifest = 1;
	} else {
		/* Kept to link the config digest when it is one image manifest;
		 * an index is signed as it is. */
		json_auto_t *m = og_json_parse(raw.data, raw.len, "the manifest", e);
		json_t *layers;

		if (m == NULL)
			return og_wrap(e, "%s", ref);
		if (!json_is_object(m))
			return og_fail(e, "%s: the manifest is not a JSON object", ref);
		if (json_object_get(m, "manifests") == NULL) {
			if (image_manifest(m, "the manifest", &layers, e) < 0)
				return og_wrap(e, "%s", ref);
			steal_buf(&f.manifest, &raw);
		}
	}
	if (fetch_sig_tag(&lim, name, workdir, &f, e) < 0 || fetch_referrers(&lim, name, workdir, &f, e) < 0) {
		og_sig_fetched_free(&f);
		return -1;
	}
	*out = f;
	return 0;
}
