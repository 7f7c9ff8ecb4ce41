#include "verify/image/image_policy.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *const og_image_rule_ids[IR_COUNT] = {
	[IR_REGISTRIES] = "image.registries", [IR_BASE] = "image.base",
	[IR_MAX_AGE] = "image.max-age",       [IR_MAX_LAYERS] = "image.max-layers",
	[IR_MAX_SIZE] = "image.max-size",     [IR_USER] = "image.user",
	[IR_LABELS] = "image.labels",
};

/* The policy keys, in rule order. */
static const char *const rule_keys[IR_COUNT] = {
	"registries", "base", "max_age", "max_layers", "max_size", "user", "labels",
};

const char *const og_image_policy_keys[] = {
	"registries", "base", "max_age", "max_layers", "max_size", "user", "labels", NULL,
};

int og_parse_size(const json_t *v, const char *path, uint64_t *out, og_error *e)
{
	static const struct { const char *unit; uint64_t mult; } units[] = {
		{ "", 1 }, { "B", 1 }, { "KiB", 1ULL << 10 }, { "MiB", 1ULL << 20 }, { "GiB", 1ULL << 30 },
		{ "TiB", 1ULL << 40 }, { "kB", 1000ULL }, { "KB", 1000ULL }, { "MB", 1000000ULL },
		{ "GB", 1000000000ULL }, { "TB", 1000000000000ULL },
	};
	const char *s;
	char *end;
	unsigned long long n;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 1)
			return og_fail(e, "%s: must be at least 1 byte", path);
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return og_fail(e, "%s: expected a size (\"2GiB\") or a number of bytes, found %s", path,
			       og_json_type(v));
	s = json_string_value(v);
	if (*s < '0' || *s > '9')
		return og_fail(e, "%s: \"%.32s\" is not a size (\"2GiB\", \"500MB\")", path, s);
	errno = 0;
	n = strtoull(s, &end, 10);
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(end, units[i].unit) == 0) {
			if (errno != 0 || n == 0 || n > UINT64_MAX / units[i].mult)
				return og_fail(e, "%s: \"%.32s\" is out of range", path, s);
			*out = n * units[i].mult;
			return 0;
		}
	return og_fail(e, "%s: \"%.32s\": unknown unit (B, KiB, MiB, GiB, TiB, kB, MB, GB, TB)", path, s);
}

static int strings(const json_t *obj, const char *key, const char *path, char ***out, size_t *n,
		   og_error *e)
{
	json_t *arr = NULL, *v;
	size_t i;

	if (og_json_arr(obj, key, path, 1, &arr, e) < 0)
		return -1;
	if (json_array_size(arr) == 0 || json_array_size(arr) > OG_IMAGE_MAX_PATTERNS)
		return og_fail(e, "%s.%s: 1 to %d entries", path, key, OG_IMAGE_MAX_PATTERNS);
	*out = calloc(json_array_size(arr), sizeof **out);
	if (*out == NULL)
		return og_fail_errno(e, ENOMEM, "%s.%s", path, key);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 255)
			return og_fail(e, "%s.%s[%zu]: expected a string of 1 to 255 characters", path, key, i);
		if (((*out)[i] = strdup(json_string_value(v))) == NULL)
			return og_fail_errno(e, ENOMEM, "%s.%s", path, key);
		(*n)++;
	}
	return 0;
}

static int choice(const json_t *obj, const char *key, const char *path, const char *yes,
		  const char *no, int *out, og_error *e)
{
	const char *s;

	switch (og_json_str(obj, key, path, 0, &s, e)) {
	case -1:
		return -1;
	case 1:
		return 0;
	}
	if (strcmp(s, yes) == 0)
		*out = 1;
	else if (strcmp(s, no) == 0)
		*out = 0;
	else
		return og_fail(e, "%s.%s: \"%.32s\" is not %s or %s", path, key, s, yes, no);
	return 0;
}

static int rule_params(struct og_image_policy *p, enum og_image_rule r, const json_t *v,
		       const char *path, og_error *e)
{
	static const char *const keys[IR_COUNT][4] = {
		[IR_REGISTRIES] = { "mode", "allowed", NULL }, [IR_BASE] = { "mode", "missing", NULL },
		[IR_MAX_AGE] = { "mode", "max", "unknown", NULL }, [IR_MAX_LAYERS] = { "mode", "max", NULL },
		[IR_MAX_SIZE] = { "mode", "max", NULL },       [IR_USER] = { "mode", NULL },
		[IR_LABELS] = { "mode", "required", NULL },
	};
	const char *s;
	json_t *j;

	if (og_json_only_keys(v, path, keys[r], e) < 0)
		return -1;
	switch (r) {
	case IR_REGISTRIES:
		return strings(v, "allowed", path, &p->registries, &p->nregistries, e);
	case IR_LABELS:
		return strings(v, "required", path, &p->labels, &p->nlabels, e);
	case IR_BASE:
		return choice(v, "missing", path, "allow", "deny", &p->base_missing_allow, e);
	case IR_MAX_AGE:
		/* Unknown ages pass unless refused: reproducible builds are
		 * common, as scan.require_scan_time treats undated reports. */
		p->unknown_age_allow = 1;
		if (og_json_str(v, "max", path, 1, &s, e) < 0 ||
		    choice(v, "unknown", path, "allow", "deny", &p->unknown_age_allow, e) < 0)
			return -1;
		if (og_parse_duration(s, &p->max_age, e) < 0)
			return og_wrap(e, "%s.max", path);
		og_bfmt(p->max_age_text, sizeof p->max_age_text, "%s", s);
		return 0;
	case IR_MAX_LAYERS:
		return og_json_int(v, "max", path, 1, 1, 100000, &p->max_layers, e);
	case IR_MAX_SIZE:
		if ((j = json_object_get(v, "max")) == NULL)
			return og_fail(e, "%s.max: required", path);
		if (og_parse_size(j, path, &p->max_size, e) < 0)
			return -1;
		if (json_is_string(j))
			og_bfmt(p->max_size_text, sizeof p->max_size_text, "%s", json_string_value(j));
		else
			og_bfmt(p->max_size_text, sizeof p->max_size_text, "%" PRIu64 " bytes", p->max_size);
		return 0;
	case IR_USER:
	case IR_COUNT:
		break;
	}
	return 0;
}

