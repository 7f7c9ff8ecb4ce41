#include "verify/sig/sig_claims.h"
#include "hook/base/cleanup.h"
#include "hook/base/strfmt.h"
#include "verify/common/digest.h"
#include "verify/common/reference.h"
#include "verify/sig/cosign.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *og_sig_kind_name(enum og_sig_kind k)
{
	switch (k) {
	case OG_SIG_KIND_SIMPLE: return "simple-signing";
	case OG_SIG_KIND_DSSE: return "dsse";
	case OG_SIG_KIND_MESSAGE: return "message-signature";
	}
	return "?";
}

/* An in-toto statement's sha256 subjects, their names as repositories. */
static int statement_claims(const struct og_dsse_envelope *env, struct og_sig_claims *c, og_error *e)
{
	og_cleanup_free struct og_intoto *st = NULL;

	if (env->payload_type == NULL || strcmp(env->payload_type, OG_INTOTO_PAYLOAD_TYPE) != 0)
		return og_fail(e, "DSSE payloadType is not %s", OG_INTOTO_PAYLOAD_TYPE);
	st = malloc(sizeof *st);
	if (st == NULL)
		return og_fail_errno(e, ENOMEM, "signed statement");
	if (og_intoto_parse(env->payload, env->payload_len, st, e) < 0)
		return og_wrap(e, "signed statement");
	og_bfmt(c->predicate_type, sizeof c->predicate_type, "%s", st->predicate_type);
	for (size_t i = 0; i < st->nsub; i++) {
		char dg[OG_DIGEST_MAX];

		og_bfmt(c->digest[i], OG_DIGEST_MAX, "%s", st->digest[i]);
		c->repo[i][0] = '\0';
		if (st->name[i][0] != '\0' &&
		    og_ref_parse(st->name[i], c->repo[i], OG_REF_MAX, dg, sizeof dg) < 0)
			return og_fail(e, "signed statement: subject name \"%.80s\" is not an image reference: %s",
				       st->name[i], og_ref_problem(st->name[i]));
	}
	c->n = st->nsub;
	if (c->n == 0)
		return og_fail(e, "signed statement has no sha256 subject");
	return 0;
}

int og_sig_claims_read(const og_buf *payload, const struct og_bundle *b, struct og_sig_claims *c,
		       og_error *e)
{
	c->n = 0;
	c->predicate_type[0] = '\0';
	if (payload != NULL && payload->data != NULL) {
		struct og_cosign_payload p;

		c->kind = OG_SIG_KIND_SIMPLE;
		if (og_cosign_payload_parse(payload->data, payload->len, &p, e) < 0)
			return og_wrap(e, "signed payload");
		og_bfmt(c->digest[0], OG_DIGEST_MAX, "%s", p.digest);
		og_bfmt(c->repo[0], OG_REF_MAX, "%s", p.repository);
		c->n = 1;
		return 0;
	}
	if (b->kind == OG_BUNDLE_MESSAGE) {
		char hex[65];

		/* A messageSignature signs a digest and names no repository. */
		c->kind = OG_SIG_KIND_MESSAGE;
		og_hex_encode(b->msg_digest, 32, hex);
		og_bfmt(c->digest[0], OG_DIGEST_MAX, "sha256:%s", hex);
		c->repo[0][0] = '\0';
		c->n = 1;
		return 0;
	}
	c->kind = OG_SIG_KIND_DSSE;
	return statement_claims(&b->env, c, e);
}
