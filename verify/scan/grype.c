/* `grype -o json` into a verdict.  Digests: source.target.imageID (config),
 * manifestDigest (platform manifest) and repoDigests (often the multi-arch
 * index digest): all three are recorded so whichever one the engine reports
 * finds the verdict. */
#include "verify/scan/grype.h"
#include "hook/base/jsonutil.h"
#include "verify/common/reference.h"

#include <stdio.h>
#include <string.h>

#define OG_MAX_GRYPE_FIX_VERSIONS 64

/* grype/vulnerability/fix.go: fixed, not-fixed, wont-fix, unknown (or ""). */
static enum og_fix_status grype_status(const char *st, int have_versions)
{
	if (strcmp(st, "fixed") == 0)
		return OG_FIX_FIXED;
	if (strcmp(st, "not-fixed") == 0)
		return OG_FIX_NOT_FIXED;
	if (strcmp(st, "wont-fix") == 0)
		return OG_FIX_WONT_FIX;
	return have_versions ? OG_FIX_FIXED : OG_FIX_UNKNOWN;
}

static int grype_target(const json_t *target, struct og_verdict *v, og_error *e)
{
	static const char tpath[] = "$.source.target";
	char repo[OG_MAX_REPOSITORY_BYTES] = "";
	const char *s;
	json_t *arr, *x;
	size_t i;
	int r;

	if ((r = og_json_str(target, "imageID", tpath, 0, &s, e)) < 0)
		return -1;
	if (r == 0 && *s != '\0' && og_verdict_add_digest(v, s, "$.source.target.imageID", e) < 0)
		return -1;
	if ((r = og_json_str(target, "manifestDigest", tpath, 0, &s, e)) < 0)
		return -1;
	if (r == 0 && *s != '\0' && og_verdict_add_digest(v, s, "$.source.target.manifestDigest", e) < 0)
		return -1;
	if ((r = og_json_arr(target, "repoDigests", tpath, 0, &arr, e)) < 0)
		return -1;
	if (r == 0) {
		json_array_foreach(arr, i, x) {
			const char *at;
			char p[64];

			snprintf(p, sizeof p, "$.source.target.repoDigests[%zu]", i);
			if (!json_is_string(x))
				return og_fail(e, "%s: expected a string, found %s", p, og_json_type(x));
			at = strrchr(json_string_value(x), '@');
			if (at == NULL)
				return og_fail(e, "%s: expected NAME@sha256:<hex>", p);
			if (og_verdict_add_digest(v, at + 1, p, e) < 0)
				return -1;
			if (*repo == '\0')
				og_ref_name(json_string_value(x), repo, sizeof repo);
		}
	}
	if (*repo == '\0' && og_json_arr(target, "tags", tpath, 0, &arr, e) == 0 &&
	    json_is_string(json_array_get(arr, 0)))
		og_ref_name(json_string_value(json_array_get(arr, 0)), repo, sizeof repo);
	if (*repo == '\0' && og_json_str(target, "userInput", tpath, 0, &s, e) == 0)
		og_ref_name(s, repo, sizeof repo);
	return og_verdict_set_str(&v->repository, repo, OG_MAX_REPOSITORY_BYTES, tpath, e);
}

static int grype_match(const json_t *m, const char *path, struct og_verdict *v, og_error *e)
{
	json_t *vuln, *art, *fix = NULL, *vers = NULL, *x;
	const char *id, *sev = NULL, *state = "", *pkg = "", *inst = "";
	char fixed[OG_MAX_PKG_FIELD_BYTES + 1] = "";
	char p[128];
	enum og_severity severity;
	size_t i, used = 0;

	snprintf(p, sizeof p, "%s.vulnerability", path);
	if (og_json_obj(m, "vulnerability", path, 1, &vuln, e) < 0 ||
	    og_json_obj(m, "artifact", path, 1, &art, e) < 0 ||
	    og_json_str(vuln, "id", p, 1, &id, e) < 0 || og_json_str(vuln, "severity", p, 0, &sev, e) < 0 ||
	    og_json_obj(vuln, "fix", p, 0, &fix, e) < 0)
		return -1;
	snprintf(p, sizeof p, "%s.vulnerability.severity", path);
	if (og_severity_from_report(sev, p, &severity, e) < 0)
		return -1;
	if (fix != NULL) {
		snprintf(p, sizeof p, "%s.vulnerability.fix", path);
		if (og_json_str(fix, "state", p, 0, &state, e) < 0 ||
		    og_json_arr(fix, "versions", p, 0, &vers, e) < 0)
			return -1;
		if (vers != NULL && json_array_size(vers) > OG_MAX_GRYPE_FIX_VERSIONS)
			return og_fail(e, "%s.versions: more than %d versions", p, OG_MAX_GRYPE_FIX_VERSIONS);
		json_array_foreach(vers, i, x) {
			const char *s = json_string_value(x);
			size_t n;

			if (s == NULL)
				return og_fail(e, "%s.versions[%zu]: expected a string, found %s", p, i,
					       og_json_type(x));
			n = strlen(s);
			if (used + n + 2 > sizeof fixed - 1)
				return og_fail(e, "%s.versions: longer than %d bytes", p,
					       OG_MAX_PKG_FIELD_BYTES);
			used += (size_t)snprintf(fixed + used, sizeof fixed - used, "%s%s",
						 used ? ", " : "", s);
		}
	}
	snprintf(p, sizeof p, "%s.artifact", path);
	if (og_json_str(art, "name", p, 0, &pkg, e) < 0 || og_json_str(art, "version", p, 0, &inst, e) < 0)
		return -1;
	return og_verdict_add_finding(v, id, pkg, inst, fixed, severity, grype_status(state, used > 0),
				      path, e);
}

int og_grype_parse(const json_t *root, struct og_verdict *v, og_error *e)
{
	json_t *src, *target, *desc = NULL, *matches, *m;
	const char *type = "", *name = "grype", *ver = "", *ts = NULL;
	char path[64];
	size_t i;

	if (og_json_obj(root, "source", "$", 1, &src, e) < 0 ||
	    og_json_arr(root, "matches", "$", 1, &matches, e) < 0 ||
	    og_json_obj(root, "descriptor", "$", 0, &desc, e) < 0)
		return -1;
	if (desc != NULL &&
	    (og_json_str(desc, "name", "$.descriptor", 0, &name, e) < 0 ||
	     og_json_str(desc, "version", "$.descriptor", 0, &ver, e) < 0 ||
	     og_json_str(desc, "timestamp", "$.descriptor", 0, &ts, e) < 0))
		return -1;
	if (og_verdict_set_str(&v->scanner, name, OG_MAX_SCANNER_FIELD_BYTES, "$.descriptor.name", e) < 0 ||
	    og_verdict_set_str(&v->scanner_version, ver, OG_MAX_SCANNER_FIELD_BYTES,
			       "$.descriptor.version", e) < 0 ||
	    og_verdict_set_scan_time(v, ts, "$.descriptor.timestamp", e) < 0)
		return -1;
	if (og_json_str(src, "type", "$.source", 0, &type, e) < 0)
		return -1;
	target = json_object_get(src, "target");
	if (strcmp(type, "image") == 0 && json_is_object(target)) {
		if (grype_target(target, v, e) < 0)
			return -1;
	}
	/* Other source types (directory, file, sbom) carry no image digest;
	 * og_verdict_import refuses the report for that. */
	json_array_foreach(matches, i, m) {
		snprintf(path, sizeof path, "$.matches[%zu]", i);
		if (grype_match(m, path, v, e) < 0)
			return -1;
	}
	return 0;
}
