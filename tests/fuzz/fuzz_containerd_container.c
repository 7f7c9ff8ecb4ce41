/* containerd Containers.Get responses from the API socket
 * (verify/identity/containerd_messages.c og_containerd_decode_get_container over the
 * protobuf reader in verify/identity/protobuf.c), then the CRI extension it carries
 * (og_containerd_cri_image_ref).
 * fuzz-max-len: 1048576 (OG_GRPC_MAX_MESSAGE_BYTES is 4 MiB) */
#include "verify/identity/containerd_messages.h"
#include "fuzz_util.h"
#include "verify/common/digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct og_containerd_container c;
	char digest[OG_DIGEST_MAX];
	og_error e = { 0 };

	memset(&c, 0, sizeof c);
	if (og_containerd_decode_get_container(data, size, &c, &e) < 0)
		return 0;
	/* The id is not validated here: the client compares it with the id it asked for. */
	FZ_ASSERT(memchr(c.id, '\0', sizeof c.id) != NULL, "container id not NUL-terminated");
	if (c.cri_metadata != NULL) {
		/* An empty value points at a static "" (documented in the decoder). */
		FZ_ASSERT(c.cri_metadata_len == 0 ||
				  (c.cri_metadata >= data && c.cri_metadata + c.cri_metadata_len <= data + size),
			  "CRI metadata outside the message");
		if (og_containerd_cri_image_ref(c.cri_metadata, c.cri_metadata_len, c.id, digest, &e) == 0)
			FZ_ASSERT(og_digest_valid(digest), "CRI ImageRef not a valid digest");
	}
	return 0;
}
