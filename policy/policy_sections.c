#include "policy/policy_sections.h"
#include "policy/runtime_rules.h"
#include "verify/identity/identity.h"
#include "verify/scan/scan_policy.h"
#include "verify/trust/trust_policy.h"

#include <fnmatch.h>

static const char *const other_rule_ids[] = {
	"image.identity", "trust.store", "trust.signature", "scan.verdict", "scan.stale",
	"scan.severity", NULL,
};

int og_rule_id_known(const char *pattern)
{
	for (int r = 0; r < RR_COUNT; r++)
		if (fnmatch(pattern, og_runtime_rule_ids[r], 0) == 0)
			return 1;
	for (const char *const *id = other_rule_ids; *id; id++)
		if (fnmatch(pattern, *id, 0) == 0)
			return 1;
	return 0;
}

int og_policy_sections_parse(struct og_policy_sections *p, const json_t *doc, og_error *e)
{
	if (og_identity_policy_parse(json_object_get(doc, "image"), "$.image", &p->identity, e) < 0 ||
	    og_trust_policy_parse(json_object_get(doc, "trust"), "$.trust", &p->trust, e) < 0)
		return -1;
	if (og_scan_policy_parse(json_object_get(doc, "scan"), "$.scan", &p->scan, e) < 0)
		return -1;
	/* Verdicts may be signed by the trust store's keys. */
	p->scan->trust_keys = og_trust_policy_verdict_keys;
	p->scan->trust_keys_ctx = p->trust;
	return 0;
}

void og_policy_sections_free(struct og_policy_sections *p)
{
	og_identity_policy_free(p->identity);
	og_trust_policy_free(p->trust);
	og_scan_policy_free(p->scan);
	p->identity = NULL;
	p->trust = NULL;
	p->scan = NULL;
}

void og_policy_sections_describe(const struct og_policy_sections *p, FILE *out)
{
	og_identity_policy_describe(p->identity, out);
	og_trust_policy_describe(p->trust, out);
	og_scan_policy_describe(p->scan, out);
}
