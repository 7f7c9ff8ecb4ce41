/* `ocigate trust sign --key PRIVATE.pem STORE`, `ocigate trust verify`
 * (and `trust install`, in cmd_trust_install.c). */
#include "verify/common/crypto_util.h"
#include "verify/common/keys.h"
#include "hook/cmd/commands.h"
#include "hook/cmd/dispatch.h"
#include "hook/cmd/trust_cli.h"
#include "verify/trust/trust_store.h"
#include "verify/trust/trust_sigstore.h"
#include "hook/base/fileio.h"
#include "hook/base/timeutil.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: ocigate trust sign --key PRIVATE.pem STORE\n"
	"       ocigate trust verify [options]\n"
	"       ocigate trust install [options] NEW_STORE\n"
	"sign: add (or replace) this key's signature over STORE in STORE.sig.\n"
	"install: verify NEW_STORE (and NEW_STORE.sig) as the hook would, then replace the\n"
	"        policy's store and its signatures with no moment of mismatch, and raise\n"
	"        the rollback floor to its version.\n"
	"verify: check the trust store as the hook does (signatures, expiry, rollback)\n"
	"        and print its version, expiry, keys and scopes, or why it is refused.\n"
	OG_TRUST_CLI_USAGE;

static int usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

/* Signing is a byte operation (a store the hook refuses is still signed:
 * tests sign broken stores on purpose), but say what the hook will make of
 * what it lists. */
static void warn_unusable(const char *path)
{
	struct og_trust_store *s = NULL;
	og_error e = { 0 };

	if (og_trust_store_parse_file(path, &s, &e) < 0)
		fprintf(stderr, "ocigate trust: warning: the hook will refuse this store: %s\n", e.msg);
	else if (og_trust_store_check_keys(s, &e) < 0)
		fprintf(stderr, "ocigate trust: warning: %s\n", e.msg);
	og_trust_store_free(s);
}

/* A store whose keyless section is wrong (an identity without an issuer,
 * a trusted root that does not parse) is not signed. */
static int check_sigstore_section(const char *path, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };

	if (og_read_file(path, OG_MAX_TRUST_STORE_BYTES, &b, e) < 0)
		return -1;
	if (og_trust_sigstore_check_document(b.data, b.len, e) < 0)
		return og_wrap(e, "%s: not signed", path);
	return 0;
}

static int cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = { { "key", required_argument, NULL, 'k' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	og_cleanup(EVP_PKEY_free) EVP_PKEY *k = NULL;
	const char *key = NULL;
	char kid[OG_KEYID_HEX];
	og_error e = { 0 };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
		if (c == 'k')
			key = optarg;
		else if (c == 'h')
			return usage(stdout, 0);
		else
			return usage(stderr, 2);
	}
	if (key == NULL || optind + 1 != argc) {
		fprintf(stderr, "ocigate trust: sign needs --key PRIVATE.pem and one STORE\n");
		return 2;
	}
	if (check_sigstore_section(argv[optind], &e) < 0 || og_key_load_private(key, &k, &e) < 0 ||
	    og_trust_store_sign(argv[optind], k, kid, &e) < 0) {
		fprintf(stderr, "ocigate trust: %s\n", e.msg);
		return 2;
	}
	printf("signed %s with key %s (signature in %s.sig)\n", argv[optind], kid, argv[optind]);
	warn_unusable(argv[optind]);
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = { OG_TRUST_CLI_LONGOPTS,
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct og_trust_cli cli = { 0 };
	struct og_trust_policy *p = NULL;
	struct og_bundle_policy bundle;
	struct og_trust_store *s = NULL;
	og_error e = { 0 };
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return usage(stdout, 0);
		r = og_trust_cli_option(&cli, c, optarg, &e);
		if (r < 0) {
			fprintf(stderr, "ocigate trust: %s\n", e.msg);
			return 2;
		}
		if (r == 0)
			return usage(stderr, 2);
	}
	if (optind != argc)
		return usage(stderr, 2);
	if (og_trust_cli_policy(&cli, &p, &e) < 0 || og_trust_cli_bundle(&cli, &bundle, &e) < 0) {
		fprintf(stderr, "ocigate trust: %s\n", e.msg);
		og_trust_policy_free(p);
		return 2;
	}
	/* With a bundle section, the store of the generation in force (unless
	 * --store or --signatures-dir name others). */
	if (bundle.configured && cli.o.store == NULL && cli.o.signatures_dir == NULL) {
		og_cleanup_findings struct og_findings f = { 0 };

		if (og_bundle_policy_resolve(&bundle, p, NULL, &e) < 0 ||
		    og_bundle_policy_check(&bundle, p, og_now(), 0, &f, &e) < 0) {
			fprintf(stderr, "ocigate trust: refused: %s\n", e.msg);
			og_trust_policy_free(p);
			return 1;
		}
		og_bundle_policy_print_generation(&bundle, stdout);
		for (size_t i = 0; i < f.n; i++)
			printf("  %s: %s\n", f.items[i].rule, f.items[i].message);
	}
	{
		struct og_trust_store_config cfg;
		og_trust_policy_store_config(p, &cfg);
		cfg.update_state = 0;	/* inspecting does not advance the rollback state */
		r = og_trust_store_load(&cfg, &s, &e);
	}
	og_trust_policy_free(p);
	if (r < 0) {
		fprintf(stderr, "ocigate trust: refused: %s\n", e.msg);
		return 1;
	}
	og_trust_store_describe(s, stdout);
	og_trust_store_free(s);
	return 0;
}

int og_cmd_trust(int argc, char **argv)
{
	static const struct og_command subcommands[] = {
		{ "sign", cmd_sign, NULL },
		{ "verify", cmd_verify, NULL },
		{ "install", og_cmd_trust_install, NULL },
		{ NULL, NULL, NULL },
	};

	return og_dispatch("ocigate trust", usage_text, subcommands, argc, argv);
}
