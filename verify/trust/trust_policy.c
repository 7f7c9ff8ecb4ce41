/* The "trust" policy section.
 *
 *   "trust": {
 *     "required": true,            bool; default true when the section exists.  false: no
 *                                  image-trust check at all.
 *     "store": "/etc/ocigate/trust.json",      trust store (absolute path); its detached
 *                                  signatures are read from STORE.sig
 *     "root_keys": ["/etc/ocigate/root1.pem"], PEM public keys pinned as roots (absolute
 *                                  paths, 1..16; required when "required" is true)
 *     "threshold": 1,              k: how many distinct root keys must have signed the
 *                                  store (1..number of root_keys; default 1)
 *     "state_dir": "/var/lib/ocigate",         where the highest accepted store version is
 *                                  kept (file "trust-version") for rollback protection
 *     "signatures_dir": "/var/lib/ocigate/signatures",  image signature directory
 *     "predicate_types": ["https://sigstore.dev/cosign/sign/v1"],  in-toto predicate types
 *                                  accepted from DSSE signatures (1..16; this default)
 *     "match_repository": true,    when the engine records the image's name, a signature (or
 *                                  an allowlist entry) counts only for that name's repository,
 *                                  as containers-policy.json's matchRepoDigestOrExact does for
 *                                  a digest; false: any repository in the key's scopes
 *     "rekor_keys": []             Rekor public keys; must be empty for now (transparency-log
 *                                  verification is not implemented; a non-empty list is an
 *                                  error rather than a silently ignored setting)
 *   }
 * Unknown keys are errors. */
#include "verify/trust/trust_policy.h"
#include "hook/base/cleanup.h"
#include "hook/base/confine_paths.h"
#include "hook/base/fileio.h"
#include "hook/base/jsonutil.h"
#include "verify/sig/sig_store.h"
#include "verify/trust/sig_keyless.h"
#include "verify/trust/sig_verify.h"
#include "verify/trust/trust_cache.h"
#include "hook/base/timeutil.h"
#include "verify/trust/trust_store.h"
#include "verify/common/digest.h"
#include "verify/common/crypto_util.h"
#include "verify/common/keys.h"
#include "hook/base/strfmt.h"
#include "verify/common/reference.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct og_trust_policy {
	int required;
	char *store, *state_dir, *signatures_dir;
	char *root_keys[OG_MAX_ROOT_KEYS];
	size_t nroot;
	int threshold;
	char *predicate_types[OG_MAX_PREDICATE_TYPES];
	size_t npred;
	int match_repository;
	int from_bundle;		/* store and signatures_dir set by og_trust_policy_use_bundle */
};

