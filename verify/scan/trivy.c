/* `trivy image -f json` (SchemaVersion 2) into a verdict.  Digests: the
 * image ID (Metadata.ImageID, the config digest) and every repo digest
 * (Metadata.RepoDigests, "repo@sha256:..."). */
#include "verify/scan/trivy.h"
#include "hook/base/jsonutil.h"
#include "verify/common/reference.h"

#include <stdio.h>
#include <string.h>

/* Trivy's Status values (pkg/types: fixed, affected, under_investigation,
 * will_not_fix, fix_deferred, end_of_life, not_affected, unknown). Older
 * reports have no Status: a FixedVersion then means fixed. */
static enum og_fix_status trivy_status(const char *st, const char *fixed)
{
	if (st == NULL || *st == '\0' || strcmp(st, "unknown") == 0)
		return (fixed != NULL && *fixed != '\0') ? OG_FIX_FIXED : OG_FIX_UNKNOWN;
	if (strcmp(st, "fixed") == 0)
		return OG_FIX_FIXED;
	if (strcmp(st, "affected") == 0 || strcmp(st, "under_investigation") == 0 ||
	    strcmp(st, "fix_deferred") == 0)
		return OG_FIX_NOT_FIXED;
	if (strcmp(st, "will_not_fix") == 0 || strcmp(st, "end_of_life") == 0)
		return OG_FIX_WONT_FIX;
	if (strcmp(st, "not_affected") == 0)
		return OG_FIX_NOT_AFFECTED;
	return OG_FIX_UNKNOWN;
}

static int trivy_digests(const json_t *md, struct og_verdict *v, char *repo, size_t repo_size,
			 og_error *e)
{
	const char *s;
	json_t *arr, *x;
	char path[64];
	size_t i;
	int r;

	if ((r = og_json_str(md, "ImageID", "$.Metadata", 0, &s, e)) < 0)
		return -1;
	if (r == 0 && og_verdict_add_digest(v, s, "$.Metadata.ImageID", e) < 0)
		return -1;
	if ((r = og_json_arr(md, "RepoDigests", "$.Metadata", 0, &arr, e)) < 0)
		return -1;
	if (r == 0) {
		json_array_foreach(arr, i, x) {
			const char *at;

			snprintf(path, sizeof path, "$.Metadata.RepoDigests[%zu]", i);
			if (!json_is_string(x))
				return og_fail(e, "%s: expected a string, found %s", path, og_json_type(x));
			s = json_string_value(x);
			at = strrchr(s, '@');
			if (at == NULL)
				return og_fail(e, "%s: expected NAME@sha256:<hex>", path);
			if (og_verdict_add_digest(v, at + 1, path, e) < 0)
				return -1;
			if (*repo == '\0')
				og_ref_name(s, repo, repo_size);
		}
	}
	if (*repo == '\0' && og_json_arr(md, "RepoTags", "$.Metadata", 0, &arr, e) == 0 &&
	    json_is_string(json_array_get(arr, 0)))
		og_ref_name(json_string_value(json_array_get(arr, 0)), repo, repo_size);
	return 0;
}

static int trivy_vuln(const json_t *x, const char *path, struct og_verdict *v, og_error *e)
{
	const char *id, *pkg = "", *inst = "", *fixed = "", *sev = NULL, *st = NULL;
	enum og_severity severity;
	char sevpath[128];

	snprintf(sevpath, sizeof sevpath, "%s.Severity", path);
	if (og_json_str(x, "VulnerabilityID", path, 1, &id, e) < 0 ||
	    og_json_str(x, "PkgName", path, 0, &pkg, e) < 0 ||
	    og_json_str(x, "InstalledVersion", path, 0, &inst, e) < 0 ||
	    og_json_str(x, "FixedVersion", path, 0, &fixed, e) < 0 ||
	    og_json_str(x, "Severity", path, 0, &sev, e) < 0 ||
	    og_json_str(x, "Status", path, 0, &st, e) < 0 ||
	    og_severity_from_report(sev, sevpath, &severity, e) < 0)
		return -1;
	return og_verdict_add_finding(v, id, pkg, inst, fixed, severity, trivy_status(st, fixed), path, e);
}

int og_trivy_parse(const json_t *root, struct og_verdict *v, og_error *e)
{
	const char *s = NULL;
	json_t *md = NULL, *tv = NULL, *results = NULL, *res, *vulns, *x;
	char repo[OG_MAX_REPOSITORY_BYTES] = "";
	char path[96];
	int64_t schema;
	size_t i, j;

	if (og_json_int(root, "SchemaVersion", "$", 1, 0, 1000, &schema, e) < 0)
		return -1;
	if (schema != 2)
		return og_fail(e, "$.SchemaVersion: Trivy SchemaVersion %lld is not supported (expected 2)",
			       (long long)schema);
	if (og_verdict_set_str(&v->scanner, "trivy", OG_MAX_SCANNER_FIELD_BYTES, "$", e) < 0)
		return -1;
	if (og_json_obj(root, "Trivy", "$", 0, &tv, e) < 0 ||
	    (tv != NULL && og_json_str(tv, "Version", "$.Trivy", 0, &s, e) < 0) ||
	    og_verdict_set_str(&v->scanner_version, tv ? s : "", OG_MAX_SCANNER_FIELD_BYTES,
			       "$.Trivy.Version", e) < 0)
		return -1;
	s = NULL;
	if (og_json_str(root, "CreatedAt", "$", 0, &s, e) < 0 ||
	    og_verdict_set_scan_time(v, s, "$.CreatedAt", e) < 0)
		return -1;
	if (og_json_obj(root, "Metadata", "$", 0, &md, e) < 0)
		return -1;
	if (md != NULL && trivy_digests(md, v, repo, sizeof repo, e) < 0)
		return -1;
	if (*repo == '\0' && og_json_str(root, "ArtifactName", "$", 0, &s, e) == 0)
		og_ref_name(s, repo, sizeof repo);
	if (og_verdict_set_str(&v->repository, repo, OG_MAX_REPOSITORY_BYTES, "$", e) < 0)
		return -1;
	if (og_json_arr(root, "Results", "$", 0, &results, e) < 0)
		return -1;
	if (results == NULL)
		return 0;	/* a clean image: Trivy omits Results */
	json_array_foreach(results, i, res) {
		int r;

		snprintf(path, sizeof path, "$.Results[%zu]", i);
		if ((r = og_json_arr(res, "Vulnerabilities", path, 0, &vulns, e)) < 0)
			return -1;
		if (r == 1)
			continue;
		json_array_foreach(vulns, j, x) {
			snprintf(path, sizeof path, "$.Results[%zu].Vulnerabilities[%zu]", i, j);
			if (trivy_vuln(x, path, v, e) < 0)
				return -1;
		}
	}
	return 0;
}
