/* The start-time check: one content-addressed lookup for the image digest
 * (plus its VEX file), signature verified over the raw bytes before parsing,
 * then age and per-severity thresholds after suppressions. */
#include "verify/scan/scan_check.h"
#include "hook/base/cleanup.h"
#include "hook/base/fileio.h"
#include "verify/scan/scan_cache.h"
#include "verify/scan/scan_sign.h"
#include "hook/base/timeutil.h"
#include "verify/scan/vex.h"
#include "verify/common/digest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OG_SCAN_MSG_IDS 5	/* vulnerability ids named in a scan.severity message */

/* The trust store's keys, fetched once per process on the first signed
 * file (the policy struct holds them as a cache, not as policy). */
static int store_keys(const struct og_scan_policy *cp, og_error *e)
{
	struct og_scan_policy *p = (struct og_scan_policy *)cp;

	if (p->store_keys_loaded)
		return p->nstore_keys > 0 ? 0 : og_fail(e, "no usable key in the trust store");
	p->store_keys_loaded = 1;
	if (p->trust_keys == NULL)
		return og_fail(e, "no trust store is configured");
	if (p->trust_keys(p->trust_keys_ctx, &p->store_keys, &p->nstore_keys, e) < 0)
		return -1;
	return p->nstore_keys > 0 ? 0 : og_fail(e, "no usable key in the trust store");
}

/* Load one cache file (verdict or VEX) for digest: strict ownership checks,
 * signature check on the raw bytes, then *payload_len bytes to parse. */
static int load_raw(const struct og_scan_policy *p, int cachefd, enum og_cache_kind kind,
		    const char *digest, size_t max, og_buf *buf, size_t *payload_len, og_error *e)
{
	const char *sig;
	size_t sig_len;
	int r = og_scan_cache_read(cachefd, kind, digest, 1, p->owner_uid, max, buf, e);

	if (r != 0)
		return r;
	if (og_scan_split(buf->data, buf->len, payload_len, &sig, &sig_len, e) < 0)
		return -1;
	if (!p->require_signed)
		return 0;
	if (p->nkeys > 0 &&
	    og_scan_verify(buf->data, *payload_len, sig, sig_len, p->keys, p->nkeys, e) == 0)
		return 0;
	if (!p->signers_from_trust_store)
		return -1;
	if (store_keys(p, e) < 0)
		return og_wrap(e, "signer keys from the trust store");
	return og_scan_verify(buf->data, *payload_len, sig, sig_len, p->store_keys, p->nstore_keys, e);
}

int og_scan_load_verdict(const struct og_scan_policy *p, int cachefd, const char *digest,
			 struct og_verdict *out, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	size_t plen = 0;
	int r = load_raw(p, cachefd, OG_CACHE_VERDICT, digest, OG_MAX_VERDICT_BYTES, &b, &plen, e);

	if (r != 0)
		return r;
	if (og_verdict_load(b.data, plen, "verdict", out, e) < 0)
		return -1;
	/* A file copied under another digest's name must not vouch for it. */
	if (!og_verdict_has_digest(out, digest)) {
		og_verdict_free(out);
		return og_fail(e, "verdict file does not name %s (copied from another image?)", digest);
	}
	return 0;
}

static int load_vex(const struct og_scan_policy *p, int cachefd, const char *digest,
		    struct og_vex_set *out, og_error *e)
{
	og_cleanup_buf og_buf b = { 0 };
	size_t plen = 0;
	int r = load_raw(p, cachefd, OG_CACHE_VEX, digest, OG_MAX_VEX_FILE_BYTES, &b, &plen, e);

	if (r != 0)
		return r;
	return og_vex_set_load(b.data, plen, "VEX", digest, out, e);
}

static const struct og_scan_exception *find_exception(const struct og_scan_policy *p, const char *id)
{
	for (size_t i = 0; i < p->nexceptions; i++)
		if (strcmp(p->exceptions[i].id, id) == 0)
			return &p->exceptions[i];
	return NULL;
}

static int id_listed(const char **ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return 1;
	return 0;
}

static void describe_image(const struct og_image *img, char *out, size_t size)
{
	char name[160];

	if (img->name[0] != '\0')
		snprintf(out, size, "%s (%s)", og_scan_clean(img->name, name, sizeof name), img->digest);
	else
		snprintf(out, size, "%s", img->digest);
}

