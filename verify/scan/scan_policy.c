/* The policy's "scan" section.  Every key (all optional):
 *
 *   "scan": {
 *     "required": false,          no verdict for the image's digest => scan.verdict
 *     "cache_dir": "/var/lib/ocigate/verdicts",   absolute path of the verdict cache
 *     "max_age": "7d",            verdicts scanned longer ago => scan.stale (s|m|h|d|w);
 *                                 absent: no age limit
 *     "require_scan_time": false, a verdict whose report had no scan time (its import
 *                                 time stands in) => scan.stale
 *     "max": {"critical": 0, "high": 0, "medium": -1, "low": -1, "unknown": -1},
 *                                 most findings allowed per severity after suppressions;
 *                                 -1 or absent: unlimited
 *     "ignore_unfixed": false,    findings without a fixed version do not count (trivy --ignore-unfixed)
 *     "use_vex": true,            apply VEX statements imported for the image's digest
 *     "exceptions": [{"id": "CVE-2023-1234", "until": "2027-01-31", "reason": "..."}],
 *                                 ignore a vulnerability id until a date (a bare date is valid
 *                                 through that whole UTC day) or RFC 3339 time; id, until and a
 *                                 non-empty reason are mandatory; expired exceptions are named in
 *                                 the scan.severity message
 *     "require_signed": false,    verdict and VEX cache files must carry a signature by one of
 *     "signer_keys": ["/etc/ocigate/scanner.pub.pem"]   these PEM public keys (Ed25519 or
 *                                 ECDSA P-256),
 *     "signers": "trust_store"    and/or by a key of the verified trust store (not revoked,
 *                                 inside its validity window; Ed25519 or ECDSA P-256); with
 *                                 require_signed, at least one of the two is needed
 *   }
 *
 * A missing section means scanning is not required (nothing is checked unless
 * a verdict exists; the defaults allow any count). */
#include "verify/scan/scan_policy.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "verify/scan/scan_cache.h"
#include "verify/scan/scan_sign.h"
#include "hook/base/timeutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


static const char *const scan_keys[] = { "required", "cache_dir", "max_age", "require_scan_time", "max",
					 "ignore_unfixed", "use_vex", "exceptions", "require_signed", "signer_keys",
					 "signers", NULL };
static const char *const max_keys[] = { "critical", "high", "medium", "low", "unknown", NULL };
static const char *const exc_keys[] = { "id", "until", "reason", NULL };

void og_scan_policy_free(struct og_scan_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nexceptions; i++)
		free(p->exceptions[i].reason);
	free(p->exceptions);
	for (size_t i = 0; i < p->nkeys; i++) {
		EVP_PKEY_free(p->keys[i]);
		free(p->key_paths[i]);
	}
	free(p->keys);
	free(p->key_paths);
	for (size_t i = 0; i < p->nstore_keys; i++)
		EVP_PKEY_free(p->store_keys[i]);
	free(p->store_keys);
	free(p);
}

OG_DEFINE_CLEANUP(struct og_scan_policy, og_scan_policy_free)

static int parse_exceptions(const json_t *arr, struct og_scan_policy *p, og_error *e)
{
	size_t i;
	json_t *x;

	if (json_array_size(arr) > OG_MAX_SCAN_EXCEPTIONS)
		return og_fail(e, "scan.exceptions: more than %d entries", OG_MAX_SCAN_EXCEPTIONS);
	p->exceptions = calloc(json_array_size(arr) + 1, sizeof *p->exceptions);
	if (p->exceptions == NULL)
		return og_fail_errno(e, ENOMEM, "scan.exceptions");
	json_array_foreach(arr, i, x) {
		struct og_scan_exception *ex = &p->exceptions[i];
		const char *id, *until, *reason;
		char path[64];

		snprintf(path, sizeof path, "scan.exceptions[%zu]", i);
		if (!json_is_object(x))
			return og_fail(e, "%s: expected an object, found %s", path, og_json_type(x));
		if (og_json_only_keys(x, path, exc_keys, e) < 0 ||
		    og_json_str(x, "id", path, 1, &id, e) < 0 ||
		    og_json_str(x, "until", path, 1, &until, e) < 0 ||
		    og_json_str(x, "reason", path, 1, &reason, e) < 0)
			return -1;
		if (!og_vuln_id_valid(id))
			return og_fail(e, "%s.id: not a vulnerability id (1..%d of [A-Za-z0-9._:+-])", path,
				       OG_MAX_VULN_ID_BYTES);
		if (*reason == '\0')
			return og_fail(e, "%s.reason: must not be empty", path);
		if (og_parse_rfc3339(until, &ex->until, e) < 0)
			return og_wrap(e, "%s.until", path);
		if (strlen(until) == 10)
			ex->until += 86400;	/* a bare date includes that whole day */
		snprintf(ex->id, sizeof ex->id, "%s", id);
		snprintf(ex->until_text, sizeof ex->until_text, "%.39s", until);
		p->nexceptions = i + 1;
		if (og_verdict_set_str(&ex->reason, reason, OG_MAX_SCAN_REASON_BYTES, path, e) < 0)
			return -1;
	}
	return 0;
}

