/* Public keys for image and trust-store signatures: parsing (PEM armour is
 * stripped by hand and the DER SubjectPublicKeyInfo decoded with d2i_PUBKEY,
 * no PEM decoder machinery on the hook path), the accepted key types, key
 * ids, and signature verification with the algorithm each key type implies:
 *   ECDSA P-256 + SHA-256, ECDSA P-384 + SHA-384 or SHA-256 (DER or IEEE
 *   P1363 r||s), Ed25519 (pure), RSA 2048..8192 bits + SHA-256 (PKCS#1 v1.5
 *   or PSS): the pairs of the Sigstore algorithm registry (PublicKeyDetails)
 *   for these key types.  Signing uses the first hash named for each.
 * Any other key (other curves, DSA, small RSA) is refused when loaded, so a
 * key can never be used with an algorithm that does not match its type. */
#ifndef OCIGATE_KEYS_H
#define OCIGATE_KEYS_H

#include <stddef.h>
#include <openssl/evp.h>
#include "hook/base/error.h"

#define OG_MAX_KEY_FILE_BYTES 16384	/* a PEM public key, RSA-8192 is ~1.5 KiB */
#define OG_MAX_SIGNATURE_BYTES 2048	/* raw signature bytes (RSA-8192 = 1 KiB) */
#define OG_KEYID_HEX 65			/* 64 hex + NUL: sha256 of the DER SPKI */
#define OG_RSA_MIN_BITS 2048
#define OG_RSA_MAX_BITS 8192
#define OG_MAX_ROOT_KEYS 16		/* root keys a policy may pin */

/* Decode one "-----BEGIN PUBLIC KEY-----" block (nothing else in the text
 * but whitespace) and check its type.  `what` names the key in errors. */
int og_key_from_pem(const char *pem, size_t len, const char *what, EVP_PKEY **out, og_error *e);
/* Decode a DER SubjectPublicKeyInfo and check its type. */
int og_key_from_der(const unsigned char *der, size_t len, const char *what, EVP_PKEY **out,
		    og_error *e);
/* Read a PEM public key file (absolute path chosen by the administrator). */
int og_key_load_file(const char *path, EVP_PKEY **out, og_error *e);
/* Refuse key types and sizes we do not accept. */
int og_key_check_type(EVP_PKEY *k, const char *what, og_error *e);
/* Hex SHA-256 of the key's DER SubjectPublicKeyInfo. */
int og_key_id(EVP_PKEY *k, char out[OG_KEYID_HEX], og_error *e);
/* "ECDSA P-256", "RSA-3072", ... for listings. */
void og_key_describe(EVP_PKEY *k, char *buf, size_t size);

/* Verify sig over msg with the algorithm k's type implies: 0 when valid,
 * -1 (reason in e) otherwise. */
int og_key_verify(EVP_PKEY *k, const void *msg, size_t len, const unsigned char *sig, size_t siglen,
		  og_error *e);
/* Verify sig over an already computed SHA-256 digest (Sigstore
 * messageSignature); ECDSA and RSA only, Ed25519 cannot sign a prehash. */
int og_key_verify_sha256_prehash(EVP_PKEY *k, const unsigned char dgst[32], const unsigned char *sig,
				 size_t siglen, og_error *e);

/* Signing side for the CLI (`trust sign`, `sig sign`): a PEM private key of
 * an accepted type, and a signature in the format verification expects
 * (ECDSA: ASN.1 DER). */
int og_key_load_private(const char *path, EVP_PKEY **out, og_error *e);
int og_key_sign(EVP_PKEY *k, const void *msg, size_t len, unsigned char **sig, size_t *siglen,
		og_error *e);

#endif
