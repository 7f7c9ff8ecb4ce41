#include "hook/oci/oci_config.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "hook/oci/oci_state.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

const char *const og_oci_cap_set_names[CAPSET_COUNT] = {
	"bounding", "effective", "permitted", "inheritable", "ambient",
};

static int string_array(json_t *arr, const char *path, og_error *e)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return og_fail(e, "%s[%zu]: expected a string, found %s", path, i,
				       og_json_type(v));
	}
	return 0;
}

static int parse_process(struct og_oci_config *cfg, json_t *proc, og_error *e)
{
	json_t *user = NULL, *caps = NULL;

	cfg->has_process = 1;
	if (og_json_bool(proc, "noNewPrivileges", "config.process", 0, &cfg->no_new_privileges, e) < 0)
		return -1;
	if (og_json_obj(proc, "user", "config.process", 0, &user, e) < 0)
		return -1;
	cfg->uid = cfg->gid = 0;	/* runtime-spec: an absent uid is 0 */
	if (user != NULL &&
	    (og_json_int(user, "uid", "config.process.user", 0, 0, UINT32_MAX, &cfg->uid, e) < 0 ||
	     og_json_int(user, "gid", "config.process.user", 0, 0, UINT32_MAX, &cfg->gid, e) < 0))
		return -1;
	if (og_json_obj(proc, "capabilities", "config.process", 0, &caps, e) < 0)
		return -1;
	if (caps == NULL)
		return 0;
	for (int s = 0; s < CAPSET_COUNT; s++) {
		char path[64];

		snprintf(path, sizeof path, "config.process.capabilities.%s", og_oci_cap_set_names[s]);
		if (og_json_arr(caps, og_oci_cap_set_names[s], "config.process.capabilities", 0,
				&cfg->caps[s], e) < 0 ||
		    (cfg->caps[s] && string_array(cfg->caps[s], path, e) < 0))
			return -1;
	}
	return 0;
}

static int parse_namespaces(json_t *arr, og_error *e)
{
	size_t i;
	json_t *ns;

	json_array_foreach(arr, i, ns) {
		char path[64];
		const char *s;

		snprintf(path, sizeof path, "config.linux.namespaces[%zu]", i);
		if (og_json_str(ns, "type", path, 1, &s, e) < 0 ||
		    og_json_str(ns, "path", path, 0, &s, e) < 0)
			return -1;
	}
	return 0;
}

static int parse_mounts(json_t *arr, og_error *e)
{
	size_t i;
	json_t *m;

	json_array_foreach(arr, i, m) {
		char path[64], opath[80];
		const char *s;
		json_t *opts = NULL;

		snprintf(path, sizeof path, "config.mounts[%zu]", i);
		snprintf(opath, sizeof opath, "%s.options", path);
		if (og_json_str(m, "destination", path, 1, &s, e) < 0 ||
		    og_json_str(m, "source", path, 0, &s, e) < 0 ||
		    og_json_str(m, "type", path, 0, &s, e) < 0 ||
		    og_json_arr(m, "options", path, 0, &opts, e) < 0 ||
		    (opts && string_array(opts, opath, e) < 0))
			return -1;
	}
	return 0;
}

static int parse_linux(struct og_oci_config *cfg, json_t *lx, og_error *e)
{
	if (og_json_arr(lx, "namespaces", "config.linux", 0, &cfg->namespaces, e) < 0 ||
	    (cfg->namespaces && parse_namespaces(cfg->namespaces, e) < 0))
		return -1;
	if (og_json_obj(lx, "seccomp", "config.linux", 0, &cfg->seccomp, e) < 0)
		return -1;
	if (og_json_arr(lx, "maskedPaths", "config.linux", 0, &cfg->masked_paths, e) < 0 ||
	    (cfg->masked_paths && string_array(cfg->masked_paths, "config.linux.maskedPaths", e) < 0))
		return -1;
	if (og_json_arr(lx, "readonlyPaths", "config.linux", 0, &cfg->readonly_paths, e) < 0 ||
	    (cfg->readonly_paths &&
	     string_array(cfg->readonly_paths, "config.linux.readonlyPaths", e) < 0))
		return -1;
	if (og_json_obj(lx, "sysctl", "config.linux", 0, &cfg->sysctl, e) < 0 ||
	    (cfg->sysctl && og_oci_annotations_check(cfg->sysctl, "config.linux.sysctl", e) < 0))
		return -1;
	if (og_json_str(lx, "rootfsPropagation", "config.linux", 0, &cfg->rootfs_propagation, e) < 0)
		return -1;
	return 0;
}

