/* containerd's task bundles: what their path says about the container. */
#ifndef OCIGATE_CONTAINERD_BUNDLE_H
#define OCIGATE_CONTAINERD_BUNDLE_H

#include <stddef.h>
#include "hook/base/error.h"

/* The namespace from a containerd task bundle path,
 * STATE/io.containerd.runtime.v2.task/<ns>/<id> (or the v1 runtime's
 * STATE/io.containerd.runtime.v1.linux/<ns>/<id>); the namespace must be a
 * valid containerd identifier. */
int og_containerd_namespace_from_bundle(const char *bundle, char *ns_out, size_t size, og_error *e);

#endif
