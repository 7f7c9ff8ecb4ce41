// Repository scope patterns of trust-store entries (keys, keyless
// identities): "*", "host/path" (exactly that repository) or "host/path/*"
// (anything below host/path/), always normalised repositories.
#ifndef OCIGATE_TRUST_SCOPE_H
#define OCIGATE_TRUST_SCOPE_H

/* 1 when p is a valid scope pattern. */
int og_trust_scope_valid(const char *p);

#endif
