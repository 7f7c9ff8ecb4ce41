/* Registry access through skopeo: see registry.h and docs/registry-client.md. */
#include "hook/delivery/registry.h"
#include "hook/delivery/child.h"
#include "hook/base/cleanup.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "verify/common/digest.h"
#include "verify/common/reference.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define OG_REGISTRY_MAX_ARGS 24
#define OG_REGISTRY_MAX_LAYERS 1024	/* layers one copied manifest may list */
#define OG_REGISTRY_MAX_COPY_OUT 65536	/* skopeo copy --quiet says little */
#define OG_COPY_WORD_MAX (PATH_MAX + OG_REF_MAX + 16)	/* "docker://...", "dir:...", "oci:...:tag" */

struct args {
	char *v[OG_REGISTRY_MAX_ARGS + 1];
	size_t n;
	char ref[OG_COPY_WORD_MAX];	/* "docker://REF", for inspect */
};

static void arg(struct args *a, const char *s)
{
	if (a->n < OG_REGISTRY_MAX_ARGS)
		a->v[a->n++] = (char *)s;	/* execv does not write to its argv */
	a->v[a->n] = NULL;
}

static int timeout_of(const struct og_registry_opts *o)
{
	return o != NULL && o->timeout_ms > 0 ? o->timeout_ms : OG_REGISTRY_TIMEOUT_MS;
}

/* which: 0 inspect (no prefix), 1 copy source, 2 copy destination. */
static void add_conn_opts(struct args *a, const struct og_registry_opts *o, int which)
{
	static const char *const tls[3] = { "--tls-verify=false", "--src-tls-verify=false",
					    "--dest-tls-verify=false" };
	static const char *const auth[3] = { "--authfile", "--src-authfile", "--dest-authfile" };
	static const char *const certs[3] = { "--cert-dir", "--src-cert-dir", "--dest-cert-dir" };

	if (o == NULL)
		return;
	/* tls_verify=1 passes nothing, so registries.conf's "insecure" still applies. */
	if (!o->tls_verify)
		arg(a, tls[which]);
	if (o->authfile != NULL) {
		arg(a, auth[which]);
		arg(a, o->authfile);
	}
	if (o->cert_dir != NULL) {
		arg(a, certs[which]);
		arg(a, o->cert_dir);
	}
}

static void start_args(struct args *a, const struct og_registry_opts *o, const char *verb)
{
	memset(a, 0, sizeof *a);
	arg(a, o != NULL && o->skopeo != NULL ? o->skopeo : "/usr/bin/skopeo");
	/* containers-policy.json(5) says which images the node may run; what
	 * is copied here is signatures and trust bundles, whose trust ocigate
	 * decides itself (the hook verifies signatures, bundle pull its root
	 * signatures).  A node that requires sigstore signatures for a registry
	 * would otherwise refuse to copy the .sig artifact, which is not signed
	 * itself.  registries.conf (blocked, mirrors) still applies. */
	if (strcmp(verb, "copy") == 0)
		arg(a, "--insecure-policy");
	arg(a, verb);
}

/* A reference skopeo's docker:// transport gets: valid, no transport prefix,
 * not an option. */
static int check_ref(const char *ref, og_error *e)
{
	char repo[OG_REF_MAX], dg[OG_DIGEST_MAX];

	if (ref == NULL || ref[0] == '\0')
		return og_fail(e, "no image reference");
	if (strlen(ref) >= OG_REF_MAX)
		return og_fail(e, "image reference longer than %d bytes", OG_REF_MAX - 1);
	if (ref[0] == '-' || strstr(ref, "://") != NULL ||
	    og_ref_parse(ref, repo, sizeof repo, dg, sizeof dg) < 0)
		return og_fail(e, "%s: not an image reference (%s)", ref,
			       og_ref_problem(ref) ? og_ref_problem(ref) : "transport or option");
	return 0;
}

/* skopeo (containers/image) reports through logrus: `time="..." level=fatal
 * msg="..."`.  Keep the message. */
static void skopeo_reason(const struct og_child_result *r, char *out, size_t size)
{
	char line[OG_ERROR_MAX / 2];
	const char *m;
	size_t n;

	og_child_last_line(r, line, sizeof line);
	m = strstr(line, "msg=\"");
	if (m == NULL) {
		og_bfmt(out, size, "%s", line[0] ? line : "(no message)");
		return;
	}
	m += 5;
	n = strlen(m);
	if (n > 0 && m[n - 1] == '"')
		n--;
	/* logrus quotes the message: undo its \" and \\ escapes. */
	for (size_t i = 0, j = 0; size > 0; i++) {
		if (i >= n || j + 1 >= size) {
			out[j] = '\0';
			break;
		}
		if (m[i] == '\\' && i + 1 < n && (m[i + 1] == '"' || m[i + 1] == '\\'))
			i++;
		out[j++] = m[i];
	}
}

