/* Sigstore trusted roots (verify/sig/trusted_root.c og_trusted_root_parse):
 * JSON, validFor windows, base64 keys and log ids, DER certificate chains
 * handed to d2i_X509 and keys to d2i_PUBKEY / d2i_PublicKey; then the
 * chains' own signatures (og_trusted_root_check_chains, trust sign's check).
 * fuzz-max-len: 1048576 (OG_MAX_TRUSTED_ROOT_BYTES) */
#include "verify/sig/trusted_root.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_trusted_root *r = calloc(1, sizeof *r);
	og_error e = { 0 };
	int rc;

	if (r == NULL)
		fz_die("out of memory");
	rc = og_trusted_root_parse((const char *)data, size, "root", r, &e);
	fz_note("trusted root", rc, e.msg);
	if (rc == 0) {
		const struct og_tr_log *lists[2] = { r->tlogs, r->ctlogs };
		size_t counts[2] = { r->ntlogs, r->nctlogs };

		FZ_ASSERT(r->ntlogs <= OG_TR_MAX_ENTRIES && r->nctlogs <= OG_TR_MAX_ENTRIES &&
				  r->ncas <= OG_TR_MAX_ENTRIES && r->ntsas <= OG_TR_MAX_ENTRIES,
			  "more entries kept than the limit");
		for (size_t l = 0; l < 2; l++)
			for (size_t i = 0; i < counts[l]; i++) {
				const struct og_tr_log *g = &lists[l][i];

				FZ_ASSERT(g->key != NULL, "log without a key");
				FZ_ASSERT(g->valid.end == 0 || g->valid.end >= g->valid.start, "window ends before it starts");
				FZ_ASSERT(og_tr_find_log(lists[l], counts[l], g->id, g->id_len) != NULL, "log id not found");
				FZ_ASSERT(og_tr_window_has(&g->valid, g->valid.start), "window excludes its start");
			}
		for (size_t i = 0; i < r->ncas; i++)
			FZ_ASSERT(sk_X509_num(r->cas[i].chain) >= 1 && sk_X509_num(r->cas[i].chain) <= OG_TR_MAX_CHAIN,
				  "CA chain size out of bounds");
		rc = og_trusted_root_check_chains(r, "root", &e);
		fz_note("chains", rc, e.msg);
	}
	og_trusted_root_free(r);
	free(r);
	return 0;
}
