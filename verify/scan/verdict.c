/* The verdict model: building it (importers), its one-line cache form, and
 * the strict parser the start-time check uses on that form. */
#include "verify/scan/verdict.h"
#include "hook/base/array.h"
#include "hook/base/cleanup.h"
#include "hook/base/jsonutil.h"
#include "hook/base/timeutil.h"
#include "verify/common/digest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const severity_names[OG_SEV_COUNT] = {
	[OG_SEV_UNKNOWN] = "unknown", [OG_SEV_LOW] = "low", [OG_SEV_MEDIUM] = "medium",
	[OG_SEV_HIGH] = "high", [OG_SEV_CRITICAL] = "critical",
};

static const char *const fix_names[OG_FIX_COUNT] = {
	[OG_FIX_UNKNOWN] = "unknown", [OG_FIX_FIXED] = "fixed", [OG_FIX_NOT_FIXED] = "not-fixed",
	[OG_FIX_WONT_FIX] = "wont-fix", [OG_FIX_NOT_AFFECTED] = "not-affected",
};

const char *og_severity_name(enum og_severity s)
{
	return (unsigned)s < OG_SEV_COUNT ? severity_names[s] : "unknown";
}

int og_severity_from_name(const char *s, enum og_severity *out)
{
	for (int i = 0; i < OG_SEV_COUNT; i++)
		if (strcmp(s, severity_names[i]) == 0) {
			*out = (enum og_severity)i;
			return 0;
		}
	return -1;
}

int og_severity_from_report(const char *s, const char *path, enum og_severity *out, og_error *e)
{
	char c[80];

	if (s == NULL) {
		*out = OG_SEV_UNKNOWN;
		return 0;
	}
	for (int i = 0; i < OG_SEV_COUNT; i++)
		if (strcasecmp(s, severity_names[i]) == 0) {
			*out = (enum og_severity)i;
			return 0;
		}
	if (strcasecmp(s, "negligible") == 0) {
		*out = OG_SEV_LOW;	/* below low: counted as low, never dropped */
		return 0;
	}
	return og_fail(e, "%s: \"%s\" is not a severity (critical, high, medium, low, negligible or "
		       "unknown, in any case)", path, og_scan_clean(s, c, sizeof c));
}

const char *og_fix_status_name(enum og_fix_status s)
{
	return (unsigned)s < OG_FIX_COUNT ? fix_names[s] : "unknown";
}

static int fix_status_from_name(const char *s, enum og_fix_status *out)
{
	for (int i = 0; i < OG_FIX_COUNT; i++)
		if (strcmp(s, fix_names[i]) == 0) {
			*out = (enum og_fix_status)i;
			return 0;
		}
	return -1;
}

int og_vuln_id_valid(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		char c = s[n];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '+' || c == '-'))
			return 0;
		if (n >= OG_MAX_VULN_ID_BYTES)
			return 0;
	}
	return n > 0;
}

