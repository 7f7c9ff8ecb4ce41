#include "verify/trust/sig_verify.h"
#include "hook/base/cleanup.h"
#include "verify/trust/sig_keyless.h"
#include "verify/sig/cosign.h"
#include "verify/sig/cosign_keyless.h"
#include "verify/sig/dsse.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"
#include "verify/common/digest.h"
#include "verify/sig/sig_claims.h"
#include "verify/sig/sigstore.h"

#include <stdlib.h>
#include <string.h>

const char *og_sig_outcome_name(enum og_sig_outcome o)
{
	switch (o) {
	case OG_SIG_NO_KEY: return "no trusted key";
	case OG_SIG_BAD_SIGNATURE: return "bad signature";
	case OG_SIG_MALFORMED: return "malformed signature";
	case OG_SIG_UNSUPPORTED: return "unsupported signature";
	case OG_SIG_PREDICATE_REFUSED: return "refused predicate type";
	case OG_SIG_WRONG_DIGEST: return "wrong digest";
	case OG_SIG_OUT_OF_SCOPE: return "out-of-scope key";
	case OG_SIG_OTHER_REPOSITORY: return "signed for another repository";
	case OG_SIG_EXPIRED_KEY: return "expired key";
	case OG_SIG_REVOKED_KEY: return "revoked key";
	case OG_SIG_ACCEPTED: return "accepted";
	}
	return "?";
}


static int index_lists(const og_buf *index, const char *manifest_digest, char *why, size_t wsize)
{
	og_error je = { 0 };
	json_auto_t *doc = og_json_parse(index->data, index->len, "index", &je);
	json_t *list, *m;
	size_t i;

	if (doc == NULL || og_json_arr(doc, "manifests", "index", 1, &list, &je) < 0) {
		og_bfmt(why, wsize, "stored index unusable: %s", je.msg);
		return 0;
	}
	json_array_foreach(list, i, m) {
		json_t *d = json_is_object(m) ? json_object_get(m, "digest") : NULL;

		if (json_is_string(d) && strcmp(json_string_value(d), manifest_digest) == 0)
			return 1;
	}
	og_bfmt(why, wsize, "stored index does not list the stored manifest %s", manifest_digest);
	return 0;
}

/* The signed digest S vouches for the image digest D directly, or D is the
 * config of a manifest whose bytes hash to S (or to an entry of an index
 * whose bytes hash to S). */
static int digest_bound(const char *signed_digest, const struct og_sig_entry *en, const char *image,
			char *why, size_t wsize)
{
	char mdig[OG_DIGEST_MAX], idig[OG_DIGEST_MAX];
	og_error je = { 0 };
	json_auto_t *man = NULL;
	json_t *cfg;
	const char *cd;

	if (strcmp(signed_digest, image) == 0)
		return 1;
	if (en->manifest.data == NULL) {
		og_bfmt(why, wsize, "signed digest %s is not the image digest %s", signed_digest, image);
		return 0;
	}
	og_sha256_digest(en->manifest.data, en->manifest.len, mdig, OG_DIGEST_MAX);
	if (en->index.data != NULL) {
		og_sha256_digest(en->index.data, en->index.len, idig, OG_DIGEST_MAX);
		if (strcmp(idig, signed_digest) != 0) {
			og_bfmt(why, wsize, "stored index %s is not the signed digest %s", idig, signed_digest);
			return 0;
		}
		if (!index_lists(&en->index, mdig, why, wsize))
			return 0;
	} else if (strcmp(mdig, signed_digest) != 0) {
		og_bfmt(why, wsize, "stored manifest %s is not the signed digest %s", mdig, signed_digest);
		return 0;
	}
	if (strcmp(mdig, image) == 0)
		return 1;
	man = og_json_parse(en->manifest.data, en->manifest.len, "manifest", &je);
	if (man == NULL || og_json_obj(man, "config", "manifest", 1, &cfg, &je) < 0 ||
	    og_json_str(cfg, "digest", "manifest.config", 1, &cd, &je) < 0) {
		og_bfmt(why, wsize, "stored manifest unusable: %s", je.msg);
		return 0;
	}
	if (strcmp(cd, image) != 0) {
		og_bfmt(why, wsize, "signed manifest's config %.80s is not the image digest %s", cd, image);
		return 0;
	}
	return 1;
}

