/* Sigstore bundles v0.1-v0.3 and bare DSSE envelopes (verify/sig/sigstore.c
 * og_bundle_parse, and og_dsse_parse through it), then og_bundle_verify with
 * an Ed25519 and an ECDSA P-256 key: hostile signature lengths and encodings
 * reach OpenSSL through our checks.  The in-toto statement of a DSSE bundle
 * is parsed too (in the hook only after verification; fuzz_intoto covers it
 * alone).
 * fuzz-max-len: 1048576 (OG_MAX_BUNDLE_BYTES is 2 MiB) */
#include "verify/sig/dsse.h"
#include "fuzz_testkeys.h"
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
		if (b.kind == OG_BUNDLE_DSSE && b.env.payload != NULL) {
			struct og_intoto *st = calloc(1, sizeof *st);

			if (st == NULL)
				fz_die("out of memory");
			(void)og_intoto_parse(b.env.payload, b.env.payload_len, st, &e);
			free(st);
		}
	}
	og_bundle_free(&b);
	return 0;
}
