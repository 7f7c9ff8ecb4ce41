#include "verify/identity/identity.h"
#include "hook/base/cleanup.h"
#include "verify/identity/containerd_bundle.h"
#include "verify/identity/containerd_client.h"
#include "hook/base/jsonutil.h"
#include "verify/identity/podman_storage.h"
#include "verify/common/digest.h"
#include "hook/base/strfmt.h"
#include "verify/common/reference.h"

#include <limits.h>
#include <unistd.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum source_type { SRC_ANNOTATION = 0, SRC_CONTAINERD, SRC_PODMAN };
enum source_kind { KIND_CONFIG, KIND_MANIFEST, KIND_REFERENCE };

#define OG_CONTAINERD_DEFAULT_TIMEOUT_MS 500

struct identity_source {
	enum source_type type;
	enum source_kind kind;
	char *annotation;
	char *path;		/* containerd socket or podman graph root (not inline: the
				 * policy is zeroed at every start, 16 x PATH_MAX was 17 pages) */
	char ns[128];		/* containerd namespace, "" = from the bundle path */
	char *root;		/* containerd's root (its content store), for the image rules */
	int timeout_ms;
};

struct og_identity_policy {
	struct identity_source src[OG_MAX_IDENTITY_SOURCES];
	size_t n;
};

static const char *kind_name(enum source_kind k)
{
	switch (k) {
	case KIND_CONFIG: return "config";
	case KIND_MANIFEST: return "manifest";
	case KIND_REFERENCE: return "reference";
	}
	return "?";
}

static int add_annotation(struct og_identity_policy *p, const char *name, enum source_kind kind)
{
	struct identity_source *s = &p->src[p->n];

	s->annotation = strdup(name);
	if (s->annotation == NULL)
		return -1;
	s->type = SRC_ANNOTATION;
	s->kind = kind;
	p->n++;
	return 0;
}

static int add_engine(struct og_identity_policy *p, enum source_type type, const char *where,
		      const char *ns, int timeout_ms, const char *root)
{
	struct identity_source *s = &p->src[p->n];

	if (strlen(where) >= PATH_MAX || strlen(ns) >= sizeof s->ns || strlen(root) >= PATH_MAX ||
	    (s->path = strdup(where)) == NULL)
		return -1;
	if ((s->root = strdup(root)) == NULL) {
		free(s->path);
		s->path = NULL;
		return -1;
	}
	s->type = type;
	memcpy(s->ns, ns, strlen(ns) + 1);
	s->timeout_ms = timeout_ms;
	p->n++;
	return 0;
}

static int parse_engine(struct og_identity_policy *p, const json_t *item, const char *path,
			enum source_type type, og_error *e)
{
	static const char *const ckeys[] = { "source", "socket", "namespace", "timeout_ms", "root", NULL };
	static const char *const pkeys[] = { "source", "graphroot", NULL };
	const char *where = type == SRC_CONTAINERD ? OG_CONTAINERD_DEFAULT_SOCKET
						   : OG_PODMAN_DEFAULT_GRAPHROOT;
	const char *ns = "", *root = OG_CONTAINERD_DEFAULT_ROOT;
	int64_t t = OG_CONTAINERD_DEFAULT_TIMEOUT_MS;

	if (og_json_only_keys(item, path, type == SRC_CONTAINERD ? ckeys : pkeys, e) < 0 ||
	    og_json_str(item, type == SRC_CONTAINERD ? "socket" : "graphroot", path, 0, &where, e) < 0)
		return -1;
	if (type == SRC_CONTAINERD &&
	    (og_json_str(item, "namespace", path, 0, &ns, e) < 0 ||
	     og_json_int(item, "timeout_ms", path, 0, 1, 10000, &t, e) < 0 ||
	     og_json_str(item, "root", path, 0, &root, e) < 0))
		return -1;
	if (where[0] != '/' || root[0] != '/')
		return og_fail(e, "%s: \"%.64s\" is not an absolute path", path, where[0] != '/' ? where : root);
	if (add_engine(p, type, where, ns, (int)t, root) < 0)
		return og_fail(e, "%s: path or namespace too long", path);
	return 0;
}

