/* The evaluation shared by `hook` and `check`: load the container, then run
 * the runtime rules and the image checks, collecting findings. */
#ifndef OCIGATE_EVALUATE_H
#define OCIGATE_EVALUATE_H

#include "container.h"
#include "policy.h"
#include "report.h"

/* Read BUNDLE/config.json and settle the container's annotations:
 * config.json's when it has any, else the state's (may be NULL). */
int og_container_load(struct og_container *c, const char *bundle, json_t *state_annotations,
		      og_error *e);

/* Run every check; -1 only for an operational error (e says what). */
int og_evaluate(const struct og_policy *p, struct og_container *c, struct og_report *r,
		og_error *e);

#endif