static int rule_parse(struct og_image_policy *p, enum og_image_rule r, const json_t *v, const char *path,
		      og_error *e)
{
	const char *m;

	if (json_is_boolean(v)) {
		if (json_is_true(v) && r != IR_USER && r != IR_BASE)
			return og_fail(e, "%s: needs its parameters (an object), not true", path);
		p->mode[r] = json_is_true(v) ? OG_MODE_ENFORCE : OG_MODE_OFF;
		return 0;
	}
	if (!json_is_object(v))
		return og_fail(e, "%s: expected true, false or an object, found %s", path, og_json_type(v));
	p->mode[r] = OG_MODE_ENFORCE;
	switch (og_json_str(v, "mode", path, 0, &m, e)) {
	case -1:
		return -1;
	case 0:
		if (og_mode_parse(m, &p->mode[r]) < 0)
			return og_fail(e, "%s.mode: \"%.32s\" is not enforce, audit or off", path, m);
	}
	return rule_params(p, r, v, path, e);
}

int og_image_policy_parse(const json_t *section, const char *path, struct og_image_policy **out,
			  og_error *e)
{
	struct og_image_policy *p = calloc(1, sizeof *p);
	char rpath[128];

	if (p == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	for (int r = 0; r < IR_COUNT; r++) {
		json_t *v = json_is_object(section) ? json_object_get(section, rule_keys[r]) : NULL;

		if (v == NULL)
			continue;
		og_bfmt(rpath, sizeof rpath, "%s.%s", path, rule_keys[r]);
		if (rule_parse(p, (enum og_image_rule)r, v, rpath, e) < 0) {
			og_image_policy_free(p);
			return -1;
		}
		if (p->mode[r] != OG_MODE_OFF)
			p->configured = 1;
	}
	*out = p;
	return 0;
}

void og_image_policy_free(struct og_image_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nregistries; i++)
		free(p->registries[i]);
	for (size_t i = 0; i < p->nlabels; i++)
		free(p->labels[i]);
	free(p->registries);
	free(p->labels);
	free(p);
}

int og_image_policy_rule_mode(const struct og_image_policy *p, const char *id, enum og_rule_mode *m)
{
	for (int r = 0; r < IR_COUNT; r++)
		if (strcmp(og_image_rule_ids[r], id) == 0) {
			*m = p != NULL ? p->mode[r] : OG_MODE_OFF;
			return 1;
		}
	return 0;
}

void og_image_policy_describe(const struct og_image_policy *p, FILE *out)
{
	if (!p->configured) {
		fprintf(out, "image rules: none\n");
		return;
	}
	fprintf(out, "image rules (from the engine's record of the image):\n");
	for (int r = 0; r < IR_COUNT; r++) {
		if (p->mode[r] == OG_MODE_OFF)
			continue;
		fprintf(out, "  %-18s %-7s ", og_image_rule_ids[r], og_mode_name(p->mode[r]));
		switch ((enum og_image_rule)r) {
		case IR_REGISTRIES:
			fprintf(out, "allowed:");
			for (size_t i = 0; i < p->nregistries; i++)
				fprintf(out, " %s", p->registries[i]);
			break;
		case IR_BASE:
			fprintf(out, "a base the trust store lists; no base annotation: %s",
				p->base_missing_allow ? "allow" : "deny");
			break;
		case IR_MAX_AGE:
			fprintf(out, "created at most %s ago; unknown: %s", p->max_age_text,
				p->unknown_age_allow ? "allow" : "deny");
			break;
		case IR_MAX_LAYERS:
			fprintf(out, "at most %lld layers", (long long)p->max_layers);
			break;
		case IR_MAX_SIZE:
			fprintf(out, "layers add up to at most %s", p->max_size_text);
			break;
		case IR_USER:
			fprintf(out, "the image's User is not root unless the runtime overrides it");
			break;
		case IR_LABELS:
			fprintf(out, "required:");
			for (size_t i = 0; i < p->nlabels; i++)
				fprintf(out, " %s", p->labels[i]);
			break;
		case IR_COUNT:
			break;
		}
		fprintf(out, "\n");
	}
}
