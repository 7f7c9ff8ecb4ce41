/* `ocigate sigstore verify-bundle`: the Sigstore conformance client protocol
 * (sigstore-conformance docs/cli_protocol.md) over verify/sig/keyless.c, the
 * verifier the hook uses, so the conformance vectors exercise that code.
 *
 *   verify-bundle [--staging] --bundle FILE
 *                 (--certificate-identity I --certificate-oidc-issuer U | --key PEM)
 *                 [--trusted-root FILE] FILE_OR_DIGEST
 *
 * and, beyond the protocol, --certificate-identity-regexp RE instead of
 * --certificate-identity, and --certificate-extension N=VALUE (repeatable)
 * to pin Fulcio extension 1.3.6.1.4.1.57264.1.N.
 *
 * ocigate ships no trusted root: --trusted-root is required. */
#include "hook/cmd/commands.h"
#include "hook/cmd/dispatch.h"
#include "hook/base/fileio.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"
#include "verify/common/crypto_util.h"
#include "verify/common/digest.h"
#include "verify/common/keys.h"
#include "verify/sig/keyless.h"
#include "verify/sig/sigstore.h"
#include "verify/sig/trusted_root.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define OG_MAX_ARTIFACT_BYTES (64 * 1024 * 1024)

static const char usage_text[] =
	"usage: ocigate sigstore verify-bundle [--staging] --bundle FILE\n"
	"           ((--certificate-identity SAN | --certificate-identity-regexp ERE)\n"
	"            --certificate-oidc-issuer URL [--certificate-extension N=VALUE ...] | --key PEM)\n"
	"           --trusted-root FILE (sha256:HEX | ARTIFACT)\n"
	"--certificate-extension pins Fulcio extension 1.3.6.1.4.1.57264.1.N (9 to 22).\n"
	"Verify a Sigstore bundle offline, as the hook does (Sigstore conformance protocol).\n"
	"Exit 0 verified, 1 refused (the reason names the failed check), 2 usage error.\n";

static int usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

/* FILE_OR_DIGEST: a sha256 digest unless it names a file (the protocol's rule). */
static int artifact_digest(const char *arg, char *out, size_t size, og_error *e)
{
	struct stat st;
	og_cleanup_buf og_buf b = { 0 };

	if (og_digest_valid(arg) && stat(arg, &st) != 0) {
		og_bfmt(out, size, "%s", arg);
		return 0;
	}
	if (og_read_file(arg, OG_MAX_ARTIFACT_BYTES, &b, e) < 0)
		return -1;
	og_sha256_digest(b.data, b.len, out, size);
	return 0;
}