static int not_found(const char *reason)
{
	return strstr(reason, "manifest unknown") != NULL || strstr(reason, "name unknown") != NULL ||
	       strstr(reason, "not found") != NULL;
}

/* Run skopeo; what names the operation in errors. */
static int run_skopeo(const struct args *a, size_t max_out, const struct og_registry_opts *o,
		      const char *what, struct og_child_result *r, og_error *e)
{
	char reason[OG_ERROR_MAX / 2];

	if (access(a->v[0], X_OK) < 0)
		return og_fail_errno(e, errno, "%s: cannot run %s", what, a->v[0]);
	if (og_child_run(a->v, max_out, timeout_of(o), r, e) < 0)
		return og_wrap(e, "%s: skopeo", what);
	if (r->status == 0)
		return 0;
	skopeo_reason(r, reason, sizeof reason);
	og_buf_free(&r->out);
	og_fail(e, "%s: skopeo exited %d: %s", what, r->status, reason);
	if (not_found(reason))
		e->errnum = ENOENT;
	return -1;
}

int og_registry_manifest(const struct og_registry_opts *o, const char *ref, og_buf *raw,
			 char digest[OG_DIGEST_MAX], og_error *e)
{
	struct og_child_result r;
	struct args a;
	char repo[OG_REF_MAX], want[OG_DIGEST_MAX];

	if (check_ref(ref, e) < 0)
		return -1;
	start_args(&a, o, "inspect");
	arg(&a, "--raw");
	add_conn_opts(&a, o, 0);
	og_bfmt(a.ref, sizeof a.ref, "docker://%s", ref);
	arg(&a, a.ref);
	if (run_skopeo(&a, OG_REGISTRY_MAX_MANIFEST_BYTES, o, ref, &r, e) < 0)
		return -1;
	if (r.out.len == 0) {
		og_buf_free(&r.out);
		return og_fail(e, "%s: the registry sent an empty manifest", ref);
	}
	og_sha256_digest(r.out.data, r.out.len, digest, OG_DIGEST_MAX);
	og_ref_parse(ref, repo, sizeof repo, want, sizeof want);
	if (want[0] != '\0' && strcmp(want, digest) != 0) {
		og_buf_free(&r.out);
		return og_fail(e, "%s: the manifest sent has digest %s", ref, digest);
	}
	*raw = r.out;
	return 0;
}

