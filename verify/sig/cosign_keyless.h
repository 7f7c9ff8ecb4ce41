/* cosign's registry form of a keyless signature -- the simple-signing
 * payload and its signature with the layer annotations
 * dev.sigstore.cosign/certificate, /chain, /bundle and /rfc3161timestamp
 * (struct og_sig_entry's certificate, chain, rekor_bundle,
 * rfc3161_timestamp) -- rewritten as the Sigstore bundle v0.1 it is
 * equivalent to, so that one verifier (verify/sig/keyless.c) checks both:
 *
 *   messageSignature   {messageDigest: SHA2_256 of the payload bytes, signature}
 *   x509CertificateChain  the leaf only: CAs come from the trusted root (the
 *                      chain annotation is checked to be PEM certificate blocks
 *                      and otherwise not used, as cosign does with a trusted root)
 *   tlogEntries[0]     from the Rekor bundle {SignedEntryTimestamp, Payload:
 *                      {body, integratedTime, logIndex, logID}}: the SET is
 *                      the inclusion promise, kindVersion is read from the body
 *   rfc3161Timestamps  from {"SignedRFC3161Timestamp": base64 DER}
 *
 * The bundle's messageDigest is what og_keyless_verify is asked to verify
 * ("sha256:" of the payload): signature, hashedrekord body and timestamp
 * then all bind the exact payload bytes, whose claims
 * (docker-manifest-digest, docker-reference) the caller reads afterwards.
 * Nothing is trusted here; every value is only moved. */
#ifndef OCIGATE_COSIGN_KEYLESS_H
#define OCIGATE_COSIGN_KEYLESS_H

#include <stddef.h>
#include "hook/base/error.h"
#include "verify/common/image.h"
#include "verify/sig/sig_store.h"

#define OG_COSIGN_BUNDLE_MEDIA_TYPE "application/vnd.dev.sigstore.bundle+json;version=0.1"

/* 0 with *out (NUL-terminated JSON from malloc, *len bytes) and payload_digest
 * ("sha256:<hex>" of en->payload) when en is a registry-form keyless entry
 * (payload, signature, certificate; a Rekor bundle); -1 naming what is
 * wrong or missing otherwise. */
int og_cosign_keyless_bundle(const struct og_sig_entry *en, char **out, size_t *len,
			     char payload_digest[OG_DIGEST_MAX], og_error *e);

#endif