static int parse_source(struct og_identity_policy *p, const json_t *item, const char *path,
			og_error *e)
{
	static const char *const keys[] = { "source", "annotation", "kind", NULL };
	const char *source = "annotation", *name = NULL, *kind = NULL;
	enum source_kind k;

	if (!json_is_object(item))
		return og_fail(e, "%s: expected an object, found %s", path, og_json_type(item));
	if (og_json_str(item, "source", path, 0, &source, e) < 0)
		return -1;
	if (strcmp(source, "containerd") == 0)
		return parse_engine(p, item, path, SRC_CONTAINERD, e);
	if (strcmp(source, "podman") == 0)
		return parse_engine(p, item, path, SRC_PODMAN, e);
	if (strcmp(source, "annotation") != 0)
		return og_fail(e, "%s.source: unknown identity source \"%.64s\" (supported: "
			       "annotation, containerd, podman)", path, source);
	if (og_json_only_keys(item, path, keys, e) < 0)
		return -1;
	if (og_json_str(item, "annotation", path, 1, &name, e) < 0 ||
	    og_json_str(item, "kind", path, 1, &kind, e) < 0)
		return -1;
	if (*name == '\0' || strlen(name) > 253)
		return og_fail(e, "%s.annotation: must be 1 to 253 characters", path);
	if (strcmp(kind, "config") == 0)
		k = KIND_CONFIG;
	else if (strcmp(kind, "manifest") == 0)
		k = KIND_MANIFEST;
	else if (strcmp(kind, "reference") == 0)
		k = KIND_REFERENCE;
	else
		return og_fail(e, "%s.kind: unknown kind \"%.64s\" (expected config, manifest or reference)",
			       path, kind);
	if (add_annotation(p, name, k) < 0)
		return og_fail_errno(e, ENOMEM, "%s", path);
	return 0;
}

int og_identity_policy_parse(const json_t *image_section, const char *path,
			     struct og_identity_policy **out, og_error *e)
{
	static const char *const keys[] = { "identity", NULL };
	struct og_identity_policy *p = calloc(1, sizeof *p);
	json_t *list = NULL;
	char ipath[256];
	size_t i;
	json_t *item;
	int r;

	if (p == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	if (image_section == NULL) {
		/* Defaults that work on each engine: the engines' own records
		 * first (containerd for its bundles, containers/storage for the
		 * containers it records: Podman, CRI-O), whose answer or failure is
		 * final; then CRI-O's annotation, then containerd's image-name when
		 * it pins a digest.  On a containerd node whose pod_annotations
		 * allowlist passes io.kubernetes.cri-o.ImageRef, a pod could write
		 * that annotation: containerd answers before it is looked at. */
		if (add_engine(p, SRC_CONTAINERD, OG_CONTAINERD_DEFAULT_SOCKET, "",
			       OG_CONTAINERD_DEFAULT_TIMEOUT_MS, OG_CONTAINERD_DEFAULT_ROOT) < 0 ||
		    add_engine(p, SRC_PODMAN, OG_PODMAN_DEFAULT_GRAPHROOT, "", 0, "") < 0 ||
		    add_annotation(p, OG_ANNOTATION_CRIO_IMAGE_REF, KIND_CONFIG) < 0 ||
		    add_annotation(p, OG_ANNOTATION_CRI_IMAGE_NAME, KIND_REFERENCE) < 0) {
			og_identity_policy_free(p);
			return og_fail_errno(e, ENOMEM, "%s", path);
		}
		*out = p;
		return 0;
	}
	if (!json_is_object(image_section)) {
		og_identity_policy_free(p);
		return og_fail(e, "%s: expected an object, found %s", path, og_json_type(image_section));
	}
	if (og_json_only_keys(image_section, path, keys, e) < 0 ||
	    (r = og_json_arr(image_section, "identity", path, 0, &list, e)) < 0) {
		og_identity_policy_free(p);
		return -1;
	}
	if (r == 1) {
		og_identity_policy_free(p);
		return og_identity_policy_parse(NULL, path, out, e);
	}
	if (json_array_size(list) > OG_MAX_IDENTITY_SOURCES) {
		og_identity_policy_free(p);
		return og_fail(e, "%s.identity: more than %d sources", path, OG_MAX_IDENTITY_SOURCES);
	}
	json_array_foreach(list, i, item) {
		og_bfmt(ipath, sizeof ipath, "%s.identity[%zu]", path, i);
		if (parse_source(p, item, ipath, e) < 0) {
			og_identity_policy_free(p);
			return -1;
		}
	}
	*out = p;
	return 0;
}

void og_identity_policy_free(struct og_identity_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->src[i].annotation);
		free(p->src[i].path);
		free(p->src[i].root);
	}
	free(p);
}

