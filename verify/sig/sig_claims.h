/* What a signature's signed bytes say: the (digest, repository) pairs it
 * vouches for, a repository "" where the signature binds none (a Sigstore
 * messageSignature signs a digest only; an in-toto subject may have no
 * name).  The trust check reads them once the signature verified; `sig add`
 * (which digests to file an entry under) and `sig ls` (what an entry is
 * for) read them unverified. */
#ifndef OCIGATE_SIG_CLAIMS_H
#define OCIGATE_SIG_CLAIMS_H

#include <stddef.h>
#include "hook/base/error.h"
#include "hook/base/fileio.h"
#include "verify/common/image.h"
#include "verify/sig/dsse.h"
#include "verify/sig/sigstore.h"

#define OG_SIG_MAX_CLAIMS OG_INTOTO_MAX_SUBJECTS

enum og_sig_kind { OG_SIG_KIND_SIMPLE, OG_SIG_KIND_DSSE, OG_SIG_KIND_MESSAGE };

struct og_sig_claims {
	enum og_sig_kind kind;
	char predicate_type[256];	/* an in-toto statement's, else "" */
	size_t n;
	char digest[OG_SIG_MAX_CLAIMS][OG_DIGEST_MAX];
	char repo[OG_SIG_MAX_CLAIMS][OG_REF_MAX];	/* normalised; "" when none is signed */
};

/* The claims of a simple-signing payload (payload->data set) or else of
 * bundle b (parsed).  -1 with the reason when the signed bytes are not a
 * payload or statement we can read: a subject name that is not an image
 * reference, or a statement with no sha256 subject, vouches for nothing. */
int og_sig_claims_read(const og_buf *payload, const struct og_bundle *b, struct og_sig_claims *c,
		       og_error *e);
/* "simple-signing", "dsse", "message-signature". */
const char *og_sig_kind_name(enum og_sig_kind k);

#endif