static int abs_path(const json_t *sec, const char *key, const char *path, const char *def, char **out,
		    og_error *e)
{
	const char *s = def;

	if (og_json_str(sec, key, path, 0, &s, e) < 0)
		return -1;
	if (s[0] != '/' || strlen(s) >= 4096)
		return og_fail(e, "%s.%s: must be an absolute path", path, key);
	*out = strdup(s);
	if (*out == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	return 0;
}

static int parse_section(struct og_trust_policy *p, const json_t *sec, const char *path, og_error *e)
{
	static const char *const keys[] = { "required", "store", "root_keys", "threshold", "state_dir",
					    "signatures_dir", "predicate_types", "rekor_keys",
					    "match_repository", NULL };
	json_t *roots = NULL, *preds = NULL, *rekor = NULL, *v;
	int64_t threshold = 1;
	size_t i;
	int r;

	if (!json_is_object(sec))
		return og_fail(e, "%s: expected an object, found %s", path, og_json_type(sec));
	p->required = 1;
	if (og_json_only_keys(sec, path, keys, e) < 0 ||
	    og_json_bool(sec, "required", path, 0, &p->required, e) < 0 ||
	    og_json_bool(sec, "match_repository", path, 0, &p->match_repository, e) < 0 ||
	    abs_path(sec, "store", path, OG_DEFAULT_TRUST_STORE, &p->store, e) < 0 ||
	    abs_path(sec, "state_dir", path, OG_DEFAULT_STATE_DIR, &p->state_dir, e) < 0 ||
	    abs_path(sec, "signatures_dir", path, OG_DEFAULT_SIGNATURES_DIR, &p->signatures_dir, e) < 0 ||
	    og_json_arr(sec, "root_keys", path, 0, &roots, e) < 0 ||
	    (r = og_json_arr(sec, "predicate_types", path, 0, &preds, e)) < 0 ||
	    og_json_arr(sec, "rekor_keys", path, 0, &rekor, e) < 0)
		return -1;
	if (json_array_size(roots) > OG_MAX_ROOT_KEYS)
		return og_fail(e, "%s.root_keys: more than %d keys", path, OG_MAX_ROOT_KEYS);
	json_array_foreach(roots, i, v) {
		if (!json_is_string(v) || json_string_value(v)[0] != '/')
			return og_fail(e, "%s.root_keys[%zu]: expected an absolute path", path, i);
		p->root_keys[i] = strdup(json_string_value(v));
		if (p->root_keys[i] == NULL)
			return og_fail_errno(e, ENOMEM, "%s", path);
		p->nroot = i + 1;
	}
	if (p->required && p->nroot == 0)
		return og_fail(e, "%s.root_keys: at least one root key is required", path);
	if (og_json_int(sec, "threshold", path, 0, 1, OG_MAX_ROOT_KEYS, &threshold, e) < 0)
		return -1;
	if (p->nroot > 0 && (size_t)threshold > p->nroot)
		return og_fail(e, "%s.threshold: %d is more than the %zu root keys", path, (int)threshold,
			       p->nroot);
	p->threshold = (int)threshold;
	if (r == 0) {
		if (json_array_size(preds) == 0 || json_array_size(preds) > OG_MAX_PREDICATE_TYPES)
			return og_fail(e, "%s.predicate_types: expected 1 to %d types", path,
				       OG_MAX_PREDICATE_TYPES);
		json_array_foreach(preds, i, v) {
			if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 255)
				return og_fail(e, "%s.predicate_types[%zu]: expected a type URI", path, i);
			p->predicate_types[i] = strdup(json_string_value(v));
			if (p->predicate_types[i] == NULL)
				return og_fail_errno(e, ENOMEM, "%s", path);
			p->npred = i + 1;
		}
	}
	if (json_array_size(rekor) > 0)
		return og_fail(e, "%s.rekor_keys: transparency-log verification is not supported yet; "
			       "leave the list empty", path);
	return 0;
}

int og_trust_policy_parse(const json_t *trust_section, const char *path, struct og_trust_policy **out,
			  og_error *e)
{
	struct og_trust_policy *p = calloc(1, sizeof *p);

	if (p == NULL)
		return og_fail_errno(e, ENOMEM, "%s", path);
	p->match_repository = 1;
	if (trust_section == NULL) {
		p->required = 0;
		p->threshold = 1;
		p->store = strdup(OG_DEFAULT_TRUST_STORE);
		p->state_dir = strdup(OG_DEFAULT_STATE_DIR);
		p->signatures_dir = strdup(OG_DEFAULT_SIGNATURES_DIR);
		if (p->store == NULL || p->state_dir == NULL || p->signatures_dir == NULL) {
			og_trust_policy_free(p);
			return og_fail_errno(e, ENOMEM, "%s", path);
		}
	} else if (parse_section(p, trust_section, path, e) < 0) {
		og_trust_policy_free(p);
		return -1;
	}
	if (p->npred == 0) {
		p->predicate_types[0] = strdup(OG_DEFAULT_PREDICATE_TYPE);
		if (p->predicate_types[0] == NULL) {
			og_trust_policy_free(p);
			return og_fail_errno(e, ENOMEM, "%s", path);
		}
		p->npred = 1;
	}
	*out = p;
	return 0;
}

void og_trust_policy_free(struct og_trust_policy *p)
{
	if (p == NULL)
		return;
	free(p->store);
	free(p->state_dir);
	free(p->signatures_dir);
	for (size_t i = 0; i < p->nroot; i++)
		free(p->root_keys[i]);
	for (size_t i = 0; i < p->npred; i++)
		free(p->predicate_types[i]);
	free(p);
}

