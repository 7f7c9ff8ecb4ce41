#include "policy/policy_sections.h"
#include "policy/bundle_policy.h"
#include "policy/runtime_rules.h"
#include "hook/base/jsonutil.h"
#include "verify/identity/identity.h"
#include "verify/image/image_policy.h"
#include "verify/scan/scan_policy.h"
#include "verify/trust/trust_policy.h"

#include <fnmatch.h>
#include <string.h>

static const char *const other_rule_ids[] = {
	"image.identity", "trust.store", "trust.signature", "scan.verdict", "scan.stale",
	"scan.severity", OG_IMAGE_RULE_RECORD, OG_BUNDLE_RULE_EXPIRED, OG_BUNDLE_RULE_STALE, NULL,
};

int og_rule_id_known(const char *pattern)
{
	for (int r = 0; r < RR_COUNT; r++)
		if (fnmatch(pattern, og_runtime_rule_ids[r], 0) == 0)
			return 1;
	for (int r = 0; r < IR_COUNT; r++)
		if (fnmatch(pattern, og_image_rule_ids[r], 0) == 0)
			return 1;
	for (const char *const *id = other_rule_ids; *id; id++)
		if (fnmatch(pattern, *id, 0) == 0)
			return 1;
	return 0;
}

/* "image" holds the identity sources (verify/identity) and the image rules
 * (verify/image): each parser gets its own keys. */
static int parse_image(struct og_policy_sections *p, const json_t *image, og_error *e)
{
	json_auto_t *identity = NULL;
	const char *key;
	json_t *v;

	if (image != NULL && !json_is_object(image))
		return og_fail(e, "$.image: expected an object, found %s", og_json_type(image));
	if (image != NULL) {
		if ((identity = json_object()) == NULL)
			return og_fail(e, "$.image: out of memory");
		json_object_foreach((json_t *)image, key, v) {
			int known = strcmp(key, "identity") == 0;

			for (const char *const *k = og_image_policy_keys; *k && !known; k++)
				known = strcmp(key, *k) == 0;
			if (!known)
				return og_fail(e, "$.image: unknown key \"%.64s\"", key);
			if (strcmp(key, "identity") == 0 && json_object_set(identity, key, v) < 0)
				return og_fail(e, "$.image: out of memory");
		}
	}
	if (og_identity_policy_parse(identity, "$.image", &p->identity, e) < 0)
		return -1;
	return og_image_policy_parse(image, "$.image", &p->image, e);
}

int og_policy_sections_parse(struct og_policy_sections *p, const json_t *doc, og_error *e)
{
	if (parse_image(p, json_object_get(doc, "image"), e) < 0 ||
	    og_trust_policy_parse(json_object_get(doc, "trust"), "$.trust", &p->trust, e) < 0)
		return -1;
	if (og_scan_policy_parse(json_object_get(doc, "scan"), "$.scan", &p->scan, e) < 0)
		return -1;
	/* Verdicts may be signed by the trust store's keys. */
	p->scan->trust_keys = og_trust_policy_verdict_keys;
	p->scan->trust_keys_ctx = p->trust;
	/* Allowed base images are listed in the trust store. */
	p->image->base_allowed = og_trust_policy_base_allowed;
	p->image->base_allowed_ctx = p->trust;
	return 0;
}

void og_policy_sections_free(struct og_policy_sections *p)
{
	og_identity_policy_free(p->identity);
	og_trust_policy_free(p->trust);
	og_scan_policy_free(p->scan);
	og_image_policy_free(p->image);
	p->image = NULL;
	p->identity = NULL;
	p->trust = NULL;
	p->scan = NULL;
}

void og_policy_sections_describe(const struct og_policy_sections *p, FILE *out)
{
	og_identity_policy_describe(p->identity, out);
	og_image_policy_describe(p->image, out);
	og_trust_policy_describe(p->trust, out);
	og_scan_policy_describe(p->scan, out);
}
