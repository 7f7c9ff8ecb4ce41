/* `ocigate policy lint [FILE]`: validate a policy and print what it
 * enforces, presets expanded, and whether the node's engine defaults pass. */
#include "hook/cmd/commands.h"
#include "hook/cmd/dispatch.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "policy/policy.h"
#include "policy/seccomp_profile.h"
#include "verify/trust/trust_policy.h"

#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* containers-common's profile is ~16 KiB; a file past this is not it. */
#define OG_MAX_ENGINE_PROFILE_BYTES (1024 * 1024)

static const char usage_text[] =
	"Usage: ocigate policy lint [FILE]\n"
	"Validate a policy (default " OG_DEFAULT_POLICY ") and print what it enforces.\n";

/* What lint can know of the engines' RuntimeDefault seccomp profiles: Podman's
 * and CRI-O's is containers-common's file, read here; containerd's (and
 * moby's) is compiled into the engine and cannot be read from a file. */
static void lint_engine_profiles(const struct og_policy *p)
{
	const struct og_strlist *mb = &p->runtime.seccomp_must_block;
	og_cleanup_buf og_buf b = { 0 };
	json_auto_t *doc = NULL;
	og_cleanup_free unsigned char *allowed = calloc(mb->n + 1, 1);
	og_cleanup_free int *nrs = calloc(mb->n + 1, sizeof *nrs);
	og_error e = { 0 };
	size_t shown = 0;

	if (p->runtime.mode[RR_SECCOMP] == OG_MODE_OFF || allowed == NULL || nrs == NULL)
		return;
	printf("engine defaults: containerd's RuntimeDefault is built into containerd, not a file lint "
	       "can read (README: which presets accept it)\n");
	if (og_read_file(OG_CONTAINERS_SECCOMP_PROFILE, OG_MAX_ENGINE_PROFILE_BYTES, &b, &e) < 0) {
		printf("engine defaults: %s: not read (%s): Podman and CRI-O not checked\n",
		       OG_CONTAINERS_SECCOMP_PROFILE, e.msg);
		return;
	}
	doc = og_json_parse(b.data, b.len, OG_CONTAINERS_SECCOMP_PROFILE, &e);
	if (doc == NULL || !json_is_array(json_object_get(doc, "syscalls"))) {
		printf("warning: %s (Podman's and CRI-O's default seccomp profile) is not a profile: %s\n",
		       OG_CONTAINERS_SECCOMP_PROFILE, doc == NULL ? e.msg : "no \"syscalls\" array");
		return;
	}
	for (size_t k = 0; k < mb->n; k++)
		nrs[k] = seccomp_syscall_resolve_name(mb->v[k]);
	og_seccomp_mark_allowed(json_object_get(doc, "syscalls"), 1, nrs, mb->n, allowed);
	for (size_t k = 0; k < mb->n; k++) {
		if (!allowed[k])
			continue;
		if (shown++ == 0)
			printf("warning: %s (the RuntimeDefault of Podman and CRI-O) allows",
			       OG_CONTAINERS_SECCOMP_PROFILE);
		printf(" %s", mb->v[k]);
	}
	if (shown > 0)
		printf(" unconditionally: runtime.seccomp refuses every container that uses it\n");
	else
		printf("engine defaults: %s (Podman, CRI-O): passes runtime.seccomp\n",
		       OG_CONTAINERS_SECCOMP_PROFILE);
}

static int cmd_lint(int argc, char **argv)
{
	const char *path = OG_DEFAULT_POLICY;
	struct og_policy p;
	og_error e = { 0 };

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "ocigate policy lint: expected at most one FILE\n%s", usage_text);
		return 2;
	}
	if (argc == 2)
		path = argv[1];
	if (og_policy_load(path, &p, &e) < 0) {
		fprintf(stderr, "ocigate policy lint: %s\n", e.msg);
		return 1;
	}
	if (og_trust_policy_check_root_keys(p.sections.trust, stderr, &e) < 0) {
		fprintf(stderr, "ocigate policy lint: %s: %s\n", path, e.msg);
		og_policy_free(&p);
		return 1;
	}
	printf("policy %s: valid\n", path);
	og_policy_describe(&p, stdout);
	lint_engine_profiles(&p);
	og_policy_free(&p);
	return 0;
}

int og_cmd_policy(int argc, char **argv)
{
	static const struct og_command subcommands[] = {
		{ "lint", cmd_lint, NULL },
		{ NULL, NULL, NULL },
	};

	return og_dispatch("ocigate policy", usage_text, subcommands, argc, argv);
}