/* The sizes a manifest declares, against the limits; refuses an index. */
static int check_sizes(const struct og_registry_opts *o, const og_buf *raw, const char *ref, og_error *e)
{
	json_auto_t *m = og_json_parse(raw->data, raw->len, "manifest", e);
	json_t *cfg, *layers, *l;
	const char *mt = NULL;
	int64_t sz, total = 0;
	size_t i;

	if (m == NULL)
		return og_wrap(e, "%s", ref);
	if (!json_is_object(m))
		return og_fail(e, "%s: the manifest is not a JSON object", ref);
	if (json_object_get(m, "manifests") != NULL)
		return og_fail(e, "%s: an index, not one manifest (name one platform's manifest by digest)", ref);
	if (og_json_str(m, "mediaType", "manifest", 0, &mt, e) < 0 ||
	    og_json_obj(m, "config", "manifest", 1, &cfg, e) < 0 ||
	    og_json_arr(m, "layers", "manifest", 1, &layers, e) < 0)
		return og_wrap(e, "%s", ref);
	if (mt != NULL && strcmp(mt, "application/vnd.oci.image.manifest.v1+json") != 0 &&
	    strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json") != 0)
		return og_fail(e, "%s: manifest media type \"%.80s\" is not an image manifest", ref, mt);
	if (json_array_size(layers) > OG_REGISTRY_MAX_LAYERS)
		return og_fail(e, "%s: the manifest lists %zu layers, more than %d", ref, json_array_size(layers),
			       OG_REGISTRY_MAX_LAYERS);
	if (og_json_int(cfg, "size", "manifest.config", 1, 0, INT64_MAX / 4, &total, e) < 0)
		return og_wrap(e, "%s", ref);
	json_array_foreach(layers, i, l) {
		char path[48];

		og_bfmt(path, sizeof path, "manifest.layers[%zu]", i);
		if (!json_is_object(l))
			return og_fail(e, "%s: %s: not an object", ref, path);
		if (og_json_int(l, "size", path, 1, 0, INT64_MAX / 4, &sz, e) < 0)
			return og_wrap(e, "%s", ref);
		if (o != NULL && o->max_blob_bytes > 0 && (uint64_t)sz > o->max_blob_bytes)
			return og_fail(e, "%s: %s is %lld bytes, more than the limit of %zu", ref, path,
				       (long long)sz, o->max_blob_bytes);
		if (total > INT64_MAX / 4)
			return og_fail(e, "%s: layer sizes overflow", ref);
		total += sz;
	}
	if (o != NULL && o->max_blob_bytes > 0 &&
	    (uint64_t)json_integer_value(json_object_get(cfg, "size")) > o->max_blob_bytes)
		return og_fail(e, "%s: the config blob is larger than the limit of %zu bytes", ref,
			       o->max_blob_bytes);
	if (o != NULL && o->max_total_bytes > 0 && (uint64_t)total > o->max_total_bytes)
		return og_fail(e, "%s: the blobs add up to %lld bytes, more than the limit of %zu", ref,
			       (long long)total, o->max_total_bytes);
	return 0;
}

static int dir_empty(const char *dir, og_error *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return og_fail_errno(e, errno, "%s", dir);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n == 0 ? 0 : og_fail(e, "%s: not an empty directory", dir);
}

/* Which side of a copy is the registry: add_conn_opts' src- or dest- options. */
enum { OG_COPY_FROM_REGISTRY = 1, OG_COPY_TO_REGISTRY = 2 };

/* skopeo copy SRC DST, digests and manifest bytes kept as they are. */
static int skopeo_copy(const struct og_registry_opts *o, int registry_side, const char *src, const char *dst,
		       const char *ref, og_error *e)
{
	struct og_child_result r;
	struct args a;

	start_args(&a, o, "copy");
	arg(&a, "--quiet");
	arg(&a, "--preserve-digests");
	add_conn_opts(&a, o, registry_side);
	arg(&a, src);
	arg(&a, dst);
	if (run_skopeo(&a, OG_REGISTRY_MAX_COPY_OUT, o, ref, &r, e) < 0)
		return -1;
	og_buf_free(&r.out);
	return 0;
}

int og_registry_pull_dir(const struct og_registry_opts *o, const char *ref, const char *dir,
			 og_error *e)
{
	og_cleanup_buf og_buf raw = { 0 }, copied = { 0 };
	char digest[OG_DIGEST_MAX], name[OG_REF_MAX], src[OG_COPY_WORD_MAX], dst[OG_COPY_WORD_MAX];
	og_cleanup_close int dfd = -1;

	if (dir == NULL || dir[0] != '/' || strchr(dir, ':') != NULL || strlen(dir) >= PATH_MAX)
		return og_fail(e, "%s: the destination must be an absolute path without ':'", dir ? dir : "");
	if (dir_empty(dir, e) < 0 || og_registry_manifest(o, ref, &raw, digest, e) < 0 ||
	    check_sizes(o, &raw, ref, e) < 0)
		return -1;
	/* Copy by digest: the manifest copied is the one whose sizes were checked,
	 * even if the tag moves meanwhile. */
	og_ref_name(ref, name, sizeof name);
	og_bfmt(src, sizeof src, "docker://%s@%s", name, digest);
	og_bfmt(dst, sizeof dst, "dir:%s", dir);
	if (skopeo_copy(o, OG_COPY_FROM_REGISTRY, src, dst, ref, e) < 0)
		return -1;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return og_fail_errno(e, errno, "%s", dir);
	if (og_read_file_at(dfd, "manifest.json", OG_REGISTRY_MAX_MANIFEST_BYTES, &copied, e) < 0)
		return og_wrap(e, "%s: after the copy", ref);
	if (copied.len != raw.len || memcmp(copied.data, raw.data, raw.len) != 0)
		return og_fail(e, "%s: the copied manifest differs from the registry's %s", ref, digest);
	return 0;
}

int og_registry_push_oci(const struct og_registry_opts *o, const char *layout_dir, const char *tag,
			 const char *ref, og_error *e)
{
	char src[OG_COPY_WORD_MAX], dst[OG_COPY_WORD_MAX];
	size_t tl = tag != NULL ? strlen(tag) : 0;

	if (layout_dir == NULL || layout_dir[0] != '/' || strchr(layout_dir, ':') != NULL ||
	    strlen(layout_dir) >= PATH_MAX)
		return og_fail(e, "%s: the OCI layout must be an absolute path without ':'",
			       layout_dir ? layout_dir : "");
	if (tl == 0 || tl > 128 || strspn(tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					       "0123456789_.-") != tl || tag[0] == '.' || tag[0] == '-')
		return og_fail(e, "\"%.130s\": not a tag", tag ? tag : "");
	if (check_ref(ref, e) < 0)
		return -1;
	og_bfmt(src, sizeof src, "oci:%s:%s", layout_dir, tag);
	og_bfmt(dst, sizeof dst, "docker://%s", ref);
	return skopeo_copy(o, OG_COPY_TO_REGISTRY, src, dst, ref, e);
}