/* An age as people say it: days from two days up, hours from two hours, else minutes. */
static void format_age(int64_t secs, char *out, size_t size)
{
	if (secs >= 2 * 86400)
		snprintf(out, size, "%lld days", (long long)(secs / 86400));
	else if (secs >= 2 * 3600)
		snprintf(out, size, "%lld hours", (long long)(secs / 3600));
	else
		snprintf(out, size, "%lld minutes", (long long)(secs / 60));
}

static int check_age(const struct og_scan_policy *p, const struct og_verdict *v, const char *image,
		     struct og_findings *r)
{
	int64_t now = og_now(), age = now - v->scanned_at;
	char when[32], scanner[80], ver[80] = "", agetext[40];

	og_format_rfc3339(v->scanned_at, when, sizeof when);
	if (p->require_scan_time && v->scan_time_from_import)
		return og_findings_add(r, "scan.stale",
				     "scan verdict for image %s has no scan time (the report gave none; "
				     "imported %s) and the policy requires one (require_scan_time)",
				     image, when);
	if (p->max_age <= 0)
		return 0;
	og_scan_clean(v->scanner, scanner, sizeof scanner);
	if (v->scanner_version != NULL && v->scanner_version[0] != '\0') {
		ver[0] = ' ';	/* "trivy 0.50.1", or just "trivy" */
		og_scan_clean(v->scanner_version, ver + 1, sizeof ver - 1);
	}
	if (age < -OG_SCAN_FUTURE_SLACK)
		return og_findings_add(r, "scan.stale",
				     "scan verdict for image %s has a scan time in the future (%s, %s%s)",
				     image, when, scanner, ver);
	if (age <= p->max_age)
		return 0;
	format_age(age, agetext, sizeof agetext);
	return og_findings_add(r, "scan.stale",
			     "scan verdict for image %s is %s old (%s by %s%s%s), older than max_age %s",
			     image, agetext, when, scanner, ver,
			     v->scan_time_from_import ? "; import time, the report had no scan time" : "",
			     p->max_age_text);
}

#define OG_SCAN_MSG_EXPIRED 3	/* expired exceptions named in a scan.severity message */

/* Why a finding does not count toward its severity's maximum. */
enum suppression {
	SUPP_NONE,		/* it counts */
	SUPP_STATUS,		/* not affected, or unfixed under ignore_unfixed */
	SUPP_EXCEPTION,		/* a policy exception still in force */
	SUPP_VEX,		/* a VEX statement for the image */
};

/* The one suppression test both passes of check_severity use, so the count
 * and the ids named never disagree. *ex is the policy exception for the id
 * (NULL if none, or if the status alone suppressed it); *st the VEX
 * statement looked up (only set for SUPP_VEX and SUPP_NONE). */
static enum suppression finding_suppression(const struct og_scan_policy *p,
					    const struct og_vex_set *vex, int64_t now,
					    const struct og_vuln_finding *f,
					    const struct og_scan_exception **ex,
					    const struct og_vex_stmt **st)
{
	*ex = NULL;
	*st = NULL;
	if (f->status == OG_FIX_NOT_AFFECTED)
		return SUPP_STATUS;
	if (p->ignore_unfixed && f->status != OG_FIX_FIXED)
		return SUPP_STATUS;
	*ex = find_exception(p, f->id);
	if (*ex != NULL && now < (*ex)->until)
		return SUPP_EXCEPTION;
	*st = vex ? og_vex_lookup(vex, f->id, f->pkg) : NULL;
	if (og_vex_suppresses(*st))
		return SUPP_VEX;
	return SUPP_NONE;
}

/* What the first pass found: counts after suppressions, and what suppressed. */
struct sev_tally {
	size_t counts[OG_SEV_COUNT];
	size_t nexc, nvex, nexpired;
	const struct og_scan_exception *expired[OG_SCAN_MSG_EXPIRED];
	const struct og_vex_stmt *vexnote;	/* the first VEX statement applied */
	const char *vexnote_id;
};

/* The first few ids over their severity's maximum, for the message. */
struct sev_ids {
	const char *ids[OG_SCAN_MSG_IDS];
	size_t n, more;
};

static int over_max(const struct og_scan_policy *p, const size_t counts[OG_SEV_COUNT], int s)
{
	return p->max[s] >= 0 && counts[s] > (size_t)p->max[s];
}

