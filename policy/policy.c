/* The policy file.  Top-level keys:
 *   version      1 (required)
 *   mode         "enforce" (default) | "audit": audit logs what it would deny and allows
 *   on_error     "deny" (default) | "allow": what an operational error decides
 *   log          { "facility": "auth" }  (auth, authpriv, daemon, user, local0..local7)
 *   timeout_ms   deadline for one hook run (default 2000, 50..60000)
 *   runtime      see runtime_policy.c
 *   modes        { "<rule id or glob>": "enforce"|"audit"|"off" }: per-rule mode
 *   exemptions   see exemptions.c
 *   image, trust, scan: image identity, trust store and scan verdicts (verify/)
 *   bundle       the installed trust bundle those come from (bundle_policy.h)
 * Unknown keys anywhere are errors: a misspelt rule must not silently do nothing. */
#include "policy/policy.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "hook/base/log.h"
#include "verify/image/image_policy.h"
#include "verify/trust/trust_policy.h"

#include <fnmatch.h>
#include <string.h>
#include <syslog.h>

static int parse_modes(struct og_policy *p, json_t *modes, og_error *e)
{
	const char *key;
	json_t *v;

	json_object_foreach(modes, key, v) {
		enum og_rule_mode m;

		if (!json_is_string(v) || og_mode_parse(json_string_value(v), &m) < 0)
			return og_fail(e, "$.modes.%s: expected \"enforce\", \"audit\" or \"off\"", key);
		if (!og_rule_id_known(key))
			return og_fail(e, "$.modes: \"%s\" matches no rule id", key);
	}
	p->modes = json_incref(modes);
	return 0;
}

static int parse_log(struct og_policy *p, json_t *log, og_error *e)
{
	static const char *const keys[] = { "facility", NULL };
	const char *fac = "auth";

	if (og_json_only_keys(log, "$.log", keys, e) < 0 ||
	    og_json_str(log, "facility", "$.log", 0, &fac, e) < 0)
		return -1;
	p->facility = og_log_facility(fac);
	if (p->facility < 0)
		return og_fail(e, "$.log.facility: unknown facility \"%s\"", fac);
	snprintf(p->facility_name, sizeof p->facility_name, "%s", fac);
	return 0;
}

int og_policy_parse(const char *data, size_t len, struct og_policy *p, og_error *e)
{
	static const char *const keys[] = { "version", "mode", "on_error", "log", "timeout_ms",
					    "runtime", "modes", "exemptions", "image", "trust",
					    "scan", "bundle", NULL };
	json_auto_t *doc = NULL;
	json_t *v = NULL;
	const char *s;
	int64_t n;

	memset(p, 0, sizeof *p);
	p->facility = LOG_AUTH;
	snprintf(p->facility_name, sizeof p->facility_name, "auth");
	p->timeout_ms = OG_DEFAULT_TIMEOUT_MS;
	doc = og_json_parse(data, len, "policy", e);
	if (doc == NULL)
		return -1;
	if (!json_is_object(doc))
		return og_fail(e, "$: expected an object, found %s", og_json_type(doc));
	if (og_json_only_keys(doc, "$", keys, e) < 0)
		return -1;
	if (og_json_int(doc, "version", "$", 1, 1, 1, &n, e) < 0)
		return -1;
	switch (og_json_str(doc, "mode", "$", 0, &s, e)) {
	case -1:
		return -1;
	case 0:
		if (strcmp(s, "audit") == 0)
			p->audit = 1;
		else if (strcmp(s, "enforce") != 0)
			return og_fail(e, "$.mode: \"%s\" is not enforce or audit", s);
	}
	switch (og_json_str(doc, "on_error", "$", 0, &s, e)) {
	case -1:
		return -1;
	case 0:
		if (strcmp(s, "allow") == 0)
			p->on_error_allow = 1;
		else if (strcmp(s, "deny") != 0)
			return og_fail(e, "$.on_error: \"%s\" is not deny or allow", s);
	}
	if (og_json_obj(doc, "log", "$", 0, &v, e) < 0 || (v && parse_log(p, v, e) < 0))
		return -1;
	switch (og_json_int(doc, "timeout_ms", "$", 0, 50, 60000, &n, e)) {
	case -1:
		return -1;
	case 0:
		p->timeout_ms = (int)n;
	}
	if (og_runtime_policy_parse(&p->runtime, json_object_get(doc, "runtime"), e) < 0)
		return -1;
	if (og_json_obj(doc, "modes", "$", 0, &v, e) < 0 || (v && parse_modes(p, v, e) < 0))
		return -1;
	if (og_exemptions_parse(&p->exemptions, json_object_get(doc, "exemptions"), e) < 0)
		return -1;
	if (og_policy_sections_parse(&p->sections, doc, e) < 0 || og_bundle_policy_parse(doc, &p->bundle, e) < 0)
		return -1;
	if (p->bundle.configured && og_trust_policy_nroot(p->sections.trust) == 0)
		return og_fail(e, "$.bundle: the bundle is verified with $.trust.root_keys, and there are none");
	return 0;
}

