#include "verify/trust/sig_verify.h"
#include "verify/trust/sig_keyless.h"
#include "verify/sig/cosign.h"
#include "verify/sig/dsse.h"
#include "hook/base/jsonutil.h"
#include "verify/sig/sigstore.h"
#include "hook/base/timeutil.h"
#include "verify/common/digest.h"
#include "hook/base/strfmt.h"
#include "verify/common/reference.h"

#include <stdlib.h>
#include <string.h>

const char *og_sig_outcome_name(enum og_sig_outcome o)
{
	switch (o) {
	case OG_SIG_NO_KEY: return "no trusted key";
	case OG_SIG_BAD_SIGNATURE: return "bad signature";
	case OG_SIG_MALFORMED: return "malformed signature";
	case OG_SIG_UNSUPPORTED: return "unsupported signature";
	case OG_SIG_WRONG_DIGEST: return "wrong digest";
	case OG_SIG_OUT_OF_SCOPE: return "out-of-scope key";
	case OG_SIG_EXPIRED_KEY: return "expired key";
	case OG_SIG_REVOKED_KEY: return "revoked key";
	case OG_SIG_ACCEPTED: return "accepted";
	}
	return "?";
}

/* What a verified signature claims: (digest, repository) pairs. */
#define MAX_CLAIMS OG_INTOTO_MAX_SUBJECTS
struct claims {
	size_t n;
	char digest[MAX_CLAIMS][OG_DIGEST_MAX];
	char repo[MAX_CLAIMS][OG_REF_MAX];
};


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