/* Remember an expired exception (once each, the first few) for the message. */
static void note_expired(struct sev_tally *t, const struct og_scan_exception *ex)
{
	size_t k;

	if (t->nexpired >= OG_SCAN_MSG_EXPIRED)
		return;
	for (k = 0; k < t->nexpired && t->expired[k] != ex; k++)
		;
	if (k == t->nexpired)
		t->expired[t->nexpired++] = ex;
}

/* First pass: counts after suppressions; returns whether any is over its max. */
static int tally_findings(const struct og_scan_policy *p, const struct og_verdict *v,
			  const struct og_vex_set *vex, int64_t now, struct sev_tally *t)
{
	int over = 0;

	for (size_t i = 0; i < v->nfindings; i++) {
		const struct og_vuln_finding *f = &v->findings[i];
		const struct og_scan_exception *ex;
		const struct og_vex_stmt *st;
		enum suppression why = finding_suppression(p, vex, now, f, &ex, &st);

		if (why == SUPP_STATUS)
			continue;
		if (why == SUPP_EXCEPTION) {
			t->nexc++;
			continue;
		}
		if (ex != NULL)
			note_expired(t, ex);	/* in the policy, but no longer in force */
		if (why == SUPP_VEX) {
			t->nvex++;
			if (t->vexnote == NULL) {
				t->vexnote = st;
				t->vexnote_id = f->id;
			}
			continue;
		}
		t->counts[f->severity]++;
	}
	for (int s = 0; s < OG_SEV_COUNT; s++)
		if (over_max(p, t->counts, s))
			over = 1;
	return over;
}

/* Second pass: the first few distinct ids in the severities over their maxima. */
static void collect_ids(const struct og_scan_policy *p, const struct og_verdict *v,
			const struct og_vex_set *vex, int64_t now, const struct sev_tally *t,
			struct sev_ids *out)
{
	for (size_t i = 0; i < v->nfindings; i++) {
		const struct og_vuln_finding *f = &v->findings[i];
		const struct og_scan_exception *ex;
		const struct og_vex_stmt *st;

		/* Suppression first: max[] is only indexed for counted findings. */
		if (finding_suppression(p, vex, now, f, &ex, &st) != SUPP_NONE ||
		    !over_max(p, t->counts, f->severity))
			continue;
		if (id_listed(out->ids, out->n, f->id))
			continue;
		if (out->n < OG_SCAN_MSG_IDS)
			out->ids[out->n++] = f->id;
		else
			out->more++;
	}
}

/* The parenthesised tail: scanner, scan time and what was suppressed. */
static void write_suppression_note(FILE *m, const struct og_verdict *v, const struct sev_tally *t)
{
	char scanner[80], when[32];

	og_format_rfc3339(v->scanned_at, when, sizeof when);
	fprintf(m, " (%s scan of %s", og_scan_clean(v->scanner, scanner, sizeof scanner), when);
	if (t->nexc)
		fprintf(m, "; %zu excepted by policy", t->nexc);
	if (t->nvex) {
		const struct og_vex_stmt *note = t->vexnote;
		const char *why = note->justification[0] ? note->justification : "no justification";
		char author[120], just[120];

		fprintf(m, "; %zu suppressed by VEX, e.g. %s %s by %s: %s", t->nvex, t->vexnote_id,
			note->status, og_scan_clean(note->author, author, sizeof author),
			og_scan_clean(why, just, sizeof just));
	}
	for (size_t i = 0; i < t->nexpired; i++)
		fprintf(m, "; exception for %s expired %s", t->expired[i]->id,
			t->expired[i]->until_text);
	fprintf(m, ")");
}

static void write_severity_message(FILE *m, const struct og_scan_policy *p,
				   const struct og_verdict *v, const char *image,
				   const struct sev_tally *t, const struct sev_ids *ids)
{
	fprintf(m, "image %s has", image);
	for (int s = OG_SEV_CRITICAL, first = 1; s >= 0; s--) {
		if (!over_max(p, t->counts, s))
			continue;
		fprintf(m, "%s %zu %s (max %lld)", first ? "" : ",", t->counts[s],
			og_severity_name((enum og_severity)s), (long long)p->max[s]);
		first = 0;
	}
	fprintf(m, " vulnerabilities after suppressions:");
	for (size_t i = 0; i < ids->n; i++)
		fprintf(m, "%s %s", i ? "," : "", ids->ids[i]);	/* ids are validated charset */
	if (ids->more)
		fprintf(m, " and %zu more", ids->more);
	write_suppression_note(m, v, t);
}