int og_trust_required(const struct og_trust_policy *p)
{
	return p->required;
}

int og_trust_policy_check_root_keys(const struct og_trust_policy *p, FILE *warn, og_error *e)
{
	for (size_t i = 0; i < p->nroot; i++) {
		og_cleanup(EVP_PKEY_free) EVP_PKEY *k = NULL;
		og_error ke = { 0 };

		if (og_key_load_file(p->root_keys[i], &k, &ke) == 0)
			continue;
		if (ke.errnum == ENOENT) {
			fprintf(warn, "warning: trust.root_keys[%zu]: %s\n", i, ke.msg);
			continue;
		}
		return og_fail(e, "trust.root_keys[%zu]: %s", i, ke.msg);
	}
	return 0;
}

size_t og_trust_policy_nroot(const struct og_trust_policy *p)
{
	return p->nroot;
}

const char *og_trust_policy_signatures_dir(const struct og_trust_policy *p)
{
	return p->signatures_dir;
}

void og_trust_policy_describe(const struct og_trust_policy *p, FILE *out)
{
	fprintf(out, "image trust: %s\n", p->required ? "required" : "not required");
	fprintf(out, "  trust store: %s (signatures %s.sig)\n", p->store, p->store);
	fprintf(out, "  root keys (%d of %zu must sign):\n", p->threshold, p->nroot);
	for (size_t i = 0; i < p->nroot; i++)
		fprintf(out, "    %s\n", p->root_keys[i]);
	fprintf(out, "  rollback state: %s/%s\n", p->state_dir, OG_TRUST_STATE_FILE);
	fprintf(out, "  signatures: %s\n", p->signatures_dir);
	fprintf(out, "  accepted predicate types:\n");
	for (size_t i = 0; i < p->npred; i++)
		fprintf(out, "    %s\n", p->predicate_types[i]);
	fprintf(out, "  signed repository: %s\n",
		p->match_repository ? "must be the repository of the image name the engine records"
				    : "any in the key's scopes (match_repository is false)");
}

static int replace(char **slot, const char *v, og_error *e)
{
	char *c;

	if (v == NULL)
		return 0;
	c = strdup(v);
	if (c == NULL)
		return og_fail_errno(e, ENOMEM, "override");
	free(*slot);
	*slot = c;
	return 0;
}

int og_trust_policy_override(struct og_trust_policy *p, const struct og_trust_overrides *o, og_error *e)
{
	if (replace(&p->store, o->store, e) < 0 || replace(&p->state_dir, o->state_dir, e) < 0 ||
	    replace(&p->signatures_dir, o->signatures_dir, e) < 0)
		return -1;
	if (o->nroot > 0) {
		if (o->nroot > OG_MAX_ROOT_KEYS)
			return og_fail(e, "more than %d root keys", OG_MAX_ROOT_KEYS);
		for (size_t i = 0; i < p->nroot; i++)
			free(p->root_keys[i]);
		p->nroot = 0;
		for (size_t i = 0; i < o->nroot; i++) {
			p->root_keys[i] = strdup(o->root_keys[i]);
			if (p->root_keys[i] == NULL)
				return og_fail_errno(e, ENOMEM, "override");
			p->nroot = i + 1;
		}
	}
	if (o->threshold > 0)
		p->threshold = o->threshold;
	if ((size_t)p->threshold > p->nroot && p->nroot > 0)
		return og_fail(e, "threshold %d is more than the %zu root keys", p->threshold, p->nroot);
	p->required = 1;
	return 0;
}

int og_trust_policy_use_bundle(struct og_trust_policy *p, const char *store, const char *signatures_dir,
			       og_error *e)
{
	p->from_bundle = 1;
	return replace(&p->store, store, e) < 0 || replace(&p->signatures_dir, signatures_dir, e) < 0 ? -1 : 0;
}

