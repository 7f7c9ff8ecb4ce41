/* RFC 3161 signed timestamps (a Sigstore bundle's timestampVerificationData),
 * verified with OpenSSL's TS API against the timestamp authorities of a
 * trusted root: the token signs an imprint of the given data (the bundle's
 * signature bytes), its signer chains to a TSA of the root whose validFor
 * covers the time it states, at that time. */
#ifndef OCIGATE_TSA_H
#define OCIGATE_TSA_H

#include <stddef.h>
#include <stdint.h>
#include "verify/sig/trusted_root.h"
#include "hook/base/error.h"

#define OG_MAX_TIMESTAMP_BYTES 32768

/* 0 and the token's genTime (epoch seconds) when the DER TimeStampResp
 * verifies over data; -1 with the reason otherwise. */
int og_tsa_verify(const unsigned char *der, size_t len, const unsigned char *data, size_t dlen,
		  const struct og_trusted_root *root, int64_t *gen_time, og_error *e);

#endif
