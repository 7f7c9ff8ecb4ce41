/* Canonical JSON (RFC 8785 for the values Rekor signs): object members
 * sorted by key, no whitespace, strings with only the mandatory escapes,
 * integers only (Rekor's signed entry timestamps carry no other numbers).
 * Keys are sorted bytewise on their UTF-8, which is RFC 8785's UTF-16 order
 * for every key without characters above U+FFFF. */
#ifndef OCIGATE_CANONICAL_JSON_H
#define OCIGATE_CANONICAL_JSON_H

#include <stddef.h>
#include <jansson.h>
#include "hook/base/error.h"

#define OG_CANONICAL_JSON_MAX (4 * 1024 * 1024)

/* A fresh NUL-terminated canonical text of v in *out (*len bytes); -1 for a
 * real number, nesting deeper than 64 or output over OG_CANONICAL_JSON_MAX. */
int og_canonical_json(const json_t *v, char **out, size_t *len, og_error *e);

#endif