static int check_severity(const struct og_scan_policy *p, const struct og_verdict *v,
			  const struct og_vex_set *vex, const char *image, struct og_findings *r)
{
	struct sev_tally t = { 0 };
	struct sev_ids ids = { 0 };
	int64_t now = og_now();
	og_cleanup_free char *msg = NULL;
	size_t msglen = 0;
	FILE *m;

	if (!tally_findings(p, v, vex, now, &t))
		return 0;
	collect_ids(p, v, vex, now, &t, &ids);
	m = open_memstream(&msg, &msglen);
	if (m == NULL)
		return -1;
	write_severity_message(m, p, v, image, &t, &ids);
	if (fclose(m) != 0)
		return -1;
	return og_findings_add(r, "scan.severity", "%s", msg);
}

/* Why a cache file cannot be used, as the finding says it. */
static const char *unusable(const og_error *err)
{
	return err->errnum == EFBIG ? "is too large to read" : "cannot be trusted";
}

int og_scan_check(const struct og_scan_policy *p, const struct og_image *img, struct og_findings *r,
		  og_error *e)
{
	og_cleanup_verdict struct og_verdict v = { 0 };
	og_cleanup_vex_set struct og_vex_set vex = { 0 };
	og_cleanup_close int cachefd = -1;
	og_error err = { 0 };
	char image[OG_REF_MAX], why[OG_ERROR_MAX];
	int rc, have_vex = 0;

	if (p == NULL || !p->configured)
		return 0;
	if (!og_digest_valid(img->digest)) {
		char name[160];
		if (!p->required)
			return 0;
		if (og_findings_add(r, "scan.verdict",
				  "image %s has no known sha256 digest, so no scan verdict can be found",
				  og_scan_clean(img->name[0] ? img->name : "(unnamed)", name, sizeof name)) < 0)
			return og_fail_errno(e, ENOMEM, "scan check");
		return 0;
	}
	describe_image(img, image, sizeof image);
	cachefd = og_scan_cache_open(p->cache_dir, 1, p->owner_uid, &err);
	if (cachefd < 0) {
		if (err.errnum == ENOENT && !p->required)
			return 0;
		rc = err.errnum == ENOENT
			     ? og_findings_add(r, "scan.verdict",
					     "no scan verdict for image %s: the verdict cache %s does not exist",
					     image, p->cache_dir)
			     : og_findings_add(r, "scan.verdict", "scan verdicts cannot be trusted: %s",
					     og_scan_clean(err.msg, why, sizeof why));
		return rc < 0 ? og_fail_errno(e, ENOMEM, "scan check") : 0;
	}
	rc = og_scan_load_verdict(p, cachefd, img->digest, &v, &err);
	if (rc == 1) {
		if (p->required &&
		    og_findings_add(r, "scan.verdict", "no scan verdict for image %s in %s", image,
				  p->cache_dir) < 0)
			return og_fail_errno(e, ENOMEM, "scan check");
		return 0;
	}
	if (rc < 0) {
		if (og_findings_add(r, "scan.verdict", "scan verdict for image %s in %s %s: %s", image,
				  p->cache_dir, unusable(&err), og_scan_clean(err.msg, why, sizeof why)) < 0)
			return og_fail_errno(e, ENOMEM, "scan check");
		return 0;
	}
	if (p->use_vex) {
		og_error_clear(&err);
		rc = load_vex(p, cachefd, img->digest, &vex, &err);
		if (rc == 0)
			have_vex = 1;
		else if (rc < 0 &&
			 og_findings_add(r, "scan.verdict",
				       "VEX file for image %s in %s %s (its statements not applied): %s",
				       image, p->cache_dir, unusable(&err),
				       og_scan_clean(err.msg, why, sizeof why)) < 0)
			return og_fail_errno(e, ENOMEM, "scan check");
	}
	if (check_age(p, &v, image, r) < 0 ||
	    check_severity(p, &v, have_vex ? &vex : NULL, image, r) < 0)
		return og_fail_errno(e, ENOMEM, "scan check");
	return 0;
}
