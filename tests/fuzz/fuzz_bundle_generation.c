/* The name BUNDLE_DIR/current points at (verify/trust/bundle_generation.c):
 * whatever the link says, only a plain "gen-<version>-<12 hex>" is taken,
 * and the name the hook then opens is exactly the one the pull writes.
 * fuzz-max-len: 64 */
#include "fuzz_util.h"
#include "hook/base/strfmt.h"
#include "verify/trust/bundle_generation.h"

#include <inttypes.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[72], again[OG_BUNDLE_GEN_NAME_MAX];
	uint64_t version = 0;
	og_error e = { 0 };
	int rc;

	/* A link's target is a C string: no NUL inside. */
	if (size >= sizeof name || memchr(data, 0, size) != NULL)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	rc = og_bundle_gen_name_parse(name, &version, &e);
	fz_note("generation name", rc, e.msg);
	if (rc != 0) {
		FZ_ASSERT(e.msg[0] != '\0', "a refusal without a reason");
		return 0;
	}
	FZ_ASSERT(strchr(name, '/') == NULL && strstr(name, "..") == NULL, "a path accepted");
	FZ_ASSERT(version >= 1, "version 0 accepted");
	/* The same bytes as bundle_descriptor.c's og_bundle_generation_name. */
	og_bfmt(again, sizeof again, "gen-%" PRIu64 "-%s", version, name + size - OG_BUNDLE_ID_HEX);
	FZ_ASSERT(strcmp(again, name) == 0, "accepted a name the pull would not write");
	return 0;
}
