/* Fulcio certificates: the chain to a CA of a trusted root at the signing
 * time, the SCTs embedded in the leaf (RFC 6962 precertificate entries,
 * verified with the root's CT log keys), and the identity the certificate
 * binds (the SAN, and the OIDC issuer from Fulcio's extensions
 * 1.3.6.1.4.1.57264.1.8, or the older .1.1). */
#ifndef OCIGATE_FULCIO_H
#define OCIGATE_FULCIO_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>
#include "verify/sig/trusted_root.h"
#include "hook/base/error.h"

#define OG_FULCIO_MAX_IDENTITY 1024	/* SAN and issuer values */
#define OG_FULCIO_MAX_SCTS 16
#define OG_FULCIO_OID_PREFIX "1.3.6.1.4.1.57264.1."
#define OG_FULCIO_EXT_MIN 8	/* .1.8 issuer (v2) ... */
#define OG_FULCIO_EXT_MAX 22	/* ... .1.22 source repository visibility */

struct og_fulcio_identity {
	char san[OG_FULCIO_MAX_IDENTITY];
	char issuer[OG_FULCIO_MAX_IDENTITY];
};

/* The SAN (the one URI or email Fulcio writes) and the issuer extension. */
int og_fulcio_identity_read(X509 *leaf, struct og_fulcio_identity *out, og_error *e);
/* Fulcio extension 1.3.6.1.4.1.57264.1.n (n from 8 to 22: issuer, build
 * signer URI and digest, runner environment, source repository URI, digest,
 * ref, identifier, owner URI and identifier, build config URI and digest,
 * build trigger, run invocation URI, source repository visibility), a DER
 * UTF8String: 1 and its value, 0 when absent, -1 when malformed. */
int og_fulcio_extension(X509 *leaf, int n, char *out, size_t size, og_error *e);
/* The leaf's not-before / not-after as epoch seconds. */
int og_cert_validity(X509 *c, int64_t *not_before, int64_t *not_after, og_error *e);
/* Verify the leaf's chain to one CA of the root valid at time t (both the CA's
 * validFor and every certificate's validity at t).  *issuer receives the
 * leaf's issuer (borrowed from the root) for the SCT check. */
int og_fulcio_chain_verify(X509 *leaf, const struct og_trusted_root *root, int64_t t, X509 **issuer,
			   og_error *e);
/* At least one embedded SCT verifies with a CT log of the root whose
 * validFor covers the SCT's time. */
int og_fulcio_sct_verify(X509 *leaf, X509 *issuer, const struct og_trusted_root *root, og_error *e);
/* The RFC 6962 data an SCT over this precertificate signs, for tests and
 * fuzzing: fresh buffer in *out. */
int og_sct_signed_data(X509 *leaf, X509 *issuer, uint64_t timestamp_ms, const unsigned char *ext,
		       size_t ext_len, unsigned char **out, size_t *len, og_error *e);

#endif
