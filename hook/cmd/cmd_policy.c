/* `ocigate policy lint [FILE]`: validate a policy and print what it
 * enforces, presets expanded. */
#include "hook/cmd/commands.h"
#include "policy/policy.h"

#include <stdio.h>
#include <string.h>

int og_cmd_policy(int argc, char **argv)
{
	const char *path = OG_DEFAULT_POLICY;
	struct og_policy p;
	og_error e = { 0 };

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fprintf(argc < 2 ? stderr : stdout,
			"Usage: ocigate policy lint [FILE]\n"
			"Validate a policy (default %s) and print what it enforces.\n",
			OG_DEFAULT_POLICY);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "lint") == 0 && argc == 3 &&
	    (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
		printf("Usage: ocigate policy lint [FILE]\n"
		       "Validate a policy (default %s) and print what it enforces.\n",
		       OG_DEFAULT_POLICY);
		return 0;
	}
	if (strcmp(argv[1], "lint") != 0 || argc > 3) {
		fprintf(stderr, "ocigate policy: unknown command \"%s\" (try: lint)\n", argv[1]);
		return 2;
	}
	if (argc == 3)
		path = argv[2];
	if (og_policy_load(path, &p, &e) < 0) {
		fprintf(stderr, "ocigate policy lint: %s\n", e.msg);
		return 1;
	}
	printf("policy %s: valid\n", path);
	og_policy_describe(&p, stdout);
	og_policy_free(&p);
	return 0;
}
