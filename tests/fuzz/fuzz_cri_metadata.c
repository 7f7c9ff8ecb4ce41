/* The CRI plugin's container metadata JSON ({"Version":"v1","Metadata":
 * {"ID":..,"ImageRef":..}}) read from containerd
 * (verify/identity/containerd_messages.c og_containerd_cri_image_ref).
 * fuzz-max-len: 1048576 (OG_CONTAINERD_MAX_CRI_METADATA_BYTES) */
#include "verify/identity/containerd_messages.h"
#include "fuzz_util.h"
#include "verify/common/digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char digest[OG_DIGEST_MAX];
	og_error e = { 0 };

	/* seeds/cri_metadata/ use this container id. */
	if (og_containerd_cri_image_ref(data, size, "fuzzcontainer", digest, &e) == 0)
		FZ_ASSERT(og_digest_valid(digest), "ImageRef accepted but not a valid digest");
	return 0;
}
