/* The trust bundle's descriptor, bundle.json (verify/trust/bundle_descriptor.c).
 * `bundle pull` parses it only after the root signatures over its bytes
 * verified (that path is fuzz_trust_sig's: the same og_trust_roots_verify),
 * so the parse is fuzzed directly, with the invariants a pull relies on.
 * fuzz-max-len: 65536 (OG_BUNDLE_DESCRIPTOR_MAX) */
#include "fuzz_util.h"
#include "verify/common/digest.h"
#include "verify/trust/bundle_descriptor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_bundle_descriptor d;
	og_error e = { 0 };
	char gen[OG_BUNDLE_GEN_NAME_MAX];
	int rc = og_bundle_descriptor_parse((const char *)data, size, &d, &e);

	fz_note("bundle descriptor", rc, e.msg);
	if (rc != 0)
		return 0;
	FZ_ASSERT(d.version >= 1, "version below 1 accepted");
	FZ_ASSERT(d.expires > d.created, "expires not after created");
	FZ_ASSERT(d.ncontents <= OG_BUNDLE_MAX_CONTENTS, "too many contents");
	FZ_ASSERT(og_bundle_descriptor_content(&d, OG_BUNDLE_LAYER_TRUST) != NULL, "no trust.tar");
	for (size_t i = 0; i < d.ncontents; i++) {
		FZ_ASSERT(og_digest_valid(d.contents[i].digest), "invalid digest accepted");
		FZ_ASSERT(strchr(d.contents[i].name, '/') == NULL, "a name with a slash");
		FZ_ASSERT(d.contents[i].size >= 0, "negative size");
	}
	FZ_ASSERT(strlen(d.id) == OG_BUNDLE_ID_HEX && og_hex_valid(d.id, OG_BUNDLE_ID_HEX), "bad id");
	og_bundle_generation_name(&d, gen);
	FZ_ASSERT(strncmp(gen, "gen-", 4) == 0 && strchr(gen, '/') == NULL, "bad generation name");
	(void)og_bundle_descriptor_check_time(&d, 0, &e);
	return 0;
}