/* Findings quote store and parser messages: keep them printable. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static int finding(struct og_findings *r, const char *rule, const char *msg, og_error *e)
{
	char buf[OG_ERROR_MAX + 256];

	og_bfmt(buf, sizeof buf, "%s", msg);
	sanitize(buf);
	if (og_findings_add(r, rule, "%s", buf) < 0)
		return og_fail_errno(e, ENOMEM, "report");
	return 0;
}

/* The image's signatures; a refusal's finding ends with `note` (why the
 * allowlist did not vouch either, or ""). */
static int check_signatures(const struct og_trust_policy *p, struct og_trust_store *s,
			    const struct og_image *img, const char *note, struct og_findings *r,
			    char *accepted, size_t asize, char keyid[OG_KEYID_HEX], og_error *e)
{
	const char *digest = img->digest;
	struct og_sig_entry *entries = NULL;
	struct og_sig_verify_opts o = {
		.predicate_types = (const char *const *)p->predicate_types,
		.npredicate_types = p->npred,
		.image_name = img->name_from[0] ? img->name : "",
		.image_name_from = img->name_from,
		.image_repository = img->repository,
		.match_repository = p->match_repository,
	};
	struct og_sig_verdict best, v;
	og_error le = { 0 };
	char msg[1400];
	size_t n = 0;

	if (og_sig_store_lookup(p->signatures_dir, digest, &entries, &n, &le) < 0) {
		og_bfmt(msg, sizeof msg, "image %s: cannot read signatures: %s%s", digest, le.msg, note);
		return finding(r, "trust.signature", msg, e);
	}
	if (n == 0) {
		og_sig_entries_free(entries, n);
		og_bfmt(msg, sizeof msg, "image %s is unsigned: no signature in %s and %s", digest,
			p->signatures_dir, note[0] ? note + 2 : "not in the trust store's allowlist");
		return finding(r, "trust.signature", msg, e);
	}
	memset(&best, 0, sizeof best);
	/* Happy path first (only keys matching each entry's repository), then
	 * every key, which also explains a refusal precisely. */
	for (int all = 0; all < 2; all++) {
		o.all_keys = all;
		for (size_t i = 0; i < n; i++) {
			if (og_sig_entry_verify(s, &entries[i], digest, &o, &v, e) < 0) {
				og_sig_entries_free(entries, n);
				return -1;
			}
			if (v.outcome == OG_SIG_ACCEPTED) {
				if (accepted)
					og_bfmt(accepted, asize, "%s", v.message);
				og_bfmt(keyid, OG_KEYID_HEX, "%s", v.keyid);
				og_sig_entries_free(entries, n);
				return 0;
			}
			if (v.outcome >= best.outcome)
				best = v;
		}
	}
	og_sig_entries_free(entries, n);
	og_bfmt(msg, sizeof msg, "image %s: %s (%zu signature%s checked): %s%s", digest,
		og_sig_outcome_name(best.outcome), n, n == 1 ? "" : "s", best.message, note);
	return finding(r, "trust.signature", msg, e);
}

void og_trust_policy_store_config(const struct og_trust_policy *p, struct og_trust_store_config *c)
{
	c->store_path = p->store;
	c->root_keys = (const char *const *)p->root_keys;
	c->nroot = p->nroot;
	c->threshold = p->threshold;
	c->state_dir = p->state_dir;
	c->update_state = 1;
	c->keep_floor = p->from_bundle;
}

/* The settings that decide trust, hashed: a change of policy must not
 * reuse a verification made under the old one. */
static void policy_fingerprint(const struct og_trust_policy *p, char out[17])
{
	const char *parts[5 + OG_MAX_ROOT_KEYS + OG_MAX_PREDICATE_TYPES];
	char num[16];
	size_t n = 0;

	og_bfmt(num, sizeof num, "%d", p->threshold);
	parts[n++] = p->match_repository ? "match_repository" : "any_repository";
	parts[n++] = p->store;
	parts[n++] = p->state_dir;
	parts[n++] = p->signatures_dir;
	parts[n++] = num;
	for (size_t i = 0; i < p->nroot; i++)
		parts[n++] = p->root_keys[i];
	for (size_t i = 0; i < p->npred; i++)
		parts[n++] = p->predicate_types[i];
	og_trust_cache_settings_hash(parts, n, out);
}

