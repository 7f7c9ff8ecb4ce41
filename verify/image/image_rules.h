/* The image rules (image_policy.h) over the engine's record of an image. */
#ifndef OCIGATE_IMAGE_RULES_H
#define OCIGATE_IMAGE_RULES_H

#include <stdint.h>
#include "hook/base/error.h"
#include "hook/base/findings.h"
#include "verify/image/image_policy.h"
#include "verify/image/image_record.h"

/* What the rules need besides the record. */
struct og_image_rules_input {
	int64_t runtime_uid;	/* process.user.uid of the runtime config; -1 when there is no process */
	int64_t now;		/* epoch seconds */
};

/* Add a finding for each rule that is not off and that the record breaks;
 * -1 only for an operational failure (out of memory, the trust store
 * unreadable for image.base). */
int og_image_rules_check(const struct og_image_policy *p, const struct og_image_record *rec,
			 const struct og_image_rules_input *in, struct og_findings *r, og_error *e);

/* 1 when a config User means root: "", "root", "0", or those with ":group". */
int og_image_user_is_root(const char *user);

#endif
