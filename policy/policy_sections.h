/* The policy sections owned by verify/ (image identity, trust, scan) and
 * the list of every rule id, kept in one place. */
#ifndef OCIGATE_POLICY_SECTIONS_H
#define OCIGATE_POLICY_SECTIONS_H

#include <jansson.h>
#include <stdio.h>
#include "hook/base/error.h"

struct og_identity_policy;
struct og_trust_policy;
struct og_scan_policy;
struct og_image_policy;

struct og_policy_sections {
	struct og_identity_policy *identity;	/* "image": where the digest comes from */
	struct og_trust_policy *trust;		/* "trust": trust store and signatures */
	struct og_scan_policy *scan;		/* "scan": verdicts */
	struct og_image_policy *image;		/* "image": rules over the engine's record */
};

int og_policy_sections_parse(struct og_policy_sections *s, const json_t *doc, og_error *e);
void og_policy_sections_free(struct og_policy_sections *s);
void og_policy_sections_describe(const struct og_policy_sections *s, FILE *out);
/* 1 when `pattern` (a rule id or a glob) matches at least one rule id. */
int og_rule_id_known(const char *pattern);

#endif
