/* ocigate: an OCI runtime hook that admits only hardened containers of
 * trusted, scanned images.  This file only dispatches commands. */
#include "hook/cmd/commands.h"
#include "hook/cmd/dispatch.h"

#include <stdio.h>

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("ocigate %s\n", OCIGATE_VERSION);
	return 0;
}

static const struct og_command commands[] = {
	{ "hook", og_cmd_hook, "run as an OCI hook (state on stdin)" },
	{ "check", og_cmd_check, "dry-run a bundle against the policy" },
	{ "policy", og_cmd_policy, "lint a policy file" },
	{ "confinement-test", og_cmd_confinement_test, "show the hook's self-confinement in force" },
	{ "containerd-spec", og_cmd_containerd_spec, "print a containerd base runtime spec with the hook" },
	{ "trust", og_cmd_trust, "sign, verify or install the trust store" },
	{ "sig", og_cmd_sig, "add, list, verify or make image signatures" },
	{ "sigstore", og_cmd_sigstore, "verify a Sigstore bundle offline (conformance protocol)" },
	{ "verdict", og_cmd_verdict, "import scan reports and VEX, show and prune verdicts" },
	{ "bundle", og_cmd_bundle, "create, push, pull and inspect the trust bundle" },
	{ "version", cmd_version, "print the version" },
	{ "--version", cmd_version, NULL },
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

int main(int argc, char **argv)
{
	return og_dispatch("ocigate", NULL, commands, argc, argv);
}
