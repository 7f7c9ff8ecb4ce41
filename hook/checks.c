#include "hook/checks.h"
#include "verify/identity/identity.h"
#include "verify/scan/scan_policy.h"
#include "verify/trust/trust_policy.h"
#include "verify/scan/scan_check.h"
#include "verify/image/image_policy.h"
#include "verify/image/image_rules.h"
#include "verify/image/image_store.h"
#include "verify/image/content_store.h"
#include "hook/base/timeutil.h"

#include <string.h>

/* The image rules over the engine's record of the image.  A record that
 * cannot be had or does not verify is an image.record finding: the rules
 * cannot vouch for an image they could not read. */
static int check_image_rules(const struct og_policy *p, struct og_container *c, struct og_findings *r,
			     og_error *e)
{
	const char *graphroot = og_identity_policy_graphroot(p->sections.identity);
	const char *ctd_root = og_identity_policy_containerd_root(p->sections.identity);
	struct og_image_rules_input in = {
		.runtime_uid = c->cfg.has_process ? c->cfg.uid : -1,
		.now = og_now(),
	};
	struct og_image_record rec = { 0 };
	og_error le = { 0 };
	int rc = 0;

	if (c->image.digest[0] == '\0')
		return og_findings_add(r, OG_IMAGE_RULE_RECORD, "no image digest, so no record of the image to check%s%s",
				       c->image.problem[0] ? ": " : "", c->image.problem) < 0
			       ? og_fail(e, "out of memory recording findings") : 0;
	if (strcmp(c->image.source, "containerd") == 0 && ctd_root != NULL && c->image.kind == OG_DIGEST_CONFIG) {
		rc = og_content_image_record(ctd_root, c->image.digest, c->image.target, c->image.name, &rec, &le);
	} else if (strcmp(c->image.source, "containers/storage") == 0 && graphroot != NULL &&
		   c->image.kind == OG_DIGEST_CONFIG) {
		rc = og_storage_image_record(graphroot, c->image.digest, &rec, &le);
	} else {
		return og_findings_add(r, OG_IMAGE_RULE_RECORD,
				       "the image rules read the image's record from containers/storage or containerd's content store (for a CRI container); this digest came from %s",
				       c->image.source[0] ? c->image.source : "nowhere") < 0
			       ? og_fail(e, "out of memory recording findings") : 0;
	}
	if (rc < 0) {
		rc = 0;
		if (og_findings_add(r, OG_IMAGE_RULE_RECORD, "%s", le.msg) < 0)
			rc = og_fail(e, "out of memory recording findings");
	} else {
		rc = og_image_rules_check(p->sections.image, &rec, &in, r, e);
	}
	og_image_record_free(&rec);
	return rc;
}

int og_check_image(const struct og_policy *p, struct og_container *c,
		   const struct og_identity_prefetch *pf, enum og_check_mode mode, struct og_findings *r,
		   og_error *e)
{
	struct og_identity_input in = {
		.annotations = c->annotations,
		.container_id = c->id,
		.bundle = c->bundle,
		.want_target = p->sections.image != NULL && p->sections.image->configured,
	};
	int scanning = p->sections.scan != NULL && p->sections.scan->configured;
	int image_rules = p->sections.image != NULL && p->sections.image->configured;

	/* Identity costs a containerd round trip on some hosts: only when a
	 * check needs the digest. */
	if (!og_trust_required(p->sections.trust) && !scanning && !image_rules)
		return 0;
	if (og_identity_resolve(p->sections.identity, &in, pf, &c->image, e) < 0)
		return -1;
	if (og_trust_evaluate(p->sections.trust, &c->image, mode == OG_CHECK_HOOK, r, NULL, 0, e) < 0)
		return -1;
	if (og_scan_check(p->sections.scan, &c->image, r, e) < 0)
		return -1;
	if (image_rules && check_image_rules(p, c, r, e) < 0)
		return -1;
	return 0;
}