static int accepted_type(const struct og_sig_verify_opts *o, const char *t)
{
	for (size_t i = 0; i < o->npredicate_types; i++)
		if (strcmp(o->predicate_types[i], t) == 0)
			return 1;
	return 0;
}

static void set(struct og_sig_verdict *v, enum og_sig_outcome o, const char *keyid, const char *repo,
		const char *msg)
{
	/* Keep the most informative outcome seen across keys. */
	if (o < v->outcome)
		return;
	v->outcome = o;
	og_bfmt(v->keyid, sizeof v->keyid, "%s", keyid ? keyid : "");
	og_bfmt(v->repository, sizeof v->repository, "%s", repo ? repo : "");
	og_bfmt(v->message, sizeof v->message, "%s", msg);
}

static int entry_signature_ok(const struct og_sig_entry *en, const struct og_bundle *b, EVP_PKEY *k)
{
	og_error ve = { 0 };

	if (en->payload.data != NULL)
		return og_key_verify(k, en->payload.data, en->payload.len,
				     (const unsigned char *)en->signature.data, en->signature.len, &ve) == 0;
	return og_bundle_verify(b, k, &ve) == 0;
}

/* Whether key k may vouch for repository repo.  "" is a signature that
 * names no repository for an image the engine records no name of: only a
 * key scoped "*" vouches for any repository at all. */
static int key_covers(const struct og_trust_key *k, const char *repo)
{
	if (repo[0] != '\0')
		return og_trust_key_in_scope(k, repo);
	for (size_t i = 0; i < k->nscopes; i++)
		if (strcmp(k->scopes[i], "*") == 0)
			return 1;
	return 0;
}

/* The image's name in the engine's record, for messages. */
static void engine_name(const struct og_sig_verify_opts *o, char *out, size_t size)
{
	og_bfmt(out, size, "%.200s (%s)", o->image_name, o->image_name_from);
}

/* Claim i of c holds for the image: in k's scope (its own repository, or
 * the engine's when it names none), bound to the image digest, and for the
 * repository the engine runs the image as.  Otherwise the outcome it
 * reached, the reason in msg. */
static enum og_sig_outcome claim_holds(const struct og_trust_key *k, const struct og_sig_claims *c, size_t i,
				       const struct og_sig_entry *en, const char *digest,
				       const struct og_sig_verify_opts *o, char *msg, size_t msize)
{
	const char *signed_repo = c->repo[i], *repo = signed_repo[0] ? signed_repo : o->image_repository;
	char why[400] = "", name[300];

	engine_name(o, name, sizeof name);
	if (!key_covers(k, repo)) {
		if (signed_repo[0])
			og_bfmt(msg, msize, "signed by key %.16s whose scopes do not cover %.200s", k->keyid,
				signed_repo);
		else if (repo[0])
			og_bfmt(msg, msize, "signed by key %.16s whose scopes do not cover %.200s, the repository "
				"of the engine's image name %s (the signature names no repository)", k->keyid,
				repo, name);
		else
			og_bfmt(msg, msize, "signed by key %.16s for no repository, and the engine records no "
				"image name: only a key scoped \"*\" vouches for such a signature", k->keyid);
		return OG_SIG_OUT_OF_SCOPE;
	}
	if (!digest_bound(c->digest[i], en, digest, why, sizeof why)) {
		og_bfmt(msg, msize, "wrong digest: %s", why);
		return OG_SIG_WRONG_DIGEST;
	}
	if (o->match_repository && signed_repo[0] && o->image_repository[0] &&
	    strcmp(signed_repo, o->image_repository) != 0) {
		og_bfmt(msg, msize, "signed by key %.16s for %.200s, but the engine runs the image as %s",
			k->keyid, signed_repo, name);
		return OG_SIG_OTHER_REPOSITORY;
	}
	if (signed_repo[0] && o->image_repository[0] && o->match_repository)
		og_bfmt(msg, msize, "signed by key %.16s for %.200s, the repository of the engine's image "
			"name %s", k->keyid, signed_repo, name);
	else if (signed_repo[0])
		og_bfmt(msg, msize, "signed by key %.16s for %.200s", k->keyid, signed_repo);
	else if (repo[0])
		og_bfmt(msg, msize, "signed by key %.16s, whose scopes cover %.200s, the repository of the "
			"engine's image name %s (the signature names no repository)", k->keyid, repo, name);
	else
		og_bfmt(msg, msize, "signed by key %.16s, scoped \"*\" (the signature names no repository "
			"and the engine records no image name)", k->keyid);
	return OG_SIG_ACCEPTED;
}

