/* From findings to a decision: apply per-rule modes and exemptions, decide
 * allow / deny / audit, and write the syslog lines. */
#ifndef OCIGATE_DECISION_H
#define OCIGATE_DECISION_H

#include "hook/oci/container.h"
#include "policy/policy.h"
#include "hook/base/findings.h"

enum og_result { OG_ALLOW, OG_AUDIT, OG_DENY };

struct og_decision {
	enum og_result result;
	char rules[512];	/* comma-separated ids of enforced (or audited) violations */
	int error;		/* an operational error decided it */
};

/* Fill each finding's mode and exemption, then the decision. */
void og_decide(const struct og_policy *p, const struct og_container *c, struct og_findings *r,
	       struct og_decision *d);
/* The decision for an operational error (message in e), per on_error. */
void og_decide_error(const struct og_policy *p, struct og_decision *d);
const char *og_result_name(enum og_result v);
/* Action word for one finding: "deny", "audit", "exempt" or "off". */
const char *og_finding_action(const struct og_finding *f);

/* Syslog: one line per violation, then one line for the decision. */
void og_log_decision(const struct og_policy *p, const struct og_container *c,
		     const struct og_findings *r, const struct og_decision *d);
/* Syslog: an operational error, then the decision it led to. */
void og_log_error(const struct og_policy *p, const char *id, const char *stage, const char *msg,
		  const struct og_decision *d);

#endif
