#include "hook/checks.h"
#include "verify/identity/identity.h"
#include "verify/scan/scan_policy.h"
#include "verify/trust/trust_policy.h"
#include "verify/scan/scan_check.h"

int og_check_image(const struct og_policy *p, struct og_container *c,
		   const struct og_identity_prefetch *pf, enum og_check_mode mode, struct og_findings *r,
		   og_error *e)
{
	struct og_identity_input in = {
		.annotations = c->annotations,
		.container_id = c->id,
		.bundle = c->bundle,
	};
	int scanning = p->sections.scan != NULL && p->sections.scan->configured;

	/* Identity costs a containerd round trip on some hosts: only when a
	 * check needs the digest. */
	if (!og_trust_required(p->sections.trust) && !scanning)
		return 0;
	if (og_identity_resolve(p->sections.identity, &in, pf, &c->image, e) < 0)
		return -1;
	if (og_trust_evaluate(p->sections.trust, &c->image, mode == OG_CHECK_HOOK, r, NULL, 0, e) < 0)
		return -1;
	if (og_scan_check(p->sections.scan, &c->image, r, e) < 0)
		return -1;
	return 0;
}
