/* Helpers for rule tests: a hardened config to mutate, a policy, and a run
 * that returns the findings. */
#ifndef OCIGATE_RULEHELP_H
#define OCIGATE_RULEHELP_H

#include "testutil.h"
#include <ctype.h>
#include <sys/capability.h>
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "hook/oci/oci_config.h"
#include "policy/policy.h"
#include "hook/base/findings.h"
#include "policy/runtime_rules.h"

static inline json_t *rh_hardened(void)
{
	char path[8192];
	json_error_t je;
	json_t *j;

	snprintf(path, sizeof path, "%s/runtime/hardened-config.json", tu_repo_fixtures());
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	ck_assert_msg(j != NULL, "cannot load %s: %s", path, je.text);
	return j;
}

/* Evaluate cfg under policy text; returns the number of findings for rule
 * `id` (or all findings when id is NULL).  Findings are kept in *out when given. */
static inline int rh_run(const char *policy_text, json_t *cfg, const char *id, struct og_findings *out)
{
	struct og_policy p;
	struct og_oci_config c;
	struct og_findings r = { 0 };
	og_error e = { 0 };
	char *text = json_dumps(cfg, 0);
	int n = 0;

	ck_assert_msg(og_policy_parse(policy_text, strlen(policy_text), &p, &e) == 0, "policy: %s", e.msg);
	ck_assert_msg(og_oci_config_parse(text, strlen(text), &c, &e) == 0, "config: %s", e.msg);
	ck_assert_int_eq(og_check_runtime(&p.runtime, &c, &r), 0);
	for (size_t i = 0; i < r.n; i++)
		if (id == NULL || strcmp(r.items[i].rule, id) == 0)
			n++;
	if (out)
		*out = r;
	else
		og_findings_free(&r);
	og_oci_config_free(&c);
	og_policy_free(&p);
	free(text);
	return n;
}

/* The first finding message of rule id, or "" */
static inline const char *rh_msg(const struct og_findings *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->items[i].rule, id) == 0)
			return r->items[i].message;
	return "";
}

#define RESTRICTED "{\"version\":1,\"runtime\":{\"preset\":\"restricted\"}}"
#define BASELINE "{\"version\":1,\"runtime\":{\"preset\":\"baseline\"}}"
#define HARDENED "{\"version\":1,\"runtime\":{\"preset\":\"hardened\"}}"

#endif