static int cache_fingerprint(const struct og_trust_policy *p, const struct og_image *img, char *fp,
			     size_t size)
{
	char pfp[17];
	struct og_trust_cache_inputs in = {
		.policy_fingerprint = pfp,
		.store = p->store,
		.state_dir = p->state_dir,
		.signatures_dir = p->signatures_dir,
		.root_keys = (const char *const *)p->root_keys,
		.nroot = p->nroot,
		.digest = img->digest,
		.image_repository = img->repository,
		.image_name_from = img->name_from,
	};

	policy_fingerprint(p, pfp);
	return og_trust_cache_fingerprint(&in, fp, size);
}

/* Load the store; when that fails while an input changed under us (the
 * store and its signature file are replaced one after the other, another
 * hook records a newer version), read again: the refusal may describe no
 * state that ever existed on disk.  A refusal of stable inputs stands. */
#define OG_STORE_READ_ATTEMPTS 4

static int load_store_consistently(const struct og_trust_policy *p,
				   const struct og_trust_store_config *c, const struct og_image *img,
				   const char *first_fp, struct og_trust_store **s, og_error *e)
{
	og_cleanup_free char *before = malloc(OG_TRUST_CACHE_FP_MAX);
	og_cleanup_free char *after = malloc(OG_TRUST_CACHE_FP_MAX);

	if (before == NULL || after == NULL)
		return og_fail_errno(e, ENOMEM, "trust store");
	for (int attempt = 1;; attempt++) {
		/* The caller's fingerprint serves the first read: no second pass of stats. */
		int have = attempt == 1 && first_fp != NULL
				   ? (og_bfmt(before, OG_TRUST_CACHE_FP_MAX, "%s", first_fp), 1)
				   : cache_fingerprint(p, img, before, OG_TRUST_CACHE_FP_MAX) == 0;

		og_error_clear(e);
		if (og_trust_store_load(c, s, e) == 0)
			return 0;
		if (attempt == OG_STORE_READ_ATTEMPTS || !have ||
		    cache_fingerprint(p, img, after, OG_TRUST_CACHE_FP_MAX) != 0 ||
		    strcmp(before, after) == 0)
			return -1;
		/* Let the writer finish its second rename. */
		nanosleep(&(struct timespec){ .tv_nsec = 2 * 1000 * 1000 }, NULL);
	}
}

/* How long an acceptance stays valid without re-verification. */
static int64_t valid_until(const struct og_trust_store *s, const char *keyid)
{
	int64_t until = s->expires, identity_until = og_sig_keyless_valid_until(s, keyid);

	if (identity_until != 0 && (until == 0 || identity_until < until))
		until = identity_until;	/* a keyless identity's window (sig_keyless.c) */
	for (size_t i = 0; keyid[0] && i < s->nkeys; i++)
		if (strcmp(s->keys[i].keyid, keyid) == 0 && s->keys[i].not_after != 0 &&
		    (until == 0 || s->keys[i].not_after < until))
			until = s->keys[i].not_after;
	return until;
}

/* Whether the engine runs the image under a repository other than
 * `repository`, and the policy says that matters. */
static int other_repository(const struct og_trust_policy *p, const struct og_image *img,
			    const char *repository)
{
	return p->match_repository && img->repository[0] && strcmp(img->repository, repository) != 0;
}

int og_trust_evaluate(const struct og_trust_policy *p, const struct og_image *img, int update_state,
		      struct og_findings *r, char *accepted, size_t asize, og_error *e)
{
	struct og_trust_store_config c;
	struct og_trust_store *s = NULL;
	og_error le = { 0 };
	const char *allow;
	char msg[1200], keyid[OG_KEYID_HEX] = "", why[512] = "";
	og_cleanup_free char *fp = NULL, *fp_after = NULL;
	int ret, cacheable, have_fp;

