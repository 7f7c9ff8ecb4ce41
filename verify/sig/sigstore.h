/* Sigstore bundles (media types v0.1 to v0.3) and bare DSSE envelopes.
 * Only plain-public-key bundles are accepted: certificate (Fulcio/PKI)
 * verification material is refused with a clear message.  Transparency-log
 * entries are not checked (the policy has no Rekor key support yet). */
#ifndef OCIGATE_SIGSTORE_H
#define OCIGATE_SIGSTORE_H

#include <stddef.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "verify/sig/dsse.h"
#include "hook/base/error.h"

#define OG_MAX_BUNDLE_BYTES (2 * 1024 * 1024)
#define OG_CERT_BUNDLE_REFUSED "certificate bundles not supported"

enum og_bundle_kind { OG_BUNDLE_DSSE = 1, OG_BUNDLE_MESSAGE };

struct og_bundle {
	enum og_bundle_kind kind;
	struct og_dsse_envelope env;		/* OG_BUNDLE_DSSE */
	unsigned char msg_digest[32];		/* OG_BUNDLE_MESSAGE: SHA2_256 messageDigest */
	unsigned char *sig;			/* OG_BUNDLE_MESSAGE signature */
	size_t sig_len;
};

/* Parse a Sigstore bundle or, when the document has "payloadType", a bare
 * DSSE envelope. */
int og_bundle_parse(const char *data, size_t len, struct og_bundle *out, og_error *e);
/* The same for a parsed Sigstore bundle (media type, verification material,
 * content); certificate material is let through when allow_certificate is
 * set, for verify/sig/keyless.c, which checks it. */
int og_bundle_parse_doc(const json_t *doc, int allow_certificate, struct og_bundle *out, og_error *e);
void og_bundle_free(struct og_bundle *b);
/* 0 when the bundle's signature verifies with k (PAE for DSSE, the
 * prehashed messageDigest for a messageSignature). */
int og_bundle_verify(const struct og_bundle *b, EVP_PKEY *k, og_error *e);

#endif
