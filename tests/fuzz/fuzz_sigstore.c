/* Sigstore bundles v0.1-v0.3 and bare DSSE envelopes (verify/sig/sigstore.c
 * og_bundle_parse, and og_dsse_parse through it), then og_bundle_verify with
 * an Ed25519 and an ECDSA P-256 key: hostile signature lengths and encodings
 * reach OpenSSL through our checks.  What the bundle claims is read too
 * (og_sig_claims_read: the in-toto statement of a DSSE bundle and its
 * subject names; in the hook only after verification; fuzz_intoto covers
 * the statement alone): every claim has a valid digest and a repository
 * that is "" or normalised.
 * fuzz-max-len: 1048576 (OG_MAX_BUNDLE_BYTES is 2 MiB) */
#include "fuzz_testkeys.h"
#include "verify/common/digest.h"
#include "verify/common/reference.h"
#include "verify/sig/sig_claims.h"
#include "verify/sig/sigstore.h"

static EVP_PKEY *keys[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	keys[0] = fz_private_key(fz_ed25519_priv);
	keys[1] = fz_private_key(fz_p256_priv);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_bundle b;
	og_error e = { 0 };

	memset(&b, 0, sizeof b);
	if (og_bundle_parse((const char *)data, size, &b, &e) == 0) {
		for (size_t i = 0; i < 2; i++) {
			og_error ve = { 0 };

			(void)og_bundle_verify(&b, keys[i], &ve);
		}
		struct og_sig_claims *c = calloc(1, sizeof *c);

		if (c == NULL)
			fz_die("out of memory");
		if (og_sig_claims_read(NULL, &b, c, &e) == 0) {
			FZ_ASSERT(c->n > 0, "claims read with no claim");
			for (size_t i = 0; i < c->n; i++) {
				char norm[OG_REF_MAX];

				FZ_ASSERT(og_digest_valid(c->digest[i]), "claimed digest not valid");
				FZ_ASSERT(c->repo[i][0] == '\0' ||
						  (og_repo_normalize(c->repo[i], norm, sizeof norm) == 0 &&
						   strcmp(norm, c->repo[i]) == 0),
					  "claimed repository not normalised");
			}
		}
		free(c);
	}
	og_bundle_free(&b);
	return 0;
}