/* How far claim_holds got before refusing a claim. */
static int progress(enum og_sig_outcome r)
{
	return r == OG_SIG_OUT_OF_SCOPE ? 0 : r == OG_SIG_WRONG_DIGEST ? 1 : 2;
}

/* Key ki verified the entry's signature: what the signed claims are worth. */
static void judge(struct og_trust_store *s, size_t ki, const struct og_sig_entry *en,
		  const struct og_bundle *b, const char *digest, const struct og_sig_verify_opts *o,
		  struct og_sig_verdict *v)
{
	struct og_trust_key *k = &s->keys[ki];
	og_cleanup_free struct og_sig_claims *c = malloc(sizeof *c);
	enum og_sig_outcome best = OG_SIG_NO_KEY;
	char msg[512], best_msg[512] = "";
	const char *best_repo = "";
	og_error ce = { 0 };
	int64_t now = og_now();

	if (c == NULL) {
		set(v, OG_SIG_MALFORMED, k->keyid, NULL, "out of memory");
		return;
	}
	if (og_sig_claims_read(&en->payload, b, c, &ce) < 0) {
		set(v, OG_SIG_MALFORMED, k->keyid, NULL, ce.msg);
		return;
	}
	if (c->kind == OG_SIG_KIND_DSSE && !accepted_type(o, c->predicate_type)) {
		og_bfmt(msg, sizeof msg, "signed by key %.16s: predicate type %.100s is not accepted by the "
			"policy (trust.predicate_types)", k->keyid, c->predicate_type);
		set(v, OG_SIG_PREDICATE_REFUSED, k->keyid, c->repo[0], msg);
		return;
	}
	if (og_trust_key_revoked(s, k->keyid)) {
		og_bfmt(msg, sizeof msg, "signed by revoked key %.16s", k->keyid);
		set(v, OG_SIG_REVOKED_KEY, k->keyid, c->repo[0], msg);
		return;
	}
	if ((k->not_before && now < k->not_before) || (k->not_after && now >= k->not_after)) {
		og_bfmt(msg, sizeof msg, "signed by key %.16s outside its validity window (%s)", k->keyid,
			k->not_before && now < k->not_before ? "not yet valid" : "expired");
		set(v, OG_SIG_EXPIRED_KEY, k->keyid, c->repo[0], msg);
		return;
	}
	/* Any claim that holds vouches; otherwise the one that got furthest
	 * (in scope, then bound to the digest) says why not. */
	for (size_t i = 0; i < c->n; i++) {
		enum og_sig_outcome r = claim_holds(k, c, i, en, digest, o, msg, sizeof msg);

		if (r == OG_SIG_ACCEPTED) {
			set(v, r, k->keyid, c->repo[i], msg);
			return;
		}
		if (best_msg[0] == '\0' || progress(r) > progress(best)) {
			best = r;
			best_repo = c->repo[i];
			og_bfmt(best_msg, sizeof best_msg, "%s", msg);
		}
	}
	set(v, best, k->keyid, best_repo, best_msg);
}

/* A keyless signature, with the same rules as a key's signature: the
 * identity's scope is checked against the repository the signature binds
 * (an in-toto subject's name, a payload's docker-reference), else the
 * engine's record of the image (a messageSignature binds none), never
 * against the unsigned --repository hint; a signed repository must be the
 * one the engine runs the image as (unless trust.match_repository is off).
 * bundle is the certificate bundle to verify; c its claims, read before and
 * believed only once og_sig_keyless_verify verified the bytes that carry
 * them.  The digest the bundle signs is each claim's, or payload_digest for
 * cosign's registry form (whose bundle signs the payload bytes that hold the
 * claims). */
