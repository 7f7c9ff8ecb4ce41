/* The image checks (identity, trust, scan verdicts) as one call, so the
 * hook's evaluation stays the same whichever of them a build and a policy have. */
#ifndef OCIGATE_CHECKS_H
#define OCIGATE_CHECKS_H

#include "hook/oci/container.h"
#include "verify/identity/identity.h"
#include "policy/policy.h"
#include "hook/base/findings.h"

int og_check_image(const struct og_policy *p, struct og_container *c,
		   const struct og_identity_prefetch *pf, struct og_findings *r, og_error *e);

#endif
