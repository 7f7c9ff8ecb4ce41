#include "evaluate.h"
#include "checks.h"
#include "runtime_rules.h"

#include <stdio.h>
#include <string.h>

/* Engine-set annotations naming the image (containerd, CRI-O): used for
 * logging and image-name exemptions when no identity source named it. */
static const char *const image_name_keys[] = { "io.kubernetes.cri.image-name",
					       "io.kubernetes.cri-o.ImageName", NULL };

int og_container_load(struct og_container *c, const char *bundle, json_t *state_annotations,
		      og_error *e)
{
	c->bundle = bundle;
	if (oci_bundle_load(bundle, &c->cfg, e) < 0)
		return -1;
	if (c->cfg.annotations != NULL && json_object_size(c->cfg.annotations) > 0)
		c->annotations = json_incref(c->cfg.annotations);
	else
		c->annotations = json_incref(state_annotations);
	for (const char *const *k = image_name_keys; *k; k++) {
		json_t *v = json_object_get(c->annotations, *k);
		if (json_is_string(v)) {
			snprintf(c->image.name, sizeof c->image.name, "%s", json_string_value(v));
			break;
		}
	}
	return 0;
}

int og_evaluate(const struct og_policy *p, struct og_container *c, struct og_report *r,
		og_error *e)
{
	if (og_check_runtime(&p->runtime, &c->cfg, r) < 0)
		return og_fail(e, "out of memory recording findings");
	return og_check_image(p, c, r, e);
}
