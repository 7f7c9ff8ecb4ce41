/* The parts of a bundle's config.json (runtime-spec "Spec") the rules need,
 * type-checked once so that every rule can trust the shapes it reads. */
#ifndef OCIGATE_OCI_CONFIG_H
#define OCIGATE_OCI_CONFIG_H

#include <jansson.h>
#include <stdint.h>
#include "hook/base/error.h"

/* Large seccomp profiles and many mounts fit easily; anything bigger is not a config. */
#define OG_MAX_CONFIG_BYTES (4 * 1024 * 1024)

enum og_oci_cap_set { CAPSET_BOUNDING, CAPSET_EFFECTIVE, CAPSET_PERMITTED, CAPSET_INHERITABLE,
		   CAPSET_AMBIENT, CAPSET_COUNT };
extern const char *const og_oci_cap_set_names[CAPSET_COUNT];

struct og_oci_config {
	json_t *doc;			/* owns every json_t below */
	const char *root_path;
	int root_readonly;
	int has_process;
	int no_new_privileges;
	int64_t uid, gid;
	json_t *caps[CAPSET_COUNT];	/* arrays of strings, or NULL */
	json_t *namespaces;		/* array of {type, path?}, or NULL */
	json_t *mounts;			/* array of {destination, source?, type?, options?} */
	json_t *seccomp;		/* object, or NULL */
	json_t *masked_paths;		/* array of strings, or NULL */
	json_t *readonly_paths;		/* array of strings, or NULL */
	json_t *sysctl;			/* object of strings, or NULL */
	json_t *annotations;		/* object of strings, or NULL */
	const char *rootfs_propagation;	/* or NULL */
};

/* Parse config bytes; `cfg` is zeroed first.  Wrong types are errors. */
int og_oci_config_parse(const char *data, size_t len, struct og_oci_config *cfg, og_error *e);
void og_oci_config_free(struct og_oci_config *cfg);

#include "hook/base/fileio.h"

/* Open the bundle directory (absolute path) as an O_PATH fd. */
int og_oci_bundle_open(const char *bundle, og_error *e);
/* Read config.json below it, without following links, size-limited. */
int og_oci_bundle_read_config(int bundle_fd, og_buf *out, og_error *e);
/* Parse it and check that root.path stays inside the bundle (relative) or
 * is not the host's root (absolute). */
int og_oci_bundle_parse_config(int bundle_fd, const og_buf *config, struct og_oci_config *cfg,
			    og_error *e);
/* All three. */
int og_oci_bundle_load(const char *bundle, struct og_oci_config *cfg, og_error *e);

#endif
