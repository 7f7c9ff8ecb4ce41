#include "hook/evaluate.h"
#include "hook/checks.h"
#include "hook/confine.h"
#include "policy/runtime_rules.h"
#include "verify/scan/scan_policy.h"
#include "verify/trust/trust_policy.h"
#include "verify/identity/identity.h"
#include "verify/image/image_policy.h"
#include "verify/image/content_store.h"
#include "hook/base/strfmt.h"

#include <limits.h>

#include <stdio.h>
#include <string.h>

int og_container_read(struct og_container *c, const char *bundle, og_buf *config, og_error *e)
{
	c->bundle = bundle;
	c->bundle_fd = og_oci_bundle_open(bundle, e);
	if (c->bundle_fd < 0)
		return -1;
	return og_oci_bundle_read_config(c->bundle_fd, config, e);
}

int og_container_parse(struct og_container *c, const og_buf *config, json_t *state_annotations,
		       og_error *e)
{
	if (og_oci_bundle_parse_config(c->bundle_fd, config, &c->cfg, e) < 0)
		return -1;
	if (c->cfg.annotations != NULL && json_object_size(c->cfg.annotations) > 0)
		og_container_set_annotations(c, json_incref(c->cfg.annotations));
	else
		og_container_set_annotations(c, json_incref(state_annotations));
	return 0;
}

int og_image_rules_on(const struct og_policy *p)
{
	return p->sections.image != NULL && p->sections.image->configured;
}

int og_confine_for_policy(const struct og_policy *p, og_error *e)
{
	/* One policy per process: the path must outlive the rules built from it. */
	static char content[PATH_MAX + 64];
	const char *ctd_root = og_identity_policy_containerd_root(p->sections.identity);
	struct og_confine_paths paths = { 0 };

	if (og_trust_policy_prepare_confinement(p->sections.trust, &paths) < 0 ||
	    (p->sections.scan != NULL && p->sections.scan->configured &&
	     og_confine_add(&paths, p->sections.scan->cache_dir, 0) < 0) ||
	    /* The image rules read the engine's image record (read-only). */
	    (og_image_rules_on(p) &&
	     og_confine_add(&paths, og_identity_policy_graphroot(p->sections.identity), 0) < 0))
		return og_fail(e, "confinement: too many paths");
	/* The installed bundle's generation in force (read-only). */
	if (p->bundle.resolved && og_confine_add(&paths, p->bundle.gen.path, 0) < 0)
		return og_fail(e, "confinement: too many paths");
	/* containerd's content store: only its blobs. */
	if (og_image_rules_on(p) && ctd_root != NULL) {
		og_bfmt(content, sizeof content, "%s/%s", ctd_root, OG_CONTENT_BLOBS_DIR);
		if (og_confine_add(&paths, content, 0) < 0)
			return og_fail(e, "confinement: too many paths");
	}
	return og_confine(&paths, e);
}

int og_needs_identity(const struct og_policy *p)
{
	return og_trust_required(p->sections.trust) || (p->sections.scan != NULL && p->sections.scan->configured) ||
	       og_image_rules_on(p);
}

int og_container_load(struct og_container *c, const char *bundle, json_t *state_annotations,
		      og_error *e)
{
	og_cleanup_buf og_buf config = { 0 };

	if (og_container_read(c, bundle, &config, e) < 0)
		return -1;
	return og_container_parse(c, &config, state_annotations, e);
}

int og_evaluate_runtime(const struct og_policy *p, struct og_container *c, struct og_findings *r,
			og_error *e)
{
	if (og_check_runtime(&p->runtime, &c->cfg, r) < 0)
		return og_fail(e, "out of memory recording findings");
	return 0;
}

int og_evaluate(const struct og_policy *p, struct og_container *c,
		const struct og_identity_prefetch *pf, enum og_check_mode mode, struct og_findings *r,
		og_error *e)
{
	if (og_evaluate_runtime(p, c, r, e) < 0)
		return -1;
	return og_check_image(p, c, pf, mode, r, e);
}
