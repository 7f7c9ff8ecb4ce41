/* ocigate: an OCI runtime hook that admits only hardened containers of
 * trusted, scanned images.  This file only dispatches subcommands. */
#include "hook/cmd/cmd_containerd_spec.h"
#include "hook/cmd/commands.h"
#include "hook/main_extra.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
};

static const struct command commands[] = {
	{ "hook", og_cmd_hook, "run as an OCI hook (state on stdin)" },
	{ "check", og_cmd_check, "dry-run a bundle against the policy" },
	{ "policy", og_cmd_policy, "lint a policy file" },
	{ "confinement-test", og_cmd_confinement_test, "show the hook's self-confinement in force" },
	{ "containerd-spec", og_cmd_containerd_spec, "print a containerd base runtime spec with the hook" },
	OG_EXTRA_COMMANDS
	{ NULL, NULL, NULL },
};

#if defined(__SANITIZE_ADDRESS__)
/* check-asan builds: LeakSanitizer stops the world with ptrace, which the
 * hook's own seccomp filter forbids; leaks are checked by valgrind on the
 * unit suite instead.  Address and UB errors still abort. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

static void usage(FILE *out)
{
	fprintf(out, "Usage: ocigate COMMAND [ARGS]   (ocigate COMMAND --help for details)\n\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-16s %s\n", c->name, c->summary);
	fprintf(out, "  %-16s %s\n", "version", "print the version");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("ocigate %s\n", OCIGATE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "ocigate: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
