/* Signed cache files.  A verdict or VEX cache file is one line of compact
 * JSON (the payload), optionally followed by one line
 *   "ocigate-signature-v1 <base64 signature over the payload bytes>\n".
 * Payload and signature live in one file so a single atomic rename replaces
 * both: a reader can never pair a new payload with an old signature.
 * Keys: Ed25519 (pure) or ECDSA P-256 with SHA-256 (DER signature). */
#ifndef OCIGATE_SCAN_SIGN_H
#define OCIGATE_SCAN_SIGN_H

#include <openssl/evp.h>
#include <stddef.h>
#include "hook/base/error.h"

#define OG_SCAN_SIG_PREFIX "ocigate-signature-v1 "
#define OG_MAX_SCAN_KEY_BYTES (16u * 1024)
#define OG_MAX_SCAN_SIG_B64 256	/* Ed25519 88, ECDSA P-256 DER <= 100 */

/* Load a PEM key file (Ed25519 or EC P-256 only; any other type refused). */
int og_scan_load_public_key(const char *path, EVP_PKEY **out, og_error *e);
int og_scan_load_private_key(const char *path, EVP_PKEY **out, og_error *e);

/* Build the cache file bytes: payload + "\n" [+ signature line when key]. */
int og_scan_envelope(const char *payload, size_t len, EVP_PKEY *key, char **out, size_t *out_len,
		     og_error *e);

/* Split cache file bytes without parsing JSON: *payload_len is the length of
 * the first line; *sig and *sig_len the base64 signature or NULL/0 if unsigned.
 * Anything else after the payload line is an error. */
int og_scan_split(const char *data, size_t len, size_t *payload_len, const char **sig,
		  size_t *sig_len, og_error *e);

/* Verify sig (base64) over payload with any of keys; 0 when one verifies. */
int og_scan_verify(const char *payload, size_t len, const char *sig, size_t sig_len,
		   EVP_PKEY *const *keys, size_t nkeys, og_error *e);

#endif
