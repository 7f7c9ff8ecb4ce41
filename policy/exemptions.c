/* "exemptions": [
 *   { "rules": ["runtime.readonly-rootfs", "trust.signature"], required; globs allowed
 *     "namespaces": ["kube-system"],                          Kubernetes namespace
 *     "images": ["registry.k8s.io/pause"],                   image name globs
 *     "annotations": {"io.kubernetes.cri.container-name": "etcd*"},
 *     "reason": "why" }
 * ]
 * Selectors given together must all match (a list matches if any entry
 * does); an exemption needs at least one selector.  Only annotations that
 * the engine sets after the pod's own may select: anything else a pod
 * author could write to exempt themselves. */
#include "policy/exemptions.h"
#include "hook/base/jsonutil.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* containerd sets io.kubernetes.cri.* and CRI-O io.kubernetes.cri-o.* after
 * copying pod annotations, so a pod cannot forge them. */
static const char *const engine_prefixes[] = { "io.kubernetes.cri.", "io.kubernetes.cri-o.", NULL };
static const char *const namespace_keys[] = { "io.kubernetes.cri.sandbox-namespace",
					      "io.kubernetes.cri-o.Namespace", NULL };

int og_engine_owned_annotation(const char *key)
{
	for (const char *const *p = engine_prefixes; *p; p++)
		if (strncmp(key, *p, strlen(*p)) == 0)
			return 1;
	return 0;
}

const char *og_engine_namespace(const json_t *ann)
{
	for (const char *const *k = namespace_keys; *k; k++) {
		json_t *v = json_object_get(ann, *k);
		if (json_is_string(v))
			return json_string_value(v);
	}
	return NULL;
}

static int parse_one(struct og_exemption *x, json_t *obj, size_t idx, og_error *e)
{
	static const char *const keys[] = { "rules", "namespaces", "images", "annotations",
					     "reason", NULL };
	char path[64], sub[96];
	json_t *v;
	const char *reason = NULL;
	int selectors = 0;

	snprintf(path, sizeof path, "$.exemptions[%zu]", idx);
	if (!json_is_object(obj))
		return og_fail(e, "%s: expected an object, found %s", path, og_json_type(obj));
	if (og_json_only_keys(obj, path, keys, e) < 0 ||
	    og_json_arr(obj, "rules", path, 1, &v, e) < 0)
		return -1;
	snprintf(sub, sizeof sub, "%s.rules", path);
	if (og_strlist_from_json(&x->rules, v, sub, e) < 0)
		return -1;
	if (x->rules.n == 0)
		return og_fail(e, "%s: must name at least one rule", sub);
	if ((v = json_object_get(obj, "namespaces")) != NULL) {
		snprintf(sub, sizeof sub, "%s.namespaces", path);
		if (og_strlist_from_json(&x->namespaces, v, sub, e) < 0)
			return -1;
		selectors++;
	}
	if ((v = json_object_get(obj, "images")) != NULL) {
		snprintf(sub, sizeof sub, "%s.images", path);
		if (og_strlist_from_json(&x->images, v, sub, e) < 0)
			return -1;
		selectors++;
	}
	if (og_json_obj(obj, "annotations", path, 0, &v, e) < 0)
		return -1;
	if (v != NULL) {
		const char *key;
		json_t *g;

		json_object_foreach(v, key, g) {
			if (!og_engine_owned_annotation(key))
				return og_fail(e, "%s.annotations: \"%s\" is not set by the engine (only "
					       "io.kubernetes.cri.* and io.kubernetes.cri-o.* keys can "
					       "select exemptions)", path, key);
			if (!json_is_string(g))
				return og_fail(e, "%s.annotations.%s: expected a string", path, key);
		}
		x->annotations = json_incref(v);
		selectors++;
	}
	if (selectors == 0)
		return og_fail(e, "%s: needs at least one of namespaces, images, annotations", path);
	if (og_json_str(obj, "reason", path, 0, &reason, e) < 0)
		return -1;
	x->reason = strdup(reason ? reason : "");
	if (x->reason == NULL)
		return og_fail(e, "%s: out of memory", path);
	return 0;
}

int og_exemptions_parse(struct og_exemption_list *l, const json_t *arr, og_error *e)
{
	size_t i;
	json_t *v;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr))
		return og_fail(e, "$.exemptions: expected an array, found %s", og_json_type(arr));
	l->v = calloc(json_array_size(arr) + 1, sizeof *l->v);
	if (l->v == NULL)
		return og_fail(e, "$.exemptions: out of memory");
	json_array_foreach((json_t *)arr, i, v) {
		l->n = i + 1;
		if (parse_one(&l->v[i], v, i, e) < 0)
			return -1;
	}
	return 0;
}

void og_exemptions_free(struct og_exemption_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		og_strlist_clear(&l->v[i].rules);
		og_strlist_clear(&l->v[i].namespaces);
		og_strlist_clear(&l->v[i].images);
		json_decref(l->v[i].annotations);
		free(l->v[i].reason);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int any_glob(const struct og_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (fnmatch(l->v[i], s, 0) == 0)
			return 1;
	return 0;
}

static int matches(const struct og_exemption *x, const char *id, const struct og_exemption_subject *s)
{
	if (!any_glob(&x->rules, id))
		return 0;
	if (x->namespaces.n > 0) {
		const char *ns = og_engine_namespace(s->annotations);
		if (ns == NULL || !og_strlist_contains(&x->namespaces, ns))
			return 0;
	}
	if (x->images.n > 0 && (s->image_name == NULL || s->image_name[0] == '\0' ||
				!any_glob(&x->images, s->image_name)))
		return 0;
	if (x->annotations != NULL) {
		const char *key;
		json_t *g;

		json_object_foreach(x->annotations, key, g) {
			json_t *have = json_object_get(s->annotations, key);
			if (!json_is_string(have) ||
			    fnmatch(json_string_value(g), json_string_value(have), 0) != 0)
				return 0;
		}
	}
	return 1;
}

const struct og_exemption *og_exemption_find(const struct og_exemption_list *l, const char *id,
					     const struct og_exemption_subject *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (matches(&l->v[i], id, s))
			return &l->v[i];
	return NULL;
}

void og_exemptions_describe(const struct og_exemption_list *l, FILE *out)
{
	fprintf(out, "exemptions: %zu\n", l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct og_exemption *x = &l->v[i];
		fprintf(out, "  [%zu] rules:", i);
		for (size_t j = 0; j < x->rules.n; j++)
			fprintf(out, " %s", x->rules.v[j]);
		for (size_t j = 0; j < x->namespaces.n; j++)
			fprintf(out, "%s%s", j ? " " : " for namespaces: ", x->namespaces.v[j]);
		for (size_t j = 0; j < x->images.n; j++)
			fprintf(out, "%s%s", j ? " " : " for images: ", x->images.v[j]);
		if (x->annotations)
			fprintf(out, " with %zu annotation selector(s)", json_object_size(x->annotations));
		if (x->reason && x->reason[0])
			fprintf(out, " (%s)", x->reason);
		fputc('\n', out);
	}
}
