// Repository scope patterns of trust-store entries (keys, keyless
// identities): "*", "host/path" (exactly that repository) or "host/path/*"
// (anything below host/path/), always normalised repositories.
#ifndef OCIGATE_TRUST_SCOPE_H
#define OCIGATE_TRUST_SCOPE_H

#include <stddef.h>
#include "hook/base/error.h"
#include "hook/base/json_reader.h"

/* 1 when p is a valid scope pattern. */
int og_trust_scope_valid(const char *p);
/* The "scopes" array member at path (1 to max valid patterns, pointing into
 * r's buffer) into a fresh *scopes; 0, or -1 with the reason. */
int og_trust_scopes_parse(struct og_jr *r, const char *path, size_t max, const char ***scopes, size_t *n,
			  og_error *e);

#endif