const char *og_identity_policy_graphroot(const struct og_identity_policy *p)
{
	for (size_t i = 0; p != NULL && i < p->n; i++)
		if (p->src[i].type == SRC_PODMAN)
			return p->src[i].path;
	return NULL;
}

const char *og_identity_policy_containerd_root(const struct og_identity_policy *p)
{
	for (size_t i = 0; p != NULL && i < p->n; i++)
		if (p->src[i].type == SRC_CONTAINERD)
			return p->src[i].root;
	return NULL;
}

const char *og_identity_policy_containerd_socket(const struct og_identity_policy *p, const char **ns)
{
	for (size_t i = 0; p != NULL && i < p->n; i++)
		if (p->src[i].type == SRC_CONTAINERD) {
			*ns = p->src[i].ns;
			return p->src[i].path;
		}
	return NULL;
}

void og_identity_policy_describe(const struct og_identity_policy *p, FILE *out)
{
	fprintf(out, "image identity sources (first digest found wins):\n");
	if (p->n == 0)
		fprintf(out, "  (none)\n");
	for (size_t i = 0; i < p->n; i++) {
		const struct identity_source *s = &p->src[i];

		switch (s->type) {
		case SRC_ANNOTATION:
			fprintf(out, "  %zu. annotation %s (%s)\n", i + 1, s->annotation,
				kind_name(s->kind));
			break;
		case SRC_CONTAINERD:
			fprintf(out, "  %zu. containerd at %s, namespace %s, %d ms timeout, root %s\n", i + 1,
				s->path, s->ns[0] ? s->ns : "from the bundle path", s->timeout_ms, s->root);
			break;
		case SRC_PODMAN:
			fprintf(out, "  %zu. containers/storage record under %s\n", i + 1, s->path);
			break;
		}
	}
}

/* The image's name in the record of the engine that gave the digest: it
 * becomes the image's name (so that the decision line shows the name
 * signatures are matched with), and its repository what a signature must
 * be for.  An empty name or an image ID is no name; a name that is not a
 * valid reference keeps repository "" (the trust check refuses it). */
static void record_name(struct og_image *img, const char *v, const char *from)
{
	char dg[OG_DIGEST_MAX];

	if (v[0] == '\0' || og_hex_valid(v, 64) || og_digest_valid(v))
		return;
	og_bfmt(img->name, sizeof img->name, "%s", v);
	og_bfmt(img->name_from, sizeof img->name_from, "%s", from);
	if (strlen(v) >= sizeof img->name ||
	    og_ref_parse(v, img->repository, sizeof img->repository, dg, sizeof dg) < 0)
		img->repository[0] = '\0';
}

