/* The evaluation shared by `hook` and `check`: load the container, then run
 * the runtime rules and the image checks, collecting findings. */
#ifndef OCIGATE_EVALUATE_H
#define OCIGATE_EVALUATE_H

#include "hook/checks.h"
#include "hook/oci/container.h"
#include "policy/policy.h"
#include "hook/base/findings.h"

#include "hook/base/fileio.h"
#include "verify/identity/identity.h"

/* Read BUNDLE/config.json's bytes (the bundle directory stays open in c). */
int og_container_read(struct og_container *c, const char *bundle, og_buf *config, og_error *e);
/* Parse them and settle the container's annotations: config.json's when it
 * has any, else the state's (may be NULL). */
int og_container_parse(struct og_container *c, const og_buf *config, json_t *state_annotations,
		       og_error *e);
/* Both, for `check`. */
int og_container_load(struct og_container *c, const char *bundle, json_t *state_annotations,
		      og_error *e);

/* Confine the process (confine.h, phase one), keeping for phase two the
 * files the policy's checks still need to open. */
int og_confine_for_policy(const struct og_policy *p, og_error *e);

/* 1 when an image rule is on (they read the engine's record of the image). */
int og_image_rules_on(const struct og_policy *p);

/* 1 when the policy's checks need the image digest. */
int og_needs_identity(const struct og_policy *p);

/* The runtime-configuration rules alone (the hook's first confined phase). */
int og_evaluate_runtime(const struct og_policy *p, struct og_container *c, struct og_findings *r,
			og_error *e);

/* Run every check; -1 only for an operational error (e says what).  pf
 * holds the engine identity sources' answers when asked beforehand; mode
 * says whether the node's state is used (hook/checks.h). */
int og_evaluate(const struct og_policy *p, struct og_container *c,
		const struct og_identity_prefetch *pf, enum og_check_mode mode, struct og_findings *r,
		og_error *e);

#endif
