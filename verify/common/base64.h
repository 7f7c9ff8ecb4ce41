/* Strict base64 (RFC 4648 standard alphabet) and lowercase hex.  Signatures,
 * DSSE payloads and keys arrive base64-encoded from hostile files: the
 * decoder accepts exactly one canonical encoding and nothing else. */
#ifndef OCIGATE_BASE64_H
#define OCIGATE_BASE64_H

#include <stddef.h>
#include "hook/base/error.h"

/* Decode `len` chars of canonical padded base64 into a fresh buffer
 * (NUL-terminated, not counted in *out_len).  Whitespace is an error unless
 * skip_space is set (PEM bodies); `what` names the input in errors. */
int og_base64_decode(const char *in, size_t len, int skip_space, const char *what,
		     unsigned char **out, size_t *out_len, og_error *e);

/* Encode into a fresh NUL-terminated string; NULL when out of memory. */
char *og_base64_encode(const void *in, size_t len);

/* Lowercase hex of len bytes into out (2*len+1 bytes). */
void og_hex_encode(const unsigned char *in, size_t len, char *out);

/* SHA-256 of len bytes as 64 lowercase hex (out: 65 bytes), and as a
 * digest "sha256:<hex>" (out: OG_DIGEST_MAX from image.h, 72 bytes at least);
 * "" (and "sha256:") when OpenSSL cannot be initialised. */
void og_sha256_hex(const void *in, size_t len, char out[65]);
void og_sha256_digest(const void *in, size_t len, char *out, size_t size);

/* 1 when s is exactly "sha256:" followed by 64 lowercase hex digits. */
int og_digest_valid(const char *s);
/* 1 when s is exactly n lowercase hex digits. */
int og_hex_valid(const char *s, size_t n);

/* 1 when s starts with 64 lowercase hex digits. */
int og_hex_valid_prefix(const char *s);

/* snprintf that may truncate on purpose (messages quoting long input); the
 * compiler's truncation warnings stay on for every other snprintf. */
int og_bfmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
