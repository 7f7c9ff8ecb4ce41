/* The image checks (identity, trust, scan verdicts, image rules) as one call, so the
 * hook's evaluation stays the same whichever of them a build and a policy have. */
#ifndef OCIGATE_CHECKS_H
#define OCIGATE_CHECKS_H

#include "hook/oci/container.h"
#include "verify/identity/identity.h"
#include "policy/policy.h"
#include "hook/base/findings.h"

/* How a run treats the node's state.  The hook believes and writes the
 * verification records (verify/trust/trust_cache.h) and raises the rollback
 * floor; a dry run (`ocigate check`) changes nothing on the node and
 * verifies everything itself, believing no record. */
enum og_check_mode { OG_CHECK_HOOK, OG_CHECK_DRY_RUN };

int og_check_image(const struct og_policy *p, struct og_container *c,
		   const struct og_identity_prefetch *pf, enum og_check_mode mode, struct og_findings *r,
		   og_error *e);

#endif
