/* Registry access for the delivery commands (`sig fetch`, `bundle push`,
 * `bundle pull`), never for `ocigate hook`, which stays offline.
 *
 * Every operation runs Debian's skopeo (containers/image) as a child
 * process, with no shell, under a deadline, its output bounded.  skopeo
 * reads the node's registry configuration as CRI-O and Podman do:
 * containers-registries.conf(5) (mirrors, blocked and insecure registries),
 * containers-auth.json(5) credentials and containers-certs.d(5) CAs and
 * client certificates.  Why skopeo and not libcurl: docs/registry-client.md.
 *
 * Nothing here trusts what it fetched: callers file signatures for the hook
 * to verify, and verify a bundle's signatures over its raw bytes before
 * unpacking it. */
#ifndef OCIGATE_REGISTRY_H
#define OCIGATE_REGISTRY_H

#include <stddef.h>
#include "hook/base/error.h"
#include "hook/base/fileio.h"
#include "verify/common/image.h"

#define OG_REGISTRY_TIMEOUT_MS 30000		/* default deadline of one operation */
#define OG_REGISTRY_MAX_MANIFEST_BYTES (4 * 1024 * 1024)

struct og_registry_opts {
	const char *skopeo;		/* NULL: "/usr/bin/skopeo" */
	const char *authfile;		/* NULL: skopeo's defaults (auth.json, REGISTRY_AUTH_FILE) */
	const char *cert_dir;		/* NULL: certs.d defaults */
	int tls_verify;			/* 1 unless the operator asked for plain HTTP / no TLS check */
	int timeout_ms;			/* 0: OG_REGISTRY_TIMEOUT_MS */
	size_t max_blob_bytes;		/* refuse a copy whose manifest lists a larger layer */
	size_t max_total_bytes;		/* ... or larger layers in all */
};

/* The raw bytes of REF's manifest (REF without transport, "host/repo:tag"
 * or "host/repo@sha256:..."), at most OG_REGISTRY_MAX_MANIFEST_BYTES, and
 * their digest.  e->errnum is ENOENT when the registry says the manifest
 * does not exist (e.g. an image with no .sig tag). */
int og_registry_manifest(const struct og_registry_opts *o, const char *ref, og_buf *raw,
			 char digest[OG_DIGEST_MAX], og_error *e);

/* Copy REF (image or artifact, one manifest, no index) into the empty
 * directory dir in skopeo's dir: format (manifest.json and blobs named by
 * hex digest), after checking the layer sizes its manifest declares against
 * the limits.  The manifest copied is byte for byte the registry's. */
int og_registry_pull_dir(const struct og_registry_opts *o, const char *ref, const char *dir,
			 og_error *e);

/* Push the image tagged tag in the OCI image layout at layout_dir to REF,
 * manifest bytes unchanged. */
int og_registry_push_oci(const struct og_registry_opts *o, const char *layout_dir, const char *tag,
			 const char *ref, og_error *e);

#endif