static int parse_keys(const json_t *arr, struct og_scan_policy *p, og_error *e)
{
	size_t i, n = json_array_size(arr);
	json_t *x;

	if (n > OG_MAX_SCAN_SIGNER_KEYS)
		return og_fail(e, "scan.signer_keys: more than %d keys", OG_MAX_SCAN_SIGNER_KEYS);
	p->keys = calloc(n + 1, sizeof *p->keys);
	p->key_paths = calloc(n + 1, sizeof *p->key_paths);
	if (p->keys == NULL || p->key_paths == NULL)
		return og_fail_errno(e, ENOMEM, "scan.signer_keys");
	json_array_foreach(arr, i, x) {
		const char *path = json_string_value(x);

		if (path == NULL || path[0] != '/')
			return og_fail(e, "scan.signer_keys[%zu]: expected an absolute path", i);
		p->key_paths[i] = strdup(path);
		if (p->key_paths[i] == NULL)
			return og_fail_errno(e, ENOMEM, "scan.signer_keys");
		p->nkeys = i + 1;
		if (og_scan_load_public_key(path, &p->keys[i], e) < 0)
			return og_wrap(e, "scan.signer_keys[%zu]", i);
	}
	return 0;
}

static int parse_section(const json_t *s, struct og_scan_policy *p, og_error *e)
{
	const char *str;
	json_t *obj, *arr;
	int r;

	if (!json_is_object(s))
		return og_fail(e, "scan: expected an object, found %s", og_json_type(s));
	if (og_json_only_keys(s, "scan", scan_keys, e) < 0 ||
	    og_json_bool(s, "required", "scan", 0, &p->required, e) < 0 ||
	    og_json_bool(s, "ignore_unfixed", "scan", 0, &p->ignore_unfixed, e) < 0 ||
	    og_json_bool(s, "use_vex", "scan", 0, &p->use_vex, e) < 0 ||
	    og_json_bool(s, "require_signed", "scan", 0, &p->require_signed, e) < 0 ||
	    og_json_bool(s, "require_scan_time", "scan", 0, &p->require_scan_time, e) < 0)
		return -1;
	if ((r = og_json_str(s, "cache_dir", "scan", 0, &str, e)) < 0)
		return -1;
	if (r == 0) {
		if (str[0] != '/' || strlen(str) >= sizeof p->cache_dir - 1)
			return og_fail(e, "scan.cache_dir: expected an absolute path shorter than %zu bytes",
				       sizeof p->cache_dir - 1);
		snprintf(p->cache_dir, sizeof p->cache_dir, "%s", str);
	}
	if ((r = og_json_str(s, "max_age", "scan", 0, &str, e)) < 0)
		return -1;
	if (r == 0) {
		if (og_parse_duration(str, &p->max_age, e) < 0)
			return og_wrap(e, "scan.max_age");
		snprintf(p->max_age_text, sizeof p->max_age_text, "%.31s", str);
	}
	if ((r = og_json_obj(s, "max", "scan", 0, &obj, e)) < 0)
		return -1;
	if (r == 0) {
		if (og_json_only_keys(obj, "scan.max", max_keys, e) < 0)
			return -1;
		for (int i = 0; i < OG_SEV_COUNT; i++)
			if (og_json_int(obj, og_severity_name((enum og_severity)i), "scan.max", 0, -1,
					OG_MAX_VERDICT_FINDINGS, &p->max[i], e) < 0)
				return -1;
	}
	if ((r = og_json_arr(s, "exceptions", "scan", 0, &arr, e)) < 0)
		return -1;
	if (r == 0 && parse_exceptions(arr, p, e) < 0)
		return -1;
	if ((r = og_json_arr(s, "signer_keys", "scan", 0, &arr, e)) < 0)
		return -1;
	if (r == 0 && parse_keys(arr, p, e) < 0)
		return -1;
	switch (og_json_str(s, "signers", "scan", 0, &str, e)) {
	case -1:
		return -1;
	case 0:
		if (strcmp(str, "trust_store") != 0)
			return og_fail(e, "scan.signers: \"%.40s\" is not \"trust_store\"", str);
		p->signers_from_trust_store = 1;
	}
	if (p->require_signed && p->nkeys == 0 && !p->signers_from_trust_store)
		return og_fail(e, "scan.require_signed: true needs keys in scan.signer_keys or "
			       "\"signers\": \"trust_store\"");
	return 0;
}

