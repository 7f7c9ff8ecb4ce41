/* Lowercase hex and sha256 digests: the form every image, signature and
 * verdict is named by ("sha256:" + 64 lowercase hex digits). */
#ifndef OCIGATE_DIGEST_H
#define OCIGATE_DIGEST_H

#include <stddef.h>

/* Lowercase hex of len bytes into out (2*len+1 bytes). */
void og_hex_encode(const unsigned char *in, size_t len, char *out);

/* 1 when s is exactly n lowercase hex digits. */
int og_hex_valid(const char *s, size_t n);
/* 1 when the first n bytes of s (which has at least n) are lowercase hex. */
int og_hex_prefix_valid(const char *s, size_t n);
/* 1 when s is exactly "sha256:" followed by 64 lowercase hex digits. */
int og_digest_valid(const char *s);
/* Why s is not such a digest, for messages ("sha512 digests are not
 * supported", "63 hex digits, expected 64", ...), or NULL when it is one. */
const char *og_digest_problem(const char *s);

/* SHA-256 of len bytes as 64 lowercase hex (out: 65 bytes), and as a
 * digest "sha256:<hex>" (out: OG_DIGEST_MAX from image.h, 72 bytes at least);
 * "" (and "sha256:") when OpenSSL cannot be initialised. */
void og_sha256_hex(const void *in, size_t len, char out[65]);
void og_sha256_digest(const void *in, size_t len, char *out, size_t size);

#endif
