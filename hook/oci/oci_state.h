/* The OCI state a runtime writes to a hook's stdin (runtime-spec "State";
 * runc's and crun's variants). */
#ifndef OCIGATE_OCI_STATE_H
#define OCIGATE_OCI_STATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"

/* Kubernetes allows 256 KiB of annotations; the state carries them once. */
#define OG_MAX_STATE_BYTES (1024 * 1024)
#define OG_MAX_ID_BYTES 1024

struct og_oci_state {
	json_t *doc;			/* owns everything below */
	const char *oci_version;
	const char *id;
	const char *status;		/* "creating" (runc) or "created" (crun) */
	const char *bundle;		/* absolute path */
	int64_t pid;			/* 0 when the runtime gives none (crun) */
	json_t *annotations;		/* object of strings, or NULL */
};

/* Parse and validate state bytes; `state` is zeroed first. */
int og_oci_state_parse(const char *data, size_t len, struct og_oci_state *state, og_error *e);
void og_oci_state_free(struct og_oci_state *state);

/* Validate an annotations object: every value a string.  Shared with config.json. */
int og_oci_annotations_check(const json_t *ann, const char *path, og_error *e);

#endif
