#include "hook/oci/container.h"

#include <string.h>
#include <unistd.h>

void og_container_init(struct og_container *c, const char *id, const char *stage)
{
	memset(c, 0, sizeof *c);
	c->id = id;
	c->stage = stage;
	c->bundle_fd = -1;
}

void og_container_free(struct og_container *c)
{
	if (c->bundle_fd >= 0)
		close(c->bundle_fd);
	og_oci_config_free(&c->cfg);
	json_decref(c->annotations);
	og_container_init(c, c->id, c->stage);
}
