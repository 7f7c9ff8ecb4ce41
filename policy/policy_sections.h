/* The policy sections owned by verify/ (image identity, trust, scan) and
 * the list of every rule id, kept in one place. */
#ifndef OCIGATE_POLICY_SECTIONS_H
#define OCIGATE_POLICY_SECTIONS_H

#include <jansson.h>
#include <stdio.h>
#include "hook/base/error.h"

struct og_policy;

int og_policy_sections_parse(struct og_policy *p, const json_t *doc, og_error *e);
void og_policy_sections_free(struct og_policy *p);
void og_policy_sections_describe(const struct og_policy *p, FILE *out);
/* 1 when `pattern` (a rule id or a glob) matches at least one rule id. */
int og_rule_id_known(const char *pattern);

#endif
