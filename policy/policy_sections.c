#include "policy_sections.h"
#include "policy.h"

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

int og_policy_sections_parse(struct og_policy *p, const json_t *doc, og_error *e)
{
	(void)p;
	if (json_object_get(doc, "image") || json_object_get(doc, "trust") ||
	    json_object_get(doc, "scan"))
		return og_fail(e, "$: image, trust and scan sections are not supported by this build");
	return 0;
}

void og_policy_sections_free(struct og_policy *p)
{
	(void)p;
}

void og_policy_sections_describe(const struct og_policy *p, FILE *out)
{
	(void)p;
	(void)out;
}