int og_oci_config_parse(const char *data, size_t len, struct og_oci_config *cfg, og_error *e)
{
	json_t *root = NULL, *proc = NULL, *lx = NULL;

	memset(cfg, 0, sizeof *cfg);
	if (len > OG_MAX_CONFIG_BYTES)
		return og_fail(e, "config.json: larger than %d bytes", OG_MAX_CONFIG_BYTES);
	cfg->doc = og_json_parse(data, len, "config.json", e);
	if (cfg->doc == NULL)
		return -1;
	if (!json_is_object(cfg->doc))
		return og_fail(e, "config.json: expected a JSON object, found %s",
			       og_json_type(cfg->doc));
	if (og_json_obj(cfg->doc, "root", "config", 1, &root, e) < 0 ||
	    og_json_str(root, "path", "config.root", 1, &cfg->root_path, e) < 0 ||
	    og_json_bool(root, "readonly", "config.root", 0, &cfg->root_readonly, e) < 0)
		return -1;
	if (og_json_obj(cfg->doc, "process", "config", 0, &proc, e) < 0 ||
	    (proc && parse_process(cfg, proc, e) < 0))
		return -1;
	if (og_json_arr(cfg->doc, "mounts", "config", 0, &cfg->mounts, e) < 0 ||
	    (cfg->mounts && parse_mounts(cfg->mounts, e) < 0))
		return -1;
	if (og_json_obj(cfg->doc, "linux", "config", 0, &lx, e) < 0 ||
	    (lx && parse_linux(cfg, lx, e) < 0))
		return -1;
	if (og_json_obj(cfg->doc, "annotations", "config", 0, &cfg->annotations, e) < 0 ||
	    (cfg->annotations && og_oci_annotations_check(cfg->annotations, "config.annotations", e) < 0))
		return -1;
	return 0;
}

void og_oci_config_free(struct og_oci_config *cfg)
{
	json_decref(cfg->doc);
	memset(cfg, 0, sizeof *cfg);
}

static int check_root_path(int bundle_fd, const char *root, og_error *e)
{
	struct stat st, host;

	if (root[0] == '\0')
		return og_fail(e, "config.root.path: empty");
	if (root[0] != '/') {
		/* Relative: must resolve to a directory inside the bundle, no links, no "..". */
		og_cleanup_close int fd = og_open_beneath(bundle_fd, root, O_PATH | O_DIRECTORY, e);
		if (fd < 0)
			return og_wrap(e, "config.root.path");
		return 0;
	}
	/* Absolute (Podman uses its overlay mount): never the host's own root. */
	if (stat(root, &st) < 0)
		return og_fail_errno(e, errno, "config.root.path %s", root);
	if (!S_ISDIR(st.st_mode))
		return og_fail(e, "config.root.path: not a directory");
	if (stat("/", &host) == 0 && st.st_dev == host.st_dev && st.st_ino == host.st_ino)
		return og_fail(e, "config.root.path: is the host's root filesystem");
	return 0;
}

int og_oci_bundle_open(const char *bundle, og_error *e)
{
	int dfd;

	if (bundle == NULL || bundle[0] != '/')
		return og_fail(e, "bundle \"%s\": not an absolute path", bundle ? bundle : "");
	/* The bundle path comes from the runtime, which may reach it through a
	 * link (/var/run -> /run); what lies below it may not. */
	dfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return og_fail_errno(e, errno, "bundle");
	return dfd;
}

int og_oci_bundle_read_config(int bundle_fd, og_buf *out, og_error *e)
{
	if (og_read_file_at(bundle_fd, "config.json", OG_MAX_CONFIG_BYTES, out, e) < 0)
		return og_wrap(e, "bundle");
	return 0;
}

int og_oci_bundle_parse_config(int bundle_fd, const og_buf *config, struct og_oci_config *cfg,
			    og_error *e)
{
	if (og_oci_config_parse(config->data, config->len, cfg, e) < 0)
		return og_wrap(e, "bundle");
	if (check_root_path(bundle_fd, cfg->root_path, e) < 0)
		return og_wrap(e, "bundle");
	return 0;
}

int og_oci_bundle_load(const char *bundle, struct og_oci_config *cfg, og_error *e)
{
	og_cleanup_close int dfd = -1;
	og_cleanup_buf og_buf buf = { 0 };

	memset(cfg, 0, sizeof *cfg);
	dfd = og_oci_bundle_open(bundle, e);
	if (dfd < 0 || og_oci_bundle_read_config(dfd, &buf, e) < 0)
		return -1;
	return og_oci_bundle_parse_config(dfd, &buf, cfg, e);
}