static int verify_bundle(int argc, char **argv)
{
	const char *bundle = NULL, *identity = NULL, *issuer = NULL, *key_path = NULL, *root_path = NULL;
	const char *artifact = NULL, *identity_regex = NULL;
	struct og_keyless_extension ext[OG_KEYLESS_MAX_EXTENSIONS];
	size_t next = 0;
	og_cleanup(EVP_PKEY_free) EVP_PKEY *key = NULL;
	og_cleanup_buf og_buf bb = { 0 };
	og_cleanup_buf og_buf rb = { 0 };
	struct og_trusted_root *root = NULL;
	struct og_keyless_opts o = { 0 };
	struct og_keyless_result r;
	char digest[OG_DIGEST_MAX], when[32];
	og_error e = { 0 };
	int rc;

	for (int i = 1; i < argc; i++) {
		const char **slot = NULL;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return usage(stdout, 0);
		if (strcmp(argv[i], "--staging") == 0)
			continue;	/* the trusted root given decides which instance */
		if (strcmp(argv[i], "--bundle") == 0)
			slot = &bundle;
		else if (strcmp(argv[i], "--certificate-identity") == 0)
			slot = &identity;
		else if (strcmp(argv[i], "--certificate-oidc-issuer") == 0)
			slot = &issuer;
		else if (strcmp(argv[i], "--certificate-identity-regexp") == 0)
			slot = &identity_regex;
		else if (strcmp(argv[i], "--key") == 0)
			slot = &key_path;
		else if (strcmp(argv[i], "--certificate-extension") == 0) {
			char *eq, *end;
			long n;

			if (i + 1 >= argc || next == OG_KEYLESS_MAX_EXTENSIONS ||
			    (eq = strchr(argv[i + 1], '=')) == NULL) {
				fprintf(stderr, "ocigate sigstore: --certificate-extension takes N=VALUE (at most %d)\n",
					OG_KEYLESS_MAX_EXTENSIONS);
				return usage(stderr, 2);
			}
			n = strtol(argv[i + 1], &end, 10);
			if (end != eq || n < 9 || n > OG_FULCIO_EXT_MAX) {
				fprintf(stderr, "ocigate sigstore: --certificate-extension: N is 9 to %d\n",
					OG_FULCIO_EXT_MAX);
				return usage(stderr, 2);
			}
			ext[next].n = (int)n;
			ext[next++].value = eq + 1;
			i++;
			continue;
		}
		else if (strcmp(argv[i], "--trusted-root") == 0)
			slot = &root_path;
		if (slot != NULL) {
			if (i + 1 >= argc || *slot != NULL) {
				fprintf(stderr, "ocigate sigstore: %.40s needs one value, given once\n", argv[i]);
				return usage(stderr, 2);
			}
			*slot = argv[++i];
		} else if (argv[i][0] == '-' || artifact != NULL) {
			fprintf(stderr, "ocigate sigstore: unexpected argument \"%.80s\"\n", argv[i]);
			return usage(stderr, 2);
		} else {
			artifact = argv[i];
		}
	}
	if (bundle == NULL || artifact == NULL || root_path == NULL ||
	    (identity != NULL && identity_regex != NULL) ||
	    (key_path == NULL) == ((identity == NULL && identity_regex == NULL) || issuer == NULL) ||
	    (key_path != NULL && (identity != NULL || identity_regex != NULL || issuer != NULL || next > 0))) {
		fprintf(stderr, "ocigate sigstore: needs --bundle, --trusted-root, an artifact or digest, and either "
				"--key or one of --certificate-identity(-regexp) with --certificate-oidc-issuer\n");
		return usage(stderr, 2);
	}
	if (og_crypto_init() < 0) {
		fprintf(stderr, "ocigate sigstore: OpenSSL cannot be initialised\n");
		return 2;
	}
	if (artifact_digest(artifact, digest, sizeof digest, &e) < 0 ||
	    og_read_file(bundle, OG_MAX_BUNDLE_BYTES, &bb, &e) < 0 ||
	    og_read_file(root_path, OG_MAX_TRUSTED_ROOT_BYTES, &rb, &e) < 0 ||
	    (key_path != NULL && og_key_load_file(key_path, &key, &e) < 0)) {
		fprintf(stderr, "ocigate sigstore: %s\n", e.msg);
		return 2;
	}
	root = calloc(1, sizeof *root);
	if (root == NULL) {
		fprintf(stderr, "ocigate sigstore: out of memory\n");
		return 2;
	}
	rc = og_trusted_root_parse(rb.data, rb.len, "trusted root", root, &e);
	if (rc == 0) {
		o.root = root;
		o.identity = identity;
		o.identity_regex = identity_regex;
		o.issuer = issuer;
		o.extensions = ext;
		o.nextensions = next;
		o.key = key;
		o.now = og_now();
		rc = og_keyless_verify(bb.data, bb.len, digest, &o, &r, &e);
	}
	og_trusted_root_free(root);
	free(root);
	if (rc < 0) {
		fprintf(stderr, "ocigate sigstore: refused: %s\n", e.msg);
		return 1;
	}
	og_format_rfc3339(r.signed_at, when, sizeof when);
	if (key != NULL)
		printf("verified %s: signed by the given key, log %s index %lld, at %s\n", digest, r.log_url,
		       (long long)r.log_index, when);
	else
		printf("verified %s: signed by %s (issuer %s), log %s index %lld, at %s\n", digest, r.san, r.issuer,
		       r.log_url, (long long)r.log_index, when);
	return 0;
}

static const struct og_command sigstore_commands[] = {
	{ "verify-bundle", verify_bundle, "verify a Sigstore bundle offline (conformance protocol)" },
	{ NULL, NULL, NULL },
};

int og_cmd_sigstore(int argc, char **argv)
{
	return og_dispatch("ocigate sigstore", usage_text, sigstore_commands, argc, argv);
}
