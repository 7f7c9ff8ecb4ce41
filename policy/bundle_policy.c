#include "policy/bundle_policy.h"
#include "hook/base/jsonutil.h"
#include "hook/base/log.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"
#include "verify/scan/scan_policy.h"
#include "verify/trust/bundle_layout.h"
#include "verify/trust/trust_policy.h"
#include "verify/trust/trust_store.h"

#include <string.h>
#include <syslog.h>

/* The paths a bundle section takes over: setting one as well is an error
 * naming both (the administrator meant one of them, not both). */
static const struct {
	const char *section, *key, *what;
} owned[] = {
	{ "trust", "store", "trust store" },
	{ "trust", "signatures_dir", "signatures" },
	{ "scan", "cache_dir", "verdict cache" },
};

static int duration(const json_t *sec, const char *key, int64_t *out, char *text, size_t size, og_error *e)
{
	const char *s;
	int r = og_json_str(sec, key, "$.bundle", 0, &s, e);

	if (r != 0)
		return r < 0 ? -1 : 0;
	if (og_parse_duration(s, out, e) < 0)
		return og_wrap(e, "$.bundle.%s", key);
	og_bfmt(text, size, "%s", s);
	return 0;
}

int og_bundle_policy_parse(const json_t *doc, struct og_bundle_policy *b, og_error *e)
{
	static const char *const keys[] = { "dir", "max_age", "on_stale", "warn_before_expiry", NULL };
	const json_t *sec = json_object_get(doc, "bundle");
	const char *s = OG_BUNDLE_DIR_DEFAULT;
	int r;

	memset(b, 0, sizeof *b);
	og_bfmt(b->dir, sizeof b->dir, "%s", OG_BUNDLE_DIR_DEFAULT);
	if (sec == NULL)
		return 0;
	if (!json_is_object(sec))
		return og_fail(e, "$.bundle: expected an object, found %s", og_json_type(sec));
	b->configured = 1;
	if (og_json_only_keys(sec, "$.bundle", keys, e) < 0 || og_json_str(sec, "dir", "$.bundle", 0, &s, e) < 0)
		return -1;
	/* Room for "/gen-.../trust/store.json.sig" below it. */
	if (s[0] != '/' || strlen(s) >= sizeof b->dir - 128)
		return og_fail(e, "$.bundle.dir: expected an absolute path shorter than %zu bytes",
			       sizeof b->dir - 128);
	og_bfmt(b->dir, sizeof b->dir, "%s", s);
	if (duration(sec, "max_age", &b->max_age, b->max_age_text, sizeof b->max_age_text, e) < 0 ||
	    duration(sec, "warn_before_expiry", &b->warn_before_expiry, b->warn_text, sizeof b->warn_text,
		     e) < 0)
		return -1;
	if ((r = og_json_str(sec, "on_stale", "$.bundle", 0, &s, e)) < 0)
		return -1;
	if (r == 0) {
		if (strcmp(s, "audit") == 0)
			b->on_stale_audit = 1;
		else if (strcmp(s, "deny") != 0)
			return og_fail(e, "$.bundle.on_stale: \"%.64s\" is not deny or audit", s);
	}
	for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++) {
		const json_t *other = json_object_get(doc, owned[i].section);

		if (json_is_object(other) && json_object_get(other, owned[i].key) != NULL)
			return og_fail(e, "$.%s.%s and $.bundle: with a bundle section the installed bundle "
					  "provides the %s; remove $.%s.%s",
				       owned[i].section, owned[i].key, owned[i].what, owned[i].section, owned[i].key);
	}
	return 0;
}

const char *og_bundle_policy_dir(const struct og_bundle_policy *b)
{
	return b->dir;
}

void og_bundle_policy_describe(const struct og_bundle_policy *b, FILE *out)
{
	if (!b->configured)
		return;
	fprintf(out, "trust bundle: %s: the trust store, signatures and verdict cache are those of the "
		     "generation %s/%s names at each start (not the paths above)\n",
		b->dir, b->dir, OG_BUNDLE_CURRENT);
	fprintf(out, "  max age: %s%s\n", b->max_age ? b->max_age_text : "unlimited (only its expiry)",
		b->max_age ? (b->on_stale_audit ? ", then logged only (on_stale audit)" : ", then denied") : "");
	fprintf(out, "  warn before expiry: %s\n", b->warn_before_expiry ? b->warn_text : "no");
}

void og_bundle_policy_print_generation(const struct og_bundle_policy *b, FILE *out)
{
	char expires[32];

	if (!b->resolved)
		return;
	fprintf(out, "trust bundle: %s (version %llu)\n", b->gen.path, (unsigned long long)b->gen.version);
	if (b->freshness & OG_BUNDLE_EXPIRING) {
		og_format_rfc3339(b->gen.expires, expires, sizeof expires);
		fprintf(out, "  warning: it expires at %s, within warn_before_expiry %s\n", expires, b->warn_text);
	}
}

int og_bundle_policy_resolve(struct og_bundle_policy *b, struct og_trust_policy *trust,
			     struct og_scan_policy *scan, og_error *e)
{
	struct og_bundle_generation *g = &b->gen;

	if (!b->configured)
		return 0;
	if (og_bundle_generation_resolve(b->dir, g, e) < 0)
		return -1;
	if (og_trust_policy_use_bundle(trust, g->store, g->signatures, e) < 0)
		return og_wrap(e, "bundle");
	if (scan != NULL && scan->configured)
		og_bfmt(scan->cache_dir, sizeof scan->cache_dir, "%s", g->verdicts);
	b->resolved = 1;
	return 0;
}

int og_bundle_policy_check(struct og_bundle_policy *b, const struct og_trust_policy *trust, int64_t now,
			   int update_state, struct og_findings *r, og_error *e)
{
	struct og_bundle_generation *g = &b->gen;
	struct og_trust_store_config c;
	char created[32], expires[32], line[OG_ERROR_MAX], safe[OG_ERROR_MAX];
	int f;

	if (!b->configured)
		return 0;
	if (!b->resolved)
		return og_fail(e, "bundle: no generation resolved");
	og_trust_policy_store_config(trust, &c);
	c.update_state = update_state;
	if (og_bundle_generation_verify(g, &c, e) < 0)
		return -1;
	og_format_rfc3339(g->created, created, sizeof created);
	og_format_rfc3339(g->expires, expires, sizeof expires);
	f = b->freshness = og_bundle_freshness(now, g->created, g->expires, b->max_age, b->warn_before_expiry);
	if ((f & OG_BUNDLE_EXPIRED) &&
	    og_findings_add(r, OG_BUNDLE_RULE_EXPIRED, "trust bundle %s (version %llu) expired at %s",
			    g->path, (unsigned long long)g->version, expires) < 0)
		return og_fail(e, "out of memory recording findings");
	if ((f & OG_BUNDLE_STALE) &&
	    og_findings_add(r, OG_BUNDLE_RULE_STALE,
			    "trust bundle %s (version %llu) was created at %s, more than max_age %s ago: "
			    "the node has not received a fresh bundle",
			    g->path, (unsigned long long)g->version, created, b->max_age_text) < 0)
		return og_fail(e, "out of memory recording findings");
	if ((f & OG_BUNDLE_EXPIRING) && update_state) {
		og_bfmt(line, sizeof line, "trust bundle %s (version %llu) expires at %s, within "
			"warn_before_expiry %s: is the node still receiving bundles?",
			g->path, (unsigned long long)g->version, expires, b->warn_text);
		og_sanitize(line, safe, sizeof safe);
		og_log(LOG_WARNING, "warning msg=\"%s\"", safe);
	}
	return 0;
}