json_t *og_policy_read_document(const char *path, og_error *e)
{
	og_cleanup_buf og_buf buf = { 0 };
	json_t *doc;

	if (og_read_file(path, OG_MAX_POLICY_BYTES, &buf, e) < 0) {
		og_wrap(e, "policy");
		return NULL;
	}
	doc = og_json_parse(buf.data, buf.len, path, e);
	if (doc == NULL) {
		og_wrap(e, "policy");
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		og_fail(e, "policy %s: expected a JSON object", path);
		return NULL;
	}
	return doc;
}

int og_policy_load(const char *path, struct og_policy *p, og_error *e)
{
	og_cleanup_buf og_buf buf = { 0 };

	memset(p, 0, sizeof *p);
	if (og_read_file(path, OG_MAX_POLICY_BYTES, &buf, e) < 0 ||
	    og_policy_parse(buf.data, buf.len, p, e) < 0)
		return og_wrap(e, "policy %s", path);
	return 0;
}

void og_policy_free(struct og_policy *p)
{
	og_runtime_policy_free(&p->runtime);
	og_exemptions_free(&p->exemptions);
	json_decref(p->modes);
	og_policy_sections_free(&p->sections);
	memset(p, 0, sizeof *p);
}

enum og_rule_mode og_policy_rule_mode(const struct og_policy *p, const char *id)
{
	enum og_rule_mode m = OG_MODE_ENFORCE;
	const char *key;
	json_t *v;

	for (int r = 0; r < RR_COUNT; r++)
		if (strcmp(og_runtime_rule_ids[r], id) == 0)
			m = p->runtime.mode[r];
	og_image_policy_rule_mode(p->sections.image, id, &m);
	if (p->bundle.on_stale_audit && strcmp(id, OG_BUNDLE_RULE_STALE) == 0)
		m = OG_MODE_AUDIT;
	/* An exact id wins over a glob. */
	if ((v = json_object_get(p->modes, id)) != NULL) {
		og_mode_parse(json_string_value(v), &m);
	} else {
		json_object_foreach(p->modes, key, v)
			if (fnmatch(key, id, 0) == 0)
				og_mode_parse(json_string_value(v), &m);
	}
	if (m == OG_MODE_ENFORCE && p->audit)
		m = OG_MODE_AUDIT;
	return m;
}

void og_policy_describe(const struct og_policy *p, FILE *out)
{
	const char *key;
	json_t *v;

	fprintf(out, "mode: %s\non_error: %s\nlog facility: %s\ntimeout: %d ms\n",
		p->audit ? "audit (violations are logged, containers start)" : "enforce",
		p->on_error_allow ? "allow" : "deny", p->facility_name, p->timeout_ms);
	og_runtime_policy_describe(&p->runtime, out);
	if (json_object_size(p->modes) > 0) {
		fprintf(out, "per-rule modes:\n");
		json_object_foreach(p->modes, key, v)
			fprintf(out, "  %-28s %s\n", key, json_string_value(v));
	}
	og_policy_sections_describe(&p->sections, out);
	og_bundle_policy_describe(&p->bundle, out);
	og_exemptions_describe(&p->exemptions, out);
}
