/* Scanner reports: Trivy (schema 2) and Grype JSON, format detected
 * (verify/scan/verdict_import.c og_verdict_import, trivy.c, grype.c).
 * Property: the verdict an import produces is written to the cache in a form
 * og_verdict_load accepts (else the hook would refuse every image it scanned).
 * fuzz-max-len: 1048576 (OG_MAX_SCAN_REPORT_BYTES is 64 MiB) */
#include "fuzz_util.h"
#include "verify/scan/verdict.h"
#include "verify/scan/verdict_import.h"

#define FIXED_NOW 1767225600	/* 2026-01-01T00:00:00Z: runs are reproducible */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_verdict v, back;
	og_error e = { 0 };
	char *dump;
	size_t dlen;

	memset(&v, 0, sizeof v);
	memset(&back, 0, sizeof back);
	if (og_verdict_import((const char *)data, size, OG_SCAN_FORMAT_AUTO, "report", FIXED_NOW, &v, &e) == 0) {
		dump = og_verdict_dump(&v, &dlen);
		if (dump != NULL) {
			if (og_verdict_load(dump, dlen, "cache", &back, &e) != 0) {
				fprintf(stderr, "verdict load: %s\n", e.msg);
				FZ_ASSERT(0, "imported verdict does not load back");
			}
			FZ_ASSERT(back.ndigests == v.ndigests && back.nfindings == v.nfindings,
				  "imported verdict loads back differently");
			free(dump);
		}
	}
	og_verdict_free(&back);
	og_verdict_free(&v);
	return 0;
}
