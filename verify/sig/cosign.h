/* cosign classic "simple signing" payloads: the JSON document cosign signs
 * for `cosign sign --key` (critical.identity.docker-reference,
 * critical.image.docker-manifest-digest, critical.type).  Only ever parsed
 * after its signature has been verified over the exact bytes. */
#ifndef OCIGATE_COSIGN_H
#define OCIGATE_COSIGN_H

#include <stddef.h>
#include "hook/base/error.h"
#include "verify/common/image.h"

#define OG_MAX_COSIGN_PAYLOAD_BYTES 65536
#define OG_COSIGN_TYPE "cosign container image signature"

struct og_cosign_payload {
	char reference[OG_REF_MAX];	/* docker-reference as signed */
	char repository[OG_REF_MAX];	/* normalised repository of it */
	char digest[OG_DIGEST_MAX];	/* docker-manifest-digest: sha256:<hex> */
};

int og_cosign_payload_parse(const char *data, size_t len, struct og_cosign_payload *out, og_error *e);
/* The payload bytes cosign itself produces for (reference, digest). */
int og_cosign_payload_build(const char *reference, const char *digest, char **out, size_t *len,
			    og_error *e);

#endif