/* A string annotation's value, or NULL. */
static const char *annotation(const json_t *annotations, const char *key)
{
	json_t *v = json_object_get(annotations, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The annotation an engine writes the image's name in, beside the digest
 * annotation it writes, both after the pod's own. */
static const struct {
	const char *digest, *name;
} engine_name_annotations[] = {
	{ OG_ANNOTATION_CRIO_IMAGE_REF, OG_ANNOTATION_CRIO_IMAGE_NAME },
};

/* The name the engine records beside the digest annotation s gave: the
 * reference itself for kind "reference", the engine's name annotation for
 * its digest annotation. */
static void name_of_annotation(const struct identity_source *s, const char *v, const json_t *annotations,
			       struct og_image *img)
{
	char from[sizeof img->name_from];

	if (s->kind == KIND_REFERENCE) {
		og_bfmt(from, sizeof from, "annotation %.48s", s->annotation);
		record_name(img, v, from);
		return;
	}
	for (size_t i = 0; i < sizeof engine_name_annotations / sizeof engine_name_annotations[0]; i++) {
		const char *name = annotation(annotations, engine_name_annotations[i].name);

		if (strcmp(s->annotation, engine_name_annotations[i].digest) != 0 || name == NULL)
			continue;
		og_bfmt(from, sizeof from, "annotation %.48s", engine_name_annotations[i].name);
		record_name(img, name, from);
	}
}

/* Why annotation value v gave no digest, into img->problem (the first
 * reason is kept: it is the source that applied first). */
static void annotation_problem(const struct identity_source *s, const char *v, struct og_image *img)
{
	char prefixed[OG_MAX_ANNOTATION_VALUE + 8];
	const char *why;

	if (img->problem[0] != '\0')
		return;
	if (strlen(v) > OG_MAX_ANNOTATION_VALUE) {
		why = "longer than 1024 characters";
	} else if (s->kind == KIND_REFERENCE) {
		why = og_ref_problem(v);
		if (why == NULL)
			why = "a reference without a digest (a tag only)";
	} else if (s->kind == KIND_CONFIG && strchr(v, ':') == NULL) {
		/* CRI-O writes the image ID as bare hex */
		og_bfmt(prefixed, sizeof prefixed, "sha256:%s", v);
		why = og_digest_problem(prefixed);
	} else {
		why = og_digest_problem(v);
	}
	og_bfmt(img->problem, sizeof img->problem, "annotation %.64s: \"%.80s\" is not %s: %s", s->annotation,
		v, s->kind == KIND_REFERENCE ? "an image reference with a digest" : "an image digest",
		why ? why : "?");
}

/* Annotation text is hostile: it is only ever matched against fixed forms
 * and copied once it has been validated. */
static int resolve_one(const struct identity_source *s, const char *v, const json_t *annotations,
		       struct og_image *img)
{
	char repo[OG_REF_MAX], digest[OG_DIGEST_MAX];

	if (strlen(v) > OG_MAX_ANNOTATION_VALUE)
		return 0;
	switch (s->kind) {
	case KIND_CONFIG:
		if (og_hex_valid(v, 64)) {
			og_bfmt(img->digest, sizeof img->digest, "sha256:%s", v);
		} else if (og_digest_valid(v)) {
			og_bfmt(img->digest, sizeof img->digest, "%s", v);
		} else {
			return 0;
		}
		img->kind = OG_DIGEST_CONFIG;
		break;
	case KIND_MANIFEST:
		if (!og_digest_valid(v))
			return 0;
		og_bfmt(img->digest, sizeof img->digest, "%s", v);
		img->kind = OG_DIGEST_MANIFEST;
		break;
	case KIND_REFERENCE:
		if (og_ref_parse(v, repo, sizeof repo, digest, sizeof digest) < 0)
			return 0;
		if (img->name[0] == '\0')
			og_bfmt(img->name, sizeof img->name, "%s", v);
		if (digest[0] == '\0')
			return 0;
		og_bfmt(img->digest, sizeof img->digest, "%s", digest);
		img->kind = OG_DIGEST_MANIFEST;
		break;
	}
	og_bfmt(img->source, sizeof img->source, "annotation %.48s", s->annotation);
	name_of_annotation(s, v, annotations, img);
	return 1;
}

/* An engine source: 1 when it gave a digest, 0 when it does not apply to
 * this container, -1 when it applies and failed (the reason in
 * img->problem).  An engine's own record is final for its containers: a
 * failure must not fall through to annotations a pod may have written. */
static int resolve_engine(const struct identity_source *s, const struct og_identity_input *in,
			  struct og_image *img)
{
	char digest[OG_DIGEST_MAX], name[OG_REF_MAX], ns[sizeof s->ns];
	enum og_digest_kind kind = OG_DIGEST_CONFIG;
	og_error le = { 0 };
	const char *cri;

	if (in->container_id == NULL || in->container_id[0] == '\0')
		return 0;
	if (s->type == SRC_CONTAINERD) {
		/* Only containerd's own bundles: other engines' containers are not its. */
		if (s->ns[0] != '\0')
			og_bfmt(ns, sizeof ns, "%s", s->ns);
		else if (in->bundle == NULL ||
			 og_containerd_namespace_from_bundle(in->bundle, ns, sizeof ns, &le) < 0)
			return 0;
		name[0] = '\0';
		if (og_containerd_image(s->path, ns, in->container_id, s->timeout_ms, digest, &kind,
					name, in->want_target ? img->target : NULL, &le) < 0) {
			og_bfmt(img->problem, sizeof img->problem, "containerd: %s", le.msg);
			return -1;
		}
		og_bfmt(img->source, sizeof img->source, "containerd");
		/* containerd's own record, else the name its CRI plugin wrote
		 * (after the pod's annotations) in this, its container's spec */
		if (name[0] != '\0')
			record_name(img, name, "containerd");
		else if ((cri = annotation(in->annotations, OG_ANNOTATION_CRI_IMAGE_NAME)) != NULL)
			record_name(img, cri, "annotation " OG_ANNOTATION_CRI_IMAGE_NAME);
	} else {
		char path[PATH_MAX + 64];
		int r;

		/* Applies when this graph root records the container. */
		og_bfmt(path, sizeof path, "%s/overlay-containers/containers.json", s->path);
		if (access(path, F_OK) != 0)
			return 0;
		r = og_podman_image(s->path, in->container_id, digest, name, &le);
		if (r == 1)
			return 0;
		if (r < 0) {
			og_bfmt(img->problem, sizeof img->problem, "containers/storage: %s", le.msg);
			return -1;
		}
		og_bfmt(img->source, sizeof img->source, "containers/storage");
		record_name(img, name, "containers/storage");
	}
	og_bfmt(img->digest, sizeof img->digest, "%s", digest);
	img->kind = kind;
	return 1;
}

/* A name to show from a later reference annotation, when the source that
 * gave the digest gave none (not the engine's record of this image: no
 * repository to match). */
static void name_from_later(const struct og_identity_policy *p, size_t from,
			    const json_t *annotations, struct og_image *img)
{
	for (size_t j = from; j < p->n && img->name[0] == '\0'; j++) {
		const char *w;
		char repo[OG_REF_MAX], dg[OG_DIGEST_MAX];

		if (p->src[j].type != SRC_ANNOTATION || p->src[j].kind != KIND_REFERENCE)
			continue;
		w = annotation(annotations, p->src[j].annotation);
		if (w != NULL && strlen(w) <= OG_MAX_ANNOTATION_VALUE &&
		    og_ref_parse(w, repo, sizeof repo, dg, sizeof dg) == 0)
			og_bfmt(img->name, sizeof img->name, "%s", w);
	}
}

void og_identity_prefetch(const struct og_identity_policy *p, const struct og_identity_input *in,
			  struct og_identity_prefetch *pf)
{
	/* Only the answers used are zeroed: the whole struct is 23 KiB. */
	memset(pf->found, 0, sizeof pf->found);
	for (size_t i = 0; i < p->n; i++)
		if (p->src[i].type != SRC_ANNOTATION) {
			memset(&pf->answer[i], 0, sizeof pf->answer[i]);
			pf->found[i] = resolve_engine(&p->src[i], in, &pf->answer[i]);
		}
	pf->done = 1;
}

/* Take engine source i's answer from the prefetch: digest, kind, source,
 * and the name when the image has none yet; a failure's reason. */
static int take_prefetched(const struct og_identity_prefetch *pf, size_t i, struct og_image *img)
{
	const struct og_image *a = &pf->answer[i];

	if (pf->found[i] <= 0) {
		if (a->problem[0] != '\0')
			og_bfmt(img->problem, sizeof img->problem, "%s", a->problem);
		return pf->found[i];
	}
	og_bfmt(img->digest, sizeof img->digest, "%s", a->digest);
	og_bfmt(img->source, sizeof img->source, "%s", a->source);
	og_bfmt(img->target, sizeof img->target, "%s", a->target);
	img->kind = a->kind;
	if (a->name_from[0] != '\0') {
		og_bfmt(img->name, sizeof img->name, "%s", a->name);
		og_bfmt(img->name_from, sizeof img->name_from, "%s", a->name_from);
		og_bfmt(img->repository, sizeof img->repository, "%s", a->repository);
	}
	return 1;
}

int og_identity_resolve(const struct og_identity_policy *p, const struct og_identity_input *in,
			const struct og_identity_prefetch *pf, struct og_image *img, og_error *e)
{
	const json_t *annotations = json_is_object(in->annotations) ? in->annotations : NULL;

	(void)e;
	img->digest[0] = '\0';
	img->problem[0] = '\0';
	img->name_from[0] = '\0';
	img->repository[0] = '\0';
	img->target[0] = '\0';
	img->kind = OG_DIGEST_NONE;
	for (size_t i = 0; i < p->n; i++) {
		const struct identity_source *s = &p->src[i];
		const char *v;

		if (s->type != SRC_ANNOTATION) {
			int r = pf != NULL && pf->done ? take_prefetched(pf, i, img)
						       : resolve_engine(s, in, img);

			if (r < 0)
				return 0;	/* the engine's failure is final: no digest */
			if (r > 0) {
				name_from_later(p, i + 1, annotations, img);
				return 0;
			}
			continue;
		}
		v = annotation(annotations, s->annotation);
		if (v == NULL)
			continue;
		if (resolve_one(s, v, annotations, img)) {
			/* Keep looking for a name if the digest source gave none. */
			name_from_later(p, i + 1, annotations, img);
			return 0;
		}
		annotation_problem(s, v, img);
	}
	return 0;
}
