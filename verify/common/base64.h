/* Strict base64 (RFC 4648 standard alphabet).  Signatures,
 * DSSE payloads and keys arrive base64-encoded from hostile files: the
 * decoder accepts exactly one canonical encoding and nothing else. */
#ifndef OCIGATE_BASE64_H
#define OCIGATE_BASE64_H

#include <stddef.h>
#include "hook/base/error.h"

/* What whitespace a decode skips: none (JSON fields, which have one
 * canonical form), any (PEM bodies), or line breaks only (a signature file
 * a person made: `base64` wraps at 76 columns, `openssl base64` at 64). */
#define OG_B64_STRICT 0
#define OG_B64_ANY_SPACE 1
#define OG_B64_LINE_BREAKS 2

/* Decode `len` chars of canonical padded base64 into a fresh buffer
 * (NUL-terminated, not counted in *out_len).  Whitespace other than what
 * `space` skips is an error; `what` names the input in errors. */
int og_base64_decode(const char *in, size_t len, int space, const char *what,
		     unsigned char **out, size_t *out_len, og_error *e);

/* Encode into a fresh NUL-terminated string; NULL when out of memory. */
char *og_base64_encode(const void *in, size_t len);

#endif