static void keyless(struct og_trust_store *s, const struct og_sig_entry *en, const og_buf *bundle,
		    const struct og_sig_claims *c, const char *payload_digest, const char *digest,
		    const struct og_sig_verify_opts *o, struct og_sig_verdict *v)
{
	og_cleanup_free struct og_sig_keyless_result *r = malloc(sizeof *r);
	char why[400] = "the keyless signature signs no digest", msg[512], name[300];
	og_error e = { 0 };
	int rc;

	if (r == NULL) {
		set(v, OG_SIG_MALFORMED, NULL, NULL, "out of memory");
		return;
	}
	engine_name(o, name, sizeof name);
	for (size_t i = 0; i < c->n && v->outcome != OG_SIG_ACCEPTED; i++) {
		const char *engine_repo = o->image_repository ? o->image_repository : "";
		const char *signed_repo = c->repo[i], *repo = signed_repo[0] ? signed_repo : engine_repo;
		char when[32], kid[OG_KEYID_HEX];

		if (!digest_bound(c->digest[i], en, digest, why, sizeof why))
			continue;
		if (o->match_repository && signed_repo[0] && engine_repo[0] &&
		    strcmp(signed_repo, engine_repo) != 0) {
			og_bfmt(msg, sizeof msg, "signed keyless for %.200s, but the engine runs the image as %s",
				signed_repo, name);
			set(v, OG_SIG_OTHER_REPOSITORY, NULL, signed_repo, msg);
			continue;
		}
		rc = og_sig_keyless_verify(s, bundle, repo, payload_digest ? payload_digest : c->digest[i], r, &e);
		if (rc < 0) {
			set(v, rc == OG_SIG_KEYLESS_REVOKED ? OG_SIG_REVOKED_KEY : OG_SIG_BAD_SIGNATURE, NULL, repo,
			    e.msg);
			og_error_clear(&e);
			continue;
		}
		if (r->predicate_type[0] && !accepted_type(o, r->predicate_type)) {
			og_bfmt(msg, sizeof msg, "signed keyless: predicate type %.100s is not accepted by the "
				"policy (trust.predicate_types)", r->predicate_type);
			set(v, OG_SIG_PREDICATE_REFUSED, NULL, repo, msg);
			continue;
		}
		og_format_rfc3339(r->signed_at, when, sizeof when);
		og_bfmt(msg, sizeof msg,
			"signed keyless by %.150s (issuer %.100s, identity %.60s, log index %lld, at %s) for %.200s",
			r->san, r->issuer, r->identity, (long long)r->log_index, when,
			repo[0] ? repo : "no repository (identity scoped \"*\")");
		og_bfmt(kid, sizeof kid, OG_KEYLESS_KEYID_PREFIX "%zu", r->identity_index);
		set(v, OG_SIG_ACCEPTED, kid, repo, msg);
	}
	if (v->outcome == OG_SIG_NO_KEY && c->n > 0) {
		og_bfmt(msg, sizeof msg, "wrong digest: %s", why);
		set(v, OG_SIG_WRONG_DIGEST, NULL, NULL, msg);
	}
}

/* A Sigstore certificate bundle filed as it is. */
static void keyless_bundle(struct og_trust_store *s, const struct og_sig_entry *en, const char *digest,
			   const struct og_sig_verify_opts *o, struct og_sig_verdict *v)
{
	og_cleanup_free struct og_sig_claims *c = calloc(1, sizeof *c);
	json_auto_t *doc = NULL;
	struct og_bundle b;
	og_error e = { 0 };
	int rc;

	if (c == NULL) {
		set(v, OG_SIG_MALFORMED, NULL, NULL, "out of memory");
		return;
	}
	doc = og_json_parse(en->bundle.data, en->bundle.len, "bundle", &e);
	if (doc == NULL || og_bundle_parse_doc(doc, 1, &b, &e) < 0) {
		set(v, OG_SIG_MALFORMED, NULL, NULL, e.msg);
		/* cppcheck-suppress memleak ; og_cleanup_free frees c, cppcheck does not model cleanup */
		return;
	}
	rc = og_sig_claims_read(NULL, &b, c, &e);
	og_bundle_free(&b);
	if (rc < 0) {
		set(v, OG_SIG_MALFORMED, NULL, NULL, e.msg);
		return;
	}
	keyless(s, en, &en->bundle, c, NULL, digest, o, v);
}

/* cosign's registry form (payload, signature, certificate, Rekor bundle
 * ...): converted to the bundle it is equivalent to (cosign_keyless.h). */
