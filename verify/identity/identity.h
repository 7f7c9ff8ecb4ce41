/* Image identity: where the hook learns the digest of the image a container
 * runs.  The policy's "image" section lists sources in order; the first one
 * that yields a digest wins.
 *
 *   "image": {"identity": [
 *       {"source": "containerd", "socket": "/run/containerd/containerd.sock",
 *        "namespace": "k8s.io", "timeout_ms": 500, "root": "/var/lib/containerd"},
 *       {"source": "podman", "graphroot": "/var/lib/containers/storage"},
 *       {"annotation": "io.kubernetes.cri-o.ImageRef", "kind": "config"},
 *       {"annotation": "io.kubernetes.cri.image-name", "kind": "reference"}]}
 *
 * Sources (the default list is the one above, with those values):
 * "annotation" reads a container annotation; only annotations the engine
 * sets after the pod's own are trustworthy (see README).  "containerd" asks
 * containerd for the container's record (CRI metadata ImageRef, else the
 * image's target digest); it applies to bundles under containerd's runtime
 * state (the namespace comes from the bundle path unless given).  "podman"
 * reads containers/storage's record of the container (Podman, and CRI-O);
 * it applies when the graph root records the container.  An engine source
 * that applies is final: when it fails there is no digest, rather than a
 * fall-through to annotations a pod may have written.
 *
 * kind "config": image ID, "sha256:<64hex>" or bare 64 hex (CRI-O);
 * kind "manifest": "sha256:<64hex>" manifest digest;
 * kind "reference": "name@sha256:<64hex>" (a tag-only reference yields the
 * name but no digest). */
#ifndef OCIGATE_IDENTITY_H
#define OCIGATE_IDENTITY_H

#include <stdio.h>
#include <jansson.h>
#include "hook/base/error.h"
#include "verify/common/image.h"

#define OG_MAX_IDENTITY_SOURCES 16
#define OG_MAX_ANNOTATION_VALUE 1024	/* longer annotation values are ignored as malformed */

struct og_identity_policy;

int og_identity_policy_parse(const json_t *image_section, const char *path,
			     struct og_identity_policy **out, og_error *e);
void og_identity_policy_free(struct og_identity_policy *p);
/* The graph root of the first containers/storage source, or NULL: where the
 * image rules read the record of an image that source identified. */
const char *og_identity_policy_graphroot(const struct og_identity_policy *p);
/* The content store root ("root", default /var/lib/containerd) of the
 * first containerd source, or NULL. */
const char *og_identity_policy_containerd_root(const struct og_identity_policy *p);
/* The socket and namespace ("" = none given) of the first containerd
 * source, or NULL. */
const char *og_identity_policy_containerd_socket(const struct og_identity_policy *p, const char **ns);
void og_identity_policy_describe(const struct og_identity_policy *p, FILE *out);
/* What identity sources may look at. */
struct og_identity_input {
	const json_t *annotations;	/* object of strings, or NULL */
	const char *container_id;	/* from the OCI state, or NULL */
	const char *bundle;		/* absolute bundle path, or NULL */
	int want_target;		/* ask containerd for the image's target too (image rules) */
};

/* The engine sources' answers, asked for before the hook confines itself
 * (they need a socket or a file outside the policy's own). */
struct og_identity_prefetch {
	int done;
	int found[OG_MAX_IDENTITY_SOURCES];	/* as resolve_engine: 1, 0 or -1 */
	struct og_image answer[OG_MAX_IDENTITY_SOURCES];
};
void og_identity_prefetch(const struct og_identity_policy *p, const struct og_identity_input *in,
			  struct og_identity_prefetch *pf);

/* Fill img from the sources in order (engine sources from pf when it is
 * given and done, else asked now).  No digest found is not an error:
 * img->digest stays "" and img->problem says why an applicable source failed. */
int og_identity_resolve(const struct og_identity_policy *p, const struct og_identity_input *in,
			const struct og_identity_prefetch *pf, struct og_image *img, og_error *e);

#endif