/* Parse what the verified bytes say (only called after verification). */
static int read_claims(const struct og_sig_entry *en, const struct og_bundle *b,
		       const struct og_sig_verify_opts *o, struct claims *c, char *why, size_t wsize)
{
	og_error pe = { 0 };

	c->n = 0;
	if (en->payload.data != NULL) {
		struct og_cosign_payload p;

		if (og_cosign_payload_parse(en->payload.data, en->payload.len, &p, &pe) < 0) {
			og_bfmt(why, wsize, "signed payload invalid: %s", pe.msg);
			return -1;
		}
		og_bfmt(c->digest[0], OG_DIGEST_MAX, "%s", p.digest);
		og_bfmt(c->repo[0], OG_REF_MAX, "%s", p.repository);
		c->n = 1;
		return 0;
	}
	if (b->kind == OG_BUNDLE_MESSAGE) {
		char hex[65];

		/* A messageSignature names no repository: the one recorded with it applies. */
		og_hex_encode(b->msg_digest, 32, hex);
		og_bfmt(c->digest[0], OG_DIGEST_MAX, "sha256:%s", hex);
		og_bfmt(c->repo[0], OG_REF_MAX, "%s", en->repository);
		c->n = 1;
		return 0;
	}
	{
		struct og_intoto *st;

		/* og_bundle_verify refuses an entry of no kind, so a DSSE envelope
		 * has its type here; checked anyway rather than assumed. */
		if (b->env.payload_type == NULL ||
		    strcmp(b->env.payload_type, OG_INTOTO_PAYLOAD_TYPE) != 0) {
			og_bfmt(why, wsize, "DSSE payloadType is not %s", OG_INTOTO_PAYLOAD_TYPE);
			return -1;
		}
		st = malloc(sizeof *st);
		if (st == NULL) {
			og_bfmt(why, wsize, "out of memory");
			return -1;
		}
		if (og_intoto_parse(b->env.payload, b->env.payload_len, st, &pe) < 0) {
			og_bfmt(why, wsize, "signed statement invalid: %s", pe.msg);
			free(st);
			return -1;
		}
		if (!accepted_type(o, st->predicate_type)) {
			og_bfmt(why, wsize, "predicate type %.100s is not accepted by the policy",
				st->predicate_type);
			free(st);
			return -1;
		}
		for (size_t i = 0; i < st->nsub; i++) {
			char norm[OG_REF_MAX], dg[OG_DIGEST_MAX];

			og_bfmt(c->digest[c->n], OG_DIGEST_MAX, "%s", st->digest[i]);
			if (st->name[i][0] && og_ref_parse(st->name[i], norm, sizeof norm, dg, sizeof dg) == 0)
				og_bfmt(c->repo[c->n], OG_REF_MAX, "%s", norm);
			else
				og_bfmt(c->repo[c->n], OG_REF_MAX, "%s", en->repository);
			c->n++;
		}
		free(st);
		if (c->n == 0) {
			og_bfmt(why, wsize, "signed statement has no sha256 subject");
			return -1;
		}
	}
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

static void judge(struct og_trust_store *s, size_t ki, const struct og_sig_entry *en,
		  const struct og_bundle *b, const char *digest, const struct og_sig_verify_opts *o,
		  struct og_sig_verdict *v)
{
	struct og_trust_key *k = &s->keys[ki];
	struct claims *c;
	char why[400] = "", msg[512];
	int64_t now = og_now();
	int in_scope = 0;

	c = malloc(sizeof *c);
	if (c == NULL) {
		set(v, OG_SIG_MALFORMED, k->keyid, NULL, "out of memory");
		return;
	}
	if (read_claims(en, b, o, c, why, sizeof why) < 0) {
		set(v, OG_SIG_MALFORMED, k->keyid, NULL, why);
		goto out;
	}
	if (og_trust_key_revoked(s, k->keyid)) {
		og_bfmt(msg, sizeof msg, "signed by revoked key %.16s", k->keyid);
		set(v, OG_SIG_REVOKED_KEY, k->keyid, c->repo[0], msg);
		goto out;
	}
	if ((k->not_before && now < k->not_before) || (k->not_after && now >= k->not_after)) {
		og_bfmt(msg, sizeof msg, "signed by key %.16s outside its validity window (%s)", k->keyid,
			k->not_before && now < k->not_before ? "not yet valid" : "expired");
		set(v, OG_SIG_EXPIRED_KEY, k->keyid, c->repo[0], msg);
		goto out;
	}
	for (size_t i = 0; i < c->n; i++) {
		if (!og_trust_key_in_scope(k, c->repo[i]))
			continue;
		in_scope = 1;
		if (digest_bound(c->digest[i], en, digest, why, sizeof why)) {
			og_bfmt(msg, sizeof msg, "signed by key %.16s for %s", k->keyid, c->repo[i]);
			set(v, OG_SIG_ACCEPTED, k->keyid, c->repo[i], msg);
			goto out;
		}
	}
	if (!in_scope) {
		og_bfmt(msg, sizeof msg, "signed by key %.16s whose scopes do not cover %.200s", k->keyid,
			c->repo[0][0] ? c->repo[0] : "(no repository)");
		set(v, OG_SIG_OUT_OF_SCOPE, k->keyid, c->repo[0], msg);
	} else {
		og_bfmt(msg, sizeof msg, "wrong digest: %s", why);
		set(v, OG_SIG_WRONG_DIGEST, k->keyid, c->repo[0], msg);
	}
out:
	free(c);
}

/* A certificate bundle: verified for a digest it claims that is bound to the
 * image as for keys, against the store's keyless identities. */
static void keyless(struct og_trust_store *s, const struct og_sig_entry *en, const char *digest,
		    const struct og_sig_verify_opts *o, struct og_sig_verdict *v)
{
	char (*claims)[OG_DIGEST_MAX] = calloc(OG_KEYLESS_MAX_SIGNED, OG_DIGEST_MAX);
	char why[400] = "the keyless bundle signs no digest", msg[512];
	struct og_sig_keyless_result *r = malloc(sizeof *r);
	size_t n = 0;
	og_error e = { 0 };

	if (claims == NULL || r == NULL)
		set(v, OG_SIG_MALFORMED, NULL, en->repository, "out of memory");
	else if (og_sig_keyless_claims(&en->bundle, claims, OG_KEYLESS_MAX_SIGNED, &n, &e) < 0)
		set(v, OG_SIG_MALFORMED, NULL, en->repository, e.msg);
	for (size_t i = 0; i < n && v->outcome == OG_SIG_NO_KEY; i++) {
		if (!digest_bound(claims[i], en, digest, why, sizeof why))
			continue;
		if (og_sig_keyless_verify(s, &en->bundle, en->repository, claims[i], r, &e) < 0)
			set(v, OG_SIG_BAD_SIGNATURE, NULL, en->repository, e.msg);
		else if (r->predicate_type[0] && !accepted_type(o, r->predicate_type))
			set(v, OG_SIG_MALFORMED, NULL, en->repository, "predicate type is not accepted by the policy");
		else {
			char kid[OG_KEYID_HEX], when[32];

			og_format_rfc3339(r->signed_at, when, sizeof when);
			og_bfmt(msg, sizeof msg,
				"signed keyless by %.150s (issuer %.100s, identity %.60s, log index %lld, at %s)", r->san,
				r->issuer, r->identity, (long long)r->log_index, when);
			og_bfmt(kid, sizeof kid, OG_KEYLESS_KEYID_PREFIX "%zu", r->identity_index);
			set(v, OG_SIG_ACCEPTED, kid, en->repository, msg);
		}
	}
	if (v->outcome == OG_SIG_NO_KEY && n > 0) {
		og_bfmt(msg, sizeof msg, "wrong digest: %s", why);
		set(v, OG_SIG_WRONG_DIGEST, NULL, en->repository, msg);
	}
	free(claims);
	free(r);
}

int og_sig_entry_verify(struct og_trust_store *s, const struct og_sig_entry *en, const char *digest,
			const struct og_sig_verify_opts *o, struct og_sig_verdict *v, og_error *e)
{
	struct og_bundle b;
	og_error pe = { 0 };
	int tried_scoped = 0;

	(void)e;
	memset(v, 0, sizeof *v);
	memset(&b, 0, sizeof b);
	og_bfmt(v->message, sizeof v->message, "no trust-store key verifies the signature");
	if (en->bundle.data != NULL && og_bundle_parse(en->bundle.data, en->bundle.len, &b, &pe) < 0) {
		if (strstr(pe.msg, OG_CERT_BUNDLE_REFUSED) != NULL && s->sigstore.nidentities > 0)
			keyless(s, en, digest, o, v);	/* sig_keyless.c */
		else
			set(v, strstr(pe.msg, OG_CERT_BUNDLE_REFUSED) ? OG_SIG_UNSUPPORTED : OG_SIG_MALFORMED, NULL,
			    NULL, pe.msg);
		return 0;
	}
	/* Pass 0: keys whose scopes cover the entry's repository hint (parsed
	 * lazily, only these on the happy path); pass 1, when asked: the rest. */
	for (int pass = 0; pass < (o->all_keys ? 2 : 1) && v->outcome != OG_SIG_ACCEPTED; pass++) {
		for (size_t i = 0; i < s->nkeys && v->outcome != OG_SIG_ACCEPTED; i++) {
			int hinted = og_trust_key_in_scope(&s->keys[i], en->repository);
			EVP_PKEY *k;
			og_error ke = { 0 };

			if (hinted != (pass == 0))
				continue;
			if (og_trust_store_key(s, i, &k, &ke) < 0)
				continue;
			tried_scoped |= hinted;
			if (!entry_signature_ok(en, &b, k))
				continue;
			judge(s, i, en, &b, digest, o, v);
		}
	}
	if (v->outcome == OG_SIG_NO_KEY && tried_scoped)
		set(v, OG_SIG_BAD_SIGNATURE, NULL, en->repository,
		    "no key in scope of the signature's repository verifies it");
	og_bundle_free(&b);
	return 0;
}
