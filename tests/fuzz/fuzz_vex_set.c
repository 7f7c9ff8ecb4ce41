/* The per-digest VEX cache file the hook reads at container start
 * (verify/scan/vex.c og_vex_set_load for the fixed digest below), then lookups
 * and a dump / load round trip.
 * fuzz-max-len: 1048576 (OG_MAX_VEX_FILE_BYTES is 4 MiB) */
#include "fuzz_util.h"
#include "verify/scan/vex.h"

/* seeds/vex_set/ name this digest. */
#define FZ_DIGEST "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_vex_set s, back;
	og_error e = { 0 };
	char *dump;
	size_t dlen;

	memset(&s, 0, sizeof s);
	memset(&back, 0, sizeof back);
	if (og_vex_set_load((const char *)data, size, "vex cache", FZ_DIGEST, &s, &e) == 0) {
		for (size_t i = 0; i < s.n; i++) {
			const struct og_vex_stmt *hit = og_vex_lookup(&s, s.items[i].id, "pkg");

			if (hit != NULL)
				(void)og_vex_suppresses(hit);
		}
		dump = og_vex_set_dump(&s, &dlen);
		if (dump != NULL) {
			FZ_ASSERT(og_vex_set_load(dump, dlen, "vex cache", FZ_DIGEST, &back, &e) == 0,
				  "VEX cache does not load back after dump");
			free(dump);
		}
	}
	og_vex_set_free(&back);
	og_vex_set_free(&s);
	return 0;
}