	if (!p->required)
		return 0;
	og_trust_policy_store_config(p, &c);
	c.update_state = update_state;
	if (!og_digest_valid(img->digest)) {
		og_bfmt(msg, sizeof msg, "no image digest found for %s; image trust requires one%s%s",
			img->name[0] ? "this image" : "this container", img->problem[0] ? " (" : "",
			img->problem[0] ? img->problem : "");
		if (img->problem[0])
			og_bfmt(msg + strlen(msg), sizeof msg - strlen(msg), ")");
		return finding(r, "image.identity", msg, e);
	}
	if (p->match_repository && img->name_from[0] && !img->repository[0]) {
		og_bfmt(msg, sizeof msg, "the engine's image name \"%.200s\" (%s) is not an image reference "
			"(%s): no signature can be matched with it", img->name, img->name_from,
			og_ref_problem(img->name) ? og_ref_problem(img->name) : "?");
		return finding(r, "trust.signature", msg, e);
	}
	/* StrictModes on the files and the state an acceptance rests on, at
	 * every start and before a record is believed: a record made while they
	 * were sound says nothing once they are not (the fingerprint below only
	 * covers the files themselves, not the directories above them). */
	if (og_trust_store_files_safe(&c, &le) < 0)
		return finding(r, "trust.store", le.msg, e);
	/* The hook's common case: nothing changed since this digest was last
	 * verified (see trust_cache.h).  CLI checks (update_state 0) always verify. */
	fp = malloc(OG_TRUST_CACHE_FP_MAX);
	fp_after = malloc(OG_TRUST_CACHE_FP_MAX);
	if (fp == NULL || fp_after == NULL)
		return og_fail_errno(e, ENOMEM, "trust");
	have_fp = cache_fingerprint(p, img, fp, OG_TRUST_CACHE_FP_MAX) == 0;
	cacheable = update_state && have_fp;
	if (cacheable && og_trust_cache_lookup(p->state_dir, img->digest, fp, why, sizeof why)) {
		if (accepted)
			og_bfmt(accepted, asize, "%s", why);
		return 0;
	}
	if (load_store_consistently(p, &c, img, have_fp ? fp : NULL, &s, &le) < 0) {
		og_bfmt(msg, sizeof msg, "%s", le.msg);
		return finding(r, "trust.store", msg, e);
	}
	/* A revoked digest is refused whatever else vouches for it. */
	if (og_trust_digest_revoked(s, img->digest)) {
		og_bfmt(msg, sizeof msg, "image %s is revoked in the trust store", img->digest);
		ret = finding(r, "trust.signature", msg, e);
		cacheable = 0;
	} else if ((allow = og_trust_allowlisted(s, img->digest)) != NULL &&
		   !other_repository(p, img, allow)) {
		og_bfmt(why, sizeof why, "allowlisted in the trust store (%s)", allow);
		ret = 0;
	} else {
		size_t before = r->n;
		char note[700] = "";

		if (allow != NULL)
			og_bfmt(note, sizeof note, "; allowlisted in the trust store for %.200s, but the engine "
				"runs the image as %.200s (%s)", allow, img->name, img->name_from);
		ret = check_signatures(p, s, img, note, r, why, sizeof why, keyid, e);
		if (r->n != before)
			cacheable = 0;
	}
	if (accepted && ret == 0)
		og_bfmt(accepted, asize, "%s", why);
	/* Record only when no input changed while we verified (the rollback
	 * state moves when a newer store is first accepted: the next start
	 * records it). */
	if (ret == 0 && cacheable &&
	    cache_fingerprint(p, img, fp_after, OG_TRUST_CACHE_FP_MAX) == 0 &&
	    strcmp(fp, fp_after) == 0)
		og_trust_cache_store(p->state_dir, img->digest, fp, valid_until(s, keyid), why);
	og_trust_store_free(s);
	return ret;
}

int og_trust_check(const struct og_trust_policy *p, const struct og_image *img, struct og_findings *r,
		   og_error *e)
{
	return og_trust_evaluate(p, img, 1, r, NULL, 0, e);
}