int og_scan_policy_parse(const json_t *scan_section, const char *path, struct og_scan_policy **out,
			 og_error *e)
{
	og_cleanup(og_scan_policy_free) struct og_scan_policy *p = calloc(1, sizeof *p);

	if (p == NULL)
		return og_fail_errno(e, ENOMEM, "scan policy");
	snprintf(p->cache_dir, sizeof p->cache_dir, "%s", OG_SCAN_CACHE_DEFAULT);
	for (int i = 0; i < OG_SEV_COUNT; i++)
		p->max[i] = -1;
	p->use_vex = 1;
	p->owner_uid = OG_SCAN_CACHE_OWNER;
	if (scan_section != NULL && !json_is_null(scan_section)) {
		p->configured = 1;
		if (parse_section(scan_section, p, e) < 0)
			return path ? og_wrap(e, "policy %s", path) : -1;
	}
	*out = og_steal_pointer(&p);
	return 0;
}

void og_scan_policy_describe(const struct og_scan_policy *p, FILE *out)
{
	if (!p->configured) {
		fprintf(out, "scan: not configured (verdicts not required)\n");
		return;
	}
	fprintf(out, "scan: verdict %s; cache %s (owner uid %u, not group/world-writable)\n",
		p->required ? "required" : "optional", p->cache_dir, (unsigned)p->owner_uid);
	fprintf(out, "scan: max age %s%s\n", p->max_age ? p->max_age_text : "unlimited",
		p->require_scan_time ? "; a verdict without a scan time from its report is stale" : "");
	fprintf(out, "scan: maxima");
	for (int i = OG_SEV_CRITICAL; i >= 0; i--) {
		if (p->max[i] < 0)
			fprintf(out, " %s=unlimited", og_severity_name((enum og_severity)i));
		else
			fprintf(out, " %s=%lld", og_severity_name((enum og_severity)i), (long long)p->max[i]);
	}
	fprintf(out, "\nscan: ignore unfixed %s; VEX %s\n", p->ignore_unfixed ? "yes" : "no",
		p->use_vex ? "applied" : "ignored");
	for (size_t i = 0; i < p->nexceptions; i++) {
		char reason[200];
		fprintf(out, "scan: exception %s until %s%s: %s\n", p->exceptions[i].id,
			p->exceptions[i].until_text, p->exceptions[i].until <= og_now() ? " (EXPIRED)" : "",
			og_scan_clean(p->exceptions[i].reason, reason, sizeof reason));
	}
	if (p->require_signed) {
		fprintf(out, "scan: signed verdicts required, %zu signer key(s):", p->nkeys);
		for (size_t i = 0; i < p->nkeys; i++)
			fprintf(out, " %s", p->key_paths[i]);
		fprintf(out, "%s\n", p->signers_from_trust_store ? " and the trust store's keys" : "");
	}
}
