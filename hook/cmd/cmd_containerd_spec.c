/* `ocigate containerd-spec [--hook PATH] [--policy FILE]`: print the base
 * runtime spec to save as the containerd CRI plugin's base_runtime_spec.
 *
 * The CRI plugin starts every container from that spec, so it has to be
 * containerd's own default (what `ctr oci spec` prints for containerd 1.6)
 * or containers would silently change; we only add hooks.createRuntime.
 * Embedded rather than taken from `ctr` so the output does not depend on
 * what happens to be installed on the machine that runs the command. */
#include "hook/cmd/commands.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Where packages install the binary; the hook path written by default. */
#define OG_INSTALLED_BINARY "/usr/sbin/ocigate"

#define CAPS                                                                                     \
	"[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FSETID\",\"CAP_FOWNER\",\"CAP_MKNOD\","          \
	"\"CAP_NET_RAW\",\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_SETFCAP\",\"CAP_SETPCAP\","           \
	"\"CAP_NET_BIND_SERVICE\",\"CAP_SYS_CHROOT\",\"CAP_KILL\",\"CAP_AUDIT_WRITE\"]"

/* `ctr oci spec` of containerd 1.6.20, key order kept. */
static const char containerd_default_spec[] =
	"{\"ociVersion\":\"1.0.2-dev\","
	"\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"cwd\":\"/\","
	"\"capabilities\":{\"bounding\":" CAPS ",\"effective\":" CAPS ",\"permitted\":" CAPS "},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
	"\"noNewPrivileges\":true},"
	"\"root\":{\"path\":\"rootfs\"},"
	"\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	"\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
	"{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
	"\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
	"{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
	"{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
	"{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
	"{\"destination\":\"/run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	"\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]}],"
	"\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
	"\"cgroupsPath\":\"/default\","
	"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},"
	"{\"type\":\"mount\"},{\"type\":\"network\"}],"
	"\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
	"\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\","
	"\"/sys/firmware\",\"/proc/scsi\"],"
	"\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
	"\"/proc/sysrq-trigger\"]}}";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ocigate containerd-spec [--hook PATH] [--policy FILE]\n"
		"Print containerd's default runtime spec with ocigate as a createRuntime hook,\n"
		"to save as the CRI plugin's base_runtime_spec (e.g. /etc/containerd/ocigate-spec.json).\n"
		"  --hook PATH     the ocigate binary the runtime runs (default %s)\n"
		"  --policy FILE   pass --policy FILE to the hook (default: the hook's default policy)\n",
		OG_INSTALLED_BINARY);
}

/* The runtime runs the hook with the bundle as working directory, so a
 * relative path would name a file inside the container's bundle. */
static int absolute_path_ok(const char *opt, const char *path)
{
	if (path[0] != '/' || strlen(path) >= PATH_MAX) {
		fprintf(stderr, "ocigate containerd-spec: %s: expected an absolute path, got \"%s\"\n",
			opt, path);
		return 0;
	}
	for (const char *s = path; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			fprintf(stderr, "ocigate containerd-spec: %s: control character in path\n", opt);
			return 0;
		}
	return 1;
}

static json_t *hook_entry(const char *path, const char *policy)
{
	json_t *args = json_pack("[ssss]", "ocigate", "hook", "--stage", "createRuntime");

	if (args != NULL && policy != NULL &&
	    (json_array_append_new(args, json_string("--policy")) < 0 ||
	     json_array_append_new(args, json_string(policy)) < 0)) {
		json_decref(args);
		return NULL;
	}
	return args ? json_pack("{s:s,s:o}", "path", path, "args", args) : NULL;
}

int og_cmd_containerd_spec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hook", required_argument, NULL, 'H' },
		{ "policy", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *hook = OG_INSTALLED_BINARY, *policy = NULL;
	json_error_t jerr;
	json_auto_t *spec = NULL;
	json_t *entry, *hooks;
	char *text;
	int opt, rc = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			hook = optarg;
			break;
		case 'p':
			policy = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!absolute_path_ok("--hook", hook) || (policy && !absolute_path_ok("--policy", policy)))
		return 2;

	spec = json_loads(containerd_default_spec, JSON_REJECT_DUPLICATES, &jerr);
	entry = spec ? hook_entry(hook, policy) : NULL;
	hooks = entry ? json_pack("{s:[o]}", "createRuntime", entry) : NULL;
	if (hooks == NULL || json_object_set_new(spec, "hooks", hooks) < 0) {
		fprintf(stderr, "ocigate containerd-spec: cannot build the spec (out of memory)\n");
		return 2;
	}
	text = json_dumps(spec, JSON_INDENT(2));
	if (text == NULL) {
		fprintf(stderr, "ocigate containerd-spec: cannot serialize the spec (out of memory)\n");
		return 2;
	}
	/* A truncated spec saved by `> file` would break every container start. */
	if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		perror("ocigate containerd-spec: writing the spec");
		rc = 2;
	}
	free(text);
	return rc;
}
