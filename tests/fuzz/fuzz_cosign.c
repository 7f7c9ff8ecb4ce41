/* cosign "simple signing" payloads (verify/sig/cosign.c og_cosign_payload_parse),
 * plus the property that what og_cosign_payload_build writes parses back
 * to the same reference and digest.
 * fuzz-max-len: 65536 (OG_MAX_COSIGN_PAYLOAD_BYTES) */
#include "verify/sig/cosign.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_cosign_payload p, q;
	og_error e = { 0 };
	char *built = NULL;
	size_t blen;

	memset(&p, 0, sizeof p);
	if (og_cosign_payload_parse((const char *)data, size, &p, &e) < 0)
		return 0;
	if (og_cosign_payload_build(p.reference, p.digest, &built, &blen, &e) == 0) {
		memset(&q, 0, sizeof q);
		FZ_ASSERT(og_cosign_payload_parse(built, blen, &q, &e) == 0, "built payload does not parse");
		FZ_ASSERT(strcmp(p.digest, q.digest) == 0 && strcmp(p.repository, q.repository) == 0,
			  "built payload parses to another image");
		free(built);
	}
	return 0;
}
