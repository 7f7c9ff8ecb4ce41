#include "hook/oci/container.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void og_container_init(struct og_container *c, const char *id, const char *stage)
{
	memset(c, 0, sizeof *c);
	c->id = id;
	c->stage = stage;
	c->bundle_fd = -1;
}

void og_container_set_annotations(struct og_container *c, json_t *annotations)
{
	static const char *const name_keys[] = { OG_ANNOTATION_CRI_IMAGE_NAME,
						 OG_ANNOTATION_CRIO_IMAGE_NAME, NULL };

	json_decref(c->annotations);
	c->annotations = annotations;
	for (const char *const *k = name_keys; *k; k++) {
		json_t *v = json_object_get(annotations, *k);

		if (json_is_string(v)) {
			snprintf(c->image.name, sizeof c->image.name, "%s", json_string_value(v));
			return;
		}
	}
}

void og_container_free(struct og_container *c)
{
	if (c->bundle_fd >= 0)
		close(c->bundle_fd);
	og_oci_config_free(&c->cfg);
	json_decref(c->annotations);
	og_container_init(c, c->id, c->stage);
}
