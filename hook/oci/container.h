/* Everything known about the container being started. */
#ifndef OCIGATE_CONTAINER_H
#define OCIGATE_CONTAINER_H

#include <jansson.h>
#include "verify/common/image.h"
#include "hook/oci/oci_config.h"

struct og_container {
	const char *id;			/* from the state (or `check --id`) */
	const char *stage;		/* hook stage given on the command line */
	const char *bundle;
	int bundle_fd;			/* the bundle directory (O_PATH), or -1 */
	struct og_oci_config cfg;
	json_t *annotations;		/* config.json's, else the state's (owned reference) */
	struct og_image image;
};

/* Every container starts here: no bundle fd (-1), no config, no image. */
void og_container_init(struct og_container *c, const char *id, const char *stage);
/* Take `annotations` (a reference, may be NULL) as the container's, and
 * the image name the engine's annotations give (for logging and image-name
 * exemptions when no identity source names the image). */
void og_container_set_annotations(struct og_container *c, json_t *annotations);
/* Close and free what c owns; c is initialised again afterwards. */
void og_container_free(struct og_container *c);

#endif
