#include "verify/image/image_rules.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"
#include "verify/common/reference.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <string.h>

#define DAY 86400

#define ADD(...)                                      \
	do {                                          \
		if (og_findings_add(__VA_ARGS__) < 0) \
			return -1;                    \
	} while (0)

/* A name passes when a glob matches it whole (tag included) or its
 * normalised repository ("alpine:3" is "docker.io/library/alpine"). */
static int name_allowed(const struct og_image_policy *p, const char *name)
{
	char repo[OG_REF_MAX], digest[OG_DIGEST_MAX];
	int have_repo = og_ref_parse(name, repo, sizeof repo, digest, sizeof digest) == 0;

	for (size_t i = 0; i < p->nregistries; i++)
		if (fnmatch(p->registries[i], name, 0) == 0 ||
		    (have_repo && fnmatch(p->registries[i], repo, 0) == 0))
			return 1;
	return 0;
}

static int rule_registries(const struct og_image_policy *p, const struct og_image_record *rec,
			   const char *id, struct og_findings *r)
{
	if (rec->nnames == 0)
		ADD(r, id, "the engine holds no name for image %s, so no allowed registry vouches for it",
		    rec->config_digest);
	for (size_t i = 0; i < rec->nnames; i++)
		if (!name_allowed(p, rec->names[i]))
			ADD(r, id, "name \"%s\" is not in an allowed registry or repository (allowed: %s%s)",
			    rec->names[i], p->registries[0], p->nregistries > 1 ? ", ..." : "");
	return 0;
}

static const char *annotation(const struct og_image_record *rec, const char *key)
{
	json_t *v = json_object_get(rec->annotations, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int rule_base(const struct og_image_policy *p, const struct og_image_record *rec, const char *id,
		     struct og_findings *r, og_error *e)
{
	const char *name = annotation(rec, OG_ANNOTATION_BASE_NAME);
	const char *digest = annotation(rec, OG_ANNOTATION_BASE_DIGEST);
	int ok;

	if (name == NULL || name[0] == '\0') {
		if (!p->base_missing_allow)
			ADD(r, id, "the manifest names no base image (annotation %s is missing)",
			    OG_ANNOTATION_BASE_NAME);
		return 0;
	}
	if (p->base_allowed == NULL) {
		ADD(r, id, "base \"%s\" cannot be checked: no trust store lists allowed bases", name);
		return 0;
	}
	ok = p->base_allowed(p->base_allowed_ctx, name, digest != NULL ? digest : "", e);
	if (ok < 0)
		return og_wrap(e, "image.base");
	if (!ok)
		ADD(r, id, "base \"%s\"%s%s is not an allowed base in the trust store", name,
		    digest != NULL ? " at " : "", digest != NULL ? digest : "");
	return 0;
}

static int rule_max_age(const struct og_image_policy *p, const struct og_image_record *rec,
			const struct og_image_rules_input *in, const char *id, struct og_findings *r)
{
	char day[32];
	int64_t age;

	if (rec->created == 0) {
		if (!p->unknown_age_allow)
			ADD(r, id, "the image's age is unknown (created %s%s%s), max_age %s",
			    rec->created_text[0] ? "\"" : "absent", rec->created_text,
			    rec->created_text[0] ? "\", a reproducible-build epoch" : "", p->max_age_text);
		return 0;
	}
	age = in->now - rec->created;
	if (age <= p->max_age)
		return 0;
	og_format_rfc3339(rec->created, day, sizeof day);
	day[10] = '\0';
	ADD(r, id, "created %s, %" PRId64 " days over max_age %s", day, (age - p->max_age) / DAY,
	    p->max_age_text);
	return 0;
}

int og_image_user_is_root(const char *user)
{
	size_t n = strcspn(user, ":");

	return n == 0 || (n == 4 && strncmp(user, "root", 4) == 0) ||
	       (strspn(user, "0") == n);
}

static int rule_labels(const struct og_image_policy *p, const struct og_image_record *rec,
		       const char *id, struct og_findings *r)
{
	for (size_t i = 0; i < p->nlabels; i++) {
		json_t *v = json_object_get(rec->labels, p->labels[i]);

		if (json_is_string(v) && json_string_length(v) > 0)
			continue;
		if (annotation(rec, p->labels[i]) != NULL && annotation(rec, p->labels[i])[0] != '\0')
			continue;
		ADD(r, id, "required label %s is missing (neither in the config's Labels nor in the manifest's annotations)",
		    p->labels[i]);
	}
	return 0;
}

int og_image_rules_check(const struct og_image_policy *p, const struct og_image_record *rec,
			 const struct og_image_rules_input *in, struct og_findings *r, og_error *e)
{
	const char *const *ids = og_image_rule_ids;

	if (p->mode[IR_REGISTRIES] != OG_MODE_OFF && rule_registries(p, rec, ids[IR_REGISTRIES], r) < 0)
		goto oom;
	if (p->mode[IR_BASE] != OG_MODE_OFF && rule_base(p, rec, ids[IR_BASE], r, e) < 0)
		return e->set ? -1 : og_fail(e, "out of memory recording findings");
	if (p->mode[IR_MAX_AGE] != OG_MODE_OFF && rule_max_age(p, rec, in, ids[IR_MAX_AGE], r) < 0)
		goto oom;
	if (p->mode[IR_MAX_LAYERS] != OG_MODE_OFF && (int64_t)rec->nlayers > p->max_layers &&
	    og_findings_add(r, ids[IR_MAX_LAYERS], "%zu layers, more than max_layers %lld", rec->nlayers,
			    (long long)p->max_layers) < 0)
		goto oom;
	if (p->mode[IR_MAX_SIZE] != OG_MODE_OFF && rec->layers_size > p->max_size &&
	    og_findings_add(r, ids[IR_MAX_SIZE], "layers add up to %" PRIu64 " bytes (%.1f MiB), more than max_size %s",
			    rec->layers_size, (double)rec->layers_size / (1024.0 * 1024.0), p->max_size_text) < 0)
		goto oom;
	if (p->mode[IR_USER] != OG_MODE_OFF && og_image_user_is_root(rec->user) && in->runtime_uid <= 0 &&
	    og_findings_add(r, ids[IR_USER], "the image runs as root (config User \"%s\") and the runtime config does not override it (process.user.uid is 0)",
			    rec->user) < 0)
		goto oom;
	if (p->mode[IR_LABELS] != OG_MODE_OFF && rule_labels(p, rec, ids[IR_LABELS], r) < 0)
		goto oom;
	return 0;
oom:
	return og_fail(e, "out of memory recording findings");
}
