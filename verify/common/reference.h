/* Image references and repository names, and their normalised form
 * ("docker.io/library/alpine" for "alpine"): the names signatures, scopes,
 * verdicts and engines' records are compared by. */
#ifndef OCIGATE_REFERENCE_H
#define OCIGATE_REFERENCE_H

#include <stddef.h>
#include "verify/common/image.h"

/* The longest normalised repository name (distribution's NameTotalLengthMax). */
#define OG_REPO_NAME_MAX 255

/* Split an image reference "host/path[:tag][@sha256:hex]" into its
 * normalised repository ("docker.io/library/alpine" for "alpine") and its
 * digest ("" when there is none).  -1 when it is not a valid reference. */
int og_ref_parse(const char *ref, char *repo, size_t repo_size, char *digest, size_t digest_size);
/* Why og_ref_parse refuses ref (a fixed phrase for messages), or NULL when
 * it does not. */
const char *og_ref_problem(const char *ref);
/* The name part of a reference as written, tag and digest removed
 * ("reg:5000/ns/app:1@sha256:.." -> "reg:5000/ns/app"), not validated nor
 * normalised; truncated to fit size.  For display (a scanner's report). */
void og_ref_name(const char *ref, char *out, size_t size);
/* Normalise a repository name (no tag or digest) the same way; -1 if invalid
 * or when the result does not fit in size. */
int og_repo_normalize(const char *in, char *out, size_t size);
/* Whether og_repo_normalize would accept the name, without writing it out. */
int og_repo_valid(const char *in);

#endif
