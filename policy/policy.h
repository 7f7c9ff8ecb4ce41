/* The per-host policy file (JSON, version 1). */
#ifndef OCIGATE_POLICY_H
#define OCIGATE_POLICY_H

#include <jansson.h>
#include <stdio.h>
#include "hook/base/error.h"
#include "policy/bundle_policy.h"
#include "policy/exemptions.h"
#include "policy/policy_sections.h"
#include "hook/base/findings.h"
#include "policy/runtime_policy.h"

#define OG_DEFAULT_POLICY "/etc/ocigate/policy.json"
#define OG_MAX_POLICY_BYTES (1024 * 1024)
#define OG_DEFAULT_TIMEOUT_MS 2000

struct og_policy {
	int audit;			/* global mode: 1 = audit, 0 = enforce */
	int on_error_allow;		/* 1 = an operational error allows */
	int facility;			/* syslog facility (LOG_AUTH ...) */
	char facility_name[16];
	int timeout_ms;			/* deadline for the whole hook run */
	struct og_runtime_policy runtime;
	struct og_exemption_list exemptions;
	json_t *modes;			/* rule id (or glob) -> "enforce"|"audit"|"off" */
	struct og_policy_sections sections;	/* image identity, trust, scan */
	struct og_bundle_policy bundle;		/* where trust, signatures, verdicts come from */
};

int og_policy_parse(const char *data, size_t len, struct og_policy *p, og_error *e);
int og_policy_load(const char *path, struct og_policy *p, og_error *e);
/* A policy file's JSON document, read and parsed as og_policy_load does
 * (bounded, strict), but not interpreted: for the commands that need one
 * section of it ("trust" for trust and sig, "scan" for verdict). */
json_t *og_policy_read_document(const char *path, og_error *e);
void og_policy_free(struct og_policy *p);
void og_policy_describe(const struct og_policy *p, FILE *out);

/* The mode a finding of rule `id` gets: the runtime rule's own mode, then a
 * "modes" override, then the global audit mode turning enforce into audit. */
enum og_rule_mode og_policy_rule_mode(const struct og_policy *p, const char *id);

#endif
