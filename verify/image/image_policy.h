// The image rules of the policy's "image" section, checked against the
// engine's record of the image (image_record.h):
//
//   "image": {"identity": [...],                     (verify/identity)
//     "registries": {"allowed": ["docker.io/library/*", "localhost/*"]},
//     "base": {"missing": "deny"},                   allowed bases: the trust store's "bases"
//     "max_age": {"max": "365d", "unknown": "allow"},  unknown: absent, 1970-01-01 or 1980-01-01
//     "max_layers": {"max": 40},
//     "max_size": {"max": "2GiB"},                   bytes, or KiB/MiB/GiB/TiB (or kB/MB/GB/TB)
//     "user": true,
//     "labels": {"required": ["org.opencontainers.image.source"]}}
//
// Defaults: base.missing "deny", max_age.unknown "allow".
// Each rule is false (off), true (enforced, when it needs no parameter) or
// an object with an optional "mode" ("enforce", "audit", "off") and its
// parameters.  Rule ids: image.registries, image.base, image.max-age,
// image.max-layers, image.max-size, image.user, image.labels, and
// image.record when the record cannot be read or does not verify.
#ifndef OCIGATE_IMAGE_POLICY_H
#define OCIGATE_IMAGE_POLICY_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include "hook/base/error.h"
#include "hook/base/findings.h"

#define OG_IMAGE_MAX_PATTERNS 64

enum og_image_rule {
	IR_REGISTRIES = 0,
	IR_BASE,
	IR_MAX_AGE,
	IR_MAX_LAYERS,
	IR_MAX_SIZE,
	IR_USER,
	IR_LABELS,
	IR_COUNT,
};

extern const char *const og_image_rule_ids[IR_COUNT];
#define OG_IMAGE_RULE_RECORD "image.record"

/* Whether a base is allowed: 1 yes, 0 no, -1 on error (e says why).  The
 * trust store answers it (its "bases"); ctx is what the setter gave. */
typedef int (*og_image_base_allowed_fn)(const void *ctx, const char *name, const char *digest,
					og_error *e);

struct og_image_policy {
	int configured;			/* any image rule is on */
	enum og_rule_mode mode[IR_COUNT];
	char **registries;		/* globs over the names the engine holds */
	size_t nregistries;
	int base_missing_allow;		/* an image without base annotations passes */
	int64_t max_age;		/* seconds */
	char max_age_text[32];
	int unknown_age_allow;		/* an unknown "created" passes */
	int64_t max_layers;
	uint64_t max_size;
	char max_size_text[32];
	char **labels;			/* required label or manifest annotation keys */
	size_t nlabels;
	og_image_base_allowed_fn base_allowed;	/* set by policy_sections */
	const void *base_allowed_ctx;
};

/* Parse the rule keys of the "image" section (other keys are identity's);
 * section may be NULL (every rule off). */
int og_image_policy_parse(const json_t *section, const char *path, struct og_image_policy **out,
			  og_error *e);
void og_image_policy_free(struct og_image_policy *p);
void og_image_policy_describe(const struct og_image_policy *p, FILE *out);
/* The keys of the "image" section this module owns (NULL-terminated). */
extern const char *const og_image_policy_keys[];
/* 1 and *m when id is an image rule's id. */
int og_image_policy_rule_mode(const struct og_image_policy *p, const char *id, enum og_rule_mode *m);
/* Parse "2GiB", "500MB", "1048576" (or a JSON integer) into bytes. */
int og_parse_size(const json_t *v, const char *path, uint64_t *out, og_error *e);

#endif