const char *og_scan_clean(const char *s, char *out, size_t size)
{
	size_t o = 0;

	if (size < 4) {
		if (size > 0)
			out[0] = '\0';
		return out;
	}
	for (const char *p = s ? s : ""; *p != '\0'; p++) {
		if (o + 1 >= size) {
			memcpy(out + size - 4, "...", 4);
			return out;
		}
		out[o++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
	}
	out[o] = '\0';
	return out;
}

void og_verdict_free(struct og_verdict *v)
{
	for (size_t i = 0; i < v->ndigests; i++)
		free(v->digests[i]);
	free(v->digests);
	for (size_t i = 0; i < v->nfindings; i++) {
		free(v->findings[i].id);
		free(v->findings[i].pkg);
		free(v->findings[i].installed);
		free(v->findings[i].fixed);
	}
	free(v->findings);
	free(v->repository);
	free(v->scanner);
	free(v->scanner_version);
	memset(v, 0, sizeof *v);
}

int og_verdict_set_str(char **field, const char *value, size_t max, const char *path, og_error *e)
{
	size_t n = strnlen(value ? value : "", max + 1);
	char *c;

	if (n > max)
		return og_fail(e, "%s: longer than the limit of %zu bytes", path, max);
	c = strndup(value ? value : "", n);
	if (c == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	free(*field);
	*field = c;
	return 0;
}

int og_verdict_has_digest(const struct og_verdict *v, const char *digest)
{
	for (size_t i = 0; i < v->ndigests; i++)
		if (strcmp(v->digests[i], digest) == 0)
			return 1;
	return 0;
}

int og_verdict_add_digest(struct og_verdict *v, const char *digest, const char *path, og_error *e)
{
	char **p;

	if (!og_digest_valid(digest)) {
		char c[100];
		return og_fail(e, "%s: \"%s\" is not a sha256:<64 lowercase hex> digest", path,
			       og_scan_clean(digest, c, sizeof c));
	}
	if (og_verdict_has_digest(v, digest))
		return 0;
	if (v->ndigests >= OG_MAX_VERDICT_DIGESTS)
		return og_fail(e, "%s: more than %d digests", path, OG_MAX_VERDICT_DIGESTS);
	p = og_array_reserve(v->digests, &v->capdigests, v->ndigests, sizeof *p);
	if (p == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	v->digests = p;
	p[v->ndigests] = strdup(digest);
	if (p[v->ndigests] == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	v->ndigests++;
	return 0;
}

int og_verdict_add_finding(struct og_verdict *v, const char *id, const char *pkg,
			   const char *installed, const char *fixed, enum og_severity sev,
			   enum og_fix_status st, const char *path, og_error *e)
{
	struct og_vuln_finding *f;

	if (!og_vuln_id_valid(id)) {
		char c[160];
		return og_fail(e, "%s: vulnerability id \"%s\" is not 1..%d characters of [A-Za-z0-9._:+-]",
			       path, og_scan_clean(id, c, sizeof c), OG_MAX_VULN_ID_BYTES);
	}
	if (v->nfindings >= OG_MAX_VERDICT_FINDINGS)
		return og_fail(e, "%s: more than %d findings", path, OG_MAX_VERDICT_FINDINGS);
	f = og_array_reserve(v->findings, &v->capfindings, v->nfindings, sizeof *f);
	if (f == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	v->findings = f;
	f = &v->findings[v->nfindings];
	memset(f, 0, sizeof *f);
	v->nfindings++;	/* counted now so og_verdict_free releases a partial entry */
	f->severity = sev;
	f->status = st;
	if (og_verdict_set_str(&f->id, id, OG_MAX_VULN_ID_BYTES, path, e) < 0 ||
	    og_verdict_set_str(&f->pkg, pkg, OG_MAX_PKG_FIELD_BYTES, path, e) < 0 ||
	    og_verdict_set_str(&f->installed, installed, OG_MAX_PKG_FIELD_BYTES, path, e) < 0 ||
	    og_verdict_set_str(&f->fixed, fixed, OG_MAX_PKG_FIELD_BYTES, path, e) < 0)
		return -1;
	return 0;
}

static int set_time(json_t *o, const char *key, int64_t t)
{
	char buf[32];

	og_format_rfc3339(t, buf, sizeof buf);
	return json_object_set_new(o, key, json_string(buf));
}

char *og_verdict_dump(const struct og_verdict *v, size_t *len)
{
	json_auto_t *o = json_object();
	json_t *d = json_array(), *fs = json_array();
	char *out;
	int bad = 0;

	if (o == NULL || d == NULL || fs == NULL) {
		json_decref(d);
		json_decref(fs);
		return NULL;
	}
	bad |= json_object_set_new(o, "ocigate_verdict", json_integer(OG_VERDICT_FORMAT));
	bad |= json_object_set_new(o, "digests", d);
	for (size_t i = 0; i < v->ndigests; i++)
		bad |= json_array_append_new(d, json_string(v->digests[i]));
	bad |= json_object_set_new(o, "repository", json_string(v->repository ? v->repository : ""));
	bad |= json_object_set_new(o, "scanner", json_string(v->scanner ? v->scanner : ""));
	bad |= json_object_set_new(o, "scanner_version",
				   json_string(v->scanner_version ? v->scanner_version : ""));
	bad |= set_time(o, "scanned_at", v->scanned_at);
	bad |= json_object_set_new(o, "scan_time_source",
				   json_string(v->scan_time_from_import ? "import" : "report"));
	bad |= set_time(o, "imported_at", v->imported_at);
	bad |= json_object_set_new(o, "findings", fs);
	for (size_t i = 0; i < v->nfindings && !bad; i++) {
		const struct og_vuln_finding *f = &v->findings[i];
		bad |= json_array_append_new(
			fs, json_pack("[ssssss]", f->id, f->pkg, f->installed, f->fixed,
				      og_severity_name(f->severity), og_fix_status_name(f->status)));
	}
	if (bad)
		return NULL;
	/* Compact: one line, so the signature line can follow it unambiguously. */
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (out != NULL)
		*len = strlen(out);
	return out;
}

static const char *const verdict_keys[] = {
	"ocigate_verdict", "digests", "repository", "scanner", "scanner_version", "scanned_at",
	"scan_time_source", "imported_at", "findings", NULL,
};

static int load_time(const json_t *o, const char *key, const char *what, int64_t *out, og_error *e)
{
	const char *s;

	if (og_json_str(o, key, what, 1, &s, e) < 0 || og_parse_rfc3339(s, out, e) < 0)
		return og_wrap(e, "%s.%s", what, key);
	return 0;
}

static int load_findings(const json_t *arr, const char *what, struct og_verdict *v, og_error *e)
{
	size_t i;
	json_t *f;

	json_array_foreach(arr, i, f) {
		const char *s[6];
		enum og_severity sev;
		enum og_fix_status st;
		char path[160];

		snprintf(path, sizeof path, "%s: findings[%zu]", what, i);
		if (!json_is_array(f) || json_array_size(f) != 6)
			return og_fail(e, "%s: expected an array of 6 strings", path);
		for (size_t k = 0; k < 6; k++) {
			json_t *x = json_array_get(f, k);
			if (!json_is_string(x))
				return og_fail(e, "%s[%zu]: expected a string, found %s", path, k,
					       og_json_type(x));
			s[k] = json_string_value(x);
		}
		if (og_severity_from_name(s[4], &sev) < 0)
			return og_fail(e, "%s: unknown severity", path);
		if (fix_status_from_name(s[5], &st) < 0)
			return og_fail(e, "%s: unknown fix status", path);
		if (og_verdict_add_finding(v, s[0], s[1], s[2], s[3], sev, st, path, e) < 0)
			return -1;
	}
	return 0;
}

int og_verdict_load(const char *data, size_t len, const char *what, struct og_verdict *out,
		    og_error *e)
{
	og_cleanup_verdict struct og_verdict v = { 0 };
	json_auto_t *o = og_json_parse(data, len, what, e);
	json_t *arr, *x;
	const char *s;
	int64_t fmt;
	size_t i;

	if (o == NULL)
		return -1;
	if (!json_is_object(o))
		return og_fail(e, "%s: expected an object, found %s", what, og_json_type(o));
	if (og_json_only_keys(o, what, verdict_keys, e) < 0 ||
	    og_json_int(o, "ocigate_verdict", what, 1, 1, 1000, &fmt, e) < 0)
		return -1;
	if (fmt != OG_VERDICT_FORMAT)
		return og_fail(e, "%s: verdict format %lld is not supported (expected %d)", what,
			       (long long)fmt, OG_VERDICT_FORMAT);
	if (og_json_arr(o, "digests", what, 1, &arr, e) < 0)
		return -1;
	json_array_foreach(arr, i, x) {
		if (!json_is_string(x))
			return og_fail(e, "%s: digests[%zu]: expected a string", what, i);
		if (og_verdict_add_digest(&v, json_string_value(x), what, e) < 0)
			return -1;
	}
	if (v.ndigests == 0)
		return og_fail(e, "%s: names no digest", what);
	if (og_json_str(o, "repository", what, 1, &s, e) < 0 ||
	    og_verdict_set_str(&v.repository, s, OG_MAX_REPOSITORY_BYTES, what, e) < 0 ||
	    og_json_str(o, "scanner", what, 1, &s, e) < 0 ||
	    og_verdict_set_str(&v.scanner, s, OG_MAX_SCANNER_FIELD_BYTES, what, e) < 0 ||
	    og_json_str(o, "scanner_version", what, 1, &s, e) < 0 ||
	    og_verdict_set_str(&v.scanner_version, s, OG_MAX_SCANNER_FIELD_BYTES, what, e) < 0)
		return -1;
	if (load_time(o, "scanned_at", what, &v.scanned_at, e) < 0 ||
	    load_time(o, "imported_at", what, &v.imported_at, e) < 0)
		return -1;
	if (og_json_str(o, "scan_time_source", what, 1, &s, e) < 0)
		return -1;
	if (strcmp(s, "import") == 0)
		v.scan_time_from_import = 1;
	else if (strcmp(s, "report") != 0)
		return og_fail(e, "%s.scan_time_source: expected \"report\" or \"import\"", what);
	if (og_json_arr(o, "findings", what, 1, &arr, e) < 0 || load_findings(arr, what, &v, e) < 0)
		return -1;
	*out = v;
	memset(&v, 0, sizeof v);
	return 0;
}

int og_verdict_set_scan_time(struct og_verdict *v, const char *ts, const char *path, og_error *e)
{
	if (ts == NULL || *ts == '\0') {
		v->scanned_at = v->imported_at;
		v->scan_time_from_import = 1;
		return 0;
	}
	if (og_parse_rfc3339(ts, &v->scanned_at, e) < 0)
		return og_wrap(e, "%s", path);
	v->scan_time_from_import = 0;
	return 0;
}
