/* Verification of a Sigstore bundle (v0.1 to v0.3) offline against a trusted
 * root, every check a Sigstore verifier makes: for a Fulcio certificate the
 * chain to a CA of the root at each verified signing time, the embedded
 * SCTs, and the identity (SAN and OIDC issuer, exact); for a managed key
 * that key; then the transparency-log entries (signed entry timestamp and/or
 * inclusion proof with its signed checkpoint, their match with the bundle),
 * RFC 3161 timestamps, the time windows, and the signature over the artifact
 * digest or the DSSE envelope whose in-toto subject names it.
 *
 * Each refusal starts with the check that failed ("SCT: ...",
 * "inclusion proof: ...", "identity: ...").  Rekor v2 entries (no
 * integrated time) need an inclusion proof and an RFC 3161 timestamp. */
#ifndef OCIGATE_KEYLESS_H
#define OCIGATE_KEYLESS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include "verify/sig/fulcio.h"
#include "verify/sig/trusted_root.h"
#include "hook/base/error.h"

#define OG_KEYLESS_MAX_TLOG_ENTRIES 8
#define OG_KEYLESS_MAX_TIMESTAMPS 8
#define OG_KEYLESS_MAX_BODY_BYTES (1024 * 1024)

#define OG_KEYLESS_MAX_EXTENSIONS 16

/* A Fulcio extension a signature must carry: 1.3.6.1.4.1.57264.1.n = value. */
struct og_keyless_extension {
	int n;
	const char *value;
};

struct og_keyless_opts {
	const struct og_trusted_root *root;
	const char *identity;	/* the certificate's SAN, exact */
	const char *identity_regex;	/* or: a POSIX ERE the whole SAN matches */
	const char *issuer;	/* the OIDC issuer, exact */
	size_t nextensions;	/* and every one of these, exact */
	const struct og_keyless_extension *extensions;
	EVP_PKEY *key;		/* instead of identity and issuer: a managed-key bundle */
	int64_t now;		/* epoch seconds; later signing times are refused */
};

struct og_keyless_result {
	char san[OG_FULCIO_MAX_IDENTITY];
	char issuer[OG_FULCIO_MAX_IDENTITY];
	int64_t log_index;
	int64_t signed_at;	/* the earliest verified signing time */
	char log_url[256];
};

/* The DER inside the first PEM certificate block of pem (len bytes; the
 * form Rekor v1 bodies and cosign's annotations hold), base64 decoded
 * strictly (line breaks allowed), not parsed. */
int og_pem_cert_der(const unsigned char *pem, size_t len, unsigned char **der, size_t *dlen, og_error *e);

/* 0 when the bundle (len bytes) verifies for digest ("sha256:<hex>"). */
int og_keyless_verify(const char *data, size_t len, const char *digest, const struct og_keyless_opts *o,
		      struct og_keyless_result *r, og_error *e);

#endif
