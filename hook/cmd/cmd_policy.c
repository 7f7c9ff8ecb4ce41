/* `ocigate policy lint [FILE]`: validate a policy and print what it
 * enforces, presets expanded. */
#include "hook/cmd/commands.h"
#include "hook/cmd/dispatch.h"
#include "policy/policy.h"
#include "verify/trust/trust_policy.h"

#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"Usage: ocigate policy lint [FILE]\n"
	"Validate a policy (default " OG_DEFAULT_POLICY ") and print what it enforces.\n";

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
