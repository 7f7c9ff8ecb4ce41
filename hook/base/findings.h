/* Findings: what each check found wrong, by stable rule id.  Checks only
 * add findings; decision.c later applies per-rule modes and exemptions. */
#ifndef OCIGATE_FINDINGS_H
#define OCIGATE_FINDINGS_H

#include <stddef.h>

#define OG_RULE_ID_MAX 48

enum og_rule_mode { OG_MODE_OFF = 0, OG_MODE_ENFORCE, OG_MODE_AUDIT };

struct og_finding {
	char rule[OG_RULE_ID_MAX];	/* stable id, e.g. "runtime.capabilities" */
	char *message;			/* one human sentence; may quote hostile text */
	enum og_rule_mode mode;		/* filled in by the decision */
	int exempt;			/* filled in by the decision */
};

struct og_findings {
	struct og_finding *items;
	size_t n, cap;
};

/* Add a finding; returns 0, or -1 when out of memory (the caller denies). */
int og_findings_add(struct og_findings *r, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void og_findings_free(struct og_findings *r);
/* A rule mode's name, and back: "enforce" | "audit" | "off" (-1 otherwise). */
const char *og_mode_name(enum og_rule_mode m);
int og_mode_parse(const char *s, enum og_rule_mode *out);
#define og_cleanup_findings __attribute__((cleanup(og_findings_free)))

#endif
