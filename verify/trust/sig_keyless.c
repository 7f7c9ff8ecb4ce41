#include "verify/trust/sig_keyless.h"
#include "verify/sig/dsse.h"
#include "verify/sig/keyless.h"
#include "verify/sig/sigstore.h"
#include "hook/base/jsonutil.h"
#include "hook/base/strfmt.h"
#include "hook/base/timeutil.h"

#include <stdlib.h>
#include <string.h>

/* In its window and scoped to the repository: "" (a signature binding no
 * repository, for an image the engine records no name of) only for an
 * identity scoped "*", as for keys. */
static int identity_applies(const struct og_trust_identity *id, const char *repository, int64_t now)
{
	if (id->not_before && now < id->not_before)
		return 0;
	if (id->not_after && now >= id->not_after)
		return 0;
	for (size_t i = 0; i < id->nscopes; i++)
		if (repository[0] != '\0' ? og_trust_scope_match(id->scopes[i], repository)
					  : strcmp(id->scopes[i], "*") == 0)
			return 1;
	return 0;
}

/* The verified statement's predicate type (DSSE bundles). */
static void predicate_type(const og_buf *bundle, char *out, size_t size)
{
	og_error e = { 0 };
	json_auto_t *doc = og_json_parse(bundle->data, bundle->len, "bundle", &e);
	struct og_bundle b;

	out[0] = '\0';
	if (doc == NULL || og_bundle_parse_doc(doc, 1, &b, &e) < 0)
		return;
	if (b.kind == OG_BUNDLE_DSSE) {
		struct og_intoto *st = calloc(1, sizeof *st);

		if (st != NULL && og_intoto_parse(b.env.payload, b.env.payload_len, st, &e) == 0)
			og_bfmt(out, size, "%s", st->predicate_type);
		free(st);
	}
	og_bundle_free(&b);
}

int og_sig_keyless_verify(struct og_trust_store *s, const og_buf *bundle, const char *repository,
			  const char *signed_digest, struct og_sig_keyless_result *r, og_error *e)
{
	struct og_trust_sigstore *ss = &s->sigstore;
	int64_t now = og_now();
	size_t tried = 0, rv;
	og_error last = { 0 };

	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < ss->nidentities; i++) {
		const struct og_trust_identity *id = &ss->identities[i];

		if (!identity_applies(id, repository, now))
			continue;
		for (size_t k = 0; k < ss->nroots; k++) {
			const struct og_trusted_root *root;
			struct og_keyless_result kr;
			struct og_keyless_opts o = { .identity = id->san, .identity_regex = id->san_regex,
						     .issuer = id->issuer, .extensions = id->extensions,
						     .nextensions = id->nextensions, .now = now };

			if (id->root != NULL && strcmp(id->root, ss->roots[k].name) != 0)
				continue;
			tried++;
			if (og_trust_sigstore_root(ss, k, &root, &last) < 0)
				continue;
			o.root = root;
			if (og_keyless_verify(bundle->data, bundle->len, signed_digest, &o, &kr, &last) < 0) {
				og_wrap(&last, "identity %.60s, root %.60s", id->name[0] ? id->name : "(unnamed)",
					ss->roots[k].name);
				continue;
			}
			/* A revoked identity vouches for nothing, whichever entry
			 * would accept it (as a revoked key). */
			if ((rv = og_trust_identity_revoked(ss, kr.san, kr.issuer)) > 0)
				return og_fail(e, "revoked identity: certificate SAN %.300s (issuer %.200s) is "
					       "revoked in the trust store ($.revoked.identities[%zu])", kr.san,
					       kr.issuer, rv - 1), OG_SIG_KEYLESS_REVOKED;
			r->identity_index = i;
			og_bfmt(r->identity, sizeof r->identity, "%s", id->name);
			og_bfmt(r->san, sizeof r->san, "%s", kr.san);
			og_bfmt(r->issuer, sizeof r->issuer, "%s", kr.issuer);
			r->log_index = kr.log_index;
			r->signed_at = kr.signed_at;
			predicate_type(bundle, r->predicate_type, sizeof r->predicate_type);
			return 0;
		}
	}
	if (tried == 0)
		return og_fail(e, "no keyless identity of the trust store covers %.200s now",
			       repository[0] ? repository : "(no repository)");
	return og_fail(e, "keyless signature refused: %s", last.msg);
}

int64_t og_sig_keyless_valid_until(const struct og_trust_store *s, const char *keyid)
{
	const char *p;
	char *end;
	unsigned long i;

	if (strncmp(keyid, OG_KEYLESS_KEYID_PREFIX, strlen(OG_KEYLESS_KEYID_PREFIX)) != 0)
		return 0;
	p = keyid + strlen(OG_KEYLESS_KEYID_PREFIX);
	i = strtoul(p, &end, 10);
	if (end == p || *end != '\0' || i >= s->sigstore.nidentities)
		return 0;
	return s->sigstore.identities[i].not_after;
}
