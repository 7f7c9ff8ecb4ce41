/* Signed checkpoints (verify/sig/rekor.c og_checkpoint_parse, then
 * og_checkpoint_verify with a fixed Ed25519 and P-256 key) and RFC 6962
 * inclusion proofs (og_inclusion_verify) from the same bytes: the first 16
 * bytes as index and tree size, the rest as hashes.
 * fuzz-max-len: 8192 (OG_MAX_CHECKPOINT_BYTES) */
#include "verify/sig/rekor.h"
#include "fuzz_testkeys.h"

static EVP_PKEY *keys[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	keys[0] = fz_private_key(fz_ed25519_priv);
	keys[1] = fz_private_key(fz_p256_priv);
	return 0;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_checkpoint *cp = calloc(1, sizeof *cp);
	og_error e = { 0 };
	int rc;

	if (cp == NULL)
		fz_die("out of memory");
	rc = og_checkpoint_parse((const char *)data, size, cp, &e);
	fz_note("checkpoint", rc, e.msg);
	if (rc == 0) {
		FZ_ASSERT(cp->text_len > 0 && cp->text_len < size, "signed text outside the input");
		FZ_ASSERT(data[cp->text_len - 1] == '\n', "signed text does not end with a newline");
		FZ_ASSERT(cp->nsig >= 1 && cp->nsig <= OG_CHECKPOINT_MAX_SIGS, "signature count out of bounds");
		FZ_ASSERT(cp->origin[0] != '\0', "empty origin accepted");
		for (size_t i = 0; i < 2; i++) {
			unsigned char id[32] = { 0 };

			memcpy(id, cp->sigs[0].hint, 4);
			(void)og_checkpoint_verify(cp, (const char *)data, keys[i], id, sizeof id, &e);
		}
	}
	free(cp);
	if (size >= 16 + 32) {
		size_t n = (size - 16 - 32) / 32;
		unsigned char leaf[32];

		og_rekor_leaf_hash(data, size, leaf);
		(void)og_inclusion_verify(be64(data), be64(data + 8), leaf, (const unsigned char (*)[32])(data + 48),
					  n, data + 16, &e);
	}
	return 0;
}