static void keyless_registry(struct og_trust_store *s, const struct og_sig_entry *en, const char *digest,
			     const struct og_sig_verify_opts *o, struct og_sig_verdict *v)
{
	og_cleanup_free struct og_sig_claims *c = calloc(1, sizeof *c);
	og_cleanup_free char *text = NULL;
	char pd[OG_DIGEST_MAX];
	og_buf bundle = { 0 };
	og_error e = { 0 };

	if (c == NULL) {
		set(v, OG_SIG_MALFORMED, NULL, NULL, "out of memory");
		return;
	}
	if (s->sigstore.nidentities == 0) {
		set(v, OG_SIG_UNSUPPORTED, NULL, NULL, "a keyless signature (cosign certificate), and the trust "
		    "store has no keyless identities (sigstore section)");
		/* cppcheck-suppress memleak ; og_cleanup_free frees c, cppcheck does not model cleanup */
		return;
	}
	if (og_cosign_keyless_bundle(en, &text, &bundle.len, pd, &e) < 0 ||
	    og_sig_claims_read(&en->payload, NULL, c, &e) < 0) {
		set(v, OG_SIG_MALFORMED, NULL, NULL, e.msg);
		return;
	}
	bundle.data = text;
	keyless(s, en, &bundle, c, pd, digest, o, v);
}

int og_sig_entry_verify(struct og_trust_store *s, const struct og_sig_entry *en, const char *digest,
			const struct og_sig_verify_opts *o, struct og_sig_verdict *v, og_error *e)
{
	/* Which keys to try first: those for the entry's unsigned hint, or for
	 * the engine's repository; all of them when neither says. */
	const char *hint = en->repository[0] ? en->repository : o->image_repository;
	char unusable[OG_ERROR_MAX / 2] = "", msg[sizeof v->message];
	struct og_bundle b;
	og_error pe = { 0 };
	int tried_hinted = 0;

	(void)e;
	memset(v, 0, sizeof *v);
	memset(&b, 0, sizeof b);
	og_bfmt(v->message, sizeof v->message, "no trust-store key verifies the signature");
	if (en->certificate.data != NULL) {
		keyless_registry(s, en, digest, o, v);
		return 0;
	}
	if (en->bundle.data != NULL && og_bundle_parse(en->bundle.data, en->bundle.len, &b, &pe) < 0) {
		if (strstr(pe.msg, OG_CERT_BUNDLE_REFUSED) != NULL && s->sigstore.nidentities > 0)
			keyless_bundle(s, en, digest, o, v);
		else
			set(v, strstr(pe.msg, OG_CERT_BUNDLE_REFUSED) ? OG_SIG_UNSUPPORTED : OG_SIG_MALFORMED, NULL,
			    NULL, pe.msg);
		return 0;
	}
	/* Pass 0: the hinted keys (parsed lazily, only these on the happy
	 * path); pass 1, when asked: the rest. */
	for (int pass = 0; pass < (o->all_keys ? 2 : 1) && v->outcome != OG_SIG_ACCEPTED; pass++) {
		for (size_t i = 0; i < s->nkeys && v->outcome != OG_SIG_ACCEPTED; i++) {
			int hinted = hint[0] == '\0' || og_trust_key_in_scope(&s->keys[i], hint);
			EVP_PKEY *k;
			og_error ke = { 0 };

			if (hinted != (pass == 0))
				continue;
			if (og_trust_store_key(s, i, &k, &ke) < 0) {
				/* Say why a key listed for this image cannot vouch (RSA-1024 ...). */
				if (unusable[0] == '\0')
					og_bfmt(unusable, sizeof unusable, "%s", ke.msg);
				continue;
			}
			tried_hinted |= hinted && hint[0] != '\0';
			if (!entry_signature_ok(en, &b, k))
				continue;
			judge(s, i, en, &b, digest, o, v);
		}
	}
	if (v->outcome == OG_SIG_NO_KEY && tried_hinted) {
		og_bfmt(msg, sizeof msg, "no key in scope of %.200s verifies it", hint);
		set(v, OG_SIG_BAD_SIGNATURE, NULL, hint, msg);
	}
	if (v->outcome <= OG_SIG_BAD_SIGNATURE && unusable[0] != '\0') {
		og_bfmt(msg, sizeof msg, "%s; unusable store key: %s", v->message, unusable);
		og_bfmt(v->message, sizeof v->message, "%s", msg);
	}
	og_bundle_free(&b);
	return 0;
}
