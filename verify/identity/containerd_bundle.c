#include "verify/identity/containerd_bundle.h"
#include "verify/identity/containerd_messages.h"
#include "hook/base/log.h"

#include <string.h>

/* Directories under containerd's state dir that hold task bundles by <ns>/<id>. */
static const char *const task_dirs[] = {
	"io.containerd.runtime.v2.task",
	"io.containerd.runtime.v1.linux",
	NULL,
};

int og_containerd_namespace_from_bundle(const char *bundle, char *ns_out, size_t size, og_error *e)
{
	char path[4096], safe[128];
	char *comp[3] = { NULL, NULL, NULL };	/* the last three components */
	size_t len = strlen(bundle);
	const char *const *t;

	if (len == 0 || len >= sizeof path || bundle[0] != '/')
		return og_fail(e, "bundle path: expected an absolute path shorter than %zu bytes",
			       sizeof path);
	memcpy(path, bundle, len + 1);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	for (int i = 2; i >= 0; i--) {
		char *slash = strrchr(path, '/');

		if (slash == NULL || slash[1] == '\0')
			break;
		comp[i] = slash + 1;
		*slash = '\0';
	}
	og_sanitize(bundle, safe, sizeof safe);
	if (comp[0] == NULL)
		return og_fail(e, "bundle \"%s\": not a containerd task bundle (too short)", safe);
	for (t = task_dirs; *t != NULL; t++)
		if (strcmp(comp[0], *t) == 0)
			break;
	if (*t == NULL)
		return og_fail(e, "bundle \"%s\": not a containerd task bundle "
			       "(expected .../io.containerd.runtime.v2.task/<namespace>/<id>)", safe);
	if (!og_containerd_valid_identifier(comp[1]))
		return og_fail(e, "bundle \"%s\": namespace is not a valid containerd identifier", safe);
	if (!og_containerd_valid_identifier(comp[2]))
		return og_fail(e, "bundle \"%s\": container id is not a valid containerd identifier", safe);
	if (strlen(comp[1]) >= size)
		return og_fail(e, "bundle \"%s\": namespace longer than %zu bytes", safe, size - 1);
	memcpy(ns_out, comp[1], strlen(comp[1]) + 1);
	return 0;
}