int og_trust_policy_prepare_confinement(const struct og_trust_policy *p, struct og_confine_paths *cp)
{
	/* Directories, not the files themselves: an operator replaces the
	 * store, its signatures or a root key by rename, and a rule on the old
	 * file would not cover the new one.  One policy per process. */
	static char dirs[2 + OG_MAX_ROOT_KEYS][4200];
	size_t nd = 0;

	/* Not required but with root keys: the store may still sign verdicts. */
	if (p == NULL || (!p->required && p->nroot == 0))
		return 0;
	if (access(p->state_dir, F_OK) != 0)
		(void)og_mkdir_p(p->state_dir, 0700, NULL);
	og_bfmt(dirs[nd], sizeof dirs[nd], "%s", p->store);
	*strrchr(dirs[nd++], '/') = '\0';	/* absolute paths (trust_policy parse) */
	for (size_t i = 0; i < p->nroot; i++) {
		og_bfmt(dirs[nd], sizeof dirs[nd], "%s", p->root_keys[i]);
		*strrchr(dirs[nd++], '/') = '\0';
	}
	for (size_t i = 0; i < nd; i++)
		if (og_confine_add(cp, dirs[i][0] ? dirs[i] : "/", 0) < 0)
			return -1;
	if (og_confine_add(cp, p->signatures_dir, 0) < 0 || og_confine_add(cp, p->state_dir, 1) < 0)
		return -1;
	return 0;
}

int og_trust_policy_verdict_keys(const void *ctx, EVP_PKEY ***keys, size_t *n, og_error *e)
{
	const struct og_trust_policy *p = ctx;
	struct og_trust_store_config c;
	struct og_trust_store *s = NULL;
	int64_t now = og_now();

	*keys = NULL;
	*n = 0;
	if (p == NULL || p->root_keys[0] == NULL)
		return og_fail(e, "the policy's trust section names no root keys");
	og_trust_policy_store_config(p, &c);
	c.update_state = 0;	/* the image check moves the rollback state, not this */
	if (og_trust_store_load(&c, &s, e) < 0)
		return -1;
	*keys = calloc(s->nkeys + 1, sizeof **keys);
	if (*keys == NULL) {
		og_trust_store_free(s);
		return og_fail_errno(e, ENOMEM, "trust store keys");
	}
	for (size_t i = 0; i < s->nkeys; i++) {
		struct og_trust_key *k = &s->keys[i];
		EVP_PKEY *pk = NULL;
		og_error ke = { 0 };
		int id;

		if (og_trust_store_key(s, i, &pk, &ke) < 0 || og_trust_key_revoked(s, k->keyid) ||
		    (k->not_before != 0 && now < k->not_before) ||
		    (k->not_after != 0 && now >= k->not_after))
			continue;
		id = EVP_PKEY_get_base_id(pk);
		if (id != EVP_PKEY_ED25519 &&
		    !(id == EVP_PKEY_EC && EVP_PKEY_get_bits(pk) == 256))
			continue;
		if (EVP_PKEY_up_ref(pk) != 1)
			continue;
		(*keys)[(*n)++] = pk;
	}
	og_trust_store_free(s);
	return 0;
}

int og_trust_policy_base_allowed(const void *ctx, const char *name, const char *digest, og_error *e)
{
	const struct og_trust_policy *p = ctx;
	struct og_trust_store_config c;
	struct og_trust_store *s = NULL;
	char repo[OG_REF_MAX], refdigest[OG_DIGEST_MAX];
	int ok;

	if (p == NULL || p->root_keys[0] == NULL)
		return og_fail(e, "the policy's trust section names no root keys, so no trust store lists allowed bases");
	/* The annotation is the image author's text: a name that is not a
	 * reference is not an allowed base. */
	if (og_ref_parse(name, repo, sizeof repo, refdigest, sizeof refdigest) < 0)
		return 0;
	if (digest[0] == '\0')
		digest = refdigest;
	else if (refdigest[0] != '\0' && strcmp(refdigest, digest) != 0)
		return 0;
	og_trust_policy_store_config(p, &c);
	c.update_state = 0;	/* the image check moves the rollback state, not this */
	if (og_trust_store_load(&c, &s, e) < 0)
		return -1;
	ok = og_trust_base_allowed(s, repo, digest);
	og_trust_store_free(s);
	return ok;
}
