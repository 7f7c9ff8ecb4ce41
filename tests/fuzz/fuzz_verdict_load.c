/* Verdict cache files as the hook reads them at container start: the signed
 * envelope split (verify/scan/scan_sign.c og_scan_split), signature check with an
 * Ed25519 and a P-256 key (og_scan_verify), and the cache form
 * (verify/scan/verdict.c og_verdict_load), which must re-dump and load again.
 * fuzz-max-len: 1048576 (OG_MAX_VERDICT_BYTES is 16 MiB) */
#include "fuzz_testkeys.h"
#include "verify/scan/scan_sign.h"
#include "verify/scan/verdict.h"

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
	struct og_verdict v, back;
	const char *sig = NULL;
	size_t plen = 0, slen = 0, dlen;
	og_error e = { 0 };
	char *dump;

	if (og_scan_split((const char *)data, size, &plen, &sig, &slen, &e) < 0)
		return 0;
	FZ_ASSERT(plen <= size, "payload longer than the file");
	if (sig != NULL) {
		og_error ve = { 0 };

		FZ_ASSERT(sig >= (const char *)data && sig + slen <= (const char *)data + size,
			  "signature outside the file");
		(void)og_scan_verify((const char *)data, plen, sig, slen, keys, 2, &ve);
	}
	memset(&v, 0, sizeof v);
	memset(&back, 0, sizeof back);
	if (og_verdict_load((const char *)data, plen, "cache", &v, &e) == 0) {
		dump = og_verdict_dump(&v, &dlen);
		if (dump != NULL) {
			FZ_ASSERT(og_verdict_load(dump, dlen, "cache", &back, &e) == 0,
				  "loaded verdict does not load back after dump");
			free(dump);
		}
	}
	og_verdict_free(&back);
	og_verdict_free(&v);
	return 0;
}
